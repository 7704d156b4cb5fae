"""``bmplib routes``: output formats, filters, Parquet files and datasets."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from bmplib.cli import main
from bmplib.records import FIELDS, iter_routes
from tests.conftest import PCAPS


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["routes", *args])
    out, err = capsys.readouterr()
    return code, out, err


def test_json_lines_are_the_records(capsys: pytest.CaptureFixture[str]) -> None:
    path = str(PCAPS / "gobgp_vpn_evpn.pcap")
    code, out, err = run(capsys, path)
    assert code == 0 and not err
    got = [json.loads(line) for line in out.splitlines()]
    assert got == [r.__json__() for r in iter_routes(path)]
    assert list(got[0]) == list(FIELDS)


def test_csv_psv_and_filters(capsys: pytest.CaptureFixture[str]) -> None:
    path = str(PCAPS / "frr_vpn_evpn.bmp")
    code, out, _ = run(capsys, path, "--format", "psv", "--family", "vpnv4", "--family", "ipv4")
    rows = list(csv.DictReader(io.StringIO(out), delimiter="|"))
    assert code == 0 and rows and {r["family"] for r in rows} == {"ipv4-vpn", "ipv4-unicast"}
    code, out, _ = run(capsys, path, "--format", "csv", "--action", "withdraw", "--peer", "127.0.0.0/8")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert rows and {r["action"] for r in rows} == {"withdraw"} and rows[0]["as_path"] == ""


def test_bad_input_and_bad_options(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, _, err = run(capsys, str(tmp_path / "missing.bmp"))
    assert code == 2 and "missing.bmp" in err
    code, _, err = run(capsys, str(PCAPS / "frr_unicast.bmp"), "--prefix", "nonsense")
    assert code == 2 and "not an IP prefix" in err
    with pytest.raises(SystemExit):
        main(["routes", str(PCAPS / "frr_unicast.bmp"), "--family", "ipv5"])


def test_parquet_file_and_dataset(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    pq = pytest.importorskip("pyarrow.parquet")
    out = tmp_path / "routes.parquet"
    code, _, err = run(capsys, str(PCAPS / "frr_unicast.bmp"), "--format", "parquet", "-o", str(out))
    assert code == 0 and not err
    assert pq.read_table(out).num_rows == 618
    ds = tmp_path / "ds"
    files = [str(PCAPS / "frr_unicast.pcap"), str(PCAPS / "gobgp_unicast.bmp")]
    code, _, err = run(capsys, *files, "--format", "parquet", "-o", str(ds), "--partition-by", "router,date",
                       "--workers", "2")  # fmt: skip
    assert code == 0 and not err
    assert sorted(p.name for p in ds.iterdir()) == ["router=127.0.0.1", "router=unknown"]
    import pyarrow.dataset as pads

    table = pads.dataset(ds, format="parquet", partitioning="hive").to_table()
    assert table.num_rows == 618 + 605
