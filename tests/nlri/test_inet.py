"""IPv4 / IPv6 unicast and multicast NLRI (RFC 4271 section 4.3, RFC 4760,
RFC 7911 path identifiers), from bytes laid out as in the RFCs."""

from __future__ import annotations

import ipaddress
import struct

import pytest

import bmplib
from bmplib.errors import EncodeError, NLRIDecodeError
from bmplib.nlri.inet import INET_CODEC, InetPrefix, decode_inet_prefixes
from bmplib.nlri.registry import lookup
from bmplib.session import DecodeContext

V4 = (1, 1)
V6 = (2, 1)


def test_ipv4_prefixes_of_every_length_class() -> None:
    data = (
        bytes([0]) + bytes([8, 10]) + bytes([24, 192, 0, 2]) + bytes([25, 198, 51, 100, 128]) + bytes([32, 1, 2, 3, 4])
    )
    got = decode_inet_prefixes(b"xx" + data + b"yy", 2, 2 + len(data), V4)
    assert [str(p) for p in got] == ["0.0.0.0/0", "10.0.0.0/8", "192.0.2.0/24", "198.51.100.128/25", "1.2.3.4/32"]
    assert all(p.family == V4 and p.path_id is None for p in got)
    assert b"".join(p.encode() for p in got) == data


def test_ipv6_prefixes_and_views() -> None:
    data = bytes([32]) + bytes.fromhex("20010db8") + bytes([128]) + bytes(15) + b"\x01" + bytes([0])
    got = decode_inet_prefixes(data, 0, len(data), V6)
    assert [p.prefix for p in got] == ["2001:db8::/32", "::1/128", "::/0"]
    assert got[0].network == ipaddress.ip_network("2001:db8::/32")
    assert (got[0].afi, got[0].safi, got[0].address, got[0].length) == (2, 1, "2001:db8::", 32)
    assert b"".join(p.encode() for p in got) == data


def test_multicast_families_and_registry() -> None:
    data = bytes([24, 232, 1, 1])
    (p,) = decode_inet_prefixes(data, 0, 4, (1, 2))
    assert p.family == (1, 2) and str(p) == "232.1.1.0/24"
    for fam in ((1, 1), (1, 2), (2, 1), (2, 2)):
        assert lookup(*fam) is INET_CODEC[fam]
    assert INET_CODEC[(2, 2)].decode(bytes([8, 0xFF]), 0, 2, False, DecodeContext())[0].prefix == "ff00::/8"


def test_path_identifiers() -> None:
    data = struct.pack("!IB", 1, 24) + bytes([10, 0, 0]) + struct.pack("!IB", 0xFFFFFFFF, 0)
    got = decode_inet_prefixes(data, 0, len(data), V4, path_id=True)
    assert [(str(p), p.path_id) for p in got] == [("10.0.0.0/24", 1), ("0.0.0.0/0", 0xFFFFFFFF)]
    assert b"".join(p.encode() for p in got) == data
    codec = INET_CODEC[V4]
    assert codec.encode(got, True, DecodeContext()) == data


def test_host_bits_are_kept_for_encoding_and_cleared_in_the_text() -> None:
    """Issue 17 item 8: the text is a valid CIDR prefix (host bits cleared),
    the octets re-encode exactly, and host_bits says there were some."""
    (p,) = decode_inet_prefixes(bytes([23, 10, 0, 1]), 0, 4, V4)
    assert str(p) == "10.0.0.0/23" and p.encode() == bytes([23, 10, 0, 1])
    assert p.network == ipaddress.ip_network("10.0.0.0/23") == ipaddress.ip_network(str(p))
    assert p.host_bits and bmplib.to_json(p)["host_bits"] is True
    (q,) = decode_inet_prefixes(bytes([23, 10, 0, 0]), 0, 4, V4)
    assert not q.host_bits and "host_bits" not in bmplib.to_json(q)
    (r,) = decode_inet_prefixes(bytes([65, 0x20, 1, 0xD, 0xB8, 0, 0, 0, 0, 0x7F]), 0, 10, V6)
    assert str(r) == "2001:db8::/65" and r.host_bits and r.encode()[-1] == 0x7F


@pytest.mark.parametrize(
    ("data", "family", "path_id", "offset", "reason"),
    [
        (bytes([24, 10, 0, 0, 33, 1, 2, 3, 4, 5]), V4, False, 4, "prefix length 33 exceeds 32"),
        (bytes([129]) + bytes(17), V6, False, 0, "prefix length 129 exceeds 128"),
        (bytes([24, 10, 0]), V4, False, 0, "runs past"),
        (bytes([8, 10, 16, 10]), V4, False, 2, "runs past"),
        (bytes([0, 0, 0, 1]), V4, True, 0, "needs a 4-octet path identifier"),
        (struct.pack("!IB", 1, 48) + bytes(5), V6, True, 0, "runs past"),
    ],
)
def test_bad_prefixes(data: bytes, family: tuple[int, int], path_id: bool, offset: int, reason: str) -> None:
    with pytest.raises(NLRIDecodeError, match=reason) as e:
        decode_inet_prefixes(b"\0\0\0" + data, 3, 3 + len(data), family, path_id)
    assert e.value.offset == 3 + offset
    assert e.value.data == data[offset:]


def test_from_text_equality_hash_json() -> None:
    a = InetPrefix.from_text("10.0.0.0/24")
    b = InetPrefix((1, 1), 24, bytes([10, 0, 0]))
    assert a == b and hash(a) == hash(b) and len({a, b}) == 1
    assert a != InetPrefix.from_text("10.0.0.0/24", path_id=1)
    assert InetPrefix.from_text("2001:db8::/48", safi=2).family == (2, 2)
    assert a.__json__() == {"family": "ipv4-unicast", "prefix": "10.0.0.0/24", "path_id": None}
    assert repr(InetPrefix.from_text("10.0.0.0/8", 7)) == "InetPrefix(ipv4-unicast 10.0.0.0/8, path_id=7)"
    with pytest.raises(EncodeError):
        InetPrefix.from_text("10.0.0.1/24")
    with pytest.raises(EncodeError):
        InetPrefix((1, 1), 33, bytes(5)).encode()
    with pytest.raises(EncodeError):
        InetPrefix((1, 1), 24, bytes(2)).encode()
    with pytest.raises(EncodeError):
        InetPrefix((1, 1), 8, b"\x0a", 1 << 32).encode()
