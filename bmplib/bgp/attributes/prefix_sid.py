"""BGP Prefix-SID (40; RFC 8669, RFC 9252): segment routing information of a
route as TLVs.

=====  ===============================================  ==========================
TLV    name                                             class
=====  ===============================================  ==========================
1      Label-Index (RFC 8669 section 3.1)               :class:`LabelIndexTLV`
3      Originator SRGB (RFC 8669 section 3.2)           :class:`OriginatorSRGBTLV`
5      SRv6 L3 Service (RFC 9252 section 2)             :class:`SRv6ServiceTLV`
6      SRv6 L2 Service (RFC 9252 section 2)             :class:`SRv6ServiceTLV`
other  (kept raw)                                       :class:`PrefixSIDTLV`
=====  ===============================================  ==========================

SRv6 service TLVs carry sub-TLVs (type 1: :class:`SRv6SIDInformation`), which
carry sub-sub-TLVs (type 1: :class:`SRv6SIDStructure`); unknown ones at each
level are kept raw (:class:`PrefixSIDTLV`).  TLVs are ``type (1) | length (2)
| value`` at every level.
"""

from __future__ import annotations

import enum
import socket
import struct
from dataclasses import dataclass, field
from typing import Any, ClassVar

from bmplib.bgp.attributes.base import (
    OPTIONAL_TRANSITIVE,
    AttributeType,
    ErrorAction,
    MalformedAttributeError,
    _AttributeBase,
    register_attribute,
)
from bmplib.errors import EncodeError
from bmplib.session import DecodeContext

__all__ = [
    "LabelIndexTLV",
    "OriginatorSRGBTLV",
    "PrefixSID",
    "PrefixSIDTLV",
    "PrefixSIDType",
    "SRv6SIDInformation",
    "SRv6SIDStructure",
    "SRv6ServiceTLV",
    "decode_prefix_sid",
]

_TLV = struct.Struct("!BH")
_LABEL_INDEX = struct.Struct("!BHI")
_SID_STRUCT = struct.Struct("!BBBBBB")


class PrefixSIDType(enum.IntEnum):
    """BGP Prefix-SID TLV Types (IANA)."""

    LABEL_INDEX = 1
    ORIGINATOR_SRGB = 3
    SRV6_L3_SERVICE = 5
    SRV6_L2_SERVICE = 6


_TYPES = {m.value: m for m in PrefixSIDType}


def _tlv(t: int, value: bytes) -> bytes:
    if len(value) > 0xFFFF or not 0 <= t <= 0xFF:
        raise EncodeError("prefix_sid", f"TLV type {t} / length {len(value)} does not fit")
    return _TLV.pack(t, len(value)) + value


def _fit(name: str, value: int, octets: int) -> int:
    if not 0 <= value < 1 << (8 * octets):
        raise EncodeError(name, f"{value} does not fit {octets} octet(s)")
    return value


@dataclass(slots=True)
class PrefixSIDTLV:
    """A TLV (or sub-TLV, sub-sub-TLV) bmplib does not decode: type and raw value."""

    type: int
    value: bytes

    def encode(self) -> bytes:
        return _tlv(self.type, self.value)


@dataclass(slots=True)
class LabelIndexTLV:
    """Label-Index TLV (RFC 8669 section 3.1): the index into the SRGB."""

    type: ClassVar[int] = 1
    label_index: int
    flags: int = 0
    reserved: int = 0

    def encode(self) -> bytes:
        return _tlv(
            1,
            _LABEL_INDEX.pack(
                _fit("reserved", self.reserved, 1),
                _fit("flags", self.flags, 2),
                _fit("label_index", self.label_index, 4),
            ),
        )


@dataclass(slots=True)
class OriginatorSRGBTLV:
    """Originator SRGB TLV (RFC 8669 section 3.2): the SRGB ranges of the
    originator, each ``(base label, range size)``."""

    type: ClassVar[int] = 3
    srgbs: list[tuple[int, int]]
    flags: int = 0

    def encode(self) -> bytes:
        out = _fit("flags", self.flags, 2).to_bytes(2, "big")
        for base, size in self.srgbs:
            out += _fit("srgb.base", base, 3).to_bytes(3, "big") + _fit("srgb.range", size, 3).to_bytes(3, "big")
        return _tlv(3, out)


@dataclass(slots=True)
class SRv6SIDStructure:
    """SRv6 SID Structure sub-sub-TLV (RFC 9252 section 3.2.1): locator
    block, locator node, function and argument lengths in bits, and the
    transposition length / offset of the bits carried in the label field."""

    type: ClassVar[int] = 1
    locator_block_length: int
    locator_node_length: int
    function_length: int
    argument_length: int
    transposition_length: int
    transposition_offset: int

    def encode(self) -> bytes:
        values = (
            self.locator_block_length,
            self.locator_node_length,
            self.function_length,
            self.argument_length,
            self.transposition_length,
            self.transposition_offset,
        )
        for v in values:
            _fit("sid_structure", v, 1)
        return _tlv(1, _SID_STRUCT.pack(*values))


@dataclass(slots=True)
class SRv6SIDInformation:
    """SRv6 SID Information sub-TLV (RFC 9252 section 3.1): the SID, its
    flags and endpoint behavior (RFC 8986 codes), and sub-sub-TLVs."""

    type: ClassVar[int] = 1
    sid: str
    endpoint_behavior: int
    sid_flags: int = 0
    sub_sub_tlvs: list[Any] = field(default_factory=list)
    reserved1: int = 0
    reserved2: int = 0

    @property
    def structure(self) -> SRv6SIDStructure | None:
        """The SID structure sub-sub-TLV, when present."""
        for t in self.sub_sub_tlvs:
            if isinstance(t, SRv6SIDStructure):
                return t
        return None

    def encode(self) -> bytes:
        try:
            sid = socket.inet_pton(socket.AF_INET6, self.sid)
        except (OSError, ValueError) as exc:
            raise EncodeError("sid", f"not an IPv6 address: {self.sid!r}") from exc
        body = (
            bytes((_fit("reserved1", self.reserved1, 1),))
            + sid
            + bytes((_fit("sid_flags", self.sid_flags, 1),))
            + _fit("endpoint_behavior", self.endpoint_behavior, 2).to_bytes(2, "big")
            + bytes((_fit("reserved2", self.reserved2, 1),))
            + b"".join(t.encode() for t in self.sub_sub_tlvs)
        )
        return _tlv(1, body)


@dataclass(slots=True)
class SRv6ServiceTLV:
    """SRv6 L3 Service (type 5) or L2 Service (type 6) TLV (RFC 9252 section
    2): a reserved octet and SRv6 service sub-TLVs."""

    type: int
    sub_tlvs: list[Any]
    reserved: int = 0

    @property
    def sid_information(self) -> list[SRv6SIDInformation]:
        """The SRv6 SID Information sub-TLVs."""
        return [t for t in self.sub_tlvs if isinstance(t, SRv6SIDInformation)]

    def encode(self) -> bytes:
        return _tlv(
            self.type, bytes((_fit("reserved", self.reserved, 1),)) + b"".join(t.encode() for t in self.sub_tlvs)
        )


class _Walker:
    """TLV walking with absolute positions; errors are the attribute's."""

    __slots__ = ("buf", "start", "stop")

    def __init__(self, buf: bytes, start: int, stop: int) -> None:
        self.buf = buf
        self.start = start
        self.stop = stop

    def fail(self, reason: str, at: int) -> MalformedAttributeError:
        return MalformedAttributeError(
            f"BGP Prefix-SID: {reason} (at offset {at})", self.start, self.buf[self.start : self.stop]
        )

    def tlvs(self, pos: int, end: int, what: str) -> list[tuple[int, int, int]]:
        """``(type, value start, value end)`` of the TLVs in ``buf[pos:end]``."""
        out = []
        while pos < end:
            if pos + 3 > end:
                raise self.fail(f"{what} header truncated", pos)
            t, n = _TLV.unpack_from(self.buf, pos)
            if pos + 3 + n > end:
                raise self.fail(f"{what} type {t} of length {n} runs past its container", pos)
            out.append((t, pos + 3, pos + 3 + n))
            pos += 3 + n
        return out


def _sub_sub_tlvs(w: _Walker, pos: int, end: int) -> list[Any]:
    out: list[Any] = []
    for t, s, e in w.tlvs(pos, end, "SRv6 service data sub-sub-TLV"):
        if t == 1 and e - s == 6:
            out.append(SRv6SIDStructure(*_SID_STRUCT.unpack_from(w.buf, s)))
        else:
            out.append(PrefixSIDTLV(t, w.buf[s:e]))
    return out


def _sub_tlvs(w: _Walker, pos: int, end: int) -> list[Any]:
    buf = w.buf
    out: list[Any] = []
    for t, s, e in w.tlvs(pos, end, "SRv6 service sub-TLV"):
        if t == 1:
            if e - s < 21:
                raise w.fail(f"SRv6 SID information sub-TLV of {e - s} octets (at least 21)", s - 3)
            out.append(
                SRv6SIDInformation(
                    socket.inet_ntop(socket.AF_INET6, buf[s + 1 : s + 17]),
                    int.from_bytes(buf[s + 18 : s + 20], "big"),
                    buf[s + 17],
                    _sub_sub_tlvs(w, s + 21, e),
                    buf[s],
                    buf[s + 20],
                )
            )
        else:
            out.append(PrefixSIDTLV(t, buf[s:e]))
    return out


@dataclass(slots=True)
class PrefixSID(_AttributeBase):
    """BGP Prefix-SID (type 40; RFC 8669 section 3, RFC 9252 section 2):
    the TLVs in wire order."""

    type_code: ClassVar[int] = AttributeType.PREFIX_SID
    tlvs: list[Any]
    flags: int = OPTIONAL_TRANSITIVE

    def get(self, tlv_type: int) -> Any:
        """The first TLV of *tlv_type*, or ``None``."""
        for t in self.tlvs:
            if t.type == tlv_type:
                return t
        return None

    @property
    def label_index(self) -> int | None:
        """The label index of the Label-Index TLV, when present."""
        t = self.get(PrefixSIDType.LABEL_INDEX)
        return t.label_index if isinstance(t, LabelIndexTLV) else None

    @property
    def srv6_sids(self) -> list[str]:
        """Every SRv6 SID of the L3 and L2 service TLVs."""
        return [i.sid for t in self.tlvs if isinstance(t, SRv6ServiceTLV) for i in t.sid_information]

    def _value(self) -> bytes:
        return b"".join(t.encode() for t in self.tlvs)


def decode_prefix_sid(buf: bytes, pos: int, end: int, flags: int, ctx: DecodeContext) -> PrefixSID:
    """BGP Prefix-SID from ``buf[pos:end]``."""
    w = _Walker(buf, pos, end)
    out: list[Any] = []
    for t, s, e in w.tlvs(pos, end, "TLV"):
        n = e - s
        if t == 1:
            if n != 7:
                raise w.fail(f"Label-Index TLV of {n} octets (expected 7)", s - 3)
            reserved, tflags, index = _LABEL_INDEX.unpack_from(buf, s)
            out.append(LabelIndexTLV(index, tflags, reserved))
        elif t == 3:
            if n < 2 or (n - 2) % 6:
                raise w.fail(f"Originator SRGB TLV of {n} octets (2 + a multiple of 6)", s - 3)
            srgbs = [
                (int.from_bytes(buf[p : p + 3], "big"), int.from_bytes(buf[p + 3 : p + 6], "big"))
                for p in range(s + 2, e, 6)
            ]
            out.append(OriginatorSRGBTLV(srgbs, int.from_bytes(buf[s : s + 2], "big")))
        elif t in (5, 6):
            if n < 1:
                raise w.fail(f"SRv6 service TLV of {n} octets", s - 3)
            out.append(SRv6ServiceTLV(_TYPES.get(t, t), _sub_tlvs(w, s + 1, e), buf[s]))
        else:
            out.append(PrefixSIDTLV(t, buf[s:e]))
    return PrefixSID(out, flags)


# RFC 8669 section 6: a malformed BGP Prefix-SID attribute is discarded
# ("attribute discard", RFC 7606), the route is kept
register_attribute(
    AttributeType.PREFIX_SID, decode_prefix_sid, PrefixSID, ErrorAction.ATTRIBUTE_DISCARD, OPTIONAL_TRANSITIVE
)
