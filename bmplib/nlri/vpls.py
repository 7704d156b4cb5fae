"""VPLS NLRI (AFI 25, SAFI 65): BGP signalling (RFC 4761 section 3.2.2)
and BGP auto-discovery (RFC 6074 section 3.2.2) share the family.

Each NLRI is ``length (2, in octets) | body``; the length tells the two apart:

======  ==================================================================
17      RFC 4761: RD (8), VE ID (2), VE block offset (2), VE block size
        (2), label base (3) -- :class:`VPLSRoute`
12      RFC 6074: RD (8) and the PE's IPv4 address (4) -- :class:`VPLSAutoDiscovery`
other   kept as :class:`UnknownVPLSRoute` (its octets)
======  ==================================================================

The label base is kept as the 3-octet field on the wire (``label_field``);
``label_base`` is its high-order 20 bits (the label, RFC 4761 section 3.2.2).
The text form: ``65400:6:ve 6:offset 1:size 8:label 10732``.
"""

from __future__ import annotations

import socket
import struct
from dataclasses import dataclass, field
from typing import Any, ClassVar

from bmplib.errors import EncodeError, NLRIDecodeError
from bmplib.nlri.rd import RouteDistinguisher
from bmplib.nlri.registry import AFI, SAFI, register
from bmplib.nlri.walk import read_path_id, with_path_id
from bmplib.session import DecodeContext

__all__ = ["VPLS_FAMILY", "UnknownVPLSRoute", "VPLSAutoDiscovery", "VPLSCodec", "VPLSRoute", "decode_vpls_nlri"]

VPLS_FAMILY = (25, 65)
_HHH = struct.Struct("!HHH")


class _VPLSBase:
    __slots__ = ()
    family: ClassVar[tuple[int, int]] = VPLS_FAMILY
    afi: ClassVar[int] = 25
    safi: ClassVar[int] = 65
    path_id: int | None

    def body(self) -> bytes:
        """The NLRI after its length field; each form (VPLSRoute, VPLSAutoDiscovery,
        UnknownVPLSRoute) defines its own (an abstract method of this private base)."""
        raise NotImplementedError(f"{type(self).__name__} defines no VPLS NLRI body")

    def encode(self) -> bytes:
        """The NLRI octets: [path id (4)] + length (2) + body."""
        body = self.body()
        if len(body) > 0xFFFF:
            raise EncodeError("vpls.length", f"{len(body)} octets do not fit 2 octets")
        return with_path_id(self.path_id, len(body).to_bytes(2, "big") + body)

    def __json__(self) -> dict[str, Any]:
        out: dict[str, Any] = {"family": "vpls", "text": str(self)}
        for name in self.__dataclass_fields__:  # type: ignore[attr-defined]
            value = getattr(self, name)
            out[name] = value.hex() if isinstance(value, bytes) else str(value) if name == "rd" else value
        if isinstance(self, VPLSRoute):
            out["label_base"] = self.label_base
        return out


@dataclass(slots=True)
class VPLSRoute(_VPLSBase):
    """A VPLS NLRI of BGP signalling (RFC 4761 section 3.2.2): the VE's
    label block ``label_base .. label_base + ve_block_size - 1`` for the VEs
    ``ve_block_offset ..``."""

    rd: RouteDistinguisher
    ve_id: int
    ve_block_offset: int
    ve_block_size: int
    label_field: int
    path_id: int | None = field(default=None, kw_only=True)

    @property
    def label_base(self) -> int:
        """The label base: the high-order 20 bits of the 3-octet field."""
        return self.label_field >> 4

    def __str__(self) -> str:
        return (f"{self.rd}:ve {self.ve_id}:offset {self.ve_block_offset}:size {self.ve_block_size}"
                f":label {self.label_base}")  # fmt: skip

    def body(self) -> bytes:
        try:
            return (self.rd.encode() + _HHH.pack(self.ve_id, self.ve_block_offset, self.ve_block_size)
                    + self.label_field.to_bytes(3, "big"))  # fmt: skip
        except (struct.error, OverflowError) as exc:
            raise EncodeError("vpls", str(exc)) from exc


@dataclass(slots=True)
class VPLSAutoDiscovery(_VPLSBase):
    """A BGP auto-discovery NLRI (RFC 6074 section 3.2.2): RD and the PE's
    IPv4 address (together the VSI-ID)."""

    rd: RouteDistinguisher
    pe_address: str
    path_id: int | None = field(default=None, kw_only=True)

    def __str__(self) -> str:
        return f"{self.rd}:{self.pe_address}"

    def body(self) -> bytes:
        try:
            return self.rd.encode() + socket.inet_aton(self.pe_address)
        except OSError as exc:
            raise EncodeError("vpls.pe_address", f"not an IPv4 address: {self.pe_address!r}") from exc


@dataclass(slots=True)
class UnknownVPLSRoute(_VPLSBase):
    """A VPLS NLRI of a length neither RFC 4761 (17) nor RFC 6074 (12) defines."""

    data: bytes
    path_id: int | None = field(default=None, kw_only=True)

    def __str__(self) -> str:
        return f"unknown {self.data.hex()}"

    def body(self) -> bytes:
        return self.data


VPLSNLRI = VPLSRoute | VPLSAutoDiscovery | UnknownVPLSRoute


def decode_vpls_nlri(buf: bytes, pos: int, end: int, path_id: bool = False) -> list[VPLSNLRI]:
    """Decode the VPLS NLRI in ``buf[pos:end]``.  Errors are
    :class:`NLRIDecodeError` at the failing NLRI."""
    out: list[VPLSNLRI] = []
    p = pos
    while p < end:
        start = p
        pid, p = read_path_id(buf, p, end, path_id, "VPLS")
        if p + 2 > end:
            raise NLRIDecodeError("VPLS NLRI too short for its length", start, buf[start:end])
        n = (buf[p] << 8) | buf[p + 1]
        q = p + 2 + n
        if q > end:
            raise NLRIDecodeError(f"VPLS NLRI of {n} octets runs past the end of the NLRI", start, buf[start:end])
        b = p + 2
        if n == 17:
            ve_id, offset, size = _HHH.unpack_from(buf, b + 8)
            rd = RouteDistinguisher(buf[b : b + 8])
            out.append(VPLSRoute(rd, ve_id, offset, size, int.from_bytes(buf[b + 14 : q], "big"), path_id=pid))
        elif n == 12:
            pe = socket.inet_ntoa(buf[b + 8 : q])
            out.append(VPLSAutoDiscovery(RouteDistinguisher(buf[b : b + 8]), pe, path_id=pid))
        else:
            out.append(UnknownVPLSRoute(buf[b:q], path_id=pid))
        p = q
    return out


class VPLSCodec:
    """The NLRI codec of AFI 25 / SAFI 65 (:class:`~bmplib.nlri.registry.NLRICodec`)."""

    def decode(self, buf: bytes, pos: int, end: int, path_id: bool, ctx: DecodeContext) -> list[Any]:
        return decode_vpls_nlri(buf, pos, end, path_id)

    def encode(self, routes: list[Any], path_id: bool, ctx: DecodeContext) -> bytes:
        return b"".join(r.encode() for r in routes)


register(AFI.L2VPN, SAFI.VPLS, VPLSCodec())
