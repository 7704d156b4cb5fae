"""From a captured frame to a TCP segment: link layers, IPv4 / IPv6, TCP.

Link types (tcpdump.org LINKTYPE_ values): Ethernet (with any number of
802.1Q / 802.1ad / QinQ tags), Linux cooked capture v1 (SLL) and v2 (SLL2),
raw IP (and the raw IPv4 / IPv6 types), BSD loopback (NULL, in either byte
order) and OpenBSD loopback (LOOP).  IPv6 extension headers are walked to
the TCP header; IP fragments are not TCP segments we can use and are
counted as such.

The headers are read with precompiled structs over the frame (no per-layer
objects): this runs once per packet of captures that hold millions.
"""

from __future__ import annotations

import socket
import struct
from typing import NamedTuple

from bmplib.errors import CaptureError

__all__ = [
    "LINKTYPE_ETHERNET",
    "LINKTYPE_IPV4",
    "LINKTYPE_IPV6",
    "LINKTYPE_LINUX_SLL",
    "LINKTYPE_LINUX_SLL2",
    "LINKTYPE_LOOP",
    "LINKTYPE_NULL",
    "LINKTYPE_RAW",
    "SUPPORTED_LINKTYPES",
    "TCPSegment",
    "address_text",
    "parse_frame",
]

LINKTYPE_NULL = 0
LINKTYPE_ETHERNET = 1
LINKTYPE_RAW_OLD12 = 12  # DLT_RAW on most BSDs
LINKTYPE_RAW_OLD14 = 14  # DLT_RAW on OpenBSD
LINKTYPE_RAW = 101
LINKTYPE_LOOP = 108
LINKTYPE_LINUX_SLL = 113
LINKTYPE_IPV4 = 228
LINKTYPE_IPV6 = 229
LINKTYPE_LINUX_SLL2 = 276

SUPPORTED_LINKTYPES = frozenset(
    {
        LINKTYPE_NULL,
        LINKTYPE_ETHERNET,
        LINKTYPE_RAW_OLD12,
        LINKTYPE_RAW_OLD14,
        LINKTYPE_RAW,
        LINKTYPE_LOOP,
        LINKTYPE_LINUX_SLL,
        LINKTYPE_IPV4,
        LINKTYPE_IPV6,
        LINKTYPE_LINUX_SLL2,
    }
)

ETH_IPV4 = 0x0800
ETH_IPV6 = 0x86DD
_VLAN_TYPES = frozenset({0x8100, 0x88A8, 0x9100, 0x9200, 0x9300})

_TCP = 6
#: IPv6 extension headers that are (next header, length in 8-octet units) shaped
_IPV6_EXT = frozenset({0, 43, 60, 135, 139, 140, 253, 254})
_IPV6_FRAGMENT = 44
_IPV6_AH = 51

_U16 = struct.Struct("!H")
_IPV4 = struct.Struct("!BBHHHBBH4s4s")
_IPV6 = struct.Struct("!IHBB16s16s")
_TCP_HDR = struct.Struct("!HHIIBB")


class TCPSegment(NamedTuple):
    """The parts of a TCP segment the reassembly needs.

    Addresses are raw (4 or 16 octets); :func:`address_text` gives their
    text.  *missing* counts payload octets that were on the wire but not in
    the capture (snap length).
    """

    src: bytes
    dst: bytes
    sport: int
    dport: int
    seq: int
    flags: int
    payload: bytes
    missing: int


def address_text(raw: bytes) -> str:
    """``192.0.2.1`` / ``2001:db8::1`` from 4 or 16 raw octets."""
    return socket.inet_ntop(socket.AF_INET if len(raw) == 4 else socket.AF_INET6, raw)


def parse_frame(linktype: int, frame: bytes, orig_len: int | None = None) -> TCPSegment | None:
    """The TCP segment in *frame*, or ``None`` when the frame carries no TCP
    over IP (ARP, UDP, an IP fragment, an unsupported link type, ...).

    Raises :class:`CaptureError` when the frame claims to be IP / TCP but its
    headers do not fit in it.
    """
    n = len(frame)
    missing_link = 0 if orig_len is None else max(orig_len - n, 0)
    if linktype == LINKTYPE_ETHERNET:
        if n < 14:
            return None
        pos = 12
        etype = _U16.unpack_from(frame, pos)[0]
        pos = 14
        while etype in _VLAN_TYPES:
            if n < pos + 4:
                return None
            etype = _U16.unpack_from(frame, pos + 2)[0]
            pos += 4
        if etype == ETH_IPV4:
            return _ipv4(frame, pos, missing_link)
        if etype == ETH_IPV6:
            return _ipv6(frame, pos, missing_link)
        return None
    if linktype == LINKTYPE_LINUX_SLL:
        if n < 16:
            return None
        etype = _U16.unpack_from(frame, 14)[0]
        pos = 16
    elif linktype == LINKTYPE_LINUX_SLL2:
        if n < 20:
            return None
        etype = _U16.unpack_from(frame, 0)[0]
        pos = 20
    elif linktype in (LINKTYPE_NULL, LINKTYPE_LOOP):
        # a 4-octet address family in host (NULL) or network (LOOP) byte
        # order whose value differs between systems for IPv6: go by the IP
        # version nibble instead
        etype = 0
        pos = 4
    elif linktype in (LINKTYPE_RAW, LINKTYPE_RAW_OLD12, LINKTYPE_RAW_OLD14, LINKTYPE_IPV4, LINKTYPE_IPV6):
        etype = 0
        pos = 0
    else:
        return None
    if etype == 0:
        if n <= pos:
            return None
        version = frame[pos] >> 4
        if version == 4:
            return _ipv4(frame, pos, missing_link)
        if version == 6:
            return _ipv6(frame, pos, missing_link)
        return None
    if etype == ETH_IPV4:
        return _ipv4(frame, pos, missing_link)
    if etype == ETH_IPV6:
        return _ipv6(frame, pos, missing_link)
    return None


def _ipv4(frame: bytes, pos: int, missing_link: int) -> TCPSegment | None:
    n = len(frame)
    if n < pos + 20:
        raise CaptureError("IPv4 header cut short", pos, frame[pos:])
    vihl, _tos, total, _ident, frag, _ttl, proto, _csum, src, dst = _IPV4.unpack_from(frame, pos)
    if vihl >> 4 != 4:
        raise CaptureError(f"IP version {vihl >> 4} in an IPv4 frame", pos, frame[pos : pos + 20])
    ihl = (vihl & 0x0F) * 4
    if proto != _TCP:
        return None
    if frag & 0x3FFF:  # more fragments, or a fragment offset: not a whole segment
        return None
    if ihl < 20 or total < ihl:
        raise CaptureError(f"bad IPv4 header length {ihl} / total length {total}", pos, frame[pos : pos + 20])
    end = pos + total
    missing = 0
    if total == 0:  # TSO: the length is left to the link layer
        end = n
        missing = missing_link
    elif end > n:
        missing = end - n
        end = n
    return _tcp(frame, src, dst, pos + ihl, end, missing)


def _ipv6(frame: bytes, pos: int, missing_link: int) -> TCPSegment | None:
    n = len(frame)
    if n < pos + 40:
        raise CaptureError("IPv6 header cut short", pos, frame[pos:])
    vtf, plen, nxt, _hlim, src, dst = _IPV6.unpack_from(frame, pos)
    if vtf >> 28 != 6:
        raise CaptureError(f"IP version {vtf >> 28} in an IPv6 frame", pos, frame[pos : pos + 40])
    hpos = pos + 40
    end = hpos + plen
    missing = 0
    if plen == 0:  # jumbogram (or TSO): the length is the rest of the frame
        end = n
        missing = missing_link
    elif end > n:
        missing = end - n
        end = n
    while nxt != _TCP:
        if nxt in _IPV6_EXT:
            if end < hpos + 8:
                raise CaptureError("IPv6 extension header cut short", hpos, frame[hpos:end])
            nxt, hlen = frame[hpos], (frame[hpos + 1] + 1) * 8
        elif nxt == _IPV6_AH:
            if end < hpos + 8:
                raise CaptureError("IPv6 authentication header cut short", hpos, frame[hpos:end])
            nxt, hlen = frame[hpos], (frame[hpos + 1] + 2) * 4
        elif nxt == _IPV6_FRAGMENT:
            if end < hpos + 8:
                raise CaptureError("IPv6 fragment header cut short", hpos, frame[hpos:end])
            if _U16.unpack_from(frame, hpos + 2)[0] & 0xFFF9:  # offset or more-fragments: a fragment
                return None
            nxt, hlen = frame[hpos], 8  # an atomic fragment holds the whole packet
        else:  # no next header, ESP, UDP, ICMPv6, ...
            return None
        hpos += hlen
    return _tcp(frame, src, dst, hpos, end, missing)


def _tcp(frame: bytes, src: bytes, dst: bytes, pos: int, end: int, missing: int) -> TCPSegment:
    if end < pos + 20:
        raise CaptureError("TCP header cut short", pos, frame[pos:end])
    sport, dport, seq, _ack, off, flags = _TCP_HDR.unpack_from(frame, pos)
    hlen = (off >> 4) * 4
    if hlen < 20 or end < pos + hlen:
        raise CaptureError(f"bad TCP header length {hlen}", pos, frame[pos:end])
    return TCPSegment(src, dst, sport, dport, seq, flags, frame[pos + hlen : end], missing)
