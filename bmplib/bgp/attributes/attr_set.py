"""ATTR_SET (type 128, RFC 6368 section 5): the path attributes of a
customer VPN carried across a provider network: an origin AS and a nested
list of path attributes, decoded through the same attribute registry.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from typing import Any, ClassVar

from bmplib.bgp.attributes.base import (
    ATTR_EXTENDED_LENGTH,
    OPTIONAL_TRANSITIVE,
    AttributeType,
    ErrorAction,
    MalformedAttributeError,
    UnknownAttribute,
    _AttributeBase,
    register_attribute,
    registry,
)
from bmplib.errors import EncodeError
from bmplib.session import DecodeContext

__all__ = ["AttrSet", "decode_attribute_list"]

#: attributes that cannot appear inside ATTR_SET (RFC 6368 section 5)
_FORBIDDEN = frozenset((AttributeType.MP_REACH_NLRI, AttributeType.MP_UNREACH_NLRI, AttributeType.ATTR_SET))


def decode_attribute_list(buf: bytes, pos: int, end: int, ctx: DecodeContext) -> list[Any]:
    """Decode a nested attribute list strictly: any malformed attribute
    raises :class:`~bmplib.bgp.attributes.base.MalformedAttributeError`."""
    reg = registry()
    out: list[Any] = []
    start = pos
    while pos < end:
        if end - pos < 3:
            raise MalformedAttributeError("nested attribute header truncated", start, buf[start:end])
        flags, code = buf[pos], buf[pos + 1]
        if flags & ATTR_EXTENDED_LENGTH:
            if end - pos < 4:
                raise MalformedAttributeError("nested attribute header truncated", start, buf[start:end])
            vs = pos + 4
            ve = vs + ((buf[pos + 2] << 8) | buf[pos + 3])
        else:
            vs = pos + 3
            ve = vs + buf[pos + 2]
        if ve > end:
            raise MalformedAttributeError(f"nested attribute {code} overruns ATTR_SET", start, buf[start:end])
        if code in _FORBIDDEN:
            raise MalformedAttributeError(f"attribute {code} is not allowed in ATTR_SET", start, buf[start:end])
        entry = reg.get(code)
        out.append(
            entry.decode(buf, vs, ve, flags, ctx) if entry is not None else UnknownAttribute(code, buf[vs:ve], flags)
        )
        pos = ve
    return out


@dataclass(slots=True)
class AttrSet(_AttributeBase):
    """ATTR_SET (type 128, RFC 6368 section 5)."""

    type_code: ClassVar[int] = AttributeType.ATTR_SET
    origin_as: int
    attributes: list[Any]
    flags: int = OPTIONAL_TRANSITIVE

    def _value(self) -> bytes:
        if not 0 <= self.origin_as <= 0xFFFFFFFF:
            raise EncodeError("attr_set.origin_as", f"{self.origin_as} does not fit 4 octets")
        return struct.pack("!I", self.origin_as) + b"".join(a.encode() for a in self.attributes)


def decode_attr_set(buf: bytes, pos: int, end: int, flags: int, ctx: DecodeContext) -> AttrSet:
    if end - pos < 4:
        raise MalformedAttributeError(f"ATTR_SET length {end - pos} is below 4", pos, buf[pos:end])
    return AttrSet(struct.unpack_from("!I", buf, pos)[0], decode_attribute_list(buf, pos + 4, end, ctx), flags)


# RFC 6368 predates RFC 7606 and names no approach; bmplib classifies a
# malformed ATTR_SET as treat-as-withdraw, RFC 7606's general choice for
# attributes that affect route selection (section 2).
register_attribute(AttributeType.ATTR_SET, decode_attr_set, AttrSet, ErrorAction.TREAT_AS_WITHDRAW, OPTIONAL_TRANSITIVE)
