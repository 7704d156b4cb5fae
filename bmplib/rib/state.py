"""The RIB state machine: :class:`RIB`.

Sans-IO like the stream decoder: :meth:`RIB.apply` takes one decoded item
and returns the events it caused; nothing here reads or writes anything.

What it does with each item (RFC 7854 unless said otherwise):

* Initiation: names the router (sysName, sysDescr).  A second Initiation on
  a router that already has a session means the router reconnected (see
  below).
* Peer Up: the peer is up; negotiated capabilities from the two OPENs; the
  VRF/Table Name TLV (RFC 9069).  A Peer Up for a peer that is up with the
  same session (same ports and OPENs) is a duplicate: exporters send one per
  monitored table (Huawei), or re-send it after reconnecting.
* Route Monitoring: routes added, changed, withdrawn; End-of-RIB.  Routes
  of peers without a Peer Up are kept (GoBGP's Loc-RIB has none).
* Peer Down: every route of the peer in every table is withdrawn (section
  4.9), one event each; explicit withdrawals before or after it find
  nothing to withdraw, so there are no duplicates.  A second Peer Down for
  a peer that is down (one per table, or a failed reconnect) only updates
  the last reason.
* Statistics Report: the latest counters per peer and table; an event when
  they changed.
* Termination: the router ended the session; all its routes are withdrawn
  (cause ``termination``).
* Route Mirroring, unknown messages, error / skip / gap records: no state.

Reconnects: when a router's connection ends without a Termination
(:meth:`RIB.disconnect`, a new capture connection, a second Initiation),
its routes are kept but marked stale.  The router re-sends everything: a
route that comes back unchanged causes no event, one that comes back
different a ``route_changed``; the routes of a (peer, table, family) that did
not come back are withdrawn (cause ``disconnect``) at its End-of-RIB, and all
that are left once ``grace`` seconds (of message time) have passed since the
reconnect, or when the caller says the re-dump is complete
(:meth:`RIB.complete_redump`).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Hashable, Iterator
from typing import Any

from bmplib.bgp.attributes import MalformedAttribute, MPReachNLRI, MPUnreachNLRI
from bmplib.bgp.attributes.evpn_communities import MACMobility
from bmplib.bgp.update import Update
from bmplib.bmp.constants import PeerUpTLVType
from bmplib.bmp.header import Table
from bmplib.bmp.messages import Initiation, PeerDown, PeerUp, RouteMonitoring, StatisticsReport, Termination
from bmplib.capture.decoder import CapturedItem
from bmplib.nlri.evpn import IPPrefix, MACIPAdvertisement
from bmplib.nlri.inet import InetPrefix
from bmplib.rib.events import (
    EndOfRib,
    MacMoved,
    PeerDownEvent,
    PeerUpEvent,
    RouteAdded,
    RouteChanged,
    RouteWithdrawn,
    StatsChanged,
    Threshold,
    WithdrawCause,
)
from bmplib.rib.keys import family_of, inet_key, route_key
from bmplib.rib.model import (
    CHANGES_MAX,
    CHANGES_SHIFT,
    FIRST_FIELD,
    FIRST_SHIFT,
    LAST_SHIFT,
    AttributePool,
    Peer,
    Route,
    Router,
    RouteStore,
    RouteValue,
    value_parts,
)
from bmplib.session import contexts_from_opens

__all__ = ["DEFAULT_ROUTER", "RIB"]

#: the router name used when :meth:`RIB.apply` is given none (raw streams)
DEFAULT_ROUTER = "router"

_IPV4_UNICAST = (1, 1)
_EVPN = (25, 70)
_ZERO_ESI = bytes(10)
_PID_SHIFT = 136


def _diff(pool: AttributePool, old: RouteValue, new: RouteValue) -> list[Any]:
    """The attribute codes (and ``"nlri"``) that differ between two values."""
    o, n = value_parts(old), value_parts(new)
    a, b = pool.view(o[0]).by_code(), pool.view(n[0]).by_code()
    out: list[Any] = [c for c in sorted(set(a) | set(b)) if a.get(c) != b.get(c)]
    if o[1] != n[1]:
        out.append("nlri")
    return out


def _same(old: RouteValue, attrs: int, nlri: Any) -> bool:
    """Whether a held value has attribute set *attrs* and route object *nlri*."""
    if nlri is None:
        return type(old) is int and old & 0xFFFFFFFF == attrs
    return type(old) is tuple and old[0] & 0xFFFFFFFF == attrs and old[1] == nlri


class RIB:
    """Route state of any number of routers, and the events that change it.

    :param grace: seconds (of message time) after a reconnect by which the
        re-dump is taken as complete: stale routes not re-sent by then are
        withdrawn.  ``None``: only End-of-RIB markers and
        :meth:`complete_redump` do it.
    :param track_macs: follow EVPN MAC/IP routes for ``mac_moved`` events
        and :meth:`mac_last_seen`.
    """

    def __init__(self, *, grace: float | None = None, track_macs: bool = True) -> None:
        self.grace = grace
        self.track_macs = track_macs
        self.routers: dict[str, Router] = {}
        self.pool = AttributePool()
        self._thresholds: list[tuple[str | None, Any, Table | None, int]] = []
        self._above: dict[tuple[int, Table, int], bool] = {}

    # -- input -----------------------------------------------------------------
    def router(self, name: str) -> Router:
        """The :class:`~bmplib.rib.model.Router` named *name* (created empty)."""
        r = self.routers.get(name)
        if r is None:
            r = self.routers[name] = Router(name, self.pool)
        return r

    def apply(self, item: Any, router: str | None = None) -> list[Any]:
        """Apply one decoded item (a message from :class:`~bmplib.BMPDecoder`
        or :func:`~bmplib.iter_file`, a :class:`~bmplib.pcap.CapturedItem`,
        an error / skip / gap record) of the BMP session of *router*, and
        return the events it caused, in order.

        *router* names the monitored router; by default a captured item's
        source address, else :data:`DEFAULT_ROUTER`.  A captured item from a
        new TCP connection of the same router starts a reconnect."""
        events: list[Any] = []
        capture_time: float | None = None
        if type(item) is RouteMonitoring:  # the common case first
            name = router if router is not None else DEFAULT_ROUTER
            self._monitoring(self.routers.get(name) or self.router(name), item, events)
            return events
        if isinstance(item, CapturedItem):
            name = router if router is not None else item.flow.src
            r = self.routers.get(name) or self.router(name)
            ident = (item.flow, item.connection)
            if r.connection is not None and r.connection != ident:
                self._disconnect(r)
            r.connection = ident
            capture_time = item.timestamp
            msg: Any = item.item
        else:
            name = router if router is not None else DEFAULT_ROUTER
            r = self.routers.get(name) or self.router(name)
            msg = item
        t = type(msg)
        if t is RouteMonitoring:
            self._monitoring(r, msg, events)
            return events
        ph = getattr(msg, "peer", None)
        if ph is not None and hasattr(ph, "timestamp"):
            ts = ph.timestamp or (capture_time if capture_time is not None else r.last_time)
        else:
            ts = capture_time if capture_time is not None else r.last_time
        r.last_time = ts
        if r.redump:
            self._grace(r, ts, events)
        if t is PeerUp:
            self._peer_up(r, msg, ts, events)
        elif t is PeerDown:
            self._peer_down(r, msg, ts, events)
        elif t is StatisticsReport:
            self._stats(r, msg, ts, events)
        elif t is Initiation:
            if r.initiated:
                self._disconnect(r)
            r.initiated = r.connected = True
            r.sys_name = msg.sys_name
            r.sys_descr = msg.sys_descr
        elif t is Termination:
            self._terminate(r, ts, events)
        return events

    def disconnect(self, router: str) -> list[Any]:
        """The BMP connection of *router* ended without a Termination: its
        routes are kept, stale, until the re-dump after it reconnects (see
        the module documentation)."""
        r = self.routers.get(router)
        if r is not None:
            self._disconnect(r)
        return []

    def complete_redump(self, router: str, time: float | None = None) -> list[Any]:
        """The re-dump after a reconnect of *router* is complete: withdraw
        (cause ``disconnect``) every stale route it did not re-send."""
        events: list[Any] = []
        r = self.routers.get(router)
        if r is not None:
            for peer in r.peers.values():
                for store in peer.stores():
                    self._sweep(store, time, events)
            r.redump = False
            r.grace_deadline = None
        return events

    def set_threshold(
        self, limit: int, *, router: str | None = None, peer: str | int | None = None, table: Table | str | None = None
    ) -> None:
        """Report a ``threshold`` event when the route count of a peer in a
        table reaches *limit* (and when it falls back below).  *router*,
        *peer* (address or AS) and *table* narrow it; ``None`` means any."""
        self._thresholds.append((router, peer, None if table is None else Table(table), limit))

    # -- message handlers ------------------------------------------------------
    def _peer(self, r: Router, ph: Any) -> Peer:
        key = (ph.peer_type, ph.distinguisher, ph.address)
        p = r.peers.get(key)
        if p is None:
            p = r.peers[key] = Peer(r, ph)
        return p

    def _monitoring(self, r: Router, msg: Any, events: list[Any]) -> None:
        ph = msg.peer
        ts_us = ph.timestamp_sec * 1_000_000 + ph.timestamp_usec
        if r.redump:
            self._grace(r, ts_us / 1e6, events)
        self._route_monitoring(r, msg, ts_us, events)

    def _route_monitoring(self, r: Router, msg: Any, ts_us: int, events: list[Any]) -> None:
        u = msg.bgp
        if type(u) is not Update:
            u = msg.update
            if u is None:
                return
        ph = msg.peer
        key = (ph.peer_type, ph.distinguisher, ph.address)
        peer = r.peers.get(key)
        if peer is None:
            peer = r.peers[key] = Peer(r, ph)
        table = ph.table
        fams = peer.tables.get(table)
        if fams is None:
            fams = peer.tables[table] = {}
        reach = unreach = None
        plain: list[Any] = u.attributes
        codes = [a.type_code for a in plain]
        if 14 in codes or 15 in codes or u.problems:
            plain = []
            for a in u.attributes:
                c = a.type_code
                if c == 14 and type(a) is MPReachNLRI:
                    reach = a
                elif c == 15 and type(a) is MPUnreachNLRI:
                    unreach = a
                elif type(a) is not MalformedAttribute:
                    plain.append(a)
        before = len(events)
        ts = (ts_us, ts_us / 1e6)
        if u.problems:
            self._slow_update(peer, table, u, plain, reach, ts, events)
        else:
            if u.withdrawn_routes:
                self._withdraw(peer, table, _IPV4_UNICAST, u.withdrawn_routes, ts, events)
            if unreach is not None and unreach.withdrawn:
                self._withdraw(peer, table, (unreach.afi, unreach.safi), unreach.withdrawn, ts, events)
            if u.nlri:
                attrs = self.pool.intern(plain, None)
                self._announce(peer, table, _IPV4_UNICAST, u.nlri, attrs, ts, events)
            if reach is not None and reach.nlri:
                attrs = self.pool.intern(plain, reach.next_hop)
                self._announce(peer, table, (reach.afi, reach.safi), reach.nlri, attrs, ts, events)
            if not u.nlri and not u.withdrawn_routes:
                if not u.attributes:
                    self._end_of_rib(peer, table, _IPV4_UNICAST, ts[1], events)
                elif len(u.attributes) == 1 and unreach is not None and not unreach.withdrawn:
                    self._end_of_rib(peer, table, (unreach.afi, unreach.safi), ts[1], events)
        if self._thresholds and len(events) != before:
            self._check_thresholds(peer, table, ts[1], events)

    def _slow_update(
        self, peer: Peer, table: Table, u: Any, plain: list[Any], reach: Any, ts: tuple[int, float], events: list[Any]
    ) -> None:
        """An UPDATE with RFC 7606 findings: its views say what is announced
        and withdrawn (treat-as-withdraw moves announcements there)."""
        groups: dict[tuple[int, int], list[Any]] = {}
        for route in u.withdrawn:
            groups.setdefault(family_of(route, _IPV4_UNICAST), []).append(route)
        for fam, routes in groups.items():
            self._withdraw(peer, table, fam, routes, ts, events)
        groups = {}
        for route in u.announced:
            groups.setdefault(family_of(route, _IPV4_UNICAST), []).append(route)
        for fam, routes in groups.items():
            nh = reach.next_hop if reach is not None and fam == (reach.afi, reach.safi) else None
            self._announce(peer, table, fam, routes, self.pool.intern(plain, nh), ts, events)

    def _announce(
        self, peer: Peer, table: Table, family: tuple[int, int], routes: list[Any], attrs: int,
        ts: tuple[int, float], events: list[Any],
    ) -> None:  # fmt: skip
        store = peer.tables[table].get(family)
        if store is None:
            store = peer.store(table, family)
        stored = store.routes
        stale = store.stale
        history = store.history
        inet = store.inet
        ts_us, when = ts
        fresh = attrs | (ts_us << FIRST_SHIFT) | (ts_us << LAST_SHIFT)
        for p in routes:
            if inet and type(p) is InetPrefix:
                key: Hashable = (int.from_bytes(p.packed, "big") << 8) | p.length
                if p.path_id is not None:
                    key = inet_key(p)
                nlri = None
            else:
                key = route_key(p)
                nlri = p
            old = stored.get(key)
            if old is None:
                if stale is not None:
                    old = stale.pop(key, None)
                if old is None:
                    v: RouteValue = fresh
                    if history:
                        n = history.pop(key, 0)
                        if n:
                            v |= min(n, CHANGES_MAX) << CHANGES_SHIFT
                    if nlri is not None:
                        v = (v, nlri)
                    stored[key] = v
                    events.append(RouteAdded(store, key, v, when))
                    if nlri is not None and self.track_macs and type(nlri) is MACIPAdvertisement:
                        self._mac(store, Route(store, key, v), when, events)
                    continue
                if _same(old, attrs, nlri):
                    stored[key] = old  # re-sent unchanged after a reconnect
                    continue
            elif _same(old, attrs, nlri):
                continue
            packed = old if nlri is None else old[0]
            changes = min(((packed >> CHANGES_SHIFT) & CHANGES_MAX) + 1, CHANGES_MAX)
            v = attrs | (changes << CHANGES_SHIFT) | (packed & FIRST_FIELD) | (ts_us << LAST_SHIFT)
            if nlri is not None:
                v = (v, nlri)
            stored[key] = v
            old_attrs, old_nlri = self.pool.view(value_parts(old)[0]), value_parts(old)[1]
            events.append(RouteChanged(store, key, v, when, old_attrs, old_nlri, _diff(self.pool, old, v)))
            if nlri is not None and self.track_macs and type(nlri) is MACIPAdvertisement:
                self._mac(store, Route(store, key, v), when, events)

    def _withdraw(
        self, peer: Peer, table: Table, family: tuple[int, int], routes: list[Any], ts: tuple[int, float],
        events: list[Any],
    ) -> None:  # fmt: skip
        store = peer.tables[table].get(family)
        if store is None:
            return
        stored = store.routes
        stale = store.stale
        inet = store.inet
        when = ts[1]
        for p in routes:
            if inet and type(p) is InetPrefix:
                key: Hashable = inet_key(p)
            else:
                key = route_key(p)
            old = stored.pop(key, None)
            if old is None and stale is not None:
                old = stale.pop(key, None)
            if old is None:
                continue
            _, nlri, _, _, changes = value_parts(old)
            store.history[key] = changes + 1
            events.append(RouteWithdrawn(store, key, old, when, WithdrawCause.EXPLICIT))
            if self.track_macs and type(nlri) is MACIPAdvertisement:
                self._mac_gone(store, nlri, when)

    def _end_of_rib(self, peer: Peer, table: Table, family: tuple[int, int], ts: float, events: list[Any]) -> None:
        events.append(EndOfRib(peer, ts, table, family))
        r = peer.router
        if r.redump:
            fams = peer.tables.get(table)
            store = fams.get(family) if fams else None
            if store is not None:
                self._sweep(store, ts, events)
            if not any(s.stale for p in r.peers.values() for s in p.stores()):
                r.redump = False
                r.grace_deadline = None

    def _sweep(self, store: RouteStore, ts: float | None, events: list[Any]) -> None:
        """Withdraw the stale routes of *store* (cause ``disconnect``)."""
        stale = store.stale
        store.stale = None
        if stale:
            self._withdraw_all(store, stale, ts, WithdrawCause.DISCONNECT, events)

    def _withdraw_all(
        self, store: RouteStore, routes: dict[Hashable, RouteValue], ts: float | None, cause: str, events: list[Any]
    ) -> None:
        append = events.append
        for key, v in routes.items():
            append(RouteWithdrawn(store, key, v, ts, cause))
        history = store.history
        for key, v in routes.items():
            history[key] = value_parts(v)[4] + 1
        if self.track_macs and store.family == _EVPN:
            for v in routes.values():
                nlri = value_parts(v)[1]
                if type(nlri) is MACIPAdvertisement:
                    self._mac_gone(store, nlri, ts)

    def _clear_peer(self, peer: Peer, ts: float | None, cause: str, events: list[Any]) -> int:
        n = 0
        for store in list(peer.stores()):
            routes, stale = store.routes, store.stale
            store.routes = {}
            store.stale = None
            for held in (routes, stale):
                if held:
                    n += len(held)
                    self._withdraw_all(store, held, ts, cause, events)
        return n

    def _peer_up(self, r: Router, msg: Any, ts: float, events: list[Any]) -> None:
        ph = msg.peer
        peer = self._peer(r, ph)
        peer.asn, peer.bgp_id = ph.asn, ph.bgp_id
        prev = peer.peer_up
        same = (
            peer.state == "up"
            and prev is not None
            and prev.local_port == msg.local_port
            and prev.remote_port == msg.remote_port
            and getattr(prev.sent_open, "bgp_id", None) == getattr(msg.sent_open, "bgp_id", None)
            and getattr(prev.received_open, "bgp_id", None) == getattr(msg.received_open, "bgp_id", None)
        )  # same session: the OPENs may differ (Huawei's Loc-RIB sends one Peer Up per family)
        known = set(peer.families) if same else set()
        peer.peer_up = msg
        peer.local_address, peer.local_port, peer.remote_port = msg.local_address, msg.local_port, msg.remote_port
        for tlv in msg.tlvs:
            if tlv.type == PeerUpTLVType.VRF_TABLE_NAME:
                peer.table_name = tlv.text
        sent, received = msg.sent_open, msg.received_open
        if hasattr(sent, "families") and hasattr(received, "families"):
            ours = set(sent.families)
            fams = [f for f in received.families if f in ours] or list(received.families)
            peer.families = sorted(known | set(fams))
            ctxs = contexts_from_opens(sent, received, loc_rib=ph.peer_type == 3)
            peer.addpath_in = sorted(set(peer.addpath_in if same else ()) | ctxs.adj_rib_in.addpath)
            peer.addpath_out = sorted(set(peer.addpath_out if same else ()) | ctxs.adj_rib_out.addpath)
            peer.asn4 = ctxs.adj_rib_in.asn4
        if same:
            return
        peer.state = "up"
        peer.since = ts
        events.append(PeerUpEvent(peer, ts))

    def _peer_down(self, r: Router, msg: Any, ts: float, events: list[Any]) -> None:
        peer = self._peer(r, msg.peer)
        note = msg.notification
        text = getattr(note, "shutdown_message", None) if note is not None else None
        peer.down_reason, peer.notification, peer.down_text = msg.reason, note, text
        held = any(len(s) for s in peer.stores())
        if peer.state == "down" and not held:
            return
        peer.state = "down"
        peer.since = ts
        peer.peer_up = None
        ev = PeerDownEvent(peer, ts, msg.reason, note, text)
        events.append(ev)
        ev.withdrawn = self._clear_peer(peer, ts, WithdrawCause.PEER_DOWN, events)
        if self._thresholds:
            for table in list(peer.tables):
                self._check_thresholds(peer, table, ts, events)

    def _stats(self, r: Router, msg: Any, ts: float, events: list[Any]) -> None:
        ph = msg.peer
        peer = self._peer(r, ph)
        table = ph.table
        new: dict[Any, Any] = {}
        for s in msg.stats:
            k = s.type if s.afi is None else (s.type, s.afi, s.safi)
            new[k] = s.value if s.value is not None else s.raw.hex()
        old = peer.stats.get(table, {})
        changed = {k: (old.get(k), v) for k, v in new.items() if old.get(k) != v}
        peer.stats[table] = new
        peer.stats_time[table] = ts
        if changed:
            events.append(StatsChanged(peer, ts, table, changed))

    def _terminate(self, r: Router, ts: float, events: list[Any]) -> None:
        for peer in r.peers.values():
            self._clear_peer(peer, ts, WithdrawCause.TERMINATION, events)
            peer.state = "unknown"
            peer.peer_up = None
        r.connected = r.initiated = r.redump = False
        r.grace_deadline = None

    def _disconnect(self, r: Router) -> None:
        for peer in r.peers.values():
            for store in peer.stores():
                if store.routes:
                    if store.stale:
                        store.stale.update(store.routes)
                    else:
                        store.stale = store.routes
                    store.routes = {}
        r.connected = r.initiated = False
        r.redump = True
        r.grace_deadline = None

    def _grace(self, r: Router, ts: float, events: list[Any]) -> None:
        if self.grace is None:
            return
        if r.grace_deadline is None:
            r.grace_deadline = ts + self.grace
        elif ts >= r.grace_deadline:
            events.extend(self.complete_redump(r.name, ts))

    # -- EVPN ------------------------------------------------------------------
    def _mac(self, store: RouteStore, route: Route, ts: float, events: list[Any]) -> None:
        """Follow a MAC/IP route: a known MAC from another ESI (or, single-
        homed, another next hop) is a move (RFC 7432 section 15)."""
        nlri = route.nlri
        attrs = route.attributes
        seq: int | None = None
        sticky = False
        for c in attrs.extended_communities:
            if isinstance(c, MACMobility):
                seq, sticky = c.sequence, c.sticky
        nh = attrs.next_hop
        esi = nlri.esi.raw
        macs = store.peer.router.macs
        mkey = (nlri.mac, nlri.ethernet_tag)
        prev = macs.get(mkey)
        if prev is not None:
            pnh, pesi, pseq = prev[0], prev[1], prev[2]
            if pesi != esi or (esi == _ZERO_ESI and pnh != nh):
                events.append(MacMoved(route, ts, nlri.mac, (pnh, pesi.hex(), pseq), (nh, esi.hex(), seq), sticky))
        macs[mkey] = (nh, esi, seq, sticky, ts, nlri.ip)

    def _mac_gone(self, store: RouteStore, nlri: Any, ts: float | None) -> None:
        macs = store.peer.router.macs
        mkey = (nlri.mac, nlri.ethernet_tag)
        prev = macs.get(mkey)
        if prev is not None and ts is not None:
            macs[mkey] = (*prev[:4], ts, prev[5])

    # -- thresholds ------------------------------------------------------------
    def _check_thresholds(self, peer: Peer, table: Table, ts: float, events: list[Any]) -> None:
        count = -1
        for i, (router, who, tbl, limit) in enumerate(self._thresholds):
            if router is not None and router != peer.router.name:
                continue
            if who is not None and who != peer.address and who != peer.asn:
                continue
            if tbl is not None and tbl is not table:
                continue
            if count < 0:
                count = peer.count(table)
            k = (id(peer), table, i)
            above = self._above.get(k, False)
            if not above and count >= limit:
                self._above[k] = True
                events.append(Threshold(peer, ts, table, count, limit, "above"))
            elif above and count < limit:
                self._above[k] = False
                events.append(Threshold(peer, ts, table, count, limit, "below"))

    # -- queries ---------------------------------------------------------------
    def peers(self, router: str | None = None) -> list[Peer]:
        """Every peer (of one router), with its state."""
        return [p for r in self.routers.values() if router in (None, r.name) for p in r.peers.values()]

    def stores(
        self,
        router: str | None = None,
        peer: str | int | None = None,
        table: Table | str | None = None,
        family: tuple[int, int] | None = None,
    ) -> Iterator[RouteStore]:
        """The route stores matching the filters (``None``: any); *peer* is
        an address or an AS number."""
        tbl = None if table is None else Table(table)
        for r in self.routers.values():
            if router is not None and r.name != router:
                continue
            for p in r.peers.values():
                if peer is not None and peer != p.address and peer != p.asn:
                    continue
                for t, fams in p.tables.items():
                    if tbl is not None and t is not tbl:
                        continue
                    for f, store in fams.items():
                        if family is None or f == tuple(family):
                            yield store

    def routes(
        self,
        router: str | None = None,
        peer: str | int | None = None,
        table: Table | str | None = None,
        family: tuple[int, int] | None = None,
    ) -> Iterator[Route]:
        """Every route held, filtered by router, peer, table, family."""
        for store in self.stores(router, peer, table, family):
            yield from store

    def get(
        self, router: str, peer: str | int, table: Table | str, route: Any
    ) -> Route | None:
        """The held route of *route*'s key (a route object, or a prefix text)."""
        if isinstance(route, str):
            route = InetPrefix.from_text(route)
        fam = family_of(route, _IPV4_UNICAST)
        key = route_key(route)
        for store in self.stores(router, peer, table, fam):
            v = store.get(key)
            if v is not None:
                return Route(store, key, v)
        return None

    def counts(self, by: tuple[str, ...] = ("router", "peer", "table", "family")) -> dict[tuple[Any, ...], int]:
        """Route counts grouped by any of ``router``, ``peer`` (address),
        ``asn``, ``table`` (pre vs post policy, ...), ``family``."""
        out: dict[tuple[Any, ...], int] = {}
        for store in self.stores():
            if not len(store):
                continue
            p = store.peer
            values = {
                "router": p.router.name, "peer": p.address, "asn": p.asn, "table": store.table.value,
                "family": store.family,
            }  # fmt: skip
            k = tuple(values[b] for b in by)
            out[k] = out.get(k, 0) + len(store)
        return out

    def __len__(self) -> int:
        return sum(len(s) for s in self.stores())

    def lookup(self, address: str, **filters: Any) -> list[Route]:
        """Longest-prefix match of an address (or prefix) in every matching
        IPv4/IPv6 store: one route per store (per path with ADD-PATH)."""
        out: list[Route] = []
        for _store, matches in self._matching(address, filters):
            if matches:
                best = max(m.nlri.length for m in matches)
                out.extend(m for m in matches if m.nlri.length == best)
        return out

    def covering(self, prefix: str, **filters: Any) -> list[Route]:
        """Every route whose prefix contains *prefix* (less specifics and
        itself), in every matching IPv4/IPv6 store."""
        return [m for _, matches in self._matching(prefix, filters) for m in matches]

    def covered(self, prefix: str, **filters: Any) -> list[Route]:
        """Every route inside *prefix* (itself and more specifics)."""
        net = ipaddress.ip_network(prefix, strict=False)
        out = []
        for store in self.stores(**filters):
            if not store.inet or store.family[0] != (1 if net.version == 4 else 2):
                continue
            for route in store:
                if route.nlri.network.subnet_of(net):
                    out.append(route)
        return out

    def _matching(self, text: str, filters: dict[str, Any]) -> Iterator[tuple[RouteStore, list[Route]]]:
        net = ipaddress.ip_network(text, strict=False)
        afi = 1 if net.version == 4 else 2
        bits = net.max_prefixlen
        addr = int(net.network_address)
        for store in self.stores(**filters):
            if not store.inet or store.family[0] != afi:
                continue
            found: list[Route] = []
            for length in range(net.prefixlen, -1, -1):
                nbytes = (length + 7) >> 3
                packed = addr >> (bits - length) << (nbytes * 8 - length) if length else 0
                key = (packed << 8) | length
                v = store.get(key)
                if v is not None:
                    found.append(Route(store, key, v))
            # ADD-PATH paths have their path id in the key: scan for them
            for k, v in store.items():
                if isinstance(k, int) and k >> _PID_SHIFT:
                    n = Route(store, k, v).nlri
                    if n.length <= net.prefixlen and net.subnet_of(n.network):
                        found.append(Route(store, k, v))
            yield store, found

    def unstable(self, n: int = 10, **filters: Any) -> list[Route]:
        """The *n* routes that changed most (changes, re-announcements after
        withdrawals), most unstable first."""
        routes = [r for r in self.routes(**filters) if r.changes]
        routes.sort(key=lambda r: r.changes, reverse=True)
        return routes[:n]

    def stats(
        self, router: str | None = None, peer: str | int | None = None
    ) -> list[tuple[Peer, Table, dict[Any, Any]]]:
        """The latest statistics counters: (peer, table, {stat type: value})."""
        out = []
        for p in self.peers(router):
            if peer is not None and peer != p.address and peer != p.asn:
                continue
            for table, values in p.stats.items():
                out.append((p, table, values))
        return out

    # -- EVPN queries ----------------------------------------------------------
    def macs_in_prefixes(self, **filters: Any) -> list[tuple[Route, Route]]:
        """(MAC/IP route, IP Prefix route) pairs of one router where the
        type 2 route's IP falls inside the type 5 route's prefix."""
        out = []
        by_router: dict[str, tuple[list[Route], list[Route]]] = {}
        for route in self.routes(family=_EVPN, **filters):
            t2, t5 = by_router.setdefault(route.router, ([], []))
            n = route.nlri
            if type(n) is MACIPAdvertisement and n.ip is not None:
                t2.append(route)
            elif type(n) is IPPrefix:
                t5.append(route)
        for t2, t5 in by_router.values():
            nets = [(ipaddress.ip_network(r.nlri.prefix, strict=False), r) for r in t5]
            for m in t2:
                ip = ipaddress.ip_address(m.nlri.ip)
                for net, p in nets:
                    if ip.version == net.version and ip in net:
                        out.append((m, p))
        return out

    def multicast_macs(self, **filters: Any) -> list[Route]:
        """MAC/IP routes advertising a multicast (group bit) MAC."""
        return [
            r for r in self.routes(family=_EVPN, **filters)
            if type(r.nlri) is MACIPAdvertisement and r.nlri.is_multicast_mac
        ]  # fmt: skip

    def mac_last_seen(self, mac: str, router: str | None = None) -> float | None:
        """When a MAC/IP route for *mac* was last announced or withdrawn
        (message time), or ``None`` if never."""
        mac = mac.lower()
        times = [
            v[4] for r in self.routers.values() if router in (None, r.name)
            for (m, _tag), v in r.macs.items() if m == mac
        ]  # fmt: skip
        return max(times) if times else None

    def ip_last_seen(self, ip: str, router: str | None = None) -> float | None:
        """When a MAC/IP route for *ip* was last announced or withdrawn."""
        times = [
            v[4] for r in self.routers.values() if router in (None, r.name)
            for v in r.macs.values() if v[5] == ip
        ]  # fmt: skip
        return max(times) if times else None
