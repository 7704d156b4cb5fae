"""FlowSpec (IPv4/IPv6/VPN/L2VPN), VPLS, MDT, MVPN and RTC-for-AFI-2 through
the compiled UPDATE decoder, which leaves their NLRI to the pure codecs:
whole BMP messages and UPDATE bodies give the pure decoder's objects or
errors -- intact, with ADD-PATH path identifiers, truncated at every length,
with every octet's bits flipped, inside MP_REACH_NLRI and MP_UNREACH_NLRI --
and the FlowSpec traffic-action communities likewise."""

from __future__ import annotations

import random
import struct
from collections.abc import Iterator

from hypothesis import given
from hypothesis import strategies as st

from bmplib.session import DecodeContext
from bmplib.testing import strategies as bst
from tests.fast.differential import same_message, same_update
from tests.nlri import rfc_families as rfc

FAMILIES = [(1, 133), (2, 133), (1, 134), (2, 134), (25, 134), (25, 65), (1, 66), (1, 5), (2, 5), (2, 132)]


def _attr(flags: int, code: int, value: bytes) -> bytes:
    if len(value) > 255:
        return bytes([flags | 0x10, code]) + struct.pack("!H", len(value)) + value
    return bytes([flags, code, len(value)]) + value


def _update(attrs: bytes) -> bytes:
    return b"\x00\x00" + struct.pack("!H", len(attrs)) + attrs


def _bodies(afi: int, safi: int, next_hop: bytes, nlri: bytes, extra: bytes) -> list[bytes]:
    """An announcement and a withdrawal of *nlri* (UPDATE bodies)."""
    base = _attr(0x40, 1, b"\x00") + _attr(0x40, 2, b"")
    reach = _attr(0x80, 14, struct.pack("!HBB", afi, safi, len(next_hop)) + next_hop + b"\x00" + nlri)
    unreach = _attr(0x80, 15, struct.pack("!HB", afi, safi) + nlri)
    return [_update(base + reach + extra), _update(unreach)]


def _with_path_ids(nlri_units: list[bytes]) -> bytes:
    return b"".join(struct.pack("!I", 7 + i) + u for i, u in enumerate(nlri_units))


UNITS = {
    "flowspec-v4": rfc.FLOWSPEC_V4,
    "flowspec-v6": rfc.FLOWSPEC_V6,
    "flowspec-v6-rfc-offset": rfc.FLOWSPEC_V6_RFC_OFFSET,
    "flowspec-vpn-v4": rfc.FLOWSPEC_VPN_V4,
    "flowspec-vpn-v6": rfc.FLOWSPEC_VPN_V6,
    "flowspec-l2vpn": rfc.FLOWSPEC_L2VPN,
    "flowspec-unknown-type": rfc.FLOWSPEC_UNKNOWN,
    "vpls": rfc.VPLS,
    "mdt": rfc.MDT,
    "mvpn-v4": rfc.MVPN_V4,
    "mvpn-v6": rfc.MVPN_V6,
    "rtc-v6": rfc.RTC_V6,
}


def cases() -> Iterator[tuple[bytes, DecodeContext]]:
    """(UPDATE body, context) for each hand-built family message, with and
    without ADD-PATH."""
    for label, afi, safi, nh, nlri, extra in rfc.MESSAGES:
        units = UNITS[label]
        assert b"".join(units) == nlri or label == "flowspec-v6-rfc-offset"
        for body in _bodies(afi, safi, nh, b"".join(units), extra):
            yield body, DecodeContext()
        for body in _bodies(afi, safi, nh, _with_path_ids(units), extra):
            yield body, DecodeContext(addpath=frozenset({(afi, safi)}))
            yield body, DecodeContext()  # path IDs the session did not announce: guessed


def test_hand_built_messages() -> None:
    for msg in rfc.stream():
        assert same_message(msg)[0] == "ok"


def test_updates_intact_and_with_path_ids() -> None:
    n = 0
    for body, ctx in cases():
        assert same_update(body, 0, len(body), ctx)[0] == "ok"
        n += 1
    assert n == 4 * len(rfc.MESSAGES) + 2 * len(rfc.MESSAGES)


def test_updates_mutated() -> None:
    """Truncated at every length and every octet's bits flipped (each
    message's NLRI region, where the family codecs run)."""
    rng = random.Random(16)
    for body, ctx in cases():
        for k in range(len(body)):
            same_update(body[:k], 0, k, ctx)
        for i in range(len(body)):
            for bit in range(8) if i >= len(body) - 48 else (rng.randrange(8),):
                m = body[:i] + bytes([body[i] ^ (1 << bit)]) + body[i + 1 :]
                same_update(m, 0, len(m), ctx)


@given(st.sampled_from(FAMILIES), st.data())
def test_generated_routes(family: tuple[int, int], data: st.DataObject) -> None:
    ctx = data.draw(bst.contexts(tuple(FAMILIES)))
    routes = data.draw(st.lists(bst.nlri(family[0], family[1], family in ctx.addpath), min_size=1, max_size=4))
    nlri = b"".join(r.encode() for r in routes)
    nh = b"\xc0\x00\x02\x01" if family[1] not in (133, 134) else b""
    for body in _bodies(family[0], family[1], nh, nlri, b""):
        assert same_update(body, 0, len(body), ctx)[0] == "ok"


@given(st.lists(bst.extended_communities(), min_size=1, max_size=6))
def test_traffic_communities(communities: list[object]) -> None:
    value = b"".join(c.encode() for c in communities)  # type: ignore[attr-defined]
    body = _update(_attr(0x40, 1, b"\x00") + _attr(0xC0, 16, value))
    assert same_update(body, 0, len(body), DecodeContext())[0] == "ok"
