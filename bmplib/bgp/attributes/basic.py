"""The single-valued path attributes: ORIGIN (1), NEXT_HOP (3),
MULTI_EXIT_DISC (4), LOCAL_PREF (5), ATOMIC_AGGREGATE (6) (RFC 4271 section
5.1), ORIGINATOR_ID (9) and CLUSTER_LIST (10) (RFC 4456), AIGP (26, RFC 7311)
and ONLY_TO_CUSTOMER (35, RFC 9234).  RFC 7606 section 7 says what a
malformed one means; it is registered with each.
"""

from __future__ import annotations

import enum
import socket
import struct
from dataclasses import dataclass, field
from typing import ClassVar

from bmplib.bgp.attributes.base import (
    OPTIONAL_NON_TRANSITIVE,
    OPTIONAL_TRANSITIVE,
    WELL_KNOWN,
    AttributeType,
    ErrorAction,
    MalformedAttributeError,
    _AttributeBase,
    expect_length,
    expect_multiple,
    register_attribute,
)
from bmplib.errors import EncodeError
from bmplib.session import DecodeContext

__all__ = [
    "AIGP",
    "AIGPTLV",
    "AtomicAggregate",
    "ClusterList",
    "LocalPref",
    "MultiExitDisc",
    "NextHop",
    "OnlyToCustomer",
    "Origin",
    "OriginType",
    "OriginatorID",
]

_U32 = struct.Struct("!I")
_U64 = struct.Struct("!Q")
_BH = struct.Struct("!BH")
_inet_ntoa = socket.inet_ntoa


def _pack_ipv4(text: str, what: str) -> bytes:
    try:
        return socket.inet_aton(text) if text.count(".") == 3 else socket.inet_pton(socket.AF_INET, text)
    except (OSError, TypeError) as exc:
        raise EncodeError(what, f"not an IPv4 address: {text!r}") from exc


def _pack_u32(value: int, what: str) -> bytes:
    if not 0 <= value <= 0xFFFFFFFF:
        raise EncodeError(what, f"{value} does not fit 4 octets")
    return _U32.pack(value)


class OriginType(enum.IntEnum):
    """ORIGIN values (RFC 4271 section 5.1.1)."""

    IGP = 0
    EGP = 1
    INCOMPLETE = 2


_ORIGINS = {m.value: m for m in OriginType}


@dataclass(slots=True)
class Origin(_AttributeBase):
    """ORIGIN (type 1, RFC 4271 section 5.1.1)."""

    type_code: ClassVar[int] = AttributeType.ORIGIN
    origin: OriginType | int
    flags: int = WELL_KNOWN

    def _value(self) -> bytes:
        if not 0 <= self.origin <= 255:
            raise EncodeError("origin", f"{self.origin} does not fit 1 octet")
        return bytes((self.origin,))


def decode_origin(buf: bytes, pos: int, end: int, flags: int, ctx: DecodeContext) -> Origin:
    if end - pos != 1:
        raise MalformedAttributeError(f"ORIGIN length {end - pos} is not 1", pos, buf[pos:end])
    value = _ORIGINS.get(buf[pos])
    if value is None:
        raise MalformedAttributeError(f"undefined ORIGIN value {buf[pos]}", pos, buf[pos:end])
    return Origin(value, flags)


@dataclass(slots=True)
class NextHop(_AttributeBase):
    """NEXT_HOP (type 3, RFC 4271 section 5.1.3): an IPv4 address."""

    type_code: ClassVar[int] = AttributeType.NEXT_HOP
    next_hop: str
    flags: int = WELL_KNOWN

    def _value(self) -> bytes:
        return _pack_ipv4(self.next_hop, "next_hop")


def decode_next_hop(buf: bytes, pos: int, end: int, flags: int, ctx: DecodeContext) -> NextHop:
    if end - pos != 4:
        raise MalformedAttributeError(f"NEXT_HOP length {end - pos} is not 4", pos, buf[pos:end])
    return NextHop(_inet_ntoa(buf[pos:end]), flags)


@dataclass(slots=True)
class MultiExitDisc(_AttributeBase):
    """MULTI_EXIT_DISC (type 4, RFC 4271 section 5.1.4)."""

    type_code: ClassVar[int] = AttributeType.MULTI_EXIT_DISC
    med: int
    flags: int = OPTIONAL_NON_TRANSITIVE

    def _value(self) -> bytes:
        return _pack_u32(self.med, "med")


def decode_med(buf: bytes, pos: int, end: int, flags: int, ctx: DecodeContext) -> MultiExitDisc:
    if end - pos != 4:
        raise MalformedAttributeError(f"MULTI_EXIT_DISC length {end - pos} is not 4", pos, buf[pos:end])
    return MultiExitDisc(_U32.unpack_from(buf, pos)[0], flags)


@dataclass(slots=True)
class LocalPref(_AttributeBase):
    """LOCAL_PREF (type 5, RFC 4271 section 5.1.5)."""

    type_code: ClassVar[int] = AttributeType.LOCAL_PREF
    local_pref: int
    flags: int = WELL_KNOWN

    def _value(self) -> bytes:
        return _pack_u32(self.local_pref, "local_pref")


def decode_local_pref(buf: bytes, pos: int, end: int, flags: int, ctx: DecodeContext) -> LocalPref:
    if end - pos != 4:
        raise MalformedAttributeError(f"LOCAL_PREF length {end - pos} is not 4", pos, buf[pos:end])
    return LocalPref(_U32.unpack_from(buf, pos)[0], flags)


@dataclass(slots=True)
class AtomicAggregate(_AttributeBase):
    """ATOMIC_AGGREGATE (type 6, RFC 4271 section 5.1.6): no value."""

    type_code: ClassVar[int] = AttributeType.ATOMIC_AGGREGATE
    flags: int = WELL_KNOWN

    def _value(self) -> bytes:
        return b""


def decode_atomic_aggregate(buf: bytes, pos: int, end: int, flags: int, ctx: DecodeContext) -> AtomicAggregate:
    expect_length(buf, pos, end, 0, "ATOMIC_AGGREGATE")
    return AtomicAggregate(flags)


@dataclass(slots=True)
class OriginatorID(_AttributeBase):
    """ORIGINATOR_ID (type 9, RFC 4456 section 8): a BGP identifier."""

    type_code: ClassVar[int] = AttributeType.ORIGINATOR_ID
    originator_id: str
    flags: int = OPTIONAL_NON_TRANSITIVE

    def _value(self) -> bytes:
        return _pack_ipv4(self.originator_id, "originator_id")


def decode_originator_id(buf: bytes, pos: int, end: int, flags: int, ctx: DecodeContext) -> OriginatorID:
    expect_length(buf, pos, end, 4, "ORIGINATOR_ID")
    return OriginatorID(_inet_ntoa(buf[pos:end]), flags)


@dataclass(slots=True)
class ClusterList(_AttributeBase):
    """CLUSTER_LIST (type 10, RFC 4456 section 8): cluster IDs, nearest first."""

    type_code: ClassVar[int] = AttributeType.CLUSTER_LIST
    cluster_ids: list[str]
    flags: int = OPTIONAL_NON_TRANSITIVE

    def _value(self) -> bytes:
        return b"".join(_pack_ipv4(c, "cluster_ids") for c in self.cluster_ids)


def decode_cluster_list(buf: bytes, pos: int, end: int, flags: int, ctx: DecodeContext) -> ClusterList:
    expect_multiple(buf, pos, end, 4, "CLUSTER_LIST")
    return ClusterList([_inet_ntoa(buf[p : p + 4]) for p in range(pos, end, 4)], flags)


@dataclass(slots=True)
class AIGPTLV:
    """One AIGP TLV (RFC 7311 section 3): type 1 is the 8-octet AIGP metric."""

    type: int
    value: bytes

    @property
    def metric(self) -> int | None:
        """The accumulated IGP metric of a type-1 TLV."""
        if self.type == 1 and len(self.value) == 8:
            return int(_U64.unpack(self.value)[0])
        return None

    def encode(self) -> bytes:
        if not 0 <= self.type <= 0xFF:
            raise EncodeError("aigp.tlv.type", f"{self.type} does not fit 1 octet")
        if len(self.value) + 3 > 0xFFFF:
            raise EncodeError("aigp.tlv", f"value of {len(self.value)} octets is too long")
        return _BH.pack(self.type, len(self.value) + 3) + self.value


@dataclass(slots=True)
class AIGP(_AttributeBase):
    """AIGP (type 26, RFC 7311 section 3): a list of TLVs."""

    type_code: ClassVar[int] = AttributeType.AIGP
    tlvs: list[AIGPTLV] = field(default_factory=list)
    flags: int = OPTIONAL_NON_TRANSITIVE

    @property
    def metric(self) -> int | None:
        """The AIGP metric (first type-1 TLV), or ``None``."""
        for tlv in self.tlvs:
            if tlv.type == 1:
                return tlv.metric
        return None

    def _value(self) -> bytes:
        return b"".join(t.encode() for t in self.tlvs)


def decode_aigp(buf: bytes, pos: int, end: int, flags: int, ctx: DecodeContext) -> AIGP:
    tlvs = []
    p = pos
    while p < end:
        if end - p < 3:
            raise MalformedAttributeError("AIGP TLV header truncated", pos, buf[pos:end])
        t, length = _BH.unpack_from(buf, p)
        if length < 3 or p + length > end:
            raise MalformedAttributeError(f"AIGP TLV length {length} does not fit", pos, buf[pos:end])
        if t == 1 and length != 11:
            raise MalformedAttributeError(f"AIGP metric TLV length {length} is not 11", pos, buf[pos:end])
        tlvs.append(AIGPTLV(t, buf[p + 3 : p + length]))
        p += length
    return AIGP(tlvs, flags)


@dataclass(slots=True)
class OnlyToCustomer(_AttributeBase):
    """ONLY_TO_CUSTOMER (type 35, RFC 9234 section 5): an AS number."""

    type_code: ClassVar[int] = AttributeType.ONLY_TO_CUSTOMER
    asn: int
    flags: int = OPTIONAL_TRANSITIVE

    def _value(self) -> bytes:
        return _pack_u32(self.asn, "asn")


def decode_otc(buf: bytes, pos: int, end: int, flags: int, ctx: DecodeContext) -> OnlyToCustomer:
    expect_length(buf, pos, end, 4, "ONLY_TO_CUSTOMER")
    return OnlyToCustomer(_U32.unpack_from(buf, pos)[0], flags)


_TAW = ErrorAction.TREAT_AS_WITHDRAW
_DISCARD = ErrorAction.ATTRIBUTE_DISCARD
# RFC 7606 sections 7.1, 7.3, 7.4, 7.5, 7.6, 7.9, 7.10; RFC 7311 section 3
# (AIGP: a malformed attribute is discarded); RFC 9234 section 5 (OTC).
register_attribute(AttributeType.ORIGIN, decode_origin, Origin, _TAW, WELL_KNOWN)
register_attribute(AttributeType.NEXT_HOP, decode_next_hop, NextHop, _TAW, WELL_KNOWN)
register_attribute(AttributeType.MULTI_EXIT_DISC, decode_med, MultiExitDisc, _TAW, OPTIONAL_NON_TRANSITIVE)
register_attribute(AttributeType.LOCAL_PREF, decode_local_pref, LocalPref, _TAW, WELL_KNOWN)
register_attribute(AttributeType.ATOMIC_AGGREGATE, decode_atomic_aggregate, AtomicAggregate, _DISCARD, WELL_KNOWN)
register_attribute(AttributeType.ORIGINATOR_ID, decode_originator_id, OriginatorID, _TAW, OPTIONAL_NON_TRANSITIVE)
register_attribute(AttributeType.CLUSTER_LIST, decode_cluster_list, ClusterList, _TAW, OPTIONAL_NON_TRANSITIVE)
register_attribute(AttributeType.AIGP, decode_aigp, AIGP, _DISCARD, OPTIONAL_NON_TRANSITIVE)
register_attribute(AttributeType.ONLY_TO_CUSTOMER, decode_otc, OnlyToCustomer, _TAW, OPTIONAL_TRANSITIVE)
