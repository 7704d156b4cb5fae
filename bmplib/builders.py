"""Short ways to build BMP and BGP messages, with sensible defaults for the
fields a user does not care about (lengths, flags, markers, timestamps, the
optional parameters of an OPEN, the attribute flags of an UPDATE).

Every builder returns an ordinary model object (the one the decoder gives),
so it can be changed before encoding and ``bmplib.decode(bmplib.encode(m))
== m``.  See ``docs/building.md``.

>>> import bmplib
>>> msg = bmplib.route_monitoring(
...     peer=bmplib.peer_header(address="192.0.2.1", asn=65001, timestamp=0),
...     update=bmplib.update(announce=["10.0.0.0/24"], as_path=[65001, 65002], next_hop="192.0.2.1",
...                          communities=["65001:100", "NO_EXPORT"]),
... )
>>> wire = bmplib.encode(msg)
>>> bmplib.decode(wire) == msg
True
>>> [str(r) for r in bmplib.decode(wire).update.announced]
['10.0.0.0/24']
"""

from __future__ import annotations

import datetime as _dt
import time
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Union

from bmplib.bgp.attributes import (
    Aggregator,
    AS4Path,
    ASPath,
    ASPathSegment,
    AtomicAggregate,
    Communities,
    ExtendedCommunities,
    LargeCommunities,
    LocalPref,
    MPNextHop,
    MPReachNLRI,
    MPUnreachNLRI,
    MultiExitDisc,
    NextHop,
    Origin,
    OriginType,
    RouteOrigin,
    RouteTarget,
    SegmentType,
)
from bmplib.bgp.attributes.aspath import AS_TRANS
from bmplib.bgp.attributes.communities import parse_community
from bmplib.bgp.capabilities import (
    AddPathCapability,
    AddPathFamily,
    Capability,
    ExtendedMessageCapability,
    FourOctetASCapability,
    GracefulRestartCapability,
    GracefulRestartFamily,
    MultiprotocolCapability,
    RouteRefreshCapability,
    SendReceive,
)
from bmplib.bgp.notification import Notification, encode_shutdown_communication
from bmplib.bgp.open import CapabilitiesParameter, Open
from bmplib.bgp.update import Update
from bmplib.bmp.constants import (
    STAT_SHAPES,
    InitiationTLVType,
    PeerDownReason,
    PeerType,
    PeerUpTLVType,
    StatShape,
    StatType,
    TerminationReason,
    TerminationTLVType,
    lookup,
)
from bmplib.bmp.header import FLAG_A, FLAG_F, FLAG_L, FLAG_O, FLAG_V, PeerHeader
from bmplib.bmp.messages import (
    Initiation,
    PeerDown,
    PeerUp,
    RouteMonitoring,
    Stat,
    StatisticsReport,
    Termination,
)
from bmplib.bmp.tlv import InformationTLV
from bmplib.errors import EncodeError
from bmplib.nlri.inet import InetPrefix
from bmplib.nlri.rd import RouteDistinguisher
from bmplib.nlri.registry import _FAMILY_NAMES, UnknownNLRI

__all__ = [
    "end_of_rib",
    "initiation",
    "notification",
    "open_message",
    "peer_down",
    "peer_header",
    "peer_up",
    "route_monitoring",
    "stats_report",
    "termination",
    "update",
]

Family = Union[tuple[int, int], str]
_FAMILIES_BY_NAME = {name: fam for fam, name in _FAMILY_NAMES.items()}
_ORIGINS = {"igp": OriginType.IGP, "egp": OriginType.EGP, "incomplete": OriginType.INCOMPLETE, "?": 2}
_SEND_RECEIVE = {"receive": SendReceive.RECEIVE, "send": SendReceive.SEND, "both": SendReceive.BOTH}
_VPN_SAFIS = (128, 129)


def _family(f: Family, what: str) -> tuple[int, int]:
    if isinstance(f, str):
        fam = _FAMILIES_BY_NAME.get(f)
        if fam is None:
            raise EncodeError(what, f"unknown family name {f!r} (e.g. 'ipv4-unicast', 'evpn')")
        return fam
    return (int(f[0]), int(f[1]))


def _timestamp(ts: float | _dt.datetime | None) -> tuple[int, int]:
    if ts is None:
        ts = time.time()
    elif isinstance(ts, _dt.datetime):
        if ts.tzinfo is None:
            raise EncodeError("timestamp", "a datetime needs a time zone (e.g. datetime.timezone.utc)")
        ts = ts.timestamp()
    if ts < 0:
        raise EncodeError("timestamp", f"{ts} is before the epoch")
    sec = int(ts)
    usec = round((ts - sec) * 1e6)
    if usec == 1_000_000:
        sec, usec = sec + 1, 0
    return sec, usec


# ---------------------------------------------------------------------------
# BMP
# ---------------------------------------------------------------------------
def peer_header(
    address: str = "192.0.2.1",
    asn: int = 65000,
    bgp_id: str | None = None,
    *,
    peer_type: int = PeerType.GLOBAL_INSTANCE,
    rd: str | None = None,
    post_policy: bool = False,
    adj_rib_out: bool = False,
    as2: bool = False,
    filtered: bool = False,
    timestamp: float | _dt.datetime | None = None,
) -> PeerHeader:
    """A per-peer header (RFC 7854 section 4.2).

    The V flag follows the address family of *address*; *post_policy* sets
    L, *as2* sets A, *adj_rib_out* sets O (RFC 8671), *filtered* sets F of a
    Loc-RIB peer (``peer_type=3``, RFC 9069).  *rd* (``"65000:100"``) is the
    peer distinguisher of an RD-instance or Loc-RIB peer (else 8 zero
    octets).  *bgp_id* defaults to *address* when it is IPv4, else
    ``0.0.0.0``.  *timestamp* is seconds since the epoch (a float) or an
    aware datetime; ``None`` means now.
    """
    flags = 0
    if peer_type == PeerType.LOC_RIB_INSTANCE:
        if filtered:
            flags |= FLAG_F
    else:
        if ":" in address:
            flags |= FLAG_V
        if post_policy:
            flags |= FLAG_L
        if as2:
            flags |= FLAG_A
        if adj_rib_out:
            flags |= FLAG_O
    dist = RouteDistinguisher.from_text(rd).raw if rd is not None else bytes(8)
    if bgp_id is None:
        bgp_id = address if ":" not in address else "0.0.0.0"
    sec, usec = _timestamp(timestamp)
    return PeerHeader(lookup(PeerType, peer_type), flags, dist, address, asn, bgp_id, sec, usec)


def route_monitoring(peer: PeerHeader | None = None, update: Any = None) -> RouteMonitoring:
    """A Route Monitoring message (RFC 7854 section 4.6) carrying *update*
    (a BGP UPDATE, see :func:`update`) for *peer* (default: :func:`peer_header`)."""
    if update is None:
        raise EncodeError("update", "a Route Monitoring message needs a BGP UPDATE")
    return RouteMonitoring(peer if peer is not None else peer_header(), update)


def peer_up(
    peer: PeerHeader | None = None,
    local_address: str = "192.0.2.254",
    *,
    local_asn: int = 65000,
    local_bgp_id: str | None = None,
    local_port: int = 179,
    remote_port: int = 40179,
    sent_open: Open | None = None,
    received_open: Open | None = None,
    information: Iterable[str] = (),
) -> PeerUp:
    """A Peer Up notification (RFC 7854 section 4.10).

    *sent_open* (the monitored router's) defaults to
    ``open_message(local_asn, local_bgp_id or local_address)`` and
    *received_open* (the peer's) to ``open_message(peer.asn, peer.bgp_id)``;
    *information* strings become string TLVs (type 0).
    """
    peer = peer if peer is not None else peer_header()
    if sent_open is None:
        bgp_id = local_bgp_id or (local_address if ":" not in local_address else "192.0.2.254")
        sent_open = open_message(local_asn, bgp_id)
    if received_open is None:
        received_open = open_message(peer.asn, peer.bgp_id)
    tlvs = [InformationTLV(PeerUpTLVType.STRING, s.encode("utf-8")) for s in information]
    return PeerUp(peer, local_address, local_port, remote_port, sent_open, received_open, tlvs)


def peer_down(
    peer: PeerHeader | None = None,
    reason: int | None = None,
    *,
    notification: Notification | None = None,
    fsm_event: int | None = None,
    data: bytes = b"",
) -> PeerDown:
    """A Peer Down notification (RFC 7854 section 4.9).

    With a *notification* the reason defaults to 1 (local system closed with
    a NOTIFICATION), with an *fsm_event* to 2, otherwise to 4 (remote system
    closed without a NOTIFICATION).  Give *reason* 3 for a NOTIFICATION
    received from the peer.
    """
    peer = peer if peer is not None else peer_header()
    if reason is None:
        if notification is not None:
            reason = PeerDownReason.LOCAL_NOTIFICATION
        elif fsm_event is not None:
            reason = PeerDownReason.LOCAL_NO_NOTIFICATION
        else:
            reason = PeerDownReason.REMOTE_NO_NOTIFICATION
    if notification is not None and reason not in (1, 3):
        raise EncodeError("notification", f"Peer Down reason {reason} carries no NOTIFICATION (only 1 and 3)")
    if fsm_event is not None and reason != 2:
        raise EncodeError("fsm_event", f"Peer Down reason {reason} carries no FSM event (only 2)")
    return PeerDown(peer, lookup(PeerDownReason, reason), notification, fsm_event, None, data)


def initiation(
    sys_name: str | None = None,
    sys_descr: str | None = None,
    *,
    strings: Iterable[str] = (),
    vrf_table_name: str | None = None,
    admin_label: str | None = None,
) -> Initiation:
    """An Initiation message (RFC 7854 section 4.3) with sysDescr, sysName,
    free-form strings, a VRF/table name and an admin label (RFC 9736), as
    given."""
    tlvs: list[InformationTLV] = []
    for t, value in (
        (InitiationTLVType.SYS_DESCR, sys_descr),
        (InitiationTLVType.SYS_NAME, sys_name),
        (InitiationTLVType.VRF_TABLE_NAME, vrf_table_name),
        (InitiationTLVType.ADMIN_LABEL, admin_label),
    ):
        if value is not None:
            tlvs.append(InformationTLV(t, value.encode("utf-8")))
    tlvs += [InformationTLV(InitiationTLVType.STRING, s.encode("utf-8")) for s in strings]
    return Initiation(tlvs)


def termination(
    reason: int | None = TerminationReason.ADMINISTRATIVELY_CLOSED, string: str | None = None
) -> Termination:
    """A Termination message (RFC 7854 section 4.5): a reason TLV (``None``:
    none) and an optional string TLV."""
    tlvs: list[InformationTLV] = []
    if string is not None:
        tlvs.append(InformationTLV(TerminationTLVType.STRING, string.encode("utf-8")))
    if reason is not None:
        if not 0 <= reason <= 0xFFFF:
            raise EncodeError("reason", f"{reason} does not fit 2 octets")
        tlvs.append(InformationTLV(TerminationTLVType.REASON, int(reason).to_bytes(2, "big")))
    return Termination(tlvs)


StatValue = Union[int, bytes, Mapping[tuple[int, int], int]]


def stats_report(
    peer: PeerHeader | None = None, stats: Mapping[int, StatValue] | Iterable[Stat] = ()
) -> StatisticsReport:
    """A Statistics Report (RFC 7854 section 4.8).

    *stats* maps a stat type to its value: an int for the 32-bit counters and
    64-bit gauges, ``{(afi, safi): value}`` for the per-AFI/SAFI gauges (one
    TLV per family), raw bytes for a type without a registered shape.  Or
    give :class:`~bmplib.bmp.messages.Stat` objects.
    """
    peer = peer if peer is not None else peer_header()
    if not isinstance(stats, Mapping):
        return StatisticsReport(peer, list(stats))
    out: list[Stat] = []
    for t, value in stats.items():
        stype = lookup(StatType, t)
        shape = STAT_SHAPES.get(t)
        if isinstance(value, (bytes, bytearray)):
            out.append(Stat(stype, None, raw=bytes(value)))
        elif shape is None:
            raise EncodeError(f"stats[{t}]", "a type without a registered shape needs its raw value as bytes")
        elif shape is StatShape.AFI_SAFI_GAUGE64:
            if not isinstance(value, Mapping):
                raise EncodeError(f"stats[{t}]", "a per-AFI/SAFI type needs {(afi, safi): value}")
            for (afi, safi), v in value.items():
                out.append(Stat(stype, v, afi, safi))
        elif isinstance(value, int):
            out.append(Stat(stype, value))
        else:
            raise EncodeError(f"stats[{t}]", f"needs an int, got {type(value).__name__}")
    return StatisticsReport(peer, out)


# ---------------------------------------------------------------------------
# BGP
# ---------------------------------------------------------------------------
def open_message(
    asn: int = 65000,
    bgp_id: str = "192.0.2.1",
    hold_time: int = 180,
    *,
    families: Sequence[Family] = ((1, 1),),
    four_octet_as: bool = True,
    route_refresh: bool = True,
    extended_message: bool = False,
    add_path: Mapping[Family, str | int] | None = None,
    graceful_restart: int | None = None,
    capabilities: Iterable[Capability] = (),
    version: int = 4,
) -> Open:
    """A BGP OPEN (RFC 4271 section 4.2) with one Capabilities parameter.

    *asn* may be 4-octet: "My Autonomous System" is then AS_TRANS and the
    4-octet AS capability carries it (RFC 6793).  *families* are (AFI, SAFI)
    pairs or names (``"ipv6-unicast"``, ``"evpn"``) for the multiprotocol
    capabilities; *add_path* maps a family to ``"receive"``, ``"send"`` or
    ``"both"`` (RFC 7911); *graceful_restart* is a restart time in seconds
    (RFC 4724); *capabilities* are appended as given.
    """
    if four_octet_as:
        my_as = asn if 0 <= asn <= 0xFFFF else AS_TRANS
    else:
        my_as = asn
    caps: list[Capability] = [MultiprotocolCapability(*_family(f, "families")) for f in families]
    if route_refresh:
        caps.append(RouteRefreshCapability())
    if extended_message:
        caps.append(ExtendedMessageCapability())
    if graceful_restart is not None:
        gr = [GracefulRestartFamily(*_family(f, "families"), 0) for f in families]
        caps.append(GracefulRestartCapability(0, graceful_restart, gr))
    if four_octet_as:
        caps.append(FourOctetASCapability(asn))
    if add_path:
        fams = []
        for f, mode in add_path.items():
            sr = _SEND_RECEIVE.get(mode) if isinstance(mode, str) else mode
            if sr is None:
                raise EncodeError("add_path", f"mode {mode!r} is not 'receive', 'send' or 'both'")
            fams.append(AddPathFamily(*_family(f, "add_path"), lookup(SendReceive, int(sr))))
        caps.append(AddPathCapability(fams))
    caps += list(capabilities)
    return Open(version, my_as, hold_time, bgp_id, [CapabilitiesParameter(caps)])


def notification(
    code: int, subcode: int = 0, data: bytes = b"", *, shutdown_message: str | None = None
) -> Notification:
    """A BGP NOTIFICATION (RFC 4271 section 4.5).  *shutdown_message* is
    the text of a Cease / Administrative Shutdown or Reset (RFC 9003) and
    becomes the data."""
    from bmplib.bgp.notification import _CODES, _NO_SUBCODES, _SUBCODES

    if shutdown_message is not None:
        if data:
            raise EncodeError("data", "give either data or shutdown_message")
        data = encode_shutdown_communication(shutdown_message)
    return Notification(_CODES.get(code, code), _SUBCODES.get(code, _NO_SUBCODES).get(subcode, subcode), bytes(data))


def _as_path(path: Sequence[int | Iterable[int]], asn4: bool) -> tuple[ASPath, AS4Path | None]:
    """AS_PATH from ints (an AS_SEQUENCE run) and sets (an AS_SET); with
    2-octet AS numbers, big ones become AS_TRANS and an AS4_PATH carries
    the real path (RFC 6793 section 4.2.2)."""
    segments: list[ASPathSegment] = []
    run: list[int] = []
    for item in path:
        if isinstance(item, int):
            run.append(item)
            continue
        if run:
            segments.append(ASPathSegment(SegmentType.AS_SEQUENCE, tuple(run)))
            run = []
        segments.append(ASPathSegment(SegmentType.AS_SET, tuple(sorted(item))))
    if run:
        segments.append(ASPathSegment(SegmentType.AS_SEQUENCE, tuple(run)))
    # one segment holds at most 255 AS numbers
    split: list[ASPathSegment] = []
    for s in segments:
        for i in range(0, len(s.asns), 255):
            split.append(ASPathSegment(s.type, s.asns[i : i + 255]))
    if asn4 or all(a <= 0xFFFF for s in split for a in s.asns):
        return ASPath(split, asn4), None
    two = [ASPathSegment(s.type, tuple(a if a <= 0xFFFF else AS_TRANS for a in s.asns)) for s in split]
    return ASPath(two, False), AS4Path(split)


def _extended_community(c: Any) -> Any:
    if not isinstance(c, str):
        return c
    kind, _, rest = c.partition(":")
    admin, sep, number = rest.rpartition(":")
    if kind not in ("target", "origin") or not sep:
        raise EncodeError("extended_communities", f"not target:ADMIN:NUMBER or origin:ADMIN:NUMBER: {c!r}")
    cls: type[RouteTarget] | type[RouteOrigin] = RouteTarget if kind == "target" else RouteOrigin
    subtype = 0x02 if kind == "target" else 0x03
    try:
        n = int(number)
        if "." in admin:
            return cls(0x01, subtype, admin, n)
        a = int(admin)
    except ValueError as exc:
        raise EncodeError("extended_communities", f"not target:ADMIN:NUMBER: {c!r}") from exc
    if a <= 0xFFFF:
        return cls(0x00, subtype, a, n)
    return cls(0x02, subtype, a, n)


def _large(c: str | tuple[int, int, int]) -> tuple[int, int, int]:
    if isinstance(c, tuple):
        return c
    parts = c.split(":")
    try:
        a, b, d = (int(x) for x in parts)
    except ValueError as exc:
        raise EncodeError("large_communities", f"not GLOBAL:LOCAL1:LOCAL2: {c!r}") from exc
    return (a, b, d)


def _route(r: Any, path_id: int | None, what: str) -> tuple[tuple[int, int], Any]:
    """(family, route object) of a prefix text or a route object."""
    if isinstance(r, str):
        p = InetPrefix.from_text(r, path_id)
        return p.family, p
    if hasattr(r, "family") and hasattr(r, "encode"):
        return (int(r.family[0]), int(r.family[1])), r
    if isinstance(r, UnknownNLRI):
        return (r.afi, r.safi), r
    raise EncodeError(what, f"{r!r} is neither a prefix text nor a route object")


def _mp_next_hop(family: tuple[int, int], next_hop: str, link_local: str | None) -> MPNextHop:
    if family[1] in _VPN_SAFIS:
        # RFC 4364 section 4.3.2 / RFC 4659 section 3.2.1: RD zero + address
        return MPNextHop.from_addresses(next_hop, link_local, RouteDistinguisher(bytes(8)))
    return MPNextHop.from_addresses(next_hop, link_local)


def update(
    announce: Iterable[Any] = (),
    withdraw: Iterable[Any] = (),
    *,
    next_hop: str | None = None,
    next_hop_link_local: str | None = None,
    as_path: Sequence[int | Iterable[int]] = (),
    origin: str | int = "igp",
    med: int | None = None,
    local_pref: int | None = None,
    communities: Iterable[str | int] = (),
    large_communities: Iterable[str | tuple[int, int, int]] = (),
    extended_communities: Iterable[Any] = (),
    atomic_aggregate: bool = False,
    aggregator: tuple[int, str] | None = None,
    asn4: bool = True,
    path_id: int | None = None,
    attributes: Iterable[Any] = (),
) -> Update:
    """A BGP UPDATE (RFC 4271 section 4.3, RFC 4760).

    *announce* and *withdraw* hold prefix texts (``"10.0.0.0/24"``,
    ``"2001:db8::/32"``) or route objects of any family (``VPNPrefix``,
    EVPN routes, ...).  IPv4 unicast routes go in the classic fields when
    the next hop is IPv4; every other family (and IPv4 with an IPv6 next
    hop, RFC 8950) in MP_REACH_NLRI / MP_UNREACH_NLRI (one family each per
    UPDATE).  *as_path* is a list of AS numbers (an AS_SEQUENCE), with sets
    for AS_SETs; ORIGIN and AS_PATH are added when routes are announced.
    *communities* are ``"65000:100"``, well-known names (``"NO_EXPORT"``) or
    ints; *large_communities* ``"65000:1:2"`` or tuples;
    *extended_communities* ``"target:65000:100"``, ``"origin:..."`` or
    extended community objects.  *asn4* False writes 2-octet AS numbers
    (with AS4_PATH when needed); *path_id* goes on every route built from
    text (ADD-PATH); *attributes* are added as given.  Attributes are in
    type code order.  With nothing announced or withdrawn and no attributes
    it is the IPv4 End-of-RIB marker.
    """
    ann = [_route(r, path_id, "announce") for r in announce]
    wd = [_route(r, path_id, "withdraw") for r in withdraw]
    v6_next_hop = next_hop is not None and ":" in next_hop
    classic_nlri = [r for f, r in ann if f == (1, 1) and not v6_next_hop]
    mp_ann = [(f, r) for f, r in ann if not (f == (1, 1) and not v6_next_hop)]
    classic_wd = [r for f, r in wd if f == (1, 1)]
    mp_wd = [(f, r) for f, r in wd if f != (1, 1)]
    attrs: list[Any] = []
    if ann:
        if next_hop is None:
            raise EncodeError("next_hop", "announcing routes needs a next hop")
        try:
            origin_value = _ORIGINS[origin] if isinstance(origin, str) else origin
        except KeyError:
            raise EncodeError("origin", f"{origin!r} is not 'igp', 'egp' or 'incomplete'") from None
        attrs.append(Origin(lookup(OriginType, origin_value)))
        path, path4 = _as_path(as_path, asn4)
        attrs.append(path)
        if path4 is not None:
            attrs.append(path4)
        if classic_nlri:
            attrs.append(NextHop(next_hop))
    elif as_path:
        attrs.append(_as_path(as_path, asn4)[0])
    if med is not None:
        attrs.append(MultiExitDisc(med))
    if local_pref is not None:
        attrs.append(LocalPref(local_pref))
    if atomic_aggregate:
        attrs.append(AtomicAggregate())
    if aggregator is not None:
        attrs.append(Aggregator(aggregator[0], aggregator[1], asn4))
    comms = tuple(c if isinstance(c, int) else parse_community(c) for c in communities)
    if comms:
        attrs.append(Communities(comms))
    if mp_ann:
        fams = {f for f, _ in mp_ann}
        if len(fams) > 1:
            raise EncodeError("announce", f"one UPDATE announces one MP_REACH_NLRI family, got {sorted(fams)}")
        fam = next(iter(fams))
        assert next_hop is not None
        nh = _mp_next_hop(fam, next_hop, next_hop_link_local)
        attrs.append(MPReachNLRI(fam[0], fam[1], nh, [r for _, r in mp_ann]))
    if mp_wd:
        fams = {f for f, _ in mp_wd}
        if len(fams) > 1:
            raise EncodeError("withdraw", f"one UPDATE withdraws one MP_UNREACH_NLRI family, got {sorted(fams)}")
        fam = next(iter(fams))
        attrs.append(MPUnreachNLRI(fam[0], fam[1], [r for _, r in mp_wd]))
    ext = [_extended_community(c) for c in extended_communities]
    if ext:
        attrs.append(ExtendedCommunities(ext))
    large = [_large(c) for c in large_communities]
    if large:
        attrs.append(LargeCommunities(large))
    attrs += list(attributes)
    codes = [a.type_code for a in attrs]
    dup = {c for c in codes if codes.count(c) > 1}
    if dup:
        raise EncodeError("attributes", f"attribute type {sorted(dup)} given twice")
    attrs.sort(key=lambda a: a.type_code)
    return Update(classic_wd, attrs, classic_nlri)


def end_of_rib(family: Family = (1, 1)) -> Update:
    """The End-of-RIB marker of *family* (RFC 4724 section 2): an empty
    UPDATE for IPv4 unicast, an empty MP_UNREACH_NLRI for the others."""
    afi, safi = _family(family, "family")
    if (afi, safi) == (1, 1):
        return Update()
    return Update([], [MPUnreachNLRI(afi, safi, [])], [])
