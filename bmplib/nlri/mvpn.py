"""MCAST-VPN NLRI (AFI 1/2, SAFI 5; RFC 6514 section 4): route types 1-7.

Every NLRI is ``route type (1) | length (1) | route-type specific``:

====  ===============================  ==========================================
type  route (RFC 6514 section)         route-type specific octets
====  ===============================  ==========================================
1     Intra-AS I-PMSI A-D (4.1)        RD, originating router's IP
2     Inter-AS I-PMSI A-D (4.2)        RD, source AS (4)
3     S-PMSI A-D (4.3)                 RD, source, group, originating router's IP
4     Leaf A-D (4.4, RFC 7524 s. 6.2)  route key (an MVPN NLRI), originating IP
5     Source Active A-D (4.5)          RD, source, group
6     Shared Tree Join (4.6)           RD, source AS (4), source (C-RP), group
7     Source Tree Join (4.6)           RD, source AS (4), source, group
====  ===============================  ==========================================

Sources and groups are ``length in bits (1) | address``: 32 or 128, or 0
for the wildcards of RFC 6625 (``None`` in the model).  The originating
router's IP has no length octet: it is the rest of the route (4 or 16
octets).  The route key of a Leaf A-D route is decoded as the MVPN route it
carries (``route_key``).  A route type bmplib does not know keeps its code
and octets (:class:`UnknownMVPNRoute`).

Text form, as EVPN's: ``[3][65000:1][S 192.0.2.99][G 232.1.1.1][192.0.2.51]``.
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
from bmplib.nlri.registry import SAFI, family_name, register
from bmplib.nlri.walk import read_path_id, with_path_id
from bmplib.session import DecodeContext

__all__ = [
    "IPV4_MVPN",
    "IPV6_MVPN",
    "InterASIPMSIAD",
    "IntraASIPMSIAD",
    "LeafAD",
    "MVPNCodec",
    "MVPNRoute",
    "MVPNRouteType",
    "SPMSIAD",
    "SharedTreeJoin",
    "SourceActiveAD",
    "SourceTreeJoin",
    "UnknownMVPNRoute",
    "decode_mvpn_nlri",
    "decode_mvpn_route",
]

IPV4_MVPN = (1, 5)
IPV6_MVPN = (2, 5)
_U32 = struct.Struct("!I")
_ADDR_OCTETS = {0: 0, 32: 4, 128: 16}


class MVPNRouteType(enum.IntEnum):
    """MCAST-VPN route types (IANA "MCAST-VPN NLRI Route Types", RFC 6514)."""

    INTRA_AS_I_PMSI_AD = 1
    INTER_AS_I_PMSI_AD = 2
    S_PMSI_AD = 3
    LEAF_AD = 4
    SOURCE_ACTIVE_AD = 5
    SHARED_TREE_JOIN = 6
    SOURCE_TREE_JOIN = 7


_ROUTE_TYPES = {t.value: t for t in MVPNRouteType}


def _ip_text(raw: bytes) -> str:
    return socket.inet_ntop(socket.AF_INET if len(raw) == 4 else socket.AF_INET6, raw)


def _ip_raw(what: str, text: str | None) -> bytes:
    if text is None:
        return b""
    try:
        return socket.inet_pton(socket.AF_INET6 if ":" in text else socket.AF_INET, text)
    except OSError as exc:
        raise EncodeError(f"mvpn.{what}", f"not an IP address: {text!r}") from exc


def _len_ip(what: str, text: str | None) -> bytes:
    raw = _ip_raw(what, text)
    return bytes((8 * len(raw),)) + raw


def _as4(value: int) -> bytes:
    if not 0 <= value <= 0xFFFFFFFF:
        raise EncodeError("mvpn.source_as", f"{value} does not fit 4 octets")
    return _U32.pack(value)


class _Reader:
    """Bounds-checked reads inside one MVPN route; failures are an
    :class:`NLRIDecodeError` for the route at *start*."""

    __slots__ = ("buf", "end", "p", "start")

    def __init__(self, buf: bytes, pos: int, end: int, start: int) -> None:
        self.buf, self.p, self.end, self.start = buf, pos, end, start

    def fail(self, reason: str) -> NLRIDecodeError:
        return NLRIDecodeError(f"MVPN route: {reason}", self.start, self.buf[self.start : self.end])

    def take(self, n: int, what: str) -> bytes:
        p = self.p
        if p + n > self.end:
            raise self.fail(f"too short for its {what}")
        self.p = p + n
        return self.buf[p : p + n]

    def rd(self) -> RouteDistinguisher:
        return RouteDistinguisher(self.take(8, "route distinguisher"))

    def address(self, what: str) -> str | None:
        """``length in bits (1) | address``; length 0 is a wildcard (``None``)."""
        bits = self.take(1, f"{what} length")[0]
        n = _ADDR_OCTETS.get(bits)
        if n is None:
            raise self.fail(f"{what} length {bits} is not 0, 32 or 128")
        return _ip_text(self.take(n, what)) if n else None

    def originator(self) -> str:
        """The originating router's IP: the rest of the route, 4 or 16 octets."""
        n = self.end - self.p
        if n not in (4, 16):
            raise self.fail(f"originating router's IP of {n} octets (expected 4 or 16)")
        return _ip_text(self.take(n, "originating router's IP"))


@dataclass(slots=True)
class MVPNRoute:
    """What every MCAST-VPN route has: its type (:attr:`route_type`), the
    family, the ADD-PATH path identifier, ``encode()``, a text ``str()``."""

    TYPE: ClassVar[int] = 0
    safi: ClassVar[int] = SAFI.MCAST_VPN.value
    #: ``(1, 5)`` or ``(2, 5)``; keyword-only
    family: tuple[int, int] = field(default=IPV4_MVPN, kw_only=True)
    #: the ADD-PATH path identifier (RFC 7911), or ``None``; keyword-only
    path_id: int | None = field(default=None, kw_only=True)

    @property
    def afi(self) -> int:
        return self.family[0]

    @property
    def route_type(self) -> MVPNRouteType | int:
        return _ROUTE_TYPES.get(self.TYPE, self.TYPE)

    def encode_body(self) -> bytes:
        """The route-type specific octets."""
        raise EncodeError("mvpn", f"{type(self).__name__} has no wire form")

    def encode_route(self) -> bytes:
        """``type | length | body``, without the path identifier."""
        body = self.encode_body()
        code = self.route_type
        if len(body) > 255 or not 0 <= code <= 255:
            raise EncodeError("mvpn", f"route type {code} / length {len(body)} does not fit one octet")
        return bytes((code, len(body))) + body

    def encode(self) -> bytes:
        """The NLRI octets: [path id (4)] + route type + length + body."""
        return with_path_id(self.path_id, self.encode_route())

    def text_fields(self) -> list[str]:
        return []

    def __str__(self) -> str:
        return f"[{int(self.route_type)}]" + "".join(f"[{x}]" for x in self.text_fields())

    def __json__(self) -> dict[str, Any]:
        rt = self.route_type
        out: dict[str, Any] = {
            "family": family_name(*self.family),
            "route_type": rt.name.lower() if isinstance(rt, MVPNRouteType) else rt,
            "text": str(self),
        }
        for f in dataclasses.fields(self):
            if f.name == "family":
                continue
            value = getattr(self, f.name)
            if isinstance(value, MVPNRoute):
                value = value.__json__()
            elif isinstance(value, bytes):
                value = value.hex()
            elif isinstance(value, RouteDistinguisher):
                value = str(value)
            out[f.name] = value
        return out


def _sg(source: str | None, group: str | None) -> list[str]:
    return [f"S {source or '*'}", f"G {group or '*'}"]


@dataclass(slots=True)
class IntraASIPMSIAD(MVPNRoute):
    """Intra-AS I-PMSI A-D route (type 1, RFC 6514 section 4.1)."""

    TYPE: ClassVar[int] = 1
    rd: RouteDistinguisher
    originator: str

    def encode_body(self) -> bytes:
        return self.rd.encode() + _ip_raw("originator", self.originator)

    def text_fields(self) -> list[str]:
        return [str(self.rd), self.originator]

    @classmethod
    def decode_from(cls, r: _Reader) -> IntraASIPMSIAD:
        return cls(r.rd(), r.originator())


@dataclass(slots=True)
class InterASIPMSIAD(MVPNRoute):
    """Inter-AS I-PMSI A-D route (type 2, RFC 6514 section 4.2)."""

    TYPE: ClassVar[int] = 2
    rd: RouteDistinguisher
    source_as: int

    def encode_body(self) -> bytes:
        return self.rd.encode() + _as4(self.source_as)

    def text_fields(self) -> list[str]:
        return [str(self.rd), f"AS {self.source_as}"]

    @classmethod
    def decode_from(cls, r: _Reader) -> InterASIPMSIAD:
        return cls(r.rd(), int(_U32.unpack(r.take(4, "source AS"))[0]))


@dataclass(slots=True)
class SPMSIAD(MVPNRoute):
    """S-PMSI A-D route (type 3, RFC 6514 section 4.3; wildcards RFC 6625)."""

    TYPE: ClassVar[int] = 3
    rd: RouteDistinguisher
    source: str | None
    group: str | None
    originator: str

    def encode_body(self) -> bytes:
        return (self.rd.encode() + _len_ip("source", self.source) + _len_ip("group", self.group)
                + _ip_raw("originator", self.originator))  # fmt: skip

    def text_fields(self) -> list[str]:
        return [str(self.rd), *_sg(self.source, self.group), self.originator]

    @classmethod
    def decode_from(cls, r: _Reader) -> SPMSIAD:
        return cls(r.rd(), r.address("multicast source"), r.address("multicast group"), r.originator())


@dataclass(slots=True)
class LeafAD(MVPNRoute):
    """Leaf A-D route (type 4, RFC 6514 section 4.4, RFC 7524 section 6.2):
    the route it answers (``route_key``, an MVPN route) and the leaf's IP."""

    TYPE: ClassVar[int] = 4
    route_key: MVPNRoute
    originator: str

    def encode_body(self) -> bytes:
        return self.route_key.encode_route() + _ip_raw("originator", self.originator)

    def text_fields(self) -> list[str]:
        return [f"key {self.route_key}", self.originator]

    @classmethod
    def decode_from(cls, r: _Reader, family: tuple[int, int]) -> LeafAD:
        head = r.take(2, "route key type and length")
        key_start = r.p - 2
        r.take(head[1], "route key")
        key = decode_mvpn_route(r.buf, key_start, r.p, family)
        return cls(key, r.originator())


@dataclass(slots=True)
class SourceActiveAD(MVPNRoute):
    """Source Active A-D route (type 5, RFC 6514 section 4.5)."""

    TYPE: ClassVar[int] = 5
    rd: RouteDistinguisher
    source: str | None
    group: str | None

    def encode_body(self) -> bytes:
        return self.rd.encode() + _len_ip("source", self.source) + _len_ip("group", self.group)

    def text_fields(self) -> list[str]:
        return [str(self.rd), *_sg(self.source, self.group)]

    @classmethod
    def decode_from(cls, r: _Reader) -> SourceActiveAD:
        return cls(r.rd(), r.address("multicast source"), r.address("multicast group"))


@dataclass(slots=True)
class _CMulticast(MVPNRoute):
    """C-multicast routes (types 6 and 7, RFC 6514 section 4.6)."""

    rd: RouteDistinguisher
    source_as: int
    source: str | None
    group: str | None

    def encode_body(self) -> bytes:
        return (self.rd.encode() + _as4(self.source_as) + _len_ip("source", self.source)
                + _len_ip("group", self.group))  # fmt: skip

    def text_fields(self) -> list[str]:
        return [str(self.rd), f"AS {self.source_as}", *_sg(self.source, self.group)]

    @classmethod
    def decode_from(cls, r: _Reader) -> Any:
        rd = r.rd()
        source_as = int(_U32.unpack(r.take(4, "source AS"))[0])
        return cls(rd, source_as, r.address("multicast source"), r.address("multicast group"))


@dataclass(slots=True)
class SharedTreeJoin(_CMulticast):
    """C-multicast Shared Tree Join route (type 6): ``source`` is the C-RP."""

    TYPE: ClassVar[int] = 6


@dataclass(slots=True)
class SourceTreeJoin(_CMulticast):
    """C-multicast Source Tree Join route (type 7)."""

    TYPE: ClassVar[int] = 7


@dataclass(slots=True)
class UnknownMVPNRoute(MVPNRoute):
    """An MVPN route of a type bmplib does not decode: code and octets."""

    code: int
    data: bytes

    @property
    def route_type(self) -> MVPNRouteType | int:
        return _ROUTE_TYPES.get(self.code, self.code)

    def encode_body(self) -> bytes:
        return self.data

    def __str__(self) -> str:
        return f"[{self.code}][{self.data.hex()}]"


_DECODERS: dict[int, Any] = {
    1: IntraASIPMSIAD.decode_from,
    2: InterASIPMSIAD.decode_from,
    3: SPMSIAD.decode_from,
    5: SourceActiveAD.decode_from,
    6: SharedTreeJoin.decode_from,
    7: SourceTreeJoin.decode_from,
}


def decode_mvpn_route(buf: bytes, pos: int, end: int, family: tuple[int, int] = IPV4_MVPN) -> MVPNRoute:
    """One MVPN route (type, length, body) filling ``buf[pos:end]``."""
    if end - pos < 2 or buf[pos + 1] != end - pos - 2:
        raise NLRIDecodeError("MVPN route length does not match its field", pos, buf[pos:end])
    code = buf[pos]
    r = _Reader(buf, pos + 2, end, pos)
    route: MVPNRoute
    if code == 4:
        route = LeafAD.decode_from(r, family)
    else:
        decoder = _DECODERS.get(code)
        if decoder is None:
            route = UnknownMVPNRoute(code, buf[pos + 2 : end])
            r.p = end
        else:
            route = decoder(r)
    if r.p != end:
        raise r.fail(f"{end - r.p} unexpected octets at the end")
    route.family = family
    return route


def decode_mvpn_nlri(buf: bytes, pos: int, end: int, family: tuple[int, int], path_id: bool = False) -> list[MVPNRoute]:
    """Decode the MVPN NLRI in ``buf[pos:end]``.  Errors are
    :class:`NLRIDecodeError` at the failing NLRI."""
    out: list[MVPNRoute] = []
    p = pos
    while p < end:
        start = p
        pid, p = read_path_id(buf, p, end, path_id, "MVPN")
        if p + 2 > end:
            raise NLRIDecodeError("MVPN NLRI too short for its type and length", start, buf[start:end])
        q = p + 2 + buf[p + 1]
        if q > end:
            raise NLRIDecodeError("MVPN route runs past the end of the NLRI", start, buf[start:end])
        route = decode_mvpn_route(buf, p, q, family)
        route.path_id = pid
        out.append(route)
        p = q
    return out


class MVPNCodec:
    """The NLRI codec of AFI 1/2 / SAFI 5 (:class:`~bmplib.nlri.registry.NLRICodec`)."""

    def __init__(self, family: tuple[int, int]) -> None:
        self.family = family

    def decode(self, buf: bytes, pos: int, end: int, path_id: bool, ctx: DecodeContext) -> list[Any]:
        return decode_mvpn_nlri(buf, pos, end, self.family, path_id)

    def encode(self, routes: list[Any], path_id: bool, ctx: DecodeContext) -> bytes:
        return b"".join(r.encode() for r in routes)


for _family in (IPV4_MVPN, IPV6_MVPN):
    register(_family[0], _family[1], MVPNCodec(_family))
