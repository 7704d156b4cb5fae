"""Resynchronisation of the stream decoder (issue 17, items 1, 2, 3 and 5):
the items never depend on how the input was cut, a candidate header is only
taken once it can be judged, well-formed messages of unknown types are found
again, false headers whose BGP PDU has no marker are not taken, and the items
plus ``pending`` are exactly the octets fed at every moment.

Run under both implementations (CI runs the suite with the extension and
with ``BMPLIB_PURE=1``); tests/fast/test_resync.py compares the two."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import bmplib
from bmplib import BMPDecoder, FramingError
from bmplib.stream import DEFAULT_MAX_MESSAGE_LENGTH, ErrorRecord, SkippedBytes, resync_candidate
from bmplib.testing import strategies as bst
from tests.bmp.test_roundtrip_real import split_messages
from tests.conftest import PCAPS

# issue 17, item 1: a Peer Down header at offset 1 whose peer-type octet is
# the 7th octet of the read
ITEM1 = bytes.fromhex("0003000000400260000000" + "030000000604" * 12)
# item 2: Initiation, 2 octets of garbage, a type-7 message of 9 octets, Initiation
ITEM2 = bytes.fromhex("030000000c040002000272310000030000000907010203030000000c04000200027231")
INITIATION = bytes.fromhex("030000000c04000200027231")
_MARKER = b"\xff" * 16

_FEWER = settings(max_examples=max(10, settings().max_examples // 3))


def items_of(data: bytes, cuts: list[int] | None = None, **opts: Any) -> list[Any]:
    """The items of *data* fed in the pieces *cuts* delimit (then closed)."""
    dec = BMPDecoder(**opts)
    out: list[Any] = []
    prev = 0
    for cut in [*(cuts or []), len(data)]:
        dec.feed(data[prev:cut])
        prev = cut
        out.extend(dec)
    dec.close()
    out.extend(dec)
    return out


def summary(items: list[Any]) -> list[tuple[Any, int, int]]:
    return [(it.type, it.offset, size(it)) for it in items]


def size(item: Any) -> int:
    if isinstance(item, (ErrorRecord, SkippedBytes)):
        return len(item.data)
    return len(item.encode())


def fed_whole_and_bytewise(data: bytes, **opts: Any) -> list[Any]:
    whole = items_of(data, **opts)
    assert items_of(data, list(range(1, len(data))), **opts) == whole
    assert [it.offset for it in items_of(data, list(range(1, len(data))), **opts)] == [it.offset for it in whole]
    return whole


# -- item 1 -------------------------------------------------------------------
def test_item1_a_candidate_waits_until_it_can_be_judged() -> None:
    whole = items_of(ITEM1, resync=True)
    assert summary(whole) == [("skipped", 0, 11)] + [(bmplib.MessageType.INITIATION, 11 + 6 * i, 6) for i in range(12)]
    for cut in range(len(ITEM1) + 1):
        got = items_of(ITEM1, [cut], resync=True)
        assert summary(got) == summary(whole), cut
    assert summary(fed_whole_and_bytewise(ITEM1, resync=True)) == summary(whole)


def test_item1_the_verdict_needs_the_peer_type_octet() -> None:
    head = ITEM1[1:7]  # 03 00000040 02: a Peer Down header, peer type not there
    assert resync_candidate(head, 0, DEFAULT_MAX_MESSAGE_LENGTH, False) is None
    assert resync_candidate(head, 0, DEFAULT_MAX_MESSAGE_LENGTH, True) is False
    assert resync_candidate(ITEM1, 1, DEFAULT_MAX_MESSAGE_LENGTH, True) is False  # peer type 0x60


# -- item 2 -------------------------------------------------------------------
def test_item2_resync_finds_a_message_of_unknown_type() -> None:
    items = fed_whole_and_bytewise(ITEM2, resync=True)
    assert summary(items) == [
        (bmplib.MessageType.INITIATION, 0, 12),
        ("skipped", 12, 2),
        (7, 14, 9),
        (bmplib.MessageType.INITIATION, 23, 12),
    ]
    unknown = items[2]
    assert isinstance(unknown, bmplib.UnknownMessage) and unknown.body == b"\x01\x02\x03"
    assert items[1].data == b"\x00\x00"


def test_item2_an_unknown_type_must_be_followed_by_a_header() -> None:
    unknown = bytes.fromhex("030000000907010203")
    # followed by a header that frames, or by the end of the data: taken
    assert resync_candidate(unknown + INITIATION, 0, DEFAULT_MAX_MESSAGE_LENGTH, True) is True
    assert resync_candidate(unknown, 0, DEFAULT_MAX_MESSAGE_LENGTH, True) is True
    # the end is not known yet: wait
    assert resync_candidate(unknown, 0, DEFAULT_MAX_MESSAGE_LENGTH, False) is None
    # followed by garbage, or by part of a header at the end: not taken
    assert resync_candidate(unknown + bytes(6), 0, DEFAULT_MAX_MESSAGE_LENGTH, True) is False
    assert resync_candidate(unknown + b"\x03", 0, DEFAULT_MAX_MESSAGE_LENGTH, True) is False


# -- item 3 -------------------------------------------------------------------
def _false_headers() -> bytes:
    """The two false headers of issue 17 item 3 (from an ADD-PATH capability
    and an Information TLV "global" of a BMP v4 capture), after a header of
    an unknown BMP version (the framing error that starts the skip; version
    4 is decoded since bmplib.bmp.v4)."""
    v4 = b"\x05\x00\x00\x00\x10\x04\x00\x00\x00\x06global"
    add_path = b"\x03\x00\x01\x80\x03\x00" + bytes(42) + b"\x00\x01\x01\x03"  # peer type 0, then no marker
    global_ = b"\x03\x00\x03\x00\x06\x00global" + bytes(40)
    return v4 + add_path + global_


def test_item3_false_headers_without_a_bgp_marker_are_not_taken() -> None:
    garbage = _false_headers()
    data = INITIATION + garbage + INITIATION
    items = fed_whole_and_bytewise(data, resync=True)
    assert summary(items) == [
        (bmplib.MessageType.INITIATION, 0, 12),
        ("skipped", 12, len(garbage)),
        (bmplib.MessageType.INITIATION, 12 + len(garbage), 12),
    ]


def test_item3_real_messages_after_garbage_are_found() -> None:
    """Every message of a real capture, after garbage that holds the false
    headers, is found again by its first octet."""
    every = split_messages((PCAPS / "frr_unicast.bmp").read_bytes())
    msgs = every[:40] + list({m[5]: m for m in every}.values())
    assert {m[5] for m in msgs} == {0, 1, 2, 3, 4, 6}
    for m in msgs:
        data = INITIATION + _false_headers() + m
        items = items_of(data, resync=True)
        assert items[-1].offset == len(data) - len(m), m[:7].hex()
        assert not isinstance(items[-1], (SkippedBytes, ErrorRecord))


@pytest.mark.parametrize(
    ("name", "at"),
    [
        ("route monitoring without the UPDATE's marker", 48),
        ("peer up without the sent OPEN's marker", 68),
    ],
)
def test_item3_marker_where_the_pdu_starts(name: str, at: int) -> None:
    msgs = split_messages((PCAPS / "frr_unicast.bmp").read_bytes())
    msg_type = 0 if at == 48 else 3
    m = next(x for x in msgs if x[5] == msg_type)
    assert resync_candidate(m, 0, DEFAULT_MAX_MESSAGE_LENGTH, True) is True
    broken = bytearray(m)
    broken[at] = 0xFE
    assert resync_candidate(bytes(broken), 0, DEFAULT_MAX_MESSAGE_LENGTH, True) is False, name


def test_item3_a_bmp_v4_stream_is_not_garbage() -> None:
    """A BMP v4 stream is framed and decoded (bmplib.bmp.v4), not skipped."""
    v4 = b"\x04" + INITIATION[1:]
    dec = BMPDecoder()
    dec.feed(v4)
    (msg,) = list(dec)
    assert msg.type == bmplib.MessageType.INITIATION
    (again,) = items_of(v4, resync=True)
    assert not isinstance(again, (SkippedBytes, ErrorRecord))


# -- item 5 -------------------------------------------------------------------
def test_item5_octets_of_an_open_skip_are_pending() -> None:
    dec = BMPDecoder(resync=True)
    dec.feed(bytes(10))
    assert list(dec) == []
    assert dec.pending == bytes(10)
    assert dec.offset == 0
    dec.feed(INITIATION)
    items = list(dec)
    assert summary(items) == [("skipped", 0, 10), (bmplib.MessageType.INITIATION, 10, 12)]
    assert dec.pending == b"" and dec.offset == 22


# -- the stream properties with resync on --------------------------------------
@st.composite
def damaged_streams(draw: st.DrawFn) -> bytes:
    """Generated messages with garbage between them: random octets, pieces
    of the messages themselves (false candidates), BMP-looking headers."""
    msgs = draw(bst.bmp_streams())
    wires = [bmplib.encode(m) for m in msgs]
    out = b""
    for w in wires:
        kind = draw(st.integers(0, 4))
        if kind == 1:
            out += draw(st.binary(max_size=24))
        elif kind == 2:
            a = draw(st.integers(0, len(w)))
            out += w[a : a + draw(st.integers(0, 70))]
        elif kind == 3:
            out += bytes([3]) + draw(st.integers(0, 200)).to_bytes(4, "big") + bytes([draw(st.integers(0, 9))])
            out += draw(st.binary(max_size=8))
        out += w
    if draw(st.booleans()):
        out += draw(st.binary(max_size=10))
    return out


def _cuts(data: st.DataObject, n: int) -> list[int]:
    return sorted(data.draw(st.lists(st.integers(0, n), max_size=12)))


def _accounted(fed: bytes, items: list[Any], dec: BMPDecoder) -> None:
    """The items, in order, cover the stream from octet 0 without a hole or
    an overlap, and the pending octets are exactly the rest of what was fed."""
    pos = 0
    for it in items:
        assert it.offset == pos
        record = isinstance(it, (ErrorRecord, SkippedBytes))
        pos += len(it.data) if record else int.from_bytes(fed[pos + 1 : pos + 5], "big")
    assert dec.offset == pos
    assert dec.pending == fed[pos:]


@given(damaged_streams(), st.data())
@_FEWER
def test_property_resync_items_do_not_depend_on_chunking(stream: bytes, data: st.DataObject) -> None:
    whole = items_of(stream, resync=True)
    cut = items_of(stream, _cuts(data, len(stream)), resync=True)
    assert cut == whole
    assert [it.offset for it in cut] == [it.offset for it in whole]
    assert sum(size(it) if isinstance(it, (ErrorRecord, SkippedBytes)) else 0 for it in whole) <= len(stream)


@given(damaged_streams(), st.data(), st.booleans())
@_FEWER
def test_property_items_plus_pending_is_what_was_fed(stream: bytes, data: st.DataObject, resync: bool) -> None:
    """At every moment -- after each feed and after each item -- the items
    so far and ``pending`` are exactly the octets fed."""
    dec = BMPDecoder(resync=resync)
    items: list[Any] = []
    fed = b""
    prev = 0
    try:
        for cut in [*_cuts(data, len(stream)), len(stream)]:
            dec.feed(stream[prev:cut])
            fed += stream[prev:cut]
            prev = cut
            _accounted(fed, items, dec)
            for it in dec:
                items.append(it)
                _accounted(fed, items, dec)
        dec.close()
        for it in dec:
            items.append(it)
            _accounted(fed, items, dec)
        assert dec.pending == b""
    except FramingError:
        assert not resync
        _accounted(fed, items, dec)


@given(bst.bmp_messages())
@_FEWER
def test_property_every_well_formed_message_is_a_resync_candidate(msg: Any) -> None:
    """The stricter resync test never refuses a message the decoder reads,
    but for a per-peer message with a peer type IANA has not assigned and
    no BGP PDU (a marker) to judge it by."""
    wire = bmplib.encode(msg)
    want = not (wire[5] in (1, 2, 6) and wire[6] > 3 and _MARKER not in wire[48:])
    assert resync_candidate(wire, 0, DEFAULT_MAX_MESSAGE_LENGTH, True) is want
    assert resync_candidate(wire + INITIATION, 0, DEFAULT_MAX_MESSAGE_LENGTH, False) is want


def test_every_message_of_the_captures_is_a_resync_candidate() -> None:
    for path in sorted(PCAPS.glob("*.bmp")):
        for m in split_messages(path.read_bytes()):
            assert resync_candidate(m, 0, DEFAULT_MAX_MESSAGE_LENGTH, True) is True, (path.name, m[:7].hex())
