"""The BMP layer on pmacct's public captures (Huawei VRP, Cisco IOS XR,
Juniper, 6WIND/FRR), checked against tshark.

The captures are GPL test data read from ../shared (never copied here); the
tests skip when it is absent.  BMP runs on TCP port 1790, one direction, in
two files without the TCP handshake, some over IPv6, and the 4xx files also
carry IPFIX over UDP.  tests/bmp/pmacct.py extracts each flow's TCP payload
in sequence order (``bmplib.pcap`` is not used here), and each flow is fed to
its own ``BMPDecoder(resync=True)``: a flow without its handshake could start
in the middle of a message.

tshark's PDUs are grouped by flow (addresses and ports) and paired with
bmplib's messages in stream order, as in test_tshark_oracle.py.

tshark's "Malformed Packet (Exception occurred)" flags on these files, and how
they are handled (the BMP fields are compared as usual in every case):

- Statistics Reports of 205, 206 and 208-stats (6WIND/FRR): FRR's private
  type 65531 ("Unknown stats type payload"); tshark stops at it, so it lists
  the TLVs before it, and the ones after it (7 and 8) and 65531 itself are
  checked against the octets only.
- Peer Ups in most files (frames of 202-02, 204, 205, 206, 208-peer-up, 4xx):
  they carry Peer Up information TLVs (VRF/table name, string), which tshark
  4.0 does not dissect.  The per-peer header, local address, ports and both
  OPENs come before them and are compared; the TLVs are checked against the
  octets.
- 200 Route Monitoring messages of 208-route-monitoring: Cisco IOS XR sends
  TLVs after the BGP UPDATE, which tshark 4.0 does not expect; bmplib keeps
  them (``RouteMonitoring.tlvs``) and the message re-encodes exactly.
"""

from __future__ import annotations

import collections
import functools
import struct
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

import bmplib
from bmplib.stream import ErrorRecord, SkippedBytes
from tests.bmp import tshark
from tests.bmp.pmacct import Flow, read_flows
from tests.bmp.test_tshark_oracle import CHECKS, peer_of, type_of
from tests.conftest import PUBLIC_PCAPS, shared_or_skip

NAMES = sorted(p.name[: -len(".pcap")] for p in PUBLIC_PCAPS.glob("*.pcap")) if PUBLIC_PCAPS.exists() else []


@dataclass
class Decoded:
    """One flow: its octets, what bmplib made of them, what tshark saw."""

    flow: Flow
    items: list[Any]
    pdus: list[tshark.PDU]

    @property
    def messages(self) -> list[Any]:
        """Messages and error records (the latter fail the first test; here
        they keep the pairing with tshark in step)."""
        return [it for it in self.items if not isinstance(it, SkippedBytes)]

    def wire(self, msg: Any) -> bytes:
        """The octets of *msg* in the flow, framed by its own length field."""
        length = struct.unpack_from("!I", self.flow.data, msg.offset + 1)[0]
        return self.flow.data[msg.offset : msg.offset + length]


def _tshark_file(name: str) -> Path:
    plain = PUBLIC_PCAPS / f"{name}.tshark.json"
    return plain if plain.exists() else PUBLIC_PCAPS / f"{name}.tshark.json.gz"


@functools.cache
def decode_capture(name: str) -> list[Decoded]:
    pcap = shared_or_skip(PUBLIC_PCAPS / f"{name}.pcap")
    by_flow: dict[tuple[str, int, str, int], list[tshark.PDU]] = collections.defaultdict(list)
    for pdu in tshark.pdus(tshark.load(_tshark_file(name))):
        by_flow[tshark.flow_of(pdu)].append(pdu)
    flows = read_flows(pcap, port=1790)
    # one connection per flow key in these files, so tshark's grouping by
    # addresses and ports is a grouping by connection
    assert len({f.key for f in flows}) == len(flows)
    out = []
    for flow in flows:
        dec = bmplib.BMPDecoder(resync=True)
        dec.feed(flow.data)
        dec.close()
        out.append(Decoded(flow, list(dec), by_flow.pop(flow.key, [])))
    assert not by_flow, f"tshark saw BMP on flows the helper did not: {list(by_flow)}"
    return out


@pytest.fixture(params=NAMES or ["(../shared absent)"])
def name(request: pytest.FixtureRequest) -> str:
    shared_or_skip(PUBLIC_PCAPS)
    value: str = request.param
    return value


def test_no_error_records_and_skips_only_at_a_flow_edge(name: str) -> None:
    """No message fails to decode.  Octets are skipped only where a flow
    starts without its handshake, or where the capture stops in the middle of
    a message (202-...-02 ends 156 octets into a 1003-octet Peer Up, which
    tshark does not count either)."""
    for d in decode_capture(name):
        assert d.flow.gaps == [], f"{d.flow.key}: sequence holes"
        assert not [it for it in d.items if isinstance(it, ErrorRecord)], d.flow.key
        skips = [it for it in d.items if isinstance(it, SkippedBytes)]
        for s in skips:
            if s.offset == 0:
                assert not d.flow.syn  # only a flow caught mid-stream may start with debris
                continue
            # the only other place: the very end, a message cut by the capture
            assert s is d.items[-1] and s.offset + len(s.data) == len(d.flow.data), (d.flow.key, s)
            declared = struct.unpack_from("!I", s.data, 1)[0]
            assert s.data[0] == 3 and declared > len(s.data)
        assert d.messages


def test_counts_by_type_equal_tshark(name: str) -> None:
    decoded = decode_capture(name)
    want = collections.Counter(p.type for d in decoded for p in d.pdus)
    got = collections.Counter(type_of(m) for d in decoded for m in d.messages)
    assert got == want
    for d in decoded:
        assert len(d.pdus) == len(d.messages), d.flow.key


def test_messages_align_with_tshark(name: str) -> None:
    for d in decode_capture(name):
        for p, m in zip(d.pdus, d.messages):
            assert (type_of(m), len(d.wire(m))) == (p.type, p.length), f"{d.flow.key} frame {p.frame}"


def test_per_peer_headers_match_tshark(name: str) -> None:
    checked = 0
    for d in decode_capture(name):
        for p, m in zip(d.pdus, d.messages):
            if p.type in (0, 1, 2, 3, 6):
                assert tshark.peer_header_mismatches(peer_of(m), p) == [], f"{d.flow.key} frame {p.frame}"
                checked += 1
            else:
                assert peer_of(m) is None
    assert checked or name.startswith("208-BMP-mem-leak-test__bmp-multi-sources-init")


def test_message_fields_match_tshark(name: str) -> None:
    """Initiation strings, Peer Up local end and OPENs, Peer Down reasons,
    every Stats TLV (the checks of test_tshark_oracle.py)."""
    for d in decode_capture(name):
        for p, m in zip(d.pdus, d.messages):
            check = CHECKS.get(p.type)
            if check is not None:
                assert not isinstance(m, ErrorRecord), f"{d.flow.key} frame {p.frame}: {m.error}"
                check(p, m, d.wire(m))


def test_every_message_reencodes_exactly(name: str) -> None:
    for d in decode_capture(name):
        for m in d.messages:
            assert not isinstance(m, ErrorRecord), f"{d.flow.key} offset {m.offset}: {m.error}"
            assert m.encode() == d.wire(m), f"{d.flow.key} offset {m.offset}"


def test_public_captures_cover_the_peer_types() -> None:
    """Between them the files hold RD-instance peers (type 1, with an RD),
    Loc-RIB peers (type 3, with and without the F flag), IPv6 transport and
    flows without a handshake."""
    shared_or_skip(PUBLIC_PCAPS)
    peers: collections.Counter[tuple[int, int]] = collections.Counter()
    rds = set()
    ipv6_transport = no_handshake = 0
    for name in NAMES:
        for d in decode_capture(name):
            ipv6_transport += ":" in d.flow.key[0]
            no_handshake += not d.flow.syn
            for m in d.messages:
                peer = peer_of(m)
                if peer is not None:
                    peers[int(peer.peer_type), peer.flags & 0x80] += 1
                    if peer.peer_type == 1:
                        rds.add(str(peer.rd))
    assert peers[1, 0] and peers[1, 0x80] and peers[3, 0] and peers[3, 0x80], peers
    assert "64499:14" in rds, rds
    assert ipv6_transport and no_handshake
