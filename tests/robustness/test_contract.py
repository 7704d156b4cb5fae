"""The robustness contract (docs/robustness.md), checked with Hypothesis.

For any input bytes, every decoder:

1. returns a result or raises ``bmplib.DecodeError`` -- and never the
   internal-bug subclass ``InternalDecodeError``;
2. runs in time linear in the input size;
3. allocates memory in proportion to the input;
4. (pure and fast paths agree: tests/fast);
5. the stream decoder loses nothing: every input octet is accounted for in a
   message, an error record or a skipped range.

Inputs are arbitrary bytes and mutations of real messages from pcaps/: bit
flips, insertions, deletions, truncations, and every length field at every
level set to 0, 1, its maximum and off by one.
"""

from __future__ import annotations

import struct
import time
import tracemalloc
from collections.abc import Iterator

from hypothesis import given
from hypothesis import strategies as st

import bmplib
from bmplib.errors import DecodeError, InternalDecodeError
from bmplib.stream import ErrorRecord, SkippedBytes
from tests.bmp.test_roundtrip_real import split_messages
from tests.conftest import CAPTURES, PCAPS


def _load_corpus() -> list[bytes]:
    out: list[bytes] = []
    for name in CAPTURES:
        msgs = split_messages((PCAPS / f"{name}.bmp").read_bytes())
        # a sample of each message type from each capture keeps the examples varied
        seen: dict[int, int] = {}
        for m in msgs:
            if seen.get(m[5], 0) < 12:
                seen[m[5]] = seen.get(m[5], 0) + 1
                out.append(m)
    return out


CORPUS = _load_corpus()


def decode_checked(data: bytes) -> object:
    """bmplib.decode, asserting point 1 of the contract."""
    try:
        return bmplib.decode(data)
    except InternalDecodeError as exc:  # pragma: no cover - this is the bug we look for
        raise AssertionError(f"decoder bug on {data.hex()}: {exc.reason}") from exc
    except DecodeError as exc:
        assert exc.layer in {"bmp", "bgp", "nlri", "stream"}
        assert 0 <= exc.offset <= len(data), (exc.offset, len(data))
        return exc


def stream_checked(data: bytes, chunks: list[int] | None = None) -> list[object]:
    """Feed *data* to a resynchronising decoder and check point 5."""
    dec = bmplib.BMPDecoder(resync=True)
    items: list[object] = []
    pos = 0
    for size in chunks or [len(data)]:
        dec.feed(data[pos : pos + size])
        pos += size
        items.extend(dec)
    dec.feed(data[pos:])
    items.extend(dec)
    dec.close()
    items.extend(dec)
    covered = 0
    for it in items:
        if isinstance(it, ErrorRecord):
            assert not isinstance(it.error, InternalDecodeError), it.error.reason
            assert data[it.offset : it.offset + len(it.data)] == it.data
            covered += len(it.data)
        elif isinstance(it, SkippedBytes):
            assert data[it.offset : it.offset + len(it.data)] == it.data
            covered += len(it.data)
        else:
            wire = it.encode()  # type: ignore[attr-defined]
            assert data[it.offset : it.offset + len(wire)] == wire  # type: ignore[attr-defined]
            covered += len(wire)
    assert covered == len(data)
    return items


# -- mutations ----------------------------------------------------------------
def length_fields(msg: bytes) -> Iterator[tuple[int, int]]:
    """(offset, size) of the length fields we know in a BMP message: the
    common header, the BGP header(s), TLV lengths of Initiation/Termination."""
    yield 1, 4
    if msg[5] in (0, 6) and len(msg) >= 48 + 19:
        yield 48 + 16, 2  # BGP length
        if msg[5] == 0 and len(msg) >= 48 + 23:
            yield 48 + 19, 2  # withdrawn routes length
    if msg[5] == 3 and len(msg) >= 48 + 20 + 19:
        yield 48 + 20 + 16, 2  # sent OPEN length
    if msg[5] in (4, 5) and len(msg) >= 10:
        yield 8, 2  # first TLV length


@st.composite
def mutated(draw: st.DrawFn) -> bytes:
    msg = bytearray(draw(st.sampled_from(CORPUS)))
    kind = draw(st.sampled_from(["flip", "insert", "delete", "truncate", "length", "overwrite"]))
    if kind == "flip":
        for _ in range(draw(st.integers(1, 8))):
            i = draw(st.integers(0, len(msg) - 1))
            msg[i] ^= 1 << draw(st.integers(0, 7))
    elif kind == "insert":
        i = draw(st.integers(0, len(msg)))
        msg[i:i] = draw(st.binary(min_size=1, max_size=16))
    elif kind == "delete":
        i = draw(st.integers(0, len(msg) - 1))
        del msg[i : i + draw(st.integers(1, 16))]
    elif kind == "truncate":
        del msg[draw(st.integers(0, len(msg) - 1)) :]
    elif kind == "overwrite":
        i = draw(st.integers(0, len(msg) - 1))
        chunk = draw(st.binary(min_size=1, max_size=8))
        msg[i : i + len(chunk)] = chunk
    else:
        off, size = draw(st.sampled_from(list(length_fields(bytes(msg)))))
        old = int.from_bytes(msg[off : off + size], "big")
        top = (1 << (8 * size)) - 1
        new = draw(st.sampled_from([0, 1, top, max(old - 1, 0), min(old + 1, top)]))
        msg[off : off + size] = new.to_bytes(size, "big")
    return bytes(msg)


def fix_bmp_length(data: bytes) -> bytes:
    """Make the common header length match so the body decoders are reached."""
    if len(data) < 6:
        return data
    return data[:1] + struct.pack("!I", len(data)) + data[5:]


# -- properties -------------------------------------------------------------------
@given(st.binary(max_size=2048))
def test_arbitrary_bytes_decode(data: bytes) -> None:
    decode_checked(data)
    decode_checked(fix_bmp_length(b"\x03\x00\x00\x00\x00" + data[:1] + data[1:]))


@given(st.binary(max_size=4096))
def test_arbitrary_bytes_stream(data: bytes) -> None:
    stream_checked(data)


@given(mutated())
def test_mutated_messages_decode(data: bytes) -> None:
    decode_checked(data)
    decode_checked(fix_bmp_length(data))


@given(st.lists(mutated(), min_size=1, max_size=6), st.lists(st.integers(1, 300), max_size=10))
def test_mutated_stream_accounts_for_every_octet(msgs: list[bytes], chunks: list[int]) -> None:
    data = b"".join(CORPUS[i % len(CORPUS)] + m for i, m in enumerate(msgs))
    stream_checked(data, chunks)


@given(st.lists(st.sampled_from(CORPUS), min_size=1, max_size=8), st.lists(st.integers(1, 200), max_size=12))
def test_chunking_does_not_change_the_result(msgs: list[bytes], chunks: list[int]) -> None:
    data = b"".join(msgs)
    assert stream_checked(data, chunks) == stream_checked(data)


def test_64k_of_garbage_and_of_messages_decode_fast() -> None:
    """Point 2: a 64 KiB input decodes well under a second (linear time)."""
    import random

    rng = random.Random(7)
    garbage = bytes(rng.getrandbits(8) for _ in range(65536))
    worst = b"\x03" * 65536  # every position starts a plausible version octet
    real = b"".join(CORPUS)[:65536]
    for data in (garbage, worst, real):
        t0 = time.perf_counter()
        stream_checked(data)
        assert time.perf_counter() - t0 < 1.0


def test_huge_length_fields_do_not_allocate() -> None:
    """Point 3: a 4 GB length field does not make the decoder allocate it."""
    tracemalloc.start()
    try:
        dec = bmplib.BMPDecoder(resync=True)
        dec.feed(b"\x03\xff\xff\xff\xf0\x00" + b"\x00" * 1000)
        list(dec)
        bmplib.BMPDecoder(max_message_length=1 << 30).feed(b"\x03\xff\xff\xff\x00\x00")
        decode_checked(b"\x03\xff\xff\xff\xff\x00" + bytes(100))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 1 << 20
