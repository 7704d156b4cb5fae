"""SR Policy (RFC 9830) NLRI and the Tunnel Encapsulation attribute (RFC 9012)
of the lab capture (GoBGP 3.10's SR Policy v4 / v6 candidate paths, sent by
its gRPC API) and of UPDATEs packed by hand from the RFCs' layouts (every
segment type of RFC 9830 / 9831), against tshark 4.0 where it decodes them
(it stops at an IPv6 SR Policy NLRI); exact re-encoding; malformed input."""

from __future__ import annotations

import json
import struct
from pathlib import Path
from typing import Any

import pytest

import bmplib
from bmplib.bgp.attributes.base import ErrorAction
from bmplib.bgp.attributes.tunnel_encap import (
    BindingSIDSubTLV,
    ColorSubTLV,
    DSFieldSubTLV,
    EncapsulationSubTLV,
    ENLPSubTLV,
    NameSubTLV,
    PreferenceSubTLV,
    PrioritySubTLV,
    ProtocolTypeSubTLV,
    RawSegmentSubTLV,
    Segment,
    SegmentListSubTLV,
    SRv6BindingSIDSubTLV,
    SRv6EndpointBehaviorStructure,
    TunnelEgressEndpoint,
    TunnelEncapsulation,
    TunnelSubTLV,
    TunnelTLV,
    TunnelType,
    UDPDestinationPort,
    WeightSubTLV,
)
from bmplib.bgp.update import Update, decode_update
from bmplib.bmp.messages import RouteMonitoring
from bmplib.nlri.srpolicy import SRPolicyNLRI
from bmplib.session import DecodeContext
from tests.bgp.tshark_live import tshark_updates
from tests.nlri import ls_sr_mup_wires
from tests.nlri._captures import find_all
from tests.nlri.ls_sr_mup_wires import BASE, attr, mp_reach, sr_policy_updates, sub, update

CTX = DecodeContext(asn4=True)
WIRES = sr_policy_updates()
E = "bgp.update.encaps_tunnel_"


def decode(wire: bytes) -> Update:
    u = decode_update(wire, 19, len(wire), CTX)
    assert u.encode() == wire
    return u


def tunnel(u: Update) -> TunnelEncapsulation:
    (t,) = [a for a in u.attributes if isinstance(a, TunnelEncapsulation)]
    return t


def mine(u: Update) -> dict[str, Any]:
    """What tshark shows of the NLRI and the tunnel sub-TLVs, from bmplib's model."""
    routes = [r for r in u.announced + u.withdrawn if isinstance(r, SRPolicyNLRI)]
    out: dict[str, Any] = {
        "nlri": [(r.distinguisher, r.color, r.endpoint) for r in routes],
    }
    if any(a.type_code == 23 for a in u.attributes):
        tun = tunnel(u)
        out["tunnels"] = sorted(int(t.tunnel_type) for t in tun.tunnels)
        subs = [s for t in tun.tunnels for s in t.sub_tlvs]
        out["sub_tlvs"] = sorted((s.type, len(s.encode_value())) for s in subs)
        seg = [x for s in subs if isinstance(s, SegmentListSubTLV) for x in s.sub_tlvs]
        # tshark shows the octets of every segment-list sub-TLV but type A (compared as labels)
        out["segment_list"] = sorted(
            (x.type, len(x.encode_value()), x.encode_value().hex(":")) for x in seg if x.type != 1
        )
        out["binding_sid"] = [s.sid.hex(":") for s in subs if isinstance(s, BindingSIDSubTLV)]
        out["enlp"] = [s.enlp for s in subs if isinstance(s, ENLPSubTLV)]
        out["labels"] = [(x.mpls_label, x.label & 0xFF) for x in seg if isinstance(x, Segment) and x.type == 1]
    return out


def theirs(bgp: Any) -> dict[str, Any]:
    def ints(key: str) -> list[int]:
        return [int(v, 16) if v.startswith("0x") else int(v) for v in find_all(bgp, key)]

    def hexint(key: str) -> list[int]:
        return [int(v.replace(":", ""), 16) for v in find_all(bgp, key)]

    endpoints = find_all(bgp, "bgp.sr_policy_nlri_endpoint_ipv4")
    out: dict[str, Any] = {
        "nlri": list(
            zip(hexint("bgp.sr_policy_nlri_distinguisher"), hexint("bgp.sr_policy_nlri_policy_color"), endpoints)
        ),
    }
    if find_all(bgp, f"{E}tlv_type"):
        out["tunnels"] = sorted(ints(f"{E}tlv_type"))
        out["sub_tlvs"] = sorted(zip(ints(f"{E}subtlv_type"), ints(f"{E}tlv_sublen")))
        p = f"{E}tlv_subtlv.segment_list.subtlv"
        out["segment_list"] = sorted(zip(ints(f"{p}.type"), ints(f"{p}.length"), find_all(bgp, f"{p}.data")))
        out["binding_sid"] = find_all(bgp, f"{E}tlv_subtlv.binding_sid.sid")
        out["enlp"] = ints(f"{E}tlv_subtlv.enlp.preference")
        q = f"{E}tlv_subtlv.segment_list_subtlv"
        out["labels"] = list(zip(ints(f"{q}.mpls_label"), ints(f"{q}.ttl")))
    return out


# ------------------------------------------------------------------- the lab capture
def capture_updates() -> list[tuple[RouteMonitoring, Update, Any]]:
    return ls_sr_mup_wires.capture_updates("gobgp_families", (73,))


def test_capture_sr_policies() -> None:
    """What the lab's gobgp_api.py sent (srpolicy4 / srpolicy6), in every
    table GoBGP exports; IPv4 ones against tshark's decoding."""
    tables: dict[tuple[str, int, bool], int] = {}
    against_tshark = 0
    for m, u, t in capture_updates():
        assert u.problems == []
        for r in u.announced + u.withdrawn:
            assert isinstance(r, SRPolicyNLRI)
            key = (m.peer.table, r.afi, r in u.withdrawn)
            tables[key] = tables.get(key, 0) + 1
            if r.afi == 1:
                assert (r.distinguisher, r.color, r.endpoint) == (2, 99, "10.0.0.15")
            else:
                assert (r.distinguisher, r.color, r.endpoint) == (3, 100, "2001:db8::15")
        if u.mp_reach is not None:
            (tun,) = tunnel(u).tunnels
            assert tun.tunnel_type is TunnelType.SR_POLICY
            assert tun.get(12) == PreferenceSubTLV(0, 11)
            assert tun.get(15) == PrioritySubTLV(10)
            if m.peer.table == "adj-rib-in-pre":
                assert tun.get(129) == NameSubTLV(129, "CandidatePathName")
            else:
                # GoBGP re-encodes the name with the first 3 octets of the Priority sub-TLV after it
                assert tun.get(129) == NameSubTLV(129, "CandidatePathName\x0f\x02\x0a")
            seglist = tun.get(128)
            assert isinstance(seglist, SegmentListSubTLV) and seglist.weight == 12
            (seg,) = seglist.segments
            bsid = tun.get(13)
            assert isinstance(bsid, BindingSIDSubTLV)
            if u.mp_reach.afi == 1:
                assert bsid.flags == 0x80 and bsid.sid_text == "24321"
                # the API's SegmentTypeA label (10203) is the whole 4-octet field; S-flag 0x20
                assert (seg.segment_type, seg.flags, seg.label, seg.mpls_label) == ("A", 0x20, 10203, 2)
            else:
                # the API asked for the SRv6 binding SID 2001:db8:bb::1 with the S flag: GoBGP 3.10
                # sends a type 13 sub-TLV with flags 0 and the SID's last octet zero
                assert bsid.flags == 0 and bsid.sid_text == "2001:db8:bb::"
                assert (seg.segment_type, seg.srv6_sid) == ("B", "2001:db8:aa::1")
        mp = u.mp_reach or u.mp_unreach
        if mp is not None and mp.afi == 1:  # tshark 4.0 stops at an IPv6 SR Policy NLRI
            assert mine(u) == theirs(t)
            against_tshark += 1
    assert tables == {
        ("adj-rib-in-pre", 1, False): 1,
        ("adj-rib-in-post", 1, False): 1,
        ("loc-rib", 1, False): 1,
        ("adj-rib-in-pre", 2, False): 1,
        ("adj-rib-in-post", 2, False): 1,
        ("loc-rib", 2, False): 1,
        ("adj-rib-in-pre", 1, True): 1,
        ("adj-rib-in-post", 1, True): 1,
        ("loc-rib", 1, True): 1,
        ("adj-rib-in-post", 2, True): 1,
        ("loc-rib", 2, True): 1,
    }
    assert against_tshark == 6


# ------------------------------------------------------------------- hand-packed
def test_hand_packed_match_tshark(tmp_path: Path) -> None:
    names = ["srpolicy4", "srpolicy-all", "srpolicy-withdraw"]
    layers = tshark_updates([WIRES[n] for n in names], tmp_path)
    for name, bgp in zip(names, layers):
        want, got = mine(decode(WIRES[name])), theirs(bgp)
        if name == "srpolicy-all":
            # tshark 4.0 reads 4 octets of the 8-octet Color sub-TLV (RFC 9012 section 3.4.2) and then
            # one phantom sub-TLV of type 0 from the rest; it does not show the second Tunnel TLV
            assert (0, 0) in got["sub_tlvs"]
            got["sub_tlvs"].remove((0, 0))
            want["sub_tlvs"] = [s for s in want["sub_tlvs"] if s != (1, 12)]
            want["tunnels"] = [15]
        assert want == got, name


BEHAVIOR = SRv6EndpointBehaviorStructure(0x39, 32, 16, 16, 0)


def test_every_segment_type_by_layout() -> None:
    (tun, vxlan) = tunnel(decode(WIRES["srpolicy-all"])).tunnels
    assert vxlan == TunnelTLV(TunnelType.VXLAN, [EncapsulationSubTLV(bytes([0x80, 0, 0x27, 0x74]) + bytes(8))])
    seglist = tun.get(128)
    assert isinstance(seglist, SegmentListSubTLV)
    assert seglist.sub_tlvs == [
        WeightSubTLV(0, 1),
        Segment(3, 0, 1, local_address="10.0.0.3", mpls_sid=300),
        Segment(4, 0, 0, local_address="2001:db8::4"),
        Segment(5, 0, 0, local_interface_id=5, local_address="10.0.0.5"),
        Segment(6, 0, 0, local_address="10.0.0.6", remote_address="10.0.0.7", mpls_sid=600),
        Segment(7, 0, 0, local_interface_id=7, local_address="2001:db8::7", remote_interface_id=8,
                remote_address="2001:db8::8"),
        Segment(8, 0, 0, local_address="2001:db8::9", remote_address="2001:db8::a"),
        Segment(13, 0, 0, srv6_sid="2001:db8:b::", behavior=BEHAVIOR),
        Segment(14, 0, 0, local_address="2001:db8::e", srv6_sid="2001:db8:e::"),
        Segment(15, 0, 128, local_interface_id=15, local_address="2001:db8::f", remote_interface_id=16,
                remote_address="2001:db8::10", srv6_sid="2001:db8:f::", behavior=BEHAVIOR),
        Segment(16, 0, 0, local_address="2001:db8::11", remote_address="2001:db8::12"),
        RawSegmentSubTLV(99, b"\x01\x02"),
    ]  # fmt: skip
    assert [s.segment_type for s in seglist.segments] == list("CDEFGHBIJK")
    assert [s for s in tun.sub_tlvs if not isinstance(s, SegmentListSubTLV)] == [
        SRv6BindingSIDSubTLV(0x40, "2001:db8:bb::2", BEHAVIOR),
        ENLPSubTLV(0, 2),
        NameSubTLV(130, "policy-all"),
        TunnelEgressEndpoint(2, "2001:db8::99"),
        UDPDestinationPort(4789),
        ProtocolTypeSubTLV(0x86DD),
        DSFieldSubTLV(0x2E),
        ColorSubTLV(0, 77),
    ]


def test_json() -> None:
    j = bmplib.to_json(decode(WIRES["srpolicy4"]))
    assert j["announced"] == [{"family": "ipv4-sr-policy", "text": "[2][99][10.0.0.15]", "path_id": None,
                               "distinguisher": 2, "color": 99, "endpoint": "10.0.0.15"}]  # fmt: skip
    (t,) = [a for a in j["attributes"] if a["type_code"] == 23]
    assert t["name"] == "tunnel_encapsulation" and t["tunnels"][0]["tunnel_type"] == "sr_policy"
    subs = t["tunnels"][0]["sub_tlvs"]
    assert subs[0] == {"flags": 128, "sid": "05f01000", "reserved": 0, "type": 13, "name": "binding_sid",
                       "sid_text": "24321"}  # fmt: skip
    seg = subs[1]["sub_tlvs"][1]
    assert (seg["segment_type"], seg["mpls_label"], seg["name"]) == ("A", 10203, "segment")
    json.dumps(j)


# ------------------------------------------------------------------- malformed input
NLRI4 = bytes([96]) + struct.pack("!II", 1, 2) + bytes([10, 0, 0, 1])


@pytest.mark.parametrize(
    ("nlri", "reason"),
    [
        (bytes([64]) + bytes(8), "is not 96 or 192"),
        (NLRI4[:-1], "runs past the end"),
    ],
)
def test_malformed_nlri_disables_the_family(nlri: bytes, reason: str) -> None:
    wire = update(BASE + mp_reach(1, 73, bytes(4), nlri))
    u = decode_update(wire, 19, len(wire), CTX)
    (p,) = u.problems
    assert p.action is ErrorAction.AFI_SAFI_DISABLE and reason in p.reason and u.encode() == wire


@pytest.mark.parametrize(
    "value",
    [
        struct.pack("!HH", 15, 9) + sub(12, bytes(6)),  # Tunnel TLV longer than the attribute
        struct.pack("!HH", 15, 4) + bytes([12, 6, 0, 0]),  # sub-TLV longer than its Tunnel TLV
        struct.pack("!HH", 15, 2) + bytes([128, 0]),  # a 2-octet sub-TLV length cut short
        b"\x00\x0f\x00",  # Tunnel TLV header cut short
    ],
)
def test_malformed_attribute_is_treat_as_withdraw(value: bytes) -> None:
    wire = update(BASE + mp_reach(1, 73, bytes(4), NLRI4) + attr(0xC0, 23, value))
    u = decode_update(wire, 19, len(wire), CTX)
    (p,) = u.problems
    assert p.action is ErrorAction.TREAT_AS_WITHDRAW and p.type_code == 23 and u.encode() == wire


@pytest.mark.parametrize(
    "raw",
    [
        sub(12, bytes(5)),  # preference of 5 octets
        sub(13, bytes(4)),  # binding SID of 2 octets
        sub(4, bytes(8)),  # color sub-TLV that is not a color community
        sub(6, struct.pack("!IH", 0, 1) + bytes(16)),  # egress endpoint AFI 1 with 16 octets
        sub(129, b"\x00\xff"),  # name not UTF-8
        sub(128, b"\x00" + sub(1, bytes(5))),  # segment type A of 5 octets: the list stays, the segment raw
    ],
)
def test_sub_tlv_of_another_shape_stays_raw(raw: bytes) -> None:
    value = struct.pack("!HH", 15, len(raw)) + raw
    wire = update(BASE + mp_reach(1, 73, bytes(4), NLRI4) + attr(0xC0, 23, value))
    u = decode(wire)
    assert u.problems == []
    (s,) = tunnel(u).tunnels[0].sub_tlvs
    if raw[0] == 128:
        assert isinstance(s, SegmentListSubTLV) and s.sub_tlvs == [RawSegmentSubTLV(1, bytes(5))]
        assert s.sub_tlvs[0].name == "segment_list_sub_tlv_1"
    else:
        assert isinstance(s, TunnelSubTLV)
