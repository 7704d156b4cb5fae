"""The user views of an UPDATE: End-of-RIB (RFC 4724), the effective AS path
(RFC 6793 section 4.2.3), announced / withdrawn across the classic fields and
MP-BGP, ``msg.update``; and the exporter quirks the stream decoder handles
(FRR's 2-octet AS_PATH with the A flag clear, GoBGP's ADD-PATH pre-policy
messages)."""

from __future__ import annotations

import struct

import bmplib
from bmplib.bgp.attributes import AS_TRANS, ASPath
from bmplib.bgp.update import Update, decode_update
from bmplib.session import DecodeContext
from tests.conftest import PCAPS

AS2 = DecodeContext(asn4=False)
AS4 = DecodeContext(asn4=True)


def tlv(flags: int, code: int, value: bytes) -> bytes:
    return struct.pack("!BBB", flags, code, len(value)) + value


def update(attrs: bytes, nlri: bytes = b"", withdrawn: bytes = b"", ctx: DecodeContext = AS4) -> Update:
    body = struct.pack("!H", len(withdrawn)) + withdrawn + struct.pack("!H", len(attrs)) + attrs + nlri
    u = decode_update(body, 0, len(body), ctx)
    assert u.encode_body() == body
    return u


def seq2(*asns: int) -> bytes:
    return bytes([2, len(asns)]) + struct.pack(f"!{len(asns)}H", *asns)


def seq4(*asns: int) -> bytes:
    return bytes([2, len(asns)]) + struct.pack(f"!{len(asns)}I", *asns)


def test_end_of_rib_ipv4_and_mp() -> None:
    u = update(b"")
    assert u.is_end_of_rib and u.end_of_rib_family == (1, 1) and u.end_of_rib == "ipv4-unicast"
    assert bmplib.to_json(u)["end_of_rib"] == "ipv4-unicast"
    v6 = update(tlv(0x80, 15, struct.pack("!HB", 2, 1)))
    assert v6.end_of_rib_family == (2, 1) and v6.end_of_rib == "ipv6-unicast"
    evpn = update(tlv(0x80, 15, struct.pack("!HB", 25, 70)))
    assert evpn.end_of_rib == "evpn"
    # withdrawals are not End-of-RIB
    assert not update(b"", withdrawn=bytes([8, 10])).is_end_of_rib
    assert not update(tlv(0x80, 15, struct.pack("!HB", 2, 1) + bytes([32]) + bytes.fromhex("20010db8"))).is_end_of_rib


def test_effective_as_path_merges_as4_path() -> None:
    """RFC 6793 section 4.2.3: the leading AS numbers of AS_PATH that
    AS4_PATH lacks, then AS4_PATH."""
    attrs = (
        tlv(0x40, 1, b"\x00")
        + tlv(0x40, 2, seq2(65000, 64496, AS_TRANS, 65001))
        + tlv(0xC0, 17, seq4(64496, 4200000200, 65001))
    )
    u = update(attrs, ctx=AS2)
    assert not u.get(2).asn4
    assert u.as_path is not None and u.as_path.asns == [65000, 64496, 4200000200, 65001]
    assert len(u.as_path.segments) == 1 and u.as_path.asn4


def test_effective_as_path_with_an_as_set() -> None:
    as_path = seq2(65000, AS_TRANS) + bytes([1, 2]) + struct.pack("!HH", 64512, 64513)
    as4 = seq4(4200000001) + bytes([1, 2]) + struct.pack("!II", 64512, 64513)
    u = update(tlv(0x40, 2, as_path) + tlv(0xC0, 17, as4), ctx=AS2)
    assert str(u.as_path) == "65000 4200000001 {64512 64513}"


def test_as4_path_ignored_when_longer_or_with_a_real_aggregator() -> None:
    longer = tlv(0x40, 2, seq2(65001)) + tlv(0xC0, 17, seq4(64496, 4200000200))
    assert update(longer, ctx=AS2).as_path.asns == [65001]
    aggregated = (
        tlv(0x40, 2, seq2(65001, AS_TRANS))
        + tlv(0xC0, 7, struct.pack("!H", 65001) + bytes([192, 0, 2, 1]))
        + tlv(0xC0, 17, seq4(4200000200))
    )
    assert update(aggregated, ctx=AS2).as_path.asns == [65001, AS_TRANS]
    # a 4-octet session ignores AS4_PATH altogether
    four = tlv(0x40, 2, seq4(65001, 65002)) + tlv(0xC0, 17, seq4(4200000200))
    u = update(four)
    assert u.as_path is u.get(2) and u.as_path.asns == [65001, 65002]


def test_announced_and_withdrawn_across_classic_and_mp() -> None:
    v6 = bytes.fromhex("20010db8000000000000000000000001")
    attrs = (
        tlv(0x40, 1, b"\x00")
        + tlv(0x40, 2, seq4(65001))
        + tlv(0x40, 3, bytes([192, 0, 2, 1]))
        + tlv(0x80, 14, struct.pack("!HBB", 2, 1, 16) + v6 + b"\x00" + bytes([48]) + bytes.fromhex("20010db80001"))
        + tlv(0x80, 15, struct.pack("!HB", 2, 1) + bytes([32]) + bytes.fromhex("20010db9"))
    )
    u = update(attrs, nlri=bytes([24, 10, 0, 0]), withdrawn=bytes([16, 172, 16]))
    assert [(str(r), r.family) for r in u.announced] == [("10.0.0.0/24", (1, 1)), ("2001:db8:1::/48", (2, 1))]
    assert [(str(r), r.family) for r in u.withdrawn] == [("172.16.0.0/16", (1, 1)), ("2001:db9::/32", (2, 1))]
    assert u.next_hop == "192.0.2.1"  # NEXT_HOP first, then MP_REACH's
    assert u.origin == 0 and u.med is None and u.local_pref is None and u.communities == ()
    assert u.large_communities == [] and u.extended_communities == [] and u.action is None


def test_next_hop_view_from_mp_reach() -> None:
    v6 = bytes.fromhex("20010db8000000000000000000000001")
    ll = bytes.fromhex("fe800000000000000000000000000001")
    u = update(tlv(0x80, 14, struct.pack("!HBB", 2, 1, 32) + v6 + ll + b"\x00"))
    assert u.next_hop == "2001:db8::1" and u.mp_reach.next_hop.link_local == "fe80::1"


def test_msg_update_on_route_monitoring() -> None:
    seen = 0
    for m in bmplib.iter_file(PCAPS / "gobgp_unicast.bmp"):
        if m.type == 0:
            assert isinstance(m.update, Update) and m.update is m.bgp
            seen += 1
        assert getattr(m, "update", None) is None or m.type == 0
    assert seen > 100


def test_frr_two_octet_as_path_with_a_flag_clear() -> None:
    """FRR 8.4 sends 2-octet AS_PATHs for peer fd00:b::14 (no 4-octet AS
    capability) with the A flag clear: the stream decoder's Peer Up context
    gets it right, and the effective path ends with AS4_PATH (4-octet AS
    numbers in place of AS_TRANS)."""
    found = 0
    for m in bmplib.iter_file(PCAPS / "frr_unicast.bmp"):
        u = getattr(m, "update", None)
        if u is None or m.peer.address != "fd00:b::14" or not m.peer.flags & 0x80:
            continue
        assert not m.peer.is_as2  # the A flag is clear...
        assert u.problems == []
        path = u.get(2)
        if isinstance(path, ASPath) and path.segments:
            assert not path.asn4  # ...but the AS_PATH is 2-octet
            if u.get(17) is not None:
                as4 = u.get(17).asns
                assert u.as_path.asns[-len(as4) :] == as4 and AS_TRANS not in u.as_path.asns
                assert any(a > 0xFFFF for a in u.as_path.asns)
                found += 1
    assert found >= 2


def test_gobgp_addpath_pre_policy_carries_path_ids() -> None:
    pre = 0
    for m in bmplib.iter_file(PCAPS / "gobgp_addpath.bmp"):
        u = getattr(m, "update", None)
        if u is None or m.peer.peer_type != 0 or m.peer.flags & 0x40:
            continue
        routes = u.announced + u.withdrawn
        assert u.problems == [] and routes
        assert all(r.path_id is not None for r in routes)
        pre += 1
    assert pre > 5


def test_addpath_captures_guess_only_where_the_exporter_strips_path_ids() -> None:
    """The sessions negotiated ADD-PATH (peer sends, router receives), so the
    Adj-RIB-In context says path identifiers.  GoBGP's pre-policy messages
    have them; its post-policy ones (re-encoded) and all of FRR 8.4's do not:
    those NLRI do not parse with path identifiers, are read without, and say
    so (``path_ids_guessed``).  tshark agrees on every route
    (test_update_captures)."""
    kinds: dict[tuple[str, bool], set[tuple[bool, bool]]] = {}
    for name in ("gobgp_addpath", "frr_addpath"):
        for m in bmplib.iter_file(PCAPS / f"{name}.bmp"):
            u = getattr(m, "update", None)
            if u is None or m.peer.peer_type != 0:
                continue
            routes = u.announced + u.withdrawn
            assert routes and u.problems == []
            has_ids = {r.path_id is not None for r in routes}
            assert len(has_ids) == 1
            kinds.setdefault((name, m.peer.is_post_policy), set()).add((u.path_ids_guessed, has_ids.pop()))
    assert kinds == {
        ("gobgp_addpath", False): {(False, True)},
        ("gobgp_addpath", True): {(True, False)},
        ("frr_addpath", False): {(True, False)},
        ("frr_addpath", True): {(True, False)},
    }


def test_path_id_guess_both_ways() -> None:
    attrs = tlv(0x40, 1, b"\x00") + tlv(0x40, 2, seq4(65001)) + tlv(0x40, 3, bytes([192, 0, 2, 1]))
    plain = bytes([24, 10, 0, 0])
    with_id = struct.pack("!I", 0x21000007) + plain  # first octet 33: not a prefix length
    u = update(attrs, nlri=plain, ctx=DecodeContext(addpath=frozenset({(1, 1)})))
    assert u.path_ids_guessed and u.nlri[0].path_id is None and str(u.nlri[0]) == "10.0.0.0/24"
    u = update(attrs, nlri=with_id)
    assert u.path_ids_guessed and u.nlri[0].path_id == 0x21000007
    u = update(attrs, nlri=with_id, ctx=DecodeContext(addpath=frozenset({(1, 1)})))
    assert not u.path_ids_guessed and u.nlri[0].path_id == 0x21000007
    # octets that parse both ways are read as the context says: no guess
    ambiguous = struct.pack("!I", 7) + plain
    u = update(attrs, nlri=ambiguous)
    assert not u.path_ids_guessed and [str(p) for p in u.nlri][:3] == ["0.0.0.0/0"] * 3
    mp = tlv(0x80, 15, struct.pack("!HB", 2, 1) + bytes([64]) + bytes(8))
    u = update(mp, ctx=DecodeContext(addpath=frozenset({(2, 1)})))
    assert u.path_ids_guessed and u.mp_unreach.path_ids_guessed and str(u.withdrawn[0]) == "::/64"


def test_routes_as_sent_and_as_rfc_7606_reads_them() -> None:
    """6WIND/FRR 8.0.1 (docs/quirks.md): classic NLRI without NEXT_HOP.  RFC
    7606 section 3 d makes them withdrawals; announced_as_sent and
    treated_as_withdrawn keep the router's reading."""
    attrs = tlv(0x40, 1, b"\x00") + tlv(0x40, 2, b"\x02\x01\x00\x00\xfd\xe9")
    u = update(attrs, nlri=bytes([24, 192, 0, 2, 16, 10, 1]))
    sent = ["192.0.2.0/24", "10.1.0.0/16"]
    assert u.announced == [] and u.action is not None and u.action.value == "treat-as-withdraw"
    assert [str(r) for r in u.withdrawn] == sent
    assert [str(r) for r in u.announced_as_sent] == sent
    assert [str(r) for r in u.treated_as_withdrawn] == sent
    # with NEXT_HOP the readings agree and nothing is treated as withdrawn
    ok = update(attrs + tlv(0x40, 3, bytes([192, 0, 2, 1])), nlri=bytes([24, 192, 0, 2]))
    assert ok.announced == ok.announced_as_sent != [] and ok.treated_as_withdrawn == []
