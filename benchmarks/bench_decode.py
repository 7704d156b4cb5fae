#!/usr/bin/env python3
"""Decode a BMP Route Monitoring corpus with bmplib (and mrtparse on the same
UPDATEs) and check what each decoder found against the corpus's ground truth.

Make the corpus first (it is git-ignored; see ``../shared/bench/README.md``)::

    python ../shared/bench/make_corpus.py --kind inet --count 200000 --seed 1 \\
        --out benchmarks/corpus/inet.bmp

then::

    BMPLIB_PURE=1 python benchmarks/bench_decode.py benchmarks/corpus/inet.bmp

bmplib decodes the stream through :class:`bmplib.BMPDecoder` (framing, per-peer
header, UPDATE).  mrtparse gets the BGP messages with the BMP framing
stripped (``mrtparse.BgpMessage(bgp_octets).unpack()``, 4-octet AS, no
ADD-PATH).  Both sides walk every prefix and every attribute value of what
they decoded (lazy views of bmplib's model, such as the MP_REACH next hop
address, are forced) and compute the counters of ``<corpus>.truth.json``;
a decoder that skips or mis-reads something shows up as a mismatch.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path
from typing import Any

import benchlib

# the shared counters, plus the totals and BGP octets that bench_compare.py does not check
CHECKED = (*benchlib.CHECKED, "announced_total", "withdrawn_total", "bgp_bytes")


def run_bmplib(data: bytes) -> tuple[dict[str, Any], float, int]:
    """Decode *data* with bmplib and walk everything; (counters, seconds, errors)."""
    import bmplib

    errors = bgp_bytes = msgs = 0
    t0 = time.perf_counter()
    c0 = time.process_time()
    dec = bmplib.BMPDecoder()
    dec.feed(data)
    dec.close()

    def updates() -> Any:
        nonlocal errors, bgp_bytes, msgs
        prev = None
        for m in dec:
            if getattr(m, "update", None) is None:
                errors += 1
                continue
            msgs += 1
            if prev is not None:
                bgp_bytes += m.offset - prev
            prev = m.offset
            yield m
        if prev is not None:
            bgp_bytes += len(data) - prev

    c = benchlib.walk_bmplib(updates())
    elapsed = time.perf_counter() - t0
    c["cpu_seconds"] = time.process_time() - c0
    c["bgp_bytes"] = bgp_bytes - 48 * msgs
    return c, elapsed, errors


def run_mrtparse(msgs: list[bytes]) -> tuple[dict[str, Any], float, int]:
    """Decode each BGP message with mrtparse and walk everything."""
    t0 = time.perf_counter()
    c0 = time.process_time()
    c, errors, _ = benchlib.run_mrtparse(msgs)
    elapsed = time.perf_counter() - t0
    c["cpu_seconds"] = time.process_time() - c0
    c["bgp_bytes"] = sum(len(raw) for raw in msgs) if not errors else None
    return c, elapsed, errors


def check(name: str, got: dict[str, Any], truth: dict[str, Any]) -> bool:
    bad = benchlib.compare(got, truth, CHECKED)
    if bad:
        print(f"  {name}: MISMATCH in {', '.join(bad)}")
        for k in bad:
            print(f"    {k}: got {got.get(k)!r}, truth {truth.get(k)!r}")
        return False
    print(f"  {name}: correct ({len(CHECKED)} counters equal the ground truth)")
    return True


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("corpus", type=Path, nargs="?", default=Path(__file__).parent / "corpus" / "inet.bmp")
    ap.add_argument("--no-mrtparse", action="store_true", help="skip mrtparse")
    ap.add_argument("--repeat", type=int, default=1, help="best of N bmplib runs")
    # wall time is what a user sees; CPU time (time.process_time) is printed
    # too because on a shared machine other processes inflate the wall time
    args = ap.parse_args(argv)
    if not args.corpus.exists():
        print(f"{args.corpus} not found: make it with ../shared/bench/make_corpus.py (see the docstring)")
        return 2
    data = args.corpus.read_bytes()
    truth = benchlib.read_truth(args.corpus)
    if truth is None:
        print(f"{args.corpus}.truth.json not found: this benchmark checks against a corpus's ground truth")
        return 2
    import bmplib

    mb = len(data) / 1e6
    print(f"corpus {args.corpus} ({truth.get('kind')}): {truth['messages']} messages, {mb:.1f} MB")
    impl = getattr(bmplib, "IMPLEMENTATION", "python")
    print(f"bmplib implementation: {impl}{' (BMPLIB_PURE=1)' if os.environ.get('BMPLIB_PURE') else ''}")
    ok = True
    runs = [run_bmplib(data) for _ in range(max(1, args.repeat))]
    counters, secs, errors = min(runs, key=lambda r: r[1])
    cpu = min(r[0]["cpu_seconds"] for r in runs)
    n = truth["messages"]
    rate, cpu_rate = n / secs, n / cpu
    print(f"bmplib {impl}: {rate:,.0f} messages/s, {mb / secs:.1f} MB/s, {truth['prefixes_total'] / secs:,.0f} "
          f"prefixes/s ({secs:.2f} s wall; {cpu_rate:,.0f} messages/s by CPU time; {errors} errors)")  # fmt: skip
    ok &= check(f"bmplib {impl}", counters, truth) and errors == 0
    if not args.no_mrtparse:
        msgs = benchlib.route_monitoring_bgp(data)
        mcounters, msecs, merrors = run_mrtparse(msgs)
        mrate, mcpu_rate = n / msecs, n / mcounters["cpu_seconds"]
        print(f"mrtparse: {mrate:,.0f} messages/s, {mb / msecs:.1f} MB/s ({msecs:.2f} s wall; "
              f"{mcpu_rate:,.0f} messages/s by CPU time; {merrors} errors)")  # fmt: skip
        ok &= check("mrtparse", mcounters, truth) and merrors == 0
        print(f"ratio bmplib {impl} / mrtparse: {rate / mrate:.2f}x wall, {cpu_rate / mcpu_rate:.2f}x CPU time")
    print("correctness: " + ("OK" if ok else "FAILED"))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
