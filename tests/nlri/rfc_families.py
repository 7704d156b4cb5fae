"""Hand-built BMP Route Monitoring messages for the families no speaker here
sends (MDT, MVPN types beyond FRR's, every FlowSpec component type and
traffic action, VPLS auto-discovery, RTC under AFI 2), packed from the
RFCs' layouts (and RFC 8955 section 4.3's own examples) with ``struct``
and hex -- not with bmplib.

``python -m tests.nlri.rfc_families`` writes ``tests/nlri/data/rfc_families.bmp``,
``.pcap`` (each message in its own TCP segment to port 11019, with scapy)
and ``.tshark.json.gz`` (tshark 4.0's ``-T json --no-duplicate-keys``
decoding of the pcap), the independent oracle of ``test_rfc_families.py``.
"""

from __future__ import annotations

import gzip
import socket
import struct
import subprocess
from pathlib import Path

DATA = Path(__file__).parent / "data"
NAME = "rfc_families"


def ip4(text: str) -> bytes:
    return socket.inet_aton(text)


def ip6(text: str) -> bytes:
    return socket.inet_pton(socket.AF_INET6, text)


def rd0(asn: int, number: int) -> bytes:
    """Type 0 route distinguisher (RFC 4364 section 4.2)."""
    return struct.pack("!HHI", 0, asn, number)


def h(text: str) -> bytes:
    return bytes.fromhex(text.replace(" ", ""))


# ---------------------------------------------------------------- FlowSpec (RFC 8955 / 8956)
def fs(body: bytes) -> bytes:
    """length (1 octet below 240, else 0xF000 | length) + body."""
    return (bytes((len(body),)) if len(body) < 240 else (0xF000 | len(body)).to_bytes(2, "big")) + body


FLOWSPEC_V4 = [
    h("0b 01 18 c0 00 02 03 81 06 04 81 19"),  # RFC 8955 section 4.3, example 1
    h("12 01 18 c0 00 02 02 18 cb 00 71 04 03 89 45 8b 91 1f 90"),  # example 2
    fs(
        h("01 20 c0 00 02 01")  # destination 192.0.2.1/32
        + h("05 91 01 bb")  # destination port ==443 (2 octets)
        + h("06 13 04 00 55 00 ff 91 ff ff")  # source port >=1024 & <=255 or ==65535 (2-octet values)
        + h("07 81 08")  # ICMP type ==8
        + h("08 01 00 81 03")  # ICMP code ==0 or ==3
        + h("09 01 02 c2 10")  # TCP flags: match SYN, and not ACK
        + h("0a 94 05 dc")  # packet length <1500
        + h("0b 81 2e")  # DSCP ==46
        + h("0c 81 01")  # fragment match DF
    ),
    fs(h("04") + b"".join(bytes((0x11, 0x00, p)) for p in range(1, 80)) + h("91 1f 90")),  # two-octet length
    fs(h("01 00")),  # destination 0.0.0.0/0
]
FLOWSPEC_V6 = [
    fs(h("01 40 00") + ip6("2001:db8:1::")[:8]),  # destination 2001:db8:1::/64, offset 0
    # offset 32 in the draft-ietf-idr-flow-spec-v6-06 layout GoBGP sends: the whole /64
    fs(h("01 40 20") + ip6("2001:db8:2::")[:8] + h("02 30 00") + ip6("2001:db8:ff::")[:6] + h("03 81 11")),
    fs(h("02 30 00") + ip6("2001:db8:ff::")[:6] + h("03 81 11") + h("0d a1 00 00 00 64")),  # flow label ==100
]
#: RFC 8956 layout of offsets: only the pattern (length - offset bits); tshark 4.0 misreads it
FLOWSPEC_V6_RFC_OFFSET = [
    fs(h("01 40 20") + h("00 01 00 00") + h("03 81 11")),  # bits 32-63 of the address
    fs(h("01 80 68") + h("00 00 07")),  # /128 offset 104: the last 24 bits
]
FLOWSPEC_VPN_V4 = [fs(rd0(65300, 10) + h("01 18 0a 04 00")), fs(rd0(65300, 11) + h("01 18 0a 05 00 05 81 35"))]
FLOWSPEC_VPN_V6 = [fs(rd0(65300, 12) + h("01 40 00") + ip6("2001:db8:3::")[:8])]
#: L2VPN (draft-ietf-idr-flowspec-l2vpn-03 numbering, as GoBGP): destination MAC, Ethernet type ==IPv4, VLAN ==100
FLOWSPEC_L2VPN = [
    fs(rd0(65300, 13) + h("10 06 02 00 00 00 00 01") + h("0e 91 08 00") + h("15 81 64")),
    fs(
        rd0(65300, 14)
        + h("0f 06 02 00 00 00 00 02")
        + h("11 81 aa 12 81 aa 13 81 03 14 b1 00 00 00 01 02 03 04 05")
        + h("16 81 05 17 91 00 c8 18 81 07")
    ),
]
FLOWSPEC_UNKNOWN = [fs(h("01 18 0a 01 01 7f 01 02 03"))]  # type 127: undefined

# traffic actions (RFC 8955 section 7): rate-bytes, rate-packets, action, redirect x3, marking
TRAFFIC_COMMUNITIES = (
    h("80 06 ff 14") + struct.pack("!f", 1000.0)
    + h("80 0c 00 00") + struct.pack("!f", 50.0)
    + h("80 07 00 00 00 00 00 02")
    + h("80 08 ff 14 00 00 00 63")
    + h("81 08") + ip4("192.0.2.1") + h("00 07")
    + h("82 08 00 01 00 00 00 09")
    + h("80 09 00 00 00 00 00 0a")
)  # fmt: skip

# ---------------------------------------------------------------- VPLS (RFC 4761 3.2.2, RFC 6074 3.2.2)
VPLS = [
    h("00 11") + rd0(65400, 6) + struct.pack("!HHH", 6, 1, 8) + (10732 << 4 | 1).to_bytes(3, "big"),
    h("00 0c") + rd0(65400, 7) + ip4("192.0.2.40"),
]

# ---------------------------------------------------------------- MDT (RFC 6037 section 7)
MDT = [bytes((128,)) + rd0(65000, 1) + ip4("192.0.2.1") + ip4("232.0.0.1")]


# ---------------------------------------------------------------- MVPN (RFC 6514 section 4)
def mv(route_type: int, body: bytes) -> bytes:
    return bytes((route_type, len(body))) + body


def lip(addr: bytes) -> bytes:
    return bytes((8 * len(addr),)) + addr


S_PMSI = mv(3, rd0(65000, 1) + lip(ip4("192.0.2.99")) + lip(ip4("232.1.1.1")) + ip4("192.0.2.51"))
MVPN_V4 = [
    mv(1, rd0(65000, 1) + ip4("192.0.2.51")),
    mv(2, rd0(65000, 1) + struct.pack("!I", 65001)),
    S_PMSI,
    mv(3, rd0(65000, 1) + lip(b"") + lip(b"") + ip4("192.0.2.51")),  # RFC 6625 (*, *) wildcard
    mv(4, S_PMSI + ip4("192.0.2.52")),
    mv(5, rd0(65000, 1) + lip(ip4("192.0.2.99")) + lip(ip4("232.1.1.1"))),
    mv(6, rd0(65000, 1) + struct.pack("!I", 65000) + lip(ip4("192.0.2.9")) + lip(ip4("239.1.1.1"))),
    mv(7, rd0(65000, 1) + struct.pack("!I", 65000) + lip(ip4("192.0.2.99")) + lip(ip4("232.1.1.1"))),
]
MVPN_V6 = [
    mv(1, rd0(65000, 2) + ip6("2001:db8::51")),
    mv(7, rd0(65000, 2) + struct.pack("!I", 65000) + lip(ip6("2001:db8::99")) + lip(ip6("ff3e::1"))),
]

# ---------------------------------------------------------------- RTC (RFC 4684 section 4) under AFI 2
RTC_V6 = [h("60") + struct.pack("!I", 65000) + h("00 02 fd e8 00 00 00 64"), h("00")]

#: (label, AFI, SAFI, next hop, NLRI octets, extra path attributes)
MESSAGES: list[tuple[str, int, int, bytes, bytes, bytes]] = [
    (
        "flowspec-v4",
        1,
        133,
        b"",
        b"".join(FLOWSPEC_V4),
        b"\xc0\x10" + bytes((len(TRAFFIC_COMMUNITIES),)) + TRAFFIC_COMMUNITIES,
    ),
    ("flowspec-v6", 2, 133, b"", b"".join(FLOWSPEC_V6), b""),
    ("flowspec-v6-rfc-offset", 2, 133, b"", FLOWSPEC_V6_RFC_OFFSET[0], b""),
    ("flowspec-vpn-v4", 1, 134, b"", b"".join(FLOWSPEC_VPN_V4), b""),
    ("flowspec-vpn-v6", 2, 134, b"", b"".join(FLOWSPEC_VPN_V6), b""),
    ("flowspec-l2vpn", 25, 134, b"", b"".join(FLOWSPEC_L2VPN), b""),
    ("flowspec-unknown-type", 1, 133, b"", b"".join(FLOWSPEC_UNKNOWN), b""),
    ("vpls", 25, 65, ip4("192.0.2.40"), b"".join(VPLS), b""),
    ("mdt", 1, 66, ip4("192.0.2.1"), b"".join(MDT), b""),
    ("mvpn-v4", 1, 5, ip4("192.0.2.51"), b"".join(MVPN_V4), b""),
    ("mvpn-v6", 2, 5, ip6("2001:db8::51"), b"".join(MVPN_V6), b""),
    ("rtc-v6", 2, 132, ip6("2001:db8::1"), b"".join(RTC_V6), b""),
]


def update(afi: int, safi: int, next_hop: bytes, nlri: bytes, extra: bytes) -> bytes:
    """A BGP UPDATE: ORIGIN IGP, empty AS_PATH, MP_REACH_NLRI, *extra*."""
    mp = struct.pack("!HBB", afi, safi, len(next_hop)) + next_hop + b"\x00" + nlri
    attrs = h("40 01 01 00") + h("40 02 00") + h("90 0e") + struct.pack("!H", len(mp)) + mp + extra
    body = struct.pack("!H", 0) + struct.pack("!H", len(attrs)) + attrs
    return b"\xff" * 16 + struct.pack("!HB", 19 + len(body), 2) + body


def route_monitoring(bgp: bytes) -> bytes:
    """BMP v3 Route Monitoring, global instance peer 192.0.2.2 AS 65000."""
    peer = struct.pack("!BB8s16sI4sII", 0, 0, bytes(8), bytes(12) + ip4("192.0.2.2"), 65000, ip4("192.0.2.2"),
                       1_700_000_000, 0)  # fmt: skip
    return struct.pack("!BIB", 3, 6 + len(peer) + len(bgp), 0) + peer + bgp


def stream() -> list[bytes]:
    return [route_monitoring(update(afi, safi, nh, nlri, extra)) for _, afi, safi, nh, nlri, extra in MESSAGES]


def main() -> None:
    from scapy.all import IP, TCP, Ether, wrpcap  # type: ignore[import-untyped]

    msgs = stream()
    DATA.mkdir(exist_ok=True)
    (DATA / f"{NAME}.bmp").write_bytes(b"".join(msgs))
    packets = []
    seq = 1000
    for i, msg in enumerate(msgs):
        pkt = (
            Ether(src="02:00:00:00:00:01", dst="02:00:00:00:00:02")
            / IP(src="192.0.2.1", dst="192.0.2.2")
            / TCP(sport=40000, dport=11019, seq=seq, flags="PA")
        )
        pkt = pkt / msg
        pkt.time = 1_700_000_000 + i
        packets.append(pkt)
        seq += len(msg)
    wrpcap(str(DATA / f"{NAME}.pcap"), packets)
    out = subprocess.run(
        ["tshark", "-r", str(DATA / f"{NAME}.pcap"), "-d", "tcp.port==11019,bmp", "-T", "json", "--no-duplicate-keys"],
        check=True,
        capture_output=True,
    ).stdout
    with gzip.GzipFile(DATA / f"{NAME}.tshark.json.gz", "wb", mtime=0) as fh:
        fh.write(out)


if __name__ == "__main__":
    main()
