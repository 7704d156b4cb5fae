"""Test helper: synthetic captures built with dpkt (frames, pcap and pcapng
files) carrying real BMP octets from pcaps/."""

from __future__ import annotations

import io
import socket
import struct
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import dpkt

from tests.bmp.test_roundtrip_real import split_messages
from tests.conftest import PCAPS

SYN, FIN, RST, PSH, ACK = 0x02, 0x01, 0x04, 0x08, 0x10


def bmp_messages(name: str = "gobgp_vpn_evpn", count: int | None = None) -> list[bytes]:
    """Real BMP messages (raw octets) from pcaps/NAME.bmp."""
    msgs = split_messages((PCAPS / f"{name}.bmp").read_bytes())
    return msgs if count is None else msgs[:count]


@dataclass
class Seg:
    """A TCP segment to put into a capture."""

    seq: int
    payload: bytes = b""
    flags: int = ACK | PSH
    src: str = "192.0.2.1"
    dst: str = "192.0.2.2"
    sport: int = 40000
    dport: int = 11019
    ts_ns: int = 1_700_000_000_000_000_000


def segments(data: bytes, isn: int, sizes: Sequence[int] | int = 1000, syn: bool = True, **kw: object) -> list[Seg]:
    """*data* cut into segments (sizes cycle), after a SYN with *isn*."""
    out: list[Seg] = []
    if syn:
        out.append(Seg(isn, b"", SYN, **kw))  # type: ignore[arg-type]
        seq = (isn + 1) & 0xFFFFFFFF
    else:
        seq = isn
    pos = 0
    sizes = [sizes] if isinstance(sizes, int) else list(sizes)
    i = 0
    while pos < len(data):
        n = sizes[i % len(sizes)]
        i += 1
        out.append(Seg((seq + pos) & 0xFFFFFFFF, data[pos : pos + n], **kw))  # type: ignore[arg-type]
        pos += n
    return out


def stamp(segs: list[Seg], start_ns: int = 1_700_000_000_000_000_000, step_ns: int = 1000) -> list[Seg]:
    """Give the segments increasing capture times in their list order."""
    for i, s in enumerate(segs):
        s.ts_ns = start_ns + i * step_ns
    return segs


# -- network and link layers ----------------------------------------------
def _is6(addr: str) -> bool:
    return ":" in addr


def tcp_bytes(s: Seg) -> bytes:
    return bytes(dpkt.tcp.TCP(sport=s.sport, dport=s.dport, seq=s.seq, ack=1, flags=s.flags, win=65535, data=s.payload))


def ip_packet(s: Seg, ipv6_ext: bytes = b"", ipv6_first: int = 6, ipv4_options: bytes = b"") -> bytes:
    """The IP packet of a segment; IPv6 may carry extension headers
    (*ipv6_ext*, whose chain starts with next header *ipv6_first*)."""
    tcp = tcp_bytes(s)
    if _is6(s.src):
        src, dst = socket.inet_pton(socket.AF_INET6, s.src), socket.inet_pton(socket.AF_INET6, s.dst)
        body = ipv6_ext + tcp
        return struct.pack("!IHBB16s16s", 6 << 28, len(body), ipv6_first if ipv6_ext else 6, 64, src, dst) + body
    ip = dpkt.ip.IP(
        src=socket.inet_pton(socket.AF_INET, s.src),
        dst=socket.inet_pton(socket.AF_INET, s.dst),
        p=dpkt.ip.IP_PROTO_TCP,
        ttl=64,
        opts=ipv4_options,
        data=dpkt.tcp.TCP(tcp),
    )
    if ipv4_options:
        ip.hl = 5 + len(ipv4_options) // 4
    return bytes(ip)


def ethernet(ip: bytes, vlans: Sequence[tuple[int, int]] = (), pad_to: int = 0) -> bytes:
    """An Ethernet II frame; *vlans*: (TPID, VLAN id) tags, outermost first."""
    etype = 0x86DD if ip[0] >> 4 == 6 else 0x0800
    hdr = b"\x02\x00\x00\x00\x00\x02" + b"\x02\x00\x00\x00\x00\x01"
    for tpid, vid in vlans:
        hdr += struct.pack("!HH", tpid, vid)
    frame = hdr + struct.pack("!H", etype) + ip
    return frame + bytes(max(pad_to - len(frame), 0))


def sll(ip: bytes) -> bytes:
    etype = 0x86DD if ip[0] >> 4 == 6 else 0x0800
    return struct.pack("!HHH8sH", 0, 772, 6, b"\0" * 8, etype) + ip


def sll2(ip: bytes) -> bytes:
    etype = 0x86DD if ip[0] >> 4 == 6 else 0x0800
    return struct.pack("!HHIHBB8s", etype, 0, 1, 772, 0, 6, b"\0" * 8) + ip


def null(ip: bytes, big_endian: bool = False) -> bytes:
    af = 30 if ip[0] >> 4 == 6 else 2  # macOS AF_INET6 = 30
    return struct.pack(">I" if big_endian else "<I", af) + ip


LINKTYPES = {
    "ethernet": (1, lambda ip: ethernet(ip)),
    "ethernet-8021q": (1, lambda ip: ethernet(ip, [(0x8100, 100)])),
    "ethernet-qinq": (1, lambda ip: ethernet(ip, [(0x88A8, 10), (0x8100, 20)])),
    "linux-sll": (113, sll),
    "linux-sll2": (276, sll2),
    "raw": (101, lambda ip: ip),
    "raw-dlt12": (12, lambda ip: ip),
    "raw-ipv4-ipv6": (228, lambda ip: ip),  # 228 for v4, 229 for v6 (see frame_linktype)
    "null": (0, lambda ip: null(ip)),
    "loop": (108, lambda ip: null(ip, big_endian=True)),
}


def frame_linktype(kind: str, ip: bytes) -> int:
    linktype = LINKTYPES[kind][0]
    if kind == "raw-ipv4-ipv6" and ip[0] >> 4 == 6:
        return 229
    return linktype


# -- files ------------------------------------------------------------------
def pcap_bytes(
    frames: Iterable[tuple[int, bytes]],
    linktype: int = 1,
    big_endian: bool = False,
    nano: bool = False,
    snaplen: int = 262144,
    orig_lens: dict[int, int] | None = None,
) -> bytes:
    """A classic pcap file of (timestamp_ns, frame) records."""
    magic = dpkt.pcap.TCPDUMP_MAGIC_NANO if nano else dpkt.pcap.TCPDUMP_MAGIC
    fh_cls = dpkt.pcap.FileHdr if big_endian else dpkt.pcap.LEFileHdr
    out = io.BytesIO()
    out.write(bytes(fh_cls(magic=magic, snaplen=snaplen, linktype=linktype)))
    order = ">" if big_endian else "<"
    for i, (ts_ns, frame) in enumerate(frames):
        sec, rem = divmod(ts_ns, 1_000_000_000)
        frac = rem if nano else rem // 1000
        orig = (orig_lens or {}).get(i, len(frame))
        out.write(struct.pack(order + "IIII", sec, frac, len(frame), orig) + frame)
    return out.getvalue()


def pcapng_bytes(
    interfaces: Sequence[tuple[int, int]],
    packets: Iterable[tuple[int, int, bytes]],
    big_endian: bool = False,
) -> bytes:
    """A pcapng file: *interfaces* are (linktype, if_tsresol octet);
    *packets* are (interface id, timestamp in the interface's units, frame)."""
    le = not big_endian
    shb = (dpkt.pcapng.SectionHeaderBlockLE if le else dpkt.pcapng.SectionHeaderBlock)()
    out = [bytes(shb)]
    opt_cls = dpkt.pcapng.PcapngOptionLE if le else dpkt.pcapng.PcapngOption
    for linktype, tsresol in interfaces:
        idb = (dpkt.pcapng.InterfaceDescriptionBlockLE if le else dpkt.pcapng.InterfaceDescriptionBlock)(
            linktype=linktype, snaplen=65535
        )
        idb.opts = [
            opt_cls(code=dpkt.pcapng.PCAPNG_OPT_IF_TSRESOL, data=bytes([tsresol])),
            opt_cls(code=dpkt.pcapng.PCAPNG_OPT_ENDOFOPT),
        ]
        out.append(bytes(idb))
    for iface, ts, frame in packets:
        epb = (dpkt.pcapng.EnhancedPacketBlockLE if le else dpkt.pcapng.EnhancedPacketBlock)(
            iface_id=iface, ts_high=ts >> 32, ts_low=ts & 0xFFFFFFFF, pkt_data=frame
        )
        out.append(bytes(epb))
    return b"".join(out)


def capture(segs: Iterable[Seg], kind: str = "ethernet", **pcap_opts: object) -> bytes:
    """A pcap file of the segments, framed by link type *kind*."""
    wrap = LINKTYPES[kind][1]
    frames = []
    linktype = None
    for s in segs:
        ip = ip_packet(s)
        lt = frame_linktype(kind, ip)
        if linktype is None:
            linktype = lt
        frames.append((s.ts_ns, wrap(ip)))
    return pcap_bytes(frames, linktype=1 if linktype is None else linktype, **pcap_opts)  # type: ignore[arg-type]
