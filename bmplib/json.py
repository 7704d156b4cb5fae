"""The stable JSON form of every bmplib model object.

:func:`to_json` turns a message (or any model object) into plain ``dict`` /
``list`` / ``str`` / ``int`` / ``float`` / ``bool`` / ``None`` values that
:func:`json.dumps` accepts.  The schema is documented in ``docs/json.md``.

Rules, applied recursively:

* every BMP record has ``"type"`` (``route_monitoring``, ``statistics_report``,
  ``peer_down``, ``peer_up``, ``initiation``, ``termination``,
  ``route_mirroring``, ``unknown``, ``error``, ``skipped``) and ``"offset"``;
* registry code points (``IntEnum``) become their lower-case name, an
  unregistered code stays an integer;
* raw octets become lower-case hex strings;
* a model object becomes an object of its fields, plus the derived views its
  class names in ``_json_views``; a class may instead define ``__json__()``.
"""

from __future__ import annotations

import dataclasses
import enum
from typing import Any

from bmplib.bmp.constants import MessageType
from bmplib.bmp.header import PeerHeader
from bmplib.bmp.messages import UnknownMessage
from bmplib.stream import ErrorRecord, SkippedBytes

__all__ = ["to_json", "value_to_json"]

JSON = Any


def value_to_json(value: Any) -> JSON:
    """The JSON form of any value found in the model."""
    if value is None or isinstance(value, (bool, str, float)):
        return value
    if isinstance(value, enum.IntEnum):
        return value.name.lower()
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, int):
        return value
    if isinstance(value, (bytes, bytearray, memoryview)):
        return bytes(value).hex()
    if isinstance(value, (list, tuple, frozenset, set)):
        return [value_to_json(v) for v in value]
    if isinstance(value, dict):
        return {str(value_to_json(k)): value_to_json(v) for k, v in value.items()}
    custom = getattr(value, "__json__", None)
    if custom is not None:
        return custom()
    if isinstance(value, PeerHeader):
        return peer_to_json(value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        out = {f.name: value_to_json(getattr(value, f.name)) for f in dataclasses.fields(value)}
        for name in getattr(type(value), "_json_views", ()):
            out[name] = value_to_json(getattr(value, name))
        return out
    return str(value)


def peer_to_json(peer: PeerHeader) -> dict[str, JSON]:
    """The per-peer header with its derived views."""
    rd = peer.rd
    return {
        "peer_type": value_to_json(peer.peer_type),
        "flags": peer.flags,
        "distinguisher": peer.distinguisher.hex(),
        "rd": None if rd is None else str(rd),
        "address": peer.address,
        "asn": peer.asn,
        "bgp_id": peer.bgp_id,
        "table": peer.table.value,
        "timestamp": peer.timestamp,
        "timestamp_sec": peer.timestamp_sec,
        "timestamp_usec": peer.timestamp_usec,
    }


def to_json(obj: Any) -> dict[str, JSON]:
    """The JSON-ready dict of a stream item (message, error or skip record),
    or of any model object."""
    custom = getattr(obj, "__json__", None)
    if custom is not None:  # e.g. a CapturedItem: the item's record plus flow and capture time
        result: Any = custom()
        if isinstance(result, dict):
            return result
        return {"value": result}
    if isinstance(obj, ErrorRecord):
        err = obj.error
        return {
            "type": "error",
            "offset": obj.offset,
            "msg_type": value_to_json(obj.msg_type),
            "layer": err.layer,
            "error_offset": err.offset,
            "reason": err.reason,
            "hex": obj.data.hex(),
        }
    if isinstance(obj, SkippedBytes):
        return {"type": "skipped", "offset": obj.offset, "length": len(obj.data), "reason": obj.reason,
                "hex": obj.data.hex()}  # fmt: skip
    if isinstance(obj, UnknownMessage):
        return {"type": "unknown", "offset": obj.offset, "msg_type": obj.msg_type, "body": obj.body.hex()}
    msg_type = getattr(obj, "type", None)
    if isinstance(msg_type, MessageType) and dataclasses.is_dataclass(obj):
        out: dict[str, JSON] = {"type": msg_type.name.lower(), "offset": getattr(obj, "offset", 0)}
        for f in dataclasses.fields(obj):
            if f.name != "offset":
                out[f.name] = value_to_json(getattr(obj, f.name))
        for name in getattr(type(obj), "_json_views", ()):
            out[name] = value_to_json(getattr(obj, name))
        return out
    result = value_to_json(obj)
    if not isinstance(result, dict):
        return {"value": result}
    return result
