"""The route record: one flat record per announced or withdrawn route.

A Route Monitoring message (RFC 7854 section 4.6) carries one BGP UPDATE
(RFC 4271 section 4.3), which announces and withdraws any number of routes of
any family (classic NLRI fields, MP_REACH_NLRI / MP_UNREACH_NLRI, RFC 4760).
:class:`RouteRecord` flattens one of those routes with what it needs to stand
alone: where it came from (source, router, message offset and time), the
monitored peer (RFC 7854 section 4.2), the table, the route's key fields, and
its path attributes as plain values.

The record is built from four parts, each a plain tuple that the columnar
builder (:mod:`bmplib.records.columns`) caches: :func:`peer_fields` (once per
peer), :func:`attribute_fields` (once per attribute set), :func:`route_key`
(per route) and the action.  ``FIELDS`` lists every field in order: the
Python object, its JSON form and the Arrow row (docs/records.md) use these
names.
"""

from __future__ import annotations

import hashlib
import struct
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from bmplib.bgp.attributes import (
    Aggregator,
    AS4Aggregator,
    AtomicAggregate,
    ClusterList,
    Communities,
    ExtendedCommunities,
    IPv6ExtendedCommunities,
    LargeCommunities,
    LocalPref,
    MPReachNLRI,
    MultiExitDisc,
    NextHop,
    OnlyToCustomer,
    Origin,
    OriginatorID,
    community_text,
)
from bmplib.bmp.header import PeerHeader
from bmplib.nlri.evpn import EVPNRoute, IPPrefix
from bmplib.nlri.rd import RouteDistinguisher
from bmplib.nlri.registry import UnknownNLRI, family_name

__all__ = [
    "ACTIONS",
    "ATTRIBUTE_FIELDS",
    "FIELDS",
    "KEY_FIELDS",
    "PEER_FIELDS",
    "RouteRecord",
    "attribute_fields",
    "attribute_key",
    "attribute_set_id",
    "message_routes",
    "peer_fields",
    "records_from_item",
    "route_key",
    "wire_attribute_key",
]

#: where the record came from, and the monitored peer (once per peer)
PEER_FIELDS = (
    "source",
    "router",
    "peer_type",
    "peer_distinguisher",
    "peer_address",
    "peer_asn",
    "peer_bgp_id",
    "table",
)
#: the route itself
KEY_FIELDS = (
    "family",
    "prefix",
    "rd",
    "labels",
    "path_id",
    "evpn_route_type",
    "esi",
    "ethernet_tag",
    "mac",
    "ip",
)
#: the path attributes, flattened (once per attribute set; ``None`` for withdrawals)
ATTRIBUTE_FIELDS = (
    "origin",
    "as_path",
    "origin_as",
    "path_length",
    "next_hop",
    "med",
    "local_pref",
    "communities",
    "extended_communities",
    "large_communities",
    "originator_id",
    "cluster_list",
    "aggregator",
    "atomic_aggregate",
    "otc",
    "attr_set",
)
#: every field of a record, in order
FIELDS = (
    "source",
    "router",
    "offset",
    "time",
    *PEER_FIELDS[2:],
    "action",
    "reason",
    *KEY_FIELDS,
    *ATTRIBUTE_FIELDS,
)

#: action codes: (action, reason); announcements have no reason
ACTIONS = (("announce", None), ("withdraw", "explicit"), ("withdraw", "treat-as-withdraw"))
ANNOUNCE, WITHDRAW, TREAT_AS_WITHDRAW = 0, 1, 2

_NO_ATTRIBUTES = (None,) * len(ATTRIBUTE_FIELDS)
_MP_NH = struct.Struct("!HBB")
_ZERO_RD = bytes(8)


@dataclass(slots=True)
class RouteRecord:
    """One announced or withdrawn route with its context (docs/records.md).

    ``time`` is the per-peer header's timestamp in seconds since the epoch;
    ``communities``, ``extended_communities``, ``large_communities`` and
    ``cluster_list`` are space-separated text; the attribute fields are
    ``None`` for a withdrawal."""

    source: str | None
    router: str | None
    offset: int
    time: float
    peer_type: int
    peer_distinguisher: str | None
    peer_address: str
    peer_asn: int
    peer_bgp_id: str
    table: str
    action: str
    reason: str | None
    family: str
    prefix: str | None
    rd: str | None
    labels: list[int] | None
    path_id: int | None
    evpn_route_type: int | None
    esi: str | None
    ethernet_tag: int | None
    mac: str | None
    ip: str | None
    origin: str | None
    as_path: str | None
    origin_as: int | None
    path_length: int | None
    next_hop: str | None
    med: int | None
    local_pref: int | None
    communities: str | None
    extended_communities: str | None
    large_communities: str | None
    originator_id: str | None
    cluster_list: str | None
    aggregator: str | None
    atomic_aggregate: bool | None
    otc: int | None
    attr_set: str | None

    def __json__(self) -> dict[str, Any]:
        """The JSON form: every field under its own name."""
        return {name: getattr(self, name) for name in FIELDS}

    @classmethod
    def from_parts(
        cls,
        peer: tuple[Any, ...],
        offset: int,
        time: float,
        action: int,
        key: tuple[Any, ...],
        attrs: tuple[Any, ...],
    ) -> RouteRecord:
        """Assemble a record from its cached parts."""
        act, reason = ACTIONS[action]
        return cls(peer[0], peer[1], offset, time, *peer[2:], act, reason, *key, *attrs)  # type: ignore[call-arg]


# ---------------------------------------------------------------------------
# the parts
# ---------------------------------------------------------------------------
def peer_fields(peer: PeerHeader, source: str | None, router: str | None) -> tuple[Any, ...]:
    """``PEER_FIELDS`` of a per-peer header (RFC 7854 section 4.2).  The
    distinguisher is the route-distinguisher text, ``None`` when all zero."""
    dist = peer.distinguisher
    rd = None if dist == _ZERO_RD else str(RouteDistinguisher(dist))
    return (source, router, int(peer.peer_type), rd, peer.address, peer.asn, peer.bgp_id, peer.table.value)


def attribute_key(update: Any, mp: bool) -> bytes:
    """The octets that identify the attribute set of a route: every path
    attribute but MP_REACH_NLRI / MP_UNREACH_NLRI in wire order, plus, for a
    route of MP_REACH_NLRI (*mp*), its AFI, SAFI and next hop."""
    key = b"".join(a.encode() for a in update.attributes if a.type_code not in (14, 15))
    if mp:
        reach = update.mp_reach
        raw = reach.next_hop.raw
        key += b"\x0e" + _MP_NH.pack(reach.afi, reach.safi, len(raw)) + raw
    return key


def wire_attribute_key(msg: bytes, mp: bool) -> bytes | None:
    """:func:`attribute_key` read from the octets of a Route Monitoring
    message (RFC 7854 section 4.6: common header, per-peer header, BGP
    UPDATE), or ``None`` when they do not lay out as one.  For attributes
    that decoded, these are the octets their ``encode()`` gives."""
    pos = 48 + 19
    end = len(msg)
    if pos + 4 > end:
        return None
    wend = pos + 2 + ((msg[pos] << 8) | msg[pos + 1])
    if wend + 2 > end:
        return None
    p = wend + 2
    aend = p + ((msg[wend] << 8) | msg[wend + 1])
    if aend > end:
        return None
    parts = []
    nh = b""
    while p < aend:
        if p + 3 > aend:
            return None
        flags, code = msg[p], msg[p + 1]
        if flags & 0x10:
            if p + 4 > aend:
                return None
            vs = p + 4
            ve = vs + ((msg[p + 2] << 8) | msg[p + 3])
        else:
            vs = p + 3
            ve = vs + msg[p + 2]
        if ve > aend:
            return None
        if code == 14:
            if mp:
                if ve - vs < 4 or vs + 4 + msg[vs + 3] > ve:
                    return None
                nh = b"\x0e" + msg[vs : vs + 4 + msg[vs + 3]]
        elif code != 15:
            parts.append(msg[p:ve])
        p = ve
    return b"".join(parts) + nh


def attribute_set_id(key: bytes) -> str:
    """The ``attr_set`` reference: 16 hex digits of BLAKE2b-64 over the
    attribute key (:func:`attribute_key`), the same in every file."""
    return hashlib.blake2b(key, digest_size=8).hexdigest()


def attribute_fields(update: Any, mp: bool, key: bytes) -> tuple[Any, ...]:
    """``ATTRIBUTE_FIELDS`` of an UPDATE's path attributes, for a route of
    the classic NLRI field or (*mp*) of MP_REACH_NLRI (whose next hop it
    takes)."""
    origin = as_path = origin_as = path_length = next_hop = med = local_pref = None
    comms = ext = large = originator = clusters = aggregator = otc = None
    as4_aggregator = None
    atomic = False
    for a in update.attributes:
        t = type(a)
        if t is Origin:
            origin = a.origin.name.lower() if hasattr(a.origin, "name") else str(a.origin)
        elif t is NextHop:
            if not mp:
                next_hop = a.next_hop
        elif t is MultiExitDisc:
            med = a.med
        elif t is LocalPref:
            local_pref = a.local_pref
        elif t is Communities:
            comms = " ".join(map(community_text, a.values))
        elif t is LargeCommunities:
            large = " ".join(f"{x}:{y}:{z}" for x, y, z in a.values)
        elif t is ExtendedCommunities or t is IPv6ExtendedCommunities:
            text = " ".join(a.text)
            ext = text if ext is None else f"{ext} {text}"
        elif t is OriginatorID:
            originator = a.originator_id
        elif t is ClusterList:
            clusters = " ".join(a.cluster_ids)
        elif t is Aggregator:
            aggregator = a
        elif t is AS4Aggregator:
            as4_aggregator = a
        elif t is AtomicAggregate:
            atomic = True
        elif t is OnlyToCustomer:
            otc = a.asn
        elif t is MPReachNLRI and mp:
            next_hop = a.next_hop.address
    path = update.as_path
    if path is not None:
        as_path = str(path)
        origin_as = path.origin_as
        path_length = path.path_length
    agg = None
    if aggregator is not None:
        if as4_aggregator is not None and aggregator.asn == 23456:  # AS_TRANS, RFC 6793 section 4.2.3
            aggregator = as4_aggregator
        agg = f"{aggregator.asn} {aggregator.address}"
    return (
        origin, as_path, origin_as, path_length, next_hop, med, local_pref, comms, ext, large,
        originator, clusters, agg, atomic, otc, attribute_set_id(key),
    )  # fmt: skip


def route_key(route: Any) -> tuple[Any, ...]:
    """``KEY_FIELDS`` of one route object of any family: the prefix as CIDR
    text where the route has one (unicast, labeled, VPN, EVPN IP Prefix),
    else ``None``."""
    if isinstance(route, UnknownNLRI):
        return (family_name(route.afi, route.safi), None, None, None, None, None, None, None, None, None)
    family = family_name(*route.family)
    if isinstance(route, EVPNRoute):
        evpn: Any = route  # esi, mac and ip are views of every route type
        rt = route.TYPE
        rd = getattr(route, "rd", None)
        esi = evpn.esi
        labels = list(route.labels) if route.label_fields else None
        return (
            family, route.prefix if isinstance(route, IPPrefix) else None, None if rd is None else str(rd), labels,
            route.path_id, rt, None if esi is None else str(esi), getattr(route, "ethernet_tag", None), evpn.mac,
            evpn.ip,
        )  # fmt: skip
    rd = getattr(route, "rd", None)
    labels = getattr(route, "labels", None)
    return (
        family, getattr(route, "prefix", None), None if rd is None else str(rd),
        None if labels is None else list(labels), route.path_id, None, None, None, None, None,
    )  # fmt: skip


def message_routes(update: Any) -> Iterator[tuple[Any, int, bool]]:
    """``(route, action, mp)`` for every route of an UPDATE, in wire order
    of its fields: withdrawn routes, MP_UNREACH_NLRI, NLRI, MP_REACH_NLRI.
    RFC 7606: under treat-as-withdraw the announced routes come as
    withdrawals (action ``TREAT_AS_WITHDRAW``)."""
    for r in update.withdrawn_routes:
        yield r, WITHDRAW, False
    unreach = update.mp_unreach
    if unreach is not None:
        for r in unreach.withdrawn:
            yield r, WITHDRAW, True
    action = TREAT_AS_WITHDRAW if update.problems and update.treat_as_withdraw else ANNOUNCE
    for r in update.nlri:
        yield r, action, False
    reach = update.mp_reach
    if reach is not None:
        for r in reach.nlri:
            yield r, action, True


def records_from_item(
    item: Any, source: str | None = None, router: str | None = None, raw: bytes | None = None
) -> list[RouteRecord]:
    """The route records of one stream item (a Route Monitoring message, or
    a :class:`~bmplib.pcap.CapturedItem` holding one, whose flow source
    address is the router); none for any other item.  *raw*: the message's
    octets, when known (see :func:`wire_attribute_key`)."""
    flow = getattr(item, "flow", None)
    if flow is not None:
        router = router if router is not None else flow.src
        item = item.item
    update = getattr(item, "update", None)
    if update is None or getattr(item, "type", None) != 0:
        return []
    peer = item.peer
    pf = peer_fields(peer, source, router)
    time = (peer.timestamp_sec * 1_000_000 + peer.timestamp_usec) / 1e6
    out = []
    attrs: dict[bool, tuple[Any, ...]] = {}
    for route, action, mp in message_routes(update):
        if action == ANNOUNCE:
            a = attrs.get(mp)
            if a is None:
                key = wire_attribute_key(raw, mp) if raw is not None else None
                if key is None:
                    key = attribute_key(update, mp)
                a = attrs[mp] = attribute_fields(update, mp, key)
        else:
            a = _NO_ATTRIBUTES
        out.append(RouteRecord.from_parts(pf, item.offset, time, action, route_key(route), a))
    return out


def iter_records(
    pairs: Iterable[tuple[Any, bytes | None]], source: str | None = None, router: str | None = None
) -> Iterator[RouteRecord]:
    """Route records of every ``(item, octets or None)`` pair."""
    for item, raw in pairs:
        yield from records_from_item(item, source, router, raw)
