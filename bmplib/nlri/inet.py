"""IPv4 and IPv6 unicast and multicast NLRI (RFC 4271 section 4.3, RFC 4760,
RFC 2545, RFC 7911 path identifiers).

A prefix is ``length`` (bits) followed by ``ceil(length / 8)`` octets.  The
model, :class:`InetPrefix`, keeps those octets as they were on the wire
(``packed``), so building one costs a slice and it always re-encodes exactly;
the text form (``10.0.0.0/24``, ``2001:db8::/32``) and the :mod:`ipaddress`
network are derived on access.  Bits beyond the prefix length ("host bits",
which RFC 4271 section 4.3 calls irrelevant trailing bits) are kept in
``packed`` but masked in the text, so the text is always a valid CIDR
prefix; ``host_bits`` says whether there were any.

Route objects of every family follow one convention, which
:class:`~bmplib.bgp.update.Update` views rely on and which other family
modules (labeled, VPN, EVPN, ...) follow too: a ``family`` attribute (the
``(afi, safi)`` tuple), ``path_id`` (``int`` or ``None``), ``str(route)`` the
text form, and ``encode()`` giving the route's wire octets *including* its
path identifier when it has one.

This module registers :data:`INET_CODEC` for (1, 1), (1, 2), (2, 1), (2, 2)
in :mod:`bmplib.nlri.registry`.
"""

from __future__ import annotations

import ipaddress
import socket
import struct
from dataclasses import dataclass
from typing import Any

from bmplib.errors import EncodeError, NLRIDecodeError
from bmplib.nlri.registry import Family, family_name, register
from bmplib.session import DecodeContext

__all__ = [
    "INET_CODEC",
    "IPV4_MULTICAST",
    "IPV4_UNICAST",
    "IPV6_MULTICAST",
    "IPV6_UNICAST",
    "InetCodec",
    "InetPrefix",
    "decode_inet_prefixes",
    "mask_prefix",
]

IPV4_UNICAST = Family(1, 1)
IPV4_MULTICAST = Family(1, 2)
IPV6_UNICAST = Family(2, 1)
IPV6_MULTICAST = Family(2, 2)

_U32 = struct.Struct("!I")
_AF = {1: socket.AF_INET, 2: socket.AF_INET6}
_ADDR_LEN = {1: 4, 2: 16}
#: interned family tuples, so every prefix of a family shares one tuple
_FAMILIES: dict[tuple[int, int], tuple[int, int]] = {
    f: f for f in (IPV4_UNICAST, IPV4_MULTICAST, IPV6_UNICAST, IPV6_MULTICAST)
}


def mask_prefix(packed: bytes, length: int) -> bytes:
    """The ``ceil(length / 8)`` octets of *packed* with the bits beyond
    *length* cleared (RFC 4271 section 4.3: trailing bits are irrelevant)."""
    n = (length + 7) >> 3
    rem = length & 7
    if len(packed) < n:
        return packed
    if not rem:
        return packed if len(packed) == n else packed[:n]
    last = packed[n - 1]
    keep = (0xFF << (8 - rem)) & 0xFF
    if not last & ~keep and len(packed) == n:
        return packed
    return packed[: n - 1] + bytes((last & keep,))


@dataclass(slots=True, repr=False)
class InetPrefix:
    """An IPv4 or IPv6 prefix (RFC 4271 section 4.3, RFC 4760 section 5) with
    its optional ADD-PATH path identifier (RFC 7911 section 3).

    :ivar family: ``(afi, safi)``, e.g. ``(1, 1)`` for IPv4 unicast.
    :ivar length: prefix length in bits.
    :ivar packed: the ``ceil(length / 8)`` prefix octets as on the wire.
    :ivar path_id: the path identifier, or ``None`` when the NLRI had none.
    """

    family: tuple[int, int]
    length: int
    packed: bytes
    path_id: int | None = None

    @classmethod
    def from_text(cls, text: str, path_id: int | None = None, safi: int = 1) -> InetPrefix:
        """Build from ``10.0.0.0/24`` or ``2001:db8::/32`` (host bits must be zero)."""
        try:
            net = ipaddress.ip_network(text)
        except ValueError as exc:
            raise EncodeError("prefix", str(exc)) from exc
        afi = 1 if net.version == 4 else 2
        plen = net.prefixlen
        return cls((afi, safi), plen, net.network_address.packed[: (plen + 7) >> 3], path_id)

    # -- derived views ------------------------------------------------------
    @property
    def afi(self) -> int:
        return self.family[0]

    @property
    def safi(self) -> int:
        return self.family[1]

    @property
    def address(self) -> str:
        """The network address text (``10.0.0.0``), host bits cleared."""
        afi = self.family[0]
        full = _ADDR_LEN.get(afi, 16)
        packed = mask_prefix(self.packed, self.length)
        return socket.inet_ntop(_AF.get(afi, socket.AF_INET6), packed[:full].ljust(full, b"\0"))

    @property
    def host_bits(self) -> bool:
        """The NLRI had bits set beyond the prefix length (kept in
        ``packed`` and by :meth:`encode`, cleared in the text)."""
        return mask_prefix(self.packed, self.length) != self.packed

    @property
    def prefix(self) -> str:
        """The text form, ``10.0.0.0/24`` or ``2001:db8::/32``."""
        return f"{self.address}/{self.length}"

    @property
    def network(self) -> ipaddress.IPv4Network | ipaddress.IPv6Network:
        """The prefix as an :mod:`ipaddress` network (host bits cleared)."""
        return ipaddress.ip_network(self.prefix)

    def __str__(self) -> str:
        return self.prefix

    def __repr__(self) -> str:
        pid = "" if self.path_id is None else f", path_id={self.path_id}"
        return f"InetPrefix({family_name(*self.family)} {self.prefix}{pid})"

    def __hash__(self) -> int:
        return hash((self.family, self.length, self.packed, self.path_id))

    def __json__(self) -> dict[str, Any]:
        out = {"family": family_name(*self.family), "prefix": self.prefix, "path_id": self.path_id}
        if self.host_bits:
            out["host_bits"] = True
        return out

    def encode(self) -> bytes:
        """The NLRI octets: [path id (4)] + length (1) + prefix octets."""
        nbytes = (self.length + 7) >> 3
        if not 0 <= self.length <= _ADDR_LEN.get(self.family[0], 16) * 8:
            raise EncodeError("prefix.length", f"{self.length} is out of range for {family_name(*self.family)}")
        if len(self.packed) != nbytes:
            raise EncodeError("prefix.packed", f"/{self.length} needs {nbytes} octets, got {len(self.packed)}")
        head = bytes((self.length,))
        if self.path_id is not None:
            if not 0 <= self.path_id <= 0xFFFFFFFF:
                raise EncodeError("prefix.path_id", f"{self.path_id} does not fit 4 octets")
            head = _U32.pack(self.path_id) + head
        return head + self.packed


def decode_inet_prefixes(
    buf: bytes, pos: int, end: int, family: tuple[int, int], path_id: bool = False
) -> list[InetPrefix]:
    """Decode the IPv4/IPv6 prefixes in ``buf[pos:end]`` (the classic
    withdrawn-routes / NLRI fields, or the NLRI of MP_REACH / MP_UNREACH).

    Raises :class:`~bmplib.errors.NLRIDecodeError` (offset: the failing
    prefix) on a prefix length above the address size or a prefix that runs
    past *end*.
    """
    family = _FAMILIES.get(family, family)
    maxlen = 32 if family[0] == 1 else 128
    out: list[InetPrefix] = []
    append = out.append
    if not path_id:
        while pos < end:
            plen = buf[pos]
            npos = pos + 1 + ((plen + 7) >> 3)
            if plen > maxlen or npos > end:
                raise _bad_prefix(buf, pos, end, plen, maxlen)
            append(InetPrefix(family, plen, buf[pos + 1 : npos]))
            pos = npos
        return out
    while pos < end:
        if end - pos < 5:
            raise NLRIDecodeError(
                f"ADD-PATH NLRI needs a 4-octet path identifier and a length, {end - pos} octets left",
                pos,
                buf[pos:end],
            )
        plen = buf[pos + 4]
        npos = pos + 5 + ((plen + 7) >> 3)
        if plen > maxlen or npos > end:
            raise _bad_prefix(buf, pos, end, plen, maxlen)
        append(InetPrefix(family, plen, buf[pos + 5 : npos], _U32.unpack_from(buf, pos)[0]))
        pos = npos
    return out


def _bad_prefix(buf: bytes, pos: int, end: int, plen: int, maxlen: int) -> NLRIDecodeError:
    if plen > maxlen:
        return NLRIDecodeError(f"prefix length {plen} exceeds {maxlen}", pos, buf[pos:end])
    return NLRIDecodeError(f"prefix /{plen} runs past the end of the NLRI ({end - pos} octets left)", pos, buf[pos:end])


class InetCodec:
    """The NLRI codec of IPv4/IPv6 unicast and multicast
    (:class:`~bmplib.nlri.registry.NLRICodec`)."""

    def __init__(self, family: tuple[int, int]) -> None:
        self.family = Family.of(family)

    def decode(self, buf: bytes, pos: int, end: int, path_id: bool, ctx: DecodeContext) -> list[Any]:
        return decode_inet_prefixes(buf, pos, end, self.family, path_id)

    def encode(self, routes: list[Any], path_id: bool, ctx: DecodeContext) -> bytes:
        return b"".join(r.encode() for r in routes)


INET_CODEC = {f: InetCodec(f) for f in _FAMILIES}
for _family, _codec in INET_CODEC.items():
    register(_family[0], _family[1], _codec)
