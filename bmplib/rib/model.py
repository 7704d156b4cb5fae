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

import marshal
import struct
from collections.abc import Hashable, Iterator
from typing import Any

from bmplib.bgp import update as _update
from bmplib.bgp.attributes import (
    ASPath,
    ASPathSegment,
    Communities,
    LargeCommunities,
    LocalPref,
    MPNextHop,
    MultiExitDisc,
    NextHop,
    Origin,
    OriginType,
    SegmentType,
)
from bmplib.bmp.constants import lookup
from bmplib.bmp.header import Table
from bmplib.json import value_to_json
from bmplib.nlri.registry import family_name
from bmplib.rib.keys import INET_FAMILIES, inet_prefix
from bmplib.session import DecodeContext

__all__ = ["AttributePool", "PathAttributes", "Peer", "Route", "RouteStore", "Router", "RouteValue"]

#: an int (IPv4/IPv6) or (int, route object); see :func:`value_parts`
RouteValue = Any


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


def _u32s(values: Any) -> bytes:
    """32-bit numbers as 4 octets each (struct.error if one does not fit)."""
    n = len(values)
    st = _U32S.get(n)
    if st is None:
        st = struct.Struct(f"!{n}I")
    return st.pack(*values)


def _from_u32s(raw: bytes) -> tuple[int, ...]:
    return struct.unpack(f"!{len(raw) >> 2}I", raw)


_U32S = {n: struct.Struct(f"!{n}I") for n in range(16)}


def _attr_key(a: Any) -> tuple[Any, ...]:
    """Plain values (ints, strings, octets, tuples) equal for two attributes
    exactly when their wire forms are equal, from which :func:`_rebuild`
    makes the attribute again; the common attributes without encoding them.
    The first value is ``type code << 8 | flags`` (0 for an encoded one)."""
    t = type(a)
    if t is Origin:
        return (256 | a.flags, int(a.origin))
    if t is ASPath:
        return (512 | a.flags, a.asn4, a.guessed, *[(int(s.type), _u32s(s.asns)) for s in a.segments])
    if t is NextHop:
        return (768 | a.flags, a.next_hop)
    if t is Communities:
        return (2048 | a.flags, _u32s(a.values))
    if t is MultiExitDisc:
        return (1024 | a.flags, a.med)
    if t is LocalPref:
        return (1280 | a.flags, a.local_pref)
    if t is LargeCommunities:
        return (8192 | a.flags, _u32s([x for v in a.values for x in v]))
    return (0, a.encode())


def _rebuild(key: tuple[Any, ...], ctx: DecodeContext) -> Any:
    """The attribute an :func:`_attr_key` was made from."""
    code, flags = key[0] >> 8, key[0] & 0xFF
    if code == 1:
        return Origin(lookup(OriginType, key[1]), flags)
    if code == 2:
        segments = [ASPathSegment(lookup(SegmentType, st), _from_u32s(asns)) for st, asns in key[3:]]
        return ASPath(segments, key[1], flags, key[2])
    if code == 3:
        return NextHop(key[1], flags)
    if code == 8:
        return Communities(_from_u32s(key[1]), flags)
    if code == 4:
        return MultiExitDisc(key[1], flags)
    if code == 5:
        return LocalPref(key[1], flags)
    if code == 32:
        it = iter(_from_u32s(key[1]))
        return LargeCommunities(list(zip(it, it, it)), flags)
    raw: bytes = key[1]
    body = b"\0\0" + len(raw).to_bytes(2, "big") + raw
    return _update.decode_update(body, 0, len(body), ctx).attributes[0]  # the implementation chosen (bmplib._impl)


class AttributePool:
    """Interns path attribute sets: one entry per distinct set, named by its
    index in :attr:`sets` and stored compactly (:mod:`marshal` octets of the
    per-attribute values of :func:`_attr_key` and the MP next hop), made
    into attribute objects again when asked (:meth:`view`).

    The sets seen last are found by those values directly (exporters send
    runs of routes with the same attributes: 70 % of frr_large's routes have
    the previous message's set); the others by their octets."""

    __slots__ = ("_index", "_recent", "_views", "sets")

    _RECENT = 64
    _VIEWS = 4096

    def __init__(self) -> None:
        self._index: dict[bytes, int] = {}
        self._recent: dict[Hashable, int] = {}
        self._views: dict[int, PathAttributes] = {}
        self.sets: list[bytes] = []

    def intern(self, attributes: list[Any], mp_next_hop: MPNextHop | None) -> int:
        """The index of the set of *attributes* (+ MP next hop)."""
        try:
            keys = tuple([_attr_key(a) for a in attributes])
        except struct.error:  # a number too big for its field: such a set is kept encoded
            keys = tuple([(0, a.encode()) for a in attributes])
        fast = keys if mp_next_hop is None else (keys, mp_next_hop.raw)
        idx = self._recent.get(fast)
        if idx is not None:
            return idx
        asn4 = True
        for a in attributes:
            if type(a) is ASPath and not a.asn4:
                asn4 = False
        # version 0: no back-references, so equal values always give equal octets
        wire = marshal.dumps((asn4, None if mp_next_hop is None else mp_next_hop.raw, keys), 0)
        idx = self._index.get(wire)
        if idx is None:
            idx = self._index[wire] = len(self.sets)
            self.sets.append(wire)
        if len(self._recent) >= self._RECENT:
            self._recent.clear()
        self._recent[fast] = idx
        return idx

    def view(self, idx: int) -> PathAttributes:
        """The :class:`PathAttributes` of set *idx*."""
        found = self._views.get(idx)
        if found is not None:
            return found
        asn4, nh, keys = marshal.loads(self.sets[idx])
        ctx = _AS4 if asn4 else _AS2
        found = PathAttributes(tuple(_rebuild(k, ctx) for k in keys), None if nh is None else MPNextHop(nh))
        if len(self._views) >= self._VIEWS:
            self._views.clear()
        self._views[idx] = found
        return found

    def __len__(self) -> int:
        return len(self.sets)


_AS4 = DecodeContext(asn4=True)
_AS2 = DecodeContext(asn4=False)


# -- route values ---------------------------------------------------------------
# An IPv4/IPv6 route's value is one int: attribute set index (32 bits), change
# count (20 bits, saturating), first-seen and last-changed times in
# microseconds (52 bits each).  Other families keep (that int, route object).
_M32 = 0xFFFFFFFF
CHANGES_SHIFT = 32
CHANGES_MAX = (1 << 20) - 1
FIRST_SHIFT = 52
LAST_SHIFT = 104
_TS_MASK = (1 << 52) - 1
FIRST_FIELD = _TS_MASK << FIRST_SHIFT


def pack_value(attrs: int, first_us: int, last_us: int, changes: int) -> int:
    """The packed value of a route (see above)."""
    return attrs | (min(changes, CHANGES_MAX) << CHANGES_SHIFT) | (first_us << FIRST_SHIFT) | (last_us << LAST_SHIFT)


def value_parts(value: Any) -> tuple[int, Any, int, int, int]:
    """(attribute set index, route object or None, first-seen us,
    last-changed us, changes) of a route value."""
    if type(value) is int:
        packed, nlri = value, None
    else:
        packed, nlri = value
    return (
        packed & _M32, nlri, (packed >> FIRST_SHIFT) & _TS_MASK, packed >> LAST_SHIFT,
        (packed >> CHANGES_SHIFT) & CHANGES_MAX,
    )  # fmt: skip


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
        self.macs: dict[tuple[str, int], tuple[str | None, bytes, int | None, bool, float, str | None]] = {}

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
        return self.store.peer.router.pool.view(value_parts(self.value)[0])

    @property
    def nlri(self) -> Any:
        """The route object (an :class:`~bmplib.nlri.inet.InetPrefix` rebuilt
        from the key for IPv4/IPv6)."""
        if type(self.value) is int:
            return inet_prefix(self.store.family, self.key)  # type: ignore[arg-type]
        return self.value[1]

    @property
    def first_seen(self) -> float:
        """Timestamp (per-peer header) of the announcement that added it."""
        return value_parts(self.value)[2] / 1e6

    @property
    def last_changed(self) -> float:
        """Timestamp of its last change (its first-seen time if none)."""
        return value_parts(self.value)[3] / 1e6

    @property
    def changes(self) -> int:
        """How often it changed, or came back after a withdrawal."""
        return value_parts(self.value)[4]

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
        if type(self.value) is not int:
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
