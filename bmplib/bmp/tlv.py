"""The type-length-value items of BMP messages (RFC 7854 sections 4.4, 4.5,
4.7, 4.8, 4.10)."""

from __future__ import annotations

import enum
import struct
from dataclasses import dataclass

from bmplib.bmp.constants import InitiationTLVType, PeerUpTLVType, TerminationTLVType
from bmplib.errors import BMPDecodeError, EncodeError

__all__ = ["InformationTLV", "decode_information_tlvs", "decode_text", "encode_text", "encode_tlv", "TLV_HEADER"]

#: type (2), length (2)
TLV_HEADER = struct.Struct("!HH")


@dataclass(slots=True)
class InformationTLV:
    """One Information TLV: a type code and its raw value (RFC 7854 section
    4.4).  :attr:`text` decodes the value as UTF-8 (invalid octets replaced)."""

    type: int
    value: bytes

    @property
    def text(self) -> str:
        """The value as text (RFC 7854: "free-form UTF-8")."""
        return self.value.decode("utf-8", "replace")

    @property
    def is_text(self) -> bool:
        """Whether the registry defines this TLV's value as UTF-8 text: every
        registered Initiation and Peer Up TLV, and Termination type 0."""
        t = self.type
        if isinstance(t, TerminationTLVType):
            return t is TerminationTLVType.STRING
        return isinstance(t, (InitiationTLVType, PeerUpTLVType))

    def encode(self) -> bytes:
        """Type, length and value on the wire."""
        return encode_tlv(self.type, self.value)

    def __json__(self) -> dict[str, object]:
        t = self.type
        out: dict[str, object] = {"type": t.name.lower() if isinstance(t, enum.IntEnum) else t, "code": int(t)}
        if self.is_text:
            out["value"] = self.text
        else:
            out["hex"] = self.value.hex()
        return out


def decode_text(raw: bytes) -> str:
    """A TLV's UTF-8 text; octets that are not UTF-8 are kept (surrogateescape)
    so that :func:`encode_text` gives them back."""
    return raw.decode("utf-8", "surrogateescape")


def encode_text(text: str) -> bytes:
    """The octets of a text value read by :func:`decode_text`."""
    return text.encode("utf-8", "surrogateescape")


def encode_tlv(tlv_type: int, value: bytes) -> bytes:
    """Encode one BMP TLV with a 2-octet type and 2-octet length."""
    if not 0 <= tlv_type <= 0xFFFF:
        raise EncodeError("tlv.type", f"{tlv_type} does not fit 2 octets")
    if len(value) > 0xFFFF:
        raise EncodeError("tlv.value", f"{len(value)} octets do not fit a 2-octet length")
    return TLV_HEADER.pack(tlv_type, len(value)) + value


def iter_tlvs(buf: bytes, pos: int, end: int, what: str) -> list[tuple[int, int, int]]:
    """Walk the TLVs in ``buf[pos:end]``; return (type, value start, value end)
    triples.  Raises :class:`BMPDecodeError` when a TLV runs past *end*."""
    out = []
    while pos < end:
        if end - pos < 4:
            raise BMPDecodeError(f"{what} TLV header truncated ({end - pos} octets left)", pos, buf[pos:end])
        tlv_type, length = TLV_HEADER.unpack_from(buf, pos)
        vstart = pos + 4
        if vstart + length > end:
            raise BMPDecodeError(
                f"{what} TLV type {tlv_type} length {length} runs past the message ({end - vstart} left)",
                pos, buf[pos:end],
            )  # fmt: skip
        out.append((tlv_type, vstart, vstart + length))
        pos = vstart + length
    return out


def decode_information_tlvs(
    buf: bytes, pos: int, end: int, what: str, enum_map: dict[int, int]
) -> list[InformationTLV]:
    """Decode a run of Information TLVs; *enum_map* maps known codes to their
    enum members (unknown codes stay ints and keep their value)."""
    return [InformationTLV(enum_map.get(t, t), buf[vs:ve]) for t, vs, ve in iter_tlvs(buf, pos, end, what)]
