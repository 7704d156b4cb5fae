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

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Union

from bmplib import _impl
from bmplib.bmp import messages
from bmplib.bmp.constants import MessageType, lookup
from bmplib.bmp.header import BMP_VERSION, COMMON_HEADER, COMMON_HEADER_LENGTH, PEER_HEADER_LENGTH
from bmplib.bmp.messages import BMPMessage, PeerDown, PeerUp
from bmplib.errors import DecodeError, FramingError, InternalDecodeError
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


StreamItem = Union[BMPMessage, ErrorRecord, SkippedBytes]


def framing_problem(buf: bytes | bytearray, pos: int, max_length: int) -> str | None:
    """Why the common header at *pos* is unacceptable, or ``None`` if it is.
    Needs 6 octets at *pos*."""
    version, length, msg_type = COMMON_HEADER.unpack_from(buf, pos)
    if version != BMP_VERSION:
        return f"BMP version {version} is not 3"
    if length < COMMON_HEADER_LENGTH:
        return f"BMP length {length} is below the 6-octet common header"
    if length > max_length:
        return f"BMP length {length} exceeds the limit of {max_length}"
    if msg_type in _PER_PEER_TYPES and length < COMMON_HEADER_LENGTH + PEER_HEADER_LENGTH:
        return f"BMP length {length} is too short for a per-peer message"
    return None


def _plausible(buf: bytearray, pos: int, max_length: int) -> bool:
    """A stricter test used when resynchronising: a known message type, a
    sane length and, for per-peer messages, a known peer type."""
    if framing_problem(buf, pos, max_length) is not None:
        return False
    msg_type = buf[pos + 5]
    if msg_type > 6:
        return False
    if msg_type in _PER_PEER_TYPES and len(buf) > pos + 6 and buf[pos + 6] > 3:
        return False
    return True


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
    """

    # slots: bmplib_fast reads the state of an exact BMPDecoder through them
    __slots__ = (
        "__weakref__",
        "_base",
        "_buf",
        "_eof",
        "_error",
        "_pos",
        "_skip_reason",
        "_skip_start",
        "max_message_length",
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

    # -- input -----------------------------------------------------------
    def feed(self, data: bytes | bytearray | memoryview) -> None:
        """Append *data* to the stream."""
        if self._eof:
            raise ValueError("feed() after close()")
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

    # -- state -----------------------------------------------------------
    @property
    def offset(self) -> int:
        """Stream offset of the next octet to decode."""
        return self._base + self._pos

    @property
    def pending(self) -> bytes:
        """The octets buffered but not yet part of any yielded item."""
        return bytes(self._buf[self._pos :])

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
                if not _plausible(buf, pos, self.max_message_length):
                    self._pos = pos + 1
                    continue
                return self._end_skip()
            version, length, msg_type = COMMON_HEADER.unpack_from(buf, pos)
            if (
                version == BMP_VERSION
                and (48 if msg_type in _PER_PEER_TYPES else 6) <= length <= self.max_message_length
            ):
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
            msg = messages.decode_message(data, contexts=sessions.context_for if sessions is not None else None)
        except DecodeError as exc:
            return ErrorRecord(offset, lookup(MessageType, data[5]), exc, data)
        except Exception as exc:  # never leak (as bmplib.decode): a decoder bug becomes an error record
            return ErrorRecord(offset, lookup(MessageType, data[5]), InternalDecodeError.wrap(exc, data), data)
        msg.offset = offset
        if sessions is not None and isinstance(msg, (PeerUp, PeerDown)):
            sessions.observe(msg)
        return msg


# bmplib_fast frames and decodes Route Monitoring messages in compiled code
# (everything else goes back to the methods above): bmplib._impl.KERNELS
_impl.adopt(__name__)
