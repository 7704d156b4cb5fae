"""MUP (draft-mpmz-bess-mup-safi): the four route types of the lab capture
(GoBGP 3.10's CLI, IPv4 and IPv6) checked against the values of the lab's
commands (tshark 4.0 does not know the SAFI), the MUP extended community,
GoBGP's malformed pre-policy ISD copies, and routes packed by hand from the
draft's layouts; exact re-encoding; malformed input."""

from __future__ import annotations

import collections
import json
import struct

import pytest

import bmplib
from bmplib.bgp.attributes.base import ErrorAction
from bmplib.bgp.attributes.extended_communities import ExtendedCommunities
from bmplib.bgp.attributes.mup_communities import MUPExtendedCommunity
from bmplib.bgp.update import Update, decode_update
from bmplib.bmp.messages import RouteMonitoring
from bmplib.errors import NLRIDecodeError
from bmplib.nlri.mup import (
    DirectSegmentDiscovery,
    InterworkSegmentDiscovery,
    MUPArchitectureType,
    MUPRoute,
    Type1SessionTransformed,
    Type2SessionTransformed,
    UnknownMUPRoute,
    decode_mup_nlri,
)
from bmplib.nlri.rd import RouteDistinguisher
from bmplib.session import DecodeContext
from bmplib.stream import ErrorRecord
from tests.conftest import KNOWN_FAULTS, PCAPS
from tests.nlri.ls_sr_mup_wires import BASE, mp_reach, mup_route, mup_updates, rd, update

CTX = DecodeContext(asn4=True)
WIRES = mup_updates()


def decode(wire: bytes) -> Update:
    u = decode_update(wire, 19, len(wire), CTX)
    assert u.encode() == wire
    return u


def RD(text: str) -> RouteDistinguisher:
    return RouteDistinguisher.from_text(text)


#: the lab's gobgp CLI commands (scenarios/gobgp_families.py), as bmplib's model
LAB_ROUTES: list[MUPRoute] = [
    InterworkSegmentDiscovery(RD("65300:60"), 24, bytes([10, 60, 0]), afi=1),
    DirectSegmentDiscovery(RD("65300:61"), "10.0.0.30", afi=1),
    Type1SessionTransformed(RD("65300:62"), 32, bytes([192, 168, 0, 1]), 12345, 9, 32, "10.0.0.1", afi=1),
    Type2SessionTransformed(RD("65300:63"), 64, "10.0.0.2", 12345, afi=1),
    InterworkSegmentDiscovery(RD("65300:64"), 64, bytes.fromhex("20010db800640000"), afi=2),
    DirectSegmentDiscovery(RD("65300:65"), "2001:db8::30", afi=2),
    Type1SessionTransformed(RD("65300:66"), 128, bytes.fromhex("20010db8006700000000000000000001"), 54321, 5, 128,
                            "2001:db8::1", afi=2),
    Type2SessionTransformed(RD("65300:67"), 160, "2001:db8::2", 54321, afi=2),
    # the DUT's own route (Loc-RIB only)
    Type1SessionTransformed(RD("65100:99"), 32, bytes([192, 168, 99, 1]), 99, 1, 32, "10.0.0.3", afi=1),
]  # fmt: skip


def capture() -> list[object]:
    return list(bmplib.iter_file(PCAPS / "gobgp_families.bmp"))


def test_capture_routes_are_the_lab_commands() -> None:
    seen: collections.Counter[tuple[str, str, str]] = collections.Counter()
    for m in capture():
        if not isinstance(m, RouteMonitoring) or not isinstance(m.update, Update):
            continue
        u = m.update
        for how, routes in (("A", u.announced), ("W", u.withdrawn)):
            for r in routes:
                if isinstance(r, MUPRoute):
                    assert r in LAB_ROUTES, r
                    assert r.architecture_type is MUPArchitectureType.THREE_GPP_5G
                    seen[(m.peer.table.value, how, type(r).__name__)] += 1
                    # GoBGP 3.10 sends Type 1 ST routes without the source address (draft -00 to -02)
                    assert getattr(r, "source_length", None) is None
        mup_ec = [c for a in u.attributes if isinstance(a, ExtendedCommunities) for c in a.communities
                  if isinstance(c, MUPExtendedCommunity)]  # fmt: skip
        if any(isinstance(r, (DirectSegmentDiscovery, Type2SessionTransformed)) for r in u.announced):
            assert mup_ec == [MUPExtendedCommunity(0x0C, 0x00, 10, 10)]  # "mup 10:10"
            assert str(mup_ec[0]) == "mup:10:10"
    by_table: dict[str, int] = collections.Counter()
    for (table, _, _), n in seen.items():
        by_table[table] += n
    # pre-policy: 6 announced (ISD ones broken by GoBGP: treat-as-withdraw / error record) + the withdrawals
    assert by_table == {"adj-rib-in-pre": 9, "adj-rib-in-post": 12, "loc-rib": 13}
    assert sum(seen.values()) == 34
    assert {name for _, _, name in seen} == {
        "InterworkSegmentDiscovery",
        "DirectSegmentDiscovery",
        "Type1SessionTransformed",
        "Type2SessionTransformed",
    }


def test_gobgp_isd_pre_policy_copies_are_reported() -> None:
    """GoBGP 3.10 zeroes octets after the ISD prefix in its pre-policy copy:
    the IPv4 route still decodes (its EXTENDED_COMMUNITIES lost its flags:
    treat-as-withdraw), the IPv6 message is an error record."""
    items = {getattr(m, "offset", None): m for m in capture()}
    (fault,) = KNOWN_FAULTS["gobgp_families"]
    bad6 = items[fault]
    assert isinstance(bad6, ErrorRecord) and bad6.error.layer == "bgp"
    assert "runs past the path attributes" in bad6.error.reason
    isd4 = [
        m
        for m in items.values()
        if isinstance(m, RouteMonitoring)
        and isinstance(m.update, Update)
        and any(isinstance(r, InterworkSegmentDiscovery) for r in m.update.withdrawn + m.update.announced)
    ]
    (bad4,) = [m for m in isd4 if m.update.problems]
    assert bad4.update.withdrawn == [LAB_ROUTES[0]] and bad4.update.announced == []
    (problem,) = bad4.update.problems
    assert problem.type_code == 16 and problem.action is ErrorAction.TREAT_AS_WITHDRAW


def test_hand_packed_by_layout() -> None:
    got = {name: decode(wire).announced + decode(wire).withdrawn for name, wire in WIRES.items()}
    assert got["mup-v4-isd"] == [LAB_ROUTES[0]]
    assert got["mup-v4-dsd"] == [LAB_ROUTES[1]]
    assert got["mup-v4-t1st"] == [
        Type1SessionTransformed(RD("65300:62"), 32, bytes([192, 168, 0, 1]), 12345, 9, 32, "10.0.0.1", 0, None, afi=1)
    ]
    assert got["mup-v4-t2st"] == [LAB_ROUTES[3]]
    assert got["mup-v6-isd"] == [LAB_ROUTES[4]]
    assert got["mup-v6-t1st"] == [
        Type1SessionTransformed(RD("65300:66"), 128, bytes.fromhex("20010db8006700000000000000000001"), 54321, 5, 128,
                                "2001:db8::1", 32, "10.0.0.9", afi=2),
        Type1SessionTransformed(RD("65300:68"), 128, bytes.fromhex("20010db8006700000000000000000002"), 54321, 5, 32,
                                "10.0.0.10", afi=2),
    ]  # fmt: skip
    assert got["mup-v6-t2st"] == [
        Type2SessionTransformed(RD("65300:67"), 152, "2001:db8::2", 54321, afi=2),
        UnknownMUPRoute(1, rd(65300, 69) + b"\x00", afi=2, architecture_type=7),
    ]
    assert str(got["mup-v6-t2st"][1]) == "[7:1][0000ff140000004500]"


def test_json() -> None:
    j = bmplib.to_json(decode(WIRES["mup-v4-t1st"]))
    assert j["announced"] == [
        {
            "family": "ipv4-mup",
            "text": "[t1st][65300:62][192.168.0.1/32]",
            "path_id": None,
            "route_type": "type_1_session_transformed",
            "architecture_type": "three_gpp_5g",
            "rd": "65300:62",
            "length": 32,
            "packed": "c0a80001",
            "teid": 12345,
            "qfi": 9,
            "endpoint_length": 32,
            "endpoint": "10.0.0.1",
            "source_length": 0,
            "source": None,
            "prefix": "192.168.0.1/32",
        }
    ]
    ec = bmplib.to_json(decode(WIRES["mup-v4-dsd"]))["attributes"][-1]["communities"][-1]
    assert ec == {"type": 12, "subtype": 0, "segment_id2": 10, "segment_id4": 10, "text": "mup:10:10"}
    json.dumps(j)


@pytest.mark.parametrize(
    ("route", "reason"),
    [
        (mup_route(1, rd(1, 1) + bytes([33]) + bytes(5)), "prefix length 33 exceeds 32"),
        (mup_route(2, rd(1, 1) + bytes(3)), "too short for its address"),
        (mup_route(2, rd(1, 1) + bytes(5)), "1 unexpected octets"),
        (mup_route(3, rd(1, 1) + bytes([32]) + bytes(4) + bytes(5) + bytes([24])), "endpoint address length 24"),
        (mup_route(4, rd(1, 1) + bytes([16]) + bytes(4)), "endpoint length 16"),
        (mup_route(4, rd(1, 1) + bytes([40]) + bytes(4)), "too short for its TEID"),
        (mup_route(1, rd(1, 1))[:-3], "runs past the end of the NLRI"),
        (b"\x01\x00", "too short for its header"),
    ],
)
def test_malformed_route_is_an_nlri_error(route: bytes, reason: str) -> None:
    with pytest.raises(NLRIDecodeError, match=reason) as info:
        decode_mup_nlri(b"\x00" + route, 1, 1 + len(route), 1)
    assert info.value.offset == 1 and info.value.data == route


def test_malformed_route_disables_the_family() -> None:
    route = mup_route(1, rd(1, 1) + bytes([33]) + bytes(5))
    wire = update(BASE + mp_reach(1, 85, bytes(4), route))
    u = decode_update(wire, 19, len(wire), CTX)
    (p,) = u.problems
    assert p.action is ErrorAction.AFI_SAFI_DISABLE and p.family == (1, 85) and "exceeds 32" in p.reason
    assert u.encode() == wire


def test_type2_teid_octets() -> None:
    r = Type2SessionTransformed(RD("1:1"), 32 + 12, "10.0.0.1", 0xABC, afi=1)
    assert r.teid_octets == 2 and r.encode()[-2:] == b"\x0a\xbc"
    assert decode(update(BASE + mp_reach(1, 85, bytes(4), r.encode()))).announced == [r]
    assert struct.unpack("!BHB", r.encode()[:4]) == (1, 4, 8 + 1 + 4 + 2)
