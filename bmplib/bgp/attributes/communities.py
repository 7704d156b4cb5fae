"""COMMUNITIES (8, RFC 1997) and LARGE_COMMUNITY (32, RFC 8092).

Communities are kept as plain ints (``0xFFFFFF01``) and large communities as
``(global_administrator, local_data_1, local_data_2)`` tuples, the cheapest
exact forms; :func:`community_text` gives the usual text (``65000:100``, or
the IANA well-known name such as ``NO_EXPORT``).
"""

from __future__ import annotations

import enum
import struct
from dataclasses import dataclass
from typing import Any, ClassVar

from bmplib.bgp.attributes.base import (
    OPTIONAL_TRANSITIVE,
    AttributeType,
    ErrorAction,
    MalformedAttributeError,
    _AttributeBase,
    register_attribute,
)
from bmplib.errors import EncodeError
from bmplib.session import DecodeContext

__all__ = [
    "Communities",
    "Community",
    "LargeCommunities",
    "LargeCommunity",
    "WellKnownCommunity",
    "community_text",
    "parse_community",
]


class WellKnownCommunity(enum.IntEnum):
    """IANA "BGP Well-known Communities" (RFC 1997, RFC 3765, RFC 7611,
    RFC 7999, RFC 8326, RFC 9494, RFC 9026, ...)."""

    GRACEFUL_SHUTDOWN = 0xFFFF0000
    ACCEPT_OWN = 0xFFFF0001
    ROUTE_FILTER_TRANSLATED_V4 = 0xFFFF0002
    ROUTE_FILTER_V4 = 0xFFFF0003
    ROUTE_FILTER_TRANSLATED_V6 = 0xFFFF0004
    ROUTE_FILTER_V6 = 0xFFFF0005
    LLGR_STALE = 0xFFFF0006
    NO_LLGR = 0xFFFF0007
    ACCEPT_OWN_NEXTHOP = 0xFFFF0008
    STANDBY_PE = 0xFFFF0009
    BLACKHOLE = 0xFFFF029A
    NO_EXPORT = 0xFFFFFF01
    NO_ADVERTISE = 0xFFFFFF02
    NO_EXPORT_SUBCONFED = 0xFFFFFF03
    NOPEER = 0xFFFFFF04


_WELL_KNOWN = {m.value: m.name for m in WellKnownCommunity}
_STRUCTS: dict[int, struct.Struct] = {}


def _u32s(count: int) -> struct.Struct:
    s = _STRUCTS.get(count)
    if s is None:
        s = _STRUCTS[count] = struct.Struct(f"!{count}I")
    return s


for _n in range(1, 65):
    _u32s(_n)


def community_text(value: int) -> str:
    """``NO_EXPORT`` for a well-known community, else ``65000:100``."""
    name = _WELL_KNOWN.get(value)
    return name if name is not None else f"{value >> 16}:{value & 0xFFFF}"


class Community(int):
    """A community (RFC 1997) as a typed value: the 32-bit int it is (``==``,
    hashing and arithmetic are the int's), whose ``str`` is its text, as in
    the JSON (``65000:100``, ``NO_EXPORT``).

    >>> c = Community(65000 << 16 | 100)
    >>> str(c), c.asn, c.local, c == 4259840100
    ('65000:100', 65000, 100, True)
    """

    __slots__ = ()

    @property
    def asn(self) -> int:
        """The high 16 bits (the AS number, by convention)."""
        return int(self) >> 16

    @property
    def local(self) -> int:
        """The low 16 bits."""
        return int(self) & 0xFFFF

    def __str__(self) -> str:
        return community_text(int(self))

    def __repr__(self) -> str:
        return f"Community({community_text(int(self))!r})"


class LargeCommunity(tuple[int, int, int]):
    """A large community (RFC 8092) as a typed value: the ``(global admin,
    local 1, local 2)`` tuple it is, whose ``str`` is ``65000:1:2``."""

    __slots__ = ()

    def __str__(self) -> str:
        return ":".join(map(str, self))


def parse_community(text: str) -> int:
    """The inverse of :func:`community_text`."""
    if text.upper() in WellKnownCommunity.__members__:
        return int(WellKnownCommunity[text.upper()])
    hi, sep, lo = text.partition(":")
    try:
        a, b = int(hi), int(lo)
    except ValueError as exc:
        raise EncodeError("community", f"not ASN:VALUE: {text!r}") from exc
    if not sep or not (0 <= a <= 0xFFFF and 0 <= b <= 0xFFFF):
        raise EncodeError("community", f"not ASN:VALUE with 16-bit parts: {text!r}")
    return a << 16 | b


@dataclass(slots=True)
class Communities(_AttributeBase):
    """COMMUNITIES (type 8, RFC 1997): 32-bit values as ints, wire order."""

    type_code: ClassVar[int] = AttributeType.COMMUNITIES
    values: tuple[int, ...]
    flags: int = OPTIONAL_TRANSITIVE

    @property
    def text(self) -> list[str]:
        """Each community as text (``65000:100``, ``NO_EXPORT``)."""
        return [community_text(v) for v in self.values]

    def __json__(self) -> dict[str, Any]:
        return {"type_code": self.type_code, "name": self.name, "flags": self.flags, "values": self.text}

    def _value(self) -> bytes:
        for v in self.values:
            if not 0 <= v <= 0xFFFFFFFF:
                raise EncodeError("communities", f"{v} does not fit 4 octets")
        return _u32s(len(self.values)).pack(*self.values) if self.values else b""


def decode_communities(buf: bytes, pos: int, end: int, flags: int, ctx: DecodeContext) -> Communities:
    n = end - pos
    if n & 3:
        raise MalformedAttributeError(f"COMMUNITIES length {n} is not a multiple of 4", pos, buf[pos:end])
    count = n >> 2
    s = _STRUCTS.get(count) or _u32s(count)
    return Communities(s.unpack_from(buf, pos) if count else (), flags)


@dataclass(slots=True)
class LargeCommunities(_AttributeBase):
    """LARGE_COMMUNITY (type 32, RFC 8092): (global admin, local 1, local 2)."""

    type_code: ClassVar[int] = AttributeType.LARGE_COMMUNITY
    values: list[tuple[int, int, int]]
    flags: int = OPTIONAL_TRANSITIVE

    @property
    def text(self) -> list[str]:
        """Each large community as ``65000:1:2``."""
        return [f"{a}:{b}:{c}" for a, b, c in self.values]

    def __json__(self) -> dict[str, Any]:
        return {"type_code": self.type_code, "name": self.name, "flags": self.flags, "values": self.text}

    def _value(self) -> bytes:
        flat = [x for v in self.values for x in v]
        for x in flat:
            if not 0 <= x <= 0xFFFFFFFF:
                raise EncodeError("large_communities", f"{x} does not fit 4 octets")
        return _u32s(len(flat)).pack(*flat) if flat else b""


def decode_large_communities(buf: bytes, pos: int, end: int, flags: int, ctx: DecodeContext) -> LargeCommunities:
    n = end - pos
    if n % 12:
        raise MalformedAttributeError(f"LARGE_COMMUNITY length {n} is not a multiple of 12", pos, buf[pos:end])
    count = n >> 2
    flat = (_STRUCTS.get(count) or _u32s(count)).unpack_from(buf, pos) if count else ()
    it = iter(flat)
    return LargeCommunities(list(zip(it, it, it)), flags)


# RFC 7606 section 7.8; RFC 8092 section 6: treat-as-withdraw
register_attribute(
    AttributeType.COMMUNITIES, decode_communities, Communities, ErrorAction.TREAT_AS_WITHDRAW, OPTIONAL_TRANSITIVE
)
register_attribute(
    AttributeType.LARGE_COMMUNITY,
    decode_large_communities,
    LargeCommunities,
    ErrorAction.TREAT_AS_WITHDRAW,
    OPTIONAL_TRANSITIVE,
)
