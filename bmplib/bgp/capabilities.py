"""BGP capabilities carried in the OPEN message (RFC 5492) and the typed
values of the registered ones.

Every capability is a ``@dataclass(slots=True)`` with a ``code`` field (its
IANA "Capability Codes" registry code point) and an :meth:`encode` giving its
code, length and value octets.  A capability bmplib does not type, or a typed
one whose value does not have the registered shape, is an
:class:`UnknownCapability` with its code and raw value, so nothing is lost
and the OPEN re-encodes byte for byte.

:func:`decode_capabilities` decodes the capability list of one Capabilities
optional parameter.
"""

from __future__ import annotations

import enum
import struct
from collections.abc import Callable
from dataclasses import dataclass, field, fields
from typing import Any, Union

from bmplib.errors import BGPDecodeError, EncodeError
from bmplib.iana import lookup
from bmplib.nlri.registry import AFI, SAFI

__all__ = [
    "AddPathCapability",
    "AddPathFamily",
    "BGPRole",
    "BGPRoleCapability",
    "Capability",
    "CapabilityCode",
    "EnhancedRouteRefreshCapability",
    "ExtendedMessageCapability",
    "ExtendedNextHopCapability",
    "ExtendedNextHopFamily",
    "FQDNCapability",
    "FourOctetASCapability",
    "GracefulRestartCapability",
    "GracefulRestartFamily",
    "LongLivedGracefulRestartCapability",
    "LongLivedGracefulRestartFamily",
    "MultipleLabelsCapability",
    "MultipleLabelsFamily",
    "MultiprotocolCapability",
    "ORFCapability",
    "ORFEntry",
    "ORFFamily",
    "ORFType",
    "PathsLimitCapability",
    "PathsLimitFamily",
    "RouteRefreshCapability",
    "SendReceive",
    "SoftwareVersionCapability",
    "UnknownCapability",
    "decode_capabilities",
    "decode_capability",
]


class CapabilityCode(enum.IntEnum):
    """BGP Capability Codes (IANA "Capability Codes" registry)."""

    MULTIPROTOCOL = 1  # RFC 4760
    ROUTE_REFRESH = 2  # RFC 2918
    OUTBOUND_ROUTE_FILTERING = 3  # RFC 5291
    MULTIPLE_ROUTES = 4  # deprecated, RFC 8277
    EXTENDED_NEXT_HOP = 5  # RFC 8950
    EXTENDED_MESSAGE = 6  # RFC 8654
    BGPSEC = 7  # RFC 8205
    MULTIPLE_LABELS = 8  # RFC 8277
    BGP_ROLE = 9  # RFC 9234
    GRACEFUL_RESTART = 64  # RFC 4724
    FOUR_OCTET_AS = 65  # RFC 6793
    DYNAMIC_CAPABILITY = 67
    MULTISESSION = 68
    ADD_PATH = 69  # RFC 7911
    ENHANCED_ROUTE_REFRESH = 70  # RFC 7313
    LONG_LIVED_GRACEFUL_RESTART = 71  # RFC 9494
    ROUTING_POLICY_DISTRIBUTION = 72
    FQDN = 73  # draft-walton-bgp-hostname-capability
    BFD = 74
    SOFTWARE_VERSION = 75  # draft-abraitis-bgp-version-capability
    PATHS_LIMIT = 76
    PRESTANDARD_ROUTE_REFRESH = 128  # deprecated (Cisco)
    PRESTANDARD_ORF = 130  # deprecated (Cisco), same value as code 3
    PRESTANDARD_MULTISESSION = 131  # deprecated
    PRESTANDARD_FQDN = 184  # deprecated
    PRESTANDARD_OPERATIONAL_MESSAGE = 185  # deprecated


class SendReceive(enum.IntEnum):
    """The Send/Receive field of ADD-PATH (RFC 7911 section 4) and ORF
    (RFC 5291 section 4) capability entries."""

    RECEIVE = 1
    SEND = 2
    BOTH = 3


class ORFType(enum.IntEnum):
    """Outbound Route Filtering types (IANA "BGP Outbound Route Filtering
    (ORF) Types")."""

    ADDRESS_PREFIX = 64  # RFC 5292
    CP_ORF = 65  # RFC 7543
    ADDRESS_PREFIX_PRESTANDARD = 128  # Cisco


class BGPRole(enum.IntEnum):
    """BGP Role values (RFC 9234 section 4.1)."""

    PROVIDER = 0
    ROUTE_SERVER = 1
    ROUTE_SERVER_CLIENT = 2
    CUSTOMER = 3
    PEER = 4


_CODES: dict[int, int] = {m.value: m for m in CapabilityCode}
_AFIS: dict[int, int] = {m.value: m for m in AFI}
_SAFIS: dict[int, int] = {m.value: m for m in SAFI}

_U8 = struct.Struct("!B")
_BB = struct.Struct("!BB")
_U16 = struct.Struct("!H")
_U32 = struct.Struct("!I")
_MP = struct.Struct("!HBB")  # AFI, reserved, SAFI
_AFI_SAFI_U8 = struct.Struct("!HBB")  # AFI, SAFI, one octet (ADD-PATH, GR, multiple labels)
_ENH = struct.Struct("!HHH")  # NLRI AFI, NLRI SAFI, next hop AFI
_LLGR = struct.Struct("!HBBBH")
_PATHS_LIMIT = struct.Struct("!HBH")  # AFI, SAFI, paths limit


def _afi(v: int) -> AFI | int:
    return _AFIS.get(v, v)


def _safi(v: int) -> SAFI | int:
    return _SAFIS.get(v, v)


def _pack(what: str, st: struct.Struct, *values: int) -> bytes:
    try:
        return st.pack(*values)
    except struct.error as exc:
        raise EncodeError(what, str(exc)) from exc


class _CapabilityBase:
    """Shared behaviour: ``encode`` from ``encode_value``; JSON with the code first."""

    __slots__ = ()

    code: int

    def encode_value(self) -> bytes:
        """The value octets (none unless the capability type has a value)."""
        return b""

    def encode(self) -> bytes:
        """The capability TLV: code (1), length (1), value (RFC 5492 section 4)."""
        value = self.encode_value()
        if not 0 <= self.code <= 255:
            raise EncodeError("capability.code", f"{self.code} does not fit 1 octet")
        if len(value) > 255:
            raise EncodeError(f"capability[{self.code}]", f"value of {len(value)} octets does not fit 1 octet length")
        return bytes((self.code, len(value))) + value

    def __json__(self) -> dict[str, Any]:
        from bmplib.json import value_to_json

        out: dict[str, Any] = {"code": value_to_json(self.code)}
        for f in fields(self):  # type: ignore[arg-type]
            if f.name != "code":
                out[f.name] = value_to_json(getattr(self, f.name))
        return out


# ---------------------------------------------------------------------------
# 1 Multiprotocol Extensions (RFC 4760 section 8)
# ---------------------------------------------------------------------------
@dataclass(slots=True)
class MultiprotocolCapability(_CapabilityBase):
    """Multiprotocol Extensions (code 1, RFC 4760 section 8): one (AFI, SAFI)."""

    afi: AFI | int
    safi: SAFI | int
    reserved: int = 0
    code: CapabilityCode | int = CapabilityCode.MULTIPROTOCOL

    def encode_value(self) -> bytes:
        return _pack("multiprotocol", _MP, self.afi, self.reserved, self.safi)


def _dec_mp(buf: bytes, vs: int, ve: int, code: int) -> MultiprotocolCapability | None:
    if ve - vs != 4:
        return None
    afi, res, safi = _MP.unpack_from(buf, vs)
    return MultiprotocolCapability(_afi(afi), _safi(safi), res, _CODES.get(code, code))


# ---------------------------------------------------------------------------
# Capabilities without a value: 2 and 128 route refresh, 6, 70
# ---------------------------------------------------------------------------
@dataclass(slots=True)
class RouteRefreshCapability(_CapabilityBase):
    """Route Refresh (code 2, RFC 2918 section 2), or the pre-standard code
    128 with the same meaning.  No value."""

    code: CapabilityCode | int = CapabilityCode.ROUTE_REFRESH


@dataclass(slots=True)
class ExtendedMessageCapability(_CapabilityBase):
    """BGP Extended Message (code 6, RFC 8654 section 3).  No value."""

    code: CapabilityCode | int = CapabilityCode.EXTENDED_MESSAGE


@dataclass(slots=True)
class EnhancedRouteRefreshCapability(_CapabilityBase):
    """Enhanced Route Refresh (code 70, RFC 7313 section 3).  No value."""

    code: CapabilityCode | int = CapabilityCode.ENHANCED_ROUTE_REFRESH


def _empty(cls: Callable[[Any], Any]) -> Callable[[bytes, int, int, int], Any]:
    def dec(buf: bytes, vs: int, ve: int, code: int) -> Any:
        return cls(_CODES.get(code, code)) if ve == vs else None

    return dec


# ---------------------------------------------------------------------------
# 3 Outbound Route Filtering (RFC 5291 section 4)
# ---------------------------------------------------------------------------
@dataclass(slots=True)
class ORFEntry:
    """One ORF type a speaker supports for a family, and the direction."""

    type: ORFType | int
    send_receive: SendReceive | int


@dataclass(slots=True)
class ORFFamily:
    """The ORF types supported for one (AFI, SAFI)."""

    afi: AFI | int
    safi: SAFI | int
    orfs: list[ORFEntry]
    reserved: int = 0


@dataclass(slots=True)
class ORFCapability(_CapabilityBase):
    """Outbound Route Filtering (code 3, RFC 5291 section 4; also the
    pre-standard code 130): per (AFI, SAFI), the ORF types and directions."""

    families: list[ORFFamily]
    code: CapabilityCode | int = CapabilityCode.OUTBOUND_ROUTE_FILTERING

    def encode_value(self) -> bytes:
        out = bytearray()
        for fam in self.families:
            out += _pack("orf", _MP, fam.afi, fam.reserved, fam.safi)
            if len(fam.orfs) > 255:
                raise EncodeError("orf", f"{len(fam.orfs)} ORF entries do not fit 1 octet")
            out.append(len(fam.orfs))
            for e in fam.orfs:
                out += _pack("orf", _BB, e.type, e.send_receive)
        return bytes(out)


def _dec_orf(buf: bytes, vs: int, ve: int, code: int) -> ORFCapability | None:
    families: list[ORFFamily] = []
    p = vs
    while p < ve:
        if ve - p < 5:
            return None
        afi, res, safi = _MP.unpack_from(buf, p)
        n = buf[p + 4]
        p += 5
        if ve - p < 2 * n:
            return None
        orfs = [ORFEntry(lookup(ORFType, buf[q]), lookup(SendReceive, buf[q + 1])) for q in range(p, p + 2 * n, 2)]
        p += 2 * n
        families.append(ORFFamily(_afi(afi), _safi(safi), orfs, res))
    return ORFCapability(families, _CODES.get(code, code))


# ---------------------------------------------------------------------------
# 5 Extended Next Hop Encoding (RFC 8950 section 3)
# ---------------------------------------------------------------------------
@dataclass(slots=True)
class ExtendedNextHopFamily:
    """An <NLRI AFI, NLRI SAFI, Nexthop AFI> tuple (RFC 8950 section 3)."""

    afi: AFI | int
    safi: SAFI | int
    nexthop_afi: AFI | int


@dataclass(slots=True)
class ExtendedNextHopCapability(_CapabilityBase):
    """Extended Next Hop Encoding (code 5, RFC 8950 section 3)."""

    families: list[ExtendedNextHopFamily]
    code: CapabilityCode | int = CapabilityCode.EXTENDED_NEXT_HOP

    def encode_value(self) -> bytes:
        return b"".join(_pack("extended_next_hop", _ENH, f.afi, f.safi, f.nexthop_afi) for f in self.families)


def _dec_enh(buf: bytes, vs: int, ve: int, code: int) -> ExtendedNextHopCapability | None:
    if (ve - vs) % 6:
        return None
    fams = [
        ExtendedNextHopFamily(_afi(a), _safi(s), _afi(n))
        for a, s, n in (_ENH.unpack_from(buf, p) for p in range(vs, ve, 6))
    ]
    return ExtendedNextHopCapability(fams, _CODES.get(code, code))


# ---------------------------------------------------------------------------
# 8 Multiple Labels (RFC 8277 section 2.1)
# ---------------------------------------------------------------------------
@dataclass(slots=True)
class MultipleLabelsFamily:
    """The number of labels a speaker can process for one (AFI, SAFI)."""

    afi: AFI | int
    safi: SAFI | int
    count: int


@dataclass(slots=True)
class MultipleLabelsCapability(_CapabilityBase):
    """Multiple Labels (code 8, RFC 8277 section 2.1)."""

    families: list[MultipleLabelsFamily]
    code: CapabilityCode | int = CapabilityCode.MULTIPLE_LABELS

    def encode_value(self) -> bytes:
        return b"".join(_pack("multiple_labels", _AFI_SAFI_U8, f.afi, f.safi, f.count) for f in self.families)


def _dec_ml(buf: bytes, vs: int, ve: int, code: int) -> MultipleLabelsCapability | None:
    if (ve - vs) % 4:
        return None
    fams = [
        MultipleLabelsFamily(_afi(a), _safi(s), n)
        for a, s, n in (_AFI_SAFI_U8.unpack_from(buf, p) for p in range(vs, ve, 4))
    ]
    return MultipleLabelsCapability(fams, _CODES.get(code, code))


# ---------------------------------------------------------------------------
# 9 BGP Role (RFC 9234 section 4.1)
# ---------------------------------------------------------------------------
@dataclass(slots=True)
class BGPRoleCapability(_CapabilityBase):
    """BGP Role (code 9, RFC 9234 section 4.1): the speaker's role."""

    role: BGPRole | int
    code: CapabilityCode | int = CapabilityCode.BGP_ROLE

    def encode_value(self) -> bytes:
        return _pack("role", _U8, self.role)


def _dec_role(buf: bytes, vs: int, ve: int, code: int) -> BGPRoleCapability | None:
    if ve - vs != 1:
        return None
    return BGPRoleCapability(lookup(BGPRole, buf[vs]), _CODES.get(code, code))


# ---------------------------------------------------------------------------
# 64 Graceful Restart (RFC 4724 section 3, RFC 8538 for the N bit)
# ---------------------------------------------------------------------------
@dataclass(slots=True)
class GracefulRestartFamily:
    """One (AFI, SAFI) of the Graceful Restart capability and its flags
    (0x80: forwarding state preserved)."""

    afi: AFI | int
    safi: SAFI | int
    flags: int

    @property
    def forwarding_state(self) -> bool:
        """F bit: forwarding state was preserved across the restart."""
        return bool(self.flags & 0x80)


@dataclass(slots=True)
class GracefulRestartCapability(_CapabilityBase):
    """Graceful Restart (code 64, RFC 4724 section 3): restart flags (4 bits:
    0x8 R restart state, 0x4 N graceful notification per RFC 8538), restart
    time in seconds (12 bits), and per-(AFI, SAFI) forwarding flags."""

    flags: int
    restart_time: int
    families: list[GracefulRestartFamily] = field(default_factory=list)
    code: CapabilityCode | int = CapabilityCode.GRACEFUL_RESTART

    @property
    def restart_state(self) -> bool:
        """R bit: the speaker has restarted."""
        return bool(self.flags & 0x8)

    @property
    def notification(self) -> bool:
        """N bit: graceful restart applies to NOTIFICATION too (RFC 8538)."""
        return bool(self.flags & 0x4)

    def encode_value(self) -> bytes:
        if not 0 <= self.flags <= 0xF:
            raise EncodeError("graceful_restart.flags", f"{self.flags} does not fit 4 bits")
        if not 0 <= self.restart_time <= 0xFFF:
            raise EncodeError("graceful_restart.restart_time", f"{self.restart_time} does not fit 12 bits")
        head = _U16.pack((self.flags << 12) | self.restart_time)
        return head + b"".join(_pack("graceful_restart", _AFI_SAFI_U8, f.afi, f.safi, f.flags) for f in self.families)

    def __json__(self) -> dict[str, Any]:
        out = _CapabilityBase.__json__(self)
        out["restart_state"] = self.restart_state
        out["notification"] = self.notification
        return out


def _dec_gr(buf: bytes, vs: int, ve: int, code: int) -> GracefulRestartCapability | None:
    if ve - vs < 2 or (ve - vs - 2) % 4:
        return None
    head = _U16.unpack_from(buf, vs)[0]
    fams = [
        GracefulRestartFamily(_afi(a), _safi(s), f)
        for a, s, f in (_AFI_SAFI_U8.unpack_from(buf, p) for p in range(vs + 2, ve, 4))
    ]
    return GracefulRestartCapability(head >> 12, head & 0xFFF, fams, _CODES.get(code, code))


# ---------------------------------------------------------------------------
# 65 4-octet AS number (RFC 6793 section 3)
# ---------------------------------------------------------------------------
@dataclass(slots=True)
class FourOctetASCapability(_CapabilityBase):
    """Support for 4-octet AS numbers (code 65, RFC 6793 section 3): the
    speaker's 4-octet AS."""

    asn: int
    code: CapabilityCode | int = CapabilityCode.FOUR_OCTET_AS

    def encode_value(self) -> bytes:
        return _pack("four_octet_as", _U32, self.asn)


def _dec_as4(buf: bytes, vs: int, ve: int, code: int) -> FourOctetASCapability | None:
    if ve - vs != 4:
        return None
    return FourOctetASCapability(_U32.unpack_from(buf, vs)[0], _CODES.get(code, code))


# ---------------------------------------------------------------------------
# 69 ADD-PATH (RFC 7911 section 4)
# ---------------------------------------------------------------------------
@dataclass(slots=True)
class AddPathFamily:
    """One (AFI, SAFI) of the ADD-PATH capability: 1 receive, 2 send, 3 both."""

    afi: AFI | int
    safi: SAFI | int
    send_receive: SendReceive | int

    @property
    def can_send(self) -> bool:
        return self.send_receive in (2, 3)

    @property
    def can_receive(self) -> bool:
        return self.send_receive in (1, 3)


@dataclass(slots=True)
class AddPathCapability(_CapabilityBase):
    """ADD-PATH (code 69, RFC 7911 section 4): per (AFI, SAFI), whether the
    speaker can send and/or receive multiple paths."""

    families: list[AddPathFamily]
    code: CapabilityCode | int = CapabilityCode.ADD_PATH

    def encode_value(self) -> bytes:
        return b"".join(_pack("add_path", _AFI_SAFI_U8, f.afi, f.safi, f.send_receive) for f in self.families)


def _dec_addpath(buf: bytes, vs: int, ve: int, code: int) -> AddPathCapability | None:
    if (ve - vs) % 4:
        return None
    fams = [
        AddPathFamily(_afi(a), _safi(s), lookup(SendReceive, m))
        for a, s, m in (_AFI_SAFI_U8.unpack_from(buf, p) for p in range(vs, ve, 4))
    ]
    return AddPathCapability(fams, _CODES.get(code, code))


# ---------------------------------------------------------------------------
# 71 Long-Lived Graceful Restart (RFC 9494 section 3)
# ---------------------------------------------------------------------------
@dataclass(slots=True)
class LongLivedGracefulRestartFamily:
    """One (AFI, SAFI) of LLGR: flags (0x80 F, forwarding state) and the
    long-lived stale time in seconds (24 bits)."""

    afi: AFI | int
    safi: SAFI | int
    flags: int
    stale_time: int


@dataclass(slots=True)
class LongLivedGracefulRestartCapability(_CapabilityBase):
    """Long-Lived Graceful Restart (code 71, RFC 9494 section 3)."""

    families: list[LongLivedGracefulRestartFamily]
    code: CapabilityCode | int = CapabilityCode.LONG_LIVED_GRACEFUL_RESTART

    def encode_value(self) -> bytes:
        out = bytearray()
        for f in self.families:
            if not 0 <= f.stale_time <= 0xFFFFFF:
                raise EncodeError("llgr.stale_time", f"{f.stale_time} does not fit 3 octets")
            out += _pack("llgr", _LLGR, f.afi, f.safi, f.flags, f.stale_time >> 16, f.stale_time & 0xFFFF)
        return bytes(out)


def _dec_llgr(buf: bytes, vs: int, ve: int, code: int) -> LongLivedGracefulRestartCapability | None:
    if (ve - vs) % 7:
        return None
    fams = [
        LongLivedGracefulRestartFamily(_afi(a), _safi(s), fl, (hi << 16) | lo)
        for a, s, fl, hi, lo in (_LLGR.unpack_from(buf, p) for p in range(vs, ve, 7))
    ]
    return LongLivedGracefulRestartCapability(fams, _CODES.get(code, code))


# ---------------------------------------------------------------------------
# 73 FQDN (draft-walton-bgp-hostname-capability) and 75 software version
# (draft-abraitis-bgp-version-capability)
# ---------------------------------------------------------------------------
def _text(what: str, s: str) -> bytes:
    raw = s.encode("utf-8")
    if len(raw) > 255:
        raise EncodeError(what, f"{len(raw)} octets do not fit 1 octet length")
    return bytes((len(raw),)) + raw


@dataclass(slots=True)
class FQDNCapability(_CapabilityBase):
    """FQDN (code 73): the speaker's host name and domain name, each a
    1-octet length and the text."""

    hostname: str
    domain: str
    code: CapabilityCode | int = CapabilityCode.FQDN

    def encode_value(self) -> bytes:
        return _text("fqdn.hostname", self.hostname) + _text("fqdn.domain", self.domain)


def _dec_fqdn(buf: bytes, vs: int, ve: int, code: int) -> FQDNCapability | None:
    if ve - vs < 2:
        return None
    hl = buf[vs]
    if ve - vs < 2 + hl:
        return None
    dl = buf[vs + 1 + hl]
    if ve - vs != 2 + hl + dl:
        return None
    try:
        host = buf[vs + 1 : vs + 1 + hl].decode("utf-8")
        dom = buf[vs + 2 + hl : ve].decode("utf-8")
    except UnicodeDecodeError:
        return None
    return FQDNCapability(host, dom, _CODES.get(code, code))


@dataclass(slots=True)
class SoftwareVersionCapability(_CapabilityBase):
    """Software Version (code 75): a 1-octet length and UTF-8 text."""

    version: str
    code: CapabilityCode | int = CapabilityCode.SOFTWARE_VERSION

    def encode_value(self) -> bytes:
        return _text("software_version", self.version)


def _dec_version(buf: bytes, vs: int, ve: int, code: int) -> SoftwareVersionCapability | None:
    if ve - vs < 1 or buf[vs] != ve - vs - 1:
        return None
    try:
        text = buf[vs + 1 : ve].decode("utf-8")
    except UnicodeDecodeError:
        return None
    return SoftwareVersionCapability(text, _CODES.get(code, code))


# ---------------------------------------------------------------------------
# 76 Paths-Limit (draft-ietf-idr-addpath-paths-limit section 3)
# ---------------------------------------------------------------------------
@dataclass(slots=True)
class PathsLimitFamily:
    """One (AFI, SAFI) of Paths-Limit: the most paths the speaker wants to
    receive for the family (0: no limit said)."""

    afi: AFI | int
    safi: SAFI | int
    paths_limit: int


@dataclass(slots=True)
class PathsLimitCapability(_CapabilityBase):
    """Paths-Limit (code 76, draft-ietf-idr-addpath-paths-limit section 3):
    ``AFI (2) | SAFI (1) | Paths Limit (2)`` per family, for the families
    of the ADD-PATH capability."""

    families: list[PathsLimitFamily]
    code: CapabilityCode | int = CapabilityCode.PATHS_LIMIT

    def encode_value(self) -> bytes:
        return b"".join(_pack("paths_limit", _PATHS_LIMIT, f.afi, f.safi, f.paths_limit) for f in self.families)


def _dec_paths_limit(buf: bytes, vs: int, ve: int, code: int) -> PathsLimitCapability | None:
    if (ve - vs) % 5:
        return None
    values = (_PATHS_LIMIT.unpack_from(buf, p) for p in range(vs, ve, 5))
    fams = [PathsLimitFamily(_afi(a), _safi(s), n) for a, s, n in values]
    return PathsLimitCapability(fams, _CODES.get(code, code))


# ---------------------------------------------------------------------------
# Anything else
# ---------------------------------------------------------------------------
@dataclass(slots=True)
class UnknownCapability(_CapabilityBase):
    """A capability bmplib does not type (or a typed one whose value does not
    have the registered shape): its code and raw value."""

    code: CapabilityCode | int
    value: bytes

    def encode_value(self) -> bytes:
        return self.value


Capability = Union[
    MultiprotocolCapability,
    RouteRefreshCapability,
    ORFCapability,
    ExtendedNextHopCapability,
    ExtendedMessageCapability,
    MultipleLabelsCapability,
    BGPRoleCapability,
    GracefulRestartCapability,
    FourOctetASCapability,
    AddPathCapability,
    EnhancedRouteRefreshCapability,
    LongLivedGracefulRestartCapability,
    FQDNCapability,
    SoftwareVersionCapability,
    PathsLimitCapability,
    UnknownCapability,
]

_DECODERS: dict[int, Callable[[bytes, int, int, int], Any]] = {
    1: _dec_mp,
    2: _empty(RouteRefreshCapability),
    3: _dec_orf,
    5: _dec_enh,
    6: _empty(ExtendedMessageCapability),
    8: _dec_ml,
    9: _dec_role,
    64: _dec_gr,
    65: _dec_as4,
    69: _dec_addpath,
    70: _empty(EnhancedRouteRefreshCapability),
    71: _dec_llgr,
    73: _dec_fqdn,
    75: _dec_version,
    76: _dec_paths_limit,
    128: _empty(RouteRefreshCapability),
    130: _dec_orf,
}


def decode_capability(buf: bytes, code: int, vs: int, ve: int) -> Capability:
    """The capability of *code* whose value is ``buf[vs:ve]``; never raises."""
    dec = _DECODERS.get(code)
    if dec is not None:
        cap: Capability | None = dec(buf, vs, ve, code)
        if cap is not None:
            return cap
    return UnknownCapability(_CODES.get(code, code), buf[vs:ve])


def decode_capabilities(buf: bytes, pos: int, end: int) -> list[Capability]:
    """The capabilities in ``buf[pos:end]`` (the value of one Capabilities
    optional parameter, RFC 5492 section 4).  Raises
    :class:`~bmplib.errors.BGPDecodeError` when a capability's length runs
    past *end*."""
    out: list[Capability] = []
    p = pos
    while p < end:
        if end - p < 2:
            raise BGPDecodeError("capability header truncated", p, buf[p:end])
        code = buf[p]
        ve = p + 2 + buf[p + 1]
        if ve > end:
            raise BGPDecodeError(f"capability {code} length {buf[p + 1]} runs past its parameter", p, buf[p:end])
        out.append(decode_capability(buf, code, p + 2, ve))
        p = ve
    return out
