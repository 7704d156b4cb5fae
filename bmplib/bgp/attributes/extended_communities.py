"""EXTENDED_COMMUNITIES (16, RFC 4360) and IPv6 Address Specific Extended
Community (25, RFC 5701), with the typed extended communities of RFC 4360,
RFC 5668, RFC 7153, the link bandwidth community and the RFC 9012
encapsulation community.

The extended-community registry
-------------------------------
An extended community is 8 octets: type, sub-type, 6-octet value.  Typed
ones are found through a registry keyed by ``(type, subtype)``; other
modules add theirs (EVPN MAC mobility, ESI label, ...) at import time::

    register_extended_community(0x06, 0x00, decode_mac_mobility)

where ``decode(buf, pos)`` reads the 8 octets at ``buf[pos:pos + 8]`` and
returns an object with ``type``, ``subtype``, ``encode() -> bytes`` (the 8
octets) and a text ``str()``.  A ``(type, subtype)`` nobody registered stays
an :class:`ExtendedCommunity` with its raw 6-octet value.
"""

from __future__ import annotations

import enum
import math
import socket
import struct
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, ClassVar

from bmplib.bgp.attributes.base import (
    OPTIONAL_TRANSITIVE,
    AttributeType,
    ErrorAction,
    MalformedAttributeError,
    _AttributeBase,
    register_attribute,
)
from bmplib.errors import EncodeError
from bmplib.session import DecodeContext

__all__ = [
    "Encapsulation",
    "ExtendedCommunities",
    "ExtendedCommunity",
    "IPv6ExtendedCommunities",
    "IPv6ExtendedCommunity",
    "LinkBandwidth",
    "Redirect",
    "RouteOrigin",
    "RouteTarget",
    "TunnelType",
    "register_extended_community",
]

_HI = struct.Struct("!HI")
_IH = struct.Struct("!IH")
_H_F = struct.Struct("!Hf")

#: AS-specific / address-specific type high octets (RFC 4360, RFC 5668);
#: 0x4x are the non-transitive variants (RFC 7153).
TWO_OCTET_AS = (0x00, 0x40)
IPV4_ADDRESS = (0x01, 0x41)
FOUR_OCTET_AS = (0x02, 0x42)
SUBTYPE_ROUTE_TARGET = 0x02
SUBTYPE_ROUTE_ORIGIN = 0x03
SUBTYPE_LINK_BANDWIDTH = 0x04
SUBTYPE_ENCAPSULATION = 0x0C
TRANSITIVE_OPAQUE = 0x03
#: FlowSpec redirect: generic transitive experimental types (RFC 7153) 0x80 / 0x81 / 0x82
FLOWSPEC_REDIRECT_TYPES = (0x80, 0x81, 0x82)
SUBTYPE_REDIRECT = 0x08


class TunnelType(enum.IntEnum):
    """BGP Tunnel Encapsulation Attribute Tunnel Types (IANA, RFC 9012)."""

    L2TPV3_OVER_IP = 1
    GRE = 2
    TRANSMIT_TUNNEL_ENDPOINT = 3
    IPSEC_TUNNEL_MODE = 4
    IP_IN_IP_TUNNEL_WITH_IPSEC = 5
    MPLS_IN_IP_TUNNEL_WITH_IPSEC = 6
    IP_IN_IP = 7
    VXLAN = 8
    NVGRE = 9
    MPLS = 10
    MPLS_IN_GRE = 11
    VXLAN_GPE = 12
    MPLS_IN_UDP = 13
    IPV6_TUNNEL = 14
    SR_TE_POLICY = 15
    BARE = 16
    SR_TUNNEL = 17
    CLOUD_SECURITY = 18
    GENEVE = 19
    ANY_ENCAPSULATION = 20
    GTP_TUNNEL_TYPE = 21
    DYNAMIC_PATH_SELECTION = 22
    ORIGINATING_PE = 23
    DYNAMIC_PATH_SELECTION_POLICY = 24
    SDWAN_HYBRID = 25
    X_OVER_UDP = 26
    ESP_OVER_UDP = 27


_TUNNEL_TYPES = {m.value: m for m in TunnelType}


class _Text:
    """JSON adds the text form (``target:65000:100``, ``encapsulation:vxlan``,
    ``mac-mobility:7:sticky``, ...) to the fields of an extended community."""

    __slots__ = ()
    _json_views: ClassVar[tuple[str, ...]] = ("text",)

    @property
    def text(self) -> str:
        """The text form (``target:65000:100``, ``encapsulation:vxlan``, ...)."""
        return str(self)


@dataclass(slots=True)
class ExtendedCommunity(_Text):
    """An extended community of a type bmplib does not decode (RFC 4360
    section 2): type, sub-type, and the 6 value octets."""

    type: int
    subtype: int
    value: bytes

    def __str__(self) -> str:
        return f"0x{self.type:02x}:0x{self.subtype:02x}:{self.value.hex()}"

    def encode(self) -> bytes:
        if len(self.value) != 6:
            raise EncodeError("extended_community.value", f"needs 6 octets, got {len(self.value)}")
        return pack_type(self.type, self.subtype) + self.value


def pack_type(type_: int, subtype: int) -> bytes:
    """The type and sub-type octets of an extended community, checked."""
    if not 0 <= type_ <= 0xFF:
        raise EncodeError("extended_community.type", f"{type_} does not fit 1 octet")
    if not 0 <= subtype <= 0xFF:
        raise EncodeError("extended_community.subtype", f"{subtype} does not fit 1 octet")
    return bytes((type_, subtype))


def _encode_admin(t: int, admin: int | str, local: int) -> bytes:
    """The 6 value octets of an AS- or IPv4-specific community."""
    hi = t & 0x3F
    try:
        if hi == 0x00 and isinstance(admin, int):
            return _HI.pack(admin, local)
        if hi == 0x01 and isinstance(admin, str):
            return socket.inet_aton(admin) + struct.pack("!H", local)
        if hi == 0x02 and isinstance(admin, int):
            return _IH.pack(admin, local)
    except (struct.error, OSError) as exc:
        raise EncodeError("extended_community", f"{admin}:{local} does not fit type 0x{t:02x}") from exc
    raise EncodeError("extended_community", f"administrator {admin!r} does not fit type 0x{t:02x}")


def _decode_admin(buf: bytes, pos: int) -> tuple[int | str, int]:
    hi = buf[pos] & 0x3F
    if hi == 0x00:
        a, b = _HI.unpack_from(buf, pos + 2)
        return a, b
    if hi == 0x01:
        return socket.inet_ntoa(buf[pos + 2 : pos + 6]), int.from_bytes(buf[pos + 6 : pos + 8], "big")
    a, b = _IH.unpack_from(buf, pos + 2)
    return a, b


@dataclass(slots=True)
class _AdminCommunity(_Text):
    """An AS- or IPv4-specific community (RFC 4360 sections 3.1 to 3.2, RFC
    5668): global administrator (AS number or IPv4 address) and local one."""

    kind: ClassVar[str]
    type: int
    subtype: int
    global_admin: int | str
    local_admin: int

    def __str__(self) -> str:
        return f"{self.kind}:{self.global_admin}:{self.local_admin}"

    def encode(self) -> bytes:
        return pack_type(self.type, self.subtype) + _encode_admin(self.type, self.global_admin, self.local_admin)


@dataclass(slots=True)
class RouteTarget(_AdminCommunity):
    """Route Target (sub-type 0x02; RFC 4360 section 4, RFC 5668): type 0x00
    (2-octet AS : 4-octet number), 0x01 (IPv4 : 2-octet number) or 0x02
    (4-octet AS : 2-octet number), or their non-transitive 0x4x variants."""

    kind: ClassVar[str] = "target"


@dataclass(slots=True)
class RouteOrigin(_AdminCommunity):
    """Route Origin / Site of Origin (sub-type 0x03; RFC 4360 section 5),
    in the same three forms as :class:`RouteTarget`."""

    kind: ClassVar[str] = "origin"


def _admin_decoder(cls: type[_AdminCommunity]) -> Callable[[bytes, int], _AdminCommunity]:
    """The registry decoder of *cls* (a plain function, as fast as one written out)."""

    def decode(buf: bytes, pos: int) -> _AdminCommunity:
        g, loc = _decode_admin(buf, pos)
        return cls(buf[pos], buf[pos + 1], g, loc)

    return decode


@dataclass(slots=True)
class Redirect(_AdminCommunity):
    """FlowSpec redirect to a VRF (sub-type 0x08; RFC 8955 section 7.4):
    the route target of the VRF, in its AS-2 (type 0x80), IPv4 (0x81) or
    AS-4 (0x82) form (the transitive experimental types)."""

    kind: ClassVar[str] = "redirect"


_decode_rt = _admin_decoder(RouteTarget)
_decode_ro = _admin_decoder(RouteOrigin)
_decode_redirect = _admin_decoder(Redirect)


@dataclass(slots=True)
class LinkBandwidth(_Text):
    """Link Bandwidth (2-octet AS specific, sub-type 0x04;
    draft-ietf-idr-link-bandwidth): AS number and bandwidth in bytes per
    second (IEEE 754 single precision)."""

    type: int
    subtype: int
    asn: int
    bandwidth: float

    def __str__(self) -> str:
        return f"bandwidth:{self.asn}:{self.bandwidth:g}"

    def encode(self) -> bytes:
        try:
            return pack_type(self.type, self.subtype) + _H_F.pack(self.asn, self.bandwidth)
        except (struct.error, OverflowError) as exc:
            raise EncodeError("link_bandwidth", str(exc)) from exc


def _decode_link_bandwidth(buf: bytes, pos: int) -> LinkBandwidth | ExtendedCommunity:
    asn, bw = _H_F.unpack_from(buf, pos + 2)
    if math.isnan(bw):  # a NaN's payload would not survive the float: keep the octets
        return ExtendedCommunity(buf[pos], buf[pos + 1], buf[pos + 2 : pos + 8])
    return LinkBandwidth(buf[pos], buf[pos + 1], asn, bw)


@dataclass(slots=True)
class Encapsulation(_Text):
    """Encapsulation (transitive opaque 0x03, sub-type 0x0c; RFC 9012 section
    4.1): the tunnel type, by name when IANA has it."""

    type: int
    subtype: int
    tunnel_type: TunnelType | int
    reserved: int = 0

    def __str__(self) -> str:
        t = self.tunnel_type
        return f"encapsulation:{t.name.lower() if isinstance(t, TunnelType) else t}"

    def encode(self) -> bytes:
        try:
            return pack_type(self.type, self.subtype) + struct.pack("!IH", self.reserved, self.tunnel_type)
        except struct.error as exc:
            raise EncodeError("encapsulation", str(exc)) from exc


def _decode_encapsulation(buf: bytes, pos: int) -> Encapsulation:
    reserved, t = struct.unpack_from("!IH", buf, pos + 2)
    return Encapsulation(buf[pos], buf[pos + 1], _TUNNEL_TYPES.get(t, t), reserved)


ExtCommunityDecoder = Callable[[bytes, int], Any]
_EXT_REGISTRY: dict[tuple[int, int], ExtCommunityDecoder] = {}


def register_extended_community(type_: int, subtype: int, decode: ExtCommunityDecoder) -> None:
    """Register the decoder of one (type, sub-type) of extended community."""
    _EXT_REGISTRY[(type_, subtype)] = decode


for _t in (*TWO_OCTET_AS, *IPV4_ADDRESS, *FOUR_OCTET_AS):
    register_extended_community(_t, SUBTYPE_ROUTE_TARGET, _decode_rt)
    register_extended_community(_t, SUBTYPE_ROUTE_ORIGIN, _decode_ro)
for _t in TWO_OCTET_AS:
    register_extended_community(_t, SUBTYPE_LINK_BANDWIDTH, _decode_link_bandwidth)
register_extended_community(TRANSITIVE_OPAQUE, SUBTYPE_ENCAPSULATION, _decode_encapsulation)
# FlowSpec redirect (RFC 8955 section 7.4); the other traffic actions are in flowspec_communities
for _t in FLOWSPEC_REDIRECT_TYPES:
    register_extended_community(_t, SUBTYPE_REDIRECT, _decode_redirect)


def decode_extended_community(buf: bytes, pos: int) -> Any:
    """One extended community from the 8 octets at *pos*."""
    fn = _EXT_REGISTRY.get((buf[pos], buf[pos + 1]))
    if fn is not None:
        return fn(buf, pos)
    return ExtendedCommunity(buf[pos], buf[pos + 1], buf[pos + 2 : pos + 8])


@dataclass(slots=True)
class ExtendedCommunities(_AttributeBase):
    """EXTENDED_COMMUNITIES (type 16, RFC 4360): typed communities, wire order."""

    type_code: ClassVar[int] = AttributeType.EXTENDED_COMMUNITIES
    communities: list[Any]
    flags: int = OPTIONAL_TRANSITIVE

    @property
    def text(self) -> list[str]:
        return [str(c) for c in self.communities]

    def _value(self) -> bytes:
        return b"".join(c.encode() for c in self.communities)


def decode_extended_communities(buf: bytes, pos: int, end: int, flags: int, ctx: DecodeContext) -> ExtendedCommunities:
    if (end - pos) & 7:
        raise MalformedAttributeError(
            f"EXTENDED_COMMUNITIES length {end - pos} is not a multiple of 8", pos, buf[pos:end]
        )
    reg = _EXT_REGISTRY
    out = []
    for p in range(pos, end, 8):
        fn = reg.get((buf[p], buf[p + 1]))
        out.append(fn(buf, p) if fn is not None else ExtendedCommunity(buf[p], buf[p + 1], buf[p + 2 : p + 8]))
    return ExtendedCommunities(out, flags)


@dataclass(slots=True)
class IPv6ExtendedCommunity(_Text):
    """An IPv6 Address Specific Extended Community (RFC 5701 section 2):
    type (0x00 transitive, 0x40 not), sub-type (0x02 route target, 0x03
    route origin, ...), IPv6 global administrator, 2-octet local administrator."""

    type: int
    subtype: int
    address: str
    local_admin: int

    @property
    def kind(self) -> str:
        return {SUBTYPE_ROUTE_TARGET: "target", SUBTYPE_ROUTE_ORIGIN: "origin"}.get(
            self.subtype, f"0x{self.subtype:02x}"
        )

    def __str__(self) -> str:
        return f"{self.kind}:{self.address}:{self.local_admin}"

    def encode(self) -> bytes:
        try:
            return (
                pack_type(self.type, self.subtype)
                + socket.inet_pton(socket.AF_INET6, self.address)
                + struct.pack("!H", self.local_admin)
            )
        except (OSError, struct.error) as exc:
            raise EncodeError("ipv6_extended_community", str(exc)) from exc


@dataclass(slots=True)
class IPv6ExtendedCommunities(_AttributeBase):
    """IPv6 Address Specific Extended Community attribute (type 25, RFC 5701)."""

    type_code: ClassVar[int] = AttributeType.IPV6_EXTENDED_COMMUNITIES
    communities: list[IPv6ExtendedCommunity]
    flags: int = OPTIONAL_TRANSITIVE

    def _value(self) -> bytes:
        return b"".join(c.encode() for c in self.communities)


def decode_ipv6_extended_communities(
    buf: bytes, pos: int, end: int, flags: int, ctx: DecodeContext
) -> IPv6ExtendedCommunities:
    if (end - pos) % 20:
        raise MalformedAttributeError(
            f"IPv6 extended communities length {end - pos} is not a multiple of 20", pos, buf[pos:end]
        )
    out = [
        IPv6ExtendedCommunity(
            buf[p], buf[p + 1], socket.inet_ntop(socket.AF_INET6, buf[p + 2 : p + 18]), (buf[p + 18] << 8) | buf[p + 19]
        )
        for p in range(pos, end, 20)
    ]
    return IPv6ExtendedCommunities(out, flags)


# RFC 7606 sections 7.14 and 7.15: treat-as-withdraw
register_attribute(
    AttributeType.EXTENDED_COMMUNITIES,
    decode_extended_communities,
    ExtendedCommunities,
    ErrorAction.TREAT_AS_WITHDRAW,
    OPTIONAL_TRANSITIVE,
)
register_attribute(
    AttributeType.IPV6_EXTENDED_COMMUNITIES,
    decode_ipv6_extended_communities,
    IPv6ExtendedCommunities,
    ErrorAction.TREAT_AS_WITHDRAW,
    OPTIONAL_TRANSITIVE,
)
