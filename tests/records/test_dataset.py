"""Many captures at once into one Parquet dataset: process pool and Dask."""

from __future__ import annotations

from pathlib import Path

import pytest

from bmplib.records.filters import RouteFilter
from tests.conftest import PCAPS

pytest.importorskip("pyarrow")
import pyarrow.dataset as pads

from bmplib.records import route_table
from bmplib.records.dataset import write_dataset

SOURCES = [PCAPS / "frr_unicast.bmp", PCAPS / "gobgp_vpn_evpn.pcap", PCAPS / "frr_addpath.bmp"]


def read(out: Path) -> list[dict[str, object]]:
    rows = pads.dataset(out, format="parquet", partitioning="hive").to_table().to_pylist()
    return sorted(rows, key=lambda r: (str(r["source"]), int(r["offset"]), str(r["prefix"]), str(r["action"])))  # type: ignore[call-overload]


def expected(filt: RouteFilter | None = None) -> list[dict[str, object]]:
    rows = []
    for s in SOURCES:
        t = route_table(s)
        if filt is not None:
            t = filt.filter_table(t)
        rows.extend(t.to_pylist())
    return sorted(rows, key=lambda r: (str(r["source"]), int(r["offset"]), str(r["prefix"]), str(r["action"])))


def strip(rows: list[dict[str, object]], *names: str) -> list[dict[str, object]]:
    return [{k: v for k, v in r.items() if k not in names} for r in rows]


def test_process_pool_partitioned_by_source_and_family(tmp_path: Path) -> None:
    results = write_dataset(SOURCES, tmp_path, partition_by=["source", "family"], workers=2)
    assert [r.error for r in results] == [None, None, None]
    assert sum(r.routes for r in results) == len(expected())
    got = read(tmp_path)
    assert strip(got, "source", "family") == strip(expected(), "source", "family")
    assert {str(r["family"]) for r in got} == {"ipv4-unicast", "ipv6-unicast", "ipv4-vpn", "ipv6-vpn", "evpn",
                                               "ipv4-labeled-unicast", "ipv6-labeled-unicast"}  # fmt: skip


def test_one_process_with_a_filter_and_a_bad_source(tmp_path: Path) -> None:
    bad = tmp_path / "bad.bmp"
    bad.write_bytes(b"\x07" * 100)
    filt = RouteFilter(action=["announce"])
    results = write_dataset([*SOURCES, bad], tmp_path / "out", route_filter=filt, workers=1)
    assert results[-1].error is not None and "FramingError" in results[-1].error
    assert strip(read(tmp_path / "out"), "date") == expected(filt)
    with pytest.raises(ValueError):
        write_dataset(SOURCES, tmp_path, partition_by=["prefix"])


def test_dask_local_cluster(tmp_path: Path) -> None:
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
    ) as cluster, distributed.Client(cluster) as client:  # fmt: skip
        results = write_dataset(SOURCES, tmp_path, partition_by=["date"], client=client)
    assert [r.error for r in results] == [None, None, None]
    assert strip(read(tmp_path), "date") == expected()
