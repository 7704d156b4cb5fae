"""bmplib.rib on hand-built sessions (bmplib.builders): MAC moves, duplicate
Peer Ups / Downs, explicit withdrawals around a Peer Down, reconnects,
thresholds; and Hypothesis properties (chunking, interleaving, reconnect,
apply-then-query against a naive dict model)."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

import bmplib
from bmplib import builders as b
from bmplib.bgp.attributes.evpn_communities import MACMobility
from bmplib.nlri.esi import ESI
from bmplib.nlri.evpn import MACIPAdvertisement
from bmplib.nlri.inet import InetPrefix
from bmplib.nlri.rd import RouteDistinguisher
from bmplib.rib import RIB, WithdrawCause, inet_key, inet_prefix
from bmplib.testing.strategies import updates


def _wire(msgs: list[Any]) -> bytes:
    return b"".join(bmplib.encode(m) for m in msgs)


def _decode(data: bytes) -> list[Any]:
    dec = bmplib.BMPDecoder()
    dec.feed(data)
    return list(dec)


def _mac_route(rd: str, mac: str, esi: bytes = bytes(10)) -> MACIPAdvertisement:
    admin, num = rd.split(":")
    raw = int(admin).to_bytes(2, "big") + bytes(2) + int(num).to_bytes(4, "big")
    return MACIPAdvertisement(RouteDistinguisher(bytes(2) + raw[:2] + raw[4:]), ESI(esi), 0, mac, "10.1.1.5", 100)


def test_mac_moved_with_mac_mobility_sequence_and_sticky() -> None:
    pe1 = b.peer_header("192.0.2.1", 65001, timestamp=1000.0)
    pe2 = b.peer_header("192.0.2.2", 65002, timestamp=1010.0)
    evpn = [(25, 70)]
    msgs = [
        b.initiation(sys_name="dut"),
        b.peer_up(pe1, sent_open=b.open_message(families=evpn), received_open=b.open_message(65001, families=evpn)),
        b.peer_up(pe2, sent_open=b.open_message(families=evpn), received_open=b.open_message(65002, families=evpn)),
        b.route_monitoring(pe1, b.update([_mac_route("65001:1", "aa:bb:cc:00:00:01")], next_hop="192.0.2.1")),
        b.route_monitoring(
            pe2,
            b.update(
                [_mac_route("65002:1", "aa:bb:cc:00:00:01")], next_hop="192.0.2.2",
                extended_communities=[MACMobility(0x06, 0x00, 0x01, 0, 1)],
            ),
        ),
    ]
    rib = RIB()
    events = [e for m in _decode(_wire(msgs)) for e in rib.apply(m)]
    moved = [e for e in events if e.name == "mac_moved"]
    assert len(moved) == 1
    mv = moved[0]
    assert (mv.mac, mv.old_next_hop, mv.new_next_hop) == ("aa:bb:cc:00:00:01", "192.0.2.1", "192.0.2.2")
    assert (mv.old_sequence, mv.new_sequence, mv.sticky) == (None, 1, True)
    assert mv.__json__()["event"] == "mac_moved"
    assert rib.mac_last_seen("aa:bb:cc:00:00:01") == 1010.0
    assert rib.ip_last_seen("10.1.1.5") == 1010.0
    # the same MAC from two PEs on one non-zero ESI is multihoming, not a move
    esi = bytes([0, 1, 2, 3, 4, 5, 6, 7, 8, 9])
    rib2 = RIB()
    msgs2 = [
        b.route_monitoring(pe1, b.update([_mac_route("65001:1", "aa:bb:cc:00:00:02", esi)], next_hop="192.0.2.1")),
        b.route_monitoring(pe2, b.update([_mac_route("65002:1", "aa:bb:cc:00:00:02", esi)], next_hop="192.0.2.2")),
    ]
    assert not [e for m in _decode(_wire(msgs2)) for e in rib2.apply(m) if e.name == "mac_moved"]


def test_evpn_type2_key_excludes_label_and_esi() -> None:
    ph = b.peer_header("192.0.2.1", 65001)
    r1 = _mac_route("65001:1", "aa:bb:cc:00:00:03")
    r2 = MACIPAdvertisement(r1.rd, ESI(bytes([0] + [1] * 9)), 0, r1.mac, r1.ip, 200)
    rib = RIB()
    ev1 = rib.apply(b.route_monitoring(ph, b.update([r1], next_hop="192.0.2.1")))
    ev2 = rib.apply(b.route_monitoring(ph, b.update([r2], next_hop="192.0.2.1")))
    assert [e.name for e in ev1] == ["route_added"]
    # same key: a change of the route (its ESI moved: RFC 7432 section 15 calls that a MAC move)
    assert [e.name for e in ev2] == ["route_changed", "mac_moved"] and ev2[0].changed == ["nlri"]
    assert len(rib) == 1


def test_peer_down_per_table_and_explicit_withdrawals_around_it() -> None:
    pre = b.peer_header("192.0.2.9", 65009, timestamp=5.0)
    post = b.peer_header("192.0.2.9", 65009, post_policy=True, timestamp=5.0)
    msgs = [
        b.peer_up(pre), b.peer_up(post),  # one per table (Huawei)
        b.route_monitoring(pre, b.update(["10.0.0.0/24", "10.0.1.0/24"], next_hop="192.0.2.9", as_path=[65009])),
        b.route_monitoring(post, b.update(["10.0.0.0/24", "10.0.1.0/24"], next_hop="192.0.2.9", as_path=[65009])),
        b.route_monitoring(post, b.update(withdraw=["10.0.0.0/24"])),  # explicit, before
        b.peer_down(pre, 2, fsm_event=0), b.peer_down(post, 2, fsm_event=0),  # one per table
        b.route_monitoring(post, b.update(withdraw=["10.0.1.0/24"])),  # explicit, after
    ]  # fmt: skip
    rib = RIB()
    events = [e for m in _decode(_wire(msgs)) for e in rib.apply(m)]
    names = [e.name for e in events]
    assert names.count("peer_up") == 1 and names.count("peer_down") == 1
    wd = [(e.route.table.value, e.route.text, e.cause) for e in events if e.name == "route_withdrawn"]
    assert sorted(wd) == sorted([
        ("adj-rib-in-post", "10.0.0.0/24", WithdrawCause.EXPLICIT),
        ("adj-rib-in-pre", "10.0.0.0/24", WithdrawCause.PEER_DOWN),
        ("adj-rib-in-pre", "10.0.1.0/24", WithdrawCause.PEER_DOWN),
        ("adj-rib-in-post", "10.0.1.0/24", WithdrawCause.PEER_DOWN),
    ])  # fmt: skip
    assert len(rib) == 0 and rib.peers()[0].state == "down"


def test_reconnect_withdraws_what_does_not_come_back_at_end_of_rib() -> None:
    ph = b.peer_header("192.0.2.9", 65009, timestamp=5.0)
    first = [
        b.initiation(sys_name="r1"), b.peer_up(ph),
        b.route_monitoring(ph, b.update(["10.0.0.0/24", "10.0.1.0/24"], next_hop="192.0.2.9", as_path=[1])),
        b.route_monitoring(ph, b.end_of_rib()),
    ]  # fmt: skip
    second = [
        b.initiation(sys_name="r1"), b.peer_up(ph),
        b.route_monitoring(ph, b.update(["10.0.0.0/24"], next_hop="192.0.2.9", as_path=[1])),
        b.route_monitoring(ph, b.end_of_rib()),
    ]  # fmt: skip
    rib = RIB()
    for m in _decode(_wire(first)):
        rib.apply(m)
    events = [e for m in _decode(_wire(second)) for e in rib.apply(m)]
    assert [(e.name, getattr(e, "cause", None)) for e in events] == [
        ("end_of_rib", None), ("route_withdrawn", WithdrawCause.DISCONNECT),
    ]  # fmt: skip
    assert events[1].route.text == "10.0.1.0/24"
    assert [r.text for r in rib.routes()] == ["10.0.0.0/24"]


def test_reconnect_grace_time() -> None:
    ph = b.peer_header("192.0.2.9", 65009, timestamp=5.0)
    later = b.peer_header("192.0.2.9", 65009, timestamp=100.0)
    rib = RIB(grace=30)
    rib.apply(b.route_monitoring(ph, b.update(["10.0.0.0/24"], next_hop="192.0.2.9", as_path=[1])))
    rib.disconnect("router")
    assert len(rib) == 1  # stale, still held
    assert rib.apply(b.stats_report(ph, {7: 1})) and len(rib) == 1
    ev = rib.apply(b.stats_report(later, {7: 1}))
    assert [(e.name, getattr(e, "cause", None)) for e in ev] == [("route_withdrawn", "disconnect")]


def test_threshold_events() -> None:
    ph = b.peer_header("192.0.2.9", 65009)
    rib = RIB()
    rib.set_threshold(2, peer="192.0.2.9")
    ev = rib.apply(b.route_monitoring(ph, b.update(["10.0.0.0/24"], next_hop="192.0.2.9", as_path=[1])))
    assert [e.name for e in ev] == ["route_added"]
    ev = rib.apply(b.route_monitoring(ph, b.update(["10.0.1.0/24"], next_hop="192.0.2.9", as_path=[1])))
    assert [e.name for e in ev] == ["route_added", "threshold"] and ev[1].direction == "above"
    ev = rib.apply(b.route_monitoring(ph, b.update(withdraw=["10.0.1.0/24"])))
    assert ev[-1].name == "threshold" and ev[-1].direction == "below" and ev[-1].count == 1


def test_stats_events_only_on_change_and_unstable_routes() -> None:
    ph = b.peer_header("192.0.2.9", 65009)
    rib = RIB()
    assert [e.name for e in rib.apply(b.stats_report(ph, {7: 5}))] == ["stats"]
    assert rib.apply(b.stats_report(ph, {7: 5})) == []
    ev = rib.apply(b.stats_report(ph, {7: 6}))
    assert ev[0].changed == {7: (5, 6)}
    for med in (1, 2, 3):
        rib.apply(b.route_monitoring(ph, b.update(["10.0.0.0/24"], next_hop="192.0.2.9", as_path=[1], med=med)))
    assert [r.changes for r in rib.unstable()] == [2]


@given(st.integers(0, 2**32 - 1), st.integers(0, 32), st.none() | st.integers(0, 2**32 - 1))
def test_inet_key_round_trip(addr: int, length: int, pid: int | None) -> None:
    packed = (addr >> (32 - length) << (32 - length)).to_bytes(4, "big")[: (length + 7) >> 3]
    p = InetPrefix((1, 1), length, packed, pid)
    assert inet_prefix((1, 1), inet_key(p)) == p


# -- properties -------------------------------------------------------------------
_PREFIXES = [f"10.0.{i}.0/24" for i in range(6)] + ["2001:db8::/48", "2001:db8:1::/48"]
_PEERS = ["192.0.2.1", "192.0.2.2"]


@st.composite
def sessions(draw: st.DrawFn) -> list[Any]:
    """Initiation, Peer Ups, then announcements / withdrawals / Peer Downs of two peers."""
    out: list[Any] = [b.initiation(sys_name="r")]
    for i, addr in enumerate(_PEERS):
        out.append(b.peer_up(b.peer_header(addr, 65001 + i)))
    for _ in range(draw(st.integers(1, 25))):
        i = draw(st.integers(0, 1))
        ph = b.peer_header(_PEERS[i], 65001 + i, post_policy=draw(st.booleans()))
        kind = draw(st.sampled_from(["announce", "announce", "withdraw", "down"]))
        prefixes = draw(st.lists(st.sampled_from(_PREFIXES), min_size=1, max_size=3, unique=True))
        v4 = [p for p in prefixes if "." in p]
        v6 = [p for p in prefixes if ":" in p]
        if kind == "announce":
            med = draw(st.integers(0, 2))
            if v4:
                out.append(b.route_monitoring(ph, b.update(v4, next_hop="192.0.2.9", as_path=[65001], med=med)))
            if v6:
                out.append(b.route_monitoring(ph, b.update(v6, next_hop="2001:db8::9", as_path=[65001], med=med)))
        elif kind == "withdraw":
            out.append(b.route_monitoring(ph, b.update(withdraw=prefixes)))
        else:
            out.append(b.peer_down(ph, 2, fsm_event=0))
            out.append(b.peer_up(b.peer_header(_PEERS[i], 65001 + i)))
    return out


def _naive(messages: list[Any]) -> dict[tuple[str, str, str], Any]:
    """The state by hand: (peer, table, prefix) -> MED."""
    state: dict[tuple[str, str, str], Any] = {}
    for m in messages:
        if isinstance(m, bmplib.PeerDown):
            state = {k: v for k, v in state.items() if k[0] != m.peer.address}
        elif isinstance(m, bmplib.RouteMonitoring):
            t = m.peer.table.value
            for r in m.update.withdrawn:
                state.pop((m.peer.address, t, str(r)), None)
            for r in m.update.announced:
                state[(m.peer.address, t, str(r))] = m.update.med
    return state


def _state(rib: RIB) -> dict[tuple[str, str, str], Any]:
    return {(r.peer.address, r.table.value, r.text): r.attributes.get(4).med for r in rib.routes()}


@settings(max_examples=60, deadline=None)
@given(sessions(), st.data())
def test_apply_then_query_matches_a_naive_model_under_any_chunking(session: list[Any], data: st.DataObject) -> None:
    wire = _wire(session)
    cuts = sorted(data.draw(st.lists(st.integers(0, len(wire)), max_size=8)))
    dec = bmplib.BMPDecoder()
    rib = RIB()
    events: list[Any] = []
    last = 0
    for c in [*cuts, len(wire)]:
        dec.feed(wire[last:c])
        last = c
        for m in dec:
            events += rib.apply(m)
    assert _state(rib) == _naive(_decode(wire))
    # events replayed by hand give the same state
    held: dict[Any, Any] = {}
    for e in events:
        if e.name in ("route_added", "route_changed"):
            held[(e.route.peer.address, e.route.table.value, e.route.text)] = e.route.attributes.get(4).med
        elif e.name == "route_withdrawn":
            del held[(e.route.peer.address, e.route.table.value, e.route.text)]
    assert held == _state(rib)


@settings(max_examples=40, deadline=None)
@given(sessions(), sessions(), st.data())
def test_interleaved_routers_are_independent(s1: list[Any], s2: list[Any], data: st.DataObject) -> None:
    m1, m2 = _decode(_wire(s1)), _decode(_wire(s2))
    order = data.draw(st.permutations([0] * len(m1) + [1] * len(m2)))
    rib = RIB()
    it = [iter(m1), iter(m2)]
    for i in order:
        rib.apply(next(it[i]), router=f"r{i}")
    one = {(r.peer.address, r.table.value, r.text) for r in rib.routes(router="r0")}
    assert one == set(_naive(m1))
    two = {(r.peer.address, r.table.value, r.text) for r in rib.routes(router="r1")}
    assert two == set(_naive(m2))


@settings(max_examples=40, deadline=None)
@given(sessions())
def test_replaying_a_session_after_a_reconnect_adds_nothing(session: list[Any]) -> None:
    msgs = _decode(_wire(session))
    rib = RIB()
    for m in msgs:
        rib.apply(m)
    before = _state(rib)
    # the router reconnects and re-sends only its current state
    dump: list[Any] = [b.initiation(sys_name="r")]
    for p in rib.peers():
        dump.append(b.peer_up(b.peer_header(p.address, p.asn)))
    for r in rib.routes():
        ph = b.peer_header(r.peer.address, r.peer.asn, post_policy=r.table.value.endswith("post"))
        nh = "192.0.2.9" if ":" not in r.text else "2001:db8::9"
        med = r.attributes.get(4).med
        dump.append(b.route_monitoring(ph, b.update([r.text], next_hop=nh, as_path=[65001], med=med)))
    events = [e for m in _decode(_wire(dump)) for e in rib.apply(m)]
    events += rib.complete_redump("router")
    assert [e for e in events if e.name in ("route_added", "route_changed", "route_withdrawn")] == []
    assert _state(rib) == before


@settings(max_examples=200, deadline=None)
@given(updates())
def test_attribute_pool_round_trip(u: Any) -> None:
    from bmplib.rib.model import AttributePool

    pool = AttributePool()
    plain = [a for a in u.attributes if a.type_code not in (14, 15) and type(a).__name__ != "MalformedAttribute"]
    mp = u.mp_reach
    idx = pool.intern(plain, None if mp is None else mp.next_hop)
    view = pool.view(idx)  # rebuilt from the stored octets (intern keeps no objects)
    assert [a.encode() for a in view.attributes] == [a.encode() for a in plain]
    assert pool.intern(list(view.attributes), view.mp_next_hop) == idx
