"""Peer events and statistics as flat rows, beside the route records: what
the ClickHouse peer-event and statistics tables hold (docs/clickhouse.md).

One peer event per Peer Up or Peer Down notification (RFC 7854 sections
4.9, 4.10); one statistics row per counter or gauge of a Statistics Report
(section 4.8; per-AFI/SAFI gauges carry their family).  The peer fields are
those of the route records (``PEER_FIELDS``).
"""

from __future__ import annotations

import enum
from collections.abc import Iterator
from typing import Any

from bmplib.records.record import PEER_FIELDS, peer_fields
from bmplib.records.source import open_source, source_items

__all__ = ["EVENT_FIELDS", "STAT_FIELDS", "iter_events", "tables"]

#: fields of a peer event row
EVENT_FIELDS = (
    "source", "router", "offset", "time", *PEER_FIELDS[2:], "event", "reason", "local_address", "local_port",
    "remote_port",
)  # fmt: skip
#: fields of a statistics row
STAT_FIELDS = ("source", "router", "offset", "time", *PEER_FIELDS[2:], "stat_type", "stat_name", "afi", "safi", "value")


def _name(value: Any) -> str:
    return value.name.lower() if isinstance(value, enum.Enum) else str(value)


def iter_events(source: Any, name: str | None = None) -> Iterator[tuple[str, dict[str, Any]]]:
    """``("event", row)`` and ``("stat", row)`` for the Peer Up, Peer Down
    and Statistics Report messages of *source* (as for ``iter_routes``)."""
    src = open_source(source)
    label = name if name is not None else src.label
    for item, _ in source_items(src):
        router = None
        flow = getattr(item, "flow", None)
        if flow is not None:
            router = flow.src
            item = item.item
        msg_type = getattr(item, "type", None)
        if msg_type not in (1, 2, 3):
            continue
        peer = item.peer
        base = dict(zip(PEER_FIELDS, peer_fields(peer, label, router)))
        base["offset"] = item.offset
        base["time"] = (peer.timestamp_sec * 1_000_000 + peer.timestamp_usec) / 1e6
        if msg_type == 1:
            for stat in item.stats:
                row = dict(base)
                row.update(
                    stat_type=int(stat.type), stat_name=_name(stat.type), afi=stat.afi, safi=stat.safi,
                    value=stat.value,
                )  # fmt: skip
                yield "stat", row
            continue
        row = dict(base)
        if msg_type == 3:
            row.update(event="peer_up", reason=None, local_address=item.local_address, local_port=item.local_port,
                       remote_port=item.remote_port)  # fmt: skip
        else:
            row.update(event="peer_down", reason=_name(item.reason), local_address=None, local_port=None,
                       remote_port=None)  # fmt: skip
        yield "event", row


def tables(source: Any, name: str | None = None) -> tuple[Any, Any]:
    """``(peer events, statistics)`` of *source* as two ``pyarrow.Table``
    objects (needs pyarrow)."""
    import pyarrow as pa

    events: list[dict[str, Any]] = []
    stats: list[dict[str, Any]] = []
    for kind, row in iter_events(source, name):
        (events if kind == "event" else stats).append(row)
    common = [
        ("source", pa.string()), ("router", pa.string()), ("offset", pa.uint64()),
        ("time", pa.timestamp("us", tz="UTC")), ("peer_type", pa.uint8()), ("peer_distinguisher", pa.string()),
        ("peer_address", pa.string()), ("peer_asn", pa.uint32()), ("peer_bgp_id", pa.string()), ("table", pa.string()),
    ]  # fmt: skip
    event_schema = pa.schema(
        [
            *common,
            ("event", pa.string()),
            ("reason", pa.string()),
            ("local_address", pa.string()),
            ("local_port", pa.uint16()),
            ("remote_port", pa.uint16()),
        ]
    )
    stat_schema = pa.schema(
        [
            *common,
            ("stat_type", pa.uint16()),
            ("stat_name", pa.string()),
            ("afi", pa.uint16()),
            ("safi", pa.uint8()),
            ("value", pa.uint64()),
        ]
    )

    def build(rows: list[dict[str, Any]], schema: Any) -> Any:
        for r in rows:
            r["time"] = round(r["time"] * 1e6)
        cols = {f.name: [r[f.name] for r in rows] for f in schema}
        arrays = [
            pa.array(cols[f.name], pa.int64()).cast(f.type) if f.name == "time" else pa.array(cols[f.name], f.type)
            for f in schema
        ]
        return pa.Table.from_arrays(arrays, schema=schema)

    return build(events, event_schema), build(stats, stat_schema)
