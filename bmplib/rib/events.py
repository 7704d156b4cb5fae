"""The events :meth:`bmplib.rib.RIB.apply` returns: typed, slotted, each
with a stable JSON form (``event.__json__()``, or :func:`bmplib.to_json`)
whose ``"event"`` key names it (docs/json.md, "RIB events")."""

from __future__ import annotations

from collections.abc import Hashable
from typing import Any

from bmplib.bmp.header import Table
from bmplib.json import value_to_json
from bmplib.nlri.registry import family_name
from bmplib.rib.model import Peer, Route, RouteStore, RouteValue

__all__ = [
    "EndOfRib",
    "Event",
    "MacMoved",
    "PeerDownEvent",
    "PeerUpEvent",
    "RouteAdded",
    "RouteChanged",
    "RouteWithdrawn",
    "StatsChanged",
    "Threshold",
    "WithdrawCause",
]


class WithdrawCause:
    """Why a route left the RIB (the ``cause`` of ``route_withdrawn``)."""

    EXPLICIT = "explicit"  # a withdrawal in an UPDATE (or RFC 7606 treat-as-withdraw)
    PEER_DOWN = "peer_down"  # implicit: Peer Down (RFC 7854 section 4.9)
    DISCONNECT = "disconnect"  # not re-sent after the router reconnected
    TERMINATION = "termination"  # the router ended the BMP session (Termination)


def _peer_json(router: str, peer: Peer) -> dict[str, Any]:
    out = peer.__json__()
    return {"router": router, "peer": out}


class _PeerEvent:
    __slots__ = ("peer", "time")
    name = ""

    def __init__(self, peer: Peer, time: float | None) -> None:
        self.peer = peer
        self.time = time

    @property
    def router(self) -> str:
        return self.peer.router.name

    def _base(self) -> dict[str, Any]:
        out: dict[str, Any] = {"event": self.name, "time": self.time}
        out.update(_peer_json(self.router, self.peer))
        return out

    def __repr__(self) -> str:
        return f"<{self.name} {self.router} {self.peer.address}>"


class PeerUpEvent(_PeerEvent):
    """A peer's BGP session came up (Peer Up, RFC 7854 section 4.10)."""

    __slots__ = ()
    name = "peer_up"

    def __json__(self) -> dict[str, Any]:
        p = self.peer
        out = self._base()
        out.update(
            local_address=p.local_address,
            local_port=p.local_port,
            remote_port=p.remote_port,
            families=[family_name(*f) for f in p.families],
            addpath_in=[family_name(*f) for f in p.addpath_in],
            addpath_out=[family_name(*f) for f in p.addpath_out],
            asn4=p.asn4,
        )
        return out


class PeerDownEvent(_PeerEvent):
    """A peer's BGP session went down (Peer Down, RFC 7854 section 4.9):
    the reason, the NOTIFICATION (if any) and its shutdown text (RFC 9003);
    ``withdrawn`` routes follow as ``route_withdrawn`` events."""

    __slots__ = ("notification", "reason", "text", "withdrawn")
    name = "peer_down"

    def __init__(self, peer: Peer, time: float | None, reason: Any, notification: Any, text: str | None) -> None:
        super().__init__(peer, time)
        self.reason = reason
        self.notification = notification
        self.text = text
        self.withdrawn = 0

    def __json__(self) -> dict[str, Any]:
        out = self._base()
        out.update(
            reason=value_to_json(self.reason),
            notification=value_to_json(self.notification),
            text=self.text,
            withdrawn=self.withdrawn,
        )
        return out


class _RouteEvent:
    """An event about one route: its store, key and value at the time (the
    :class:`~bmplib.rib.Route` view is built when asked for)."""

    __slots__ = ("key", "store", "time", "value")
    name = ""

    def __init__(self, store: RouteStore, key: Hashable, value: RouteValue, time: float | None) -> None:
        self.store = store
        self.key = key
        self.value = value
        self.time = time

    @property
    def route(self) -> Route:
        """The route (its state after the event; before it for a withdrawal)."""
        return Route(self.store, self.key, self.value)

    def _base(self) -> dict[str, Any]:
        out: dict[str, Any] = {"event": self.name, "time": self.time}
        out.update(self.route.__json__())
        return out

    def __json__(self) -> dict[str, Any]:
        return self._base()

    def __repr__(self) -> str:
        r = self.route
        return f"<{self.name} {r.router} {r.peer.address} {r.table.value} {r.text}>"


class RouteAdded(_RouteEvent):
    """A route the RIB did not hold."""

    __slots__ = ()
    name = "route_added"


class RouteChanged(_RouteEvent):
    """A held route announced again with other attributes: ``changed`` lists
    the attribute type codes that differ (14 stands for the MP_REACH_NLRI
    next hop, ``"nlri"`` for the route's own fields, e.g. labels), ``old``
    the previous attributes."""

    __slots__ = ("changed", "old", "old_nlri")
    name = "route_changed"

    def __init__(
        self, store: RouteStore, key: Hashable, value: RouteValue, time: float | None, old: Any, old_nlri: Any,
        changed: list[Any],
    ) -> None:  # fmt: skip
        super().__init__(store, key, value, time)
        self.old = old
        self.old_nlri = old_nlri
        self.changed = changed

    def __json__(self) -> dict[str, Any]:
        out = self._base()
        old_by = self.old.by_code()
        new_by = self.route.attributes.by_code()
        out["changed"] = [
            {
                "attribute": c,
                "old": value_to_json(self.old_nlri if c == "nlri" else old_by.get(c)),
                "new": value_to_json(self.route.nlri if c == "nlri" else new_by.get(c)),
            }
            for c in self.changed
        ]
        return out


class RouteWithdrawn(_RouteEvent):
    """A route left the RIB; ``cause`` is a :class:`WithdrawCause` value."""

    __slots__ = ("cause",)
    name = "route_withdrawn"

    def __init__(self, store: RouteStore, key: Hashable, value: RouteValue, time: float | None, cause: str) -> None:
        super().__init__(store, key, value, time)
        self.cause = cause

    def __json__(self) -> dict[str, Any]:
        out = self._base()
        out["cause"] = self.cause
        return out

    def __repr__(self) -> str:
        return super().__repr__()[:-1] + f" {self.cause}>"


class EndOfRib(_PeerEvent):
    """End-of-RIB marker (RFC 4724 section 2) of one peer, table, family."""

    __slots__ = ("family", "table")
    name = "end_of_rib"

    def __init__(self, peer: Peer, time: float | None, table: Table, family: tuple[int, int]) -> None:
        super().__init__(peer, time)
        self.table = table
        self.family = family

    def __json__(self) -> dict[str, Any]:
        out = self._base()
        out.update(table=self.table.value, family=family_name(*self.family))
        return out


class MacMoved:
    """An EVPN MAC/IP route for a MAC already known from another next hop or
    Ethernet segment (RFC 7432 section 15): old and new next hop, ESI, MAC
    Mobility sequence number (``None`` when the route has no MAC Mobility
    community) and the new route's sticky flag; ``route`` is the new route."""

    __slots__ = (
        "mac", "new_esi", "new_next_hop", "new_sequence", "old_esi", "old_next_hop", "old_sequence", "route",
        "sticky", "time",
    )  # fmt: skip
    name = "mac_moved"

    def __init__(
        self,
        route: Route,
        time: float | None,
        mac: str,
        old: tuple[str | None, str, int | None],
        new: tuple[str | None, str, int | None],
        sticky: bool,
    ) -> None:
        self.route = route
        self.time = time
        self.mac = mac
        self.old_next_hop, self.old_esi, self.old_sequence = old
        self.new_next_hop, self.new_esi, self.new_sequence = new
        self.sticky = sticky

    def __json__(self) -> dict[str, Any]:
        out: dict[str, Any] = {"event": self.name, "time": self.time}
        out.update(self.route.__json__())
        out.update(
            mac=self.mac,
            old_next_hop=self.old_next_hop,
            new_next_hop=self.new_next_hop,
            old_esi=self.old_esi,
            new_esi=self.new_esi,
            old_sequence=self.old_sequence,
            new_sequence=self.new_sequence,
            sticky=self.sticky,
        )
        return out

    def __repr__(self) -> str:
        return f"<mac_moved {self.mac} {self.old_next_hop} -> {self.new_next_hop}>"


class StatsChanged(_PeerEvent):
    """A Statistics Report (RFC 7854 section 4.8) whose counters differ from
    the previous report of the same peer and table: ``changed`` maps each
    stat type to ``(old, new)`` (old ``None`` on the first report)."""

    __slots__ = ("changed", "table")
    name = "stats"

    def __init__(self, peer: Peer, time: float | None, table: Table, changed: dict[Any, tuple[Any, Any]]) -> None:
        super().__init__(peer, time)
        self.table = table
        self.changed = changed

    def __json__(self) -> dict[str, Any]:
        out = self._base()
        out["table"] = self.table.value
        out["stats"] = [
            {"type": value_to_json(k), "old": o, "new": n} for k, (o, n) in self.changed.items()
        ]
        return out


class Threshold(_PeerEvent):
    """A peer's route count in a table crossed a threshold the caller set
    (:meth:`bmplib.rib.RIB.set_threshold`): ``direction`` is ``"above"``
    (reached ``limit``) or ``"below"`` (fell back under it)."""

    __slots__ = ("count", "direction", "limit", "table")
    name = "threshold"

    def __init__(self, peer: Peer, time: float | None, table: Table, count: int, limit: int, direction: str) -> None:
        super().__init__(peer, time)
        self.table = table
        self.count = count
        self.limit = limit
        self.direction = direction

    def __json__(self) -> dict[str, Any]:
        out = self._base()
        out.update(table=self.table.value, count=self.count, limit=self.limit, direction=self.direction)
        return out


Event = Any  # any of the classes above
