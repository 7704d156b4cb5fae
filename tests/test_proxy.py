"""The PROXY protocol header at the start of a BMP stream (bmplib.proxy,
``BMPDecoder(proxy=True)``), on streams that HAProxy 2.6 relayed to a
collector (pcaps/proxy/README.md), checked against tshark's decoding of the
same connections, and on hand-made headers laid out from the protocol text."""

from __future__ import annotations

import gzip
import json
import struct
from typing import Any

import pytest

import bmplib
from bmplib.errors import ProxyDecodeError
from bmplib.proxy import (
    PROXY_V2_SIGNATURE,
    ProxyCommand,
    ProxyFamily,
    ProxyHeader,
    ProxyTLV,
    decode_proxy_header,
)
from tests.conftest import PCAPS

PROXY = PCAPS / "proxy"
#: which capture each HAProxy connection relayed
RELAYED = {"haproxy_v1": "frr_mirror_mvpn", "haproxy_v2": "gobgp_addpath"}


def tshark_proxy() -> list[dict[str, Any]]:
    """tshark's "proxy" layers of haproxy.pcap, in frame order."""
    with gzip.open(PROXY / "haproxy.tshark.json.gz", "rt") as fh:
        frames = json.load(fh)
    return [f["_source"]["layers"]["proxy"] for f in frames if "proxy" in f["_source"]["layers"]]


def decode_stream(data: bytes, chunk: int) -> tuple[bmplib.BMPDecoder, list[Any]]:
    dec = bmplib.BMPDecoder(proxy=True)
    items = []
    for i in range(0, len(data), chunk):
        dec.feed(data[i : i + chunk])
        items.extend(dec)
    dec.close()
    items.extend(dec)
    return dec, items


@pytest.mark.parametrize("name", sorted(RELAYED))
@pytest.mark.parametrize("chunk", [1, 13, 1 << 20])
def test_haproxy_streams(name: str, chunk: int) -> None:
    data = (PROXY / f"{name}.bmp").read_bytes()
    dec, items = decode_stream(data, chunk)
    header = dec.proxy_header
    assert header is not None
    length = len(header.encode())
    assert data[:length] == header.encode()
    plain = list(bmplib.iter_file(PCAPS / f"{RELAYED[name]}.bmp"))
    assert items == plain
    assert [m.offset for m in items] == [m.offset + length for m in plain]
    assert b"".join(m.encode() for m in items) == data[length:]


def test_haproxy_headers_against_tshark() -> None:
    v1, v2 = tshark_proxy()
    h1 = decode_proxy_header((PROXY / "haproxy_v1.bmp").read_bytes())
    h2 = decode_proxy_header((PROXY / "haproxy_v2.bmp").read_bytes())
    assert h1 is not None and h2 is not None
    (a, _), (b, _) = h1, h2
    assert (a.version, a.family, a.source_address, a.destination_address) == (
        1,
        ProxyFamily.INET,
        "127.0.0.7",
        "127.0.0.1",
    )
    assert v1["proxy.v1.proto"] == "TCP4"
    assert (a.source_address, a.destination_address) == (v1["proxy.src.ipv4"], v1["proxy.dst.ipv4"])
    assert (a.source_port, a.destination_port) == (int(v1["proxy.srcport"]), int(v1["proxy.dstport"]))
    assert (b.version, b.command, b.family, b.transport) == (2, ProxyCommand.PROXY, ProxyFamily.INET6, 1)
    assert int(v2["proxy.v2.addr_family_protocol"], 16) == b.family << 4 | b.transport
    assert (b.source_address, b.destination_address) == (v2["proxy.src.ipv6"], v2["proxy.dst.ipv6"])
    assert (b.source_port, b.destination_port) == (int(v2["proxy.srcport"]), int(v2["proxy.dstport"]))
    tlv = v2["proxy.v2.tlv"]
    assert [(t.type, t.value) for t in b.tlvs] == [
        (int(tlv["proxy.v2.tlv.type"], 16), bytes.fromhex(tlv["proxy.v2.tlv.value"].replace(":", "")))
    ]
    assert b.tlvs[0].value == f"bmplab-fd00:b::7-{b.source_port}".encode()  # haproxy.cfg's unique-id-format
    assert len(b.encode()) == 16 + int(v2["proxy.v2.length"])


def v2(cmd: int, fam: int, body: bytes) -> bytes:
    """A version 2 header laid out from the protocol text."""
    return PROXY_V2_SIGNATURE + bytes([0x20 | cmd, fam]) + struct.pack("!H", len(body)) + body


@pytest.mark.parametrize(
    ("raw", "want"),
    [
        (b"PROXY UNKNOWN\r\n", ProxyHeader(1, family=ProxyFamily.UNSPEC)),
        (b"PROXY UNKNOWN ffff::1 ffff::2 1 2\r\n",
         ProxyHeader(1, family=ProxyFamily.UNSPEC, address_data=b" ffff::1 ffff::2 1 2")),
        (b"PROXY TCP6 2001:db8::1 2001:db8::2 65535 0\r\n",
         ProxyHeader(1, ProxyCommand.PROXY, ProxyFamily.INET6, 1, "2001:db8::1", 65535, "2001:db8::2", 0)),
        (v2(0, 0x00, b""), ProxyHeader(2, ProxyCommand.LOCAL, ProxyFamily.UNSPEC, 0)),
        (v2(1, 0x12, bytes([192, 0, 2, 1, 198, 51, 100, 9]) + struct.pack("!HH", 1, 11019)),
         ProxyHeader(2, ProxyCommand.PROXY, ProxyFamily.INET, 2, "192.0.2.1", 1, "198.51.100.9", 11019)),
        (v2(1, 0x31, b"/a".ljust(108, b"\0") + b"/b".ljust(108, b"\0") + b"\x04\x00\x02xx"),
         ProxyHeader(2, ProxyCommand.PROXY, ProxyFamily.UNIX, 1, unix_source=b"/a".ljust(108, b"\0"),
                     unix_destination=b"/b".ljust(108, b"\0"), tlvs=[ProxyTLV(4, b"xx")])),
        (v2(1, 0x51, b"opaque"), ProxyHeader(2, ProxyCommand.PROXY, 5, 1, address_data=b"opaque")),
        (v2(3, 0x00, b"\x01\x02"), ProxyHeader(2, 3, ProxyFamily.UNSPEC, 0, address_data=b"\x01\x02")),
    ],
)  # fmt: skip
def test_hand_made_headers(raw: bytes, want: ProxyHeader) -> None:
    assert decode_proxy_header(raw + b"\x03rest") == (want, len(raw))
    assert want.encode() == raw
    for cut in range(len(raw)):
        assert decode_proxy_header(raw[:cut]) is None  # a prefix: more octets needed


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        (b"\x03\x00\x00\x00\x06\x04", "does not start with a PROXY"),
        (b"PROXY TCP4 1.2.3.4 5.6.7.8 1\r\n", "malformed PROXY line"),
        (b"PROXY TCP4 1.2.3.4 5.6.7.8 1 99999\r\n", "malformed PROXY ports"),
        (b"PROXY TCP4 1.2.3.4 5.6.7.8 +1 2\r\n", "malformed PROXY ports"),
        (b"PROXY TCP5 1.2.3.4 5.6.7.8 1 2\r\n", "malformed PROXY line"),
        (b"PROXY TCP4 1.2.3.4 ::1 1 2\r\n", "malformed PROXY line"),
        (b"PROXY " + b"x" * 120, "no CRLF"),
        (PROXY_V2_SIGNATURE + b"\x11\x11\x00\x00", "PROXY version 1 after"),
        (v2(1, 0x11, b"\x00" * 11), "INET addresses need 12 octets"),
        (v2(1, 0x21, b"\x00" * 35), "INET6 addresses need 36 octets"),
        (v2(1, 0x11, b"\x00" * 12 + b"\x01\x00"), "TLV header truncated"),
        (v2(1, 0x11, b"\x00" * 12 + b"\x01\x00\x05ab"), "runs past"),
    ],
)
def test_malformed(raw: bytes, reason: str) -> None:
    with pytest.raises(ProxyDecodeError, match=reason):
        decode_proxy_header(raw)
    dec = bmplib.BMPDecoder(proxy=True)
    dec.feed(raw)
    dec.feed(b"more")  # ignored once the header failed
    with pytest.raises(bmplib.FramingError, match=reason):
        list(dec)


def test_stream_ends_inside_the_header() -> None:
    dec = bmplib.BMPDecoder(proxy=True)
    dec.feed(b"PROXY TCP4 1.2.3.4")
    assert list(dec) == [] and dec.proxy_header is None
    dec.close()
    with pytest.raises(bmplib.FramingError, match="ends inside its PROXY"):
        list(dec)
    dec = bmplib.BMPDecoder(proxy=True)
    dec.close()
    assert list(dec) == []  # no octets at all: no error


def test_without_the_option_a_proxy_line_is_a_framing_error() -> None:
    dec = bmplib.BMPDecoder()
    dec.feed((PROXY / "haproxy_v1.bmp").read_bytes())
    with pytest.raises(bmplib.FramingError):
        list(dec)


def test_iter_file_option_and_json() -> None:
    items = list(bmplib.iter_file(PROXY / "haproxy_v2.bmp", proxy=True))
    assert items == list(bmplib.iter_file(PCAPS / "gobgp_addpath.bmp"))
    h = decode_proxy_header((PROXY / "haproxy_v2.bmp").read_bytes())
    assert h is not None
    j = bmplib.to_json(h[0])
    assert j["source_address"] == "fd00:b::7" and j["family"] == "inet6" and j["tlvs"][0]["type"] == 5


@pytest.mark.parametrize(
    "bad",
    [
        ProxyHeader(3),
        ProxyHeader(1, family=ProxyFamily.UNIX),
        ProxyHeader(1, source_address="1.2.3.4", destination_address="::1", source_port=1, destination_port=2),
        ProxyHeader(1, source_address="1.2.3.4", destination_address="1.2.3.5", source_port=None, destination_port=2),
        ProxyHeader(1, family=ProxyFamily.UNSPEC, address_data=b"x" * 100),
        ProxyHeader(2, command=16),
        ProxyHeader(2, family=ProxyFamily.UNIX),
        ProxyHeader(2, family=ProxyFamily.INET6, source_address="1.2.3.4"),
        ProxyHeader(2, family=ProxyFamily.UNSPEC, tlvs=[ProxyTLV(256, b"")]),
        ProxyHeader(2, family=ProxyFamily.UNSPEC, tlvs=[ProxyTLV(1, b"x" * 0x10000)]),
    ],
)
def test_encode_checks(bad: ProxyHeader) -> None:
    with pytest.raises(bmplib.EncodeError):
        bad.encode()
