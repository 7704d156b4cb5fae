"""From captured packets to BMP messages, sans-IO: which TCP flows carry BMP,
one reassembly and one :class:`~bmplib.BMPDecoder` per direction of each
connection, and where every message came from.

Feed :meth:`CaptureDecoder.packet` with frames (from a pcap, a pcapng, a
live sniffer...) and :meth:`CaptureDecoder.close` at the end; both return
:class:`CapturedItem` objects: a stream item (message, error record, skip
record) or a :class:`StreamGap`, with its flow, connection number and the
capture time of the packet that completed it.

Which flows are BMP
    With ``ports``, the flows from or to one of those TCP ports, and only
    them.  Without, a flow is BMP when its first octets parse as BMP v3
    headers: the first header is plausible (version 3, a known message type,
    a sane length, a known peer type) and so is the one that follows it (or
    the flow ends after it).  A flow that starts with its SYN must look like
    BMP from its first octet; one captured mid-stream (no SYN) may show its
    first message boundary anywhere in its first ``detect_window`` octets.

Gaps
    Octets missing from the capture (lost segments, a snap length, a
    mid-stream start) are never guessed: the message they cut is reported as
    a :class:`~bmplib.SkippedBytes` record, the gap as a :class:`StreamGap`,
    and decoding resumes at the next position where two BMP headers chain
    (the same test as above).  The per-peer decoding context learnt from
    Peer Up messages survives a gap (it is the same BMP session).

Connections
    A SYN with a new initial sequence number on a 4-tuple that was already
    in use starts a new connection (a router that reconnects): its own
    reassembly, decoder and session table, and ``connection`` + 1.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Union

from bmplib.bmp.header import COMMON_HEADER, COMMON_HEADER_LENGTH, PEER_HEADER_LENGTH
from bmplib.capture.link import TCPSegment, address_text, parse_frame
from bmplib.capture.tcp import DEFAULT_MAX_OUT_OF_ORDER, Chunk, TCPStream
from bmplib.errors import CaptureError
from bmplib.session import SessionTable
from bmplib.stream import (
    DEFAULT_MAX_MESSAGE_LENGTH,
    BMPDecoder,
    ErrorRecord,
    SkippedBytes,
    StreamItem,
    framing_problem,
    resync_candidate,
)

__all__ = [
    "CaptureDecoder",
    "CaptureStats",
    "CapturedItem",
    "StreamInfo",
    "DEFAULT_DETECT_WINDOW",
    "Flow",
    "StreamGap",
    "plausible_header",
]

#: How far into a flow captured mid-stream the first BMP header is looked for.
DEFAULT_DETECT_WINDOW = 1 << 16

_FIN = 0x01
_SYN = 0x02
_RST = 0x04
_MASK = 0xFFFFFFFF
_HALF = 1 << 31

_PER_PEER_TYPES = (0, 1, 2, 3, 6)

_DETECT = 0  # not known to be BMP yet
_SYNC = 1  # BMP, looking for a message boundary
_BMP = 2  # BMP, decoding
_IGNORE = 3  # not BMP
_CLOSED = 4  # connection over (kept to drop late retransmissions)

_REASON_MIDSTREAM = "the capture starts inside the stream"
_REASON_START = "the stream does not start with a BMP header"
_REASON_GAP = "resynchronising after a gap in the capture"
_REASON_CUT = "message cut by a gap in the capture"
_REASON_END = "the capture ends inside a message"
_REASON_CONFLICT = "retransmitted octets differ from those already decoded (the first copy is kept)"


def _next_version_octet(buf: bytes | bytearray, pos: int) -> int:
    """Where the next octet 3 or 4 (a BMP version: RFC 7854, draft-ietf-grow-bmp-tlv)
    is at or after *pos*, or -1."""
    v3, v4 = buf.find(3, pos), buf.find(4, pos)
    return v4 if v3 < 0 else v3 if v4 < 0 else min(v3, v4)


def plausible_header(buf: bytes | bytearray, pos: int, max_length: int) -> bool:
    """Whether the octets at *pos* (at least 6 of them) look like a BMP
    common header: version 3 (or 4, draft-ietf-grow-bmp-tlv), a message type
    of RFC 7854 (or 100, the route policy trace of
    draft-xu-grow-bmp-route-policy-attr-trace), a length from the header
    size up to *max_length*, and (when the octet is there) a known peer type
    for per-peer messages."""
    version, length, msg_type = COMMON_HEADER.unpack_from(buf, pos)
    if version not in (3, 4) or (msg_type > 6 and msg_type != 100):
        return False
    if length < COMMON_HEADER_LENGTH or length > max_length:
        return False
    if msg_type in _PER_PEER_TYPES:
        if length < COMMON_HEADER_LENGTH + PEER_HEADER_LENGTH:
            return False
        if len(buf) > pos + 6 and buf[pos + 6] > 3:
            return False
    return True


@dataclass(slots=True, frozen=True)
class Flow:
    """One direction of a TCP flow: source and destination address and port."""

    src: str
    src_port: int
    dst: str
    dst_port: int

    def __str__(self) -> str:
        return f"{_endpoint(self.src, self.src_port)} -> {_endpoint(self.dst, self.dst_port)}"

    def __json__(self) -> dict[str, Any]:
        return {"src": self.src, "src_port": self.src_port, "dst": self.dst, "dst_port": self.dst_port}


def _endpoint(addr: str, port: int) -> str:
    return f"[{addr}]:{port}" if ":" in addr else f"{addr}:{port}"


@dataclass(slots=True)
class StreamGap:
    """Octets of a TCP stream that are not in the capture (segments lost
    before the capture saw them, or cut by its snap length).

    :ivar offset: stream offset of the first missing octet.
    :ivar length: how many octets are missing.
    """

    offset: int
    length: int
    reason: str = "octets missing from the capture"

    @property
    def type(self) -> str:
        return "gap"

    @property
    def peer(self) -> None:
        return None

    def __json__(self) -> dict[str, Any]:
        return {"type": "gap", "offset": self.offset, "length": self.length, "reason": self.reason}


CaptureRecord = Union[StreamItem, StreamGap]


@dataclass(slots=True)
class CapturedItem:
    """A stream item decoded from a capture, with where it came from.

    :ivar item: the message (``bmplib.RouteMonitoring``, ...), an
        :class:`~bmplib.ErrorRecord`, a :class:`~bmplib.SkippedBytes` or a
        :class:`StreamGap`.  Its ``offset`` is its position in the TCP stream
        of its connection (relative sequence number).
    :ivar flow: the direction of the TCP flow that carried it.
    :ivar connection: which connection on that flow's 4-tuple (0, then 1
        after the first reconnection, ...).
    :ivar timestamp_ns: capture time (ns since the epoch) of the packet that
        completed the item.
    """

    item: CaptureRecord
    flow: Flow
    connection: int
    timestamp_ns: int

    @property
    def timestamp(self) -> float:
        """Capture time in seconds since the epoch."""
        return self.timestamp_ns / 1e9

    @property
    def datetime(self) -> _dt.datetime:
        """Capture time as an aware UTC datetime (microsecond precision)."""
        base = _dt.datetime.fromtimestamp(self.timestamp_ns // 1_000_000_000, _dt.timezone.utc)
        return base + _dt.timedelta(microseconds=(self.timestamp_ns % 1_000_000_000) // 1000)

    @property
    def type(self) -> Any:
        """The item's type (a :class:`~bmplib.MessageType`, or ``"error"``,
        ``"skipped"``, ``"gap"``), so code written for raw streams works on
        captures unchanged."""
        return self.item.type

    @property
    def peer(self) -> Any:
        """The item's per-peer header, or ``None``."""
        return getattr(self.item, "peer", None)

    @property
    def offset(self) -> int:
        """The item's position in its connection's TCP stream."""
        return self.item.offset

    def __getattr__(self, name: str) -> Any:
        """Every other attribute is the item's (``.update``, ``.stats``,
        ``.reason``, ``.error``...): a captured item stands in for the stream
        item it carries, so a loop written for a raw BMP stream runs on a
        capture unchanged.  (``isinstance`` tests need ``.item``.)"""
        if name == "item" or name.startswith("__"):  # not set yet (copy, pickle): no recursion
            raise AttributeError(name)
        return getattr(self.item, name)

    def __json__(self) -> dict[str, Any]:
        from bmplib.json import to_json  # json is an adapter over the core; import it late

        out = to_json(self.item)
        flow = self.flow.__json__()
        flow["connection"] = self.connection
        out["flow"] = flow
        out["capture_time"] = self.timestamp
        return out


@dataclass(slots=True)
class StreamInfo:
    """What one BMP-carrying stream (one direction of one connection) held."""

    flow: Flow
    connection: int
    syn: bool
    detected_by: str  # "port" or "content"
    first_time_ns: int
    last_time_ns: int
    octets: int = 0
    messages: int = 0
    errors: int = 0
    skipped_bytes: int = 0
    gaps: int = 0
    gap_bytes: int = 0
    duplicate_bytes: int = 0
    out_of_order: int = 0


@dataclass(slots=True)
class CaptureStats:
    """Packet-level counters of a capture."""

    packets: int = 0
    tcp_segments: int = 0
    non_tcp: int = 0
    malformed: int = 0
    malformed_reasons: dict[str, int] = field(default_factory=dict)
    bmp_streams: int = 0
    other_streams: int = 0


class _Direction:
    """State of one direction of one connection."""

    __slots__ = (
        "anchored",
        "base",
        "connection",
        "decoder",
        "fin",
        "flow",
        "info",
        "isn",
        "known",
        "scan",
        "sessions",
        "state",
        "stream",
        "sync_buf",
        "sync_marks",
        "sync_reason",
        "sync_start",
    )

    def __init__(self, flow: Flow, connection: int, stream: TCPStream, state: int, known: bool) -> None:
        self.flow = flow
        self.connection = connection
        self.stream = stream
        self.state = state
        self.known = known
        self.anchored = False
        self.decoder: BMPDecoder | None = None
        self.sessions: SessionTable | None = None
        self.info: StreamInfo | None = None
        self.base = 0
        self.sync_buf = bytearray()
        #: (end position in sync_buf, capture time) of each chunk appended to it
        self.sync_marks: list[tuple[int, int]] = []
        self.sync_start = 0
        self.sync_reason = _REASON_MIDSTREAM
        self.scan = 0
        self.fin = False
        self.isn: int | None = None


class CaptureDecoder:
    """Sans-IO decoding of the BMP sessions in a stream of captured frames.

    :param ports: TCP ports that carry BMP (either end); ``None`` detects
        BMP flows from their content.
    :param max_out_of_order: bound of each direction's out-of-order buffer
        (octets); beyond it the missing octets become a gap.
    :param max_message_length: the largest BMP message accepted.
    :param track_sessions: keep per-peer decoding context (Peer Up).
    :param detect_window: how far into a flow without SYN its first BMP
        header is looked for.
    :param asn_guess: give each connection's session table the AS-width
        fallback (:class:`~bmplib.session.SessionTable`).
    """

    def __init__(
        self,
        *,
        ports: Iterable[int] | None = None,
        max_out_of_order: int = DEFAULT_MAX_OUT_OF_ORDER,
        max_message_length: int = DEFAULT_MAX_MESSAGE_LENGTH,
        track_sessions: bool = True,
        detect_window: int = DEFAULT_DETECT_WINDOW,
        asn_guess: bool = False,
    ) -> None:
        self.asn_guess = asn_guess
        self.ports: frozenset[int] | None = None if ports is None else frozenset(int(p) for p in ports)
        self.max_out_of_order = max_out_of_order
        self.max_message_length = max_message_length
        self.track_sessions = track_sessions
        self.detect_window = detect_window
        self.stats = CaptureStats()
        #: every BMP-carrying stream (direction of a connection), in order of discovery
        self.streams: list[StreamInfo] = []
        self._dirs: dict[tuple[bytes, int, bytes, int], _Direction] = {}
        self._counts: dict[tuple[bytes, int, bytes, int], int] = {}
        self._last_ns = 0

    # -- input ------------------------------------------------------------
    def packet(self, timestamp_ns: int, linktype: int, frame: bytes, orig_len: int | None = None) -> list[CapturedItem]:
        """One captured frame; returns the items it completed."""
        stats = self.stats
        stats.packets += 1
        self._last_ns = timestamp_ns
        try:
            seg = parse_frame(linktype, frame, orig_len)
        except CaptureError as exc:
            stats.malformed += 1
            stats.malformed_reasons[exc.reason] = stats.malformed_reasons.get(exc.reason, 0) + 1
            return []
        if seg is None:
            stats.non_tcp += 1
            return []
        stats.tcp_segments += 1
        return self.segment(timestamp_ns, seg)

    def segment(self, timestamp_ns: int, seg: TCPSegment) -> list[CapturedItem]:
        """One TCP segment (when the caller parsed the frame itself)."""
        out: list[CapturedItem] = []
        key = (seg.src, seg.sport, seg.dst, seg.dport)
        d = self._dirs.get(key)
        flags = seg.flags
        payload = seg.payload
        if flags & _SYN:
            if d is not None and d.stream.syn and d.isn == seg.seq and d.stream.pos <= len(payload):
                # a retransmitted SYN (once data has followed it, a SYN with the
                # same initial sequence number starts a new connection)
                d.stream.duplicate_bytes += len(payload)
                return out
            if d is not None and d.state != _CLOSED:
                self._finish(d, timestamp_ns, out)
            d = self._new(key, seg, True)
            d.isn = seg.seq
            if d.state != _IGNORE:
                chunks = d.stream.start_syn(seg.seq, payload)
                if chunks:
                    self._process(d, chunks, timestamp_ns, out)
        else:
            if d is not None and d.state == _CLOSED:
                if not payload:
                    return out
                nxt = d.stream.nxt
                if nxt is None or (seg.seq - nxt) & _MASK >= _HALF or seg.seq == nxt:
                    d.stream.duplicate_bytes += len(payload)  # a late retransmission
                    if d.info is not None:
                        d.info.duplicate_bytes = d.stream.duplicate_bytes
                    return out
                d = None  # new data on a closed 4-tuple without a SYN
            if d is None:
                if not payload:
                    return out
                d = self._new(key, seg, False)
            if d.state == _IGNORE:
                return out
            if payload or seg.missing:
                chunks = d.stream.add(seg.seq, payload, seg.missing)
                if chunks:
                    self._process(d, chunks, timestamp_ns, out)
                if d.stream.conflicts:
                    self._conflicts(d, timestamp_ns, out)
        if flags & (_FIN | _RST) and d.state != _CLOSED:
            d.fin = True
            if flags & _RST or not d.stream.buffered:
                self._finish(d, timestamp_ns, out)
        elif d.fin and d.state != _CLOSED and not d.stream.buffered:
            self._finish(d, timestamp_ns, out)
        return out

    def close(self) -> list[CapturedItem]:
        """The capture ended: flush every open connection."""
        out: list[CapturedItem] = []
        for d in list(self._dirs.values()):
            if d.state != _CLOSED:
                self._finish(d, self._last_ns, out)
        return out

    # -- flows ------------------------------------------------------------
    def _new(self, key: tuple[bytes, int, bytes, int], seg: TCPSegment, syn: bool) -> _Direction:
        connection = self._counts.get(key, -1) + 1
        self._counts[key] = connection
        flow = Flow(address_text(seg.src), seg.sport, address_text(seg.dst), seg.dport)
        ports = self.ports
        if ports is not None:
            if seg.sport in ports or seg.dport in ports:
                state, known = _SYNC, True
            else:
                state, known = _IGNORE, False
        else:
            state, known = _DETECT, False
        d = _Direction(flow, connection, TCPStream(self.max_out_of_order), state, known)
        d.anchored = syn and not known  # a SYN-started flow must look like BMP from its first octet
        d.sync_reason = _REASON_START if syn else _REASON_MIDSTREAM
        if state == _IGNORE:
            self.stats.other_streams += 1
        self._dirs[key] = d
        return d

    def _finish(self, d: _Direction, ts: int, out: list[CapturedItem]) -> None:
        chunks = d.stream.flush()
        if chunks:
            self._process(d, chunks, ts, out)
        if d.stream.conflicts:
            self._conflicts(d, ts, out)
        if d.state in (_DETECT, _SYNC):
            self._sync(d, ts, out, True, True)
        if d.state == _BMP:
            self._close_decoder(d, ts, out, _REASON_END)
        info = d.info
        if info is not None:
            info.duplicate_bytes = d.stream.duplicate_bytes
            info.out_of_order = d.stream.out_of_order
        d.state = _CLOSED
        d.decoder = None
        d.sessions = None
        d.sync_buf = bytearray()
        d.sync_marks = []

    # -- octets -----------------------------------------------------------
    def _process(self, d: _Direction, chunks: list[Chunk], ts: int, out: list[CapturedItem]) -> None:
        for off, data in chunks:
            if isinstance(data, int):
                self._gap(d, off, data, ts, out)
                continue
            state = d.state
            if state == _BMP:
                dec = d.decoder
                assert dec is not None
                dec.feed(data)
                info = d.info
                assert info is not None
                info.octets += len(data)
                info.last_time_ns = ts
                self._drain(d, dec, ts, out)
            elif state == _DETECT or state == _SYNC:
                if not d.sync_buf:
                    d.sync_start = off
                d.sync_buf += data
                d.sync_marks.append((len(d.sync_buf), ts))
                self._sync(d, ts, out, False, False)

    def _drain(self, d: _Direction, dec: BMPDecoder, ts: int, out: list[CapturedItem]) -> None:
        base = d.base
        info = d.info
        assert info is not None
        flow = d.flow
        conn = d.connection
        for item in dec:
            if base:
                item.offset += base
            cls = type(item)
            if cls is SkippedBytes:
                info.skipped_bytes += len(item.data)  # type: ignore[union-attr]
            elif cls is ErrorRecord:
                info.errors += 1
            else:
                info.messages += 1
            out.append(CapturedItem(item, flow, conn, ts))

    def _close_decoder(self, d: _Direction, ts: int, out: list[CapturedItem], reason: str) -> None:
        dec = d.decoder
        assert dec is not None
        dec.close()
        before = len(out)
        self._drain(d, dec, ts, out)
        for ci in out[before:]:
            it = ci.item
            if isinstance(it, SkippedBytes) and it.reason == "stream ended inside a message":
                it.reason = reason
        d.decoder = None

    def _gap(self, d: _Direction, off: int, length: int, ts: int, out: list[CapturedItem]) -> None:
        if d.state == _DETECT and d.sync_buf:
            self._sync(d, ts, out, True, False)
        state = d.state
        if state == _IGNORE:
            return
        if state == _BMP:
            self._close_decoder(d, ts, out, _REASON_CUT)
        elif state == _SYNC and d.sync_buf:
            self._skip(d, len(d.sync_buf), ts, out)
        if d.known:
            info = self._info(d, ts)
            info.gaps += 1
            info.gap_bytes += length
            info.last_time_ns = ts
            out.append(CapturedItem(StreamGap(off, length), d.flow, d.connection, ts))
            d.state = _SYNC
            d.sync_reason = _REASON_GAP
        d.sync_buf = bytearray()
        d.sync_marks = []
        d.sync_start = off + length
        d.scan = 0
        d.anchored = False

    def _conflicts(self, d: _Direction, ts: int, out: list[CapturedItem]) -> None:
        """Report the retransmitted copies that differ from the octets
        already delivered (the stream keeps the first copy) as gaps: their
        octets are not in the output."""
        conflicts = d.stream.conflicts
        d.stream.conflicts = []
        if not d.known or d.state == _IGNORE:
            return
        info = self._info(d, ts)
        for off, length in conflicts:
            info.gaps += 1
            info.gap_bytes += length
            out.append(CapturedItem(StreamGap(off, length, _REASON_CONFLICT), d.flow, d.connection, ts))

    def _skip(self, d: _Direction, n: int, ts: int, out: list[CapturedItem]) -> None:
        """Report the first *n* octets of the sync buffer as skipped."""
        buf = d.sync_buf
        if d.sync_reason in (_REASON_START, _REASON_MIDSTREAM) and n >= COMMON_HEADER_LENGTH and buf[0] == 4:
            # a BMP version 4 header where the skip starts: say what the stream is
            problem = framing_problem(buf, 0, self.max_message_length)
            if problem is not None:
                d.sync_reason = problem
        info = self._info(d, ts)
        item = SkippedBytes(d.sync_start, bytes(buf[:n]), d.sync_reason)
        info.skipped_bytes += n
        out.append(CapturedItem(item, d.flow, d.connection, ts))
        del buf[:n]
        d.sync_marks = [(e - n, t) for e, t in d.sync_marks if e > n]
        d.sync_start += n
        d.scan = max(d.scan - n, 0)

    def _info(self, d: _Direction, ts: int) -> StreamInfo:
        info = d.info
        if info is None:
            info = StreamInfo(
                d.flow, d.connection, d.stream.syn, "port" if self.ports is not None else "content", ts, ts
            )
            d.info = info
            self.streams.append(info)
            self.stats.bmp_streams += 1
        return info

    def _sync(self, d: _Direction, ts: int, out: list[CapturedItem], ended: bool, final: bool) -> None:
        """Look for the first message boundary in the sync buffer and start
        decoding there once found.  *ended*: no octet follows this buffer (a
        gap or the end); *final*: the connection is over."""
        buf = d.sync_buf
        max_len = self.max_message_length
        n = len(buf)
        p = d.scan
        found = wait = False
        while True:
            p = _next_version_octet(buf, p)
            if p < 0:
                p = n
                break
            if d.anchored and p:
                break
            if n - p < COMMON_HEADER_LENGTH:
                if ended:
                    p = n
                else:
                    wait = True
                break
            verdict = resync_candidate(buf, p, max_len, ended)
            if verdict:
                nxt = p + COMMON_HEADER.unpack_from(buf, p)[1]
                # the message that follows must be plausible too (or the data end)
                verdict = True if ended and n <= nxt else resync_candidate(buf, nxt, max_len, ended)
                if verdict:
                    found = True
                    break
            if verdict is None:  # wait for the octets that decide
                wait = True
                break
            if d.anchored:
                break
            p += 1
        if found:
            self._start(d, p, ts, out)
            return
        if not d.known:
            if p > self.detect_window or (not wait and (d.anchored or final)):
                d.state = _IGNORE
                d.sync_buf = bytearray()
                d.sync_marks = []
                self.stats.other_streams += 1
            else:  # nothing starts before p; its octets stay, to be reported as skipped if it is BMP
                d.scan = p
            return
        if wait:
            d.scan = p
            if p > max_len:  # keep the buffer bounded: report the garbage now
                self._skip(d, p, ts, out)
        elif ended:
            if n:
                self._skip(d, n, ts, out)
        else:
            d.scan = p
            if p > max_len:
                self._skip(d, p, ts, out)

    def _start(self, d: _Direction, p: int, ts: int, out: list[CapturedItem]) -> None:
        """Start decoding at sync buffer position *p*."""
        self._info(d, ts)
        d.known = True
        if p:
            self._skip(d, p, ts, out)
        dec = BMPDecoder(
            resync=True,
            max_message_length=self.max_message_length,
            track_sessions=self.track_sessions,
            sessions=d.sessions,
            asn_guess=self.asn_guess,
        )
        d.sessions = dec.sessions
        d.decoder = dec
        d.base = d.sync_start
        d.state = _BMP
        buf = bytes(d.sync_buf)
        marks = d.sync_marks
        d.sync_buf = bytearray()
        d.sync_marks = []
        d.scan = 0
        info = d.info
        assert info is not None
        info.octets += len(buf)
        # feed chunk by chunk, so that each message gets the capture time of
        # the segment that completed it
        prev = 0
        for end, when in marks:
            if end > prev:
                dec.feed(buf[prev:end])
                info.last_time_ns = when
                self._drain(d, dec, when, out)
                prev = end
        if prev < len(buf):
            dec.feed(buf[prev:])
            self._drain(d, dec, ts, out)
