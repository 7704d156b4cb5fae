"""Test helper: compare bmplib's FlowSpec, VPLS, MDT and MVPN routes and the
FlowSpec extended communities with tshark 4.0's decoding of the same
MP_REACH / MP_UNREACH attribute (``-T json --no-duplicate-keys``: every
value a string, repeated keys lists).

What tshark 4.0 does not decode is said where it is skipped: the IPv6 FlowSpec
flow label (type 13) value, an IPv6 prefix with an offset laid out as RFC 8956
says (tshark reads the draft-06 layout, the whole prefix), the
traffic-rate-packets community (raw), L2VPN FlowSpec and RTC under AFI 2.
"""

from __future__ import annotations

import struct
from typing import Any

from bmplib.bgp.attributes.extended_communities import Redirect
from bmplib.bgp.attributes.flowspec_communities import TrafficAction, TrafficMarking, TrafficRate
from bmplib.bgp.attributes.vpls_communities import Layer2Info
from bmplib.nlri.flowspec import FlowSpecMAC, FlowSpecOperators, FlowSpecPrefix, FlowSpecRoute, UnknownFlowSpecRoute
from bmplib.nlri.mdt import MDTRoute
from bmplib.nlri.mvpn import (
    SPMSIAD,
    InterASIPMSIAD,
    IntraASIPMSIAD,
    LeafAD,
    MVPNRoute,
    SharedTreeJoin,
    SourceActiveAD,
    SourceTreeJoin,
)
from bmplib.nlri.vpls import VPLSAutoDiscovery, VPLSRoute
from tests.nlri._captures import as_list

F = "bgp.flowspec_nlri"
M = "bgp.mcast_vpn_nlri"
_SKIP = {f"{F}.filter_type", f"{F}.opflags", f"{F}.opflags_tree"}


def _hex(text: str) -> bytes:
    return bytes.fromhex(text.replace(":", ""))


def _value_key(c: FlowSpecOperators, n: int) -> str:
    if c.type == 9:
        return f"{F}.val_tcp.flags"
    if c.type == 12:
        return f"{F}.val_frag"
    if c.type == 11:
        return f"{F}.val_dsfield"
    return f"{F}.dec_val_{8 * n}"


def _check_component(c: Any, t: dict[str, Any]) -> int:
    """One component against one tshark filter; returns 1 when its values
    were compared (0 where tshark 4.0 shows none)."""
    assert int(t[f"{F}.filter_type"]) == c.type
    if isinstance(c, FlowSpecPrefix):
        (key,) = [k for k in t if k not in _SKIP]
        item = t[key]
        if c.offset is None:
            assert key == c.prefix and int(item["bgp.prefix_length"]) == c.length
            return 1
        assert int(item[f"{F}.ipv6_pref_length"]) == c.length
        assert int(item[f"{F}.ipv6_pref_offset"]) == c.offset
        if c.offset == 0 or c.draft_layout:
            assert key.split("/")[0] == c.prefix.split("/")[0], (key, c.prefix)
            return 1
        return 0  # RFC 8956 pattern: tshark 4.0 reads the draft-06 whole prefix instead
    if isinstance(c, FlowSpecMAC):
        raise AssertionError("tshark 4.0 has no L2VPN FlowSpec")
    if c.type == 13:
        assert list(t) == [f"{F}.filter_type"]  # tshark 4.0 shows only the type of a flow label component
        return 0
    assert [int(x, 16) for x in as_list(t[f"{F}.opflags"])] == [m.op for m in c.matches]
    theirs = {k: [int(x, 0) for x in as_list(v)] for k, v in t.items() if k not in _SKIP and not k.endswith("_tree")}
    mine: dict[str, list[int]] = {}
    for m in c.matches:
        mine.setdefault(_value_key(c, m.value_length), []).append(m.value)
    assert mine == theirs
    return 1


def check_flowspec(routes: list[Any], block: dict[str, Any]) -> int:
    """The FlowSpec routes of one attribute against tshark's block; returns
    how many components were compared field by field."""
    raws = as_list(block.get(F))
    trees = as_list(block.get(f"{F}_tree"))
    assert len(raws) == len(trees)
    compared = 0
    for route, raw, tree in zip(routes, raws, trees):
        wire = route.encode()
        if route.path_id is not None:
            wire = wire[4:]
        assert wire == _hex(raw)
        if _rfc_offset(route):
            # tshark 4.0 reads the whole prefix (draft-06) and stops the attribute here
            return compared
        filters = as_list(tree.get(f"{F}.filter"))
        rd = route.rd
        if rd is not None:
            trd = tree["bgp.flowspec_route_distinguisher"]
            assert int(trd["bgp.flowspec_route_distinguisher_type"]) == rd.type
        if isinstance(route, UnknownFlowSpecRoute):
            assert f"component type {filters[-1][f'{F}.filter_type']} " in route.reason
            continue
        assert isinstance(route, FlowSpecRoute)
        assert len(filters) == len(route.components)
        for c, t in zip(route.components, filters):
            compared += _check_component(c, t)
    assert len(raws) == len(routes)
    return compared


def _rfc_offset(route: Any) -> bool:
    """An IPv6 prefix component with an offset in RFC 8956's layout."""
    return any(
        isinstance(c, FlowSpecPrefix) and c.offset and not c.draft_layout for c in getattr(route, "components", ())
    )


def check_vpls(routes: list[Any], block: dict[str, Any]) -> None:
    lengths = as_list(block.get("bgp.vplsad.length"))
    rds = as_list(block.get("bgp.vplsad.rd"))
    ce = iter(as_list(block.get("bgp.vplsbgp.ce_id")))
    offsets = iter(as_list(block.get("bgp.vplsbgp.labelblock.offset")))
    sizes = iter(as_list(block.get("bgp.vplsbgp.labelblock.size")))
    bases = iter(as_list(block.get("bgp.vplsbgp.labelblock.base")))
    pes = iter(as_list(block.get("bgp.ad.pe_addr")))
    assert len(lengths) == len(routes) == len(rds)
    for route, length, rd in zip(routes, lengths, rds):
        assert int(length) == len(route.body())
        assert rd == str(route.rd)
        if isinstance(route, VPLSRoute):
            assert int(next(ce)) == route.ve_id
            assert int(next(offsets)) == route.ve_block_offset
            assert int(next(sizes)) == route.ve_block_size
            assert int(next(bases).split(" ")[0]) == route.label_base
        else:
            assert isinstance(route, VPLSAutoDiscovery)
            assert next(pes) == route.pe_address


def check_mdt(routes: list[MDTRoute], block: dict[str, Any]) -> None:
    rds = as_list(block.get("bgp.mdt_safi_rd"))
    assert len(rds) == len(routes)
    for route, rd, addr, group in zip(
        routes, rds, as_list(block["bgp.mdt_safi_ipv4_addr"]), as_list(block["bgp.mdt_safi_group_addr"])
    ):
        assert _hex(rd) == route.rd.raw
        assert (addr, group) == (route.originator, route.group)


def _addr(t: dict[str, Any], what: str) -> str | None:
    bits = int(t[f"{M}_{what}_length"])
    if bits == 0:
        return None
    return t[f"{M}_{what}_addr_ipv4" if bits == 32 else f"{M}_{what}_addr_ipv6"]


def check_mvpn(routes: list[MVPNRoute], block: dict[str, Any]) -> None:
    types = as_list(block.get(f"{M}_route_type"))
    lengths = as_list(block.get(f"{M}_length"))
    raws = as_list(block.get(M))
    trees = as_list(block.get(f"{M}_tree"))
    assert len(types) == len(routes) == len(lengths) == len(raws) == len(trees)
    for route, rt, length, raw, t in zip(routes, types, lengths, raws, trees):
        body = route.encode_body()
        assert int(rt) == route.route_type and int(length) == len(body) and _hex(raw) == body
        if isinstance(route, LeafAD):
            assert _hex(t[f"{M}_route_key"]) == route.route_key.encode_route()
        else:
            assert _hex(t[f"{M}_rd"]) == route.rd.raw  # type: ignore[attr-defined]
        if isinstance(route, (IntraASIPMSIAD, SPMSIAD, LeafAD)):
            assert route.originator in (t.get(f"{M}_origin_router_ipv4"), t.get(f"{M}_origin_router_ipv6"))
        if isinstance(route, (InterASIPMSIAD, SharedTreeJoin, SourceTreeJoin)):
            assert int(t[f"{M}_source_as"]) == route.source_as
        if isinstance(route, (SPMSIAD, SourceActiveAD, SharedTreeJoin, SourceTreeJoin)):
            assert (_addr(t, "source"), _addr(t, "group")) == (route.source, route.group)


def check_traffic_communities(communities: list[Any], attr: dict[str, Any]) -> int:
    """The FlowSpec traffic-action and VPLS Layer2 Info communities of an
    EXTENDED_COMMUNITIES attribute against tshark's; returns how many were
    compared."""
    theirs = as_list(attr.get("bgp.ext_communities", {}).get("bgp.ext_community"))
    assert len(theirs) == len(communities)
    n = 0
    for c, t in zip(communities, theirs):
        assert int(t["bgp.ext_com.type"], 16) == c.type
        if isinstance(c, TrafficRate):
            if c.subtype == 0x06:
                assert int(t["bgp.ext_com.value_as2"]) == c.asn
                assert float(t["bgp.ext_com_flow.rate_limit"]) == c.rate
            else:  # tshark 4.0 shows traffic-rate-packets raw
                raw = int(t["bgp.ext_com.value_raw"], 16).to_bytes(6, "big")
                assert raw == struct.pack("!Hf", c.asn, c.rate)
        elif isinstance(c, TrafficAction):
            assert int(t["bgp.ext_com_flow.sample"]) == c.sample
            assert int(t["bgp.ext_com_flow.traff_act"]) == c.terminal
        elif isinstance(c, Redirect):
            if "bgp.ext_com.value_IP4" in t:
                assert (t["bgp.ext_com.value_IP4"], int(t["bgp.ext_com.value_an2"])) == (c.global_admin, c.local_admin)
            elif "bgp.ext_com.value_as4" in t:
                assert (int(t["bgp.ext_com.value_as4"]), int(t["bgp.ext_com.value_an2"])) == (
                    c.global_admin,
                    c.local_admin,
                )
            else:
                assert (int(t["bgp.ext_com.value_as2"]), int(t["bgp.ext_com.value_an4"])) == (
                    c.global_admin,
                    c.local_admin,
                )
        elif isinstance(c, TrafficMarking):
            assert int(t["bgp.ext_com.value_fs_dscp"], 16) == c.dscp
        elif isinstance(c, Layer2Info):  # tshark 4.0 does not show the reserved octets
            assert int(t["bgp.ext_com_l2.encaps_type"]) == c.encapsulation_type
            assert int(t["bgp.ext_com_l2.c_flags"], 16) == c.control_flags
            assert int(t["bgp.ext_com_l2.l2_mtu"]) == c.mtu
        else:
            continue
        n += 1
    return n
