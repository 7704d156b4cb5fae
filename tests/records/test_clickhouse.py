"""The ClickHouse tables and loader, on real ClickHouse (chdb, embedded),
with the queries operators run; DuckDB on the same Parquet files."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import PCAPS

pa = pytest.importorskip("pyarrow")
pq = pytest.importorskip("pyarrow.parquet")
chdb_session = pytest.importorskip("chdb.session")

from bmplib.records import clickhouse, events, iter_routes, route_table  # noqa: E402
from bmplib.records.arrow import plain_schema  # noqa: E402

SOURCES = {"unicast": PCAPS / "frr_unicast.pcap", "vpn": PCAPS / "gobgp_vpn_evpn.bmp"}


@pytest.fixture(scope="module")
def loaded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Any, dict[str, Path]]]:
    tmp = tmp_path_factory.mktemp("ch")
    files = {}
    for name, path in SOURCES.items():
        files[name] = tmp / f"{name}.parquet"
        pq.write_table(route_table(path).cast(plain_schema()), files[name])
    ev, st = events.tables(SOURCES["unicast"])
    files["events"], files["stats"] = tmp / "events.parquet", tmp / "stats.parquet"
    pq.write_table(ev, files["events"])
    pq.write_table(st, files["stats"])
    session = chdb_session.Session(str(tmp / "db"))

    def query(sql: str) -> list[list[str]]:
        out = str(session.query(sql, "TSV"))
        return [line.split("\t") for line in out.splitlines() if line]

    for sql in clickhouse.create_statements():
        query(sql)
    clickhouse.load_routes(query, str(files["unicast"]))
    clickhouse.load_routes(query, str(files["vpn"]))
    clickhouse.load_events(query, str(files["events"]), str(files["stats"]))
    try:
        yield query, files
    finally:
        session.close()


def records(name: str) -> list[Any]:
    return list(iter_routes(SOURCES[name]))


def test_every_route_lands_in_its_table(loaded: tuple[Any, dict[str, Path]]) -> None:
    query, _ = loaded
    recs = records("unicast") + records("vpn")
    for table, families in clickhouse.FAMILIES.items():
        want = sum(1 for r in recs if r.family in families)
        assert query(f"SELECT count() FROM bmp.{table}_routes") == [[str(want)]]
    assert want > 0


def test_route_history_of_a_prefix(loaded: tuple[Any, dict[str, Path]]) -> None:
    query, _ = loaded
    got = query(
        "SELECT toUnixTimestamp64Micro(time), peer_address, `table`, action, ifNull(as_path, '')"
        " FROM bmp.unicast_routes WHERE prefix = '198.18.0.0/24' ORDER BY time, offset, `table`"
    )
    want = sorted(
        [str(round(r.time * 1e6)), r.peer_address, r.table, r.action, r.as_path or ""]
        for r in records("unicast") if r.prefix == "198.18.0.0/24"
    )  # fmt: skip
    assert sorted(got) == want and len(want) > 4


def current(recs: list[Any]) -> dict[tuple[Any, ...], Any]:
    """The state now: the last record of each route (stream order)."""
    state: dict[tuple[Any, ...], Any] = {}
    for r in recs:
        state[
            (r.router or "", r.peer_address, r.peer_distinguisher or "", r.table, r.family, r.prefix, r.path_id or 0)
        ] = r
    return state


def test_current_routes_per_peer(loaded: tuple[Any, dict[str, Path]]) -> None:
    query, _ = loaded
    got = query(
        "SELECT peer_address, count() FROM bmp.unicast_current FINAL WHERE action = 'announce'"
        " GROUP BY peer_address ORDER BY peer_address"
    )
    fams = clickhouse.FAMILIES["unicast"]
    state = current([r for r in records("unicast") + records("vpn") if r.family in fams])
    per_peer: dict[str, int] = {}
    for r in state.values():
        if r.action == "announce":
            per_peer[r.peer_address] = per_peer.get(r.peer_address, 0) + 1
    assert got == [[k, str(v)] for k, v in sorted(per_peer.items())]
    # argMax over the history gives the same answer without the current table
    got2 = query(
        "SELECT peer_address, count() FROM (SELECT peer_address, argMax(action, (time, offset)) AS last"
        " FROM bmp.unicast_routes GROUP BY router, peer_address, peer_distinguisher, `table`, family, prefix, path_id)"
        " WHERE last = 'announce' GROUP BY peer_address ORDER BY peer_address"
    )
    assert got2 == got


def test_top_flapping_prefixes_and_five_minute_counts(loaded: tuple[Any, dict[str, Path]]) -> None:
    query, _ = loaded
    top = query("SELECT prefix, count() AS n FROM bmp.unicast_routes GROUP BY prefix ORDER BY n DESC, prefix LIMIT 3")
    counts: dict[str, int] = {}
    for r in records("unicast") + records("vpn"):
        if r.family in clickhouse.FAMILIES["unicast"]:
            counts[r.prefix] = counts.get(r.prefix, 0) + 1
    assert top == [[p, str(n)] for p, n in sorted(counts.items(), key=lambda x: (-x[1], x[0]))[:3]]
    buckets = query(
        "SELECT toUnixTimestamp(toStartOfFiveMinutes(time)) AS t, peer_address, countIf(action = 'announce'),"
        " countIf(action = 'withdraw') FROM bmp.unicast_routes GROUP BY t, peer_address ORDER BY t, peer_address"
    )
    want: dict[tuple[str, str], list[int]] = {}
    for r in records("unicast") + records("vpn"):
        if r.family in clickhouse.FAMILIES["unicast"]:
            w = want.setdefault((str(int(r.time) // 300 * 300), r.peer_address), [0, 0])
            w[r.action == "withdraw"] += 1
    assert buckets == [[t, p, str(a), str(w)] for (t, p), (a, w) in sorted(want.items())]


def test_peer_state_at_time_t_and_stats(loaded: tuple[Any, dict[str, Path]]) -> None:
    query, _ = loaded
    rows = [row for kind, row in events.iter_events(SOURCES["unicast"]) if kind == "event"]
    t = sorted(r["time"] for r in rows)[len(rows) // 2]
    got = query(
        f"SELECT peer_address, argMax(event, (time, offset)) FROM bmp.peer_events WHERE time <= toDateTime64({t}, 6)"
        " GROUP BY peer_address ORDER BY peer_address"
    )
    state: dict[str, str] = {}
    for r in sorted(rows, key=lambda r: (r["time"], r["offset"])):
        if r["time"] <= t:
            state[r["peer_address"]] = r["event"]
    assert got == [[k, v] for k, v in sorted(state.items())]
    n = sum(1 for kind, _ in events.iter_events(SOURCES["unicast"]) if kind == "stat")
    assert query("SELECT count() FROM bmp.stats") == [[str(n)]] and n > 0


def test_duckdb_reads_the_same_parquet(loaded: tuple[Any, dict[str, Path]]) -> None:
    duckdb = pytest.importorskip("duckdb")
    query, files = loaded
    sql = (
        "SELECT prefix, count(*) AS n FROM {} WHERE family = 'ipv4-unicast'"
        " GROUP BY prefix ORDER BY n DESC, prefix LIMIT 5"
    )
    duck = duckdb.sql(sql.format(f"read_parquet('{files['unicast']}')")).fetchall()
    ch = query(sql.format(f"file('{files['unicast']}', Parquet)"))
    assert [[p, str(n)] for p, n in duck] == ch


def test_the_documented_definitions_are_the_code() -> None:
    doc = (PCAPS.parent / "docs" / "clickhouse.md").read_text(encoding="utf-8")
    shown = [s for s in clickhouse.create_statements() if "unicast_" in s]
    assert len(shown) == 3 and all(s + ";" in doc for s in shown)
