"""BGP-LS (RFC 9552, RFC 9085, RFC 9514): the NLRI and the BGP-LS attribute
(29) of the lab capture (a raw speaker's node, link and prefix through GoBGP
3.10) and of UPDATEs packed by hand from the RFCs' layouts, against tshark
4.0's decoding of the same octets; exact re-encoding; malformed input."""

from __future__ import annotations

import json
import struct
from pathlib import Path
from typing import Any

import pytest

import bmplib
from bmplib.bgp.attributes.base import ErrorAction
from bmplib.bgp.attributes.bgpls import BGPLSAttribute
from bmplib.bgp.update import Update, decode_update
from bmplib.bmp.messages import RouteMonitoring
from bmplib.nlri.bgpls import (
    LSNLRI,
    IPv4PrefixNLRI,
    IPv6PrefixNLRI,
    LinkNLRI,
    LSProtocolID,
    NodeNLRI,
    SRv6SIDNLRI,
)
from bmplib.nlri.bgpls_tlvs import (
    LSTLV,
    AdjacencySID,
    IGPRouterID,
    LANAdjacencySID,
    LSAddress,
    LSBandwidth,
    LSInteger,
    LSIntegerList,
    LSText,
    NodeDescriptors,
    PrefixSID,
    SIDLabel,
    SRCapabilities,
    SRRange,
    SRv6BGPPeerNodeSID,
    SRv6Capabilities,
    SRv6EndpointBehavior,
    SRv6EndXSID,
    SRv6Locator,
    SRv6SIDStructure,
    UnreservedBandwidth,
    ls_tlv_text,
)
from bmplib.session import DecodeContext
from tests.bgp.tshark_live import tshark_updates
from tests.nlri import ls_sr_mup_wires
from tests.nlri._captures import find_all
from tests.nlri.ls_sr_mup_wires import BASE, attr, bgpls_updates, mp_reach, mp_unreach, tlv, update

CTX = DecodeContext(asn4=True)
WIRES = bgpls_updates()


def decode(wire: bytes) -> Update:
    u = decode_update(wire, 19, len(wire), CTX)
    assert u.encode() == wire
    return u


def ls_attribute(u: Update) -> BGPLSAttribute | None:
    found = [a for a in u.attributes if isinstance(a, BGPLSAttribute)]
    return found[0] if found else None


def flat(tlvs: list[Any]) -> list[Any]:
    """TLVs depth first (node descriptors' sub-TLVs after the container)."""
    out: list[Any] = []
    for t in tlvs:
        out.append(t)
        if isinstance(t, NodeDescriptors):
            out += flat(t.tlvs)
        if isinstance(t, SRCapabilities):
            out += [r.first for r in t.ranges]
    return out


# ------------------------------------------------------------------- the values tshark shows, per key
def _hex_int(text: str) -> int:
    return int(text, 16)


def _colons(raw: bytes) -> str:
    return raw.hex(":")


def mine(u: Update) -> dict[str, list[Any]]:
    """The values of the TLVs that tshark 4.0 dissects, by tshark field name."""
    routes = [r for r in u.announced + u.withdrawn if isinstance(r, LSNLRI)]
    tlvs = flat([d for r in routes for d in r.descriptors])
    a = ls_attribute(u)
    tlvs += flat(a.tlvs) if a is not None else []
    out: dict[str, list[Any]] = {
        "bgp.ls.nlri_type": [int(r.TYPE) for r in routes],
        "bgp.ls.nlri_node.protocol_id": [int(r.protocol_id) for r in routes],
        "bgp.ls.nlri_node.identifier": [r.identifier for r in routes],
    }

    def put(key: str, value: Any) -> None:
        out.setdefault(key, []).append(value)

    for t in tlvs:
        c = t.type
        if c == 512:
            put("bgp.ls.tlv.autonomous_system.id", t.value)
        elif c == 513:
            put("bgp.ls.tlv.bgp_ls_identifier_id", t.value)
        elif c == 514:
            put("bgp.ls.tlv.area_id.id", t.value)
        elif c == 515:
            put("bgp.ls.tlv.igp_router_id", _colons(t.router_id))
        elif c in (259, 260, 261, 262):
            key = {259: "ipv4_interface", 260: "ipv4_neighbor", 261: "ipv6_interface", 262: "ipv6_neighbor"}[c]
            put(f"bgp.ls.nlri_{key}_address", t.address)
        elif c == 258:
            put("bgp.ls.nlri_link_local_identifier", t.local_id)
            put("bgp.ls.nlri_link_remote_identifier", t.remote_id)
        elif c == 264:
            put("bgp.ls.nlri_ospf_route_type", t.value)
        elif c == 265:
            put("bgp.ls.nlri_ip_reachability_prefix_ip" + ("6" if ":" in t.prefix else ""), t.prefix.split("/")[0])
        elif c == 1026:
            put("bgp.ls.tlv.node_name_value", t.text)
        elif c == 1098:
            put("bgp.ls.tlv.link_name_attribute_value", t.text)
        elif c in (1028, 1030):
            put("bgp.ls.tlv.ipv4_router_id_value", t.address)
        elif c == 1029:
            put("bgp.ls.tlv.ipv6_router_id_of_local_node_value", t.address)
        elif c in (1089, 1090):
            put("bgp.ls.bandwidth_value", t.bandwidth * 8 / 1e6)
        elif c == 1091:
            for b in t.bandwidths:
                put("bgp.ls.bandwidth_value", b * 8 / 1e6)
        elif c == 1092:
            put("bgp.ls.tlv.te_default_metric_value", t.value)
        elif c == 1095:
            put("bgp.ls.tlv.metric_value", t.value)
        elif c == 1155:
            put("bgp.ls.tlv.prefix_metric_value", t.value)
        elif c == 1088:
            put("bgp.ls.tlv.administrative_group_color_value", t.value)
        elif c == 1096:
            out.setdefault("bgp.ls.tlv.shared_risk_link_group_value", []).extend(t.values)
        elif c == 1153:
            out.setdefault("bgp.ls.tlv.route_tag_value", []).extend(t.values)
        elif c == 1154:
            out.setdefault("bgp.ls.tlv.extended_route_tag_value", []).extend(t.values)
        elif c == 1035:
            out.setdefault("bgp.ls.sr.tlv.algorithm.value", []).extend(t.values)
        elif c == 1099:
            put("bgp.ls.sr.tlv.adjacency.sid.flags", t.flags)
            put("bgp.ls.sr.tlv.adjacency.sid.weight", t.weight)
            put("bgp.ls.sr.tlv.adjacency.sid.label", t.sid)
        elif c == 1158:
            put("bgp.ls.sr.tlv.prefix.sid.flags", t.flags)
            put("bgp.ls.sr.tlv.prefix.sid.algo", t.algorithm)
            put("bgp.ls.sr.tlv.prefix.sid.index", t.sid)
        elif c in (1034, 1036):
            name = "capabilities" if c == 1034 else "local_block"
            put(f"bgp.ls.sr.tlv.{name}.flags", t.flags)
            for r in t.ranges:
                put(f"bgp.ls.sr.tlv.{name}.range_size", r.range_size)
                put(f"bgp.ls.sr.tlv.{name}.sid.label", r.first.sid)
    return out


def theirs(bgp: Any, keys: list[str]) -> dict[str, list[Any]]:
    """The same keys from tshark's JSON, converted like :func:`mine`."""
    out: dict[str, list[Any]] = {}
    ints = (".id", "_id", "identifier", "protocol_id", "nlri_type", "route_type", "value", "weight", "label",
            "algo", "index", "range_size", "flags")  # fmt: skip
    for key in keys:
        values = find_all(bgp, key)
        conv: list[Any] = []
        for v in values:
            if key == "bgp.ls.bandwidth_value":
                conv.append(float(v))
            elif key.endswith(("_value",)) and v.startswith("0x"):
                conv.append(_hex_int(v))
            elif key.endswith("flags") or (isinstance(v, str) and v.startswith("0x")):
                conv.append(_hex_int(v))
            elif key.endswith(ints) and v.lstrip("-").isdigit():
                conv.append(int(v))
            else:
                conv.append(v)
        out[key] = conv
    return out


def compare(u: Update, bgp: Any) -> int:
    """Assert every value tshark shows for the TLVs is bmplib's; the number compared."""
    want = mine(u)
    got = theirs(bgp, sorted(want))
    # tshark lists a repeated key once, merging its values in document order per key
    assert {k: sorted(map(str, v)) for k, v in got.items()} == {k: sorted(map(str, v)) for k, v in want.items()}
    return sum(len(v) for v in want.values())


# ------------------------------------------------------------------- the lab capture
def capture_updates() -> list[tuple[RouteMonitoring, Update, Any]]:
    return ls_sr_mup_wires.capture_updates("gobgp_families", (71,))


def test_capture_routes_are_typed_and_match_tshark() -> None:
    seen: dict[tuple[str, str], int] = {}
    compared = 0
    for m, u, t in capture_updates():
        assert u.problems == []
        for r in u.announced + u.withdrawn:
            assert isinstance(r, (NodeNLRI, LinkNLRI, IPv4PrefixNLRI))
            key = (m.peer.table, type(r).__name__)
            seen[key] = seen.get(key, 0) + 1
            assert r.protocol_id is LSProtocolID.OSPFV2 and r.identifier == 0
            assert r.local_node is not None and r.local_node.asn == 65500
            assert r.local_node.igp_router_id == "10.0.0.50"
        a = ls_attribute(u)
        if u.mp_reach is not None:
            assert a is not None and not any(isinstance(x, LSTLV) for x in a.tlvs)
        compared += compare(u, t)
    # the raw speaker's node, link, prefix and link withdrawal, in the pre- and post-policy tables
    # and the Loc-RIB (GoBGP re-exports BGP-LS in all three)
    assert sum(seen.values()) == 12
    assert {name for _, name in seen} == {"NodeNLRI", "LinkNLRI", "IPv4PrefixNLRI"}
    assert compared == 148  # values tshark and bmplib agree on


def test_capture_link_attribute_values() -> None:
    """What rawbgp.py put in the link's BGP-LS attribute, as the DUT exported it."""
    (u,) = [u for m, u, _ in capture_updates() if m.peer.table == "adj-rib-in-pre" and u.mp_reach and
            isinstance(u.announced[0], LinkNLRI)]  # fmt: skip
    a = ls_attribute(u)
    assert a is not None
    assert a.tlvs == [
        LSAddress(1028, "10.0.0.50"),
        LSAddress(1030, "10.0.0.51"),
        LSBandwidth(1089, 1.25e9),
        LSInteger(1092, 10, 4),
        LSInteger(1095, 10, 2),
    ]
    link = u.announced[0]
    assert isinstance(link, LinkNLRI)
    assert link.remote_node is not None and link.remote_node.igp_router_id == "10.0.0.51"
    assert [ls_tlv_text(t) for t in link.link_descriptors] == [
        "ipv4_interface_address=10.50.51.0",
        "ipv4_neighbor_address=10.50.51.1",
    ]


# ------------------------------------------------------------------- hand-packed, against tshark
TSHARK_KNOWS = ["ls-node", "ls-link", "ls-prefix4", "ls-withdraw-link", "ls-sr-node", "ls-sr-link", "ls-prefix6"]


def test_hand_packed_match_tshark(tmp_path: Path) -> None:
    layers = tshark_updates([WIRES[n] for n in TSHARK_KNOWS], tmp_path)
    for name, bgp in zip(TSHARK_KNOWS, layers):
        u = decode(WIRES[name])
        assert u.problems == [], name
        assert compare(u, bgp) > 5, name


def test_sr_extensions_by_layout() -> None:
    """RFC 9085 / 9514 TLVs decoded to the values packed."""
    node = ls_attribute(decode(WIRES["ls-sr-node"]))
    assert node is not None
    assert node.get(1034) == SRCapabilities(1034, 0xC0, [SRRange(8000, SIDLabel(16000, 3))])
    assert node.get(1036) == SRCapabilities(1036, 0, [SRRange(1000, SIDLabel(15000, 3))])
    assert node.get(1035) == LSIntegerList(1035, [0, 1], 1)
    assert node.get(1038) == SRv6Capabilities(0x4000)
    assert node.get(1026) == LSText(1026, "pe1.example")
    assert node.get(1027) == LSTLV(1027, bytes.fromhex("490001"))  # IS-IS area: no typed form
    assert node.get(9999) == LSTLV(9999, b"\x01\x02")
    link = ls_attribute(decode(WIRES["ls-sr-link"]))
    assert link is not None
    assert link.get(1091) == UnreservedBandwidth([1.25e8] * 8)
    assert link.get(1092) == LSInteger(1092, 30, 3)
    assert link.get(1099) == AdjacencySID(1099, 0x30, 10, 24001, 3)
    assert link.get(1100) == LANAdjacencySID(0x30, 0, bytes.fromhex("000000000002"), 24002, 3)
    assert link.get(1106) == SRv6EndXSID(
        1106, 6, 0x80, 0, 10, "2001:db8:1:e000::", b"", [SRv6SIDStructure(32, 16, 16, 0)]
    )
    assert link.get(1107) == SRv6EndXSID(1107, 6, 0, 0, 0, "2001:db8:1:e001::", bytes.fromhex("000000000002"), [])
    pfx = decode(WIRES["ls-prefix6"])
    (route,) = pfx.announced
    assert isinstance(route, IPv6PrefixNLRI) and route.prefix == "2001:db8:1::/64"
    assert route.local_node is not None and route.local_node.igp_router_id == "0000.0000.0001"
    pa = ls_attribute(pfx)
    assert pa is not None
    assert pa.get(1158) == PrefixSID(0x40, 0, 1, 4)
    assert pa.get(1162) == SRv6Locator(0, 0, 1, [])
    assert pa.get(1171) == LSAddress(1171, "10.0.0.1")
    sid = decode(WIRES["ls-srv6-sid"])
    (sroute,) = sid.announced
    assert isinstance(sroute, SRv6SIDNLRI) and sroute.sid == "2001:db8:1:e002::"
    sa = ls_attribute(sid)
    assert sa is not None
    assert sa.tlvs == [
        SRv6EndpointBehavior(0x13, 0, 0),
        SRv6SIDStructure(32, 16, 16, 0),
        SRv6BGPPeerNodeSID(0, 0, 65002, "10.0.0.2"),
    ]
    (vpn,) = decode(WIRES["ls-vpn-node"]).announced
    assert isinstance(vpn, NodeNLRI) and str(vpn.rd) == "65001:9" and vpn.family == (16388, 72)
    assert str(vpn).startswith("[65001:9][node][isis_level_2][7]")


def test_igp_router_id_forms() -> None:
    assert IGPRouterID(bytes.fromhex("00000000000102")).text == "0000.0000.0001.02"
    assert IGPRouterID(bytes.fromhex("0a0000010a010001")).text == "10.0.0.1/10.1.0.1"


def test_json() -> None:
    u = decode(WIRES["ls-link"])
    j = bmplib.to_json(u)
    route = j["announced"][0]
    assert route["family"] == "bgp-ls" and route["nlri_type"] == "link" and route["protocol_id"] == "ospfv2"
    assert route["descriptors"][0]["name"] == "local_node_descriptors"
    assert route["descriptors"][0]["tlvs"][3] == {"router_id": "0a000032", "type": 515, "name": "igp_router_id",
                                                   "text": "10.0.0.50"}  # fmt: skip
    (ls,) = [a for a in j["attributes"] if a["type_code"] == 29]
    assert ls["name"] == "bgp_ls"
    assert ls["tlvs"][2] == {"type": 1089, "bandwidth": 1.25e9, "name": "max_link_bandwidth"}
    json.dumps(j)


# ------------------------------------------------------------------- malformed input
NODE_BODY = bytes([3]) + struct.pack("!Q", 0) + tlv(256, tlv(512, struct.pack("!I", 1)))


@pytest.mark.parametrize(
    ("nlri", "reason"),
    [
        (struct.pack("!HH", 1, 40) + NODE_BODY, "runs past the end of the NLRI"),
        (struct.pack("!HH", 1, 5) + NODE_BODY[:5], "too short for its protocol ID"),
        (struct.pack("!HH", 1, 9 + 4) + NODE_BODY[:9] + struct.pack("!HH", 256, 8), "runs past its container"),
        (b"\x00\x01\x00", "too short for its type and length"),
    ],
)
def test_malformed_nlri_disables_the_family(nlri: bytes, reason: str) -> None:
    wire = update(BASE + mp_reach(16388, 71, bytes(4), nlri))
    u = decode_update(wire, 19, len(wire), CTX)
    (p,) = u.problems
    assert p.type_code == 14 and u.encode() == wire
    assert p.action is ErrorAction.AFI_SAFI_DISABLE and reason in p.reason and p.family == (16388, 71)


def test_malformed_attribute_is_discarded() -> None:
    node = struct.pack("!HH", 1, len(NODE_BODY)) + NODE_BODY
    wire = update(BASE + mp_reach(16388, 71, bytes(4), node) + attr(0x80, 29, struct.pack("!HH", 1026, 9) + b"x"))
    u = decode_update(wire, 19, len(wire), CTX)
    (p,) = u.problems
    assert p.action is ErrorAction.ATTRIBUTE_DISCARD and p.type_code == 29 and "runs past" in p.reason
    assert u.encode() == wire and len(u.announced) == 1


@pytest.mark.parametrize(
    "value",
    [
        tlv(1028, b"\x0a\x00\x00"),  # IPv4 router ID of 3 octets
        tlv(1089, b"\x00\x00"),  # bandwidth of 2 octets
        tlv(1026, b"\xff\xfe"),  # node name not UTF-8
        tlv(1099, b"\x30\x00\x00\x00\x01"),  # adjacency SID of 1 octet
        tlv(1034, b"\x00\x00\x00\x00\x01"),  # SR capabilities range cut short
        tlv(1106, b"\x00" * 10),  # End.X SID without its SID
    ],
)
def test_typed_tlv_of_another_shape_stays_raw(value: bytes) -> None:
    node = struct.pack("!HH", 1, len(NODE_BODY)) + NODE_BODY
    wire = update(BASE + mp_reach(16388, 71, bytes(4), node) + attr(0x80, 29, value))
    u = decode_update(wire, 19, len(wire), CTX)
    assert u.problems == [] and u.encode() == wire
    a = ls_attribute(u)
    assert a is not None and a.tlvs == [LSTLV(struct.unpack_from("!H", value)[0], value[4:])]


def test_withdraw_only_update() -> None:
    u = decode(update(mp_unreach(16388, 71, b"")))
    assert u.end_of_rib == "bgp-ls"
