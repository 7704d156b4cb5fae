"""Route filters (bmplib.records.filters) on records, dicts and tables."""

from __future__ import annotations

import pytest

from bmplib.records import iter_routes
from bmplib.records.filters import RouteFilter, family_name, parse_time
from tests.conftest import PCAPS

ROUTES = list(iter_routes(PCAPS / "frr_vpn_evpn.bmp")) + list(iter_routes(PCAPS / "frr_unicast.bmp"))


def kept(**criteria: object) -> list[object]:
    f = RouteFilter(**criteria)  # type: ignore[arg-type]
    return [r for r in ROUTES if f(r)]


def test_prefix_exact_more_and_less_specific() -> None:
    assert {r.prefix for r in kept(prefix=["10.100.1.0/24"])} == {"10.100.1.0/24"}
    more = kept(prefix_more=["198.18.0.0/15"])
    assert more and all(r.prefix and r.prefix.startswith(("198.18.", "198.19.")) for r in more)
    assert {r.prefix for r in kept(prefix_less=["10.100.1.128/25"])} == {"10.100.1.0/24", "0.0.0.0/0"}
    assert kept(prefix_more=["2001:db8::/32"]) and all(":" in (r.prefix or "") for r in kept(prefix_more=["::/0"]))
    # EVPN routes of types 1-4 have no prefix: never matched by a prefix filter (type 5 has one)
    assert {r.evpn_route_type for r in kept(prefix_more=["0.0.0.0/0"], family=["evpn"])} == {5}


def test_attribute_criteria() -> None:
    assert kept(origin_asn=[65300]) and all(r.origin_as == 65300 for r in kept(origin_asn=[65300]))
    assert all((r.as_path or "").startswith("65000 ") for r in kept(as_path=["^65000 "]))
    assert {r.communities for r in kept(community=["65300:7"])} == {"65300:7"}
    assert kept(community=["target:65300:100"]) and kept(community=["65300:7:7"])


def test_peer_action_family_table_time() -> None:
    assert {r.peer_address for r in kept(peer=["127.0.0.0/24"])} <= {f"127.0.0.{i}" for i in range(256)}
    assert {r.peer_asn for r in kept(peer=["65300"])} == {65300}
    assert {r.action for r in kept(action=["withdraw"])} == {"withdraw"}
    assert {r.family for r in kept(family=["vpnv4", "evpn"])} == {"ipv4-vpn", "evpn"}
    assert {r.table for r in kept(table=["adj-rib-in-pre"])} == {"adj-rib-in-pre"}
    t = sorted({r.time for r in ROUTES})
    assert {r.time for r in kept(since=t[1], until=t[3])} == {t[1], t[2]}


def test_names_and_times() -> None:
    assert family_name("VPNv6") == "ipv6-vpn" and family_name("afi-1-safi-133") == "afi-1-safi-133"
    with pytest.raises(ValueError):
        family_name("ipv5")
    assert parse_time("2023-11-14T22:13:20Z") == parse_time("1700000000") == 1_700_000_000
    with pytest.raises(ValueError):
        RouteFilter(prefix=["not a prefix"])


def test_tables_filter_like_records() -> None:
    pytest.importorskip("pyarrow")
    from bmplib.records import route_table

    f = RouteFilter(family=["ipv4"], action=["announce"], prefix_more=["0.0.0.0/0"], community=["65300:7"])
    table = f.filter_table(route_table(PCAPS / "frr_vpn_evpn.bmp"))
    want = [r.offset for r in iter_routes(PCAPS / "frr_vpn_evpn.bmp") if f(r)]
    assert table.column("offset").to_pylist() == want and want
