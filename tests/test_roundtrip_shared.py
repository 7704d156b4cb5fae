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

import pytest

import bmplib
from bmplib.stream import ErrorRecord, SkippedBytes
from tests.bmp.pmacct import read_flows
from tests.conftest import PUBLIC_PCAPS, SHARED_PCAPS, shared_or_skip

STREAMS = sorted(p.name for p in SHARED_PCAPS.glob("*.bmp")) if SHARED_PCAPS.exists() else ["(none)"]
PMACCT = sorted(p.name for p in PUBLIC_PCAPS.glob("*.pcap")) if PUBLIC_PCAPS.exists() else ["(none)"]


def _round_trip(data: bytes, *, resync: bool = False) -> tuple[int, int]:
    """Decode the stream *data* and check every message re-encodes to its
    octets; returns (messages, Route Monitoring messages with an UPDATE)."""
    dec = bmplib.BMPDecoder(resync=resync)
    dec.feed(data)
    dec.close()
    n = updates = 0
    for m in dec:
        if isinstance(m, SkippedBytes):
            assert resync, f"skipped {len(m.data)} octets at {m.offset}: {m.reason}"
            continue
        assert not isinstance(m, ErrorRecord), f"offset {m.offset}: {m.error}"
        length = struct.unpack_from("!I", data, m.offset + 1)[0]
        assert bmplib.encode(m) == data[m.offset : m.offset + length], f"offset {m.offset}: {bmplib.to_json(m)}"
        n += 1
        if getattr(m, "update", None) is not None:
            updates += 1
    return n, updates


@pytest.mark.parametrize("name", STREAMS)
def test_shared_stream_round_trips_exactly(name: str) -> None:
    path = shared_or_skip(SHARED_PCAPS / name)
    data = path.read_bytes()
    n, updates = _round_trip(data)
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
