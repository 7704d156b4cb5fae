#!/usr/bin/env python3
"""Capture decoding, end to end: ``frr_large.pcap`` (56.7 MB, 112,652
packets, 332,453 BMP messages, 16 retransmissions) against the raw BMP
stream the collector received (``frr_large.bmp``, 47.4 MB), in one run, so
the cost of reading the capture and reassembling TCP is visible::

    python benchmarks/bench_pcap.py [--pcap ../shared/pcaps/frr_large.pcap] [--bmp ...]
    BMPLIB_PURE=1 python benchmarks/bench_pcap.py        # the pure-Python decoder

Rows:

``raw .bmp``            :func:`bmplib.iter_file` on the raw stream (framing + full decoding)
``pcap``                :func:`bmplib.iter_file` on the capture (+ pcap reading, link/IP/TCP
                        headers, reassembly, flow detection, provenance)
``pcap, no BMP decode`` the capture layers alone: packets read, headers parsed, TCP reassembled,
                        BMP framed by its common header (no message decoding)

Each row is the best of ``--repeat`` runs; the message counts are checked to be
equal.
"""

from __future__ import annotations

import argparse
import collections
import os
import struct
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import bmplib  # noqa: E402
from bmplib.capture.link import parse_frame  # noqa: E402
from bmplib.capture.reader import iter_packets  # noqa: E402
from bmplib.capture.tcp import TCPStream  # noqa: E402

SHARED = ROOT.parent / "shared" / "pcaps"
_COMMON = struct.Struct("!BIB")


def decode_file(path: Path) -> collections.Counter[str]:
    counts: collections.Counter[str] = collections.Counter()
    for x in bmplib.iter_file(path):
        item = getattr(x, "item", x)
        counts[str(getattr(item, "type", "?"))] += 1
    return counts


def capture_layers_only(path: Path) -> collections.Counter[str]:
    """Packets → TCP reassembly → BMP framing, without message decoding."""
    counts: collections.Counter[str] = collections.Counter()
    streams: dict[tuple[bytes, int, bytes, int], tuple[TCPStream, bytearray]] = {}
    with open(path, "rb") as fh:
        for p in iter_packets(fh):
            seg = parse_frame(p.linktype, p.data, p.orig_len)
            if seg is None:
                continue
            key = (seg.src, seg.sport, seg.dst, seg.dport)
            if seg.flags & 0x02:
                st = TCPStream()
                buf = bytearray()
                streams[key] = (st, buf)
                chunks = st.start_syn(seg.seq, seg.payload)
            elif seg.payload and key in streams:
                st, buf = streams[key]
                chunks = st.add(seg.seq, seg.payload, seg.missing)
            else:
                continue
            for _off, data in chunks:
                if isinstance(data, int):
                    counts["gap"] += 1
                    continue
                buf += data
                pos, n = 0, len(buf)
                while n - pos >= 6:
                    _v, length, t = _COMMON.unpack_from(buf, pos)
                    if n - pos < length:
                        break
                    counts[str(bmplib.MessageType(t))] += 1
                    pos += length
                del buf[:pos]
    return counts


def best(fn: Callable[[], collections.Counter[str]], repeat: int) -> tuple[float, collections.Counter[str]]:
    times = []
    result: collections.Counter[str] = collections.Counter()
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t0)
    return min(times), result


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--pcap", type=Path, default=SHARED / "frr_large.pcap")
    ap.add_argument("--bmp", type=Path, default=SHARED / "frr_large.bmp")
    ap.add_argument("--repeat", type=int, default=1)
    args = ap.parse_args()
    for p in (args.pcap, args.bmp):
        if not p.exists():
            print(f"missing {p} (../shared/pcaps is needed)", file=sys.stderr)
            return 1
    pcap_mb = args.pcap.stat().st_size / 1e6
    bmp_mb = args.bmp.stat().st_size / 1e6
    print(f"bmplib {bmplib.__version__}, implementation: {bmplib.IMPLEMENTATION}, Python {sys.version.split()[0]}")
    print(f"capture: {args.pcap} ({pcap_mb:.1f} MB); raw stream: {args.bmp} ({bmp_mb:.1f} MB)\n")

    rows = []
    t_raw, c_raw = best(lambda: decode_file(args.bmp), args.repeat)
    rows.append(("raw .bmp", t_raw, c_raw, bmp_mb))
    t_pcap, c_pcap = best(lambda: decode_file(args.pcap), args.repeat)
    rows.append(("pcap", t_pcap, c_pcap, pcap_mb))
    t_lay, c_lay = best(lambda: capture_layers_only(args.pcap), args.repeat)
    rows.append(("pcap, no BMP decode", t_lay, c_lay, pcap_mb))

    n = sum(c_raw.values())
    print(f"{'':22} {'seconds':>8} {'messages':>9} {'msg/s':>9} {'MB/s':>7} {'vs raw':>7}")
    for name, t, c, mb in rows:
        total = sum(c.values())
        print(f"{name:22} {t:8.2f} {total:9d} {total / t:9.0f} {mb / t:7.1f} {t / t_raw:6.2f}x")
    print()
    ok = c_raw == c_pcap and sum(c_lay.values()) == n and "gap" not in c_lay
    print(f"messages by type (raw): {dict(c_raw)}")
    print(f"same messages from the capture: {'yes' if ok else 'NO'}")
    print(
        f"capture overhead: {t_pcap - t_raw:+.2f} s over the raw stream "
        f"({(t_pcap / t_raw - 1) * 100:+.0f} %); capture layers alone: {t_lay:.2f} s "
        f"({n / t_lay:,.0f} msg/s, {os.path.basename(args.pcap)})"
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
