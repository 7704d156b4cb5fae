"""Round-trip properties over the shared strategies (bmplib.testing.strategies):
``decode(encode(m)) == m`` for every generated model object of every type and
family, ``encode(decode(b)) == b`` for the octets, and the stream decoder gives
the same messages for any chunking of a generated stream.

The Hypothesis profile (tests/conftest.py) sets the number of examples:
``ci`` by default, ``BMPLIB_HYPOTHESIS_PROFILE=long`` for a long run.
"""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

import bmplib
from bmplib.bgp.attributes.base import ATTR_EXTENDED_LENGTH
from bmplib.bgp.capabilities import decode_capability
from bmplib.bgp.message import decode_bgp_message
from bmplib.bgp.update import decode_update
from bmplib.bmp.header import decode_peer_header
from bmplib.nlri.registry import lookup as lookup_codec
from bmplib.session import DecodeContext, SessionTable
from bmplib.stream import ErrorRecord, SkippedBytes
from bmplib.testing import strategies as bst

# each test below is one property; the cheap ones run the profile's number of
# examples, the heavier ones (whole UPDATEs, streams) a fraction of it, so the
# module stays within a minute on the ci profile
_HALF = settings(max_examples=max(10, settings().max_examples // 2))
_FEWER = settings(max_examples=max(10, settings().max_examples // 3))


def _attribute_value_start(wire: bytes) -> int:
    return 4 if wire[0] & ATTR_EXTENDED_LENGTH else 3


# ---------------------------------------------------------------------------
# BMP layer
# ---------------------------------------------------------------------------
@given(bst.peer_headers())
def test_peer_header_round_trip(peer: bmplib.PeerHeader) -> None:
    wire = bmplib.encode(peer)
    assert len(wire) == 42
    assert decode_peer_header(wire, 0) == peer


@given(bst.bmp_messages())
def test_bmp_message_round_trip(msg: Any) -> None:
    wire = bmplib.encode(msg)
    back = bmplib.decode(wire)
    assert back == msg
    assert type(back) is type(msg)
    assert bmplib.encode(back) == wire


@_HALF
@given(st.data())
def test_route_monitoring_round_trip_in_any_context(data: st.DataObject) -> None:
    ctx = data.draw(bst.contexts())
    msg = data.draw(bst.route_monitorings(ctx))
    wire = bmplib.encode(msg, ctx)
    assert bmplib.decode(wire, ctx) == msg


@_HALF
@given(st.data())
def test_route_mirroring_round_trip_in_any_context(data: st.DataObject) -> None:
    ctx = data.draw(bst.contexts())
    msg = data.draw(bst.route_mirrorings(ctx))
    assert bmplib.decode(bmplib.encode(msg, ctx), ctx) == msg


@given(bst.bmp_streams(), st.data())
@_FEWER
def test_stream_any_chunking(msgs: list[Any], data: st.DataObject) -> None:
    """The messages of a generated stream come back in order, with their
    offsets, whatever the chunk sizes (including 1-octet chunks)."""
    wires = [bmplib.encode(m) for m in msgs]
    stream = b"".join(wires)
    cuts = sorted(data.draw(st.lists(st.integers(0, len(stream)), max_size=12)))
    dec = bmplib.BMPDecoder(track_sessions=False)
    got: list[Any] = []
    prev = 0
    for cut in [*cuts, len(stream)]:
        dec.feed(stream[prev:cut])
        prev = cut
        got.extend(dec)
    dec.close()
    got.extend(dec)
    assert not [g for g in got if isinstance(g, (ErrorRecord, SkippedBytes))]
    assert got == msgs
    offsets = [sum(len(w) for w in wires[:i]) for i in range(len(wires))]
    assert [g.offset for g in got] == offsets


@given(bst.bmp_sessions(), st.data())
@_FEWER
def test_session_stream_any_chunking(msgs: list[Any], data: st.DataObject) -> None:
    """A Peer Up, then Route Monitoring laid out as its OPENs negotiated
    (4-octet AS, ADD-PATH per family and direction), then a Peer Down and
    the no-session layout: the session-tracking decoder gives them back, for
    any chunking."""
    # encode each message checked against the context its peer's session gives it
    table = SessionTable()
    wires = []
    for m in msgs:
        ctx = table.context_for(0, m.peer) if m.type == 0 else None
        wires.append(bmplib.encode(m, ctx))
        table.observe(m)
    stream = b"".join(wires)
    cuts = sorted(data.draw(st.lists(st.integers(0, len(stream)), max_size=6)))
    dec = bmplib.BMPDecoder()
    got: list[Any] = []
    prev = 0
    for cut in [*cuts, len(stream)]:
        dec.feed(stream[prev:cut])
        prev = cut
        got.extend(dec)
    assert got == msgs
    assert not any(m.update.path_ids_guessed or m.update.as_path_guessed for m in got if m.type == 0)


@given(bst.bmp_streams(max_messages=3))
@_FEWER
def test_stream_byte_by_byte(msgs: list[Any]) -> None:
    stream = b"".join(bmplib.encode(m) for m in msgs)
    dec = bmplib.BMPDecoder(track_sessions=False)
    got: list[Any] = []
    for i in range(len(stream)):
        dec.feed(stream[i : i + 1])
        got.extend(dec)
    assert got == msgs


# ---------------------------------------------------------------------------
# BGP layer
# ---------------------------------------------------------------------------
@_HALF
@given(st.data())
def test_bgp_message_round_trip(data: st.DataObject) -> None:
    ctx = data.draw(bst.contexts())
    msg = data.draw(bst.bgp_messages(ctx))
    wire = bmplib.encode(msg, ctx)
    back, end = decode_bgp_message(wire, 0, len(wire), ctx)
    assert end == len(wire)
    assert back == msg
    assert back.encode() == wire


@_HALF
@given(bst.opens())
def test_open_round_trip(msg: Any) -> None:
    wire = bmplib.encode(msg)
    assert decode_bgp_message(wire, 0, len(wire))[0] == msg


@given(bst.capabilities())
def test_capability_round_trip(cap: Any) -> None:
    wire = bmplib.encode(cap)
    assert wire[1] == len(wire) - 2
    assert decode_capability(wire, wire[0], 2, len(wire)) == cap


@_HALF
@given(st.data())
def test_update_round_trip(data: st.DataObject) -> None:
    ctx = data.draw(bst.contexts())
    upd = data.draw(bst.updates(ctx))
    wire = bmplib.encode(upd, ctx)
    back = decode_update(wire, 19, len(wire), ctx)
    assert back.problems == []
    assert back == upd
    assert back.encode() == wire


@given(st.data())
def test_path_attribute_round_trip(data: st.DataObject) -> None:
    """Each attribute alone, as the only attribute of an UPDATE."""
    ctx = data.draw(bst.contexts())
    attr = data.draw(bst.path_attributes(ctx))
    wire = bmplib.encode(attr)
    n = len(wire) - _attribute_value_start(wire)
    assert wire[1] == attr.type_code
    assert int.from_bytes(wire[2 : _attribute_value_start(wire)], "big") == n
    body = len(wire).to_bytes(2, "big").rjust(4, b"\0") + wire
    upd = decode_update(body, 0, len(body), ctx)
    assert upd.attributes == [attr]
    if attr.type_code == 14 and attr.nlri:
        # alone, an MP_REACH_NLRI announcing routes lacks ORIGIN and AS_PATH (RFC 7606 section 3 d)
        assert [(p.type_code, p.action.value) for p in upd.problems] == [
            (1, "treat-as-withdraw"),
            (2, "treat-as-withdraw"),
        ]
    else:
        assert upd.problems == []


@given(bst.extended_communities())
def test_extended_community_round_trip(c: Any) -> None:
    from bmplib.bgp.attributes.extended_communities import decode_extended_community

    wire = bmplib.encode(c)
    assert len(wire) == 8
    assert decode_extended_community(wire, 0) == c


# ---------------------------------------------------------------------------
# NLRI of every family
# ---------------------------------------------------------------------------
@given(st.data())
def test_nlri_round_trip_every_family(data: st.DataObject) -> None:
    family = data.draw(st.sampled_from(bst.FAMILIES))
    with_pid = data.draw(st.booleans())
    codec = lookup_codec(*family)
    if codec is None:
        with_pid = False
    routes = data.draw(st.lists(bst.nlri(family[0], family[1], with_pid), min_size=1, max_size=5))
    if codec is None:
        routes = routes[:1]
    wire = b"".join(bmplib.encode(r) for r in routes)
    ctx = DecodeContext(addpath=frozenset({family}) if with_pid else frozenset())
    if codec is None:
        assert routes[0].data == wire
        return
    assert codec.encode(routes, with_pid, ctx) == wire
    assert codec.decode(wire, 0, len(wire), with_pid, ctx) == routes


@_HALF
@given(st.data())
def test_every_family_in_mp_reach_and_unreach(data: st.DataObject) -> None:
    """MP_REACH_NLRI / MP_UNREACH_NLRI of each family inside a Route
    Monitoring message, through the whole decoder."""
    family = data.draw(st.sampled_from(bst.FAMILIES))
    ctx = data.draw(bst.contexts())
    msg = data.draw(bst.route_monitorings(ctx))
    routes = data.draw(st.lists(bst.nlri(family[0], family[1], family in ctx.addpath), min_size=1, max_size=3))
    if lookup_codec(*family) is None:
        routes = routes[:1]
    # IPv6 next hop: every family (IPv4 unicast too, RFC 8950) goes in MP_REACH_NLRI
    msg.bgp = bmplib.update(announce=routes, next_hop="2001:db8::1", as_path=[64512, 1], asn4=ctx.asn4)
    assert [type(a).__name__ for a in msg.bgp.attributes] == ["Origin", "ASPath", "MPReachNLRI"]
    back = bmplib.decode(bmplib.encode(msg, ctx), ctx)
    assert back == msg
    assert [str(r) for r in back.update.announced] == [str(r) for r in routes]
    msg.bgp = bmplib.update(withdraw=routes) if family != (1, 1) else bmplib.end_of_rib(family)
    back = bmplib.decode(bmplib.encode(msg, ctx), ctx)
    assert back == msg
    if family != (1, 1):
        assert [str(r) for r in back.update.withdrawn] == [str(r) for r in routes]
