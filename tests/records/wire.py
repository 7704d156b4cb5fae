"""Route Monitoring messages packed by hand with struct (RFC 7854 section
4.6, RFC 4271 section 4.3), independent of bmplib's encoders."""

from __future__ import annotations

import socket
import struct


def attr(flags: int, code: int, value: bytes) -> bytes:
    if flags & 0x10:
        return struct.pack("!BBH", flags, code, len(value)) + value
    return struct.pack("!BBB", flags, code, len(value)) + value


def prefix4(text: str) -> bytes:
    addr, plen = text.split("/")
    n = int(plen)
    return bytes([n]) + socket.inet_aton(addr)[: (n + 7) // 8]


def prefix6(text: str) -> bytes:
    addr, plen = text.split("/")
    n = int(plen)
    return bytes([n]) + socket.inet_pton(socket.AF_INET6, addr)[: (n + 7) // 8]


def route_monitoring(
    attrs: bytes, nlri: bytes = b"", withdrawn: bytes = b"", *, peer: str = "192.0.2.1", asn: int = 65001,
    sec: int = 1_700_000_000, usec: int = 250_000, flags: int = 0,
) -> bytes:  # fmt: skip
    body = struct.pack("!H", len(withdrawn)) + withdrawn + struct.pack("!H", len(attrs)) + attrs + nlri
    bgp = b"\xff" * 16 + struct.pack("!HB", 19 + len(body), 2) + body
    ph = struct.pack(
        "!BB8s16sI4sII", 0, flags, bytes(8), bytes(12) + socket.inet_aton(peer), asn, socket.inet_aton("10.0.0.1"),
        sec, usec,
    )  # fmt: skip
    return struct.pack("!BIB", 3, 6 + len(ph) + len(bgp), 0) + ph + bgp


#: ORIGIN IGP, AS_PATH {seq 65001 65002, set 7 8}, NEXT_HOP, MED, LOCAL_PREF,
#: ATOMIC_AGGREGATE, AGGREGATOR, COMMUNITIES (65001:100, NO_EXPORT),
#: ORIGINATOR_ID, CLUSTER_LIST, EXTENDED_COMMUNITIES (route target 65001:7),
#: LARGE_COMMUNITY, OTC
FULL_ATTRS = b"".join(
    [
        attr(0x40, 1, b"\x00"),
        attr(0x40, 2, b"\x02\x02" + struct.pack("!II", 65001, 65002) + b"\x01\x02" + struct.pack("!II", 7, 8)),
        attr(0x40, 3, socket.inet_aton("192.0.2.9")),
        attr(0x80, 4, struct.pack("!I", 50)),
        attr(0x40, 5, struct.pack("!I", 200)),
        attr(0x40, 6, b""),
        attr(0xC0, 7, struct.pack("!I", 65009) + socket.inet_aton("192.0.2.77")),
        attr(0xC0, 8, struct.pack("!II", (65001 << 16) | 100, 0xFFFFFF01)),
        attr(0x80, 9, socket.inet_aton("10.9.9.9")),
        attr(0x80, 10, socket.inet_aton("10.0.0.1") + socket.inet_aton("10.0.0.2")),
        attr(0xC0, 16, b"\x00\x02" + struct.pack("!HI", 65001, 7)),
        attr(0xC0, 32, struct.pack("!III", 65001, 1, 2)),
        attr(0xC0, 35, struct.pack("!I", 65010)),
    ]
)


def mp_reach6(next_hop: str, prefixes: list[str]) -> bytes:
    nh = socket.inet_pton(socket.AF_INET6, next_hop)
    value = struct.pack("!HBB", 2, 1, len(nh)) + nh + b"\x00" + b"".join(prefix6(p) for p in prefixes)
    return attr(0x90, 14, value)


def mp_unreach6(prefixes: list[str]) -> bytes:
    return attr(0x90, 15, struct.pack("!HB", 2, 1) + b"".join(prefix6(p) for p in prefixes))
