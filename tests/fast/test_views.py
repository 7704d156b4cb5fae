"""The compiled convenience views (Update.announced / withdrawn,
MPNextHop.address / link_local: rows of bmplib._impl.KERNELS) give what the
pure properties give: on every UPDATE of the captures and on hand-made edge
cases (RFC 7606 treat-as-withdraw and session-reset, next hops of every
length, a raw value that is not bytes)."""

from __future__ import annotations

from typing import Any

import pytest

from bmplib import BMPDecoder, _impl
from bmplib.bgp.attributes import ErrorAction, MPReachNLRI, MPUnreachNLRI, Problem
from bmplib.bgp.attributes.mp import MPNextHop
from bmplib.bgp.update import Update
from bmplib.nlri.inet import IPV4_UNICAST, IPV6_UNICAST, InetPrefix
from tests.fast.differential import canon, fast, raw_streams

VIEWS = [("update_announced", "announced"), ("update_withdrawn", "withdrawn")]
HOP_VIEWS = [("next_hop_address", "address"), ("next_hop_link_local", "link_local")]


def _same(kernel: str, obj: Any) -> Any:
    want = _impl.pure(kernel).fget(obj)
    got = getattr(fast, kernel).fget(obj)
    assert canon(got) == canon(want), (kernel, obj)
    return got


def _check_update(u: Update) -> None:
    for kernel, _ in VIEWS:
        _same(kernel, u)
    for a in u.attributes:
        if isinstance(a, MPReachNLRI):
            for kernel, _ in HOP_VIEWS:
                _same(kernel, a.next_hop)


@pytest.mark.parametrize("path", raw_streams(), ids=lambda p: p.name)
def test_views_of_captures(path: Any) -> None:
    dec = BMPDecoder()
    dec.feed(path.read_bytes())
    n = 0
    for item in dec:
        u = getattr(item, "update", None)
        if u is not None:
            _check_update(u)
            n += 1
    assert n > 0 or "mirror" in path.name  # a Route Mirroring capture holds no Route Monitoring


def test_views_are_bound() -> None:
    """While the extension is in use, the classes hold the compiled views."""
    assert Update.__dict__["announced"] is fast.update_announced
    assert MPNextHop.__dict__["address"] is fast.next_hop_address


V4 = InetPrefix(IPV4_UNICAST, 24, b"\x0a\x00\x00")
V6 = InetPrefix(IPV6_UNICAST, 32, b"\x20\x01\x0d\xb8")
HOP = MPNextHop(bytes(range(16)))


@pytest.mark.parametrize(
    "action", [None, ErrorAction.ATTRIBUTE_DISCARD, ErrorAction.TREAT_AS_WITHDRAW, ErrorAction.SESSION_RESET]
)
@pytest.mark.parametrize("reach", [False, True])
@pytest.mark.parametrize("unreach", [False, True])
def test_views_edge_cases(action: ErrorAction | None, reach: bool, unreach: bool) -> None:
    attrs: list[Any] = []
    if unreach:
        attrs.append(MPUnreachNLRI(2, 1, [V6]))
    if reach:
        attrs.append(MPReachNLRI(2, 1, HOP, [V6, V6]))
    problems = [] if action is None else [Problem(action, 1, 0, b"", "test")]
    for nlri in ([], [V4]):
        _check_update(Update([V4], list(attrs), list(nlri), list(problems)))


@pytest.mark.parametrize("n", [0, 1, 4, 5, 12, 16, 24, 32, 33, 48, 64])
def test_next_hop_lengths(n: int) -> None:
    raw = bytes((7 * i + 1) & 0xFF for i in range(n))
    for hop in (MPNextHop(raw), MPNextHop(bytearray(raw))):  # type: ignore[arg-type]
        for kernel, _ in HOP_VIEWS:
            _same(kernel, hop)
