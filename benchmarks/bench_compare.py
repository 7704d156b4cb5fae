#!/usr/bin/env python3
"""bmplib pure, bmplib fast (Cython), dpkt, scapy and mrtparse on the same
BMP Route Monitoring corpus, in one run, with a correctness check of each.

Make the corpora first (git-ignored; see ``../shared/bench/README.md``)::

    python ../shared/bench/make_corpus.py --kind inet --count 200000 --seed 1 --out benchmarks/corpus/inet.bmp
    python ../shared/bench/make_corpus.py --kind evpn --count 50000 --seed 2 --out benchmarks/corpus/evpn.bmp

then::

    python benchmarks/bench_compare.py benchmarks/corpus/inet.bmp benchmarks/corpus/evpn.bmp \\
        ../shared/pcaps/frr_large.bmp

Each decoder runs in its own child process (so that the pure and the
compiled bmplib are both measured in one run, ``BMPLIB_PURE=1`` for the
pure one, and so that peak memory is each decoder's own):

* bmplib decodes the whole stream through :class:`bmplib.BMPDecoder`
  (framing, per-peer header, session contexts, UPDATE);
* dpkt (``dpkt.bgp.BGP``), scapy (``scapy.contrib.bgp.BGPHeader``, 4-octet
  AS) and mrtparse (``mrtparse.BgpMessage``, 4-octet AS) get the BGP
  message of each Route Monitoring message, BMP framing stripped.

Every decoder's output is walked to the end: every prefix (its length and
octets or text), every attribute value (AS numbers, communities, extended
and large communities, next hops, MED, LOCAL_PREF, ...), so a decoder that
defers work pays for it here.  The counts found are compared with the
corpus's ground truth (``<corpus>.truth.json``); for a capture without one
(frr_large.bmp) with bmplib pure's counts.

Known limits of the peers, reported in the table rather than hidden: stock
dpkt reads AS_PATH with 2-octet AS numbers only, so most UPDATEs of a
4-octet-AS corpus raise (counted as errors), and it leaves EXTENDED and
LARGE communities as raw octets (the walk unpacks them for it); scapy keeps
only the first community of a COMMUNITIES attribute, and is slow, so it runs
on the first ``--scapy-limit`` messages (its rates are per message and its
check is against bmplib pure on the same subset).

Times: wall clock and CPU time (``time.process_time``) of the decode + walk
loop; rates and ratios are printed for both (on a shared machine, CPU time is
the steadier one).  ``decode only`` for bmplib is the same stream decode with
the objects dropped unwalked, which shows what the Python walk itself costs.
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import resource
import struct
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from benchlib import (
    COUNTERS,
    compare,
    finish,
    first_messages,
    read_truth,
    route_monitoring_bgp,
    run_mrtparse,
    walk_bmplib,
)

_U32 = struct.Struct("!I")
DECODERS = ("bmplib-pure", "bmplib-fast", "mrtparse", "dpkt", "scapy")


# -- bmplib --------------------------------------------------------------------
def run_bmplib(data: bytes, limit: int) -> tuple[dict[str, Any], int, dict[str, Any]]:
    import bmplib

    if limit:
        data = first_messages(data, limit)
    dec = bmplib.BMPDecoder()
    dec.feed(data)
    dec.close()
    errors = 0

    def items() -> Any:
        nonlocal errors
        for m in dec:
            if m.type in ("error", "skipped"):
                errors += 1
            yield m

    counters = walk_bmplib(items())
    return counters, errors, {"implementation": bmplib.IMPLEMENTATION}


def decode_only_bmplib(data: bytes, limit: int) -> float:
    import bmplib

    if limit:
        data = first_messages(data, limit)
    c0 = time.process_time()
    dec = bmplib.BMPDecoder()
    dec.feed(data)
    dec.close()
    for _ in dec:
        pass
    return time.process_time() - c0


def walk_only_bmplib(data: bytes, limit: int, batch: int = 256) -> float:
    """CPU time of the walk alone: the stream is decoded *batch* messages at a
    time (so the objects are as fresh in the caches as in the decode + walk
    loop) and only the walks of the batches are timed.  This is the floor of
    any decode + walk figure: what a decoder that cost nothing would measure."""
    import itertools

    import bmplib

    if limit:
        data = first_messages(data, limit)
    dec = bmplib.BMPDecoder()
    dec.feed(data)
    dec.close()
    it = iter(dec)
    total = 0.0
    while True:
        items = list(itertools.islice(it, batch))
        if not items:
            return total
        c0 = time.process_time()
        walk_bmplib(items)
        total += time.process_time() - c0


# -- dpkt ----------------------------------------------------------------------
def run_dpkt(msgs: list[bytes]) -> tuple[dict[str, Any], int, dict[str, Any]]:
    import dpkt

    c = dict.fromkeys(COUNTERS, 0)
    acount: collections.Counter[int] = collections.Counter()
    errors = 0
    u32 = _U32.unpack_from
    for raw in msgs:
        try:
            u = dpkt.bgp.BGP(raw).update
        except Exception:  # stock dpkt: 2-octet AS_PATH only
            errors += 1
            continue
        c["messages"] += 1
        for r in u.withdrawn:
            c["ipv4_withdrawn"] += 1
            c["prefix_len_sum"] += r.len
            _ = r.prefix
        for r in u.announced:
            c["ipv4_nlri"] += 1
            c["prefix_len_sum"] += r.len
            _ = r.prefix
        for a in u.attributes:
            code = a.type
            acount[code] += 1
            d = a.data
            if code == 2:
                for seg in d.segments:
                    c["as_path_asns"] += len(seg.path)
                    c["as_path_asn_sum"] += sum(seg.path)
                    if seg.type == 1:
                        c["as_set_segments"] += 1
            elif code == 8:
                c["communities"] += len(d.list)
            elif code == 16:  # raw octets in dpkt: unpacked here
                for p in range(0, len(d), 8):
                    c["ext_communities"] += 1
                    _ = (d[p], d[p + 1], d[p + 2 : p + 8])
            elif code == 32:  # raw octets in dpkt: unpacked here
                for p in range(0, len(d), 12):
                    c["large_communities"] += 1
                    _ = (u32(d, p), u32(d, p + 4), u32(d, p + 8))
            elif code in (14, 15):
                routes = d.announced if code == 14 else d.withdrawn
                if code == 14:
                    _ = d.next_hops
                if d.afi == 2 and d.safi == 1:
                    c["ipv6_mp_reach" if code == 14 else "ipv6_mp_unreach"] += len(routes)
                    for r in routes:
                        c["prefix_len_sum"] += r.len
                        _ = r.prefix
                elif d.afi == 25 and d.safi == 70:
                    c["evpn_mp_reach" if code == 14 else "evpn_mp_unreach"] += len(routes)
                    for r in routes:
                        c["evpn_type2"] += getattr(r, "type", 0) == 2
                        c["evpn_type5"] += getattr(r, "type", 0) == 5
                else:
                    c["other_routes"] += len(routes)
    return finish(c, acount), errors, {}


# -- scapy ---------------------------------------------------------------------
def run_scapy(msgs: list[bytes]) -> tuple[dict[str, Any], int, dict[str, Any]]:
    from scapy.config import conf

    conf.contribs["bgp"] = {"use_2_bytes_asn": False}
    from scapy.contrib import bgp as sbgp

    c = dict.fromkeys(COUNTERS, 0)
    acount: collections.Counter[int] = collections.Counter()
    errors = 0
    for raw in msgs:
        try:
            u = sbgp.BGPHeader(raw)[sbgp.BGPUpdate]
        except Exception:
            errors += 1
            continue
        c["messages"] += 1
        for r in u.withdrawn_routes:
            c["ipv4_withdrawn"] += 1
            c["prefix_len_sum"] += int(r.prefix.split("/")[1])
        for r in u.nlri:
            c["ipv4_nlri"] += 1
            c["prefix_len_sum"] += int(r.prefix.split("/")[1])
        for a in u.path_attr:
            code = a.type_code
            acount[code] += 1
            d = a.attribute
            if code == 2:
                for seg in d.segments:
                    c["as_path_asns"] += len(seg.segment_value)
                    c["as_path_asn_sum"] += sum(seg.segment_value)
                    if seg.segment_type == 1:
                        c["as_set_segments"] += 1
            elif code == 8:  # scapy keeps only the first community
                c["communities"] += 1 if d.community is not None else 0
            elif code == 16:
                for e in d.extended_communities:
                    c["ext_communities"] += 1
                    _ = e.type_high
            elif code == 32:
                for s in d.segments:
                    c["large_communities"] += 1
                    _ = s.fields
            elif code in (14, 15):
                if code == 14:
                    routes = d.nlri
                else:  # scapy has no decoder for the other families' withdrawn routes
                    routes = getattr(d.afi_safi_specific, "withdrawn_routes", [])
                if d.afi == 2 and d.safi == 1:
                    c["ipv6_mp_reach" if code == 14 else "ipv6_mp_unreach"] += len(routes)
                    for r in routes:
                        c["prefix_len_sum"] += int(r.prefix.split("/")[1])
                else:
                    c["other_routes"] += len(routes)
    return finish(c, acount), errors, {}


# -- one decoder in a child process --------------------------------------------
def _rss_kb() -> int:
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * (os.sysconf("SC_PAGE_SIZE") // 1024)


def worker(name: str, corpus: Path, limit: int, decode_only: bool) -> dict[str, Any]:
    data = corpus.read_bytes()
    msgs = [] if name.startswith("bmplib") else route_monitoring_bgp(data, limit)
    if name.startswith("bmplib"):
        import bmplib  # noqa: F401  (imported before the baseline)

        data_bytes = len(first_messages(data, limit)) if limit else len(data)
    else:
        data_bytes = sum(len(m) for m in msgs)
    if name == "scapy":
        run_scapy(msgs[:20])  # the first packet of scapy pays its imports and dissector set-up
    base = _rss_kb()
    t0 = time.perf_counter()
    c0 = time.process_time()
    if name.startswith("bmplib"):
        counters, errors, extra = run_bmplib(data, limit)
    else:
        counters, errors, extra = {"mrtparse": run_mrtparse, "dpkt": run_dpkt, "scapy": run_scapy}[name](msgs)
    wall = time.perf_counter() - t0
    cpu = time.process_time() - c0
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    out = {"name": name, "wall": wall, "cpu": cpu, "errors": errors, "counters": counters, "bytes": data_bytes,
           "peak_mb": max(0, peak - base) / 1024, "limit": limit, **extra}  # fmt: skip
    if decode_only and name.startswith("bmplib"):
        out["decode_only_cpu"] = min(decode_only_bmplib(data, limit) for _ in range(2))
        out["walk_only_cpu"] = min(walk_only_bmplib(data, limit) for _ in range(2))
    return out


def spawn(name: str, corpus: Path, limit: int, decode_only: bool) -> dict[str, Any]:
    env = dict(os.environ)
    env.pop("BMPLIB_PURE", None)
    if name == "bmplib-pure":
        env["BMPLIB_PURE"] = "1"
    cmd = [sys.executable, __file__, "--worker", name, str(corpus), "--limit", str(limit)]
    if decode_only:
        cmd.append("--decode-only")
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True)
    if proc.returncode != 0:
        return {"name": name, "failed": proc.stderr.strip().splitlines()[-1:] or ["?"]}
    result: dict[str, Any] = json.loads(proc.stdout.strip().splitlines()[-1])
    return result


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("corpora", type=Path, nargs="*")
    ap.add_argument("--decoders", default=",".join(DECODERS), help="comma-separated subset of " + ",".join(DECODERS))
    ap.add_argument("--scapy-limit", type=int, default=5000, help="messages given to scapy (it is slow)")
    ap.add_argument("--limit", type=int, default=0, help=argparse.SUPPRESS)
    ap.add_argument("--worker", help=argparse.SUPPRESS)
    ap.add_argument("--decode-only", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.worker:
        print(json.dumps(worker(args.worker, args.corpora[0], args.limit, args.decode_only)))
        return 0
    corpora = args.corpora or [Path(__file__).parent / "corpus" / "inet.bmp"]
    names = [n for n in args.decoders.split(",") if n]
    ok = True
    for corpus in corpora:
        if not corpus.exists():
            print(f"{corpus} not found: make it with ../shared/bench/make_corpus.py (see the docstring)")
            ok = False
            continue
        truth = read_truth(corpus)
        about = f", {truth['messages']:,} messages (ground truth: {corpus.name}.truth.json)" if truth else ""
        print(f"\n## {corpus.name}: {corpus.stat().st_size / 1e6:.1f} MB{about}")
        results: dict[str, dict[str, Any]] = {}
        for name in names:
            limit = args.scapy_limit if name == "scapy" else 0
            results[name] = spawn(name, corpus, limit, decode_only=name.startswith("bmplib"))
        # the reference of a check: the ground truth, else bmplib pure's counts (same subset)
        subset_ref: dict[int, dict[str, Any]] = {}
        rows = []
        for name in names:
            r = results[name]
            if "failed" in r:
                rows.append((name, r))
                continue
            want = truth if truth and not r["limit"] else None
            if want is None:
                if r["limit"] not in subset_ref:
                    ref = spawn("bmplib-pure", corpus, r["limit"], decode_only=False)
                    subset_ref[r["limit"]] = ref.get("counters", {})
                want = subset_ref[r["limit"]]
            r["mismatch"] = compare(r["counters"], want)
            r["reference"] = want
            rows.append((name, r))
        print(_table(rows))
        for name, r in rows:
            for k in r.get("mismatch", []):
                ref = "truth" if truth and not r["limit"] else "bmplib pure"
                print(f"  {name}: {k} = {r['counters'].get(k)!r}, {ref}: {r['reference'].get(k)!r}")
            if "failed" in r:
                print(f"  {name}: FAILED {r['failed']}")
        print(_ratios(results))
        for name in ("bmplib-pure", "bmplib-fast"):
            r = results.get(name, {})
            if "decode_only_cpu" in r:
                n = r["counters"]["messages"]
                print(f"  {name}: decode only (stream decoded, objects not walked): "
                      f"{n / r['decode_only_cpu']:,.0f} messages/s CPU")  # fmt: skip
        print(_floor(results))
        ok &= all(not r.get("mismatch") and "failed" not in r for n, r in rows if n.startswith("bmplib"))
    print("\nbmplib correctness: " + ("OK" if ok else "FAILED"))
    return 0 if ok else 1


def _table(rows: list[tuple[str, dict[str, Any]]]) -> str:
    head = ("| decoder | messages | msg/s (wall) | msg/s (CPU) | MB/s (CPU) | prefixes/s (CPU) | peak MB | errors "
            "| check |\n|---|---:|---:|---:|---:|---:|---:|---:|---|")  # fmt: skip
    out = [head]
    for name, r in rows:
        if "failed" in r:
            out.append(f"| {name} | failed | | | | | | | |")
            continue
        c = r["counters"]
        n = c["messages"] + r["errors"]
        check = "ok" if not r["mismatch"] else "differs: " + ", ".join(r["mismatch"])
        if r["limit"]:
            check += f" (first {r['limit']:,} messages)"
        out.append(
            f"| {name} | {c['messages']:,} | {n / r['wall']:,.0f} | {n / r['cpu']:,.0f} | "
            f"{r['bytes'] / 1e6 / r['cpu']:.1f} | {c['prefixes_total'] / r['cpu']:,.0f} | {r['peak_mb']:.0f} | "
            f"{r['errors']:,} | {check} |"
        )
    return "\n".join(out)


def _rate(r: dict[str, Any] | None, key: str) -> float | None:
    if not r or "failed" in r:
        return None
    return (r["counters"]["messages"] + r["errors"]) / r[key]


def _ratios(results: dict[str, dict[str, Any]]) -> str:
    out = []
    for a, b in (("bmplib-fast", "bmplib-pure"), ("bmplib-pure", "mrtparse"), ("bmplib-fast", "mrtparse"),
                 ("bmplib-fast", "dpkt"), ("bmplib-fast", "scapy")):  # fmt: skip
        parts = []
        for key, label in (("cpu", "CPU"), ("wall", "wall")):
            ra, rb = _rate(results.get(a), key), _rate(results.get(b), key)
            if ra and rb:
                parts.append(f"{ra / rb:.1f}x {label}")
        if parts:
            out.append(f"  {a} / {b}: " + ", ".join(parts))
    return "\n".join(out)


def _floor(results: dict[str, dict[str, Any]]) -> str:
    """The walk alone, per message, and the ratios a decoder costing nothing
    would reach against the others' decode + walk (the ceiling of the targets'
    ratios as this benchmark measures them)."""
    fast = results.get("bmplib-fast", {})
    if "walk_only_cpu" not in fast:
        return ""
    n = fast["counters"]["messages"] + fast["errors"]
    walk = fast["walk_only_cpu"] / n
    out = [f"  walk only (objects decoded in batches, only the walk timed): {walk * 1e6:.2f} us/message CPU"]
    for name in ("bmplib-pure", "bmplib-fast", "mrtparse"):
        r = results.get(name)
        if r and "failed" not in r and not r["limit"]:
            per = r["cpu"] / (r["counters"]["messages"] + r["errors"])
            out.append(f"  {name}: decode + walk {per * 1e6:.2f} us/message = walk + {(per - walk) * 1e6:.2f} us; "
                       f"a zero-cost decoder would be {per / walk:.1f}x faster")  # fmt: skip
    return "\n".join(out)


if __name__ == "__main__":
    sys.exit(main())
