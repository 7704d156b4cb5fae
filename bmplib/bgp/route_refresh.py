"""The BGP ROUTE-REFRESH message (RFC 2918 section 3) with the message
subtypes of Enhanced Route Refresh (RFC 7313 section 3.2) and the ORF
entries of RFC 5291 section 5 (kept raw)."""

from __future__ import annotations

import enum
import struct
from dataclasses import dataclass

from bmplib.bgp.message import BGP_HEADER_LENGTH, BGPMessageType, encode_bgp_header, register_decoder
from bmplib.errors import BGPDecodeError, EncodeError
from bmplib.iana import lookup
from bmplib.nlri.registry import AFI, SAFI
from bmplib.session import DecodeContext

__all__ = ["RouteRefresh", "RouteRefreshSubtype", "decode_route_refresh"]

# AFI, message subtype (reserved in RFC 2918), SAFI
_RR = struct.Struct("!HBB")


class RouteRefreshSubtype(enum.IntEnum):
    """BGP ROUTE-REFRESH Message Subtypes (RFC 7313 section 3.2, IANA)."""

    ROUTE_REFRESH = 0  # normal request (RFC 2918), with or without ORF (RFC 5291)
    BORR = 1  # beginning of route refresh
    EORR = 2  # end of route refresh


@dataclass(slots=True)
class RouteRefresh:
    """BGP ROUTE-REFRESH (RFC 2918, RFC 7313): the family to refresh, the
    message subtype (the reserved octet of RFC 2918) and, when present, the
    ORF entries (RFC 5291 section 5) as raw octets."""

    afi: AFI | int
    safi: SAFI | int
    subtype: RouteRefreshSubtype | int = RouteRefreshSubtype.ROUTE_REFRESH
    orf: bytes = b""

    @property
    def type(self) -> BGPMessageType:
        return BGPMessageType.ROUTE_REFRESH

    def encode(self) -> bytes:
        """The whole BGP message (header included)."""
        fields = (("afi", self.afi, 0xFFFF), ("subtype", self.subtype, 0xFF), ("safi", self.safi, 0xFF))
        for name, value, limit in fields:
            if not 0 <= value <= limit:
                raise EncodeError(name, f"{value} does not fit {limit.bit_length() // 8} octet(s)")
        body = _RR.pack(self.afi, self.subtype, self.safi) + self.orf
        return encode_bgp_header(len(body), BGPMessageType.ROUTE_REFRESH) + body


def decode_route_refresh(buf: bytes, pos: int, end: int, ctx: DecodeContext | None = None) -> RouteRefresh:
    """Decode the ROUTE-REFRESH body ``buf[pos:end]`` (after the header)."""
    if end - pos < 4:
        msg = pos - BGP_HEADER_LENGTH
        raise BGPDecodeError(f"ROUTE-REFRESH needs 4 octets after the header, {end - pos} left", msg, buf[msg:end])
    afi, subtype, safi = _RR.unpack_from(buf, pos)
    return RouteRefresh(lookup(AFI, afi), lookup(SAFI, safi), lookup(RouteRefreshSubtype, subtype), buf[pos + 4 : end])


register_decoder(BGPMessageType.ROUTE_REFRESH, decode_route_refresh)
