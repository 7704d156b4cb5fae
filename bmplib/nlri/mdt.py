"""MDT SAFI NLRI (AFI 1, SAFI 66; RFC 6037 section 7): the default
multicast distribution tree of a multicast VPN, advertised by a PE.

Each NLRI is ``length (1, in bits: 128) | RD (8) | originating PE's IPv4
address (4) | group address (4)``.  RFC 6037 defines it for IPv4 only: an
IPv6 form (2 x 16 octets after the RD) would not fit the one-octet bit
length, so AFI 2 / SAFI 66 has no codec and stays an
:class:`~bmplib.nlri.registry.UnknownNLRI`.  The text form:
``65000:1:192.0.2.1:232.0.0.1``.
"""

from __future__ import annotations

import socket
from dataclasses import dataclass, field
from typing import Any, ClassVar

from bmplib.errors import EncodeError, NLRIDecodeError
from bmplib.nlri.rd import RouteDistinguisher
from bmplib.nlri.registry import AFI, SAFI, register
from bmplib.nlri.walk import read_path_id, with_path_id
from bmplib.session import DecodeContext

__all__ = ["MDT_FAMILY", "MDTCodec", "MDTRoute", "decode_mdt_nlri"]

MDT_FAMILY = (1, 66)
#: the only length RFC 6037 section 7 allows, in bits
MDT_LENGTH = 128


@dataclass(slots=True)
class MDTRoute:
    """An MDT SAFI NLRI (RFC 6037 section 7).

    :ivar rd: the route distinguisher of the VRF.
    :ivar originator: the originating PE's IPv4 address.
    :ivar group: the default MDT group address.
    :ivar path_id: the ADD-PATH path identifier, or ``None``.
    """

    family: ClassVar[tuple[int, int]] = MDT_FAMILY
    afi: ClassVar[int] = 1
    safi: ClassVar[int] = 66
    rd: RouteDistinguisher
    originator: str
    group: str
    path_id: int | None = field(default=None, kw_only=True)

    def __str__(self) -> str:
        return f"{self.rd}:{self.originator}:{self.group}"

    def __json__(self) -> dict[str, Any]:
        return {"family": "ipv4-mdt", "rd": str(self.rd), "originator": self.originator, "group": self.group,
                "text": str(self), "path_id": self.path_id}  # fmt: skip

    def encode(self) -> bytes:
        """The NLRI octets: [path id (4)] + length (1) + RD + originator + group."""
        try:
            body = self.rd.encode() + socket.inet_aton(self.originator) + socket.inet_aton(self.group)
        except OSError as exc:
            raise EncodeError("mdt", f"not IPv4 addresses: {self.originator!r}, {self.group!r}") from exc
        return with_path_id(self.path_id, bytes((MDT_LENGTH,)) + body)


def decode_mdt_nlri(buf: bytes, pos: int, end: int, path_id: bool = False) -> list[MDTRoute]:
    """Decode the MDT NLRI in ``buf[pos:end]``.  A length other than 128
    bits, or an NLRI cut short, is an :class:`NLRIDecodeError` at the NLRI."""
    out: list[MDTRoute] = []
    p = pos
    while p < end:
        start = p
        pid, p = read_path_id(buf, p, end, path_id, "MDT")
        if p >= end or buf[p] != MDT_LENGTH:
            what = "no length" if p >= end else f"length {buf[p]} bits"
            raise NLRIDecodeError(f"MDT NLRI has {what} (RFC 6037: 128 bits)", start, buf[start:end])
        if p + 17 > end:
            raise NLRIDecodeError("MDT NLRI runs past the end of the NLRI", start, buf[start:end])
        out.append(
            MDTRoute(
                RouteDistinguisher(buf[p + 1 : p + 9]),
                socket.inet_ntoa(buf[p + 9 : p + 13]),
                socket.inet_ntoa(buf[p + 13 : p + 17]),
                path_id=pid,
            )
        )
        p += 17
    return out


class MDTCodec:
    """The NLRI codec of AFI 1 / SAFI 66 (:class:`~bmplib.nlri.registry.NLRICodec`)."""

    def decode(self, buf: bytes, pos: int, end: int, path_id: bool, ctx: DecodeContext) -> list[Any]:
        return decode_mdt_nlri(buf, pos, end, path_id)

    def encode(self, routes: list[Any], path_id: bool, ctx: DecodeContext) -> bytes:
        return b"".join(r.encode() for r in routes)


register(AFI.IPV4, SAFI.MDT, MDTCodec())
