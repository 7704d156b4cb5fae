"""Exact round trip on real data beyond pcaps/: ``bmplib.encode(m)`` gives back
the octets of every message of every raw BMP stream in ../shared/pcaps
(frr_large.bmp included: 332k Route Monitoring messages) and of every BMP flow
of pmacct's public captures (Huawei, Cisco IOS XR, Juniper, 6WIND/FRR).

Messages are decoded with the stream decoder's session tracking, so UPDATEs
are fully decoded with each peer's context (4-octet AS, ADD-PATH), and the
round trip goes through every attribute and NLRI encoder.  Skipped when
../shared is absent.
"""

from __future__ import annotations

import struct
from typing import Any

import pytest

import bmplib
from bmplib.stream import ErrorRecord, SkippedBytes
from tests.bmp.pmacct import read_flows
from tests.conftest import PUBLIC_PCAPS, SHARED_PCAPS, StreamCheck, StreamWalk, shared_or_skip


class RoundTrip(StreamCheck):
    """Every message of the stream re-encodes to its octets; counts the
    messages and the Route Monitoring messages with an UPDATE."""

    def __init__(self, data: bytes, *, resync: bool = False) -> None:
        super().__init__(data)
        self.resync = resync
        self.n = self.updates = 0

    def feed(self, m: Any) -> None:
        if isinstance(m, SkippedBytes):
            assert self.resync, f"skipped {len(m.data)} octets at {m.offset}: {m.reason}"
            return
        assert not isinstance(m, ErrorRecord), f"offset {m.offset}: {m.error}"
        data = self.data
        offset = m.offset
        length = struct.unpack_from("!I", data, offset + 1)[0]
        assert bmplib.encode(m) == data[offset : offset + length], f"offset {offset}: {bmplib.to_json(m)}"
        self.n += 1
        if getattr(m, "update", None) is not None:
            self.updates += 1


STREAMS = [
    pytest.param(name, marks=pytest.mark.frr_large(check=RoundTrip)) if name == "frr_large.bmp" else name
    for name in (sorted(p.name for p in SHARED_PCAPS.glob("*.bmp")) if SHARED_PCAPS.exists() else ["(none)"])
]
PMACCT = sorted(p.name for p in PUBLIC_PCAPS.glob("*.pcap")) if PUBLIC_PCAPS.exists() else ["(none)"]


def _round_trip(data: bytes, *, resync: bool = False) -> tuple[int, int]:
    """Decode the stream *data* and check every message re-encodes to its
    octets; returns (messages, Route Monitoring messages with an UPDATE)."""
    dec = bmplib.BMPDecoder(resync=resync)
    dec.feed(data)
    dec.close()
    check = RoundTrip(data, resync=resync)
    for m in dec:
        check.feed(m)
    return check.n, check.updates


@pytest.mark.parametrize("name", STREAMS)
def test_shared_stream_round_trips_exactly(name: str, request: pytest.FixtureRequest) -> None:
    """frr_large.bmp (332k messages) is checked in the session's shared walk
    over it (tests.conftest.frr_large), the others here."""
    path = shared_or_skip(SHARED_PCAPS / name)
    if name == "frr_large.bmp":
        walk: StreamWalk = request.getfixturevalue("frr_large")
        check = walk.result(RoundTrip)
        n, updates = check.n, check.updates
    else:
        n, updates = _round_trip(path.read_bytes())
    assert n > 10
    assert updates > 0
    if name == "frr_large.bmp":
        assert updates >= 332_439


@pytest.mark.parametrize("name", PMACCT)
def test_pmacct_flows_round_trip_exactly(name: str) -> None:
    """Flows without their handshake may start mid-message, and captures end
    mid-message: the decoder resynchronises (skips) there; every message it
    frames re-encodes exactly."""
    path = shared_or_skip(PUBLIC_PCAPS / name)
    total = 0
    for flow in read_flows(path):
        if flow.data:
            total += _round_trip(flow.data, resync=True)[0]
    assert total > 0
