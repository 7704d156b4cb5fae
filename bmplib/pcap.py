"""Decoding the BMP sessions in a pcap or pcapng capture.

>>> for c in iter_capture(open("pcaps/frr_unicast.pcap", "rb")):  # doctest: +SKIP
...     print(c.flow, c.timestamp, c.item.type)

Every item comes as a :class:`CapturedItem`: the stream item (a message, an
:class:`~bmplib.ErrorRecord`, a :class:`~bmplib.SkippedBytes` or a
:class:`StreamGap`) in ``.item``, its :class:`Flow` (addresses and ports),
``.connection`` (0, or more when the exporter reconnected on the same
4-tuple) and ``.timestamp`` / ``.timestamp_ns`` (capture time of the packet
that completed it).  :func:`bmplib.to_json` renders it as the item's JSON
plus ``"flow"`` and ``"capture_time"``.  Items of one stream come in stream
order; streams are interleaved in capture order.

See ``docs/captures.md`` for formats, link types, BMP flow detection and
how gaps are reported; :mod:`bmplib.capture` holds the layers.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any, BinaryIO

from bmplib.capture.decoder import (
    DEFAULT_DETECT_WINDOW,
    CaptureDecoder,
    CapturedItem,
    CaptureStats,
    Flow,
    StreamGap,
    StreamInfo,
    plausible_header,
)
from bmplib.capture.reader import Packet, iter_packets
from bmplib.capture.tcp import DEFAULT_MAX_OUT_OF_ORDER, TCPStream

__all__ = [
    "DEFAULT_DETECT_WINDOW",
    "DEFAULT_MAX_OUT_OF_ORDER",
    "CaptureDecoder",
    "CaptureReader",
    "CaptureStats",
    "CapturedItem",
    "Flow",
    "Packet",
    "StreamGap",
    "StreamInfo",
    "TCPStream",
    "iter_capture",
    "iter_packets",
    "plausible_header",
]


class CaptureReader:
    """Iterate the BMP items of a capture file object; afterwards (or during)
    :attr:`stats` and :attr:`streams` tell what the capture held.

    :param fileobj: a binary file object positioned at the start of a pcap
        or pcapng file.
    :param ports: TCP ports that carry BMP; ``None`` (default) detects BMP
        flows from their content.
    :param options: the other :class:`CaptureDecoder` options
        (``max_out_of_order``, ``max_message_length``, ``track_sessions``,
        ``detect_window``).
    """

    def __init__(self, fileobj: BinaryIO, *, ports: Iterable[int] | None = None, **options: Any) -> None:
        self.fileobj = fileobj
        self.decoder = CaptureDecoder(ports=ports, **options)

    @property
    def stats(self) -> CaptureStats:
        return self.decoder.stats

    @property
    def streams(self) -> list[StreamInfo]:
        return self.decoder.streams

    def __iter__(self) -> Iterator[CapturedItem]:
        packet = self.decoder.packet
        for ts, linktype, data, orig_len in iter_packets(self.fileobj):
            items = packet(ts, linktype, data, orig_len)
            if items:
                yield from items
        yield from self.decoder.close()


def iter_capture(fileobj: BinaryIO, *, ports: Iterable[int] | None = None, **options: Any) -> Iterator[CapturedItem]:
    """Every BMP item of the pcap / pcapng capture read from *fileobj*, as
    :class:`CapturedItem` objects.  Raises :class:`~bmplib.CaptureError` when
    the file is not a capture, or is damaged or truncated (after yielding
    what came before the damage)."""
    return iter(CaptureReader(fileobj, ports=ports, **options))
