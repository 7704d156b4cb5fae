"""Reading BMP from files: a raw BMP stream, or (through :mod:`bmplib.pcap`)
a pcap / pcapng capture.  The format is told by the file's first octets, not
its name."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any, BinaryIO, Union

from bmplib.capture.reader import PCAP_MAGICS, PCAPNG_MAGIC
from bmplib.errors import CaptureError
from bmplib.openbmp import MAGIC as OPENBMP_MAGIC
from bmplib.openbmp import OpenBMPDecoder, OpenBMPItem
from bmplib.pcap import CapturedItem, iter_capture
from bmplib.stream import BMPDecoder, StreamItem

__all__ = ["CAPTURE_OPTIONS", "FileItem", "detect_format", "iter_file", "iter_fileobj", "iter_openbmp", "iter_stream"]

CHUNK = 1 << 20

#: Options of :func:`iter_file` that only apply to captures (a raw BMP
#: stream has no TCP flows): they are ignored for raw streams.
CAPTURE_OPTIONS = frozenset({"ports", "max_out_of_order", "detect_window"})

#: What :func:`iter_file` yields: stream items for a raw BMP stream,
#: :class:`~bmplib.pcap.CapturedItem` objects for a capture,
#: :class:`~bmplib.openbmp.OpenBMPItem` objects for OpenBMP records.
FileItem = Union[StreamItem, CapturedItem, OpenBMPItem]


def detect_format(head: bytes) -> str:
    """``"pcap"``, ``"pcapng"``, ``"openbmp"`` (OpenBMP binary records) or
    ``"bmp"`` from the first 4 octets."""
    if head[:4] == OPENBMP_MAGIC:
        return "openbmp"
    if head[:4] in PCAP_MAGICS:
        return "pcap"
    if head[:4] == PCAPNG_MAGIC:
        return "pcapng"
    return "bmp"


def iter_stream(fileobj: Any, **decoder_options: Any) -> Iterator[StreamItem]:
    """Decode a raw BMP stream read from a binary file object."""
    dec = BMPDecoder(**decoder_options)
    while True:
        chunk = fileobj.read(CHUNK)
        if not chunk:
            break
        dec.feed(chunk)
        yield from dec
    dec.close()
    yield from dec


def iter_openbmp(fileobj: Any, **decoder_options: Any) -> Iterator[OpenBMPItem]:
    """Decode a file of OpenBMP records (:mod:`bmplib.openbmp`)."""
    dec = OpenBMPDecoder(**decoder_options)
    while True:
        chunk = fileobj.read(CHUNK)
        if not chunk:
            break
        dec.feed(chunk)
        yield from dec
    dec.close()
    yield from dec


def _peek(fileobj: BinaryIO) -> bytes:
    """The first 4 octets of *fileobj*, leaving it where it was."""
    peek = getattr(fileobj, "peek", None)
    if peek is not None and not fileobj.seekable():
        head: bytes = peek(4)[:4]
        return head
    pos = fileobj.tell()
    head = fileobj.read(4)
    fileobj.seek(pos)
    return head


def iter_fileobj(fileobj: BinaryIO, **options: Any) -> Iterator[FileItem]:
    """Like :func:`iter_file` over an open binary file object (seekable, or
    with ``peek`` like ``sys.stdin.buffer``)."""
    fmt = detect_format(_peek(fileobj))
    if fmt == "bmp":
        yield from iter_stream(fileobj, **{k: v for k, v in options.items() if k not in CAPTURE_OPTIONS})
    elif fmt == "openbmp":
        yield from iter_openbmp(fileobj, **{k: v for k, v in options.items() if k not in CAPTURE_OPTIONS})
    else:
        yield from iter_capture(fileobj, **{k: v for k, v in options.items() if k != "resync"})


def iter_file(path: str | Path, **options: Any) -> Iterator[FileItem]:
    """Decode every BMP message in the file at *path*: a raw BMP stream, a
    pcap or a pcapng capture, or OpenBMP records (told apart by their magic
    numbers).

    A raw stream yields messages, error records and skip records in stream
    order.  A capture yields :class:`~bmplib.pcap.CapturedItem` objects: the
    same items (plus :class:`~bmplib.pcap.StreamGap` records) with the TCP
    flow and capture time they came from; see :mod:`bmplib.pcap`.

    *options* go to :class:`~bmplib.BMPDecoder` (``max_message_length``,
    ``resync``, ``track_sessions``) and, for captures, to
    :class:`~bmplib.pcap.CaptureDecoder` (``ports``, ``max_out_of_order``,
    ``detect_window``; captures always resynchronise)."""
    try:
        fh = open(path, "rb")
    except OSError as exc:
        raise CaptureError(f"cannot open {path}: {exc.strerror}", 0, b"") from exc
    with fh:
        yield from iter_fileobj(fh, **options)
