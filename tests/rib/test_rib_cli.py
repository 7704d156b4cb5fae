"""`bmplib events` and `bmplib rib` on the shipped captures."""

from __future__ import annotations

import json
from typing import Any

import pytest

import bmplib
from bmplib.cli import main
from bmplib.rib import RIB
from tests.conftest import PCAPS


def _lines(capsys: pytest.CaptureFixture[str], argv: list[str]) -> list[dict[str, Any]]:
    assert main(argv) == 0
    return [json.loads(line) for line in capsys.readouterr().out.splitlines()]


def test_events_match_the_library(capsys: pytest.CaptureFixture[str]) -> None:
    path = str(PCAPS / "frr_unicast.bmp")
    out = _lines(capsys, ["events", path])
    rib = RIB()
    expected = [e.__json__() for item in bmplib.iter_file(path) for e in rib.apply(item, router=path)]
    assert out == expected
    assert {o["event"] for o in out} >= {"peer_up", "peer_down", "route_added", "route_withdrawn", "stats"}


def test_events_filters(capsys: pytest.CaptureFixture[str]) -> None:
    path = str(PCAPS / "gobgp_unicast.bmp")
    out = _lines(capsys, ["events", "--type", "peer_down", "--peer", "127.0.0.21", path])
    assert out and {o["event"] for o in out} == {"peer_down", "route_withdrawn"}
    assert {o["peer"]["address"] for o in out} == {"127.0.0.21"}
    out = _lines(capsys, ["events", "--table", "loc-rib", "--family", "ipv6-unicast", path])
    assert out and all(o["table"] == "loc-rib" and o["family"] == "ipv6-unicast" for o in out if "route" in o)


def test_rib_routes_and_summary(capsys: pytest.CaptureFixture[str]) -> None:
    path = str(PCAPS / "frr_unicast.bmp")
    routes = _lines(capsys, ["rib", path])
    rib = RIB()
    for item in bmplib.iter_file(path):
        rib.apply(item, router=path)
    assert len(routes) == len(rib)
    for r in routes:
        assert {"router", "peer", "table", "family", "prefix", "attributes"} <= set(r)
        assert set(r["peer"]) >= {"address", "asn"}
    summary = _lines(capsys, ["rib", "--summary", path])
    assert sum(s["routes"] for s in summary) == len(rib)
    assert {(s["peer"]["address"], s["table"], s["family"]): s["routes"] for s in summary} == {
        (p, t, "ipv4-unicast" if f == (1, 1) else "ipv6-unicast"): n
        for (p, t, f), n in rib.counts(("peer", "table", "family")).items()
    }


def test_rib_of_a_capture_names_routers_by_exporter(capsys: pytest.CaptureFixture[str]) -> None:
    routes = _lines(capsys, ["rib", str(PCAPS / "frr_vpn_evpn.pcap")])
    assert {r["router"] for r in routes} <= {"127.0.0.1"}


def test_bad_input_exit_status(tmp_path: Any, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "x.bmp"
    bad.write_bytes(b"\x03\x00\x00\x00\x06\x04" + b"\x09" * 20)
    assert main(["events", str(bad)]) == 2
    assert "bmplib:" in capsys.readouterr().err


def test_route_mirroring_changes_nothing() -> None:
    rib = RIB()
    for item in bmplib.iter_file(PCAPS / "frr_unicast.bmp"):
        before = len(rib)
        events = rib.apply(item)
        if isinstance(item, bmplib.RouteMirroring):
            assert events == [] and len(rib) == before
