"""EVPN through the compiled code (``bmplib_fast/_evpn.pxi``): the route types
it decodes itself (1 to 5, with their RD, ESI, labels and ADD-PATH path IDs)
and those it hands to the pure code, and the EVPN extended communities, give
the pure decoder's objects or errors -- intact, and mutated so that every
fallback branch is taken: truncation at every length, the route length and
each length field inside the route (MAC, IP, originator, prefix lengths) set
to 0, 1, 32, 128, its maximum and off by one, trailing octets, every route
type, every ESI type and bit flips; at the NLRI level (``decode_evpn_nlri``) and inside UPDATEs
(MP_REACH_NLRI and MP_UNREACH_NLRI, with and without ADD-PATH)."""

from __future__ import annotations

import random
import struct
from collections.abc import Iterator
from typing import Any

import pytest

from bmplib.bgp.attributes import extended_communities as ec
from bmplib.nlri import evpn, registry
from bmplib.nlri.esi import ESI
from bmplib.nlri.evpn import (
    EthernetAutoDiscovery,
    EthernetSegment,
    EVPNRoute,
    InclusiveMulticastEthernetTag,
    IPPrefix,
    MACIPAdvertisement,
    SelectiveMulticastEthernetTag,
    UnknownEVPNRoute,
)
from bmplib.nlri.rd import RouteDistinguisher
from bmplib.session import DecodeContext
from tests.conftest import PCAPS
from tests.fast.differential import fast, outcome, pure_path, same_update

EVPN_FAMILY = (25, 70)
ADDPATH = DecodeContext(addpath=frozenset({EVPN_FAMILY}))
RD0 = RouteDistinguisher.from_text("65000:100")
RD1 = RouteDistinguisher.from_text("192.0.2.1:7")
RD2 = RouteDistinguisher.from_text("4200000000:9")
ESIS = [
    ESI(bytes(10)),
    ESI(b"\xff" * 10),
    ESI.build(1, mac="00:11:22:33:44:55", port_key=7),
    ESI.build(3, mac="aa:bb:cc:dd:ee:ff", discriminator=9),
    ESI.build(4, router_id="192.0.2.9", discriminator=3),
    ESI.build(5, asn=65001, discriminator=4),
    ESI(b"\x09" + bytes(range(9))),  # an unassigned ESI type
]


def built_routes() -> list[EVPNRoute]:
    """Routes of every compiled type and layout, and of types the compiled
    code leaves to the pure decoder, built from their RFC fields."""
    out: list[EVPNRoute] = []
    for esi in ESIS:
        out.append(EthernetAutoDiscovery(RD0, esi, 0xFFFFFFFF, 0x123456))
        out.append(EthernetSegment(RD1, esi, "192.0.2.1"))
    for ip in (None, "10.1.2.3", "2001:db8::1", "::"):
        for label2 in (None, 0xABCDEF):
            out.append(MACIPAdvertisement(RD2, ESIS[2], 7, "02:00:5e:00:53:01", ip, 100 << 4, label2))
    out.append(MACIPAdvertisement(RD0, ESIS[0], 0, "ff:ff:ff:ff:ff:ff", None, 0, None, 0))
    out.append(InclusiveMulticastEthernetTag(RD0, 10, "198.51.100.7"))
    out.append(InclusiveMulticastEthernetTag(RD1, 0, "2001:db8::7"))
    out.append(EthernetSegment(RD2, ESIS[3], "2001:db8::8"))
    for prefix, gw in (
        ("10.0.0.0/24", "0.0.0.0"),
        ("0.0.0.0/0", "0.0.0.0"),
        ("192.0.2.255/32", "192.0.2.1"),
        ("10.9.9.9/8", "10.0.0.1"),  # host bits kept as on the wire
        ("2001:db8::/64", "::"),
        ("2001:db8::1/128", "fe80::1"),
        ("::/0", "::"),
    ):
        out.append(IPPrefix(RD1, ESIS[0], 5, prefix, gw, 5000 << 4))
    out.append(SelectiveMulticastEthernetTag(RD0, 1, None, "239.1.1.1", "192.0.2.1", 3))
    out.append(UnknownEVPNRoute(200, bytes(range(12))))
    out.append(UnknownEVPNRoute(0, b""))
    return out


def capture_routes() -> list[EVPNRoute]:
    """One route per (type, length, ESI type) of the EVPN captures."""
    import bmplib

    seen: dict[tuple[int, int, int], EVPNRoute] = {}
    with pure_path():
        for path in sorted(PCAPS.glob("*evpn*.bmp")):
            dec = bmplib.BMPDecoder()
            dec.feed(path.read_bytes())
            dec.close()
            for m in dec:
                update = getattr(m, "update", None)
                for a in getattr(update, "attributes", None) or []:
                    for r in getattr(a, "nlri", None) or getattr(a, "withdrawn", None) or []:
                        if isinstance(r, EVPNRoute):
                            wire = r.encode()[-len(r.encode_body()) - 2 :]
                            esi = getattr(r, "esi", None)
                            seen.setdefault((wire[0], len(wire), esi.raw[0] if esi else -1), r)
    return list(seen.values())


def route_wires() -> list[bytes]:
    """type + length + body of each test route (no path ID)."""
    out = []
    for r in built_routes() + capture_routes():
        r.path_id = None
        out.append(r.encode())
    return out


WIRES = route_wires()


def length_fields(wire: bytes) -> list[int]:
    """Positions of the length octets inside one route (the route length
    first), for the layouts of the compiled types."""
    code, n = wire[0], len(wire) - 2
    pos = [1]
    if code == 2 and n >= 30:
        pos += [2 + 22, 2 + 29]  # MAC length, IP length
    elif code == 3 and n >= 13:
        pos += [2 + 12]  # originator length
    elif code == 4 and n >= 19:
        pos += [2 + 18]
    elif code == 5 and n >= 23:
        pos += [2 + 22]  # IP prefix length
    return pos


def mutants(wire: bytes, rng: random.Random) -> Iterator[bytes]:
    n = len(wire)
    for k in range(n):
        yield wire[:k]  # the NLRI field ends inside the route
        if k >= 2:
            yield wire[:1] + bytes([k - 2]) + wire[2:k]  # a route that is whole, but short
    for extra in range(1, 10):  # a route that is whole, with trailing octets
        if n - 2 + extra <= 255:
            yield wire[:1] + bytes([n - 2 + extra]) + wire[2:] + bytes(range(0x41, 0x41 + extra))
    for pos in length_fields(wire):
        old = wire[pos]
        for v in {0, 1, 32, 128, 255, (old - 1) & 255, (old + 1) & 255}:
            m = wire[:pos] + bytes([v]) + wire[pos + 1 :]
            yield m
            if pos != 1:  # the body grown or shrunk to the new field value, route length adjusted
                delta = (v - old) // 8
                body = m[2:]
                if delta > 0:
                    body = body[: pos - 1] + bytes(delta) + body[pos - 1 :]
                elif delta < 0:
                    body = body[: pos - 1] + body[pos - 1 - delta :]
                if len(body) <= 255:
                    yield bytes([m[0], len(body)]) + body
    for code in [*range(13), 127, 255]:  # every route type
        yield bytes([code]) + wire[1:]
    for bit in range(8):
        yield bytes([wire[0] ^ (1 << bit)]) + wire[1:]
    if wire[0] in (1, 2, 4, 5) and n >= 12:  # the ESI type octet
        for v in [*range(7), 0x80, 0xFF]:
            yield wire[:10] + bytes([v]) + wire[11:]
        for bit in range(8):
            yield wire[:10] + bytes([wire[10] ^ (1 << bit)]) + wire[11:]
    for _ in range(16):
        i = rng.randrange(n)
        yield wire[:i] + bytes([wire[i] ^ (1 << rng.randrange(8))]) + wire[i + 1 :]


def same_nlri(buf: bytes, pos: int, end: int, path_id: bool) -> Any:
    want = outcome(evpn.decode_evpn_nlri, buf, pos, end, path_id)
    got = outcome(fast.decode_evpn_nlri, buf, pos, end, path_id)
    assert got == want, (buf[pos:end].hex(), path_id)
    return got


def attribute(flags: int, code: int, value: bytes) -> bytes:
    if len(value) > 255:
        return bytes([flags | 0x10, code]) + struct.pack("!H", len(value)) + value
    return bytes([flags, code, len(value)]) + value


def update(attrs: bytes) -> bytes:
    return b"\x00\x00" + struct.pack("!H", len(attrs)) + attrs


def evpn_updates(nlri: bytes) -> list[bytes]:
    """An announcement (MP_REACH_NLRI with origin, AS path, extended
    communities) and a withdrawal (MP_UNREACH_NLRI) of *nlri*."""
    base = attribute(0x40, 1, b"\x00") + attribute(0x40, 2, b"")
    reach = attribute(0x80, 14, b"\x00\x19\x46\x04" + bytes([192, 0, 2, 1]) + b"\x00" + nlri)
    comms = attribute(0xC0, 16, bytes.fromhex("0002fde800000064030c00000000000806030000000000aa"))
    unreach = attribute(0x80, 15, b"\x00\x19\x46" + nlri)
    return [update(base + reach + comms), update(unreach)]


def test_the_evpn_classes_are_filled_directly() -> None:
    """Otherwise the compiled EVPN code would not run at all."""
    shapes = fast.shapes()
    for name in (
        "RouteDistinguisher",
        "ESI",
        "EthernetAutoDiscovery",
        "MACIPAdvertisement",
        "InclusiveMulticastEthernetTag",
        "EthernetSegment",
        "IPPrefix",
        "MACMobility",
        "ESILabel",
        "ESImportRouteTarget",
        "RouterMAC",
        "Layer2Attributes",
        "ETree",
        "DFElection",
        "DefaultGateway",
        "RouteTarget",
        "RouteOrigin",
    ):
        assert shapes[name] == "", (name, shapes[name])


def test_routes_decode_the_same() -> None:
    assert {w[0] for w in WIRES} >= {0, 1, 2, 3, 4, 5, 6, 200}
    all_routes = b"".join(WIRES)
    got = same_nlri(all_routes, 0, len(all_routes), False)
    assert got[0] == "ok" and len(got[1][1]) == len(WIRES)
    with_ids = b"".join(struct.pack("!I", i * 77) + w for i, w in enumerate(WIRES))
    got = same_nlri(with_ids, 0, len(with_ids), True)
    assert got[0] == "ok"
    # the same octets read with the wrong ADD-PATH setting
    same_nlri(with_ids, 0, len(with_ids), False)
    same_nlri(all_routes, 0, len(all_routes), True)
    for w in WIRES:
        for body in evpn_updates(w):
            assert same_update(body, 0, len(body), DecodeContext())[0] == "ok"
            same_update(body, 0, len(body), ADDPATH)
        for body in evpn_updates(b"\x00\x00\x00\x09" + w):
            assert same_update(body, 0, len(body), ADDPATH)[0] == "ok"
            same_update(body, 0, len(body), DecodeContext())


@pytest.mark.parametrize("index", range(len(WIRES)), ids=[f"{w[0]}-{len(w)}-{i}" for i, w in enumerate(WIRES)])
def test_mutated_routes(index: int) -> None:
    wire = WIRES[index]
    rng = random.Random(index)
    other = WIRES[(index + 1) % len(WIRES)]
    results = set()
    for m in mutants(wire, rng):
        got = same_nlri(m, 0, len(m), False)
        results.add(got[0])
        # after a good route, at an offset in a larger buffer, with path IDs
        buf = b"\xee" * 3 + other + m + b"\xff" * 4
        same_nlri(buf, 3, len(buf) - 4, False)
        pid = b"\x00\x00\x01\x00" + other + b"\x80\x00\x00\x01" + m
        same_nlri(pid, 0, len(pid), True)
        for body in evpn_updates(other + m):
            same_update(body, 0, len(body), DecodeContext())
        for body in evpn_updates(pid):
            same_update(body, 0, len(body), ADDPATH)
    assert results == {"ok", "error"}


EVPN_COMMUNITIES = [(6, s) for s in range(8)] + [(3, 0x0D), (3, 0x0C), (0, 2), (1, 3), (2, 2), (0x40, 0)]


def test_extended_communities() -> None:
    rng = random.Random(7)
    values = [bytes(6), b"\xff" * 6, bytes(range(1, 7))] + [rng.randbytes(6) for _ in range(40)]
    comms = b""
    for t, s in EVPN_COMMUNITIES:
        for v in values:
            c = bytes([t, s]) + v
            comms += c
            buf = b"\x00" + c + b"\x00"
            want = outcome(ec.decode_extended_community, buf, 1)
            assert outcome(fast.decode_extended_communities_evpn, buf, 1) == want
    body = update(attribute(0x40, 1, b"\x00") + attribute(0xC0, 16, comms))
    assert same_update(body, 0, len(body), DecodeContext())[0] == "ok"


def test_replaced_decoders_are_called() -> None:
    """A route decoder, a codec or a community decoder replaced by another
    module is used, as by the pure decoder."""
    wire = WIRES[0]
    body = evpn_updates(wire)[0]
    same_update(body, 0, len(body), DecodeContext())  # the compiled code is set up

    def route(r: Any) -> EVPNRoute:
        r.take(r.end - r.p, "everything")
        return UnknownEVPNRoute(99, b"replaced")

    class Codec:
        def decode(self, buf: bytes, pos: int, end: int, path_id: bool, ctx: DecodeContext) -> list[Any]:
            return [UnknownEVPNRoute(98, buf[pos:end])]

    def community(buf: bytes, pos: int) -> Any:
        return ec.ExtendedCommunity(0, 0, b"replacd")

    mp = pytest.MonkeyPatch()
    with mp.context() as m:
        for code in (1, 2, 3, 4, 5):
            m.setitem(evpn._DECODERS, code, route)
        for w in WIRES:
            if w[0] in (1, 3, 4, 5) or (w[0] == 2 and len(w) - 2 not in (33, 36, 37, 40, 49, 52)):
                got = same_nlri(w, 0, len(w), False)
                assert got[0] == "ok" and dict(got[1][1][0][1])["code"] == (int, 99), w.hex()
            body = evpn_updates(w)[0]
            same_update(body, 0, len(body), DecodeContext())
    with mp.context() as m:
        m.setitem(registry._CODECS, EVPN_FAMILY, Codec())
        got = same_update(body, 0, len(body), DecodeContext())
        assert "98" in repr(got)
    with mp.context() as m:
        m.setitem(ec._EXT_REGISTRY, (0x06, 0x00), community)
        m.setitem(ec._EXT_REGISTRY, (0x03, 0x0D), community)
        comms = bytes.fromhex("0600000000000007030d000000000000")
        body = update(attribute(0xC0, 16, comms))
        got = same_update(body, 0, len(body), DecodeContext())
        assert repr(got).count("replacd") == 2
