"""Reading BMP from files: a raw BMP stream, or (through :mod:`bmplib.pcap`)
a pcap / pcapng capture.  The format is told by the file's first octets, not
its name."""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from bmplib.errors import CaptureError
from bmplib.stream import BMPDecoder, StreamItem

__all__ = ["detect_format", "iter_file", "iter_stream"]

PCAP_MAGICS = {b"\xa1\xb2\xc3\xd4", b"\xd4\xc3\xb2\xa1", b"\xa1\xb2\x3c\x4d", b"\x4d\x3c\xb2\xa1"}
PCAPNG_MAGIC = b"\x0a\x0d\x0d\x0a"
CHUNK = 1 << 20


def detect_format(head: bytes) -> str:
    """``"pcap"``, ``"pcapng"`` or ``"bmp"`` from the first 4 octets."""
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


def iter_file(path: str | Path, **options: Any) -> Iterator[Any]:
    """Decode every BMP message in the file at *path*: a raw BMP stream, a
    pcap or a pcapng capture.  Yields messages, error records and skip
    records in stream order.  *options* go to :class:`~bmplib.BMPDecoder`
    (and, for captures, to :func:`bmplib.pcap.iter_capture`)."""
    try:
        fh = open(path, "rb")
    except OSError as exc:
        raise CaptureError(f"cannot open {path}: {exc.strerror}", 0, b"") from exc
    with fh:
        fmt = detect_format(fh.read(4))
        fh.seek(0)
        if fmt == "bmp":
            yield from iter_stream(fh, **options)
            return
        pcap = importlib.import_module("bmplib.pcap")
        yield from pcap.iter_capture(fh, **options)
