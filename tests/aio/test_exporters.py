"""``bmplib listen`` against real BMP exporters: GoBGP 3.10 and FRR 8.4 on
127.0.0.0/8, fed by a GoBGP speaker that announces and withdraws routes,
shuts its session down, and (FRR) a BMP session cut and re-established.

CI installs the Debian packages ``gobgpd`` and ``frr``; without them these
tests skip with the reason.  Every process is stopped by its PID."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import bmplib
from tests.aio.exporters import FRR, GoBGP, free_port, gobgp_feeder, gobgp_router, have_frr, have_gobgp, wait_for
from tests.conftest import ROOT

pytestmark = [
    pytest.mark.skipif(not have_gobgp(), reason="gobgpd/gobgp not installed (Debian package gobgpd)"),
    pytest.mark.skipif(os.geteuid() != 0 if hasattr(os, "geteuid") else True, reason="needs root for FRR/GoBGP"),
    pytest.mark.xdist_group("exporters"),
]


class Listen:
    """``bmplib listen`` as a child process writing JSON lines (and raw streams)."""

    def __init__(self, workdir: Path, port: int, name: str, *options: str) -> None:
        self.out = workdir / f"{name}.jsonl"
        self.raw = workdir / f"{name}-raw"
        self.log = workdir / f"{name}.log"
        argv = [sys.executable, "-m", "bmplib", "listen", "--bind", "127.0.0.1", "--port", str(port)]
        argv += ["--out", str(self.out), "--raw", str(self.raw), *options]
        self.proc = subprocess.Popen(
            argv,
            cwd=ROOT,
            stderr=open(self.log, "wb"),
            env={**os.environ, "PYTHONPATH": str(ROOT)},
        )
        wait_for(lambda: "listening on" in self.log.read_text(), "bmplib listen to start", 30)

    def records(self) -> list[dict[str, Any]]:
        if not self.out.exists():
            return []
        return [json.loads(line) for line in self.out.read_text().splitlines() if line.endswith("}")]

    def events(self, name: str | None = None) -> list[dict[str, Any]]:
        """The route-state events written (``--events``)."""
        return [r for r in self.records() if "event" in r and (name is None or r["event"] == name)]

    def stop(self) -> tuple[int, str]:
        """SIGTERM: a clean end (exit status, stderr)."""
        if self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                os.kill(self.proc.pid, signal.SIGKILL)
                self.proc.wait(10)
        return self.proc.returncode, self.log.read_text()


def routes(records: list[dict[str, Any]], key: str, table: str | None = None) -> set[tuple[str, str]]:
    """(family, prefix or route text) of every route announced or withdrawn."""
    got = set()
    for rec in records:
        if rec["type"] != "route_monitoring" or (table and rec["peer"]["table"] != table):
            continue
        for route in rec["bgp"][key]:
            got.add((route["family"], route.get("prefix") or route.get("mac") or json.dumps(route, sort_keys=True)))
    return got


@pytest.fixture
def speakers(tmp_path: Path) -> Iterator[list[Any]]:
    """Started processes, stopped by PID after the test whatever happens."""
    started: list[Any] = []
    yield started
    for proc in reversed(started):
        proc.stop()


ANNOUNCE = [
    ("ipv4", ["10.1.0.0/24", "nexthop", "192.0.2.2"]),
    ("ipv4", ["10.1.1.0/24", "nexthop", "192.0.2.2"]),
    ("ipv6", ["2001:db8:1::/48", "nexthop", "2001:db8::2"]),
    ("vpnv4", ["10.2.0.0/24", "label", "100", "rd", "65001:1", "rt", "65001:1", "nexthop", "127.0.0.2"]),
    ("vpnv6", ["2001:db8:2::/48", "label", "101", "rd", "65001:1", "rt", "65001:1", "nexthop", "2001:db8::2"]),
    (
        "evpn",
        [
            "macadv",
            "02:00:00:00:00:01",
            "10.3.0.1",
            "etag",
            "0",
            "label",
            "200",
            "rd",
            "65001:2",
            "rt",
            "65001:2",
            "nexthop",
            "127.0.0.2",
        ],
    ),
]


def test_gobgp_exports_into_listen(tmp_path: Path, speakers: list[Any]) -> None:
    bmp_port, bgp_port = free_port(), free_port()
    listen = Listen(tmp_path, bmp_port, "gobgp")
    speakers.append(listen)
    dut = gobgp_router(tmp_path, bgp_port, bmp_port)
    speakers.append(dut)
    feeder = gobgp_feeder(tmp_path, bgp_port)
    speakers.append(feeder)
    wait_for(lambda: dut.established("127.0.0.2"), "the BGP session")
    for afi, args in ANNOUNCE:
        feeder.cli("global", "rib", "-a", afi, "add", *args)
    want = {
        ("ipv4-unicast", "10.1.0.0/24"),
        ("ipv4-unicast", "10.1.1.0/24"),
        ("ipv6-unicast", "2001:db8:1::/48"),
        ("ipv4-vpn", "10.2.0.0/24"),
        ("ipv6-vpn", "2001:db8:2::/48"),
        ("evpn", "02:00:00:00:00:01"),
    }
    wait_for(lambda: want <= routes(listen.records(), "announced", "adj-rib-in-pre"), "every route over BMP")
    feeder.cli("global", "rib", "-a", "ipv4", "del", "10.1.0.0/24")
    wait_for(lambda: ("ipv4-unicast", "10.1.0.0/24") in routes(listen.records(), "withdrawn"), "the withdrawal")
    dut.cli("neighbor", "127.0.0.2", "disable")
    wait_for(lambda: any(r["type"] == "peer_down" for r in listen.records()), "the Peer Down")
    dut.stop()
    wait_for(lambda: any(r["type"] == "router_disconnected" for r in listen.records()), "the disconnect")
    code, stderr = listen.stop()
    assert code == 0, stderr
    assert "1 connections (0 refused)" in stderr and "0 error/skip records" in stderr

    records = listen.records()
    types = [r["type"] for r in records]
    assert types[0] == "router_connected" and types[-1] == "router_disconnected"
    assert types[1] == "initiation" and records[1]["sys_name"] == "gobgp-dut"
    assert all(r["router"]["sys_name"] == "gobgp-dut" for r in records[2:-1])
    up = next(r for r in records if r["type"] == "peer_up")
    down = next(r for r in records if r["type"] == "peer_down")
    assert up["peer"]["address"] == down["peer"]["address"] == "127.0.0.2"
    assert types.index("peer_up") < types.index("route_monitoring") < types.index("peer_down")
    for table in ("adj-rib-in-pre", "adj-rib-in-post", "loc-rib"):
        assert want <= routes(records, "announced", table), table
    # the raw stream kept by --raw decodes to the same messages
    (raw,) = listen.raw.iterdir()
    decoded = [json.loads(json.dumps(bmplib.to_json(item))) for item in bmplib.iter_file(raw)]
    assert decoded == [{k: v for k, v in r.items() if k != "router"} for r in records[1:-1]]


@pytest.mark.skipif(not have_frr(), reason="FRR not installed (Debian package frr)")
def test_frr_reconnects_and_resends(tmp_path: Path, speakers: list[Any]) -> None:
    """FRR's BMP session is cut (the collector goes away) and re-established:
    the new session starts over (Initiation, Peer Up) and re-sends the table."""
    bmp_port, bgp_port = free_port(), free_port()
    first = Listen(tmp_path, bmp_port, "first")
    speakers.append(first)
    dut = FRR(tmp_path / "frr", bgp_port, bmp_port)
    speakers.append(dut)
    feeder: GoBGP = gobgp_feeder(tmp_path, bgp_port)
    speakers.append(feeder)
    wait_for(lambda: feeder.established("127.0.0.1"), "the BGP session")
    # 127/8 next hops are martians (FRR refuses them, GoBGP keeps them out of its
    # Loc-RIB): a documentation address, with FRR's single-hop check off
    for prefix in ("10.1.0.0/24", "10.1.1.0/24"):
        feeder.cli("global", "rib", "-a", "ipv4", "add", prefix, "nexthop", "192.0.2.2")
    feeder.cli("global", "rib", "-a", "ipv6", "add", "2001:db8:1::/48", "nexthop", "2001:db8::2")
    want = {("ipv4-unicast", "10.1.0.0/24"), ("ipv4-unicast", "10.1.1.0/24"), ("ipv6-unicast", "2001:db8:1::/48")}
    wait_for(lambda: want <= routes(first.records(), "announced", "adj-rib-in-post"), "the routes over BMP")
    code, _ = first.stop()
    assert code == 0

    second = Listen(tmp_path, bmp_port, "second")
    speakers.append(second)
    wait_for(lambda: want <= routes(second.records(), "announced", "adj-rib-in-post"), "the re-sent table", 60)
    feeder.cli("global", "rib", "-a", "ipv4", "del", "10.1.0.0/24")
    gone = ("ipv4-unicast", "10.1.0.0/24")
    wait_for(lambda: gone in routes(second.records(), "withdrawn", "adj-rib-in-post"), "the withdrawal")
    feeder.cli("neighbor", "127.0.0.1", "disable")
    wait_for(lambda: any(r["type"] == "peer_down" for r in second.records()), "the Peer Down")
    code, stderr = second.stop()
    assert code == 0, stderr
    for listen in (first, second):
        types = [r["type"] for r in listen.records()]
        # FRR 8.4 may send a Peer Down for the peer before its session is up
        assert types[:2] == ["router_connected", "initiation"] and "peer_up" in types, types[:5]
        assert listen.records()[1]["sys_name"] == "frr-dut"


def route_ids(events: list[dict[str, Any]]) -> list[tuple[str, str, str, str]]:
    return [(e["peer"]["address"], e["table"], e["family"], e["route"]) for e in events]


@pytest.mark.skipif(not have_frr(), reason="FRR not installed (Debian package frr)")
def test_frr_session_cut_no_duplicate_events_nothing_left_behind(tmp_path: Path, speakers: list[Any]) -> None:
    """One ``bmplib listen --events`` while FRR's BMP session is cut (idle
    timeout) and re-established, twice: FRR re-sends its table each time and
    the route state gives no second route_added; a withdrawal is explicit;
    the peer going down withdraws what is left (cause peer_down): no route is
    left behind."""
    bmp_port, bgp_port = free_port(), free_port()
    listen = Listen(tmp_path, bmp_port, "events", "--events", "--idle-timeout", "3")
    speakers.append(listen)
    dut = FRR(tmp_path / "frr", bgp_port, bmp_port)
    speakers.append(dut)
    feeder = gobgp_feeder(tmp_path, bgp_port)
    speakers.append(feeder)
    wait_for(lambda: feeder.established("127.0.0.1"), "the BGP session")
    for prefix in ("10.1.0.0/24", "10.1.1.0/24"):
        feeder.cli("global", "rib", "-a", "ipv4", "add", prefix, "nexthop", "192.0.2.2")
    feeder.cli("global", "rib", "-a", "ipv6", "add", "2001:db8:1::/48", "nexthop", "2001:db8::2")
    want = {"10.1.0.0/24", "10.1.1.0/24", "2001:db8:1::/48"}
    added = lambda: {e["route"] for e in listen.events("route_added") if e["table"] == "adj-rib-in-post"}  # noqa: E731
    wait_for(lambda: want <= added(), "route_added for every route")

    def cuts() -> int:
        return sum(1 for r in listen.records() if r.get("type") == "router_disconnected" and r["reason"] == "idle")

    def redumped(n: int) -> bool:
        """n idle cuts, and the table re-sent after the last one."""
        recs = listen.records()
        ends = [i for i, r in enumerate(recs) if r.get("type") == "router_disconnected" and r["reason"] == "idle"]
        if len(ends) < n:
            return False
        after = recs[ends[n - 1] :]
        sent = {rt["prefix"] for r in after if r.get("type") == "route_monitoring" for rt in r["bgp"]["announced"]}
        return want <= sent

    wait_for(lambda: redumped(2), "two cuts and re-dumps", 90)
    feeder.cli("global", "rib", "-a", "ipv4", "del", "10.1.0.0/24")
    wait_for(lambda: "10.1.0.0/24" in {e["route"] for e in listen.events("route_withdrawn")}, "the withdrawal")
    downs = len(listen.events("peer_down"))  # FRR may have sent one before the session came up
    feeder.cli("neighbor", "127.0.0.1", "disable")
    wait_for(lambda: len(listen.events("peer_down")) > downs, "the peer_down event")
    code, stderr = listen.stop()
    assert code == 0, stderr
    assert cuts() >= 2

    post = [e for e in listen.events() if e.get("table") == "adj-rib-in-post" and e["peer"]["address"] == "127.0.0.2"]
    adds = route_ids([e for e in post if e["event"] == "route_added"])
    assert sorted(r[3] for r in adds) == sorted(want)  # once each, whatever the re-dumps
    withdrawn = {e["route"]: e["cause"] for e in post if e["event"] == "route_withdrawn"}
    assert withdrawn == {"10.1.0.0/24": "explicit", "10.1.1.0/24": "peer_down", "2001:db8:1::/48": "peer_down"}
    # every route ever added to any table is withdrawn by the end
    live: dict[tuple[str, str, str, str], int] = {}
    for e in listen.events():
        if e["event"] in ("route_added", "route_withdrawn"):
            (key,) = route_ids([e])
            live[key] = live.get(key, 0) + (1 if e["event"] == "route_added" else -1)
    assert set(live.values()) <= {0}, {k: v for k, v in live.items() if v}
