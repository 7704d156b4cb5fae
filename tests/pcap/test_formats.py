"""Capture file formats and link layers: pcap in both byte orders with micro
and nano seconds, pcapng with several interfaces and link types, every
supported link type (VLAN / QinQ tags, Linux SLL / SLL2, raw IP, BSD
loopback), IPv6 extension headers, and damaged / truncated files."""

from __future__ import annotations

import io
import struct

import pytest

import bmplib
from bmplib.capture.link import parse_frame
from bmplib.capture.reader import iter_packets
from bmplib.errors import CaptureError
from bmplib.pcap import iter_capture
from bmplib.stream import SkippedBytes
from tests.pcap.synth import (
    LINKTYPES,
    Seg,
    bmp_messages,
    capture,
    ethernet,
    frame_linktype,
    ip_packet,
    pcap_bytes,
    pcapng_bytes,
    segments,
    stamp,
)

MSGS = bmp_messages("frr_vpn_evpn", 40)
STREAM = b"".join(MSGS)


def expected() -> list[object]:
    dec = bmplib.BMPDecoder()
    dec.feed(STREAM)
    return list(dec)


EXPECTED = expected()


def decode(data: bytes) -> list[object]:
    return [c.item for c in iter_capture(io.BytesIO(data))]


@pytest.mark.parametrize("kind", sorted(LINKTYPES))
@pytest.mark.parametrize("ipv6", [False, True])
def test_each_link_type(kind: str, ipv6: bool) -> None:
    addrs = {"src": "2001:db8::a", "dst": "2001:db8::b"} if ipv6 else {}
    segs = stamp(segments(STREAM, 3_000_000_000, [1400, 200], **addrs))  # type: ignore[arg-type]
    data = capture(segs, kind)
    (first,) = [p for p in iter_packets(io.BytesIO(data))][:1]
    assert first.linktype == frame_linktype(kind, ip_packet(segs[0]))
    assert decode(data) == EXPECTED


def test_ipv6_extension_headers() -> None:
    # hop-by-hop (0) -> destination options (60) -> routing (43) -> atomic fragment (44) -> TCP
    hbh = bytes([60, 0]) + bytes(6)
    dst = bytes([43, 1]) + bytes(14)
    rth = bytes([44, 0, 0, 0]) + bytes(4)
    frag = bytes([6, 0, 0, 0]) + b"\x00\x00\x00\x01"
    ext = hbh + dst + rth + frag
    segs = stamp(segments(STREAM, 1, 1000, src="2001:db8::1", dst="2001:db8::2"))
    frames = [(s.ts_ns, ethernet(ip_packet(s, ipv6_ext=ext, ipv6_first=0))) for s in segs]
    assert decode(pcap_bytes(frames)) == EXPECTED
    seg = parse_frame(1, frames[1][1])
    assert seg is not None and seg.payload == segs[1].payload


def test_ipv6_real_fragments_are_not_segments() -> None:
    s = Seg(1, b"x" * 100, src="2001:db8::1", dst="2001:db8::2")
    frag = bytes([6, 0]) + struct.pack("!H", 0x0001) + b"\x00\x00\x00\x07"  # more fragments follow
    assert parse_frame(1, ethernet(ip_packet(s, ipv6_ext=frag, ipv6_first=44))) is None


def test_ipv4_options_and_ethernet_padding() -> None:
    # a short segment padded to the Ethernet minimum, with 8 octets of IP options
    s = Seg(1, b"\x03", src="10.0.0.1", dst="10.0.0.2")
    frame = ethernet(ip_packet(s, ipv4_options=b"\x01" * 8), pad_to=80)
    seg = parse_frame(1, frame)
    assert seg is not None and seg.payload == b"\x03" and seg.missing == 0


def test_malformed_frames_are_counted() -> None:
    s = Seg(1, b"abc")
    good = ethernet(ip_packet(s))
    frames = [(1, good[:30]), (2, good)]  # an IPv4 header cut short
    reader = bmplib.pcap.CaptureReader(io.BytesIO(pcap_bytes(frames)))
    assert list(reader) == []
    assert reader.stats.malformed == 1 and reader.stats.tcp_segments == 1


@pytest.mark.parametrize("big_endian", [False, True])
@pytest.mark.parametrize("nano", [False, True])
def test_pcap_byte_orders_and_resolutions(big_endian: bool, nano: bool) -> None:
    segs = stamp(segments(STREAM, 1, 1000), start_ns=1_700_000_000_123_456_789, step_ns=1_001)
    data = capture(segs, big_endian=big_endian, nano=nano)
    assert (
        data[:4]
        == {
            (False, False): b"\xd4\xc3\xb2\xa1",
            (False, True): b"\x4d\x3c\xb2\xa1",
            (True, False): b"\xa1\xb2\xc3\xd4",
            (True, True): b"\xa1\xb2\x3c\x4d",
        }[(big_endian, nano)]
    )
    packets = list(iter_packets(io.BytesIO(data)))
    want = [s.ts_ns if nano else s.ts_ns // 1000 * 1000 for s in segs]
    assert [p.timestamp_ns for p in packets] == want
    items = list(iter_capture(io.BytesIO(data)))
    assert [c.item for c in items] == EXPECTED
    assert bmplib.files.detect_format(data[:4]) == "pcap"


@pytest.mark.parametrize("big_endian", [False, True])
def test_pcapng_several_interfaces_and_link_types(big_endian: bool) -> None:
    other_msgs = bmp_messages("gobgp_vpn_evpn", 30)
    other = b"".join(other_msgs)
    a = stamp(segments(STREAM, 1, 900))
    b = stamp(segments(other, 5, 700, src="2001:db8::1", dst="2001:db8::2", sport=33333, dport=1790))
    # interface 0: Ethernet, microseconds; interface 1: Linux SLL2, nanoseconds;
    # interface 2: raw IP, 2^-10 s
    interfaces = [(1, 6), (276, 9), (101, 0x80 | 10)]
    from tests.pcap.synth import sll2

    packets = []
    for i in range(max(len(a), len(b))):
        if i < len(a):
            packets.append((0, a[i].ts_ns // 1000, ethernet(ip_packet(a[i]))))
        if i < len(b):
            packets.append((1, b[i].ts_ns, sll2(ip_packet(b[i]))))
    packets.append((2, 1024 * 1_700_000_000 + 512, ip_packet(Seg(1, b"not bmp", dport=80))))
    data = pcapng_bytes(interfaces, packets, big_endian=big_endian)
    pk = list(iter_packets(io.BytesIO(data)))
    assert [p.linktype for p in pk[:2]] == [1, 276]
    assert pk[-1].linktype == 101 and pk[-1].timestamp_ns == 1_700_000_000_500_000_000
    assert pk[1].timestamp_ns == b[0].ts_ns
    items = list(iter_capture(io.BytesIO(data)))
    by_flow: dict[int, list[object]] = {}
    for c in items:
        by_flow.setdefault(c.flow.dst_port, []).append(c.item)
    dec = bmplib.BMPDecoder()
    dec.feed(other)
    assert by_flow == {11019: EXPECTED, 1790: list(dec)}


def test_pcapng_two_sections() -> None:
    segs = stamp(segments(STREAM, 1, 1000))
    half = len(segs) // 2
    one = pcapng_bytes([(1, 6)], [(0, s.ts_ns // 1000, ethernet(ip_packet(s))) for s in segs[:half]])
    two = pcapng_bytes([(101, 9)], [(0, s.ts_ns, ip_packet(s)) for s in segs[half:]], big_endian=True)
    assert decode(one + two) == EXPECTED


# -- damage -------------------------------------------------------------------
def good_pcap() -> bytes:
    return capture(stamp(segments(STREAM, 1, 1000)))


def test_truncated_pcap_raises_after_what_came_before() -> None:
    data = good_pcap()[:-10]
    got: list[object] = []
    with pytest.raises(CaptureError, match="truncated pcap file"):
        for c in iter_capture(io.BytesIO(data)):
            got.append(c.item)
    assert got and got == EXPECTED[: len(got)]


def test_truncated_record_header() -> None:
    data = good_pcap() + b"\x00" * 7
    with pytest.raises(CaptureError, match="record header"):
        list(iter_capture(io.BytesIO(data)))


def test_damaged_pcap_record() -> None:
    data = bytearray(good_pcap())
    # the third record: make its captured length absurd
    pos = 24
    for _ in range(2):
        pos += 16 + struct.unpack_from("<I", data, pos + 8)[0]
    struct.pack_into("<I", data, pos + 8, 0x7FFFFFFF)
    with pytest.raises(CaptureError, match=f"damaged pcap file: packet record at file offset {pos}"):
        list(iter_capture(io.BytesIO(bytes(data))))


def test_truncated_pcap_file_header() -> None:
    with pytest.raises(CaptureError, match="truncated pcap file header"):
        list(iter_packets(io.BytesIO(good_pcap()[:10])))


def test_damaged_and_truncated_pcapng() -> None:
    segs = stamp(segments(STREAM, 1, 1000))
    data = pcapng_bytes([(1, 6)], [(0, s.ts_ns // 1000, ethernet(ip_packet(s))) for s in segs])
    with pytest.raises(CaptureError, match="truncated pcapng file"):
        list(iter_packets(io.BytesIO(data[:-5])))
    bad = bytearray(data)
    shb_len = struct.unpack_from("<I", bad, 4)[0]
    idb_len = struct.unpack_from("<I", bad, shb_len + 4)[0]
    struct.pack_into("<I", bad, shb_len + idb_len + 4, 13)  # first packet block: impossible length
    with pytest.raises(CaptureError, match="damaged pcapng file"):
        list(iter_packets(io.BytesIO(bytes(bad))))
    with pytest.raises(CaptureError, match="interface"):
        list(iter_packets(io.BytesIO(pcapng_bytes([], [(0, 1, b"x" * 60)]))))


def test_not_a_capture() -> None:
    with pytest.raises(CaptureError, match="not a pcap or pcapng"):
        list(iter_packets(io.BytesIO(b"hello world")))


def test_iter_file_tells_formats_by_magic(tmp_path: object) -> None:
    from pathlib import Path

    base = Path(str(tmp_path))
    (base / "capture.bmp").write_bytes(good_pcap())  # a pcap, whatever its name
    (base / "stream.pcap").write_bytes(STREAM)  # a raw stream, whatever its name
    caps = list(bmplib.iter_file(base / "capture.bmp"))
    assert [c.item for c in caps] == EXPECTED  # type: ignore[union-attr]
    assert list(bmplib.iter_file(base / "stream.pcap", ports=[1])) == EXPECTED


def test_capture_ending_inside_a_message() -> None:
    segs = stamp(segments(STREAM[:-10], 1, 1000))
    items = decode(capture(segs))
    assert items[:-1] == EXPECTED[:-1]
    assert isinstance(items[-1], SkippedBytes) and items[-1].reason == "the capture ends inside a message"
