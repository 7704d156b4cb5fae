"""The EVPN extended communities (type 0x06, IANA "EVPN Extended Community
Sub-Types") and the default gateway community (transitive opaque 0x03 /
0x0d, RFC 7432 section 7.8), registered in the extended-community registry
of :mod:`bmplib.bgp.attributes.extended_communities`.

=======  =====================================  ============================
subtype  community                              class
=======  =====================================  ============================
0x00     MAC Mobility (RFC 7432 section 7.7)    :class:`MACMobility`
0x01     ESI Label (RFC 7432 section 7.5)       :class:`ESILabel`
0x02     ES-Import Route Target (section 7.6)   :class:`ESImportRouteTarget`
0x03     EVPN Router's MAC (RFC 9135)           :class:`RouterMAC`
0x04     Layer 2 Attributes (RFC 8214)          :class:`Layer2Attributes`
0x05     E-Tree (RFC 8317)                      :class:`ETree`
0x06     DF Election (RFC 8584)                 :class:`DFElection`
=======  =====================================  ============================

Each has ``type``, ``subtype``, ``encode()`` (the 8 octets, exactly as
received: reserved octets are kept) and a text ``str()``.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from typing import ClassVar

from bmplib.bgp.attributes.extended_communities import _Text, pack_type, register_extended_community
from bmplib.errors import EncodeError

__all__ = [
    "DEFAULT_GATEWAY",
    "EVPN",
    "DFElection",
    "DefaultGateway",
    "ESILabel",
    "ESImportRouteTarget",
    "ETree",
    "Layer2Attributes",
    "MACMobility",
    "RouterMAC",
]

#: the EVPN extended community type (RFC 7153 section 5.1.8)
EVPN = 0x06
#: transitive opaque type / default gateway sub-type (RFC 7432 section 7.8)
DEFAULT_GATEWAY = (0x03, 0x0D)

_BBI = struct.Struct("!BBI")


def _check(name: str, value: int, octets: int) -> None:
    if not 0 <= value < 1 << (8 * octets):
        raise EncodeError(name, f"{value} does not fit {octets} octet(s)")


def _mac_raw(mac: str) -> bytes:
    try:
        raw = bytes.fromhex(mac.replace(":", "").replace("-", ""))
    except ValueError:
        raw = b""
    if len(raw) != 6:
        raise EncodeError("mac", f"not a MAC address: {mac!r}")
    return raw


@dataclass(slots=True)
class MACMobility(_Text):
    """MAC Mobility (RFC 7432 section 7.7): the sequence number a PE bumps
    each time a MAC moves to it, and the sticky (static) flag."""

    type: int
    subtype: int
    flags: int
    reserved: int
    sequence: int

    @property
    def sticky(self) -> bool:
        """The S flag: a static MAC that must not move."""
        return bool(self.flags & 0x01)

    def __str__(self) -> str:
        return f"mac-mobility:{self.sequence}" + (":sticky" if self.sticky else "")

    def encode(self) -> bytes:
        _check("flags", self.flags, 1)
        _check("reserved", self.reserved, 1)
        _check("sequence", self.sequence, 4)
        return pack_type(self.type, self.subtype) + _BBI.pack(self.flags, self.reserved, self.sequence)


@dataclass(slots=True)
class ESILabel(_Text):
    """ESI Label (RFC 7432 section 7.5): the split-horizon label of an
    Ethernet segment, and whether it is single-active.  *label* is the
    3-octet field (``mpls_label`` is its high-order 20 bits; with VXLAN the
    whole field is used)."""

    type: int
    subtype: int
    flags: int
    reserved: int
    label: int

    @property
    def single_active(self) -> bool:
        """The single-active redundancy mode flag (bit 0x01)."""
        return bool(self.flags & 0x01)

    @property
    def mpls_label(self) -> int:
        return self.label >> 4

    def __str__(self) -> str:
        return f"esi-label:{self.label}" + (":single-active" if self.single_active else "")

    def encode(self) -> bytes:
        _check("flags", self.flags, 1)
        _check("reserved", self.reserved, 2)
        _check("label", self.label, 3)
        return (
            pack_type(self.type, self.subtype)
            + bytes((self.flags,))
            + self.reserved.to_bytes(2, "big")
            + self.label.to_bytes(3, "big")
        )


@dataclass(slots=True)
class _MACCommunity(_Text):
    """An EVPN community whose value is one MAC address."""

    kind: ClassVar[str] = "mac"
    type: int
    subtype: int
    mac: str

    def __str__(self) -> str:
        return f"{self.kind}:{self.mac}"

    def encode(self) -> bytes:
        return pack_type(self.type, self.subtype) + _mac_raw(self.mac)


@dataclass(slots=True)
class ESImportRouteTarget(_MACCommunity):
    """ES-Import Route Target (RFC 7432 section 7.6): the MAC derived from
    the ESI that PEs of the segment import Ethernet segment routes with."""

    kind: ClassVar[str] = "es-import"


@dataclass(slots=True)
class RouterMAC(_MACCommunity):
    """EVPN Router's MAC (RFC 9135 section 8.1): the MAC of the PE for
    symmetric IRB / IP-VRF to IP-VRF forwarding."""

    kind: ClassVar[str] = "router-mac"


@dataclass(slots=True)
class Layer2Attributes(_Text):
    """Layer 2 Attributes (RFC 8214 section 3.1): control flags (B backup,
    P primary, C control word) and the L2 MTU."""

    type: int
    subtype: int
    control_flags: int
    mtu: int
    reserved: int = 0

    @property
    def backup(self) -> bool:
        return bool(self.control_flags & 0x0001)

    @property
    def primary(self) -> bool:
        return bool(self.control_flags & 0x0002)

    @property
    def control_word(self) -> bool:
        return bool(self.control_flags & 0x0004)

    def __str__(self) -> str:
        names = [n for n, on in (("P", self.primary), ("B", self.backup), ("C", self.control_word)) if on]
        return f"l2-attributes:mtu={self.mtu}:flags={','.join(names) or '-'}"

    def encode(self) -> bytes:
        _check("control_flags", self.control_flags, 2)
        _check("mtu", self.mtu, 2)
        _check("reserved", self.reserved, 2)
        return pack_type(self.type, self.subtype) + struct.pack("!HHH", self.control_flags, self.mtu, self.reserved)


@dataclass(slots=True)
class ETree(_Text):
    """E-Tree (RFC 8317 section 5.1): the leaf indication flag and the leaf
    label."""

    type: int
    subtype: int
    flags: int
    reserved: int
    leaf_label: int

    @property
    def leaf(self) -> bool:
        """The L flag (bit 0x01)."""
        return bool(self.flags & 0x01)

    def __str__(self) -> str:
        return f"etree:{self.leaf_label >> 4}" + (":leaf" if self.leaf else "")

    def encode(self) -> bytes:
        _check("flags", self.flags, 1)
        _check("reserved", self.reserved, 2)
        _check("leaf_label", self.leaf_label, 3)
        return (
            pack_type(self.type, self.subtype)
            + bytes((self.flags,))
            + self.reserved.to_bytes(2, "big")
            + self.leaf_label.to_bytes(3, "big")
        )


@dataclass(slots=True)
class DFElection(_Text):
    """DF Election (RFC 8584 section 2.2): the designated-forwarder
    algorithm (0 default, 1 highest random weight, ...) and capability
    bitmap."""

    type: int
    subtype: int
    df_type: int
    bitmap: int
    reserved: int = 0

    def __str__(self) -> str:
        return f"df-election:{self.df_type}:0x{self.bitmap:04x}"

    def encode(self) -> bytes:
        _check("df_type", self.df_type, 1)
        _check("bitmap", self.bitmap, 2)
        _check("reserved", self.reserved, 3)
        return (
            pack_type(self.type, self.subtype)
            + bytes((self.df_type,))
            + self.bitmap.to_bytes(2, "big")
            + self.reserved.to_bytes(3, "big")
        )


@dataclass(slots=True)
class DefaultGateway(_Text):
    """Default Gateway (transitive opaque 0x03, sub-type 0x0d; RFC 7432
    section 7.8): marks a MAC/IP route of a default gateway.  The value
    octets are zero, kept as received."""

    type: int
    subtype: int
    value: bytes = bytes(6)

    def __str__(self) -> str:
        return "default-gateway"

    def encode(self) -> bytes:
        if len(self.value) != 6:
            raise EncodeError("default_gateway.value", f"needs 6 octets, got {len(self.value)}")
        return pack_type(self.type, self.subtype) + self.value


# -- decoders: ``decode(buf, pos)`` over the 8 octets at buf[pos:pos + 8] -----


def _mac_mobility(buf: bytes, pos: int) -> MACMobility:
    flags, reserved, seq = _BBI.unpack_from(buf, pos + 2)
    return MACMobility(buf[pos], buf[pos + 1], flags, reserved, seq)


def _esi_label(buf: bytes, pos: int) -> ESILabel:
    return ESILabel(
        buf[pos],
        buf[pos + 1],
        buf[pos + 2],
        int.from_bytes(buf[pos + 3 : pos + 5], "big"),
        int.from_bytes(buf[pos + 5 : pos + 8], "big"),
    )


def _es_import(buf: bytes, pos: int) -> ESImportRouteTarget:
    return ESImportRouteTarget(buf[pos], buf[pos + 1], buf[pos + 2 : pos + 8].hex(":"))


def _router_mac(buf: bytes, pos: int) -> RouterMAC:
    return RouterMAC(buf[pos], buf[pos + 1], buf[pos + 2 : pos + 8].hex(":"))


def _layer2(buf: bytes, pos: int) -> Layer2Attributes:
    flags, mtu, reserved = struct.unpack_from("!HHH", buf, pos + 2)
    return Layer2Attributes(buf[pos], buf[pos + 1], flags, mtu, reserved)


def _etree(buf: bytes, pos: int) -> ETree:
    return ETree(
        buf[pos],
        buf[pos + 1],
        buf[pos + 2],
        int.from_bytes(buf[pos + 3 : pos + 5], "big"),
        int.from_bytes(buf[pos + 5 : pos + 8], "big"),
    )


def _df_election(buf: bytes, pos: int) -> DFElection:
    return DFElection(
        buf[pos],
        buf[pos + 1],
        buf[pos + 2],
        int.from_bytes(buf[pos + 3 : pos + 5], "big"),
        int.from_bytes(buf[pos + 5 : pos + 8], "big"),
    )


def _default_gateway(buf: bytes, pos: int) -> DefaultGateway:
    return DefaultGateway(buf[pos], buf[pos + 1], buf[pos + 2 : pos + 8])


register_extended_community(EVPN, 0x00, _mac_mobility)
register_extended_community(EVPN, 0x01, _esi_label)
register_extended_community(EVPN, 0x02, _es_import)
register_extended_community(EVPN, 0x03, _router_mac)
register_extended_community(EVPN, 0x04, _layer2)
register_extended_community(EVPN, 0x05, _etree)
register_extended_community(EVPN, 0x06, _df_election)
register_extended_community(*DEFAULT_GATEWAY, _default_gateway)
