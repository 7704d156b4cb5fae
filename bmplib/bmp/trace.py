"""The Route Policy and Attribute Trace message (BMP message type 100,
draft-xu-grow-bmp-route-policy-attr-trace; Huawei VRP sends it): how route
policies treated one route, event by event.  The layout is the one Wireshark
dissects (draft revision 04)::

    flags (1: V 0x80, the prefix is IPv6) | route distinguisher (8)
    prefix length (1) | prefix (16; IPv4: 12 reserved octets, then 4)
    route origin (4) | event count (1) | total event length (2)
    events: single event length (2, counting itself) | event index (1)
            timestamp seconds (4), microseconds (4) | path identifier (4)
            AFI (2) | SAFI (1) | TLVs: type (2), length (2), value

Event TLVs: 0 VRF/Table (table ID (4) and name), 1 Policy (flags M 0x80
matched, P 0x40 permitted, D 0x20 attributes changed; policy count (1);
policy class (1); peer address (16), router ID (4) and AS (4); then per
policy: name length (2), item ID length (2), name, item ID, flags (1: C 0x80,
R 0x40)), 2 pre-policy and 3 post-policy path attributes, 4 a string.  A TLV
of another type, or one whose value does not have its type's shape, stays a
raw :class:`TraceTLV`.
"""

from __future__ import annotations

import enum
import socket
import struct
from dataclasses import dataclass, field
from typing import Any, ClassVar, Union

from bmplib.bgp.attributes.attr_set import decode_attribute_list
from bmplib.bmp.constants import lookup
from bmplib.bmp.header import COMMON_HEADER_LENGTH, decode_address16, encode_address16, encode_common_header
from bmplib.bmp.tlv import decode_text, encode_text, encode_tlv
from bmplib.errors import BMPDecodeError, DecodeError, EncodeError
from bmplib.nlri.rd import RouteDistinguisher
from bmplib.session import DecodeContext

__all__ = [
    "ROUTE_POLICY_TRACE",
    "AttributesTLV",
    "PolicyClass",
    "PolicyEntry",
    "PolicyTLV",
    "RoutePolicyTrace",
    "StringTLV",
    "TraceMessageType",
    "TraceEvent",
    "TraceTLV",
    "TraceTLVType",
    "VRFTableTLV",
    "decode_route_policy_trace",
]


class TraceMessageType(enum.IntEnum):
    """The message type draft-xu-grow-bmp-route-policy-attr-trace uses (not
    in the IANA registry, so not a :class:`~bmplib.MessageType` member)."""

    ROUTE_POLICY_TRACE = 100


ROUTE_POLICY_TRACE = TraceMessageType.ROUTE_POLICY_TRACE
FLAG_V = 0x80

_HEAD = struct.Struct("!B8sB16sIBH")  # flags, RD, prefix length, prefix, route origin, event count, total length
_EVENT = struct.Struct("!HBIIIHB")  # length, index, seconds, microseconds, path ID, AFI, SAFI
_TLV = struct.Struct("!HH")
_POLICY = struct.Struct("!BBB16s4sI")  # flags, count, class, peer address, router ID, AS
_ITEM = struct.Struct("!HH")
_U32 = struct.Struct("!I")
_ZERO12 = bytes(12)
#: path attributes in a trace: 4-octet AS numbers, or 2-octet ones when they do not parse (marked guessed)
_AS4 = DecodeContext(asn4=True, asn_guess=True)


class TraceTLVType(enum.IntEnum):
    """Event TLV types of the draft."""

    VRF_TABLE = 0
    POLICY = 1
    PRE_POLICY_ATTRIBUTES = 2
    POST_POLICY_ATTRIBUTES = 3
    STRING = 4


class PolicyClass(enum.IntEnum):
    """Where the policy ran (the Policy TLV's class octet)."""

    INBOUND = 0
    OUTBOUND = 1
    MULTI_PROTOCOL_REDISTRIBUTE = 2
    CROSS_VRF_REDISTRIBUTE = 3
    VRF_IMPORT = 4
    VRF_EXPORT = 5
    NETWORK = 6
    AGGREGATION = 7
    ROUTE_WITHDRAW = 8


@dataclass(slots=True)
class TraceTLV:
    """An event TLV kept raw (unknown type, or a value not of its type's shape)."""

    type: TraceTLVType | int
    value: bytes

    def encode(self) -> bytes:
        return encode_tlv(self.type, self.value)


@dataclass(slots=True)
class VRFTableTLV:
    """VRF/Table TLV (type 0): table ID and name."""

    TYPE: ClassVar[int] = TraceTLVType.VRF_TABLE
    _json_views: ClassVar[tuple[str, ...]] = ("type",)
    table_id: int
    name: str

    @property
    def type(self) -> TraceTLVType:
        return TraceTLVType(self.TYPE)

    def encode(self) -> bytes:
        if not 0 <= self.table_id <= 0xFFFFFFFF:
            raise EncodeError("table_id", f"{self.table_id} does not fit 4 octets")
        return encode_tlv(self.TYPE, _U32.pack(self.table_id) + encode_text(self.name))


@dataclass(slots=True)
class PolicyEntry:
    """One policy (and the item of it) that the route went through."""

    name: str
    item_id: str
    flags: int

    def encode(self) -> bytes:
        name, item = encode_text(self.name), encode_text(self.item_id)
        if len(name) > 0xFFFF or len(item) > 0xFFFF or not 0 <= self.flags <= 0xFF:
            raise EncodeError("policy", "a name, item ID or flags value does not fit its field")
        return _ITEM.pack(len(name), len(item)) + name + item + bytes([self.flags])


@dataclass(slots=True)
class PolicyTLV:
    """Policy TLV (type 1): whether policies matched (M), permitted (P) and
    changed (D) the route, the policy class, the peer, and the policies."""

    TYPE: ClassVar[int] = TraceTLVType.POLICY
    _json_views: ClassVar[tuple[str, ...]] = ("type",)
    flags: int
    policy_class: PolicyClass | int
    peer_address: str
    peer_router_id: str
    peer_as: int
    policies: list[PolicyEntry]

    @property
    def matched(self) -> bool:
        return bool(self.flags & 0x80)

    @property
    def permitted(self) -> bool:
        return bool(self.flags & 0x40)

    @property
    def changed(self) -> bool:
        return bool(self.flags & 0x20)

    @property
    def type(self) -> TraceTLVType:
        return TraceTLVType(self.TYPE)

    def encode(self) -> bytes:
        if not 0 <= self.flags <= 0xFF or not 0 <= self.policy_class <= 0xFF or len(self.policies) > 0xFF:
            raise EncodeError("policy", "flags, class or policy count does not fit 1 octet")
        if not 0 <= self.peer_as <= 0xFFFFFFFF:
            raise EncodeError("peer_as", f"{self.peer_as} does not fit 4 octets")
        try:
            rid = socket.inet_pton(socket.AF_INET, self.peer_router_id)
        except (OSError, TypeError) as exc:
            raise EncodeError("peer_router_id", f"not an IPv4 address: {self.peer_router_id!r}") from exc
        head = _POLICY.pack(self.flags, len(self.policies), self.policy_class,
                            encode_address16(self.peer_address, "peer_address"), rid, self.peer_as)  # fmt: skip
        return encode_tlv(self.TYPE, head + b"".join(p.encode() for p in self.policies))


@dataclass(slots=True)
class AttributesTLV:
    """Pre-policy (type 2) or post-policy (type 3) path attributes."""

    type: TraceTLVType | int
    attributes: list[Any]

    def encode(self) -> bytes:
        return encode_tlv(self.type, b"".join(a.encode() for a in self.attributes))


@dataclass(slots=True)
class StringTLV:
    """String TLV (type 4)."""

    TYPE: ClassVar[int] = TraceTLVType.STRING
    _json_views: ClassVar[tuple[str, ...]] = ("type",)
    text: str

    @property
    def type(self) -> TraceTLVType:
        return TraceTLVType(self.TYPE)

    def encode(self) -> bytes:
        return encode_tlv(self.TYPE, encode_text(self.text))


EventTLV = Union[VRFTableTLV, PolicyTLV, AttributesTLV, StringTLV, TraceTLV]


@dataclass(slots=True)
class TraceEvent:
    """One event of a trace: when, which path, which family, and its TLVs."""

    index: int
    timestamp_sec: int
    timestamp_usec: int
    path_id: int
    afi: int
    safi: int
    tlvs: list[EventTLV]

    @property
    def timestamp(self) -> float:
        return self.timestamp_sec + self.timestamp_usec / 1e6

    def encode(self) -> bytes:
        body = b"".join(t.encode() for t in self.tlvs)
        length = _EVENT.size + len(body)
        for name, value, limit in (
            ("event.length", length, 0xFFFF), ("event.index", self.index, 0xFF),
            ("event.timestamp_sec", self.timestamp_sec, 0xFFFFFFFF),
            ("event.timestamp_usec", self.timestamp_usec, 0xFFFFFFFF),
            ("event.path_id", self.path_id, 0xFFFFFFFF), ("event.afi", self.afi, 0xFFFF),
            ("event.safi", self.safi, 0xFF),
        ):  # fmt: skip
            if not 0 <= value <= limit:
                raise EncodeError(name, f"{value} does not fit its field")
        return _EVENT.pack(length, self.index, self.timestamp_sec, self.timestamp_usec, self.path_id, self.afi,
                           self.safi) + body  # fmt: skip


@dataclass(slots=True)
class RoutePolicyTrace:
    """Route Policy and Attribute Trace message (type 100): one route
    (distinguisher, prefix, origin) and the policy events it went through.
    It has no per-peer header."""

    flags: int
    distinguisher: bytes
    prefix_length: int
    prefix: str
    route_origin: int
    events: list[TraceEvent]
    offset: int = field(default=0, compare=False)

    _json_views: ClassVar[tuple[str, ...]] = ("rd",)

    @property
    def type(self) -> TraceMessageType:
        return ROUTE_POLICY_TRACE

    @property
    def peer(self) -> None:
        return None

    @property
    def rd(self) -> str:
        return str(RouteDistinguisher(self.distinguisher))

    def __json__(self) -> dict[str, Any]:
        from bmplib.json import value_to_json  # json is an adapter over the core; import it late

        return {
            "type": "route_policy_trace", "offset": self.offset, "msg_type": int(ROUTE_POLICY_TRACE),
            "flags": self.flags, "distinguisher": self.distinguisher.hex(), "rd": self.rd,
            "prefix": f"{self.prefix}/{self.prefix_length}",
            "route_origin": self.route_origin, "events": value_to_json(self.events),
        }  # fmt: skip

    def encode(self) -> bytes:
        events = b"".join(e.encode() for e in self.events)
        if len(self.distinguisher) != 8:
            raise EncodeError("distinguisher", "needs 8 octets")
        for name, value, limit in (("flags", self.flags, 0xFF), ("prefix_length", self.prefix_length, 0xFF),
                                   ("route_origin", self.route_origin, 0xFFFFFFFF),
                                   ("events", len(self.events), 0xFF), ("events", len(events), 0xFFFF)):  # fmt: skip
            if not 0 <= value <= limit:
                raise EncodeError(name, f"{value} does not fit its field")
        body = _HEAD.pack(self.flags, self.distinguisher, self.prefix_length, encode_address16(self.prefix, "prefix"),
                          self.route_origin, len(self.events), len(events)) + events  # fmt: skip
        return encode_common_header(COMMON_HEADER_LENGTH + len(body), ROUTE_POLICY_TRACE) + body


def _decode_policy(buf: bytes, vs: int, ve: int) -> PolicyTLV | None:
    if ve - vs < _POLICY.size:
        return None
    flags, count, pclass, addr, rid, asn = _POLICY.unpack_from(buf, vs)
    p = vs + _POLICY.size
    policies = []
    for _ in range(count):
        if ve - p < _ITEM.size:
            return None
        nlen, ilen = _ITEM.unpack_from(buf, p)
        p += _ITEM.size
        if ve - p < nlen + ilen + 1:
            return None
        policies.append(PolicyEntry(decode_text(buf[p : p + nlen]), decode_text(buf[p + nlen : p + nlen + ilen]),
                                    buf[p + nlen + ilen]))  # fmt: skip
        p += nlen + ilen + 1
    if p != ve:
        return None
    peer = decode_address16(addr, addr[:12] != _ZERO12)
    return PolicyTLV(flags, lookup(PolicyClass, pclass), peer,
                     socket.inet_ntop(socket.AF_INET, rid), asn, policies)  # fmt: skip


def _decode_tlv(buf: bytes, t: int, vs: int, ve: int) -> EventTLV:
    if t == TraceTLVType.VRF_TABLE and ve - vs >= 4:
        return VRFTableTLV(_U32.unpack_from(buf, vs)[0], decode_text(buf[vs + 4 : ve]))
    if t == TraceTLVType.POLICY:
        policy = _decode_policy(buf, vs, ve)
        if policy is not None:
            return policy
    elif t in (TraceTLVType.PRE_POLICY_ATTRIBUTES, TraceTLVType.POST_POLICY_ATTRIBUTES):
        try:
            attrs = decode_attribute_list(buf, vs, ve, _AS4)
        except DecodeError:
            attrs = None
        if attrs is not None and b"".join(a.encode() for a in attrs) == buf[vs:ve]:
            return AttributesTLV(TraceTLVType(t), attrs)
    elif t == TraceTLVType.STRING:
        return StringTLV(decode_text(buf[vs:ve]))
    return TraceTLV(lookup(TraceTLVType, t), buf[vs:ve])


def decode_route_policy_trace(buf: bytes, pos: int, end: int) -> RoutePolicyTrace:
    """Decode the body ``buf[pos:end]`` of a type 100 message."""
    if end - pos < _HEAD.size:
        raise BMPDecodeError(f"route policy trace needs {_HEAD.size} octets, {end - pos} left", pos, buf[pos:end])
    flags, rd, plen, raw_prefix, origin, count, total = _HEAD.unpack_from(buf, pos)
    p = pos + _HEAD.size
    if end - p != total:
        raise BMPDecodeError(f"total event length {total} does not match the {end - p} octets of events", p,
                             buf[p:end])  # fmt: skip
    events = []
    for i in range(count):
        if end - p < _EVENT.size:
            raise BMPDecodeError(f"event {i} truncated", p, buf[p:end])
        elen, index, sec, usec, path_id, afi, safi = _EVENT.unpack_from(buf, p)
        eend = p + elen
        if elen < _EVENT.size or eend > end:
            raise BMPDecodeError(f"event {i} length {elen} does not fit", p, buf[p:end])
        q = p + _EVENT.size
        tlvs = []
        while q < eend:
            if eend - q < _TLV.size:
                raise BMPDecodeError(f"event {i} TLV header truncated", q, buf[q:eend])
            t, tlen = _TLV.unpack_from(buf, q)
            vs = q + _TLV.size
            if vs + tlen > eend:
                raise BMPDecodeError(f"event {i} TLV type {t} length {tlen} runs past the event", q, buf[q:eend])
            tlvs.append(_decode_tlv(buf, t, vs, vs + tlen))
            q = vs + tlen
        events.append(TraceEvent(index, sec, usec, path_id, afi, safi, tlvs))
        p = eend
    if p != end:
        raise BMPDecodeError(f"{end - p} octets after the {count} events", p, buf[p:end])
    prefix = decode_address16(raw_prefix, bool(flags & FLAG_V) or raw_prefix[:12] != _ZERO12)
    return RoutePolicyTrace(flags, rd, plen, prefix, origin, events)
