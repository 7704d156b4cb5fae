"""BGP OPEN and capabilities (RFC 4271 section 4.2, RFC 5492, RFC 9072).

Every Peer Up of every capture (pcaps/ and pmacct's public ones in
../shared) carries two OPENs; each is compared with tshark's decoding of the
same octets (version, my AS, hold time, BGP ID, optional parameters, every
capability's code, length and value) and re-encoded to its exact octets.
Hand-built OPENs cover what the captures lack (RFC 9072 extended
parameters, ORF, role, multiple labels, software version, malformed values).
"""

from __future__ import annotations

import struct
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bmplib.bgp import capabilities as caps
from bmplib.bgp.capabilities import (
    AddPathCapability,
    AddPathFamily,
    BGPRole,
    BGPRoleCapability,
    CapabilityCode,
    EnhancedRouteRefreshCapability,
    ExtendedMessageCapability,
    ExtendedNextHopCapability,
    ExtendedNextHopFamily,
    FourOctetASCapability,
    FQDNCapability,
    GracefulRestartCapability,
    GracefulRestartFamily,
    LongLivedGracefulRestartCapability,
    LongLivedGracefulRestartFamily,
    MultipleLabelsCapability,
    MultipleLabelsFamily,
    MultiprotocolCapability,
    ORFCapability,
    ORFEntry,
    ORFFamily,
    ORFType,
    PathsLimitCapability,
    PathsLimitFamily,
    RouteRefreshCapability,
    SendReceive,
    SoftwareVersionCapability,
    UnknownCapability,
)
from bmplib.bgp.message import BGPMessageType, decode_bgp_message
from bmplib.bgp.open import AS_TRANS, CapabilitiesParameter, Open, ParameterType, UnknownParameter
from bmplib.errors import BGPDecodeError, EncodeError
from bmplib.json import value_to_json
from bmplib.nlri.registry import AFI, SAFI
from tests.bmp import tshark
from tests.bmp.test_public_pmacct import NAMES as PUBLIC_NAMES
from tests.bmp.test_public_pmacct import decode_capture
from tests.bmp.test_tshark_oracle import of_type
from tests.conftest import PUBLIC_PCAPS, shared_or_skip

HEADER = b"\xff" * 16


def bgp(msg_type: int, body: bytes) -> bytes:
    return HEADER + struct.pack("!HB", 19 + len(body), msg_type) + body


def open_bytes(params: bytes, my_as: int = 65001, hold: int = 90, bgp_id: bytes = b"\x0a\x00\x00\x01") -> bytes:
    return bgp(1, struct.pack("!BHH4sB", 4, my_as, hold, bgp_id, len(params)) + params)


def decode_open(wire: bytes) -> Any:
    msg, end = decode_bgp_message(wire, 0, len(wire))
    assert end == len(wire)
    return msg


# ---------------------------------------------------------------------------
# tshark as the oracle
# ---------------------------------------------------------------------------
def _ints(value: Any) -> list[int]:
    return [int(v, 0) for v in tshark.as_list(value)]


def _hex(text: str) -> bytes:
    return bytes.fromhex(text.replace(":", ""))


def capability_mismatches(cap: Any, t: dict[str, Any]) -> list[str]:
    """Differences between one bmplib capability and tshark's ``bgp.cap``."""
    code = int(t["bgp.cap.type"])
    out = []
    value = cap.encode_value()
    if (int(cap.code), len(value)) != (code, int(t["bgp.cap.length"])):
        return [f"code/length: bmplib {int(cap.code)}/{len(value)} tshark {code}/{t['bgp.cap.length']}"]
    if isinstance(cap, UnknownCapability):
        # tshark 4.0 has no dissector for LLGR (71) either; everything it
        # does know must be typed here
        out.append(f"capability {code} left unknown")
    got: Any
    want: Any
    if code == 1:
        got = (cap.afi, cap.safi, cap.reserved)
        want = (int(t["bgp.cap.mp.afi"]), int(t["bgp.cap.mp.safi"]), int(t["bgp.cap.reserved"], 16))
    elif code == 5:
        got = [(f.afi, f.safi, f.nexthop_afi) for f in cap.families]
        want = list(
            zip(_ints(t.get("bgp.cap.enh.afi")), _ints(t.get("bgp.cap.enh.safi")), _ints(t.get("bgp.cap.enh.nhafi")))
        )
    elif code == 64:
        got = ((cap.flags << 12) | cap.restart_time, [(f.afi, f.safi, f.flags) for f in cap.families])
        fams = zip(_ints(t.get("bgp.cap.gr.afi")), _ints(t.get("bgp.cap.gr.safi")), _ints(t.get("bgp.cap.gr.flag")))
        want = (int(t["bgp.cap.gr.timers"], 16), list(fams))
        timers = t["bgp.cap.gr.timers_tree"]
        assert cap.restart_state == (timers["bgp.cap.gr.timers.restart_flag"] == "1")
        assert cap.notification == (timers["bgp.cap.gr.timers.notification_flag"] == "1")
    elif code == 65:
        got, want = cap.asn, int(t["bgp.cap.4as"])
    elif code == 69:
        got = [(f.afi, f.safi, f.send_receive) for f in cap.families]
        fams = zip(
            _ints(t.get("bgp.cap.ap.afi")), _ints(t.get("bgp.cap.ap.safi")), _ints(t.get("bgp.cap.ap.sendreceive"))
        )
        want = list(fams)
    elif code == 73:
        got = (cap.hostname, cap.domain)
        want = (t["bgp.cap.orf.fqdn.hostname"], t["bgp.cap.orf.fqdn.domain_name"])
    elif code == 71:
        got, want = value, _hex(t.get("bgp.cap.unknown", ""))
        assert len(cap.families) == len(value) // 7
    elif code in (2, 6, 70, 128):
        got, want = type(cap), {2: RouteRefreshCapability, 128: RouteRefreshCapability, 6: ExtendedMessageCapability,
                                70: EnhancedRouteRefreshCapability}[code]  # fmt: skip
    else:
        got = want = None
        out.append(f"capability {code}: no check written")
    if got != want:
        out.append(f"capability {code}: bmplib {got!r} tshark {want!r}")
    return out


def open_mismatches(o: Any, t: dict[str, Any]) -> list[str]:
    """Differences between a bmplib :class:`Open` and tshark's OPEN fields."""
    out = []
    if not isinstance(o, Open):
        return [f"not an Open: {type(o).__name__}"]
    got = (o.version, o.my_as, o.hold_time, o.bgp_id)
    want = (int(t["bgp.open.version"]), int(t["bgp.open.myas"]), int(t["bgp.open.holdtime"]), t["bgp.open.identifier"])
    if got != want:
        out.append(f"fixed fields: bmplib {got} tshark {want}")
    params = tshark.as_list(t.get("bgp.open.opt", {}).get("bgp.open.opt.param"))
    if sum(2 + len(p.encode_value()) for p in o.parameters) != int(t["bgp.open.opt.len"]):
        out.append("optional parameters length")
    if len(params) != len(o.parameters):
        return [*out, f"{len(o.parameters)} parameters, tshark {len(params)}"]
    for p, tp in zip(o.parameters, params):
        if (int(p.type), len(p.encode_value())) != (
            int(tp["bgp.open.opt.param.type"]),
            int(tp["bgp.open.opt.param.len"]),
        ):
            out.append(f"parameter {p.type}")
            continue
        tcaps = tshark.as_list(tp.get("bgp.cap"))
        if not isinstance(p, CapabilitiesParameter) or len(p.capabilities) != len(tcaps):
            out.append(f"parameter capabilities: {p!r}")
            continue
        for cap, tcap in zip(p.capabilities, tcaps):
            out += capability_mismatches(cap, tcap)
    return out


def check_peer_up_opens(p: tshark.PDU, m: Any, r: bytes) -> list[Any]:
    opens = tshark.bgp_messages(p)[:2]
    for o, t in zip((m.sent_open, m.received_open), opens):
        assert open_mismatches(o, t) == [], f"frame {p.frame}"
    # the wire octets: after the per-peer header (42), local address (16), ports (4)
    sent_len = int(opens[0]["bgp.length"])
    recv_len = int(opens[1]["bgp.length"])
    assert m.sent_open.encode() == r[68 : 68 + sent_len]
    assert m.received_open.encode() == r[68 + sent_len : 68 + sent_len + recv_len]
    return [m.sent_open, m.received_open]


def test_peer_up_opens_match_tshark(capture: str) -> None:
    items = of_type(capture, 3)
    assert items
    for p, m, r in items:
        check_peer_up_opens(p, m, r)


@pytest.fixture(params=PUBLIC_NAMES or ["(../shared absent)"])
def public_name(request: pytest.FixtureRequest) -> str:
    shared_or_skip(PUBLIC_PCAPS)
    value: str = request.param
    return value


def test_public_peer_up_opens_match_tshark(public_name: str) -> None:
    checked = 0
    for d in decode_capture(public_name):
        for p, m in zip(d.pdus, d.messages):
            if p.type == 3:
                check_peer_up_opens(p, m, d.wire(m))
                checked += 1
    assert checked or "peer-up" not in public_name


def test_captures_cover_the_capabilities() -> None:
    """The shipped captures exercise every typed capability tshark knows and
    both groupings (one parameter with many capabilities, one per capability)."""
    codes: set[int] = set()
    grouped = single = 0
    for name in ("frr_unicast", "gobgp_unicast", "frr_addpath", "gobgp_addpath"):
        for _, m, _ in of_type(name, 3):
            for o in (m.sent_open, m.received_open):
                codes |= {int(c.code) for c in o.capabilities}
                grouped += any(len(p.capabilities) > 1 for p in o.parameters)
                single += all(len(p.capabilities) == 1 for p in o.parameters)
    assert {1, 2, 5, 6, 64, 65, 69, 70, 71, 73, 128} <= codes
    assert grouped and single


def test_real_open_views() -> None:
    """gobgp_unicast: the router (AS 65100) and a peer without the 4-octet
    AS capability; frr_addpath: ADD-PATH modes."""
    (_, up, _), *_ = of_type("gobgp_unicast", 3)
    sent, received = up.sent_open, up.received_open
    assert up.peer.address == "127.0.0.24"
    assert sent.type is BGPMessageType.OPEN
    assert sent.four_octet_as == FourOctetASCapability(65100) and sent.asn == 65100
    assert received.four_octet_as is None and received.asn == received.my_as == 64497
    assert sent.families == [(AFI.IPV4, SAFI.UNICAST), (AFI.IPV6, SAFI.UNICAST)]
    # one parameter holding every capability vs one parameter per capability
    assert len(sent.parameters) == 1 and len(sent.capabilities) == 6
    assert len(received.parameters) == len(received.capabilities) == 3
    assert received.extended_message and not sent.extended_message
    assert sent.has_capability(CapabilityCode.FQDN) and sent.get_capabilities(73) == [FQDNCapability("vm", "")]
    (_, up, _), *_ = of_type("frr_addpath", 3)
    assert up.sent_open.addpath == {(1, 1): SendReceive.RECEIVE, (2, 1): SendReceive.RECEIVE}
    assert up.received_open.addpath == {(1, 1): SendReceive.BOTH, (2, 1): SendReceive.BOTH}
    llgr = up.sent_open.get_capabilities(71)[0]
    assert llgr == LongLivedGracefulRestartCapability(
        [
            LongLivedGracefulRestartFamily(AFI.IPV4, SAFI.UNICAST, 0x80, 0),
            LongLivedGracefulRestartFamily(AFI.IPV6, SAFI.UNICAST, 0x80, 0),
        ]
    )


def test_open_json() -> None:
    (_, up, _), *_ = of_type("frr_unicast", 3)
    j = value_to_json(up.sent_open)
    assert j["asn"] == 65000 and j["bgp_id"] == "10.0.0.2" and j["extended_parameters"] is False
    first = j["parameters"][0]["capabilities"][0]
    assert first == {"code": "multiprotocol", "afi": "ipv4", "safi": "unicast", "reserved": 0}
    gr = next(c for p in j["parameters"] for c in p["capabilities"] if c["code"] == "graceful_restart")
    assert gr == {"code": "graceful_restart", "flags": 0xC, "restart_time": 120, "families": [],
                  "restart_state": True, "notification": True}  # fmt: skip


# ---------------------------------------------------------------------------
# hand-built OPENs
# ---------------------------------------------------------------------------
def test_as_trans_resolves_to_the_four_octet_capability() -> None:
    cap65 = bytes([65, 4]) + (4200000001).to_bytes(4, "big")
    o = decode_open(open_bytes(bytes([2, 6]) + cap65, my_as=AS_TRANS))
    assert o.my_as == AS_TRANS and o.asn == 4200000001


def test_every_typed_capability_round_trips() -> None:
    values = [
        MultiprotocolCapability(AFI.L2VPN, SAFI.EVPN),
        RouteRefreshCapability(),
        ORFCapability(
            [
                ORFFamily(AFI.IPV4, SAFI.UNICAST, [ORFEntry(ORFType.ADDRESS_PREFIX, SendReceive.BOTH)]),
                ORFFamily(AFI.IPV6, SAFI.UNICAST, []),
            ]
        ),
        ORFCapability(
            [ORFFamily(AFI.IPV4, SAFI.UNICAST, [ORFEntry(128, SendReceive.RECEIVE)])], CapabilityCode.PRESTANDARD_ORF
        ),
        ExtendedNextHopCapability([ExtendedNextHopFamily(AFI.IPV4, SAFI.MPLS_VPN, AFI.IPV6)]),
        ExtendedMessageCapability(),
        MultipleLabelsCapability([MultipleLabelsFamily(AFI.IPV4, SAFI.MPLS_LABEL, 3)]),
        BGPRoleCapability(BGPRole.ROUTE_SERVER_CLIENT),
        GracefulRestartCapability(0x8, 4095, [GracefulRestartFamily(AFI.IPV4, SAFI.UNICAST, 0x80)]),
        FourOctetASCapability(4294967295),
        AddPathCapability([AddPathFamily(AFI.IPV4, SAFI.UNICAST, SendReceive.SEND)]),
        EnhancedRouteRefreshCapability(),
        LongLivedGracefulRestartCapability([LongLivedGracefulRestartFamily(AFI.IPV6, SAFI.UNICAST, 0x80, 0xFFFFFF)]),
        FQDNCapability("rtr1", "example.net"),
        SoftwareVersionCapability("FRRouting/10.1"),
        PathsLimitCapability([PathsLimitFamily(AFI.IPV4, SAFI.UNICAST, 8), PathsLimitFamily(AFI.L2VPN, SAFI.EVPN, 0)]),
        RouteRefreshCapability(CapabilityCode.PRESTANDARD_ROUTE_REFRESH),
        UnknownCapability(200, b"\x01\x02"),
    ]
    o = Open(4, 65001, 180, "192.0.2.1", [CapabilitiesParameter(values)])
    wire = o.encode()
    assert decode_open(wire) == o
    assert decode_open(wire).encode() == wire
    assert not any(isinstance(c, UnknownCapability) for c in values[:-1])


def test_capability_values_from_the_rfc_figures() -> None:
    # RFC 9234 section 4.1: BGP Role, value 3 (customer)
    assert caps.decode_capability(b"\x03", 9, 0, 1) == BGPRoleCapability(BGPRole.CUSTOMER)
    # RFC 5291 section 4: AFI 1, reserved, SAFI 1, 1 ORF: type 64, send+receive
    orf = caps.decode_capability(b"\x00\x01\x00\x01\x01\x40\x03", 3, 0, 7)
    assert orf == ORFCapability(
        [ORFFamily(AFI.IPV4, SAFI.UNICAST, [ORFEntry(ORFType.ADDRESS_PREFIX, SendReceive.BOTH)])]
    )
    # RFC 8277 section 2.1: AFI 2, SAFI 4, count 2
    assert caps.decode_capability(b"\x00\x02\x04\x02", 8, 0, 4) == MultipleLabelsCapability(
        [MultipleLabelsFamily(AFI.IPV6, SAFI.MPLS_LABEL, 2)]
    )
    # RFC 4724 section 3: restart flags R, restart time 300, IPv4 unicast with F
    gr = caps.decode_capability(b"\x81\x2c\x00\x01\x01\x80", 64, 0, 6)
    assert gr == GracefulRestartCapability(0x8, 300, [GracefulRestartFamily(AFI.IPV4, SAFI.UNICAST, 0x80)])
    assert isinstance(gr, GracefulRestartCapability) and gr.restart_state and not gr.notification
    assert gr.families[0].forwarding_state
    # software version: 1-octet length then the text
    assert caps.decode_capability(b"\x05bird2", 75, 0, 6) == SoftwareVersionCapability("bird2")
    # draft-ietf-idr-addpath-paths-limit section 3: AFI 2, SAFI 1, limit 4; AFI 1, SAFI 128, limit 300
    pl = caps.decode_capability(b"\x00\x02\x01\x00\x04\x00\x01\x80\x01\x2c", 76, 0, 10)
    assert pl == PathsLimitCapability(
        [PathsLimitFamily(AFI.IPV6, SAFI.UNICAST, 4), PathsLimitFamily(AFI.IPV4, SAFI.MPLS_VPN, 300)]
    )
    assert value_to_json(pl) == {
        "code": "paths_limit",
        "families": [
            {"afi": "ipv6", "safi": "unicast", "paths_limit": 4},
            {"afi": "ipv4", "safi": "mpls_vpn", "paths_limit": 300},
        ],
    }
    ap = caps.decode_capability(b"\x00\x01\x01\x02\x00\x02\x01\x01", 69, 0, 8)
    assert isinstance(ap, AddPathCapability)
    assert [(f.can_send, f.can_receive) for f in ap.families] == [(True, False), (False, True)]


@pytest.mark.parametrize(
    ("code", "value"),
    [
        (1, b"\x00\x01\x00"),  # multiprotocol needs 4 octets
        (2, b"\x00"),  # route refresh has no value
        (3, b"\x00\x01\x00\x01\x02\x40\x03"),  # ORF count says 2 entries, 1 present
        (5, b"\x00\x01\x00\x01\x00"),  # extended next hop: 6-octet tuples
        (9, b""),  # role needs 1 octet
        (64, b"\x01"),  # graceful restart needs 2 octets
        (64, b"\x00\x78\x00\x01\x01"),  # graceful restart family needs 4
        (65, b"\x00\x00\xfd\xe8\x00"),  # 4-octet AS needs 4 octets
        (69, b"\x00\x01\x01"),  # ADD-PATH: 4-octet entries
        (71, b"\x00\x01\x01\x80\x00\x00"),  # LLGR: 7-octet entries
        (73, b"\x03ab"),  # FQDN host name runs past
        (73, b"\x02\xff\xfe\x00"),  # FQDN not UTF-8
        (73, b"\x01a\x00z"),  # FQDN trailing octet
        (75, b"\x04abc"),  # software version length mismatch
        (75, b"\x01\x80"),  # software version not UTF-8
        (76, b"\x00\x01\x01\x00"),  # paths-limit: 5-octet entries
    ],
)
def test_malformed_capability_value_is_kept_raw(code: int, value: bytes) -> None:
    wire = open_bytes(bytes([2, 2 + len(value), code, len(value)]) + value)
    o = decode_open(wire)
    assert o.capabilities == [UnknownCapability(caps.lookup(CapabilityCode, code), value)]
    assert o.encode() == wire


def test_capability_list_that_does_not_frame_keeps_the_parameter_raw() -> None:
    value = b"\x41\x04\x00\x00"  # 4-octet AS whose length runs past the parameter
    wire = open_bytes(bytes([2, len(value)]) + value + bytes([1, 1, 0]))
    o = decode_open(wire)
    assert o.parameters == [
        UnknownParameter(ParameterType.CAPABILITIES, value),
        UnknownParameter(ParameterType.AUTHENTICATION, b"\x00"),
    ]
    assert o.capabilities == [] and o.encode() == wire


def test_rfc9072_extended_optional_parameters() -> None:
    """RFC 9072 section 2: Non-Ext OP Len 255, Non-Ext OP Type 255, a
    2-octet Extended Opt. Parm. Length, and 2-octet parameter lengths."""
    many = b"".join(bytes([1, 4, 0, 1, 0, safi]) for safi in range(1, 51))  # 50 multiprotocol caps, 300 octets
    params = (
        bytes([2])
        + struct.pack("!H", len(many))
        + many
        + bytes([2])
        + struct.pack("!H", 6)
        + b"\x41\x04\x00\x00\xfd\xe9"
    )
    body = (
        struct.pack("!BHH4sB", 4, AS_TRANS, 90, b"\xc0\x00\x02\x01", 255)
        + b"\xff"
        + struct.pack("!H", len(params))
        + params
    )
    wire = bgp(1, body)
    o = decode_open(wire)
    assert o.extended_parameters
    assert [len(p.capabilities) for p in o.parameters] == [50, 1]
    assert o.families[49] == (AFI.IPV4, 50) and o.asn == 65001
    assert o.encode() == wire
    # the same OPEN does not fit the classic encoding
    o.extended_parameters = False
    with pytest.raises(EncodeError):
        o.encode()


def test_opt_param_length_255_without_the_extension_is_classic() -> None:
    """A classic parameter block of exactly 255 octets whose first type is
    not 255 is not the RFC 9072 form."""
    cap = bytes([200, 251]) + bytes(251)  # one unknown capability, 253 octets
    wire = open_bytes(bytes([2, 253]) + cap)
    o = decode_open(wire)
    assert not o.extended_parameters and o.capabilities == [UnknownCapability(200, bytes(251))]
    assert o.encode() == wire


@pytest.mark.parametrize(
    ("body", "offset"),
    [
        (b"\x04\xfd\xe9\x00\x5a\x0a\x00\x00", 0),  # fixed part truncated
        (b"\x04\xfd\xe9\x00\x5a\x0a\x00\x00\x01\x04\x02\x02\x41", 0),  # opt len 4, 3 octets left
        (b"\x04\xfd\xe9\x00\x5a\x0a\x00\x00\x01\x02\x02\x00\x00", 0),  # an octet after the parameters
        (b"\x04\xfd\xe9\x00\x5a\x0a\x00\x00\x01\x03\x02\x05\x00", 29),  # parameter runs past the OPEN
        (b"\x04\xfd\xe9\x00\x5a\x0a\x00\x00\x01\x01\x02", 29),  # parameter header truncated
        (b"\x04\xfd\xe9\x00\x5a\x0a\x00\x00\x01\xff\xff\x00", 29),  # extended length truncated
    ],
)
def test_malformed_open_raises_with_the_offset(body: bytes, offset: int) -> None:
    wire = bgp(1, body)
    with pytest.raises(BGPDecodeError) as exc:
        decode_bgp_message(wire, 0, len(wire))
    assert exc.value.offset == offset
    assert exc.value.data == wire[offset:]


def test_encode_rejects_values_that_do_not_fit() -> None:
    with pytest.raises(EncodeError):
        Open(4, 70000, 90, "10.0.0.1").encode()
    with pytest.raises(EncodeError):
        Open(4, 65000, 90, "10.0.0.256").encode()
    with pytest.raises(EncodeError):
        Open(4, 65000, 90, "10.0.0.1", [CapabilitiesParameter([FourOctetASCapability(2**32)])]).encode()
    with pytest.raises(EncodeError):
        GracefulRestartCapability(0x10, 0).encode()
    with pytest.raises(EncodeError):
        FQDNCapability("h" * 256, "").encode()
    with pytest.raises(EncodeError):
        UnknownCapability(300, b"").encode()


# ---------------------------------------------------------------------------
# property: decode(encode(x)) == x
# ---------------------------------------------------------------------------
_u8 = st.integers(0, 255)
_u16 = st.integers(0, 0xFFFF)
_afi = st.sampled_from([AFI.IPV4, AFI.IPV6, AFI.L2VPN, 3])
_safi = st.sampled_from([SAFI.UNICAST, SAFI.MULTICAST, SAFI.MPLS_VPN, SAFI.EVPN, 99])
_text = st.text(max_size=20)
_capability = st.one_of(
    st.builds(MultiprotocolCapability, _afi, _safi, _u8),
    st.builds(RouteRefreshCapability),
    st.builds(ExtendedMessageCapability),
    st.builds(EnhancedRouteRefreshCapability),
    st.builds(FourOctetASCapability, st.integers(0, 2**32 - 1)),
    st.builds(BGPRoleCapability, st.sampled_from([*BGPRole, 77])),
    st.builds(
        AddPathCapability,
        st.lists(st.builds(AddPathFamily, _afi, _safi, st.sampled_from([*SendReceive, 0])), max_size=4),
    ),
    st.builds(
        GracefulRestartCapability,
        st.integers(0, 15),
        st.integers(0, 4095),
        st.lists(st.builds(GracefulRestartFamily, _afi, _safi, _u8), max_size=4),
    ),
    st.builds(
        LongLivedGracefulRestartCapability,
        st.lists(st.builds(LongLivedGracefulRestartFamily, _afi, _safi, _u8, st.integers(0, 0xFFFFFF)), max_size=4),
    ),
    st.builds(ExtendedNextHopCapability, st.lists(st.builds(ExtendedNextHopFamily, _afi, _safi, _afi), max_size=4)),
    st.builds(MultipleLabelsCapability, st.lists(st.builds(MultipleLabelsFamily, _afi, _safi, _u8), max_size=4)),
    st.builds(
        ORFCapability,
        st.lists(
            st.builds(ORFFamily, _afi, _safi, st.lists(st.builds(ORFEntry, _u8, _u8), max_size=3), _u8), max_size=3
        ),
    ),
    st.builds(FQDNCapability, _text, _text),
    st.builds(SoftwareVersionCapability, _text),
    st.builds(UnknownCapability, st.sampled_from([4, 7, 67, 200, 255]), st.binary(max_size=20)),
)


def _canonical(cap: Any) -> Any:
    """The decoded form: wire integers become the registry members."""
    wire = cap.encode()
    return caps.decode_capability(wire, wire[0], 2, len(wire))


@given(
    my_as=_u16,
    hold=_u16,
    groups=st.lists(st.lists(_capability, max_size=4), max_size=4),
    extended=st.booleans(),
)
def test_open_round_trip_property(my_as: int, hold: int, groups: list[list[Any]], extended: bool) -> None:
    params: list[Any] = [CapabilitiesParameter([_canonical(c) for c in g]) for g in groups]
    o = Open(4, my_as, hold, "198.51.100.7", params, extended)
    try:
        wire = o.encode()
    except EncodeError:
        assert not extended  # only the classic form can run out of room
        return
    back = decode_open(wire)
    assert back == o and back.encode() == wire
