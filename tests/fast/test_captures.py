"""The compiled decoders equal the pure ones on every real message: every
BMP stream and every UPDATE (with its session's context) of the captures in
pcaps/ and ../shared/pcaps (frr_large.bmp included), the pmacct public
captures, and generated benchmark corpora (inet, EVPN)."""

from __future__ import annotations

import os
import struct
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from bmplib import BMPDecoder
from bmplib.session import SessionTable
from tests.conftest import PUBLIC_PCAPS, SHARED, StreamWalk, shared_or_skip
from tests.fast.differential import (
    Lockstep,
    fast,
    raw_streams,
    route_monitoring_with_contexts,
    same_message,
    same_stream,
    same_update,
)

STREAMS = raw_streams()


@pytest.mark.parametrize("path", STREAMS, ids=[f"{p.parent.name}/{p.name}" for p in STREAMS])
def test_stream(path: Path) -> None:
    data = path.read_bytes()
    assert same_stream(data) > 0
    # fed in pieces that split messages anywhere
    assert same_stream(data[:200_000], chunk=997) > 0


def test_stream_state_is_read_through_slots() -> None:
    # the compiled stream reads these classes' state by slot offset; a model
    # change that breaks their layout would silently fall back to getattr
    assert fast.stream_slots() == {"BMPDecoder": True, "SessionTable": True, "_Entry": True, "DecodeContext": True}


class _Decoder(BMPDecoder):
    """A subclass: the compiled stream reads its state through attributes."""


class _Table(SessionTable):
    """A subclass: the stream asks its context_for for every message."""


def _subclassed(resync: bool = False) -> BMPDecoder:
    return _Decoder(resync=resync, sessions=_Table())


@pytest.mark.parametrize("make", [_Decoder, _subclassed], ids=["decoder-subclass", "table-subclass"])
@pytest.mark.parametrize("path", STREAMS, ids=[f"{p.parent.name}/{p.name}" for p in STREAMS])
def test_stream_subclasses(path: Path, make: Any) -> None:
    data = path.read_bytes()[:300_000]
    assert same_stream(data, decoder=make) > 0
    assert same_stream(data, chunk=997, decoder=make) > 0


@pytest.mark.parametrize("path", STREAMS, ids=[f"{p.parent.name}/{p.name}" for p in STREAMS])
def test_every_update_and_message(path: Path) -> None:
    n = 0
    for msg, ctx in route_monitoring_with_contexts(path.read_bytes()):
        (bgp_len,) = struct.unpack_from("!H", msg, 64)
        same_update(msg, 67, min(48 + bgp_len, len(msg)), ctx)
        same_message(msg, ctx)
        same_message(msg)
        n += 1
    # frr_mirror_mvpn holds Route Mirroring, no Route Monitoring
    assert n > 0 or path.name.startswith(("frr_evpn_interop_flap", "frr_mirror_mvpn"))


@pytest.mark.skipif(bool(os.environ.get("BMPLIB_SKIP_LARGE")), reason="BMPLIB_SKIP_LARGE is set")
@pytest.mark.frr_large(check=Lockstep)
def test_frr_large_stream(frr_large: StreamWalk) -> None:
    """332k Route Monitoring messages through the stream decoder, item by
    item, compiled against pure (about 15 s on a 2-core machine: set
    BMPLIB_SKIP_LARGE=1 to skip).  The compiled side is the session's shared
    walk over the file (tests.conftest.frr_large)."""
    assert frr_large.result(Lockstep).n >= 332_439
    assert frr_large.seconds < 600


PMACCT = sorted(PUBLIC_PCAPS.glob("*.pcap")) if PUBLIC_PCAPS.exists() else []


@pytest.mark.parametrize("path", PMACCT, ids=[p.name for p in PMACCT])
def test_pmacct_flows(path: Path) -> None:
    from tests.bmp.pmacct import read_flows

    total = 0
    for flow in read_flows(path):
        if flow.data:
            total += same_stream(flow.data, resync=True)
    assert total > 0


@pytest.mark.parametrize(("kind", "count", "seed"), [("inet", 4000, 21), ("evpn", 3000, 22)])
def test_generated_corpus(kind: str, count: int, seed: int, tmp_path: Path) -> None:
    script = shared_or_skip(SHARED / "bench" / "make_corpus.py")
    out = tmp_path / f"{kind}.bmp"
    subprocess.run(
        [sys.executable, str(script), "--kind", kind, "--count", str(count), "--seed", str(seed), "--out", str(out)],
        check=True,
        capture_output=True,
    )
    data = out.read_bytes()
    assert same_stream(data) == count
    for msg, ctx in route_monitoring_with_contexts(data[:300_000]):
        same_message(msg, ctx)
