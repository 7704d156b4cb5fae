"""Test helper: run tshark 4.0 on BGP UPDATEs built by a test.

:func:`tshark_updates` wraps each UPDATE in a BMP Route Monitoring message
(RFC 7854 section 4.6, global instance peer), sends them in one TCP stream to
port 11019 of a pcap written with scapy, and returns tshark's JSON
(``-d tcp.port==11019,bmp``) of the BGP layer of every packet.  Tests skip
when tshark or scapy is absent.
"""

from __future__ import annotations

import json
import shutil
import struct
import subprocess
from pathlib import Path
from typing import Any

import pytest

__all__ = ["bmp_route_monitoring", "bgp_update", "tshark_updates"]


def bgp_update(attributes: bytes, nlri: bytes = b"", withdrawn: bytes = b"") -> bytes:
    """A whole BGP UPDATE message (marker, length, type 2)."""
    body = struct.pack("!H", len(withdrawn)) + withdrawn + struct.pack("!H", len(attributes)) + attributes + nlri
    return b"\xff" * 16 + struct.pack("!HB", 19 + len(body), 2) + body


def bmp_route_monitoring(update: bytes) -> bytes:
    """One BMP v3 Route Monitoring message around *update* (peer 192.0.2.1, AS 65001)."""
    peer = struct.pack("!BB8s16sI4sII", 0, 0, bytes(8), bytes(12) + bytes([192, 0, 2, 1]), 65001,
                       bytes([192, 0, 2, 1]), 0, 0)  # fmt: skip
    return struct.pack("!BIB", 3, 6 + len(peer) + len(update), 0) + peer + update


def tshark_updates(updates: list[bytes], tmp: Path) -> list[dict[str, Any]]:
    """tshark's ``bgp`` layer of each UPDATE (one packet each)."""
    if shutil.which("tshark") is None:
        pytest.skip("tshark is not installed")
    scapy_all = pytest.importorskip("scapy.all")
    packets = []
    seq = 1000
    for upd in updates:
        payload = bmp_route_monitoring(upd)
        packets.append(
            scapy_all.Ether()
            / scapy_all.IP(src="192.0.2.1", dst="192.0.2.2")
            / scapy_all.TCP(sport=40000, dport=11019, flags="PA", seq=seq)
            / scapy_all.Raw(payload)
        )
        seq += len(payload)
    path = tmp / "updates.pcap"
    scapy_all.wrpcap(str(path), packets)
    out = subprocess.run(
        ["tshark", "-r", str(path), "-d", "tcp.port==11019,bmp", "-T", "json", "--no-duplicate-keys",
         "-o", "tcp.analyze_sequence_numbers:FALSE"],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    layers = []
    for pkt in json.loads(out.stdout):
        bgp = pkt["_source"]["layers"]["bmp"]["bgp"]
        layers.append(bgp)
    assert len(layers) == len(updates)
    return layers
