"""Runs docs/examples/collector.py for real: a BMP collector on 127.0.0.1 with
an ephemeral port, fed real capture streams over TCP in random-sized chunks.
Its JSON lines must equal ``bmplib.iter_file`` of the same capture."""

from __future__ import annotations

import itertools
import json
import os
import random
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import bmplib
from tests.conftest import PCAPS, ROOT

COLLECTOR = ROOT / "docs" / "examples" / "collector.py"
TIMEOUT = 60.0

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="the example uses POSIX signals")


def expected(name: str) -> list[dict[str, Any]]:
    return [json.loads(json.dumps(bmplib.to_json(item))) for item in bmplib.iter_file(PCAPS / name)]


def chunks(data: bytes, rng: random.Random) -> Iterator[bytes]:
    pos = 0
    while pos < len(data):
        size = rng.choice((1, 2, 5, 6, 7, 48, 100, 1000, 4096, 20000))
        yield data[pos : pos + size]
        pos += size


def send(data: bytes, port: int, seed: int, address: list[Any]) -> None:
    rng = random.Random(seed)
    with socket.create_connection(("127.0.0.1", port), timeout=TIMEOUT) as sock:
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        address.extend(sock.getsockname()[:2])
        for piece in chunks(data, rng):
            sock.sendall(piece)
            if rng.random() < 0.05:
                time.sleep(0.001)  # let some pieces arrive as separate reads


@pytest.fixture
def collector(tmp_path: Path) -> Iterator[tuple[int, Path, subprocess.Popen[str]]]:
    out = tmp_path / "out.jsonl"
    proc = subprocess.Popen(
        [sys.executable, str(COLLECTOR), "--host", "127.0.0.1", "--port", "0", "--output", str(out)],
        cwd=ROOT, stderr=subprocess.PIPE, text=True, env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )  # fmt: skip
    try:
        assert proc.stderr is not None
        line = proc.stderr.readline()  # "listening on 127.0.0.1:PORT"
        assert line.startswith("listening on 127.0.0.1:"), line
        yield int(line.rsplit(":", 1)[1]), out, proc
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait(timeout=TIMEOUT)
        if proc.stderr is not None:
            proc.stderr.close()


def wait_for_lines(out: Path, count: int) -> list[dict[str, Any]]:
    deadline = time.monotonic() + TIMEOUT
    while time.monotonic() < deadline:
        if out.exists():
            text = out.read_text(encoding="utf-8")
            if text.count("\n") >= count and text.endswith("\n"):
                return [json.loads(line) for line in text.splitlines()]
        time.sleep(0.05)
    pytest.fail(f"the collector wrote fewer than {count} lines within {TIMEOUT} s")


def stop(proc: subprocess.Popen[str]) -> str:
    proc.send_signal(signal.SIGTERM)
    proc.wait(timeout=TIMEOUT)
    assert proc.stderr is not None
    err = proc.stderr.read()
    assert proc.returncode == 0, err
    return err


def test_collector_writes_what_iter_file_gives(collector: tuple[int, Path, subprocess.Popen[str]]) -> None:
    port, out, proc = collector
    want = expected("frr_unicast.bmp")
    address: list[Any] = []
    send((PCAPS / "frr_unicast.bmp").read_bytes(), port, seed=7, address=address)
    got = wait_for_lines(out, len(want))
    assert stop(proc) == ""
    assert all(rec.pop("exporter") == address for rec in got)
    assert len(got) == len(want) == 1026
    assert got == want


def test_collector_keeps_concurrent_sessions_apart(collector: tuple[int, Path, subprocess.Popen[str]]) -> None:
    port, out, proc = collector
    names = ["frr_unicast.bmp", "gobgp_unicast.bmp", "gobgp_addpath.bmp"]
    want = {name: expected(name) for name in names}
    addresses: dict[str, list[Any]] = {name: [] for name in names}
    threads = [
        threading.Thread(target=send, args=((PCAPS / name).read_bytes(), port, seed, addresses[name]))
        for seed, name in enumerate(names)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(TIMEOUT)
    got = wait_for_lines(out, sum(len(w) for w in want.values()))
    stop(proc)
    by_exporter: dict[tuple[Any, ...], list[dict[str, Any]]] = {}
    for rec in got:
        by_exporter.setdefault(tuple(rec.pop("exporter")), []).append(rec)
    assert len(by_exporter) == len(names)
    for name in names:
        assert by_exporter[tuple(addresses[name])] == want[name], name


def test_collector_reports_a_truncated_stream_and_a_framing_error(
    collector: tuple[int, Path, subprocess.Popen[str]],
) -> None:
    port, out, proc = collector
    data = (PCAPS / "gobgp_unicast.bmp").read_bytes()
    whole = expected("gobgp_unicast.bmp")
    complete = [rec for rec, after in itertools.pairwise(whole) if after["offset"] <= 1000]
    send(data[:1000], port, seed=1, address=[])  # the connection closes inside a message
    got = wait_for_lines(out, len(complete) + 1)
    for rec in got:
        del rec["exporter"]
    assert got[:-1] == complete
    assert got[-1]["type"] == "skipped"
    assert got[-1]["offset"] == whole[len(complete)]["offset"] and got[-1]["offset"] + got[-1]["length"] == 1000
    # an empty Initiation, then something that is not BMP: the collector drops the connection
    send(b"\x03\x00\x00\x00\x06\x04" + b"GET / HTTP/1.1\r\n\r\n", port, seed=2, address=[])
    got = wait_for_lines(out, len(complete) + 2)
    assert got[-1]["type"] == "initiation" and got[-1]["offset"] == 0 and got[-1]["tlvs"] == []
    assert "stream decode error at offset 6: BMP version 71 is not 3" in stop(proc)
