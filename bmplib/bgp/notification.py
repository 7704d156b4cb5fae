"""The BGP NOTIFICATION message (RFC 4271 section 4.5) with the IANA "BGP
Error (Notification) Codes" and "BGP Error Subcodes" registries, and the Cease
shutdown communication (RFC 9003, which obsoletes RFC 8203).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import ClassVar

from bmplib.bgp.message import BGP_HEADER_LENGTH, BGPMessageType, encode_bgp_header, register_decoder
from bmplib.errors import BGPDecodeError, EncodeError
from bmplib.session import DecodeContext

__all__ = [
    "CeaseSubcode",
    "FSMErrorSubcode",
    "MessageHeaderErrorSubcode",
    "Notification",
    "NotificationCode",
    "OpenMessageErrorSubcode",
    "RouteRefreshErrorSubcode",
    "UpdateMessageErrorSubcode",
    "decode_notification",
    "encode_shutdown_communication",
]


class NotificationCode(enum.IntEnum):
    """BGP Error (Notification) Codes (IANA)."""

    MESSAGE_HEADER_ERROR = 1  # RFC 4271
    OPEN_MESSAGE_ERROR = 2  # RFC 4271
    UPDATE_MESSAGE_ERROR = 3  # RFC 4271
    HOLD_TIMER_EXPIRED = 4  # RFC 4271
    FINITE_STATE_MACHINE_ERROR = 5  # RFC 4271, RFC 6608
    CEASE = 6  # RFC 4271, RFC 4486
    ROUTE_REFRESH_MESSAGE_ERROR = 7  # RFC 7313
    SEND_HOLD_TIMER_EXPIRED = 8  # RFC 9687


class MessageHeaderErrorSubcode(enum.IntEnum):
    """Message Header Error subcodes (RFC 4271 section 6.1)."""

    UNSPECIFIC = 0
    CONNECTION_NOT_SYNCHRONIZED = 1
    BAD_MESSAGE_LENGTH = 2
    BAD_MESSAGE_TYPE = 3


class OpenMessageErrorSubcode(enum.IntEnum):
    """OPEN Message Error subcodes (RFC 4271 section 6.2, RFC 5492, RFC 9234)."""

    UNSPECIFIC = 0
    UNSUPPORTED_VERSION_NUMBER = 1
    BAD_PEER_AS = 2
    BAD_BGP_IDENTIFIER = 3
    UNSUPPORTED_OPTIONAL_PARAMETER = 4
    DEPRECATED_5 = 5  # was Authentication Failure
    UNACCEPTABLE_HOLD_TIME = 6
    UNSUPPORTED_CAPABILITY = 7
    DEPRECATED_8 = 8
    DEPRECATED_9 = 9
    DEPRECATED_10 = 10
    ROLE_MISMATCH = 11


class UpdateMessageErrorSubcode(enum.IntEnum):
    """UPDATE Message Error subcodes (RFC 4271 section 6.3)."""

    UNSPECIFIC = 0
    MALFORMED_ATTRIBUTE_LIST = 1
    UNRECOGNIZED_WELL_KNOWN_ATTRIBUTE = 2
    MISSING_WELL_KNOWN_ATTRIBUTE = 3
    ATTRIBUTE_FLAGS_ERROR = 4
    ATTRIBUTE_LENGTH_ERROR = 5
    INVALID_ORIGIN_ATTRIBUTE = 6
    DEPRECATED_7 = 7  # was AS Routing Loop
    INVALID_NEXT_HOP_ATTRIBUTE = 8
    OPTIONAL_ATTRIBUTE_ERROR = 9
    INVALID_NETWORK_FIELD = 10
    MALFORMED_AS_PATH = 11


class FSMErrorSubcode(enum.IntEnum):
    """BGP Finite State Machine Error subcodes (RFC 6608)."""

    UNSPECIFIED_ERROR = 0
    RECEIVE_UNEXPECTED_MESSAGE_IN_OPENSENT_STATE = 1
    RECEIVE_UNEXPECTED_MESSAGE_IN_OPENCONFIRM_STATE = 2
    RECEIVE_UNEXPECTED_MESSAGE_IN_ESTABLISHED_STATE = 3


class CeaseSubcode(enum.IntEnum):
    """BGP Cease NOTIFICATION message subcodes (RFC 4486, RFC 8538, RFC 9384)."""

    MAXIMUM_NUMBER_OF_PREFIXES_REACHED = 1
    ADMINISTRATIVE_SHUTDOWN = 2
    PEER_DE_CONFIGURED = 3
    ADMINISTRATIVE_RESET = 4
    CONNECTION_REJECTED = 5
    OTHER_CONFIGURATION_CHANGE = 6
    CONNECTION_COLLISION_RESOLUTION = 7
    OUT_OF_RESOURCES = 8
    HARD_RESET = 9
    BFD_DOWN = 10


class RouteRefreshErrorSubcode(enum.IntEnum):
    """BGP ROUTE-REFRESH Message Error subcodes (RFC 7313)."""

    INVALID_MESSAGE_LENGTH = 1


_CODES: dict[int, int] = {m.value: m for m in NotificationCode}
_SUBCODES: dict[int, dict[int, int]] = {
    1: {m.value: m for m in MessageHeaderErrorSubcode},
    2: {m.value: m for m in OpenMessageErrorSubcode},
    3: {m.value: m for m in UpdateMessageErrorSubcode},
    5: {m.value: m for m in FSMErrorSubcode},
    6: {m.value: m for m in CeaseSubcode},
    7: {m.value: m for m in RouteRefreshErrorSubcode},
}
_NO_SUBCODES: dict[int, int] = {}

#: RFC 9003 section 2: the shutdown communication is at most 255 octets
MAX_SHUTDOWN_COMMUNICATION = 255


@dataclass(slots=True)
class Notification:
    """BGP NOTIFICATION (RFC 4271 section 4.5): error code, subcode and data.

    ``code`` and ``subcode`` are registry enums when registered, plain ints
    otherwise; ``data`` is always the raw octets.  For Cease subcodes 2
    (Administrative Shutdown) and 4 (Administrative Reset) the data is a
    shutdown communication (RFC 9003), decoded by :attr:`shutdown_message`.
    """

    _json_views: ClassVar[tuple[str, ...]] = ("shutdown_message",)

    code: NotificationCode | int
    subcode: enum.IntEnum | int
    data: bytes = b""

    @property
    def type(self) -> BGPMessageType:
        return BGPMessageType.NOTIFICATION

    @property
    def shutdown_message(self) -> str | None:
        """The shutdown communication of a Cease 2/4 (RFC 9003 section 2): a
        1-octet length then that many octets of UTF-8.  ``None`` when this is
        not a Cease 2/4, when there is no data, or when the length does not
        match the data or the text is not valid UTF-8 (the octets stay in
        :attr:`data`)."""
        if self.code != 6 or self.subcode not in (2, 4):
            return None
        data = self.data
        if not data or data[0] != len(data) - 1:
            return None
        try:
            return data[1:].decode("utf-8")
        except UnicodeDecodeError:
            return None

    @property
    def hard_reset(self) -> Notification | None:
        """For a Cease / Hard Reset (RFC 8538 section 3), the NOTIFICATION it
        carries (its code, subcode and data); ``None`` otherwise."""
        if self.code != 6 or self.subcode != 9 or len(self.data) < 2:
            return None
        code, subcode = self.data[0], self.data[1]
        return Notification(
            _CODES.get(code, code), _SUBCODES.get(code, _NO_SUBCODES).get(subcode, subcode), self.data[2:]
        )

    def encode(self) -> bytes:
        """The whole BGP message (header included)."""
        if not 0 <= self.code <= 255:
            raise EncodeError("code", f"{self.code} does not fit 1 octet")
        if not 0 <= self.subcode <= 255:
            raise EncodeError("subcode", f"{self.subcode} does not fit 1 octet")
        body = bytes((self.code, self.subcode)) + self.data
        return encode_bgp_header(len(body), BGPMessageType.NOTIFICATION) + body


def encode_shutdown_communication(text: str) -> bytes:
    """The data of a Cease 2/4 NOTIFICATION carrying *text* (RFC 9003)."""
    raw = text.encode("utf-8")
    if len(raw) > MAX_SHUTDOWN_COMMUNICATION:
        raise EncodeError("shutdown_message", f"{len(raw)} octets exceed {MAX_SHUTDOWN_COMMUNICATION}")
    return bytes((len(raw),)) + raw


def decode_notification(buf: bytes, pos: int, end: int, ctx: DecodeContext | None = None) -> Notification:
    """Decode the NOTIFICATION body ``buf[pos:end]`` (after the header)."""
    if end - pos < 2:
        msg = pos - BGP_HEADER_LENGTH
        raise BGPDecodeError(f"NOTIFICATION needs 2 octets after the header, {end - pos} left", msg, buf[msg:end])
    code = buf[pos]
    subcode = buf[pos + 1]
    return Notification(
        _CODES.get(code, code),
        _SUBCODES.get(code, _NO_SUBCODES).get(subcode, subcode),
        buf[pos + 2 : end],
    )


register_decoder(BGPMessageType.NOTIFICATION, decode_notification)
