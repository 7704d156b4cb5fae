"""Hypothesis: generated BMP messages and UPDATEs (bmplib.testing.strategies),
intact and mutated, decode the same with the compiled and the pure decoders."""

from __future__ import annotations

from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from bmplib.session import DecodeContext
from bmplib.testing import strategies as bst
from tests.fast.differential import same_message, same_update


@st.composite
def mutated(draw: st.DrawFn, data: bytes) -> bytes:
    """*data* with one mutation: a bit flip, an inserted or deleted octet, a
    truncation, or a 1/2/4-octet field set to 0, 1, its maximum or off by one."""
    if not data:
        return data
    op = draw(st.sampled_from(["keep", "flip", "insert", "delete", "truncate", "field"]))
    i = draw(st.integers(0, len(data) - 1))
    if op == "flip":
        return data[:i] + bytes([data[i] ^ (1 << draw(st.integers(0, 7)))]) + data[i + 1 :]
    if op == "insert":
        return data[:i] + bytes([draw(st.integers(0, 255))]) + data[i:]
    if op == "delete":
        return data[:i] + data[i + 1 :]
    if op == "truncate":
        return data[:i]
    if op == "field":
        width = draw(st.sampled_from([1, 2, 4]))
        if i + width > len(data):
            return data
        old = int.from_bytes(data[i : i + width], "big")
        top = (1 << (8 * width)) - 1
        v = draw(st.sampled_from([0, 1, top, (old - 1) & top, (old + 1) & top]))
        return data[:i] + v.to_bytes(width, "big") + data[i + width :]
    return data


@given(bst.bmp_messages(), st.data())
def test_bmp_messages(msg: Any, data: st.DataObject) -> None:
    wire = msg.encode()
    same_message(wire)
    same_message(data.draw(mutated(wire)))


@given(bst.contexts(), st.data())
def test_updates(ctx: DecodeContext, data: st.DataObject) -> None:
    body = data.draw(bst.updates(ctx)).encode_body()
    got = same_update(body, 0, len(body), ctx)
    assert got[0] == "ok"
    same_update(body, 0, len(body), DecodeContext(asn4=not ctx.asn4, asn_guess=True))
    m = data.draw(mutated(body))
    same_update(m, 0, len(m), ctx)
    # inside a larger buffer, at an offset
    pad = b"\xff" * 7 + m + b"\x00" * 5
    same_update(pad, 7, 7 + len(m), ctx)


@given(st.binary(max_size=300), st.integers(0, 8))
def test_arbitrary_octets(blob: bytes, pos: int) -> None:
    same_update(blob, min(pos, len(blob)), len(blob), DecodeContext())
    same_message(b"\x03" + (len(blob) + 6).to_bytes(4, "big") + b"\x00" + blob)


def test_the_comparison_can_fail() -> None:
    """canon tells apart what == does not, and pure_path really switches."""
    from bmplib.bgp import message as bgp_message
    from bmplib.bgp.attributes import Origin, OriginType
    from tests.fast.differential import canon, fast_decode_update, pure_decode_update, pure_path

    assert Origin(OriginType.IGP, 64) == Origin(0, 64)
    assert canon(Origin(OriginType.IGP, 64)) != canon(Origin(0, 64))
    assert bgp_message._DECODERS[2] is fast_decode_update
    with pure_path():
        assert bgp_message._DECODERS[2] is pure_decode_update
    assert bgp_message._DECODERS[2] is fast_decode_update


def test_long_non_update_pdus_in_route_monitoring() -> None:
    """Only UPDATEs take the compiled Route Monitoring path: an OPEN or
    KEEPALIVE over 4096 octets is an error even in an extended-message
    session (RFC 8654 section 3), an extended UPDATE is not."""
    peer = bytes(2) + bytes(8) + bytes(12) + bytes([192, 0, 2, 1]) + (65001).to_bytes(4, "big") + bytes(12)
    for bgp_type, body in ((4, bytes(4981)), (1, bytes(4981)), (2, bytes(4) + bytes(4977))):
        bgp = b"\xff" * 16 + (19 + len(body)).to_bytes(2, "big") + bytes([bgp_type]) + body
        msg = b"\x03" + (48 + len(bgp)).to_bytes(4, "big") + b"\x00" + peer + bgp
        got = same_message(msg, DecodeContext(extended_message=True))
        assert (got[0] == "error") == (bgp_type != 2)
