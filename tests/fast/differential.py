"""Helpers of the differential tests: the pure and the compiled decoders
side by side in one process.

``bmplib`` swaps the compiled functions in at import time and keeps the pure
ones (``update._pure_decode_update``, ``messages._pure_decode_message``);
:func:`pure_path` temporarily puts the pure ones back everywhere they are
reached from (BGP decoder registry, per-peer header, stream), so a decode
inside it runs no compiled code at all.
"""

from __future__ import annotations

import contextlib
import dataclasses
import enum
import struct
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from bmplib import _impl
from bmplib import stream as stream_module
from bmplib.bgp import message as bgp_message
from bmplib.bgp import update as update_module
from bmplib.bmp import header as header_module
from bmplib.bmp import messages as messages_module
from bmplib.errors import DecodeError
from bmplib.session import DecodeContext, SessionTable

fast = _impl.fast
if fast is None or not hasattr(fast, "decode_update"):
    pytest.skip("the bmplib_fast extension is not in use (BMPLIB_PURE=1 or not built)", allow_module_level=True)

pure_decode_update = update_module._pure_decode_update
pure_decode_message = messages_module._pure_decode_message
fast_decode_update = fast.decode_update
fast_decode_message = fast.decode_message
_COMMON = struct.Struct("!BIB")


def _pure_next(self: Any) -> Any:
    item = self.next_item()
    if item is None:
        raise StopIteration
    return item


@contextlib.contextmanager
def pure_path() -> Iterator[None]:
    """Run the pure decoders only (restored on exit)."""
    saved = (
        bgp_message._DECODERS[2],
        messages_module.decode_peer_header,
        stream_module.decode_message,
        stream_module.BMPDecoder.__next__,
    )
    bgp_message._DECODERS[2] = pure_decode_update
    messages_module.decode_peer_header = header_module.decode_peer_header
    stream_module.decode_message = pure_decode_message
    stream_module.BMPDecoder.__next__ = _pure_next  # type: ignore[method-assign]
    try:
        yield
    finally:
        (
            bgp_message._DECODERS[2],
            messages_module.decode_peer_header,
            stream_module.decode_message,
            stream_module.BMPDecoder.__next__,
        ) = saved  # type: ignore[method-assign]


def canon(obj: Any) -> Any:
    """*obj* as nested tuples that carry every type: equal canon means equal
    values *and* the same classes all the way down (``OriginType.IGP`` and
    ``0`` are ``==`` but not the same result)."""
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return (type(obj), tuple((f.name, canon(getattr(obj, f.name))) for f in dataclasses.fields(obj) if f.compare))
    if isinstance(obj, DecodeError):
        return (type(obj), obj.offset, obj.reason, obj.data)
    if isinstance(obj, (list, tuple)):
        return (type(obj), tuple(canon(x) for x in obj))
    if isinstance(obj, dict):
        return (dict, tuple((canon(k), canon(v)) for k, v in obj.items()))
    if isinstance(obj, enum.Enum):
        return (type(obj), obj.value)
    return (type(obj), obj)


def outcome(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """canon of the result, or of the error (class, offset, reason, data).
    Only bmplib's DecodeError may escape a decoder: anything else fails."""
    try:
        return ("ok", canon(fn(*args, **kwargs)))
    except DecodeError as exc:
        return ("error", canon(exc))


def same_update(buf: bytes, pos: int, end: int, ctx: DecodeContext) -> Any:
    """Decode an UPDATE body both ways; assert the same outcome; return it."""
    with pure_path():
        want = outcome(pure_decode_update, buf, pos, end, ctx)
    got = outcome(fast_decode_update, buf, pos, end, ctx)
    assert got == want, (buf[pos:end].hex(), ctx)
    return got


def same_message(data: bytes, context: DecodeContext | None = None) -> Any:
    """Decode one BMP message both ways; assert the same outcome; return it."""
    with pure_path():
        want = outcome(pure_decode_message, data, context)
    got = outcome(fast_decode_message, data, context)
    assert got == want, (data.hex(), context)
    return got


def stream_items(
    data: bytes, *, resync: bool = False, chunk: int = 0, decoder: Callable[..., Any] | None = None
) -> Iterator[Any]:
    """Every item of a stream decoder fed *data* (in chunks of *chunk* octets,
    or at once); *decoder* makes the decoder (default: ``BMPDecoder(resync=...)``)."""
    dec = decoder(resync=resync) if decoder is not None else stream_module.BMPDecoder(resync=resync)
    step = chunk or len(data) or 1
    for i in range(0, len(data), step):
        dec.feed(data[i : i + step])
        try:
            yield from dec
        except DecodeError as exc:  # a framing error stops the stream
            yield exc
            return
    dec.close()
    try:
        yield from dec
    except DecodeError as exc:
        yield exc


def same_stream(data: bytes, *, resync: bool = False, chunk: int = 0, decoder: Callable[..., Any] | None = None) -> int:
    """Decode a stream both ways in lockstep (bounded memory); assert the
    same items, offsets included; return how many.  *decoder* makes the
    compiled side's decoder (e.g. a subclass, which the compiled stream reads
    through attributes rather than slots)."""
    with pure_path():
        pure_items = stream_items(data, resync=resync, chunk=chunk)
    fast_items = stream_items(data, resync=resync, chunk=chunk, decoder=decoder)
    n = 0
    while True:
        with pure_path():  # the pure generator runs inside next()
            want = next(pure_items, None)
        got = next(fast_items, None)
        if want is None and got is None:
            return n
        assert got is not None and want is not None, f"one stream ends at item {n}"
        assert canon(got) == canon(want), f"item {n} differs: {got!r} != {want!r}"
        assert getattr(got, "offset", None) == getattr(want, "offset", None), f"item {n} offset"
        n += 1


def route_monitoring_with_contexts(data: bytes) -> Iterator[tuple[bytes, DecodeContext]]:
    """(message octets, decode context) of every Route Monitoring message of
    a raw BMP stream, with the session contexts its Peer Ups give."""
    table = SessionTable()
    pos = 0
    with pure_path():
        while pos + 6 <= len(data):
            version, length, msg_type = _COMMON.unpack_from(data, pos)
            if version != 3 or length < 6 or pos + length > len(data):
                return
            msg = data[pos : pos + length]
            pos += length
            if msg_type == 0 and length >= 48:
                peer = header_module.decode_peer_header(msg, 6)
                yield msg, table.context_for(0, peer)
            elif msg_type in (2, 3):
                try:
                    table.observe(pure_decode_message(msg, contexts=table.context_for))
                except DecodeError:
                    pass


def messages_of(data: bytes) -> Iterator[bytes]:
    """The octets of each framed BMP message of a raw stream."""
    pos = 0
    while pos + 6 <= len(data):
        version, length, _ = _COMMON.unpack_from(data, pos)
        if version != 3 or length < 6 or pos + length > len(data):
            return
        yield data[pos : pos + length]
        pos += length


def raw_streams() -> list[Path]:
    """The raw BMP stream files of pcaps/ and ../shared/pcaps (not frr_large)."""
    from tests.conftest import PCAPS, SHARED_PCAPS

    files = sorted(PCAPS.glob("*.bmp"))
    if SHARED_PCAPS.exists():
        files += sorted(p for p in SHARED_PCAPS.glob("*.bmp") if p.name != "frr_large.bmp")
    return files
