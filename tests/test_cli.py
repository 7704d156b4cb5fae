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
from bmplib.cli import RECORD_TYPES, Progress, main
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
    assert isinstance(rec["file"], str)


def test_documented_keys_are_found() -> None:
    assert {"peer_type", "address", "asn", "bgp_id", "table", "timestamp", "timestamp_usec"} <= documented_peer_keys()
    assert documented_flow_keys() == {"src", "src_port", "dst", "dst_port", "connection"}


@pytest.mark.parametrize("name", CAPTURES)
def test_decode_capture_schema(name: str, capsys: pytest.CaptureFixture[str]) -> None:
    rc, out, err = run(["decode", str(PCAPS / name)], capsys)
    assert rc == 0 and err == ""
    recs = records(out)
    with open(PCAPS / name, "rb") as fh:
        expected = [{**bmplib.to_json(c), "file": str(PCAPS / name)} for c in bmplib.pcap.iter_capture(fh)]
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
    rc, out, err = run(["decode", "--port", "179", path], capsys)
    # the BGP sessions, taken for BMP as told: no message, every octet skipped
    recs = records(out)
    assert rc == 1 and recs and {r["type"] for r in recs} == {"skipped"}
    assert err == f"bmplib: {path}: no BMP messages (every octet skipped)\n"
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
        "text": (tmp / "text.pcap", "not a BMP stream, pcap or pcapng file"),
        "truncated-pcap": (tmp / "t.pcap", "truncated pcap file"),
        "damaged-pcap": (tmp / "d.pcap", "damaged pcap file"),
        "truncated-pcapng": (tmp / "t.pcapng", "truncated pcapng file"),
        "truncated-bmp": (tmp / "t.bmp", "truncated"),
        "pcap-header-only": (tmp / "h.pcap", "truncated pcap file header"),
    }
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
    bar = Progress(True, "frr_unicast.pcap", lambda: 75000, 150000, term)
    bar.start -= 1.0  # one second in: 75 kB/s, one second left
    bar.last -= 1.0
    for _ in range(256):
        bar.tick()
    bar.done()
    text = term.getvalue()
    assert "frr_unicast.pcap [" in text and " 50% " in text and "256 records" in text
    assert "MB/s" in text and "rec/s" in text and "ETA 0:01" in text
    assert text.endswith("\r\033[K")
    quiet = io.StringIO()
    bar = Progress(False, "x", lambda: 0, 0, quiet)
    for _ in range(1000):
        bar.tick()
    bar.done()
    assert quiet.getvalue() == ""


def test_progress_flag_forces_it(tmp_path: Path) -> None:
    big = tmp_path / "big.bmp"
    big.write_bytes((PCAPS / "frr_unicast.bmp").read_bytes() * 40)
    proc = subprocess.run(
        [sys.executable, "-m", "bmplib", "decode", "--count", "--progress", str(big)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0 and proc.stdout == "41040\n"
    # drawn at most five times a second: a fast run may draw nothing, but never a traceback
    assert "Traceback" not in proc.stderr


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


# -- one rule for cut, empty and missing inputs ------------------------------------------
def test_summary_of_a_truncated_capture_prints_what_it_has(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    f = tmp_path / "t.pcap"
    f.write_bytes((PCAPS / "frr_unicast.pcap").read_bytes()[:75662])
    rc, out, err = run(["summary", str(f)], capsys)
    assert rc == 2 and "truncated pcap file" in err
    assert re.search(r"^  total\s+534\b", out, re.M) and "sysname: frr-dut" in out
    rc, out, _ = run(["decode", str(f)], capsys)
    assert rc == 2 and len(records(out)) == 534


def test_cut_inside_a_message_is_status_2_in_every_format(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from tests.pcap.synth import bmp_messages, capture, segments, stamp

    msgs = bmp_messages("gobgp_vpn_evpn", 6)
    data = b"".join(msgs[:5]) + msgs[5][: len(msgs[5]) // 2]
    cut_bmp, cut_pcap = tmp_path / "cut.bmp", tmp_path / "cut.pcap"
    cut_bmp.write_bytes(data)
    cut_pcap.write_bytes(capture(stamp(segments(data, 1, 1000))))
    for f in (cut_bmp, cut_pcap):
        rc, out, err = run(["decode", str(f)], capsys)
        recs = records(out)
        assert rc == 2 and len(recs) == 6 and recs[-1]["type"] == "skipped", f
        assert err == f"bmplib: {f}: truncated: the input ends inside a BMP message\n"


def test_no_bmp_is_status_1(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    empty = tmp_path / "empty"
    empty.write_bytes(b"")
    rc, out, err = run(["decode", str(empty)], capsys)
    assert (rc, out, err) == (1, "", f"bmplib: {empty}: empty input: no BMP messages\n")
    path = str(PCAPS / "gobgp_unicast.pcapng")
    rc, out, err = run(["decode", "--port", "1234", path], capsys)
    assert rc == 1 and out == "" and "no BMP flow on port 1234 in the capture (3793 packets" in err
    # with several inputs, the highest status
    rc, out, _ = run(["decode", str(empty), str(PCAPS / "gobgp_vpn_evpn.bmp"), str(tmp_path / "missing")], capsys)
    assert rc == 2 and len(records(out)) == 141
    rc, _, _ = run(["decode", "--count", str(empty), str(PCAPS / "gobgp_vpn_evpn.bmp")], capsys)
    assert rc == 1


def test_exit_statuses_are_documented() -> None:
    from bmplib.cli import EXIT_STATUSES

    page = (ROOT / "docs" / "quickstart.md").read_text(encoding="utf-8")
    for code in EXIT_STATUSES:
        assert re.search(rf"^\| `{code}` \|", page, re.M), code


# -- --resync ---------------------------------------------------------------------------
def test_resync_on_a_damaged_stream(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = (PCAPS / "frr_unicast.bmp").read_bytes()
    offsets = [m.offset for m in bmplib.iter_file(PCAPS / "frr_unicast.bmp")]
    cut = offsets[16]
    f = tmp_path / "damaged.bmp"
    f.write_bytes(data[:cut] + b"\x07garbage!" * 3 + data[cut:])
    rc, out, err = run(["decode", str(f)], capsys)
    assert rc == 2 and len(records(out)) == 16 and "--resync" in err
    rc, out, err = run(["decode", "--resync", str(f)], capsys)
    recs = records(out)
    assert rc == 0 and err == ""
    assert [r["type"] for r in recs].count("skipped") == 1 and len(recs) == 1027
    assert recs[16] == {**recs[16], "type": "skipped", "offset": cut, "length": 27}
    api = [bmplib.to_json(i) for i in bmplib.iter_file(f, resync=True)]
    assert [{k: v for k, v in r.items() if k != "file"} for r in recs] == json.loads(json.dumps(api))


# -- live standard input -------------------------------------------------------------------
def test_standard_input_is_read_as_it_arrives() -> None:
    data = (PCAPS / "frr_vpn_evpn.bmp").read_bytes()
    first = next(iter(bmplib.iter_file(PCAPS / "frr_vpn_evpn.bmp")))
    second_at = next(m.offset for m in bmplib.iter_file(PCAPS / "frr_vpn_evpn.bmp") if m.offset > first.offset)
    proc = subprocess.Popen(
        [sys.executable, "-m", "bmplib", "decode", "-"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert proc.stdin is not None and proc.stdout is not None
    try:
        proc.stdin.write(data[:second_at])  # the first message only; the pipe stays open
        proc.stdin.flush()
        line = proc.stdout.readline()  # would block until EOF if stdin were read in big blocks
        assert json.loads(line)["type"] == "initiation"
        proc.stdin.write(data[second_at:])
        proc.stdin.close()
        rest = proc.stdout.read()
        assert proc.wait(timeout=60) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert len(rest.splitlines()) == sum(1 for _ in bmplib.iter_file(PCAPS / "frr_vpn_evpn.bmp")) - 1


def test_compressed_input_on_the_command_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import gzip

    f = tmp_path / "x.pcap.gz"
    f.write_bytes(gzip.compress((PCAPS / "gobgp_vpn_evpn.pcap").read_bytes()))
    rc, out, _ = run(["decode", str(f)], capsys)
    _, plain, _ = run(["decode", str(PCAPS / "gobgp_vpn_evpn.pcap")], capsys)
    assert rc == 0 and out == plain.replace(str(PCAPS / "gobgp_vpn_evpn.pcap"), str(f))
    proc = subprocess.run(
        [sys.executable, "-m", "bmplib", "decode", "--count", "-"],
        input=f.read_bytes(),
        capture_output=True,
        check=False,
    )
    assert proc.returncode == 0 and proc.stdout == b"141\n"
    text = tmp_path / "text.gz"
    text.write_bytes(gzip.compress(b"hello, world\n" * 10))
    rc, _, err = run(["decode", str(text)], capsys)
    assert rc == 2 and "not a BMP stream, pcap or pcapng file (inside gzip)" in err
    bad = tmp_path / "bad.gz"
    packed = gzip.compress((PCAPS / "frr_unicast.bmp").read_bytes())
    bad.write_bytes(packed[: len(packed) // 2])
    rc, out, err = run(["decode", str(bad)], capsys)
    assert rc == 2 and records(out) and "compressed input" in err


# -- several files ---------------------------------------------------------------------------
def test_each_record_names_its_file(capsys: pytest.CaptureFixture[str]) -> None:
    a, b = str(PCAPS / "gobgp_vpn_evpn.bmp"), str(PCAPS / "frr_vpn_evpn.pcap")
    rc, out, _ = run(["decode", a, b], capsys)
    recs = records(out)
    assert rc == 0 and [r["file"] for r in recs] == [a] * 141 + [b] * 97
    # offsets are per file: each file's first record is at its own start
    assert recs[0]["offset"] == 0 and recs[141]["offset"] == 0
    assert "`file`" in DOCS


# -- --version, --count, --family aliases -----------------------------------------------------------
def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main(["--version"])
    out = capsys.readouterr().out
    assert (
        info.value.code == 0
        and out == f"bmplib {bmplib.__version__} ({bmplib.IMPLEMENTATION}; Python {sys.version.split()[0]})\n"
    )


def test_count(capsys: pytest.CaptureFixture[str]) -> None:
    a, b = str(PCAPS / "gobgp_vpn_evpn.bmp"), str(PCAPS / "frr_vpn_evpn.pcap")
    rc, out, _ = run(["decode", "--count", a], capsys)
    assert rc == 0 and out == "141\n"
    rc, out, _ = run(["decode", "--count", "--type", "peer_up", a, b], capsys)
    n_a = sum(1 for m in bmplib.iter_file(a) if m.type == bmplib.MessageType.PEER_UP)
    n_b = sum(1 for m in bmplib.iter_file(b) if m.type == bmplib.MessageType.PEER_UP)
    assert rc == 0 and out == f"{a}: {n_a}\n{b}: {n_b}\ntotal: {n_a + n_b}\n"


@pytest.mark.parametrize(
    "alias, name",
    [
        ("ipv4", "ipv4-unicast"),
        ("IPv6", "ipv6-unicast"),
        ("vpnv4", "ipv4-vpn"),
        ("vpnv6", "ipv6-vpn"),
        ("l3vpn-ipv4-unicast", "ipv4-vpn"),
        ("evpn", "evpn"),
        ("l2vpn-evpn", "evpn"),
        ("l2vpn_evpn", "evpn"),
        ("ipv4-labeled", "ipv4-labeled-unicast"),
        ("ipv6-lu", "ipv6-labeled-unicast"),
        ("ipv4-labelled-unicast", "ipv4-labeled-unicast"),
        ("ipv4-unicast", "ipv4-unicast"),
        ("25/70", "evpn"),
        ("afi-1-safi-128", "ipv4-vpn"),
        ("afi-1-safi-99", "afi-1-safi-99"),
        ("rtc", "rtc"),
    ],
)
def test_family_aliases(alias: str, name: str) -> None:
    from bmplib.cli import family_arg

    assert family_arg(alias) == name


def test_family_alias_filters_like_the_name(capsys: pytest.CaptureFixture[str]) -> None:
    path = str(PCAPS / "gobgp_vpn_evpn.pcap")
    _, by_name, _ = run(["decode", "--family", "ipv4-vpn", path], capsys)
    _, by_alias, _ = run(["decode", "--family", "vpnv4", path], capsys)
    assert by_name == by_alias and records(by_name)


# -- the renderer ------------------------------------------------------------------------------
@pytest.mark.parametrize("name", sorted(p.name for p in PCAPS.glob("*.bmp")) + CAPTURES)
def test_fast_and_pure_json_give_the_same_text(name: str, capsys: pytest.CaptureFixture[str]) -> None:
    from bmplib.json import dumps, dumps_pure, reference_to_json, to_json

    for item in bmplib.iter_file(PCAPS / name):
        fast, pure = to_json(item), reference_to_json(item)
        assert fast == pure
        assert dumps(fast) == dumps_pure(pure) == json.dumps(pure, ensure_ascii=False, separators=(",", ":")).encode()
    _, out, _ = run(["decode", str(PCAPS / name)], capsys)
    _, pure_out, _ = run(["decode", "--pure-json", str(PCAPS / name)], capsys)
    assert out == pure_out


ALL_DOCS = "\n".join(p.read_text() for p in (ROOT / "docs").glob("*.md"))


def documented_route_keys() -> dict[str, set[str]]:
    section = DOCS.split("| routes | keys besides `family` and `path_id` |", 1)[1].split("\n\n", 1)[0]
    rows: dict[str, set[str]] = {}
    for label, keys in re.findall(r"^\| ([^|]+) \| ([^|]+) \|$", section, re.M):
        rows[label.strip()] = set(re.findall(r"`([a-z_0-9]+)`", keys))
    return rows


def test_route_keys_are_documented_for_every_route_in_the_captures() -> None:
    rows = documented_route_keys()
    evpn = {r.split(", ", 1)[1]: k for r, k in rows.items() if r.startswith("EVPN type ") and ", `" in r}
    evpn = {label.strip("`"): {k for k in keys if k != label.strip("`")} for label, keys in evpn.items()}
    plain = {
        "ipv4-unicast": rows["IPv4 / IPv6 unicast and multicast"],
        "ipv6-unicast": rows["IPv4 / IPv6 unicast and multicast"],
        "ipv4-labeled-unicast": rows["labeled unicast (SAFI 4)"],
        "ipv6-labeled-unicast": rows["labeled unicast (SAFI 4)"],
        "ipv4-vpn": rows["VPN (SAFI 128)"],
        "ipv6-vpn": rows["VPN (SAFI 128)"],
    }
    seen = set()
    for path in PCAPS.glob("*.bmp"):
        for msg in bmplib.iter_file(path):
            bgp = bmplib.to_json(msg).get("bgp") or {}
            for route in (bgp.get("announced") or []) + (bgp.get("withdrawn") or []):
                fam = route.get("family")
                if fam is None:  # a family bmplib does not decode: UnknownNLRI
                    assert set(route) == {"afi", "safi", "data"}, route
                    continue
                if fam != "evpn" and fam not in plain:  # the other families: their own pages
                    assert f"`{fam}`" in ALL_DOCS, f"family {fam} is not documented"
                    continue
                want = evpn[route["route_type"]] if fam == "evpn" else plain[fam]
                assert set(route) == want | {"family", "path_id"}, route
                seen.add(route.get("route_type", fam))
    assert {"ethernet_auto_discovery", "mac_ip_advertisement", "ethernet_segment", "ip_prefix"} <= seen
    assert "prefix" not in evpn["ethernet_segment"] and "prefix" in evpn["ip_prefix"]
