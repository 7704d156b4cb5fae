"""The lab captures that show more families and exporter faults
(pcaps/README.md): what each holds, checked through bmplib against the
message octets, tshark's decoding, and the octets the lab's speakers sent on
their BGP sessions (copied here from the session capture and the raw
speaker's log, which are not shipped).

Every message of these captures also goes through the checks every capture
gets (exact round trip, pcap equals .bmp, BMP layer against tshark); the
UPDATE-against-tshark checks leave them out (``LAB_CAPTURES``)."""

from __future__ import annotations

import collections
import struct
from typing import Any

import pytest

import bmplib
from bmplib.bgp.attributes.evpn_communities import MACMobility
from bmplib.bgp.open import Open
from bmplib.bgp.update import Update
from bmplib.bmp.messages import RouteMirroring, RouteMonitoring
from bmplib.stream import ErrorRecord
from tests.bmp import tshark
from tests.bmp.test_roundtrip_real import split_messages
from tests.conftest import CAPTURES, KNOWN_FAULTS, LAB_CAPTURES, PCAPS

#: BMP message type -> count, from the common headers
COUNTS = {
    "gobgp_families": {0: 153, 1: 26, 2: 1, 3: 6, 4: 1, 5: 1},
    "frr_mirror_mvpn": {2: 12, 3: 1, 4: 1, 6: 2},
}


def items(name: str) -> list[Any]:
    return list(bmplib.iter_file(PCAPS / f"{name}.bmp"))


def updates(name: str, table: str | None = None) -> list[tuple[RouteMonitoring, Update]]:
    """The decoded Route Monitoring UPDATEs of a capture (of one table)."""
    out = []
    for m in items(name):
        if isinstance(m, RouteMonitoring) and (table is None or m.peer.table == table):
            assert isinstance(m.update, Update)
            out.append((m, m.update))
    return out


def family(u: Update) -> tuple[int, int] | None:
    """(AFI, SAFI) of the MP_REACH or MP_UNREACH attribute, whether or not
    bmplib has a codec for the family."""
    mp = u.mp_reach or u.mp_unreach
    return (int(mp.afi), int(mp.safi)) if mp else None


def test_lab_captures_are_shipped() -> None:
    assert set(LAB_CAPTURES) <= set(CAPTURES)
    for name in LAB_CAPTURES:
        assert (PCAPS / f"{name}.pcap").stat().st_size < 100_000
        assert (PCAPS / f"{name}.tshark.json.gz").stat().st_size < 100_000


@pytest.mark.parametrize("name", LAB_CAPTURES)
def test_counts_by_type(name: str) -> None:
    raw = split_messages((PCAPS / f"{name}.bmp").read_bytes())
    assert dict(collections.Counter(m[5] for m in raw)) == COUNTS[name]
    pdus = tshark.pdus(tshark.load(PCAPS / f"{name}.tshark.json.gz"))
    assert dict(collections.Counter(p.type for p in pdus)) == COUNTS[name]


@pytest.mark.parametrize("name", LAB_CAPTURES)
def test_capture_messages_are_the_stream_octets(name: str) -> None:
    """Each message read from the .pcap encodes to the octets of the same
    message in the .bmp (an error record keeps them)."""
    raw = split_messages((PCAPS / f"{name}.bmp").read_bytes())
    captured = [c.item for c in bmplib.iter_file(PCAPS / f"{name}.pcap")]
    assert len(captured) == len(raw)
    faults = 0
    for item, wire in zip(captured, raw):
        if isinstance(item, ErrorRecord):
            assert item.data == wire
            faults += 1
        else:
            assert item.encode() == wire
    assert faults == len(KNOWN_FAULTS.get(name, {}))


# --------------------------------------------------------------- gobgp_families


def test_gobgp_families_per_table() -> None:
    """Every family the feeders sent reaches the DUT's Adj-RIB-In (pre and
    post policy) and its Loc-RIB; RTC over an IPv6 session, BGP-LS from a raw
    speaker, VPLS from ExaBGP included.  MVPN does not: GoBGP has no such
    family and disables it on the session."""
    sent = {
        (1, 133),
        (2, 133),
        (1, 134),
        (2, 134),
        (25, 134),  # FlowSpec v4, v6, VPN v4, VPN v6, L2VPN
        (1, 85),
        (2, 85),  # MUP
        (1, 73),
        (2, 73),  # SR Policy
        (1, 132),  # RTC
        (25, 65),  # VPLS
        (16388, 71),  # BGP-LS
        (25, 70),  # EVPN
    }
    for table in ("adj-rib-in-pre", "adj-rib-in-post", "loc-rib"):
        announced = {family(u) for _, u in updates("gobgp_families", table) if u.mp_reach}
        # the DUT's own VPNv4 route (no peer negotiates VPNv4): Loc-RIB only
        assert announced - {(1, 128)} == sent, table
        assert ((1, 128) in announced) == (table == "loc-rib")
    assert not [m for m, u in updates("gobgp_families") if family(u) == (1, 5)]


def test_gobgp_families_mac_move() -> None:
    """The EVPN MAC move as the Loc-RIB saw it: PE1, then PE2 (GoBGP adds
    MAC Mobility sequence 0), back to PE1 (sequence 1), PE2 again with an
    explicit sequence 5 (gRPC API), then a sticky MAC from PE1."""
    moves = []
    for _, u in updates("gobgp_families", "loc-rib"):
        if family(u) != (25, 70) or not u.mp_reach:
            continue
        (route,) = u.announced
        mobility = [(c.sequence, c.sticky) for c in u.extended_communities if isinstance(c, MACMobility)]
        moves.append((route.mac, str(u.next_hop), mobility))
    assert moves == [
        ("02:11:22:33:44:10", "192.0.2.30", []),
        ("02:11:22:33:44:10", "192.0.2.31", [(0, False)]),
        ("02:11:22:33:44:10", "192.0.2.30", [(1, False)]),
        ("02:11:22:33:44:10", "192.0.2.31", [(5, False)]),
        ("02:11:22:33:44:5c", "192.0.2.30", [(0, True)]),
    ]


#: UPDATEs as the feeder GoBGP (127.0.0.30) sent them on its BGP session
#: (from the lab's capture of port 179): MUP ISD routes, IPv4 then IPv6
WIRE_ISD4 = bytes.fromhex(
    "ffffffffffffffffffffffffffffffff007f02000000684001010240020602010000ff14800e250001551020010db80000000000"
    "00000000000030000100010c0000ff140000003c180a3c00c010080002ff140000003cc028250500220001001e0020010db80060"
    "0000000000000000000000004800010006401810000000"
)
WIRE_ISD6 = bytes.fromhex(
    "ffffffffffffffffffffffffffffffff0084020000006d4001010240020602010000ff14800e2a0002551020010db80000000000"
    "00000000000030000100011100" + "00ff14000000404020010db800640000c010080002ff1400000040c02825050022000100"
    "1e0020010db800650000000000000000000000004700010006401810000000"
)


def test_gobgp_families_mup_isd_pre_policy_fault() -> None:
    """The pre-policy copies of GoBGP 3.10's MUP ISD routes differ from the
    UPDATEs the feeder sent: the octets right after the prefix are zeros, as
    many as a whole address has beyond the prefix's octets.  IPv4 /24: one
    octet, the flags of EXTENDED_COMMUNITIES (a problem bmplib reports);
    IPv6 /64: eight, that attribute's header and first octets (the
    attributes no longer parse: an error record)."""
    pre = {m.offset: m for m in items("gobgp_families")}
    (fault,) = KNOWN_FAULTS["gobgp_families"]
    bad6 = pre[fault]
    assert isinstance(bad6, ErrorRecord) and isinstance(bad6.error, bmplib.DecodeError)
    at = WIRE_ISD6.index(bytes.fromhex("c010080002ff1400"))
    assert bad6.data[48:] == WIRE_ISD6[:at] + bytes(8) + WIRE_ISD6[at + 8 :]
    (bad4,) = [(m, u) for m, u in updates("gobgp_families", "adj-rib-in-pre") if u.problems and family(u) == (1, 85)]
    wire4 = bad4[0].encode()[48:]
    at = WIRE_ISD4.index(bytes.fromhex("c01008"))
    assert wire4 == WIRE_ISD4[:at] + b"\x00" + WIRE_ISD4[at + 1 :]
    assert [p.type_code for p in bad4[1].problems] == [16]


def test_gobgp_families_own_routes_lack_as_path() -> None:
    """The DUT's own routes (FlowSpec, MUP, VPNv4) reach only its Loc-RIB,
    and without the mandatory AS_PATH: treat-as-withdraw."""
    own = [
        (family(u), [p.type_code for p in u.problems]) for _, u in updates("gobgp_families", "loc-rib") if u.problems
    ]
    assert own == [((1, 133), [2]), ((1, 85), [2]), ((1, 128), [2])]


def test_gobgp_families_bgp_ls() -> None:
    """BGP-LS node, link and IPv4 prefix from the raw speaker, then the link
    withdrawn: in the pre-policy table as it sent them."""
    ls = [u for m, u in updates("gobgp_families", "adj-rib-in-pre") if family(u) == (16388, 71)]
    assert [(bool(u.mp_reach), bool(u.mp_unreach)) for u in ls] == [(True, False)] * 3 + [(False, True)]


# -------------------------------------------------------------- frr_mirror_mvpn

#: what the raw speaker sent (its log): its OPEN, then an MVPN Intra-AS
#: I-PMSI A-D route (AFI 1, SAFI 5)
RAW_OPEN = bytes.fromhex(
    "ffffffffffffffffffffffffffffffff00330104ffdd001e0a000033160214010400010005010400010001020041040000ffdd"
)
RAW_MVPN = bytes.fromhex(
    "ffffffffffffffffffffffffffffffff004902000000324001010040020602010000ffdd800e1700010504c000023300010c0000"
    "ffdd00000001c0000233c010080002ffdd00000001"
)


def test_frr_mirror_mvpn() -> None:
    """FRR mirrors the OPEN and the MVPN UPDATE verbatim; the UPDATE makes
    it reset the session (MP_REACH parse error), and each of its failed
    reconnects is one more Peer Down (reason 2) without a Peer Up."""
    msgs = items("frr_mirror_mvpn")
    mirrored = [t.message for m in msgs if isinstance(m, RouteMirroring) for t in m.tlvs]
    assert [type(b) for b in mirrored] == [Open, Update]
    assert [b.encode() for b in mirrored] == [RAW_OPEN, RAW_MVPN]
    assert isinstance(mirrored[1], Update) and family(mirrored[1]) == (1, 5)
    kinds = [int(m.type) for m in msgs]
    assert kinds == [4, 2, 2, 6, 3, 2, 6] + [2] * 9
    assert {m.reason for m in msgs if int(m.type) == 2} == {2}


def test_frr_mirror_mvpn_stream_octets() -> None:
    """The mirrored messages sit in the stream as the speaker sent them."""
    data = (PCAPS / "frr_mirror_mvpn.bmp").read_bytes()
    for wire in (RAW_OPEN, RAW_MVPN):
        at = data.index(wire)
        # a Route Mirroring message: common header (type 6) + per-peer
        # header, then one BGP Message TLV (type 0) holding the message
        assert data[at - 4 : at] == struct.pack("!HH", 0, len(wire))
        assert data[at - 52] == 3 and data[at - 47] == 6
