"""The attributes of the VPN / EVPN families: EVPN extended communities,
PMSI_TUNNEL and the BGP Prefix-SID.

On the captures, through the whole decoder (``bmplib.iter_file``), against
tshark: extended communities (route targets of the three forms, encapsulation,
ESI label, router's MAC, default gateway), PMSI tunnel, MP_REACH next hops of
the VPN / EVPN families.  The communities and tunnel types the captures lack,
and the Prefix-SID TLVs, from byte vectors laid out as in their RFCs, checked
field by field and re-encoded exactly."""

from __future__ import annotations

import struct
from typing import Any

import pytest

import bmplib
from bmplib.bgp.attributes import ErrorAction, ExtendedCommunities, RouteTarget
from bmplib.bgp.attributes.evpn_communities import (
    DefaultGateway,
    DFElection,
    ESILabel,
    ESImportRouteTarget,
    ETree,
    Layer2Attributes,
    MACMobility,
    RouterMAC,
)
from bmplib.bgp.attributes.extended_communities import Encapsulation, TunnelType, decode_extended_communities
from bmplib.bgp.attributes.pmsi_tunnel import (
    BIERTunnel,
    IngressReplication,
    MLDPTunnel,
    PIMTunnel,
    PMSITunnel,
    PMSITunnelType,
    RSVPP2MPTunnel,
    decode_pmsi_tunnel,
)
from bmplib.bgp.attributes.prefix_sid import (
    LabelIndexTLV,
    OriginatorSRGBTLV,
    PrefixSID,
    PrefixSIDTLV,
    SRv6ServiceTLV,
    SRv6SIDInformation,
    SRv6SIDStructure,
    decode_prefix_sid,
)
from bmplib.bgp.update import decode_update
from bmplib.json import value_to_json
from bmplib.session import DecodeContext
from tests.conftest import PCAPS, load_tshark
from tests.nlri._captures import find_all, tshark_bmp_messages

CTX = DecodeContext()
CAPTURES = ["gobgp_vpn_evpn", "frr_vpn_evpn", "frr_evpn_interop_flap"]


def _pairs(name: str) -> list[tuple[Any, dict[str, Any]]]:
    items = list(bmplib.iter_file(PCAPS / f"{name}.bmp"))
    tmsgs = tshark_bmp_messages(load_tshark(name))
    assert len(items) == len(tmsgs)
    return [(m, t) for m, t in zip(items, tmsgs) if getattr(m, "update", None) is not None]


def _check_ext_community(c: Any, t: dict[str, Any]) -> str:
    assert c.type == int(t["bgp.ext_com.type"], 16)
    subtype = next(v for k, v in t.items() if k.startswith("bgp.ext_com.stype_"))
    assert c.subtype == int(subtype, 16)
    if isinstance(c, RouteTarget):
        admin = t.get("bgp.ext_com.value_as2") or t.get("bgp.ext_com.value_as4") or t.get("bgp.ext_com.value_IP4")
        local = t.get("bgp.ext_com.value_an4") or t.get("bgp.ext_com.value_an2")
        assert str(c.global_admin) == admin and c.local_admin == int(local)
    elif isinstance(c, Encapsulation):
        assert int(c.tunnel_type) == int(t["bgp.ext_com.tunnel_type"])
    elif isinstance(c, ESILabel):
        assert c.flags == int(t["bgp.ext_com_l2.esi_label_flag"]) and not c.single_active
        assert c.label == int(t["bgp.update.path_attribute.mpls_label_value"])
        assert c.mpls_label == int(t["bgp.update.path_attribute.mpls_label_value_20bits"])
    elif isinstance(c, RouterMAC):
        assert c.mac == t["bgp.ext_com_evpn.esi.router_mac"]
    elif isinstance(c, DefaultGateway):
        assert int.from_bytes(c.value, "big") == int(t["bgp.ext_com.value_raw"], 16)
    else:
        pytest.fail(f"unexpected extended community {c!r} in the capture")
    return type(c).__name__


@pytest.mark.parametrize("name", CAPTURES)
def test_attributes_match_tshark(name: str) -> None:
    kinds: set[str] = set()
    pmsi = 0
    next_hops = 0
    for msg, tmsg in _pairs(name):
        u = msg.update
        assert not u.problems
        # extended communities, wire order
        tcomms = find_all(tmsg, "bgp.ext_community")
        assert len(tcomms) == len(u.extended_communities)
        for c, t in zip(u.extended_communities, tcomms):
            kinds.add(_check_ext_community(c, t))
        tattrs = find_all(tmsg, "bgp.update.path_attribute")
        # PMSI tunnel
        tp = [a for a in tattrs if a["bgp.update.path_attribute.type_code"] == "22"]
        mine = u.get(22)
        assert (mine is None) == (not tp)
        if mine is not None:
            (t,) = tp
            assert isinstance(mine, PMSITunnel)
            assert mine.pmsi_flags == int(t["bgp.update.path_attribute.pmsi.tunnel.flags"], 16)
            assert mine.tunnel_type is PMSITunnelType.INGRESS_REPLICATION
            assert int(mine.tunnel_type) == int(t["bgp.update.path_attribute.pmsi.tunnel.type"])
            tunnel = mine.tunnel
            assert isinstance(tunnel, IngressReplication)
            tid = t["bgp.update.path_attribute.pmsi.tunnel.id"]
            assert tunnel.endpoint == tid["bgp.update.path_attribute.pmsi.ingress_rep_ip"]
            assert mine.vni == int(t["bgp.evpn.nlri.vni"])
            assert str(mine) == f"pmsi:ingress_replication label {mine.label} {tunnel.endpoint}"
            pmsi += 1
        # MP_REACH next hop of the VPN / EVPN / labeled families
        reach = u.mp_reach
        if reach is not None and (reach.afi, reach.safi) != (2, 1):
            (t,) = [a for a in tattrs if a["bgp.update.path_attribute.type_code"] == "14"]
            tree = t["bgp.update.path_attribute.mp_reach_nlri.next_hop_tree"]
            nh = reach.next_hop
            addr = tree.get("bgp.update.path_attribute.mp_reach_nlri.next_hop.ipv4") or tree.get(
                "bgp.update.path_attribute.mp_reach_nlri.next_hop.ipv6"
            )
            assert nh.address == addr
            if reach.safi == 128:
                assert nh.rd is not None and str(nh.rd) == tree["bgp.update.path_attribute.mp_reach_nlri.next_hop.rd"]
            next_hops += 1
    assert pmsi > 0 and next_hops > 0
    assert {"RouteTarget", "Encapsulation", "ESILabel", "RouterMAC", "DefaultGateway"} <= kinds


def test_evpn_communities_from_rfc_layouts() -> None:
    value = bytes.fromhex(
        "0600" + "01" + "00" + "00000007"  # MAC mobility, sticky, sequence 7 (RFC 7432 7.7)
        "0600" + "00" + "00" + "ffffffff"  # MAC mobility, sequence 2^32-1
        "0601" + "01" + "0000" + "0007d1"  # ESI label, single-active, label field 0x7d1
        "0602" + "aabbccddeeff"  # ES-import route target (7.6)
        "0603" + "020000000030"  # EVPN router's MAC (RFC 9135)
        "0604" + "0003" + "05dc" + "0000"  # layer 2 attributes: P + B, MTU 1500 (RFC 8214)
        "0605" + "01" + "0000" + "000641"  # E-Tree, leaf, leaf label 100 (RFC 8317)
        "0606" + "01" + "8000" + "000000"  # DF election, HRW, AC-DF bit (RFC 8584)
        "030d" + "000000000000"  # default gateway (RFC 7432 7.8)
        "030c" + "00000000" + "0008"  # encapsulation VXLAN (RFC 9012)
    )
    attr = decode_extended_communities(value, 0, len(value), 0xC0, CTX)
    assert isinstance(attr, ExtendedCommunities)
    mm, mm2, esil, esi_import, rmac, l2, etree, df, gw, encap = attr.communities
    assert isinstance(mm, MACMobility) and mm.sticky and mm.sequence == 7 and str(mm) == "mac-mobility:7:sticky"
    assert isinstance(mm2, MACMobility) and not mm2.sticky and mm2.sequence == 0xFFFFFFFF
    assert isinstance(esil, ESILabel) and esil.single_active and esil.label == 0x7D1 and esil.mpls_label == 0x7D
    assert str(esil) == "esi-label:2001:single-active"
    assert isinstance(esi_import, ESImportRouteTarget) and str(esi_import) == "es-import:aa:bb:cc:dd:ee:ff"
    assert isinstance(rmac, RouterMAC) and rmac.mac == "02:00:00:00:00:30"
    assert isinstance(l2, Layer2Attributes) and l2.primary and l2.backup and not l2.control_word
    assert l2.mtu == 1500 and str(l2) == "l2-attributes:mtu=1500:flags=P,B"
    assert isinstance(etree, ETree) and etree.leaf and etree.leaf_label >> 4 == 100
    assert isinstance(df, DFElection) and df.df_type == 1 and df.bitmap == 0x8000
    assert isinstance(gw, DefaultGateway) and str(gw) == "default-gateway"
    assert isinstance(encap, Encapsulation) and encap.tunnel_type is TunnelType.VXLAN
    assert attr.encode()[3:] == value  # flags, type, length + the octets as received
    assert value_to_json(mm) == {
        "type": 6,
        "subtype": 0,
        "flags": 1,
        "reserved": 0,
        "sequence": 7,
        "text": "mac-mobility:7:sticky",
    }


def _pmsi(hexvalue: str) -> PMSITunnel:
    value = bytes.fromhex(hexvalue)
    attr = decode_pmsi_tunnel(b"\x00" + value, 1, 1 + len(value), 0xC0, CTX)
    assert attr.encode() == bytes((0xC0, 22, len(value))) + value
    return attr


@pytest.mark.parametrize(
    ("hexvalue", "tunnel_type", "tunnel"),
    [
        ("00" + "06" + "002774" + "20010db8000000000000000000000030", 6, IngressReplication("2001:db8::30")),
        ("01" + "03" + "000000" + "c0000201" + "e8010203", 3, PIMTunnel("192.0.2.1", "232.1.2.3")),
        ("00" + "04" + "000000" + "c0000201" + "efff0001", 4, PIMTunnel("192.0.2.1", "239.255.0.1")),
        ("00" + "01" + "000641" + "c0000201" + "0000" + "0007" + "00000009", 1, RSVPP2MPTunnel(9, 7, 0xC0000201)),
        (
            "00" + "02" + "000000" + "06" + "0001" + "04" + "c0000201" + "0007" + "0100040000000c",
            2,
            MLDPTunnel(6, 1, "192.0.2.1", bytes.fromhex("0100040000000c")),
        ),
        ("00" + "0b" + "000000" + "01" + "0005" + "c0000201", 11, BIERTunnel(1, 5, "192.0.2.1")),
        ("00" + "00" + "000000", 0, None),
        ("00" + "2a" + "000000" + "0102", 42, None),
    ],
)
def test_pmsi_tunnel_types(hexvalue: str, tunnel_type: int, tunnel: Any) -> None:
    attr = _pmsi(hexvalue)
    assert int(attr.tunnel_type) == tunnel_type and attr.tunnel == tunnel
    if tunnel_type == 42:
        assert attr.tunnel_type == 42 and not isinstance(attr.tunnel_type, PMSITunnelType)
        assert attr.tunnel_identifier == b"\x01\x02" and str(attr) == "pmsi:42 label 0 0102"
    if tunnel_type == 3:
        assert attr.leaf_information_required
    if tunnel_type == 6:
        assert attr.vni == 10100 and attr.mpls_label == 631


def _update(attrs: bytes) -> bytes:
    """A BGP UPDATE body: no withdrawn routes, *attrs*, one IPv4 prefix."""
    base = bytes.fromhex("40010100" + "400200" + "400304c0000201")
    return struct.pack("!HH", 0, len(base) + len(attrs)) + base + attrs + bytes.fromhex("180a0100")


def test_malformed_pmsi_and_prefix_sid_in_an_update() -> None:
    short_pmsi = bytes.fromhex("c0160400060027")  # 4 octets: below the 5 of the fixed part
    body = _update(short_pmsi)
    u = decode_update(body, 0, len(body), CTX)
    (p,) = u.problems
    assert p.type_code == 22 and p.action is ErrorAction.TREAT_AS_WITHDRAW and u.announced == []
    bad_sid = bytes.fromhex("c02809" + "010007" + "000000000064")  # TLV length 7 but 6 octets left
    body = _update(bad_sid)
    u = decode_update(body, 0, len(body), CTX)
    (p,) = u.problems
    assert p.type_code == 40 and p.action is ErrorAction.ATTRIBUTE_DISCARD
    assert [str(r) for r in u.announced] == ["10.1.0.0/24"]


def test_prefix_sid_label_index_and_srgb() -> None:
    # RFC 8669: Label-Index TLV (type 1, length 7) and Originator SRGB TLV
    # (type 3: flags + two (base, range) pairs)
    value = bytes.fromhex(
        "010007" + "00" + "0000" + "00000064" + "03000e" + "0000" + "003e80" + "001f40" + "0186a0000064"
    )
    attr = decode_prefix_sid(b"\xaa" + value, 1, 1 + len(value), 0xC0, CTX)
    li, srgb = attr.tlvs
    assert isinstance(li, LabelIndexTLV) and li.label_index == 100 and attr.label_index == 100
    assert isinstance(srgb, OriginatorSRGBTLV) and srgb.srgbs == [(16000, 8000), (100000, 100)]
    assert attr.encode() == bytes((0xC0, 40, len(value))) + value


def test_prefix_sid_srv6_services() -> None:
    # RFC 9252: SRv6 L3 Service TLV (5) > SID Information sub-TLV (1) > SID
    # Structure sub-sub-TLV (1); then an L2 service TLV (6) and an unknown TLV
    sid_structure = "01" + "0006" + "28" + "18" + "10" + "00" + "10" + "40"
    sid_info_body = "00" + "fc000000000100000000000000000000" + "00" + "003f" + "00" + sid_structure
    sid_info = "01" + f"{len(sid_info_body) // 2:04x}" + sid_info_body
    l3 = "05" + f"{1 + len(sid_info) // 2:04x}" + "00" + sid_info
    l2 = "06" + "0005" + "00" + "020001" + "ab"  # reserved + an unknown sub-TLV 2 of length 1
    unknown = "2a0002beef"
    value = bytes.fromhex(l3 + l2 + unknown)
    attr = decode_prefix_sid(value, 0, len(value), 0xC0, CTX)
    assert isinstance(attr, PrefixSID)
    svc, svc2, raw = attr.tlvs
    assert isinstance(svc, SRv6ServiceTLV) and int(svc.type) == 5
    (info,) = svc.sid_information
    assert isinstance(info, SRv6SIDInformation)
    assert info.sid == "fc00:0:1::" and info.endpoint_behavior == 0x3F and info.sid_flags == 0
    assert info.structure == SRv6SIDStructure(40, 24, 16, 0, 16, 64)
    assert isinstance(svc2, SRv6ServiceTLV) and svc2.sub_tlvs == [PrefixSIDTLV(2, b"\xab")]
    assert raw == PrefixSIDTLV(42, b"\xbe\xef")
    assert attr.srv6_sids == ["fc00:0:1::"]
    assert attr.encode()[3:] == value


@pytest.mark.parametrize(
    "hexvalue",
    [
        "010006" + "000000000064",  # Label-Index of 6 octets
        "030005" + "0000003e80",  # SRGB not 2 + 6n
        "050010" + "00" + "01000c" + "00" * 12,  # SID information shorter than 21
        "05",  # truncated TLV header
    ],
)
def test_prefix_sid_malformed(hexvalue: str) -> None:
    from bmplib.bgp.attributes import MalformedAttributeError

    value = bytes.fromhex(hexvalue)
    with pytest.raises(MalformedAttributeError) as exc:
        decode_prefix_sid(b"\x00\x00" + value, 2, 2 + len(value), 0xC0, CTX)
    assert exc.value.offset == 2 and exc.value.data == value


def test_built_attributes_encode() -> None:
    sid = PrefixSID([LabelIndexTLV(5), SRv6ServiceTLV(5, [SRv6SIDInformation("fc00::1", 19)])])
    wire = sid.encode()
    again = decode_prefix_sid(wire, 3, len(wire), 0xC0, CTX)
    assert again == PrefixSID([LabelIndexTLV(5), SRv6ServiceTLV(5, [SRv6SIDInformation("fc00::1", 19)])])
    pmsi = PMSITunnel(0, PMSITunnelType.INGRESS_REPLICATION, 10100, bytes.fromhex("c000021e"))
    assert pmsi.encode() == bytes.fromhex("c01609" + "0006002774c000021e")
    assert pmsi.tunnel == IngressReplication("192.0.2.30")
