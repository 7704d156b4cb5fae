"""BMP version 4 (draft-ietf-grow-bmp-tlv-20, "BMP v4: Extended TLV Support
for BGP Monitoring Protocol"): model, decoder and encoder.

A version 4 message has the version 3 common header with version 4.  A
Route Monitoring message carries, after the per-peer header, only TLVs::

    |E| Type (15 bits) | Length (2) | Index (2) | Value (Length octets)

The BGP UPDATE itself is one of them (the BGP PDU TLV); the others describe
it: a Group TLV (index with the G bit 0x8000, the value a list of 2-octet
indexes) names a group that other TLVs can point at, the VRF/Table Name TLV
gives the table's name, a Stateless Parsing TLV holds a BGP capability (such
as ADD-PATH or 4-octet AS) that says how to read the PDU without a Peer Up.
The Index says which NLRI of the PDU (counted from 0) a TLV is about.  The E
bit marks an enterprise-specific type.

The draft's code points are not assigned by IANA yet: :class:`RouteMonitoringTLVType`
holds the values draft -20 asks for; a TLV of any other type stays a raw
:class:`V4TLV`.  The Path Status TLV (draft-ietf-grow-bmp-path-marking-tlv)
has no code point at all yet: :func:`path_status` reads a raw TLV's value
when the caller knows its exporter's code.

Messages of the other types have their version 3 layout; they decode to the
version 3 model wrapped in :class:`BMPv4Message`.
"""

from __future__ import annotations

import enum
import struct
from dataclasses import dataclass, field, replace
from typing import Any, ClassVar, Union

from bmplib.bgp.capabilities import (
    AddPathCapability,
    Capability,
    ExtendedMessageCapability,
    FourOctetASCapability,
    decode_capability,
)
from bmplib.bgp.message import decode_bgp_message
from bmplib.bmp.constants import MessageType, lookup
from bmplib.bmp.header import COMMON_HEADER, COMMON_HEADER_LENGTH, PEER_HEADER_LENGTH, PeerHeader, decode_peer_header
from bmplib.bmp.messages import BMPMessage, ContextProvider, RouteMonitoring, decode_message, default_context
from bmplib.bmp.tlv import decode_text, encode_text
from bmplib.errors import BMPDecodeError, EncodeError
from bmplib.session import DecodeContext

__all__ = [
    "BGPPDUTLV",
    "BMPV4_VERSION",
    "BMPv4Message",
    "GroupTLV",
    "PathStatus",
    "RouteMonitoringTLVType",
    "RouteMonitoringV4",
    "StatelessParsingTLV",
    "V4TLV",
    "VRFTableNameTLV",
    "as_v3",
    "decode_v4_message",
    "path_status",
]

BMPV4_VERSION = 4
#: type (with the E bit), length, index
_TLV = struct.Struct("!HHH")
E_BIT = 0x8000
G_BIT = 0x8000
_U16 = struct.Struct("!H")
_PATH_STATUS = struct.Struct("!I")


class RouteMonitoringTLVType(enum.IntEnum):
    """Route Monitoring TLV types as draft-ietf-grow-bmp-tlv-20 asks IANA
    to assign them (not assigned yet)."""

    SEQUENCE = 1
    EXTENDED_FLAGS = 2
    TIMESTAMP = 3
    GROUP = 4
    VRF_TABLE_NAME = 5
    STATELESS_PARSING = 6
    BGP_PDU = 7


def _encode(tlv_type: int, index: int, value: bytes) -> bytes:
    for name, v in (("tlv.type", tlv_type), ("tlv.index", index)):
        if not 0 <= v <= 0xFFFF:
            raise EncodeError(name, f"{v} does not fit 2 octets")
    if len(value) > 0xFFFF:
        raise EncodeError("tlv.value", f"{len(value)} octets do not fit a 2-octet length")
    return _TLV.pack(tlv_type, len(value), index) + value


@dataclass(slots=True)
class V4TLV:
    """A version 4 Route Monitoring TLV of a type bmplib does not decode
    (raw value)."""

    type: RouteMonitoringTLVType | int
    index: int
    value: bytes

    @property
    def enterprise(self) -> bool:
        """E bit: an enterprise-specific type."""
        return bool(self.type & E_BIT)

    def encode(self) -> bytes:
        return _encode(self.type, self.index, self.value)


@dataclass(slots=True)
class BGPPDUTLV:
    """The BGP PDU TLV: the BGP message (an UPDATE) of the Route Monitoring."""

    TYPE: ClassVar[int] = RouteMonitoringTLVType.BGP_PDU
    index: int
    message: Any

    def encode(self) -> bytes:
        return _encode(self.TYPE, self.index, self.message.encode())

    def __json__(self) -> dict[str, Any]:
        from bmplib.json import value_to_json  # json is an adapter over the core; import it late

        return {"type": "bgp_pdu", "index": self.index, "message": value_to_json(self.message)}


@dataclass(slots=True)
class GroupTLV:
    """A Group TLV: its index (G bit set) names the group; ``members`` are
    the NLRI indexes in it."""

    TYPE: ClassVar[int] = RouteMonitoringTLVType.GROUP
    index: int
    members: list[int]

    def encode(self) -> bytes:
        for m in self.members:
            if not 0 <= m <= 0xFFFF:
                raise EncodeError("group.members", f"{m} does not fit 2 octets")
        return _encode(self.TYPE, self.index, b"".join(_U16.pack(m) for m in self.members))

    def __json__(self) -> dict[str, Any]:
        return {"type": "group", "index": self.index, "members": list(self.members)}


@dataclass(slots=True)
class VRFTableNameTLV:
    """The VRF/Table Name TLV (UTF-8, up to 255 octets)."""

    TYPE: ClassVar[int] = RouteMonitoringTLVType.VRF_TABLE_NAME
    index: int
    name: str

    def encode(self) -> bytes:
        return _encode(self.TYPE, self.index, encode_text(self.name))

    def __json__(self) -> dict[str, Any]:
        return {"type": "vrf_table_name", "index": self.index, "name": self.name}


@dataclass(slots=True)
class StatelessParsingTLV:
    """A Stateless Parsing TLV: a BGP capability (code, length, value) that
    says how the BGP PDU is laid out, used instead of the Peer Up's OPENs."""

    TYPE: ClassVar[int] = RouteMonitoringTLVType.STATELESS_PARSING
    index: int
    capability: Capability

    def encode(self) -> bytes:
        return _encode(self.TYPE, self.index, self.capability.encode())

    def __json__(self) -> dict[str, Any]:
        from bmplib.json import value_to_json  # json is an adapter over the core; import it late

        return {"type": "stateless_parsing", "index": self.index, "capability": value_to_json(self.capability)}


RouteMonitoringTLV = Union[BGPPDUTLV, GroupTLV, VRFTableNameTLV, StatelessParsingTLV, V4TLV]


@dataclass(slots=True)
class PathStatus:
    """The value of a Path Status TLV (draft-ietf-grow-bmp-path-marking-tlv):
    status flags (0x1 invalid, 0x2 best, 0x4 non-selected, 0x8 primary,
    0x10 backup, 0x20 non-installed, 0x40 best-external, 0x80 add-path, ...)
    and an optional reason code."""

    status: int
    reason: int | None = None

    @property
    def is_best(self) -> bool:
        return bool(self.status & 0x2)

    def encode_value(self) -> bytes:
        if not 0 <= self.status <= 0xFFFFFFFF:
            raise EncodeError("path_status.status", f"{self.status} does not fit 4 octets")
        if self.reason is None:
            return _PATH_STATUS.pack(self.status)
        if not 0 <= self.reason <= 0xFFFF:
            raise EncodeError("path_status.reason", f"{self.reason} does not fit 2 octets")
        return _PATH_STATUS.pack(self.status) + _U16.pack(self.reason)


def path_status(tlv: V4TLV) -> PathStatus:
    """Read *tlv*'s value as a Path Status (4 octets of status, then an
    optional 2-octet reason code)."""
    v = tlv.value
    if len(v) not in (4, 6):
        raise BMPDecodeError(f"a path status needs 4 or 6 octets, the TLV has {len(v)}", 0, v)
    return PathStatus(_PATH_STATUS.unpack_from(v)[0], _U16.unpack_from(v, 4)[0] if len(v) == 6 else None)


def _frame(msg_type: int, body: bytes) -> bytes:
    length = COMMON_HEADER_LENGTH + len(body)
    if length > 0xFFFFFFFF:
        raise EncodeError("length", f"{length} does not fit 4 octets")
    return COMMON_HEADER.pack(BMPV4_VERSION, length, msg_type) + body


@dataclass(slots=True)
class RouteMonitoringV4:
    """A version 4 Route Monitoring message: per-peer header and TLVs, one of
    them the BGP PDU.  ``bgp``, ``update``, ``vrf_table_name`` and
    ``groups`` are views of the TLVs."""

    _json_views: ClassVar[tuple[str, ...]] = ("version",)

    peer: PeerHeader
    tlvs: list[RouteMonitoringTLV]
    offset: int = field(default=0, compare=False)

    @property
    def type(self) -> MessageType:
        return MessageType.ROUTE_MONITORING

    @property
    def version(self) -> int:
        return BMPV4_VERSION

    @property
    def bgp(self) -> Any:
        """The BGP message of the (first) BGP PDU TLV."""
        for t in self.tlvs:
            if isinstance(t, BGPPDUTLV):
                return t.message
        return None

    @property
    def update(self) -> Any:
        """The decoded BGP UPDATE, or ``None`` if the PDU is another type."""
        bgp = self.bgp
        return bgp if getattr(bgp, "type", None) == 2 and hasattr(bgp, "attributes") else None

    @property
    def vrf_table_name(self) -> str | None:
        for t in self.tlvs:
            if isinstance(t, VRFTableNameTLV):
                return t.name
        return None

    @property
    def groups(self) -> dict[int, list[int]]:
        """Group index (without the G bit) -> the NLRI indexes in it."""
        return {t.index & ~G_BIT: t.members for t in self.tlvs if isinstance(t, GroupTLV)}

    def encode(self) -> bytes:
        return _frame(0, self.peer.encode() + b"".join(t.encode() for t in self.tlvs))

    @property
    def v3(self) -> RouteMonitoring:
        """The message as version 3 Route Monitoring (peer and BGP PDU), for
        code written for version 3."""
        return RouteMonitoring(self.peer, self.bgp, offset=self.offset)


@dataclass(slots=True)
class BMPv4Message:
    """A version 4 message of a type whose body keeps its version 3 layout
    (Peer Up, Peer Down, Statistics Report, Initiation, Termination, Route
    Mirroring, unknown types): the version 3 model of it."""

    message: BMPMessage
    offset: int = field(default=0, compare=False)

    @property
    def type(self) -> Any:
        return self.message.type

    @property
    def version(self) -> int:
        return BMPV4_VERSION

    @property
    def peer(self) -> Any:
        return getattr(self.message, "peer", None)

    def encode(self) -> bytes:
        return bytes([BMPV4_VERSION]) + self.message.encode()[1:]

    def __json__(self) -> dict[str, Any]:
        from bmplib.json import to_json  # json is an adapter over the core; import it late

        out = to_json(self.message)
        out["offset"] = self.offset
        out["version"] = BMPV4_VERSION
        return out


def as_v3(item: Any) -> Any:
    """The version 3 model of a version 4 record (:attr:`BMPv4Message.message`,
    :attr:`RouteMonitoringV4.v3`); any other item as it is."""
    if isinstance(item, BMPv4Message):
        return item.message
    if isinstance(item, RouteMonitoringV4):
        return item.v3
    return item


def _stateless_context(ctx: DecodeContext, caps: list[Capability]) -> DecodeContext:
    """*ctx* as the Stateless Parsing TLVs' capabilities say."""
    for cap in caps:
        if isinstance(cap, FourOctetASCapability):
            ctx = replace(ctx, asn4=True)
        elif isinstance(cap, AddPathCapability):
            ctx = replace(ctx, addpath=frozenset((int(f.afi), int(f.safi)) for f in cap.families if f.send_receive))
        elif isinstance(cap, ExtendedMessageCapability):
            ctx = replace(ctx, extended_message=True)
    return ctx


def _decode_route_monitoring(buf: bytes, pos: int, end: int, peer: PeerHeader, ctx: DecodeContext) -> RouteMonitoringV4:
    raw: list[tuple[int, int, int, int]] = []  # type, index, value start, value end
    while pos < end:
        if end - pos < _TLV.size:
            raise BMPDecodeError(f"route monitoring TLV header truncated ({end - pos} octets left)", pos, buf[pos:end])
        t, length, index = _TLV.unpack_from(buf, pos)
        vs = pos + _TLV.size
        if vs + length > end:
            raise BMPDecodeError(f"route monitoring TLV type {t} length {length} runs past the message", pos,
                                 buf[pos:end])  # fmt: skip
        raw.append((t, index, vs, vs + length))
        pos = vs + length
    # Stateless Parsing TLVs first: they tell how to read the BGP PDU
    caps: dict[int, Capability] = {}
    for t, _, vs, ve in raw:
        if t == RouteMonitoringTLVType.STATELESS_PARSING and ve - vs >= 2 and buf[vs + 1] == ve - vs - 2:
            caps[vs] = decode_capability(buf, buf[vs], vs + 2, ve)
    pdu_ctx = _stateless_context(ctx, list(caps.values())) if caps else ctx
    tlvs: list[RouteMonitoringTLV] = []
    for t, index, vs, ve in raw:
        if t == RouteMonitoringTLVType.BGP_PDU:
            message, bgp_end = decode_bgp_message(buf, vs, ve, pdu_ctx)
            if bgp_end != ve:
                raise BMPDecodeError(f"the BGP PDU TLV holds {ve - bgp_end} octets after the BGP message", bgp_end,
                                     buf[bgp_end:ve])  # fmt: skip
            tlvs.append(BGPPDUTLV(index, message))
        elif vs in caps:
            tlvs.append(StatelessParsingTLV(index, caps[vs]))
        elif t == RouteMonitoringTLVType.GROUP and index & G_BIT and (ve - vs) % 2 == 0:
            tlvs.append(GroupTLV(index, [_U16.unpack_from(buf, p)[0] for p in range(vs, ve, 2)]))
        elif t == RouteMonitoringTLVType.VRF_TABLE_NAME:
            tlvs.append(VRFTableNameTLV(index, decode_text(buf[vs:ve])))
        else:
            tlvs.append(V4TLV(lookup(RouteMonitoringTLVType, t), index, buf[vs:ve]))
    if not any(isinstance(t, BGPPDUTLV) for t in tlvs):
        raise BMPDecodeError("a version 4 Route Monitoring message needs a BGP PDU TLV", COMMON_HEADER_LENGTH, buf)
    return RouteMonitoringV4(peer, tlvs)


def decode_v4_message(
    data: bytes, context: DecodeContext | None = None, contexts: ContextProvider | None = None
) -> RouteMonitoringV4 | BMPv4Message:
    """Decode exactly one complete BMP version 4 message (contexts as in
    :func:`~bmplib.bmp.messages.decode_message`)."""
    buf = bytes(data)
    if len(buf) < COMMON_HEADER_LENGTH:
        raise BMPDecodeError(f"BMP common header needs 6 octets, got {len(buf)}", 0, buf)
    version, length, msg_type = COMMON_HEADER.unpack_from(buf, 0)
    if version != BMPV4_VERSION:
        raise BMPDecodeError(f"BMP version {version} is not 4", 0, buf)
    if length != len(buf):
        raise BMPDecodeError(f"BMP length field says {length} octets, the message has {len(buf)}", 0, buf)
    if msg_type != 0:
        v3 = decode_message(b"\x03" + buf[1:], context, contexts)
        return BMPv4Message(v3)
    if length < COMMON_HEADER_LENGTH + PEER_HEADER_LENGTH:
        raise BMPDecodeError(f"BMP length {length} is too short for a per-peer message", 0, buf)
    peer = decode_peer_header(buf, COMMON_HEADER_LENGTH)
    ctx = context or (contexts or default_context)(0, peer)
    return _decode_route_monitoring(buf, COMMON_HEADER_LENGTH + PEER_HEADER_LENGTH, length, peer, ctx)
