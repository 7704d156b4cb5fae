"""Helpers of the differential tests: the pure and the compiled decoders
side by side in one process.

:func:`pure_path` switches every unit of ``bmplib._impl.KERNELS`` to its
pure function with ``bmplib.use_implementation("python")`` (and back), so a
decode inside it runs no compiled code at all, and a new unit in the table is
switched too.  The test suite runs in strict mode (tests/conftest.py): an
unexpected exception inside a kernel fails the test instead of being decoded
again in pure Python.
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

from bmplib import _impl, use_implementation
from bmplib import stream as stream_module
from bmplib.errors import DecodeError
from bmplib.session import DecodeContext, SessionTable
from tests.conftest import StreamCheck

fast = _impl.fast
if fast is None:
    pytest.skip("the bmplib_fast extension is not in use (BMPLIB_PURE=1 or not built)", allow_module_level=True)

pure_decode_update = _impl.pure("decode_update")
pure_decode_message = _impl.pure("decode_message")
pure_decode_peer_header = _impl.pure("decode_peer_header")
fast_decode_update = fast.decode_update
fast_decode_message = fast.decode_message
_COMMON = struct.Struct("!BIB")


@contextlib.contextmanager
def pure_path() -> Iterator[None]:
    """Run the pure decoders only (the compiled ones again on exit)."""
    use_implementation("python")
    try:
        yield
    finally:
        use_implementation("cython")


# what canon does with an object depends on its class only: worked out once
# per class (the shared walk over frr_large.bmp canonicalises 332k messages
# twice)
_ATOM, _DATACLASS, _ERROR, _SEQUENCE, _DICT, _ENUM = range(6)
_KINDS: dict[type, tuple[int, tuple[str, ...]]] = {}


def _kind(cls: type) -> tuple[int, tuple[str, ...]]:
    if dataclasses.is_dataclass(cls):
        return _DATACLASS, tuple(f.name for f in dataclasses.fields(cls) if f.compare)
    if issubclass(cls, DecodeError):
        return _ERROR, ()
    if issubclass(cls, (list, tuple)):
        return _SEQUENCE, ()
    if issubclass(cls, dict):
        return _DICT, ()
    if issubclass(cls, enum.Enum):
        return _ENUM, ()
    return _ATOM, ()


def canon(obj: Any) -> Any:
    """*obj* as nested tuples that carry every type: equal canon means equal
    values *and* the same classes all the way down (``OriginType.IGP`` and
    ``0`` are ``==`` but not the same result).  A dataclass instance gives
    its class and its compared fields, a DecodeError its class, offset,
    reason and data, a list or tuple its class and items, an enum member its
    class and value, anything else its class and itself."""
    cls = type(obj)
    kind_names = _KINDS.get(cls)
    if kind_names is None:
        kind_names = _KINDS[cls] = _kind(cls)
    kind, names = kind_names
    if kind == _ATOM:
        return (cls, obj)
    if kind == _DATACLASS:
        return (cls, tuple([(name, canon(getattr(obj, name))) for name in names]))
    if kind == _SEQUENCE:
        return (cls, tuple([canon(x) for x in obj]))
    if kind == _ENUM:
        return (cls, obj.value)
    if kind == _ERROR:
        return (cls, obj.offset, obj.reason, obj.data)
    return (dict, tuple([(canon(k), canon(v)) for k, v in obj.items()]))


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


class Lockstep(StreamCheck):
    """The items fed (decoded by the compiled code) against the pure
    decoder's items of the same octets, one by one (bounded memory): the
    same items, offsets included.  Fed by :func:`same_stream`, or by the
    shared walk over frr_large.bmp (tests.conftest.frr_large), whose
    ``bmplib.iter_file`` runs the compiled decoder."""

    rank = -1  # sees the items as decoded, before other checks use them

    def __init__(self, data: bytes, *, resync: bool = False, chunk: int = 0) -> None:
        super().__init__(data)
        with pure_path():
            self.pure_items = stream_items(data, resync=resync, chunk=chunk)
        self.n = 0

    def feed(self, got: Any) -> None:
        n = self.n
        with pure_path():  # the pure generator runs inside next()
            want = next(self.pure_items, None)
        assert want is not None, f"the pure stream ends at item {n}"
        assert canon(got) == canon(want), f"item {n} differs: {got!r} != {want!r}"
        assert getattr(got, "offset", None) == getattr(want, "offset", None), f"item {n} offset"
        self.n += 1

    def finish(self) -> None:
        with pure_path():
            assert next(self.pure_items, None) is None, f"the compiled stream ends at item {self.n}"


def same_stream(data: bytes, *, resync: bool = False, chunk: int = 0, decoder: Callable[..., Any] | None = None) -> int:
    """Decode a stream both ways in lockstep (bounded memory); assert the
    same items, offsets included; return how many.  *decoder* makes the
    compiled side's decoder (e.g. a subclass, which the compiled stream reads
    through attributes rather than slots)."""
    check = Lockstep(data, resync=resync, chunk=chunk)
    for got in stream_items(data, resync=resync, chunk=chunk, decoder=decoder):
        check.feed(got)
    check.finish()
    return check.n


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
                peer = pure_decode_peer_header(msg, 6)
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
