"""Route Distinguisher (RFC 4364 section 4.2).

The model keeps the 8 wire octets and derives everything else from them, so
building one costs a single attribute and it always re-encodes exactly.
"""

from __future__ import annotations

import socket
import struct

from bmplib.errors import EncodeError

__all__ = ["RouteDistinguisher"]

_H = struct.Struct("!H")
_HI = struct.Struct("!HI")
_IH = struct.Struct("!IH")


class RouteDistinguisher:
    """An 8-octet Route Distinguisher: 2-octet type + 6-octet value.

    Types (RFC 4364 section 4.2): 0 = 2-octet AS : 4-octet number,
    1 = IPv4 address : 2-octet number, 2 = 4-octet AS : 2-octet number.
    ``str(rd)`` gives the usual text form (``65000:100``, ``192.0.2.1:7``,
    ``4200000000:9``); other types print as ``type:hex``.
    """

    __slots__ = ("raw",)

    def __init__(self, raw: bytes) -> None:
        if len(raw) != 8:
            raise EncodeError("route_distinguisher", f"needs 8 octets, got {len(raw)}")
        self.raw = bytes(raw)

    @property
    def type(self) -> int:
        """The RD type (0, 1, 2, or an unassigned value)."""
        return int(_H.unpack_from(self.raw)[0])

    @property
    def administrator(self) -> int | str:
        """The administrator subfield: an AS number, or an IPv4 address text."""
        t = self.type
        if t == 0:
            return int(_H.unpack_from(self.raw, 2)[0])
        if t == 1:
            return socket.inet_ntop(socket.AF_INET, self.raw[2:6])
        return int(_IH.unpack_from(self.raw, 2)[0])

    @property
    def assigned(self) -> int:
        """The assigned number subfield."""
        t = self.type
        if t == 0:
            return int.from_bytes(self.raw[4:8], "big")
        return int.from_bytes(self.raw[6:8], "big")

    def __str__(self) -> str:
        if self.type in (0, 1, 2):
            return f"{self.administrator}:{self.assigned}"
        return f"{self.type}:{self.raw[2:].hex()}"

    def __repr__(self) -> str:
        return f"RouteDistinguisher({str(self)!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, RouteDistinguisher) and other.raw == self.raw

    def __hash__(self) -> int:
        return hash(self.raw)

    def encode(self) -> bytes:
        """The 8 wire octets."""
        return self.raw

    @classmethod
    def from_text(cls, text: str) -> RouteDistinguisher:
        """Build from ``ASN:number`` or ``a.b.c.d:number``.  An ASN above
        65535 gives type 2, an IPv4 administrator type 1, otherwise type 0."""
        admin, sep, number = text.rpartition(":")
        if not sep:
            raise EncodeError("route_distinguisher", f"not ADMIN:NUMBER: {text!r}")
        try:
            n = int(number)
            if "." in admin:
                packed = socket.inet_pton(socket.AF_INET, admin)
                if not 0 <= n <= 0xFFFF:
                    raise EncodeError("route_distinguisher", f"number {n} does not fit 2 octets")
                return cls(b"\x00\x01" + packed + _H.pack(n))
            asn = int(admin)
        except (ValueError, OSError) as exc:
            raise EncodeError("route_distinguisher", f"not ADMIN:NUMBER: {text!r}") from exc
        if 0 <= asn <= 0xFFFF and 0 <= n <= 0xFFFFFFFF:
            return cls(b"\x00\x00" + _HI.pack(asn, n))
        if 0 <= asn <= 0xFFFFFFFF and 0 <= n <= 0xFFFF:
            return cls(b"\x00\x02" + _IH.pack(asn, n))
        raise EncodeError("route_distinguisher", f"values do not fit any RD type: {text!r}")
