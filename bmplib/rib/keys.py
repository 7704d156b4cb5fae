"""Route keys: what identifies one route inside one table and family.

A route is identified by its prefix, its route distinguisher and its ADD-PATH
path identifier (RFC 7911 section 3); everything else an NLRI carries is an
attribute of the route.  Labels are attributes (RFC 8277 section 2.4: a
withdrawal's label field is not significant; RFC 4364 section 4.3.4 likewise
for VPN routes).  EVPN route keys are the fields each RFC lists as "part of
the prefix for the purpose of BGP route key processing":

======  ==========================================================  ==============
type    key (besides the RD and the path identifier)                 source
======  ==========================================================  ==============
1       ESI, Ethernet tag (the label is an attribute)                RFC 7432 7.1
2       Ethernet tag, MAC length, MAC, IP (ESI and labels are not)   RFC 7432 7.2
3       Ethernet tag, originating router's IP                       RFC 7432 7.3
4       ESI, originating router's IP                                 RFC 7432 7.4
5       Ethernet tag, IP prefix (ESI, gateway, label are not)        RFC 9136 3.1
6       Ethernet tag, source, group, originator (flags are not)      RFC 9251 9.1
7       ESI, Ethernet tag, source, group, originator                 RFC 9251 9.2
8       as 7, plus the leave group synchronisation number            RFC 9251 9.3
9-11    every field                                                  RFC 9572 3
======  ==========================================================  ==============

Unknown EVPN route types and families without a codec are keyed by their raw
octets.

IPv4 / IPv6 unicast and multicast routes -- the bulk of any table -- are
keyed by one integer (prefix octets, length, path identifier packed
together), which is small and quick to hash; :func:`inet_prefix` turns such
a key back into the prefix.  For the other families the key is a tuple, and
the route object itself is kept with the route (its labels, ESI, gateway...
are attributes of the route).
"""

from __future__ import annotations

from collections.abc import Hashable
from typing import Any

from bmplib.nlri.evpn import (
    EthernetAutoDiscovery,
    EthernetSegment,
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
from bmplib.nlri.inet import InetPrefix
from bmplib.nlri.labeled import LabeledPrefix
from bmplib.nlri.registry import UnknownNLRI
from bmplib.nlri.rtc import RouteTargetMembership
from bmplib.nlri.vpn import VPNPrefix

__all__ = ["INET_FAMILIES", "inet_key", "inet_prefix", "route_key"]

#: the families whose routes are InetPrefix objects keyed by an integer
INET_FAMILIES = frozenset({(1, 1), (1, 2), (2, 1), (2, 2)})

_PATH_ID_SHIFT = 136  # above 128 prefix bits and the 8-bit length


def inet_key(route: InetPrefix) -> int:
    """The integer key of an IPv4/IPv6 prefix: ``path id + 1`` (0 for
    none), the prefix octets and the length, packed into one int."""
    key = (int.from_bytes(route.packed, "big") << 8) | route.length
    pid = route.path_id
    if pid is not None:
        key |= (pid + 1) << _PATH_ID_SHIFT
    return key


def inet_prefix(family: tuple[int, int], key: int) -> InetPrefix:
    """The :class:`~bmplib.nlri.inet.InetPrefix` an :func:`inet_key` stands for."""
    length = key & 0xFF
    nbytes = (length + 7) >> 3
    packed = ((key >> 8) & ((1 << (8 * nbytes)) - 1)).to_bytes(nbytes, "big")
    pid = key >> _PATH_ID_SHIFT
    return InetPrefix(family, length, packed, pid - 1 if pid else None)


def _evpn_key(r: Any) -> tuple[Any, ...]:
    pid = r.path_id
    t = type(r)
    if t is MACIPAdvertisement:
        return (2, r.rd.raw, r.ethernet_tag, r.mac_length, r.mac, r.ip, pid)
    if t is IPPrefix:
        return (5, r.rd.raw, r.ethernet_tag, r.prefix, pid)
    if t is EthernetAutoDiscovery:
        return (1, r.rd.raw, r.esi.raw, r.ethernet_tag, pid)
    if t is InclusiveMulticastEthernetTag:
        return (3, r.rd.raw, r.ethernet_tag, r.originator, pid)
    if t is EthernetSegment:
        return (4, r.rd.raw, r.esi.raw, r.originator, pid)
    if t is SelectiveMulticastEthernetTag:
        return (6, r.rd.raw, r.ethernet_tag, r.source, r.group, r.originator, pid)
    if t is MulticastMembershipReportSynch:
        return (7, r.rd.raw, r.esi.raw, r.ethernet_tag, r.source, r.group, r.originator, pid)
    if t is MulticastLeaveSynch:
        return (
            8, r.rd.raw, r.esi.raw, r.ethernet_tag, r.source, r.group, r.originator,
            r.leave_group_synchronization, pid,
        )  # fmt: skip
    if t is PerRegionIPMSIAutoDiscovery:
        return (9, r.rd.raw, r.ethernet_tag, r.region_id, pid)
    if t is SPMSIAutoDiscovery:
        return (10, r.rd.raw, r.ethernet_tag, r.source, r.group, r.originator, pid)
    if t is LeafAutoDiscovery:
        return (11, r.route_key.encode(), r.originator, pid)
    if t is UnknownEVPNRoute:
        return (r.code, r.data, pid)
    return ("raw", r.encode())


def route_key(route: Any) -> Hashable:
    """The key of *route* (any family's route object) in its table."""
    t = type(route)
    if t is InetPrefix:
        return inet_key(route)
    if t is VPNPrefix:
        return (route.rd.raw, route.length, route.packed, route.path_id)
    if t is LabeledPrefix:
        return (route.length, route.packed, route.path_id)
    if t is RouteTargetMembership:
        return (route.length, route.packed, route.path_id)
    if t is UnknownNLRI:
        data: bytes = route.data
        return data
    if getattr(route, "afi", None) == 25 and getattr(route, "safi", None) == 70:
        return _evpn_key(route)
    encode = getattr(route, "encode", None)
    raw: Hashable = encode() if encode is not None else repr(route)
    return raw


def family_of(route: Any, default: tuple[int, int]) -> tuple[int, int]:
    """The (AFI, SAFI) of *route*, or *default*."""
    fam = getattr(route, "family", None)
    if fam is not None:
        return (int(fam[0]), int(fam[1]))
    afi, safi = getattr(route, "afi", None), getattr(route, "safi", None)
    if afi is not None and safi is not None:
        return (int(afi), int(safi))
    return default
