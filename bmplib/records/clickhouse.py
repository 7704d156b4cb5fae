"""ClickHouse tables for BMP data, and a loader from bmplib's Parquet files
(docs/clickhouse.md).

History tables (MergeTree, partitioned by month) keep every route record,
peer event and statistic: ``unicast_routes`` (IPv4/IPv6 unicast, multicast
and labeled unicast, ordered for the history of a prefix), ``l3vpn_routes``
(ordered by RD and prefix), ``evpn_routes`` (ordered by MAC and IP, then
RD), ``peer_events`` and ``stats`` (ordered by router, peer and time: the
state of a peer at time T).  Current-state tables are ReplacingMergeTree
tables keyed by the route's identity (router, peer, table, family, RD,
prefix or EVPN key, path ID) and versioned by time, fed from the history
tables by materialized views: ``SELECT ... FINAL WHERE action = 'announce'``
gives the routes in place now (a withdrawal is the latest version of its
route, so it hides the announcement).

The statements are plain SQL strings; the loader takes any ``execute(sql)``
callable (``chdb.session.Session().query``, ``clickhouse_connect`` client's
``command``, ...), so bmplib needs no ClickHouse driver.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

__all__ = ["FAMILIES", "TABLES", "create_statements", "load_events", "load_routes"]

Execute = Callable[[str], Any]
#: (column, ClickHouse type, what a null key value is loaded as, or None)
Column = tuple[str, str, "str | None"]

_PEER: list[Column] = [
    ("time", "DateTime64(6, 'UTC')", None),
    ("source", "LowCardinality(String)", "''"),
    ("router", "LowCardinality(String)", "''"),
    ("offset", "UInt64", None),
    ("peer_type", "UInt8", None),
    ("peer_distinguisher", "LowCardinality(String)", "''"),
    ("peer_address", "LowCardinality(String)", None),
    ("peer_asn", "UInt32", None),
    ("peer_bgp_id", "LowCardinality(String)", None),
    ("table", "LowCardinality(String)", None),
]
_ROUTE: list[Column] = [
    ("action", "LowCardinality(String)", None),
    ("reason", "LowCardinality(Nullable(String))", None),
    ("family", "LowCardinality(String)", None),
]
_KEY: dict[str, list[Column]] = {
    "unicast": [("prefix", "String", None), ("labels", "Array(UInt32)", None), ("path_id", "UInt32", "0")],
    "l3vpn": [
        ("rd", "String", "''"),
        ("prefix", "String", None),
        ("labels", "Array(UInt32)", None),
        ("path_id", "UInt32", "0"),
    ],
    "evpn": [
        ("rd", "String", "''"),
        ("evpn_route_type", "UInt8", None),
        ("esi", "String", "''"),
        ("ethernet_tag", "UInt32", "0"),
        ("mac", "String", "''"),
        ("ip", "String", "''"),
        ("prefix", "String", "''"),
        ("labels", "Array(UInt32)", None),
        ("path_id", "UInt32", "0"),
    ],
}
_ATTRS: list[Column] = [
    ("origin", "LowCardinality(Nullable(String))", None),
    ("as_path", "Nullable(String)", None),
    ("origin_as", "Nullable(UInt32)", None),
    ("path_length", "Nullable(UInt16)", None),
    ("next_hop", "Nullable(String)", None),
    ("med", "Nullable(UInt32)", None),
    ("local_pref", "Nullable(UInt32)", None),
    ("communities", "Nullable(String)", None),
    ("extended_communities", "Nullable(String)", None),
    ("large_communities", "Nullable(String)", None),
    ("originator_id", "Nullable(String)", None),
    ("cluster_list", "Nullable(String)", None),
    ("aggregator", "Nullable(String)", None),
    ("atomic_aggregate", "Nullable(Bool)", None),
    ("otc", "Nullable(UInt32)", None),
    ("attr_set", "Nullable(String)", None),
]
_EVENT: list[Column] = [
    ("event", "LowCardinality(String)", None),
    ("reason", "LowCardinality(Nullable(String))", None),
    ("local_address", "Nullable(String)", None),
    ("local_port", "Nullable(UInt16)", None),
    ("remote_port", "Nullable(UInt16)", None),
]
_STAT: list[Column] = [
    ("stat_type", "UInt16", None),
    ("stat_name", "LowCardinality(String)", None),
    ("afi", "Nullable(UInt16)", None),
    ("safi", "Nullable(UInt8)", None),
    ("value", "Nullable(UInt64)", None),
]

#: the route families of each route table
FAMILIES = {
    "unicast": (
        "ipv4-unicast", "ipv6-unicast", "ipv4-multicast", "ipv6-multicast", "ipv4-labeled-unicast",
        "ipv6-labeled-unicast",
    ),
    "l3vpn": ("ipv4-vpn", "ipv6-vpn", "ipv4-vpn-multicast", "ipv6-vpn-multicast"),
    "evpn": ("evpn",),
}  # fmt: skip

#: history table -> (columns, ORDER BY); current-state table -> its key
TABLES: dict[str, tuple[list[Column], str]] = {
    "unicast_routes": (_PEER + _ROUTE + _KEY["unicast"] + _ATTRS, "prefix, router, peer_address, time"),
    "l3vpn_routes": (_PEER + _ROUTE + _KEY["l3vpn"] + _ATTRS, "rd, prefix, router, peer_address, time"),
    "evpn_routes": (_PEER + _ROUTE + _KEY["evpn"] + _ATTRS, "mac, ip, rd, router, peer_address, time"),
    "peer_events": (_PEER + _EVENT, "router, peer_address, time"),
    "stats": (_PEER + _STAT, "router, peer_address, stat_type, time"),
}
_CURRENT = {
    "unicast": "router, peer_address, peer_distinguisher, `table`, family, prefix, path_id",
    "l3vpn": "router, peer_address, peer_distinguisher, `table`, family, rd, prefix, path_id",
    "evpn": "router, peer_address, peer_distinguisher, `table`, rd, evpn_route_type, esi, ethernet_tag, mac, ip, "
    "prefix, path_id",
}


def _q(name: str) -> str:
    return f"`{name}`"


def create_statements(database: str = "bmp") -> list[str]:
    """``CREATE`` statements for the database, the history tables, the
    current-state tables and the materialized views that feed them."""
    out = [f"CREATE DATABASE IF NOT EXISTS {_q(database)}"]
    for name, (columns, order) in TABLES.items():
        cols = ",\n    ".join(f"{_q(c)} {t}" for c, t, _ in columns)
        out.append(
            f"CREATE TABLE IF NOT EXISTS {_q(database)}.{_q(name)} (\n    {cols}\n) ENGINE = MergeTree\n"
            f"PARTITION BY toYYYYMM(time)\nORDER BY ({order})"
        )
    for kind, key in _CURRENT.items():
        columns, _ = TABLES[f"{kind}_routes"]
        cols = ",\n    ".join(f"{_q(c)} {t}" for c, t, _ in columns)
        current = f"{_q(database)}.{_q(kind + '_current')}"
        out.append(
            f"CREATE TABLE IF NOT EXISTS {current} (\n    {cols}\n) ENGINE = ReplacingMergeTree(time)\nORDER BY ({key})"
        )
        out.append(
            f"CREATE MATERIALIZED VIEW IF NOT EXISTS {_q(database)}.{_q(kind + '_current_mv')} TO {current} "
            f"AS SELECT * FROM {_q(database)}.{_q(kind + '_routes')}"
        )
    return out


def _literal(text: str) -> str:
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"


def _select(columns: Sequence[tuple[str, str, str | None]], source: str, where: str) -> str:
    exprs = []
    for name, _, default in columns:
        col = _q(name)
        exprs.append(f"ifNull({col}, {default}) AS {col}" if default is not None else col)
    return f"SELECT {', '.join(exprs)} FROM {source}{where}"


def insert_statements(source: str, database: str = "bmp") -> list[str]:
    """``INSERT ... SELECT`` statements that load route records from the
    table expression *source* (``file('routes.parquet', Parquet)``,
    ``s3(...)``, ``input(...)``) into the three route history tables."""
    out = []
    for kind, families in FAMILIES.items():
        columns, _ = TABLES[f"{kind}_routes"]
        where = " WHERE family IN (" + ", ".join(_literal(f) for f in families) + ")"
        out.append(f"INSERT INTO {_q(database)}.{_q(kind + '_routes')} {_select(columns, source, where)}")
    return out


def load_routes(execute: Execute, parquet: str, database: str = "bmp") -> None:
    """Load a Parquet file (or glob) of route records, as ``bmplib routes
    --format parquet`` writes them, through ``execute(sql)``.  The path is
    read by the ClickHouse server (``file()``: its ``user_files_path``;
    chdb: any path)."""
    for sql in insert_statements(f"file({_literal(parquet)}, Parquet)", database):
        execute(sql)


def load_events(execute: Execute, events: str | None, stats: str | None, database: str = "bmp") -> None:
    """Load Parquet files of peer events and statistics
    (:func:`bmplib.records.events.tables`) through ``execute(sql)``."""
    for path, name in ((events, "peer_events"), (stats, "stats")):
        if path is None:
            continue
        columns, _ = TABLES[name]
        execute(f"INSERT INTO {_q(database)}.{_q(name)} {_select(columns, f'file({_literal(path)}, Parquet)', '')}")
