"""The sans-IO stream decoder: chunking, framing errors, resynchronisation,
error records, and accounting for every input octet."""

from __future__ import annotations

import pytest

import bmplib
from bmplib import BMPDecoder, FramingError
from bmplib.stream import ErrorRecord, SkippedBytes
from tests.bmp.test_roundtrip_real import split_messages
from tests.conftest import PCAPS


def decode_all(chunks: list[bytes], **opts: object) -> list[object]:
    dec = BMPDecoder(**opts)  # type: ignore[arg-type]
    out: list[object] = []
    for c in chunks:
        dec.feed(c)
        out.extend(dec)
    dec.close()
    out.extend(dec)
    return out


def covered(items: list[object]) -> int:
    total = 0
    for it in items:
        if isinstance(it, ErrorRecord):
            total += len(it.data)
        elif isinstance(it, SkippedBytes):
            total += len(it.data)
        else:
            total += len(it.encode())  # type: ignore[attr-defined]
    return total


def test_every_split_point_gives_the_same_messages() -> None:
    data = (PCAPS / "gobgp_addpath.bmp").read_bytes()[:3000]
    whole = decode_all([data])
    for cut in range(len(data) + 1):
        assert decode_all([data[:cut], data[cut:]]) == whole


def test_byte_by_byte_feeding() -> None:
    data = (PCAPS / "frr_vpn_evpn.bmp").read_bytes()
    assert decode_all([data[i : i + 1] for i in range(len(data))]) == decode_all([data])


def test_iteration_stops_when_more_data_is_needed() -> None:
    data = (PCAPS / "gobgp_vpn_evpn.bmp").read_bytes()
    first = split_messages(data)[0]
    dec = BMPDecoder()
    dec.feed(first[:-1])
    assert list(dec) == []
    assert dec.pending == first[:-1]
    dec.feed(first[-1:])
    (msg,) = list(dec)
    assert isinstance(msg, bmplib.Initiation)
    assert dec.pending == b""


@pytest.mark.parametrize(
    "header, reason",
    [
        (b"\x01\x00\x00\x00\x06\x04", "version 1"),
        (b"\x03\x00\x00\x00\x00\x04", "below the 6-octet"),  # BIRD's zero-length messages
        (b"\x03\xff\xff\xff\xff\x00", "exceeds the limit"),
        (b"\x03\x00\x00\x00\x10\x00", "too short for a per-peer"),
    ],
)
def test_framing_error_stops_with_offset(header: bytes, reason: str) -> None:
    good = split_messages((PCAPS / "gobgp_vpn_evpn.bmp").read_bytes())[0]
    dec = BMPDecoder()
    dec.feed(good + header + good)
    assert isinstance(next(dec), bmplib.Initiation)
    with pytest.raises(FramingError) as exc:
        next(dec)
    assert exc.value.offset == len(good)
    assert reason in exc.value.reason
    assert exc.value.layer == "stream"
    with pytest.raises(FramingError):  # it stays stopped
        next(dec)
    assert dec.pending == header + good  # nothing is lost


def test_resync_skips_garbage_and_reports_it() -> None:
    msgs = split_messages((PCAPS / "frr_unicast.bmp").read_bytes())[:20]
    garbage = b"\x00\x01garbage!\xff" * 3
    data = b"".join(msgs[:5]) + garbage + b"".join(msgs[5:])
    items = decode_all([data], resync=True)
    skips = [i for i in items if isinstance(i, SkippedBytes)]
    assert len(skips) == 1
    assert skips[0].data == garbage
    assert skips[0].offset == sum(map(len, msgs[:5]))
    assert [m.encode() for m in items if not isinstance(m, SkippedBytes)] == msgs  # type: ignore[union-attr]
    assert covered(items) == len(data)


def test_resync_at_every_split_point() -> None:
    msgs = split_messages((PCAPS / "gobgp_vpn_evpn.bmp").read_bytes())[:4]
    data = msgs[0] + b"\x03\x00\x00\x00\x00" + msgs[1] + msgs[2]
    whole = decode_all([data], resync=True)
    assert covered(whole) == len(data)
    for cut in range(len(data) + 1):
        assert decode_all([data[:cut], data[cut:]], resync=True) == whole


def test_malformed_body_becomes_error_record_and_stream_goes_on() -> None:
    msgs = split_messages((PCAPS / "gobgp_vpn_evpn.bmp").read_bytes())
    rm = next(m for m in msgs if m[5] == 0)
    broken = bytearray(rm)
    broken[48:64] = b"\x00" * 16  # destroy the BGP marker
    data = msgs[0] + bytes(broken) + msgs[1]
    items = decode_all([data])
    assert len(items) == 3
    err = items[1]
    assert isinstance(err, ErrorRecord)
    assert err.offset == len(msgs[0])
    assert err.data == bytes(broken)
    assert err.error.layer == "bgp"
    assert err.error.offset == 48
    assert "marker" in err.error.reason
    assert bmplib.to_json(err)["type"] == "error"


def test_truncated_tail_is_reported_at_close() -> None:
    msgs = split_messages((PCAPS / "gobgp_vpn_evpn.bmp").read_bytes())
    data = msgs[0] + msgs[1][:30]
    items = decode_all([data])
    assert isinstance(items[-1], SkippedBytes)
    assert items[-1].data == msgs[1][:30]
    assert covered(items) == len(data)


def test_unknown_message_type_is_kept() -> None:
    body = b"experimental"
    wire = bytes([3]) + (6 + len(body)).to_bytes(4, "big") + bytes([251]) + body
    (msg,) = decode_all([wire])
    assert isinstance(msg, bmplib.UnknownMessage)
    assert msg.type == 251 and msg.body == body
    assert msg.encode() == wire
    assert bmplib.to_json(msg)["type"] == "unknown"


def test_garbage_run_longer_than_limit_is_reported_in_pieces() -> None:
    dec = BMPDecoder(resync=True, max_message_length=100)
    dec.feed(b"\x00" * 1000)
    pieces = list(dec)
    dec.close()
    pieces += list(dec)
    assert all(isinstance(p, SkippedBytes) and len(p.data) <= 100 for p in pieces)
    assert sum(len(p.data) for p in pieces) == 1000  # type: ignore[union-attr]
