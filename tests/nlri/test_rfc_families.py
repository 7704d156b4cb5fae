"""FlowSpec, VPLS, MDT, MVPN and RTC (AFI 2) routes packed by hand from the
RFCs (tests/nlri/rfc_families.py) against tshark 4.0's decoding of the same
messages (tests/nlri/data/rfc_families.tshark.json.gz), decoded through the
whole BMP decoder and re-encoded byte for byte."""

from __future__ import annotations

import gzip
import json
import shutil
import subprocess
from typing import Any

import pytest

import bmplib
from bmplib.bgp.attributes import ExtendedCommunities, MPReachNLRI
from bmplib.nlri.flowspec import FlowSpecPrefix, FlowSpecRoute, UnknownFlowSpecRoute, decode_flowspec_nlri
from bmplib.nlri.mdt import MDTRoute
from bmplib.nlri.mvpn import SPMSIAD, LeafAD, MVPNRoute
from bmplib.nlri.rtc import RouteTargetMembership
from bmplib.nlri.vpls import VPLSAutoDiscovery, VPLSRoute
from tests.nlri import rfc_families as rfc
from tests.nlri._captures import find_all, tshark_bmp_messages
from tests.nlri.tshark_families import check_flowspec, check_mdt, check_mvpn, check_traffic_communities, check_vpls

DATA = rfc.DATA


def _load() -> list[dict[str, Any]]:
    with gzip.open(DATA / f"{rfc.NAME}.tshark.json.gz", "rt", encoding="utf-8") as fh:
        frames: list[dict[str, Any]] = json.load(fh)
    return tshark_bmp_messages(frames)


def _messages() -> list[Any]:
    dec = bmplib.BMPDecoder()
    dec.feed((DATA / f"{rfc.NAME}.bmp").read_bytes())
    dec.close()
    return list(dec)


def test_the_stored_files_are_the_generators_output() -> None:
    """The .bmp is what rfc_families.py packs today (the oracle is of these bytes)."""
    assert (DATA / f"{rfc.NAME}.bmp").read_bytes() == b"".join(rfc.stream())


@pytest.mark.skipif(shutil.which("tshark") is None, reason="tshark is not installed")
def test_tshark_still_decodes_the_pcap_so() -> None:
    out = subprocess.run(
        ["tshark", "-r", str(DATA / f"{rfc.NAME}.pcap"), "-d", "tcp.port==11019,bmp", "-T", "json",
         "--no-duplicate-keys"],
        check=True,
        capture_output=True,
    ).stdout  # fmt: skip
    assert tshark_bmp_messages(json.loads(out)) == _load()


def test_every_message_round_trips() -> None:
    raw = (DATA / f"{rfc.NAME}.bmp").read_bytes()
    msgs = _messages()
    assert len(msgs) == len(rfc.MESSAGES)
    assert b"".join(m.encode() for m in msgs) == raw
    for m in msgs:
        assert m.update.problems == []
        json.dumps(bmplib.to_json(m))


def _mp(msg: Any) -> MPReachNLRI:
    (mp,) = [a for a in msg.update.attributes if isinstance(a, MPReachNLRI)]
    return mp


def _tshark_mp(t: dict[str, Any]) -> dict[str, Any]:
    (attr,) = [a for a in find_all(t, "bgp.update.path_attribute") if a["bgp.update.path_attribute.type_code"] == "14"]
    block: dict[str, Any] = attr["bgp.update.path_attribute.mp_reach_nlri"]
    return block


def test_against_tshark() -> None:
    counts: dict[str, int] = {}
    components = 0
    for (label, afi, safi, _, _, _), msg, t in zip(rfc.MESSAGES, _messages(), _load()):
        mp = _mp(msg)
        assert (mp.afi, mp.safi) == (afi, safi)
        block = _tshark_mp(t)
        if afi == 25 and safi == 134:
            assert "Unknown SAFI (134) for AFI 25" in block  # tshark 4.0 has no L2VPN FlowSpec
        elif safi in (133, 134):
            components += check_flowspec(mp.nlri, block)
        elif safi == 65:
            check_vpls(mp.nlri, block)
        elif safi == 66:
            check_mdt(mp.nlri, block)
        elif safi == 5:
            check_mvpn(mp.nlri, block)
        else:
            assert "Unknown SAFI (132) for AFI 2" in block  # tshark 4.0 has no RTC under AFI 2
        counts[label] = len(mp.nlri)
    assert counts == {
        "flowspec-v4": 5,
        "flowspec-v6": 3,
        "flowspec-v6-rfc-offset": 1,
        "flowspec-vpn-v4": 2,
        "flowspec-vpn-v6": 1,
        "flowspec-l2vpn": 2,
        "flowspec-unknown-type": 1,
        "vpls": 2,
        "mdt": 1,
        "mvpn-v4": 8,
        "mvpn-v6": 2,
        "rtc-v6": 2,
    }
    assert components >= 20


def test_traffic_communities_against_tshark() -> None:
    msg, t = _messages()[0], _load()[0]
    (ext,) = [a for a in msg.update.attributes if isinstance(a, ExtendedCommunities)]
    (attr,) = [a for a in find_all(t, "bgp.update.path_attribute") if a["bgp.update.path_attribute.type_code"] == "16"]
    assert check_traffic_communities(ext.communities, attr) == 7
    assert [str(c) for c in ext.communities] == [
        "rate-bytes:65300:1000",
        "rate-packets:0:50",
        "action:sample",
        "redirect:65300:99",
        "redirect:192.0.2.1:7",
        "redirect:65536:9",
        "mark:10",
    ]


def test_flowspec_rfc8955_examples() -> None:
    """RFC 8955 section 4.3's two examples, field by field."""
    ex1, ex2 = (decode_flowspec_nlri(b, 0, len(b), (1, 133))[0] for b in rfc.FLOWSPEC_V4[:2])
    assert isinstance(ex1, FlowSpecRoute) and isinstance(ex2, FlowSpecRoute)
    assert str(ex1) == "destination-prefix 192.0.2.0/24 ip-protocol ==6 port ==25"
    assert str(ex2) == "destination-prefix 192.0.2.0/24 source-prefix 203.0.113.0/24 port >=137 &<=139 ==8080"
    port = ex2.components[2]
    assert [(m.op, m.value, m.and_bit, m.end_of_list, m.value_length) for m in port.matches] == [  # type: ignore[union-attr]
        (0x03, 137, False, False, 1),
        (0x45, 139, True, False, 1),
        (0x91, 8080, False, True, 2),
    ]


def test_flowspec_every_component_and_the_long_length() -> None:
    msg = _messages()[0]
    routes = _mp(msg).nlri
    assert str(routes[2]) == (
        "destination-prefix 192.0.2.1/32 destination-port ==443 source-port >=1024 &<=255 ==65535 icmp-type ==8 "
        "icmp-code ==0 ==3 tcp-flags =0x02 &!0x10 packet-length <1500 dscp ==46 fragment =0x01"
    )
    assert [c.type for c in routes[2].components] == [1, *range(5, 13)]
    long = routes[3]
    assert isinstance(long, FlowSpecRoute) and len(long.components[0].matches) == 80  # type: ignore[union-attr]
    assert long.encode()[:2] == b"\xf0\xf1" and not long.long_length


def test_flowspec_ipv6_offsets_and_flow_label() -> None:
    """RFC 8956 section 3.1: the pattern is bits offset..length only."""
    msgs = _messages()
    (route,) = _mp(msgs[2]).nlri
    prefix = route.components[0]
    assert isinstance(prefix, FlowSpecPrefix)
    assert (prefix.length, prefix.offset, prefix.packed, prefix.draft_layout) == (64, 32, b"\x00\x01\x00\x00", False)
    assert prefix.prefix == "0:0:1::/64 offset 32"
    wire = rfc.FLOWSPEC_V6_RFC_OFFSET[1]
    (route,) = decode_flowspec_nlri(wire, 0, len(wire), (2, 133))
    assert route.components[0].prefix == "::7/128 offset 104"  # type: ignore[union-attr]
    assert route.encode() == wire
    assert str(_mp(msgs[1]).nlri[2].components[2]) == "flow-label ==100"


def test_flowspec_ipv6_draft_layout() -> None:
    """GoBGP's layout of an IPv6 prefix with an offset (the whole prefix,
    draft-ietf-idr-flow-spec-v6-06) does not parse as RFC 8956 says; it is
    read the draft's way and re-encoded so (docs/quirks.md)."""
    (route,) = _mp(_messages()[1]).nlri[1:2]
    assert isinstance(route, FlowSpecRoute)
    assert str(route) == (
        "destination-prefix 2001:db8:2::/64 offset 32 source-prefix 2001:db8:ff::/48 ip-protocol ==17"
    )
    assert route.components[0].draft_layout  # type: ignore[union-attr]
    assert route.encode() == rfc.FLOWSPEC_V6[1]


def test_flowspec_unknown_component_type() -> None:
    msg = _messages()[6]
    (route,) = _mp(msg).nlri
    assert isinstance(route, UnknownFlowSpecRoute)
    assert route.reason == "component type 127 is not defined for AFI 1 (at NLRI octet 6)"
    assert route.data == rfc.FLOWSPEC_UNKNOWN[0][1:]
    assert bmplib.to_json(route)["unknown"] is True


def test_vpls_mdt_mvpn_rtc_models() -> None:
    msgs = _messages()
    vpls = _mp(msgs[7]).nlri
    assert isinstance(vpls[0], VPLSRoute) and isinstance(vpls[1], VPLSAutoDiscovery)
    assert str(vpls[0]) == "65400:6:ve 6:offset 1:size 8:label 10732"
    assert str(vpls[1]) == "65400:7:192.0.2.40"
    (mdt,) = _mp(msgs[8]).nlri
    assert isinstance(mdt, MDTRoute) and str(mdt) == "65000:1:192.0.2.1:232.0.0.1"
    mvpn: list[MVPNRoute] = _mp(msgs[9]).nlri
    assert [r.route_type for r in mvpn] == [1, 2, 3, 3, 4, 5, 6, 7]
    assert str(mvpn[3]) == "[3][65000:1][S *][G *][192.0.2.51]"
    leaf = mvpn[4]
    assert isinstance(leaf, LeafAD) and isinstance(leaf.route_key, SPMSIAD) and leaf.route_key == mvpn[2]
    assert str(leaf) == "[4][key [3][65000:1][S 192.0.2.99][G 232.1.1.1][192.0.2.51]][192.0.2.52]"
    assert [r.family for r in _mp(msgs[10]).nlri] == [(2, 5), (2, 5)]
    rtc = _mp(msgs[11]).nlri
    assert all(isinstance(r, RouteTargetMembership) and r.family == (2, 132) for r in rtc)
    assert [str(r) for r in rtc] == ["65000:65000:100", "default"]
    assert bmplib.to_json(rtc[0])["family"] == "ipv6-rtc"


def test_l2vpn_flowspec() -> None:
    """draft-ietf-idr-flowspec-l2vpn-03 as GoBGP numbers it (types 14-24,
    MACs as length + octets); tshark 4.0 does not dissect AFI 25 / SAFI 134."""
    routes = _mp(_messages()[5]).nlri
    assert [str(r) for r in routes] == [
        "rd 65300:13 destination-mac 02:00:00:00:00:01 ethernet-type ==2048 vlan-id ==100",
        "rd 65300:14 source-mac 02:00:00:00:00:02 llc-dsap ==170 llc-ssap ==170 llc-control ==3 snap ==4328719365 "
        "vlan-cos ==5 inner-vlan-id ==200 inner-vlan-cos ==7",
    ]
    assert [r.encode() for r in routes] == rfc.FLOWSPEC_L2VPN
    j = bmplib.to_json(routes[0])
    assert j["family"] == "l2vpn-flowspec"
    assert j["components"][0] == {"type": "destination_mac", "mac": "02:00:00:00:00:01"}
