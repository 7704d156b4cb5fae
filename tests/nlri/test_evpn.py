"""EVPN NLRI (AFI 25 / SAFI 70): route types 1-11 and ESI types 0-5 from
byte vectors laid out as in the RFC figures (RFC 7432 section 7, RFC 9136
section 3.1, RFC 9251 section 9, RFC 9572 section 3), checked field by field
and re-encoded exactly; unknown route types, malformed routes, path IDs."""

from __future__ import annotations

import json

import pytest

from bmplib.errors import EncodeError, NLRIDecodeError
from bmplib.json import value_to_json
from bmplib.nlri.esi import ESI, ESIType
from bmplib.nlri.evpn import (
    EthernetAutoDiscovery,
    EthernetSegment,
    EVPNRouteType,
    InclusiveMulticastEthernetTag,
    IPPrefix,
    LeafAutoDiscovery,
    MACIPAdvertisement,
    MulticastLeaveSynch,
    MulticastMembershipReportSynch,
    PerRegionIPMSIAutoDiscovery,
    SelectiveMulticastEthernetTag,
    SPMSIAutoDiscovery,
    UnknownEVPNRoute,
    decode_evpn_nlri,
    decode_evpn_route,
)
from bmplib.nlri.rd import RouteDistinguisher
from bmplib.nlri.registry import lookup
from bmplib.session import DecodeContext

RD0 = "0000fde800000064"  # type 0, 65000:100
RD1 = "0001c00002010007"  # type 1, 192.0.2.1:7
RD2 = "0002fa56ea030009"  # type 2, 4200000003:9
ESI0 = "00" * 10
ESI_LACP = "01" + "aabbccddeef0" + "8000" + "00"  # RFC 7432 section 5, type 1
TAG = "00000064"  # 100


def h(*parts: str) -> bytes:
    return bytes.fromhex("".join(parts))


def nlri(route_type: int, body: bytes) -> bytes:
    return bytes((route_type, len(body))) + body


def one(data: bytes) -> object:
    routes = decode_evpn_nlri(data, 0, len(data))
    assert len(routes) == 1
    assert b"".join(r.encode() for r in routes) == data
    return routes[0]


def test_type1_ethernet_auto_discovery() -> None:
    data = nlri(1, h(RD1, ESI_LACP, "ffffffff", "0003e1"))
    r = one(data)
    assert isinstance(r, EthernetAutoDiscovery)
    assert r.route_type is EVPNRouteType.ETHERNET_AUTO_DISCOVERY
    assert str(r.rd) == "192.0.2.1:7" and r.rd.type == 1
    assert r.esi is not None and r.esi.type is ESIType.LACP
    assert r.esi.mac == "aa:bb:cc:dd:ee:f0" and r.esi.port_key == 0x8000
    assert r.ethernet_tag == 0xFFFFFFFF  # MAX-ET: per-ES A-D
    assert r.label == 0x0003E1 and r.labels == (0x3E,) and r.vni == 0x3E1 and r.mpls_label == 0x3E
    assert r.mac is None and r.ip is None
    assert str(r) == "[1][192.0.2.1:7][ESI 01:aa:bb:cc:dd:ee:f0:80:00:00][tag 4294967295]"


@pytest.mark.parametrize(
    ("ip_hex", "ip", "labels_hex", "label2"),
    [
        ("00", None, "002774", None),
        ("20c0000201", "192.0.2.1", "002774", None),
        ("80" + "20010db8000000000000000000000001", "2001:db8::1", "002774", None),
        ("20c0000201", "192.0.2.1", "002774" + "001389", 0x001389),
    ],
)
def test_type2_mac_ip_advertisement(ip_hex: str, ip: str | None, labels_hex: str, label2: int | None) -> None:
    data = nlri(2, h(RD0, ESI0, TAG, "30", "aabbccddeeff", ip_hex, labels_hex))
    r = one(data)
    assert isinstance(r, MACIPAdvertisement)
    assert str(r.rd) == "65000:100" and r.esi == ESI(bytes(10)) and r.esi.is_zero
    assert r.ethernet_tag == 100 and r.mac_length == 48 and r.mac == "aa:bb:cc:dd:ee:ff"
    assert r.ip == ip and r.is_host_route == (ip is not None)
    assert r.label1 == 10100 and r.label2 == label2 and r.vni == 10100
    assert r.labels == ((10100 >> 4,) if label2 is None else (10100 >> 4, label2 >> 4))
    assert not r.is_multicast_mac
    text = "[2][65000:100][ESI 0][tag 100][MAC aa:bb:cc:dd:ee:ff]"
    assert str(r) == (text if ip is None else f"{text}[IP {ip}]")


def test_type2_multicast_mac_and_json() -> None:
    r = one(nlri(2, h(RD0, ESI0, TAG, "30", "01005e000001", "00", "000641")))
    assert isinstance(r, MACIPAdvertisement) and r.is_multicast_mac
    j = json.loads(json.dumps(value_to_json(r)))
    assert j == {
        "family": "evpn",
        "route_type": "mac_ip_advertisement",
        "text": "[2][65000:100][ESI 0][tag 100][MAC 01:00:5e:00:00:01]",
        "path_id": None,
        "rd": "65000:100",
        "esi": "0",
        "ethernet_tag": 100,
        "mac": "01:00:5e:00:00:01",
        "ip": None,
        "label1": 0x641,
        "label2": None,
        "mac_length": 48,
        "labels": [0x64],
        "vni": 0x641,
    }


@pytest.mark.parametrize(
    ("orig_hex", "orig"),
    [("20c0000201", "192.0.2.1"), ("80" + "20010db8000000000000000000000030", "2001:db8::30")],
)
def test_type3_inclusive_multicast(orig_hex: str, orig: str) -> None:
    r = one(nlri(3, h(RD2, TAG, orig_hex)))
    assert isinstance(r, InclusiveMulticastEthernetTag)
    assert str(r.rd) == "4200000003:9" and r.rd.type == 2
    assert r.ethernet_tag == 100 and r.originator == orig == r.ip
    assert r.esi is None and r.labels == () and r.vni is None
    assert str(r) == f"[3][4200000003:9][tag 100][IP {orig}]"


def test_type4_ethernet_segment_router_id_esi() -> None:
    esi = "04" + "c0000201" + "00000005" + "00"  # type 4: router ID + discriminator
    r = one(nlri(4, h(RD1, esi, "20c0000201")))
    assert isinstance(r, EthernetSegment)
    assert r.esi.type is ESIType.ROUTER_ID and r.esi.router_id == "192.0.2.1" and r.esi.discriminator == 5
    assert r.originator == "192.0.2.1"
    assert str(r) == "[4][192.0.2.1:7][ESI 04:c0:00:02:01:00:00:00:05:00][IP 192.0.2.1]"


def test_type5_ip_prefix_v4_and_v6_told_apart_by_length() -> None:
    v4 = nlri(5, h(RD0, ESI0, "00000000", "18", "0a1f0000", "c0000202", "001388"))
    v6 = nlri(5, h(RD0, ESI0, "00000000", "30", "20010db8003100000000000000000000", "00" * 16, "001388"))
    assert len(v4) - 2 == 34 and len(v6) - 2 == 58
    r4, r6 = one(v4), one(v6)
    assert isinstance(r4, IPPrefix) and isinstance(r6, IPPrefix)
    assert r4.prefix == "10.31.0.0/24" and r4.prefix_length == 24 and r4.gateway == "192.0.2.2" and r4.ip == "10.31.0.0"
    assert r6.prefix == "2001:db8:31::/48" and r6.gateway == "::"
    assert r4.label == 5000 and r4.vni == 5000 and r4.labels == (312,)
    assert str(r4) == "[5][65000:100][ESI 0][tag 0][prefix 10.31.0.0/24][GW 192.0.2.2]"
    assert str(r6) == "[5][65000:100][ESI 0][tag 0][prefix 2001:db8:31::/48]"


def test_type5_bad_length_and_prefix_length() -> None:
    bad = nlri(5, h(RD0, ESI0, "00000000", "18", "0a1f0000", "c0000202", "0013"))  # 33 octets
    with pytest.raises(NLRIDecodeError) as exc:
        decode_evpn_nlri(b"\xaa" + bad, 1, 1 + len(bad))
    assert exc.value.offset == 1 and exc.value.data == bad
    too_long = nlri(5, h(RD0, ESI0, "00000000", "21", "0a1f0000", "c0000202", "001388"))  # /33
    with pytest.raises(NLRIDecodeError):
        decode_evpn_nlri(too_long, 0, len(too_long))


def test_type6_smet() -> None:
    # RFC 9251 section 9.1: (*,G) with IGMPv2 and v3 flags
    r = one(nlri(6, h(RD0, TAG, "00", "20e0010101", "20c0000201", "06")))
    assert isinstance(r, SelectiveMulticastEthernetTag)
    assert r.source is None and r.group == "224.1.1.1" and r.originator == "192.0.2.1" and r.flags == 6
    assert str(r) == "[6][65000:100][tag 100][S *][G 224.1.1.1][IP 192.0.2.1]"
    # (S,G) over IPv6, flags octet absent
    r6 = one(nlri(6, h(RD0, TAG, "80" + "20010db8" + "00" * 11 + "05", "80ff0e" + "00" * 12 + "0001", "20c0000201")))
    assert isinstance(r6, SelectiveMulticastEthernetTag)
    assert r6.source == "2001:db8::5" and r6.group == "ff0e::1" and r6.flags is None


def test_type7_membership_report_synch() -> None:
    r = one(nlri(7, h(RD0, ESI_LACP, TAG, "20c6336401", "20e8010203", "20c0000201", "04")))
    assert isinstance(r, MulticastMembershipReportSynch)
    assert r.esi.type is ESIType.LACP
    assert (r.source, r.group, r.originator, r.flags) == ("198.51.100.1", "232.1.2.3", "192.0.2.1", 4)
    assert str(r) == (
        "[7][65000:100][ESI 01:aa:bb:cc:dd:ee:f0:80:00:00][tag 100][S 198.51.100.1][G 232.1.2.3][IP 192.0.2.1]"
    )


def test_type8_leave_synch() -> None:
    r = one(nlri(8, h(RD0, ESI0, TAG, "00", "20e0010101", "20c0000201", "0000002a", "64", "02")))
    assert isinstance(r, MulticastLeaveSynch)
    assert r.leave_group_synchronization == 42 and r.maximum_response_time == 100 and r.flags == 2
    assert r.source is None and r.group == "224.1.1.1"


def test_type9_per_region_i_pmsi() -> None:
    region = "0002fde800000001"  # an extended-community-shaped region ID
    r = one(nlri(9, h(RD0, TAG, region)))
    assert isinstance(r, PerRegionIPMSIAutoDiscovery)
    assert r.region_id == bytes.fromhex(region) and r.ip is None and r.esi is None
    assert str(r) == f"[9][65000:100][tag 100][region {region}]"


def test_type10_s_pmsi_and_type11_leaf_ad_with_its_route_key() -> None:
    spmsi = nlri(10, h(RD1, TAG, "20c6336401", "20e8010203", "20c0000201"))
    r10 = one(spmsi)
    assert isinstance(r10, SPMSIAutoDiscovery)
    assert (r10.source, r10.group, r10.originator) == ("198.51.100.1", "232.1.2.3", "192.0.2.1")
    leaf = nlri(11, spmsi + h("80", "20010db8" + "00" * 11 + "09"))
    r11 = one(leaf)
    assert isinstance(r11, LeafAutoDiscovery)
    assert r11.route_key == r10 and r11.originator == "2001:db8::9" == r11.ip
    assert str(r11) == f"[11][key {r10}][IP 2001:db8::9]"
    # a route key of an unknown type stays raw inside the leaf A-D route
    odd = nlri(11, nlri(42, b"\x01\x02") + h("20c0000201"))
    r = one(odd)
    assert isinstance(r, LeafAutoDiscovery) and r.route_key == UnknownEVPNRoute(42, b"\x01\x02")


def test_unknown_route_type_keeps_code_and_octets() -> None:
    data = nlri(2, h(RD0, ESI0, TAG, "30", "aabbccddeeff", "00", "002774")) + nlri(99, b"\xde\xad\xbe\xef")
    routes = decode_evpn_nlri(data, 0, len(data))
    assert isinstance(routes[1], UnknownEVPNRoute)
    assert routes[1].code == 99 and routes[1].data == b"\xde\xad\xbe\xef" and routes[1].route_type == 99
    assert str(routes[1]) == "[99][deadbeef]"
    assert b"".join(r.encode() for r in routes) == data


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (nlri(2, h(RD0, ESI0, TAG, "30", "aabbccddeeff", "18", "c00002", "002774")), "IP address length 24"),
        (nlri(3, h(RD0, TAG, "00")), "originating router"),
        (nlri(1, h(RD0, ESI0, TAG, "0003e1", "00")), "unexpected octets"),
        (nlri(1, h(RD0, ESI0, TAG)), "too short"),
        (b"\x02\x30" + bytes(10), "runs past the end"),
        (b"\x02", "type and length"),
    ],
)
def test_malformed_routes_raise_at_their_offset(data: bytes, reason: str) -> None:
    buf = b"\xff" * 5 + data + b"\xee"
    with pytest.raises(NLRIDecodeError) as exc:
        decode_evpn_nlri(buf, 5, 5 + len(data))
    assert exc.value.offset == 5
    assert reason.split()[0].lower() in exc.value.reason.lower()


def test_path_ids_and_the_registered_codec() -> None:
    a = nlri(3, h(RD0, TAG, "20c0000201"))
    b = nlri(4, h(RD0, ESI0, "20c0000202"))
    data = h("00000001") + a + h("00000002") + b
    codec = lookup(25, 70)
    assert codec is not None
    routes = codec.decode(data, 0, len(data), True, DecodeContext())
    assert [r.path_id for r in routes] == [1, 2]
    assert codec.encode(routes, True, DecodeContext()) == data
    assert routes[0].family == (25, 70)
    with pytest.raises(NLRIDecodeError):
        codec.decode(data[:-3], 0, len(data) - 3, True, DecodeContext())


@pytest.mark.parametrize(
    ("raw", "fields", "text"),
    [
        ("00" + "112233445566778899", {}, "00:11:22:33:44:55:66:77:88:99"),
        ("01" + "aabbccddeef0" + "8000" + "00", {"mac": "aa:bb:cc:dd:ee:f0", "port_key": 0x8000}, None),
        ("02" + "020000000001" + "7000" + "00", {"mac": "02:00:00:00:00:01", "priority": 0x7000}, None),
        ("03" + "aabbcc000001" + "000007", {"mac": "aa:bb:cc:00:00:01", "discriminator": 7}, None),
        ("04" + "c0000201" + "00000005" + "00", {"router_id": "192.0.2.1", "discriminator": 5}, None),
        ("05" + "fa56ea03" + "0000000c" + "00", {"asn": 4200000003, "discriminator": 12}, None),
        ("ff" * 10, {}, "max"),
        ("00" * 10, {}, "0"),
    ],
)
def test_esi_types(raw: str, fields: dict[str, object], text: str | None) -> None:
    esi = ESI(bytes.fromhex(raw))
    assert esi.fields() == fields
    assert str(esi) == (text or esi.raw.hex(":"))
    assert ESI.from_text(str(esi)) == esi
    t = esi.raw[0]
    if 1 <= t <= 5:
        assert ESI.build(t, **fields) == esi  # type: ignore[arg-type]


def test_build_routes_and_encode_errors() -> None:
    r = MACIPAdvertisement(
        RouteDistinguisher.from_text("65000:100"),
        ESI.from_text("0"),
        100,
        "aa:bb:cc:dd:ee:ff",
        "10.0.0.1",
        10100,
        path_id=7,
    )
    assert r.encode() == h("00000007") + nlri(2, h(RD0, ESI0, TAG, "30", "aabbccddeeff", "200a000001", "002774"))
    assert str(r) == "[2][65000:100][ESI 0][tag 100][MAC aa:bb:cc:dd:ee:ff][IP 10.0.0.1]"
    with pytest.raises(EncodeError):
        MACIPAdvertisement(r.rd, r.esi, 100, "not-a-mac", None, 1).encode()
    with pytest.raises(EncodeError):
        EthernetAutoDiscovery(r.rd, r.esi, 1 << 32, 0).encode()
    with pytest.raises(EncodeError):
        IPPrefix(r.rd, r.esi, 0, "10.0.0.0/24", "::", 0).encode()
    with pytest.raises(EncodeError):
        ESI(b"\x00")


def test_decode_evpn_route_bounds() -> None:
    data = nlri(9, h(RD0, TAG, "00" * 8))
    assert isinstance(decode_evpn_route(data, 0, len(data)), PerRegionIPMSIAutoDiscovery)
    with pytest.raises(NLRIDecodeError):
        decode_evpn_route(data, 0, len(data) - 1)


@pytest.mark.parametrize(
    "body",
    [
        h(RD0, ESI0, TAG, "30", "aabbccddeeff", "00", "002774"),
        h(RD0, ESI_LACP, TAG, "30", "aabbccddeeff", "20c0000201", "002774", "001389"),
        h(RD1, ESI0, TAG, "2f", "aabbccddeeff", "80" + "20010db8" + "00" * 12, "002774"),  # MAC length 47 kept
        h(RD0, ESI0, TAG, "30", "aabbccddeeff", "18", "c0000201", "002774"),  # bad IP length: slow path, error
    ],
)
def test_type2_fast_path_equals_the_field_by_field_decoder(body: bytes) -> None:
    from bmplib.nlri.evpn import _DECODERS, _Reader

    data = nlri(2, body)
    try:
        slow = _DECODERS[2](_Reader(data, 2, len(data), 0))
    except NLRIDecodeError:
        with pytest.raises(NLRIDecodeError):
            decode_evpn_route(data, 0, len(data))
        return
    fast = decode_evpn_route(data, 0, len(data))
    assert fast == slow and fast.encode() == data
