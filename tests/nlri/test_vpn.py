"""L3VPN NLRI (RFC 4364 section 4.3.4, RFC 4659; SAFI 128 and 129) from byte
vectors: label stack + RD of types 0, 1, 2 + prefix, text forms, path IDs,
errors, exact re-encoding."""

from __future__ import annotations

import pytest

from bmplib.bgp.attributes.base import MalformedAttributeError
from bmplib.bgp.attributes.mp import decode_mp_unreach
from bmplib.errors import NLRIDecodeError
from bmplib.json import value_to_json
from bmplib.nlri.registry import family_name, lookup
from bmplib.nlri.vpn import VPNPrefix, decode_vpn_nlri
from bmplib.session import DecodeContext

CTX = DecodeContext()


@pytest.mark.parametrize(
    ("rd_hex", "rd_text", "rd_type"),
    [
        ("0000fde800000064", "65000:100", 0),
        ("0001c00002010007", "192.0.2.1:7", 1),
        ("0002fa56ea030009", "4200000003:9", 2),
    ],
)
def test_vpnv4_rd_types(rd_hex: str, rd_text: str, rd_type: int) -> None:
    # 24 (label 1000) + 64 (RD) + 24 = 112 bits
    data = bytes.fromhex("70" + "003e81" + rd_hex + "0a0100")
    (r,) = decode_vpn_nlri(data, 0, len(data), (1, 128))
    assert r.rd.type == rd_type and str(r.rd) == rd_text
    assert r.labels == (1000,) and r.label == 1000 and r.prefix == "10.1.0.0/24"
    assert str(r) == f"{rd_text}:10.1.0.0/24"
    assert r.encode() == data
    assert VPNPrefix.from_text(rd_text, "10.1.0.0/24", [1000]) == r
    assert value_to_json(r) == {
        "family": "ipv4-vpn",
        "rd": rd_text,
        "prefix": "10.1.0.0/24",
        "labels": [1000],
        "path_id": None,
    }


@pytest.mark.parametrize("safi", [128, 129])
def test_vpnv6_and_multicast_vpn_same_shape(safi: int) -> None:
    data = bytes.fromhex("00000003" + "88" + "000c81" + "0000fde800000002" + "20010db8000a")
    codec = lookup(2, safi)
    assert codec is not None
    (r,) = codec.decode(data, 0, len(data), True, CTX)
    assert r.family == (2, safi) and family_name(*r.family) in ("ipv6-vpn", "ipv6-vpn-multicast")
    assert r.path_id == 3 and r.prefix == "2001:db8:a::/48" and str(r) == "65000:2:2001:db8:a::/48"
    assert codec.encode([r], True, CTX) == data


def test_withdraw_with_compatibility_label_and_default_route() -> None:
    data = bytes.fromhex("58" + "800000" + "0000fde800000002")  # 0.0.0.0/0 withdrawn
    (r,) = decode_vpn_nlri(data, 0, len(data), (1, 128))
    assert r.prefix == "0.0.0.0/0" and r.labels == (0x80000,) and str(r) == "65000:2:0.0.0.0/0"
    assert r.encode() == data


def test_errors() -> None:
    short_rd = bytes.fromhex("38" + "003e81" + "0000fde8")  # 56 bits: labels + half an RD
    with pytest.raises(NLRIDecodeError) as exc:
        decode_vpn_nlri(b"\x00" + short_rd, 1, 1 + len(short_rd), (1, 128))
    assert exc.value.offset == 1
    too_long = bytes.fromhex("ff" + "003e81" + "0000fde800000064" + "00" * 21)
    with pytest.raises(NLRIDecodeError):
        decode_vpn_nlri(too_long, 0, len(too_long), (1, 128))


def test_path_ids_are_guessed_only_when_the_strict_parse_fails() -> None:
    # a path ID 0 in front: without path IDs the first NLRI would have length 0
    data = bytes.fromhex("00000000" + "78" + "000101" + "0002fbf000130011" + "c0000211")
    codec = lookup(1, 128)
    assert codec is not None
    with pytest.raises(NLRIDecodeError):
        codec.decode(data, 0, len(data), False, CTX)  # the codec is strict: the retry is the MP layer's
    unreach = b"\x00\x01\x80" + data  # MP_UNREACH_NLRI value: AFI 1, SAFI 128, the NLRI
    attr = decode_mp_unreach(unreach, 0, len(unreach), 0x90, CTX)
    (r,) = attr.withdrawn
    assert r.path_id == 0 and str(r) == "4226809875:17:192.0.2.17/32" and r.labels == (16,)
    assert attr.path_ids_guessed  # the reading is marked, not silent
    assert codec.encode([r], False, CTX) == data
    with pytest.raises(NLRIDecodeError):
        decode_vpn_nlri(data, 0, len(data), (1, 128))  # the plain decoder stays strict
    bad = b"\x00\x01\x80\x00\x00"
    with pytest.raises(MalformedAttributeError) as exc:
        decode_mp_unreach(bad, 0, len(bad), 0x90, CTX)  # fails both ways: the first error
    assert "label stack" in exc.value.reason
