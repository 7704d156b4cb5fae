"""BGP Mobile User Plane (MUP) NLRI (AFI 1/2, SAFI 85;
draft-mpmz-bess-mup-safi section 3.1).

Every NLRI is ``architecture type (1) | route type (2) | length (1) | route
type specific``.  For architecture type 1 (3GPP 5G) bmplib decodes the four
route types GoBGP sends:

====  ==========================================  ====================================
type  route                                       class
====  ==========================================  ====================================
1     Interwork Segment Discovery (3.1.1)         :class:`InterworkSegmentDiscovery`
2     Direct Segment Discovery (3.1.2)            :class:`DirectSegmentDiscovery`
3     Type 1 Session Transformed (3.1.3)          :class:`Type1SessionTransformed`
4     Type 2 Session Transformed (3.1.4)          :class:`Type2SessionTransformed`
====  ==========================================  ====================================

Any other architecture or route type keeps its octets
(:class:`UnknownMUPRoute`).  Addresses are 4 octets in AFI 1 and 16 in AFI
2.  Text forms follow GoBGP's: ``[isd][65300:60][10.60.0.0/24]``.
"""

from __future__ import annotations

import dataclasses
import enum
import socket
import struct
from dataclasses import dataclass, field
from typing import Any, ClassVar

from bmplib.errors import EncodeError, NLRIDecodeError
from bmplib.nlri.rd import RouteDistinguisher
from bmplib.nlri.registry import AFI, SAFI, family_name, register
from bmplib.nlri.walk import read_path_id, with_path_id
from bmplib.session import DecodeContext

__all__ = [
    "DirectSegmentDiscovery",
    "InterworkSegmentDiscovery",
    "MUPArchitectureType",
    "MUPCodec",
    "MUPRoute",
    "MUPRouteType",
    "Type1SessionTransformed",
    "Type2SessionTransformed",
    "UnknownMUPRoute",
    "decode_mup_nlri",
]

_U32 = struct.Struct("!I")
_HDR = struct.Struct("!BHB")
_WIDTH = {1: 4, 2: 16}


class MUPArchitectureType(enum.IntEnum):
    """BGP MUP Architecture Types (draft-mpmz-bess-mup-safi section 3.1)."""

    THREE_GPP_5G = 1


class MUPRouteType(enum.IntEnum):
    """BGP MUP Route Types (draft-mpmz-bess-mup-safi section 3.1)."""

    INTERWORK_SEGMENT_DISCOVERY = 1
    DIRECT_SEGMENT_DISCOVERY = 2
    TYPE_1_SESSION_TRANSFORMED = 3
    TYPE_2_SESSION_TRANSFORMED = 4


_ROUTE_TYPES = {m.value: m for m in MUPRouteType}
_ARCH_TYPES = {m.value: m for m in MUPArchitectureType}
_SHORT = {1: "isd", 2: "dsd", 3: "t1st", 4: "t2st"}


def _ntop(raw: bytes) -> str:
    return socket.inet_ntop(socket.AF_INET if len(raw) == 4 else socket.AF_INET6, raw)


def _pton(name: str, text: str, width: int) -> bytes:
    try:
        raw = socket.inet_pton(socket.AF_INET6 if ":" in text else socket.AF_INET, text)
    except (OSError, ValueError) as exc:
        raise EncodeError(name, f"not an IP address: {text!r}") from exc
    if len(raw) != width:
        raise EncodeError(name, f"{text} is not a {width}-octet address")
    return raw


def _prefix_text(length: int, packed: bytes, width: int) -> str:
    return f"{_ntop(packed + bytes(width - len(packed)))}/{length}"


@dataclass(slots=True)
class MUPRoute:
    """Common part of the MUP routes: *afi* (1 or 2) says the address size,
    *architecture_type* the architecture (1: 3GPP 5G)."""

    TYPE: ClassVar[int] = 0
    afi: int = field(default=1, kw_only=True)
    architecture_type: MUPArchitectureType | int = field(default=MUPArchitectureType.THREE_GPP_5G, kw_only=True)
    path_id: int | None = field(default=None, kw_only=True)

    @property
    def family(self) -> tuple[int, int]:
        return (self.afi, 85)

    @property
    def route_type(self) -> MUPRouteType | int:
        return _ROUTE_TYPES.get(self.TYPE, self.TYPE)

    @property
    def width(self) -> int:
        return _WIDTH.get(self.afi, 16)

    def encode_body(self) -> bytes:  # pragma: no cover - every subclass overrides
        raise EncodeError("mup", f"{type(self).__name__} has no wire form")

    def text_fields(self) -> list[str]:
        return []

    def encode(self) -> bytes:
        """The NLRI octets: [path id (4)] + architecture + route type + length + body."""
        return _frame(self.path_id, self.architecture_type, self.TYPE, self.encode_body())

    def __str__(self) -> str:
        return "".join(f"[{x}]" for x in [_SHORT.get(self.TYPE, str(self.TYPE)), *self.text_fields()])

    def __json__(self) -> dict[str, Any]:
        from bmplib.json import value_to_json

        out: dict[str, Any] = {"family": family_name(*self.family), "text": str(self), "path_id": self.path_id,
                               "route_type": value_to_json(self.route_type),
                               "architecture_type": value_to_json(self.architecture_type)}  # fmt: skip
        for f in dataclasses.fields(self):
            name = f.name
            if name not in out and name != "afi":
                out[name] = value_to_json(getattr(self, name))
        for name in getattr(type(self), "_json_views", ()):
            out[name] = value_to_json(getattr(self, name))
        return out


def _frame(path_id: int | None, arch: int, code: int, body: bytes) -> bytes:
    if not 0 <= arch <= 0xFF or not 0 <= code <= 0xFFFF or len(body) > 0xFF:
        raise EncodeError("mup", f"architecture {arch} / route type {code} / length {len(body)} does not fit")
    return with_path_id(path_id, _HDR.pack(arch, code, len(body)) + body)


def _pack_prefix(length: int, packed: bytes, width: int) -> bytes:
    if not 0 <= length <= width * 8 or len(packed) != (length + 7) >> 3:
        raise EncodeError("mup.prefix", f"/{length} with {len(packed)} octets does not fit")
    return bytes((length,)) + packed


@dataclass(slots=True)
class InterworkSegmentDiscovery(MUPRoute):
    """Interwork Segment Discovery route (type 1, section 3.1.1): RD and the
    prefix of the interwork segment (*length* bits, *packed* octets; ``prefix``: its CIDR text)."""

    TYPE: ClassVar[int] = 1
    _json_views: ClassVar[tuple[str, ...]] = ("prefix",)
    rd: RouteDistinguisher
    length: int
    packed: bytes

    @property
    def prefix(self) -> str:
        """The prefix as CIDR text (``10.60.0.0/24``)."""
        return _prefix_text(self.length, self.packed, self.width)

    def encode_body(self) -> bytes:
        return self.rd.encode() + _pack_prefix(self.length, self.packed, self.width)

    def text_fields(self) -> list[str]:
        return [str(self.rd), self.prefix]


@dataclass(slots=True)
class DirectSegmentDiscovery(MUPRoute):
    """Direct Segment Discovery route (type 2, section 3.1.2): RD and the
    address of the direct segment."""

    TYPE: ClassVar[int] = 2
    rd: RouteDistinguisher
    address: str

    def encode_body(self) -> bytes:
        return self.rd.encode() + _pton("mup.address", self.address, self.width)

    def text_fields(self) -> list[str]:
        return [str(self.rd), self.address]


def _len_addr(name: str, bits: int, address: str | None) -> bytes:
    raw = b"" if address is None else _pton(name, address, 16 if ":" in address else 4)
    if bits != len(raw) * 8:
        raise EncodeError(name, f"length {bits} does not match {address!r}")
    return bytes((bits,)) + raw


@dataclass(slots=True)
class Type1SessionTransformed(MUPRoute):
    """Type 1 Session Transformed route (type 3, section 3.1.3; 3GPP 5G):
    RD, the UE prefix, TEID, QFI, the endpoint address, and (draft -03 on)
    the source address; *source_length* is ``None`` when the route has no
    source address length field (older encoders)."""

    TYPE: ClassVar[int] = 3
    _json_views: ClassVar[tuple[str, ...]] = ("prefix",)
    rd: RouteDistinguisher
    length: int
    packed: bytes
    teid: int
    qfi: int
    endpoint_length: int
    endpoint: str | None
    source_length: int | None = None
    source: str | None = None

    @property
    def prefix(self) -> str:
        """The prefix as CIDR text (``10.60.0.0/24``)."""
        return _prefix_text(self.length, self.packed, self.width)

    def encode_body(self) -> bytes:
        if not 0 <= self.teid <= 0xFFFFFFFF or not 0 <= self.qfi <= 0xFF:
            raise EncodeError("mup.t1st", "TEID / QFI out of range")
        out = (
            self.rd.encode()
            + _pack_prefix(self.length, self.packed, self.width)
            + _U32.pack(self.teid)
            + bytes((self.qfi,))
            + _len_addr("mup.endpoint", self.endpoint_length, self.endpoint)
        )
        if self.source_length is not None:
            out += _len_addr("mup.source", self.source_length, self.source)
        elif self.source is not None:
            raise EncodeError("mup.source", "a source address needs its length")
        return out

    def text_fields(self) -> list[str]:
        return [str(self.rd), self.prefix]


@dataclass(slots=True)
class Type2SessionTransformed(MUPRoute):
    """Type 2 Session Transformed route (type 4, section 3.1.4; 3GPP 5G):
    RD, *endpoint_length* (bits of the endpoint address plus the TEID
    bits), the endpoint address and the TEID octets as an integer."""

    TYPE: ClassVar[int] = 4
    rd: RouteDistinguisher
    endpoint_length: int
    endpoint: str
    teid: int

    @property
    def teid_octets(self) -> int:
        return max(0, (self.endpoint_length - self.width * 8 + 7) >> 3)

    def encode_body(self) -> bytes:
        n = self.teid_octets
        if not 0 <= self.endpoint_length <= 0xFF or not 0 <= self.teid < 1 << (8 * n):
            raise EncodeError("mup.t2st", f"TEID {self.teid} does not fit length {self.endpoint_length}")
        return (
            self.rd.encode()
            + bytes((self.endpoint_length,))
            + _pton("mup.endpoint", self.endpoint, self.width)
            + self.teid.to_bytes(n, "big")
        )

    def text_fields(self) -> list[str]:
        return [str(self.rd), f"{self.endpoint}", f"teid {self.teid}"]


@dataclass(slots=True)
class UnknownMUPRoute(MUPRoute):
    """A MUP route of an architecture or route type bmplib does not decode:
    its route type code and raw route-type specific octets."""

    code: int
    data: bytes

    @property
    def route_type(self) -> MUPRouteType | int:
        return _ROUTE_TYPES.get(self.code, self.code)

    def encode(self) -> bytes:
        return _frame(self.path_id, self.architecture_type, self.code, self.data)

    def __str__(self) -> str:
        return f"[{self.architecture_type}:{self.code}][{self.data.hex()}]"


class _Reader:
    """Bounds-checked reads inside one MUP route; failures are an
    :class:`NLRIDecodeError` for the whole route at *start*."""

    __slots__ = ("buf", "end", "p", "start")

    def __init__(self, buf: bytes, pos: int, end: int, start: int) -> None:
        self.buf, self.p, self.end, self.start = buf, pos, end, start

    def fail(self, reason: str) -> NLRIDecodeError:
        return NLRIDecodeError(f"MUP route: {reason}", self.start, self.buf[self.start : self.end])

    def take(self, n: int, what: str) -> bytes:
        if self.p + n > self.end:
            raise self.fail(f"too short for its {what}")
        self.p += n
        return self.buf[self.p - n : self.p]

    def prefix(self, width: int) -> tuple[int, bytes]:
        bits = self.take(1, "prefix length")[0]
        if bits > width * 8:
            raise self.fail(f"prefix length {bits} exceeds {width * 8}")
        return bits, self.take((bits + 7) >> 3, "prefix")

    def address(self, what: str) -> tuple[int, str | None]:
        bits = self.take(1, f"{what} length")[0]
        if bits not in (0, 32, 128):
            raise self.fail(f"{what} length {bits} is not 32 or 128")
        return bits, _ntop(self.take(bits // 8, what)) if bits else None

    def done(self) -> None:
        if self.p != self.end:
            raise self.fail(f"{self.end - self.p} unexpected octets at its end")


def _decode_route(r: _Reader, code: int, afi: int) -> MUPRoute:
    width = _WIDTH[afi]
    rd = RouteDistinguisher(r.take(8, "route distinguisher"))
    route: MUPRoute
    if code == 1:
        bits, packed = r.prefix(width)
        route = InterworkSegmentDiscovery(rd, bits, packed, afi=afi)
    elif code == 2:
        route = DirectSegmentDiscovery(rd, _ntop(r.take(width, "address")), afi=afi)
    elif code == 3:
        bits, packed = r.prefix(width)
        teid = int(_U32.unpack(r.take(4, "TEID"))[0])
        qfi = r.take(1, "QFI")[0]
        elen, endpoint = r.address("endpoint address")
        slen: int | None = None
        source: str | None = None
        if r.p < r.end:
            slen, source = r.address("source address")
        route = Type1SessionTransformed(rd, bits, packed, teid, qfi, elen, endpoint, slen, source, afi=afi)
    else:
        elen = r.take(1, "endpoint address length")[0]
        if elen < width * 8 or elen > width * 8 + 32:
            raise r.fail(f"endpoint length {elen} does not fit a {width}-octet address and a TEID")
        endpoint = _ntop(r.take(width, "endpoint address"))
        teid = int.from_bytes(r.take((elen - width * 8 + 7) >> 3, "TEID"), "big")
        route = Type2SessionTransformed(rd, elen, endpoint, teid, afi=afi)
    r.done()
    return route


def decode_mup_nlri(buf: bytes, pos: int, end: int, afi: int, path_id: bool = False) -> list[MUPRoute]:
    """Decode the MUP NLRI of AFI *afi* in ``buf[pos:end]``."""
    out: list[MUPRoute] = []
    p = pos
    while p < end:
        start = p
        pid, p = read_path_id(buf, p, end, path_id, "MUP")
        if p + 4 > end:
            raise NLRIDecodeError("MUP NLRI too short for its header", start, buf[start:end])
        arch, code, n = _HDR.unpack_from(buf, p)
        q = p + 4 + n
        if q > end:
            raise NLRIDecodeError(f"MUP route length {n} runs past the end of the NLRI", start, buf[start:end])
        arch_type = _ARCH_TYPES.get(arch, arch)
        route: MUPRoute
        if arch == 1 and code in _SHORT:
            route = _decode_route(_Reader(buf, p + 4, q, start), code, afi)
        else:
            route = UnknownMUPRoute(code, buf[p + 4 : q], afi=afi)
        route.architecture_type = arch_type
        route.path_id = pid
        out.append(route)
        p = q
    return out


class MUPCodec:
    """The NLRI codec of AFI 1/2, SAFI 85 (:class:`~bmplib.nlri.registry.NLRICodec`)."""

    def __init__(self, afi: int) -> None:
        self.afi = afi

    def decode(self, buf: bytes, pos: int, end: int, path_id: bool, ctx: DecodeContext) -> list[Any]:
        return decode_mup_nlri(buf, pos, end, self.afi, path_id)

    def encode(self, routes: list[Any], path_id: bool, ctx: DecodeContext) -> bytes:
        return b"".join(r.encode() for r in routes)


register(AFI.IPV4, SAFI.MUP, MUPCodec(1))
register(AFI.IPV6, SAFI.MUP, MUPCodec(2))
