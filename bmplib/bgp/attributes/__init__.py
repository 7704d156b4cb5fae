"""BGP path attributes (RFC 4271 section 5 and the RFCs of each attribute).

One module per attribute family; importing this package registers all of
them in the attribute registry of :mod:`bmplib.bgp.attributes.base` (see
there for how other modules add attribute types) and the typed extended
communities in :mod:`bmplib.bgp.attributes.extended_communities`.

=========  ====================================  ===========================
code       attribute                             class
=========  ====================================  ===========================
1          ORIGIN                                :class:`Origin`
2          AS_PATH                               :class:`ASPath`
3          NEXT_HOP                              :class:`NextHop`
4          MULTI_EXIT_DISC                       :class:`MultiExitDisc`
5          LOCAL_PREF                            :class:`LocalPref`
6          ATOMIC_AGGREGATE                      :class:`AtomicAggregate`
7          AGGREGATOR                            :class:`Aggregator`
8          COMMUNITIES                           :class:`Communities`
9          ORIGINATOR_ID                         :class:`OriginatorID`
10         CLUSTER_LIST                          :class:`ClusterList`
14         MP_REACH_NLRI                         :class:`MPReachNLRI`
15         MP_UNREACH_NLRI                       :class:`MPUnreachNLRI`
16         EXTENDED_COMMUNITIES                  :class:`ExtendedCommunities`
17         AS4_PATH                              :class:`AS4Path`
18         AS4_AGGREGATOR                        :class:`AS4Aggregator`
25         IPv6 Address Specific Ext. Community  :class:`IPv6ExtendedCommunities`
22         PMSI_TUNNEL                           :class:`~bmplib.bgp.attributes.pmsi_tunnel.PMSITunnel`
23         TUNNEL_ENCAPSULATION                  :class:`~bmplib.bgp.attributes.tunnel_encap.TunnelEncapsulation`
26         AIGP                                  :class:`AIGP`
29         BGP-LS Attribute                      :class:`~bmplib.bgp.attributes.bgpls.BGPLSAttribute`
32         LARGE_COMMUNITY                       :class:`LargeCommunities`
35         ONLY_TO_CUSTOMER                      :class:`OnlyToCustomer`
128        ATTR_SET                              :class:`AttrSet`
other      (kept raw)                            :class:`UnknownAttribute`
=========  ====================================  ===========================
"""

# the attributes and extended communities of the VPN / EVPN families register
# themselves on import (PMSI_TUNNEL 22, BGP Prefix-SID 40, EVPN, FlowSpec and VPLS
# communities; BGP-LS attribute 29, Tunnel Encapsulation 23, MUP community)
from bmplib.bgp.attributes import (  # noqa: F401
    bgpls,
    evpn_communities,
    flowspec_communities,
    mup_communities,
    pmsi_tunnel,
    prefix_sid,
    tunnel_encap,
    vpls_communities,
)
from bmplib.bgp.attributes.aspath import (
    AS_TRANS,
    Aggregator,
    AS4Aggregator,
    AS4Path,
    ASPath,
    ASPathSegment,
    SegmentType,
    merge_as4_path,
)
from bmplib.bgp.attributes.attr_set import AttrSet
from bmplib.bgp.attributes.base import (
    AttributeType,
    ErrorAction,
    MalformedAttribute,
    MalformedAttributeError,
    Problem,
    UnknownAttribute,
    encode_attribute,
    lookup_attribute,
    register_attribute,
)
from bmplib.bgp.attributes.basic import (
    AIGP,
    AIGPTLV,
    AtomicAggregate,
    ClusterList,
    LocalPref,
    MultiExitDisc,
    NextHop,
    OnlyToCustomer,
    Origin,
    OriginatorID,
    OriginType,
)
from bmplib.bgp.attributes.communities import (
    Communities,
    Community,
    LargeCommunities,
    LargeCommunity,
    WellKnownCommunity,
    community_text,
)
from bmplib.bgp.attributes.extended_communities import (
    Encapsulation,
    ExtendedCommunities,
    ExtendedCommunity,
    IPv6ExtendedCommunities,
    IPv6ExtendedCommunity,
    LinkBandwidth,
    Redirect,
    RouteOrigin,
    RouteTarget,
    TunnelType,
    register_extended_community,
)
from bmplib.bgp.attributes.mp import MPNextHop, MPReachNLRI, MPUnreachNLRI

__all__ = [
    "AS_TRANS",
    "AIGP",
    "AIGPTLV",
    "AS4Aggregator",
    "AS4Path",
    "ASPath",
    "ASPathSegment",
    "Aggregator",
    "AtomicAggregate",
    "AttrSet",
    "AttributeType",
    "ClusterList",
    "Communities",
    "Community",
    "LargeCommunity",
    "Encapsulation",
    "ErrorAction",
    "ExtendedCommunities",
    "ExtendedCommunity",
    "IPv6ExtendedCommunities",
    "IPv6ExtendedCommunity",
    "LargeCommunities",
    "LinkBandwidth",
    "LocalPref",
    "MPNextHop",
    "MPReachNLRI",
    "MPUnreachNLRI",
    "MalformedAttribute",
    "MalformedAttributeError",
    "MultiExitDisc",
    "NextHop",
    "OnlyToCustomer",
    "Origin",
    "OriginType",
    "OriginatorID",
    "Problem",
    "Redirect",
    "RouteOrigin",
    "RouteTarget",
    "SegmentType",
    "TunnelType",
    "UnknownAttribute",
    "WellKnownCommunity",
    "community_text",
    "encode_attribute",
    "lookup_attribute",
    "merge_as4_path",
    "register_attribute",
    "register_extended_community",
]
