"""Every message of every shipped capture decodes, and re-encodes to the exact
same octets."""

from __future__ import annotations

import struct

import pytest

import bmplib
from bmplib.stream import ErrorRecord, SkippedBytes
from tests.conftest import KNOWN_FAULTS, PCAPS


def split_messages(data: bytes) -> list[bytes]:
    """Independent framing: walk the common headers by their length fields."""
    out, pos = [], 0
    while pos < len(data):
        length = struct.unpack_from("!I", data, pos + 1)[0]
        out.append(data[pos : pos + length])
        pos += length
    return out


def test_every_message_decodes_and_round_trips(capture: str) -> None:
    data = (PCAPS / f"{capture}.bmp").read_bytes()
    raw = split_messages(data)
    assert len(raw) > 10
    decoded = list(bmplib.iter_file(PCAPS / f"{capture}.bmp"))
    assert len(decoded) == len(raw)
    offset = 0
    faults = KNOWN_FAULTS.get(capture, {})
    for item, wire in zip(decoded, raw):
        assert item.offset == offset
        if isinstance(item, ErrorRecord) and offset in faults:
            assert item.data == wire
        else:
            assert not isinstance(item, (ErrorRecord, SkippedBytes)), bmplib.to_json(item)
            assert item.encode() == wire
        offset += len(wire)
    assert sorted(i.offset for i in decoded if isinstance(i, ErrorRecord)) == sorted(faults)


def test_decode_single_message_equals_stream(capture: str) -> None:
    data = (PCAPS / f"{capture}.bmp").read_bytes()
    for wire, item in zip(split_messages(data), bmplib.iter_file(PCAPS / f"{capture}.bmp")):
        if item.offset in KNOWN_FAULTS.get(capture, {}):
            with pytest.raises(bmplib.DecodeError):
                bmplib.decode(wire)
            continue
        single = bmplib.decode(wire)
        # the stream decoder may know more (session context) for UPDATEs; the
        # BMP layer must agree everywhere
        assert type(single) is type(item)
        assert getattr(single, "peer", None) == getattr(item, "peer", None)
