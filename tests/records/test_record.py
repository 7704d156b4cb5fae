"""The route record (bmplib.records): fields from hand-packed messages and
from every shipped capture."""

from __future__ import annotations

import json
import socket
import struct

import pytest

import bmplib
from bmplib.records import FIELDS, RouteRecord, iter_routes
from tests.conftest import PCAPS
from tests.records import wire


def test_every_field_from_a_hand_packed_update() -> None:
    data = wire.route_monitoring(
        wire.FULL_ATTRS, wire.prefix4("203.0.113.0/24") + wire.prefix4("198.51.100.128/25"),
        wire.prefix4("192.0.2.0/24"),
    )  # fmt: skip
    recs = list(iter_routes(data))
    assert [(r.action, r.reason, r.prefix) for r in recs] == [
        ("withdraw", "explicit", "192.0.2.0/24"),
        ("announce", None, "203.0.113.0/24"),
        ("announce", None, "198.51.100.128/25"),
    ]
    w, a, _ = recs
    assert w.origin is None and w.as_path is None and w.attr_set is None and w.atomic_aggregate is None
    assert (a.source, a.router, a.offset, a.time) == (None, None, 0, 1_700_000_000.25)
    assert (a.peer_type, a.peer_distinguisher, a.peer_address, a.peer_asn, a.peer_bgp_id, a.table) == (
        0, None, "192.0.2.1", 65001, "10.0.0.1", "adj-rib-in-pre",
    )  # fmt: skip
    assert (a.family, a.rd, a.labels, a.path_id, a.evpn_route_type, a.esi, a.ethernet_tag, a.mac, a.ip) == (
        "ipv4-unicast", None, None, None, None, None, None, None, None,
    )  # fmt: skip
    assert a.origin == "igp"
    assert a.as_path == "65001 65002 {7 8}"
    assert (a.origin_as, a.path_length) == (None, 3)  # ends in an AS_SET; a set counts 1 (RFC 4271 9.1.2.2)
    assert (a.next_hop, a.med, a.local_pref) == ("192.0.2.9", 50, 200)
    assert a.communities == "65001:100 NO_EXPORT"
    assert a.extended_communities == "target:65001:7"
    assert a.large_communities == "65001:1:2"
    assert (a.originator_id, a.cluster_list) == ("10.9.9.9", "10.0.0.1 10.0.0.2")
    assert (a.aggregator, a.atomic_aggregate, a.otc) == ("65009 192.0.2.77", True, 65010)
    assert len(a.attr_set or "") == 16
    assert recs[2].attr_set == a.attr_set
    out = a.__json__()
    assert list(out) == list(FIELDS) == [f for f in RouteRecord.__slots__]  # type: ignore[attr-defined]
    json.dumps(out)


def test_mp_routes_take_the_mp_next_hop() -> None:
    attrs = wire.attr(0x40, 1, b"\x02") + wire.attr(0x40, 2, b"\x02\x01" + struct.pack("!I", 65001))
    attrs += wire.mp_reach6("2001:db8::1", ["2001:db8:1::/48"]) + wire.mp_unreach6(["2001:db8:2::/48"])
    recs = list(iter_routes(wire.route_monitoring(attrs)))
    assert [(r.family, r.action, r.prefix, r.next_hop, r.origin, r.origin_as) for r in recs] == [
        ("ipv6-unicast", "withdraw", "2001:db8:2::/48", None, None, None),
        ("ipv6-unicast", "announce", "2001:db8:1::/48", "2001:db8::1", "incomplete", 65001),
    ]


def test_treat_as_withdraw() -> None:
    # ORIGIN 5 is malformed: RFC 7606 section 7.1 says treat-as-withdraw
    attrs = wire.attr(0x40, 1, b"\x05") + wire.attr(0x40, 2, b"") + wire.attr(0x40, 3, socket.inet_aton("192.0.2.9"))
    recs = list(iter_routes(wire.route_monitoring(attrs, wire.prefix4("203.0.113.0/24"))))
    assert [(r.action, r.reason, r.prefix, r.origin) for r in recs] == [
        ("withdraw", "treat-as-withdraw", "203.0.113.0/24", None)
    ]


@pytest.mark.parametrize("name", sorted(p.name for p in PCAPS.glob("*.bmp")))
def test_one_record_per_route_of_every_capture(name: str) -> None:
    path = PCAPS / name
    want = 0
    for item in bmplib.iter_file(path):
        u = getattr(item, "update", None)
        if u is not None and item.type == 0:
            want += len(u.announced) + len(u.withdrawn)
    recs = list(iter_routes(path))
    assert len(recs) == want
    assert want > 0 or "mirror" in name  # a Route Mirroring capture holds no Route Monitoring
    assert all(r.source == str(path) for r in recs)
    # the same capture as pcap: the same routes, with the router's address
    pcap = list(iter_routes(path.with_suffix(".pcap")))
    assert [(r.offset, r.prefix, r.action, r.attr_set) for r in pcap] == [
        (r.offset, r.prefix, r.action, r.attr_set) for r in recs
    ]
    assert {r.router for r in pcap} == ({"127.0.0.1"} if recs else set())
