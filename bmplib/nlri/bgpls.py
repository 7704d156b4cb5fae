"""BGP-LS NLRI (AFI 16388, SAFI 71 and the VPN SAFI 72; RFC 9552 section
5.2, RFC 9514 section 6).

Every NLRI is ``NLRI type (2) | total length (2) | [RD (8), SAFI 72 only] |
protocol-ID (1) | identifier (8) | descriptor TLVs``.  The descriptor TLVs
(:mod:`bmplib.nlri.bgpls_tlvs`) are kept in wire order: the local node
descriptors (256), then for a link the remote node descriptors (257) and
link descriptors (258-263), for a prefix the prefix descriptors (263-265),
for an SRv6 SID the SRv6 SID information (518) and MT-ID.

========  =======================================  =====================
type      NLRI                                     class
========  =======================================  =====================
1         Node                                     :class:`NodeNLRI`
2         Link                                     :class:`LinkNLRI`
3         IPv4 Topology Prefix                     :class:`IPv4PrefixNLRI`
4         IPv6 Topology Prefix                     :class:`IPv6PrefixNLRI`
6         SRv6 SID (RFC 9514)                      :class:`SRv6SIDNLRI`
other     (kept raw)                               :class:`UnknownLSNLRI`
========  =======================================  =====================

Text form: ``[node][ospfv2][0][local_node_descriptors{autonomous_system=65500 ...}]``.
"""

from __future__ import annotations

import enum
import struct
from dataclasses import dataclass, field
from typing import Any, ClassVar

from bmplib.errors import EncodeError, NLRIDecodeError
from bmplib.nlri.bgpls_tlvs import (
    IPReachability,
    LSFramingError,
    NodeDescriptors,
    decode_ls_tlvs,
    ls_tlv_text,
)
from bmplib.nlri.rd import RouteDistinguisher
from bmplib.nlri.registry import AFI, SAFI, family_name, register
from bmplib.nlri.walk import read_path_id, with_path_id
from bmplib.session import DecodeContext

__all__ = [
    "BGPLSCodec",
    "IPv4PrefixNLRI",
    "IPv6PrefixNLRI",
    "LSNLRI",
    "LSNLRIType",
    "LSProtocolID",
    "LinkNLRI",
    "NodeNLRI",
    "PrefixNLRI",
    "SRv6SIDNLRI",
    "UnknownLSNLRI",
    "decode_bgpls_nlri",
]

BGP_LS = (16388, 71)
BGP_LS_VPN = (16388, 72)
_HDR = struct.Struct("!HH")
_PROTO = struct.Struct("!BQ")


class LSNLRIType(enum.IntEnum):
    """BGP-LS NLRI Types (IANA)."""

    NODE = 1
    LINK = 2
    IPV4_TOPOLOGY_PREFIX = 3
    IPV6_TOPOLOGY_PREFIX = 4
    SR_POLICY_CANDIDATE_PATH = 5
    SRV6_SID = 6


class LSProtocolID(enum.IntEnum):
    """BGP-LS Protocol-IDs (IANA; RFC 9552 section 5.2, RFC 9086)."""

    ISIS_LEVEL_1 = 1
    ISIS_LEVEL_2 = 2
    OSPFV2 = 3
    DIRECT = 4
    STATIC = 5
    OSPFV3 = 6
    BGP = 7
    RSVP_TE = 8
    SEGMENT_ROUTING = 9


_NLRI_TYPES = {m.value: m for m in LSNLRIType}
_PROTOCOLS = {m.value: m for m in LSProtocolID}


def _text_name(value: int, table: dict[int, Any]) -> str:
    m = table.get(value)
    return m.name.lower() if m is not None else str(value)


@dataclass(slots=True)
class LSNLRI:
    """Common part of the node, link, prefix and SRv6 SID NLRI (RFC 9552
    section 5.2).

    :ivar protocol_id: :class:`LSProtocolID`, or an int when unassigned.
    :ivar identifier: the 8-octet routing universe identifier.
    :ivar descriptors: the descriptor TLVs in wire order.
    :ivar rd: the route distinguisher (SAFI 72 only), else ``None``.
    :ivar path_id: the ADD-PATH path identifier, or ``None``.
    """

    TYPE: ClassVar[int] = 0
    protocol_id: LSProtocolID | int
    identifier: int
    descriptors: list[Any]
    rd: RouteDistinguisher | None = field(default=None, kw_only=True)
    path_id: int | None = field(default=None, kw_only=True)

    @property
    def nlri_type(self) -> LSNLRIType | int:
        return _NLRI_TYPES.get(self.TYPE, self.TYPE)

    @property
    def family(self) -> tuple[int, int]:
        return BGP_LS if self.rd is None else BGP_LS_VPN

    def _descriptor(self, code: int) -> Any:
        for t in self.descriptors:
            if t.type == code:
                return t
        return None

    @property
    def local_node(self) -> NodeDescriptors | None:
        """The local node descriptors (256)."""
        t = self._descriptor(256)
        return t if isinstance(t, NodeDescriptors) else None

    def encode_body(self) -> bytes:
        """The octets after type and length."""
        if not 0 <= self.protocol_id <= 0xFF or not 0 <= self.identifier <= 0xFFFFFFFFFFFFFFFF:
            raise EncodeError("bgp_ls", "protocol ID / identifier out of range")
        rd = self.rd.encode() if self.rd is not None else b""
        return rd + _PROTO.pack(self.protocol_id, self.identifier) + b"".join(t.encode() for t in self.descriptors)

    def encode(self) -> bytes:
        """The NLRI octets: [path id (4)] + type (2) + length (2) + body."""
        return _frame(self.path_id, self.TYPE, self.encode_body())

    def __str__(self) -> str:
        parts = [_text_name(self.TYPE, _NLRI_TYPES).replace("_topology", ""), _text_name(self.protocol_id, _PROTOCOLS)]
        parts.append(str(self.identifier))
        if self.rd is not None:
            parts.insert(0, str(self.rd))
        parts += [ls_tlv_text(t) for t in self.descriptors]
        return "".join(f"[{p}]" for p in parts)

    def __json__(self) -> dict[str, Any]:
        from bmplib.json import value_to_json

        out = {
            "family": family_name(*self.family),
            "text": str(self),
            "path_id": self.path_id,
            "nlri_type": value_to_json(self.nlri_type),
            "protocol_id": value_to_json(self.protocol_id),
            "identifier": self.identifier,
            "rd": None if self.rd is None else str(self.rd),
            "descriptors": value_to_json(self.descriptors),
        }
        if isinstance(self, PrefixNLRI):
            out["prefix"] = self.prefix
        return out


@dataclass(slots=True)
class NodeNLRI(LSNLRI):
    """Node NLRI (type 1, RFC 9552 section 5.2.1)."""

    TYPE: ClassVar[int] = 1


@dataclass(slots=True)
class LinkNLRI(LSNLRI):
    """Link NLRI (type 2, RFC 9552 section 5.2.2): local and remote node
    descriptors, then link descriptors."""

    TYPE: ClassVar[int] = 2

    @property
    def remote_node(self) -> NodeDescriptors | None:
        """The remote node descriptors (257)."""
        t = self._descriptor(257)
        return t if isinstance(t, NodeDescriptors) else None

    @property
    def link_descriptors(self) -> list[Any]:
        """The descriptors after the node descriptors (258-263, ...)."""
        return [t for t in self.descriptors if t.type not in (256, 257)]


@dataclass(slots=True)
class PrefixNLRI(LSNLRI):
    """Topology Prefix NLRI (RFC 9552 section 5.2.3): local node descriptors,
    then prefix descriptors.  :class:`IPv4PrefixNLRI` (type 3) and
    :class:`IPv6PrefixNLRI` (type 4)."""

    @property
    def prefix_descriptors(self) -> list[Any]:
        return [t for t in self.descriptors if t.type != 256]

    @property
    def prefix(self) -> str | None:
        """The IP reachability prefix (265), or ``None``."""
        t = self._descriptor(265)
        return t.prefix if isinstance(t, IPReachability) else None


@dataclass(slots=True)
class IPv4PrefixNLRI(PrefixNLRI):
    """IPv4 Topology Prefix NLRI (type 3)."""

    TYPE: ClassVar[int] = 3


@dataclass(slots=True)
class IPv6PrefixNLRI(PrefixNLRI):
    """IPv6 Topology Prefix NLRI (type 4)."""

    TYPE: ClassVar[int] = 4


@dataclass(slots=True)
class SRv6SIDNLRI(LSNLRI):
    """SRv6 SID NLRI (type 6, RFC 9514 section 6): local node descriptors,
    then the SRv6 SID information (518) and optional MT-ID (263)."""

    TYPE: ClassVar[int] = 6

    @property
    def sid(self) -> str | None:
        t = self._descriptor(518)
        address: str | None = getattr(t, "address", None)
        return address


@dataclass(slots=True)
class UnknownLSNLRI:
    """A BGP-LS NLRI of a type bmplib does not decode: its code and raw body
    (after type and length, RD included)."""

    code: int
    data: bytes
    vpn: bool = False
    path_id: int | None = field(default=None, kw_only=True)

    @property
    def family(self) -> tuple[int, int]:
        return BGP_LS_VPN if self.vpn else BGP_LS

    def encode(self) -> bytes:
        return _frame(self.path_id, self.code, self.data)

    def __str__(self) -> str:
        return f"[{_text_name(self.code, _NLRI_TYPES)}][{self.data.hex()}]"

    def __json__(self) -> dict[str, Any]:
        return {"family": family_name(*self.family), "text": str(self), "path_id": self.path_id,
                "nlri_type": self.code, "hex": self.data.hex()}  # fmt: skip


def _frame(path_id: int | None, code: int, body: bytes) -> bytes:
    if not 0 <= code <= 0xFFFF or len(body) > 0xFFFF:
        raise EncodeError("bgp_ls", f"NLRI type {code} / length {len(body)} does not fit 2 octets")
    return with_path_id(path_id, _HDR.pack(code, len(body)) + body)


_CLASSES: dict[int, type[LSNLRI]] = {1: NodeNLRI, 2: LinkNLRI, 3: IPv4PrefixNLRI, 4: IPv6PrefixNLRI, 6: SRv6SIDNLRI}


def decode_ls_route(buf: bytes, pos: int, end: int, code: int, vpn: bool, start: int) -> LSNLRI | UnknownLSNLRI:
    """One NLRI body ``buf[pos:end]`` of type *code*; errors at *start*."""
    cls = _CLASSES.get(code)
    if cls is None:
        return UnknownLSNLRI(code, buf[pos:end], vpn)
    p = pos
    rd = None
    if vpn:
        if p + 8 > end:
            raise NLRIDecodeError("BGP-LS VPN NLRI too short for its route distinguisher", start, buf[start:end])
        rd = RouteDistinguisher(buf[p : p + 8])
        p += 8
    if p + 9 > end:
        raise NLRIDecodeError("BGP-LS NLRI too short for its protocol ID and identifier", start, buf[start:end])
    proto, ident = _PROTO.unpack_from(buf, p)
    try:
        tlvs = decode_ls_tlvs(buf, p + 9, end, 16 if code == 4 else 4 if code == 3 else 0)
    except LSFramingError as exc:
        raise NLRIDecodeError(exc.reason, exc.offset, buf[start:end]) from None
    return cls(_PROTOCOLS.get(proto, proto), ident, tlvs, rd=rd)


def decode_bgpls_nlri(
    buf: bytes, pos: int, end: int, path_id: bool = False, vpn: bool = False
) -> list[LSNLRI | UnknownLSNLRI]:
    """Decode the BGP-LS NLRI in ``buf[pos:end]`` (SAFI 72 when *vpn*)."""
    out: list[LSNLRI | UnknownLSNLRI] = []
    p = pos
    while p < end:
        start = p
        pid, p = read_path_id(buf, p, end, path_id, "BGP-LS")
        if p + 4 > end:
            raise NLRIDecodeError("BGP-LS NLRI too short for its type and length", start, buf[start:end])
        code, n = _HDR.unpack_from(buf, p)
        q = p + 4 + n
        if q > end:
            raise NLRIDecodeError(f"BGP-LS NLRI length {n} runs past the end of the NLRI", start, buf[start:end])
        route = decode_ls_route(buf, p + 4, q, code, vpn, start)
        route.path_id = pid
        out.append(route)
        p = q
    return out


class BGPLSCodec:
    """The NLRI codec of AFI 16388 / SAFI 71 and 72 (:class:`~bmplib.nlri.registry.NLRICodec`)."""

    def __init__(self, vpn: bool = False) -> None:
        self.vpn = vpn

    def decode(self, buf: bytes, pos: int, end: int, path_id: bool, ctx: DecodeContext) -> list[Any]:
        return decode_bgpls_nlri(buf, pos, end, path_id, self.vpn)

    def encode(self, routes: list[Any], path_id: bool, ctx: DecodeContext) -> bytes:
        return b"".join(r.encode() for r in routes)


register(AFI.BGP_LS, SAFI.BGP_LS, BGPLSCodec())
register(AFI.BGP_LS, SAFI.BGP_LS_VPN, BGPLSCodec(vpn=True))
