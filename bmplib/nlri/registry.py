"""Address families: AFI / SAFI code points (IANA "Address Family Numbers",
"SAFI Values") and the registry that maps an (AFI, SAFI) pair to the codec of
its NLRI (RFC 4760 section 5).

A family module registers a codec at import time::

    register(AFI.IPV4, SAFI.UNICAST, InetCodec(...))

An (AFI, SAFI) with no codec is never an error: MP_REACH / MP_UNREACH keep its
NLRI octets as :class:`UnknownNLRI`.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Any, Protocol

from bmplib.session import DecodeContext

__all__ = [
    "AFI",
    "FAMILY_ALIASES",
    "SAFI",
    "Family",
    "NLRICodec",
    "UnknownNLRI",
    "families",
    "family_name",
    "lookup",
    "register",
]


class AFI(enum.IntEnum):
    """Address Family Numbers used by BGP (IANA)."""

    IPV4 = 1
    IPV6 = 2
    L2VPN = 25
    BGP_LS = 16388


class SAFI(enum.IntEnum):
    """Subsequent Address Family Identifiers (IANA "SAFI Values")."""

    UNICAST = 1
    MULTICAST = 2
    MPLS_LABEL = 4  # RFC 8277
    MCAST_VPN = 5  # RFC 6514
    VPLS = 65  # RFC 4761
    MDT = 66  # RFC 6037
    EVPN = 70  # RFC 7432
    BGP_LS = 71  # RFC 9552
    BGP_LS_VPN = 72  # RFC 9552
    SR_TE_POLICY = 73  # RFC 9830
    MUP = 85  # draft-mpmz-bess-mup-safi
    MPLS_VPN = 128  # RFC 4364
    MPLS_VPN_MULTICAST = 129  # RFC 6513
    ROUTE_TARGET_CONSTRAINT = 132  # RFC 4684
    FLOWSPEC = 133  # RFC 8955
    FLOWSPEC_VPN = 134


class NLRICodec(Protocol):
    """What a family module provides for one (AFI, SAFI).

    ``decode`` parses the NLRI in ``buf[pos:end]`` into a list of route
    objects; *path_id* says whether each NLRI starts with a 4-octet ADD-PATH
    path identifier (RFC 7911).  Errors are
    :class:`~bmplib.errors.NLRIDecodeError` with absolute offsets in *buf*.
    ``encode`` is the exact inverse.
    """

    def decode(self, buf: bytes, pos: int, end: int, path_id: bool, ctx: DecodeContext) -> list[Any]: ...

    def encode(self, routes: list[Any], path_id: bool, ctx: DecodeContext) -> bytes: ...


@dataclass(slots=True)
class UnknownNLRI:
    """The NLRI octets of a family bmplib has no codec for."""

    afi: int
    safi: int
    data: bytes

    def encode(self) -> bytes:
        return self.data


_CODECS: dict[tuple[int, int], NLRICodec] = {}


def register(afi: int, safi: int, codec: NLRICodec) -> None:
    """Register the NLRI codec of one (AFI, SAFI)."""
    _CODECS[(int(afi), int(safi))] = codec


def families() -> list[tuple[int, int]]:
    """Every (AFI, SAFI) with a registered codec, sorted."""
    return sorted(_CODECS)


def lookup(afi: int, safi: int) -> NLRICodec | None:
    """The codec registered for (AFI, SAFI), or ``None``."""
    return _CODECS.get((afi, safi))


def codecs() -> dict[tuple[int, int], NLRICodec]:
    """The live registry ((AFI, SAFI) -> codec), read without copying
    (internal API: bmplib_fast's UPDATE kernel looks families up in it)."""
    return _CODECS


_FAMILY_NAMES = {
    (1, 1): "ipv4-unicast",
    (2, 1): "ipv6-unicast",
    (1, 2): "ipv4-multicast",
    (2, 2): "ipv6-multicast",
    (1, 4): "ipv4-labeled-unicast",
    (2, 4): "ipv6-labeled-unicast",
    (1, 128): "ipv4-vpn",
    (2, 128): "ipv6-vpn",
    (1, 129): "ipv4-vpn-multicast",
    (2, 129): "ipv6-vpn-multicast",
    (25, 70): "evpn",
    (1, 132): "rtc",
    (1, 133): "ipv4-flowspec",
    (2, 133): "ipv6-flowspec",
    (16388, 71): "bgp-ls",
}


# BGP-LS, SR Policy, MUP (bmplib.nlri.bgpls, srpolicy, mup)
_FAMILY_NAMES.update(
    {
        (16388, 72): "bgp-ls-vpn",
        (1, 73): "ipv4-sr-policy",
        (2, 73): "ipv6-sr-policy",
        (1, 85): "ipv4-mup",
        (2, 85): "ipv6-mup",
    }
)


# FlowSpec VPN / L2VPN, VPLS, MDT, MVPN, RTC for AFI 2 (bmplib.nlri.flowspec, vpls, mdt, mvpn, rtc)
_FAMILY_NAMES.update(
    {
        (1, 134): "ipv4-flowspec-vpn",
        (2, 134): "ipv6-flowspec-vpn",
        (25, 134): "l2vpn-flowspec",
        (25, 65): "vpls",
        (1, 66): "ipv4-mdt",
        (2, 66): "ipv6-mdt",
        (1, 5): "ipv4-mvpn",
        (2, 5): "ipv6-mvpn",
        (2, 132): "ipv6-rtc",
    }
)


class Family(tuple[int, int]):
    """An address family as a route's ``family`` holds it: the ``(afi,
    safi)`` pair (it is a tuple: ``==``, hashing and unpacking are the
    pair's), whose ``str`` is its name in the JSON (``ipv6-unicast``,
    ``evpn``; :func:`family_name`).

    >>> f = Family(2, 1)
    >>> f == (2, 1), str(f), f.afi, f.safi
    (True, 'ipv6-unicast', 2, 1)
    """

    __slots__ = ()

    def __new__(cls, afi: int, safi: int) -> Family:
        return super().__new__(cls, (int(afi), int(safi)))

    @classmethod
    def of(cls, pair: tuple[int, int]) -> Family:
        """*pair* as a :class:`Family` (itself when it already is one)."""
        return pair if isinstance(pair, Family) else cls(*pair)

    @property
    def afi(self) -> int:
        return self[0]

    @property
    def safi(self) -> int:
        return self[1]

    @property
    def name(self) -> str:
        """The JSON name (``ipv4-unicast``, ``afi-N-safi-M`` for the others)."""
        return family_name(self[0], self[1])

    def __str__(self) -> str:
        return family_name(self[0], self[1])


def family_name(afi: int, safi: int) -> str:
    """The text name of a family (``ipv4-unicast``, ``evpn``, ...);
    ``afi-<n>-safi-<m>`` for the others."""
    return _FAMILY_NAMES.get((afi, safi)) or f"afi-{afi}-safi-{safi}"


#: Other names of the families (``--family`` of the command line, route filters): bgpkit-parser, GoBGP, FRR,
#: Junos and pmacct spellings of the names of :func:`family_name`.
FAMILY_ALIASES = {
    "ipv4": "ipv4-unicast",
    "ipv6": "ipv6-unicast",
    "inet": "ipv4-unicast",
    "inet6": "ipv6-unicast",
    "ipv4-mcast": "ipv4-multicast",
    "ipv6-mcast": "ipv6-multicast",
    "ipv4-labeled": "ipv4-labeled-unicast",
    "labeled": "ipv4-labeled-unicast",
    "ipv6-labeled": "ipv6-labeled-unicast",
    "ipv4-labelled-unicast": "ipv4-labeled-unicast",
    "ipv6-labelled-unicast": "ipv6-labeled-unicast",
    "ipv4-lu": "ipv4-labeled-unicast",
    "ipv6-lu": "ipv6-labeled-unicast",
    "ipv4-mpls": "ipv4-labeled-unicast",
    "ipv6-mpls": "ipv6-labeled-unicast",
    "labeled-unicast": "ipv4-labeled-unicast",
    "vpnv4": "ipv4-vpn",
    "vpnv6": "ipv6-vpn",
    "vpn-ipv4": "ipv4-vpn",
    "vpn-ipv6": "ipv6-vpn",
    "ipv4-vpn-unicast": "ipv4-vpn",
    "ipv6-vpn-unicast": "ipv6-vpn",
    "l3vpn-ipv4-unicast": "ipv4-vpn",
    "l3vpn-ipv6-unicast": "ipv6-vpn",
    "l3vpn-ipv4": "ipv4-vpn",
    "l3vpn-ipv6": "ipv6-vpn",
    "inet-vpn": "ipv4-vpn",
    "inet6-vpn": "ipv6-vpn",
    "vpnv4-multicast": "ipv4-vpn-multicast",
    "vpnv6-multicast": "ipv6-vpn-multicast",
    "l2vpn-evpn": "evpn",
    "l2vpn": "evpn",
    "rt-constraint": "rtc",
    "route-target": "rtc",
    "ipv4-rtc": "rtc",
    "flowspec": "ipv4-flowspec",
    "flowspec-v4": "ipv4-flowspec",
    "flowspec-v6": "ipv6-flowspec",
    "ipv4-flow": "ipv4-flowspec",
    "ipv6-flow": "ipv6-flowspec",
    "linkstate": "bgp-ls",
    "link-state": "bgp-ls",
    "ls": "bgp-ls",
    "evpn": "evpn",
    "rtc": "rtc",
}
