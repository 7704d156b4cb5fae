"""What the RIB holds: routers, peers, per-table per-family route stores, and
the interned path attribute sets of routes.

Memory: a route is one entry in its store's dict -- its key (an int for
IPv4/IPv6, see :mod:`bmplib.rib.keys`) and a 5-tuple ``(attributes, nlri,
first_seen, last_changed, changes)`` -- and its attribute set is shared with
every other route carrying the same attributes (:class:`PathAttributes`,
interned by :class:`AttributePool`).  ``nlri`` is ``None`` for IPv4/IPv6
routes (the key is the prefix) and the route object otherwise (its labels,
ESI, gateway... are attributes of the route, RFC 7432 / RFC 8277).
"""

from __future__ import annotations

from collections.abc import Hashable, Iterator
from typing import Any

from bmplib.bgp.attributes import (
    ASPath,
    Communities,
    LargeCommunities,
    LocalPref,
    MPNextHop,
    MultiExitDisc,
    NextHop,
    Origin,
)
from bmplib.bmp.header import Table
from bmplib.json import value_to_json
from bmplib.nlri.registry import family_name
from bmplib.rib.keys import INET_FAMILIES, inet_prefix

__all__ = ["AttributePool", "PathAttributes", "Peer", "Route", "RouteStore", "Router", "RouteValue"]

#: (attributes, nlri or None, first_seen, last_changed, changes)
RouteValue = tuple[Any, Any, float, float, int]


class PathAttributes:
    """One interned set of path attributes: the UPDATE's attributes other
    than MP_REACH_NLRI / MP_UNREACH_NLRI, plus the MP_REACH_NLRI next hop
    (RFC 4760 section 3) for routes announced there.  Routes with identical
    attributes share one object; compare them with ``is``."""

    __slots__ = ("__weakref__", "attributes", "mp_next_hop")

    def __init__(self, attributes: tuple[Any, ...], mp_next_hop: MPNextHop | None) -> None:
        self.attributes = attributes
        self.mp_next_hop = mp_next_hop

    def get(self, type_code: int) -> Any:
        """The first attribute of *type_code*, or ``None``."""
        for a in self.attributes:
            if a.type_code == type_code:
                return a
        return None

    @property
    def next_hop(self) -> str | None:
        """NEXT_HOP, else the MP_REACH_NLRI (global) next hop address."""
        a = self.get(3)
        if isinstance(a, NextHop):
            return a.next_hop
        return None if self.mp_next_hop is None else self.mp_next_hop.address

    @property
    def as_path(self) -> Any:
        return self.get(2)

    @property
    def extended_communities(self) -> list[Any]:
        a = self.get(16)
        return [] if a is None else list(getattr(a, "communities", []))

    def by_code(self) -> dict[int, Any]:
        """Type code -> attribute (the first of each code), with the MP
        next hop under code 14."""
        out: dict[int, Any] = {}
        for a in self.attributes:
            out.setdefault(a.type_code, a)
        if self.mp_next_hop is not None:
            out[14] = self.mp_next_hop
        return out

    def __repr__(self) -> str:
        return f"PathAttributes(next_hop={self.next_hop!r}, {len(self.attributes)} attributes)"

    def __json__(self) -> list[Any]:
        return [value_to_json(a) for a in self.attributes]


def _attr_key(a: Any) -> Hashable:
    """A hashable value equal for two attributes exactly when their wire
    forms are equal; the common attributes without encoding them."""
    t = type(a)
    if t is Origin:
        return (1, a.flags, a.origin)
    if t is ASPath:
        return (2, a.flags, a.asn4, *[(s.type, s.asns) for s in a.segments])
    if t is NextHop:
        return (3, a.flags, a.next_hop)
    if t is Communities:
        return (8, a.flags, a.values)
    if t is MultiExitDisc:
        return (4, a.flags, a.med)
    if t is LocalPref:
        return (5, a.flags, a.local_pref)
    if t is LargeCommunities:
        return (32, a.flags, *a.values)
    out: bytes = a.encode()
    return out


class AttributePool:
    """Interns :class:`PathAttributes`: one object per distinct set, named
    by its index in :attr:`sets`.  Routes hold the index (an int, so their
    values hold no object the garbage collector must visit)."""

    __slots__ = ("_index", "sets")

    def __init__(self) -> None:
        self._index: dict[Hashable, int] = {}
        self.sets: list[PathAttributes] = []

    def intern(self, attributes: list[Any], mp_next_hop: MPNextHop | None) -> int:
        """The index of the set of *attributes* (+ MP next hop)."""
        key = tuple([_attr_key(a) for a in attributes])
        if mp_next_hop is not None:
            key = (key, mp_next_hop.raw)
        found = self._index.get(key)
        if found is None:
            found = self._index[key] = len(self.sets)
            self.sets.append(PathAttributes(tuple(attributes), mp_next_hop))
        return found

    def __len__(self) -> int:
        return len(self.sets)


class Router:
    """One monitored router (one BMP session, named by the caller).

    :ivar name: the caller's name for it (an address, a file name...).
    :ivar sys_name, sys_descr: from the latest Initiation (RFC 7854 4.3).
    :ivar connected: a BMP session is open (no Termination / disconnect since).
    :ivar peers: peer key -> :class:`Peer`.
    """

    __slots__ = (
        "connected", "connection", "grace_deadline", "initiated", "last_time", "macs", "name", "peers",
        "pool", "redump", "sys_descr", "sys_name",
    )  # fmt: skip

    def __init__(self, name: str, pool: AttributePool) -> None:
        self.name = name
        self.pool = pool
        self.sys_name: str | None = None
        self.sys_descr: str | None = None
        self.connected = False
        self.initiated = False
        self.peers: dict[tuple[int, bytes, str], Peer] = {}
        self.redump = False  # stale routes wait for the re-dump after a reconnect
        self.grace_deadline: float | None = None
        self.last_time = 0.0
        self.connection: Any = None
        #: (MAC, Ethernet tag) -> (next hop, ESI raw, sequence, sticky, last seen, ip)
        self.macs: dict[tuple[str, int], tuple[str | None, bytes, int, bool, float, str | None]] = {}

    def __repr__(self) -> str:
        return f"Router({self.name!r}, {len(self.peers)} peers)"


class Peer:
    """One monitored peer of a router (RFC 7854 section 4.2: peer type,
    distinguisher and address identify it; AS and BGP ID are its latest).

    :ivar state: ``"up"`` (Peer Up seen), ``"down"`` (Peer Down seen) or
        ``"unknown"`` (routes seen without a Peer Up: GoBGP's Loc-RIB, a
        collector that joined late).
    :ivar since: timestamp of the last state change.
    :ivar down_reason, notification, down_text: of the last Peer Down.
    :ivar families, addpath_in, addpath_out, asn4: negotiated in the last
        Peer Up's OPENs (RFC 4760, RFC 7911 per direction, RFC 6793).
    :ivar table_name: the VRF/Table Name TLV of the Peer Up (RFC 9069).
    :ivar tables: table -> family -> :class:`RouteStore`.
    :ivar stats: table -> stat type -> value, from the latest report.
    """

    __slots__ = (
        "addpath_in",
        "addpath_out",
        "address",
        "asn",
        "asn4",
        "bgp_id",
        "distinguisher",
        "down_reason",
        "down_text",
        "families",
        "key",
        "local_address",
        "local_port",
        "notification",
        "peer_type",
        "peer_up",
        "rd",
        "remote_port",
        "router",
        "since",
        "state",
        "stats",
        "stats_time",
        "table_name",
        "tables",
    )  # fmt: skip

    def __init__(self, router: Router, header: Any) -> None:
        self.router = router
        self.key = (int(header.peer_type), header.distinguisher, header.address)
        self.peer_type = header.peer_type
        self.distinguisher: bytes = header.distinguisher
        self.rd = header.rd
        self.address: str = header.address
        self.asn: int = header.asn
        self.bgp_id: str = header.bgp_id
        self.state = "unknown"
        self.since: float | None = None
        self.down_reason: Any = None
        self.notification: Any = None
        self.down_text: str | None = None
        self.families: list[tuple[int, int]] = []
        self.addpath_in: list[tuple[int, int]] = []
        self.addpath_out: list[tuple[int, int]] = []
        self.asn4: bool | None = None
        self.table_name: str | None = None
        self.local_address: str | None = None
        self.local_port: int | None = None
        self.remote_port: int | None = None
        self.peer_up: Any = None
        self.tables: dict[Table, dict[tuple[int, int], RouteStore]] = {}
        self.stats: dict[Table, dict[Any, int | None]] = {}
        self.stats_time: dict[Table, float] = {}

    def store(self, table: Table, family: tuple[int, int]) -> RouteStore:
        """The route store of *table* and *family* (created empty)."""
        fams = self.tables.get(table)
        if fams is None:
            fams = self.tables[table] = {}
        st = fams.get(family)
        if st is None:
            st = fams[family] = RouteStore(self, table, family)
        return st

    def stores(self) -> Iterator[RouteStore]:
        for fams in self.tables.values():
            yield from fams.values()

    def count(self, table: Table | None = None) -> int:
        """Routes held (all tables, or one)."""
        return sum(len(s) for s in self.stores() if table is None or s.table is table)

    def __json__(self) -> dict[str, Any]:
        return {
            "address": self.address,
            "asn": self.asn,
            "bgp_id": self.bgp_id,
            "peer_type": value_to_json(self.peer_type),
            "rd": None if self.rd is None else str(self.rd),
            "table_name": self.table_name,
        }

    def state_json(self) -> dict[str, Any]:
        """The peer with its state (for ``bmplib rib --summary`` and queries)."""
        out = self.__json__()
        out.update(
            router=self.router.name,
            state=self.state,
            since=self.since,
            down_reason=value_to_json(self.down_reason),
            notification=value_to_json(self.notification),
            down_text=self.down_text,
            families=[family_name(*f) for f in self.families],
            addpath_in=[family_name(*f) for f in self.addpath_in],
            addpath_out=[family_name(*f) for f in self.addpath_out],
            asn4=self.asn4,
        )
        return out

    def __repr__(self) -> str:
        return f"Peer({self.address!r}, asn={self.asn}, {self.state})"


class RouteStore:
    """The routes of one peer in one table and one family.

    ``routes`` maps a route key to its value; after a router reconnects, the
    routes from before wait in ``stale`` until the re-dump sends them again
    (they stay part of the state meanwhile).  ``history`` remembers, for a
    withdrawn key, how often it changed, so a route that flaps keeps its
    count."""

    __slots__ = ("family", "history", "inet", "peer", "routes", "stale", "table")

    def __init__(self, peer: Peer, table: Table, family: tuple[int, int]) -> None:
        self.peer = peer
        self.table = table
        self.family = family
        self.inet = family in INET_FAMILIES
        self.routes: dict[Hashable, RouteValue] = {}
        self.stale: dict[Hashable, RouteValue] | None = None
        self.history: dict[Hashable, int] = {}

    def __len__(self) -> int:
        return len(self.routes) + (len(self.stale) if self.stale else 0)

    def items(self) -> Iterator[tuple[Hashable, RouteValue]]:
        yield from self.routes.items()
        if self.stale:
            yield from self.stale.items()

    def get(self, key: Hashable) -> RouteValue | None:
        v = self.routes.get(key)
        if v is None and self.stale:
            v = self.stale.get(key)
        return v

    def route(self, key: Hashable, value: RouteValue) -> Route:
        return Route(self, key, value)

    def __iter__(self) -> Iterator[Route]:
        for k, v in self.items():
            yield Route(self, k, v)


class Route:
    """A view of one route: its store (router, peer, table, family), key and
    value.  Built on demand by queries and events."""

    __slots__ = ("key", "store", "value")

    def __init__(self, store: RouteStore, key: Hashable, value: RouteValue) -> None:
        self.store = store
        self.key = key
        self.value = value

    @property
    def router(self) -> str:
        return self.store.peer.router.name

    @property
    def peer(self) -> Peer:
        return self.store.peer

    @property
    def table(self) -> Table:
        return self.store.table

    @property
    def family(self) -> tuple[int, int]:
        return self.store.family

    @property
    def attributes(self) -> PathAttributes:
        return self.store.peer.router.pool.sets[self.value[0]]

    @property
    def nlri(self) -> Any:
        """The route object (an :class:`~bmplib.nlri.inet.InetPrefix` rebuilt
        from the key for IPv4/IPv6)."""
        nlri = self.value[1]
        if nlri is None and self.store.inet and isinstance(self.key, int):
            return inet_prefix(self.store.family, self.key)
        return nlri

    @property
    def first_seen(self) -> float:
        return self.value[2]

    @property
    def last_changed(self) -> float:
        return self.value[3]

    @property
    def changes(self) -> int:
        return self.value[4]

    @property
    def path_id(self) -> int | None:
        return getattr(self.nlri, "path_id", None)

    @property
    def prefix(self) -> str | None:
        """The prefix text (``10.0.0.0/24``; the IP prefix of an EVPN type 5
        route), or ``None`` for routes without one."""
        n = self.nlri
        p = getattr(n, "prefix", None)
        return p if isinstance(p, str) else None

    @property
    def text(self) -> str:
        """The route's text form (prefix with RD, EVPN route key, ...)."""
        n = self.nlri
        if n is None:
            return repr(self.key)
        data = getattr(n, "data", None)
        if isinstance(data, bytes) and not hasattr(n, "prefix"):
            return data.hex()
        return str(n)

    def __json__(self) -> dict[str, Any]:
        n = self.nlri
        out: dict[str, Any] = {
            "router": self.router,
            "peer": self.peer.__json__(),
            "table": self.table.value,
            "family": family_name(*self.family),
            "prefix": self.prefix,
            "route": self.text,
            "path_id": self.path_id,
        }
        if not self.store.inet:
            out["nlri"] = value_to_json(n)
        attrs = self.attributes
        out["next_hop"] = attrs.next_hop
        out["attributes"] = attrs.__json__()
        out["first_seen"] = self.first_seen
        out["last_changed"] = self.last_changed
        out["changes"] = self.changes
        return out

    def __repr__(self) -> str:
        return f"Route({self.router!r}, {self.peer.address}, {self.table.value}, {self.text})"
