"""MP_REACH_NLRI next hop lengths (RFC 4760 section 3, RFC 7606 section 7.11;
issue 17 item 7): a length the family does not have is malformed, the NLRI
cannot be located reliably, so the UPDATE gets an AFI/SAFI-disable problem
and announces nothing of that family.  Messages packed by hand from the RFC
layout; tests/fast/test_issue17.py runs the same through both decoders."""

from __future__ import annotations

import struct

import pytest

import bmplib
from bmplib.bgp.attributes import ErrorAction
from bmplib.bgp.attributes.mp import NEXT_HOP_LENGTHS
from bmplib.bgp.update import decode_update
from bmplib.session import DecodeContext

# issue 17 item 7: a Route Monitoring message whose UPDATE has an IPv6-unicast
# MP_REACH_NLRI with a 5-octet next hop, announcing 2001:db8::/32
ITEM7 = bytes.fromhex(
    "03000000660000000000000000000000000000000000000000000000c00002010000fde9c00002016553f10000000005"
    "ffffffffffffffffffffffffffffffff0036020000001f4001010040020602010000fde9800e0f000201050102030405"
    "002020010db8"
)

# NLRI of one route per family, as on the wire (length octet first)
NLRI = {
    (1, 1): bytes([24, 10, 0, 0]),
    (2, 1): bytes([32, 0x20, 1, 0x0D, 0xB8]),
    (1, 4): bytes([48, 0, 1, 0x01, 10, 0, 0]),  # label 16, bottom of stack
    (1, 128): bytes([112, 0, 1, 0x01]) + bytes([0, 0, 0xFD, 0xE8, 0, 0, 0, 1]) + bytes([10, 0, 0]),
    (2, 128): bytes([120, 0, 1, 0x01]) + bytes([0, 0, 0xFD, 0xE8, 0, 0, 0, 1]) + bytes([0x20, 1, 0x0D, 0xB8]),
}


def update_body(afi: int, safi: int, next_hop: bytes) -> bytes:
    """An UPDATE (from its BGP header) with ORIGIN, AS_PATH and one MP_REACH_NLRI."""
    mp = struct.pack("!HBB", afi, safi, len(next_hop)) + next_hop + b"\x00" + NLRI[(afi, safi)]
    mp_attr = bytes([0x90, 14]) + struct.pack("!H", len(mp)) + mp  # extended length
    attrs = b"\x40\x01\x01\x00" + b"\x40\x02\x06\x02\x01\x00\x00\xfd\xe9" + mp_attr
    body = b"\x00\x00" + struct.pack("!H", len(attrs)) + attrs
    return b"\xff" * 16 + struct.pack("!HB", 19 + len(body), 2) + body


def test_item7_reproducer() -> None:
    msg = bmplib.decode(ITEM7)
    upd = msg.bgp
    assert upd.announced == []
    (problem,) = upd.problems
    assert problem.action is ErrorAction.AFI_SAFI_DISABLE
    assert problem.family == (2, 1)
    assert problem.type_code == 14
    assert "next hop length 5" in problem.reason and "ipv6-unicast" in problem.reason
    assert msg.encode() == ITEM7  # the malformed attribute is kept as received


@pytest.mark.parametrize("family", sorted(NLRI))
@pytest.mark.parametrize("length", [0, 1, 4, 5, 12, 15, 16, 17, 24, 32, 33, 48, 255])
def test_next_hop_length_per_family(family: tuple[int, int], length: int) -> None:
    next_hop = bytes(i & 0xFF for i in range(1, length + 1))
    body = update_body(*family, next_hop)
    upd = decode_update(body, 19, len(body), DecodeContext())
    if length in NEXT_HOP_LENGTHS[family]:
        assert upd.problems == []
        assert len(upd.announced) == 1
        assert upd.mp_reach is not None and upd.mp_reach.next_hop.raw == next_hop
    else:
        assert [(p.action, p.family) for p in upd.problems] == [(ErrorAction.AFI_SAFI_DISABLE, family)]
        assert upd.announced == [] and upd.mp_reach is None
    assert upd.encode() == body


def test_the_lengths_are_those_of_the_rfcs() -> None:
    assert NEXT_HOP_LENGTHS[(1, 1)] == {4, 16, 32}  # RFC 4760, RFC 8950
    assert NEXT_HOP_LENGTHS[(2, 1)] == {16, 32}  # RFC 2545 section 3
    assert NEXT_HOP_LENGTHS[(1, 128)] == {12, 16, 24, 48}  # RFC 4364, RFC 8950; 16: Cisco IOS XR (quirks.md)
    assert NEXT_HOP_LENGTHS[(2, 128)] == {16, 24, 48}  # RFC 4659
    assert NEXT_HOP_LENGTHS[(25, 70)] == {4, 16}  # RFC 7432 section 7


def test_a_family_without_a_rule_keeps_any_next_hop() -> None:
    mp = struct.pack("!HBB", 1, 250, 5) + bytes(5) + b"\x00" + b"\x01\x02"
    attrs = b"\x40\x01\x01\x00" + b"\x40\x02\x00" + bytes([0x80, 14, len(mp)]) + mp
    body = b"\xff" * 16 + struct.pack("!HB", 23 + len(attrs), 2) + b"\x00\x00" + struct.pack("!H", len(attrs)) + attrs
    upd = decode_update(body, 19, len(body), DecodeContext())
    assert upd.problems == [] and upd.mp_reach is not None and len(upd.mp_reach.next_hop.raw) == 5
