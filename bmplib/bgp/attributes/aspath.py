"""AS_PATH (2), AGGREGATOR (7), AS4_PATH (17) and AS4_AGGREGATOR (18)
(RFC 4271 sections 4.3 and 5.1.2, RFC 5065 confederation segments, RFC 6793
4-octet AS numbers).

The AS width of AS_PATH and AGGREGATOR depends on the session
(``ctx.asn4``).  With ``ctx.asn_guess`` an AS_PATH that does not parse with
that width is retried with the other one, and the result says so
(``guessed=True``).  :func:`merge_as4_path` builds the effective path of a
2-octet session from AS_PATH and AS4_PATH (RFC 6793 section 4.2.3).
"""

from __future__ import annotations

import enum
import socket
import struct
from dataclasses import dataclass
from typing import ClassVar

from bmplib.bgp.attributes.base import (
    OPTIONAL_TRANSITIVE,
    WELL_KNOWN,
    AttributeType,
    ErrorAction,
    MalformedAttributeError,
    _AttributeBase,
    register_attribute,
)
from bmplib.errors import EncodeError
from bmplib.session import DecodeContext

__all__ = [
    "AS4Aggregator",
    "AS4Path",
    "ASPath",
    "ASPathSegment",
    "AS_TRANS",
    "Aggregator",
    "SegmentType",
    "merge_as4_path",
]

AS_TRANS = 23456  # RFC 6793 section 9


class SegmentType(enum.IntEnum):
    """AS_PATH segment types (RFC 4271 section 4.3, RFC 5065 section 3)."""

    AS_SET = 1
    AS_SEQUENCE = 2
    AS_CONFED_SEQUENCE = 3
    AS_CONFED_SET = 4


_SEGMENT_TYPES = {m.value: m for m in SegmentType}
_STRUCTS: dict[tuple[int, int], struct.Struct] = {}


def _asn_struct(count: int, width: int) -> struct.Struct:
    s = _STRUCTS.get((count, width))
    if s is None:
        s = _STRUCTS[(count, width)] = struct.Struct(f"!{count}{'I' if width == 4 else 'H'}")
    return s


for _n in range(1, 33):
    _asn_struct(_n, 2)
    _asn_struct(_n, 4)


@dataclass(slots=True)
class ASPathSegment:
    """One AS_PATH segment: its type and AS numbers."""

    type: SegmentType | int
    asns: tuple[int, ...]

    def __hash__(self) -> int:
        return hash((self.type, tuple(self.asns)))

    def __str__(self) -> str:
        inner = " ".join(map(str, self.asns))
        t = self.type
        if t == SegmentType.AS_SET:
            return "{" + inner + "}"
        if t == SegmentType.AS_CONFED_SEQUENCE:
            return "(" + inner + ")"
        if t == SegmentType.AS_CONFED_SET:
            return "[" + inner + "]"
        return inner

    def encode(self, asn4: bool = True) -> bytes:
        n = len(self.asns)
        if not 0 <= self.type <= 0xFF:
            raise EncodeError("as_path.segment.type", f"{self.type} does not fit 1 octet")
        if n > 255:
            raise EncodeError("as_path.segment", f"{n} AS numbers do not fit one segment")
        limit = 0xFFFFFFFF if asn4 else 0xFFFF
        for a in self.asns:
            if not 0 <= a <= limit:
                raise EncodeError("as_path.segment", f"AS {a} does not fit {4 if asn4 else 2} octets")
        body = _asn_struct(n, 4 if asn4 else 2).pack(*self.asns) if n else b""
        return bytes((self.type, n)) + body


def _decode_segments(buf: bytes, pos: int, end: int, width: int) -> list[ASPathSegment] | str:
    """The segments, or the reason they do not parse (RFC 7606 section 7.2)."""
    segments = []
    types = _SEGMENT_TYPES
    while pos < end:
        if end - pos < 2:
            return "AS_PATH segment header truncated"
        stype = types.get(buf[pos])
        count = buf[pos + 1]
        if stype is None:
            return f"unknown AS_PATH segment type {buf[pos]}"
        if count == 0:
            return "AS_PATH segment of length zero"
        npos = pos + 2 + count * width
        if npos > end:
            return f"AS_PATH segment of {count} AS numbers overruns the attribute"
        s = _STRUCTS.get((count, width)) or _asn_struct(count, width)
        segments.append(ASPathSegment(stype, s.unpack_from(buf, pos + 2)))
        pos = npos
    return segments


class _PathMixin(_AttributeBase):
    __slots__ = ()
    segments: list[ASPathSegment]

    @property
    def asns(self) -> list[int]:
        """Every AS number of every segment, in order."""
        return [a for s in self.segments for a in s.asns]

    @property
    def path_length(self) -> int:
        """The path length for route selection (RFC 4271 section 9.1.2.2:
        an AS_SET counts 1, confederation segments 0)."""
        n = 0
        for s in self.segments:
            if s.type == SegmentType.AS_SEQUENCE:
                n += len(s.asns)
            elif s.type == SegmentType.AS_SET:
                n += 1
        return n

    @property
    def origin_as(self) -> int | None:
        """The last AS of the path when it ends in an AS_SEQUENCE."""
        for s in reversed(self.segments):
            if s.type == SegmentType.AS_SEQUENCE and s.asns:
                return s.asns[-1]
            if s.asns:
                return None
        return None

    def __str__(self) -> str:
        return " ".join(str(s) for s in self.segments)


@dataclass(slots=True)
class ASPath(_PathMixin):
    """AS_PATH (type 2, RFC 4271 section 5.1.2).

    :ivar asn4: the AS numbers were (and are encoded as) 4 octets.
    :ivar guessed: the width was not the session's; decoding retried the
        other one (``ctx.asn_guess``).
    """

    type_code: ClassVar[int] = AttributeType.AS_PATH
    segments: list[ASPathSegment]
    asn4: bool = True
    flags: int = WELL_KNOWN
    guessed: bool = False

    def __hash__(self) -> int:
        # from the fields == compares (the segment list as a tuple); do not
        # change a path while it is in a set or a dict key
        return hash((tuple(self.segments), self.asn4, self.flags, self.guessed))

    def _value(self) -> bytes:
        return b"".join(s.encode(self.asn4) for s in self.segments)


@dataclass(slots=True)
class AS4Path(_PathMixin):
    """AS4_PATH (type 17, RFC 6793 section 3): always 4-octet AS numbers."""

    type_code: ClassVar[int] = AttributeType.AS4_PATH
    segments: list[ASPathSegment]
    flags: int = OPTIONAL_TRANSITIVE

    def __hash__(self) -> int:
        return hash((tuple(self.segments), self.flags))

    def _value(self) -> bytes:
        return b"".join(s.encode(True) for s in self.segments)


def decode_as_path(buf: bytes, pos: int, end: int, flags: int, ctx: DecodeContext) -> ASPath:
    asn4 = ctx.asn4
    segs = _decode_segments(buf, pos, end, 4 if asn4 else 2)
    if isinstance(segs, list):
        return ASPath(segs, asn4, flags)
    if ctx.asn_guess:
        other = _decode_segments(buf, pos, end, 2 if asn4 else 4)
        if isinstance(other, list):
            return ASPath(other, not asn4, flags, True)
    raise MalformedAttributeError(segs, pos, buf[pos:end])


def decode_as4_path(buf: bytes, pos: int, end: int, flags: int, ctx: DecodeContext) -> AS4Path:
    segs = _decode_segments(buf, pos, end, 4)
    if isinstance(segs, str):
        raise MalformedAttributeError(segs.replace("AS_PATH", "AS4_PATH"), pos, buf[pos:end])
    return AS4Path(segs, flags)


@dataclass(slots=True)
class Aggregator(_AttributeBase):
    """AGGREGATOR (type 7, RFC 4271 section 5.1.7; 4-octet AS per RFC 6793).

    :ivar asn4: the AS was 4 octets (value length 8) rather than 2 (6).
    """

    type_code: ClassVar[int] = AttributeType.AGGREGATOR
    asn: int
    address: str
    asn4: bool = True
    flags: int = OPTIONAL_TRANSITIVE

    def _value(self) -> bytes:
        return _encode_aggregator(self.asn, self.address, self.asn4)


@dataclass(slots=True)
class AS4Aggregator(_AttributeBase):
    """AS4_AGGREGATOR (type 18, RFC 6793 section 3)."""

    type_code: ClassVar[int] = AttributeType.AS4_AGGREGATOR
    asn: int
    address: str
    flags: int = OPTIONAL_TRANSITIVE

    def _value(self) -> bytes:
        return _encode_aggregator(self.asn, self.address, True)


def _encode_aggregator(asn: int, address: str, asn4: bool) -> bytes:
    if not 0 <= asn <= (0xFFFFFFFF if asn4 else 0xFFFF):
        raise EncodeError("aggregator.asn", f"AS {asn} does not fit {4 if asn4 else 2} octets")
    try:
        packed = socket.inet_aton(address)
    except (OSError, TypeError) as exc:
        raise EncodeError("aggregator.address", f"not an IPv4 address: {address!r}") from exc
    return (struct.pack("!I", asn) if asn4 else struct.pack("!H", asn)) + packed


def decode_aggregator(buf: bytes, pos: int, end: int, flags: int, ctx: DecodeContext) -> Aggregator:
    n = end - pos
    # the length tells the width; a length that disagrees with the session
    # is taken as what it says (RFC 6793 section 4.2.3 speakers do both)
    if n == 8:
        return Aggregator(struct.unpack_from("!I", buf, pos)[0], socket.inet_ntoa(buf[pos + 4 : end]), True, flags)
    if n == 6:
        return Aggregator(struct.unpack_from("!H", buf, pos)[0], socket.inet_ntoa(buf[pos + 2 : end]), False, flags)
    raise MalformedAttributeError(f"AGGREGATOR length {n} is not {8 if ctx.asn4 else 6}", pos, buf[pos:end])


def decode_as4_aggregator(buf: bytes, pos: int, end: int, flags: int, ctx: DecodeContext) -> AS4Aggregator:
    if end - pos != 8:
        raise MalformedAttributeError(f"AS4_AGGREGATOR length {end - pos} is not 8", pos, buf[pos:end])
    return AS4Aggregator(struct.unpack_from("!I", buf, pos)[0], socket.inet_ntoa(buf[pos + 4 : end]), flags)


def merge_as4_path(as_path: ASPath, as4_path: AS4Path | None, aggregator: Aggregator | None = None) -> ASPath:
    """The effective AS path (RFC 6793 section 4.2.3).

    For a 4-octet AS_PATH, or without AS4_PATH, that is AS_PATH itself.  An
    AGGREGATOR with a real 2-octet AS (not AS_TRANS) means AS4_PATH is
    ignored; so is an AS4_PATH longer than AS_PATH.  Otherwise the leading
    AS numbers of AS_PATH that AS4_PATH lacks are kept in front of AS4_PATH.
    """
    if as4_path is None or as_path.asn4:
        return as_path
    if aggregator is not None and aggregator.asn != AS_TRANS:
        return as_path
    n2, n4 = as_path.path_length, as4_path.path_length
    if n2 < n4:
        return as_path
    need = n2 - n4
    merged: list[ASPathSegment] = []
    for seg in as_path.segments:
        if need <= 0:
            break
        if seg.type == SegmentType.AS_SEQUENCE:
            take = seg.asns[:need]
            need -= len(take)
            merged.append(ASPathSegment(seg.type, take))
        elif seg.type == SegmentType.AS_SET:
            merged.append(seg)
            need -= 1
        else:
            merged.append(seg)
    for seg in as4_path.segments:
        if merged and seg.type == SegmentType.AS_SEQUENCE and merged[-1].type == SegmentType.AS_SEQUENCE:
            last = merged.pop()
            merged.append(ASPathSegment(SegmentType.AS_SEQUENCE, last.asns + seg.asns))
        else:
            merged.append(seg)
    return ASPath(merged, True, as_path.flags)


_TAW = ErrorAction.TREAT_AS_WITHDRAW
_DISCARD = ErrorAction.ATTRIBUTE_DISCARD
# RFC 7606 sections 7.2 (AS_PATH) and 7.7 (AGGREGATOR); RFC 6793 section 6
# (AS4_PATH / AS4_AGGREGATOR: attribute-discard).
register_attribute(AttributeType.AS_PATH, decode_as_path, ASPath, _TAW, WELL_KNOWN)
register_attribute(AttributeType.AGGREGATOR, decode_aggregator, Aggregator, _DISCARD, OPTIONAL_TRANSITIVE)
register_attribute(AttributeType.AS4_PATH, decode_as4_path, AS4Path, _DISCARD, OPTIONAL_TRANSITIVE)
register_attribute(AttributeType.AS4_AGGREGATOR, decode_as4_aggregator, AS4Aggregator, _DISCARD, OPTIONAL_TRANSITIVE)
