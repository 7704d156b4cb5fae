"""The columnar form of route records, before it becomes Arrow.

:class:`RouteColumns` collects routes as columns: per route the message
offset and time, an index into the table of peers, an index into the table
of attribute sets, the family, the action and the key fields; per peer the
``PEER_FIELDS``; per attribute set the ``ATTRIBUTE_FIELDS``.  Peers are told
apart by (source, router, the identity octets of the per-peer header) and
attribute sets by their octets (:func:`~bmplib.records.record.attribute_key`),
so an attribute set repeated by a thousand UPDATEs is flattened once.

Two builders fill this shape: the object path here (:meth:`add_item`, from
decoded messages), and the compiled batch path of ``bmplib_fast._records``,
which walks the octets of a raw BMP stream and hands unusual messages back to
:meth:`add_item`.  :mod:`bmplib.records.arrow` turns either into one Arrow
record batch.
"""

from __future__ import annotations

from array import array
from typing import Any

from bmplib.records.record import (
    ANNOUNCE,
    ATTRIBUTE_FIELDS,
    KEY_FIELDS,
    attribute_fields,
    attribute_key,
    message_routes,
    peer_fields,
    route_key,
    wire_attribute_key,
)

__all__ = ["EXTRA_FIELDS", "RouteColumns"]

#: the key fields other than family and prefix: kept sparse (most routes have none)
EXTRA_FIELDS = KEY_FIELDS[2:]


class RouteColumns:
    """Route records as columns (see the module docstring).

    :ivar offset, time_us, peer, attrs: per route (``array`` of int64 /
        int32); ``attrs`` is 0 for a withdrawal (the empty attribute set).
    :ivar family: per route, an index into :attr:`family_names`.
    :ivar action: per route, an index into ``record.ACTIONS``.
    :ivar prefix: per route, the CIDR text or ``None``.
    :ivar extra: for each of ``EXTRA_FIELDS``, the rows that have a value
        and the values.
    :ivar peer_rows: the ``PEER_FIELDS`` tuple of each peer.
    :ivar attr_cols: for each of ``ATTRIBUTE_FIELDS``, its value in each
        attribute set (set 0, the withdrawals', is all ``None``).
    :ivar peer_ids, attr_ids: what tells them apart -> their index."""

    def __init__(self) -> None:
        self.offset = array("q")
        self.time_us = array("q")
        self.peer = array("i")
        self.attrs = array("i")
        self.family = array("h")
        self.action = array("b")
        self.prefix: list[str | None] = []
        self.extra: dict[str, tuple[list[int], list[Any]]] = {name: ([], []) for name in EXTRA_FIELDS}
        self.family_names: list[str] = []
        self._families: dict[str, int] = {}
        self.peer_rows: list[tuple[Any, ...]] = []
        self.peer_ids: dict[tuple[Any, ...], int] = {}
        self.attr_cols: list[list[Any]] = [[None] for _ in ATTRIBUTE_FIELDS]
        self.attr_ids: dict[bytes, int] = {}

    def __len__(self) -> int:
        return len(self.offset)

    # -- the tables ------------------------------------------------------------
    def family_index(self, name: str) -> int:
        i = self._families.get(name)
        if i is None:
            i = self._families[name] = len(self.family_names)
            self.family_names.append(name)
        return i

    def peer_index(self, source: str | None, router: str | None, peer: Any) -> int:
        key = (source, router, peer.key, peer.flags)
        i = self.peer_ids.get(key)
        if i is None:
            i = self.peer_ids[key] = len(self.peer_rows)
            self.peer_rows.append(peer_fields(peer, source, router))
        return i

    def attr_index(self, key: bytes, update: Any, mp: bool) -> int:
        i = self.attr_ids.get(key)
        if i is None:
            i = self.attr_ids[key] = len(self.attr_cols[0])
            for col, value in zip(self.attr_cols, attribute_fields(update, mp, key)):
                col.append(value)
        return i

    # -- the object path ---------------------------------------------------------
    def add_item(self, item: Any, source: str | None, router: str | None, raw: bytes | None = None) -> None:
        """Add the routes of one stream item (a Route Monitoring message, or
        a CapturedItem holding one; anything else has none).  *raw*: the
        message's octets when known (attribute sets are then told apart by
        their wire octets, without re-encoding them)."""
        flow = getattr(item, "flow", None)
        if flow is not None:
            router = router if router is not None else flow.src
            item = item.item
        update = getattr(item, "update", None)
        if update is None or getattr(item, "type", None) != 0:
            return
        peer = item.peer
        p = self.peer_index(source, router, peer)
        t = peer.timestamp_sec * 1_000_000 + peer.timestamp_usec
        attrs: dict[bool, int] = {}
        for route, action, mp in message_routes(update):
            if action == ANNOUNCE:
                a = attrs.get(mp)
                if a is None:
                    key = wire_attribute_key(raw, mp) if raw is not None else None
                    if key is None:
                        key = attribute_key(update, mp)
                    a = attrs[mp] = self.attr_index(key, update, mp)
            else:
                a = 0
            self.add_route(item.offset, t, p, a, action, route_key(route))

    def add_route(self, offset: int, time_us: int, peer: int, attrs: int, action: int, key: tuple[Any, ...]) -> None:
        """Add one route: *key* is its ``KEY_FIELDS`` tuple."""
        row = len(self.offset)
        self.offset.append(offset)
        self.time_us.append(time_us)
        self.peer.append(peer)
        self.attrs.append(attrs)
        self.family.append(self.family_index(key[0]))
        self.action.append(action)
        self.prefix.append(key[1])
        extra = self.extra
        for name, value in zip(EXTRA_FIELDS, key[2:]):
            if value is not None:
                rows, values = extra[name]
                rows.append(row)
                values.append(value)
