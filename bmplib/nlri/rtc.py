"""Route Target Constraint NLRI (AFI 1, SAFI 132; RFC 4684 section 4), and
the same NLRI under AFI 2 (SAFI 132), which RFC 4684 does not define but
which the issue's exporters list: the layout does not depend on the AFI.

Each NLRI is a prefix of up to 96 bits over ``origin AS (4) | route target
(8)``: ``length (1, in bits) | ceil(length / 8) octets``.  Length 0 is the
default route-target membership ("send me every VPN route"); lengths 32-95
are route-target prefixes (RFC 4684 section 4: the origin AS and the leading
bits of the route target).

Text forms: ``default``, ``65000:65000:100`` (origin AS, then the route
target as ``ASN:number`` / ``a.b.c.d:number``), and ``65000:0002fd/48`` for a
prefix (origin AS, then the hex of the route-target bits and the length).
"""

from __future__ import annotations

import socket
import struct
from dataclasses import dataclass, field
from typing import Any

from bmplib.errors import EncodeError, NLRIDecodeError
from bmplib.nlri.registry import AFI, SAFI, family_name, register
from bmplib.session import DecodeContext

__all__ = ["RTC_FAMILY", "RTC_FAMILY_IPV6", "RTCCodec", "RouteTargetMembership", "decode_rtc_nlri", "route_target_text"]

RTC_FAMILY = (1, 132)
RTC_FAMILY_IPV6 = (2, 132)
_U32 = struct.Struct("!I")
_HI = struct.Struct("!HI")
_IH = struct.Struct("!IH")


def route_target_text(raw: bytes) -> str:
    """The usual text of an 8-octet route target extended community: type
    0x00 ``ASN:number``, 0x01 ``a.b.c.d:number``, 0x02 ``ASN4:number``
    (RFC 4360 section 4, RFC 5668); anything else as hex."""
    if len(raw) == 8 and raw[1] == 0x02:
        t = raw[0] & 0xBF  # the transitive bit does not change the layout
        if t == 0x00:
            asn, num = _HI.unpack_from(raw, 2)
            return f"{asn}:{num}"
        if t == 0x01:
            return f"{socket.inet_ntop(socket.AF_INET, raw[2:6])}:{int.from_bytes(raw[6:8], 'big')}"
        if t == 0x02:
            asn, num = _IH.unpack_from(raw, 2)
            return f"{asn}:{num}"
    return raw.hex()


@dataclass(slots=True, repr=False)
class RouteTargetMembership:
    """A route-target membership NLRI (RFC 4684 section 4).

    :ivar length: the prefix length in bits (0 for the default route, 96 for
        a full origin AS + route target).
    :ivar packed: the ``ceil(length / 8)`` octets as on the wire.
    :ivar path_id: the ADD-PATH path identifier, or ``None``.
    :ivar family: ``(1, 132)``, or ``(2, 132)`` for the NLRI of an AFI 2
        MP_REACH (keyword-only).
    """

    length: int
    packed: bytes
    path_id: int | None = None
    family: tuple[int, int] = field(default=RTC_FAMILY, kw_only=True)

    @classmethod
    def build(
        cls, origin_as: int | None = None, route_target: bytes | None = None, path_id: int | None = None
    ) -> RouteTargetMembership:
        """The default route (no arguments) or a full 96-bit membership."""
        if origin_as is None:
            return cls(0, b"", path_id)
        if route_target is None or len(route_target) != 8 or not 0 <= origin_as <= 0xFFFFFFFF:
            raise EncodeError("route_target", "needs a 4-octet origin AS and an 8-octet route target")
        return cls(96, _U32.pack(origin_as) + bytes(route_target), path_id)

    @property
    def is_default(self) -> bool:
        """The zero-length default route-target membership."""
        return self.length == 0

    @property
    def origin_as(self) -> int | None:
        """The origin AS (``None`` for prefixes shorter than 32 bits)."""
        return int(_U32.unpack_from(self.packed)[0]) if self.length >= 32 else None

    @property
    def route_target(self) -> bytes | None:
        """The 8 octets of the route target (only for a 96-bit NLRI)."""
        return self.packed[4:12] if self.length == 96 else None

    @property
    def prefix(self) -> str:
        """The text form (same as ``str()``)."""
        return str(self)

    def __str__(self) -> str:
        if self.length == 0:
            return "default"
        if self.length == 96:
            return f"{self.origin_as}:{route_target_text(self.packed[4:])}"
        if self.length >= 32:
            return f"{self.origin_as}:{self.packed[4:].hex()}/{self.length}"
        return f"{self.packed.hex()}/{self.length}"

    def __repr__(self) -> str:
        pid = "" if self.path_id is None else f", path_id={self.path_id}"
        return f"RouteTargetMembership({self}{pid})"

    def __json__(self) -> dict[str, Any]:
        return {
            "family": family_name(*self.family),
            "prefix": str(self),
            "length": self.length,
            "origin_as": self.origin_as,
            "route_target": None if self.route_target is None else route_target_text(self.route_target),
            "path_id": self.path_id,
        }

    def encode(self) -> bytes:
        """The NLRI octets: [path id (4)] + length (1) + prefix octets."""
        if not 0 <= self.length <= 96:
            raise EncodeError("rtc.length", f"{self.length} is out of range 0-96")
        if len(self.packed) != (self.length + 7) >> 3:
            raise EncodeError("rtc.packed", f"/{self.length} needs {(self.length + 7) >> 3} octets")
        out = bytes((self.length,)) + self.packed
        if self.path_id is None:
            return out
        if not 0 <= self.path_id <= 0xFFFFFFFF:
            raise EncodeError("path_id", f"{self.path_id} does not fit 4 octets")
        return _U32.pack(self.path_id) + out


def decode_rtc_nlri(
    buf: bytes, pos: int, end: int, path_id: bool = False, family: tuple[int, int] = RTC_FAMILY
) -> list[RouteTargetMembership]:
    """Decode the route-target membership NLRI in ``buf[pos:end]``.  Errors
    are :class:`NLRIDecodeError` at the failing NLRI."""
    out: list[RouteTargetMembership] = []
    p = pos
    while p < end:
        start = p
        pid: int | None = None
        if path_id:
            if p + 4 > end:
                raise NLRIDecodeError("RTC NLRI too short for its path identifier", start, buf[start:end])
            pid = int(_U32.unpack_from(buf, p)[0])
            p += 4
        if p >= end:
            raise NLRIDecodeError("RTC NLRI too short for its length octet", start, buf[start:end])
        length = buf[p]
        q = p + 1 + ((length + 7) >> 3)
        if length > 96:
            raise NLRIDecodeError(f"RTC prefix length {length} exceeds 96", start, buf[start:end])
        if q > end:
            raise NLRIDecodeError(f"RTC prefix /{length} runs past the end of the NLRI", start, buf[start:end])
        out.append(RouteTargetMembership(length, buf[p + 1 : q], pid, family=family))
        p = q
    return out


class RTCCodec:
    """The NLRI codec of AFI 1 or 2 / SAFI 132 (:class:`~bmplib.nlri.registry.NLRICodec`)."""

    def __init__(self, family: tuple[int, int] = RTC_FAMILY) -> None:
        self.family = family

    def decode(self, buf: bytes, pos: int, end: int, path_id: bool, ctx: DecodeContext) -> list[Any]:
        return decode_rtc_nlri(buf, pos, end, path_id, self.family)

    def encode(self, routes: list[Any], path_id: bool, ctx: DecodeContext) -> bytes:
        return b"".join(r.encode() for r in routes)


register(AFI.IPV4, SAFI.ROUTE_TARGET_CONSTRAINT, RTCCodec())
register(AFI.IPV6, SAFI.ROUTE_TARGET_CONSTRAINT, RTCCodec(RTC_FAMILY_IPV6))
