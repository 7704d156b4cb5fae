"""EVPN NLRI (AFI 25, SAFI 70): route types 1-11.

Every EVPN NLRI is ``route type (1) | length (1) | route-type specific``
(RFC 7432 section 7).  Types 1-4 are RFC 7432 section 7.1-7.4, type 5 is
RFC 9136 section 3.1, types 6-8 RFC 9251 section 9.1-9.3, types 9-11 RFC 9572
section 3.1-3.3.  A route type bmplib does not know keeps its code and raw
octets (:class:`UnknownEVPNRoute`) and never fails the message
(akvorado#252: one unknown route type tore down a BMP session).

The 3-octet label fields (``label``, ``label1``, ``label2``) are kept as the
integers on the wire: the MPLS label is the high-order 20 bits (``.labels``,
RFC 7432 section 7), while with VXLAN / NVGRE encapsulation the whole 24 bits
are the VNI (``.vni``, RFC 8365 section 5.1.3).  Which one applies is said by
the encapsulation extended community of the route.

Each route has a text form (``str(route)``) to search and join on::

    [2][65000:100][ESI 0][tag 0][MAC aa:bb:cc:dd:ee:ff][IP 10.0.0.1]
"""

from __future__ import annotations

import dataclasses
import enum
import socket
import struct
from dataclasses import dataclass
from typing import Any, ClassVar

from bmplib.errors import EncodeError, NLRIDecodeError
from bmplib.nlri.esi import ESI
from bmplib.nlri.rd import RouteDistinguisher
from bmplib.nlri.registry import AFI, SAFI, Family, register
from bmplib.session import DecodeContext

__all__ = [
    "EVPNCodec",
    "EVPNRoute",
    "EVPNRouteType",
    "EthernetAutoDiscovery",
    "EthernetSegment",
    "IPPrefix",
    "InclusiveMulticastEthernetTag",
    "LeafAutoDiscovery",
    "MACIPAdvertisement",
    "MulticastLeaveSynch",
    "MulticastMembershipReportSynch",
    "PerRegionIPMSIAutoDiscovery",
    "SPMSIAutoDiscovery",
    "SelectiveMulticastEthernetTag",
    "UnknownEVPNRoute",
    "decode_evpn_nlri",
    "decode_evpn_route",
]


class EVPNRouteType(enum.IntEnum):
    """EVPN route types (IANA "EVPN Route Types")."""

    ETHERNET_AUTO_DISCOVERY = 1  # RFC 7432
    MAC_IP_ADVERTISEMENT = 2  # RFC 7432
    INCLUSIVE_MULTICAST_ETHERNET_TAG = 3  # RFC 7432
    ETHERNET_SEGMENT = 4  # RFC 7432
    IP_PREFIX = 5  # RFC 9136
    SELECTIVE_MULTICAST_ETHERNET_TAG = 6  # RFC 9251
    MULTICAST_MEMBERSHIP_REPORT_SYNCH = 7  # RFC 9251
    MULTICAST_LEAVE_SYNCH = 8  # RFC 9251
    PER_REGION_I_PMSI_AUTO_DISCOVERY = 9  # RFC 9572
    S_PMSI_AUTO_DISCOVERY = 10  # RFC 9572
    LEAF_AUTO_DISCOVERY = 11  # RFC 9572


_ROUTE_TYPES = {t.value: t for t in EVPNRouteType}
_U32 = struct.Struct("!I")
_ADDR_LENGTHS = {0: 0, 32: 4, 128: 16}
#: type + length + body sizes of a MAC/IP route: 33 + IP (0, 4, 16) + label2 (0, 3)
_TYPE2_SIZES = frozenset(2 + 33 + ip + l2 for ip in (0, 4, 16) for l2 in (0, 3))


# --------------------------------------------------------------------------
# field helpers


def _ip_text(raw: bytes) -> str:
    return socket.inet_ntop(socket.AF_INET if len(raw) == 4 else socket.AF_INET6, raw)


def _ip_raw(field: str, text: str | None) -> bytes:
    """The 0, 4 or 16 octets of an address text (``None`` -> no address)."""
    if text is None:
        return b""
    try:
        return socket.inet_pton(socket.AF_INET6 if ":" in text else socket.AF_INET, text)
    except (OSError, ValueError) as exc:
        raise EncodeError(field, f"not an IP address: {text!r}") from exc


def _len_ip(field: str, text: str | None) -> bytes:
    """An address with its 1-octet length in bits in front."""
    raw = _ip_raw(field, text)
    return bytes((len(raw) * 8,)) + raw


def _u8(field: str, value: int) -> bytes:
    if not 0 <= value <= 0xFF:
        raise EncodeError(field, f"{value} does not fit 1 octet")
    return bytes((value,))


def _u24(field: str, value: int) -> bytes:
    if not 0 <= value <= 0xFFFFFF:
        raise EncodeError(field, f"{value} does not fit 3 octets")
    return value.to_bytes(3, "big")


def _u32(field: str, value: int) -> bytes:
    if not 0 <= value <= 0xFFFFFFFF:
        raise EncodeError(field, f"{value} does not fit 4 octets")
    return _U32.pack(value)


def _mac_raw(mac: str) -> bytes:
    try:
        raw = bytes.fromhex(mac.replace(":", "").replace("-", ""))
    except ValueError:
        raw = b""
    if len(raw) != 6:
        raise EncodeError("mac", f"not a MAC address: {mac!r}")
    return raw


def _json_value(value: Any) -> Any:
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, (bytes, bytearray)):
        return bytes(value).hex()
    custom = getattr(value, "__json__", None)
    if custom is not None:
        return custom()
    return str(value)


class _Reader:
    """Bounds-checked reads inside one EVPN route (``buf[pos:end]``); every
    failure is an :class:`NLRIDecodeError` for the whole route at *start*."""

    __slots__ = ("buf", "end", "p", "start")

    def __init__(self, buf: bytes, pos: int, end: int, start: int) -> None:
        self.buf = buf
        self.p = pos
        self.end = end
        self.start = start

    def fail(self, reason: str) -> NLRIDecodeError:
        return NLRIDecodeError(reason, self.start, self.buf[self.start : self.end])

    def take(self, n: int, what: str) -> bytes:
        p = self.p
        if p + n > self.end:
            raise self.fail(f"EVPN route too short for its {what}")
        self.p = p + n
        return self.buf[p : p + n]

    def rd(self) -> RouteDistinguisher:
        return RouteDistinguisher(self.take(8, "route distinguisher"))

    def esi(self) -> ESI:
        return ESI(self.take(10, "ESI"))

    def u8(self, what: str) -> int:
        return self.take(1, what)[0]

    def u24(self, what: str) -> int:
        return int.from_bytes(self.take(3, what), "big")

    def u32(self, what: str) -> int:
        return int(_U32.unpack(self.take(4, what))[0])

    def address(self, what: str, allow_none: bool = True) -> str | None:
        """A 1-octet length in bits (0, 32 or 128) and the address."""
        bits = self.u8(f"{what} length")
        n = _ADDR_LENGTHS.get(bits)
        if n is None or (n == 0 and not allow_none):
            raise self.fail(f"bad {what} length {bits} (expected 32 or 128{' or 0' if allow_none else ''})")
        return _ip_text(self.take(n, what)) if n else None

    def done(self) -> None:
        if self.p != self.end:
            raise self.fail(f"{self.end - self.p} unexpected octets at the end of the EVPN route")


# --------------------------------------------------------------------------
# the route model


@dataclass(slots=True)
class EVPNRoute:
    """Common behaviour of every EVPN route (RFC 7432 section 7).

    Helpers shared by all route types: :attr:`route_type`, :attr:`mac`,
    :attr:`ip`, :attr:`esi`, :attr:`labels`, :attr:`vni`,
    :attr:`is_multicast_mac`; ``str(route)`` is the text form.
    """

    TYPE: ClassVar[int] = 0
    #: the ADD-PATH path identifier (RFC 7911), or ``None``; keyword-only
    path_id: int | None = dataclasses.field(default=None, kw_only=True)
    family: ClassVar[tuple[int, int]] = Family(AFI.L2VPN, SAFI.EVPN)
    afi: ClassVar[int] = AFI.L2VPN.value
    safi: ClassVar[int] = SAFI.EVPN.value

    @property
    def route_type(self) -> EVPNRouteType | int:
        """The route type (:class:`EVPNRouteType`, or an int when unassigned)."""
        return _ROUTE_TYPES.get(self.TYPE, self.TYPE)

    @property
    def label_fields(self) -> tuple[int, ...]:
        """The raw 3-octet label fields of the route, in wire order."""
        return ()

    @property
    def labels(self) -> tuple[int, ...]:
        """The MPLS labels: the high-order 20 bits of each label field."""
        return tuple(v >> 4 for v in self.label_fields)

    @property
    def mpls_label(self) -> int | None:
        """The first MPLS label (high-order 20 bits of the first label
        field), or ``None``."""
        f = self.label_fields
        return f[0] >> 4 if f else None

    @property
    def vni(self) -> int | None:
        """The VXLAN network identifier: the whole 24 bits of the first label
        field (RFC 8365 section 5.1.3), or ``None``."""
        f = self.label_fields
        return f[0] if f else None

    @property
    def is_multicast_mac(self) -> bool:
        """The MAC address (type 2) has the group bit set (IEEE 802: the
        least significant bit of the first octet)."""
        mac: str | None = getattr(self, "mac", None)
        return mac is not None and bool(int(mac[:2], 16) & 1)

    def encode_body(self) -> bytes:
        """The route-type specific octets."""
        raise EncodeError("evpn", f"{type(self).__name__} has no wire form")

    def encode(self) -> bytes:
        """The NLRI octets: [path id (4)] + route type + length + body."""
        return _with_path_id(self.path_id, self.TYPE, self.encode_body())

    def text_fields(self) -> list[str]:
        """The bracketed parts of the text form after the route type."""
        return []

    def __str__(self) -> str:
        return f"[{self.TYPE}]" + "".join(f"[{x}]" for x in self.text_fields())

    def __json__(self) -> dict[str, Any]:
        rt = self.route_type
        out: dict[str, Any] = {
            "family": "evpn",
            "route_type": rt.name.lower() if isinstance(rt, EVPNRouteType) else rt,
            "text": str(self),
        }
        for f in dataclasses.fields(self):
            out[f.name] = _json_value(getattr(self, f.name))
        if self.label_fields:
            out["labels"] = list(self.labels)
            out["vni"] = self.vni
        return out


def _with_path_id(path_id: int | None, code: int, body: bytes) -> bytes:
    if len(body) > 255 or not 0 <= code <= 255:
        raise EncodeError("evpn", f"route type {code} / length {len(body)} does not fit one octet")
    out = bytes((code, len(body))) + body
    if path_id is None:
        return out
    return _u32("path_id", path_id) + out


class _NoMAC:
    """Route types without a MAC address."""

    __slots__ = ()

    @property
    def mac(self) -> str | None:
        """The MAC address (type 2 only), else ``None``."""
        return None


class _NoIP:
    """Route types without an IP address."""

    __slots__ = ()

    @property
    def ip(self) -> str | None:
        """The IP address of the route (``None`` for this type)."""
        return None


class _NoESI:
    """Route types without an Ethernet Segment Identifier."""

    __slots__ = ()

    @property
    def esi(self) -> ESI | None:
        """The Ethernet Segment Identifier (``None`` for this type)."""
        return None


def _tag(tag: int) -> str:
    return f"tag {tag}"


def _sg(source: str | None, group: str | None) -> list[str]:
    return [f"S {source or '*'}", f"G {group or '*'}"]


@dataclass(slots=True)
class EthernetAutoDiscovery(_NoMAC, _NoIP, EVPNRoute):
    """Type 1, Ethernet Auto-discovery route (RFC 7432 section 7.1)."""

    TYPE: ClassVar[int] = 1
    rd: RouteDistinguisher
    esi: ESI
    ethernet_tag: int
    label: int

    @property
    def label_fields(self) -> tuple[int, ...]:
        return (self.label,)

    def encode_body(self) -> bytes:
        return (
            self.rd.encode() + self.esi.encode() + _u32("ethernet_tag", self.ethernet_tag) + _u24("label", self.label)
        )

    def text_fields(self) -> list[str]:
        return [str(self.rd), f"ESI {self.esi}", _tag(self.ethernet_tag)]

    @classmethod
    def decode_from(cls, r: _Reader) -> EthernetAutoDiscovery:
        return cls(r.rd(), r.esi(), r.u32("Ethernet tag"), r.u24("MPLS label"))


@dataclass(slots=True)
class MACIPAdvertisement(EVPNRoute):
    """Type 2, MAC/IP Advertisement route (RFC 7432 section 7.2): a MAC, an
    optional IPv4/IPv6 address, one or two label fields."""

    TYPE: ClassVar[int] = 2
    rd: RouteDistinguisher
    esi: ESI
    ethernet_tag: int
    mac: str
    ip: str | None
    label1: int
    label2: int | None = None
    mac_length: int = 48

    @property
    def label_fields(self) -> tuple[int, ...]:
        return (self.label1,) if self.label2 is None else (self.label1, self.label2)

    @property
    def is_host_route(self) -> bool:
        """The route carries an IP address (a /32 or /128 host route)."""
        return self.ip is not None

    def encode_body(self) -> bytes:
        out = (
            self.rd.encode()
            + self.esi.encode()
            + _u32("ethernet_tag", self.ethernet_tag)
            + _u8("mac_length", self.mac_length)
            + _mac_raw(self.mac)
            + _len_ip("ip", self.ip)
            + _u24("label1", self.label1)
        )
        if self.label2 is not None:
            out += _u24("label2", self.label2)
        return out

    def text_fields(self) -> list[str]:
        out = [str(self.rd), f"ESI {self.esi}", _tag(self.ethernet_tag), f"MAC {self.mac}"]
        if self.ip is not None:
            out.append(f"IP {self.ip}")
        return out

    @classmethod
    def decode_from(cls, r: _Reader) -> MACIPAdvertisement:
        rd = r.rd()
        esi = r.esi()
        tag = r.u32("Ethernet tag")
        mac_length = r.u8("MAC address length")
        mac = r.take(6, "MAC address").hex(":")
        ip = r.address("IP address")
        label1 = r.u24("MPLS label 1")
        label2 = r.u24("MPLS label 2") if r.p < r.end else None
        return cls(rd, esi, tag, mac, ip, label1, label2, mac_length)


@dataclass(slots=True)
class InclusiveMulticastEthernetTag(_NoMAC, _NoESI, EVPNRoute):
    """Type 3, Inclusive Multicast Ethernet Tag route (RFC 7432 section 7.3);
    *originator* is the originating router's IPv4 or IPv6 address."""

    TYPE: ClassVar[int] = 3
    rd: RouteDistinguisher
    ethernet_tag: int
    originator: str

    @property
    def ip(self) -> str | None:
        return self.originator

    def encode_body(self) -> bytes:
        return self.rd.encode() + _u32("ethernet_tag", self.ethernet_tag) + _len_ip("originator", self.originator)

    def text_fields(self) -> list[str]:
        return [str(self.rd), _tag(self.ethernet_tag), f"IP {self.originator}"]

    @classmethod
    def decode_from(cls, r: _Reader) -> InclusiveMulticastEthernetTag:
        rd = r.rd()
        tag = r.u32("Ethernet tag")
        return cls(rd, tag, r.address("originating router's IP address", False) or "")


@dataclass(slots=True)
class EthernetSegment(_NoMAC, EVPNRoute):
    """Type 4, Ethernet Segment route (RFC 7432 section 7.4)."""

    TYPE: ClassVar[int] = 4
    rd: RouteDistinguisher
    esi: ESI
    originator: str

    @property
    def ip(self) -> str | None:
        return self.originator

    def encode_body(self) -> bytes:
        return self.rd.encode() + self.esi.encode() + _len_ip("originator", self.originator)

    def text_fields(self) -> list[str]:
        return [str(self.rd), f"ESI {self.esi}", f"IP {self.originator}"]

    @classmethod
    def decode_from(cls, r: _Reader) -> EthernetSegment:
        rd = r.rd()
        esi = r.esi()
        return cls(rd, esi, r.address("originating router's IP address", False) or "")


@dataclass(slots=True)
class IPPrefix(_NoMAC, EVPNRoute):
    """Type 5, IP Prefix route (RFC 9136 section 3.1).  IPv4 and IPv6 are
    told apart by the route length (34 or 58 octets); *prefix* is
    ``address/length``, *gateway* the gateway IP address (all zeros when
    there is none)."""

    TYPE: ClassVar[int] = 5
    rd: RouteDistinguisher
    esi: ESI
    ethernet_tag: int
    prefix: str
    gateway: str
    label: int

    @property
    def ip(self) -> str | None:
        return self.prefix.partition("/")[0]

    @property
    def prefix_length(self) -> int:
        """The IP prefix length in bits."""
        return int(self.prefix.rpartition("/")[2])

    @property
    def label_fields(self) -> tuple[int, ...]:
        return (self.label,)

    def encode_body(self) -> bytes:
        addr, _, length = self.prefix.partition("/")
        raw = _ip_raw("prefix", addr)
        gw = _ip_raw("gateway", self.gateway)
        try:
            plen = int(length)
        except ValueError as exc:
            raise EncodeError("prefix", f"not ADDRESS/LENGTH: {self.prefix!r}") from exc
        if len(gw) != len(raw) or not 0 <= plen <= len(raw) * 8:
            raise EncodeError("prefix", f"prefix {self.prefix!r} and gateway {self.gateway!r} do not match")
        return (
            self.rd.encode()
            + self.esi.encode()
            + _u32("ethernet_tag", self.ethernet_tag)
            + bytes((plen,))
            + raw
            + gw
            + _u24("label", self.label)
        )

    def text_fields(self) -> list[str]:
        out = [str(self.rd), f"ESI {self.esi}", _tag(self.ethernet_tag), f"prefix {self.prefix}"]
        if self.gateway not in ("0.0.0.0", "::"):
            out.append(f"GW {self.gateway}")
        return out

    @classmethod
    def decode_from(cls, r: _Reader) -> IPPrefix:
        size = r.end - r.p
        if size == 34:
            n = 4
        elif size == 58:
            n = 16
        else:
            raise r.fail(f"EVPN IP prefix route of {size} octets (expected 34 for IPv4 or 58 for IPv6)")
        rd = r.rd()
        esi = r.esi()
        tag = r.u32("Ethernet tag")
        plen = r.u8("IP prefix length")
        if plen > n * 8:
            raise r.fail(f"IP prefix length {plen} is longer than the address")
        addr = _ip_text(r.take(n, "IP prefix"))
        gateway = _ip_text(r.take(n, "gateway IP address"))
        return cls(rd, esi, tag, f"{addr}/{plen}", gateway, r.u24("MPLS label"))


@dataclass(slots=True)
class SelectiveMulticastEthernetTag(_NoMAC, _NoESI, EVPNRoute):
    """Type 6, Selective Multicast Ethernet Tag (SMET) route (RFC 9251
    section 9.1): (S,G) or (*,G) interest; *flags* are the IGMP/MLD version
    and include/exclude bits (``None`` when the octet is absent)."""

    TYPE: ClassVar[int] = 6
    rd: RouteDistinguisher
    ethernet_tag: int
    source: str | None
    group: str | None
    originator: str | None
    flags: int | None = None

    @property
    def ip(self) -> str | None:
        return self.originator

    def encode_body(self) -> bytes:
        out = (
            self.rd.encode()
            + _u32("ethernet_tag", self.ethernet_tag)
            + _len_ip("source", self.source)
            + _len_ip("group", self.group)
            + _len_ip("originator", self.originator)
        )
        return out if self.flags is None else out + _u8("flags", self.flags)

    def text_fields(self) -> list[str]:
        return [str(self.rd), _tag(self.ethernet_tag), *_sg(self.source, self.group), f"IP {self.originator}"]

    @classmethod
    def decode_from(cls, r: _Reader) -> SelectiveMulticastEthernetTag:
        rd = r.rd()
        tag = r.u32("Ethernet tag")
        source = r.address("multicast source")
        group = r.address("multicast group")
        originator = r.address("originator router")
        flags = r.u8("flags") if r.p < r.end else None
        return cls(rd, tag, source, group, originator, flags)


@dataclass(slots=True)
class MulticastMembershipReportSynch(_NoMAC, EVPNRoute):
    """Type 7, Multicast Membership Report Synch route (RFC 9251 section
    9.2): IGMP/MLD join synchronisation between multihoming PEs."""

    TYPE: ClassVar[int] = 7
    rd: RouteDistinguisher
    esi: ESI
    ethernet_tag: int
    source: str | None
    group: str | None
    originator: str | None
    flags: int | None = None

    @property
    def ip(self) -> str | None:
        return self.originator

    def encode_body(self) -> bytes:
        out = (
            self.rd.encode()
            + self.esi.encode()
            + _u32("ethernet_tag", self.ethernet_tag)
            + _len_ip("source", self.source)
            + _len_ip("group", self.group)
            + _len_ip("originator", self.originator)
        )
        return out if self.flags is None else out + _u8("flags", self.flags)

    def text_fields(self) -> list[str]:
        return [
            str(self.rd),
            f"ESI {self.esi}",
            _tag(self.ethernet_tag),
            *_sg(self.source, self.group),
            f"IP {self.originator}",
        ]

    @classmethod
    def decode_from(cls, r: _Reader) -> MulticastMembershipReportSynch:
        rd = r.rd()
        esi = r.esi()
        tag = r.u32("Ethernet tag")
        source = r.address("multicast source")
        group = r.address("multicast group")
        originator = r.address("originator router")
        flags = r.u8("flags") if r.p < r.end else None
        return cls(rd, esi, tag, source, group, originator, flags)


@dataclass(slots=True)
class MulticastLeaveSynch(_NoMAC, EVPNRoute):
    """Type 8, Multicast Leave Synch route (RFC 9251 section 9.3)."""

    TYPE: ClassVar[int] = 8
    rd: RouteDistinguisher
    esi: ESI
    ethernet_tag: int
    source: str | None
    group: str | None
    originator: str | None
    leave_group_synchronization: int
    maximum_response_time: int
    flags: int | None = None

    @property
    def ip(self) -> str | None:
        return self.originator

    def encode_body(self) -> bytes:
        out = (
            self.rd.encode()
            + self.esi.encode()
            + _u32("ethernet_tag", self.ethernet_tag)
            + _len_ip("source", self.source)
            + _len_ip("group", self.group)
            + _len_ip("originator", self.originator)
            + _u32("leave_group_synchronization", self.leave_group_synchronization)
            + _u8("maximum_response_time", self.maximum_response_time)
        )
        return out if self.flags is None else out + _u8("flags", self.flags)

    def text_fields(self) -> list[str]:
        return [
            str(self.rd),
            f"ESI {self.esi}",
            _tag(self.ethernet_tag),
            *_sg(self.source, self.group),
            f"IP {self.originator}",
        ]

    @classmethod
    def decode_from(cls, r: _Reader) -> MulticastLeaveSynch:
        rd = r.rd()
        esi = r.esi()
        tag = r.u32("Ethernet tag")
        source = r.address("multicast source")
        group = r.address("multicast group")
        originator = r.address("originator router")
        sync = r.u32("leave group synchronization number")
        mrt = r.u8("maximum response time")
        flags = r.u8("flags") if r.p < r.end else None
        return cls(rd, esi, tag, source, group, originator, sync, mrt, flags)


@dataclass(slots=True)
class PerRegionIPMSIAutoDiscovery(_NoMAC, _NoIP, _NoESI, EVPNRoute):
    """Type 9, Per-Region I-PMSI A-D route (RFC 9572 section 3.1); the
    8-octet *region_id* is encoded like an extended community."""

    TYPE: ClassVar[int] = 9
    rd: RouteDistinguisher
    ethernet_tag: int
    region_id: bytes

    def encode_body(self) -> bytes:
        if len(self.region_id) != 8:
            raise EncodeError("region_id", f"needs 8 octets, got {len(self.region_id)}")
        return self.rd.encode() + _u32("ethernet_tag", self.ethernet_tag) + self.region_id

    def text_fields(self) -> list[str]:
        return [str(self.rd), _tag(self.ethernet_tag), f"region {self.region_id.hex()}"]

    @classmethod
    def decode_from(cls, r: _Reader) -> PerRegionIPMSIAutoDiscovery:
        return cls(r.rd(), r.u32("Ethernet tag"), r.take(8, "region ID"))


@dataclass(slots=True)
class SPMSIAutoDiscovery(_NoMAC, _NoESI, EVPNRoute):
    """Type 10, S-PMSI A-D route (RFC 9572 section 3.2)."""

    TYPE: ClassVar[int] = 10
    rd: RouteDistinguisher
    ethernet_tag: int
    source: str | None
    group: str | None
    originator: str | None

    @property
    def ip(self) -> str | None:
        return self.originator

    def encode_body(self) -> bytes:
        return (
            self.rd.encode()
            + _u32("ethernet_tag", self.ethernet_tag)
            + _len_ip("source", self.source)
            + _len_ip("group", self.group)
            + _len_ip("originator", self.originator)
        )

    def text_fields(self) -> list[str]:
        return [str(self.rd), _tag(self.ethernet_tag), *_sg(self.source, self.group), f"IP {self.originator}"]

    @classmethod
    def decode_from(cls, r: _Reader) -> SPMSIAutoDiscovery:
        rd = r.rd()
        tag = r.u32("Ethernet tag")
        source = r.address("multicast source")
        group = r.address("multicast group")
        return cls(rd, tag, source, group, r.address("originator"))


@dataclass(slots=True)
class LeafAutoDiscovery(_NoMAC, _NoESI, EVPNRoute):
    """Type 11, Leaf A-D route (RFC 9572 section 3.3): *route_key* is the
    whole NLRI (type, length, body) of the route it responds to, decoded."""

    TYPE: ClassVar[int] = 11
    route_key: EVPNRoute
    originator: str

    @property
    def ip(self) -> str | None:
        return self.originator

    def encode_body(self) -> bytes:
        return self.route_key.encode() + _len_ip("originator", self.originator)

    def text_fields(self) -> list[str]:
        return [f"key {self.route_key}", f"IP {self.originator}"]

    @classmethod
    def decode_from(cls, r: _Reader) -> LeafAutoDiscovery:
        start = r.p
        hdr = r.take(2, "route key")
        r.take(hdr[1], "route key")
        key = decode_evpn_route(r.buf, start, r.p)
        return cls(key, r.address("originating router's IP address", False) or "")


@dataclass(slots=True)
class UnknownEVPNRoute(_NoMAC, _NoIP, _NoESI, EVPNRoute):
    """An EVPN route of a type bmplib does not decode: its code and raw
    route-type specific octets."""

    code: int
    data: bytes

    @property
    def route_type(self) -> EVPNRouteType | int:
        return _ROUTE_TYPES.get(self.code, self.code)

    def encode(self) -> bytes:
        return _with_path_id(self.path_id, self.code, self.data)

    def __str__(self) -> str:
        return f"[{self.code}][{self.data.hex()}]"


_DECODERS: dict[int, Any] = {
    1: EthernetAutoDiscovery.decode_from,
    2: MACIPAdvertisement.decode_from,
    3: InclusiveMulticastEthernetTag.decode_from,
    4: EthernetSegment.decode_from,
    5: IPPrefix.decode_from,
    6: SelectiveMulticastEthernetTag.decode_from,
    7: MulticastMembershipReportSynch.decode_from,
    8: MulticastLeaveSynch.decode_from,
    9: PerRegionIPMSIAutoDiscovery.decode_from,
    10: SPMSIAutoDiscovery.decode_from,
    11: LeafAutoDiscovery.decode_from,
}


# --------------------------------------------------------------------------
# decoding


def decode_evpn_route(buf: bytes, pos: int, end: int) -> EVPNRoute:
    """Decode one EVPN NLRI (type, length, body) that fills ``buf[pos:end]``
    exactly.  A route type with no decoder is an :class:`UnknownEVPNRoute`;
    a known type whose body does not parse is an :class:`NLRIDecodeError`."""
    if end - pos < 2 or buf[pos + 1] != end - pos - 2:
        raise NLRIDecodeError("EVPN route length does not match its field", pos, buf[pos:end])
    code = buf[pos]
    if code == 2 and end - pos in _TYPE2_SIZES:
        # fast path for the common MAC/IP route: every length is implied by the route length
        p = pos + 2
        ip_len = buf[p + 29]
        n = _ADDR_LENGTHS.get(ip_len)
        if n is not None and end - pos - 32 - n in (3, 6):
            q = p + 30 + n
            return MACIPAdvertisement(
                RouteDistinguisher(buf[p : p + 8]),
                ESI(buf[p + 8 : p + 18]),
                _U32.unpack_from(buf, p + 18)[0],
                buf[p + 23 : p + 29].hex(":"),
                _ip_text(buf[p + 30 : q]) if n else None,
                int.from_bytes(buf[q : q + 3], "big"),
                int.from_bytes(buf[q + 3 : q + 6], "big") if end - q == 6 else None,
                buf[p + 22],
            )
    decoder = _DECODERS.get(code)
    if decoder is None:
        return UnknownEVPNRoute(code, buf[pos + 2 : end])
    r = _Reader(buf, pos + 2, end, pos)
    route: EVPNRoute = decoder(r)
    r.done()
    return route


def decode_evpn_nlri(buf: bytes, pos: int, end: int, path_id: bool = False) -> list[EVPNRoute]:
    """Decode the EVPN NLRI in ``buf[pos:end]`` (the NLRI field of an
    MP_REACH_NLRI / MP_UNREACH_NLRI), with a 4-octet ADD-PATH path ID in
    front of each route when *path_id* (RFC 7911)."""
    routes: list[EVPNRoute] = []
    append = routes.append
    p = pos
    while p < end:
        start = p
        pid: int | None = None
        if path_id:
            if p + 4 > end:
                raise NLRIDecodeError("EVPN NLRI too short for its path identifier", start, buf[start:end])
            pid = int(_U32.unpack_from(buf, p)[0])
            p += 4
        if p + 2 > end:
            raise NLRIDecodeError("EVPN NLRI too short for its type and length", start, buf[start:end])
        q = p + 2 + buf[p + 1]
        if q > end:
            raise NLRIDecodeError("EVPN route runs past the end of the NLRI", start, buf[start:end])
        route = decode_evpn_route(buf, p, q)
        route.path_id = pid
        append(route)
        p = q
    return routes


class EVPNCodec:
    """The NLRI codec of AFI 25 / SAFI 70 (see :mod:`bmplib.nlri.registry`)."""

    def decode(self, buf: bytes, pos: int, end: int, path_id: bool, ctx: DecodeContext) -> list[Any]:
        return decode_evpn_nlri(buf, pos, end, path_id)

    def encode(self, routes: list[Any], path_id: bool, ctx: DecodeContext) -> bytes:
        return b"".join(r.encode() for r in routes)


register(AFI.L2VPN, SAFI.EVPN, EVPNCodec())
