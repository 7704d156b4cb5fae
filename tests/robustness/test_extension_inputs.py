"""Untrusted input to the BMP extensions (OpenBMP records, PROXY headers,
BMP version 4, Route Policy and Attribute Trace): any octets give a result
or a bmplib.DecodeError, never another exception; a result that came from
canonical octets encodes back to them."""

from __future__ import annotations

import struct

from hypothesis import given
from hypothesis import strategies as st

import bmplib
from bmplib.bmp.trace import decode_route_policy_trace
from bmplib.bmp.v4 import decode_v4_message
from bmplib.openbmp import OpenBMPDecoder, decode_openbmp
from bmplib.proxy import decode_proxy_header
from tests.bmp.test_openbmp import ROUTEVIEWS2
from tests.conftest import PCAPS

TRACE = (PCAPS / "trace" / "route_policy_trace.bmp").read_bytes()[70 : 70 + 372]
PROXY_V2 = (PCAPS / "proxy" / "haproxy_v2.bmp").read_bytes()[:77]


def mutated(seed: bytes) -> st.SearchStrategy[bytes]:
    """*seed* with a few octets changed, cut or extended."""

    def apply(edits: list[tuple[int, int]], cut: int, tail: bytes) -> bytes:
        b = bytearray(seed)
        for pos, value in edits:
            b[pos % len(b)] = value
        return bytes(b[: max(0, len(b) - cut)]) + tail

    return st.builds(
        apply,
        st.lists(st.tuples(st.integers(0, 10_000), st.integers(0, 255)), max_size=4),
        st.integers(0, 8),
        st.binary(max_size=8),
    )


def drain(dec: object, data: bytes) -> None:
    """Feed *data* to a sans-IO decoder, close it, take every item: a
    framing error (a DecodeError) may stop it."""
    try:
        dec.feed(data)  # type: ignore[attr-defined]
        dec.close()  # type: ignore[attr-defined]
        list(dec)  # type: ignore[call-overload]
    except bmplib.DecodeError:
        pass


def contract(fn: object, data: bytes) -> object:
    try:
        return fn(data)  # type: ignore[operator]
    except bmplib.DecodeError:
        return None


@given(st.one_of(st.binary(max_size=200), mutated(ROUTEVIEWS2)))
def test_openbmp_record(data: bytes) -> None:
    rec = contract(decode_openbmp, data)
    if rec is not None:
        assert rec.encode() == data  # type: ignore[attr-defined]
        for item in rec.messages():  # type: ignore[attr-defined]
            assert item is not None


@given(st.one_of(st.binary(max_size=300), mutated(ROUTEVIEWS2 * 2)))
def test_openbmp_stream(data: bytes) -> None:
    drain(OpenBMPDecoder(), data)


@given(st.one_of(st.binary(max_size=120), mutated(PROXY_V2), mutated(b"PROXY TCP4 192.0.2.1 192.0.2.2 1 2\r\n")))
def test_proxy_header(data: bytes) -> None:
    found = contract(decode_proxy_header, data)
    if found is not None and found[0].version == 2:  # type: ignore[index]
        header, length = found  # type: ignore[misc]
        assert header.encode() == data[:length]
    drain(bmplib.BMPDecoder(proxy=True), data)


def _v4(body: bytes) -> bytes:
    return struct.pack("!BIB", 4, 6 + len(body), 0) + body


@given(
    st.one_of(
        st.binary(max_size=120).map(_v4),
        mutated(_v4(bytes(42) + struct.pack("!HHH", 7, 23, 0) + b"\xff" * 16 + b"\x00\x17\x02\x00\x00\x00\x00")),
    )
)
def test_v4(data: bytes) -> None:
    msg = contract(decode_v4_message, data)
    if msg is not None:
        assert msg.encode() == data  # type: ignore[attr-defined]
    drain(bmplib.BMPDecoder(resync=True), data)


@given(st.one_of(st.binary(max_size=200), mutated(TRACE[6:])))
def test_trace(data: bytes) -> None:
    contract(lambda b: decode_route_policy_trace(b, 0, len(b)), data)
    framed = struct.pack("!BIB", 3, 6 + len(data), 100) + data
    msg = contract(bmplib.decode, framed)
    assert msg is None or msg.encode() == framed  # type: ignore[attr-defined]
