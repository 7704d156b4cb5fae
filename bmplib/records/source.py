"""What a route source is: bytes of a raw BMP stream, a path to a raw stream
or a pcap / pcapng capture, or an iterable of stream items."""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from bmplib.files import detect_format, iter_file
from bmplib.stream import BMPDecoder

__all__ = ["Source", "open_source", "source_items", "stream_items"]


class Source:
    """A resolved route source: either the octets of a raw BMP stream
    (``data``) or an iterable of stream items (``items``), and its label."""

    __slots__ = ("data", "items", "label")

    def __init__(self, label: str | None, data: bytes | None = None, items: Iterable[Any] | None = None) -> None:
        self.label = label
        self.data = data
        self.items = items


def open_source(source: Any) -> Source:
    """Resolve *source*: ``bytes`` / ``bytearray`` / ``memoryview`` are a raw
    BMP stream; a ``str`` or path-like is a file (a raw stream is read whole,
    a capture is decoded as it is read); anything else is an iterable of
    stream items."""
    if isinstance(source, (bytes, bytearray, memoryview)):
        return Source(None, data=bytes(source))
    if isinstance(source, (str, os.PathLike)):
        path = Path(source)
        with open(path, "rb") as fh:
            head = fh.read(4)
            if detect_format(head) == "bmp":
                return Source(str(source), data=head + fh.read())
        return Source(str(source), items=iter_file(path))
    return Source(None, items=source)


def stream_items(data: bytes) -> Iterator[tuple[Any, bytes | None]]:
    """``(item, octets)`` for every item of a raw BMP stream: the octets of
    each Route Monitoring message, ``None`` for the other items."""
    dec = BMPDecoder()
    dec.feed(data)
    dec.close()
    for item in dec:
        if getattr(item, "type", None) == 0:
            off = item.offset
            yield item, data[off : off + int.from_bytes(data[off + 1 : off + 5], "big")]
        else:
            yield item, None


def source_items(src: Source) -> Iterator[tuple[Any, bytes | None]]:
    """``(item, octets or None)`` for every item of a resolved source."""
    if src.data is not None:
        yield from stream_items(src.data)
        return
    assert src.items is not None
    for item in src.items:
        yield item, None
