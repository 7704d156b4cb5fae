"""Sans-IO stream decoding of BMP (RFC 7854 section 3.2: a BMP session is a
TCP stream of messages, each framed by its common header).

Shape borrowed from h11: you :meth:`BMPDecoder.feed` bytes from wherever they
come from, then iterate the decoder to get every complete message; iteration
ends when more data is needed.  The decoder never touches sockets or files.

Nothing is silently lost: every input octet ends up in a message, in an
:class:`ErrorRecord` (a well-framed message whose body did not decode), in a
:class:`SkippedBytes` record (resynchronisation), or in :attr:`BMPDecoder.pending`.
"""

from __future__ import annotations

import struct
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Union

from bmplib import _impl
from bmplib.bmp.constants import MessageType, lookup
from bmplib.bmp.header import BMP_VERSION, COMMON_HEADER, COMMON_HEADER_LENGTH, PEER_HEADER_LENGTH
from bmplib.bmp.messages import BMPMessage, PeerDown, PeerUp, decode_message
from bmplib.bmp.v4 import BMPV4_VERSION, BMPv4Message, RouteMonitoringV4, decode_v4_message
from bmplib.errors import DecodeError, FramingError, InternalDecodeError
from bmplib.proxy import ProxyHeader, decode_proxy_header
from bmplib.session import SessionTable

__all__ = ["BMPDecoder", "DEFAULT_MAX_MESSAGE_LENGTH", "ErrorRecord", "SkippedBytes", "StreamItem"]

#: The largest BMP message accepted by default.  A Peer Up with two extended
#: OPENs and TLVs, or a Route Monitoring with an extended (RFC 8654) UPDATE,
#: stays far below this.
DEFAULT_MAX_MESSAGE_LENGTH = 1 << 20

_PER_PEER_TYPES = (0, 1, 2, 3, 6)


@dataclass(slots=True)
class ErrorRecord:
    """A well-framed BMP message whose body did not decode.

    :ivar offset: stream offset of the message.
    :ivar msg_type: its BMP message type code (from the common header).
    :ivar error: the :class:`~bmplib.DecodeError` (offset inside the message).
    :ivar data: the raw octets of the whole message.
    """

    offset: int
    msg_type: MessageType | int
    error: DecodeError
    data: bytes

    @property
    def type(self) -> str:
        return "error"

    @property
    def peer(self) -> None:
        return None


@dataclass(slots=True)
class SkippedBytes:
    """Octets skipped while resynchronising after a framing error.

    :ivar offset: stream offset of the first skipped octet.
    :ivar data: the skipped octets.
    :ivar reason: the framing error that started the skip.
    """

    offset: int
    data: bytes
    reason: str = field(default="")

    @property
    def type(self) -> str:
        return "skipped"

    @property
    def peer(self) -> None:
        return None


StreamItem = Union[BMPMessage, RouteMonitoringV4, BMPv4Message, ErrorRecord, SkippedBytes]


def framing_problem(buf: bytes | bytearray, pos: int, max_length: int) -> str | None:
    """Why the common header at *pos* is unacceptable, or ``None`` if it is.
    Needs 6 octets at *pos*."""
    version, length, msg_type = COMMON_HEADER.unpack_from(buf, pos)
    if version != BMP_VERSION and version != BMPV4_VERSION:
        return f"BMP version {version} is not 3"
    if length < COMMON_HEADER_LENGTH:
        return f"BMP length {length} is below the 6-octet common header"
    if length > max_length:
        return f"BMP length {length} exceeds the limit of {max_length}"
    if msg_type in _PER_PEER_TYPES and length < COMMON_HEADER_LENGTH + PEER_HEADER_LENGTH:
        return f"BMP length {length} is too short for a per-peer message"
    return None


_MARKER = b"\xff" * 16
_U16 = struct.Struct("!H")
_U32 = struct.Struct("!I")
# where a BGP PDU must start in each per-peer message type (RFC 7854 sections
# 4.6, 4.9, 4.10): after the per-peer header, and in a Peer Up after the
# local address and the two ports
_PDU_AT_ROUTE_MONITORING = 48
_PDU_AT_PEER_UP = 68


def resync_candidate(buf: bytes | bytearray, pos: int, max_length: int, ended: bool) -> bool | None:
    """Whether the octets at *pos* start a BMP message, judged more strictly
    than framing does, for resynchronising (RFC 7854 section 4).

    A candidate must frame (:func:`framing_problem`), and what its type
    says must be there: the BGP marker (16 all-ones octets, RFC 4271 section 4.1) where a BGP PDU starts
    -- the UPDATE of a Route Monitoring message (with a BGP length that fits
    the message), the sent OPEN of a Peer Up, the NOTIFICATION of a Peer
    Down with reason 1 or 3, a BGP Message TLV of Route Mirroring; a
    statistics count the message can hold; Information TLVs that fill an
    Initiation or Termination message exactly; a per-peer message without a
    BGP PDU must have a peer type of the registry (0-3).  A message type
    RFC 7854 does not define is judged by its header alone, so it must also
    be followed by a header that frames (or end where the data ends).

    Returns ``None`` when the verdict needs octets that have not arrived yet
    (never when *ended*: no octet follows *buf*), so the verdict never
    depends on how the stream was cut into pieces.
    """
    avail = len(buf) - pos
    if avail < COMMON_HEADER_LENGTH:
        return False if ended else None
    if framing_problem(buf, pos, max_length) is not None:
        return False
    _, length, msg_type = COMMON_HEADER.unpack_from(buf, pos)
    if msg_type > 6:
        need = length + COMMON_HEADER_LENGTH
        if avail < need:
            return (avail == length) if ended else None
        return framing_problem(buf, pos + length, max_length) is None
    need = _candidate_span(buf, pos, length, msg_type, avail)
    if need < 0:
        return False
    if avail < need:
        return False if ended else None
    # a peer type IANA has not assigned is taken only with a BGP marker
    known_peer = msg_type in _PER_PEER_TYPES and buf[pos + COMMON_HEADER_LENGTH] <= 3
    if msg_type == 0:  # Route Monitoring: an UPDATE follows the per-peer header
        at = pos + _PDU_AT_ROUTE_MONITORING
        bgp_length = _U16.unpack_from(buf, at + 16)[0]
        return buf[at : at + 16] == _MARKER and 19 <= bgp_length <= length - _PDU_AT_ROUTE_MONITORING
    if msg_type == 1:  # Statistics Report: each TLV takes at least 4 octets
        return known_peer and _U32.unpack_from(buf, pos + 48)[0] * 4 <= length - 52
    if msg_type == 2:  # Peer Down: reasons 1 and 3 carry a NOTIFICATION
        return known_peer if need == 49 else buf[pos + 49 : pos + 65] == _MARKER
    if msg_type == 3:  # Peer Up: the sent OPEN
        at = pos + _PDU_AT_PEER_UP
        return buf[at : at + 16] == _MARKER and buf[at + 18] == 1
    if msg_type == 6:  # Route Mirroring: a BGP Message TLV (type 0) holds a PDU
        return known_peer if need <= 52 else buf[pos + 52 : pos + 68] == _MARKER
    # Initiation, Termination: TLVs (type, length, value) fill the message
    p = pos + COMMON_HEADER_LENGTH
    end: int = pos + length
    while p < end:
        if end - p < 4:
            return False
        tlv_length: int = _U16.unpack_from(buf, p + 2)[0]
        p += 4 + tlv_length
    return p == end


def _candidate_span(buf: bytes | bytearray, pos: int, length: int, msg_type: int, avail: int) -> int:
    """How many octets from *pos* :func:`resync_candidate` needs to judge a
    message of a known type (-1: its length is too short for what the type
    must carry).  Reads only octets that are there."""
    if msg_type == 0:
        return 67 if length >= 67 else -1
    if msg_type == 1:
        return 52 if length >= 52 else -1
    if msg_type == 2:
        if length < 49:
            return -1
        if avail < 49:
            return 49
        return 65 if buf[pos + 48] in (1, 3) and length >= 65 else 49
    if msg_type == 3:
        return 87 if length >= 87 else -1
    if msg_type == 6:
        if length < 52:  # no TLV at all, or a cut TLV header
            return 48 if length == 48 else -1
        if avail < 52:
            return 52
        if _U16.unpack_from(buf, pos + 48)[0] == 0 and _U16.unpack_from(buf, pos + 50)[0] >= 16:
            return 68 if length >= 68 else -1
        return 52
    return length  # Initiation, Termination: the whole message


class BMPDecoder:
    """Incremental BMP stream decoder.

    >>> dec = BMPDecoder()
    >>> dec.feed(b"\\x03\\x00\\x00\\x00\\x06\\x04")  # an empty Initiation
    >>> [m.type.name for m in dec]
    ['INITIATION']

    :param max_message_length: the largest message accepted; a longer length
        field is a framing error.
    :param resync: after a framing error, skip to the next position that
        looks like a BMP header (and report the skipped octets as a
        :class:`SkippedBytes` record) instead of stopping.
    :param track_sessions: keep per-peer decoding context from Peer Up
        messages (see :mod:`bmplib.session`).
    :param sessions: a session table to start from (e.g. seeded by hand).
    :param asn_guess: when no session table is given, build one that retries
        an AS_PATH with the other AS width when it does not parse (and marks
        the result as guessed); see :class:`~bmplib.session.SessionTable`.
    :param proxy: the stream starts with a PROXY protocol header (v1 or v2,
        :mod:`bmplib.proxy`), put there by a load balancer or relay: it is
        read first and kept in :attr:`proxy_header` (the router's address is
        its ``source_address``); stream offsets still count from the first
        octet fed.  A stream that does not start with one stops with a
        :class:`~bmplib.FramingError`.
    """

    # slots: bmplib_fast reads the state of an exact BMPDecoder through them
    __slots__ = (
        "__weakref__",
        "_base",
        "_buf",
        "_eof",
        "_error",
        "_pos",
        "_proxy_buf",
        "_skip_reason",
        "_skip_start",
        "max_message_length",
        "proxy_header",
        "resync",
        "sessions",
    )

    def __init__(
        self,
        *,
        max_message_length: int = DEFAULT_MAX_MESSAGE_LENGTH,
        resync: bool = False,
        track_sessions: bool = True,
        sessions: SessionTable | None = None,
        asn_guess: bool = False,
        proxy: bool = False,
    ) -> None:
        if max_message_length < COMMON_HEADER_LENGTH + PEER_HEADER_LENGTH:
            raise ValueError("max_message_length is below the size of a per-peer header")
        self.max_message_length = max_message_length
        self.resync = resync
        self.sessions: SessionTable | None = (
            sessions if sessions is not None else (SessionTable(asn_guess=asn_guess) if track_sessions else None)
        )
        self._buf = bytearray()
        self._pos = 0  # read position in _buf
        self._base = 0  # stream offset of _buf[0]
        self._error: FramingError | None = None
        self._skip_start: int | None = None  # stream offset where a skip began
        self._skip_reason = ""
        self._eof = False
        #: the PROXY protocol header read from the start of the stream (``proxy=True``)
        self.proxy_header: ProxyHeader | None = None
        self._proxy_buf: bytearray | None = bytearray() if proxy else None

    # -- input -----------------------------------------------------------
    def feed(self, data: bytes | bytearray | memoryview) -> None:
        """Append *data* to the stream."""
        if self._eof:
            raise ValueError("feed() after close()")
        if self._proxy_buf is not None:
            data = self._read_proxy(data)
        keep = self._pos if self._skip_start is None else self._skip_start - self._base
        if keep and keep >= len(self._buf) // 2:
            del self._buf[:keep]
            self._base += keep
            self._pos -= keep
        self._buf += data

    def close(self) -> None:
        """Mark the end of the stream.  Iterating afterwards yields what is
        left: a pending skip, and the octets of a truncated last message as a
        :class:`SkippedBytes` record."""
        self._eof = True
        if self._proxy_buf and self._error is None:
            self._error = FramingError("the stream ends inside its PROXY protocol header", 0, bytes(self._proxy_buf))

    def _read_proxy(self, data: bytes | bytearray | memoryview) -> bytes | bytearray | memoryview:
        """Collect the PROXY header (``proxy=True``); return the octets after it."""
        assert self._proxy_buf is not None
        if self._error is not None:
            return b""
        buf = self._proxy_buf
        buf += data
        try:
            found = decode_proxy_header(buf)
        except DecodeError as exc:
            self._error = FramingError(f"{exc.reason} (proxy=True)", exc.offset, exc.data)
            self._proxy_buf = bytearray()
            return b""
        if found is None:
            return b""
        self.proxy_header, length = found
        self._proxy_buf = None
        self._base += length
        return bytes(buf[length:])

    # -- state -----------------------------------------------------------
    @property
    def offset(self) -> int:
        """Stream offset of the first octet that is not yet part of a yielded
        item (while resynchronising: the first octet of the skip)."""
        if self._skip_start is not None:
            return self._skip_start
        return self._base + self._pos

    @property
    def pending(self) -> bytes:
        """The octets buffered but not yet part of any yielded item (while
        resynchronising, the octets skipped so far and those not yet looked
        at): the items yielded plus ``pending`` are always exactly the octets
        fed."""
        start = self._pos if self._skip_start is None else self._skip_start - self._base
        return bytes(self._buf[start:])

    @property
    def error(self) -> FramingError | None:
        """The framing error that stopped the decoder (``resync=False``)."""
        return self._error

    # -- output ----------------------------------------------------------
    def __iter__(self) -> Iterator[StreamItem]:
        return self

    def __next__(self) -> StreamItem:
        item = self.next_item()
        if item is None:
            raise StopIteration
        return item

    def next_item(self) -> StreamItem | None:
        """The next complete item, or ``None`` if more data is needed.
        Raises :class:`~bmplib.FramingError` when the stream cannot be framed
        and ``resync`` is off."""
        if self._error is not None:
            raise self._error
        buf = self._buf
        while True:
            pos = self._pos
            avail = len(buf) - pos
            if avail < COMMON_HEADER_LENGTH:
                return self._at_end()
            if self._skip_start is not None:
                # resynchronising: look for a plausible header; report long
                # runs of garbage in pieces so memory stays bounded
                if self._base + pos - self._skip_start >= self.max_message_length:
                    piece = self._end_skip()
                    self._skip_start = self._base + pos  # keep resynchronising
                    return piece
                if buf[pos] != BMP_VERSION:
                    # no candidate before the next version octet (nor past
                    # the point where the skip is reported in pieces)
                    limit = self._skip_start - self._base + self.max_message_length
                    nxt = buf.find(BMP_VERSION, pos + 1, limit)
                    self._pos = nxt if nxt >= 0 else min(limit, len(buf))
                    continue
                verdict = resync_candidate(buf, pos, self.max_message_length, self._eof)
                if verdict is None:
                    return None  # the candidate cannot be judged yet
                if not verdict:
                    self._pos = pos + 1
                    continue
                return self._end_skip()
            version, length, msg_type = COMMON_HEADER.unpack_from(buf, pos)
            if (version == BMP_VERSION or version == BMPV4_VERSION) and (
                48 if msg_type in _PER_PEER_TYPES else 6
            ) <= length <= self.max_message_length:
                problem = None
            else:
                problem = framing_problem(buf, pos, self.max_message_length)
            if problem is not None:
                offset = self._base + pos
                if not self.resync:
                    self._error = FramingError(problem, offset, bytes(buf[pos : pos + COMMON_HEADER_LENGTH]))
                    raise self._error
                self._skip_start = offset
                self._skip_reason = problem
                self._pos = pos + 1
                continue
            if avail < length:
                return self._at_end()
            data = bytes(buf[pos : pos + length])
            self._pos = pos + length
            return self._decode(data, self._base + pos)

    def _at_end(self) -> StreamItem | None:
        if not self._eof:
            return None
        if self._pos < len(self._buf):
            if self._skip_start is None:
                start = self._base + self._pos
                data = bytes(self._buf[self._pos :])
                self._pos = len(self._buf)
                return SkippedBytes(start, data, "stream ended inside a message")
            self._pos = len(self._buf)
        if self._skip_start is not None:
            return self._end_skip()
        return None

    def _end_skip(self) -> SkippedBytes:
        start = self._skip_start
        assert start is not None
        data = bytes(self._buf[start - self._base : self._pos])
        self._skip_start = None
        return SkippedBytes(start, data, self._skip_reason)

    def _decode(self, data: bytes, offset: int) -> StreamItem:
        sessions = self.sessions
        try:
            if data[0] == BMPV4_VERSION:
                msg: BMPMessage | RouteMonitoringV4 | BMPv4Message = decode_v4_message(
                    data, contexts=sessions.context_for if sessions is not None else None
                )
            else:
                msg = decode_message(data, contexts=sessions.context_for if sessions is not None else None)
        except DecodeError as exc:
            return ErrorRecord(offset, lookup(MessageType, data[5]), exc, data)
        except (IndexError, ValueError, TypeError, KeyError, OverflowError, RecursionError, struct.error) as exc:
            # never leak: a bug in a decoder becomes an error record
            err = InternalDecodeError(f"{type(exc).__name__}: {exc}", 0, data)
            return ErrorRecord(offset, lookup(MessageType, data[5]), err, data)
        msg.offset = offset
        if sessions is not None:
            inner = msg.message if isinstance(msg, BMPv4Message) else msg
            if isinstance(inner, (PeerUp, PeerDown)):
                sessions.observe(inner)
        return msg


# bmplib_fast frames and decodes Route Monitoring messages in compiled code
# (everything else goes back to the methods above)
if _impl.fast is not None and hasattr(_impl.fast, "stream_next"):
    BMPDecoder.__next__ = _impl.fast.stream_next  # type: ignore[method-assign]
