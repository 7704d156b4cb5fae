"""The BGP message header and the dispatch to each message type
(RFC 4271 section 4.1).

:func:`decode_bgp_message` is the one entry point the BMP layer uses for every
BGP PDU it carries (Route Monitoring, Peer Up OPENs, Peer Down NOTIFICATION,
Route Mirroring).
"""

from __future__ import annotations

import enum
import struct
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from bmplib.errors import BGPDecodeError, EncodeError
from bmplib.session import DecodeContext

__all__ = [
    "BGP_HEADER",
    "BGP_HEADER_LENGTH",
    "BGPMessageType",
    "MARKER",
    "MAX_MESSAGE_LENGTH",
    "MAX_EXTENDED_MESSAGE_LENGTH",
    "UnknownBGPMessage",
    "decode_bgp_message",
    "encode_bgp_header",
    "register_decoder",
]

#: marker (16), length (2), type (1)
BGP_HEADER = struct.Struct("!16sHB")
BGP_HEADER_LENGTH = 19
MARKER = b"\xff" * 16
MAX_MESSAGE_LENGTH = 4096  # RFC 4271 section 4
MAX_EXTENDED_MESSAGE_LENGTH = 65535  # RFC 8654


class BGPMessageType(enum.IntEnum):
    """BGP Message Types (RFC 4271 section 4.1, RFC 2918)."""

    OPEN = 1
    UPDATE = 2
    NOTIFICATION = 3
    KEEPALIVE = 4
    ROUTE_REFRESH = 5


@dataclass(slots=True)
class UnknownBGPMessage:
    """A BGP message of a type bmplib does not decode: its type code and raw
    body (everything after the 19-octet header)."""

    type: int
    body: bytes

    def encode(self) -> bytes:
        """The whole BGP message on the wire."""
        return encode_bgp_header(len(self.body), self.type) + self.body


# A decoder gets (buf, body_start, body_end, context) and returns the model
# object for the message type.  Offsets are absolute positions in buf.
Decoder = Callable[[bytes, int, int, DecodeContext], Any]
_DECODERS: dict[int, Decoder] = {}


def register_decoder(msg_type: int, decoder: Decoder) -> None:
    """Register the body decoder of one BGP message type."""
    _DECODERS[msg_type] = decoder


def decoders() -> dict[int, Decoder]:
    """The live registry (message type -> body decoder); bmplib_fast's Route
    Monitoring kernel reads it to see that UPDATEs still go to its decoder."""
    return _DECODERS


def encode_bgp_header(body_length: int, msg_type: int, max_length: int = MAX_EXTENDED_MESSAGE_LENGTH) -> bytes:
    """The 19-octet header for a message with a body of *body_length* octets."""
    total = BGP_HEADER_LENGTH + body_length
    if not 0 <= msg_type <= 0xFF:
        raise EncodeError("type", f"BGP message type {msg_type} does not fit 1 octet")
    if total > max_length:
        raise EncodeError("length", f"BGP message of {total} octets exceeds the maximum {max_length}")
    return BGP_HEADER.pack(MARKER, total, msg_type)


_DEFAULT_CONTEXT = DecodeContext()


def decode_bgp_message(buf: bytes, pos: int, end: int, context: DecodeContext | None = None) -> tuple[Any, int]:
    """Decode the BGP message that starts at *pos* in ``buf[:end]``.

    Returns the message and the position just after it (from its length
    field).  Raises :class:`~bmplib.errors.BGPDecodeError` when the header is
    bad or the message does not fit.
    """
    ctx = context if context is not None else _DEFAULT_CONTEXT
    if end - pos < BGP_HEADER_LENGTH:
        raise BGPDecodeError(
            f"BGP header needs {BGP_HEADER_LENGTH} octets, {max(end - pos, 0)} left", pos, buf[pos:end]
        )
    marker, length, msg_type = BGP_HEADER.unpack_from(buf, pos)
    if marker != MARKER:
        raise BGPDecodeError("BGP marker is not all ones", pos, buf[pos:end])
    if length < BGP_HEADER_LENGTH:
        raise BGPDecodeError(f"BGP length {length} is below the header size", pos, buf[pos:end])
    # RFC 8654 section 3: only UPDATE, NOTIFICATION and ROUTE-REFRESH may be
    # extended; OPEN and KEEPALIVE never exceed 4096 octets.
    limit = MAX_EXTENDED_MESSAGE_LENGTH if ctx.extended_message and msg_type not in (1, 4) else MAX_MESSAGE_LENGTH
    if length > limit:
        raise BGPDecodeError(f"BGP length {length} exceeds the maximum {limit}", pos, buf[pos:end])
    if length > end - pos:
        raise BGPDecodeError(
            f"BGP length {length} runs past the enclosing data ({end - pos} octets)", pos, buf[pos:end]
        )
    msg_end = pos + length
    decoder = _DECODERS.get(msg_type)
    if decoder is None:
        return UnknownBGPMessage(msg_type, buf[pos + BGP_HEADER_LENGTH : msg_end]), msg_end
    return decoder(buf, pos + BGP_HEADER_LENGTH, msg_end, ctx), msg_end
