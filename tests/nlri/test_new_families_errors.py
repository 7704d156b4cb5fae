"""Malformed FlowSpec, VPLS, MDT and MVPN NLRI: each an NLRIDecodeError at
the failing NLRI with a reason, which the MP attribute turns into an RFC 7606
problem (AFI/SAFI disable) with the message kept; unknown-but-well-formed
units stay raw; objects that cannot be encoded raise EncodeError."""

from __future__ import annotations

import struct

import pytest

import bmplib
from bmplib.bgp.attributes import ErrorAction
from bmplib.bgp.attributes.flowspec_communities import TrafficAction, TrafficMarking
from bmplib.errors import EncodeError, NLRIDecodeError
from bmplib.nlri.flowspec import (
    FlowSpecMatch,
    FlowSpecOperators,
    FlowSpecPrefix,
    FlowSpecRoute,
    UnknownFlowSpecRoute,
    decode_flowspec_nlri,
)
from bmplib.nlri.mdt import MDTRoute, decode_mdt_nlri
from bmplib.nlri.mvpn import IntraASIPMSIAD, UnknownMVPNRoute, decode_mvpn_nlri
from bmplib.nlri.rd import RouteDistinguisher
from bmplib.nlri.vpls import UnknownVPLSRoute, VPLSRoute, decode_vpls_nlri
from bmplib.session import DecodeContext
from tests.nlri import rfc_families as rfc

RD = RouteDistinguisher.from_text("65000:1")


@pytest.mark.parametrize(
    ("family", "hexdata", "reason"),
    [
        ((1, 133), "0c 01 18 c0 00 02", "runs past the end"),  # length 12, 5 octets
        ((1, 133), "f0", "two-octet length"),
        ((1, 133), "02 01 21", "length 33 is out of range"),
        ((1, 133), "03 01 18 c0", "runs past the end of the NLRI"),  # /24 needs 3 octets
        ((1, 133), "03 04 01 19", "no end-of-list bit"),
        ((1, 133), "03 04 91 19", "value of 2 octets runs past"),
        ((2, 133), "04 01 40 40 00", "offset 64 is out of range"),  # offset == length
        ((2, 133), "03 01 00 05", "offset 5 is out of range"),  # length 0, offset 5
        ((1, 134), "07 00 00 fd e8 00 00 00", "has no route distinguisher"),
        ((25, 134), "0b 00 00 fd e8 00 00 00 01 10 06 02", "runs past the end"),  # MAC cut short
    ],
)
def test_flowspec_malformed(family: tuple[int, int], hexdata: str, reason: str) -> None:
    wire = b"\xee" + bytes.fromhex(hexdata.replace(" ", ""))
    with pytest.raises(NLRIDecodeError) as exc:
        decode_flowspec_nlri(wire, 1, len(wire), family)
    assert reason in exc.value.reason
    assert exc.value.offset == 1


def test_flowspec_unknown_types_per_family() -> None:
    """A type is known per AFI: the flow label (13) is IPv6's, the Ethernet
    types L2VPN's, the prefixes not L2VPN's."""
    label = bytes.fromhex("03 0d 81 64")
    assert isinstance(decode_flowspec_nlri(label, 0, 4, (2, 133))[0], FlowSpecRoute)
    (route,) = decode_flowspec_nlri(label, 0, 4, (1, 133))
    assert isinstance(route, UnknownFlowSpecRoute) and "type 13 is not defined for AFI 1" in route.reason
    mac = bytes.fromhex("08 00 00 00 00 00 00 00 00") + bytes.fromhex("01 18 0a 00 00")
    mac = bytes((len(mac) - 1,)) + mac[1:]
    (route,) = decode_flowspec_nlri(mac, 0, len(mac), (25, 134))
    assert isinstance(route, UnknownFlowSpecRoute) and route.rd == RouteDistinguisher(bytes(8))
    assert route.encode() == mac


def test_flowspec_long_length_form_kept() -> None:
    """A length below 240 sent in the two-octet form re-encodes so."""
    wire = bytes.fromhex("f0 05 01 18 c0 00 02")
    (route,) = decode_flowspec_nlri(wire, 0, len(wire), (1, 133))
    assert isinstance(route, FlowSpecRoute) and route.long_length and route.encode() == wire
    route.long_length = False
    assert route.encode() == b"\x05" + wire[2:]


def test_flowspec_path_ids() -> None:
    units = rfc.FLOWSPEC_V4[:2]
    wire = b"".join(struct.pack("!I", i + 1) + u for i, u in enumerate(units))
    routes = decode_flowspec_nlri(wire, 0, len(wire), (1, 133), path_id=True)
    assert [r.path_id for r in routes] == [1, 2]
    assert b"".join(r.encode() for r in routes) == wire
    with pytest.raises(NLRIDecodeError, match="path identifier"):
        decode_flowspec_nlri(wire[:3], 0, 3, (1, 133), path_id=True)


def test_vpls_mdt_mvpn_malformed() -> None:
    with pytest.raises(NLRIDecodeError, match="VPLS NLRI of 17 octets runs past"):
        decode_vpls_nlri(rfc.VPLS[0][:-1], 0, len(rfc.VPLS[0]) - 1)
    (odd,) = decode_vpls_nlri(b"\x00\x03abc", 0, 5)
    assert isinstance(odd, UnknownVPLSRoute) and odd.data == b"abc" and odd.encode() == b"\x00\x03abc"
    with pytest.raises(NLRIDecodeError, match="length 96 bits"):
        decode_mdt_nlri(b"\x60" + bytes(16), 0, 17)
    with pytest.raises(NLRIDecodeError, match="runs past"):
        decode_mdt_nlri(rfc.MDT[0][:-1], 0, 16)
    bad_len = rfc.mv(3, RD.encode() + b"\x18\x01\x02\x03" + b"\x20" + bytes(4) + bytes(4))
    with pytest.raises(NLRIDecodeError, match="multicast source length 24"):
        decode_mvpn_nlri(bad_len, 0, len(bad_len), (1, 5))
    bad_orig = rfc.mv(1, RD.encode() + bytes(5))
    with pytest.raises(NLRIDecodeError, match="originating router's IP of 5 octets"):
        decode_mvpn_nlri(bad_orig, 0, len(bad_orig), (1, 5))
    trailing = rfc.mv(2, RD.encode() + bytes(5))
    with pytest.raises(NLRIDecodeError, match="1 unexpected octets"):
        decode_mvpn_nlri(trailing, 0, len(trailing), (1, 5))
    unknown = rfc.mv(9, b"xyz")
    (route,) = decode_mvpn_nlri(unknown, 0, len(unknown), (2, 5))
    assert isinstance(route, UnknownMVPNRoute) and route.code == 9 and route.family == (2, 5)
    assert route.encode() == unknown and str(route) == "[9][78797a]"


def test_malformed_flowspec_in_an_update_is_a_problem() -> None:
    """Through the whole decoder: the message stays, the UPDATE carries an
    AFI/SAFI-disable problem for the family."""
    nlri = bytes.fromhex("03 04 01 19")  # no end-of-list bit
    mp = struct.pack("!HBB", 1, 133, 0) + b"\x00" + nlri
    attrs = bytes.fromhex("400101 00 400200".replace(" ", "")) + b"\x90\x0e" + struct.pack("!H", len(mp)) + mp
    body = b"\x00\x00" + struct.pack("!H", len(attrs)) + attrs
    msg = rfc.route_monitoring(b"\xff" * 16 + struct.pack("!HB", 19 + len(body), 2) + body)
    decoded = bmplib.decode(msg)
    (problem,) = decoded.update.problems
    assert problem.action == ErrorAction.AFI_SAFI_DISABLE and "no end-of-list bit" in problem.reason
    assert decoded.encode() == msg


@pytest.mark.parametrize(
    "obj",
    [
        FlowSpecMatch(0x81, 256),  # 1-octet value
        FlowSpecMatch(0x100, 1),
        FlowSpecOperators(4, []),
        FlowSpecPrefix(1, 33, bytes(5)),
        FlowSpecPrefix(1, 24, bytes(2)),
        FlowSpecPrefix(1, 64, bytes(8), 64),
        FlowSpecRoute((1, 134), []),  # a VPN route needs its RD
        FlowSpecRoute((1, 133), [], RD),
        FlowSpecRoute((1, 133), [FlowSpecOperators(4, [FlowSpecMatch(0x91, 80)] * 1500)]),  # over 4095 octets
        VPLSRoute(RD, 70000, 0, 0, 0),
        MDTRoute(RD, "2001:db8::1", "232.0.0.1"),
        IntraASIPMSIAD(RD, "not an address"),
        TrafficAction(0x80, 0x07, 1 << 46, False, False),
        TrafficMarking(0x80, 0x09, 0, 64),
    ],
)
def test_encode_errors(obj: object) -> None:
    with pytest.raises(EncodeError):
        obj.encode()  # type: ignore[attr-defined]


def test_decode_context_is_not_needed() -> None:
    """The codecs read nothing from the context but the ADD-PATH flag."""
    from bmplib.nlri.registry import lookup

    codec = lookup(1, 66)
    assert codec is not None
    assert codec.decode(rfc.MDT[0], 0, 17, False, DecodeContext(asn4=False)) == [MDTRoute(RD, "192.0.2.1", "232.0.0.1")]


def test_flowspec_component_order() -> None:
    """RFC 8955 section 4.2 wants increasing types; an NLRI that breaks it
    still decodes and re-encodes as received, and says so."""
    wire = bytes.fromhex("08 04 81 19 01 18 c0 00 02")
    (route,) = decode_flowspec_nlri(wire, 0, len(wire), (1, 133))
    assert isinstance(route, FlowSpecRoute) and not route.ordered and route.encode() == wire
    (good,) = decode_flowspec_nlri(rfc.FLOWSPEC_V4[1], 0, len(rfc.FLOWSPEC_V4[1]), (1, 133))
    assert isinstance(good, FlowSpecRoute) and good.ordered
