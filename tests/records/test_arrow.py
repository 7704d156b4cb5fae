"""route_table / route_batches: the Arrow form of the route records."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest

from bmplib.records import FIELDS, iter_routes, route_batches, route_table
from tests.conftest import PCAPS
from tests.records import wire

pa = pytest.importorskip("pyarrow")
pq = pytest.importorskip("pyarrow.parquet")

from bmplib.records.arrow import SCHEMA, SCHEMA_VERSION, held_bytes, plain_schema  # noqa: E402

CAPTURES = sorted(PCAPS.glob("*.bmp")) + sorted(PCAPS.glob("*.pcap"))


def rows_as_records(table: Any) -> list[dict[str, Any]]:
    out = []
    for row in table.to_pylist():
        row["time"] = round(row["time"].timestamp(), 6)
        out.append(row)
    return out


def records(source: Any) -> list[dict[str, Any]]:
    out = []
    for r in iter_routes(source):
        d = r.__json__()
        d["time"] = round(d["time"], 6)
        out.append(d)
    return out


@pytest.mark.parametrize("path", CAPTURES, ids=lambda p: p.name)
def test_table_rows_are_the_records(path: Path) -> None:
    table = route_table(path, compiled=False)
    table.validate(full=True)
    assert table.schema == SCHEMA
    assert table.column_names == list(FIELDS)
    assert rows_as_records(table) == records(path)


def test_batches_stream_the_same_rows() -> None:
    path = PCAPS / "frr_unicast.bmp"
    whole = route_table(path, compiled=False)
    batches = list(route_batches(path, batch_size=100, compiled=False))
    assert len(batches) > 3
    assert all(b.num_rows >= 100 for b in batches[:-1])
    assert pa.Table.from_batches(batches).to_pylist() == whole.to_pylist()


def test_bytes_in_and_an_empty_source() -> None:
    data = wire.route_monitoring(wire.FULL_ATTRS, wire.prefix4("203.0.113.0/24"))
    assert rows_as_records(route_table(data)) == records(data)
    empty = route_table(b"")
    assert empty.num_rows == 0 and empty.schema == SCHEMA


def test_parquet_round_trip_with_the_plain_schema() -> None:
    table = route_table(PCAPS / "gobgp_vpn_evpn.bmp")
    buf = io.BytesIO()
    pq.write_table(table.cast(plain_schema()), buf)
    back = pq.read_table(io.BytesIO(buf.getvalue()))
    assert back.schema.metadata[b"bmplib.records.schema_version"] == str(SCHEMA_VERSION).encode()
    assert back.to_pylist() == table.to_pylist()


def test_shared_buffers_are_counted_once() -> None:
    table = route_table(PCAPS / "frr_unicast.bmp")
    # peer and attribute columns share their index buffers: far below the naive sum
    assert held_bytes(table) < table.nbytes
