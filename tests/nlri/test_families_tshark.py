"""Labeled unicast, L3VPN and EVPN routes of the real captures, decoded by the
family codecs at their absolute positions in each BMP message, against
tshark's decoding of the same capture (an independent oracle), and re-encoded
byte for byte."""

from __future__ import annotations

import gzip
import json
import socket
from collections import Counter
from typing import Any

import pytest

import bmplib
from bmplib.bgp.attributes.prefix_sid import PrefixSID
from bmplib.nlri.evpn import (
    EthernetAutoDiscovery,
    EthernetSegment,
    EVPNRoute,
    InclusiveMulticastEthernetTag,
    IPPrefix,
    MACIPAdvertisement,
)
from bmplib.nlri.labeled import LabeledPrefix
from bmplib.nlri.registry import UnknownNLRI, lookup
from bmplib.nlri.vpn import VPNPrefix
from bmplib.session import DecodeContext
from tests.conftest import PCAPS, PUBLIC_PCAPS, load_tshark, shared_or_skip
from tests.nlri._captures import (
    as_list,
    bmp_messages,
    find_all,
    mp_attributes,
    tshark_bmp_messages,
    tshark_labels,
    tshark_mp_attributes,
)

CAPTURES = ["gobgp_vpn_evpn", "frr_vpn_evpn", "frr_evpn_interop_flap"]
MY_FAMILIES = {(1, 4), (2, 4), (1, 128), (2, 128), (1, 129), (2, 129), (25, 70), (1, 132)}
CTX = DecodeContext()

_NLRI_KEYS = {"mp_reach_nlri", "mp_unreach_nlri"}


def _decoded(name: str) -> list[tuple[int, Any, list[Any], dict[str, Any]]]:
    """(message index, MPAttr, routes, tshark attribute) for every MP attribute
    of one of this issue's families in the capture."""
    data = (PCAPS / f"{name}.bmp").read_bytes()
    msgs = bmp_messages(data)
    tshark = tshark_bmp_messages(load_tshark(name))
    assert len(msgs) == len(tshark)
    out = []
    for i, (msg, tmsg) in enumerate(zip(msgs, tshark)):
        attrs = mp_attributes(msg)
        tattrs = tshark_mp_attributes(tmsg)
        assert len(attrs) == len(tattrs), f"message {i}"
        for attr, tattr in zip(attrs, tattrs):
            key = "mp_reach_nlri" if attr.code == 14 else "mp_unreach_nlri"
            assert int(tattr[f"bgp.update.path_attribute.{key}.afi"]) == attr.afi
            assert int(tattr[f"bgp.update.path_attribute.{key}.safi"]) == attr.safi
            if (attr.afi, attr.safi) not in MY_FAMILIES:
                continue
            codec = lookup(attr.afi, attr.safi)
            assert codec is not None, (attr.afi, attr.safi)
            routes = codec.decode(msg, attr.nlri_start, attr.nlri_end, False, CTX)
            assert codec.encode(routes, False, CTX) == msg[attr.nlri_start : attr.nlri_end]
            out.append((i, attr, routes, tattr.get(f"bgp.update.path_attribute.{key}", {})))
    return out


@pytest.mark.parametrize("name", CAPTURES)
def test_every_family_has_a_codec(name: str) -> None:
    seen = Counter()
    for msg in bmp_messages((PCAPS / f"{name}.bmp").read_bytes()):
        for attr in mp_attributes(msg):
            codec = lookup(attr.afi, attr.safi)
            assert codec is not None, f"family {attr.afi}/{attr.safi} left undecoded"
            routes = codec.decode(msg, attr.nlri_start, attr.nlri_end, False, CTX)
            assert not any(isinstance(r, UnknownNLRI) for r in routes)
            seen[(attr.afi, attr.safi)] += len(routes)
    assert seen[(25, 70)] > 0 and seen[(1, 128)] > 0 and seen[(2, 128)] > 0


def _hexcolon(raw: bytes) -> str:
    return raw.hex(":")


def _check_esi(route: EVPNRoute, t: dict[str, Any]) -> None:
    esi = route.esi
    assert esi is not None
    assert esi.raw.hex(":") == t["bgp.evpn.nlri.esi"]
    tree = t["bgp.evpn.nlri.esi_tree"]
    assert int(esi.type) == int(tree["bgp.evpn.nlri.esi.type"])
    if "bgp.evpn.nlri.esi.lacp_mac" in tree:
        assert esi.mac == tree["bgp.evpn.nlri.esi.lacp_mac"]
        assert esi.port_key == int(tree["bgp.evpn.nlri.esi.lacp_portkey"])
    if "bgp.evpn.nlri.esi.system_mac" in tree:
        assert esi.mac == tree["bgp.evpn.nlri.esi.system_mac"]
        # tshark 4.0 shows 2 octets of the 3-octet discriminator and the last as "remaining"
        disc = bytes.fromhex(tree["bgp.evpn.nlri.esi.system_mac_discr"].replace(":", ""))
        disc += bytes.fromhex(tree["bgp.evpn.nlri.esi.remaining"])
        assert esi.discriminator == int.from_bytes(disc, "big")
    if "bgp.evpn.nlri.esi.router_id" in tree:
        assert esi.router_id == tree["bgp.evpn.nlri.esi.router_id"]
        disc = bytes.fromhex(tree["bgp.evpn.nlri.esi.router_discr"].replace(":", ""))
        assert esi.discriminator == int.from_bytes(disc, "big")


def _tshark_ip(t: dict[str, Any]) -> str | None:
    return t.get("bgp.evpn.nlri.ip.addr") or t.get("bgp.evpn.nlri.ipv6.addr")


def _check_labels(route: EVPNRoute, t: dict[str, Any]) -> None:
    """tshark shows the label fields as VNIs (all 24 bits) when the UPDATE
    has a VXLAN encapsulation extended community, otherwise as MPLS labels
    (the high-order 20 bits)."""
    if "bgp.evpn.nlri.vni" in t:
        assert [int(v) for v in as_list(t["bgp.evpn.nlri.vni"])] == list(route.label_fields)
        assert route.vni == route.label_fields[0]
    else:
        theirs = [int(t["bgp.evpn.nlri.mpls_ls1"])]
        if "bgp.evpn.nlri.mpls_ls2" in t:
            theirs.append(int(t["bgp.evpn.nlri.mpls_ls2"]))
        assert list(route.labels) == theirs
        assert route.mpls_label == theirs[0]


def _check_evpn(route: EVPNRoute, t: dict[str, Any]) -> None:
    assert route.TYPE == int(t["bgp.evpn.nlri.rt"])
    assert len(route.encode()) - 2 == int(t["bgp.evpn.nlri.len"])
    assert _hexcolon(route.rd.raw) == t["bgp.evpn.nlri.rd"]  # type: ignore[attr-defined]
    if isinstance(route, EthernetAutoDiscovery):
        _check_esi(route, t)
        assert route.ethernet_tag == int(t["bgp.evpn.nlri.etag"])
        _check_labels(route, t)
    elif isinstance(route, MACIPAdvertisement):
        _check_esi(route, t)
        assert route.ethernet_tag == int(t["bgp.evpn.nlri.etag"])
        assert route.mac_length == int(t["bgp.evpn.nlri.maclen"]) == 48
        assert route.mac == t["bgp.evpn.nlri.mac_addr"]
        assert route.ip == _tshark_ip(t)
        assert (0 if route.ip is None else 32 if "." in route.ip else 128) == int(t["bgp.evpn.nlri.iplen"])
        _check_labels(route, t)
    elif isinstance(route, InclusiveMulticastEthernetTag):
        assert route.ethernet_tag == int(t["bgp.evpn.nlri.etag"])
        assert route.originator == _tshark_ip(t)
        assert (32 if "." in route.originator else 128) == int(t["bgp.evpn.nlri.iplen"])
    elif isinstance(route, EthernetSegment):
        _check_esi(route, t)
        assert route.originator == _tshark_ip(t)
    elif isinstance(route, IPPrefix):
        _check_esi(route, t)
        assert route.ethernet_tag == int(t["bgp.evpn.nlri.etag"])
        assert route.prefix_length == int(t["bgp.evpn.nlri.prefix_len"])
        assert route.ip == _tshark_ip(t)
        gw = t.get("bgp.evpn.nlri.ipv4.gtw_addr") or t.get("bgp.evpn.nlri.ipv6.gtw_addr")
        assert route.gateway == gw
        if "bgp.evpn.nlri.vni" in t:
            assert route.vni == route.label == int(t["bgp.evpn.nlri.vni"])
        else:
            # tshark 4.0 shows the whole 24-bit field of a type-5 label here
            label = t["bgp.update.path_attribute.mpls_label"]["bgp.update.path_attribute.mpls_label_value"]
            assert route.label == int(label)
    else:
        pytest.fail(f"unexpected route type {route.TYPE} in the capture")


def _tshark_prefix_entries(tnlri: dict[str, Any]) -> list[dict[str, Any]]:
    """tshark's labeled / VPN NLRI entries (keyed by their text, or
    ``BGP Prefix``)."""
    out = []
    for key, value in tnlri.items():
        if key.startswith("Label Stack=") or key == "BGP Prefix":
            out.extend(as_list(value))
    return out


def _tshark_prefix(entry: dict[str, Any]) -> str:
    for key in ("mp_reach_nlri_ipv4_prefix", "mp_unreach_nlri_ipv4_prefix"):
        if f"bgp.{key}" in entry:
            return str(entry[f"bgp.{key}"])
    for key in ("mp_reach_nlri_ipv6_prefix", "mp_unreach_nlri_ipv6_prefix"):
        if f"bgp.{key}" in entry:
            return str(entry[f"bgp.{key}"])
    raise AssertionError(entry)


@pytest.mark.parametrize("name", CAPTURES)
def test_routes_match_tshark(name: str) -> None:
    counts: Counter[str] = Counter()
    for _i, attr, routes, tnlri in _decoded(name):
        family = (attr.afi, attr.safi)
        if family == (25, 70):
            tevpn = as_list(tnlri.get("bgp.evpn.nlri"))
            assert len(tevpn) == len(routes)
            for route, t in zip(routes, tevpn):
                _check_evpn(route, t)
                counts[f"evpn-{route.TYPE}"] += 1
        elif attr.safi == 4:
            entries = _tshark_prefix_entries(tnlri)
            assert len(entries) == len(routes)
            mine = sorted((r.prefix, r.labels, 8 * len(r.label_stack) + r.length) for r in routes)
            theirs = []
            for e in entries:
                labels = tuple(tshark_labels(e["bgp.label_stack"]))
                total = int(e["bgp.prefix_length"])
                theirs.append((f"{_tshark_prefix(e)}/{total - 24 * len(labels)}", labels, total))
            theirs.sort()
            assert mine == theirs
            assert all(isinstance(r, LabeledPrefix) and r.family == family for r in routes)
            counts["labeled"] += len(routes)
        elif attr.afi == 1:
            entries = _tshark_prefix_entries(tnlri)
            assert len(entries) == len(routes)
            for route, e in zip(routes, entries):
                assert isinstance(route, VPNPrefix) and route.family == family
                assert route.labels == tuple(tshark_labels(e["bgp.label_stack"]))
                assert str(route.rd) == e["bgp.rd"]
                assert route.address == _tshark_prefix(e)
                assert 8 * (len(route.label_stack) + 8) + route.length == int(e["bgp.prefix_length"])
                assert str(route) == f"{e['bgp.rd']}:{route.prefix}"
            counts["vpnv4"] += len(routes)
        else:
            # tshark 4.0 shows only the label stack of a VPN-IPv6 NLRI, and for
            # a type-2 RD only its unformatted format string
            stacks = as_list(tnlri.get("bgp.label_stack"))
            assert len(stacks) == len(routes)
            for route, stack in zip(routes, stacks):
                if stack.startswith("Label Stack=%s RD=%u.%u:%u"):
                    assert route.rd.type == 2
                else:
                    assert route.labels == tuple(tshark_labels(stack))
            counts["vpnv6"] += len(routes)
    assert counts, name
    if name == "gobgp_vpn_evpn":
        assert {k for k in counts if k.startswith("evpn")} == {f"evpn-{t}" for t in (1, 2, 3, 4, 5)}
        assert counts["labeled"] and counts["vpnv4"] and counts["vpnv6"]


def test_vpnv6_against_the_capture_commands() -> None:
    """tshark 4.0 does not show the RD and prefix of VPN-IPv6 routes: check
    them against the commands that made gobgp_vpn_evpn (its timeline:
    ``gobgp global rib -a vpnv6 add PREFIX label L rd RD``; the asdot RD
    64086.59907 is 4200000003)."""
    expected = {
        ("65300:2", "2001:db8:a::/48", (200,)),
        ("192.0.2.30:8", "2001:db8:a:1::/64", (201,)),
        ("4200000003:10", "2001:db8:a:2::1/128", (202,)),
    }
    seen = set()
    for _i, attr, routes, _t in _decoded("gobgp_vpn_evpn"):
        if (attr.afi, attr.safi) == (2, 128):
            for r in routes:
                seen.add((str(r.rd), r.prefix, r.labels))
                assert socket.inet_pton(socket.AF_INET6, r.address)
    assert seen == expected


def test_vpnv4_rd_types_of_the_capture() -> None:
    """gobgp_vpn_evpn has route distinguishers of types 0, 1 and 2."""
    rds = {}
    for _i, attr, routes, _t in _decoded("gobgp_vpn_evpn"):
        if (attr.afi, attr.safi) == (1, 128):
            for r in routes:
                rds[str(r.rd)] = r.rd.type
    assert rds == {"65300:1": 0, "192.0.2.30:7": 1, "4200000003:9": 2, "65300:2": 0}


def test_labeled_three_label_stack() -> None:
    found = []
    for _i, attr, routes, _t in _decoded("gobgp_vpn_evpn"):
        if attr.safi == 4:
            found.extend((r.prefix, r.labels) for r in routes)
    assert ("10.200.0.0/24", (100, 200, 300)) in found
    assert ("2001:db8:b:1::/64", (401, 402)) in found
    assert ("10.201.0.1/32", (16001,)) in found


# -- pmacct's public captures (Cisco IOS XR, Huawei, 6WIND/FRR): GPL data read
# from ../shared, skipped when it is absent -----------------------------------

PMACCT = sorted(p.name[: -len(".pcap")] for p in PUBLIC_PCAPS.glob("*.pcap")) if PUBLIC_PCAPS.exists() else []
#: the attribute codes this issue owns: MP_REACH / MP_UNREACH NLRI of its
#: families, extended communities, PMSI tunnel, Prefix-SID
MY_CODES = {14, 15, 16, 22, 40}


def _pmacct_updates(name: str) -> list[Any]:
    from tests.bmp.pmacct import read_flows

    path = shared_or_skip(PUBLIC_PCAPS / f"{name}.pcap")
    updates = []
    for flow in read_flows(path):
        dec = bmplib.BMPDecoder(resync=True)
        dec.feed(flow.data)
        dec.close()
        updates.extend(u for u in (getattr(item, "update", None) for item in dec) if u is not None)
    return updates


def _tshark_prefix_sids(name: str) -> Counter[tuple[Any, ...]]:
    path = PUBLIC_PCAPS / f"{name}.tshark.json"
    if path.exists():
        frames = json.loads(path.read_text())
    else:
        with gzip.open(f"{path}.gz", "rt") as fh:
            frames = json.load(fh)
    out: Counter[tuple[Any, ...]] = Counter()
    for frame in frames:
        for a in find_all(frame["_source"]["layers"].get("bmp", {}), "bgp.update.path_attribute"):
            if a.get("bgp.update.path_attribute.type_code") != "40":
                continue
            for li in find_all(a, "bgp.prefix_sid.label_index"):
                out[("label-index", int(li["bgp.prefix_sid.label_index.value"]))] += 1
            for st in find_all(a, "bgp.prefix_sid.srv6_l3vpn.sub_tlv"):
                sub = find_all(st, "bgp.prefix_sid.srv6_l3vpn.sub_sub_tlv")
                structure = None
                if sub:
                    s = sub[0]
                    structure = tuple(
                        int(s[f"bgp.prefix_sid.srv6_l3vpn.sid.{k}"])
                        for k in (
                            "locator_block_len",
                            "locator_node_len",
                            "func_len",
                            "arg_len",
                            "trans_len",
                            "trans_offset",
                        )
                    )
                behavior = int(st["bgp.prefix_sid.srv6_l3vpn.srv6_endpoint_behavior"], 0)
                out[("srv6", st["bgp.prefix_sid.srv6_l3vpn.sid_value"], behavior, structure)] += 1
    return out


@pytest.mark.shared
@pytest.mark.parametrize("name", PMACCT)
def test_pmacct_families_decode_and_prefix_sid_matches_tshark(name: str) -> None:
    families: Counter[tuple[int, int]] = Counter()
    sids: Counter[tuple[Any, ...]] = Counter()
    for u in _pmacct_updates(name):
        assert not [p for p in u.problems if p.type_code in MY_CODES], u.problems
        for attr in (u.mp_reach, u.mp_unreach):
            if attr is None:
                continue
            routes = attr.nlri if attr is u.mp_reach else attr.withdrawn
            assert lookup(attr.afi, attr.safi) is not None, (attr.afi, attr.safi)
            assert not any(isinstance(r, UnknownNLRI) for r in routes)
            families[(attr.afi, attr.safi)] += len(routes)
        psid = u.get(40)
        if isinstance(psid, PrefixSID):
            if psid.label_index is not None:
                sids[("label-index", psid.label_index)] += 1
            for tlv in psid.tlvs:
                for info in getattr(tlv, "sid_information", []):
                    st = info.structure
                    structure = None
                    if st is not None:
                        structure = (
                            st.locator_block_length,
                            st.locator_node_length,
                            st.function_length,
                            st.argument_length,
                            st.transposition_length,
                            st.transposition_offset,
                        )
                    sids[("srv6", info.sid, info.endpoint_behavior, structure)] += 1
    assert sids == _tshark_prefix_sids(name)
    if name.startswith(("400", "401")):
        assert families[(1, 128)] and families[(1, 4)] and families[(2, 128)]
        assert sids


def test_cisco_loc_rib_path_ids_without_a_capability() -> None:
    """pmacct 208: Cisco IOS XR's Loc-RIB sends some VPN / labeled UPDATEs
    with ADD-PATH path identifiers and no capability saying so; the MP
    attribute decoder re-reads them with path IDs instead of failing, and
    marks the reading as guessed (``bmplib.bgp.attributes.mp._decode_nlri``)."""
    updates = _pmacct_updates("208-BMP-mem-leak-test__bmp-multi-sources-route-monitoring")
    with_ids = [r for u in updates for r in u.announced + u.withdrawn if getattr(r, "path_id", None) is not None]
    assert {type(r).__name__ for r in with_ids} == {"VPNPrefix", "LabeledPrefix"}
    assert {r.path_id for r in with_ids} == {0, 1}
    assert "4226809875:17:192.0.2.17/32" in {str(r) for r in with_ids}
    guessed = [u for u in updates if any(getattr(r, "path_id", None) is not None for r in u.announced + u.withdrawn)]
    assert all(u.path_ids_guessed for u in guessed)
