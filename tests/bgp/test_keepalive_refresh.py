"""BGP KEEPALIVE (RFC 4271 section 4.4) and ROUTE-REFRESH (RFC 2918,
RFC 7313 subtypes, RFC 5291 ORF entries).

The KEEPALIVEs FRR mirrors (Route Mirroring) are real bytes; no capture
holds a ROUTE-REFRESH, so those are built from the RFC figures."""

from __future__ import annotations

import struct
from typing import Any

import pytest

from bmplib.bgp.keepalive import Keepalive
from bmplib.bgp.message import BGPMessageType, decode_bgp_message
from bmplib.bgp.route_refresh import RouteRefresh, RouteRefreshSubtype
from bmplib.bmp.messages import MirroredBGPMessage
from bmplib.errors import BGPDecodeError, EncodeError
from bmplib.json import value_to_json
from bmplib.nlri.registry import AFI, SAFI
from tests.bmp import tshark
from tests.bmp.test_tshark_oracle import of_type


def wire(msg_type: int, body: bytes) -> bytes:
    return b"\xff" * 16 + struct.pack("!HB", 19 + len(body), msg_type) + body


def decode(data: bytes) -> Any:
    msg, end = decode_bgp_message(data, 0, len(data))
    assert end == len(data)
    return msg


@pytest.mark.parametrize("name", ["frr_unicast", "frr_vpn_evpn", "frr_evpn_interop_flap"])
def test_mirrored_keepalives(name: str) -> None:
    """Every KEEPALIVE tshark sees in a Route Mirroring message is a
    :class:`Keepalive` here, and re-encodes to its 19 octets."""
    count = 0
    for p, m, _ in of_type(name, 6):
        want = sum(1 for b in tshark.bgp_messages(p) if b["bgp.type"] == "4")
        got = [t for t in m.tlvs if isinstance(t, MirroredBGPMessage) and isinstance(t.message, Keepalive)]
        assert len(got) == want, f"frame {p.frame}"
        for t in got:
            assert t.message.encode() == t.encode()[4:] == wire(4, b"")
        count += want
    assert count


def test_keepalive() -> None:
    k = decode(wire(4, b""))
    assert k == Keepalive() and k.type is BGPMessageType.KEEPALIVE
    assert value_to_json(k) == {}


def test_keepalive_with_a_body_raises() -> None:
    data = wire(4, b"\x00")
    with pytest.raises(BGPDecodeError) as exc:
        decode_bgp_message(data, 0, len(data))
    assert exc.value.offset == 0 and exc.value.data == data


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        # RFC 2918 section 3: AFI, reserved, SAFI
        (b"\x00\x01\x00\x01", RouteRefresh(AFI.IPV4, SAFI.UNICAST, RouteRefreshSubtype.ROUTE_REFRESH)),
        # RFC 7313 section 3.2: subtype 1 BoRR, 2 EoRR
        (b"\x00\x02\x01\x01", RouteRefresh(AFI.IPV6, SAFI.UNICAST, RouteRefreshSubtype.BORR)),
        (b"\x00\x19\x02\x46", RouteRefresh(AFI.L2VPN, SAFI.EVPN, RouteRefreshSubtype.EORR)),
        # 255 is reserved, 3 unassigned: kept as ints
        (b"\x00\x01\xff\x80", RouteRefresh(AFI.IPV4, SAFI.MPLS_VPN, 255)),
        (b"\x40\x00\x03\x99", RouteRefresh(16384, 153, 3)),
        # RFC 5291 section 5: when-to-refresh IMMEDIATE (1), ORF type 64, length 9,
        # one address-prefix ORF entry (RFC 5292: add/permit, sequence 10,
        # minlen 0, maxlen 0, 10.0.0.0/8), kept raw
        (
            b"\x00\x01\x00\x01" + b"\x01\x40\x00\x09" + b"\x00" + b"\x00\x00\x00\x0a" + b"\x00\x00\x08\x0a",
            RouteRefresh(AFI.IPV4, SAFI.UNICAST, 0, b"\x01\x40\x00\x09\x00\x00\x00\x00\x0a\x00\x00\x08\x0a"),
        ),
    ],
)
def test_route_refresh(body: bytes, expected: RouteRefresh) -> None:
    data = wire(5, body)
    rr = decode(data)
    assert rr == expected and rr.type is BGPMessageType.ROUTE_REFRESH
    assert rr.encode() == data
    assert type(rr.subtype) is (RouteRefreshSubtype if rr.subtype in (0, 1, 2) else int)


def test_route_refresh_json() -> None:
    rr = decode(wire(5, b"\x00\x02\x02\x01"))
    assert value_to_json(rr) == {"afi": "ipv6", "safi": "unicast", "subtype": "eorr", "orf": ""}


@pytest.mark.parametrize("body", [b"", b"\x00\x01\x00"])
def test_short_route_refresh_raises(body: bytes) -> None:
    data = wire(5, body)
    with pytest.raises(BGPDecodeError) as exc:
        decode_bgp_message(data, 0, len(data))
    assert exc.value.offset == 0 and exc.value.data == data


def test_route_refresh_encode_rejects_values_that_do_not_fit() -> None:
    with pytest.raises(EncodeError):
        RouteRefresh(70000, 1).encode()
    with pytest.raises(EncodeError):
        RouteRefresh(1, 1, 256).encode()
