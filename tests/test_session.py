"""Per-peer decoding contexts (bmplib.session): built from the Peer Up OPENs,
per direction (RFC 7911 section 4, RFC 8671), against the A flag, dropped on
Peer Down; seeded and read by callers.

Real captures: frr_addpath / gobgp_addpath (the monitored router receives
ADD-PATH), frr_unicast (FRR leaves the A flag clear for fd00:b::14, a peer
without the 4-octet AS capability), gobgp_unicast (GoBGP sets the A flag on
pre-policy, re-encodes post-policy with 4-octet ASNs, and sends no Peer Up
for its Loc-RIB), pmacct 208 (Cisco Loc-RIB Peer Ups with ADD-PATH).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

import bmplib
from bmplib.bgp.capabilities import (
    AddPathCapability,
    AddPathFamily,
    ExtendedMessageCapability,
    FourOctetASCapability,
    MultipleLabelsCapability,
    MultipleLabelsFamily,
    MultiprotocolCapability,
)
from bmplib.bgp.message import UnknownBGPMessage
from bmplib.bgp.open import CapabilitiesParameter, Open
from bmplib.bmp.header import PeerHeader
from bmplib.bmp.messages import PeerDown, PeerUp
from bmplib.session import DecodeContext, PeerContexts, SessionTable, contexts_from_opens
from tests.bmp.test_public_pmacct import NAMES as PUBLIC_NAMES
from tests.bmp.test_public_pmacct import decode_capture
from tests.conftest import PCAPS, PUBLIC_PCAPS

V4U, V6U, V4VPN = (1, 1), (2, 1), (1, 128)


def run(name: str, sessions: SessionTable | None = None) -> Iterator[tuple[Any, SessionTable]]:
    """Each item of a capture with the decoder's session table as it is
    right after that item (read what you need before the next one)."""
    dec = bmplib.BMPDecoder(sessions=sessions)
    dec.feed((PCAPS / f"{name}.bmp").read_bytes())
    dec.close()
    assert dec.sessions is not None
    for item in dec:
        yield item, dec.sessions


def peer(flags: int = 0, peer_type: int = 0, address: str = "192.0.2.9") -> PeerHeader:
    return PeerHeader(peer_type, flags, bytes(8), address, 64500, "192.0.2.9", 1700000000, 0)


def make_open(*caps: Any, asn: int = 64500) -> Open:
    return Open(4, asn, 90, "192.0.2.1", [CapabilitiesParameter(list(caps))])


def addpath(*entries: tuple[int, int, int]) -> AddPathCapability:
    return AddPathCapability([AddPathFamily(a, s, m) for a, s, m in entries])


def peer_up(header: PeerHeader, sent: Any, received: Any) -> PeerUp:
    return PeerUp(header, "192.0.2.1", 179, 40000, sent, received)


# ---------------------------------------------------------------------------
# real captures
# ---------------------------------------------------------------------------
@pytest.mark.parametrize("name", ["frr_addpath", "gobgp_addpath"])
def test_addpath_directions_from_real_peer_ups(name: str) -> None:
    """The router's OPEN says ADD-PATH receive for IPv4/IPv6 unicast, the
    peer's says both: Adj-RIB-In has path IDs, Adj-RIB-Out has none."""
    ups = 0
    for item, sessions in run(name):
        if isinstance(item, PeerUp):
            ups += 1
            ctxs = sessions.get(item.peer)
            assert ctxs is not None and ctxs.from_peer_up
            assert ctxs.adj_rib_in.addpath == {V4U, V6U}
            assert ctxs.adj_rib_out.addpath == frozenset()
            assert ctxs.adj_rib_in.asn4 and not ctxs.adj_rib_in.asn_guess
            rm_in = sessions.context_for(0, item.peer)
            rm_out = sessions.context_for(0, PeerHeader(**{**_fields(item.peer), "flags": 0x10}))
            assert rm_in is ctxs.adj_rib_in and rm_out is ctxs.adj_rib_out
        elif getattr(item, "type", None) == 0 and item.peer.peer_type == 0:
            assert sessions.context_for(0, item.peer).addpath == {V4U, V6U}
    assert ups == 1


def _fields(p: PeerHeader) -> dict[str, Any]:
    return {f: getattr(p, f) for f in PeerHeader.__dataclass_fields__}


def test_frr_peer_without_asn4_decodes_2_octet_although_a_flag_is_clear() -> None:
    """FRR 8.4 quirk: fd00:b::14 has no 4-octet AS capability, FRR encodes
    its routes with 2-octet AS_PATHs and leaves the A flag clear.  The Peer Up
    OPENs win; the contradiction switches asn_guess on."""
    seen: dict[str, set[tuple[bool, bool, bool]]] = {}
    for item, sessions in run("frr_unicast"):
        if getattr(item, "type", None) == 0:
            ctx = sessions.context_for(0, item.peer)
            seen.setdefault(item.peer.address, set()).add((item.peer.is_as2, ctx.asn4, ctx.asn_guess))
    assert seen["fd00:b::14"] == {(False, False, True)}
    assert seen["127.0.0.11"] == seen["127.0.0.13"] == {(False, True, False)}


def test_gobgp_a_flag_pre_policy_and_reencoded_post_policy() -> None:
    """GoBGP: the peer 127.0.0.24 lacks the 4-octet AS capability.  Its
    pre-policy routes come with the A flag (2-octet, agreeing with the
    OPENs), its post-policy routes re-encoded with 4-octet ASNs and the A
    flag clear (2-octet first per the OPENs, asn_guess on).  The Loc-RIB
    (peer type 3) has no Peer Up: its A flag (clear) says 4 octets."""
    seen: set[tuple[str, int, bool, bool]] = set()
    for item, sessions in run("gobgp_unicast"):
        if getattr(item, "type", None) == 0 and (item.peer.address == "127.0.0.24" or item.peer.peer_type == 3):
            ctx = sessions.context_for(0, item.peer)
            seen.add((item.peer.address, item.peer.flags, ctx.asn4, ctx.asn_guess))
            assert (sessions.get(item.peer) is None) == (item.peer.peer_type == 3)
    assert seen == {("127.0.0.24", 0x20, False, False), ("127.0.0.24", 0x40, False, True), ("0.0.0.0", 0, True, False)}


@pytest.mark.parametrize("name", ["frr_unicast", "gobgp_unicast", "frr_evpn_interop_flap"])
def test_peer_down_drops_the_contexts(name: str) -> None:
    dropped = 0
    known: set[Any] = set()
    for item, sessions in run(name):
        if isinstance(item, PeerUp):
            known.add(item.peer.key)
            assert item.peer.key in sessions
        elif isinstance(item, PeerDown):
            assert item.peer.key not in sessions
            dropped += item.peer.key in known
            known.discard(item.peer.key)
        assert set(sessions) == known
    assert dropped


def test_loc_rib_peer_up_with_addpath() -> None:
    """Cisco IOS XR (pmacct 208) sends a Loc-RIB Peer Up with one OPEN twice
    and ADD-PATH for the families the Loc-RIB has several paths for
    (RFC 9069 section 5.3): those carry path IDs."""
    name = "208-BMP-mem-leak-test__bmp-multi-sources-peer-up"
    if name not in PUBLIC_NAMES:
        pytest.skip(f"{PUBLIC_PCAPS} not available")
    found = set()
    for d in decode_capture(name):
        table = SessionTable()
        for m in d.messages:
            table.observe(m)
            if isinstance(m, PeerUp) and m.peer.peer_type == 3 and m.sent_open.addpath:
                ctxs = table.get(m.peer)
                assert ctxs is not None
                assert ctxs.adj_rib_in == ctxs.adj_rib_out
                assert ctxs.adj_rib_in.addpath == set(m.sent_open.addpath) and ctxs.adj_rib_in.asn4
                found |= ctxs.adj_rib_in.addpath
    assert found == {V4U, V6U, V4VPN, (2, 128)}


# ---------------------------------------------------------------------------
# crafted OPENs
# ---------------------------------------------------------------------------
def test_asymmetric_addpath() -> None:
    """RFC 7911 section 4: IPv4 — router send-only, peer receive-only: path
    IDs only in Adj-RIB-Out.  IPv6 — router receive-only, peer send-only:
    only in Adj-RIB-In.  VPNv4 — both sides receive-only: nowhere."""
    sent = make_open(FourOctetASCapability(64500), addpath((1, 1, 2), (2, 1, 1), (1, 128, 1)))
    received = make_open(FourOctetASCapability(64501), addpath((1, 1, 1), (2, 1, 2), (1, 128, 1)))
    table = SessionTable()
    table.observe(peer_up(peer(), sent, received))
    assert table.context_for(0, peer(0x00)).addpath == {V6U}
    assert table.context_for(0, peer(0x40)).addpath == {V6U}  # post-policy Adj-RIB-In
    assert table.context_for(0, peer(0x10)).addpath == {V4U}  # Adj-RIB-Out pre-policy
    assert table.context_for(0, peer(0x50)).addpath == {V4U}  # Adj-RIB-Out post-policy
    assert table.context_for(6, peer(0x00)).addpath == {V6U}  # Route Mirroring: what the peer sent
    # the same through the stream decoder, from wire bytes
    dec = bmplib.BMPDecoder()
    dec.feed(peer_up(peer(), sent, received).encode())
    (item,) = list(dec)
    assert isinstance(item, PeerUp) and dec.sessions is not None
    assert dec.sessions.get(peer()) == PeerContexts(
        DecodeContext(addpath=frozenset({V6U})), DecodeContext(addpath=frozenset({V4U})), True
    )


def test_both_opens_needed_for_asn4_and_extended_message() -> None:
    both = make_open(FourOctetASCapability(64500), ExtendedMessageCapability())
    bare = make_open(MultiprotocolCapability(1, 1))
    assert contexts_from_opens(both, both).adj_rib_in == DecodeContext(asn4=True, extended_message=True)
    for sent, received in ((both, bare), (bare, both)):
        ctxs = contexts_from_opens(sent, received)
        assert ctxs.adj_rib_in == ctxs.adj_rib_out == DecodeContext(asn4=False, extended_message=False)


def test_multiple_labels_follow_the_receiver() -> None:
    """RFC 8277 section 2.1: a speaker may send several labels when the
    receiver advertised a count above 1 for the family."""
    sent = make_open(MultipleLabelsCapability([MultipleLabelsFamily(1, 4, 3), MultipleLabelsFamily(2, 4, 1)]))
    received = make_open(MultipleLabelsCapability([MultipleLabelsFamily(2, 128, 2)]))
    ctxs = contexts_from_opens(sent, received)
    assert ctxs.adj_rib_in.multiple_labels == {(1, 4)}
    assert ctxs.adj_rib_out.multiple_labels == {(2, 128)}


def test_loc_rib_any_addpath_mode_means_path_ids() -> None:
    fabricated = make_open(FourOctetASCapability(64500), addpath((1, 1, 1), (2, 1, 2)))
    table = SessionTable()
    table.observe(peer_up(peer(peer_type=3, address="0.0.0.0"), fabricated, fabricated))
    assert table.context_for(0, peer(peer_type=3, address="0.0.0.0")).addpath == {V4U, V6U}


def test_a_flag_fallback_without_peer_up_and_asn_guess_opt_in() -> None:
    table = SessionTable()
    assert table.context_for(0, peer(0x20)) == DecodeContext(asn4=False)
    assert table.context_for(0, peer(0x00)) == DecodeContext(asn4=True)
    assert table.context_for(0, peer(0x20, peer_type=3)) == DecodeContext(asn4=True)  # 0x20 is not A on Loc-RIB
    guessing = SessionTable(asn_guess=True)
    assert guessing.context_for(0, peer(0x20)) == DecodeContext(asn4=False, asn_guess=True)
    both = make_open(FourOctetASCapability(64500))
    guessing.observe(peer_up(peer(), both, both))
    assert guessing.context_for(0, peer()) == DecodeContext(asn4=True, asn_guess=True)
    assert guessing.get(peer()) == PeerContexts(DecodeContext(asn4=True), DecodeContext(asn4=True), True)
    # the stream decoder takes the table
    dec = bmplib.BMPDecoder(sessions=guessing)
    assert dec.sessions is guessing


def test_a_flag_contradicting_the_opens_turns_asn_guess_on() -> None:
    as2 = make_open(MultiprotocolCapability(1, 1))
    as4 = make_open(FourOctetASCapability(64500))
    table = SessionTable()
    table.observe(peer_up(peer(), as4, as2))
    assert table.context_for(0, peer(0x20)) == DecodeContext(asn4=False)
    assert table.context_for(0, peer(0x00)) == DecodeContext(asn4=False, asn_guess=True)
    table.observe(peer_up(peer(), as4, as4))
    assert table.context_for(0, peer(0x00)) == DecodeContext(asn4=True)
    assert table.context_for(0, peer(0x20)) == DecodeContext(asn4=True, asn_guess=True)


def test_seed_read_and_forget() -> None:
    table = SessionTable()
    p = peer()
    ctx_in = DecodeContext(asn4=False, addpath=frozenset({V4U}))
    ctx_out = DecodeContext(extended_message=True)
    table.set(p, ctx_in, ctx_out)
    assert p.key in table and p in table and len(table) == 1 and list(table) == [p.key]
    assert table.get(p.key) == PeerContexts(ctx_in, ctx_out, False)
    assert list(table.items()) == [(p.key, PeerContexts(ctx_in, ctx_out, False))]
    # seeded contexts are used as given, whatever the A flag
    assert table.context_for(0, peer(0x00)) is ctx_in and table.context_for(0, peer(0x20)) is ctx_in
    assert table.context_for(0, peer(0x10)) is ctx_out
    table.set(p.key, ctx_out)  # one context for both directions
    assert table.context_for(0, peer(0x10)) is table.context_for(0, peer()) is ctx_out
    table.forget(p)
    assert len(table) == 0 and table.get(p) is None


def test_peer_up_replaces_seeded_and_peer_down_drops() -> None:
    table = SessionTable()
    table.set(peer(), DecodeContext(asn4=False))
    both = make_open(FourOctetASCapability(64500))
    table.observe(peer_up(peer(), both, both))
    got = table.get(peer())
    assert got is not None and got.from_peer_up and got.adj_rib_in.asn4
    table.observe(PeerDown(peer(), 4))
    assert table.get(peer()) is None and len(table) == 0
    table.observe(PeerDown(peer(), 4))  # a Peer Down for an unknown peer is fine


def test_peer_up_without_two_opens_is_ignored() -> None:
    table = SessionTable()
    both = make_open(FourOctetASCapability(64500))
    table.observe(peer_up(peer(), both, UnknownBGPMessage(1, b"\x04")))
    table.observe(bmplib.decode(b"\x03\x00\x00\x00\x06\x04"))  # an Initiation: no peer
    assert len(table) == 0
    assert table.context_for(0, peer(0x20)) == DecodeContext(asn4=False)
