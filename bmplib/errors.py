"""The error hierarchy of bmplib.

Every decoder raises only :class:`DecodeError` (or a subclass) for bad input.
Each error says which *layer* failed, the byte *offset* of the failing unit
(from the start of the BMP message, or of the stream for framing errors), a
human *reason*, and the raw *data* of the unit that failed, so nothing is lost.
"""

from __future__ import annotations

__all__ = [
    "BGPDecodeError",
    "BMPDecodeError",
    "CaptureError",
    "DecodeError",
    "EncodeError",
    "FramingError",
    "InternalDecodeError",
    "NLRIDecodeError",
    "OpenBMPDecodeError",
    "ProxyDecodeError",
]


class DecodeError(Exception):
    """Bytes that could not be decoded.

    :ivar layer: ``"stream"``, ``"bmp"``, ``"bgp"``, ``"nlri"`` or ``"capture"``.
    :ivar offset: byte offset of the failing unit.
    :ivar reason: what is wrong, in words.
    :ivar data: the raw bytes of the unit that failed (may be empty).
    """

    layer = "decode"

    def __init__(self, reason: str, offset: int = 0, data: bytes = b"") -> None:
        super().__init__(reason, offset, data)
        self.reason = reason
        self.offset = offset
        self.data = bytes(data)

    def __str__(self) -> str:
        return f"{self.layer} decode error at offset {self.offset}: {self.reason}"

    def __eq__(self, other: object) -> bool:
        return (
            type(other) is type(self)
            and isinstance(other, DecodeError)
            and (self.reason, self.offset, self.data) == (other.reason, other.offset, other.data)
        )

    def __hash__(self) -> int:
        return hash((type(self), self.reason, self.offset))


class FramingError(DecodeError):
    """The BMP common header of a stream is not acceptable (bad version,
    length below the header size or above the limit).  The offset is the
    position in the stream.  Framing errors are the only ones that stop a
    :class:`~bmplib.BMPDecoder` (unless it resynchronises)."""

    layer = "stream"


class BMPDecodeError(DecodeError):
    """A BMP message (RFC 7854) frames well but its body is malformed."""

    layer = "bmp"


class BGPDecodeError(DecodeError):
    """A BGP PDU (RFC 4271) inside a BMP message is malformed as a whole."""

    layer = "bgp"


class NLRIDecodeError(BGPDecodeError):
    """NLRI of some address family could not be parsed."""

    layer = "nlri"


class OpenBMPDecodeError(DecodeError):
    """An OpenBMP binary header (the wrapping of a BMP message on OpenBMP's
    Kafka topics) is malformed."""

    layer = "openbmp"


class ProxyDecodeError(DecodeError):
    """A PROXY protocol header (HAProxy, versions 1 and 2) expected at the
    start of a stream is missing or malformed."""

    layer = "proxy"


class CaptureError(DecodeError):
    """A capture file (pcap / pcapng) is unreadable."""

    layer = "capture"


class InternalDecodeError(DecodeError):
    """A decoder hit an unexpected Python exception.

    This is always a bug in bmplib: the input was converted into this error so
    that callers only ever see :class:`DecodeError`.  The fuzz and property
    tests assert that it never happens.
    """

    layer = "internal"


class EncodeError(Exception):
    """A model object cannot be written to the wire: a value does not fit its
    field.  :ivar field: the name of the offending field."""

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(f"{field}: {reason}")
        self.field = field
        self.reason = reason
