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
import collections
import json
import os
import struct
import sys
import time
from pathlib import Path
from typing import Any

_COMMON = struct.Struct("!BIB")

CHECKED = (
    "messages",
    "prefixes_total",
    "announced_total",
    "withdrawn_total",
    "ipv4_nlri",
    "ipv4_withdrawn",
    "ipv6_mp_reach",
    "ipv6_mp_unreach",
    "prefix_len_sum",
    "attributes_total",
    "attr_count_by_type",
    "as_path_asns",
    "as_path_asn_sum",
    "as_set_segments",
    "communities",
    "large_communities",
    "ext_communities",
    "bgp_bytes",
)


def _finish(c: dict[str, Any], attrs: collections.Counter[int]) -> dict[str, Any]:
    c["attr_count_by_type"] = {str(k): v for k, v in sorted(attrs.items())}
    c["attributes_total"] = sum(attrs.values())
    c["announced_total"] = c["ipv4_nlri"] + c["ipv6_mp_reach"]
    c["withdrawn_total"] = c["ipv4_withdrawn"] + c["ipv6_mp_unreach"]
    c["prefixes_total"] = c["announced_total"] + c["withdrawn_total"]
    return c


def _zero() -> dict[str, Any]:
    return dict.fromkeys(
        (
            "messages",
            "ipv4_nlri",
            "ipv4_withdrawn",
            "ipv6_mp_reach",
            "ipv6_mp_unreach",
            "prefix_len_sum",
            "as_path_asns",
            "as_path_asn_sum",
            "as_set_segments",
            "communities",
            "large_communities",
            "ext_communities",
            "bgp_bytes",
        ),
        0,
    )


def run_bmplib(data: bytes) -> tuple[dict[str, Any], float, int]:
    """Decode *data* with bmplib and walk everything; (counters, seconds, errors)."""
    import bmplib

    c = _zero()
    acount = [0] * 256
    errors = 0
    n4 = w4 = r6 = u6 = plen = asns = asn_sum = sets = comms = large = ext = bgp_bytes = msgs = 0
    pbytes = 0
    t0 = time.perf_counter()
    c0 = time.process_time()
    dec = bmplib.BMPDecoder()
    dec.feed(data)
    dec.close()
    prev = None
    for m in dec:
        u = getattr(m, "update", None)
        if u is None:
            errors += 1
            continue
        msgs += 1
        if prev is not None:
            bgp_bytes += m.offset - prev
        prev = m.offset
        for p in u.withdrawn_routes:
            w4 += 1
            plen += p.length
            pbytes += len(p.packed)
        for p in u.nlri:
            n4 += 1
            plen += p.length
            pbytes += len(p.packed)
        for a in u.attributes:
            code = a.type_code
            acount[code] += 1
            if code == 2:
                for seg in a.segments:
                    s = seg.asns
                    asns += len(s)
                    asn_sum += sum(s)
                    if seg.type == 1:
                        sets += 1
            elif code == 8:
                comms += len(a.values)
            elif code == 32:
                for v in a.values:
                    large += 1
                    _ = v[0]
            elif code == 16:
                for e in a.communities:
                    ext += 1
                    _ = e.type
            elif code == 14:
                nh = a.next_hop
                _ = nh.address
                _ = nh.link_local
                for p in a.nlri:
                    r6 += 1
                    plen += p.length
                    pbytes += len(p.packed)
            elif code == 15:
                for p in a.withdrawn:
                    u6 += 1
                    plen += p.length
                    pbytes += len(p.packed)
            elif code == 1:
                _ = a.origin
            elif code == 3:
                _ = a.next_hop
            elif code == 4:
                _ = a.med
            elif code == 5:
                _ = a.local_pref
            elif code == 7:
                _ = a.asn
                _ = a.address
    if prev is not None:
        bgp_bytes += len(data) - prev
    elapsed = time.perf_counter() - t0
    c["cpu_seconds"] = time.process_time() - c0
    c.update(
        messages=msgs,
        ipv4_nlri=n4,
        ipv4_withdrawn=w4,
        ipv6_mp_reach=r6,
        ipv6_mp_unreach=u6,
        prefix_len_sum=plen,
        as_path_asns=asns,
        as_path_asn_sum=asn_sum,
        as_set_segments=sets,
        communities=comms,
        large_communities=large,
        ext_communities=ext,
        bgp_bytes=bgp_bytes - 48 * msgs,
    )
    attrs = collections.Counter({code: n for code, n in enumerate(acount) if n})
    return _finish(c, attrs), elapsed, errors


def bgp_messages(data: bytes) -> list[bytes]:
    """The BGP octets of every Route Monitoring message (BMP framing stripped)."""
    out = []
    pos = 0
    while pos + 6 <= len(data):
        _, length, msg_type = _COMMON.unpack_from(data, pos)
        if msg_type == 0:
            out.append(data[pos + 48 : pos + length])
        pos += length
    return out


def run_mrtparse(msgs: list[bytes]) -> tuple[dict[str, Any], float, int]:
    """Decode each BGP message with mrtparse and walk everything."""
    import mrtparse

    mrtparse.as_len(4)
    mrtparse.is_add_path(False)
    c = _zero()
    attrs: collections.Counter[int] = collections.Counter()
    errors = 0
    t0 = time.perf_counter()
    c0 = time.process_time()
    for raw in msgs:
        try:
            bm = mrtparse.BgpMessage(raw)
            bm.unpack()
        except Exception:  # a peer decoder's failure is counted, not fatal
            errors += 1
            continue
        d = bm.data
        c["messages"] += 1
        c["bgp_bytes"] += len(raw)
        for p in d["withdrawn_routes"]:
            c["ipv4_withdrawn"] += 1
            c["prefix_len_sum"] += p["length"]
        for p in d["nlri"]:
            c["ipv4_nlri"] += 1
            c["prefix_len_sum"] += p["length"]
        for a in d["path_attributes"]:
            (code,) = a["type"]
            attrs[code] += 1
            v = a.get("value")
            if code == 2:
                for seg in v:
                    c["as_path_asns"] += len(seg["value"])
                    c["as_path_asn_sum"] += sum(int(x) for x in seg["value"])
                    if 1 in seg["type"]:
                        c["as_set_segments"] += 1
            elif code == 8:
                c["communities"] += len(v)
            elif code == 32:
                c["large_communities"] += len(v)
            elif code == 16:
                c["ext_communities"] += len(v)
            elif code == 14:
                for p in v.get("nlri", []):
                    c["ipv6_mp_reach"] += 1
                    c["prefix_len_sum"] += p["length"]
            elif code == 15:
                for p in v.get("withdrawn_routes", []):
                    c["ipv6_mp_unreach"] += 1
                    c["prefix_len_sum"] += p["length"]
    elapsed = time.perf_counter() - t0
    c["cpu_seconds"] = time.process_time() - c0
    return _finish(c, attrs), elapsed, errors


def check(name: str, got: dict[str, Any], truth: dict[str, Any]) -> bool:
    bad = [k for k in CHECKED if got.get(k) != truth.get(k)]
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
    truth = json.loads(Path(str(args.corpus) + ".truth.json").read_text())
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
        msgs = bgp_messages(data)
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
