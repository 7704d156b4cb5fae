"""bmplib: decode BMP (BGP Monitoring Protocol, RFC 7854) streams and the BGP
messages inside them.

The public API::

    bmplib.BMPDecoder   sans-IO stream decoder: feed(bytes), iterate messages
    bmplib.decode       decode exactly one complete BMP message
    bmplib.iter_file    decode a raw BMP stream, pcap or pcapng file
    bmplib.to_json      the JSON-ready dict of any message
    bmplib.encode       the wire octets of any model object (checked)
    bmplib.builders     short ways to build messages (route_monitoring, ...)
    bmplib.DecodeError  the base of every decoding error
    bmplib.iter_routes  one flat RouteRecord per announced/withdrawn route
    bmplib.route_table  the same as a pyarrow.Table (bmplib[arrow]); route_batches streams
"""

from __future__ import annotations

from bmplib._impl import IMPLEMENTATION
from bmplib.bmp.constants import MessageType, PeerType
from bmplib.bmp.header import PeerHeader, Table
from bmplib.bmp.messages import (
    BMPMessage,
    Initiation,
    PeerDown,
    PeerUp,
    RouteMirroring,
    RouteMonitoring,
    StatisticsReport,
    Termination,
    UnknownMessage,
    decode_message,
)
from bmplib.bmp.v4 import BMPv4Message, RouteMonitoringV4, decode_v4_message
from bmplib.builders import (
    end_of_rib,
    initiation,
    notification,
    open_message,
    peer_down,
    peer_header,
    peer_up,
    route_monitoring,
    stats_report,
    termination,
    update,
)
from bmplib.encode import encode
from bmplib.errors import (
    BGPDecodeError,
    BMPDecodeError,
    CaptureError,
    DecodeError,
    EncodeError,
    FramingError,
    InternalDecodeError,
    NLRIDecodeError,
)
from bmplib.files import iter_file
from bmplib.json import to_json
from bmplib.records import RouteRecord, iter_routes, route_batches, route_table
from bmplib.session import DecodeContext, SessionTable
from bmplib.stream import BMPDecoder, ErrorRecord, SkippedBytes

__version__ = "0.1.0"

__all__ = [
    "BGPDecodeError",
    "BMPDecodeError",
    "BMPDecoder",
    "BMPMessage",
    "CaptureError",
    "DecodeContext",
    "DecodeError",
    "EncodeError",
    "ErrorRecord",
    "FramingError",
    "IMPLEMENTATION",
    "Initiation",
    "InternalDecodeError",
    "MessageType",
    "NLRIDecodeError",
    "PeerDown",
    "PeerHeader",
    "PeerType",
    "PeerUp",
    "RouteMirroring",
    "RouteMonitoring",
    "RouteRecord",
    "SessionTable",
    "SkippedBytes",
    "StatisticsReport",
    "Table",
    "Termination",
    "UnknownMessage",
    "decode",
    "encode",
    "end_of_rib",
    "initiation",
    "iter_file",
    "iter_routes",
    "notification",
    "open_message",
    "peer_down",
    "peer_header",
    "peer_up",
    "route_batches",
    "route_monitoring",
    "route_table",
    "stats_report",
    "termination",
    "to_json",
    "update",
]


def decode(
    data: bytes | bytearray | memoryview, context: DecodeContext | None = None
) -> BMPMessage | RouteMonitoringV4 | BMPv4Message:
    """Decode exactly one complete BMP message (version 3, or version 4:
    :mod:`bmplib.bmp.v4`).

    Raises :class:`DecodeError` for any malformed input (never another
    exception type)."""
    try:
        if data[:1] == b"\x04":
            return decode_v4_message(bytes(data), context)
        return decode_message(bytes(data), context)
    except DecodeError:
        raise
    except Exception as exc:  # a decoder bug must not leak as IndexError & co.
        raise InternalDecodeError(f"{type(exc).__name__}: {exc}", 0, bytes(data)) from exc
