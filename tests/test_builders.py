"""The builders (bmplib.builders): what they build decodes back to the same
model, and the wire structure is right by a second opinion -- the BGP PDUs are
parsed with scapy's BGP layer (a test-time tool, independent of bmplib), the
BMP framing and per-peer header by hand from RFC 7854's layout."""

from __future__ import annotations

import datetime as dt
import socket
import struct
from collections.abc import Iterator
from typing import Any

import pytest

import bmplib
from bmplib.bgp.attributes import OnlyToCustomer
from bmplib.nlri.vpn import VPNPrefix

scapy_bgp = pytest.importorskip("scapy.contrib.bgp")


@pytest.fixture(autouse=True)
def four_octet_scapy() -> Iterator[None]:
    """scapy's BGP layer reads 2-octet AS numbers unless told otherwise."""
    old = scapy_bgp.bgp_module_conf.use_2_bytes_asn
    scapy_bgp.bgp_module_conf.use_2_bytes_asn = False
    yield
    scapy_bgp.bgp_module_conf.use_2_bytes_asn = old


def scapy(pdu: bytes) -> Any:
    return scapy_bgp.BGPHeader(pdu)


def attrs_by_code(pkt: Any) -> dict[int, Any]:
    return {a.type_code: a for a in pkt[scapy_bgp.BGPUpdate].path_attr}


def walk_attributes(raw: bytes) -> list[tuple[int, int, bytes]]:
    """(flags, code, value) of each path attribute, by hand (RFC 4271 4.3)."""
    out, p = [], 0
    while p < len(raw):
        flags, code = raw[p], raw[p + 1]
        if flags & 0x10:
            n, vs = struct.unpack_from("!H", raw, p + 2)[0], p + 4
        else:
            n, vs = raw[p + 2], p + 3
        out.append((flags, code, raw[vs : vs + n]))
        p = vs + n
    return out


def update_attributes(pdu: bytes) -> list[tuple[int, int, bytes]]:
    wlen = struct.unpack_from("!H", pdu, 19)[0]
    alen = struct.unpack_from("!H", pdu, 21 + wlen)[0]
    return walk_attributes(pdu[23 + wlen : 23 + wlen + alen])


def test_route_monitoring_in_a_few_lines() -> None:
    msg = bmplib.route_monitoring(
        peer=bmplib.peer_header(address="192.0.2.1", asn=65001, timestamp=1_700_000_000.5),
        update=bmplib.update(
            announce=["10.0.0.0/24"],
            as_path=[65001, 4200000000],
            next_hop="192.0.2.1",
            communities=["65001:100", "NO_EXPORT"],
        ),
    )
    wire = bmplib.encode(msg)
    assert bmplib.decode(wire) == msg
    # BMP common header and per-peer header (RFC 7854 sections 4.1, 4.2)
    version, length, msg_type = struct.unpack_from("!BIB", wire)
    assert (version, length, msg_type) == (3, len(wire), 0)
    ptype, flags, dist, addr, asn, bgp_id, sec, usec = struct.unpack_from("!BB8s16sI4sII", wire, 6)
    assert (ptype, flags, dist) == (0, 0, bytes(8))
    assert addr == bytes(12) + socket.inet_aton("192.0.2.1")
    assert (asn, socket.inet_ntoa(bgp_id), sec, usec) == (65001, "192.0.2.1", 1_700_000_000, 500_000)
    # the UPDATE, by scapy
    pkt = scapy(wire[48:])
    assert pkt.marker == (1 << 128) - 1 and pkt.len == len(wire) - 48 and pkt.type == 2
    upd = pkt[scapy_bgp.BGPUpdate]
    assert [n.prefix for n in upd.nlri] == ["10.0.0.0/24"]
    assert upd.withdrawn_routes_len == 0
    attrs = attrs_by_code(pkt)
    assert sorted(attrs) == [1, 2, 3, 8]
    assert attrs[1].attribute.origin == 0
    segments = attrs[2].attribute.segments
    assert [(s.segment_type, s.segment_value) for s in segments] == [(2, [65001, 4200000000])]
    assert attrs[3].attribute.next_hop == "192.0.2.1"
    # scapy keeps only the first community of the attribute: check it, and the value octets by hand
    assert attrs[8].attribute.community == (65001 << 16) | 100
    assert [v for f, c, v in update_attributes(wire[48:]) if c == 8] == [struct.pack("!II", 0xFDE90064, 0xFFFFFF01)]


def test_update_attribute_defaults() -> None:
    upd = bmplib.update(
        announce=["10.0.0.0/24", "10.0.1.0/24"],
        withdraw=["10.9.0.0/16"],
        as_path=[65001, {65010, 65005}],
        next_hop="192.0.2.1",
        med=5,
        local_pref=200,
        large_communities=["65001:1:2"],
        extended_communities=["target:65000:100", "origin:192.0.2.1:7", "target:4200000000:1"],
        atomic_aggregate=True,
        aggregator=(65001, "192.0.2.1"),
    )
    pdu = bmplib.encode(upd)
    # type code order, standard flags (RFC 4271 section 5, RFC 4360, RFC 8092)
    flags = [(c, f) for f, c, _ in update_attributes(pdu)]
    assert flags == [
        (1, 0x40),
        (2, 0x40),
        (3, 0x40),
        (4, 0x80),
        (5, 0x40),
        (6, 0x40),
        (7, 0xC0),
        (16, 0xC0),
        (32, 0xC0),
    ]
    pkt = scapy(pdu)
    u = pkt[scapy_bgp.BGPUpdate]
    assert [n.prefix for n in u.withdrawn_routes] == ["10.9.0.0/16"]
    assert [n.prefix for n in u.nlri] == ["10.0.0.0/24", "10.0.1.0/24"]
    attrs = attrs_by_code(pkt)
    segs = attrs[2].attribute.segments
    assert [(s.segment_type, s.segment_value) for s in segs] == [(2, [65001]), (1, [65005, 65010])]
    assert attrs[4].attribute.med == 5 and attrs[5].attribute.local_pref == 200
    # scapy reads AGGREGATOR with a 2-octet AS whatever its setting: by hand (RFC 6793: 4 + 4 octets)
    assert [v for f, c, v in update_attributes(pdu) if c == 7] == [
        struct.pack("!I", 65001) + socket.inet_aton("192.0.2.1")
    ]
    ext = next(v for f, c, v in update_attributes(pdu) if c == 16)
    assert ext == bytes.fromhex("0002fde800000064" + "0103c00002010007" + "0202fa56ea000001")
    assert bmplib.decode(bmplib.encode(bmplib.route_monitoring(None, upd))).update == upd
    assert [str(c) for c in upd.extended_communities] == [
        "target:65000:100",
        "origin:192.0.2.1:7",
        "target:4200000000:1",
    ]


def test_withdraw_only_update_has_no_path_attributes() -> None:
    upd = bmplib.update(withdraw=["10.9.0.0/16"])
    assert upd.attributes == []
    pdu = bmplib.encode(upd)
    assert scapy(pdu)[scapy_bgp.BGPUpdate].path_attr_len == 0


def test_ipv6_update_goes_in_mp_reach() -> None:
    upd = bmplib.update(
        announce=["2001:db8:100::/48"], as_path=[65001], next_hop="2001:db8::1", next_hop_link_local="fe80::1"
    )
    pdu = bmplib.encode(upd)
    attrs = attrs_by_code(scapy(pdu))
    assert sorted(attrs) == [1, 2, 14]
    assert attrs[14].type_flags == 0x90
    mp = attrs[14].attribute
    assert (mp.afi, mp.safi, mp.nh_addr_len) == (2, 1, 32)
    assert (mp.nh_v6_global, mp.nh_v6_link_local) == ("2001:db8::1", "fe80::1")
    assert [n.prefix for n in mp.nlri] == ["2001:db8:100::/48"]
    back = bmplib.decode(bmplib.encode(bmplib.route_monitoring(bmplib.peer_header("2001:db8::1"), upd)))
    assert back.update.next_hop == "2001:db8::1" and back.update.get(14).next_hop.link_local == "fe80::1"
    wd = bmplib.update(withdraw=["2001:db8:100::/48"])
    mpu = attrs_by_code(scapy(bmplib.encode(wd)))[15].attribute
    assert (mpu.afi, mpu.safi) == (2, 1)


def test_ipv4_with_ipv6_next_hop_is_rfc_8950() -> None:
    upd = bmplib.update(announce=["10.0.0.0/24"], as_path=[65001], next_hop="2001:db8::1")
    assert upd.nlri == [] and upd.get(3) is None
    mp = upd.get(14)
    assert (mp.afi, mp.safi, mp.next_hop.address) == (1, 1, "2001:db8::1")


def test_vpn_routes_get_an_rd_next_hop() -> None:
    route = VPNPrefix.from_text("65000:100", "10.1.0.0/24", labels=[16001])
    upd = bmplib.update(announce=[route], as_path=[65001], next_hop="192.0.2.1")
    mp = upd.get(14)
    assert mp.next_hop.raw == bytes(8) + socket.inet_aton("192.0.2.1")  # RFC 4364 section 4.3.2
    back = bmplib.decode(bmplib.encode(bmplib.route_monitoring(None, upd)))
    assert [str(r) for r in back.update.announced] == ["65000:100:10.1.0.0/24"]
    assert back.update.announced[0].labels == (16001,)


def test_two_octet_session_gets_as_trans_and_as4_path() -> None:
    upd = bmplib.update(announce=["10.0.0.0/24"], as_path=[65001, 4200000000], next_hop="192.0.2.1", asn4=False)
    scapy_bgp.bgp_module_conf.use_2_bytes_asn = True
    attrs = attrs_by_code(scapy(bmplib.encode(upd)))
    assert attrs[2].attribute.segments[0].segment_value == [65001, 23456]
    assert attrs[17].type_flags == 0xC0
    ctx = bmplib.DecodeContext(asn4=False)
    back = bmplib.decode(bmplib.encode(bmplib.route_monitoring(bmplib.peer_header(as2=True), upd), ctx), ctx)
    assert back.update.as_path.asns == [65001, 4200000000]


def test_open_message() -> None:
    o = bmplib.open_message(
        4200000000,
        "192.0.2.9",
        90,
        families=["ipv4-unicast", (2, 1)],
        add_path={"ipv4-unicast": "both"},
        extended_message=True,
        graceful_restart=120,
    )
    pdu = bmplib.encode(o)
    pkt = scapy(pdu)
    op = pkt[scapy_bgp.BGPOpen]
    assert (pkt.type, op.version, op.my_as, op.hold_time, op.bgp_id) == (1, 4, 23456, 90, "192.0.2.9")
    assert op.opt_param_len == len(pdu) - 29
    param = op.opt_params[0]
    assert param.param_type == 2 and param.param_length == op.opt_param_len - 2
    codes, p = [], 31
    while p < len(pdu):  # the capabilities of the one parameter, by hand (RFC 5492)
        codes.append(pdu[p])
        p += 2 + pdu[p + 1]
    assert codes == [1, 1, 2, 6, 64, 65, 69]
    back = bmplib.decode(bmplib.encode(bmplib.peer_up(None, sent_open=o, received_open=o))).sent_open
    assert back == o
    assert (back.asn, back.families, back.addpath, back.extended_message) == (
        4200000000,
        [(1, 1), (2, 1)],
        {(1, 1): 3},
        True,
    )


def test_notification() -> None:
    n = bmplib.notification(6, 2, shutdown_message="going down for maintenance")
    pkt = scapy(bmplib.encode(n))
    note = pkt[scapy_bgp.BGPNotification]
    assert (pkt.type, note.error_code, note.error_subcode) == (3, 6, 2)
    assert note.data == bytes((26,)) + b"going down for maintenance"
    assert n.shutdown_message == "going down for maintenance"
    assert bmplib.notification(4).code == 4 and bmplib.notification(4).code.name == "HOLD_TIMER_EXPIRED"


def test_peer_up_peer_down_initiation_termination_stats() -> None:
    peer = bmplib.peer_header("2001:db8::1", 65001, "192.0.2.1", post_policy=True, timestamp=0)
    up = bmplib.peer_up(peer, "2001:db8::2", local_asn=65000, information=["lab"])
    wire = bmplib.encode(up)
    assert wire[5] == 3 and wire[7] == 0xC0  # V and L flags
    assert wire[48:64] == socket.inet_pton(socket.AF_INET6, "2001:db8::2")
    assert struct.unpack_from("!HH", wire, 64) == (179, 40179)
    sent = scapy(wire[68:])[scapy_bgp.BGPOpen]
    assert (sent.my_as, sent.bgp_id) == (65000, "192.0.2.254")
    assert wire.endswith(b"\x00\x00\x00\x03lab")
    assert bmplib.decode(wire) == up
    assert bmplib.decode(wire).received_open.asn == 65001

    down = bmplib.peer_down(peer, notification=bmplib.notification(6, 4))
    wire = bmplib.encode(down)
    assert wire[48] == 1 and scapy(wire[49:])[scapy_bgp.BGPNotification].error_subcode == 4
    assert bmplib.decode(wire) == down
    assert bmplib.decode(bmplib.encode(bmplib.peer_down(peer, fsm_event=7))).fsm_event == 7
    assert bmplib.peer_down(peer).reason == 4
    assert bmplib.decode(bmplib.encode(bmplib.peer_down(peer, 3, notification=bmplib.notification(4)))).reason == 3

    init = bmplib.initiation(sys_name="r1", sys_descr="lab router", strings=["hello"])
    wire = bmplib.encode(init)
    assert wire[6:] == b"\x00\x01\x00\x0alab router" + b"\x00\x02\x00\x02r1" + b"\x00\x00\x00\x05hello"
    assert bmplib.decode(wire).sys_name == "r1"

    term = bmplib.termination(1, "bye")
    wire = bmplib.encode(term)
    assert wire[6:] == b"\x00\x00\x00\x03bye" + b"\x00\x01\x00\x02\x00\x01"
    assert bmplib.decode(wire).reason == 1

    stats = bmplib.stats_report(peer, {0: 3, 7: 2**40, 9: {(1, 1): 10, (2, 1): 20}, 65531: b"\x01\x02"})
    wire = bmplib.encode(stats)
    assert struct.unpack_from("!I", wire, 48)[0] == 5
    back = bmplib.decode(wire)
    assert back == stats
    assert [(s.type, s.value, s.afi, s.safi) for s in back.stats if s.type == 9] == [(9, 10, 1, 1), (9, 20, 2, 1)]


def test_peer_header_flags_and_time() -> None:
    assert bmplib.peer_header("2001:db8::1").flags == 0x80
    assert bmplib.peer_header(post_policy=True, as2=True, adj_rib_out=True).flags == 0x70
    loc = bmplib.peer_header("192.0.2.1", peer_type=3, rd="65000:100", filtered=True)
    assert loc.flags == 0x80 and loc.is_filtered and str(loc.rd) == "65000:100"
    rd = bmplib.peer_header(peer_type=1, rd="192.0.2.1:7")
    assert rd.rd is not None and str(rd.rd) == "192.0.2.1:7" and rd.table == bmplib.Table.ADJ_RIB_IN_PRE
    when = dt.datetime(2024, 5, 1, 12, 0, 0, 250_000, tzinfo=dt.timezone.utc)
    p = bmplib.peer_header(timestamp=when)
    assert p.datetime == when and p.timestamp_usec == 250_000
    assert bmplib.peer_header(timestamp=1.9999999).timestamp_sec == 2
    assert bmplib.peer_header("2001:db8::1").bgp_id == "0.0.0.0"


@pytest.mark.parametrize(
    ("build", "field"),
    [
        (lambda: bmplib.update(announce=["10.0.0.0/24"]), "next_hop"),
        (lambda: bmplib.update(announce=["10.0.0.0/33"], next_hop="192.0.2.1"), "prefix"),
        (lambda: bmplib.update(announce=["2001:db8::/32", "10.0.0.0/8"], next_hop="2001:db8::1"), "announce"),
        (lambda: bmplib.update(announce=[42], next_hop="192.0.2.1"), "announce"),
        (lambda: bmplib.update(announce=["10.0.0.0/8"], next_hop="192.0.2.1", origin="bgp"), "origin"),
        (lambda: bmplib.update(communities=["65536:1"]), "community"),
        (lambda: bmplib.update(large_communities=["1:2"]), "large_communities"),
        (lambda: bmplib.update(extended_communities=["color:1"]), "extended_communities"),
        (lambda: bmplib.update(med=1, attributes=[OnlyToCustomer(1), OnlyToCustomer(2)]), "attributes"),
        (lambda: bmplib.open_message(families=["ipv5-unicast"]), "families"),
        (lambda: bmplib.open_message(add_path={(1, 1): "sometimes"}), "add_path"),
        (lambda: bmplib.peer_header(timestamp=dt.datetime(2024, 1, 1)), "timestamp"),
        (lambda: bmplib.peer_header(timestamp=-1), "timestamp"),
        (lambda: bmplib.peer_down(None, 4, notification=bmplib.notification(6, 2)), "notification"),
        (lambda: bmplib.peer_down(None, 1, fsm_event=1), "fsm_event"),
        (lambda: bmplib.route_monitoring(None, None), "update"),
        (lambda: bmplib.stats_report(None, {65531: 5}), "stats[65531]"),
        (lambda: bmplib.stats_report(None, {9: 5}), "stats[9]"),
        (lambda: bmplib.termination(70000), "reason"),
        (lambda: bmplib.notification(6, 2, b"x", shutdown_message="y"), "data"),
    ],
)
def test_builder_errors_name_the_argument(build: Any, field: str) -> None:
    with pytest.raises(bmplib.EncodeError) as info:
        bmplib.encode(build())
    assert info.value.field == field


def test_end_of_rib() -> None:
    assert bmplib.encode(bmplib.end_of_rib()) == b"\xff" * 16 + bytes.fromhex("0017020000 0000".replace(" ", ""))
    for fam in ("ipv4-unicast", "ipv6-unicast", "evpn", (1, 128)):
        msg = bmplib.route_monitoring(None, bmplib.end_of_rib(fam))
        back = bmplib.decode(bmplib.encode(msg))
        assert back.update.is_end_of_rib and back.update.end_of_rib == (fam if isinstance(fam, str) else "ipv4-vpn")
