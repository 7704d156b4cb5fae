"""Decoder options given to iter_file reach captures too, and captured items
answer the same questions (.type, .peer, .offset) as raw-stream items."""

from __future__ import annotations

import bmplib
from tests.conftest import PCAPS


def test_captured_items_behave_like_stream_items() -> None:
    raw = list(bmplib.iter_file(PCAPS / "frr_unicast.bmp"))
    cap = list(bmplib.iter_file(PCAPS / "frr_unicast.pcap"))
    assert len(raw) == len(cap)
    for r, c in zip(raw, cap):
        assert c.type == r.type
        assert c.peer == r.peer
        assert c.offset == r.offset


def test_asn_guess_reaches_capture_sessions() -> None:
    for path in (PCAPS / "frr_unicast.bmp", PCAPS / "frr_unicast.pcap"):
        plain = list(bmplib.iter_file(path))
        guessing = list(bmplib.iter_file(path, asn_guess=True))
        assert len(plain) == len(guessing)
        assert [i.type for i in plain] == [i.type for i in guessing]


def test_captures_always_resynchronise() -> None:
    # resync is a raw-stream option; a capture ignores it (it can start inside a stream or lose segments)
    assert len(list(bmplib.iter_file(PCAPS / "frr_unicast.pcap", resync=False))) == len(
        list(bmplib.iter_file(PCAPS / "frr_unicast.pcap"))
    )
