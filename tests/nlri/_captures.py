"""Test helpers: cut the MP_REACH_NLRI / MP_UNREACH_NLRI attributes out of the
BMP messages of a capture by hand, so the family codecs can be checked on
real bytes at their absolute positions, independently of the UPDATE decoder.
"""

from __future__ import annotations

import struct
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

_BMP = struct.Struct("!BIB")
_H = struct.Struct("!H")
PER_PEER = 42


@dataclass
class MPAttr:
    """One MP_REACH (14) / MP_UNREACH (15) attribute inside a BMP message."""

    code: int
    afi: int
    safi: int
    next_hop: bytes
    nlri_start: int
    nlri_end: int


def bmp_messages(data: bytes) -> list[bytes]:
    """Split a raw BMP stream on its common headers."""
    out = []
    p = 0
    while p + 6 <= len(data):
        _, length, _ = _BMP.unpack_from(data, p)
        out.append(data[p : p + length])
        p += length
    return out


def bgp_pdus(msg: bytes) -> Iterator[tuple[int, int]]:
    """(start, end) of the BGP PDUs of a Route Monitoring (type 0) or Route
    Mirroring (type 6, TLV 0) message."""
    mtype = msg[5]
    if mtype == 0:
        start = 6 + PER_PEER
        yield start, start + _H.unpack_from(msg, start + 16)[0]
    elif mtype == 6:
        p = 6 + PER_PEER
        while p + 4 <= len(msg):
            tlv_type, tlv_len = struct.unpack_from("!HH", msg, p)
            if tlv_type == 0:
                yield p + 4, p + 4 + tlv_len
            p += 4 + tlv_len


def mp_attributes(msg: bytes) -> list[MPAttr]:
    """The MP_REACH / MP_UNREACH attributes of every UPDATE in *msg*."""
    out: list[MPAttr] = []
    for start, _end in bgp_pdus(msg):
        if msg[start + 18] != 2:
            continue
        p = start + 19
        p += 2 + _H.unpack_from(msg, p)[0]
        attr_len = _H.unpack_from(msg, p)[0]
        p += 2
        attr_end = p + attr_len
        while p < attr_end:
            flags, code = msg[p], msg[p + 1]
            if flags & 0x10:
                length, hdr = _H.unpack_from(msg, p + 2)[0], 4
            else:
                length, hdr = msg[p + 2], 3
            v = p + hdr
            if code == 14:
                afi, safi, nh_len = struct.unpack_from("!HBB", msg, v)
                nh = msg[v + 4 : v + 4 + nh_len]
                out.append(MPAttr(14, afi, safi, nh, v + 4 + nh_len + 1, v + length))
            elif code == 15:
                afi, safi = struct.unpack_from("!HB", msg, v)
                out.append(MPAttr(15, afi, safi, b"", v + 3, v + length))
            p = v + length
    return out


def tshark_bmp_messages(frames: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """tshark's BMP messages of a capture, in stream order."""
    out = []
    for frame in frames:
        bmp = frame["_source"]["layers"].get("bmp")
        if bmp is None:
            continue
        out.extend(bmp if isinstance(bmp, list) else [bmp])
    return out


def find_all(obj: Any, key: str) -> list[Any]:
    """Every value of *key* in a tshark JSON tree, in document order (a
    repeated key is a list in --no-duplicate-keys output: flattened)."""
    out: list[Any] = []
    if isinstance(obj, dict):
        for k, v in obj.items():
            if k == key:
                out.extend(v if isinstance(v, list) else [v])
            else:
                out.extend(find_all(v, key))
    elif isinstance(obj, list):
        for v in obj:
            out.extend(find_all(v, key))
    return out


def tshark_mp_attributes(msg: dict[str, Any]) -> list[dict[str, Any]]:
    """tshark's MP_REACH / MP_UNREACH attributes of one BMP message, in order."""
    return [
        a
        for a in find_all(msg, "bgp.update.path_attribute")
        if a.get("bgp.update.path_attribute.type_code") in ("14", "15")
    ]


def as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def tshark_labels(text: str) -> list[int]:
    """``100,200,300 (bottom)`` -> [100, 200, 300]."""
    return [int(x) for x in text.split(" ")[0].split(",") if x]
