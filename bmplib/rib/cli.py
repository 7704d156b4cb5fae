"""``bmplib events FILE...`` and ``bmplib rib FILE...``: the RIB on the
command line (registered by :mod:`bmplib.cli` through :func:`add_commands`).

Every record of every file is applied to one :class:`~bmplib.rib.RIB` (the
filters only choose what is printed, so the state stays whole).  A raw BMP
file is one router named by its path; in a capture each exporter address
is a router.  ``--peer``, ``--table`` and ``--family`` keep the events /
routes of matching peers, tables and families; ``--type`` keeps the events
caused by records of those types (``peer_down``: the Peer Down and its
implicit withdrawals).
"""

from __future__ import annotations

import argparse
import ipaddress
import json
import sys
from collections.abc import Iterator
from typing import Any

from bmplib.errors import DecodeError
from bmplib.files import iter_file, iter_fileobj
from bmplib.nlri.registry import family_name
from bmplib.pcap import CapturedItem
from bmplib.rib.model import Route
from bmplib.rib.state import RIB

__all__ = ["add_commands", "record_kind"]

_EXIT_OK = 0
_EXIT_BAD_INPUT = 2


def add_commands(sub: Any, common: argparse.ArgumentParser) -> None:
    """Add ``events`` and ``rib`` to the ``bmplib`` sub-command parser;
    *common* holds the options shared with ``decode``."""
    e = sub.add_parser("events", parents=[common], help="print the route and peer events as JSON lines")
    e.add_argument("--grace", type=float, metavar="SECONDS", help="re-dump grace time after a reconnect")
    e.set_defaults(func=_cmd_events)
    r = sub.add_parser("rib", parents=[common], help="print every route held at the end, as JSON lines")
    r.add_argument("--summary", action="store_true", help="route counts per router, peer, table and family")
    r.add_argument("--grace", type=float, metavar="SECONDS", help="re-dump grace time after a reconnect")
    r.set_defaults(func=_cmd_rib)


def record_kind(item: Any) -> str:
    """The ``--type`` name of a stream item (``route_monitoring``, ``error``...)."""
    t = getattr(item, "type", None)
    name = getattr(t, "name", None)
    if isinstance(name, str):
        return name.lower()
    return t if isinstance(t, str) else "unknown"


class _Select:
    """The output filters (``None``/empty: everything)."""

    def __init__(self, args: argparse.Namespace) -> None:
        peers = args.peer or []
        self.asns = {v for k, v in peers if k == "asn"}
        self.addresses = {v for k, v in peers if k == "address"}
        self.tables = set(args.table or [])
        self.families = set(args.family or [])
        self.types = {t for group in (args.type or []) for t in group}

    def peer(self, peer: Any) -> bool:
        if not (self.asns or self.addresses):
            return True
        if peer.asn in self.asns:
            return True
        try:
            return ipaddress.ip_address(peer.address) in self.addresses
        except ValueError:
            return False

    def route(self, route: Route) -> bool:
        if self.tables and route.table.value not in self.tables:
            return False
        if self.families and family_name(*route.family) not in self.families:
            return False
        return self.peer(route.peer)

    def event(self, event: Any) -> bool:
        route = getattr(event, "route", None)
        if route is not None:
            return self.route(route)
        table = getattr(event, "table", None)
        if self.tables and table is not None and table.value not in self.tables:
            return False
        family = getattr(event, "family", None)
        if self.families and family is not None and family_name(*family) not in self.families:
            return False
        return self.peer(event.peer)


def _items(path: str) -> Iterator[tuple[str | None, Any]]:
    """(router name, item) of every record of one file."""
    items = iter_fileobj(sys.stdin.buffer) if path == "-" else iter_file(path)
    for x in items:
        yield (None if isinstance(x, CapturedItem) else path), x


def _feed(args: argparse.Namespace, rib: RIB, on_events: Any) -> int:
    status = _EXIT_OK
    for path in args.files:
        try:
            for router, x in _items(path):
                events = rib.apply(x, router=router)
                if events and on_events is not None:
                    on_events(x, events)
        except BrokenPipeError:
            raise
        except (DecodeError, OSError) as exc:
            reason = getattr(exc, "reason", None) or str(exc)
            print(f"bmplib: {path}: {reason}", file=sys.stderr)
            status = _EXIT_BAD_INPUT
    return status


def _cmd_events(args: argparse.Namespace) -> int:
    select = _Select(args)
    out = sys.stdout

    def show(x: Any, events: list[Any]) -> None:
        if select.types and record_kind(x.item if isinstance(x, CapturedItem) else x) not in select.types:
            return
        for ev in events:
            if select.event(ev):
                out.write(json.dumps(ev.__json__()))
                out.write("\n")

    return _feed(args, RIB(grace=args.grace), show)


def _cmd_rib(args: argparse.Namespace) -> int:
    select = _Select(args)
    rib = RIB(grace=args.grace)
    status = _feed(args, rib, None)
    out = sys.stdout
    if args.summary:
        for store in rib.stores():
            if not len(store):
                continue
            p = store.peer
            if not select.peer(p) or (select.tables and store.table.value not in select.tables):
                continue
            fam = family_name(*store.family)
            if select.families and fam not in select.families:
                continue
            row = {
                "router": p.router.name, "peer": {"address": p.address, "asn": p.asn}, "state": p.state,
                "table": store.table.value, "family": fam, "routes": len(store),
            }  # fmt: skip
            out.write(json.dumps(row) + "\n")
        return status
    for route in rib.routes():
        if select.route(route):
            out.write(json.dumps(route.__json__()))
            out.write("\n")
    return status
