"""TCP reassembly and BMP flow handling on synthetic captures built with dpkt:
reordering, duplication, overlap, gaps, wrap-around, interleaved sessions,
reconnection, mid-stream starts, port selection and content detection."""

from __future__ import annotations

import io
import random

import pytest

import bmplib
from bmplib.capture.tcp import TCPStream
from bmplib.pcap import CapturedItem, CaptureReader, StreamGap, iter_capture
from bmplib.stream import ErrorRecord, SkippedBytes
from tests.pcap.synth import ACK, FIN, PSH, RST, SYN, Seg, bmp_messages, capture, segments, stamp

MSGS = bmp_messages("gobgp_vpn_evpn")
STREAM = b"".join(MSGS)


def decode_raw(data: bytes) -> list[object]:
    dec = bmplib.BMPDecoder()
    dec.feed(data)
    dec.close()
    return list(dec)


EXPECTED = decode_raw(STREAM)


def run(segs: list[Seg], **opts: object) -> list[CapturedItem]:
    return list(iter_capture(io.BytesIO(capture(stamp(segs))), **opts))  # type: ignore[arg-type]


def messages(items: list[CapturedItem]) -> list[object]:
    return [c.item for c in items if not isinstance(c.item, (SkippedBytes, StreamGap))]


def starts(msgs: list[bytes]) -> list[int]:
    out, pos = [], 0
    for m in msgs:
        out.append(pos)
        pos += len(m)
    return out


# -- TCPStream alone ---------------------------------------------------------
def test_stream_in_order_reorder_duplicates_and_overlaps() -> None:
    data = bytes(range(256)) * 40
    rng = random.Random(7)
    cuts = sorted(rng.sample(range(1, len(data)), 60))
    pieces = [(a, data[a:b]) for a, b in zip([0, *cuts], [*cuts, len(data)])]
    # overlapping copies and exact duplicates, shuffled within a window
    extra = [(a, data[a : a + 300]) for a in rng.sample(range(len(data) - 300), 30)]
    order = pieces + extra + pieces[:5]
    rng.shuffle(order)
    isn = 0xFFFFF000  # wraps during the stream
    st = TCPStream()
    out = st.start_syn(isn)
    for off, payload in order:
        out += st.add((isn + 1 + off) & 0xFFFFFFFF, payload)
    out += st.flush()
    assert all(isinstance(d, bytes) for _, d in out)
    assert b"".join(d for _, d in out if isinstance(d, bytes)) == data
    assert [o for o, _ in out] == starts([d for _, d in out if isinstance(d, bytes)])
    assert st.gap_bytes == 0
    assert st.duplicate_bytes > 0


def test_stream_gap_reported_when_the_window_overflows() -> None:
    st = TCPStream(max_out_of_order=5000)
    st.start_syn(100)
    assert st.add(101, b"a" * 1000) == [(0, b"a" * 1000)]
    # 1000 octets lost, then segments keep coming
    out = []
    for i in range(2, 12):
        out += st.add(101 + i * 1000, bytes([i]) * 1000)
        assert st.buffered <= 5000
    assert (1000, 1000) in out
    data = [(o, d) for o, d in out if isinstance(d, bytes)]
    assert data[0][0] == 2000
    assert st.gap_bytes == 1000
    # the lost segment arrives late: it is a retransmission of a reported gap
    assert st.add(1101, b"x" * 1000) == []


def test_stream_flush_reports_trailing_holes() -> None:
    st = TCPStream()
    st.start_syn(0)
    st.add(1, b"abc")
    assert st.add(10, b"xyz") == []
    assert st.flush() == [(3, 6), (9, b"xyz")]


def test_syn_data_positions() -> None:
    # RFC 9293: SYN data starts at ISN + 1
    st = TCPStream()
    assert st.start_syn(1000, b"hello") == [(0, b"hello")]
    assert st.add(1006, b"world") == [(5, b"world")]
    # replayed captures (pmacct): SYN data at ISN, next segment at ISN + len
    st = TCPStream()
    st.start_syn(1, b"hello")
    assert st.add(6, b"world") == [(5, b"world")]


# -- whole captures ------------------------------------------------------------
def test_in_order_equals_raw_stream() -> None:
    items = run(segments(STREAM, 12345, [1000, 37, 2900]))
    assert messages(items) == EXPECTED
    assert [c.item.offset for c in items] == starts(MSGS)  # type: ignore[union-attr]
    assert {c.flow for c in items} == {bmplib.pcap.Flow("192.0.2.1", 40000, "192.0.2.2", 11019)}


def test_reordering() -> None:
    segs = segments(STREAM, 777, [500, 1300])
    rng = random.Random(1)
    body = segs[1:]
    for i in range(0, len(body) - 4, 4):  # shuffle within windows of 4
        window = body[i : i + 4]
        rng.shuffle(window)
        body[i : i + 4] = window
    items = run([segs[0], *body])
    assert messages(items) == EXPECTED
    assert not [c for c in items if isinstance(c.item, (SkippedBytes, StreamGap))]


def test_duplication_and_retransmission() -> None:
    segs = segments(STREAM, 5, 700)
    doubled = [s for seg in segs for s in (seg, Seg(seg.seq, seg.payload, seg.flags))]
    doubled += segs[3:9]  # a late retransmission of a whole range
    reader = CaptureReader(io.BytesIO(capture(stamp(doubled))))
    items = list(reader)
    assert messages(items) == EXPECTED
    (info,) = reader.streams
    assert info.duplicate_bytes == len(STREAM) + sum(len(s.payload) for s in segs[3:9])


def test_overlapping_segments() -> None:
    isn = 4242
    segs = [Seg(isn, b"", SYN)]
    pos = 0
    while pos < len(STREAM):
        # each segment repeats the last 100 octets of the previous one
        start = max(pos - 100, 0)
        segs.append(Seg(isn + 1 + start, STREAM[start : pos + 900]))
        pos += 900
    assert messages(run(segs)) == EXPECTED


def test_sequence_wrap_around() -> None:
    isn = 0xFFFFFFFF - 3000  # wraps after ~3 kB
    items = run(segments(STREAM, isn, 1000))
    assert messages(items) == EXPECTED
    assert items[-1].item.offset == starts(MSGS)[-1]  # type: ignore[union-attr]


def test_gap_resynchronises_and_is_reported() -> None:
    segs = segments(STREAM, 99, 1000)
    lost = segs.pop(6)  # octets 5000..5999
    items = run(segs)
    gaps = [c.item for c in items if isinstance(c.item, StreamGap)]
    assert gaps == [StreamGap(5000, 1000)]
    # every message entirely outside the hole decodes, nothing else does
    offs = starts(MSGS)
    survivors = [m for m, o, raw in zip(EXPECTED, offs, MSGS) if o + len(raw) <= 5000 or o >= 6000]
    lost_msgs = [o for o, raw in zip(offs, MSGS) if not (o + len(raw) <= 5000 or o >= 6000)]
    assert lost_msgs, "the hole must cut at least one message"
    got = messages(items)
    assert got == survivors
    # the message offsets are stream offsets, the same as in the raw stream
    assert [c.item.offset for c in items if not isinstance(c.item, (SkippedBytes, StreamGap))] == [
        o for o, raw in zip(offs, MSGS) if o + len(raw) <= 5000 or o >= 6000
    ]
    # every octet that was captured is accounted for: messages, skips
    skipped = [c.item for c in items if isinstance(c.item, SkippedBytes)]
    covered = sum(len(raw) for o, raw in zip(offs, MSGS) if o + len(raw) <= 5000 or o >= 6000)
    assert covered + sum(len(s.data) for s in skipped) == len(STREAM) - len(lost.payload)
    assert all(s.reason for s in skipped)
    # order: the cut message, the gap, then the skip to the next boundary
    kinds = [type(c.item).__name__ for c in items if isinstance(c.item, (SkippedBytes, StreamGap))]
    assert kinds[:2] == ["SkippedBytes", "StreamGap"]


def test_two_interleaved_sessions_and_a_reconnection() -> None:
    other_msgs = bmp_messages("frr_vpn_evpn")
    other = b"".join(other_msgs)
    a = segments(STREAM, 1000, 800)
    b = segments(other, 2_000_000, 650, src="2001:db8::1", dst="2001:db8::2", sport=50000, dport=1790)
    mixed: list[Seg] = []
    for i in range(max(len(a), len(b))):
        mixed += a[i : i + 1] + b[i : i + 1]
    # the first router closes and reconnects on the same 4-tuple
    end = (1000 + 1 + len(STREAM)) & 0xFFFFFFFF
    mixed.append(Seg(end, b"", FIN | ACK))
    again = segments(STREAM[: sum(len(m) for m in MSGS[:10])], 7_000_000, 1200)
    items = run(mixed + again)
    by_conn: dict[tuple[str, int], list[object]] = {}
    for c in items:
        by_conn.setdefault((str(c.flow), c.connection), []).append(c.item)
    assert by_conn == {
        ("192.0.2.1:40000 -> 192.0.2.2:11019", 0): EXPECTED,
        ("[2001:db8::1]:50000 -> [2001:db8::2]:1790", 0): decode_raw(other),
        ("192.0.2.1:40000 -> 192.0.2.2:11019", 1): EXPECTED[:10],
    }


def test_reconnection_without_fin_flushes_the_cut_message() -> None:
    first = segments(STREAM[:5000], 10, 1000)
    items = run(first + segments(STREAM, 5_000_000, 1000))
    conn0 = [c.item for c in items if c.connection == 0]
    assert isinstance(conn0[-1], SkippedBytes) and conn0[-1].reason == "the capture ends inside a message"
    assert [c.item for c in items if c.connection == 1] == EXPECTED


def test_retransmission_after_fin_is_dropped() -> None:
    segs = segments(STREAM, 10, 1000)
    end = (10 + 1 + len(STREAM)) & 0xFFFFFFFF
    segs += [Seg(end, b"", FIN | ACK), segs[5], Seg(end, b"", FIN | ACK)]
    assert messages(run(segs)) == EXPECTED


def test_rst_ends_the_connection() -> None:
    segs = segments(STREAM[:3000], 10, 1000)
    segs.append(Seg((10 + 1 + 3000) & 0xFFFFFFFF, b"", RST))
    items = run(segs)
    assert isinstance(items[-1].item, SkippedBytes)


def test_mid_stream_start_without_syn() -> None:
    # the capture starts 1234 octets into the stream, inside a message
    data = STREAM[1234:]
    items = run(segments(data, 555_555, 1000, syn=False))
    first = items[0].item
    assert isinstance(first, SkippedBytes) and first.reason == "the capture starts inside the stream"
    offs = starts(MSGS)
    nxt = next(o for o in offs if o >= 1234)
    assert first.offset == 0 and len(first.data) == nxt - 1234
    assert messages(items) == EXPECTED[offs.index(nxt) :]


def test_syn_with_data_as_in_replayed_captures() -> None:
    # pmacct's captures: the first message rides on the SYN, whose data does
    # not take a sequence number of its own
    segs = [Seg(1, MSGS[0], SYN | PSH)]
    pos = len(MSGS[0])
    for m in MSGS[1:]:
        segs.append(Seg(1 + pos, m))
        pos += len(m)
    assert messages(run(segs)) == EXPECTED


def test_out_of_order_window_is_a_bound() -> None:
    segs = segments(STREAM, 1, 500)
    lost = segs.pop(3)
    reader = CaptureReader(io.BytesIO(capture(stamp(segs))), max_out_of_order=4000)
    seen_max = 0
    items = []
    for c in reader:
        items.append(c)
        for d in reader.decoder._dirs.values():
            seen_max = max(seen_max, d.stream.buffered)
    assert seen_max <= 4000
    assert [c.item for c in items if isinstance(c.item, StreamGap)] == [StreamGap(1000, len(lost.payload))]


def test_capture_time_is_the_segment_that_completed_the_message() -> None:
    first = MSGS[0] + MSGS[1]
    segs = [Seg(0, b"", SYN), Seg(1, first[:10]), Seg(11, first[10 : len(MSGS[0]) + 5]), Seg(0, b"", ACK)]
    segs.append(Seg(1 + len(MSGS[0]) + 5, first[len(MSGS[0]) + 5 :]))
    stamp(segs, start_ns=1_600_000_000_123_456_789, step_ns=1_000_000)
    items = list(iter_capture(io.BytesIO(capture(segs, nano=True))))
    assert [c.timestamp_ns for c in items] == [segs[2].ts_ns, segs[4].ts_ns]
    assert items[0].timestamp == pytest.approx(1_600_000_000.125456789)


def test_ports_select_flows() -> None:
    segs = segments(STREAM, 1, 1000)
    assert messages(run(segs, ports=[11019])) == EXPECTED
    assert run(segs, ports=[1790]) == []


def test_port_given_flow_decodes_mid_stream() -> None:
    items = run(segments(STREAM, 1, 1000, syn=False, dport=5000), ports=[5000])
    assert messages(items) == EXPECTED


def test_content_detection_rejects_other_tcp() -> None:
    bgp = (b"\xff" * 16 + b"\x00\x13\x04") * 200  # BGP KEEPALIVEs
    http = b"GET / HTTP/1.1\r\nHost: x\r\n\r\n" * 100
    segs = segments(bgp, 1, 500, sport=179, dport=40000) + segments(http, 9, 500, syn=False, dport=80)
    reader = CaptureReader(io.BytesIO(capture(stamp(segs))))
    assert list(reader) == []
    assert reader.stats.bmp_streams == 0 and reader.stats.other_streams == 2


def test_snaplen_cut_segments_become_gaps() -> None:
    from tests.pcap.synth import ethernet, ip_packet, pcap_bytes

    segs = stamp(segments(STREAM, 1, 1000))
    frames = [(s.ts_ns, ethernet(ip_packet(s))) for s in segs]
    cut = 4
    ts, full = frames[cut]
    frames[cut] = (ts, full[:-300])  # the last 300 octets of that segment were not captured
    data = pcap_bytes(frames, orig_lens={cut: len(full)})
    items = list(iter_capture(io.BytesIO(data)))
    assert [c.item for c in items if isinstance(c.item, StreamGap)] == [StreamGap(3700, 300)]


def test_error_record_inside_a_capture_keeps_going() -> None:
    bad = bytearray(MSGS[5])
    bad[6] = 0  # peer type stays plausible; break the body instead
    bad[-1:] = b""  # shorten the body by one octet ...
    bad[1:5] = len(bad).to_bytes(4, "big")  # ... and the length with it
    data = b"".join(MSGS[:5]) + bytes(bad) + b"".join(MSGS[6:])
    items = run(segments(data, 1, 1000))
    errors = [c.item for c in items if isinstance(c.item, ErrorRecord)]
    assert len(errors) == 1 and errors[0].data == bytes(bad)
    assert len(messages(items)) == len(MSGS)
