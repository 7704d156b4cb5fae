"""Unit tests of the BMP layer on byte vectors laid out by hand from the
figures of RFC 7854 (sections 4.1-4.10), RFC 8671 (the O flag) and RFC 9069
(Loc-RIB, the F flag, Peer Down reason 6), for what the real captures lack.

The vectors are built here with ``struct`` from those figures, never with
bmplib's encoder; each test checks the decoded fields and that the message
re-encodes to exactly the same octets.
"""

from __future__ import annotations

import datetime
import struct

import pytest

import bmplib
from bmplib import BMPDecodeError, PeerType, Table
from bmplib.bmp.constants import (
    InitiationTLVType,
    MirroringInfoCode,
    PeerDownReason,
    PeerUpTLVType,
    RouteMirroringTLVType,
    StatType,
    TerminationReason,
    TerminationTLVType,
)
from bmplib.bmp.messages import (
    Initiation,
    MirroredBGPMessage,
    MirroringInformation,
    PeerDown,
    PeerUp,
    RouteMirroring,
    StatisticsReport,
    Termination,
    UnknownMessage,
)
from bmplib.bmp.tlv import InformationTLV

# -- RFC 7854 section 4.1: version (1), message length (4), message type (1)


def bmp(msg_type: int, body: bytes) -> bytes:
    return struct.pack("!BIB", 3, 6 + len(body), msg_type) + body


# -- RFC 7854 section 4.2 per-peer header (42 octets): peer type (1), peer
# flags (1), peer distinguisher (8), peer address (16), peer AS (4), peer
# BGP ID (4), timestamp seconds (4), timestamp microseconds (4)
IPV4_PEER = bytes(12) + bytes([192, 0, 2, 1])  # IPv4 in the low 4 octets
IPV6_PEER = bytes.fromhex("20010db8000000000000000000000001")  # 2001:db8::1
BGP_ID = bytes([198, 51, 100, 7])
SEC, USEC = 1_700_000_000, 123_456


def peer(
    peer_type: int = 0,
    flags: int = 0,
    distinguisher: bytes = bytes(8),
    address: bytes = IPV4_PEER,
    asn: int = 64500,
) -> bytes:
    return struct.pack("!BB8s16sI4sII", peer_type, flags, distinguisher, address, asn, BGP_ID, SEC, USEC)


def tlv(t: int, value: bytes) -> bytes:
    return struct.pack("!HH", t, len(value)) + value


def stats(per_peer: bytes, *tlvs: bytes, count: int | None = None) -> bytes:
    """RFC 7854 section 4.8: stats count (4) then the TLVs."""
    return bmp(1, per_peer + struct.pack("!I", len(tlvs) if count is None else count) + b"".join(tlvs))


def roundtrip(wire: bytes) -> bmplib.BMPMessage:
    msg = bmplib.decode(wire)
    assert msg.encode() == wire
    return msg


# RFC 4364 section 4.2 route distinguishers
RD_TYPE0 = struct.pack("!HHI", 0, 65000, 100)  # 65000:100
RD_TYPE1 = struct.pack("!H4sH", 1, bytes([192, 0, 2, 1]), 7)  # 192.0.2.1:7
RD_TYPE2 = struct.pack("!HIH", 2, 4200000000, 9)  # 4200000000:9

# RFC 4271 section 4.1/4.4: marker, length 19, type 4 (KEEPALIVE)
KEEPALIVE = b"\xff" * 16 + struct.pack("!HB", 19, 4)


def open_msg(asn: int, bgp_id: bytes) -> bytes:
    """RFC 4271 section 4.2: an OPEN with no optional parameters."""
    body = struct.pack("!BHH4sB", 4, asn, 180, bgp_id, 0)
    return b"\xff" * 16 + struct.pack("!HB", 19 + len(body), 1) + body


# ---------------------------------------------------------------------------
# Per-peer header: peer types, flags, tables, distinguisher, timestamps
# ---------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("rd_raw", "text"), [(RD_TYPE0, "65000:100"), (RD_TYPE1, "192.0.2.1:7"), (RD_TYPE2, "4200000000:9")]
)
def test_rd_instance_peer(rd_raw: bytes, text: str) -> None:
    msg = roundtrip(stats(peer(1, 0x00, rd_raw)))
    assert isinstance(msg, StatisticsReport) and msg.stats == []
    p = msg.peer
    assert p.peer_type is PeerType.RD_INSTANCE
    assert p.distinguisher == rd_raw
    assert p.rd is not None and str(p.rd) == text and p.rd.encode() == rd_raw
    assert (p.address, p.asn, p.bgp_id) == ("192.0.2.1", 64500, "198.51.100.7")
    assert p.table is Table.ADJ_RIB_IN_PRE
    assert not p.is_ipv6 and not p.is_post_policy and not p.is_as2 and not p.is_adj_rib_out


def test_local_instance_peer_ipv6_post_policy() -> None:
    dist = bytes.fromhex("0102030405060708")  # locally defined value, not an RD
    msg = roundtrip(stats(peer(2, 0x80 | 0x40, dist, IPV6_PEER)))
    p = msg.peer
    assert p.peer_type is PeerType.LOCAL_INSTANCE
    assert p.distinguisher == dist and p.rd is None
    assert p.address == "2001:db8::1" and p.is_ipv6
    assert p.is_post_policy and p.table is Table.ADJ_RIB_IN_POST


def test_global_peer_with_a_flag() -> None:
    p = roundtrip(stats(peer(0, 0x20))).peer
    assert p.peer_type is PeerType.GLOBAL_INSTANCE and p.rd is None
    assert p.is_as2 and p.table is Table.ADJ_RIB_IN_PRE


@pytest.mark.parametrize("flags", [0x80, 0x00])
def test_loc_rib_peer_f_flag(flags: int) -> None:
    """RFC 9069 section 4.1/4.2: peer type 3, flag 0x80 is F (filtered), the
    peer address is zero, the distinguisher is the instance's RD."""
    msg = roundtrip(stats(peer(3, flags, RD_TYPE0, bytes(16), asn=65000)))
    p = msg.peer
    assert p.peer_type is PeerType.LOC_RIB_INSTANCE and p.is_loc_rib
    assert p.is_filtered is bool(flags)
    assert p.table is Table.LOC_RIB
    assert p.address == "0.0.0.0" and not p.is_ipv6  # 0x80 is not the V flag here
    assert p.rd is not None and str(p.rd) == "65000:100"
    # the L, A and O bits mean nothing for a Loc-RIB peer
    assert not p.is_post_policy and not p.is_as2 and not p.is_adj_rib_out


@pytest.mark.parametrize(
    ("peer_type", "flags", "table"),
    [
        (0, 0x00, Table.ADJ_RIB_IN_PRE),
        (0, 0x40, Table.ADJ_RIB_IN_POST),
        (0, 0x10, Table.ADJ_RIB_OUT_PRE),  # RFC 8671 section 4: O flag
        (0, 0x50, Table.ADJ_RIB_OUT_POST),
        (3, 0x00, Table.LOC_RIB),
        (1, 0xD0, Table.ADJ_RIB_OUT_POST),  # V + L + O on an RD-instance peer
        (3, 0x50, Table.LOC_RIB),  # L/O bits are not flags for peer type 3
    ],
)
def test_table(peer_type: int, flags: int, table: Table) -> None:
    address = IPV6_PEER if flags & 0x80 and peer_type != 3 else IPV4_PEER if peer_type != 3 else bytes(16)
    p = roundtrip(stats(peer(peer_type, flags, RD_TYPE0, address))).peer
    assert p.table is table
    assert str(p.table) == table.value
    assert p.is_adj_rib_out is (table in (Table.ADJ_RIB_OUT_PRE, Table.ADJ_RIB_OUT_POST))


def test_unknown_peer_type_is_kept() -> None:
    msg = roundtrip(stats(peer(9, 0x00, RD_TYPE0)))
    assert msg.peer.peer_type == 9 and not isinstance(msg.peer.peer_type, PeerType)
    assert msg.peer.rd is None


def test_timestamp_views() -> None:
    p = roundtrip(stats(peer())).peer
    assert (p.timestamp_sec, p.timestamp_usec) == (SEC, USEC)
    assert p.timestamp == pytest.approx(1_700_000_000.123456, abs=1e-6)
    assert p.datetime == datetime.datetime(2023, 11, 14, 22, 13, 20, 123456, tzinfo=datetime.timezone.utc)
    zero = roundtrip(stats(peer()[:34] + bytes(8))).peer
    assert zero.timestamp == 0.0
    assert zero.datetime == datetime.datetime(1970, 1, 1, tzinfo=datetime.timezone.utc)


# ---------------------------------------------------------------------------
# Statistics Report (RFC 7854 section 4.8, RFC 8671 section 6, RFC 9972)
# ---------------------------------------------------------------------------
def test_per_afi_safi_stats() -> None:
    wire = stats(
        peer(),
        tlv(9, struct.pack("!HBQ", 1, 1, 1000)),  # IPv4 unicast, Adj-RIB-In
        tlv(10, struct.pack("!HBQ", 2, 1, 70000)),  # IPv6 unicast, Loc-RIB
        tlv(16, struct.pack("!HBQ", 1, 128, 5)),  # VPNv4, pre-policy Adj-RIB-Out
        tlv(17, struct.pack("!HBQ", 25, 70, 2**40 + 3)),  # EVPN, post-policy Adj-RIB-Out
    )
    msg = roundtrip(wire)
    assert isinstance(msg, StatisticsReport)
    got = [(s.type, s.afi, s.safi, s.value, s.raw) for s in msg.stats]
    assert got == [
        (StatType.ROUTES_PER_AFI_SAFI_ADJ_RIB_IN, 1, 1, 1000, b""),
        (StatType.ROUTES_PER_AFI_SAFI_LOC_RIB, 2, 1, 70000, b""),
        (StatType.ROUTES_PER_AFI_SAFI_PRE_POLICY_ADJ_RIB_OUT, 1, 128, 5, b""),
        (StatType.ROUTES_PER_AFI_SAFI_POST_POLICY_ADJ_RIB_OUT, 25, 70, 2**40 + 3, b""),
    ]
    assert msg.get(17) is msg.stats[3] and msg.get(0) is None


def test_counter_and_gauge_stats() -> None:
    wire = stats(
        peer(),
        tlv(0, struct.pack("!I", 0xFFFFFFFF)),  # 32-bit counter
        tlv(7, struct.pack("!Q", 2**63 + 1)),  # 64-bit gauge
        tlv(14, struct.pack("!Q", 12)),  # RFC 8671 pre-policy Adj-RIB-Out
        tlv(18, struct.pack("!Q", 99)),  # RFC 9972 pre-policy Adj-RIB-In
        tlv(35, struct.pack("!HBQ", 2, 1, 4)),  # RFC 9972 RPKI invalid, per AFI/SAFI
    )
    got = [(s.type, s.afi, s.safi, s.value) for s in roundtrip(wire).stats]  # type: ignore[union-attr]
    assert got == [
        (StatType.REJECTED_PREFIXES, None, None, 0xFFFFFFFF),
        (StatType.ROUTES_ADJ_RIB_IN, None, None, 2**63 + 1),
        (StatType.ROUTES_PRE_POLICY_ADJ_RIB_OUT, None, None, 12),
        (StatType.ROUTES_PRE_POLICY_ADJ_RIB_IN, None, None, 99),
        (StatType.ROUTES_PER_AFI_SAFI_POST_POLICY_ADJ_RIB_IN_RPKI_INVALID, 2, 1, 4),
    ]


@pytest.mark.parametrize(
    ("stat_type", "value"),
    [
        (0, struct.pack("!Q", 1)),  # a counter sent as 8 octets
        (7, struct.pack("!I", 1)),  # a gauge sent as 4 octets
        (9, struct.pack("!HQ", 1, 1)),  # per-AFI/SAFI without the SAFI
        (18, b""),
    ],
)
def test_known_stat_with_wrong_length_is_kept_raw(stat_type: int, value: bytes) -> None:
    (s,) = roundtrip(stats(peer(), tlv(stat_type, value))).stats  # type: ignore[union-attr]
    assert s.type == stat_type and isinstance(s.type, StatType)
    assert (s.value, s.afi, s.safi, s.raw) == (None, None, None, value)


@pytest.mark.parametrize(
    ("stat_type", "value"),
    [(24, struct.pack("!Q", 1)), (100, b"\x01\x02\x03"), (65531, struct.pack("!I", 7)), (65535, b"")],
)
def test_unknown_stat_is_kept_raw(stat_type: int, value: bytes) -> None:
    (s,) = roundtrip(stats(peer(), tlv(stat_type, value))).stats  # type: ignore[union-attr]
    assert s.type == stat_type and not isinstance(s.type, StatType)
    assert (s.value, s.raw) == (None, value)


def test_stats_count_must_match_the_tlvs() -> None:
    wire = stats(peer(), tlv(0, struct.pack("!I", 1)), count=2)
    with pytest.raises(BMPDecodeError):
        bmplib.decode(wire)
    truncated = stats(peer(), tlv(0, struct.pack("!I", 1))[:-1])
    with pytest.raises(BMPDecodeError):
        bmplib.decode(truncated)


# ---------------------------------------------------------------------------
# Peer Down (RFC 7854 section 4.9, RFC 9069 section 5.4)
# ---------------------------------------------------------------------------
def peer_down(reason: int, data: bytes = b"", per_peer: bytes | None = None) -> bytes:
    return bmp(2, (peer() if per_peer is None else per_peer) + bytes([reason]) + data)


def test_peer_down_reason_5_deconfigured() -> None:
    msg = roundtrip(peer_down(5))
    assert isinstance(msg, PeerDown)
    assert msg.reason is PeerDownReason.PEER_DE_CONFIGURED
    assert (msg.notification, msg.fsm_event, msg.tlvs, msg.data) == (None, None, None, b"")


def test_peer_down_reason_6_with_tlvs() -> None:
    """RFC 9069 section 5.4: Loc-RIB instance, "local system closed", with
    the VRF/table name TLV (type 3) and a string TLV."""
    tlvs = tlv(3, b"blue") + tlv(0, b"shut down by operator") + tlv(4242, b"\x00\x01")
    msg = roundtrip(peer_down(6, tlvs, peer(3, 0, RD_TYPE0, bytes(16))))
    assert isinstance(msg, PeerDown) and msg.reason is PeerDownReason.LOCAL_SYSTEM_CLOSED
    assert msg.tlvs == [
        InformationTLV(PeerUpTLVType.VRF_TABLE_NAME, b"blue"),
        InformationTLV(PeerUpTLVType.STRING, b"shut down by operator"),
        InformationTLV(4242, b"\x00\x01"),
    ]
    assert msg.tlvs[0].text == "blue" and msg.data == b""


def test_peer_down_reason_6_with_broken_tlvs_keeps_data() -> None:
    data = tlv(3, b"blue")[:-1]
    msg = roundtrip(peer_down(6, data))
    assert isinstance(msg, PeerDown) and msg.tlvs is None and msg.data == data


def test_peer_down_unknown_reason_keeps_data() -> None:
    msg = roundtrip(peer_down(9, b"\x01\x02\x03"))
    assert isinstance(msg, PeerDown)
    assert msg.reason == 9 and not isinstance(msg.reason, PeerDownReason)
    assert msg.data == b"\x01\x02\x03" and msg.notification is None


def test_peer_down_reason_2_fsm_event() -> None:
    msg = roundtrip(peer_down(2, struct.pack("!H", 25)))
    assert isinstance(msg, PeerDown) and msg.reason is PeerDownReason.LOCAL_NO_NOTIFICATION
    assert msg.fsm_event == 25 and msg.data == b""


@pytest.mark.parametrize(
    "data",
    [
        b"",  # reason 1 with nothing at all
        b"\xff" * 16,  # a marker and no more
        b"\xff" * 16 + struct.pack("!HB", 21, 3),  # NOTIFICATION header whose length runs past the data
        KEEPALIVE,  # a whole BGP message, but not a NOTIFICATION
    ],
)
def test_peer_down_reason_1_with_short_notification_keeps_data(data: bytes) -> None:
    msg = roundtrip(peer_down(1, data))
    assert isinstance(msg, PeerDown) and msg.reason is PeerDownReason.LOCAL_NOTIFICATION
    assert msg.notification is None and msg.data == data


def test_peer_down_reason_3_with_notification() -> None:
    # RFC 4271 section 4.5: NOTIFICATION Cease (6) / Administrative Reset (4)
    note = b"\xff" * 16 + struct.pack("!HBBB", 21, 3, 6, 4)
    msg = roundtrip(peer_down(3, note))
    assert isinstance(msg, PeerDown) and msg.reason is PeerDownReason.REMOTE_NOTIFICATION
    assert msg.notification is not None and msg.notification.type == 3
    assert msg.notification.encode() == note and msg.data == b""


# ---------------------------------------------------------------------------
# Peer Up (RFC 7854 section 4.10)
# ---------------------------------------------------------------------------
@pytest.mark.parametrize(("flags", "local", "text"), [(0x00, IPV4_PEER, "192.0.2.1"), (0x80, IPV6_PEER, "2001:db8::1")])
def test_peer_up(flags: int, local: bytes, text: str) -> None:
    sent = open_msg(64500, bytes([10, 0, 0, 1]))
    received = open_msg(64501, bytes([10, 0, 0, 2]))
    info = tlv(0, b"hello") + tlv(3, b"vrf-red")
    address = IPV6_PEER if flags else IPV4_PEER
    wire = bmp(3, peer(0, flags, address=address) + local + struct.pack("!HH", 179, 50123) + sent + received + info)
    msg = roundtrip(wire)
    assert isinstance(msg, PeerUp)
    assert (msg.local_address, msg.local_port, msg.remote_port) == (text, 179, 50123)
    assert msg.sent_open.encode() == sent and msg.received_open.encode() == received
    assert msg.tlvs == [
        InformationTLV(PeerUpTLVType.STRING, b"hello"),
        InformationTLV(PeerUpTLVType.VRF_TABLE_NAME, b"vrf-red"),
    ]


def test_peer_up_too_short() -> None:
    with pytest.raises(BMPDecodeError):
        bmplib.decode(bmp(3, peer() + IPV4_PEER + b"\x00\xb3"))


# ---------------------------------------------------------------------------
# Route Mirroring (RFC 7854 section 4.7)
# ---------------------------------------------------------------------------
def test_route_mirroring_messages_lost() -> None:
    msg = roundtrip(bmp(6, peer() + tlv(1, struct.pack("!H", 1))))
    assert isinstance(msg, RouteMirroring)
    assert msg.tlvs == [MirroringInformation(MirroringInfoCode.MESSAGES_LOST)]
    assert msg.tlvs[0].type is RouteMirroringTLVType.INFORMATION
    assert msg.messages == []


def test_route_mirroring_errored_pdu() -> None:
    """Information code 0 (errored PDU) with the PDU that failed: a BGP
    header claiming 4097 octets (over the RFC 4271 limit) followed by only 2
    octets; it cannot decode, so it stays a raw TLV 0."""
    bad_pdu = b"\xff" * 16 + struct.pack("!HB", 4097, 2) + b"\x00\x00"
    wire = bmp(6, peer() + tlv(1, struct.pack("!H", 0)) + tlv(0, bad_pdu))
    msg = roundtrip(wire)
    assert isinstance(msg, RouteMirroring)
    assert msg.tlvs == [
        MirroringInformation(MirroringInfoCode.ERRORED_PDU),
        InformationTLV(RouteMirroringTLVType.BGP_MESSAGE, bad_pdu),
    ]
    assert msg.messages == []


def test_route_mirroring_bgp_message_and_unknown_tlvs() -> None:
    wire = bmp(6, peer() + tlv(0, KEEPALIVE) + tlv(1, struct.pack("!H", 7)) + tlv(1, b"\x00") + tlv(77, b"xyz"))
    msg = roundtrip(wire)
    assert isinstance(msg, RouteMirroring)
    first, code7, short, unknown = msg.tlvs
    assert isinstance(first, MirroredBGPMessage) and first.type is RouteMirroringTLVType.BGP_MESSAGE
    assert first.message.type == 4 and first.message.encode() == KEEPALIVE
    assert msg.messages == [first.message]
    assert code7 == MirroringInformation(7) and not isinstance(code7.code, MirroringInfoCode)
    assert short == InformationTLV(RouteMirroringTLVType.INFORMATION, b"\x00")  # wrong length: raw
    assert unknown == InformationTLV(77, b"xyz")


def test_route_mirroring_tlv_past_the_end() -> None:
    with pytest.raises(BMPDecodeError):
        bmplib.decode(bmp(6, peer() + tlv(0, KEEPALIVE)[:-3]))


# ---------------------------------------------------------------------------
# Initiation and Termination (RFC 7854 sections 4.3-4.5, RFC 9069)
# ---------------------------------------------------------------------------
def test_initiation_tlvs() -> None:
    tlvs = [
        tlv(0, b"free text"),
        tlv(1, "Router OS 1.2 \u2013 lab".encode()),
        tlv(2, b"r1.example"),
        tlv(3, b"global"),  # RFC 9069 VRF/table name
        tlv(4, b"label-1"),  # admin label
        tlv(99, b"\x00\xffopaque"),  # unknown: kept
        tlv(1, b"second sysDescr"),
    ]
    msg = roundtrip(bmp(4, b"".join(tlvs)))
    assert isinstance(msg, Initiation) and msg.peer is None
    assert [t.type for t in msg.tlvs] == [
        InitiationTLVType.STRING,
        InitiationTLVType.SYS_DESCR,
        InitiationTLVType.SYS_NAME,
        InitiationTLVType.VRF_TABLE_NAME,
        InitiationTLVType.ADMIN_LABEL,
        99,
        InitiationTLVType.SYS_DESCR,
    ]
    assert not isinstance(msg.tlvs[5].type, InitiationTLVType) and msg.tlvs[5].value == b"\x00\xffopaque"
    assert msg.sys_descr == "Router OS 1.2 \u2013 lab"  # the first one
    assert msg.sys_name == "r1.example"
    assert msg.tlvs[0].text == "free text" and msg.tlvs[4].text == "label-1"


def test_initiation_invalid_utf8_is_kept() -> None:
    msg = roundtrip(bmp(4, tlv(2, b"r\xff1")))
    assert isinstance(msg, Initiation)
    assert msg.tlvs[0].value == b"r\xff1" and msg.sys_name == "r\ufffd1"


def test_empty_initiation() -> None:
    msg = roundtrip(bmp(4, b""))
    assert isinstance(msg, Initiation) and msg.tlvs == [] and msg.sys_name is None


@pytest.mark.parametrize(
    ("code", "reason"),
    [
        (0, TerminationReason.ADMINISTRATIVELY_CLOSED),
        (1, TerminationReason.UNSPECIFIED),
        (2, TerminationReason.OUT_OF_RESOURCES),
        (3, TerminationReason.REDUNDANT_CONNECTION),
        (4, TerminationReason.PERMANENTLY_ADMINISTRATIVELY_CLOSED),
        (9, 9),
    ],
)
def test_termination_reasons(code: int, reason: int) -> None:
    msg = roundtrip(bmp(5, tlv(0, b"bye") + tlv(1, struct.pack("!H", code))))
    assert isinstance(msg, Termination) and msg.peer is None
    assert msg.reason == reason
    assert isinstance(msg.reason, TerminationReason) is (code <= 4)
    assert msg.tlvs[0] == InformationTLV(TerminationTLVType.STRING, b"bye") and msg.tlvs[0].text == "bye"
    assert msg.tlvs[1].type is TerminationTLVType.REASON


def test_termination_without_reason_and_unknown_tlv() -> None:
    msg = roundtrip(bmp(5, tlv(7, b"\x01") + tlv(1, b"\x00\x01\x02")))
    assert isinstance(msg, Termination)
    assert msg.reason is None  # the reason TLV has the wrong length: kept, not read
    assert msg.tlvs == [InformationTLV(7, b"\x01"), InformationTLV(TerminationTLVType.REASON, b"\x00\x01\x02")]


# ---------------------------------------------------------------------------
# Common header and unknown message types (RFC 7854 section 4.1)
# ---------------------------------------------------------------------------
@pytest.mark.parametrize("msg_type", [7, 200, 255])
def test_unknown_message_type_is_kept(msg_type: int) -> None:
    msg = roundtrip(bmp(msg_type, b"\x01\x02\x03\x04"))
    assert isinstance(msg, UnknownMessage)
    assert (msg.type, msg.body, msg.peer) == (msg_type, b"\x01\x02\x03\x04", None)


def test_common_header_errors() -> None:
    good = bmp(4, tlv(2, b"r1"))
    with pytest.raises(BMPDecodeError):
        bmplib.decode(b"\x01" + good[1:])  # version 1
    with pytest.raises(BMPDecodeError):
        bmplib.decode(good + b"\x00")  # length field says less than the data
    with pytest.raises(BMPDecodeError):
        bmplib.decode(good[:5])  # not even a common header
    with pytest.raises(BMPDecodeError):
        bmplib.decode(bmp(0, peer()[:41]))  # per-peer header cut short


def test_message_types_in_the_stream() -> None:
    """The same vectors through the stream decoder, back to back."""
    wires = [
        bmp(4, tlv(2, b"r1")),
        stats(peer(3, 0x80, RD_TYPE0, bytes(16)), tlv(10, struct.pack("!HBQ", 1, 1, 3))),
        peer_down(6, tlv(3, b"blue")),
        bmp(6, peer() + tlv(1, struct.pack("!H", 1))),
        bmp(7, b""),
        bmp(5, tlv(1, struct.pack("!H", 0))),
    ]
    dec = bmplib.BMPDecoder()
    dec.feed(b"".join(wires))
    msgs = list(dec)
    assert [m.encode() for m in msgs] == wires
    assert [m.type for m in msgs] == [4, 1, 2, 6, 7, 5]
    offsets = [0]
    for w in wires[:-1]:
        offsets.append(offsets[-1] + len(w))
    assert [m.offset for m in msgs] == offsets
