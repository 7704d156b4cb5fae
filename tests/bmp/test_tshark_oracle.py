"""The BMP layer against tshark, field by field, on every capture in pcaps/
(and ../shared/pcaps/frr_large, when ../shared is there).

tshark 4.0.17 decoded ``pcaps/NAME.pcap`` (``NAME.tshark.json.gz``);
bmplib decodes ``pcaps/NAME.bmp``, the raw stream of the same capture.  The
nth BMP PDU in tshark (frame order, then order inside the frame) is the nth
bmplib message; their lengths and types are checked first so that every
later comparison is between the same two messages.

Where tshark 4.0 has no field for something (the FSM event code of Peer Down
reason 2, the Route Mirroring TLV headers) or gives up (FRR's private stats
type 65531: "Unknown stats type payload" + "Malformed Packet"), the value is
checked against the message octets, walked here independently of bmplib.
"""

from __future__ import annotations

import collections
import csv
import functools
import gzip
import struct
from typing import Any

import pytest

import bmplib
from bmplib.bmp.constants import STAT_SHAPES, StatShape
from bmplib.bmp.header import decode_peer_header
from bmplib.bmp.messages import MirroredBGPMessage, MirroringInformation
from bmplib.stream import ErrorRecord, SkippedBytes
from tests.bmp import tshark
from tests.bmp.test_roundtrip_real import split_messages
from tests.conftest import CAPTURES, KNOWN_FAULTS, PCAPS, SHARED_PCAPS, StreamCheck, StreamWalk, shared_or_skip

PER_PEER = (0, 1, 2, 3, 6)


def type_of(item: Any) -> int:
    """The BMP message type of a stream item (an ErrorRecord keeps it too)."""
    return int(item.msg_type if isinstance(item, ErrorRecord) else item.type)


def peer_of(item: Any) -> Any:
    """The per-peer header of a stream item.  For an ErrorRecord (a message
    whose body, e.g. its BGP UPDATE, did not decode; test_counts_by_type
    reports those) the per-peer header is decoded from its octets, so the
    BMP-layer comparison still covers it."""
    if isinstance(item, ErrorRecord):
        return decode_peer_header(item.data, 6) if item.msg_type in PER_PEER else None
    return item.peer


@functools.cache
def oracle(name: str) -> tuple[list[tshark.PDU], list[Any], list[bytes]]:
    """(tshark PDUs, bmplib messages, raw message octets) of one capture."""
    pdus = tshark.pdus(tshark.load(PCAPS / f"{name}.tshark.json.gz"))
    msgs = list(bmplib.iter_file(PCAPS / f"{name}.bmp"))
    raw = split_messages((PCAPS / f"{name}.bmp").read_bytes())
    return pdus, msgs, raw


def of_type(name: str, msg_type: int) -> list[tuple[tshark.PDU, Any, bytes]]:
    pdus, msgs, raw = oracle(name)
    return [(p, m, r) for p, m, r in zip(pdus, msgs, raw) if p.type == msg_type]


def walk_tlvs(buf: bytes, pos: int) -> list[tuple[int, bytes]]:
    """(type, value) of the 2+2-octet TLVs from *pos* to the end of *buf*."""
    out = []
    while pos < len(buf):
        t, length = struct.unpack_from("!HH", buf, pos)
        out.append((t, buf[pos + 4 : pos + 4 + length]))
        pos += 4 + length
    assert pos == len(buf)
    return out


def test_counts_by_type(capture: str) -> None:
    pdus, msgs, _ = oracle(capture)
    assert not [m for m in msgs if isinstance(m, SkippedBytes)]
    assert [m.offset for m in msgs if isinstance(m, ErrorRecord)] == sorted(KNOWN_FAULTS.get(capture, {}))
    want = collections.Counter(p.type for p in pdus)
    got = collections.Counter(type_of(m) for m in msgs)
    assert got == want


def test_messages_align(capture: str) -> None:
    """Same order, same type, same length: the pairing the other tests use."""
    pdus, msgs, raw = oracle(capture)
    assert len(pdus) == len(msgs) == len(raw)
    offset = 0
    for p, m, r in zip(pdus, msgs, raw):
        assert (type_of(m), len(r), m.offset) == (p.type, p.length, offset), f"frame {p.frame}"
        assert int(p.fields["bmp.version"]) == r[0] == 3
        offset += len(r)


def test_per_peer_headers(capture: str) -> None:
    pdus, msgs, _ = oracle(capture)
    checked = 0
    for p, m in zip(pdus, msgs):
        if p.type not in PER_PEER:
            assert peer_of(m) is None
            continue
        assert tshark.peer_header_mismatches(peer_of(m), p) == [], f"frame {p.frame}, message at offset {m.offset}"
        checked += 1
    assert checked == sum(1 for p in pdus if p.type in PER_PEER) > 0


def test_timestamp_views(capture: str) -> None:
    _, msgs, _ = oracle(capture)
    for m in msgs:
        peer = peer_of(m)
        if peer is not None:
            dt = peer.datetime
            assert int(dt.timestamp()) == peer.timestamp_sec
            assert dt.microsecond == peer.timestamp_usec
            assert dt.utcoffset() is not None and dt.utcoffset().total_seconds() == 0


# ---------------------------------------------------------------------------
# One check per message type: (tshark PDU, bmplib message, message octets).
# test_public_pmacct.py uses them too.
# ---------------------------------------------------------------------------
def check_initiation(p: tshark.PDU, m: Any, r: bytes) -> None:
    want = tshark.init_tlvs(p)
    got = [(int(t.type), len(t.value), t.text) for t in m.tlvs]
    assert got == want, f"frame {p.frame}"
    assert [(t, v) for t, v in walk_tlvs(r, 6)] == [(int(t.type), t.value) for t in m.tlvs]
    for t, _, info in want:
        if t == 1:
            assert m.sys_descr == info
        if t == 2:
            assert m.sys_name == info


def check_termination(p: tshark.PDU, m: Any, r: bytes) -> None:
    want = tshark.term_tlvs(p)
    got: list[tuple[int, int, str | int]] = []
    for t in m.tlvs:
        value: str | int = int.from_bytes(t.value, "big") if t.type == 1 else t.text
        got.append((int(t.type), len(t.value), value))
    assert got == want, f"frame {p.frame}"
    assert [(t, v) for t, v in walk_tlvs(r, 6)] == [(int(t.type), t.value) for t in m.tlvs]
    reasons = [v for t, _, v in want if t == 1]
    assert m.reason == (reasons[0] if reasons else None)


def check_peer_up(p: tshark.PDU, m: Any, r: bytes) -> None:
    want = tshark.peer_up(p)
    assert (m.local_port, m.remote_port) == (want["local_port"], want["remote_port"]), f"frame {p.frame}"
    if m.peer.peer_type == 3:
        # tshark reads 0x80 as the V flag for Loc-RIB peers too (it is F
        # there): compare the 16 octets
        assert tshark.pack_address(m.local_address) == tshark.pack_address(want["local_address"])
    else:
        assert m.local_address == want["local_address"], f"frame {p.frame}"
    assert tshark.pack_address(m.local_address) == r[48:64]
    # both OPENs are there and re-encode to their octets
    opens = tshark.bgp_messages(p)
    assert [int(o["bgp.type"]) for o in opens[:2]] == [1, 1], f"frame {p.frame}"
    sent_len, recv_len = (int(o["bgp.length"]) for o in opens[:2])
    assert m.sent_open.encode() == r[68 : 68 + sent_len]
    assert m.received_open.encode() == r[68 + sent_len : 68 + sent_len + recv_len]
    tail = r[68 + sent_len + recv_len :]
    assert [(int(t.type), t.value) for t in m.tlvs] == walk_tlvs(tail, 0)


def check_peer_down(p: tshark.PDU, m: Any, r: bytes) -> None:
    want = tshark.peer_down(p)
    assert int(m.reason) == want["reason"] == r[48], f"frame {p.frame}"
    data = r[49:]
    if want["reason"] == 2:
        # tshark 4.0 shows only a "Data" label: the event code is in the octets
        assert len(data) == 2
        assert m.fsm_event == int.from_bytes(data, "big")
        assert m.notification is None and m.data == b""
    elif want["reason"] in (1, 3):
        notes = want["notifications"]
        if m.notification is not None:
            assert len(notes) == 1, f"frame {p.frame}"
            assert int(notes[0]["bgp.length"]) == len(data)
            assert m.notification.encode() == data
            assert m.data == b""
        else:  # a short or missing PDU: kept as it came
            assert m.data == data
    elif want["reason"] == 6:
        # RFC 9069 section 5.4: TLVs follow (tshark 4.0 does not dissect them;
        # 403 has a Loc-RIB Peer Down with a VRF/table name TLV)
        assert [(int(t.type), t.value) for t in m.tlvs] == walk_tlvs(data, 0), f"frame {p.frame}"
        assert m.notification is None and m.fsm_event is None and m.data == b""
    else:
        assert m.notification is None and m.fsm_event is None
        assert m.data == data


def check_statistics(p: tshark.PDU, m: Any, r: bytes) -> None:
    count, want = tshark.stats(p)
    wire = walk_tlvs(r, 52)
    assert count == len(m.stats) == len(wire) == int.from_bytes(r[48:52], "big"), f"frame {p.frame}"
    # tshark stops at a TLV it cannot decode; what it did list must agree
    assert len(want) <= len(wire)
    for i, (stat, (wtype, value)) in enumerate(zip(m.stats, wire)):
        assert int(stat.type) == wtype, f"frame {p.frame}"
        shape = STAT_SHAPES.get(wtype)
        if i < len(want):
            w = want[i]
            assert (w["type"], w["length"]) == (wtype, len(value)), f"frame {p.frame}"
            if w["unknown"]:
                # tshark 4.0 does not know it (FRR's 65531): bmplib keeps it
                # raw; tshark's own data field agrees with the octets
                assert shape is None
                assert w["data"] == value
            else:
                assert w["data"] == value
        if shape is StatShape.AFI_SAFI_GAUGE64 and len(value) == 11:
            assert (stat.afi, stat.safi, stat.value) == (
                int.from_bytes(value[:2], "big"),
                value[2],
                int.from_bytes(value[3:], "big"),
            )
        elif shape is not None and len(value) == {StatShape.COUNTER32: 4, StatShape.GAUGE64: 8}.get(shape):
            assert stat.value == int.from_bytes(value, "big") and stat.afi is None
        else:
            assert stat.value is None and stat.raw == value


def check_route_mirroring(p: tshark.PDU, m: Any, r: bytes) -> None:
    """tshark 4.0 has no Route Mirroring TLV fields: it hands the body to the
    BGP dissector (the TLV header shows as a "continuation").  So the TLV
    types, lengths and information codes are checked against the octets, and
    the mirrored BGP messages' type and length against tshark's BGP layer."""
    wire = walk_tlvs(r, 48)
    assert len(m.tlvs) == len(wire)
    tshark_bgp = [(int(b["bgp.type"]), int(b["bgp.length"])) for b in tshark.bgp_messages(p)]
    mirrored = []
    for tlv, (wtype, value) in zip(m.tlvs, wire):
        assert int(tlv.type) == wtype, f"frame {p.frame}"
        assert tlv.encode() == struct.pack("!HH", wtype, len(value)) + value
        if isinstance(tlv, MirroredBGPMessage):
            assert wtype == 0 and tlv.message.encode() == value
            mirrored.append((value[18], int.from_bytes(value[16:18], "big")))
        elif isinstance(tlv, MirroringInformation):
            assert wtype == 1 and int(tlv.code) == int.from_bytes(value, "big")
        else:
            assert tlv.value == value
    assert mirrored
    assert tshark_bgp[: len(mirrored)] == mirrored, f"frame {p.frame}"


CHECKS = {
    1: check_statistics,
    2: check_peer_down,
    3: check_peer_up,
    4: check_initiation,
    5: check_termination,
    6: check_route_mirroring,
}


@pytest.mark.parametrize("msg_type", sorted(CHECKS))
def test_message_fields(capture: str, msg_type: int) -> None:
    """Initiation/Termination TLVs and strings, Peer Up local end, Peer Down
    reasons, every Stats TLV, Route Mirroring TLVs.

    frr_unicast frames 96 and 149 (Route Mirroring) are flagged "Malformed
    Packet" by tshark: it guesses ADD-PATH path identifiers in the mirrored
    UPDATE's withdrawn routes (which have none) and runs off the end; the BMP
    fields are unaffected and are checked as usual."""
    items = of_type(capture, msg_type)
    if msg_type in (3, 4):
        assert items  # every capture here has an Initiation and a Peer Up
    for p, m, r in items:
        assert not isinstance(m, ErrorRecord), f"frame {p.frame}: bmplib could not decode it: {m.error}"
        CHECKS[msg_type](p, m, r)


def tshark_fields_table() -> tuple[list[int], list[tuple[int, int, bytes, str, int, str]], list[int]]:
    """(message types, per-peer headers, Peer Down reasons) in tshark's
    ``-T fields`` table of ../shared/pcaps/frr_large, one line per frame,
    repeated fields joined with ``;``."""
    table = shared_or_skip(SHARED_PCAPS / "frr_large.tshark.fields.tsv.gz")
    want_types: list[int] = []
    want_peers: list[tuple[int, int, bytes, str, int, str]] = []
    want_reasons: list[int] = []
    with gzip.open(table, "rt", encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh, delimiter="\t"):
            if not row["bmp.type"]:
                continue

            def values(key: str, row: dict[str, str] = row) -> list[str]:
                return row[key].split(";") if row[key] else []

            types = [int(t) for t in values("bmp.type")]
            want_types += types
            v4, v6 = values("bmp.peer.ip.addr"), values("bmp.peer.ipv6.addr")
            columns = zip(
                values("bmp.peer.type"),
                values("bmp.peer.flags"),
                values("bmp.peer.distinguisher"),
                values("bmp.peer.asn"),
                values("bmp.peer.id"),
            )
            for ptype, flags, dist, asn, bgp_id in columns:
                address = (v6 if int(flags, 16) & 0x80 else v4).pop(0)
                want_peers.append((int(ptype), int(flags, 16), bytes.fromhex(dist), address, int(asn), bgp_id))
            assert not v4 and not v6
            want_reasons += [int(r) for r in values("bmp.peer.down.reason")]
    return want_types, want_peers, want_reasons


class TsharkFields(StreamCheck):
    """Message types in order, every per-peer header (compared as the walk
    goes: the table's 332k rows are loaded first) and the Peer Down reasons
    against :func:`tshark_fields_table`."""

    def __init__(self, data: bytes) -> None:
        super().__init__(data)
        self.want_types, self.want_peers, self.want_reasons = tshark_fields_table()
        self.got_types: list[int] = []
        self.got_reasons: list[int] = []
        self.peers = 0

    def feed(self, item: Any) -> None:
        assert not isinstance(item, (ErrorRecord, SkippedBytes)), item
        self.got_types.append(type_of(item))
        p = item.peer
        if p is not None:
            i = self.peers
            assert i < len(self.want_peers), f"per-peer message {i}: tshark has only {len(self.want_peers)}"
            got = (int(p.peer_type), p.flags, p.distinguisher, p.address, p.asn, p.bgp_id)
            assert got == self.want_peers[i], f"per-peer message {i}"
            self.peers += 1
        if isinstance(item, bmplib.PeerDown):
            self.got_reasons.append(int(item.reason))

    def finish(self) -> None:
        assert collections.Counter(self.got_types) == collections.Counter(self.want_types)
        assert self.got_types == self.want_types
        assert self.peers == len(self.want_peers) > 332_000
        assert self.got_reasons == self.want_reasons


@pytest.mark.frr_large(check=TsharkFields)
def test_frr_large_against_tshark_fields(frr_large: StreamWalk) -> None:
    """../shared/pcaps/frr_large (47 MB, 332 439 Route Monitoring): its
    oracle is a tshark ``-T fields`` table, one line per frame, repeated
    fields joined with ``;``.  Message types in order, and for every per-peer
    message the peer type, flags, distinguisher, address, AS and BGP ID (the
    table has no timestamps), and the Peer Down reasons.  Checked in the
    session's shared walk over the file (tests.conftest.frr_large)."""
    check = frr_large.result(TsharkFields)
    assert check.peers > 332_000


def test_oracle_covers_every_kind() -> None:
    """The captures together exercise every check above."""
    total: collections.Counter[int] = collections.Counter()
    unknown_stats = 0
    fsm_events = 0
    for name in CAPTURES:
        pdus, msgs, _ = oracle(name)
        total.update(p.type for p in pdus)
        unknown_stats += sum(1 for p in pdus if p.type == 1 and tshark.is_malformed(p))
        fsm_events += sum(1 for m in msgs if isinstance(m, bmplib.PeerDown) and m.fsm_event is not None)
    assert all(total[t] > 0 for t in range(7)), total
    assert unknown_stats > 0 and fsm_events > 0


@pytest.mark.parametrize("name", CAPTURES)
def test_every_capture_has_its_oracle(name: str) -> None:
    assert (PCAPS / f"{name}.tshark.json.gz").exists() and (PCAPS / f"{name}.pcap").exists()
