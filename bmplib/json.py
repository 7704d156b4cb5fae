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
import json as _json
import operator
from collections.abc import Callable
from typing import Any

from bmplib.bmp.constants import MessageType
from bmplib.bmp.header import PeerHeader
from bmplib.bmp.messages import UnknownMessage
from bmplib.stream import ErrorRecord, SkippedBytes

__all__ = [
    "FAST_ENCODER",
    "dumps",
    "dumps_pure",
    "reference_to_json",
    "reference_value_to_json",
    "to_json",
    "value_to_json",
]

JSON = Any


def reference_value_to_json(value: Any) -> JSON:
    """The JSON form of any value found in the model: the generic walk that
    defines the schema (:func:`value_to_json` gives the same, faster)."""
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
        return [reference_value_to_json(v) for v in value]
    if isinstance(value, dict):
        return {str(reference_value_to_json(k)): reference_value_to_json(v) for k, v in value.items()}
    custom = getattr(value, "__json__", None)
    if custom is not None:
        return custom()
    if isinstance(value, PeerHeader):
        return peer_to_json(value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        out = {f.name: reference_value_to_json(getattr(value, f.name)) for f in dataclasses.fields(value)}
        for name in getattr(type(value), "_json_views", ()):
            out[name] = reference_value_to_json(getattr(value, name))
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


def reference_to_json(obj: Any) -> dict[str, JSON]:
    """The JSON-ready dict of a stream item (message, error or skip record),
    or of any model object: the generic walk that defines the schema
    (:func:`to_json` gives the same, faster)."""
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
            "msg_type": reference_value_to_json(obj.msg_type),
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
                out[f.name] = reference_value_to_json(getattr(obj, f.name))
        for name in getattr(type(obj), "_json_views", ()):
            out[name] = reference_value_to_json(getattr(obj, name))
        return out
    result = reference_value_to_json(obj)
    if not isinstance(result, dict):
        return {"value": result}
    return result


# -- the renderer: the same forms, by a plan per class ---------------------------
# value_to_json / to_json above decide by isinstance tests, field by field.
# The form of a value depends only on its class, so each class gets a plan
# (a function) the first time it is seen: its field names and views fetched
# with one attrgetter, each value rendered through the plan of its own class.
# Same output as the reference walk (tests/test_json_render.py checks it on
# every capture).
Plan = Callable[[Any], JSON]
_PLANS: dict[type, Plan] = {}
_TOP_PLANS: dict[type, Plan] = {}


def value_to_json(value: Any) -> JSON:
    """The JSON form of any value found in the model."""
    plan = _PLANS.get(type(value))
    if plan is None:
        plan = _plan(type(value))
    return plan(value)


def _same(value: Any) -> JSON:
    return value


def _hex(value: Any) -> JSON:
    return bytes(value).hex()


def _int_enum(value: Any) -> JSON:
    return value.name.lower()


def _enum(value: Any) -> JSON:
    return value.value


def _text(value: Any) -> JSON:
    return str(value)


def _custom(value: Any) -> JSON:
    return value.__json__()


def _items(value: Any) -> JSON:
    plans = _PLANS
    return [(plans.get(type(v)) or _plan(type(v)))(v) for v in value]


def _mapping(value: Any) -> JSON:
    return {str(value_to_json(k)): value_to_json(v) for k, v in value.items()}


def _fields_plan(names: tuple[str, ...]) -> Plan:
    """The plan of a class rendered as an object of the attributes *names*."""
    plans = _PLANS
    if not names:
        return lambda value: {}
    get = operator.attrgetter(*names)
    if len(names) == 1:
        (name,) = names

        def one(value: Any) -> JSON:
            v = get(value)
            return {name: (plans.get(type(v)) or _plan(type(v)))(v)}

        return one

    def many(value: Any) -> JSON:
        return {name: (plans.get(type(v)) or _plan(type(v)))(v) for name, v in zip(names, get(value))}

    return many


def _dataclass_names(cls: type) -> tuple[str, ...]:
    return tuple(f.name for f in dataclasses.fields(cls)) + tuple(getattr(cls, "_json_views", ()))


def _plan(cls: type) -> Plan:
    """The plan of *cls*: the same decisions as :func:`reference_value_to_json`,
    in the same order, taken once."""
    plan: Plan
    if cls is type(None) or issubclass(cls, (bool, str, float)):
        plan = _same
    elif issubclass(cls, enum.IntEnum):
        plan = _int_enum
    elif issubclass(cls, enum.Enum):
        plan = _enum
    elif issubclass(cls, int):
        plan = _same
    elif issubclass(cls, (bytes, bytearray, memoryview)):
        plan = _hex
    elif issubclass(cls, (list, tuple, frozenset, set)):
        plan = _items
    elif issubclass(cls, dict):
        plan = _mapping
    elif getattr(cls, "__json__", None) is not None:
        plan = _custom
    elif issubclass(cls, PeerHeader):
        plan = peer_to_json
    elif dataclasses.is_dataclass(cls) and not issubclass(cls, type):
        plan = _fields_plan(_dataclass_names(cls))
    else:
        plan = _text
    _PLANS[cls] = plan
    return plan


def _top_plan(cls: type) -> Plan:
    """The plan of :func:`to_json` for an object of class *cls*."""
    plan: Plan
    if getattr(cls, "__json__", None) is not None:
        plan = _top_custom
    elif cls in (ErrorRecord, SkippedBytes, UnknownMessage) or not dataclasses.is_dataclass(cls):
        plan = reference_to_json
    else:
        plan = _top_dataclass
    _TOP_PLANS[cls] = plan
    return plan


def _top_custom(obj: Any) -> dict[str, JSON]:
    result = obj.__json__()
    return result if isinstance(result, dict) else {"value": result}


def _top_dataclass(obj: Any) -> dict[str, JSON]:
    """A message (a dataclass whose ``type`` is a MessageType) or another
    model object; the message plan is chosen per class, once its ``type``
    is seen (a class attribute or property of the class)."""
    cls = type(obj)
    if isinstance(getattr(obj, "type", None), MessageType):
        names = tuple(n for n in _dataclass_names(cls) if n != "offset")
        fields = _fields_plan(names)

        def message(obj: Any) -> dict[str, JSON]:
            out: dict[str, JSON] = {"type": obj.type.name.lower(), "offset": getattr(obj, "offset", 0)}
            out.update(fields(obj))
            return out

        _TOP_PLANS[cls] = message
        return message(obj)
    result = value_to_json(obj)
    return result if isinstance(result, dict) else {"value": result}


def to_json(obj: Any) -> dict[str, JSON]:
    """The JSON-ready dict of a stream item (message, error or skip record),
    or of any model object."""
    plan = _TOP_PLANS.get(type(obj))
    if plan is None:
        plan = _top_plan(type(obj))
    result: dict[str, JSON] = plan(obj)
    return result


# -- JSON text ---------------------------------------------------------------------
try:  # the optional fast encoder (pip install 'bmplib[fast-json]')
    import orjson as _orjson
except ImportError:  # pragma: no cover - depends on the install
    _orjson = None  # type: ignore[assignment]

#: Whether :func:`dumps` uses orjson.
FAST_ENCODER = _orjson is not None


def dumps_pure(record: JSON) -> bytes:
    """:func:`dumps` with the standard library's encoder alone."""
    return _json.dumps(record, ensure_ascii=False, separators=(",", ":")).encode("utf-8", "surrogateescape")


def dumps(record: JSON) -> bytes:
    """The compact JSON text (UTF-8 octets) of *record* (a :func:`to_json`
    result): orjson when it is installed, else the standard library, with
    the same text either way for bmplib's records (compact separators, no
    ASCII escaping).  Values orjson refuses (integers beyond 64 bits, lone
    surrogates) fall back to the standard library."""
    if _orjson is not None:
        try:
            return _orjson.dumps(record)
        except TypeError:  # orjson.JSONEncodeError: a value it does not take
            pass
    return dumps_pure(record)
