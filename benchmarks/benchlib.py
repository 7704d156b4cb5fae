"""What the benchmarks share: the counters of a corpus's ground truth
(``<corpus>.truth.json``, written by ``../shared/bench/make_corpus.py``), the
Route Monitoring framing walk that hands the peers their BGP messages, and the
walks of bmplib's and mrtparse's output that compute those counters.

Used by ``bench_compare.py`` and ``bench_decode.py`` (run as scripts from this
folder, so ``import benchlib`` finds it).
"""

from __future__ import annotations

import collections
import json
import struct
from pathlib import Path
from typing import Any

_COMMON = struct.Struct("!BIB")
COUNTERS = (
    "messages",
    "ipv4_nlri",
    "ipv4_withdrawn",
    "ipv6_mp_reach",
    "ipv6_mp_unreach",
    "evpn_mp_reach",
    "evpn_mp_unreach",
    "evpn_type2",
    "evpn_type5",
    "other_routes",
    "prefix_len_sum",
    "as_path_asns",
    "as_path_asn_sum",
    "as_set_segments",
    "communities",
    "large_communities",
    "ext_communities",
)
CHECKED = (*COUNTERS, "prefixes_total", "attributes_total", "attr_count_by_type")


def read_truth(corpus: Path) -> dict[str, Any] | None:
    """The corpus's ground truth, None when it has no ``<corpus>.truth.json`` (a capture)."""
    path = Path(str(corpus) + ".truth.json")
    truth: dict[str, Any] | None = json.loads(path.read_text()) if path.exists() else None
    return truth


def compare(got: dict[str, Any], want: dict[str, Any], checked: tuple[str, ...] = CHECKED) -> list[str]:
    """The *checked* counters in which *got* differs from *want* (a counter *want* lacks counts as 0)."""
    return [k for k in checked if got.get(k) != want.get(k, 0 if k in COUNTERS else None)]


def finish(c: dict[str, Any], acount: Any) -> dict[str, Any]:
    attrs = {str(k): v for k, v in sorted(dict(acount).items()) if v}
    c["attr_count_by_type"] = attrs
    c["attributes_total"] = sum(attrs.values())
    c["announced_total"] = c["ipv4_nlri"] + c["ipv6_mp_reach"] + c["evpn_mp_reach"]
    c["withdrawn_total"] = c["ipv4_withdrawn"] + c["ipv6_mp_unreach"] + c["evpn_mp_unreach"]
    c["prefixes_total"] = c["announced_total"] + c["withdrawn_total"] + c["other_routes"]
    return c


def route_monitoring_bgp(data: bytes, limit: int = 0) -> list[bytes]:
    """The BGP message of every Route Monitoring message (BMP framing stripped)."""
    out = []
    pos = 0
    n = len(data)
    while pos + 6 <= n:
        _, length, msg_type = _COMMON.unpack_from(data, pos)
        if length < 6:
            break
        if msg_type == 0 and length >= 48 + 19:
            out.append(data[pos + 48 : pos + length])
            if limit and len(out) >= limit:
                break
        pos += length
    return out


def walk_bmplib(items: Any) -> dict[str, Any]:
    c = dict.fromkeys(COUNTERS, 0)
    acount = [0] * 256
    msgs = n4 = w4 = r6 = u6 = re = ue = t2 = t5 = other = plen = asns = asn_sum = sets = 0
    comms = large = ext = 0
    for m in items:
        u = getattr(m, "update", None)
        if u is None:
            continue
        msgs += 1
        for p in u.withdrawn_routes:
            w4 += 1
            plen += p.length
            _ = p.packed
        for p in u.nlri:
            n4 += 1
            plen += p.length
            _ = p.packed
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
            elif code == 14 or code == 15:
                routes = a.nlri if code == 14 else a.withdrawn
                if code == 14:
                    nh = a.next_hop
                    _ = nh.address
                    _ = nh.link_local
                if a.afi == 2 and a.safi == 1:
                    for p in routes:
                        plen += p.length
                        _ = p.packed
                    if code == 14:
                        r6 += len(routes)
                    else:
                        u6 += len(routes)
                elif a.afi == 25 and a.safi == 70:
                    for r in routes:
                        rt = r.route_type
                        if rt == 2:
                            t2 += 1
                            _ = r.mac
                            _ = r.ip
                            _ = r.label1
                        elif rt == 5:
                            t5 += 1
                            _ = r.prefix
                            _ = r.label
                        _ = r.rd
                    if code == 14:
                        re += len(routes)
                    else:
                        ue += len(routes)
                else:
                    other += len(routes)
            elif code == 16:
                for e in a.communities:
                    ext += 1
                    _ = e.type
                    _ = e.subtype
            elif code == 32:
                for v in a.values:
                    large += 1
                    _ = v[2]
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
            elif code == 9:
                _ = a.originator_id
            elif code == 10:
                _ = len(a.cluster_ids)
    c.update(
        messages=msgs, ipv4_nlri=n4, ipv4_withdrawn=w4, ipv6_mp_reach=r6, ipv6_mp_unreach=u6, evpn_mp_reach=re,
        evpn_mp_unreach=ue, evpn_type2=t2, evpn_type5=t5, other_routes=other, prefix_len_sum=plen,
        as_path_asns=asns, as_path_asn_sum=asn_sum, as_set_segments=sets, communities=comms,
        large_communities=large, ext_communities=ext,
    )  # fmt: skip
    return finish(c, enumerate(acount))


def first_messages(data: bytes, limit: int) -> bytes:
    """The stream up to its *limit*-th Route Monitoring message (the peers'
    subset: route_monitoring_bgp(data, limit))."""
    pos = count = 0
    while pos + 6 <= len(data) and count < limit:
        _, length, msg_type = _COMMON.unpack_from(data, pos)
        if length < 6:
            break
        pos += length
        count += msg_type == 0 and length >= 48 + 19
    return data[:pos]


def run_mrtparse(msgs: list[bytes]) -> tuple[dict[str, Any], int, dict[str, Any]]:
    import mrtparse

    mrtparse.as_len(4)
    mrtparse.is_add_path(False)
    c = dict.fromkeys(COUNTERS, 0)
    acount: collections.Counter[int] = collections.Counter()
    errors = 0
    for raw in msgs:
        try:
            bm = mrtparse.BgpMessage(raw)
            bm.unpack()
        except Exception:  # a peer decoder's failure is counted, not fatal
            errors += 1
            continue
        d = bm.data
        if "path_attributes" not in d:
            errors += 1
            continue
        c["messages"] += 1
        for p in d["withdrawn_routes"]:
            c["ipv4_withdrawn"] += 1
            c["prefix_len_sum"] += p["length"]
            _ = p["prefix"]
        for p in d["nlri"]:
            c["ipv4_nlri"] += 1
            c["prefix_len_sum"] += p["length"]
            _ = p["prefix"]
        for a in d["path_attributes"]:
            (code,) = a["type"]
            acount[code] += 1
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
            elif code in (14, 15):
                routes = v.get("nlri" if code == 14 else "withdrawn_routes", [])
                (afi,) = v["afi"]
                (safi,) = v["safi"]
                if afi == 2 and safi == 1:
                    c["ipv6_mp_reach" if code == 14 else "ipv6_mp_unreach"] += len(routes)
                    for p in routes:
                        c["prefix_len_sum"] += p["length"]
                elif afi == 25 and safi == 70:
                    c["evpn_mp_reach" if code == 14 else "evpn_mp_unreach"] += len(routes)
                    for r in routes:
                        rt = r.get("type")
                        rt = rt[0] if isinstance(rt, (list, tuple)) else rt
                        c["evpn_type2"] += rt == 2
                        c["evpn_type5"] += rt == 5
                else:
                    c["other_routes"] += len(routes)
    return finish(c, acount), errors, {}
