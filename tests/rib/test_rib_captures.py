"""bmplib.rib on the real captures: end state and events against what the
timelines say was announced, withdrawn and shut down (../shared/pcaps/*.timeline.txt)."""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

import pytest

import bmplib
from bmplib.rib import RIB, WithdrawCause
from tests.conftest import CAPTURES, PCAPS, PUBLIC_PCAPS


def replay(path: Any, rib: RIB | None = None, router: str | None = None) -> tuple[RIB, list[Any]]:
    rib = rib if rib is not None else RIB()
    events: list[Any] = []
    for item in bmplib.iter_file(path):
        events += rib.apply(item, router=router)
    return rib, events


@pytest.mark.parametrize("name", CAPTURES)
def test_every_capture_replays_and_events_are_json(name: str) -> None:
    rib, events = replay(PCAPS / f"{name}.bmp")
    held: Counter[Any] = Counter()
    for ev in events:
        record = ev.__json__()
        assert json.loads(json.dumps(record)) == record
        if ev.name == "route_added":
            held[(ev.route.store, ev.route.key)] += 1
        elif ev.name == "route_withdrawn":
            held[(ev.route.store, ev.route.key)] -= 1
    # every route added is withdrawn once at most, and the rest is what the RIB holds
    assert all(v in (0, 1) for v in held.values())
    assert sum(held.values()) == len(rib)
    # the pcap of the same session gives the same state
    cap, _ = replay(PCAPS / f"{name}.pcap", router="router")
    assert sorted(r.text for r in cap.routes()) == sorted(r.text for r in rib.routes())


def test_gobgp_unicast_timeline() -> None:
    rib = RIB()
    events: list[Any] = []
    state_before_termination = None
    for item in bmplib.iter_file(PCAPS / "gobgp_unicast.bmp"):
        if item.type == bmplib.MessageType.TERMINATION:
            state_before_termination = {(r.peer.address, r.table.value, r.text) for r in rib.routes()}
        events += rib.apply(item)
    assert state_before_termination is not None
    # 32.76s: 198.19.0.0/24 re-announced with a longer AS path and MED 30
    changed = [e for e in events if e.name == "route_changed" and e.route.text == "198.19.0.0/24"]
    assert {e.route.table.value for e in changed} == {"adj-rib-in-pre", "adj-rib-in-post", "loc-rib"}
    assert all(set(e.changed) >= {2, 4} for e in changed)
    assert changed[0].route.attributes.get(4).med == 30
    # 32.76s: explicit withdrawals of 185.10.0.0/16 and 10.21.0.0/16 in every table
    for prefix in ("185.10.0.0/16", "10.21.0.0/16", "2001:db8:4000::/34"):
        w = [e for e in events if e.name == "route_withdrawn" and e.route.text == prefix]
        assert {e.cause for e in w} == {WithdrawCause.EXPLICIT}
        assert {e.route.table.value for e in w} == {"adj-rib-in-pre", "adj-rib-in-post", "loc-rib"}
    # 88.75s: shutdown of fd00:b::22's session with a message: Peer Down with the RFC 9003 text
    downs = [e for e in events if e.name == "peer_down"]
    texts = {e.peer.address: e.text for e in downs if e.text}
    assert texts == {"fd00:b::22": "frrf maintenance"}
    # GoBGP sends post-policy / Loc-RIB withdrawals before its Peer Down, none for pre-policy:
    # the Peer Down withdraws exactly the pre-policy routes, nothing twice
    for down in downs:
        i = events.index(down)
        implicit = [e for e in events[i + 1 : i + 1 + down.withdrawn]]
        assert all(e.name == "route_withdrawn" and e.cause == WithdrawCause.PEER_DOWN for e in implicit)
        assert {e.route.table.value for e in implicit} <= {"adj-rib-in-pre"}
    keys = [(e.route.store, e.route.key) for e in events if e.name == "route_withdrawn"]
    adds = [(e.route.store, e.route.key) for e in events if e.name == "route_added"]
    assert len(keys) == len(adds)  # Termination withdrew the rest, once each
    term = [e for e in events if e.name == "route_withdrawn" and e.cause == WithdrawCause.TERMINATION]
    assert {(e.route.peer.address, e.route.table.value, e.route.text) for e in term} == state_before_termination
    assert len(rib) == 0
    # Loc-RIB routes with no Peer Up at all
    locrib = [p for p in rib.peers() if p.peer_type == 3]
    assert len(locrib) == 1 and locrib[0].peer_up is None
    # sysName from Initiation
    assert rib.routers["router"].sys_name == "gobgp-dut"


def test_frr_unicast_peer_down_reasons_and_post_policy_denies() -> None:
    rib, events = replay(PCAPS / "frr_unicast.bmp")
    reasons = Counter(int(e.reason) for e in events if e.name == "peer_down")
    assert set(reasons) <= {2, 3, 4}
    # every Peer Down of a peer holding routes withdrew them (FRR sends no withdrawals)
    for e in events:
        if e.name == "peer_down" and e.withdrawn:
            assert not any(len(s) for s in e.peer.stores()) or e.peer.state == "up"
    # pre-policy holds more than post-policy (the route-map denies 3 prefixes)
    counts = rib.counts(("peer", "table"))
    pre = sum(v for (p, t), v in counts.items() if t == "adj-rib-in-pre")
    post = sum(v for (p, t), v in counts.items() if t == "adj-rib-in-post")
    assert pre > post
    # longest match and covering lookups
    some = next(r for r in rib.routes(table="adj-rib-in-pre", family=(1, 1)) if r.nlri.length < 32)
    net = some.nlri.network
    host = str(net.network_address + 1) if net.num_addresses > 1 else str(net.network_address)
    found = rib.lookup(host, table="adj-rib-in-pre", peer=some.peer.address)
    assert found and all(f.nlri.length >= some.nlri.length for f in found)
    assert some.key in {r.key for r in rib.covering(some.nlri.prefix, table="adj-rib-in-pre")}
    assert some.key in {r.key for r in rib.covered(some.nlri.prefix, table="adj-rib-in-pre")}


def test_evpn_captures_route_keys() -> None:
    rib = RIB()
    events: list[Any] = []
    for item in bmplib.iter_file(PCAPS / "gobgp_vpn_evpn.bmp"):
        if item.type in (bmplib.MessageType.TERMINATION, bmplib.MessageType.PEER_DOWN):
            break
        events += rib.apply(item)
    evpn = list(rib.routes(family=(25, 70), table="adj-rib-in-pre"))
    types = {r.nlri.TYPE for r in evpn}
    assert types >= {1, 2, 3, 4, 5}
    # a type 2 route's key excludes its labels and ESI
    for r in evpn:
        if r.nlri.TYPE == 2:
            assert r.nlri.label1 not in r.key[:-1] or r.nlri.label1 == r.nlri.ethernet_tag
            assert r.nlri.esi.raw not in r.key
    vpn = list(rib.routes(family=(1, 128)))
    assert vpn and all(r.nlri.rd is not None for r in vpn)
    assert rib.multicast_macs() == [r for r in evpn if r.nlri.TYPE == 2 and r.nlri.is_multicast_mac]
    pairs = rib.macs_in_prefixes()
    for m, p in pairs:
        assert m.nlri.TYPE == 2 and p.nlri.TYPE == 5
    for r in evpn:
        if r.nlri.TYPE == 2:
            assert rib.mac_last_seen(r.nlri.mac) is not None


def test_addpath_paths_are_separate_routes() -> None:
    _rib, events = replay(PCAPS / "gobgp_addpath.bmp")
    pre = [e.route for e in events if e.name == "route_added" and e.route.table.value == "adj-rib-in-pre"]
    by_prefix: Counter[str] = Counter(r.nlri.prefix for r in pre)
    multi = [p for p, n in by_prefix.items() if n > 1]
    assert multi, "the capture has prefixes with several paths"
    assert all(r.path_id is not None for r in pre)
    # the withdraw of one path of a multi-path prefix leaves the other path
    wd = [e.route for e in events if e.name == "route_withdrawn" and e.cause == "explicit"
          and e.route.table.value == "adj-rib-in-pre"]  # fmt: skip
    assert wd


def test_reconnect_replaying_a_session_twice_adds_nothing() -> None:
    rib = RIB()
    items = [i for i in bmplib.iter_file(PCAPS / "frr_unicast.bmp")]
    first: list[Any] = []
    for i in items:
        first += rib.apply(i)
    before = {(r.store, r.key): r.value for r in rib.routes()}
    rib.disconnect("router")
    second: list[Any] = []
    for i in items:
        second += rib.apply(i)
    second += rib.complete_redump("router")
    after = {(r.store, r.key): r.value for r in rib.routes()}
    assert after.keys() == before.keys()
    # the replay repeats the capture's own Peer Downs/Ups, so routes come and go as in the first run,
    # but nothing is added on top of what the session itself does
    assert Counter(e.name for e in second)["route_added"] <= Counter(e.name for e in first)["route_added"]
    assert not [e for e in second if e.name == "route_withdrawn" and e.cause == WithdrawCause.DISCONNECT]


def test_frr_large_peer_down_withdraws_everything(frr_large: Any) -> None:
    from tests.conftest import SHARED_PCAPS

    rib = RIB(track_macs=False)
    downs = []
    for item in bmplib.iter_file(SHARED_PCAPS / "frr_large.bmp"):
        events = rib.apply(item)
        if item.type == bmplib.MessageType.PEER_DOWN and events:
            downs.append(events)
    big = max(downs, key=len)
    assert big[0].name == "peer_down" and big[0].withdrawn == len(big) - 1 > 300_000
    assert len(rib) == 0


PMACCT = [
    "200-BMP-HUAWEI-locrib_instance__traffic-00.pcap",
    "201-BMP-CISCO-rd_instance__traffic-00.pcap",
    "204-BMP-CISCO-peer_down__traffic-00.pcap",
    "403-IPFIXv10-BMP-IPv6-CISCO-locrib-peerdown-vrf__traffic-00.pcap",
]


def _pmacct(name: str) -> tuple[RIB, list[Any]]:
    path = PUBLIC_PCAPS / name
    if not path.exists():
        pytest.skip(f"{path} is absent")
    rib = RIB()
    events = [e for item in bmplib.iter_file(path, ports=[1790]) for e in rib.apply(item)]
    return rib, events


@pytest.mark.parametrize("name", PMACCT)
def test_pmacct_captures(name: str) -> None:
    rib, events = _pmacct(name)
    assert rib.peers()
    # nothing withdrawn twice, nothing withdrawn that was not added; the rest is held
    held: Counter[Any] = Counter()
    for ev in events:
        if ev.name in ("route_added", "route_withdrawn"):
            held[(ev.route.store, ev.route.key)] += 1 if ev.name == "route_added" else -1
            assert held[(ev.route.store, ev.route.key)] in (0, 1)
    assert sum(held.values()) == len(rib)
    # one peer_up event per peer and session, though Huawei sends one Peer Up per table (and per family)
    ups = [(e.router, e.peer.key) for e in events if e.name == "peer_up"]
    if "peer_down" not in name and "peerdown" not in name:
        assert len(set(ups)) == len(ups)


def test_pmacct_huawei_loc_rib_and_peer_up_per_table() -> None:
    rib, events = _pmacct(PMACCT[0])
    # 18 Peer Up messages (one per table, and per family for Loc-RIB): one event per peer
    assert len([e for e in events if e.name == "peer_up"]) == len(rib.peers()) == 5
    assert rib.counts(("table",)) == {("adj-rib-in-pre",): 68, ("loc-rib",): 16}
    locrib = [p for p in rib.peers() if p.peer_type == 3]
    assert len(locrib) == 3  # one Loc-RIB instance per VRF (distinguisher)
    assert all(p.families for p in locrib)


def test_pmacct_ios_xr_loc_rib_vrf_peer_down() -> None:
    """IOS XR: Loc-RIB instances with RFC 9069 VRF/Table Name TLVs; a Loc-RIB Peer Down (reason 6)
    withdraws that instance's routes, and IOS XR's explicit withdrawals find nothing twice."""
    rib, events = _pmacct(PMACCT[3])
    names = {p.table_name for p in rib.peers() if p.peer_type == 3}
    assert {"global", "A2"} <= names
    down = [e for e in events if e.name == "peer_down"]
    assert len(down) == 1 and down[0].peer.peer_type == 3 and down[0].withdrawn == 50
    implicit = [e for e in events if e.name == "route_withdrawn" and e.cause == WithdrawCause.PEER_DOWN]
    assert len(implicit) == 50 and {e.route.table.value for e in implicit} == {"loc-rib"}
    assert all(e.route.peer.table_name == down[0].peer.table_name for e in implicit)


def test_gobgp_families_mac_moves() -> None:
    """pcaps/gobgp_families: 02:11:22:33:44:10 moves 192.0.2.30 -> .31 -> .30 -> .31, GoBGP adding MAC
    Mobility sequence numbers none -> 0 -> 1 -> 5 (the last set through the API), then a sticky MAC."""
    rib, events = replay(PCAPS / "gobgp_families.bmp")
    moves = [e for e in events if e.name == "mac_moved"]
    # each move is seen once per router, in the first table that shows it (pre-policy)
    assert [(m.mac, m.old_next_hop, m.new_next_hop, m.old_sequence, m.new_sequence) for m in moves] == [
        ("02:11:22:33:44:10", "192.0.2.30", "192.0.2.31", None, 0),
        ("02:11:22:33:44:10", "192.0.2.31", "192.0.2.30", 0, 1),
        ("02:11:22:33:44:10", "192.0.2.30", "192.0.2.31", 1, 5),
    ]
    assert all(m.route.table.value == "adj-rib-in-pre" and not m.sticky for m in moves)
    assert moves[0].__json__()["event"] == "mac_moved"
    sticky = [
        e for e in events if e.name == "route_added" and getattr(e.route.nlri, "mac", None) == "02:11:22:33:44:5c"
    ]
    assert sticky
    from bmplib.bgp.attributes.evpn_communities import MACMobility

    mm = [c for c in sticky[0].route.attributes.extended_communities if isinstance(c, MACMobility)]
    assert [(c.sequence, c.sticky) for c in mm] == [(0, True)]
    assert rib.mac_last_seen("02:11:22:33:44:10") is not None


@pytest.mark.parametrize("name", CAPTURES)
def test_stored_attributes_come_back_equal(name: str) -> None:
    """Attribute sets are stored compactly and rebuilt on access: equal to the decoded ones."""
    rib = RIB()
    for item in bmplib.iter_file(PCAPS / f"{name}.bmp"):
        for ev in rib.apply(item):
            if ev.name in ("route_added", "route_changed"):
                u = item.update
                plain = [a for a in u.attributes if a.type_code not in (14, 15)]
                attrs = ev.route.attributes
                assert list(attrs.attributes) == plain
                assert [a.encode() for a in attrs.attributes] == [a.encode() for a in plain]
                mp = u.mp_reach
                classic = ev.route.family == (1, 1) and u.nlri
                assert attrs.mp_next_hop == (None if mp is None or classic else mp.next_hop)
