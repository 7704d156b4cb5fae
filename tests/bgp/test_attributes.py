"""Each path attribute decoded from bytes laid out as in its RFC, checked field
by field, and encoded back to the same bytes; the registries' extension
points; the JSON form."""

from __future__ import annotations

import struct
from collections.abc import Iterator
from typing import Any

import pytest

import bmplib
from bmplib.bgp.attributes import (
    AIGP,
    Aggregator,
    AS4Aggregator,
    AS4Path,
    ASPath,
    ASPathSegment,
    AtomicAggregate,
    AttrSet,
    ClusterList,
    Communities,
    Encapsulation,
    ExtendedCommunities,
    ExtendedCommunity,
    IPv6ExtendedCommunities,
    LargeCommunities,
    LinkBandwidth,
    LocalPref,
    MPNextHop,
    MPReachNLRI,
    MPUnreachNLRI,
    MultiExitDisc,
    NextHop,
    OnlyToCustomer,
    Origin,
    OriginatorID,
    OriginType,
    RouteOrigin,
    RouteTarget,
    SegmentType,
    TunnelType,
    UnknownAttribute,
    WellKnownCommunity,
    community_text,
    register_attribute,
    register_extended_community,
)
from bmplib.bgp.attributes.base import MalformedAttributeError, registry
from bmplib.bgp.attributes.communities import parse_community
from bmplib.bgp.attributes.extended_communities import _EXT_REGISTRY
from bmplib.bgp.update import Update, decode_update
from bmplib.errors import EncodeError
from bmplib.nlri.inet import InetPrefix
from bmplib.nlri.rd import RouteDistinguisher
from bmplib.nlri.registry import UnknownNLRI
from bmplib.session import DecodeContext

AS4 = DecodeContext(asn4=True)
AS2 = DecodeContext(asn4=False)


def tlv(flags: int, code: int, value: bytes) -> bytes:
    if flags & 0x10:
        return struct.pack("!BBH", flags, code, len(value)) + value
    return struct.pack("!BBB", flags, code, len(value)) + value


def one(attr_bytes: bytes, ctx: DecodeContext = AS4, *, announces: bool = False) -> Any:
    """Decode an UPDATE holding just this attribute; return it (round trip
    checked).  An MP_REACH_NLRI with routes alone *announces*: RFC 7606
    section 3 d then reports the missing ORIGIN and AS_PATH."""
    body = b"\x00\x00" + struct.pack("!H", len(attr_bytes)) + attr_bytes
    u = decode_update(body, 0, len(body), ctx)
    if announces:
        assert [(p.type_code, p.action.value) for p in u.problems] == [
            (1, "treat-as-withdraw"),
            (2, "treat-as-withdraw"),
        ]
    else:
        assert u.problems == [], u.problems
    assert len(u.attributes) == 1
    a = u.attributes[0]
    assert a.encode() == attr_bytes
    assert u.encode_body() == body
    return a


def test_origin() -> None:
    for v, name in ((0, "IGP"), (1, "EGP"), (2, "INCOMPLETE")):
        a = one(tlv(0x40, 1, bytes([v])))
        assert isinstance(a, Origin) and a.origin == v and a.origin.name == name and a.flags == 0x40


def test_as_path_4_octet_with_every_segment_type() -> None:
    value = (
        bytes([2, 2]) + struct.pack("!II", 65001, 4200000000)
        + bytes([1, 2]) + struct.pack("!II", 64512, 64513)
        + bytes([3, 1]) + struct.pack("!I", 65100)
        + bytes([4, 1]) + struct.pack("!I", 65200)
    )  # fmt: skip
    a = one(tlv(0x50, 2, value))  # extended length although short: kept
    assert isinstance(a, ASPath) and a.asn4 and not a.guessed and a.flags == 0x50
    assert [(s.type, s.asns) for s in a.segments] == [
        (SegmentType.AS_SEQUENCE, (65001, 4200000000)),
        (SegmentType.AS_SET, (64512, 64513)),
        (SegmentType.AS_CONFED_SEQUENCE, (65100,)),
        (SegmentType.AS_CONFED_SET, (65200,)),
    ]
    assert str(a) == "65001 4200000000 {64512 64513} (65100) [65200]"
    assert a.path_length == 3 and a.asns == [65001, 4200000000, 64512, 64513, 65100, 65200]
    assert a.origin_as is None  # ends with a confederation set


def test_as_path_2_octet_and_empty() -> None:
    a = one(tlv(0x40, 2, bytes([2, 3]) + struct.pack("!HHH", 65001, 23456, 65002)), AS2)
    assert not a.asn4 and a.segments[0].asns == (65001, 23456, 65002) and a.origin_as == 65002
    empty = one(tlv(0x40, 2, b""))
    assert empty.segments == [] and str(empty) == "" and empty.origin_as is None


def test_as_path_width_guess() -> None:
    """With asn_guess, a 2-octet AS_PATH under a 4-octet context is re-read
    as 2-octet and marked guessed (and the other way round)."""
    two = bytes([2, 3]) + struct.pack("!HHH", 65001, 23456, 65002)
    body = b"\x00\x00" + struct.pack("!H", 3 + len(two)) + tlv(0x40, 2, two)
    u = decode_update(body, 0, len(body), DecodeContext(asn4=True, asn_guess=True))
    assert u.problems == [] and u.as_path_guessed and u.as_path is not None
    assert u.as_path.asns == [65001, 23456, 65002] and not u.get(2).asn4
    assert u.encode_body() == body
    # without the guess it is malformed
    assert decode_update(body, 0, len(body), AS4).problems[0].type_code == 2
    four = bytes([2, 1]) + struct.pack("!I", 4200000001)
    body = b"\x00\x00" + struct.pack("!H", 3 + len(four)) + tlv(0x40, 2, four)
    u = decode_update(body, 0, len(body), DecodeContext(asn4=False, asn_guess=True))
    assert u.as_path_guessed and u.get(2).asn4 and u.as_path.asns == [4200000001]


def test_next_hop_med_local_pref_atomic() -> None:
    assert one(tlv(0x40, 3, bytes([192, 0, 2, 1]))) == NextHop("192.0.2.1", 0x40)
    assert one(tlv(0x80, 4, struct.pack("!I", 4294967295))) == MultiExitDisc(4294967295, 0x80)
    assert one(tlv(0x40, 5, struct.pack("!I", 200))) == LocalPref(200, 0x40)
    assert one(tlv(0x40, 6, b"")) == AtomicAggregate(0x40)


def test_aggregators() -> None:
    a = one(tlv(0xC0, 7, struct.pack("!I", 4200000000) + bytes([192, 0, 2, 9])))
    assert a == Aggregator(4200000000, "192.0.2.9", True, 0xC0)
    b = one(tlv(0xC0, 7, struct.pack("!H", 23456) + bytes([192, 0, 2, 9])), AS2)
    assert b == Aggregator(23456, "192.0.2.9", False, 0xC0)
    c = one(tlv(0xC0, 18, struct.pack("!I", 4200000000) + bytes([10, 0, 0, 1])))
    assert c == AS4Aggregator(4200000000, "10.0.0.1", 0xC0)


def test_communities_and_well_known_names() -> None:
    values = [0xFFFFFF01, 0xFFFFFF02, 0xFFFFFF03, 0xFFFFFF04, 0xFFFF029A, 0xFFFF0000, (65000 << 16) | 100]
    a = one(tlv(0xC0, 8, struct.pack(f"!{len(values)}I", *values)))
    assert isinstance(a, Communities) and list(a.values) == values
    assert a.text == [
        "NO_EXPORT",
        "NO_ADVERTISE",
        "NO_EXPORT_SUBCONFED",
        "NOPEER",
        "BLACKHOLE",
        "GRACEFUL_SHUTDOWN",
        "65000:100",
    ]
    assert WellKnownCommunity.LLGR_STALE == 0xFFFF0006 and community_text(0xFFFF0007) == "NO_LLGR"
    assert [parse_community(t) for t in a.text] == values
    with pytest.raises(EncodeError):
        parse_community("65536:1")


def test_large_communities() -> None:
    a = one(tlv(0xC0, 32, struct.pack("!6I", 65000, 1, 2, 4200000000, 3, 4)))
    assert isinstance(a, LargeCommunities)
    assert a.values == [(65000, 1, 2), (4200000000, 3, 4)] and a.text == ["65000:1:2", "4200000000:3:4"]


def test_originator_and_cluster_list() -> None:
    assert one(tlv(0x80, 9, bytes([10, 0, 0, 1]))) == OriginatorID("10.0.0.1", 0x80)
    assert one(tlv(0x80, 10, bytes([10, 0, 0, 2, 10, 0, 0, 3]))) == ClusterList(["10.0.0.2", "10.0.0.3"], 0x80)


def ext(*parts: bytes) -> ExtendedCommunities:
    a = one(tlv(0xC0, 16, b"".join(parts)))
    assert isinstance(a, ExtendedCommunities)
    return a


def test_extended_communities_typed() -> None:
    a = ext(
        bytes([0x00, 0x02]) + struct.pack("!HI", 65000, 100),  # RT 2-octet AS
        bytes([0x01, 0x02, 192, 0, 2, 1]) + struct.pack("!H", 7),  # RT IPv4
        bytes([0x02, 0x02]) + struct.pack("!IH", 4200000000, 9),  # RT 4-octet AS
        bytes([0x00, 0x03]) + struct.pack("!HI", 65000, 5),  # route origin
        bytes([0x01, 0x03, 10, 0, 0, 1]) + struct.pack("!H", 1),  # route origin IPv4
        bytes([0x40, 0x04]) + struct.pack("!Hf", 65000, 1.25e9),  # link bandwidth
        bytes([0x03, 0x0C, 0, 0, 0, 0, 0, 8]),  # encapsulation VXLAN
        bytes([0x03, 0x0C, 0, 0, 0, 0, 0, 250]),  # an unassigned tunnel type
        bytes([0x43, 0x0B, 1, 2, 3, 4, 5, 6]),  # not decoded: kept raw
    )
    c = a.communities
    assert c[0] == RouteTarget(0x00, 0x02, 65000, 100) and str(c[0]) == "target:65000:100"
    assert c[1] == RouteTarget(0x01, 0x02, "192.0.2.1", 7) and str(c[1]) == "target:192.0.2.1:7"
    assert c[2] == RouteTarget(0x02, 0x02, 4200000000, 9)
    assert c[3] == RouteOrigin(0x00, 0x03, 65000, 5) and str(c[3]) == "origin:65000:5"
    assert c[4] == RouteOrigin(0x01, 0x03, "10.0.0.1", 1)
    assert isinstance(c[5], LinkBandwidth) and c[5].asn == 65000 and c[5].bandwidth == 1.25e9
    assert c[6] == Encapsulation(0x03, 0x0C, TunnelType.VXLAN) and str(c[6]) == "encapsulation:vxlan"
    assert c[7].tunnel_type == 250 and not isinstance(c[7].tunnel_type, TunnelType)
    assert c[8] == ExtendedCommunity(0x43, 0x0B, bytes([1, 2, 3, 4, 5, 6])) and str(c[8]) == "0x43:0x0b:010203040506"


def test_link_bandwidth_nan_is_kept_raw() -> None:
    raw = bytes([0x40, 0x04]) + struct.pack("!H", 1) + b"\x7f\xc0\x00\x01"
    (c,) = ext(raw).communities
    assert isinstance(c, ExtendedCommunity) and c.encode() == raw


def test_ipv6_extended_communities() -> None:
    addr = bytes.fromhex("20010db8000000000000000000000001")
    a = one(tlv(0xC0, 25, bytes([0x00, 0x02]) + addr + struct.pack("!H", 5)))
    assert isinstance(a, IPv6ExtendedCommunities)
    (c,) = a.communities
    assert (c.type, c.subtype, c.address, c.local_admin) == (0, 2, "2001:db8::1", 5) and str(
        c
    ) == "target:2001:db8::1:5"


def test_aigp_otc_attr_set() -> None:
    a = one(tlv(0x80, 26, bytes([1]) + struct.pack("!HQ", 11, 1000)))
    assert isinstance(a, AIGP) and a.metric == 1000
    assert one(tlv(0xC0, 35, struct.pack("!I", 65000))) == OnlyToCustomer(65000, 0xC0)
    inner = (
        tlv(0x40, 1, b"\x00")
        + tlv(0x40, 2, bytes([2, 1]) + struct.pack("!I", 65010))
        + tlv(0xC0, 8, b"\x00\x01\x00\x02")
    )
    s = one(tlv(0xC0, 128, struct.pack("!I", 65010) + inner))
    assert isinstance(s, AttrSet) and s.origin_as == 65010
    assert [type(x) for x in s.attributes] == [Origin, ASPath, Communities]


def test_attr_set_with_mp_reach_inside_is_malformed() -> None:
    bad = tlv(0xC0, 128, struct.pack("!I", 1) + tlv(0x90, 14, b"\x00\x02\x01"))
    body = b"\x00\x00" + struct.pack("!H", len(bad)) + bad
    (p,) = decode_update(body, 0, len(body), AS4).problems
    assert p.type_code == 128 and "not allowed" in p.reason


def test_as4_path() -> None:
    a = one(tlv(0xC0, 17, bytes([2, 2]) + struct.pack("!II", 65001, 4200000000)))
    assert isinstance(a, AS4Path) and a.asns == [65001, 4200000000]


def test_unknown_attribute_kept() -> None:
    a = one(tlv(0xC0, 153, b"\xde\xad"))
    assert a == UnknownAttribute(153, b"\xde\xad", 0xC0) and a.name == "attr_153"


def test_mp_reach_next_hop_forms() -> None:
    v6 = bytes.fromhex("20010db8000000000000000000000001")
    ll = bytes.fromhex("fe800000000000000000000000000001")
    rd = RouteDistinguisher.from_text("65000:1").raw
    cases = [
        (bytes([192, 0, 2, 1]), "192.0.2.1", None, None),
        (v6, "2001:db8::1", None, None),
        (v6 + ll, "2001:db8::1", "fe80::1", None),
        (bytes(8) + bytes([192, 0, 2, 1]), "192.0.2.1", None, "0:0"),
        (rd + v6, "2001:db8::1", None, "65000:1"),
        (bytes(8) + v6 + bytes(8) + ll, "2001:db8::1", "fe80::1", "0:0"),
        (b"\x01\x02\x03", None, None, None),
    ]
    for raw, address, link_local, rd_text in cases:
        nh = MPNextHop(raw)
        assert (nh.address, nh.link_local) == (address, link_local)
        assert (None if nh.rd is None else str(nh.rd)) == rd_text
        assert nh.encode() == raw
    assert MPNextHop.from_addresses("2001:db8::1", "fe80::1").raw == v6 + ll


def test_mp_reach_rfc8950_ipv4_routes_over_ipv6_next_hop() -> None:
    v6 = bytes.fromhex("20010db8000000000000000000000001")
    value = struct.pack("!HBB", 1, 1, 16) + v6 + b"\x00" + bytes([24, 198, 51, 100])
    a = one(tlv(0x90, 14, value), announces=True)
    assert isinstance(a, MPReachNLRI) and a.family == (1, 1) and a.next_hop.address == "2001:db8::1"
    assert a.nlri == [InetPrefix((1, 1), 24, bytes([198, 51, 100]))] and a.reserved == 0


def test_mp_reach_keeps_reserved_octet_and_path_ids() -> None:
    value = struct.pack("!HBB", 2, 1, 16) + bytes(16) + b"\x07" + struct.pack("!IB", 3, 32) + bytes.fromhex("20010db8")
    body = b"\x00\x00" + struct.pack("!H", 4 + len(value)) + tlv(0x90, 14, value)
    u = decode_update(body, 0, len(body), DecodeContext(addpath=frozenset({(2, 1)})))
    a = u.mp_reach
    assert a is not None and a.reserved == 7 and a.nlri[0].path_id == 3 and str(a.nlri[0]) == "2001:db8::/32"
    assert u.encode_body() == body


def test_mp_unregistered_family_keeps_raw_nlri() -> None:
    value = struct.pack("!HBB", 1, 77, 4) + bytes([10, 0, 0, 1]) + b"\x00" + b"\x01\x02\x03"
    a = one(tlv(0x90, 14, value), announces=True)
    assert a.nlri == [UnknownNLRI(1, 77, b"\x01\x02\x03")] and a.family_name == "afi-1-safi-77"
    b = one(tlv(0x90, 15, struct.pack("!HB", 16388, 99) + b"\x00\x09"))
    assert isinstance(b, MPUnreachNLRI) and b.withdrawn == [UnknownNLRI(16388, 99, b"\x00\x09")]


def test_encode_checks_fields() -> None:
    with pytest.raises(EncodeError):
        MultiExitDisc(1 << 32).encode()
    with pytest.raises(EncodeError):
        NextHop("300.1.1.1").encode()
    with pytest.raises(EncodeError):
        Communities((1 << 32,)).encode()
    with pytest.raises(EncodeError):
        ASPath([ASPathSegment(SegmentType.AS_SEQUENCE, (70000,))], asn4=False).encode()
    assert Origin(OriginType.IGP).encode() == b"\x40\x01\x01\x00"
    long_value = Communities(tuple(range(70)))
    assert long_value.encode()[:4] == b"\xd0\x08\x01\x18"  # > 255 octets: extended length


@pytest.fixture
def scratch_registries() -> Iterator[None]:
    reg = dict(registry())
    ext_reg = dict(_EXT_REGISTRY)
    yield
    registry().clear()
    registry().update(reg)
    _EXT_REGISTRY.clear()
    _EXT_REGISTRY.update(ext_reg)
    from bmplib.bgp.update import _refresh_fast

    _refresh_fast()


def test_register_new_attribute_and_extended_community(scratch_registries: None) -> None:
    """Other modules add attribute types and typed extended communities
    without editing these modules."""

    class Color:
        def __init__(self, value: int) -> None:
            self.type, self.subtype, self.value = 0x03, 0x0B, value

        def encode(self) -> bytes:
            return bytes([0x03, 0x0B, 0, 0]) + struct.pack("!I", self.value)

    register_extended_community(0x03, 0x0B, lambda buf, pos: Color(struct.unpack_from("!I", buf, pos + 4)[0]))
    (c,) = ext(bytes([0x03, 0x0B, 0, 0, 0, 0, 0, 42])).communities
    assert isinstance(c, Color) and c.value == 42

    def decode_thing(buf: bytes, pos: int, end: int, flags: int, ctx: DecodeContext) -> UnknownAttribute:
        if end - pos != 2:
            raise MalformedAttributeError("THING length", pos, buf[pos:end])
        return UnknownAttribute(240, buf[pos:end][::-1], flags)

    from bmplib.bgp.attributes import ErrorAction

    register_attribute(240, decode_thing, UnknownAttribute, ErrorAction.ATTRIBUTE_DISCARD, 0xC0)
    body = b"\x00\x00\x00\x05" + tlv(0xC0, 240, b"\x01\x02")
    u = decode_update(body, 0, len(body), AS4)
    assert u.get(240).value == b"\x02\x01"
    bad = b"\x00\x00\x00\x04" + tlv(0xC0, 240, b"\x01")
    (p,) = decode_update(bad, 0, len(bad), AS4).problems
    assert p.action is ErrorAction.ATTRIBUTE_DISCARD and p.reason == "THING length"


def test_json_form() -> None:
    body = (
        b"\x00\x00"
        + struct.pack("!H", 4 + 7 + 7 + 11)
        + tlv(0x40, 1, b"\x00")
        + tlv(0x40, 3, bytes([192, 0, 2, 1]))
        + tlv(0x40, 2, bytes([2, 1]) + struct.pack("!I", 65001))
        + tlv(0xC0, 16, bytes([0x00, 0x02]) + struct.pack("!HI", 65000, 100))
        + bytes([24, 10, 0, 0])
    )
    body = body[:2] + struct.pack("!H", len(body) - 4 - 4) + body[4:]
    u = decode_update(body, 0, len(body), AS4)
    assert u.problems == []
    j = bmplib.to_json(u)
    assert j["type"] == "update" and j["end_of_rib"] is None
    assert j["announced"] == [{"family": "ipv4-unicast", "prefix": "10.0.0.0/24", "path_id": None}]
    names = [a["name"] for a in j["attributes"]]
    assert names == ["origin", "next_hop", "as_path", "extended_communities"]
    assert j["attributes"][0]["origin"] == "igp"
    assert j["attributes"][3]["communities"][0]["text"] == "target:65000:100"
    assert isinstance(u, Update)


def test_re_registering_a_common_attribute_takes_over_the_inline_path(scratch_registries: None) -> None:
    """COMMUNITIES is decoded inline on the hot path; a module that registers
    its own decoder for code 8 still gets called."""
    from bmplib.bgp.attributes import ErrorAction
    from bmplib.bgp.update import _FAST, _refresh_fast

    calls: list[tuple[int, int]] = []

    def mine(buf: bytes, pos: int, end: int, flags: int, ctx: DecodeContext) -> UnknownAttribute:
        calls.append((pos, end))
        return UnknownAttribute(8, buf[pos:end], flags)

    body = b"\x00\x00\x00\x07" + tlv(0xC0, 8, b"\x00\x01\x00\x02")
    assert isinstance(decode_update(body, 0, len(body), AS4).get(8), Communities)
    register_attribute(8, mine, UnknownAttribute, ErrorAction.TREAT_AS_WITHDRAW, 0xC0)
    try:
        assert _FAST[8] == 0
        assert decode_update(body, 0, len(body), AS4).get(8) == UnknownAttribute(8, b"\x00\x01\x00\x02", 0xC0)
        assert calls == [(7, 11)]
    finally:
        _refresh_fast()


def test_inline_paths_restored_with_the_builtin_entries() -> None:
    from bmplib.bgp.update import _FAST

    assert [_FAST[c] for c in (1, 2, 3, 4, 5, 8, 32)] == [1, 2, 3, 4, 5, 8, 32]


def test_any_decode_error_of_a_registered_attribute_stays_local(scratch_registries: None) -> None:
    from bmplib.bgp.attributes import ErrorAction
    from bmplib.errors import NLRIDecodeError

    def nested(buf: bytes, pos: int, end: int, flags: int, ctx: DecodeContext) -> UnknownAttribute:
        raise NLRIDecodeError("inner prefix /99", pos + 1, buf[pos + 1 : end])

    register_attribute(241, nested, UnknownAttribute, ErrorAction.TREAT_AS_WITHDRAW, 0xC0)
    body = b"\x00\x00\x00\x05" + tlv(0xC0, 241, b"\x01\x63")
    u = decode_update(body, 0, len(body), AS4)
    (p,) = u.problems
    assert (p.type_code, p.action, p.reason, p.offset, p.data) == (
        241,
        ErrorAction.TREAT_AS_WITHDRAW,
        "inner prefix /99",
        4,
        tlv(0xC0, 241, b"\x01\x63"),
    )
    assert u.encode_body() == body
