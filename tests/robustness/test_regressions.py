"""Failing examples found once (by the Hypothesis properties of
tests/test_properties.py, the encoder audit, or fuzzing), kept as explicit
regression tests.  Each says where it came from and what was wrong."""

from __future__ import annotations

import struct

import pytest

import bmplib
from bmplib.bgp.attributes import AIGP, AIGPTLV, ASPath, ASPathSegment, ExtendedCommunity, RouteTarget, UnknownAttribute
from bmplib.bgp.attributes.evpn_communities import MACMobility
from bmplib.bgp.message import UnknownBGPMessage
from bmplib.bgp.update import decode_update
from bmplib.bmp.messages import MirroringInformation, PeerDown, RouteMirroring, UnknownMessage
from bmplib.session import DecodeContext

PEER = bmplib.peer_header("192.0.2.1", 65001, timestamp=0)


def test_long_attribute_without_extended_length_flag_gets_it() -> None:
    """Found by test_route_monitoring_round_trip_in_any_context: an AS_SET of
    255 AS numbers in a 2-octet session (512 octets) with flags 0x40.  A
    value over 255 octets cannot have a 1-octet length: the encoder sets the
    extended-length bit (RFC 4271 section 4.3), and the decoder then keeps
    flags 0x50."""
    path = ASPath([ASPathSegment(1, tuple(range(255)))], asn4=False, flags=0x40)
    wire = path.encode()
    assert wire[:4] == bytes((0x50, 2)) + struct.pack("!H", 512)
    upd = bmplib.update(announce=["10.0.0.0/24"], next_hop="192.0.2.1", asn4=False)
    upd.attributes[1] = path
    body = upd.encode()
    back = decode_update(body, 19, len(body), DecodeContext(asn4=False))
    assert back.get(2).segments == path.segments
    assert back.get(2).flags == 0x50
    # a short value keeps whichever length form it had
    short = ASPath([ASPathSegment(2, (1,))], flags=0x50)
    assert short.encode()[:4] == bytes((0x50, 2, 0, 6))


def test_mp_reach_alone_is_missing_origin_and_as_path() -> None:
    """Found by test_path_attribute_round_trip: an UPDATE whose only
    attribute is an MP_REACH_NLRI announcing a route is treat-as-withdraw
    (RFC 7606 section 3 d: ORIGIN and AS_PATH are missing), and the problems
    say so -- the attribute itself still decodes and re-encodes."""
    upd = bmplib.update(announce=["2001:db8::/32"], next_hop="2001:db8::1")
    upd.attributes = [a for a in upd.attributes if a.type_code == 14]
    body = upd.encode()
    back = decode_update(body, 19, len(body), DecodeContext())
    assert back.attributes == upd.attributes
    assert [p.type_code for p in back.problems] == [1, 2]
    assert back.announced == [] and [str(r) for r in back.withdrawn] == ["2001:db8::/32"]
    assert back.encode() == body


@pytest.mark.parametrize(
    ("obj", "field"),
    [
        # found by the encoder audit: struct.error / ValueError escaped these
        (UnknownMessage(256, b""), "msg_type"),
        (UnknownBGPMessage(256, b""), "type"),
        (PeerDown(PEER, 2, fsm_event=0x10000), "fsm_event"),
        (RouteMirroring(PEER, [MirroringInformation(0x10000)]), "information.code"),
        (ASPath([ASPathSegment(256, (1,))]), "as_path.segment.type"),
        (AIGP([AIGPTLV(256, b"")]), "aigp.tlv.type"),
        (UnknownAttribute(256, b""), "attribute.type_code"),
        (UnknownAttribute(200, b"", 0x100), "attribute[200].flags"),
        (ExtendedCommunity(256, 0, bytes(6)), "extended_community.type"),
        (RouteTarget(0, 256, 1, 1), "extended_community.subtype"),
        (MACMobility(6, 256, 0, 0, 0), "extended_community.subtype"),
    ],
)
def test_out_of_range_code_points_raise_encode_error(obj: object, field: str) -> None:
    with pytest.raises(bmplib.EncodeError) as info:
        bmplib.encode(obj)
    assert info.value.field == field


def test_v_flag_with_ipv4_address_is_refused() -> None:
    """Found by the encoder audit: a per-peer header with the V flag and an
    IPv4 address encoded as ``::a.b.c.d`` and decoded to different text."""
    p = bmplib.peer_header("192.0.2.1", timestamp=0)
    p.flags |= 0x80
    with pytest.raises(bmplib.EncodeError) as info:
        p.encode()
    assert info.value.field == "peer.address"
    # V clear with an IPv6 address whose first 12 octets are not zero is what
    # the decoder gives for a non-zero padding (pmacct captures): it stays exact
    q = bmplib.peer_header("2001:db8::1", timestamp=0)
    q.flags = 0
    assert bmplib.decode(bmplib.encode(bmplib.peer_down(q))).peer == q


def test_opens_in_peer_up_never_exceed_4096() -> None:
    """RFC 8654 section 4: OPEN is never extended; a Peer Up with a long OPEN
    is refused even with an extended-message context."""
    from bmplib.bgp.open import UnknownParameter

    big = bmplib.open_message()
    big.parameters.append(UnknownParameter(3, b"x" * 4100))
    big.extended_parameters = True
    with pytest.raises(bmplib.EncodeError):
        bmplib.encode(bmplib.peer_up(PEER, sent_open=big), DecodeContext(extended_message=True))
    assert len(big.encode()) > 4096  # the method alone writes what the fields say


def test_open_is_never_extended() -> None:
    """RFC 8654 section 3: an OPEN over 4096 octets is an error even when the
    extended message capability was negotiated."""
    import pytest

    from bmplib.bgp.message import decode_bgp_message
    from bmplib.errors import BGPDecodeError
    from bmplib.session import DecodeContext

    body = bytes([4, 0xFD, 0xE8, 0, 90, 10, 0, 0, 1, 255, 255, 0x10, 0x06]) + bytes(5000)
    wire = b"\xff" * 16 + (19 + len(body)).to_bytes(2, "big") + b"\x01" + body
    with pytest.raises(BGPDecodeError, match="exceeds the maximum 4096"):
        decode_bgp_message(wire, 0, len(wire), DecodeContext(extended_message=True))
