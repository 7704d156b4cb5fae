"""Route Monitoring messages with TLVs after the BGP PDU (seen from a Huawei
VRP exporter, 203.0.113.23, in pmacct's 208 capture: type 0xea62, 4- and 6-octet values)."""

from __future__ import annotations

import pytest

import bmplib
from bmplib.bmp.tlv import InformationTLV
from tests.bmp.test_roundtrip_real import split_messages
from tests.conftest import PCAPS


def _first_rm() -> bytes:
    return next(m for m in split_messages((PCAPS / "gobgp_vpn_evpn.bmp").read_bytes()) if m[5] == 0)


def _with_trailer(rm: bytes, trailer: bytes) -> bytes:
    length = len(rm) + len(trailer)
    return rm[:1] + length.to_bytes(4, "big") + rm[5:] + trailer


@pytest.mark.parametrize("trailer", [bytes.fromhex("ea6200040000000a"), bytes.fromhex("ea620006000000010002")])
def test_trailing_tlvs_are_kept(trailer: bytes) -> None:
    rm = _first_rm()
    wire = _with_trailer(rm, trailer)
    msg = bmplib.decode(wire)
    assert isinstance(msg, bmplib.RouteMonitoring)
    assert msg.tlvs == [InformationTLV(0xEA62, trailer[4:])]
    assert msg.bgp == bmplib.decode(rm).bgp  # type: ignore[union-attr]
    assert msg.encode() == wire
    assert bmplib.to_json(msg)["tlvs"] == [{"type": 0xEA62, "code": 0xEA62, "hex": trailer[4:].hex()}]


def test_trailing_garbage_is_an_error() -> None:
    wire = _with_trailer(_first_rm(), b"\x00\x01\x00\x09ab")  # TLV length runs past the message
    with pytest.raises(bmplib.BMPDecodeError) as exc:
        bmplib.decode(wire)
    assert "are not TLVs" in exc.value.reason
    assert exc.value.offset == len(_first_rm())
