"""TCP reassembly of one direction of one connection (RFC 9293 sequence
space), sans-IO.

Segments go in as they were captured; the octets come out in sequence
order, each exactly once, with their *stream offset* (octets since the first
data octet of the connection, or since the first captured octet when the
capture started mid-stream).  Sequence numbers are compared modulo 2**32, so
a stream may wrap around; the offsets are plain integers and never wrap.

* a retransmission or duplicate (all its octets already delivered) is dropped;
* an overlap delivers only the new octets (the first copy of an octet wins);
* a retransmitted copy whose octets differ from the first copy (a connection
  reused with the same initial sequence number, a broken middlebox) is a
  *conflict*: the first copy is kept, and the span of the later copy is
  recorded in :attr:`TCPStream.conflicts` for the caller to report (the
  octets delivered in the last ``check_window`` octets of the stream are kept
  to compare against; older ones cannot be checked);
* a segment ahead of the next expected octet waits in an out-of-order buffer
  of at most ``max_out_of_order`` octets;
* when that buffer overflows, or the connection ends with octets still
  missing, the missing octets are reported as a gap and delivery resumes
  after them (a gap is never filled by guessing).

:meth:`TCPStream.add` returns a list of *chunks*: ``(offset, bytes)`` for
data and ``(offset, int)`` for a gap of that many octets.
"""

from __future__ import annotations

import heapq
from collections import deque
from typing import Union

__all__ = ["Chunk", "DEFAULT_CHECK_WINDOW", "DEFAULT_MAX_OUT_OF_ORDER", "TCPStream"]

#: The default bound of the out-of-order buffer, per direction.
DEFAULT_MAX_OUT_OF_ORDER = 8 << 20
#: How many of the last delivered octets are kept to check retransmissions against.
DEFAULT_CHECK_WINDOW = 1 << 20

_MASK = 0xFFFFFFFF
_HALF = 1 << 31
_WRAP = 1 << 32

#: ``(offset, data)`` or ``(offset, gap_length)``
Chunk = tuple[int, Union[bytes, int]]


class TCPStream:
    """One direction of one TCP connection.

    :ivar pos: stream offset of the next octet to deliver.
    :ivar nxt: sequence number of that octet (``None`` before any segment).
    :ivar syn: a SYN was seen (the stream starts at its beginning).
    :ivar duplicate_bytes: octets dropped as retransmissions / overlaps.
    :ivar out_of_order: segments that arrived ahead of a hole.
    :ivar gap_bytes: octets reported missing.
    :ivar conflicts: ``(offset, length)`` of each retransmitted copy whose
        octets differ from those delivered (the caller takes them out).
    :ivar conflict_bytes: octets of those copies.
    """

    __slots__ = (
        "_heap",
        "_kept",
        "_kept_bytes",
        "_ooo",
        "_syn_data",
        "check_window",
        "conflict_bytes",
        "conflicts",
        "duplicate_bytes",
        "gap_bytes",
        "max_out_of_order",
        "nxt",
        "ooo_bytes",
        "out_of_order",
        "pos",
        "syn",
    )

    def __init__(
        self, max_out_of_order: int = DEFAULT_MAX_OUT_OF_ORDER, check_window: int = DEFAULT_CHECK_WINDOW
    ) -> None:
        self.max_out_of_order = max_out_of_order
        self.check_window = check_window
        #: the last delivered chunks, (offset, octets), at most check_window octets
        self._kept: deque[tuple[int, bytes]] = deque()
        self._kept_bytes = 0
        self.conflicts: list[tuple[int, int]] = []
        self.conflict_bytes = 0
        self.nxt: int | None = None
        self.pos = 0
        self.syn = False
        self._syn_data = False
        self._ooo: dict[int, bytes] = {}
        self._heap: list[int] = []
        self.ooo_bytes = 0
        self.duplicate_bytes = 0
        self.out_of_order = 0
        self.gap_bytes = 0

    @property
    def started(self) -> bool:
        return self.nxt is not None

    @property
    def buffered(self) -> int:
        """Octets waiting in the out-of-order buffer."""
        return self.ooo_bytes

    def start_syn(self, seq: int, payload: bytes = b"") -> list[Chunk]:
        """A SYN with initial sequence number *seq* (and perhaps data)."""
        self.syn = True
        self.nxt = (seq + 1) & _MASK
        if not payload:
            return []
        # data on a SYN starts at ISN + 1 (RFC 9293); captures replayed by
        # some tools put it at ISN and go on from ISN + len: the next
        # segment tells (see add)
        self._syn_data = True
        return self._deliver(payload, [], 0)

    def add(self, seq: int, payload: bytes, missing: int = 0) -> list[Chunk]:
        """A segment with data.  *missing* octets of it were not captured."""
        nxt = self.nxt
        if nxt is None:  # no SYN: the stream starts at the first captured octet
            self.nxt = nxt = seq
        d = (seq - nxt) & _MASK
        if d and self._syn_data and d == _MASK:
            # the SYN's data did not take a sequence number of its own
            self.nxt = nxt = seq
            d = 0
        self._syn_data = False
        if d == 0:
            return self._deliver(payload, [], missing)
        if d >= _HALF:  # starts before the next expected octet
            back = _WRAP - d
            n = len(payload)
            self._check(self.pos - back, payload[:back])
            if back >= n:
                self.duplicate_bytes += n
                return []
            self.duplicate_bytes += back
            return self._deliver(payload[back:], [], missing)
        # ahead of a hole: keep it for later
        off = self.pos + d  # (an uncaptured tail of it shows as a hole later)
        old = self._ooo.get(off)
        if old is None:
            heapq.heappush(self._heap, off)
            self._ooo[off] = payload
            self.ooo_bytes += len(payload)
        else:
            common = min(len(old), len(payload))
            if old[:common] != payload[:common]:
                self._conflict(off, common)
            if len(payload) > len(old):
                self._ooo[off] = old + payload[common:]
                self.ooo_bytes += len(payload) - len(old)
                self.duplicate_bytes += len(old)
            else:
                self.duplicate_bytes += len(payload)
        self.out_of_order += 1
        out: list[Chunk] = []
        while self.ooo_bytes > self.max_out_of_order:
            self._skip_hole(out)
        return out

    def flush(self) -> list[Chunk]:
        """The connection ended: deliver what waits behind holes, reporting
        the holes as gaps."""
        out: list[Chunk] = []
        while self._heap:
            self._skip_hole(out)
        return out

    # -- internals --------------------------------------------------------
    def _keep(self, off: int, data: bytes) -> None:
        """Remember delivered octets (the last check_window of them)."""
        kept = self._kept
        kept.append((off, data))
        self._kept_bytes += len(data)
        while kept and self._kept_bytes - len(kept[0][1]) >= self.check_window:
            self._kept_bytes -= len(kept.popleft()[1])

    def _check(self, off: int, data: bytes) -> None:
        """A copy of delivered octets at stream offset *off*: record a
        conflict when it differs from the octets delivered there."""
        end = off + len(data)
        for koff, kdata in reversed(self._kept):
            kend = koff + len(kdata)
            if kend <= off:
                break
            lo, hi = max(off, koff), min(end, kend)
            if lo < hi and data[lo - off : hi - off] != kdata[lo - koff : hi - koff]:
                self._conflict(off, len(data))
                return

    def _conflict(self, off: int, length: int) -> None:
        self.conflicts.append((off, length))
        self.conflict_bytes += length

    def _deliver(self, payload: bytes, out: list[Chunk], missing: int) -> list[Chunk]:
        n = len(payload)
        if n:
            self._keep(self.pos, payload)
            out.append((self.pos, payload))
            self.pos += n
            self.nxt = ((self.nxt or 0) + n) & _MASK
        if missing:
            out.append((self.pos, missing))
            self.gap_bytes += missing
            self.pos += missing
            self.nxt = ((self.nxt or 0) + missing) & _MASK
        if self._heap:
            self._drain(out)
        return out

    def _drain(self, out: list[Chunk]) -> None:
        heap = self._heap
        ooo = self._ooo
        while heap and heap[0] <= self.pos:
            off = heapq.heappop(heap)
            data = ooo.pop(off)
            self.ooo_bytes -= len(data)
            end = off + len(data)
            pos = self.pos
            if end <= pos:
                self.duplicate_bytes += len(data)
                self._check(off, data)
                continue
            if off < pos:
                self.duplicate_bytes += pos - off
                self._check(off, data[: pos - off])
                data = data[pos - off :]
            self._keep(pos, data)
            out.append((pos, data))
            self.pos = end
            self.nxt = ((self.nxt or 0) + len(data)) & _MASK

    def _skip_hole(self, out: list[Chunk]) -> None:
        first = self._heap[0]
        if first > self.pos:
            gap = first - self.pos
            out.append((self.pos, gap))
            self.gap_bytes += gap
            self.pos = first
            self.nxt = ((self.nxt or 0) + gap) & _MASK
        self._drain(out)
