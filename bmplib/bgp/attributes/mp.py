"""MP_REACH_NLRI (14) and MP_UNREACH_NLRI (15) (RFC 4760 section 3 and 4).

The NLRI of each (AFI, SAFI) is decoded by the codec registered in
:mod:`bmplib.nlri.registry`, with path identifiers when the family is in
``ctx.addpath`` (RFC 7911); a family with no codec keeps its octets as one
:class:`~bmplib.nlri.registry.UnknownNLRI`.

RFC 7606 section 7.11 / section 5.3: a malformed MP_REACH or MP_UNREACH
(including NLRI that do not parse, and a next hop length the family does not
have, :data:`NEXT_HOP_LENGTHS`) leads to AFI/SAFI disable for its family, or
to session reset when not even the AFI/SAFI can be read.
"""

from __future__ import annotations

import socket
import struct
from dataclasses import dataclass
from typing import Any, ClassVar

from bmplib import _impl
from bmplib.bgp.attributes.base import (
    OPTIONAL_NON_TRANSITIVE,
    AttributeType,
    ErrorAction,
    MalformedAttributeError,
    _AttributeBase,
    register_attribute,
)
from bmplib.errors import EncodeError, NLRIDecodeError
from bmplib.nlri.rd import RouteDistinguisher
from bmplib.nlri.registry import UnknownNLRI, family_name, lookup
from bmplib.session import DecodeContext

__all__ = ["MPNextHop", "MPReachNLRI", "MPUnreachNLRI", "NEXT_HOP_LENGTHS"]

_HB = struct.Struct("!HB")
_HBB = struct.Struct("!HBB")
_AFISAFI: dict[tuple[int, int], tuple[int, int]] = {}


def _family(afi: int, safi: int) -> tuple[int, int]:
    """An interned (afi, safi) tuple."""
    key = (afi, safi)
    return _AFISAFI.setdefault(key, key)


_inet_ntop = socket.inet_ntop
_AF_INET = socket.AF_INET
_AF_INET6 = socket.AF_INET6


_V4 = frozenset((4, 16, 32))  # IPv4; IPv6 (+ link-local) per RFC 8950
_V6 = frozenset((16, 32))  # IPv6 (+ link-local), RFC 2545 section 3
# RD + IPv4 (RFC 4364 section 4.3.2), RD + IPv6 (+ RD + link-local) (RFC 8950,
# RFC 4659 section 3.2.1.1); 16: an IPv6 address without RD, as Cisco IOS XR
# sends it for SRv6 VPN routes (docs/quirks.md)
_VPN4 = frozenset((12, 16, 24, 48))
_VPN6 = frozenset((16, 24, 48))

#: The next hop lengths each (AFI, SAFI) may have in MP_REACH_NLRI; another
#: length is malformed (RFC 7606 section 7.11).  A family not listed here is
#: not checked (its next hop stays raw octets).
NEXT_HOP_LENGTHS: dict[tuple[int, int], frozenset[int]] = {
    (1, 1): _V4,
    (1, 2): _V4,
    (2, 1): _V6,
    (2, 2): _V6,
    (1, 4): _V4,  # RFC 8277
    (2, 4): _V6,  # RFC 4798 (IPv4-mapped IPv6 for 6PE), RFC 8277
    (1, 128): _VPN4,
    (1, 129): _VPN4,
    (2, 128): _VPN6,
    (2, 129): _VPN6,
    (25, 70): frozenset((4, 16)),  # RFC 7432 section 7: an IPv4 or IPv6 address
    (1, 132): frozenset((4, 16)),  # RFC 4684 section 4
}


def _ntop(raw: bytes) -> str:
    return socket.inet_ntop(socket.AF_INET if len(raw) == 4 else socket.AF_INET6, raw)


@dataclass(slots=True, repr=False)
class MPNextHop:
    """The next hop field of MP_REACH_NLRI (RFC 4760 section 3), kept as its
    octets; its form is told by the length:

    ======  =====================================================
    4       IPv4
    16      IPv6 (also an IPv4 family's IPv6 next hop, RFC 8950)
    32      IPv6 global + link-local (RFC 2545 section 3)
    12      RD (zero) + IPv4 (VPN-IPv4, RFC 4364 section 4.3.2)
    24      RD + IPv6 (VPN-IPv6, RFC 4659; RFC 8950 for VPN-IPv4)
    48      RD + IPv6 global + RD + IPv6 link-local (RFC 4659)
    ======  =====================================================

    Any other length has no decoded form (``address`` is ``None``).
    """

    raw: bytes

    @classmethod
    def from_addresses(
        cls, address: str, link_local: str | None = None, rd: RouteDistinguisher | None = None
    ) -> MPNextHop:
        """Build from text addresses (and an RD for VPN families)."""
        try:
            af = socket.AF_INET6 if ":" in address else socket.AF_INET
            raw = socket.inet_pton(af, address)
            rd_raw = rd.raw if rd is not None else b""
            out = rd_raw + raw
            if link_local is not None:
                out += rd_raw + socket.inet_pton(socket.AF_INET6, link_local)
        except OSError as exc:
            raise EncodeError("next_hop", f"not an address: {address!r} / {link_local!r}") from exc
        return cls(out)

    def _parts(self) -> tuple[RouteDistinguisher | None, bytes | None, bytes | None]:
        raw = self.raw
        n = len(raw)
        if n in (4, 16):
            return None, raw, None
        if n == 32:
            return None, raw[:16], raw[16:]
        if n in (12, 24):
            return RouteDistinguisher(raw[:8]), raw[8:], None
        if n == 48:
            return RouteDistinguisher(raw[:8]), raw[8:24], raw[32:48]
        return None, None, None

    @property
    def address(self) -> str | None:
        """The (global) next hop address text."""
        raw = self.raw
        n = len(raw)
        if n == 16 or n == 32:
            return _inet_ntop(_AF_INET6, raw[:16])
        if n == 4:
            return _inet_ntop(_AF_INET, raw)
        a = self._parts()[1]
        return None if a is None else _ntop(a)

    @property
    def link_local(self) -> str | None:
        """The IPv6 link-local next hop, when there is one."""
        raw = self.raw
        n = len(raw)
        if n == 32:
            return _inet_ntop(_AF_INET6, raw[16:])
        if n != 48:
            return None
        return _inet_ntop(_AF_INET6, raw[32:])

    @property
    def rd(self) -> RouteDistinguisher | None:
        """The route distinguisher of a VPN next hop."""
        return self._parts()[0]

    @property
    def addresses(self) -> list[str]:
        """Global and link-local addresses, in wire order."""
        _, a, b = self._parts()
        return [_ntop(x) for x in (a, b) if x is not None]

    def __str__(self) -> str:
        if self.address is None:
            return self.raw.hex()
        return " ".join(self.addresses)

    def __repr__(self) -> str:
        return f"MPNextHop({str(self)!r})"

    def __hash__(self) -> int:
        return hash(self.raw)

    def __json__(self) -> dict[str, Any]:
        rd = self.rd
        return {"address": self.address, "link_local": self.link_local, "rd": None if rd is None else str(rd),
                "hex": self.raw.hex()}  # fmt: skip

    def encode(self) -> bytes:
        return self.raw


@dataclass(slots=True)
class MPReachNLRI(_AttributeBase):
    """MP_REACH_NLRI (type 14, RFC 4760 section 3).

    :ivar nlri: the routes (objects of the family's codec, or one
        :class:`~bmplib.nlri.registry.UnknownNLRI` for an unknown family).
    :ivar reserved: the octet after the next hop (RFC 4760: reserved, was
        "number of SNPAs" in RFC 2858), kept as received.
    :ivar path_ids_guessed: the NLRI did not parse with the session's ADD-PATH
        setting for the family and were read with the other one.
    """

    type_code: ClassVar[int] = AttributeType.MP_REACH_NLRI
    afi: int
    safi: int
    next_hop: MPNextHop
    nlri: list[Any]
    reserved: int = 0
    flags: int = OPTIONAL_NON_TRANSITIVE | 0x10
    path_ids_guessed: bool = False

    @property
    def family(self) -> tuple[int, int]:
        return (self.afi, self.safi)

    @property
    def family_name(self) -> str:
        return family_name(self.afi, self.safi)

    def _value(self) -> bytes:
        nh = self.next_hop.encode()
        if len(nh) > 255:
            raise EncodeError("mp_reach.next_hop", f"{len(nh)} octets do not fit")
        try:
            head = _HBB.pack(self.afi, self.safi, len(nh)) + nh + bytes((self.reserved,))
        except (struct.error, ValueError) as exc:
            raise EncodeError("mp_reach", str(exc)) from exc
        return head + b"".join(r.encode() for r in self.nlri)


@dataclass(slots=True)
class MPUnreachNLRI(_AttributeBase):
    """MP_UNREACH_NLRI (type 15, RFC 4760 section 4).  With no withdrawn
    routes it is the End-of-RIB marker of its family (RFC 4724 section 2).
    ``path_ids_guessed`` as for :class:`MPReachNLRI`."""

    type_code: ClassVar[int] = AttributeType.MP_UNREACH_NLRI
    afi: int
    safi: int
    withdrawn: list[Any]
    flags: int = OPTIONAL_NON_TRANSITIVE | 0x10
    path_ids_guessed: bool = False

    @property
    def family(self) -> tuple[int, int]:
        return (self.afi, self.safi)

    @property
    def family_name(self) -> str:
        return family_name(self.afi, self.safi)

    def _value(self) -> bytes:
        try:
            head = _HB.pack(self.afi, self.safi)
        except struct.error as exc:
            raise EncodeError("mp_unreach", str(exc)) from exc
        return head + b"".join(r.encode() for r in self.withdrawn)


def _decode_nlri(
    buf: bytes, pos: int, end: int, afi: int, safi: int, ctx: DecodeContext, what: str
) -> tuple[list[Any], bool]:
    """The routes, and whether the path identifiers had to be guessed: NLRI
    that do not parse with the context's ADD-PATH setting for the family
    are retried with the other one (exporters re-encode post-policy and
    Loc-RIB routes without the path identifiers the session negotiated, or
    keep them when the collector has no Peer Up)."""
    family = _family(afi, safi)
    codec = lookup(afi, safi)
    if codec is None:
        return ([UnknownNLRI(afi, safi, buf[pos:end])] if pos < end else []), False
    path_id = family in ctx.addpath
    try:
        return codec.decode(buf, pos, end, path_id, ctx), False
    except NLRIDecodeError as exc:
        try:
            return codec.decode(buf, pos, end, not path_id, ctx), True
        except NLRIDecodeError:
            pass
        raise MalformedAttributeError(
            f"{what} {family_name(afi, safi)} NLRI: {exc.reason}",
            exc.offset,
            exc.data,
            ErrorAction.AFI_SAFI_DISABLE,
            family,
        ) from exc


def decode_mp_reach(buf: bytes, pos: int, end: int, flags: int, ctx: DecodeContext) -> MPReachNLRI:
    n = end - pos
    if n < 3:
        raise MalformedAttributeError(
            f"MP_REACH_NLRI of {n} octets has no AFI/SAFI", pos, buf[pos:end], ErrorAction.SESSION_RESET
        )
    afi, safi = _HB.unpack_from(buf, pos)
    family = _family(afi, safi)
    if n < 5:
        raise MalformedAttributeError(
            f"MP_REACH_NLRI of {n} octets is truncated", pos, buf[pos:end], ErrorAction.AFI_SAFI_DISABLE, family
        )
    nh_end = pos + 4 + buf[pos + 3]
    if nh_end >= end:
        raise MalformedAttributeError(
            f"MP_REACH_NLRI next hop length {buf[pos + 3]} overruns the attribute",
            pos,
            buf[pos:end],
            ErrorAction.AFI_SAFI_DISABLE,
            family,
        )
    nh_len = buf[pos + 3]
    allowed = NEXT_HOP_LENGTHS.get(family)
    if allowed is not None and nh_len not in allowed:
        # RFC 7606 section 7.11: the NLRI cannot be located reliably
        raise MalformedAttributeError(
            f"MP_REACH_NLRI next hop length {nh_len} is not valid for {family_name(afi, safi)} "
            f"(expected {', '.join(map(str, sorted(allowed)))})",
            pos + 3,
            buf[pos:end],
            ErrorAction.AFI_SAFI_DISABLE,
            family,
        )
    nlri, guessed = _decode_nlri(buf, nh_end + 1, end, afi, safi, ctx, "MP_REACH_NLRI")
    return MPReachNLRI(afi, safi, MPNextHop(buf[pos + 4 : nh_end]), nlri, buf[nh_end], flags, guessed)


def decode_mp_unreach(buf: bytes, pos: int, end: int, flags: int, ctx: DecodeContext) -> MPUnreachNLRI:
    if end - pos < 3:
        raise MalformedAttributeError(
            f"MP_UNREACH_NLRI of {end - pos} octets has no AFI/SAFI", pos, buf[pos:end], ErrorAction.SESSION_RESET
        )
    afi, safi = _HB.unpack_from(buf, pos)
    withdrawn, guessed = _decode_nlri(buf, pos + 3, end, afi, safi, ctx, "MP_UNREACH_NLRI")
    return MPUnreachNLRI(afi, safi, withdrawn, flags, guessed)


register_attribute(
    AttributeType.MP_REACH_NLRI, decode_mp_reach, MPReachNLRI, ErrorAction.AFI_SAFI_DISABLE, OPTIONAL_NON_TRANSITIVE
)
register_attribute(
    AttributeType.MP_UNREACH_NLRI,
    decode_mp_unreach,
    MPUnreachNLRI,
    ErrorAction.AFI_SAFI_DISABLE,
    OPTIONAL_NON_TRANSITIVE,
)


# the compiled next-hop views, when bmplib_fast is in use (bmplib._impl.KERNELS)
_impl.adopt(__name__)
