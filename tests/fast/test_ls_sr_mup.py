"""BGP-LS, SR Policy (with the Tunnel Encapsulation attribute) and MUP UPDATEs
decode the same with the compiled and the pure decoders: the UPDATEs packed
from the RFCs' layouts (tests/nlri/ls_sr_mup_wires.py), with and without
ADD-PATH, inside a BMP Route Monitoring message, and mutated.  The captures'
(gobgp_families) are compared by tests/fast/test_captures.py."""

from __future__ import annotations

import random
import struct

import pytest

from bmplib.session import DecodeContext
from tests.bgp.tshark_live import bmp_route_monitoring
from tests.fast.differential import same_message, same_update
from tests.nlri.ls_sr_mup_wires import UPDATES

FAMILIES = frozenset({(16388, 71), (16388, 72), (1, 73), (2, 73), (1, 85), (2, 85)})
CONTEXTS = [DecodeContext(asn4=True), DecodeContext(asn4=True, addpath=FAMILIES), DecodeContext()]
NAMES = sorted(UPDATES)


@pytest.mark.parametrize("name", NAMES)
def test_updates_decode_the_same(name: str) -> None:
    wire = UPDATES[name]
    for ctx in CONTEXTS[:2]:
        assert same_update(wire, 19, len(wire), ctx)[0] == "ok"
    same_update(wire, 19, len(wire), CONTEXTS[2])  # 2-octet AS: the AS_PATH does not parse
    assert same_message(bmp_route_monitoring(wire))[0] == "ok"


def with_path_ids(wire: bytes) -> bytes:
    """The same UPDATE with a path identifier before each NLRI of its MP
    attributes is not easy to build generically: instead put one before the
    whole NLRI field of a single-route MP_REACH / MP_UNREACH."""
    body = wire[19:]
    attr_len = struct.unpack_from("!H", body, 2)[0]
    p, end = 4, 4 + attr_len
    out = bytearray(body[:4])
    while p < end:
        flags, code = body[p], body[p + 1]
        hdr = 4 if flags & 0x10 else 3
        n = struct.unpack_from("!H", body, p + 2)[0] if hdr == 4 else body[p + 2]
        value = body[p + hdr : p + hdr + n]
        if code == 14:
            nh_end = 4 + value[3]
            value = value[: nh_end + 1] + b"\x00\x00\x00\x07" + value[nh_end + 1 :]
        elif code == 15 and len(value) > 3:
            value = value[:3] + b"\x00\x00\x00\x07" + value[3:]
        out += bytes([flags | 0x10, code]) + struct.pack("!H", len(value)) + value
        p += hdr + n
    out[2:4] = struct.pack("!H", len(out) - 4)
    return bytes(out)


@pytest.mark.parametrize("name", NAMES)
def test_path_ids_decode_the_same(name: str) -> None:
    body = with_path_ids(UPDATES[name])
    for ctx in CONTEXTS:
        same_update(body, 0, len(body), ctx)


@pytest.mark.parametrize("name", NAMES)
def test_mutated_updates_decode_the_same(name: str) -> None:
    wire = UPDATES[name][19:]
    rng = random.Random(name)
    outcomes = set()
    for _ in range(60):
        i = rng.randrange(len(wire))
        op = rng.randrange(3)
        if op == 0:
            m = wire[:i] + bytes([wire[i] ^ (1 << rng.randrange(8))]) + wire[i + 1 :]
        elif op == 1:
            m = wire[:i] + bytes([rng.randrange(256)]) + wire[i + 1 :]
        else:
            m = wire[:i]
        got = same_update(m, 0, len(m), CONTEXTS[0])
        outcomes.add(got[0] if got[0] == "error" else ("problems" if got[1] else "ok"))
    assert outcomes
