"""Route Target Constraint NLRI (AFI 1 / SAFI 132, RFC 4684 section 4):
the zero-length default, full origin AS + route target, prefix forms."""

from __future__ import annotations

import pytest

from bmplib.errors import EncodeError, NLRIDecodeError
from bmplib.json import value_to_json
from bmplib.nlri.registry import lookup
from bmplib.nlri.rtc import RouteTargetMembership, decode_rtc_nlri, route_target_text
from bmplib.session import DecodeContext


def test_default_full_and_prefix_forms() -> None:
    data = bytes.fromhex(
        "00"  # default route-target membership
        + "60"
        + "0000fde8"
        + "0002fde800000064"  # AS 65000, RT 65000:100 (type 0x00)
        + "60"
        + "0000fde8"
        + "0102c00002010007"  # RT 192.0.2.1:7 (type 0x01)
        + "60"
        + "fa56ea03"
        + "0202fa56ea030009"  # AS 4200000003, RT 4200000003:9 (type 0x02)
        + "30"
        + "0000fde8"
        + "0002"  # /48: origin AS and RT type only
    )
    routes = decode_rtc_nlri(data, 0, len(data))
    assert [str(r) for r in routes] == [
        "default",
        "65000:65000:100",
        "65000:192.0.2.1:7",
        "4200000003:4200000003:9",
        "65000:0002/48",
    ]
    assert routes[0].is_default and routes[0].origin_as is None and routes[0].route_target is None
    assert routes[1].origin_as == 65000 and routes[1].route_target == bytes.fromhex("0002fde800000064")
    assert routes[4].origin_as == 65000 and routes[4].route_target is None
    assert b"".join(r.encode() for r in routes) == data
    assert value_to_json(routes[1]) == {
        "family": "rtc",
        "prefix": "65000:65000:100",
        "length": 96,
        "origin_as": 65000,
        "route_target": "65000:100",
        "path_id": None,
    }


def test_codec_path_ids_and_build() -> None:
    codec = lookup(1, 132)
    assert codec is not None
    data = bytes.fromhex("00000001" + "00" + "00000002" + "60" + "0000fde8" + "0002fde800000064")
    routes = codec.decode(data, 0, len(data), True, DecodeContext())
    assert [r.path_id for r in routes] == [1, 2]
    assert codec.encode(routes, True, DecodeContext()) == data
    assert RouteTargetMembership.build(65000, bytes.fromhex("0002fde800000064"), 2) == routes[1]
    assert RouteTargetMembership.build(path_id=1) == routes[0]
    with pytest.raises(EncodeError):
        RouteTargetMembership.build(65000, b"\x00")
    assert route_target_text(bytes.fromhex("0603aabbccddeeff")) == "0603aabbccddeeff"


@pytest.mark.parametrize("hexdata", ["61" + "00" * 13, "60" + "00" * 5, "00000001"])
def test_errors(hexdata: str) -> None:
    data = bytes.fromhex(hexdata)
    with pytest.raises(NLRIDecodeError) as exc:
        decode_rtc_nlri(b"\x00" + data, 1, 1 + len(data), path_id=len(data) == 4)
    assert exc.value.offset == 1
