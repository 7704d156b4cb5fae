"""L3VPN NLRI: VPN-IPv4 and VPN-IPv6 (AFI 1/2, SAFI 128; RFC 4364 section
4.3.4, RFC 4659 section 3.2), and the multicast VPN SAFI 129 (RFC 6513
section 5.1), which has the same shape.

Each NLRI is ``length (1) | label stack | route distinguisher (8) | prefix``;
the length counts the bits of all three.  The text form joins the RD and the
prefix: ``65000:100:10.1.0.0/24``.  The RD + address next hop of MP_REACH is
decoded with the attribute (:mod:`bmplib.bgp.attributes`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bmplib.nlri.labeled import LabeledRouteViews, decode_labeled, encode_labeled, pack_prefix
from bmplib.nlri.labels import encode_label_stack
from bmplib.nlri.rd import RouteDistinguisher
from bmplib.nlri.registry import Family, family_name, register
from bmplib.session import DecodeContext

__all__ = [
    "IPV4_VPN",
    "IPV4_VPN_MULTICAST",
    "IPV6_VPN",
    "IPV6_VPN_MULTICAST",
    "VPNCodec",
    "VPNPrefix",
    "decode_vpn_nlri",
]

IPV4_VPN = (1, 128)
IPV6_VPN = (2, 128)
IPV4_VPN_MULTICAST = (1, 129)
IPV6_VPN_MULTICAST = (2, 129)


@dataclass(slots=True, repr=False)
class VPNPrefix(LabeledRouteViews):
    """A VPN-IPv4 / VPN-IPv6 route (RFC 4364 section 4.3.4, RFC 4659): label
    stack, route distinguisher and prefix, with its optional ADD-PATH path
    identifier.

    :ivar family: ``(afi, safi)``: ``(1, 128)``, ``(2, 128)``, ``(1, 129)``
        or ``(2, 129)``.
    :ivar length: prefix length in bits (labels and RD not counted).
    :ivar packed: the ``ceil(length / 8)`` prefix octets as on the wire.
    :ivar label_stack: the label stack entries as on the wire.
    :ivar rd: the route distinguisher.
    :ivar path_id: the path identifier, or ``None``.
    """

    family: tuple[int, int]
    length: int
    packed: bytes
    label_stack: bytes
    rd: RouteDistinguisher
    path_id: int | None = None

    @classmethod
    def from_text(
        cls,
        rd: str,
        prefix: str,
        labels: list[int] | tuple[int, ...],
        path_id: int | None = None,
        safi: int = 128,
    ) -> VPNPrefix:
        """Build from an RD text (``65000:100``), a prefix text and 20-bit
        label values (an empty list gives the withdraw value 0x800000)."""
        afi, plen, packed = pack_prefix(prefix)
        return cls((afi, safi), plen, packed, encode_label_stack(labels), RouteDistinguisher.from_text(rd), path_id)

    def __str__(self) -> str:
        return f"{self.rd}:{self.prefix}"

    def __repr__(self) -> str:
        pid = "" if self.path_id is None else f", path_id={self.path_id}"
        labels = ",".join(map(str, self.labels))
        return f"VPNPrefix({family_name(*self.family)} {self} labels={labels}{pid})"

    def __hash__(self) -> int:
        return hash((self.family, self.length, self.packed, self.label_stack, self.rd, self.path_id))

    def __json__(self) -> dict[str, Any]:
        out = {
            "family": family_name(*self.family),
            "rd": str(self.rd),
            "prefix": self.prefix,
            "labels": list(self.labels),
            "path_id": self.path_id,
        }
        if self.host_bits:
            out["host_bits"] = True
        return out

    def encode(self) -> bytes:
        """The NLRI octets: [path id (4)] + length (1) + labels + RD + prefix."""
        return encode_labeled(self.family, self.length, self.packed, self.label_stack, self.rd, self.path_id)


def decode_vpn_nlri(buf: bytes, pos: int, end: int, family: tuple[int, int], path_id: bool = False) -> list[VPNPrefix]:
    """Decode the VPN NLRI in ``buf[pos:end]``.  Errors are
    :class:`~bmplib.errors.NLRIDecodeError` at the failing NLRI."""
    routes: list[VPNPrefix] = decode_labeled(buf, pos, end, family, path_id, VPNPrefix, True)
    return routes


class VPNCodec:
    """The NLRI codec of one VPN family (:class:`~bmplib.nlri.registry.NLRICodec`)."""

    def __init__(self, family: tuple[int, int]) -> None:
        self.family = Family.of(family)

    def decode(self, buf: bytes, pos: int, end: int, path_id: bool, ctx: DecodeContext) -> list[Any]:
        return decode_labeled(buf, pos, end, self.family, path_id, VPNPrefix, True)

    def encode(self, routes: list[Any], path_id: bool, ctx: DecodeContext) -> bytes:
        return b"".join(r.encode() for r in routes)


for _family in (IPV4_VPN, IPV6_VPN, IPV4_VPN_MULTICAST, IPV6_VPN_MULTICAST):
    register(_family[0], _family[1], VPNCodec(_family))
