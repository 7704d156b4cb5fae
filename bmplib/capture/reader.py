"""Reading packet records from pcap and pcapng files.

The file headers (pcap file header, pcapng Section Header and Interface
Description blocks with their options) are parsed with dpkt; the per-packet
records are walked here with precompiled structs, so that timestamps stay
exact integers (nanoseconds), every interface of a pcapng keeps its own link
type and clock, and a damaged or truncated file is reported as a
:class:`~bmplib.errors.CaptureError` with its file offset instead of being
silently cut short.

pcap: both byte orders, microsecond (``a1b2c3d4``) and nanosecond
(``a1b23c4d``) timestamps.  pcapng: several sections (each with its byte
order) and several interfaces (each with its link type, ``if_tsresol`` and
``if_tsoffset``); Enhanced, Simple and (obsolete) Packet blocks.
"""

from __future__ import annotations

import struct
from collections.abc import Iterator
from typing import Any, BinaryIO, NamedTuple

import dpkt  # type: ignore[import-untyped]

from bmplib.errors import CaptureError

__all__ = ["Packet", "iter_packets", "iter_pcap", "iter_pcapng", "PCAP_MAGICS", "PCAPNG_MAGIC"]

PCAP_MAGICS = {b"\xa1\xb2\xc3\xd4", b"\xd4\xc3\xb2\xa1", b"\xa1\xb2\x3c\x4d", b"\x4d\x3c\xb2\xa1"}
PCAPNG_MAGIC = b"\x0a\x0d\x0d\x0a"

_CHUNK = 1 << 20
#: A pcapng block longer than this is taken as damage, not as a packet.
MAX_RECORD = 1 << 26
#: Like Wireshark: a pcap record longer than this (and than the file's snap
#: length) is damage, not a packet.
MAX_PACKET = 262144

_NANO_MAGICS = {0xA1B23C4D}
_LINKTYPE_MASK = 0x03FFFFFF  # the upper bits of a pcap link type carry FCS information

_PCAPNG_SHB = 0x0A0D0D0A
_PCAPNG_IDB = 1
_PCAPNG_PB = 2
_PCAPNG_SPB = 3
_PCAPNG_EPB = 6
_BOM = 0x1A2B3C4D


class Packet(NamedTuple):
    """One captured frame.

    :ivar timestamp_ns: capture time, nanoseconds since the Unix epoch.
    :ivar linktype: the ``LINKTYPE_*`` value of its interface.
    :ivar data: the captured octets.
    :ivar orig_len: the frame's length on the wire (larger than ``len(data)``
        when the capture was cut by a snap length).
    """

    timestamp_ns: int
    linktype: int
    data: bytes
    orig_len: int


class _Buffer:
    """A read-ahead window over a binary file with absolute positions."""

    __slots__ = ("base", "buf", "eof", "fh", "pos")

    def __init__(self, fh: BinaryIO, start: bytes = b"") -> None:
        self.fh = fh
        self.buf = start
        self.pos = 0
        self.base = 0  # file offset of buf[0]
        self.eof = False

    def ensure(self, n: int) -> bool:
        """Make *n* octets available at ``pos``; ``False`` at end of file.
        Reads at most ``_CHUNK`` octets at a time, so what it holds is bounded
        by what the file has, whatever length a damaged record claims."""
        have = len(self.buf) - self.pos
        if have >= n:
            return True
        if self.eof:
            return False
        parts = [self.buf[self.pos :]]
        while have < n:
            chunk = self.fh.read(_CHUNK)
            if not chunk:
                self.eof = True
                break
            parts.append(chunk)
            have += len(chunk)
        self.base += self.pos
        self.buf = b"".join(parts)
        self.pos = 0
        return have >= n

    @property
    def offset(self) -> int:
        return self.base + self.pos

    def remaining(self) -> int:
        return len(self.buf) - self.pos


def _read_exact(fh: BinaryIO, n: int) -> bytes:
    data = fh.read(n)
    return data if isinstance(data, bytes) else bytes(data)


def iter_packets(fh: BinaryIO) -> Iterator[Packet]:
    """Every packet of the pcap or pcapng capture read from *fh* (told apart
    by the magic number).  Raises :class:`CaptureError` for anything else."""
    head = _read_exact(fh, 4)
    if head in PCAP_MAGICS:
        yield from iter_pcap(fh, head)
    elif head == PCAPNG_MAGIC:
        yield from iter_pcapng(fh, head)
    else:
        raise CaptureError("not a pcap or pcapng capture (unknown magic number)", 0, head)


def iter_pcap(fh: BinaryIO, head: bytes = b"") -> Iterator[Packet]:
    """The packets of a classic pcap file (*head*: octets already read)."""
    hdr = head + _read_exact(fh, 24 - len(head))
    if len(hdr) < 24:
        raise CaptureError(f"truncated pcap file header ({len(hdr)} of 24 octets)", 0, hdr)
    try:
        fhdr: Any = dpkt.pcap.FileHdr(hdr)
        if fhdr.magic in (dpkt.pcap.PMUDPCT_MAGIC, dpkt.pcap.PMUDPCT_MAGIC_NANO):
            fhdr = dpkt.pcap.LEFileHdr(hdr)
            order = "<"
        else:
            order = ">"
    except dpkt.UnpackError as exc:  # pragma: no cover - 24 octets always unpack
        raise CaptureError(f"bad pcap file header: {exc}", 0, hdr) from exc
    if fhdr.magic not in (dpkt.pcap.TCPDUMP_MAGIC, dpkt.pcap.TCPDUMP_MAGIC_NANO):
        raise CaptureError(f"bad pcap magic {fhdr.magic:#x}", 0, hdr)
    nano = fhdr.magic in _NANO_MAGICS
    linktype = fhdr.linktype & _LINKTYPE_MASK
    rec = struct.Struct(order + "IIII")
    frac_ns = 1 if nano else 1000
    max_caplen = max(fhdr.snaplen, MAX_PACKET)
    b = _Buffer(fh)
    b.base = 24
    while True:
        if not b.ensure(16):
            if b.remaining():
                raise CaptureError(
                    f"truncated pcap file: packet record header at file offset {b.offset} has "
                    f"{b.remaining()} of 16 octets",
                    b.offset,
                    b.buf[b.pos :],
                )
            return
        sec, frac, caplen, origlen = rec.unpack_from(b.buf, b.pos)
        if caplen > max_caplen:
            raise CaptureError(
                f"damaged pcap file: packet record at file offset {b.offset} has captured length {caplen}",
                b.offset,
                b.buf[b.pos : b.pos + 16],
            )
        if not b.ensure(16 + caplen):
            raise CaptureError(
                f"truncated pcap file: packet at file offset {b.offset} has {b.remaining() - 16} of {caplen} octets",
                b.offset,
                b.buf[b.pos :],
            )
        start = b.pos + 16
        b.pos = start + caplen
        yield Packet(sec * 1_000_000_000 + frac * frac_ns, linktype, b.buf[start : b.pos], max(origlen, caplen))


class _Interface(NamedTuple):
    linktype: int
    #: (multiplier, shift, divisor): ns = ts * mul // div  (or  ts * mul >> shift)
    mul: int
    div: int
    shift: int
    offset_ns: int


def _interface(block: bytes, le: bool) -> _Interface:
    """Parse an Interface Description Block with dpkt."""
    idb: Any = (dpkt.pcapng.InterfaceDescriptionBlockLE if le else dpkt.pcapng.InterfaceDescriptionBlock)(block)
    mul, div, shift, offset_ns = 1000, 1, 0, 0  # default resolution: microseconds
    for opt in idb.opts:
        if opt.code == dpkt.pcapng.PCAPNG_OPT_IF_TSRESOL and len(opt.data) >= 1:
            v = opt.data[0]
            if v & 0x80:  # negative power of two
                mul, div, shift = 1_000_000_000, 1, v & 0x7F
            else:
                exp = v & 0x7F
                mul, div, shift = (10 ** (9 - exp), 1, 0) if exp <= 9 else (1, 10 ** (exp - 9), 0)
        elif opt.code == dpkt.pcapng.PCAPNG_OPT_IF_TSOFFSET and len(opt.data) >= 8:
            offset_ns = struct.unpack("<q" if le else ">q", opt.data[:8])[0] * 1_000_000_000
    return _Interface(idb.linktype, mul, div, shift, offset_ns)


def iter_pcapng(fh: BinaryIO, head: bytes = b"") -> Iterator[Packet]:
    """The packets of a pcapng file (*head*: octets already read)."""
    b = _Buffer(fh, head)
    le = True
    blk_head = struct.Struct("<II")
    u32 = struct.Struct("<I")
    interfaces: list[_Interface] = []
    epb = struct.Struct("<IIIII")
    pb = struct.Struct("<HHIIII")
    first = True
    while True:
        if not b.ensure(8):
            if b.remaining():
                raise CaptureError(
                    f"truncated pcapng file: block header at file offset {b.offset} has {b.remaining()} of 8 octets",
                    b.offset,
                    b.buf[b.pos :],
                )
            return
        raw_type = b.buf[b.pos : b.pos + 4]
        if raw_type == PCAPNG_MAGIC:  # a Section Header Block: its byte order applies to the section
            if not b.ensure(12):
                raise CaptureError(f"truncated pcapng section header at file offset {b.offset}", b.offset, b"")
            bom = b.buf[b.pos + 8 : b.pos + 12]
            if bom == b"\x4d\x3c\x2b\x1a":
                le = True
            elif bom == b"\x1a\x2b\x3c\x4d":
                le = False
            else:
                raise CaptureError(
                    f"damaged pcapng file: bad byte-order magic at file offset {b.offset + 8}", b.offset, bom
                )
            blk_head = struct.Struct("<II" if le else ">II")
            u32 = struct.Struct("<I" if le else ">I")
            epb = struct.Struct("<IIIII" if le else ">IIIII")
            pb = struct.Struct("<HHIIII" if le else ">HHIIII")
            interfaces = []
        elif first:
            raise CaptureError("damaged pcapng file: it does not start with a section header", 0, raw_type)
        first = False
        btype, blen = blk_head.unpack_from(b.buf, b.pos)
        if blen < 12 or blen % 4 or blen > MAX_RECORD:
            raise CaptureError(
                f"damaged pcapng file: block at file offset {b.offset} has length {blen}",
                b.offset,
                b.buf[b.pos : b.pos + 8],
            )
        if not b.ensure(blen):
            raise CaptureError(
                f"truncated pcapng file: block at file offset {b.offset} has {b.remaining()} of {blen} octets",
                b.offset,
                b.buf[b.pos :],
            )
        start = b.pos
        end = start + blen
        if u32.unpack_from(b.buf, end - 4)[0] != blen:
            raise CaptureError(
                f"damaged pcapng file: block at file offset {b.offset} ends with a different length",
                b.offset,
                b.buf[start : start + 8],
            )
        block_offset = b.offset
        b.pos = end
        body = start + 8
        try:
            if btype == _PCAPNG_EPB:
                if blen < 32:
                    raise CaptureError(f"damaged pcapng file: short packet block at {block_offset}", block_offset)
                iface_id, ts_hi, ts_lo, caplen, origlen = epb.unpack_from(b.buf, body)
                data_at = body + 20
                ts = (ts_hi << 32) | ts_lo
            elif btype == _PCAPNG_SPB:
                if blen < 16:
                    raise CaptureError(f"damaged pcapng file: short packet block at {block_offset}", block_offset)
                iface_id, ts = 0, None
                origlen = u32.unpack_from(b.buf, body)[0]
                data_at = body + 4
                snap = end - 4 - data_at
                caplen = min(origlen, snap)
            elif btype == _PCAPNG_PB:
                if blen < 32:
                    raise CaptureError(f"damaged pcapng file: short packet block at {block_offset}", block_offset)
                iface_id, _drops, ts_hi, ts_lo, caplen, origlen = pb.unpack_from(b.buf, body)
                data_at = body + 20
                ts = (ts_hi << 32) | ts_lo
            elif btype == _PCAPNG_IDB:
                interfaces.append(_interface(b.buf[start:end], le))
                continue
            else:  # section header, name resolution, statistics, custom...: nothing to read
                continue
        except (dpkt.UnpackError, struct.error) as exc:
            raise CaptureError(f"damaged pcapng block at file offset {block_offset}: {exc}", block_offset) from exc
        if data_at + caplen > end - 4:
            raise CaptureError(
                f"damaged pcapng file: packet at file offset {block_offset} overruns its block",
                block_offset,
                b.buf[start : start + 28],
            )
        if iface_id >= len(interfaces):
            raise CaptureError(
                f"damaged pcapng file: packet at file offset {block_offset} names interface {iface_id}, "
                f"{len(interfaces)} described",
                block_offset,
                b.buf[start : start + 28],
            )
        itf = interfaces[iface_id]
        if ts is None:
            ts_ns = 0
        elif itf.shift:
            ts_ns = itf.offset_ns + ((ts * itf.mul) >> itf.shift)
        else:
            ts_ns = itf.offset_ns + ts * itf.mul // itf.div
        yield Packet(ts_ns, itf.linktype, b.buf[data_at : data_at + caplen], max(origlen, caplen))
