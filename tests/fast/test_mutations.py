"""Mutated real messages: the compiled and the pure decoders give the same
result or the same error (class, offset, reason, octets) for bit flips,
inserted and deleted octets, truncation at every length, and every length
field (BMP, BGP, withdrawn routes, path attributes, each attribute, MP next
hop, AS_PATH segments, each prefix) set to 0, 1, its maximum and off by one."""

from __future__ import annotations

import random
import struct
from collections.abc import Iterator
from pathlib import Path

import pytest

from bmplib.session import DecodeContext
from tests.fast.differential import raw_streams, route_monitoring_with_contexts, same_message, same_update

STREAMS = raw_streams()
PER_CAPTURE = 24


def samples(path: Path) -> list[tuple[bytes, DecodeContext]]:
    """Up to PER_CAPTURE Route Monitoring messages of a capture, one per
    distinct shape (attribute codes and flags, families) first."""
    seen: set[bytes] = set()
    out: list[tuple[bytes, DecodeContext]] = []
    for msg, ctx in route_monitoring_with_contexts(path.read_bytes()):
        shape = bytes(c for _, c, _ in length_fields(msg) if c < 256)
        key = shape + bytes([len(msg) % 7, 1 if ctx.addpath else 0])
        if key in seen:
            continue
        seen.add(key)
        out.append((msg, ctx))
        if len(out) >= PER_CAPTURE:
            break
    return out


def length_fields(msg: bytes) -> Iterator[tuple[int, int, int]]:
    """(position, a tag, width in octets) of every length field of a
    well-formed Route Monitoring message that carries an UPDATE."""
    yield 1, 256, 4  # BMP length
    if len(msg) < 67:
        return
    yield 64, 257, 2  # BGP length
    yield 67, 258, 2  # withdrawn routes length
    end = 48 + struct.unpack_from("!H", msg, 64)[0]
    if end > len(msg):
        return
    wend = 69 + struct.unpack_from("!H", msg, 67)[0]
    if wend + 2 > end:
        return
    yield from _prefix_lengths(msg, 69, wend)
    yield wend, 259, 2  # total path attribute length
    p = wend + 2
    aend = p + struct.unpack_from("!H", msg, wend)[0]
    while p + 3 <= min(aend, end):
        flags, code = msg[p], msg[p + 1]
        if flags & 0x10:
            yield p + 2, code, 2
            vs = p + 4
            ve = vs + struct.unpack_from("!H", msg, p + 2)[0]
        else:
            yield p + 2, code, 1
            vs = p + 3
            ve = vs + msg[p + 2]
        if code == 14 and ve - vs > 4:
            yield vs + 3, 260, 1  # next hop length
        if code == 2:
            q = vs
            while q + 2 <= ve:
                yield q + 1, 261, 1  # segment length
                q += 2 + 4 * msg[q + 1]
        p = ve
    if aend <= end:
        yield from _prefix_lengths(msg, aend, end)


def _prefix_lengths(msg: bytes, pos: int, end: int) -> Iterator[tuple[int, int, int]]:
    while pos < end:
        yield pos, 262, 1
        pos += 1 + ((msg[pos] + 7) >> 3)


def mutants(msg: bytes, rng: random.Random) -> Iterator[bytes]:
    n = len(msg)
    for k in range(n):  # truncation at every length
        yield msg[:k]
    for pos, _, width in length_fields(msg):
        if pos + width > n:
            continue
        old = int.from_bytes(msg[pos : pos + width], "big")
        top = (1 << (8 * width)) - 1
        for v in {0, 1, top, (old - 1) & top, (old + 1) & top, 0x80, 0xFF}:
            yield msg[:pos] + (v & top).to_bytes(width, "big") + msg[pos + width :]
    for _ in range(60):  # bit flips
        i = rng.randrange(n)
        yield msg[:i] + bytes([msg[i] ^ (1 << rng.randrange(8))]) + msg[i + 1 :]
    for _ in range(20):  # insertions and deletions
        i = rng.randrange(n)
        yield msg[:i] + bytes([rng.randrange(256)]) + msg[i:]
        yield msg[:i] + msg[i + 1 :]


@pytest.mark.parametrize("path", STREAMS, ids=[f"{p.parent.name}/{p.name}" for p in STREAMS])
def test_mutated_messages(path: Path) -> None:
    rng = random.Random(path.name)
    checked = errors = 0
    for msg, ctx in samples(path):
        for m in mutants(msg, rng):
            got = same_message(m, ctx)
            errors += got[0] == "error"
            if len(m) >= 67:
                same_update(m, 67, len(m), ctx)
                # the same UPDATE with the other AS width / ADD-PATH guesses
                same_update(m, 67, len(m), DecodeContext(asn4=not ctx.asn4, asn_guess=True))
            checked += 1
    if checked:
        assert errors > 0  # the mutations did reach the error paths
