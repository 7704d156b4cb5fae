"""Reading BMP from files: a raw BMP stream, or (through :mod:`bmplib.pcap`)
a pcap / pcapng capture, either of them possibly compressed (gzip, bzip2,
xz, zstd).  Formats are told by the file's first octets, never its name.

Input is read as it arrives (:class:`LiveInput`): a pipe or a socket fed
slowly yields each message as soon as its last octet is in, not when a
megabyte has accumulated.
"""

from __future__ import annotations

import bz2
import gzip
import lzma
import os
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any, BinaryIO, Union, cast

from bmplib.capture.reader import PCAP_MAGICS, PCAPNG_MAGIC
from bmplib.errors import DecodeError
from bmplib.openbmp import MAGIC as OPENBMP_MAGIC
from bmplib.openbmp import OpenBMPDecoder, OpenBMPItem
from bmplib.pcap import CapturedItem, iter_capture
from bmplib.stream import BMPDecoder, StreamItem

__all__ = [
    "CAPTURE_OPTIONS",
    "COMPRESSIONS",
    "CompressionError",
    "EXACT_READ",
    "FileItem",
    "LiveInput",
    "decompress",
    "detect_compression",
    "detect_format",
    "iter_file",
    "iter_fileobj",
    "iter_openbmp",
    "iter_stream",
    "open_input",
]

CHUNK = 1 << 20

#: Reads of at most this many octets block until all of them are there (or
#: the end of the input): they are a format's fixed-size headers.
EXACT_READ = 4096

#: Options of :func:`iter_file` that only apply to captures (a raw BMP
#: stream has no TCP flows): they are ignored for raw streams.
CAPTURE_OPTIONS = frozenset({"ports", "max_out_of_order", "detect_window"})

#: What :func:`iter_file` yields: stream items for a raw BMP stream,
#: :class:`~bmplib.pcap.CapturedItem` objects (which stand in for the stream
#: item they carry) for a capture, :class:`~bmplib.openbmp.OpenBMPItem` objects
#: for OpenBMP records.
FileItem = Union[StreamItem, CapturedItem, OpenBMPItem]

#: Compression formats by their magic number (RFC 1952, bzip2, xz, RFC 8878).
#: None of them can start a BMP stream (version octet 3) or a capture.
COMPRESSIONS = {
    b"\x1f\x8b": "gzip",
    b"BZh": "bzip2",
    b"\xfd7zXZ\x00": "xz",
    b"\x28\xb5\x2f\xfd": "zstd",
}


class CompressionError(DecodeError):
    """A compressed input that does not decompress (damaged or truncated),
    or a compression whose optional module is not installed (zstd needs
    ``pip install 'bmplib[zstd]'``)."""

    layer = "compression"


class LiveInput:
    """A binary reader that returns data as soon as it is there.

    ``read(n)`` for ``n`` up to :data:`EXACT_READ` returns ``n`` octets (fewer
    only at the end); a larger ``read(n)`` returns what one read of the
    underlying file gives (``read1``, at least one octet before the end), so
    a decoder reading big chunks never waits for a slow pipe to fill them.
    ``peek(n)`` returns the next ``n`` octets without consuming them.
    ``tell()`` counts the octets handed out; :attr:`raw` is the file read.
    """

    def __init__(self, raw: Any) -> None:
        self.raw = raw
        self._buf = b""
        self._pos = 0
        self._eof = False
        read1 = getattr(raw, "read1", None)
        self._read1 = read1 if read1 is not None else raw.read

    def _fill(self) -> bool:
        """One read of the underlying file into the buffer; False at its end."""
        if self._eof:
            return False
        try:
            chunk = self._read1(CHUNK)
        except OSError as exc:
            if exc.errno is not None:
                raise  # a real I/O error (EIO, ...), not the data's fault
            raise CompressionError(f"damaged compressed input: {exc}", self._pos) from None
        except (EOFError, lzma.LZMAError, zlib.error) as exc:
            raise CompressionError(f"damaged or truncated compressed input: {exc}", self._pos) from None
        except Exception as exc:
            if type(exc).__name__ != "ZstdError":  # zstandard's errors derive from Exception only
                raise
            raise CompressionError(f"damaged compressed input: {exc}", self._pos) from None
        if not chunk:
            self._eof = True
            return False
        self._buf = self._buf + bytes(chunk) if self._buf else bytes(chunk)
        return True

    def peek(self, n: int = 1) -> bytes:
        while len(self._buf) < n and self._fill():
            pass
        return self._buf[:n]

    def read(self, n: int = -1) -> bytes:
        if n < 0:
            while self._fill():
                pass
            n = len(self._buf)
        elif n <= EXACT_READ:
            while len(self._buf) < n and self._fill():
                pass
        elif not self._buf:
            self._fill()
        out, self._buf = self._buf[:n], self._buf[n:]
        self._pos += len(out)
        return out

    read1 = read

    def tell(self) -> int:
        return self._pos

    def seekable(self) -> bool:
        return False

    def readable(self) -> bool:
        return True

    def close(self) -> None:
        self.raw.close()

    def __enter__(self) -> LiveInput:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


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


def detect_compression(head: bytes) -> str | None:
    """``"gzip"``, ``"bzip2"``, ``"xz"``, ``"zstd"`` or ``None`` from the
    first 6 octets."""
    for magic, name in COMPRESSIONS.items():
        if head.startswith(magic):
            return name
    return None


def decompress(fileobj: Any, kind: str) -> Any:
    """A binary file object reading the decompressed octets of *fileobj*."""
    if kind == "gzip":
        return gzip.GzipFile(fileobj=fileobj, mode="rb")
    if kind == "bzip2":
        return bz2.BZ2File(fileobj, "rb")
    if kind == "xz":
        return lzma.LZMAFile(fileobj, "rb")
    if kind == "zstd":
        try:
            import zstandard
        except ImportError:
            raise CompressionError("zstd input needs the zstandard module: pip install 'bmplib[zstd]'") from None
        return zstandard.ZstdDecompressor().stream_reader(fileobj, read_across_frames=True, closefd=True)
    raise ValueError(f"unknown compression {kind!r}")


def open_input(fileobj: Any) -> tuple[LiveInput, str | None]:
    """*fileobj* (an open binary file, pipe or socket file) as a
    :class:`LiveInput` of its decompressed octets, and the compression found
    (``None`` for plain input)."""
    live = fileobj if isinstance(fileobj, LiveInput) else LiveInput(fileobj)
    kind = detect_compression(live.peek(6))
    if kind is None:
        return live, None
    return LiveInput(decompress(live, kind)), kind


def iter_stream(fileobj: Any, **decoder_options: Any) -> Iterator[StreamItem]:
    """Decode a raw BMP stream read from a binary file object; each message
    comes out as soon as its octets have been read."""
    yield from _decode_all(BMPDecoder(**decoder_options), fileobj)


def iter_openbmp(fileobj: Any, **decoder_options: Any) -> Iterator[OpenBMPItem]:
    """Decode a file of OpenBMP records (:mod:`bmplib.openbmp`)."""
    yield from _decode_all(OpenBMPDecoder(**decoder_options), fileobj)


def _decode_all(dec: Any, fileobj: Any) -> Iterator[Any]:
    """Feed *dec* (a sans-IO decoder) everything *fileobj* holds, as it is read."""
    read = getattr(fileobj, "read1", None) or fileobj.read
    while True:
        chunk = read(CHUNK)
        if not chunk:
            break
        dec.feed(chunk)
        yield from dec
    dec.close()
    yield from dec


def iter_fileobj(fileobj: Any, **options: Any) -> Iterator[FileItem]:
    """Like :func:`iter_file` over an open binary file object (a file, a
    pipe such as ``sys.stdin.buffer``, a socket's file...), read as data
    arrives."""
    live, _ = open_input(fileobj)
    fmt = detect_format(live.peek(4))
    if fmt == "bmp":
        yield from iter_stream(live, **{k: v for k, v in options.items() if k not in CAPTURE_OPTIONS})
    elif fmt == "openbmp":
        yield from iter_openbmp(live, **{k: v for k, v in options.items() if k not in CAPTURE_OPTIONS})
    else:
        options = {k: v for k, v in options.items() if k != "resync"}
        yield from iter_capture(cast(BinaryIO, live), **options)


def iter_file(path: str | os.PathLike[str] | Path, **options: Any) -> Iterator[FileItem]:
    """Decode every BMP message in the file at *path*: a raw BMP stream, a
    pcap or a pcapng capture, or OpenBMP records (told apart by their magic
    numbers), plain or compressed with gzip, bzip2, xz or zstd (``bmplib[zstd]``).

    A raw stream yields messages, error records and skip records in stream
    order.  A capture yields :class:`~bmplib.pcap.CapturedItem` objects: the
    same items (plus :class:`~bmplib.pcap.StreamGap` records) with the TCP
    flow and capture time they came from; a captured item stands in for its
    item (``.type``, ``.peer``, ``.update``... are the item's), so the same
    loop reads both; see :mod:`bmplib.pcap`.

    A file that ends inside a message ends with a
    :class:`~bmplib.SkippedBytes` record for the partial message, whatever
    its format.  A file that cannot be opened raises :class:`OSError`
    (:class:`FileNotFoundError`...); a damaged or truncated capture
    structure raises :class:`~bmplib.CaptureError` after the items before
    the damage; a damaged compressed file raises :class:`~bmplib.files.CompressionError`.
    An empty file, or a capture without BMP, yields nothing.

    *options* go to :class:`~bmplib.BMPDecoder` (``max_message_length``,
    ``resync``, ``track_sessions``) and, for captures, to
    :class:`~bmplib.pcap.CaptureDecoder` (``ports``, ``max_out_of_order``,
    ``detect_window``; captures always resynchronise)."""
    with open(path, "rb") as fh:
        yield from iter_fileobj(fh, **options)
