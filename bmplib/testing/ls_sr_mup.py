"""Hypothesis strategies for BGP-LS (NLRI and attribute 29), SR Policy (NLRI
and the Tunnel Encapsulation attribute 23) and MUP (NLRI and extended
community).  :mod:`bmplib.testing.strategies` uses them for those families
and attributes; each generated object decodes back equal to itself from its
own encoding."""

from __future__ import annotations

import socket
from typing import Any

from hypothesis import strategies as st

from bmplib.bgp.attributes.bgpls import BGPLSAttribute
from bmplib.bgp.attributes.mup_communities import MUPExtendedCommunity
from bmplib.bgp.attributes.tunnel_encap import (
    TYPED_SUB_TLV_TYPES,
    BindingSIDSubTLV,
    ColorSubTLV,
    DSFieldSubTLV,
    EncapsulationSubTLV,
    ENLPSubTLV,
    NameSubTLV,
    PreferenceSubTLV,
    PrioritySubTLV,
    ProtocolTypeSubTLV,
    RawSegmentSubTLV,
    Segment,
    SegmentListSubTLV,
    SRv6BindingSIDSubTLV,
    SRv6EndpointBehaviorStructure,
    TunnelEgressEndpoint,
    TunnelEncapsulation,
    TunnelSubTLV,
    TunnelTLV,
    TunnelType,
    UDPDestinationPort,
    WeightSubTLV,
)
from bmplib.nlri.bgpls import (
    IPv4PrefixNLRI,
    IPv6PrefixNLRI,
    LinkNLRI,
    LSProtocolID,
    NodeNLRI,
    SRv6SIDNLRI,
    UnknownLSNLRI,
)
from bmplib.nlri.bgpls_tlvs import (
    ADDRESS_TLV_SIZES,
    INTEGER_LIST_TLV_SIZES,
    INTEGER_TLV_SIZES,
    LSTLV,
    TYPED_TLV_TYPES,
    AdjacencySID,
    IGPRouterID,
    IPReachability,
    LANAdjacencySID,
    LinkIdentifiers,
    LSAddress,
    LSBandwidth,
    LSInteger,
    LSIntegerList,
    LSText,
    NodeDescriptors,
    PrefixSID,
    SIDLabel,
    SRCapabilities,
    SRRange,
    SRv6BGPPeerNodeSID,
    SRv6Capabilities,
    SRv6EndpointBehavior,
    SRv6EndXSID,
    SRv6Locator,
    SRv6SIDStructure,
    UnreservedBandwidth,
)
from bmplib.nlri.mup import (
    DirectSegmentDiscovery,
    InterworkSegmentDiscovery,
    MUPRoute,
    Type1SessionTransformed,
    Type2SessionTransformed,
    UnknownMUPRoute,
)
from bmplib.nlri.rd import RouteDistinguisher
from bmplib.nlri.srpolicy import SRPolicyNLRI

__all__ = [
    "LS_SR_MUP_FAMILIES",
    "bgpls_attributes",
    "bgpls_routes",
    "bgpls_tlvs",
    "ls_sr_mup_nlri",
    "mup_extended_communities",
    "mup_routes",
    "sr_policy_routes",
    "tunnel_encapsulations",
]

LS_SR_MUP_FAMILIES = ((16388, 71), (16388, 72), (1, 73), (2, 73), (1, 85), (2, 85))

u8 = st.integers(0, 0xFF)
u16 = st.integers(0, 0xFFFF)
u24 = st.integers(0, 0xFFFFFF)
u32 = st.integers(0, 0xFFFFFFFF)
u64 = st.integers(0, 0xFFFFFFFFFFFFFFFF)
f32 = st.floats(width=32, allow_nan=False)


def _addr(n: int) -> st.SearchStrategy[str]:
    af = socket.AF_INET if n == 4 else socket.AF_INET6
    return st.binary(min_size=n, max_size=n).map(lambda b: socket.inet_ntop(af, b))


v4, v6 = _addr(4), _addr(16)
rds = st.binary(min_size=8, max_size=8).map(RouteDistinguisher)


def _pid(with_path_id: bool) -> st.SearchStrategy[int | None]:
    return u32 if with_path_id else st.none()


# ----------------------------------------------------------------------------- BGP-LS TLVs
def _sized(draw: st.DrawFn, sizes: tuple[int, ...]) -> tuple[int, int]:
    size = draw(st.sampled_from(sizes))
    return size, draw(st.integers(0, (1 << (8 * size)) - 1))


@st.composite
def _ls_integer(draw: st.DrawFn) -> LSInteger:
    code = draw(st.sampled_from(sorted(INTEGER_TLV_SIZES)))
    size, value = _sized(draw, INTEGER_TLV_SIZES[code])
    return LSInteger(code, value, size)


@st.composite
def _ls_list(draw: st.DrawFn) -> LSIntegerList:
    code = draw(st.sampled_from(sorted(INTEGER_LIST_TLV_SIZES)))
    size = INTEGER_LIST_TLV_SIZES[code]
    return LSIntegerList(code, draw(st.lists(st.integers(0, (1 << (8 * size)) - 1), max_size=4)), size)


@st.composite
def _ls_address(draw: st.DrawFn) -> LSAddress:
    code = draw(st.sampled_from(sorted(ADDRESS_TLV_SIZES)))
    return LSAddress(code, draw(_addr(draw(st.sampled_from(ADDRESS_TLV_SIZES[code])))))


def _sid(size: int) -> st.SearchStrategy[int]:
    return st.integers(0, (1 << (8 * size)) - 1)


@st.composite
def _adjacency_sid(draw: st.DrawFn) -> AdjacencySID:
    size = draw(st.sampled_from((3, 4)))
    return AdjacencySID(draw(st.sampled_from((1099, 1101, 1102, 1103))), draw(u8), draw(u8), draw(_sid(size)), size,
                        draw(u16))  # fmt: skip


@st.composite
def _lan_adjacency_sid(draw: st.DrawFn) -> LANAdjacencySID:
    size = draw(st.sampled_from((3, 4)))
    nid = draw(st.sampled_from((4, 6)))
    return LANAdjacencySID(draw(u8), draw(u8), draw(st.binary(min_size=nid, max_size=nid)), draw(_sid(size)), size,
                           draw(u16))  # fmt: skip


@st.composite
def _prefix_sid(draw: st.DrawFn) -> PrefixSID:
    size = draw(st.sampled_from((3, 4)))
    return PrefixSID(draw(u8), draw(u8), draw(_sid(size)), size, draw(u16))


@st.composite
def _sid_label(draw: st.DrawFn) -> SIDLabel:
    size = draw(st.sampled_from((3, 4)))
    return SIDLabel(draw(_sid(size)), size)


def _leaf_tlvs() -> st.SearchStrategy[Any]:
    """TLVs without sub-TLVs (and without IP reachability, whose address
    family only a prefix NLRI tells)."""
    raw = st.builds(LSTLV, u16.filter(lambda c: c not in TYPED_TLV_TYPES), st.binary(max_size=12))
    return st.one_of(
        raw,
        _ls_integer(),
        _ls_list(),
        _ls_address(),
        st.builds(LSText, st.sampled_from((1026, 1098)), st.text(max_size=12)),
        st.builds(LSBandwidth, st.sampled_from((1089, 1090)), f32),
        st.builds(UnreservedBandwidth, st.lists(f32, min_size=8, max_size=8)),
        st.builds(IGPRouterID, st.sampled_from((4, 6, 7, 8)).flatmap(lambda n: st.binary(min_size=n, max_size=n))),
        st.builds(LinkIdentifiers, u32, u32),
        st.builds(
            SRCapabilities,
            st.sampled_from((1034, 1036)),
            u8,
            st.lists(st.builds(SRRange, u24, _sid_label()), max_size=3),
            u8,
        ),
        _sid_label(),
        _adjacency_sid(),
        _lan_adjacency_sid(),
        _prefix_sid(),
        st.builds(SRv6Capabilities, u16, u16),
        st.builds(SRv6SIDStructure, u8, u8, u8, u8),
        st.builds(SRv6EndpointBehavior, u16, u8, u8),
        st.builds(SRv6BGPPeerNodeSID, u8, u8, u32, v4, u16),
    )


@st.composite
def _end_x_sid(draw: st.DrawFn) -> SRv6EndXSID:
    code = draw(st.sampled_from((1106, 1107, 1108)))
    n = {1106: 0, 1107: 6, 1108: 4}[code]
    return SRv6EndXSID(code, draw(u16), draw(u8), draw(u8), draw(u8), draw(v6), draw(st.binary(min_size=n, max_size=n)),
                       draw(st.lists(_leaf_tlvs(), max_size=2)), draw(u8))  # fmt: skip


def bgpls_tlvs() -> st.SearchStrategy[Any]:
    """BGP-LS TLVs of every typed class and raw ones (no IP reachability)."""
    leaf = _leaf_tlvs()
    return st.one_of(
        leaf,
        _end_x_sid(),
        st.builds(SRv6Locator, u8, u8, u32, st.lists(leaf, max_size=2), u16),
        st.builds(NodeDescriptors, st.sampled_from((256, 257)), st.lists(leaf, max_size=4)),
    )


def bgpls_attributes() -> st.SearchStrategy[BGPLSAttribute]:
    """The BGP-LS attribute (29) with any TLVs."""
    return st.builds(BGPLSAttribute, st.lists(bgpls_tlvs(), max_size=5))


def bgpls_routes(vpn: bool = False, with_path_id: bool = False) -> st.SearchStrategy[Any]:
    """Node, link, IPv4 / IPv6 prefix, SRv6 SID and unknown BGP-LS NLRI."""
    proto = st.sampled_from(list(LSProtocolID)) | u8
    rd = rds if vpn else st.none()
    pid = _pid(with_path_id)
    descriptors = st.lists(bgpls_tlvs(), max_size=4)

    def reach(width: int) -> st.SearchStrategy[IPReachability]:
        @st.composite
        def build(draw: st.DrawFn) -> IPReachability:
            length = draw(st.integers(0, width * 8))
            n = (length + 7) >> 3
            raw = draw(st.binary(min_size=n, max_size=n)) + bytes(width - n)
            if length % 8:  # the bits past the length are not kept by the text form
                keep = raw[n - 1] & (0xFF << (8 - length % 8)) & 0xFF
                raw = raw[: n - 1] + bytes((keep,)) + raw[n:]
            af = socket.AF_INET if width == 4 else socket.AF_INET6
            return IPReachability(f"{socket.inet_ntop(af, raw)}/{length}")

        return build()

    def prefix_descriptors(width: int) -> st.SearchStrategy[list[Any]]:
        return st.tuples(descriptors, reach(width)).map(lambda t: [*t[0], t[1]])

    known = st.one_of(
        st.builds(lambda p, i, d, r, n: NodeNLRI(p, i, d, rd=r, path_id=n), proto, u64, descriptors, rd, pid),
        st.builds(lambda p, i, d, r, n: LinkNLRI(p, i, d, rd=r, path_id=n), proto, u64, descriptors, rd, pid),
        st.builds(lambda p, i, d, r, n: IPv4PrefixNLRI(p, i, d, rd=r, path_id=n), proto, u64, prefix_descriptors(4),
                  rd, pid),
        st.builds(lambda p, i, d, r, n: IPv6PrefixNLRI(p, i, d, rd=r, path_id=n), proto, u64, prefix_descriptors(16),
                  rd, pid),
        st.builds(lambda p, i, d, r, n: SRv6SIDNLRI(p, i, d, rd=r, path_id=n), proto, u64, descriptors, rd, pid),
    )  # fmt: skip
    unknown = st.builds(
        lambda c, d, n: UnknownLSNLRI(c, d, vpn, path_id=n),
        u16.filter(lambda c: c not in (1, 2, 3, 4, 6)),
        st.binary(max_size=40),
        pid,
    )
    return st.one_of(known, unknown)


# ----------------------------------------------------------------------------- SR Policy
def sr_policy_routes(afi: int, with_path_id: bool = False) -> st.SearchStrategy[SRPolicyNLRI]:
    """SR Policy NLRI with an IPv4 or IPv6 endpoint."""
    return st.builds(SRPolicyNLRI, st.just(afi), u32, u32, v4 | v6, _pid(with_path_id))


_behaviors = st.builds(SRv6EndpointBehaviorStructure, u16, u8, u8, u8, u8, u16)


@st.composite
def _segment(draw: st.DrawFn) -> Segment:
    code = draw(st.sampled_from((1, 13, 3, 4, 5, 6, 7, 8, 14, 15, 16)))
    seg = Segment(code, draw(u8), draw(u8))
    mpls = st.none() | u32
    if code == 1:
        seg.label = draw(u32)
    elif code == 13:
        seg.srv6_sid, seg.behavior = draw(v6), draw(st.none() | _behaviors)
    elif code in (3, 4):
        seg.local_address, seg.mpls_sid = draw(v4 if code == 3 else v6), draw(mpls)
    elif code == 5:
        seg.local_interface_id, seg.local_address, seg.mpls_sid = draw(u32), draw(v4), draw(mpls)
    elif code in (6, 8):
        a = v4 if code == 6 else v6
        seg.local_address, seg.remote_address, seg.mpls_sid = draw(a), draw(a), draw(mpls)
    else:
        if code in (7, 15):
            seg.local_interface_id, seg.remote_interface_id = draw(u32), draw(u32)
        seg.local_address = draw(v6)
        if code != 14:
            seg.remote_address = draw(v6)
        if code == 7:
            seg.mpls_sid = draw(mpls)
        elif draw(st.booleans()):
            seg.srv6_sid, seg.behavior = draw(v6), draw(st.none() | _behaviors)
    return seg


def _raw_sub(excluded: frozenset[int], cls: type[TunnelSubTLV] = TunnelSubTLV) -> st.SearchStrategy[TunnelSubTLV]:
    code = u8.filter(lambda c: c not in excluded)
    return code.flatmap(lambda c: st.builds(cls, st.just(c), st.binary(max_size=12)))


def _tunnel_sub_tlvs() -> st.SearchStrategy[Any]:
    segment_list_items = st.one_of(
        st.builds(WeightSubTLV, u8, u32, u8),
        _segment(),
        _raw_sub(frozenset({1, 3, 4, 5, 6, 7, 8, 9, 13, 14, 15, 16}), RawSegmentSubTLV),
    )
    return st.one_of(
        _raw_sub(TYPED_SUB_TLV_TYPES),
        st.builds(EncapsulationSubTLV, st.binary(max_size=24)),
        st.builds(ProtocolTypeSubTLV, u16),
        st.builds(ColorSubTLV, u16, u32),
        st.builds(TunnelEgressEndpoint, st.just(0), st.none(), u32),
        st.builds(TunnelEgressEndpoint, st.just(1), v4, u32),
        st.builds(TunnelEgressEndpoint, st.just(2), v6, u32),
        st.builds(DSFieldSubTLV, u8),
        st.builds(UDPDestinationPort, u16),
        st.builds(PreferenceSubTLV, u8, u32, u8),
        st.builds(
            BindingSIDSubTLV, u8, st.sampled_from((0, 4, 16)).flatmap(lambda n: st.binary(min_size=n, max_size=n)), u8
        ),
        st.builds(SRv6BindingSIDSubTLV, u8, v6, st.none() | _behaviors, u8),
        st.builds(ENLPSubTLV, u8, u8, u8),
        st.builds(PrioritySubTLV, u8, u8),
        st.builds(SegmentListSubTLV, st.lists(segment_list_items, max_size=4), u8),
        st.builds(NameSubTLV, st.sampled_from((129, 130)), st.text(max_size=16), u8),
    )


def tunnel_encapsulations() -> st.SearchStrategy[TunnelEncapsulation]:
    """The Tunnel Encapsulation attribute (23) with any tunnel types and sub-TLVs."""
    ttype = st.sampled_from(list(TunnelType)) | u16
    tunnel = st.builds(TunnelTLV, ttype, st.lists(_tunnel_sub_tlvs(), max_size=4))
    return st.builds(TunnelEncapsulation, st.lists(tunnel, max_size=3))


# ----------------------------------------------------------------------------- MUP
def mup_extended_communities() -> st.SearchStrategy[MUPExtendedCommunity]:
    return st.builds(MUPExtendedCommunity, st.just(0x0C), st.just(0x00), u16, u32)


@st.composite
def _prefix(draw: st.DrawFn, width: int) -> tuple[int, bytes]:
    length = draw(st.integers(0, width * 8))
    n = (length + 7) >> 3
    return length, draw(st.binary(min_size=n, max_size=n))


@st.composite
def _len_addr(draw: st.DrawFn) -> tuple[int, str | None]:
    bits = draw(st.sampled_from((0, 32, 128)))
    return bits, None if bits == 0 else draw(_addr(bits // 8))


@st.composite
def _t1st(draw: st.DrawFn, afi: int) -> Type1SessionTransformed:
    length, packed = draw(_prefix(4 if afi == 1 else 16))
    elen, endpoint = draw(_len_addr())
    slen, source = draw(st.none() | _len_addr()) or (None, None)
    return Type1SessionTransformed(
        draw(rds), length, packed, draw(u32), draw(u8), elen, endpoint, slen, source, afi=afi
    )


@st.composite
def _t2st(draw: st.DrawFn, afi: int) -> Type2SessionTransformed:
    bits = 32 if afi == 1 else 128
    elen = draw(st.integers(bits, bits + 32))
    n = (elen - bits + 7) >> 3
    teid = draw(st.integers(0, (1 << (8 * n)) - 1))
    return Type2SessionTransformed(draw(rds), elen, draw(_addr(bits // 8)), teid, afi=afi)


def mup_routes(afi: int, with_path_id: bool = False) -> st.SearchStrategy[MUPRoute]:
    """MUP routes of the four 3GPP 5G route types and unknown ones."""
    width = 4 if afi == 1 else 16

    def with_pid(route: MUPRoute, pid: int | None) -> MUPRoute:
        route.path_id = pid
        return route

    unknown = st.builds(
        lambda arch, code, data: UnknownMUPRoute(code, data, afi=afi, architecture_type=arch),
        u8.filter(lambda a: a != 1),
        u16,
        st.binary(max_size=30),
    ) | st.builds(
        lambda code, data: UnknownMUPRoute(code, data, afi=afi), u16.filter(lambda c: not 1 <= c <= 4),
        st.binary(max_size=30),
    )  # fmt: skip
    routes = st.one_of(
        st.builds(lambda rd, p: InterworkSegmentDiscovery(rd, p[0], p[1], afi=afi), rds, _prefix(width)),
        st.builds(lambda rd, a: DirectSegmentDiscovery(rd, a, afi=afi), rds, _addr(width)),
        _t1st(afi),
        _t2st(afi),
        unknown,
    )
    return st.builds(with_pid, routes, _pid(with_path_id))


def ls_sr_mup_nlri(afi: int, safi: int, with_path_id: bool = False) -> st.SearchStrategy[Any]:
    """One route of a family in :data:`LS_SR_MUP_FAMILIES`."""
    if safi in (71, 72):
        return bgpls_routes(safi == 72, with_path_id)
    if safi == 73:
        return sr_policy_routes(afi, with_path_id)
    return mup_routes(afi, with_path_id)
