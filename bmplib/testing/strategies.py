"""Hypothesis strategies for every bmplib model type.

Each strategy draws *valid* model objects: objects that are exactly what the
decoder gives for their encoding, so ``decode(encode(m)) == m``.  Objects
whose decoding depends on the session (UPDATEs, path attributes, NLRI) are
drawn for a :class:`~bmplib.session.DecodeContext`: pass one, or draw one
with :func:`contexts`.

=========================  ===================================================
strategy                   draws
=========================  ===================================================
:func:`contexts`           DecodeContext (4-octet AS, ADD-PATH families, ...)
:func:`peer_headers`       PeerHeader (every peer type, flags, addresses)
:func:`information_tlvs`   InformationTLV
:func:`bmp_messages`       every BMP message type (:func:`route_monitorings`,
                           :func:`statistics_reports`, :func:`peer_downs`,
                           :func:`peer_ups`, :func:`initiations`,
                           :func:`terminations`, :func:`route_mirrorings`,
                           :func:`unknown_messages`)
:func:`bgp_messages`       OPEN, UPDATE, NOTIFICATION, KEEPALIVE,
                           ROUTE-REFRESH, unknown types
:func:`opens`              Open with every capability (:func:`capabilities`)
:func:`updates`            Update (withdrawn, attributes, NLRI of every family)
:func:`path_attributes`    every path attribute type
:func:`extended_communities`  every extended community type
:func:`nlri`               routes of one (AFI, SAFI) (:data:`FAMILIES`)
:func:`bmp_streams`        lists of BMP messages (no session state)
:func:`bmp_sessions`       Peer Up + Route Monitoring in the negotiated layout
=========================  ===================================================

Use::

    from hypothesis import given
    from bmplib.testing import strategies as bst

    @given(bst.bmp_messages())
    def test_round_trip(msg):
        assert bmplib.decode(bmplib.encode(msg)) == msg
"""

from __future__ import annotations

import socket
from typing import Any

from hypothesis import strategies as st

from bmplib.bgp.attributes import (
    AIGP,
    AIGPTLV,
    Aggregator,
    AS4Aggregator,
    AS4Path,
    ASPath,
    ASPathSegment,
    AtomicAggregate,
    AttrSet,
    ClusterList,
    Communities,
    Encapsulation,
    ExtendedCommunities,
    ExtendedCommunity,
    IPv6ExtendedCommunities,
    IPv6ExtendedCommunity,
    LargeCommunities,
    LinkBandwidth,
    LocalPref,
    MPNextHop,
    MPReachNLRI,
    MPUnreachNLRI,
    MultiExitDisc,
    NextHop,
    OnlyToCustomer,
    Origin,
    OriginatorID,
    OriginType,
    RouteOrigin,
    RouteTarget,
    SegmentType,
    UnknownAttribute,
)
from bmplib.bgp.attributes.base import lookup_attribute
from bmplib.bgp.attributes.evpn_communities import (
    DefaultGateway,
    DFElection,
    ESILabel,
    ESImportRouteTarget,
    ETree,
    Layer2Attributes,
    MACMobility,
    RouterMAC,
)
from bmplib.bgp.attributes.extended_communities import _EXT_REGISTRY, Redirect, TunnelType
from bmplib.bgp.attributes.flowspec_communities import TrafficAction, TrafficMarking, TrafficRate
from bmplib.bgp.attributes.mp import NEXT_HOP_LENGTHS
from bmplib.bgp.attributes.pmsi_tunnel import PMSITunnel, PMSITunnelType
from bmplib.bgp.attributes.prefix_sid import (
    LabelIndexTLV,
    OriginatorSRGBTLV,
    PrefixSID,
    PrefixSIDTLV,
    PrefixSIDType,
    SRv6ServiceTLV,
    SRv6SIDInformation,
    SRv6SIDStructure,
)
from bmplib.bgp.attributes.vpls_communities import Layer2Info
from bmplib.bgp.capabilities import (
    _DECODERS as _CAPABILITY_DECODERS,
)
from bmplib.bgp.capabilities import (
    AddPathCapability,
    AddPathFamily,
    BGPRole,
    BGPRoleCapability,
    CapabilityCode,
    EnhancedRouteRefreshCapability,
    ExtendedMessageCapability,
    ExtendedNextHopCapability,
    ExtendedNextHopFamily,
    FourOctetASCapability,
    FQDNCapability,
    GracefulRestartCapability,
    GracefulRestartFamily,
    LongLivedGracefulRestartCapability,
    LongLivedGracefulRestartFamily,
    MultipleLabelsCapability,
    MultipleLabelsFamily,
    MultiprotocolCapability,
    ORFCapability,
    ORFEntry,
    ORFFamily,
    ORFType,
    PathsLimitCapability,
    PathsLimitFamily,
    RouteRefreshCapability,
    SendReceive,
    SoftwareVersionCapability,
    UnknownCapability,
)
from bmplib.bgp.keepalive import Keepalive
from bmplib.bgp.message import _DECODERS as _BGP_DECODERS
from bmplib.bgp.message import MAX_EXTENDED_MESSAGE_LENGTH, MAX_MESSAGE_LENGTH, UnknownBGPMessage
from bmplib.bgp.notification import _CODES as _NOTIFICATION_CODES
from bmplib.bgp.notification import _NO_SUBCODES, _SUBCODES, Notification
from bmplib.bgp.open import CapabilitiesParameter, Open, ParameterType, UnknownParameter
from bmplib.bgp.route_refresh import RouteRefresh, RouteRefreshSubtype
from bmplib.bgp.update import Update
from bmplib.bmp.constants import (
    STAT_SHAPES,
    InitiationTLVType,
    MirroringInfoCode,
    PeerDownReason,
    PeerType,
    PeerUpTLVType,
    RouteMirroringTLVType,
    StatShape,
    StatType,
    TerminationTLVType,
    lookup,
)
from bmplib.bmp.header import FLAG_A, FLAG_V, PeerHeader
from bmplib.bmp.messages import (
    Initiation,
    MirroredBGPMessage,
    MirroringInformation,
    PeerDown,
    PeerUp,
    RouteMirroring,
    RouteMonitoring,
    Stat,
    StatisticsReport,
    Termination,
    UnknownMessage,
)
from bmplib.bmp.tlv import InformationTLV
from bmplib.nlri.esi import ESI
from bmplib.nlri.evpn import (
    EthernetAutoDiscovery,
    EthernetSegment,
    EVPNRoute,
    InclusiveMulticastEthernetTag,
    IPPrefix,
    LeafAutoDiscovery,
    MACIPAdvertisement,
    MulticastLeaveSynch,
    MulticastMembershipReportSynch,
    PerRegionIPMSIAutoDiscovery,
    SelectiveMulticastEthernetTag,
    SPMSIAutoDiscovery,
    UnknownEVPNRoute,
)
from bmplib.nlri.flowspec import (
    FlowSpecMAC,
    FlowSpecMatch,
    FlowSpecOperators,
    FlowSpecPrefix,
    FlowSpecRoute,
    decode_flowspec_nlri,
)
from bmplib.nlri.inet import InetPrefix
from bmplib.nlri.labeled import LabeledPrefix
from bmplib.nlri.mdt import MDTRoute
from bmplib.nlri.mvpn import (
    SPMSIAD,
    InterASIPMSIAD,
    IntraASIPMSIAD,
    LeafAD,
    MVPNRoute,
    SharedTreeJoin,
    SourceActiveAD,
    SourceTreeJoin,
    UnknownMVPNRoute,
)
from bmplib.nlri.rd import RouteDistinguisher
from bmplib.nlri.registry import AFI, SAFI, UnknownNLRI
from bmplib.nlri.registry import lookup as lookup_codec
from bmplib.nlri.rtc import RouteTargetMembership
from bmplib.nlri.vpls import UnknownVPLSRoute, VPLSAutoDiscovery, VPLSRoute
from bmplib.nlri.vpn import VPNPrefix
from bmplib.session import DecodeContext, contexts_from_opens
from bmplib.testing.ls_sr_mup import (
    LS_SR_MUP_FAMILIES,
    bgpls_attributes,
    ls_sr_mup_nlri,
    mup_extended_communities,
    tunnel_encapsulations,
)

__all__ = [
    "FAMILIES",
    "as_path_segments",
    "bgp_messages",
    "bmp_messages",
    "bmp_sessions",
    "bmp_streams",
    "capabilities",
    "contexts",
    "default_context",
    "esis",
    "evpn_routes",
    "extended_communities",
    "information_tlvs",
    "initiations",
    "ipv4_addresses",
    "ipv6_addresses",
    "keepalives",
    "nlri",
    "notifications",
    "opens",
    "path_attributes",
    "peer_downs",
    "peer_headers",
    "peer_ups",
    "route_distinguishers",
    "route_mirrorings",
    "route_monitorings",
    "route_refreshes",
    "session_opens",
    "statistics_reports",
    "terminations",
    "unknown_bgp_messages",
    "unknown_messages",
    "updates",
]

#: Every (AFI, SAFI) with an NLRI codec, plus one without (raw NLRI).
FAMILIES: tuple[tuple[int, int], ...] = (
    (1, 1),
    (1, 2),
    (2, 1),
    (2, 2),
    (1, 4),
    (2, 4),
    (1, 128),
    (2, 128),
    (1, 129),
    (2, 129),
    (25, 70),
    (1, 132),
    # FlowSpec, VPN / L2VPN FlowSpec, VPLS, MDT, MVPN, RTC for AFI 2
    (1, 133),
    (2, 133),
    (1, 134),
    (2, 134),
    (25, 134),
    (25, 65),
    (1, 66),
    (1, 5),
    (2, 5),
    (2, 132),
    # BGP-LS, SR Policy, MUP (bmplib.testing.ls_sr_mup)
    *LS_SR_MUP_FAMILIES,
)

u8 = st.integers(0, 0xFF)
u16 = st.integers(0, 0xFFFF)
u24 = st.integers(0, 0xFFFFFF)
u32 = st.integers(0, 0xFFFFFFFF)
u64 = st.integers(0, 0xFFFFFFFFFFFFFFFF)


def _small_bytes(max_size: int = 24) -> st.SearchStrategy[bytes]:
    return st.binary(max_size=max_size)


# ---------------------------------------------------------------------------
# addresses and identifiers
# ---------------------------------------------------------------------------
def ipv4_addresses() -> st.SearchStrategy[str]:
    """IPv4 address text."""
    return st.binary(min_size=4, max_size=4).map(socket.inet_ntoa)


def ipv6_addresses() -> st.SearchStrategy[str]:
    """IPv6 address text (inet_ntop's canonical form), with some
    IPv4-mapped / compatible ones."""
    raw = st.one_of(
        st.binary(min_size=16, max_size=16),
        st.binary(min_size=4, max_size=4).map(lambda b: bytes(10) + b"\xff\xff" + b),
        st.binary(min_size=4, max_size=4).map(lambda b: bytes(12) + b),
    )
    return raw.map(lambda b: socket.inet_ntop(socket.AF_INET6, b))


def ip_addresses() -> st.SearchStrategy[str]:
    return st.one_of(ipv4_addresses(), ipv6_addresses())


def macs() -> st.SearchStrategy[str]:
    """MAC text as the decoder gives it (lower-case, colon separated)."""
    return st.binary(min_size=6, max_size=6).map(lambda b: b.hex(":"))


def route_distinguishers() -> st.SearchStrategy[RouteDistinguisher]:
    """RDs of types 0, 1, 2 and unassigned types (any 8 octets)."""
    typed = st.tuples(st.sampled_from((0, 1, 2)), st.binary(min_size=6, max_size=6)).map(
        lambda t: RouteDistinguisher(t[0].to_bytes(2, "big") + t[1])
    )
    return st.one_of(typed, st.binary(min_size=8, max_size=8).map(RouteDistinguisher))


def esis() -> st.SearchStrategy[ESI]:
    """ESIs of types 0-5, the zero and MAX ESIs, and unassigned types."""
    return st.one_of(
        st.just(ESI(bytes(10))),
        st.just(ESI(b"\xff" * 10)),
        st.tuples(st.integers(0, 5), st.binary(min_size=9, max_size=9)).map(lambda t: ESI(bytes((t[0],)) + t[1])),
        st.binary(min_size=10, max_size=10).map(ESI),
    )


# ---------------------------------------------------------------------------
# decoding contexts
# ---------------------------------------------------------------------------
def contexts(families: tuple[tuple[int, int], ...] = FAMILIES) -> st.SearchStrategy[DecodeContext]:
    """Decode contexts: 2- or 4-octet AS, ADD-PATH for a subset of
    *families*, extended messages or not."""
    return st.builds(
        DecodeContext,
        asn4=st.booleans(),
        addpath=st.frozensets(st.sampled_from(families)),
        extended_message=st.booleans(),
    )


def default_context(peer: PeerHeader) -> DecodeContext:
    """The context the decoder uses for a per-peer message when it knows no
    session: the A flag decides the AS width (RFC 7854)."""
    return DecodeContext(asn4=not peer.is_as2)


# ---------------------------------------------------------------------------
# NLRI of every family
# ---------------------------------------------------------------------------
def _path_id(with_path_id: bool) -> st.SearchStrategy[int | None]:
    return u32 if with_path_id else st.none()


@st.composite
def _prefix_bits(draw: st.DrawFn, max_bits: int) -> tuple[int, bytes]:
    """(length, packed): the packed octets keep whatever host bits they have."""
    length = draw(st.integers(0, max_bits))
    return length, draw(st.binary(min_size=(length + 7) >> 3, max_size=(length + 7) >> 3))


def inet_prefixes(family: tuple[int, int] = (1, 1), with_path_id: bool = False) -> st.SearchStrategy[InetPrefix]:
    """IPv4/IPv6 unicast/multicast prefixes (RFC 4271, RFC 4760)."""
    bits = 32 if family[0] == 1 else 128
    return st.builds(lambda lp, pid: InetPrefix(family, lp[0], lp[1], pid), _prefix_bits(bits), _path_id(with_path_id))


@st.composite
def label_stacks(draw: st.DrawFn, max_labels: int = 3) -> bytes:
    """A label stack as the decoder delimits it: entries without the
    bottom-of-stack bit, then one with it (or a withdraw value)."""
    n = draw(st.integers(0, max_labels - 1))
    inner = [draw(u24.filter(lambda e: not e & 1 and e not in (0, 0x800000))) for _ in range(n)]
    last = draw(st.one_of(u24.map(lambda e: e | 1), st.sampled_from((0x800000, 0))))
    return b"".join(e.to_bytes(3, "big") for e in [*inner, last])


def labeled_prefixes(family: tuple[int, int] = (1, 4), with_path_id: bool = False) -> st.SearchStrategy[Any]:
    """Labeled unicast routes (RFC 8277)."""
    bits = 32 if family[0] == 1 else 128
    return st.builds(
        lambda lp, stack, pid: LabeledPrefix(family, lp[0], lp[1], stack, pid),
        _prefix_bits(bits),
        label_stacks(),
        _path_id(with_path_id),
    ).filter(lambda r: 8 * len(r.label_stack) + r.length <= 255)


def vpn_prefixes(family: tuple[int, int] = (1, 128), with_path_id: bool = False) -> st.SearchStrategy[Any]:
    """VPN-IPv4 / VPN-IPv6 routes (RFC 4364, RFC 4659)."""
    bits = 32 if family[0] == 1 else 128
    return st.builds(
        lambda lp, stack, rd, pid: VPNPrefix(family, lp[0], lp[1], stack, rd, pid),
        _prefix_bits(bits),
        label_stacks(2),
        route_distinguishers(),
        _path_id(with_path_id),
    ).filter(lambda r: 8 * (len(r.label_stack) + 8) + r.length <= 255)


def rtc_routes(with_path_id: bool = False, family: tuple[int, int] = (1, 132)) -> st.SearchStrategy[Any]:
    """Route-target membership NLRI (RFC 4684), the default route included."""
    return st.builds(
        lambda lp, pid: RouteTargetMembership(lp[0], lp[1], pid, family=family),
        _prefix_bits(96),
        _path_id(with_path_id),
    )


# ---------------------------------------------------------------------------
# FlowSpec, VPLS, MVPN (MDT is drawn in nlri())
# ---------------------------------------------------------------------------
_FLOWSPEC_NUMERIC = (3, 4, 5, 6, 7, 8, 10, 11)
_FLOWSPEC_TYPES: dict[int, tuple[int, ...]] = {
    1: (1, 2, *_FLOWSPEC_NUMERIC, 9, 12),
    2: (1, 2, *_FLOWSPEC_NUMERIC, 9, 12, 13),
    25: (*_FLOWSPEC_NUMERIC, 9, 12, 13, *range(14, 25)),
}


@st.composite
def _flowspec_matches(draw: st.DrawFn) -> list[FlowSpecMatch]:
    """1-3 operator / value pairs, the end-of-list bit on the last only; any
    and / length / comparison / reserved bits."""
    ops = draw(st.lists(st.integers(0, 0x7F), min_size=1, max_size=3))
    ops[-1] |= 0x80
    out = []
    for op in ops:
        n = 1 << ((op >> 4) & 3)
        out.append(FlowSpecMatch(op, draw(st.integers(0, (1 << (8 * n)) - 1))))
    return out


@st.composite
def _flowspec_component(draw: st.DrawFn, afi: int) -> Any:
    t = draw(st.sampled_from(_FLOWSPEC_TYPES[afi]))
    if t in (1, 2) and afi == 1:
        length = draw(st.integers(0, 32))
        return FlowSpecPrefix(t, length, draw(st.binary(min_size=(length + 7) >> 3, max_size=(length + 7) >> 3)))
    if t in (1, 2):
        length = draw(st.integers(0, 128))
        offset = draw(st.integers(0, length - 1)) if length else 0
        n = (length - offset + 7) >> 3
        return FlowSpecPrefix(t, length, draw(st.binary(min_size=n, max_size=n)), offset)
    if t in (15, 16):
        return FlowSpecMAC(t, draw(st.binary(max_size=8)))
    return FlowSpecOperators(t, draw(_flowspec_matches()))


@st.composite
def flowspec_routes(draw: st.DrawFn, family: tuple[int, int] = (1, 133), with_path_id: bool = False) -> Any:
    """FlowSpec NLRI (RFC 8955, RFC 8956, L2VPN) of every component type,
    some in the two-octet length form, and NLRI with a component type the
    family does not define (:class:`~bmplib.nlri.flowspec.UnknownFlowSpecRoute`)."""
    rd = draw(route_distinguishers()) if family[1] == 134 else None
    components = draw(st.lists(_flowspec_component(family[0]), max_size=5))
    route = FlowSpecRoute(family, components, rd, path_id=draw(_path_id(with_path_id)))
    if draw(st.integers(0, 9)) == 0:
        # an undefined component type: decoded from its octets, for the reason text
        bad = draw(st.integers(0, 255).filter(lambda t: t not in _FLOWSPEC_TYPES[family[0]]))
        body = route.encode()[(4 if route.path_id is not None else 0) + 1 :] + bytes((bad,)) + draw(_small_bytes())
        wire = (b"" if route.path_id is None else route.path_id.to_bytes(4, "big")) + bytes((len(body),)) + body
        if len(body) < 240:
            return decode_flowspec_nlri(wire, 0, len(wire), family, route.path_id is not None)[0]
    if len(route.encode()) < 240:
        route.long_length = draw(st.booleans())
    return route


def vpls_routes(with_path_id: bool = False) -> st.SearchStrategy[Any]:
    """VPLS NLRI: RFC 4761 signalling, RFC 6074 auto-discovery, other lengths."""
    pid = _path_id(with_path_id)
    return st.one_of(
        st.builds(VPLSRoute, route_distinguishers(), u16, u16, u16, u24, path_id=pid),
        st.builds(VPLSAutoDiscovery, route_distinguishers(), ipv4_addresses(), path_id=pid),
        st.builds(UnknownVPLSRoute, st.binary(max_size=40).filter(lambda b: len(b) not in (12, 17)), path_id=pid),
    )


def _mvpn_simple(family: tuple[int, int]) -> st.SearchStrategy[MVPNRoute]:
    rd, ip, opt = route_distinguishers(), ip_addresses(), _opt_ip()
    return st.one_of(
        st.builds(IntraASIPMSIAD, rd, ip, family=st.just(family)),
        st.builds(InterASIPMSIAD, rd, u32, family=st.just(family)),
        st.builds(SPMSIAD, rd, opt, opt, ip, family=st.just(family)),
        st.builds(SourceActiveAD, rd, opt, opt, family=st.just(family)),
        st.builds(SharedTreeJoin, rd, u32, opt, opt, family=st.just(family)),
        st.builds(SourceTreeJoin, rd, u32, opt, opt, family=st.just(family)),
        st.builds(UnknownMVPNRoute, st.integers(8, 255) | st.just(0), st.binary(max_size=40), family=st.just(family)),
    )


def mvpn_routes(family: tuple[int, int] = (1, 5), with_path_id: bool = False) -> st.SearchStrategy[MVPNRoute]:
    """MCAST-VPN routes of types 1-7 (RFC 6514, RFC 6625 wildcards, Leaf A-D
    route keys of every type) and unknown route types."""

    def with_pid(route: MVPNRoute, pid: int | None) -> MVPNRoute:
        route.path_id = pid
        return route

    base = _mvpn_simple(family)
    leaf = st.builds(LeafAD, base, ip_addresses(), family=st.just(family)).filter(lambda r: len(r.encode_body()) <= 255)
    return st.builds(with_pid, st.one_of(base, leaf), _path_id(with_path_id))


def _opt_ip() -> st.SearchStrategy[str | None]:
    return st.one_of(st.none(), ip_addresses())


@st.composite
def _ip_prefix_route(draw: st.DrawFn) -> IPPrefix:
    """Type 5: prefix and gateway of the same address family; the prefix
    octets keep their host bits (as on the wire)."""
    n = draw(st.sampled_from((4, 16)))
    af = socket.AF_INET if n == 4 else socket.AF_INET6
    addr = socket.inet_ntop(af, draw(st.binary(min_size=n, max_size=n)))
    gw = socket.inet_ntop(af, draw(st.binary(min_size=n, max_size=n)))
    plen = draw(st.integers(0, 8 * n))
    return IPPrefix(draw(route_distinguishers()), draw(esis()), draw(u32), f"{addr}/{plen}", gw, draw(u24))


def evpn_routes(with_path_id: bool = False) -> st.SearchStrategy[EVPNRoute]:
    """EVPN routes of types 1-11 (RFC 7432, RFC 9136, RFC 9251, RFC 9572)
    and unknown route types."""

    def with_pid(route: EVPNRoute, pid: int | None) -> EVPNRoute:
        route.path_id = pid
        return route

    base = st.one_of(_evpn_simple(), _ip_prefix_route())
    leaf = st.builds(LeafAutoDiscovery, base, ip_addresses()).filter(lambda r: len(r.encode_body()) <= 255)
    return st.builds(with_pid, st.one_of(base, leaf), _path_id(with_path_id))


def _evpn_simple() -> st.SearchStrategy[EVPNRoute]:
    rd, esi, tag, ip = route_distinguishers(), esis(), u32, ip_addresses()
    opt8 = st.one_of(st.none(), u8)
    return st.one_of(
        st.builds(EthernetAutoDiscovery, rd, esi, tag, u24),
        st.builds(MACIPAdvertisement, rd, esi, tag, macs(), _opt_ip(), u24, st.one_of(st.none(), u24), u8),
        st.builds(InclusiveMulticastEthernetTag, rd, tag, ip),
        st.builds(EthernetSegment, rd, esi, ip),
        st.builds(SelectiveMulticastEthernetTag, rd, tag, _opt_ip(), _opt_ip(), _opt_ip(), opt8),
        st.builds(MulticastMembershipReportSynch, rd, esi, tag, _opt_ip(), _opt_ip(), _opt_ip(), opt8),
        st.builds(MulticastLeaveSynch, rd, esi, tag, _opt_ip(), _opt_ip(), _opt_ip(), u32, u8, opt8),
        st.builds(PerRegionIPMSIAutoDiscovery, rd, tag, st.binary(min_size=8, max_size=8)),
        st.builds(SPMSIAutoDiscovery, rd, tag, _opt_ip(), _opt_ip(), _opt_ip()),
        st.builds(UnknownEVPNRoute, st.integers(12, 255) | st.just(0), st.binary(max_size=40)),
    )


def nlri(afi: int, safi: int, with_path_id: bool = False) -> st.SearchStrategy[Any]:
    """One route of (AFI, SAFI), with a path identifier when
    *with_path_id*.  A family without a codec gives an
    :class:`~bmplib.nlri.registry.UnknownNLRI` (raw, non-empty octets,
    never with a path identifier)."""
    family = (afi, safi)
    if family in ((1, 1), (1, 2), (2, 1), (2, 2)):
        return inet_prefixes(family, with_path_id)
    if family in ((1, 4), (2, 4)):
        return labeled_prefixes(family, with_path_id)
    if family in ((1, 128), (2, 128), (1, 129), (2, 129)):
        return vpn_prefixes(family, with_path_id)
    if family == (25, 70):
        return evpn_routes(with_path_id)
    if family in ((1, 132), (2, 132)):
        return rtc_routes(with_path_id, family)
    if family in ((1, 133), (2, 133), (1, 134), (2, 134), (25, 134)):
        return flowspec_routes(family, with_path_id)
    if family == (25, 65):
        return vpls_routes(with_path_id)
    if family == (1, 66):
        ip = ipv4_addresses()
        return st.builds(MDTRoute, route_distinguishers(), ip, ip, path_id=_path_id(with_path_id))
    if family in ((1, 5), (2, 5)):
        return mvpn_routes(family, with_path_id)
    if family in LS_SR_MUP_FAMILIES:
        return ls_sr_mup_nlri(afi, safi, with_path_id)
    if lookup_codec(afi, safi) is not None:
        raise ValueError(f"no strategy for the registered family {family}")
    return st.binary(min_size=1, max_size=64).map(lambda b: UnknownNLRI(afi, safi, b))


def _route_list(family: tuple[int, int], ctx: DecodeContext, max_size: int = 4) -> st.SearchStrategy[list[Any]]:
    if lookup_codec(*family) is None:
        # one UnknownNLRI holds all the octets, or none
        return st.lists(nlri(*family), max_size=1)
    return st.lists(nlri(family[0], family[1], family in ctx.addpath), max_size=max_size)


# ---------------------------------------------------------------------------
# extended communities
# ---------------------------------------------------------------------------
def extended_communities() -> st.SearchStrategy[Any]:
    """Every typed extended community (RFC 4360, RFC 5668, RFC 9012, EVPN,
    link bandwidth, FlowSpec actions) and raw ones of unregistered (type, sub-type)."""
    raw = st.builds(ExtendedCommunity, u8, u8, st.binary(min_size=6, max_size=6)).filter(
        lambda c: (c.type, c.subtype) not in _EXT_REGISTRY
    )

    def admin(kind: type[Any], subtype: int) -> st.SearchStrategy[Any]:
        return st.one_of(
            st.builds(kind, st.sampled_from((0x00, 0x40)), st.just(subtype), u16, u32),
            st.builds(kind, st.sampled_from((0x01, 0x41)), st.just(subtype), ipv4_addresses(), u16),
            st.builds(kind, st.sampled_from((0x02, 0x42)), st.just(subtype), u32, u16),
        )

    bandwidth = st.floats(width=32, allow_nan=False)
    return st.one_of(
        raw,
        admin(RouteTarget, 0x02),
        admin(RouteOrigin, 0x03),
        st.builds(LinkBandwidth, st.sampled_from((0x00, 0x40)), st.just(0x04), u16, bandwidth),
        st.builds(Encapsulation, st.just(0x03), st.just(0x0C), st.sampled_from(list(TunnelType)) | u16, u32),
        st.builds(MACMobility, st.just(0x06), st.just(0x00), u8, u8, u32),
        st.builds(ESILabel, st.just(0x06), st.just(0x01), u8, u16, u24),
        st.builds(ESImportRouteTarget, st.just(0x06), st.just(0x02), macs()),
        st.builds(RouterMAC, st.just(0x06), st.just(0x03), macs()),
        st.builds(Layer2Attributes, st.just(0x06), st.just(0x04), u16, u16, u16),
        st.builds(ETree, st.just(0x06), st.just(0x05), u8, u16, u24),
        st.builds(DFElection, st.just(0x06), st.just(0x06), u8, u16, u24),
        st.builds(DefaultGateway, st.just(0x03), st.just(0x0D), st.binary(min_size=6, max_size=6)),
        # FlowSpec traffic actions (RFC 8955 section 7)
        st.builds(TrafficRate, st.just(0x80), st.sampled_from((0x06, 0x0C)), u16, st.floats(width=32, allow_nan=False)),
        st.builds(TrafficAction, st.just(0x80), st.just(0x07), st.integers(0, (1 << 46) - 1), *[st.booleans()] * 2),
        st.builds(TrafficMarking, st.just(0x80), st.just(0x09), st.integers(0, (1 << 42) - 1), st.integers(0, 63)),
        st.builds(Redirect, st.just(0x80), st.just(0x08), u16, u32),
        st.builds(Redirect, st.just(0x81), st.just(0x08), ipv4_addresses(), u16),
        st.builds(Redirect, st.just(0x82), st.just(0x08), u32, u16),
        st.builds(Layer2Info, st.just(0x80), st.just(0x0A), u8, u8, u16, u16),  # VPLS (RFC 4761)
        mup_extended_communities(),
    )


# ---------------------------------------------------------------------------
# path attributes
# ---------------------------------------------------------------------------
@st.composite
def _flags(draw: st.DrawFn, code: int) -> int:
    """Attribute flags: the category the registry wants (optional /
    transitive bits), with the partial and extended-length bits and the
    unused low bits drawn (the model keeps them as received)."""
    entry = lookup_attribute(code)
    category = (
        entry.category if entry is not None and entry.category is not None else 0x80 | draw(st.sampled_from((0, 0x40)))
    )
    low = draw(st.sampled_from((0, 0, 0, 0x10, 0x20, 0x30, 0x01, 0x1F)))
    return category | low


def as_path_segments(asn4: bool = True, max_segments: int = 4) -> st.SearchStrategy[list[ASPathSegment]]:
    """AS_PATH segments: types 1-4, 1-255 AS numbers each (none empty:
    RFC 7606 section 7.2)."""
    asn = u32 if asn4 else u16
    seg = st.builds(
        ASPathSegment,
        st.sampled_from((1, 2, 3, 4)).map(lambda t: lookup(SegmentType, t)),
        st.lists(asn, min_size=1, max_size=12).map(tuple) | st.lists(asn, min_size=250, max_size=255).map(tuple),
    )
    return st.lists(seg, max_size=max_segments)


def _aggregator() -> st.SearchStrategy[Aggregator]:
    return st.one_of(
        st.builds(lambda a, addr: Aggregator(a, addr, True), u32, ipv4_addresses()),
        st.builds(lambda a, addr: Aggregator(a, addr, False), u16, ipv4_addresses()),
    )


def _aigp() -> st.SearchStrategy[AIGP]:
    tlv = st.one_of(
        st.builds(AIGPTLV, st.just(1), st.binary(min_size=8, max_size=8)),
        st.builds(AIGPTLV, st.integers(2, 255) | st.just(0), st.binary(max_size=16)),
    )
    return st.builds(AIGP, st.lists(tlv, max_size=3))


def _pmsi() -> st.SearchStrategy[PMSITunnel]:
    ttype = st.sampled_from(list(PMSITunnelType)) | u8.map(lambda t: lookup(PMSITunnelType, t))
    return st.builds(PMSITunnel, u8, ttype, u24, st.binary(max_size=24))


def _prefix_sid() -> st.SearchStrategy[PrefixSID]:
    sub_sub = st.one_of(
        st.builds(SRv6SIDStructure, u8, u8, u8, u8, u8, u8),
        st.builds(PrefixSIDTLV, u8, st.binary(max_size=8)).filter(lambda t: not (t.type == 1 and len(t.value) == 6)),
    )
    sid_info = st.builds(SRv6SIDInformation, ipv6_addresses(), u16, u8, st.lists(sub_sub, max_size=2), u8, u8)
    sub = st.one_of(sid_info, st.builds(PrefixSIDTLV, st.integers(2, 255) | st.just(0), st.binary(max_size=8)))
    tlv = st.one_of(
        st.builds(LabelIndexTLV, u32, u16, u8),
        st.builds(OriginatorSRGBTLV, st.lists(st.tuples(u24, u24), max_size=3), u16),
        st.builds(
            SRv6ServiceTLV,
            st.sampled_from((PrefixSIDType.SRV6_L3_SERVICE, PrefixSIDType.SRV6_L2_SERVICE)),
            st.lists(sub, max_size=2),
            u8,
        ),
        st.builds(PrefixSIDTLV, u8.filter(lambda t: t not in (1, 3, 5, 6)), st.binary(max_size=12)),
    )
    return st.builds(PrefixSID, st.lists(tlv, max_size=3))


def _unknown_attribute() -> st.SearchStrategy[UnknownAttribute]:
    return st.builds(
        UnknownAttribute,
        u8.filter(lambda c: lookup_attribute(c) is None),
        st.binary(max_size=32),
        st.just(0x80) | st.just(0xC0) | st.just(0xE0) | st.just(0xD0),
    )


def _attribute_by_code(ctx: DecodeContext, nested: bool = False) -> dict[int, st.SearchStrategy[Any]]:
    """code -> strategy of the attribute value objects (flags drawn apart)."""
    ip4 = ipv4_addresses()
    out: dict[int, st.SearchStrategy[Any]] = {
        1: st.builds(lambda o: Origin(lookup(OriginType, o)), st.integers(0, 2)),
        2: st.builds(lambda segs: ASPath(segs, ctx.asn4), as_path_segments(ctx.asn4)),
        3: st.builds(NextHop, ip4),
        4: st.builds(MultiExitDisc, u32),
        5: st.builds(LocalPref, u32),
        6: st.just(None).map(lambda _: AtomicAggregate()),
        7: _aggregator(),
        8: st.builds(Communities, st.lists(u32, max_size=8).map(tuple)),
        9: st.builds(OriginatorID, ip4),
        10: st.builds(ClusterList, st.lists(ip4, max_size=4)),
        16: st.builds(ExtendedCommunities, st.lists(extended_communities(), max_size=5)),
        17: st.builds(AS4Path, as_path_segments(True)),
        18: st.builds(AS4Aggregator, u32, ip4),
        22: _pmsi(),
        25: st.builds(
            IPv6ExtendedCommunities,
            st.lists(st.builds(IPv6ExtendedCommunity, u8, u8, ipv6_addresses(), u16), max_size=3),
        ),
        26: _aigp(),
        32: st.builds(LargeCommunities, st.lists(st.tuples(u32, u32, u32), max_size=4)),
        35: st.builds(OnlyToCustomer, u32),
        40: _prefix_sid(),
        # Tunnel Encapsulation, BGP-LS attribute (bmplib.testing.ls_sr_mup)
        23: tunnel_encapsulations(),
        29: bgpls_attributes(),
    }
    if not nested:
        out[128] = st.builds(AttrSet, u32, st.deferred(lambda: _nested_attributes(ctx)))
    return out


def _canonical_flags(a: Any) -> Any:
    """A value over 255 octets needs the extended-length bit (the encoder
    sets it): set it in the model too, as the decoder will."""
    if not a.flags & 0x10 and len(a.encode()) > 258:
        a.flags |= 0x10
    return a


@st.composite
def _with_flags(draw: st.DrawFn, attr: st.SearchStrategy[Any]) -> Any:
    a = draw(attr)
    a.flags = draw(_flags(a.type_code))
    return _canonical_flags(a)


@st.composite
def _nested_attributes(draw: st.DrawFn, ctx: DecodeContext) -> list[Any]:
    """The attributes inside ATTR_SET: decoded strictly, no MP_* or ATTR_SET."""
    by_code = _attribute_by_code(ctx, nested=True)
    codes = draw(st.lists(st.sampled_from(sorted(by_code)), max_size=3, unique=True))
    out = [draw(_with_flags(by_code[c])) for c in codes]
    if draw(st.booleans()):
        out.append(draw(_unknown_attribute()))
    return out


def path_attributes(ctx: DecodeContext | None = None) -> st.SearchStrategy[Any]:
    """One path attribute of any type (MP_REACH/MP_UNREACH included), with
    flags of its registered category, valid for *ctx* (default: 4-octet AS,
    no ADD-PATH)."""
    ctx = ctx if ctx is not None else DecodeContext()
    by_code = _attribute_by_code(ctx)
    return st.one_of(
        *(_with_flags(s) for s in by_code.values()),
        _with_flags(_mp_reach(ctx)),
        _with_flags(_mp_unreach(ctx)),
        _unknown_attribute(),
    )


def _next_hops(family: tuple[int, int]) -> st.SearchStrategy[MPNextHop]:
    """Next hops of the lengths the family may have (NEXT_HOP_LENGTHS; any
    length for a family without a rule)."""
    lengths = NEXT_HOP_LENGTHS.get(family)
    if lengths is not None:
        sized = st.sampled_from(sorted(lengths)).flatmap(lambda n: st.binary(min_size=n, max_size=n))
        return sized.map(MPNextHop)
    return st.one_of(
        st.sampled_from((4, 16, 32, 12, 24, 48)).flatmap(lambda n: st.binary(min_size=n, max_size=n)),
        st.binary(max_size=40),
    ).map(MPNextHop)


@st.composite
def _mp_reach(draw: st.DrawFn, ctx: DecodeContext, family: tuple[int, int] | None = None) -> MPReachNLRI:
    fam = family if family is not None else draw(st.sampled_from(FAMILIES))
    routes = draw(_route_list(fam, ctx))
    return MPReachNLRI(fam[0], fam[1], draw(_next_hops(fam)), routes, draw(u8))


@st.composite
def _mp_unreach(draw: st.DrawFn, ctx: DecodeContext, family: tuple[int, int] | None = None) -> MPUnreachNLRI:
    fam = family if family is not None else draw(st.sampled_from(FAMILIES))
    return MPUnreachNLRI(fam[0], fam[1], draw(_route_list(fam, ctx)))


# ---------------------------------------------------------------------------
# BGP messages
# ---------------------------------------------------------------------------
def _limit(ctx: DecodeContext) -> int:
    return MAX_EXTENDED_MESSAGE_LENGTH if ctx.extended_message else MAX_MESSAGE_LENGTH


@st.composite
def _updates(draw: st.DrawFn, ctx: DecodeContext) -> Update:
    pid = (1, 1) in ctx.addpath
    withdrawn = draw(st.lists(inet_prefixes((1, 1), pid), max_size=4))
    nlri_ = draw(st.lists(inet_prefixes((1, 1), pid), max_size=4))
    by_code = _attribute_by_code(ctx)
    codes = set(draw(st.lists(st.sampled_from(sorted(by_code)), max_size=6, unique=True)))
    reach = draw(st.one_of(st.none(), _mp_reach(ctx)))
    unreach = draw(st.one_of(st.none(), _mp_unreach(ctx)))
    # RFC 7606 section 3 d: routes announced need the mandatory attributes
    if nlri_:
        codes |= {1, 2, 3}
    if reach is not None and reach.nlri:
        codes |= {1, 2}
    attrs = [draw(_with_flags(by_code[c])) for c in codes]
    if reach is not None:
        reach.flags = draw(_flags(14))
        attrs.append(_canonical_flags(reach))
    if unreach is not None:
        unreach.flags = draw(_flags(15))
        attrs.append(_canonical_flags(unreach))
    attrs += draw(st.lists(_unknown_attribute(), max_size=2, unique_by=lambda a: a.type_code))
    attrs = draw(st.permutations(attrs))
    return Update(withdrawn, list(attrs), nlri_)


def updates(ctx: DecodeContext | None = None) -> st.SearchStrategy[Update]:
    """UPDATEs valid for *ctx* (drawn when ``None``): classic withdrawn
    routes and NLRI (with path IDs when ADD-PATH applies to IPv4 unicast),
    any set of attributes in any order (each once, mandatory ones present
    when routes are announced), MP_REACH/MP_UNREACH of any family, and the
    message within the context's length limit."""
    if ctx is None:
        return contexts().flatmap(updates)
    limit = _limit(ctx)
    return _updates(ctx).filter(lambda u: 19 + len(u.encode_body()) <= limit)


def _capability_value_fits(c: Any) -> bool:
    return len(c.encode_value()) <= 255


def _afi() -> st.SearchStrategy[int]:
    return st.sampled_from((1, 2, 25, 16388)) | u16


def _safi() -> st.SearchStrategy[int]:
    return st.sampled_from((1, 2, 4, 70, 128, 132)) | u8


def capabilities() -> st.SearchStrategy[Any]:
    """Every typed capability (RFC 5492 and the registry) and unknown ones,
    including registered codes whose value does not have the registered
    shape (kept raw)."""
    afi, safi = _afi(), _safi()
    sr = u8.map(lambda v: lookup(SendReceive, v))
    text = st.text(max_size=40)
    unknown = st.one_of(
        st.builds(
            UnknownCapability,
            u8.filter(lambda c: c not in _CAPABILITY_DECODERS).map(lambda c: lookup(CapabilityCode, c)),
            st.binary(max_size=40),
        ),
        st.builds(UnknownCapability, st.sampled_from((1, 65)), st.binary(max_size=8).filter(lambda b: len(b) != 4)),
        st.builds(UnknownCapability, st.just(9), st.binary(max_size=4).filter(lambda b: len(b) != 1)),
        st.builds(UnknownCapability, st.sampled_from((2, 6, 70, 128)), st.binary(min_size=1, max_size=4)),
    ).map(lambda c: UnknownCapability(lookup(CapabilityCode, c.code), c.value))
    typed = st.one_of(
        st.builds(MultiprotocolCapability, afi, safi, u8),
        st.builds(
            RouteRefreshCapability,
            st.sampled_from((CapabilityCode.ROUTE_REFRESH, CapabilityCode.PRESTANDARD_ROUTE_REFRESH)),
        ),
        st.builds(
            ORFCapability,
            st.lists(
                st.builds(
                    ORFFamily,
                    afi,
                    safi,
                    st.lists(st.builds(ORFEntry, u8.map(lambda v: lookup(ORFType, v)), sr), max_size=4),
                    u8,
                ),
                max_size=3,
            ),
            st.sampled_from((CapabilityCode.OUTBOUND_ROUTE_FILTERING, CapabilityCode.PRESTANDARD_ORF)),
        ),
        st.builds(ExtendedNextHopCapability, st.lists(st.builds(ExtendedNextHopFamily, afi, u16, afi), max_size=4)),
        st.builds(ExtendedMessageCapability),
        st.builds(MultipleLabelsCapability, st.lists(st.builds(MultipleLabelsFamily, afi, safi, u8), max_size=4)),
        st.builds(BGPRoleCapability, u8.map(lambda v: lookup(BGPRole, v))),
        st.builds(
            GracefulRestartCapability,
            st.integers(0, 15),
            st.integers(0, 0xFFF),
            st.lists(st.builds(GracefulRestartFamily, afi, safi, u8), max_size=4),
        ),
        st.builds(FourOctetASCapability, u32),
        st.builds(AddPathCapability, st.lists(st.builds(AddPathFamily, afi, safi, sr), max_size=4)),
        st.builds(EnhancedRouteRefreshCapability),
        st.builds(
            LongLivedGracefulRestartCapability,
            st.lists(st.builds(LongLivedGracefulRestartFamily, afi, safi, u8, u24), max_size=4),
        ),
        st.builds(FQDNCapability, text, text),
        st.builds(SoftwareVersionCapability, text),
        st.builds(PathsLimitCapability, st.lists(st.builds(PathsLimitFamily, afi, safi, u16), max_size=4)),
    ).filter(_capability_value_fits)
    return st.one_of(typed, unknown)


@st.composite
def opens(draw: st.DrawFn) -> Open:
    """OPEN messages: one or several Capabilities parameters, unknown
    parameters, and the RFC 9072 extended parameters form."""
    extended = draw(st.booleans())
    cap_param = st.builds(CapabilitiesParameter, st.lists(capabilities(), max_size=6 if extended else 3))
    ptype = u8.filter(lambda t: t != 2 and (extended or t != 255)).map(lambda t: lookup(ParameterType, t))
    unknown = st.builds(UnknownParameter, ptype, st.binary(max_size=20))
    params = draw(st.lists(st.one_of(cap_param, unknown), max_size=4))
    msg = Open(draw(st.just(4) | u8), draw(u16), draw(u16), draw(ipv4_addresses()), params, extended)
    size = sum(len(p.encode_value()) + (3 if extended else 2) for p in params)
    limit = 0xFFFF if extended else 255
    if any(len(p.encode_value()) > (0xFFFF if extended else 255) for p in params) or size > limit:
        msg.parameters = []
    if len(msg.encode()) > MAX_MESSAGE_LENGTH:
        msg.parameters = []
    return msg


def _notification(code: int, subcode: int, data: bytes) -> Notification:
    """As the decoder gives it: registered codes and subcodes as enums."""
    return Notification(
        _NOTIFICATION_CODES.get(code, code), _SUBCODES.get(code, _NO_SUBCODES).get(subcode, subcode), data
    )


def notifications(max_data: int = 64) -> st.SearchStrategy[Notification]:
    """NOTIFICATIONs: every registered code and subcode, unknown ones, and
    data (RFC 9003 shutdown communications among them)."""
    code = st.sampled_from(sorted(_NOTIFICATION_CODES)) | u8
    return st.builds(
        _notification,
        code,
        st.integers(0, 12) | u8,
        st.one_of(
            st.binary(max_size=max_data),
            st.text(max_size=40).map(lambda t: t.encode("utf-8")[:255]).map(lambda b: bytes((len(b),)) + b),
        ),
    )


def keepalives() -> st.SearchStrategy[Keepalive]:
    return st.just(None).map(lambda _: Keepalive())


def route_refreshes() -> st.SearchStrategy[RouteRefresh]:
    """ROUTE-REFRESH (RFC 2918, RFC 7313 subtypes, ORF entries raw)."""
    return st.builds(
        RouteRefresh,
        _afi().map(lambda a: lookup(AFI, a)),
        _safi().map(lambda s: lookup(SAFI, s)),
        u8.map(lambda v: lookup(RouteRefreshSubtype, v)),
        st.binary(max_size=16),
    )


def unknown_bgp_messages() -> st.SearchStrategy[UnknownBGPMessage]:
    """BGP messages of unregistered types, body kept raw."""
    return st.builds(UnknownBGPMessage, u8.filter(lambda t: t not in _BGP_DECODERS), st.binary(max_size=32))


def bgp_messages(ctx: DecodeContext | None = None) -> st.SearchStrategy[Any]:
    """Any BGP message valid for *ctx* (drawn when ``None``)."""
    if ctx is None:
        return contexts().flatmap(bgp_messages)
    return st.one_of(opens(), updates(ctx), notifications(), keepalives(), route_refreshes(), unknown_bgp_messages())


# ---------------------------------------------------------------------------
# BMP
# ---------------------------------------------------------------------------
@st.composite
def _address16(draw: st.DrawFn, ipv6: bool) -> str:
    """A 16-octet BMP address field as the decoder gives it: IPv6 text when
    *ipv6* or when the 12 leading octets are not zero, else IPv4 text."""
    if ipv6:
        return socket.inet_ntop(socket.AF_INET6, draw(st.binary(min_size=16, max_size=16)))
    lead = draw(st.one_of(st.just(bytes(12)), st.binary(min_size=12, max_size=12)))
    raw = lead + draw(st.binary(min_size=4, max_size=4))
    if raw[:12] != bytes(12):
        return socket.inet_ntop(socket.AF_INET6, raw)
    return socket.inet_ntop(socket.AF_INET, raw[12:])


@st.composite
def peer_headers(draw: st.DrawFn, peer_type: int | None = None) -> PeerHeader:
    """Per-peer headers: peer types 0-3 and unknown ones, any flags,
    addresses as the V flag and the address octets say, any distinguisher,
    AS, BGP ID and timestamp."""
    ptype = peer_type if peer_type is not None else draw(st.sampled_from((0, 0, 1, 2, 3)) | u8)
    flags = draw(st.sampled_from((0, FLAG_V, 0x40, FLAG_V | 0x40, FLAG_A, 0x10, 0x50, 0xD0)) | u8)
    ipv6 = ptype < 3 and bool(flags & FLAG_V)
    return PeerHeader(
        lookup(PeerType, ptype),
        flags,
        draw(st.binary(min_size=8, max_size=8)),
        draw(_address16(ipv6)),
        draw(u32),
        draw(ipv4_addresses()),
        draw(u32),
        draw(u32),
    )


def information_tlvs(enum_cls: Any = InitiationTLVType, max_size: int = 40) -> st.SearchStrategy[InformationTLV]:
    """Information TLVs: registered types of *enum_cls* with text, others raw."""
    known = st.sampled_from(list(enum_cls))
    value = st.one_of(st.text(max_size=max_size).map(lambda t: t.encode("utf-8")), st.binary(max_size=max_size))
    return st.builds(lambda t, v: InformationTLV(lookup(enum_cls, t), v), known.map(int) | u16, value)


def initiations() -> st.SearchStrategy[Initiation]:
    return st.builds(Initiation, st.lists(information_tlvs(InitiationTLVType), max_size=4))


def terminations() -> st.SearchStrategy[Termination]:
    reason = st.builds(
        lambda r: InformationTLV(TerminationTLVType.REASON, r.to_bytes(2, "big")), st.integers(0, 5) | u16
    )
    return st.builds(Termination, st.lists(st.one_of(information_tlvs(TerminationTLVType), reason), max_size=3))


@st.composite
def _stats(draw: st.DrawFn) -> Stat:
    t = draw(st.sampled_from(sorted(STAT_SHAPES)) | u16)
    stype = lookup(StatType, t)
    shape = STAT_SHAPES.get(t)
    size = {StatShape.COUNTER32: 4, StatShape.GAUGE64: 8, StatShape.AFI_SAFI_GAUGE64: 11}.get(shape)  # type: ignore[arg-type]
    if shape is None or draw(st.integers(0, 9)) == 0:
        raw = draw(st.binary(max_size=16).filter(lambda b: len(b) != size))
        return Stat(stype, None, raw=raw)
    if shape is StatShape.COUNTER32:
        return Stat(stype, draw(u32))
    if shape is StatShape.GAUGE64:
        return Stat(stype, draw(u64))
    return Stat(stype, draw(u64), draw(u16), draw(u8))


@st.composite
def statistics_reports(draw: st.DrawFn) -> StatisticsReport:
    """Statistics Reports with every registered stat type and shape,
    unexpected sizes and unknown types (raw)."""
    return StatisticsReport(draw(peer_headers()), draw(st.lists(_stats(), max_size=6)))


@st.composite
def peer_downs(draw: st.DrawFn) -> PeerDown:
    """Peer Down with every reason and the data shape the decoder keeps
    for it: a NOTIFICATION (1, 3), an FSM event (2), TLVs (6), raw data
    (other reasons, and data that does not have the reason's shape)."""
    peer = draw(peer_headers())
    reason = draw(st.sampled_from((1, 2, 3, 4, 5, 6)) | u8)
    r = lookup(PeerDownReason, reason)
    not_a_bgp_message = st.binary(min_size=1, max_size=24).filter(lambda b: b[0] != 0xFF)
    if reason in (1, 3):
        if draw(st.booleans()):
            return PeerDown(peer, r, notification=draw(notifications()))
        return PeerDown(peer, r, data=draw(not_a_bgp_message | st.just(b"")))
    if reason == 2:
        if draw(st.booleans()):
            return PeerDown(peer, r, fsm_event=draw(u16))
        return PeerDown(peer, r, data=draw(st.binary(max_size=8).filter(lambda b: len(b) != 2)))
    if reason == 6:
        if draw(st.booleans()):
            return PeerDown(peer, r, tlvs=draw(st.lists(information_tlvs(PeerUpTLVType), max_size=3)))
        return PeerDown(peer, r, data=draw(st.binary(min_size=1, max_size=3)))
    return PeerDown(peer, r, data=draw(st.binary(max_size=24)))


@st.composite
def peer_ups(draw: st.DrawFn) -> PeerUp:
    """Peer Up with the local address as the decoder gives it, ports, two
    OPENs and information TLVs."""
    peer = draw(peer_headers())
    ipv6 = peer.peer_type in (0, 1, 2) and peer.is_ipv6
    return PeerUp(
        peer,
        draw(_address16(ipv6)),
        draw(u16),
        draw(u16),
        draw(opens()),
        draw(opens()),
        draw(st.lists(information_tlvs(PeerUpTLVType), max_size=3)),
    )


def _trailing_tlvs() -> st.SearchStrategy[list[InformationTLV]]:
    return st.lists(st.builds(InformationTLV, u16, st.binary(max_size=12)), max_size=2)


@st.composite
def route_monitorings(draw: st.DrawFn, ctx: DecodeContext | None = None) -> RouteMonitoring:
    """Route Monitoring messages; the UPDATE is valid for *ctx*, by default
    the context the decoder uses without a session (the A flag)."""
    peer = draw(peer_headers())
    c = ctx if ctx is not None else default_context(peer)
    bgp = draw(st.one_of(updates(c), updates(c), bgp_messages(c)))
    tlvs = draw(_trailing_tlvs()) if draw(st.integers(0, 4)) == 0 else []
    return RouteMonitoring(peer, bgp, tlvs)


@st.composite
def route_mirrorings(draw: st.DrawFn, ctx: DecodeContext | None = None) -> RouteMirroring:
    """Route Mirroring: BGP PDUs that decode, information codes, raw TLVs
    (errored PDUs, unknown types)."""
    peer = draw(peer_headers())
    c = ctx if ctx is not None else default_context(peer)
    tlv = st.one_of(
        st.builds(MirroredBGPMessage, bgp_messages(c)),
        st.builds(MirroringInformation, u16.map(lambda v: lookup(MirroringInfoCode, v))),
        st.builds(
            InformationTLV,
            st.just(RouteMirroringTLVType.BGP_MESSAGE),
            st.binary(max_size=24).filter(lambda b: not b or b[0] != 0xFF),
        ),
        st.builds(
            InformationTLV,
            st.just(RouteMirroringTLVType.INFORMATION),
            st.binary(max_size=6).filter(lambda b: len(b) != 2),
        ),
        st.builds(InformationTLV, st.integers(2, 0xFFFF), st.binary(max_size=12)),
    )
    return RouteMirroring(peer, draw(st.lists(tlv, max_size=3)))


def unknown_messages() -> st.SearchStrategy[UnknownMessage]:
    """BMP messages of unregistered types (7-255), body raw."""
    return st.builds(UnknownMessage, st.integers(7, 255), st.binary(max_size=48))


def bmp_messages(ctx: DecodeContext | None = None) -> st.SearchStrategy[Any]:
    """Any BMP message.  Per-peer messages carry BGP PDUs valid for *ctx*;
    by default for the context the decoder picks with no session (the per-
    peer header's A flag), so ``bmplib.decode(encode(m)) == m`` and a
    ``BMPDecoder(track_sessions=False)`` gives the messages back."""
    return st.one_of(
        route_monitorings(ctx),
        statistics_reports(),
        peer_downs(),
        peer_ups(),
        initiations(),
        terminations(),
        route_mirrorings(ctx),
        unknown_messages(),
    )


def bmp_streams(max_messages: int = 6) -> st.SearchStrategy[list[Any]]:
    """Lists of BMP messages to concatenate into a stream (decoded with
    ``BMPDecoder(track_sessions=False)``)."""
    return st.lists(bmp_messages(), min_size=1, max_size=max_messages)


# ---------------------------------------------------------------------------
# BMP sessions: Peer Up, then Route Monitoring in the negotiated layout
# ---------------------------------------------------------------------------
_SESSION_FAMILIES = ((1, 1), (2, 1), (1, 4), (1, 128), (2, 128), (25, 70))


@st.composite
def session_opens(draw: st.DrawFn) -> Open:
    """OPENs that drive a session context: 4-octet AS or not, ADD-PATH
    send/receive per family, extended message or not."""
    caps: list[Any] = [MultiprotocolCapability(a, s) for a, s in _SESSION_FAMILIES]
    if draw(st.booleans()):
        caps.append(FourOctetASCapability(draw(u32)))
    if draw(st.booleans()):
        caps.append(ExtendedMessageCapability())
    modes = draw(st.lists(st.tuples(st.sampled_from(_SESSION_FAMILIES), st.integers(1, 3)), max_size=4))
    if modes:
        caps.append(AddPathCapability([AddPathFamily(a, s, lookup(SendReceive, m)) for (a, s), m in modes]))
    caps = draw(st.permutations(caps))
    return Open(4, draw(u16), draw(u16), draw(ipv4_addresses()), [CapabilitiesParameter(list(caps))])


@st.composite
def bmp_sessions(draw: st.DrawFn, max_messages: int = 4) -> list[Any]:
    """A BMP session as a collector sees it: a Peer Up with two OPENs, then
    Route Monitoring messages of that peer laid out as those OPENs
    negotiated (4-octet AS, ADD-PATH per family *and direction*: the O flag
    picks Adj-RIB-In or Adj-RIB-Out, RFC 7911 section 4, RFC 8671), then
    possibly a Peer Down and messages in the no-session layout (the A flag).
    A ``BMPDecoder()`` (tracking sessions) gives the messages back."""
    peer = draw(peer_headers(peer_type=draw(st.sampled_from((0, 1, 2, 3)))))
    sent, received = draw(session_opens()), draw(session_opens())
    ipv6 = peer.peer_type in (0, 1, 2) and peer.is_ipv6
    up = PeerUp(peer, draw(_address16(ipv6)), draw(u16), draw(u16), sent, received, [])
    ctxs = contexts_from_opens(sent, received, loc_rib=peer.peer_type == 3)
    out: list[Any] = [up]

    def same_peer(flags: int) -> PeerHeader:
        return PeerHeader(
            peer.peer_type, flags, peer.distinguisher, peer.address, peer.asn, peer.bgp_id, draw(u32), draw(u32)
        )

    for _ in range(draw(st.integers(1, max_messages))):
        # keep the V flag (the address text depends on it); draw L, A, O
        flags = (peer.flags & 0x80) | draw(st.sampled_from((0, 0x10, 0x20, 0x40, 0x50, 0x70)))
        p = same_peer(flags)
        ctx = ctxs.adj_rib_out if p.is_adj_rib_out else ctxs.adj_rib_in
        out.append(RouteMonitoring(p, draw(updates(ctx))))
    if draw(st.booleans()):
        out.append(PeerDown(same_peer(peer.flags), lookup(PeerDownReason, 2), fsm_event=draw(u16)))
        p = same_peer(peer.flags)
        out.append(RouteMonitoring(p, draw(updates(default_context(p)))))
    return out
