"""BGP-LS TLVs (RFC 9552 section 5.2-5.3, RFC 9085, RFC 9086, RFC 9514): the
one code space ("BGP-LS NLRI and Attribute TLVs", IANA) shared by the NLRI
descriptors and the BGP-LS attribute.

Every TLV is ``type (2) | length (2) | value``.  A type bmplib knows is
decoded into a typed object; the others, and a known type whose value does
not have the registered shape (or would not re-encode to the same octets),
stay an :class:`LSTLV` with the raw value, so everything re-encodes exactly.

Typed values by class:

========================  =========================================================
class                     types
========================  =========================================================
:class:`NodeDescriptors`  256 local / 257 remote node descriptors (sub-TLVs)
:class:`LSInteger`        264, 512-514, 517, 1024, 1037, 1088, 1092-1095, 1152, 1155
:class:`LSIntegerList`    263 MT-ID, 1035 SR algorithms, 1096 SRLG, 1153, 1154 tags
:class:`LSAddress`        259-262, 516, 518, 1028-1031, 1156, 1171
:class:`LSText`           1026 node name, 1098 link name
:class:`LSBandwidth`      1089, 1090 (IEEE float, bytes per second)
:class:`UnreservedBandwidth`  1091 (8 priorities)
:class:`IGPRouterID`      515
:class:`LinkIdentifiers`  258
:class:`IPReachability`   265
:class:`SRCapabilities`   1034 SR capabilities, 1036 SR local block (RFC 9085)
:class:`SIDLabel`         1161 (RFC 9085 section 2.1.1)
:class:`AdjacencySID`     1099 adjacency SID (RFC 9085), 1101-1103 peer SIDs (RFC 9086)
:class:`LANAdjacencySID`  1100 (RFC 9085 section 2.2.2)
:class:`PrefixSID`        1158 (RFC 9085 section 2.3.1)
:class:`SRv6Capabilities` 1038 (RFC 9514 section 3.1)
:class:`SRv6EndXSID`      1106, 1107, 1108 (RFC 9514 section 4)
:class:`SRv6Locator`      1162 (RFC 9514 section 5.1)
:class:`SRv6EndpointBehavior`  1250 (RFC 9514 section 7.1)
:class:`SRv6BGPPeerNodeSID`  1251 (RFC 9514 section 7.2)
:class:`SRv6SIDStructure` 1252 (RFC 9514 section 8)
========================  =========================================================
"""

from __future__ import annotations

import dataclasses
import enum
import socket
import struct
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, ClassVar, Union

from bmplib.errors import EncodeError

__all__ = [
    "ADDRESS_TLV_SIZES",
    "INTEGER_LIST_TLV_SIZES",
    "INTEGER_TLV_SIZES",
    "TYPED_TLV_TYPES",
    "AdjacencySID",
    "IGPRouterID",
    "IPReachability",
    "LANAdjacencySID",
    "LSAddress",
    "LSBandwidth",
    "LSFramingError",
    "LSInteger",
    "LSIntegerList",
    "LSTLV",
    "LSTLVType",
    "LSText",
    "LinkIdentifiers",
    "NodeDescriptors",
    "PrefixSID",
    "SIDLabel",
    "SRCapabilities",
    "SRRange",
    "SRv6BGPPeerNodeSID",
    "SRv6Capabilities",
    "SRv6EndXSID",
    "SRv6EndpointBehavior",
    "SRv6Locator",
    "SRv6SIDStructure",
    "UnreservedBandwidth",
    "decode_ls_tlvs",
    "ls_tlv_name",
    "ls_tlv_text",
]


class LSTLVType(enum.IntEnum):
    """BGP-LS NLRI and Attribute TLVs (IANA), the ones bmplib names."""

    LOCAL_NODE_DESCRIPTORS = 256
    REMOTE_NODE_DESCRIPTORS = 257
    LINK_LOCAL_REMOTE_IDENTIFIERS = 258
    IPV4_INTERFACE_ADDRESS = 259
    IPV4_NEIGHBOR_ADDRESS = 260
    IPV6_INTERFACE_ADDRESS = 261
    IPV6_NEIGHBOR_ADDRESS = 262
    MULTI_TOPOLOGY_ID = 263
    OSPF_ROUTE_TYPE = 264
    IP_REACHABILITY_INFORMATION = 265
    NODE_MSD = 266
    LINK_MSD = 267
    AUTONOMOUS_SYSTEM = 512
    BGP_LS_IDENTIFIER = 513
    OSPF_AREA_ID = 514
    IGP_ROUTER_ID = 515
    BGP_ROUTER_ID = 516
    MEMBER_ASN = 517
    SRV6_SID_INFORMATION = 518
    NODE_FLAG_BITS = 1024
    OPAQUE_NODE_ATTRIBUTE = 1025
    NODE_NAME = 1026
    ISIS_AREA_IDENTIFIER = 1027
    IPV4_ROUTER_ID_LOCAL = 1028
    IPV6_ROUTER_ID_LOCAL = 1029
    IPV4_ROUTER_ID_REMOTE = 1030
    IPV6_ROUTER_ID_REMOTE = 1031
    SR_CAPABILITIES = 1034
    SR_ALGORITHM = 1035
    SR_LOCAL_BLOCK = 1036
    SRMS_PREFERENCE = 1037
    SRV6_CAPABILITIES = 1038
    ADMINISTRATIVE_GROUP = 1088
    MAX_LINK_BANDWIDTH = 1089
    MAX_RESERVABLE_BANDWIDTH = 1090
    UNRESERVED_BANDWIDTH = 1091
    TE_DEFAULT_METRIC = 1092
    LINK_PROTECTION_TYPE = 1093
    MPLS_PROTOCOL_MASK = 1094
    IGP_METRIC = 1095
    SHARED_RISK_LINK_GROUP = 1096
    OPAQUE_LINK_ATTRIBUTE = 1097
    LINK_NAME = 1098
    ADJACENCY_SID = 1099
    LAN_ADJACENCY_SID = 1100
    PEER_NODE_SID = 1101
    PEER_ADJ_SID = 1102
    PEER_SET_SID = 1103
    SRV6_END_X_SID = 1106
    ISIS_SRV6_LAN_END_X_SID = 1107
    OSPFV3_SRV6_LAN_END_X_SID = 1108
    IGP_FLAGS = 1152
    IGP_ROUTE_TAG = 1153
    IGP_EXTENDED_ROUTE_TAG = 1154
    PREFIX_METRIC = 1155
    OSPF_FORWARDING_ADDRESS = 1156
    OPAQUE_PREFIX_ATTRIBUTE = 1157
    PREFIX_SID = 1158
    RANGE = 1159
    SID_LABEL = 1161
    SRV6_LOCATOR = 1162
    PREFIX_ATTRIBUTE_FLAGS = 1170
    SOURCE_ROUTER_IDENTIFIER = 1171
    SRV6_ENDPOINT_BEHAVIOR = 1250
    SRV6_BGP_PEER_NODE_SID = 1251
    SRV6_SID_STRUCTURE = 1252


_TYPES = {m.value: m for m in LSTLVType}
_TLV = struct.Struct("!HH")
_U32 = struct.Struct("!I")
_F32 = struct.Struct("!f")


class LSFramingError(Exception):
    """A TLV runs past its container (raised by :func:`decode_ls_tlvs`; the
    NLRI and attribute decoders turn it into their own error)."""

    def __init__(self, reason: str, offset: int) -> None:
        super().__init__(reason)
        self.reason = reason
        self.offset = offset


def ls_tlv_name(code: int) -> str:
    """The IANA name of a TLV type in lower case, or ``tlv_<code>``."""
    m = _TYPES.get(code)
    return m.name.lower() if m is not None else f"tlv_{code}"


def _fit(name: str, value: int, octets: int) -> bytes:
    if not 0 <= value < 1 << (8 * octets):
        raise EncodeError(name, f"{value} does not fit {octets} octet(s)")
    return value.to_bytes(octets, "big")


def _tlv(code: int, value: bytes) -> bytes:
    if not 0 <= code <= 0xFFFF or len(value) > 0xFFFF:
        raise EncodeError("bgp_ls.tlv", f"type {code} / length {len(value)} does not fit 2 octets")
    return _TLV.pack(code, len(value)) + value


def _ntop(raw: bytes) -> str:
    return socket.inet_ntop(socket.AF_INET if len(raw) == 4 else socket.AF_INET6, raw)


def _pton(name: str, text: str) -> bytes:
    try:
        return socket.inet_pton(socket.AF_INET6 if ":" in text else socket.AF_INET, text)
    except (OSError, ValueError) as exc:
        raise EncodeError(name, f"not an IP address: {text!r}") from exc


class _LSTLVBase:
    """Shared behaviour: ``encode()`` from ``type`` and ``encode_value()``,
    the ``name`` view."""

    __slots__ = ()
    type: ClassVar[int]
    _json_views: ClassVar[tuple[str, ...]] = ("type", "name")

    @property
    def name(self) -> str:
        """The TLV type's IANA name in lower case, or ``tlv_<code>``."""
        return ls_tlv_name(self.type)

    def encode_value(self) -> bytes:  # pragma: no cover - every subclass overrides
        raise EncodeError(type(self).__name__, "has no value encoder")

    def encode(self) -> bytes:
        """The whole TLV: type (2), length (2), value."""
        return _tlv(self.type, self.encode_value())


@dataclass(slots=True)
class LSTLV(_LSTLVBase):
    """A TLV kept raw: a type bmplib does not decode, or a value that does
    not have its type's registered shape."""

    type: int  # type: ignore[misc]
    value: bytes

    def encode_value(self) -> bytes:
        return self.value


@dataclass(slots=True)
class LSInteger(_LSTLVBase):
    """A TLV whose value is one unsigned integer of *size* octets (AS
    number, BGP-LS identifier, area ID, flags, metrics, admin group...)."""

    type: int  # type: ignore[misc]
    value: int
    size: int = 4

    def encode_value(self) -> bytes:
        return _fit(self.name, self.value, self.size)


@dataclass(slots=True)
class LSIntegerList(_LSTLVBase):
    """A TLV whose value is a list of unsigned integers of *size* octets each
    (multi-topology IDs, SR algorithms, SRLGs, route tags)."""

    type: int  # type: ignore[misc]
    values: list[int]
    size: int = 4

    def encode_value(self) -> bytes:
        return b"".join(_fit(self.name, v, self.size) for v in self.values)


@dataclass(slots=True)
class LSAddress(_LSTLVBase):
    """A TLV whose value is one IPv4 or IPv6 address (router IDs, interface
    and neighbor addresses, the SRv6 SID of an SRv6 SID NLRI)."""

    type: int  # type: ignore[misc]
    address: str

    def encode_value(self) -> bytes:
        return _pton(self.name, self.address)


@dataclass(slots=True)
class LSText(_LSTLVBase):
    """A TLV whose value is UTF-8 text (node name, link name)."""

    type: int  # type: ignore[misc]
    text: str

    def encode_value(self) -> bytes:
        return self.text.encode("utf-8")


@dataclass(slots=True)
class LSBandwidth(_LSTLVBase):
    """Maximum (reservable) link bandwidth: an IEEE 754 single-precision
    float in bytes per second (RFC 9552 section 5.3.2, RFC 3630)."""

    type: int  # type: ignore[misc]
    bandwidth: float

    def encode_value(self) -> bytes:
        return _F32.pack(self.bandwidth)


@dataclass(slots=True)
class UnreservedBandwidth(_LSTLVBase):
    """Unreserved bandwidth (1091): eight floats, priorities 0-7."""

    type: ClassVar[int] = 1091
    bandwidths: list[float]

    def encode_value(self) -> bytes:
        if len(self.bandwidths) != 8:
            raise EncodeError("unreserved_bandwidth", f"needs 8 values, got {len(self.bandwidths)}")
        return b"".join(_F32.pack(b) for b in self.bandwidths)


@dataclass(slots=True)
class IGPRouterID(_LSTLVBase):
    """IGP Router-ID (515, RFC 9552 section 5.2.1.4): 6 octets IS-IS system
    ID, 7 IS-IS pseudonode, 4 OSPF router ID, 8 OSPF pseudonode (DR router
    ID + interface address)."""

    type: ClassVar[int] = 515
    _json_views: ClassVar[tuple[str, ...]] = ("type", "name", "text")
    router_id: bytes

    @property
    def text(self) -> str:
        """``0000.0000.0001`` (IS-IS), ``0000.0000.0001.02`` (pseudonode),
        ``10.0.0.1`` (OSPF), ``10.0.0.1/10.1.0.1`` (OSPF pseudonode)."""
        r = self.router_id
        if len(r) in (6, 7):
            h = r[:6].hex()
            sysid = f"{h[0:4]}.{h[4:8]}.{h[8:12]}"
            return sysid if len(r) == 6 else f"{sysid}.{r[6]:02x}"
        if len(r) == 4:
            return _ntop(r)
        if len(r) == 8:
            return f"{_ntop(r[:4])}/{_ntop(r[4:])}"
        return r.hex()

    def encode_value(self) -> bytes:
        return self.router_id


@dataclass(slots=True)
class NodeDescriptors(_LSTLVBase):
    """Local (256) or remote (257) node descriptors (RFC 9552 section
    5.2.1.4): sub-TLVs 512 AS, 513 BGP-LS identifier, 514 OSPF area, 515
    IGP router ID, 516 BGP router ID and 517 member ASN (RFC 9086)."""

    type: int  # type: ignore[misc]
    tlvs: list[Any]

    def encode_value(self) -> bytes:
        return b"".join(t.encode() for t in self.tlvs)

    def get(self, code: int) -> Any:
        """The first sub-TLV of *code*, or ``None``."""
        for t in self.tlvs:
            if t.type == code:
                return t
        return None

    @property
    def asn(self) -> int | None:
        t = self.get(512)
        return t.value if isinstance(t, LSInteger) else None

    @property
    def igp_router_id(self) -> str | None:
        t = self.get(515)
        return t.text if isinstance(t, IGPRouterID) else None


@dataclass(slots=True)
class LinkIdentifiers(_LSTLVBase):
    """Link Local/Remote Identifiers (258, RFC 5307 section 1.1)."""

    type: ClassVar[int] = 258
    local_id: int
    remote_id: int

    def encode_value(self) -> bytes:
        return _fit("local_id", self.local_id, 4) + _fit("remote_id", self.remote_id, 4)


@dataclass(slots=True)
class IPReachability(_LSTLVBase):
    """IP Reachability Information (265, RFC 9552 section 5.2.3.2): the
    prefix of a prefix NLRI (IPv4 for NLRI type 3, IPv6 for type 4)."""

    type: ClassVar[int] = 265
    prefix: str

    def encode_value(self) -> bytes:
        addr, sep, length = self.prefix.partition("/")
        if not sep or not length.isdigit():
            raise EncodeError("ip_reachability", f"not a prefix: {self.prefix!r}")
        raw = _pton("ip_reachability", addr)
        n = int(length)
        if n > len(raw) * 8:
            raise EncodeError("ip_reachability", f"/{n} is too long")
        return bytes((n,)) + raw[: (n + 7) >> 3]


@dataclass(slots=True)
class SIDLabel(_LSTLVBase):
    """SID/Label (1161, RFC 9085 section 2.1.1): a 3-octet label (its low 20
    bits) or a 4-octet SID index."""

    type: ClassVar[int] = 1161
    sid: int
    size: int = 3

    def encode_value(self) -> bytes:
        return _fit("sid_label", self.sid, self.size)


@dataclass(slots=True)
class SRRange:
    """One range of SR Capabilities / SR Local Block: its size (3 octets)
    and first SID/label."""

    range_size: int
    first: SIDLabel | LSTLV

    def encode(self) -> bytes:
        return _fit("range_size", self.range_size, 3) + self.first.encode()


@dataclass(slots=True)
class SRCapabilities(_LSTLVBase):
    """SR Capabilities (1034) and SR Local Block (1036) (RFC 9085 section
    2.1.2, 2.1.4): flags, reserved octet and the SRGB / SRLB ranges."""

    type: int  # type: ignore[misc]
    flags: int
    ranges: list[SRRange]
    reserved: int = 0

    def encode_value(self) -> bytes:
        return (
            _fit("flags", self.flags, 1)
            + _fit("reserved", self.reserved, 1)
            + b"".join(r.encode() for r in self.ranges)
        )


def _head(flags: int, name: str, second: int, reserved: int) -> bytes:
    """``flags (1) | weight or algorithm (1) | reserved (2)``: the start of
    the SID TLVs of RFC 9085, 9086 and 9514."""
    return _fit("flags", flags, 1) + _fit(name, second, 1) + _fit("reserved", reserved, 2)


def _sid_bytes(sid: int, size: int) -> bytes:
    if size not in (3, 4, 16):
        raise EncodeError("sid", f"a SID has 3, 4 or 16 octets, not {size}")
    return _fit("sid", sid, size)


@dataclass(slots=True)
class AdjacencySID(_LSTLVBase):
    """Adjacency SID (1099, RFC 9085 section 2.2.1) and the BGP EPE Peer
    Node / Peer Adjacency / Peer Set SIDs (1101-1103, RFC 9086 section 5):
    flags, weight, 2 reserved octets, a 3-octet label or 4-octet index."""

    type: int  # type: ignore[misc]
    flags: int
    weight: int
    sid: int
    sid_size: int = 3
    reserved: int = 0

    def encode_value(self) -> bytes:
        return _head(self.flags, "weight", self.weight, self.reserved) + _sid_bytes(self.sid, self.sid_size)


@dataclass(slots=True)
class LANAdjacencySID(_LSTLVBase):
    """LAN Adjacency SID (1100, RFC 9085 section 2.2.2): as the adjacency
    SID, with the neighbor's OSPF router ID (4) or IS-IS system ID (6)."""

    type: ClassVar[int] = 1100
    flags: int
    weight: int
    neighbor_id: bytes
    sid: int
    sid_size: int = 3
    reserved: int = 0

    def encode_value(self) -> bytes:
        if len(self.neighbor_id) not in (4, 6):
            raise EncodeError("neighbor_id", f"has 4 or 6 octets, not {len(self.neighbor_id)}")
        return (
            _head(self.flags, "weight", self.weight, self.reserved)
            + self.neighbor_id
            + _sid_bytes(self.sid, self.sid_size)
        )


@dataclass(slots=True)
class PrefixSID(_LSTLVBase):
    """Prefix-SID (1158, RFC 9085 section 2.3.1): flags, algorithm, 2
    reserved octets, a 3-octet label or 4-octet index."""

    type: ClassVar[int] = 1158
    flags: int
    algorithm: int
    sid: int
    sid_size: int = 4
    reserved: int = 0

    def encode_value(self) -> bytes:
        return _head(self.flags, "algorithm", self.algorithm, self.reserved) + _sid_bytes(self.sid, self.sid_size)


@dataclass(slots=True)
class SRv6Capabilities(_LSTLVBase):
    """SRv6 Capabilities (1038, RFC 9514 section 3.1): flags (O-flag 0x4000)
    and 2 reserved octets."""

    type: ClassVar[int] = 1038
    flags: int
    reserved: int = 0

    def encode_value(self) -> bytes:
        return _fit("flags", self.flags, 2) + _fit("reserved", self.reserved, 2)


@dataclass(slots=True)
class SRv6SIDStructure(_LSTLVBase):
    """SRv6 SID Structure (1252, RFC 9514 section 8): locator block, locator
    node, function and argument lengths in bits."""

    type: ClassVar[int] = 1252
    locator_block_length: int
    locator_node_length: int
    function_length: int
    argument_length: int

    def encode_value(self) -> bytes:
        return b"".join(
            _fit("sid_structure", v, 1)
            for v in (self.locator_block_length, self.locator_node_length, self.function_length, self.argument_length)
        )


@dataclass(slots=True)
class SRv6EndXSID(_LSTLVBase):
    """SRv6 End.X SID (1106) and the IS-IS (1107) / OSPFv3 (1108) SRv6 LAN
    End.X SIDs (RFC 9514 section 4.1-4.2): endpoint behavior, flags,
    algorithm, weight, reserved, [neighbor ID: 6 octets for 1107, 4 for
    1108], the SID and sub-TLVs."""

    type: int  # type: ignore[misc]
    behavior: int
    flags: int
    algorithm: int
    weight: int
    sid: str
    neighbor_id: bytes = b""
    sub_tlvs: list[Any] = field(default_factory=list)
    reserved: int = 0

    def encode_value(self) -> bytes:
        return (
            _fit("behavior", self.behavior, 2)
            + _fit("flags", self.flags, 1)
            + _fit("algorithm", self.algorithm, 1)
            + _fit("weight", self.weight, 1)
            + _fit("reserved", self.reserved, 1)
            + self.neighbor_id
            + _pton("sid", self.sid)
            + b"".join(t.encode() for t in self.sub_tlvs)
        )


@dataclass(slots=True)
class SRv6Locator(_LSTLVBase):
    """SRv6 Locator (1162, RFC 9514 section 5.1): flags, algorithm, 2
    reserved octets, metric and sub-TLVs."""

    type: ClassVar[int] = 1162
    flags: int
    algorithm: int
    metric: int
    sub_tlvs: list[Any] = field(default_factory=list)
    reserved: int = 0

    def encode_value(self) -> bytes:
        return (
            _head(self.flags, "algorithm", self.algorithm, self.reserved)
            + _fit("metric", self.metric, 4)
            + b"".join(t.encode() for t in self.sub_tlvs)
        )


@dataclass(slots=True)
class SRv6EndpointBehavior(_LSTLVBase):
    """SRv6 Endpoint Behavior (1250, RFC 9514 section 7.1): behavior code
    (IANA "SRv6 Endpoint Behaviors"), flags, algorithm."""

    type: ClassVar[int] = 1250
    behavior: int
    flags: int
    algorithm: int

    def encode_value(self) -> bytes:
        return _fit("behavior", self.behavior, 2) + _fit("flags", self.flags, 1) + _fit("algorithm", self.algorithm, 1)


@dataclass(slots=True)
class SRv6BGPPeerNodeSID(_LSTLVBase):
    """SRv6 BGP Peer Node SID (1251, RFC 9514 section 7.2): flags, weight,
    2 reserved octets, peer AS, peer BGP identifier."""

    type: ClassVar[int] = 1251
    flags: int
    weight: int
    peer_as: int
    peer_bgp_id: str
    reserved: int = 0

    def encode_value(self) -> bytes:
        return (
            _head(self.flags, "weight", self.weight, self.reserved)
            + _fit("peer_as", self.peer_as, 4)
            + _pton("peer_bgp_id", self.peer_bgp_id)
        )


LSTLVObject = Union[
    LSTLV,
    LSInteger,
    LSIntegerList,
    LSAddress,
    LSText,
    LSBandwidth,
    UnreservedBandwidth,
    IGPRouterID,
    NodeDescriptors,
    LinkIdentifiers,
    IPReachability,
    SIDLabel,
    SRCapabilities,
    AdjacencySID,
    LANAdjacencySID,
    PrefixSID,
    SRv6Capabilities,
    SRv6SIDStructure,
    SRv6EndXSID,
    SRv6Locator,
    SRv6EndpointBehavior,
    SRv6BGPPeerNodeSID,
]

# --------------------------------------------------------------------------
# decoding: one function per value shape, (code, value) -> object or None

#: integer TLVs: code -> the value sizes the RFCs allow
INTEGER_TLV_SIZES: dict[int, tuple[int, ...]] = {
    264: (1,),  # OSPF route type
    512: (4,),  # AS
    513: (4,),  # BGP-LS identifier
    514: (4,),  # OSPF area ID
    517: (4,),  # member ASN (RFC 9086)
    1024: (1,),  # node flag bits
    1037: (1,),  # SRMS preference (RFC 9085)
    1088: (4,),  # administrative group
    1092: (3, 4),  # TE default metric (RFC 9552: 4; some send 3)
    1093: (2,),  # link protection type
    1094: (1,),  # MPLS protocol mask
    1095: (1, 2, 3),  # IGP metric
    1152: (1,),  # IGP flags
    1155: (4,),  # prefix metric
}
#: integer-list TLVs: code -> size of one value
INTEGER_LIST_TLV_SIZES = {263: 2, 1035: 1, 1096: 4, 1153: 4, 1154: 8}
#: address TLVs: code -> allowed lengths
ADDRESS_TLV_SIZES: dict[int, tuple[int, ...]] = {
    259: (4,),
    260: (4,),
    261: (16,),
    262: (16,),
    516: (4,),
    518: (16,),
    1028: (4,),
    1029: (16,),
    1030: (4,),
    1031: (16,),
    1156: (4, 16),
    1171: (4, 16),
}


def _d_integer(code: int, v: bytes) -> Any:
    if len(v) not in INTEGER_TLV_SIZES[code]:
        return None
    return LSInteger(code, int.from_bytes(v, "big"), len(v))


def _d_list(code: int, v: bytes) -> Any:
    size = INTEGER_LIST_TLV_SIZES[code]
    if len(v) % size:
        return None
    return LSIntegerList(code, [int.from_bytes(v[i : i + size], "big") for i in range(0, len(v), size)], size)


def _d_address(code: int, v: bytes) -> Any:
    return LSAddress(code, _ntop(v)) if len(v) in ADDRESS_TLV_SIZES[code] else None


def _d_text(code: int, v: bytes) -> Any:
    try:
        return LSText(code, v.decode("utf-8"))
    except UnicodeDecodeError:
        return None


def _d_bandwidth(code: int, v: bytes) -> Any:
    return LSBandwidth(code, _F32.unpack(v)[0]) if len(v) == 4 else None


def _d_unreserved(code: int, v: bytes) -> Any:
    return UnreservedBandwidth([_F32.unpack_from(v, i)[0] for i in range(0, 32, 4)]) if len(v) == 32 else None


def _d_igp_router_id(code: int, v: bytes) -> Any:
    return IGPRouterID(v) if len(v) in (4, 6, 7, 8) else None


def _d_node(code: int, v: bytes) -> Any:
    return NodeDescriptors(code, decode_ls_tlvs(v, 0, len(v)))


def _d_link_ids(code: int, v: bytes) -> Any:
    return LinkIdentifiers(*struct.unpack("!II", v)) if len(v) == 8 else None


def _d_reachability(v: bytes, width: int) -> Any:
    if not v or v[0] > width * 8 or len(v) != 1 + ((v[0] + 7) >> 3):
        return None
    raw = v[1:] + bytes(width - len(v) + 1)
    return IPReachability(f"{_ntop(raw)}/{v[0]}")


def _d_reachability_any(code: int, v: bytes) -> Any:
    # outside a prefix NLRI the address family is not known: the shorter one fits
    return _d_reachability(v, 4) or _d_reachability(v, 16)


def _d_sid_label(code: int, v: bytes) -> Any:
    return SIDLabel(int.from_bytes(v, "big"), len(v)) if len(v) in (3, 4) else None


def _d_sr_capabilities(code: int, v: bytes) -> Any:
    if len(v) < 2:
        return None
    ranges: list[SRRange] = []
    p = 2
    while p < len(v):
        if p + 3 + 4 > len(v):
            return None
        size = int.from_bytes(v[p : p + 3], "big")
        t, n = _TLV.unpack_from(v, p + 3)
        q = p + 7 + n
        if q > len(v):
            return None
        first = _decode_one(t, v[p + 7 : q])
        ranges.append(SRRange(size, first))
        p = q
    return SRCapabilities(code, v[0], ranges, v[1])


def _d_adjacency_sid(code: int, v: bytes) -> Any:
    if len(v) not in (7, 8):
        return None
    return AdjacencySID(code, v[0], v[1], int.from_bytes(v[4:], "big"), len(v) - 4, int.from_bytes(v[2:4], "big"))


def _d_lan_adjacency_sid(code: int, v: bytes) -> Any:
    nid = {11: 4, 12: 4, 13: 6, 14: 6}.get(len(v))
    if nid is None:
        return None
    return LANAdjacencySID(
        v[0], v[1], v[4 : 4 + nid], int.from_bytes(v[4 + nid :], "big"), len(v) - 4 - nid, int.from_bytes(v[2:4], "big")
    )


def _d_prefix_sid(code: int, v: bytes) -> Any:
    if len(v) not in (7, 8):
        return None
    return PrefixSID(v[0], v[1], int.from_bytes(v[4:], "big"), len(v) - 4, int.from_bytes(v[2:4], "big"))


def _d_srv6_capabilities(code: int, v: bytes) -> Any:
    return SRv6Capabilities(*struct.unpack("!HH", v)) if len(v) == 4 else None


def _d_sid_structure(code: int, v: bytes) -> Any:
    return SRv6SIDStructure(*v) if len(v) == 4 else None


def _d_end_x_sid(code: int, v: bytes) -> Any:
    nid = {1106: 0, 1107: 6, 1108: 4}[code]
    if len(v) < 22 + nid:
        return None
    behavior, flags, algorithm, weight, reserved = struct.unpack_from("!HBBBB", v)
    sid = _ntop(v[6 + nid : 22 + nid])
    subs = decode_ls_tlvs(v, 22 + nid, len(v))
    return SRv6EndXSID(code, behavior, flags, algorithm, weight, sid, v[6 : 6 + nid], subs, reserved)


def _d_srv6_locator(code: int, v: bytes) -> Any:
    if len(v) < 8:
        return None
    flags, algorithm, reserved, metric = struct.unpack_from("!BBHI", v)
    return SRv6Locator(flags, algorithm, metric, decode_ls_tlvs(v, 8, len(v)), reserved)


def _d_endpoint_behavior(code: int, v: bytes) -> Any:
    return SRv6EndpointBehavior(*struct.unpack("!HBB", v)) if len(v) == 4 else None


def _d_peer_node_sid(code: int, v: bytes) -> Any:
    if len(v) != 12:
        return None
    flags, weight, reserved, peer_as = struct.unpack_from("!BBHI", v)
    return SRv6BGPPeerNodeSID(flags, weight, peer_as, _ntop(v[8:12]), reserved)


_DECODERS: dict[int, Callable[[int, bytes], Any]] = {
    256: _d_node,
    257: _d_node,
    258: _d_link_ids,
    265: _d_reachability_any,
    515: _d_igp_router_id,
    1026: _d_text,
    1098: _d_text,
    1089: _d_bandwidth,
    1090: _d_bandwidth,
    1091: _d_unreserved,
    1034: _d_sr_capabilities,
    1036: _d_sr_capabilities,
    1161: _d_sid_label,
    1099: _d_adjacency_sid,
    1101: _d_adjacency_sid,
    1102: _d_adjacency_sid,
    1103: _d_adjacency_sid,
    1100: _d_lan_adjacency_sid,
    1158: _d_prefix_sid,
    1038: _d_srv6_capabilities,
    1106: _d_end_x_sid,
    1107: _d_end_x_sid,
    1108: _d_end_x_sid,
    1162: _d_srv6_locator,
    1250: _d_endpoint_behavior,
    1251: _d_peer_node_sid,
    1252: _d_sid_structure,
}
_DECODERS.update({c: _d_integer for c in INTEGER_TLV_SIZES})
_DECODERS.update({c: _d_list for c in INTEGER_LIST_TLV_SIZES})
_DECODERS.update({c: _d_address for c in ADDRESS_TLV_SIZES})


#: the TLV types bmplib decodes into typed objects
TYPED_TLV_TYPES = frozenset(_DECODERS)


def _decode_one(code: int, value: bytes, prefix_width: int = 0) -> Any:
    """The typed TLV, or :class:`LSTLV` when the type has no decoder, the
    value has another shape, or the typed object would not re-encode to the
    same octets (e.g. an address prefix with host bits beyond its length)."""
    if code == 265 and prefix_width:
        obj = _d_reachability(value, prefix_width)
    else:
        dec = _DECODERS.get(code)
        try:
            obj = dec(code, value) if dec is not None else None
        except LSFramingError:
            obj = None
    if obj is None:
        return LSTLV(code, value)
    try:
        same = obj.encode_value() == value
    except EncodeError:
        same = False
    return obj if same else LSTLV(code, value)


def decode_ls_tlvs(buf: bytes, pos: int, end: int, prefix_width: int = 0) -> list[Any]:
    """The TLVs in ``buf[pos:end]``.  Raises :class:`LSFramingError` (with
    the absolute offset of the TLV) when a TLV runs past *end*.
    *prefix_width* (4 or 16) is the address size of an IP Reachability TLV
    (265) in a prefix NLRI."""
    out: list[Any] = []
    p = pos
    while p < end:
        if p + 4 > end:
            raise LSFramingError(f"BGP-LS TLV header truncated ({end - p} octets left)", p)
        code, n = _TLV.unpack_from(buf, p)
        q = p + 4 + n
        if q > end:
            raise LSFramingError(f"BGP-LS TLV {code} length {n} runs past its container", p)
        out.append(_decode_one(code, buf[p + 4 : q], prefix_width))
        p = q
    return out


_NOT_IN_TEXT = frozenset({"type", "size", "sid_size", "reserved"})


def ls_tlv_text(tlv: Any) -> str:
    """A short text form of a TLV: ``name=value`` (sub-TLVs in braces)."""
    if isinstance(tlv, NodeDescriptors):
        return f"{tlv.name}{{{' '.join(ls_tlv_text(t) for t in tlv.tlvs)}}}"
    if isinstance(tlv, IGPRouterID):
        return f"{tlv.name}={tlv.text}"
    if isinstance(tlv, LSTLV):
        return f"{tlv.name}={tlv.value.hex()}"
    values = [getattr(tlv, f.name) for f in dataclasses.fields(tlv) if f.name not in _NOT_IN_TEXT]
    shown = [v.hex() if isinstance(v, bytes) else str(v) for v in values]
    return f"{tlv.name}={','.join(shown)}"
