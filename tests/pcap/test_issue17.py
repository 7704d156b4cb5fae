"""Captures (issue 17 items 3, 4 and 6): nothing a capture holds is dropped
without a record -- the first octets of a flow detected mid-stream by
content, retransmitted copies that differ from the octets decoded -- a BMP
version 4 flow says so, and a damaged record cannot make the reader ask for
more than the file holds."""

from __future__ import annotations

import io
from typing import Any

import pytest

from bmplib.capture.decoder import CapturedItem, StreamGap
from bmplib.capture.tcp import TCPStream
from bmplib.errors import CaptureError
from bmplib.pcap import CaptureReader, iter_capture
from bmplib.stream import SkippedBytes
from tests.pcap.synth import (
    ACK,
    FIN,
    Seg,
    bmp_messages,
    capture,
    ethernet,
    ip_packet,
    pcapng_bytes,
    segments,
    stamp,
)

# issue 17 item 4: a raw-IP pcap of one flow without SYN: 4 junk octets, then
# two Initiation messages (6 octets each)
ITEM4 = bytes.fromhex(
    "d4c3b2a1020004000000000000000000000004006500000000000000000000002c0000002c0000004500002c0001000040"
    "0666c90a0000010a0000029c402b0b000003e8000000015018ffff0000000000000000000000000000000034000000340000"
    "004500003400010000400666c10a0000010a0000029c402b0b000003ec000000015018ffff00000000030000000604030000"
    "000604"
)
# issue 17 item 6: snap length 0xffffffff, one record claiming 0xffffff00 octets, 20 octets of data
ITEM6 = bytes.fromhex("d4c3b2a1020004000000000000000000ffffffff010000000100000000000000" + "00ffffff00ffffff") + bytes(
    20
)


def summary(items: list[CapturedItem]) -> list[tuple[Any, int, int]]:
    out = []
    for c in items:
        it = c.item
        size = it.length if isinstance(it, StreamGap) else len(getattr(it, "data", b"")) or len(it.encode())
        out.append((it.type, it.offset, size))
    return out


# -- item 4: a flow found by content keeps its first octets --------------------
@pytest.mark.parametrize("ports", [None, [11019]])
def test_item4_octets_before_the_first_boundary_are_skipped_records(ports: list[int] | None) -> None:
    items = list(iter_capture(io.BytesIO(ITEM4), ports=ports))
    assert summary(items) == [("skipped", 0, 4), (4, 4, 6), (4, 10, 6)]
    skip = items[0].item
    assert isinstance(skip, SkippedBytes) and skip.data == bytes(4)
    assert skip.reason == "the capture starts inside the stream"


def test_item4_a_mid_stream_flow_found_by_content_accounts_for_every_octet() -> None:
    msgs = bmp_messages(count=12)
    data = msgs[0][7:] + b"".join(msgs[1:])  # the capture starts inside the first message
    for size in (1, 5, 40, 1000):
        items = list(iter_capture(io.BytesIO(capture(stamp(segments(data, 1000, size, syn=False))))))
        assert items[0].item.type == "skipped" and items[0].item.offset == 0
        assert sum(s for _, _, s in summary(items)) == len(data), size
        assert [c.item.offset for c in items[1:]] == [len(msgs[0]) - 7 + sum(map(len, msgs[1:i])) for i in range(1, 12)]


# -- item 4: conflicting retransmissions are reported --------------------------
def test_item4_a_retransmission_that_differs_is_a_conflict() -> None:
    st = TCPStream()
    st.start_syn(99)
    assert st.add(100, b"abcdef") == [(0, b"abcdef")]
    assert st.add(100, b"abcdef") == [] and st.conflicts == []  # a true retransmission
    assert st.add(102, b"cX") == [] and st.conflicts == [(2, 2)]  # differs from what was delivered
    assert st.add(104, b"efgh") == [(6, b"gh")] and st.conflicts == [(2, 2)]  # overlap that agrees
    # two copies of a segment ahead of a hole that disagree
    st.add(120, b"0123")
    st.add(120, b"01x3")
    assert st.conflicts[-1] == (20, 4)
    assert st.conflict_bytes == 6


def test_item4_a_connection_reused_with_the_same_isn() -> None:
    """Swisscom's traffic-reproducer "route-monitoring-JUMBO" case: the same
    4-tuple and initial sequence number carry two different BMP sessions.
    With their SYNs, they are two connections, every message of both
    decoded; without the second SYN, the octets that differ from the first
    connection's are a gap record, not silently dropped."""
    first = b"".join(bmp_messages(count=6))
    second = b"".join(bmp_messages("frr_unicast", count=6))
    assert first != second
    segs = [*segments(first, 5000, 300), Seg(5001 + len(first), b"", FIN | ACK)]
    segs += segments(second, 5000, 300)
    items = list(iter_capture(io.BytesIO(capture(stamp(segs)))))
    assert [c.connection for c in items if c.item.type not in ("skipped", "gap")] == [0] * 6 + [1] * 6
    assert not [c for c in items if c.item.type in ("skipped", "gap")]

    # no second SYN: the conflicting copies are reported
    segs = segments(first, 5000, 300) + segments(second, 5001, 300, syn=False)
    items = list(iter_capture(io.BytesIO(capture(stamp(segs)))))
    gaps = [c.item for c in items if isinstance(c.item, StreamGap)]
    assert gaps and all("differ" in g.reason for g in gaps)
    overlap = min(len(first), len(second))
    assert sum(g.length for g in gaps) >= sum(1 for a, b in zip(first, second) if a != b) > 0
    assert sum(g.length for g in gaps) <= overlap
    reader = CaptureReader(io.BytesIO(capture(stamp(segs))))
    list(reader)
    (info,) = reader.streams
    assert info.gaps == len(gaps)


def test_item4_real_retransmissions_are_not_conflicts() -> None:
    msgs = bmp_messages(count=40)
    data = b"".join(msgs)
    segs = segments(data, 7, 500)
    segs = segs[:10] + segs[3:6] + segs[10:] + segs[-4:]  # retransmitted copies
    items = list(iter_capture(io.BytesIO(capture(stamp(segs)))))
    assert [c.item.type for c in items if c.item.type in ("gap", "skipped", "error")] == []
    assert len(items) == 40


# -- item 3: a BMP version 4 flow ------------------------------------------------
def test_item3_a_bmp_v4_flow_is_decoded() -> None:
    """A capture flow of BMP version 4 messages is found and decoded (bmplib.bmp.v4), not skipped."""
    v4_init = b"\x04\x00\x00\x00\x12\x04\x00\x00\x00\x08" + b"ver4 rtr"
    segs = [*segments(v4_init * 20, 1, 100), Seg(2 + 20 * len(v4_init), b"", FIN | ACK)]
    items = list(iter_capture(io.BytesIO(capture(stamp(segs))), ports=[11019]))
    assert len(items) == 20
    assert not any(isinstance(c.item, SkippedBytes) for c in items)
    assert all(c.item.encode() == v4_init for c in items)


# -- item 6: reads are bounded by the file ----------------------------------------
class _Recording(io.BytesIO):
    def __init__(self, data: bytes) -> None:
        super().__init__(data)
        self.asked: list[int] = []

    def read(self, n: int | None = -1) -> bytes:
        self.asked.append(-1 if n is None else n)
        return super().read(n)


def test_item6_a_record_longer_than_the_file() -> None:
    assert len(ITEM6) == 60
    fh = _Recording(ITEM6)
    with pytest.raises(CaptureError, match="truncated pcap file") as info:
        list(CaptureReader(fh))
    assert info.value.offset == 24
    assert max(fh.asked) <= 1 << 20  # never the 4 GiB the record claims


def test_item6_pcapng_blocks_are_read_in_bounded_pieces() -> None:
    segs = segments(b"".join(bmp_messages(count=5)), 1, 700)
    data = pcapng_bytes([(1, 6)], [(0, i, ethernet(ip_packet(s))) for i, s in enumerate(segs)])
    fh = _Recording(data[:-10])  # the last block is cut
    with pytest.raises(CaptureError, match="truncated pcapng"):
        list(CaptureReader(fh))
    assert max(fh.asked) <= 1 << 20
