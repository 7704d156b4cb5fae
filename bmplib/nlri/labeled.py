"""Labeled unicast NLRI, IPv4 and IPv6 (AFI 1/2, SAFI 4; RFC 8277).

Each NLRI is ``length (1) | label stack | prefix``, where the length counts
the bits of the labels *and* the prefix (RFC 8277 section 2).  The label stack
runs to the entry with the bottom-of-stack bit, or to a withdraw value
(0x800000 / 0x000000, section 2.4): see :mod:`bmplib.nlri.labels`.

The model follows :mod:`bmplib.nlri.inet` (``family``, ``length``, ``packed``,
``path_id``; ``prefix`` and ``str()`` give ``10.0.0.0/24``) and adds the raw
``label_stack`` with its ``labels`` view.  L3VPN (:mod:`bmplib.nlri.vpn`)
shares the decoder: the same layout with a route distinguisher between the
labels and the prefix (:func:`decode_labeled`).
"""

from __future__ import annotations

import ipaddress
import socket
import struct
from dataclasses import dataclass
from typing import Any

from bmplib.errors import EncodeError, NLRIDecodeError
from bmplib.nlri.inet import mask_prefix
from bmplib.nlri.labels import decode_label_stack, encode_label_stack, label_values
from bmplib.nlri.rd import RouteDistinguisher
from bmplib.nlri.registry import Family, family_name, register
from bmplib.session import DecodeContext

__all__ = [
    "IPV4_LABELED",
    "IPV6_LABELED",
    "LabeledCodec",
    "LabeledPrefix",
    "decode_labeled",
    "decode_labeled_nlri",
    "encode_labeled",
    "pack_prefix",
    "prefix_address",
]

IPV4_LABELED = (1, 4)
IPV6_LABELED = (2, 4)

_U32 = struct.Struct("!I")
_ADDR_LEN = {1: 4, 2: 16}
_AF = {1: socket.AF_INET, 2: socket.AF_INET6}


def prefix_address(family: tuple[int, int], packed: bytes, length: int | None = None) -> str:
    """The address text of a prefix's octets (with *length*: host bits cleared)."""
    if length is not None:
        packed = mask_prefix(packed, length)
    full = _ADDR_LEN.get(family[0], 16)
    return socket.inet_ntop(_AF.get(family[0], socket.AF_INET6), packed[:full].ljust(full, b"\0"))


def pack_prefix(text: str) -> tuple[int, int, bytes]:
    """``(afi, length, packed)`` of a prefix text (host bits must be zero)."""
    try:
        net = ipaddress.ip_network(text)
    except ValueError as exc:
        raise EncodeError("prefix", str(exc)) from exc
    plen = net.prefixlen
    return (1 if net.version == 4 else 2), plen, net.network_address.packed[: (plen + 7) >> 3]


def encode_labeled(
    family: tuple[int, int],
    length: int,
    packed: bytes,
    label_stack: bytes,
    rd: RouteDistinguisher | None,
    path_id: int | None,
) -> bytes:
    """``[path id] | total length | labels | [RD] | prefix`` with checks."""
    nbytes = (length + 7) >> 3
    if not 0 <= length <= _ADDR_LEN.get(family[0], 16) * 8:
        raise EncodeError("prefix.length", f"{length} is out of range for {family_name(*family)}")
    if len(packed) != nbytes:
        raise EncodeError("prefix.packed", f"/{length} needs {nbytes} octets, got {len(packed)}")
    if not label_stack or len(label_stack) % 3:
        raise EncodeError("label_stack", f"needs a multiple of 3 octets, got {len(label_stack)}")
    rd_raw = b"" if rd is None else rd.encode()
    total = 8 * (len(label_stack) + len(rd_raw)) + length
    if total > 255:
        raise EncodeError("prefix.length", f"labels + RD + prefix = {total} bits do not fit the length octet")
    head = bytes((total,))
    if path_id is not None:
        if not 0 <= path_id <= 0xFFFFFFFF:
            raise EncodeError("path_id", f"{path_id} does not fit 4 octets")
        head = _U32.pack(path_id) + head
    return head + label_stack + rd_raw + packed


class LabeledRouteViews:
    """Views shared by the route classes whose NLRI is a label stack and a
    prefix (labeled unicast here, VPN in :mod:`bmplib.nlri.vpn`): they need
    ``family``, ``length``, ``packed`` and ``label_stack``."""

    __slots__ = ()
    family: tuple[int, int]
    length: int
    packed: bytes
    label_stack: bytes

    @property
    def afi(self) -> int:
        return self.family[0]

    @property
    def safi(self) -> int:
        return self.family[1]

    @property
    def labels(self) -> tuple[int, ...]:
        """The 20-bit label values, top of the stack first."""
        return label_values(self.label_stack)

    @property
    def label(self) -> int | None:
        """The first (top) label, or ``None``."""
        values = label_values(self.label_stack[:3])
        return values[0] if values else None

    @property
    def address(self) -> str:
        """The network address text (``10.0.0.0``), host bits cleared."""
        return prefix_address(self.family, self.packed, self.length)

    @property
    def host_bits(self) -> bool:
        """The NLRI had bits set beyond the prefix length (kept in
        ``packed`` and by ``encode()``, cleared in the text)."""
        return mask_prefix(self.packed, self.length) != self.packed

    @property
    def prefix(self) -> str:
        """The prefix text, ``10.0.0.0/24`` or ``2001:db8::/32``."""
        return f"{self.address}/{self.length}"

    @property
    def network(self) -> ipaddress.IPv4Network | ipaddress.IPv6Network:
        """The prefix as an :mod:`ipaddress` network (host bits cleared)."""
        return ipaddress.ip_network(self.prefix)


@dataclass(slots=True, repr=False)
class LabeledPrefix(LabeledRouteViews):
    """A labeled IPv4/IPv6 prefix (RFC 8277 section 2) with its optional
    ADD-PATH path identifier.

    :ivar family: ``(afi, safi)``: ``(1, 4)`` or ``(2, 4)``.
    :ivar length: prefix length in bits (the labels not counted).
    :ivar packed: the ``ceil(length / 8)`` prefix octets as on the wire.
    :ivar label_stack: the label stack entries as on the wire (3 octets
        each, traffic class and bottom-of-stack bits included).
    :ivar path_id: the path identifier, or ``None``.
    """

    family: tuple[int, int]
    length: int
    packed: bytes
    label_stack: bytes
    path_id: int | None = None

    @classmethod
    def from_text(cls, text: str, labels: list[int] | tuple[int, ...], path_id: int | None = None) -> LabeledPrefix:
        """Build from a prefix text and 20-bit label values (bottom-of-stack
        bit on the last one; an empty list gives the withdraw value)."""
        afi, plen, packed = pack_prefix(text)
        return cls((afi, 4), plen, packed, encode_label_stack(labels), path_id)

    @property
    def is_withdraw_label(self) -> bool:
        """The label field is a withdraw value (0x800000 or 0x000000,
        RFC 8277 section 2.4) rather than a label binding."""
        return self.label_stack in (b"\x80\x00\x00", b"\x00\x00\x00")

    def __str__(self) -> str:
        return self.prefix

    def __repr__(self) -> str:
        pid = "" if self.path_id is None else f", path_id={self.path_id}"
        labels = ",".join(map(str, self.labels))
        return f"LabeledPrefix({family_name(*self.family)} {self.prefix} labels={labels}{pid})"

    def __hash__(self) -> int:
        return hash((self.family, self.length, self.packed, self.label_stack, self.path_id))

    def __json__(self) -> dict[str, Any]:
        out = {
            "family": family_name(*self.family),
            "prefix": self.prefix,
            "labels": list(self.labels),
            "path_id": self.path_id,
        }
        if self.host_bits:
            out["host_bits"] = True
        return out

    def encode(self) -> bytes:
        """The NLRI octets: [path id (4)] + length (1) + labels + prefix."""
        return encode_labeled(self.family, self.length, self.packed, self.label_stack, None, self.path_id)


def decode_labeled_nlri(
    buf: bytes, pos: int, end: int, family: tuple[int, int], path_id: bool = False
) -> list[LabeledPrefix]:
    """Decode the labeled NLRI in ``buf[pos:end]`` into :class:`LabeledPrefix`
    objects.  Errors are :class:`NLRIDecodeError` at the failing NLRI."""
    routes: list[LabeledPrefix] = decode_labeled(buf, pos, end, family, path_id, LabeledPrefix, False)
    return routes


def decode_labeled(
    buf: bytes, pos: int, end: int, family: tuple[int, int], path_id: bool, make: Any, rd: bool
) -> list[Any]:
    """The NLRI walk shared with L3VPN: ``[path id] | length | labels | [RD] |
    prefix``; each route is ``make(family, length, packed, label_stack,
    [rd,] path_id)``."""
    maxlen = _ADDR_LEN.get(family[0], 16) * 8
    fixed = 8 if rd else 0
    out: list[Any] = []
    append = out.append
    p = pos
    while p < end:
        start = p
        pid: int | None = None
        if path_id:
            if p + 4 > end:
                raise NLRIDecodeError("NLRI too short for its path identifier", start, buf[start:end])
            pid = int(_U32.unpack_from(buf, p)[0])
            p += 4
        if p >= end:
            raise NLRIDecodeError("NLRI too short for its length octet", start, buf[start:end])
        total = buf[p]
        q = p + 1 + ((total + 7) >> 3)
        if q > end:
            raise NLRIDecodeError(
                f"NLRI of {total} bits runs past the end ({end - p - 1} octets left)", start, buf[start:end]
            )
        ls_end = decode_label_stack(buf, p + 1, q, start)
        plen = total - 8 * (ls_end - p - 1 + fixed)
        if plen < 0 or plen > maxlen or (rd and ls_end + 8 > q):
            raise NLRIDecodeError(
                f"NLRI length {total} leaves a prefix length of {plen} after the labels"
                + (" and route distinguisher" if rd else ""),
                start,
                buf[start:q],
            )
        if rd:
            rdo = RouteDistinguisher(buf[ls_end : ls_end + 8])
            append(make(family, plen, buf[ls_end + 8 : q], buf[p + 1 : ls_end], rdo, pid))
        else:
            append(make(family, plen, buf[ls_end:q], buf[p + 1 : ls_end], pid))
        p = q
    return out


class LabeledCodec:
    """The NLRI codec of labeled unicast for one family
    (:class:`~bmplib.nlri.registry.NLRICodec`)."""

    def __init__(self, family: tuple[int, int]) -> None:
        self.family = Family.of(family)

    def decode(self, buf: bytes, pos: int, end: int, path_id: bool, ctx: DecodeContext) -> list[Any]:
        return decode_labeled(buf, pos, end, self.family, path_id, LabeledPrefix, False)

    def encode(self, routes: list[Any], path_id: bool, ctx: DecodeContext) -> bytes:
        return b"".join(r.encode() for r in routes)


for _family in (IPV4_LABELED, IPV6_LABELED):
    register(_family[0], _family[1], LabeledCodec(_family))
