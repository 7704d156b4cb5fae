"""Every UPDATE of every shipped capture (Route Monitoring and Route
Mirroring) against tshark's decoding of the same capture, field by field,
and re-encoded to its exact octets.

The stream goes through :class:`bmplib.BMPDecoder` (``iter_file``), so the
per-peer session context from Peer Up decides the AS width and ADD-PATH; the
nth BMP PDU of tshark is the nth bmplib message (the BMP-layer oracle test
checks that alignment).
"""

from __future__ import annotations

import collections
import functools
import socket
from typing import Any

import pytest

import bmplib
from bmplib.bgp.attributes import (
    AS4Path,
    ASPath,
    Encapsulation,
    MPReachNLRI,
    MPUnreachNLRI,
    RouteOrigin,
    RouteTarget,
)
from bmplib.bgp.update import Update
from tests.bgp.tshark_bgp import INET_FAMILIES, summarize
from tests.bmp import tshark
from tests.bmp.test_roundtrip_real import split_messages
from tests.conftest import CAPTURES, LAB_CAPTURES, PCAPS, StreamCheck, StreamWalk

#: the captures whose every UPDATE is well formed and of a family tshark 4.0
#: decodes (the lab captures are checked by tests/test_lab_captures.py)
UPDATE_CAPTURES = [c for c in CAPTURES if c not in LAB_CAPTURES]


@pytest.fixture(params=UPDATE_CAPTURES)
def capture(request: pytest.FixtureRequest) -> str:
    name: str = request.param
    return name


def _routes(routes: list[Any]) -> list[tuple[str, int | None]]:
    return sorted(((str(r), r.path_id) for r in routes), key=lambda r: (r[0], -1 if r[1] is None else r[1]))


def _ext_value(c: Any) -> Any:
    if isinstance(c, (RouteTarget, RouteOrigin)):
        return (c.global_admin, c.local_admin)
    if isinstance(c, Encapsulation):
        return int(c.tunnel_type)
    return None


def model_summary(u: Update) -> dict[str, Any]:
    """bmplib's UPDATE in the shape of :func:`tests.bgp.tshark_bgp.summarize`."""
    s: dict[str, Any] = {
        "withdrawn": _routes(u.withdrawn_routes),
        "nlri": _routes(u.nlri),
        "attributes": [(a.type_code, a.flags) for a in u.attributes],
    }
    for a in u.attributes:
        code = a.type_code
        if code == 1:
            s["origin"] = int(a.origin)
        elif code in (2, 17):
            assert isinstance(a, (ASPath, AS4Path))
            s["as_path" if code == 2 else "as4_path"] = [(int(g.type), list(g.asns)) for g in a.segments]
        elif code == 3:
            s["next_hop"] = a.next_hop
        elif code == 4:
            s["med"] = a.med
        elif code == 5:
            s["local_pref"] = a.local_pref
        elif code == 7:
            s["aggregator"] = (a.asn, a.address)
        elif code == 8:
            s["communities"] = sorted(a.values)
        elif code == 9:
            s["originator_id"] = a.originator_id
        elif code == 10:
            s["cluster_list"] = list(a.cluster_ids)
        elif code == 16:
            s["ext_communities"] = [(c.type, c.subtype, _ext_value(c)) for c in a.communities]
        elif code == 32:
            s["large_communities"] = list(a.values)
        elif code == 14:
            assert isinstance(a, MPReachNLRI)
            routes = _routes(a.nlri) if a.family in INET_FAMILIES else None
            s["mp_reach"] = (a.afi, a.safi, a.next_hop.raw, routes)
        elif code == 15:
            assert isinstance(a, MPUnreachNLRI)
            s["mp_unreach"] = (a.afi, a.safi, _routes(a.withdrawn) if a.family in INET_FAMILIES else None)
    return s


@functools.cache
def updates(name: str) -> list[tuple[int, dict[str, Any], Any, bytes]]:
    """(tshark frame, tshark BGP dict, bmplib Update, BGP octets) of every
    UPDATE in a capture: one per Route Monitoring, each mirrored UPDATE.  A
    message bmplib could not decode is there as what bmplib returned (an
    error record), for the tests to report."""
    pdus = tshark.pdus(tshark.load(PCAPS / f"{name}.tshark.json.gz"))
    msgs = list(bmplib.iter_file(PCAPS / f"{name}.bmp"))
    raw = split_messages((PCAPS / f"{name}.bmp").read_bytes())
    assert len(pdus) == len(msgs) == len(raw)
    out = []
    for p, m, r in zip(pdus, msgs, raw):
        if p.type == 0:
            (bgp,) = tshark.bgp_messages(p)
            out.append((p.frame, bgp, getattr(m, "update", m), r[48:]))
        elif p.type == 6:
            theirs = [b for b in tshark.bgp_messages(p) if b.get("bgp.type") == "2"]
            ours = [x for x in getattr(m, "messages", [m]) if getattr(x, "type", None) == 2]
            if tshark.is_malformed(p):
                # tshark gave up inside this mirrored PDU: compare what it decoded
                theirs = [{**b, "_malformed": True} for b in theirs[: len(ours)]]
            assert len(theirs) == len(ours), f"frame {p.frame}"
            pos = 48
            for bgp, u in zip(theirs, ours):
                wire = r[pos + 4 : pos + 4 + int.from_bytes(r[pos + 2 : pos + 4], "big")]
                out.append((p.frame, bgp, u, wire))
                pos += 4 + len(wire)
    return out


def test_every_capture_has_updates() -> None:
    assert sum(len(updates(c)) for c in UPDATE_CAPTURES) > 1000


def test_updates_decode_without_problems(capture: str) -> None:
    for frame, _, u, _ in updates(capture):
        assert isinstance(u, Update), f"frame {frame}: {bmplib.to_json(u)}"
        assert u.problems == [], f"frame {frame}: {u.problems}"


def walk_prefixes(data: bytes) -> list[tuple[str, None]]:
    """IPv4 prefixes without path identifiers, walked independently of bmplib."""
    out, pos = [], 0
    while pos < len(data):
        plen = data[pos]
        n = (plen + 7) // 8
        out.append((f"{socket.inet_ntoa(data[pos + 1 : pos + 1 + n].ljust(4, bytes(1)))}/{plen}", None))
        pos += 1 + n
    assert pos == len(data)
    return sorted(out)


def test_updates_match_tshark(capture: str) -> None:
    """Where tshark flagged the PDU malformed (frr_unicast frame 96: a
    mirrored UPDATE whose withdrawn routes tshark's ADD-PATH heuristic read
    with path identifiers that were never negotiated), the classic withdrawn
    and NLRI fields are checked against an independent walk of the octets
    instead."""
    for frame, bgp, u, wire in updates(capture):
        assert isinstance(u, Update), f"frame {frame}: {bmplib.to_json(u)}"
        want, got = summarize(bgp), model_summary(u)
        if bgp.get("_malformed"):
            wlen = int.from_bytes(wire[19:21], "big")
            alen = int.from_bytes(wire[21 + wlen : 23 + wlen], "big")
            want["withdrawn"] = walk_prefixes(wire[21 : 21 + wlen])
            want["nlri"] = walk_prefixes(wire[23 + wlen + alen :])
        assert got == want, f"frame {frame}"


def test_updates_round_trip(capture: str) -> None:
    for frame, _, u, wire in updates(capture):
        assert isinstance(u, Update), f"frame {frame}: {bmplib.to_json(u)}"
        assert u.encode() == wire, f"frame {frame}"


@pytest.mark.parametrize("name", UPDATE_CAPTURES)
def test_views_agree_with_the_fields(name: str) -> None:
    """announced / withdrawn / next_hop / communities are the union of the
    classic fields and the MP attributes."""
    for frame, _, u, _ in updates(name):
        if not isinstance(u, Update):
            continue  # reported by the tests above
        mp, mpu = u.mp_reach, u.mp_unreach
        assert u.announced == u.nlri + (mp.nlri if mp else []), frame
        assert u.withdrawn == u.withdrawn_routes + (mpu.withdrawn if mpu else []), frame
        for route in u.announced + u.withdrawn:
            assert route.family is not None and hasattr(route, "path_id")
        nh = u.get(3)
        assert u.next_hop == (nh.next_hop if nh else (mp.next_hop.address if mp else None))
        comm = u.get(8)
        assert u.communities == (comm.values if comm else ())


class EveryUpdate(StreamCheck):
    """Every UPDATE decodes with no problem and re-encodes exactly; counts
    the Route Monitoring messages and their prefixes."""

    def __init__(self, data: bytes) -> None:
        super().__init__(data)
        self.counts: collections.Counter[str] = collections.Counter()

    def feed(self, m: Any) -> None:
        u = getattr(m, "update", None)
        if u is None:
            assert m.type != 0, bmplib.to_json(m)
            return
        assert u.problems == [] and not u.path_ids_guessed and not u.as_path_guessed, m.offset
        data, start = self.data, m.offset + 48
        assert u.encode() == data[start : start + int.from_bytes(data[start + 16 : start + 18], "big")], m.offset
        counts = self.counts
        counts["rm"] += 1
        counts["ipv4_nlri"] += len(u.nlri)
        counts["ipv4_withdrawn"] += len(u.withdrawn_routes)
        mp = u.mp_reach
        counts["ipv6_mp_reach"] += len(mp.nlri) if mp is not None and mp.family == (2, 1) else 0


@pytest.mark.frr_large(check=EveryUpdate)
def test_frr_large_every_update(frr_large: StreamWalk) -> None:
    """../shared/pcaps/frr_large.bmp (332,439 Route Monitoring messages from
    FRR): every UPDATE decodes with no problem and re-encodes exactly, and
    the prefix counts are tshark's (frr_large.summary.md).  Checked in the
    session's shared walk over the file (tests.conftest.frr_large)."""
    counts = frr_large.result(EveryUpdate).counts
    assert counts == {"rm": 332439, "ipv4_nlri": 253157, "ipv4_withdrawn": 9282, "ipv6_mp_reach": 70000}
