"""Real captures through bmplib.pcap: every pcap / pcapng in pcaps/ gives the
same messages as its raw .bmp stream, and the same BMP PDUs as tshark (type,
flow and the capture time of the frame where tshark completed each PDU);
the pmacct public captures (IPv6 transport, no handshake, IPFIX noise) the
same as tshark; frr_large.pcap (16 retransmissions) completely."""

from __future__ import annotations

import collections
import struct
from decimal import Decimal
from pathlib import Path

import pytest

import bmplib
from bmplib.pcap import CapturedItem, CaptureReader, StreamGap, iter_capture
from bmplib.stream import ErrorRecord, SkippedBytes
from tests.bmp import tshark
from tests.conftest import PCAPS, PUBLIC_PCAPS, SHARED_PCAPS, shared_or_skip

CAPTURE_FILES = sorted(p.name for p in PCAPS.glob("*.pcap*"))
PUBLIC = sorted(p.name for p in PUBLIC_PCAPS.glob("*.pcap")) if PUBLIC_PCAPS.exists() else []


def read(path: Path, **opts: object) -> tuple[list[CapturedItem], CaptureReader]:
    with open(path, "rb") as fh:
        reader = CaptureReader(fh, **opts)  # type: ignore[arg-type]
        return list(reader), reader


def bmp_type(item: object) -> int:
    """The BMP message type of a message or of an error record."""
    if isinstance(item, ErrorRecord):
        return int(item.msg_type)
    if isinstance(item, bmplib.UnknownMessage):
        return item.msg_type
    return int(item.type)  # type: ignore[attr-defined]


def comparable(item: object) -> object:
    """Error records carry a stream offset that differs between the raw file
    (all connections concatenated) and the capture (per connection)."""
    if isinstance(item, ErrorRecord):
        return ("error", int(item.msg_type), item.data)
    return item


def flow_key(c: CapturedItem) -> tuple[str, int, str, int]:
    return (c.flow.src, c.flow.src_port, c.flow.dst, c.flow.dst_port)


def epoch_ns(text: str) -> int:
    return int(Decimal(text) * 1_000_000_000)


@pytest.mark.parametrize("name", CAPTURE_FILES)
def test_capture_equals_raw_stream(name: str) -> None:
    stem = name.rsplit(".", 1)[0]
    items, reader = read(PCAPS / name)
    assert not [c for c in items if isinstance(c.item, (SkippedBytes, StreamGap))]
    raw = [comparable(i) for i in bmplib.iter_file(PCAPS / f"{stem}.bmp")]
    assert [comparable(c.item) for c in items] == raw
    assert sum(s.octets for s in reader.streams) == (PCAPS / f"{stem}.bmp").stat().st_size
    assert all(s.gaps == 0 and s.gap_bytes == 0 for s in reader.streams)


@pytest.mark.parametrize("name", CAPTURE_FILES)
def test_capture_matches_tshark_pdu_by_pdu(name: str) -> None:
    stem = name.rsplit(".", 1)[0]
    items, _ = read(PCAPS / name)
    # tshark decoded the .pcap (microseconds); the .pcapng (nanoseconds) was
    # recorded beside it by another capture: the same frames, timestamps
    # within a microsecond except one PDU whose segments came 40 us apart
    pdus = tshark.pdus(tshark.load(PCAPS / f"{stem}.tshark.json.gz"))
    assert [(bmp_type(c.item), flow_key(c)) for c in items] == [(p.type, tshark.flow_of(p)) for p in pdus]
    ours = [c.timestamp_ns for c in items]
    theirs = [epoch_ns(p.layers["frame"]["frame.time_epoch"]) for p in pdus]
    if name.endswith(".pcapng"):
        assert sum(abs(a - b) < 1000 for a, b in zip(ours, theirs)) >= len(ours) - 1
        assert all(abs(a - b) < 100_000 for a, b in zip(ours, theirs))
    else:
        assert ours == theirs


def test_the_same_capture_as_pcap_and_pcapng() -> None:
    a, _ = read(PCAPS / "gobgp_unicast.pcap")
    b, rb = read(PCAPS / "gobgp_unicast.pcapng")
    assert [c.item for c in a] == [c.item for c in b]
    # the pcapng also holds the BGP sessions: not BMP, detected as such
    assert rb.stats.bmp_streams == 1 and rb.stats.other_streams > 0


def test_ports_option_on_real_captures() -> None:
    a, _ = read(PCAPS / "frr_unicast.pcap", ports=[11019])
    b, _ = read(PCAPS / "frr_unicast.pcap")
    assert [c.item for c in a] == [c.item for c in b]
    none, _ = read(PCAPS / "frr_unicast.pcap", ports=[179])
    assert none == []


@pytest.mark.shared
@pytest.mark.parametrize("name", PUBLIC)
def test_public_pmacct_capture_matches_tshark(name: str) -> None:
    path = shared_or_skip(PUBLIC_PCAPS / name)
    stem = name[: -len(".pcap")]
    oracle = next(iter(sorted(PUBLIC_PCAPS.glob(f"{stem}.tshark.json*"))))
    items, reader = read(path)
    pdus = tshark.pdus(tshark.load(oracle))
    msgs = [c for c in items if not isinstance(c.item, (SkippedBytes, StreamGap))]
    assert collections.Counter(bmp_type(c.item) for c in msgs) == collections.Counter(p.type for p in pdus)
    # PDU by PDU: same type, same flow, same frame
    ours = [(bmp_type(c.item), flow_key(c), c.timestamp_ns) for c in msgs]
    theirs = [(p.type, tshark.flow_of(p), epoch_ns(p.layers["frame"]["frame.time_epoch"])) for p in pdus]
    assert sorted(ours) == sorted(theirs)
    assert not [c for c in items if isinstance(c.item, StreamGap)]
    assert reader.stats.malformed == 0


@pytest.mark.shared
def test_pmacct_ipv6_transport_without_handshake() -> None:
    path = shared_or_skip(PUBLIC_PCAPS / "401-IPFIXv10-BMP-IPv6-CISCO-MPLS-multiple-sources__traffic-00.pcap")
    items, reader = read(path)
    (info,) = reader.streams
    assert not info.syn and info.detected_by == "content"
    assert ":" in info.flow.src and info.flow.dst_port == 1790
    assert reader.stats.non_tcp > 500  # the IPFIX (UDP) noise
    assert isinstance(items[0].item, bmplib.Initiation)


def count_by_framing(data: bytes, counts: collections.Counter[int]) -> int:
    """Walk BMP common headers (no decoding); return the octets consumed."""
    pos, n = 0, len(data)
    unpack = struct.Struct("!BIB").unpack_from
    while n - pos >= 6:
        _v, length, t = unpack(data, pos)
        if n - pos < length:
            break
        counts[t] += 1
        pos += length
    return pos


@pytest.mark.slow
@pytest.mark.shared
def test_frr_large_reassembles_completely() -> None:
    """332,439 Route Monitoring messages, none lost or duplicated, through 16
    retransmissions.  The reassembled stream is checked octet for octet
    against the raw .bmp by a framing walk (cheap); full decoding is
    measured in benchmarks/bench_pcap.py."""
    path = shared_or_skip(SHARED_PCAPS / "frr_large.pcap")
    raw = (SHARED_PCAPS / "frr_large.bmp").read_bytes()
    from bmplib.capture.decoder import CaptureDecoder
    from bmplib.capture.link import parse_frame
    from bmplib.capture.reader import iter_packets
    from bmplib.capture.tcp import TCPStream

    streams: dict[tuple[bytes, int, bytes, int], TCPStream] = {}
    got = bytearray()
    with open(path, "rb") as fh:
        for p in iter_packets(fh):
            seg = parse_frame(p.linktype, p.data, p.orig_len)
            assert seg is not None
            if seg.dport != 11019:
                continue
            key = (seg.src, seg.sport, seg.dst, seg.dport)
            st = streams.get(key)
            if seg.flags & 0x02:
                st = streams[key] = TCPStream()
                chunks = st.start_syn(seg.seq, seg.payload)
            elif seg.payload:
                assert st is not None
                chunks = st.add(seg.seq, seg.payload, seg.missing)
            else:
                continue
            for off, data in chunks:
                assert isinstance(data, bytes), "no gap"
                assert off == len(got)
                got += data
    assert len(streams) == 1
    (st,) = streams.values()
    assert st.duplicate_bytes > 0 and st.gap_bytes == 0
    assert bytes(got) == raw
    counts: collections.Counter[int] = collections.Counter()
    assert count_by_framing(bytes(got), counts) == len(raw)
    assert counts[0] == 332_439
    assert counts == {0: 332_439, 1: 9, 2: 3, 3: 1, 4: 1}
    assert CaptureDecoder  # the full pipeline is exercised by the test below


@pytest.mark.slow
@pytest.mark.shared
def test_frr_large_full_pipeline_counts() -> None:
    path = shared_or_skip(SHARED_PCAPS / "frr_large.pcap")
    counts: collections.Counter[object] = collections.Counter()
    offsets = set()
    with open(path, "rb") as fh:
        for c in iter_capture(fh):
            item = c.item
            assert not isinstance(item, (SkippedBytes, StreamGap))
            counts[bmp_type(item)] += 1
            offsets.add(item.offset)
    assert counts[0] == 332_439
    assert sum(counts.values()) == len(offsets) == 332_453  # none duplicated
