"""FlowSpec (IPv4, IPv6, VPNv4, VPNv6, L2VPN), VPLS, RTC and MVPN routes of
the lab captures (pcaps/gobgp_families: GoBGP 3.10 exporting what GoBGP,
ExaBGP and raw speakers sent; pcaps/frr_mirror_mvpn: FRR mirroring an MVPN
UPDATE) against tshark 4.0's decoding of the same captures, each NLRI cut
out of its message by hand (tests/nlri/_captures.py) and decoded by its
family codec at its absolute position, re-encoded byte for byte, and the same
routes out of the whole stream decoder."""

from __future__ import annotations

from collections import Counter
from typing import Any

import bmplib
from bmplib.bgp.attributes import ExtendedCommunities
from bmplib.bgp.attributes.extended_communities import Redirect
from bmplib.bgp.attributes.flowspec_communities import TrafficAction, TrafficMarking, TrafficRate
from bmplib.bgp.attributes.vpls_communities import Layer2Info
from bmplib.bmp.messages import RouteMirroring
from bmplib.nlri.flowspec import FlowSpecPrefix, FlowSpecRoute
from bmplib.nlri.mvpn import IntraASIPMSIAD
from bmplib.nlri.registry import UnknownNLRI, lookup
from bmplib.nlri.rtc import RouteTargetMembership, route_target_text
from bmplib.session import DecodeContext
from tests.conftest import PCAPS, load_tshark
from tests.nlri._captures import (
    bmp_messages,
    find_all,
    mp_attributes,
    tshark_bmp_messages,
    tshark_mp_attributes,
)
from tests.nlri.tshark_families import check_flowspec, check_mvpn, check_traffic_communities, check_vpls

MINE = {(1, 133), (2, 133), (1, 134), (2, 134), (25, 134), (25, 65), (1, 66), (1, 5), (2, 5), (1, 132), (2, 132)}
CTX = DecodeContext()


def _routes(name: str) -> list[tuple[int, int, int, list[Any], dict[str, Any]]]:
    """(message index, AFI, SAFI, routes, tshark's NLRI block) of every MP
    attribute of these families in the capture, decoded at its position."""
    msgs = bmp_messages((PCAPS / f"{name}.bmp").read_bytes())
    tshark = tshark_bmp_messages(load_tshark(name))
    assert len(msgs) == len(tshark)
    out = []
    for i, (msg, tmsg) in enumerate(zip(msgs, tshark)):
        attrs, tattrs = mp_attributes(msg), tshark_mp_attributes(tmsg)
        assert len(attrs) == len(tattrs), i
        for attr, tattr in zip(attrs, tattrs):
            if (attr.afi, attr.safi) not in MINE:
                continue
            codec = lookup(attr.afi, attr.safi)
            assert codec is not None
            routes = codec.decode(msg, attr.nlri_start, attr.nlri_end, False, CTX)
            assert codec.encode(routes, False, CTX) == msg[attr.nlri_start : attr.nlri_end]
            key = "mp_reach_nlri" if attr.code == 14 else "mp_unreach_nlri"
            out.append((i, attr.afi, attr.safi, routes, tattr.get(f"bgp.update.path_attribute.{key}", {})))
    return out


def _check_rtc(routes: list[RouteTargetMembership], block: dict[str, Any]) -> None:
    """tshark keys an RTC NLRI by its text: ``MP Reach NLRI 65300:65300:100/96``.
    tshark 4.0 shows the administrator of a 4-octet-AS route target (type
    0x02) as 4294967295 whatever it is: only the local part is compared there."""
    items = [(k, v) for k, v in block.items() if k.startswith(("MP Reach NLRI", "MP Unreach NLRI"))]
    assert len(items) == len(routes)
    for route, (_, v) in zip(routes, items):
        assert int(v["bgp.prefix_length"]) == route.length
        if route.length == 96:
            assert int(v["bgp.originating_as"]) == route.origin_as
            mine = route_target_text(route.packed[4:])
            if route.packed[4] & 0x3F == 0x02:
                assert v["bgp.community_prefix"] == f"4294967295:{mine.split(':')[1]}"
            else:
                assert v["bgp.community_prefix"] == mine


def test_gobgp_families_against_tshark() -> None:
    counts: Counter[tuple[int, int]] = Counter()
    components = 0
    for _, afi, safi, routes, block in _routes("gobgp_families"):
        assert not any(isinstance(r, UnknownNLRI) for r in routes)
        counts[(afi, safi)] += len(routes)
        if safi in (133, 134) and afi != 25:
            components += check_flowspec(routes, block)
        elif safi == 65:
            check_vpls(routes, block)
        elif safi == 132:
            _check_rtc(routes, block)
        else:
            assert (afi, safi) == (25, 134) and "Unknown SAFI (134) for AFI 25" in block
    # pre-policy, post-policy and Loc-RIB copies of each announcement and withdrawal
    assert counts == {(1, 133): 17, (2, 133): 11, (1, 134): 11, (2, 134): 5, (25, 134): 6, (25, 65): 9, (1, 132): 9}
    assert components == 104


def test_gobgp_families_routes() -> None:
    """What the feeders were told to send (lab/scenarios/gobgp_families.py),
    through the whole stream decoder.  GoBGP sends ``tcp-flags S`` and
    ``fragment is-fragment`` as bitmask operators without the match bit (any
    of the bits set).  The DUT's own FlowSpec route (10.99.0.0/24) has no
    AS_PATH: treat-as-withdraw, so it is not among the announced routes."""
    seen: dict[str, set[str]] = {}
    for msg in bmplib.iter_file(PCAPS / "gobgp_families.bmp"):
        update = getattr(msg, "update", None)
        for route in [] if update is None else update.announced:
            if getattr(route, "family", None) in MINE:
                seen.setdefault(type(route).__name__, set()).add(str(route))
    assert seen == {
        "FlowSpecRoute": {
            "destination-prefix 10.1.0.0/24",
            "destination-prefix 10.2.0.0/24 source-prefix 192.0.2.0/24 ip-protocol ==6 destination-port ==80 "
            "tcp-flags 0x02",
            "destination-prefix 10.3.0.0/24 port >=1024 &<=2048 icmp-type ==8 packet-length <1500 dscp ==46 "
            "fragment 0x02",
            "destination-prefix 2001:db8:1::/64",
            "destination-prefix 2001:db8:2::/64 offset 32 source-prefix 2001:db8:ff::/48 ip-protocol ==17 "
            "flow-label ==100",
            "rd 65300:10 destination-prefix 10.4.0.0/24",
            "rd 192.0.2.30:11 destination-prefix 10.5.0.0/24 destination-port ==53",
            "rd 65300:12 destination-prefix 2001:db8:3::/64",
            "rd 65300:13 ethernet-type ==2048 destination-mac 02:00:00:00:00:01 vlan-id ==100",
        },
        "VPLSRoute": {
            "192.0.2.40:5:ve 5:offset 1:size 8:label 10702",
            "65400:6:ve 6:offset 1:size 8:label 10732",
        },
        "RouteTargetMembership": {"65300:65300:100", "65301:192.0.2.31:7", "65301:4200000001:8"},
    }


def test_gobgp_ipv6_flowspec_offset_is_the_draft_layout() -> None:
    """GoBGP sends ``destination 2001:db8:2::/64 32`` as the whole /64 after
    the offset octet (draft-ietf-idr-flow-spec-v6-06), not RFC 8956's 32-bit
    pattern; tshark 4.0 reads it the same way (docs/quirks.md)."""
    prefixes = [
        c
        for _, afi, safi, routes, _ in _routes("gobgp_families")
        if (afi, safi) == (2, 133)
        for r in routes
        if isinstance(r, FlowSpecRoute)
        for c in r.components
        if isinstance(c, FlowSpecPrefix) and c.offset
    ]
    assert prefixes and all(c.draft_layout and len(c.packed) == 8 for c in prefixes)


def test_gobgp_flowspec_actions_against_tshark() -> None:
    """The traffic actions of the FlowSpec UPDATEs (discard and rate-limit
    as traffic-rate, redirect, mark, sample) against tshark."""
    msgs = list(bmplib.iter_file(PCAPS / "gobgp_families.bmp"))
    tshark = tshark_bmp_messages(load_tshark("gobgp_families"))
    kinds: Counter[str] = Counter()
    for msg, t in zip(msgs, tshark):
        update = getattr(msg, "update", None)
        ext = (
            None if update is None else next((a for a in update.attributes if isinstance(a, ExtendedCommunities)), None)
        )
        if ext is None or not any(
            isinstance(c, (TrafficRate, TrafficAction, Redirect, TrafficMarking)) for c in ext.communities
        ):
            continue
        (attr,) = [
            a for a in find_all(t, "bgp.update.path_attribute") if a["bgp.update.path_attribute.type_code"] == "16"
        ]
        kinds.update(type(c).__name__ for c in ext.communities)
        check_traffic_communities(ext.communities, attr)
    assert kinds["TrafficRate"] and kinds["Redirect"] and kinds["TrafficMarking"] and kinds["TrafficAction"]
    texts = {str(c) for m in msgs for c in (getattr(getattr(m, "update", None), "extended_communities", None) or [])}
    assert {"rate-bytes:0:0", "rate-bytes:0:1000", "rate-bytes:65300:500", "redirect:65300:99", "mark:10",
            "action:sample"} <= texts  # fmt: skip


def test_frr_mirrored_mvpn_against_tshark() -> None:
    (entry,) = _routes("frr_mirror_mvpn")
    _, afi, safi, routes, block = entry
    assert (afi, safi) == (1, 5)
    check_mvpn(routes, block)
    (route,) = routes
    assert isinstance(route, IntraASIPMSIAD) and str(route) == "[1][65501:1][192.0.2.51]"
    mirrored = [
        t.message.announced
        for m in bmplib.iter_file(PCAPS / "frr_mirror_mvpn.bmp")
        if isinstance(m, RouteMirroring)
        for t in m.tlvs
        if hasattr(t.message, "announced")
    ]
    assert mirrored == [routes]


def test_vpls_layer2_info_against_tshark() -> None:
    """ExaBGP's Layer2 Info communities (RFC 4761 section 3.2.4) against
    tshark; GoBGP re-encodes them with the reserved octets zeroed in its
    post-policy and Loc-RIB copies (docs/quirks.md)."""
    msgs = list(bmplib.iter_file(PCAPS / "gobgp_families.bmp"))
    tshark = tshark_bmp_messages(load_tshark("gobgp_families"))
    seen = []
    for msg, t in zip(msgs, tshark):
        update = getattr(msg, "update", None)
        if update is None or not any(getattr(r, "family", None) == (25, 65) for r in update.announced):
            continue
        ext = next(a for a in update.attributes if isinstance(a, ExtendedCommunities))
        attr = next(
            a for a in find_all(t, "bgp.update.path_attribute") if a["bgp.update.path_attribute.type_code"] == "16"
        )
        assert check_traffic_communities(ext.communities, attr) == 1
        seen.append((msg.peer.table.value, [str(c) for c in ext.communities if isinstance(c, Layer2Info)]))
    assert seen == [
        ("adj-rib-in-pre", ["l2info:19:0:1500:111"]),
        ("adj-rib-in-post", ["l2info:19:0:1500:0"]),
        ("loc-rib", ["l2info:19:0:1500:0"]),
        ("adj-rib-in-pre", ["l2info:5:3:9000:0"]),
        ("adj-rib-in-post", ["l2info:5:3:9000:0"]),
        ("loc-rib", ["l2info:5:3:9000:0"]),
    ]
