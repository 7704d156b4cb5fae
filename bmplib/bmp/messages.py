"""The BMP messages (RFC 7854 section 4, RFC 8671, RFC 9069): model, decoder
and encoder side by side.

:func:`decode_message` decodes one complete BMP message; the stream decoder in
:mod:`bmplib.stream` frames a byte stream into such messages.
"""

from __future__ import annotations

import socket
import struct
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, ClassVar, Union

from bmplib import _impl
from bmplib.bgp.message import decode_bgp_message
from bmplib.bmp.constants import (
    STAT_SHAPES,
    InitiationTLVType,
    MessageType,
    MirroringInfoCode,
    PeerDownReason,
    PeerUpTLVType,
    RouteMirroringTLVType,
    StatShape,
    StatType,
    TerminationReason,
    TerminationTLVType,
    lookup,
)
from bmplib.bmp.header import (
    BMP_VERSION,
    COMMON_HEADER,
    COMMON_HEADER_LENGTH,
    PEER_HEADER_LENGTH,
    PeerHeader,
    decode_address16,
    decode_peer_header,
    encode_common_header,
)
from bmplib.bmp.tlv import InformationTLV, decode_information_tlvs, encode_tlv, iter_tlvs
from bmplib.bmp.trace import ROUTE_POLICY_TRACE, RoutePolicyTrace, decode_route_policy_trace
from bmplib.errors import BMPDecodeError, DecodeError, EncodeError
from bmplib.session import DecodeContext

__all__ = [
    "BMPMessage",
    "Initiation",
    "MirroredBGPMessage",
    "MirroringInformation",
    "PeerDown",
    "PeerUp",
    "RouteMirroring",
    "RouteMonitoring",
    "Stat",
    "StatisticsReport",
    "Termination",
    "UnknownMessage",
    "decode_message",
]

if _impl.fast is not None:
    decode_peer_header = _impl.fast.decode_peer_header

_U16 = struct.Struct("!H")
_U32 = struct.Struct("!I")
_U64 = struct.Struct("!Q")
_AFI_SAFI_U64 = struct.Struct("!HBQ")
_PORTS = struct.Struct("!HH")

_INIT_TLV_TYPES: dict[int, int] = {m.value: m for m in InitiationTLVType}
_PEER_UP_TLV_TYPES: dict[int, int] = {m.value: m for m in PeerUpTLVType}
_TERM_TLV_TYPES: dict[int, int] = {m.value: m for m in TerminationTLVType}


def _frame(msg_type: int, body: bytes) -> bytes:
    return encode_common_header(COMMON_HEADER_LENGTH + len(body), msg_type) + body


def _encode_bgp(obj: Any, what: str) -> bytes:
    enc = getattr(obj, "encode", None)
    if enc is None:
        raise EncodeError(what, f"{type(obj).__name__} cannot be encoded")
    out = enc()
    assert isinstance(out, bytes)
    return out


# ---------------------------------------------------------------------------
# Route Monitoring (RFC 7854 section 4.6)
# ---------------------------------------------------------------------------
@dataclass(slots=True)
class RouteMonitoring:
    """Route Monitoring: a per-peer header and one BGP UPDATE.

    Some exporters append TLVs after the BGP PDU (seen from a Huawei VRP
    router in pmacct's captures: type 0xea62; the BMP TLV draft defines such
    trailing TLVs).  When the trailing octets parse as TLVs they are kept in
    :attr:`tlvs`; otherwise the message is malformed.
    """

    peer: PeerHeader
    bgp: Any
    tlvs: list[InformationTLV] = field(default_factory=list)
    offset: int = field(default=0, compare=False)

    @property
    def type(self) -> MessageType:
        return MessageType.ROUTE_MONITORING

    @property
    def update(self) -> Any:
        """The decoded BGP UPDATE, or ``None`` if the PDU is another type."""
        return self.bgp if getattr(self.bgp, "type", None) == 2 and hasattr(self.bgp, "attributes") else None

    def encode(self) -> bytes:
        tlvs = b"".join(t.encode() for t in self.tlvs)
        return _frame(0, self.peer.encode() + _encode_bgp(self.bgp, "bgp") + tlvs)


# ---------------------------------------------------------------------------
# Statistics Report (RFC 7854 section 4.8)
# ---------------------------------------------------------------------------
@dataclass(slots=True)
class Stat:
    """One statistics TLV.

    For a registered type whose value has the registered size, :attr:`value`
    is the counter or gauge and, for per-AFI/SAFI types, :attr:`afi` and
    :attr:`safi` are set.  Otherwise (unknown, experimental or vendor types
    such as FRR's 65531, or a registered type with an unexpected size)
    :attr:`value` is ``None`` and :attr:`raw` holds the value octets.
    """

    type: StatType | int
    value: int | None
    afi: int | None = None
    safi: int | None = None
    raw: bytes = b""

    def encode(self) -> bytes:
        shape = STAT_SHAPES.get(self.type)
        if self.value is None or shape is None:
            return encode_tlv(self.type, self.raw)
        name = f"stats[{int(self.type)}]"
        if shape is StatShape.COUNTER32:
            if not 0 <= self.value <= 0xFFFFFFFF:
                raise EncodeError(f"{name}.value", f"{self.value} does not fit a 32-bit counter")
            return encode_tlv(self.type, _U32.pack(self.value))
        if not 0 <= self.value <= 0xFFFFFFFFFFFFFFFF:
            raise EncodeError(f"{name}.value", f"{self.value} does not fit a 64-bit gauge")
        if shape is StatShape.GAUGE64:
            return encode_tlv(self.type, _U64.pack(self.value))
        afi, safi = self.afi or 0, self.safi or 0
        if not 0 <= afi <= 0xFFFF:
            raise EncodeError(f"{name}.afi", f"{afi} does not fit 2 octets")
        if not 0 <= safi <= 0xFF:
            raise EncodeError(f"{name}.safi", f"{safi} does not fit 1 octet")
        return encode_tlv(self.type, _AFI_SAFI_U64.pack(afi, safi, self.value))


_SHAPE_SIZE = {StatShape.COUNTER32: 4, StatShape.GAUGE64: 8, StatShape.AFI_SAFI_GAUGE64: 11}
_STAT_TYPES: dict[int, int] = {m.value: m for m in StatType}


def _decode_stat(buf: bytes, t: int, vs: int, ve: int) -> Stat:
    shape = STAT_SHAPES.get(t)
    stype = _STAT_TYPES.get(t, t)
    if shape is None or ve - vs != _SHAPE_SIZE[shape]:
        return Stat(stype, None, raw=buf[vs:ve])
    if shape is StatShape.COUNTER32:
        return Stat(stype, _U32.unpack_from(buf, vs)[0])
    if shape is StatShape.GAUGE64:
        return Stat(stype, _U64.unpack_from(buf, vs)[0])
    afi, safi, value = _AFI_SAFI_U64.unpack_from(buf, vs)
    return Stat(stype, value, afi, safi)


@dataclass(slots=True)
class StatisticsReport:
    """Statistics Report: a per-peer header and a list of :class:`Stat`."""

    peer: PeerHeader
    stats: list[Stat]
    offset: int = field(default=0, compare=False)

    @property
    def type(self) -> MessageType:
        return MessageType.STATISTICS_REPORT

    def get(self, stat_type: int) -> Stat | None:
        """The first stat of *stat_type*, or ``None``."""
        for s in self.stats:
            if s.type == stat_type:
                return s
        return None

    def encode(self) -> bytes:
        body = b"".join(s.encode() for s in self.stats)
        return _frame(1, self.peer.encode() + _U32.pack(len(self.stats)) + body)


def _decode_stats(buf: bytes, pos: int, end: int, peer: PeerHeader) -> StatisticsReport:
    if end - pos < 4:
        raise BMPDecodeError("statistics count truncated", pos, buf[pos:end])
    count = _U32.unpack_from(buf, pos)[0]
    tlvs = iter_tlvs(buf, pos + 4, end, "statistics")
    if len(tlvs) != count:
        raise BMPDecodeError(f"statistics count says {count} TLVs, the message holds {len(tlvs)}", pos, buf[pos:end])
    return StatisticsReport(peer, [_decode_stat(buf, t, vs, ve) for t, vs, ve in tlvs])


# ---------------------------------------------------------------------------
# Peer Down (RFC 7854 section 4.9, RFC 9069 section 5.4)
# ---------------------------------------------------------------------------
@dataclass(slots=True)
class PeerDown:
    """Peer Down Notification.

    Depending on the reason, one of :attr:`notification` (reasons 1 and 3:
    the BGP NOTIFICATION PDU), :attr:`fsm_event` (reason 2) or :attr:`tlvs`
    (reason 6) is set.  When the data does not have that shape (exporters
    send reason 1 or 3 with a short or empty PDU), or for reasons without a
    defined payload, the octets are kept in :attr:`data`.
    """

    peer: PeerHeader
    reason: PeerDownReason | int
    notification: Any = None
    fsm_event: int | None = None
    tlvs: list[InformationTLV] | None = None
    data: bytes = b""
    offset: int = field(default=0, compare=False)

    @property
    def type(self) -> MessageType:
        return MessageType.PEER_DOWN

    def encode(self) -> bytes:
        if not 0 <= self.reason <= 255:
            raise EncodeError("reason", f"{self.reason} does not fit 1 octet")
        if self.notification is not None:
            payload = _encode_bgp(self.notification, "notification")
        elif self.fsm_event is not None:
            if not 0 <= self.fsm_event <= 0xFFFF:
                raise EncodeError("fsm_event", f"{self.fsm_event} does not fit 2 octets")
            payload = _U16.pack(self.fsm_event)
        elif self.tlvs is not None:
            payload = b"".join(t.encode() for t in self.tlvs)
        else:
            payload = b""
        return _frame(2, self.peer.encode() + bytes([self.reason]) + payload + self.data)


def _decode_peer_down(buf: bytes, pos: int, end: int, peer: PeerHeader) -> PeerDown:
    if end - pos < 1:
        raise BMPDecodeError("peer down reason missing", pos, b"")
    code = buf[pos]
    reason = lookup(PeerDownReason, code)
    dstart = pos + 1
    if code in (1, 3) and end > dstart:
        try:
            note, note_end = decode_bgp_message(buf, dstart, end)
        except DecodeError:
            return PeerDown(peer, reason, data=buf[dstart:end])
        if getattr(note, "type", None) == 3 and note_end == end:
            return PeerDown(peer, reason, notification=note)
        return PeerDown(peer, reason, data=buf[dstart:end])
    if code == 2 and end - dstart == 2:
        return PeerDown(peer, reason, fsm_event=_U16.unpack_from(buf, dstart)[0])
    if code == 6:
        try:
            tlvs = decode_information_tlvs(buf, dstart, end, "peer down", _PEER_UP_TLV_TYPES)
        except DecodeError:
            return PeerDown(peer, reason, data=buf[dstart:end])
        return PeerDown(peer, reason, tlvs=tlvs)
    return PeerDown(peer, reason, data=buf[dstart:end])


# ---------------------------------------------------------------------------
# Peer Up (RFC 7854 section 4.10, RFC 9069 section 5.3)
# ---------------------------------------------------------------------------
@dataclass(slots=True)
class PeerUp:
    """Peer Up Notification: the local end of the session, and both OPENs."""

    peer: PeerHeader
    local_address: str
    local_port: int
    remote_port: int
    sent_open: Any
    received_open: Any
    tlvs: list[InformationTLV] = field(default_factory=list)
    offset: int = field(default=0, compare=False)

    @property
    def type(self) -> MessageType:
        return MessageType.PEER_UP

    def encode(self) -> bytes:
        try:
            if ":" in self.local_address:
                local = socket.inet_pton(socket.AF_INET6, self.local_address)
            else:
                local = bytes(12) + socket.inet_pton(socket.AF_INET, self.local_address)
        except (OSError, TypeError) as exc:
            raise EncodeError("local_address", f"not an IP address: {self.local_address!r}") from exc
        for name, port in (("local_port", self.local_port), ("remote_port", self.remote_port)):
            if not 0 <= port <= 0xFFFF:
                raise EncodeError(name, f"{port} does not fit 2 octets")
        ports = _PORTS.pack(self.local_port, self.remote_port)
        body = (
            self.peer.encode() + local + ports
            + _encode_bgp(self.sent_open, "sent_open") + _encode_bgp(self.received_open, "received_open")
            + b"".join(t.encode() for t in self.tlvs)
        )  # fmt: skip
        return _frame(3, body)


def _decode_peer_up(buf: bytes, pos: int, end: int, peer: PeerHeader) -> PeerUp:
    if end - pos < 20:
        raise BMPDecodeError(f"peer up needs 20 octets of local address and ports, {end - pos} left", pos, buf[pos:end])
    raw_local = buf[pos : pos + 16]
    ipv6 = (peer.peer_type in (0, 1, 2) and peer.is_ipv6) or raw_local[:12] != bytes(12)
    local = decode_address16(raw_local, ipv6)
    lport, rport = _PORTS.unpack_from(buf, pos + 16)
    sent, p = decode_bgp_message(buf, pos + 20, end)
    received, p = decode_bgp_message(buf, p, end)
    tlvs = decode_information_tlvs(buf, p, end, "peer up", _PEER_UP_TLV_TYPES)
    return PeerUp(peer, local, lport, rport, sent, received, tlvs)


# ---------------------------------------------------------------------------
# Initiation and Termination (RFC 7854 sections 4.3 and 4.5)
# ---------------------------------------------------------------------------
@dataclass(slots=True)
class Initiation:
    """Initiation: information TLVs (sysDescr, sysName, strings, ...)."""

    _json_views: ClassVar[tuple[str, ...]] = ("sys_name", "sys_descr")

    tlvs: list[InformationTLV]
    offset: int = field(default=0, compare=False)

    @property
    def type(self) -> MessageType:
        return MessageType.INITIATION

    @property
    def peer(self) -> None:
        """Initiation has no per-peer header."""
        return None

    def _first(self, t: int) -> str | None:
        for tlv in self.tlvs:
            if tlv.type == t:
                return tlv.text
        return None

    @property
    def sys_descr(self) -> str | None:
        """The sysDescr TLV (type 1) as text."""
        return self._first(InitiationTLVType.SYS_DESCR)

    @property
    def sys_name(self) -> str | None:
        """The sysName TLV (type 2) as text."""
        return self._first(InitiationTLVType.SYS_NAME)

    def encode(self) -> bytes:
        return _frame(4, b"".join(t.encode() for t in self.tlvs))


@dataclass(slots=True)
class Termination:
    """Termination: information TLVs (string, reason)."""

    _json_views: ClassVar[tuple[str, ...]] = ("reason",)

    tlvs: list[InformationTLV]
    offset: int = field(default=0, compare=False)

    @property
    def type(self) -> MessageType:
        return MessageType.TERMINATION

    @property
    def peer(self) -> None:
        """Termination has no per-peer header."""
        return None

    @property
    def reason(self) -> TerminationReason | int | None:
        """The reason code of the first reason TLV (type 1), if well formed."""
        for tlv in self.tlvs:
            if tlv.type == TerminationTLVType.REASON and len(tlv.value) == 2:
                return lookup(TerminationReason, _U16.unpack(tlv.value)[0])
        return None

    def encode(self) -> bytes:
        return _frame(5, b"".join(t.encode() for t in self.tlvs))


# ---------------------------------------------------------------------------
# Route Mirroring (RFC 7854 section 4.7)
# ---------------------------------------------------------------------------
@dataclass(slots=True)
class MirroredBGPMessage:
    """Route Mirroring TLV type 0 holding a BGP PDU that decoded."""

    message: Any

    @property
    def type(self) -> RouteMirroringTLVType:
        return RouteMirroringTLVType.BGP_MESSAGE

    def encode(self) -> bytes:
        return encode_tlv(0, _encode_bgp(self.message, "message"))


@dataclass(slots=True)
class MirroringInformation:
    """Route Mirroring TLV type 1: an information code (0 errored PDU,
    1 messages lost)."""

    code: MirroringInfoCode | int

    @property
    def type(self) -> RouteMirroringTLVType:
        return RouteMirroringTLVType.INFORMATION

    def encode(self) -> bytes:
        if not 0 <= self.code <= 0xFFFF:
            raise EncodeError("information.code", f"{self.code} does not fit 2 octets")
        return encode_tlv(1, _U16.pack(self.code))


MirroringTLV = Union[MirroredBGPMessage, MirroringInformation, InformationTLV]


@dataclass(slots=True)
class RouteMirroring:
    """Route Mirroring: a per-peer header and TLVs.  A BGP PDU that does not
    decode (the errored PDU case) and unknown TLVs are kept as raw
    :class:`InformationTLV`."""

    peer: PeerHeader
    tlvs: list[MirroringTLV]
    offset: int = field(default=0, compare=False)

    @property
    def type(self) -> MessageType:
        return MessageType.ROUTE_MIRRORING

    @property
    def messages(self) -> list[Any]:
        """The decoded mirrored BGP messages."""
        return [t.message for t in self.tlvs if isinstance(t, MirroredBGPMessage)]

    def encode(self) -> bytes:
        return _frame(6, self.peer.encode() + b"".join(t.encode() for t in self.tlvs))


def _decode_mirroring(buf: bytes, pos: int, end: int, peer: PeerHeader, ctx: DecodeContext) -> RouteMirroring:
    out: list[MirroringTLV] = []
    for t, vs, ve in iter_tlvs(buf, pos, end, "route mirroring"):
        if t == 0:
            try:
                bgp, bgp_end = decode_bgp_message(buf, vs, ve, ctx)
            except DecodeError:
                bgp_end = -1
            if bgp_end == ve:
                out.append(MirroredBGPMessage(bgp))
                continue
        elif t == 1 and ve - vs == 2:
            out.append(MirroringInformation(lookup(MirroringInfoCode, _U16.unpack_from(buf, vs)[0])))
            continue
        out.append(InformationTLV(lookup(RouteMirroringTLVType, t), buf[vs:ve]))
    return RouteMirroring(peer, out)


# ---------------------------------------------------------------------------
# Unknown message types (RFC 7854 section 4: "MUST ignore"; we keep them)
# ---------------------------------------------------------------------------
@dataclass(slots=True)
class UnknownMessage:
    """A BMP message of an unregistered type: its type code and raw body
    (everything after the common header)."""

    msg_type: int
    body: bytes
    offset: int = field(default=0, compare=False)

    @property
    def type(self) -> int:
        return self.msg_type

    @property
    def peer(self) -> None:
        """Unknown messages are not assumed to carry a per-peer header."""
        return None

    def encode(self) -> bytes:
        return _frame(self.msg_type, self.body)


BMPMessage = Union[
    RouteMonitoring, StatisticsReport, PeerDown, PeerUp, Initiation, Termination, RouteMirroring, RoutePolicyTrace,
    UnknownMessage,
]  # fmt: skip

#: Chooses the decode context for the BGP PDUs of a per-peer message.
ContextProvider = Callable[[int, PeerHeader], DecodeContext]


def default_context(msg_type: int, peer: PeerHeader) -> DecodeContext:
    """With no session state, the A flag tells the AS width (RFC 7854)."""
    return _AS2_CONTEXT if peer.is_as2 else _AS4_CONTEXT


_AS4_CONTEXT = DecodeContext(asn4=True)
_AS2_CONTEXT = DecodeContext(asn4=False)


def decode_message(
    data: bytes, context: DecodeContext | None = None, contexts: ContextProvider | None = None
) -> BMPMessage:
    """Decode exactly one complete BMP message (RFC 7854 section 4).

    *context* fixes the BGP decoding context for this message; otherwise
    *contexts* (the stream decoder's session table) is asked, and without
    either the per-peer header's A flag decides the AS width.  Raises
    :class:`~bmplib.errors.DecodeError` for any malformed input.
    """
    buf = bytes(data)
    if len(buf) < COMMON_HEADER_LENGTH:
        raise BMPDecodeError(f"BMP common header needs 6 octets, got {len(buf)}", 0, buf)
    version, length, msg_type = COMMON_HEADER.unpack_from(buf, 0)
    if version != BMP_VERSION:
        raise BMPDecodeError(f"BMP version {version} is not 3", 0, buf)
    if length != len(buf):
        raise BMPDecodeError(f"BMP length field says {length} octets, the message has {len(buf)}", 0, buf)
    end = length
    pos = COMMON_HEADER_LENGTH
    if msg_type == 4:
        return Initiation(decode_information_tlvs(buf, pos, end, "initiation", _INIT_TLV_TYPES))
    if msg_type == 5:
        return Termination(decode_information_tlvs(buf, pos, end, "termination", _TERM_TLV_TYPES))
    if msg_type == ROUTE_POLICY_TRACE:
        return decode_route_policy_trace(buf, pos, end)
    if msg_type > 6:
        return UnknownMessage(msg_type, buf[pos:end])
    peer = decode_peer_header(buf, pos)
    pos += PEER_HEADER_LENGTH
    if msg_type == 0:
        ctx = context or (contexts or default_context)(msg_type, peer)
        bgp, bgp_end = decode_bgp_message(buf, pos, end, ctx)
        if bgp_end == end:
            return RouteMonitoring(peer, bgp)
        try:
            tlvs = [InformationTLV(t, buf[vs:ve]) for t, vs, ve in iter_tlvs(buf, bgp_end, end, "route monitoring")]
        except BMPDecodeError:
            raise BMPDecodeError(
                f"{end - bgp_end} octets after the BGP message are not TLVs", bgp_end, buf[bgp_end:end]
            ) from None
        return RouteMonitoring(peer, bgp, tlvs)
    if msg_type == 1:
        return _decode_stats(buf, pos, end, peer)
    if msg_type == 2:
        return _decode_peer_down(buf, pos, end, peer)
    if msg_type == 3:
        return _decode_peer_up(buf, pos, end, peer)
    ctx = context or (contexts or default_context)(msg_type, peer)
    return _decode_mirroring(buf, pos, end, peer, ctx)


#: the pure-Python decoder, kept when bmplib_fast replaces it (tests/fast compares the two)
_pure_decode_message = decode_message
if _impl.fast is not None and hasattr(_impl.fast, "decode_message"):
    decode_message = _impl.fast.decode_message
