"""Test helper: walk tshark's JSON decoding of a BMP capture.

The JSON is ``tshark -T json --no-duplicate-keys`` output of tshark 4.0.17:
repeated keys become lists, a frame carrying several BMP PDUs has a list
under ``bmp``, and a PDU split over TCP segments appears in the frame where
reassembly completed.  Every value is a string.  This module turns that into
plain Python values so the tests can compare them with bmplib's model
(:func:`peer_header_mismatches` compares a per-peer header).
"""

from __future__ import annotations

import gzip
import json
import socket
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = [
    "PDU",
    "as_list",
    "bgp_messages",
    "flow_of",
    "init_tlvs",
    "is_malformed",
    "load",
    "pack_address",
    "peer_header_mismatches",
    "rd_text",
    "pdus",
    "peer_down",
    "peer_header",
    "peer_up",
    "stats",
    "term_tlvs",
]

Frame = dict[str, Any]


def load(path: Path) -> list[Frame]:
    """The frames of a ``.tshark.json`` or ``.tshark.json.gz`` file."""
    if path.suffix == ".gz":
        with gzip.open(path, "rt", encoding="utf-8") as fh:
            data: list[Frame] = json.load(fh)
    else:
        with open(path, encoding="utf-8") as fh:
            data = json.load(fh)
    return data


def as_list(value: Any) -> list[Any]:
    """A value that --no-duplicate-keys made a list when repeated."""
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


@dataclass
class PDU:
    """One BMP PDU as tshark saw it."""

    frame: int  #: capture frame number (1-based) where tshark decoded it
    layers: Frame  #: all layers of that frame
    fields: dict[str, Any]  #: the ``bmp`` dictionary of this PDU

    @property
    def type(self) -> int:
        return int(self.fields["bmp.type"])

    @property
    def length(self) -> int:
        return int(self.fields["bmp.length"])


def pdus(frames: list[Frame]) -> list[PDU]:
    """Every BMP PDU in capture order (frame order, then order in frame)."""
    out = []
    for frame in frames:
        layers = frame["_source"]["layers"]
        number = int(layers["frame"]["frame.number"])
        for bmp in as_list(layers.get("bmp")):
            out.append(PDU(number, layers, bmp))
    return out


def flow_of(pdu: PDU) -> tuple[str, int, str, int]:
    """(source address, source port, destination address, destination port)."""
    layers = pdu.layers
    ip = layers.get("ip") or layers["ipv6"]
    if "ip.src" in ip:
        src, dst = ip["ip.src"], ip["ip.dst"]
    else:
        src, dst = ip["ipv6.src"], ip["ipv6.dst"]
    tcp = layers["tcp"]
    return (src, int(tcp["tcp.srcport"]), dst, int(tcp["tcp.dstport"]))


def _hexbytes(text: str) -> bytes:
    """tshark's ``aa:bb:cc`` byte strings."""
    return bytes.fromhex(text.replace(":", "")) if text else b""


def peer_header(pdu: PDU) -> dict[str, Any]:
    """The per-peer header fields, in bmplib's units.

    tshark 4.0 names the microseconds field ``bmp.peer.timestamp.msec``
    (it holds microseconds: RFC 7854 section 4.2)."""
    h = pdu.fields["bmp.peer.header"]
    address = h.get("bmp.peer.ipv6.addr", h.get("bmp.peer.ip.addr"))
    return {
        "peer_type": int(h["bmp.peer.type"]),
        "flags": int(h["bmp.peer.flags"], 16),
        "distinguisher": _hexbytes(h["bmp.peer.distinguisher"]),
        "address": address,
        "asn": int(h["bmp.peer.asn"]),
        "bgp_id": h["bmp.peer.id"],
        "timestamp_sec": int(h["bmp.peer.timestamp.sec"]),
        "timestamp_usec": int(h["bmp.peer.timestamp.msec"]),
    }


def stats(pdu: PDU) -> tuple[int, list[dict[str, Any]]]:
    """(stats count, [{"type", "length", "data", "unknown"}...]).

    ``data`` is tshark's ``bmp.stats.data`` (the value octets); ``unknown``
    is true where tshark said "Unknown stats type payload"."""
    f = pdu.fields
    types = [int(t) for t in as_list(f.get("bmp.stats.type"))]
    trees = as_list(f.get("bmp.stats.type_tree"))
    out = []
    for t, tree in zip(types, trees):
        out.append(
            {
                "type": t,
                "length": int(tree["bmp.stats.length"]),
                "data": _hexbytes(tree.get("bmp.stats.data", "")),
                "unknown": "Unknown stats type payload" in tree,
            }
        )
    return int(f["bmp.stats.count"]), out


def _tlvs(block: Any, prefix: str) -> list[tuple[int, Any]]:
    """(type, value) pairs of tshark's init/term TLV blocks.  tshark lists the
    types under ``PREFIX.type`` and the rest under ``PREFIX.type_tree`` (or
    directly in the block when there is a single TLV)."""
    out: list[tuple[int, Any]] = []
    for b in as_list(block):
        types = as_list(b.get(f"{prefix}.type"))
        trees = as_list(b.get(f"{prefix}.type_tree")) or [b]
        for t, tree in zip(types, trees):
            out.append((int(t), tree))
    return out


def init_tlvs(pdu: PDU) -> list[tuple[int, int, str]]:
    """Initiation TLVs as (type, length, information string)."""
    return [
        (t, int(tree["bmp.init.length"]), tree.get("bmp.init.info", ""))
        for t, tree in _tlvs(pdu.fields.get("bmp.init.types"), "bmp.init")
    ]


def term_tlvs(pdu: PDU) -> list[tuple[int, int, str | int]]:
    """Termination TLVs as (type, length, string or reason code)."""
    out: list[tuple[int, int, str | int]] = []
    for t, tree in _tlvs(pdu.fields.get("bmp.term.types"), "bmp.term"):
        value: str | int = int(tree["bmp.term.reason"]) if "bmp.term.reason" in tree else tree.get("bmp.term.info", "")
        out.append((t, int(tree["bmp.term.length"]), value))
    return out


def peer_down(pdu: PDU) -> dict[str, Any]:
    """Reason code and, for reasons 1 and 3, the NOTIFICATION tshark found."""
    f = pdu.fields
    notes = [m for m in bgp_messages(pdu) if m.get("bgp.type") == "3"]
    return {"reason": int(f["bmp.peer.down.reason"]), "notifications": notes}


def peer_up(pdu: PDU) -> dict[str, Any]:
    """Local address and ports of a Peer Up."""
    f = pdu.fields
    return {
        "local_address": f.get("bmp.peer.up.ipv6.addr", f.get("bmp.peer.up.ip.addr")),
        "local_port": int(f["bmp.peer.up.port.local"]),
        "remote_port": int(f["bmp.peer.up.port.remote"]),
    }


def bgp_messages(pdu: PDU) -> list[dict[str, Any]]:
    """The BGP messages tshark dissected inside this PDU (continuation
    markers left out)."""
    return [m for m in as_list(pdu.fields.get("bgp")) if "bgp.type" in m]


def is_malformed(pdu: PDU) -> bool:
    """Whether tshark flagged this PDU (or its stats TLVs) as malformed."""
    f = pdu.fields
    if "_ws.malformed" in f:
        return True
    return any("Unknown stats type payload" in t for t in as_list(f.get("bmp.stats.type_tree")))


def pack_address(text: str) -> bytes:
    """The 16-octet BMP address field for an address text (IPv4 in the low
    4 octets, RFC 7854 section 4.2)."""
    if ":" in text:
        return socket.inet_pton(socket.AF_INET6, text)
    return bytes(12) + socket.inet_pton(socket.AF_INET, text)


def rd_text(raw: bytes) -> str:
    """RFC 4364 section 4.2 text of an 8-octet route distinguisher (types 0,
    1, 2); other types as ``type:hex``.  Written here independently of
    bmplib.nlri.rd so the two can be compared."""
    rd_type = int.from_bytes(raw[:2], "big")
    if rd_type == 0:
        return f"{int.from_bytes(raw[2:4], 'big')}:{int.from_bytes(raw[4:8], 'big')}"
    if rd_type == 1:
        return f"{socket.inet_ntop(socket.AF_INET, raw[2:6])}:{int.from_bytes(raw[6:8], 'big')}"
    if rd_type == 2:
        return f"{int.from_bytes(raw[2:6], 'big')}:{int.from_bytes(raw[6:8], 'big')}"
    return f"{rd_type}:{raw[2:].hex()}"


def peer_header_mismatches(peer: Any, pdu: PDU) -> list[str]:
    """Differences between a bmplib ``PeerHeader`` and tshark's decoding of
    the same per-peer header (empty when they agree).

    The address is compared as text for peer types 0-2 (both decoders pick
    IPv4/IPv6 by the V flag).  For a Loc-RIB peer (type 3) the flag 0x80 is
    the F flag, not V: tshark 4.0 still reads it as V (an all-zero address
    with F set prints as ``::``), bmplib looks at the address octets (prints
    ``0.0.0.0``), so there the 16 wire octets are compared.
    RD-instance (type 1) and Loc-RIB peers also get their distinguisher
    checked as a route distinguisher text."""
    want = peer_header(pdu)
    got = {
        "peer_type": int(peer.peer_type),
        "flags": peer.flags,
        "distinguisher": peer.distinguisher,
        "address": peer.address,
        "asn": peer.asn,
        "bgp_id": peer.bgp_id,
        "timestamp_sec": peer.timestamp_sec,
        "timestamp_usec": peer.timestamp_usec,
    }
    if want["peer_type"] == 3:
        want["address"] = pack_address(want["address"])
        got["address"] = pack_address(got["address"])
    out = [f"{k}: bmplib {got[k]!r} tshark {want[k]!r}" for k in want if got[k] != want[k]]
    if want["peer_type"] in (1, 3):
        rd = peer.rd
        if rd is None or str(rd) != rd_text(want["distinguisher"]):
            out.append(f"rd: bmplib {rd} tshark {rd_text(want['distinguisher'])}")
    elif peer.rd is not None:
        out.append(f"rd: bmplib {peer.rd} for peer type {want['peer_type']}")
    if peer.timestamp != want["timestamp_sec"] + want["timestamp_usec"] / 1e6:
        out.append(f"timestamp float {peer.timestamp!r}")
    return out
