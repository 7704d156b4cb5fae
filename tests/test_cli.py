"""The ``bmplib`` command line: output schema (checked against docs/json.md),
filters, the summary, progress bar and error handling."""

from __future__ import annotations

import collections
import io
import json
import re
import struct
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

import bmplib
from bmplib.cli import RECORD_TYPES, _Progress, main
from tests.conftest import PCAPS, ROOT

CAPTURES = sorted(p.name for p in PCAPS.glob("*.pcap*"))
DOCS = (ROOT / "docs" / "json.md").read_text(encoding="utf-8")


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    rc = main(argv)
    out, err = capsys.readouterr()
    return rc, out, err


def records(out: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in out.splitlines()]


# -- the documented schema ---------------------------------------------------------
def documented_peer_keys() -> set[str]:
    section = DOCS.split('## The per-peer header: `"peer"`', 1)[1].split("\n## ", 1)[0]
    keys: set[str] = set()
    for row in re.findall(r"^\| (`[^|]+`) \|", section, re.M):
        keys.update(re.findall(r"`([a-z_]+)`", row))
    return keys


def documented_flow_keys() -> set[str]:
    section = DOCS.split("## Records from pcap and pcapng captures", 1)[1]
    para = section.split("`flow` (", 1)[1].split(")", 1)[0]
    return set(re.findall(r"`([a-z_]+)`", para)) | {"connection"}


PER_PEER = {"route_monitoring", "statistics_report", "peer_down", "peer_up", "route_mirroring"}
REQUIRED = {
    "error": {"msg_type", "layer", "error_offset", "reason", "hex"},
    "skipped": {"length", "reason", "hex"},
    "gap": {"length", "reason"},
    "unknown": {"msg_type", "body"},
    "initiation": {"tlvs", "sys_name", "sys_descr"},
    "termination": {"tlvs"},
}


def check_record(rec: dict[str, Any], captured: bool) -> None:
    assert rec["type"] in RECORD_TYPES
    assert isinstance(rec["offset"], int)
    if rec["type"] in PER_PEER:
        assert set(rec["peer"]) == documented_peer_keys()
    assert REQUIRED.get(rec["type"], set()) <= set(rec)
    if captured:
        assert set(rec["flow"]) == documented_flow_keys()
        assert isinstance(rec["capture_time"], float)
        assert isinstance(rec["flow"]["src_port"], int) and isinstance(rec["flow"]["connection"], int)
    else:
        assert "flow" not in rec and "capture_time" not in rec


def test_documented_keys_are_found() -> None:
    assert {"peer_type", "address", "asn", "bgp_id", "table", "timestamp", "timestamp_usec"} <= documented_peer_keys()
    assert documented_flow_keys() == {"src", "src_port", "dst", "dst_port", "connection"}


@pytest.mark.parametrize("name", CAPTURES)
def test_decode_capture_schema(name: str, capsys: pytest.CaptureFixture[str]) -> None:
    rc, out, err = run(["decode", str(PCAPS / name)], capsys)
    assert rc == 0 and err == ""
    recs = records(out)
    with open(PCAPS / name, "rb") as fh:
        expected = [bmplib.to_json(c) for c in bmplib.pcap.iter_capture(fh)]
    assert recs == json.loads(json.dumps(expected))
    for rec in recs:
        check_record(rec, captured=True)


def test_decode_raw_stream_schema(capsys: pytest.CaptureFixture[str]) -> None:
    rc, out, _ = run(["decode", str(PCAPS / "gobgp_unicast.bmp")], capsys)
    assert rc == 0
    recs = records(out)
    assert len(recs) == len(list(bmplib.iter_file(PCAPS / "gobgp_unicast.bmp")))
    for rec in recs:
        check_record(rec, captured=False)


def test_pretty_is_the_same_json(capsys: pytest.CaptureFixture[str]) -> None:
    path = str(PCAPS / "gobgp_vpn_evpn.pcap")
    _, plain, _ = run(["decode", path], capsys)
    _, pretty, _ = run(["decode", "--pretty", path], capsys)
    dec = json.JSONDecoder()
    objs, pos = [], 0
    while pos < len(pretty):
        obj, pos = dec.raw_decode(pretty, pos)
        objs.append(obj)
        while pos < len(pretty) and pretty[pos].isspace():
            pos += 1
    assert objs == records(plain)
    assert "\n  " in pretty


def test_several_files_in_order(capsys: pytest.CaptureFixture[str]) -> None:
    a, b = str(PCAPS / "frr_vpn_evpn.bmp"), str(PCAPS / "frr_vpn_evpn.pcap")
    _, out, _ = run(["decode", a, b], capsys)
    recs = records(out)
    half = len(recs) // 2
    assert [r.get("offset") for r in recs[:half]] == [r.get("offset") for r in recs[half:]]
    assert "flow" in recs[-1] and "flow" not in recs[0]


# -- filters ------------------------------------------------------------------------
def test_type_filter(capsys: pytest.CaptureFixture[str]) -> None:
    _, out, _ = run(
        ["decode", "--type", "peer-up", "--type", "peer_down,initiation", str(PCAPS / "frr_unicast.pcap")], capsys
    )
    counts = collections.Counter(r["type"] for r in records(out))
    assert counts == {"peer_down": 22, "peer_up": 6, "initiation": 1}  # tshark: types 2, 3, 4


def test_peer_filter_by_address_and_as(capsys: pytest.CaptureFixture[str]) -> None:
    path = str(PCAPS / "frr_unicast.pcap")
    _, out, _ = run(["decode", "--peer", "fd00:b:0::14", path], capsys)
    recs = records(out)
    assert recs and {r["peer"]["address"] for r in recs} == {"fd00:b::14"}
    _, out, _ = run(["decode", "--peer", "AS65000", "--peer", "4200000001", path], capsys)
    recs = records(out)
    assert {r["peer"]["asn"] for r in recs} == {65000, 4200000001}
    _, out2, _ = run(["decode", "--peer", "64086.59904", path], capsys)  # asdot of 4200000000: nobody
    assert out2 == ""
    _, all_out, _ = run(["decode", path], capsys)
    per_peer = [r for r in records(all_out) if "peer" in r]
    assert len(recs) == sum(r["peer"]["asn"] in (65000, 4200000001) for r in per_peer)


def test_table_filter(capsys: pytest.CaptureFixture[str]) -> None:
    path = str(PCAPS / "gobgp_unicast.pcap")
    seen = {}
    for table in ("adj-rib-in-pre", "adj-rib-in-post", "loc-rib"):
        _, out, _ = run(["decode", "--table", table, "--type", "route_monitoring", path], capsys)
        recs = records(out)
        assert recs and {r["peer"]["table"] for r in recs} == {table}
        seen[table] = len(recs)
    assert sum(seen.values()) == 532  # every RM of the capture (tshark)


def raw_families(update: bytes) -> set[tuple[int, int]]:
    """An independent walk of a BGP UPDATE's attributes for MP_REACH /
    MP_UNREACH (AFI, SAFI), and classic IPv4 NLRI."""
    out = set()
    wlen = struct.unpack_from("!H", update, 19)[0]
    alen = struct.unpack_from("!H", update, 21 + wlen)[0]
    pos, end = 23 + wlen, 23 + wlen + alen
    if wlen or len(update) > end:
        out.add((1, 1))
    while pos < end:
        flags, code = update[pos], update[pos + 1]
        if flags & 0x10:
            length, hdr = struct.unpack_from("!H", update, pos + 2)[0], 4
        else:
            length, hdr = update[pos + 2], 3
        if code in (14, 15):
            out.add(struct.unpack_from("!HB", update, pos + hdr))
        pos += hdr + length
    if not alen and not wlen and len(update) == 23:
        out.add((1, 1))  # End-of-RIB
    return out


@pytest.mark.parametrize("family, code", [("evpn", (25, 70)), ("ipv4-vpn", (1, 128)), ("ipv6-unicast", (2, 1))])
def test_family_filter_against_raw_walk(family: str, code: tuple[int, int], capsys: pytest.CaptureFixture[str]) -> None:
    path = PCAPS / "gobgp_vpn_evpn.pcap"
    _, out, _ = run(["decode", "--family", family, "--type", "route_monitoring", str(path)], capsys)
    got = [r["offset"] for r in records(out)]
    want = []
    for m in bmplib.iter_file(path):
        item = m.item  # type: ignore[union-attr]
        if isinstance(item, bmplib.RouteMonitoring) and code in raw_families(item.bgp.encode()):
            want.append(item.offset)
    assert got == want and got


def test_filters_combine(capsys: pytest.CaptureFixture[str]) -> None:
    path = str(PCAPS / "frr_unicast.pcap")
    _, out, _ = run(
        ["decode", "--peer", "127.0.0.11", "--table", "adj-rib-in-post", "--family", "ipv4-unicast", path], capsys
    )
    recs = records(out)
    assert recs
    assert all(r["peer"]["address"] == "127.0.0.11" and r["peer"]["table"] == "adj-rib-in-post" for r in recs)
    assert {r["type"] for r in recs} == {"route_monitoring"}


def test_port_option(capsys: pytest.CaptureFixture[str]) -> None:
    path = str(PCAPS / "gobgp_unicast.pcapng")
    rc, out, _ = run(["decode", "--port", "179", path], capsys)
    # the BGP sessions, taken for BMP as told: no message, every octet skipped
    recs = records(out)
    assert rc == 0 and recs and {r["type"] for r in recs} == {"skipped"}
    assert {r["flow"]["src_port"] == 179 or r["flow"]["dst_port"] == 179 for r in recs} == {True}
    _, out, _ = run(["decode", "--port", "11019", "--type", "initiation", path], capsys)
    assert len(records(out)) == 1


@pytest.mark.parametrize(
    "argv, message",
    [
        (["--type", "nonsense"], "unknown type"),
        (["--peer", "not-an-address"], "neither an IP address nor an AS number"),
        (["--table", "rib"], "invalid choice"),
        (["--family", "ipv5-unicast"], "unknown family"),
        (["--port", "70000"], "not a TCP port"),
    ],
)
def test_bad_options(argv: list[str], message: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["decode", *argv, str(PCAPS / "frr_unicast.pcap")])
    assert exc.value.code == 2
    assert message in capsys.readouterr().err


# -- summary ------------------------------------------------------------------------
def test_summary_of_a_capture(capsys: pytest.CaptureFixture[str]) -> None:
    rc, out, err = run(["summary", str(PCAPS / "frr_unicast.pcap")], capsys)
    assert rc == 0 and err == ""
    assert "127.0.0.1:50790 -> 127.0.0.1:11019 #0" in out
    assert re.search(r"route_monitoring\s+618\s+309\s+309", out)
    assert re.search(r"route_mirroring\s+342\s+342", out)
    assert re.search(r"^  total\s+1026\b", out, re.M)
    # peers with AS, BGP ID, up / down counts and reasons
    assert re.search(r"127\.0\.0\.13\s+65000\s+0\.0\.0\.0,10\.0\.0\.13\s+global_instance\s+\d+\s+2\s+7\s+", out)
    assert "remote_notification (6/2) x5" in out
    assert re.search(r"ipv6-unicast\s+132\s+", out)
    assert "rejected_prefixes" in out and "Errors and gaps\n  none" in out
    assert "sysname: frr-dut" in out


def test_summary_reports_gaps_and_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from tests.pcap.synth import bmp_messages, capture, segments, stamp

    msgs = bmp_messages("gobgp_vpn_evpn", 40)
    bad = bytearray(msgs[3])
    bad[-1:] = b""
    bad[1:5] = len(bad).to_bytes(4, "big")
    data = b"".join(msgs[:3]) + bytes(bad) + b"".join(msgs[4:])
    segs = segments(data, 1, 1000)
    del segs[5]
    f = tmp_path / "lossy.pcap"
    f.write_bytes(capture(stamp(segs)))
    rc, out, _ = run(["summary", str(f)], capsys)
    assert rc == 0
    assert "gap: 192.0.2.1:40000 -> 192.0.2.2:11019 at stream offset 4000, 1000 octets missing" in out
    assert re.search(r"error x1: (bgp|bmp|nlri): ", out)
    assert "skipped x1: message cut by a gap in the capture" in out


def test_summary_of_a_raw_stream(capsys: pytest.CaptureFixture[str]) -> None:
    rc, out, _ = run(["summary", str(PCAPS / "gobgp_vpn_evpn.bmp")], capsys)
    assert rc == 0 and "(bmp)" in out and "Packets:" not in out
    assert re.search(r"evpn\s+\d+\s+\d+\s+\d+", out)


# -- bad input ------------------------------------------------------------------------
def bad_files(tmp: Path) -> dict[str, tuple[Path, str]]:
    pcap = (PCAPS / "frr_unicast.pcap").read_bytes()
    damaged = bytearray(pcap)
    struct.pack_into("<I", damaged, 24 + 8, 0x7FFFFFFF)
    files = {
        "missing": (tmp / "nope.pcap", "cannot open"),
        "directory": (tmp, "cannot open"),
        "empty": (tmp / "empty", "empty file"),
        "text": (tmp / "text.pcap", "not a BMP stream, pcap or pcapng file"),
        "truncated-pcap": (tmp / "t.pcap", "truncated pcap file"),
        "damaged-pcap": (tmp / "d.pcap", "damaged pcap file"),
        "truncated-pcapng": (tmp / "t.pcapng", "truncated pcapng file"),
        "truncated-bmp": (tmp / "t.bmp", "truncated"),
        "pcap-header-only": (tmp / "h.pcap", "truncated pcap file header"),
    }
    files["empty"][0].write_bytes(b"")
    files["text"][0].write_text("hello, this is not a capture\n" * 10)
    files["truncated-pcap"][0].write_bytes(pcap[:5000])
    files["damaged-pcap"][0].write_bytes(bytes(damaged))
    files["truncated-pcapng"][0].write_bytes((PCAPS / "gobgp_unicast.pcapng").read_bytes()[:-100])
    files["truncated-bmp"][0].write_bytes((PCAPS / "frr_unicast.bmp").read_bytes()[:5000])
    files["pcap-header-only"][0].write_bytes(pcap[:10])
    return files


@pytest.mark.parametrize("command", ["decode", "summary"])
def test_bad_input_gives_one_line_and_status_2(
    tmp_path: Path, command: str, capsys: pytest.CaptureFixture[str]
) -> None:
    for kind, (path, message) in bad_files(tmp_path).items():
        rc, _, err = run([command, str(path)], capsys)
        assert rc == 2, kind
        lines = err.splitlines()
        assert len(lines) == 1, (kind, err)
        assert lines[0].startswith(f"bmplib: {path}: ") and message in lines[0], (kind, err)


def test_a_bad_file_does_not_stop_the_others(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rc, out, err = run(["decode", str(tmp_path / "missing"), str(PCAPS / "gobgp_vpn_evpn.bmp")], capsys)
    assert rc == 2 and len(records(out)) == 141 and "missing" in err


def test_truncated_capture_prints_what_came_before(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    f = tmp_path / "t.pcap"
    f.write_bytes((PCAPS / "frr_unicast.pcap").read_bytes()[:20000])
    rc, out, _ = run(["decode", str(f)], capsys)
    assert rc == 2 and len(records(out)) > 10


# -- processes ------------------------------------------------------------------------
def test_python_dash_m_is_the_console_script(capsys: pytest.CaptureFixture[str]) -> None:
    path = str(PCAPS / "gobgp_addpath.pcap")
    proc = subprocess.run(
        [sys.executable, "-m", "bmplib", "decode", path], capture_output=True, text=True, check=False, cwd=ROOT
    )
    _, out, _ = run(["decode", path], capsys)
    assert proc.returncode == 0 and proc.stdout == out and proc.stderr == ""


def test_no_traceback_from_a_subprocess(tmp_path: Path) -> None:
    for path, message in bad_files(tmp_path).values():
        proc = subprocess.run(
            [sys.executable, "-m", "bmplib", "summary", str(path)], capture_output=True, text=True, check=False
        )
        assert proc.returncode == 2 and "Traceback" not in proc.stderr and message in proc.stderr


def test_closed_pipe_is_quiet() -> None:
    proc = subprocess.Popen(
        [sys.executable, "-m", "bmplib", "decode", str(PCAPS / "frr_unicast.pcap")],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.readline()
    proc.stdout.close()
    err = proc.stderr.read().decode()
    assert proc.wait() == 0 and err == ""


def test_progress_bar_only_on_a_terminal(capsys: pytest.CaptureFixture[str]) -> None:
    # stderr is not a terminal under pytest: nothing is drawn
    rc, _, err = run(["decode", str(PCAPS / "frr_unicast.pcap")], capsys)
    assert rc == 0 and err == ""
    # the bar itself, drawn on a stand-in terminal
    term = io.StringIO()
    with open(PCAPS / "frr_unicast.pcap", "rb") as fh:
        bar = _Progress(True, "frr_unicast.pcap", fh, term)
        fh.read(75000)
        for _ in range(256):
            bar.tick()
        bar.done()
    text = term.getvalue()
    assert "frr_unicast.pcap [" in text and "%" in text and "256 records" in text
    assert text.endswith("\r\033[K")
    with open(PCAPS / "frr_unicast.pcap", "rb") as fh:
        quiet = io.StringIO()
        bar = _Progress(False, "x", fh, quiet)
        for _ in range(1000):
            bar.tick()
        bar.done()
    assert quiet.getvalue() == ""


def test_standard_input() -> None:
    for name in ("frr_vpn_evpn.pcap", "frr_vpn_evpn.bmp"):
        data = (PCAPS / name).read_bytes()
        proc = subprocess.run(
            [sys.executable, "-m", "bmplib", "decode", "--type", "initiation", "-"],
            input=data,
            capture_output=True,
            check=False,
        )
        assert proc.returncode == 0 and proc.stderr == b""
        (rec,) = records(proc.stdout.decode())
        assert rec["sys_descr"] == "FRRouting 8.4.4" and ("flow" in rec) == name.endswith(".pcap")
