"""Test helper: the BMP byte stream of each TCP flow of a pmacct public capture.

A deliberately small reassembler (the real one is ``bmplib.pcap``, written
separately; these tests must not depend on it): Ethernet (with 802.1Q tags) or
Linux cooked captures, IPv4 or IPv6, TCP.  Per flow (source address and port,
destination address and port) the payload segments are put in sequence order
(32-bit wrap-around relative to the first sequence number seen), exact
retransmissions and overlapped octets are dropped, and a hole in the sequence
space is recorded as a gap.  A SYN starts a new stream for its flow.
"""

from __future__ import annotations

import socket
from dataclasses import dataclass, field
from pathlib import Path

import dpkt

__all__ = ["Flow", "FlowKey", "read_flows"]

#: (source address, source port, destination address, destination port)
FlowKey = tuple[str, int, str, int]


@dataclass
class Flow:
    """One direction of one TCP connection."""

    key: FlowKey
    data: bytes = b""
    #: (stream offset, octets missing) for every hole in the sequence space
    gaps: list[tuple[int, int]] = field(default_factory=list)
    #: capture frame numbers (1-based) that carried payload, in capture order
    frames: list[int] = field(default_factory=list)
    syn: bool = False


def _ntop(ip: dpkt.Packet, raw: bytes) -> str:
    return socket.inet_ntop(socket.AF_INET6 if isinstance(ip, dpkt.ip6.IP6) else socket.AF_INET, raw)


def _network_layer(linktype: int, frame: bytes) -> dpkt.Packet | None:
    if linktype == dpkt.pcap.DLT_EN10MB:
        eth = dpkt.ethernet.Ethernet(frame)
        return eth.data if isinstance(eth.data, (dpkt.ip.IP, dpkt.ip6.IP6)) else None
    if linktype == dpkt.pcap.DLT_LINUX_SLL:
        sll = dpkt.sll.SLL(frame)
        return sll.data if isinstance(sll.data, (dpkt.ip.IP, dpkt.ip6.IP6)) else None
    if linktype in (dpkt.pcap.DLT_RAW, 101):
        version = frame[0] >> 4 if frame else 0
        if version == 4:
            return dpkt.ip.IP(frame)
        if version == 6:
            return dpkt.ip6.IP6(frame)
        return None
    raise ValueError(f"link type {linktype} not handled by this test helper")


def _assemble(flow: Flow, segments: list[tuple[int, bytes]]) -> None:
    """Order *segments* (relative sequence number, payload) into flow.data."""
    out = bytearray()
    expected = None
    for rel, payload in sorted(segments, key=lambda s: s[0]):
        if expected is None:
            expected = rel
        if rel + len(payload) <= expected:
            continue  # retransmission of octets already placed
        if rel > expected:
            flow.gaps.append((len(out), rel - expected))
            expected = rel
        out += payload[expected - rel :]
        expected = rel + len(payload)
    flow.data = bytes(out)


def read_flows(path: Path, port: int = 1790) -> list[Flow]:
    """Every TCP flow towards *port* in the capture, in order of first
    appearance, each with its payload in sequence order."""
    flows: list[Flow] = []
    current: dict[FlowKey, tuple[Flow, int, list[tuple[int, bytes]]]] = {}
    with open(path, "rb") as fh:
        reader = dpkt.pcap.Reader(fh)
        linktype = reader.datalink()
        for number, (_ts, frame) in enumerate(reader, start=1):
            ip = _network_layer(linktype, frame)
            if ip is None or not isinstance(ip.data, dpkt.tcp.TCP):
                continue
            tcp = ip.data
            if tcp.dport != port:
                continue
            key: FlowKey = (_ntop(ip, ip.src), tcp.sport, _ntop(ip, ip.dst), tcp.dport)
            if tcp.flags & dpkt.tcp.TH_SYN:
                if key in current:
                    _assemble(current[key][0], current[key][2])
                flow = Flow(key, syn=True)
                flows.append(flow)
                current[key] = (flow, (tcp.seq + 1) & 0xFFFFFFFF, [])
            if not tcp.data:
                continue
            if key not in current:
                flow = Flow(key)
                flows.append(flow)
                current[key] = (flow, tcp.seq, [])
            flow, isn, segments = current[key]
            rel = (tcp.seq - isn) & 0xFFFFFFFF
            if rel >= 0x80000000:  # before the first octet seen: keep it in order
                rel -= 1 << 32
            segments.append((rel, bytes(tcp.data)))
            flow.frames.append(number)
    for flow, _isn, segments in current.values():
        _assemble(flow, segments)
    # a flow replaced by a later SYN was assembled when it was replaced
    return flows
