"""Route state and events: what every monitored router holds, and what
changed (issue 14).

:class:`RIB` is sans-IO like :class:`~bmplib.BMPDecoder`: ``rib.apply(item)``
takes any decoded item and returns the events it caused; the state can be
queried at any time.  See docs/rib.md.
"""

from __future__ import annotations

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
from bmplib.rib.keys import inet_key, inet_prefix, route_key
from bmplib.rib.model import PathAttributes, Peer, Route, Router, RouteStore
from bmplib.rib.state import DEFAULT_ROUTER, RIB

__all__ = [
    "DEFAULT_ROUTER",
    "EndOfRib",
    "MacMoved",
    "PathAttributes",
    "Peer",
    "PeerDownEvent",
    "PeerUpEvent",
    "RIB",
    "Route",
    "RouteAdded",
    "RouteChanged",
    "RouteStore",
    "RouteWithdrawn",
    "Router",
    "StatsChanged",
    "Threshold",
    "WithdrawCause",
    "inet_key",
    "inet_prefix",
    "route_key",
]
