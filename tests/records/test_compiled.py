"""The compiled batch path (bmplib_fast._records) gives the same rows as the
object path: on every capture, on hand-packed messages that take each of its
branches, and on mutated messages."""

from __future__ import annotations

import random
import socket
import struct
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import PCAPS, SHARED_PCAPS, shared_or_skip
from tests.records import wire

pa = pytest.importorskip("pyarrow")
_records = pytest.importorskip("bmplib_fast._records", reason="the compiled batch path is not built")

from bmplib.records.arrow import compiled_available, route_batches, route_table  # noqa: E402

pytestmark = pytest.mark.skipif(not compiled_available(), reason="BMPLIB_PURE=1: the compiled path is off")


def outcome(source: Any, compiled: bool, **options: Any) -> Any:
    """The rows, or the exception type when the source does not decode."""
    try:
        batches = list(route_batches(source, compiled=compiled, **options))
    except Exception as exc:
        return type(exc).__name__
    return [row for b in batches for row in b.to_pylist()]


def same(source: Any, **options: Any) -> None:
    pure = outcome(source, False, **options)
    fast = outcome(source, True, **options)
    assert fast == pure


@pytest.mark.parametrize("path", sorted(PCAPS.glob("*.bmp")), ids=lambda p: p.name)
def test_every_capture(path: Path) -> None:
    same(path)
    same(path, batch_size=64)


SHARED_STREAMS = sorted(p.name for p in SHARED_PCAPS.glob("*.bmp") if p.name != "frr_large.bmp") or ["absent.bmp"]


@pytest.mark.shared
@pytest.mark.parametrize("name", SHARED_STREAMS)
def test_shared_captures(name: str) -> None:
    same(shared_or_skip(SHARED_PCAPS / name))


@pytest.mark.shared
def test_frr_large() -> None:
    path = shared_or_skip(SHARED_PCAPS / "frr_large.bmp")
    pure = route_table(path, compiled=False)
    fast = route_table(path, compiled=True)
    assert fast.num_rows == pure.num_rows == 332439
    assert fast.equals(pure)


ASP = wire.attr(0x40, 2, b"\x02\x02" + struct.pack("!II", 65001, 4200000001))
BASE = wire.attr(0x40, 1, b"\x00") + ASP + wire.attr(0x40, 3, socket.inet_aton("192.0.2.9"))
P = wire.prefix4("203.0.113.0/24") + wire.prefix4("10.0.0.0/8") + wire.prefix4("0.0.0.0/0")
CASES = {
    "full": wire.route_monitoring(wire.FULL_ATTRS, P, wire.prefix4("192.0.2.0/24")),
    "walked": wire.route_monitoring(
        BASE
        + wire.attr(0x80, 4, b"\0\0\0\x07")
        + wire.attr(0x40, 5, b"\0\0\0\x64")
        + wire.attr(0xC0, 8, struct.pack("!III", 1, 0xFFFF029A, 0xFFFFFF04))
        + wire.attr(0xC0, 32, bytes(12))
        + wire.attr(0x40, 6, b"")
        + wire.attr(0xC0, 7, struct.pack("!I", 9) + socket.inet_aton("10.1.1.1"))
        + wire.attr(0xC0, 16, b"\x00\x02\xfd\xe8\x00\x00\x00\x07" + b"\x03\x0c\x00\x00\x00\x00\x00\x08"),
        P,
    ),
    "extended length": wire.route_monitoring(
        wire.attr(0x50, 1, b"\x01")
        + ASP[:0]
        + wire.attr(0x50, 2, ASP[3:])
        + wire.attr(0x40, 3, socket.inet_aton("1.2.3.4")),
        P,
    ),
    "as set": wire.route_monitoring(
        wire.attr(0x40, 1, b"\x02")
        + wire.attr(0x40, 2, b"\x01\x02" + struct.pack("!II", 1, 2))
        + wire.attr(0x40, 3, socket.inet_aton("1.2.3.4")),
        P,
    ),
    "empty as path": wire.route_monitoring(
        wire.attr(0x40, 1, b"\x00") + wire.attr(0x40, 2, b"") + wire.attr(0x40, 3, socket.inet_aton("1.2.3.4")), P
    ),
    "ipv6": wire.route_monitoring(
        wire.attr(0x40, 1, b"\x00")
        + ASP
        + wire.mp_reach6("2001:db8::1", ["2001:db8::/32", "::/0", "2001:db8:1:2::1/128"])
        + wire.mp_unreach6(["2001:db8:9::/48"]),
    ),
    "ipv4 and ipv6": wire.route_monitoring(BASE + wire.mp_reach6("fe80::1", ["2001:db8::/32"]), P),
    "withdrawals only": wire.route_monitoring(b"", b"", P),
    "end of rib": wire.route_monitoring(b""),
    "treat as withdraw": wire.route_monitoring(wire.attr(0x40, 1, b"\x07") + ASP[:0], P),
    "missing next hop": wire.route_monitoring(wire.attr(0x40, 1, b"\x00") + ASP, P),
    "duplicate attribute": wire.route_monitoring(BASE + wire.attr(0x40, 1, b"\x00"), P),
    "2-octet as path (A flag)": wire.route_monitoring(
        wire.attr(0x40, 1, b"\x00")
        + wire.attr(0x40, 2, b"\x02\x02\xfd\xe9\xfd\xea")
        + wire.attr(0x40, 3, socket.inet_aton("1.2.3.4")),
        P,
        flags=0x20,
    ),
    "post-policy adj-rib-out": wire.route_monitoring(BASE, P, flags=0x50),
    "bad prefix length": wire.route_monitoring(BASE, b"\x21\x0a\x00\x00\x00\x00"),
    "path ids": wire.route_monitoring(BASE, b"\x00\x00\x00\x01\x18\xcb\x00\x71"),
    "unknown attribute": wire.route_monitoring(BASE + wire.attr(0xC0, 99, b"xyz"), P),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_hand_packed(name: str) -> None:
    data = CASES[name]
    same(data)
    same(data + data + data[:30])  # and a stream that ends inside a message
    same(data + b"\x02" + data)  # and a framing error


def test_the_cases_take_both_paths() -> None:
    rows = outcome(b"".join(CASES.values()), True)
    assert len(rows) > 40


def test_mutated_messages() -> None:
    rng = random.Random(7)
    data = (PCAPS / "frr_unicast.bmp").read_bytes()[:20000]
    for _ in range(60):
        buf = bytearray(data)
        for _ in range(rng.randint(1, 4)):
            buf[rng.randrange(len(buf))] = rng.randrange(256)
        same(bytes(buf))
