"""BMP common header and per-peer header (RFC 7854 sections 4.1 and 4.2,
RFC 8671 section 4 for the O flag, RFC 9069 section 4.2 for Loc-RIB)."""

from __future__ import annotations

import datetime as _dt
import enum
import socket
import struct
from dataclasses import dataclass

from bmplib import _impl
from bmplib.bmp.constants import MessageType, PeerType, lookup
from bmplib.errors import BMPDecodeError, EncodeError
from bmplib.nlri.rd import RouteDistinguisher

__all__ = [
    "BMP_VERSION",
    "COMMON_HEADER",
    "COMMON_HEADER_LENGTH",
    "PEER_HEADER_LENGTH",
    "PeerHeader",
    "Table",
    "decode_peer_header",
    "encode_address16",
    "encode_common_header",
    "utc_datetime",
]

BMP_VERSION = 3
#: version (1), message length (4), message type (1)
COMMON_HEADER = struct.Struct("!BIB")
COMMON_HEADER_LENGTH = 6
PEER_HEADER_LENGTH = 42

# peer type, flags, distinguisher(8), address(16), AS, BGP ID(4), seconds, microseconds
_PEER = struct.Struct("!BB8s16sI4sII")

FLAG_V = 0x80  # IPv6 peer address (peer types 0-2)
FLAG_L = 0x40  # post-policy
FLAG_A = 0x20  # legacy 2-octet AS_PATH format
FLAG_O = 0x10  # Adj-RIB-Out (RFC 8671)
FLAG_F = 0x80  # Loc-RIB filtered (peer type 3, RFC 9069)

_ZERO12 = bytes(12)


class Table(str, enum.Enum):
    """The BMP table a per-peer message speaks of, derived from the peer type
    and the L and O flags (RFC 7854, RFC 8671, RFC 9069)."""

    ADJ_RIB_IN_PRE = "adj-rib-in-pre"
    ADJ_RIB_IN_POST = "adj-rib-in-post"
    ADJ_RIB_OUT_PRE = "adj-rib-out-pre"
    ADJ_RIB_OUT_POST = "adj-rib-out-post"
    LOC_RIB = "loc-rib"

    def __str__(self) -> str:
        return self.value


def utc_datetime(seconds: int, microseconds: int) -> _dt.datetime:
    """A BMP-style timestamp (seconds since the epoch, microseconds) as an
    aware UTC datetime (RFC 7854 section 4.2)."""
    return _dt.datetime.fromtimestamp(seconds, _dt.timezone.utc) + _dt.timedelta(microseconds=microseconds)


def encode_common_header(length: int, msg_type: int) -> bytes:
    """The 6-octet BMP common header for a message of *length* octets."""
    if not 0 <= length <= 0xFFFFFFFF:
        raise EncodeError("length", f"{length} does not fit 4 octets")
    if not 0 <= msg_type <= 0xFF:
        raise EncodeError("msg_type", f"{msg_type} does not fit 1 octet")
    return COMMON_HEADER.pack(BMP_VERSION, length, msg_type)


@dataclass(slots=True)
class PeerHeader:
    """The per-peer header (RFC 7854 section 4.2).

    ``address`` and ``bgp_id`` are text; ``distinguisher`` keeps its 8 raw
    octets (see :attr:`rd` for the route-distinguisher view).  The address is
    IPv4 text when the V flag is clear and the 12 octets before the IPv4
    address are zero, as the RFC requires; otherwise it is the IPv6 text of
    all 16 octets, so that nothing on the wire is lost.
    """

    peer_type: PeerType | int
    flags: int
    distinguisher: bytes
    address: str
    asn: int
    bgp_id: str
    timestamp_sec: int
    timestamp_usec: int

    def __hash__(self) -> int:
        # from the fields == compares (a header is a value: usable in sets and as a key)
        return hash((self.peer_type, self.flags, self.distinguisher, self.address, self.asn, self.bgp_id,
                     self.timestamp_sec, self.timestamp_usec))  # fmt: skip

    # -- flags -------------------------------------------------------------
    @property
    def is_loc_rib(self) -> bool:
        """Peer type 3, the Loc-RIB instance (RFC 9069)."""
        return self.peer_type == 3

    @property
    def is_ipv6(self) -> bool:
        """V flag: the peer address is IPv6 (peer types 0-2); for other peer
        types, whether the address is IPv6."""
        if self.peer_type not in (0, 1, 2):
            return ":" in self.address
        return bool(self.flags & FLAG_V)

    @property
    def is_post_policy(self) -> bool:
        """L flag: the routes are post-policy."""
        return self.peer_type != 3 and bool(self.flags & FLAG_L)

    @property
    def is_as2(self) -> bool:
        """A flag: the exporter says AS_PATH uses 2-octet ASNs (RFC 7854)."""
        return self.peer_type != 3 and bool(self.flags & FLAG_A)

    @property
    def is_adj_rib_out(self) -> bool:
        """O flag: Adj-RIB-Out rather than Adj-RIB-In (RFC 8671)."""
        return self.peer_type != 3 and bool(self.flags & FLAG_O)

    @property
    def is_filtered(self) -> bool:
        """F flag of a Loc-RIB peer: the Loc-RIB is filtered (RFC 9069)."""
        return self.peer_type == 3 and bool(self.flags & FLAG_F)

    @property
    def table(self) -> Table:
        """Which of the five BMP tables this peer header speaks of."""
        if self.peer_type == 3:
            return Table.LOC_RIB
        if self.flags & FLAG_O:
            return Table.ADJ_RIB_OUT_POST if self.flags & FLAG_L else Table.ADJ_RIB_OUT_PRE
        return Table.ADJ_RIB_IN_POST if self.flags & FLAG_L else Table.ADJ_RIB_IN_PRE

    @property
    def rd(self) -> RouteDistinguisher | None:
        """The peer distinguisher as a route distinguisher, for RD-instance
        (type 1) and Loc-RIB (type 3) peers; ``None`` for the others."""
        if self.peer_type in (1, 3):
            return RouteDistinguisher(self.distinguisher)
        return None

    # -- time --------------------------------------------------------------
    @property
    def timestamp(self) -> float:
        """Seconds since the epoch, with microseconds, as a float."""
        return self.timestamp_sec + self.timestamp_usec / 1e6

    @property
    def datetime(self) -> _dt.datetime:
        """The timestamp as an aware UTC :class:`datetime.datetime`."""
        return utc_datetime(self.timestamp_sec, self.timestamp_usec)

    @property
    def key(self) -> tuple[int, bytes, str, int, str]:
        """What identifies a monitored peer: (peer type, distinguisher,
        address, AS, BGP ID).  Used to keep per-peer session context."""
        return (int(self.peer_type), self.distinguisher, self.address, self.asn, self.bgp_id)

    def encode(self) -> bytes:
        """The 42 wire octets."""
        try:
            if ":" in self.address:
                addr = socket.inet_pton(socket.AF_INET6, self.address)
            else:
                addr = _ZERO12 + socket.inet_pton(socket.AF_INET, self.address)
        except (OSError, TypeError) as exc:
            raise EncodeError("peer.address", f"not an IP address: {self.address!r}") from exc
        try:
            bgp_id = socket.inet_pton(socket.AF_INET, self.bgp_id)
        except (OSError, TypeError) as exc:
            raise EncodeError("peer.bgp_id", f"not an IPv4 address: {self.bgp_id!r}") from exc
        if self.peer_type in (0, 1, 2) and self.flags & FLAG_V and ":" not in self.address:
            raise EncodeError("peer.address", f"the V flag says IPv6, the address is {self.address!r}")
        if len(self.distinguisher) != 8:
            raise EncodeError("peer.distinguisher", "needs 8 octets")
        for name, value, limit in (
            ("peer.peer_type", self.peer_type, 0xFF),
            ("peer.flags", self.flags, 0xFF),
            ("peer.asn", self.asn, 0xFFFFFFFF),
            ("peer.timestamp_sec", self.timestamp_sec, 0xFFFFFFFF),
            ("peer.timestamp_usec", self.timestamp_usec, 0xFFFFFFFF),
        ):
            if not 0 <= value <= limit:
                raise EncodeError(name, f"{value} does not fit {limit.bit_length() // 8} octet(s)")
        return _PEER.pack(
            self.peer_type, self.flags, self.distinguisher, addr, self.asn, bgp_id,
            self.timestamp_sec, self.timestamp_usec,
        )  # fmt: skip


def encode_address16(text: str, field: str) -> bytes:
    """A 16-octet BMP address field: IPv6, or 12 zero octets and IPv4."""
    try:
        if ":" in text:
            return socket.inet_pton(socket.AF_INET6, text)
        return _ZERO12 + socket.inet_pton(socket.AF_INET, text)
    except (OSError, TypeError) as exc:
        raise EncodeError(field, f"not an IP address: {text!r}") from exc


def decode_address16(raw: bytes, ipv6: bool) -> str:
    """A 16-octet BMP address field: IPv6, or IPv4 in the low 4 octets."""
    if ipv6:
        return socket.inet_ntop(socket.AF_INET6, raw)
    return socket.inet_ntop(socket.AF_INET, raw[12:])


# The identity part of a per-peer header (everything before the timestamp)
# repeats in every message of a peer; its decoded fields are cached by its
# 34 octets.  The cache is bounded and holds only values derived from those
# octets, so it never changes a result.
_IDENTITY_CACHE: dict[bytes, tuple[PeerType | int, int, bytes, str, int, str]] = {}
_IDENTITY_CACHE_SIZE = 4096
_TIMESTAMP = struct.Struct("!II")


def decode_peer_header(buf: bytes, pos: int) -> PeerHeader:
    """Decode the per-peer header at *pos* of *buf* (RFC 7854 section 4.2)."""
    if len(buf) - pos < PEER_HEADER_LENGTH:
        raise BMPDecodeError(
            f"per-peer header needs {PEER_HEADER_LENGTH} octets, {len(buf) - pos} left",
            pos, buf[pos:],
        )  # fmt: skip
    identity = buf[pos : pos + 34]
    fields = _IDENTITY_CACHE.get(identity)
    if fields is None:
        ptype, flags, dist, addr, asn, bgp_id, _, _ = _PEER.unpack_from(buf, pos)
        # IPv6 text when the V flag says so (peer types 0-2) or when the 12
        # octets that must be zero before an IPv4 address are not: keeps every octet.
        ipv6 = (ptype < 3 and flags & FLAG_V) or addr[:12] != _ZERO12
        fields = (
            lookup(PeerType, ptype), flags, dist, decode_address16(addr, ipv6), asn,
            socket.inet_ntop(socket.AF_INET, bgp_id),
        )  # fmt: skip
        if len(_IDENTITY_CACHE) >= _IDENTITY_CACHE_SIZE:
            _IDENTITY_CACHE.clear()
        _IDENTITY_CACHE[identity] = fields
    sec, usec = _TIMESTAMP.unpack_from(buf, pos + 34)
    return PeerHeader(*fields, sec, usec)


def message_type(value: int) -> MessageType | int:
    """The :class:`MessageType` member for *value*, or the int if unknown."""
    return lookup(MessageType, value)


# the compiled per-peer header, when bmplib_fast is in use (bmplib._impl.KERNELS)
_impl.adopt(__name__)
