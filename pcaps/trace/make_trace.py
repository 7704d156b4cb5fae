"""Make route_policy_trace.{bmp,pcap}: BMP Route Policy and Attribute Trace
messages (type 100, draft-xu-grow-bmp-route-policy-attr-trace-04 as
Wireshark dissects it), laid out field by field here, between GoBGP's real
Initiation and Termination from ../gobgp_unicast.bmp; the path attributes
are those of a real UPDATE of that capture.  The pcap (scapy) carries the
stream on TCP port 11019 so that tshark can decode it::

    PYTHONPATH=. python pcaps/trace/make_trace.py
    tshark -r pcaps/trace/route_policy_trace.pcap -d tcp.port==11019,bmp -T json --no-duplicate-keys \\
        | gzip -9 > pcaps/trace/route_policy_trace.tshark.json.gz
"""

from __future__ import annotations

import socket
import struct
from pathlib import Path

from scapy.all import IP, TCP, Ether, wrpcap  # type: ignore[import-untyped]

from tests.bmp.test_roundtrip_real import split_messages  # run from the repository root

HERE = Path(__file__).resolve().parent
CAPTURE = HERE.parent / "gobgp_unicast.bmp"


def real_attributes(msgs: list[bytes]) -> bytes:
    """The path attributes of the first IPv4 UPDATE with classic NLRI."""
    for m in msgs:
        if m[5] != 0:
            continue
        bgp = m[48:]
        wlen = struct.unpack_from("!H", bgp, 19)[0]
        alen = struct.unpack_from("!H", bgp, 21 + wlen)[0]
        attrs = bgp[23 + wlen : 23 + wlen + alen]
        if alen and len(bgp) > 23 + wlen + alen and 14 not in attrs_codes(attrs):
            return attrs
    raise SystemExit("no UPDATE with classic NLRI")


def attrs_codes(attrs: bytes) -> list[int]:
    codes, p = [], 0
    while p < len(attrs):
        flags, code = attrs[p], attrs[p + 1]
        if flags & 0x10:
            p += 4 + struct.unpack_from("!H", attrs, p + 2)[0]
        else:
            p += 3 + attrs[p + 2]
        codes.append(code)
    return codes


def tlv(t: int, value: bytes) -> bytes:
    return struct.pack("!HH", t, len(value)) + value


def addr16(text: str) -> bytes:
    if ":" in text:
        return socket.inet_pton(socket.AF_INET6, text)
    return bytes(12) + socket.inet_pton(socket.AF_INET, text)


def policy(flags: int, pclass: int, peer: str, rid: str, asn: int, items: list[tuple[str, str, int]]) -> bytes:
    body = struct.pack("!BBB", flags, len(items), pclass) + addr16(peer) + socket.inet_aton(rid)
    body += struct.pack("!I", asn)
    for name, item, iflags in items:
        body += struct.pack("!HH", len(name), len(item)) + name.encode() + item.encode() + bytes([iflags])
    return tlv(1, body)


def event(index: int, sec: int, usec: int, path_id: int, afi: int, safi: int, tlvs: bytes) -> bytes:
    body = struct.pack("!BIIIHB", index, sec, usec, path_id, afi, safi) + tlvs
    return struct.pack("!H", 2 + len(body)) + body


def trace(flags: int, rd: bytes, plen: int, prefix: str, origin: int, events: list[bytes]) -> bytes:
    ev = b"".join(events)
    body = struct.pack("!B8sB16sIBH", flags, rd, plen, addr16(prefix), origin, len(events), len(ev)) + ev
    return struct.pack("!BIB", 3, 6 + len(body), 100) + body


def main() -> None:
    msgs = split_messages(CAPTURE.read_bytes())
    init, term = msgs[0], msgs[-1]
    assert init[5] == 4 and term[5] == 5
    pre = real_attributes(msgs)
    post = pre + bytes([0xC0, 8, 4]) + struct.pack("!HH", 65000, 666)  # + COMMUNITIES 65000:666
    rd = struct.pack("!HHI", 0, 65000, 100)
    t1 = trace(
        0x00,
        rd,
        24,
        "10.1.0.0",
        0x0A000001,
        [
            event(
                0,
                1796320000,
                125000,
                0,
                1,
                1,
                tlv(0, struct.pack("!I", 5) + b"vpn-blue")
                + policy(
                    0xE0, 0, "192.0.2.1", "10.0.0.1", 65001, [("IMPORT-POLICY", "10", 0x80), ("SET-COMM", "20", 0)]
                )
                + tlv(2, pre)
                + tlv(3, post)
                + tlv(4, b"permit, community added"),
            ),
            event(1, 1796320001, 0, 7, 1, 1, policy(0x00, 2, "0.0.0.0", "10.0.0.1", 65000, []) + tlv(2, pre)),
        ],
    )
    t2 = trace(
        0x80,
        bytes(8),
        48,
        "2001:db8:1::",
        0,
        [
            event(
                0,
                1796320002,
                999999,
                0,
                2,
                1,
                policy(0x80, 1, "2001:db8::1", "10.0.0.2", 4200000001, [("EXPORT-DENY", "node-5", 0x40)])
                + tlv(2, pre)
                + tlv(9, b"\x01\x02\x03"),
            ),
        ],
    )
    stream = init + t1 + t2 + term
    (HERE / "route_policy_trace.bmp").write_bytes(stream)
    c, s, sport, dport = "192.0.2.1", "192.0.2.100", 40000, 11019
    pkts = [
        Ether() / IP(src=c, dst=s) / TCP(sport=sport, dport=dport, flags="S", seq=1000),
        Ether() / IP(src=s, dst=c) / TCP(sport=dport, dport=sport, flags="SA", seq=5000, ack=1001),
        Ether() / IP(src=c, dst=s) / TCP(sport=sport, dport=dport, flags="A", seq=1001, ack=5001),
    ]
    seq = 1001
    for m in (init, t1, t2, term):
        pkts.append(Ether() / IP(src=c, dst=s) / TCP(sport=sport, dport=dport, flags="PA", seq=seq, ack=5001) / m)
        seq += len(m)
    for i, p in enumerate(pkts):
        p.time = 1796320000 + i / 10
    wrpcap(str(HERE / "route_policy_trace.pcap"), pkts)


if __name__ == "__main__":
    main()
