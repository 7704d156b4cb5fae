"""OpenBMP's raw binary header, version 1.7: how OpenBMP and gobmp wrap each
BMP message they publish on their ``bmp_raw`` Kafka topic (OpenBMP message
bus API, "BMP RAW" object type 12).

::

    magic "OBMP" (4) | major (1) | minor (1) | header length (2)
    message length (4) | flags (1) | object type (1)
    collector timestamp: seconds (4), microseconds (4)
    collector hash (16) | admin ID length (2) | admin ID (variable)
    router hash (16) | router IP (16) | router group length (2) | router group (variable)
    row count (4)
    ... then "message length" octets of BMP

All integers are big-endian.  Flags: 0x80 the record comes from a router
(the router fields are set), 0x40 the router IP is IPv6 (else IPv4 in the
first 4 octets).  Octets between the row count and the header length (a
later minor version's fields) are kept in :attr:`OpenBMPHeader.extra`.

:func:`decode_openbmp` reads one record (one Kafka record's value);
:class:`OpenBMPDecoder` is a sans-IO reader of records back to back (a file
of them) that decodes each router's BMP with its own
:class:`~bmplib.BMPDecoder`, so that Peer Up context carries across records.
"""

from __future__ import annotations

import datetime as _dt
import socket
import struct
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from bmplib.bmp.header import utc_datetime
from bmplib.bmp.tlv import decode_text, encode_text
from bmplib.errors import EncodeError, FramingError, OpenBMPDecodeError
from bmplib.stream import BMPDecoder, StreamItem

__all__ = [
    "FLAG_ROUTER_IPV6",
    "FLAG_ROUTER_MESSAGE",
    "MAGIC",
    "OBJECT_TYPE_BMP_RAW",
    "OpenBMPDecoder",
    "OpenBMPHeader",
    "OpenBMPItem",
    "OpenBMPRecord",
    "decode_openbmp",
    "decode_openbmp_header",
]

MAGIC = b"OBMP"
OBJECT_TYPE_BMP_RAW = 12
FLAG_ROUTER_MESSAGE = 0x80
FLAG_ROUTER_IPV6 = 0x40

# magic, major, minor, header length, message length, flags, object type,
# seconds, microseconds, collector hash, admin ID length
_FIXED = struct.Struct("!4sBBHIBBII16sH")
_ROUTER = struct.Struct("!16s16sH")  # router hash, router IP, router group length
_U32 = struct.Struct("!I")
#: the header with an empty admin ID and router group
MIN_HEADER_LENGTH = _FIXED.size + _ROUTER.size + 4
_ZERO12 = bytes(12)


@dataclass(slots=True)
class OpenBMPHeader:
    """The OpenBMP binary header of one record (message length and header
    length are derived when encoding)."""

    version_major: int
    version_minor: int
    flags: int
    object_type: int
    timestamp_sec: int
    timestamp_usec: int
    collector_hash: bytes
    collector_admin_id: str
    router_hash: bytes
    router_ip: str
    router_group: str
    row_count: int
    extra: bytes = b""

    @property
    def timestamp(self) -> float:
        """The collector's timestamp in seconds since the epoch."""
        return self.timestamp_sec + self.timestamp_usec / 1e6

    @property
    def datetime(self) -> _dt.datetime:
        """The collector's timestamp as an aware UTC datetime."""
        return utc_datetime(self.timestamp_sec, self.timestamp_usec)

    @property
    def is_router_message(self) -> bool:
        """Flag 0x80: the record carries a router's BMP (router fields set)."""
        return bool(self.flags & FLAG_ROUTER_MESSAGE)

    @property
    def is_router_ipv6(self) -> bool:
        """Flag 0x40: the router IP is IPv6."""
        return bool(self.flags & FLAG_ROUTER_IPV6)

    @property
    def router_key(self) -> tuple[bytes, str]:
        """Which router's BMP stream the record continues."""
        return (self.router_hash, self.router_ip)

    def encode(self, message_length: int) -> bytes:
        """The header octets for a record carrying *message_length* octets."""
        for name, size in (("collector_hash", len(self.collector_hash)), ("router_hash", len(self.router_hash))):
            if size != 16:
                raise EncodeError(name, f"needs 16 octets, has {size}")
        admin, group = encode_text(self.collector_admin_id), encode_text(self.router_group)
        length = MIN_HEADER_LENGTH + len(admin) + len(group) + len(self.extra)
        for name, value, limit in (
            ("version_major", self.version_major, 0xFF),
            ("version_minor", self.version_minor, 0xFF),
            ("header_length", length, 0xFFFF),
            ("message_length", message_length, 0xFFFFFFFF),
            ("flags", self.flags, 0xFF),
            ("object_type", self.object_type, 0xFF),
            ("timestamp_sec", self.timestamp_sec, 0xFFFFFFFF),
            ("timestamp_usec", self.timestamp_usec, 0xFFFFFFFF),
            ("row_count", self.row_count, 0xFFFFFFFF),
        ):
            if not 0 <= value <= limit:
                raise EncodeError(name, f"{value} does not fit {limit.bit_length() // 8} octet(s)")
        try:
            if ":" in self.router_ip:
                ip = socket.inet_pton(socket.AF_INET6, self.router_ip)
            else:
                ip = socket.inet_pton(socket.AF_INET, self.router_ip) + _ZERO12
        except (OSError, TypeError) as exc:
            raise EncodeError("router_ip", f"not an IP address: {self.router_ip!r}") from exc
        return (
            _FIXED.pack(
                MAGIC, self.version_major, self.version_minor, length, message_length, self.flags,
                self.object_type, self.timestamp_sec, self.timestamp_usec, self.collector_hash, len(admin),
            )
            + admin + _ROUTER.pack(self.router_hash, ip, len(group)) + group
            + _U32.pack(self.row_count) + self.extra
        )  # fmt: skip

    def __json__(self) -> dict[str, Any]:
        return {
            "version": f"{self.version_major}.{self.version_minor}",
            "flags": self.flags,
            "object_type": self.object_type,
            "timestamp": self.timestamp,
            "timestamp_sec": self.timestamp_sec,
            "timestamp_usec": self.timestamp_usec,
            "collector_hash": self.collector_hash.hex(),
            "collector_admin_id": self.collector_admin_id,
            "router_hash": self.router_hash.hex(),
            "router_ip": self.router_ip,
            "router_group": self.router_group,
            "row_count": self.row_count,
            "extra": self.extra.hex(),
        }


def decode_openbmp_header(buf: bytes, pos: int = 0) -> tuple[OpenBMPHeader, int, int]:
    """Decode the header at *pos*: ``(header, header length, message
    length)``.  Raises :class:`~bmplib.errors.OpenBMPDecodeError` when it is not an
    OpenBMP header or is truncated or inconsistent."""
    if len(buf) - pos < _FIXED.size:
        raise OpenBMPDecodeError(f"OpenBMP header needs {MIN_HEADER_LENGTH} octets, {len(buf) - pos} left", pos,
                                 buf[pos:])  # fmt: skip
    magic, major, minor, hlen, mlen, flags, otype, sec, usec, chash, admin_len = _FIXED.unpack_from(buf, pos)
    if magic != MAGIC:
        raise OpenBMPDecodeError(f"magic {magic!r} is not {MAGIC!r}", pos, buf[pos : pos + 4])
    if len(buf) - pos < hlen:
        raise OpenBMPDecodeError(f"header length {hlen} runs past the data ({len(buf) - pos} octets)", pos,
                                 buf[pos:])  # fmt: skip
    p = pos + _FIXED.size
    end = pos + hlen
    if end - p < admin_len + _ROUTER.size:
        raise OpenBMPDecodeError(f"header length {hlen} is too short for its admin ID ({admin_len} octets)", pos,
                                 buf[pos:end])  # fmt: skip
    admin = buf[p : p + admin_len]
    p += admin_len
    rhash, rip, group_len = _ROUTER.unpack_from(buf, p)
    p += _ROUTER.size
    if end - p < group_len + 4:
        raise OpenBMPDecodeError(f"header length {hlen} is too short for its router group ({group_len} octets)",
                                 pos, buf[pos:end])  # fmt: skip
    group = buf[p : p + group_len]
    p += group_len
    (rows,) = _U32.unpack_from(buf, p)
    p += 4
    # IPv6 when flagged, or when an IPv4 address would lose non-zero octets
    if flags & FLAG_ROUTER_IPV6 or rip[4:] != _ZERO12:
        ip = socket.inet_ntop(socket.AF_INET6, rip)
    else:
        ip = socket.inet_ntop(socket.AF_INET, rip[:4])
    header = OpenBMPHeader(major, minor, flags, otype, sec, usec, chash, decode_text(admin), rhash, ip,
                           decode_text(group), rows, buf[p:end])  # fmt: skip
    return header, hlen, mlen


@dataclass(slots=True)
class OpenBMPRecord:
    """One OpenBMP record: its header and the BMP octets it carries."""

    header: OpenBMPHeader
    payload: bytes

    def messages(self) -> list[StreamItem]:
        """The BMP messages of :attr:`payload` (normally exactly one), decoded
        without session context; octets that do not frame as BMP, or a cut
        message, come as skip records."""
        dec = BMPDecoder(resync=True)
        dec.feed(self.payload)
        dec.close()
        return list(dec)

    def encode(self) -> bytes:
        return self.header.encode(len(self.payload)) + self.payload


def decode_openbmp(data: bytes | bytearray | memoryview) -> OpenBMPRecord:
    """Decode exactly one OpenBMP record (e.g. one Kafka record's value)."""
    buf = bytes(data)
    header, hlen, mlen = decode_openbmp_header(buf)
    if hlen + mlen != len(buf):
        raise OpenBMPDecodeError(f"header ({hlen}) and message length ({mlen}) make {hlen + mlen} octets, the record "
                                 f"has {len(buf)}", 0, buf)  # fmt: skip
    return OpenBMPRecord(header, buf[hlen:])


@dataclass(slots=True)
class OpenBMPItem:
    """A stream item read from OpenBMP records, with the header of the
    record that completed it.  ``item.offset`` is the item's position in its
    router's BMP stream (the payloads of that router's records, in order)."""

    item: StreamItem
    header: OpenBMPHeader
    record_offset: int = field(default=0)

    @property
    def type(self) -> Any:
        return self.item.type

    @property
    def peer(self) -> Any:
        return getattr(self.item, "peer", None)

    @property
    def offset(self) -> int:
        return self.item.offset

    def __json__(self) -> dict[str, Any]:
        from bmplib.json import to_json  # json is an adapter over the core; import it late

        out = to_json(self.item)
        out["openbmp"] = self.header.__json__()
        out["openbmp"]["record_offset"] = self.record_offset
        return out


class OpenBMPDecoder:
    """Sans-IO reader of OpenBMP records back to back: :meth:`feed` octets,
    iterate for :class:`OpenBMPItem` objects.  Each router (router hash and
    IP) gets its own :class:`~bmplib.BMPDecoder` (made with *options*), so a
    BMP message split over records, and Peer Up context, carry across.

    A record that does not start with the magic stops the reader with a
    :class:`~bmplib.FramingError`."""

    def __init__(self, **options: Any) -> None:
        self.options = options
        self.decoders: dict[tuple[bytes, str], BMPDecoder] = {}
        self.headers: dict[tuple[bytes, str], tuple[OpenBMPHeader, int]] = {}  # each router's last record
        self._buf = bytearray()
        self._base = 0
        self._ready: list[OpenBMPItem] = []
        self._eof = False

    def feed(self, data: bytes | bytearray | memoryview) -> None:
        """Append *data*."""
        if self._eof:
            raise ValueError("feed() after close()")
        self._buf += data

    def close(self) -> None:
        """The input ended: each router's decoder reports what it still holds."""
        self._eof = True

    @property
    def pending(self) -> bytes:
        """Octets of an incomplete record."""
        return bytes(self._buf)

    def __iter__(self) -> Iterator[OpenBMPItem]:
        return self

    def __next__(self) -> OpenBMPItem:
        while not self._ready:
            if not self._next_record():
                raise StopIteration
        return self._ready.pop(0)

    def _next_record(self) -> bool:
        buf = self._buf
        if len(buf) >= _FIXED.size:
            if buf[:4] != MAGIC:
                raise FramingError(f"OpenBMP magic {bytes(buf[:4])!r} is not {MAGIC!r}", self._base, bytes(buf[:4]))
            hlen, mlen = struct.unpack_from("!HI", buf, 6)
            if len(buf) >= hlen + mlen:
                record = bytes(buf[: hlen + mlen])
                offset = self._base
                del buf[: hlen + mlen]
                self._base += hlen + mlen
                try:
                    header, _, _ = decode_openbmp_header(record)
                except OpenBMPDecodeError as exc:
                    raise FramingError(exc.reason, offset + exc.offset, exc.data) from None
                dec = self.decoders.get(header.router_key)
                if dec is None:
                    dec = self.decoders[header.router_key] = BMPDecoder(**self.options)
                self.headers[header.router_key] = (header, offset)
                dec.feed(record[hlen:])
                self._ready.extend(OpenBMPItem(item, header, offset) for item in dec)
                return True
        if not self._eof:
            return False
        if buf:
            raise FramingError(f"the input ends inside an OpenBMP record ({len(buf)} octets)", self._base, bytes(buf))
        for key, dec in list(self.decoders.items()):
            if not dec.pending:
                continue
            dec.close()
            header, offset = self.headers[key]
            self._ready.extend(OpenBMPItem(item, header, offset) for item in dec)
        self.decoders.clear()
        return bool(self._ready)
