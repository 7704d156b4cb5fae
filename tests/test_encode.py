"""bmplib.encode: checked encoding.  Every value that does not fit its field
raises bmplib.EncodeError naming the field (one case per check), BGP messages
respect the 4096-octet limit unless the context has the extended message
capability (RFC 8654), and with a context an UPDATE must be laid out the way
that context decodes it."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

import pytest

import bmplib
from bmplib.bgp.attributes import (
    AIGP,
    AIGPTLV,
    Aggregator,
    AS4Aggregator,
    ASPath,
    ASPathSegment,
    AttrSet,
    ClusterList,
    Communities,
    Encapsulation,
    ExtendedCommunity,
    IPv6ExtendedCommunities,
    IPv6ExtendedCommunity,
    LargeCommunities,
    LinkBandwidth,
    LocalPref,
    MPNextHop,
    MPReachNLRI,
    MPUnreachNLRI,
    MultiExitDisc,
    NextHop,
    OnlyToCustomer,
    Origin,
    OriginatorID,
    RouteTarget,
    UnknownAttribute,
)
from bmplib.bgp.attributes.evpn_communities import DFElection, ESILabel, MACMobility, RouterMAC
from bmplib.bgp.attributes.pmsi_tunnel import PMSITunnel
from bmplib.bgp.attributes.prefix_sid import LabelIndexTLV, OriginatorSRGBTLV, PrefixSID
from bmplib.bgp.capabilities import (
    FourOctetASCapability,
    FQDNCapability,
    GracefulRestartCapability,
    LongLivedGracefulRestartCapability,
    LongLivedGracefulRestartFamily,
    MultiprotocolCapability,
    UnknownCapability,
)
from bmplib.bgp.keepalive import Keepalive
from bmplib.bgp.message import UnknownBGPMessage
from bmplib.bgp.notification import Notification, encode_shutdown_communication
from bmplib.bgp.open import Open, UnknownParameter
from bmplib.bgp.route_refresh import RouteRefresh
from bmplib.bgp.update import Update
from bmplib.bmp.messages import (
    Initiation,
    MirroredBGPMessage,
    MirroringInformation,
    PeerDown,
    PeerUp,
    RouteMirroring,
    RouteMonitoring,
    Stat,
    StatisticsReport,
    UnknownMessage,
)
from bmplib.bmp.tlv import InformationTLV
from bmplib.nlri.esi import ESI
from bmplib.nlri.evpn import EthernetAutoDiscovery, MACIPAdvertisement
from bmplib.nlri.inet import InetPrefix
from bmplib.nlri.labeled import LabeledPrefix
from bmplib.nlri.labels import encode_label
from bmplib.nlri.rd import RouteDistinguisher
from bmplib.nlri.rtc import RouteTargetMembership
from bmplib.nlri.vpn import VPNPrefix
from bmplib.session import DecodeContext

PEER = bmplib.peer_header("192.0.2.1", 65001, timestamp=1_700_000_000.25)
RD0 = RouteDistinguisher(bytes(8))
ESI0 = ESI(bytes(10))


def peer(**kw: Any) -> bmplib.PeerHeader:
    return dataclasses.replace(PEER, **kw)


def open_(**kw: Any) -> Open:
    return dataclasses.replace(bmplib.open_message(), **kw)


#: (what, the object, the field the error must name)
CASES: list[tuple[str, Callable[[], Any], str]] = [
    # BMP common and per-peer header
    ("unknown BMP message type > 255", lambda: UnknownMessage(256, b""), "msg_type"),
    ("peer type > 255", lambda: peer(peer_type=256), "peer.peer_type"),
    ("peer flags > 255", lambda: peer(flags=0x100), "peer.flags"),
    ("peer AS > 2**32-1", lambda: peer(asn=2**32), "peer.asn"),
    ("peer AS < 0", lambda: peer(asn=-1), "peer.asn"),
    ("timestamp seconds > 2**32-1", lambda: peer(timestamp_sec=2**32), "peer.timestamp_sec"),
    ("timestamp microseconds < 0", lambda: peer(timestamp_usec=-1), "peer.timestamp_usec"),
    ("peer address not an address", lambda: peer(address="192.0.2"), "peer.address"),
    ("V flag with an IPv4 address", lambda: peer(flags=0x80), "peer.address"),
    ("peer BGP ID not IPv4", lambda: peer(bgp_id="2001:db8::1"), "peer.bgp_id"),
    ("distinguisher not 8 octets", lambda: peer(distinguisher=b"\0" * 7), "peer.distinguisher"),
    # BMP TLVs and messages
    ("TLV type > 65535", lambda: Initiation([InformationTLV(0x10000, b"")]), "tlv.type"),
    ("TLV value > 65535 octets", lambda: Initiation([InformationTLV(1, b"x" * 0x10000)]), "tlv.value"),
    ("Peer Down reason > 255", lambda: PeerDown(PEER, 256), "reason"),
    ("FSM event > 65535", lambda: PeerDown(PEER, 2, fsm_event=0x10000), "fsm_event"),
    (
        "Peer Up local port > 65535",
        lambda: PeerUp(PEER, "192.0.2.2", 0x10000, 179, open_(), open_()),
        "local_port",
    ),
    (
        "Peer Up remote port > 65535",
        lambda: PeerUp(PEER, "192.0.2.2", 179, 70000, open_(), open_()),
        "remote_port",
    ),
    (
        "Peer Up local address",
        lambda: PeerUp(PEER, "not-an-address", 179, 179, open_(), open_()),
        "local_address",
    ),
    ("Peer Up OPEN not a model object", lambda: PeerUp(PEER, "192.0.2.2", 1, 1, b"raw", open_()), "sent_open"),
    (
        "mirroring information code > 65535",
        lambda: RouteMirroring(PEER, [MirroringInformation(0x10000)]),
        "information.code",
    ),
    ("stats counter > 2**32-1", lambda: StatisticsReport(PEER, [Stat(0, 2**32)]), "stats[0].value"),
    ("stats gauge > 2**64-1", lambda: StatisticsReport(PEER, [Stat(7, 2**64)]), "stats[7].value"),
    ("stats AFI > 65535", lambda: StatisticsReport(PEER, [Stat(9, 1, 0x10000, 1)]), "stats[9].afi"),
    ("stats SAFI > 255", lambda: StatisticsReport(PEER, [Stat(9, 1, 1, 256)]), "stats[9].safi"),
    ("stats type > 65535", lambda: StatisticsReport(PEER, [Stat(0x10000, None, raw=b"")]), "tlv.type"),
    # BGP header and messages
    ("BGP message type > 255", lambda: UnknownBGPMessage(256, b""), "type"),
    ("BGP message > 65535 octets", lambda: UnknownBGPMessage(200, b"x" * 0x10000), "length"),
    ("OPEN version > 255", lambda: open_(version=256), "version"),
    ("OPEN my AS > 65535", lambda: open_(my_as=70000), "my_as"),
    ("OPEN hold time > 65535", lambda: open_(hold_time=0x10000), "hold_time"),
    ("OPEN BGP ID", lambda: open_(bgp_id="x"), "bgp_id"),
    ("optional parameter > 255 octets", lambda: open_(parameters=[UnknownParameter(3, b"x" * 256)]), "parameter[3]"),
    (
        "optional parameters > 255 octets without RFC 9072",
        lambda: open_(parameters=[UnknownParameter(3, b"x" * 200)] * 2),
        "parameters",
    ),
    ("optional parameter type > 255", lambda: open_(parameters=[UnknownParameter(256, b"")]), "parameter.type"),
    ("capability code > 255", lambda: UnknownCapability(256, b""), "capability.code"),
    ("capability value > 255 octets", lambda: UnknownCapability(200, b"x" * 256), "capability[200]"),
    ("multiprotocol AFI > 65535", lambda: MultiprotocolCapability(0x10000, 1), "multiprotocol"),
    ("4-octet AS > 2**32-1", lambda: FourOctetASCapability(2**32), "four_octet_as"),
    ("graceful restart time > 4095", lambda: GracefulRestartCapability(0, 4096), "graceful_restart.restart_time"),
    ("graceful restart flags > 15", lambda: GracefulRestartCapability(16, 0), "graceful_restart.flags"),
    (
        "LLGR stale time > 2**24-1",
        lambda: LongLivedGracefulRestartCapability([LongLivedGracefulRestartFamily(1, 1, 0, 2**24)]),
        "llgr.stale_time",
    ),
    ("FQDN host name > 255 octets", lambda: FQDNCapability("h" * 256, ""), "fqdn.hostname"),
    ("NOTIFICATION code > 255", lambda: Notification(256, 0), "code"),
    ("NOTIFICATION subcode < 0", lambda: Notification(6, -1), "subcode"),
    ("shutdown communication > 255 octets", lambda: encode_shutdown_communication("é" * 128), "shutdown_message"),
    ("ROUTE-REFRESH AFI > 65535", lambda: RouteRefresh(0x10000, 1), "afi"),
    ("ROUTE-REFRESH SAFI > 255", lambda: RouteRefresh(1, 256), "safi"),
    ("ROUTE-REFRESH subtype > 255", lambda: RouteRefresh(1, 1, 256), "subtype"),
    # path attributes
    ("attribute type code > 255", lambda: UnknownAttribute(256, b""), "attribute.type_code"),
    ("attribute flags > 255", lambda: UnknownAttribute(200, b"", 0x100), "attribute[200].flags"),
    ("attribute value > 65535 octets", lambda: UnknownAttribute(200, b"x" * 0x10000), "attribute[200]"),
    ("ORIGIN > 255", lambda: Origin(256), "origin"),
    ("AS_PATH AS > 2**32-1", lambda: ASPath([ASPathSegment(2, (2**32,))]), "as_path.segment"),
    ("2-octet AS_PATH AS > 65535", lambda: ASPath([ASPathSegment(2, (70000,))], asn4=False), "as_path.segment"),
    ("AS_PATH segment type > 255", lambda: ASPath([ASPathSegment(256, (1,))]), "as_path.segment.type"),
    ("AS_PATH segment > 255 AS numbers", lambda: ASPath([ASPathSegment(2, tuple(range(256)))]), "as_path.segment"),
    ("NEXT_HOP not IPv4", lambda: NextHop("2001:db8::1"), "next_hop"),
    ("MED > 2**32-1", lambda: MultiExitDisc(2**32), "med"),
    ("LOCAL_PREF < 0", lambda: LocalPref(-1), "local_pref"),
    ("2-octet AGGREGATOR AS > 65535", lambda: Aggregator(70000, "192.0.2.1", False), "aggregator.asn"),
    ("AGGREGATOR address", lambda: Aggregator(1, "x"), "aggregator.address"),
    ("AS4_AGGREGATOR AS > 2**32-1", lambda: AS4Aggregator(2**32, "192.0.2.1"), "aggregator.asn"),
    ("community > 2**32-1", lambda: Communities((2**32,)), "communities"),
    ("ORIGINATOR_ID", lambda: OriginatorID("::1"), "originator_id"),
    ("CLUSTER_LIST", lambda: ClusterList(["192.0.2.1", "x"]), "cluster_ids"),
    ("large community > 2**32-1", lambda: LargeCommunities([(1, 2**32, 3)]), "large_communities"),
    ("ONLY_TO_CUSTOMER AS > 2**32-1", lambda: OnlyToCustomer(2**32), "asn"),
    ("AIGP TLV type > 255", lambda: AIGP([AIGPTLV(256, b"")]), "aigp.tlv.type"),
    ("ATTR_SET origin AS > 2**32-1", lambda: AttrSet(2**32, []), "attr_set.origin_as"),
    ("MP_REACH AFI > 65535", lambda: MPReachNLRI(0x10000, 1, MPNextHop(bytes(4)), []), "mp_reach"),
    ("MP_REACH next hop > 255 octets", lambda: MPReachNLRI(2, 1, MPNextHop(bytes(256)), []), "mp_reach.next_hop"),
    ("MP_UNREACH SAFI > 255", lambda: MPUnreachNLRI(1, 256, []), "mp_unreach"),
    ("PMSI tunnel type > 255", lambda: PMSITunnel(0, 256, 0, b""), "tunnel_type"),
    ("PMSI label > 2**24-1", lambda: PMSITunnel(0, 6, 2**24, b""), "label"),
    ("Prefix-SID label index > 2**32-1", lambda: PrefixSID([LabelIndexTLV(2**32)]), "label_index"),
    ("Prefix-SID SRGB base > 2**24-1", lambda: PrefixSID([OriginatorSRGBTLV([(2**24, 1)])]), "srgb.base"),
    # extended communities
    ("extended community type > 255", lambda: ExtendedCommunity(256, 0, bytes(6)), "extended_community.type"),
    ("extended community value not 6 octets", lambda: ExtendedCommunity(0x80, 0, bytes(5)), "extended_community.value"),
    ("route target subtype > 255", lambda: RouteTarget(0, 256, 1, 1), "extended_community.subtype"),
    ("2-octet AS route target AS > 65535", lambda: RouteTarget(0, 2, 70000, 1), "extended_community"),
    ("link bandwidth AS > 65535", lambda: LinkBandwidth(0, 4, 70000, 1.0), "link_bandwidth"),
    ("encapsulation tunnel type > 65535", lambda: Encapsulation(3, 0x0C, 0x10000), "encapsulation"),
    ("MAC mobility sequence > 2**32-1", lambda: MACMobility(6, 0, 0, 0, 2**32), "sequence"),
    ("MAC mobility type > 255", lambda: MACMobility(256, 0, 0, 0, 0), "extended_community.type"),
    ("ESI label > 2**24-1", lambda: ESILabel(6, 1, 0, 0, 2**24), "label"),
    ("router MAC", lambda: RouterMAC(6, 3, "00:11:22"), "mac"),
    ("DF election bitmap > 65535", lambda: DFElection(6, 6, 0, 0x10000), "bitmap"),
    (
        "IPv6 extended community local admin > 65535",
        lambda: IPv6ExtendedCommunities([IPv6ExtendedCommunity(0, 2, "2001:db8::1", 0x10000)]),
        "ipv6_extended_community",
    ),
    # NLRI
    ("IPv4 prefix length > 32", lambda: InetPrefix((1, 1), 33, bytes(5)), "prefix.length"),
    ("IPv6 prefix length > 128", lambda: InetPrefix((2, 1), 129, bytes(17)), "prefix.length"),
    ("prefix octets do not match the length", lambda: InetPrefix((1, 1), 24, bytes(4)), "prefix.packed"),
    ("path ID > 2**32-1", lambda: InetPrefix((1, 1), 0, b"", 2**32), "prefix.path_id"),
    ("prefix text", lambda: InetPrefix.from_text("10.0.0.1/24"), "prefix"),
    ("label > 2**20-1", lambda: encode_label(2**20), "label"),
    ("label traffic class > 7", lambda: encode_label(1, tc=8), "label"),
    ("labeled prefix label stack", lambda: LabeledPrefix((1, 4), 24, bytes(3), b"\x00\x01"), "label_stack"),
    (
        "labels + prefix > 255 bits",
        lambda: LabeledPrefix((2, 4), 128, bytes(16), encode_label(1, False) * 43 + encode_label(1)),
        "prefix.length",
    ),
    ("VPN prefix label > 2**20-1", lambda: VPNPrefix.from_text("65000:1", "10.0.0.0/8", [2**20]), "label"),
    ("RD text", lambda: RouteDistinguisher.from_text("65000"), "route_distinguisher"),
    ("RTC length > 96", lambda: RouteTargetMembership(97, bytes(13)), "rtc.length"),
    ("EVPN Ethernet tag > 2**32-1", lambda: EthernetAutoDiscovery(RD0, ESI0, 2**32, 0), "ethernet_tag"),
    ("EVPN label > 2**24-1", lambda: EthernetAutoDiscovery(RD0, ESI0, 0, 2**24), "label"),
    ("EVPN MAC", lambda: MACIPAdvertisement(RD0, ESI0, 0, "00:11", None, 0), "mac"),
    ("EVPN IP", lambda: MACIPAdvertisement(RD0, ESI0, 0, "00:11:22:33:44:55", "10.0.0", 0), "ip"),
    ("ESI not 10 octets", lambda: ESI(bytes(9)), "esi"),
]


@pytest.mark.parametrize(("what", "make", "field"), CASES, ids=[c[0] for c in CASES])
def test_value_that_does_not_fit_raises_encode_error(what: str, make: Callable[[], Any], field: str) -> None:
    with pytest.raises(bmplib.EncodeError) as info:
        obj = make()
        bmplib.encode(obj)
    assert info.value.field == field, str(info.value)
    assert info.value.reason
    assert str(info.value).startswith(f"{field}: ")


def test_every_case_fails_inside_a_whole_message_too() -> None:
    """A bad value deep inside a BMP message surfaces with its field name."""
    bad = bmplib.update(announce=["10.0.0.0/24"], next_hop="192.0.2.1", attributes=[OnlyToCustomer(2**32)])
    with pytest.raises(bmplib.EncodeError) as info:
        bmplib.encode(bmplib.route_monitoring(PEER, bad))
    assert info.value.field == "asn"


# ---------------------------------------------------------------------------
# message length (RFC 4271 section 4, RFC 8654)
# ---------------------------------------------------------------------------
def _big_update(n_octets: int) -> Update:
    """An UPDATE whose encoding is exactly *n_octets* long."""
    base = bmplib.update(announce=["10.0.0.0/24"], next_hop="192.0.2.1")
    pad = n_octets - len(base.encode()) - 4  # an extended-length attribute header
    return bmplib.update(
        announce=["10.0.0.0/24"], next_hop="192.0.2.1", attributes=[UnknownAttribute(250, b"x" * pad, 0xD0)]
    )


def test_bgp_message_up_to_4096_octets_encodes() -> None:
    upd = _big_update(4096)
    assert len(bmplib.encode(upd)) == 4096
    assert len(bmplib.encode(bmplib.route_monitoring(PEER, upd))) == 48 + 4096


def test_bgp_message_over_4096_octets_needs_extended_message() -> None:
    upd = _big_update(4097)
    with pytest.raises(bmplib.EncodeError) as info:
        bmplib.encode(upd)
    assert info.value.field == "length"
    assert "4097" in info.value.reason and "4096" in info.value.reason
    with pytest.raises(bmplib.EncodeError) as info:
        bmplib.encode(bmplib.route_monitoring(PEER, upd))
    assert info.value.field == "bgp.length"
    ext = DecodeContext(extended_message=True)
    wire = bmplib.encode(bmplib.route_monitoring(PEER, upd), ext)
    assert bmplib.decode(wire, ext).bgp == upd
    # without the capability the decoder refuses it as well
    with pytest.raises(bmplib.DecodeError):
        bmplib.decode(wire, DecodeContext())


def test_bgp_message_over_65535_octets_never_encodes() -> None:
    with pytest.raises(bmplib.EncodeError) as info:
        bmplib.encode(_big_update(65536), DecodeContext(extended_message=True))
    assert info.value.field in ("length", "attribute[250]")


def test_open_and_keepalive_stay_within_4096_with_extended_message() -> None:
    """RFC 8654 section 4: the extended length never applies to OPEN."""
    big = open_(parameters=[UnknownParameter(3, b"x" * 4100)], extended_parameters=True)
    ext = DecodeContext(extended_message=True)
    with pytest.raises(bmplib.EncodeError) as info:
        bmplib.encode(big, ext)
    assert info.value.field == "length"
    up = bmplib.peer_up(PEER, sent_open=big)
    with pytest.raises(bmplib.EncodeError) as info:
        bmplib.encode(up, ext)
    assert info.value.field == "sent_open.length"
    up = bmplib.peer_up(PEER, received_open=big)
    with pytest.raises(bmplib.EncodeError) as info:
        bmplib.encode(up)
    assert info.value.field == "received_open.length"
    assert len(bmplib.encode(Keepalive(), ext)) == 19


def test_notification_and_mirrored_messages_are_length_checked() -> None:
    note = Notification(6, 2, b"x" * 4096)
    with pytest.raises(bmplib.EncodeError) as info:
        bmplib.encode(bmplib.peer_down(PEER, notification=note))
    assert info.value.field == "notification.length"
    mirror = RouteMirroring(PEER, [MirroringInformation(1), MirroredBGPMessage(_big_update(4097))])
    with pytest.raises(bmplib.EncodeError) as info:
        bmplib.encode(mirror)
    assert info.value.field == "tlvs.message.length"
    ext = DecodeContext(extended_message=True)
    assert bmplib.decode(bmplib.encode(mirror, ext), ext) == mirror


# ---------------------------------------------------------------------------
# context checks
# ---------------------------------------------------------------------------
def test_context_as_width() -> None:
    upd = bmplib.update(announce=["10.0.0.0/24"], next_hop="192.0.2.1", as_path=[65001, 4200000000])
    assert bmplib.encode(upd, DecodeContext(asn4=True)) == upd.encode()
    with pytest.raises(bmplib.EncodeError) as info:
        bmplib.encode(upd, DecodeContext(asn4=False))
    assert info.value.field == "as_path.asn4"
    # asn_guess accepts either width
    assert bmplib.encode(upd, DecodeContext(asn4=False, asn_guess=True)) == upd.encode()
    two = bmplib.update(announce=["10.0.0.0/24"], next_hop="192.0.2.1", as_path=[65001, 4200000000], asn4=False)
    wire = bmplib.encode(bmplib.route_monitoring(PEER, two), DecodeContext(asn4=False))
    assert bmplib.decode(wire, DecodeContext(asn4=False)).update.as_path.asns == [65001, 4200000000]


def test_context_path_identifiers() -> None:
    addpath = DecodeContext(addpath=frozenset({(1, 1), (2, 1)}))
    with_ids = bmplib.update(announce=["10.0.0.0/24"], withdraw=["10.1.0.0/16"], next_hop="192.0.2.1", path_id=7)
    assert bmplib.encode(with_ids, addpath) == with_ids.encode()
    with pytest.raises(bmplib.EncodeError) as info:
        bmplib.encode(with_ids, DecodeContext())
    assert info.value.field == "withdrawn_routes.path_id"
    without = bmplib.update(announce=["10.0.0.0/24"], next_hop="192.0.2.1")
    with pytest.raises(bmplib.EncodeError) as info:
        bmplib.encode(bmplib.route_monitoring(PEER, without), addpath)
    assert info.value.field == "nlri.path_id"
    v6 = bmplib.update(announce=["2001:db8::/32"], next_hop="2001:db8::1")
    with pytest.raises(bmplib.EncodeError) as info:
        bmplib.encode(v6, addpath)
    assert info.value.field == "mp_reach.nlri.path_id"
    v6w = bmplib.update(withdraw=["2001:db8::/32"], path_id=1)
    with pytest.raises(bmplib.EncodeError) as info:
        bmplib.encode(RouteMirroring(PEER, [MirroredBGPMessage(v6w)]), DecodeContext())
    assert info.value.field == "mp_unreach.withdrawn.path_id"
    assert bmplib.decode(bmplib.encode(bmplib.route_monitoring(PEER, with_ids), addpath), addpath).bgp == with_ids


# ---------------------------------------------------------------------------
# dispatch
# ---------------------------------------------------------------------------
def test_encode_is_the_method() -> None:
    objs: list[Any] = [
        PEER,
        InformationTLV(2, b"router"),
        Keepalive(),
        Notification(6, 2, encode_shutdown_communication("maintenance")),
        bmplib.open_message(4200000000, "192.0.2.9"),
        FourOctetASCapability(4200000000),
        Origin(0),
        RouteTarget(0, 2, 65000, 100),
        InetPrefix.from_text("10.0.0.0/24"),
        VPNPrefix.from_text("65000:1", "10.0.0.0/24", [100]),
        RouteMonitoring(PEER, bmplib.update(announce=["10.0.0.0/24"], next_hop="192.0.2.1")),
        UnknownMessage(42, b"\x01\x02"),
    ]
    for obj in objs:
        assert bmplib.encode(obj) == obj.encode()


def test_encode_rejects_non_model_objects() -> None:
    for obj in (b"\x03", "10.0.0.0/24", 42, None):
        with pytest.raises(bmplib.EncodeError) as info:
            bmplib.encode(obj)
        assert info.value.field == type(obj).__name__
