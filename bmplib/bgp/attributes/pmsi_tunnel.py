"""PMSI_TUNNEL (22; RFC 6514 section 5), the attribute an EVPN type-3 route
(RFC 7432 section 11.1, RFC 8365 section 5.1.3) and MVPN routes use to say
how broadcast / multicast traffic reaches the originator.

``flags (1) | tunnel type (1) | MPLS label (3) | tunnel identifier``.  The
label field is kept as the 3 octets' integer: the MPLS label is its
high-order 20 bits (``mpls_label``), a VXLAN VNI the whole 24 bits (``vni``).
The tunnel identifier is kept as its octets; :attr:`PMSITunnel.tunnel`
decodes it for ingress replication, PIM trees, RSVP-TE P2MP, mLDP and BIER.
"""

from __future__ import annotations

import enum
import socket
import struct
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
    "BIERTunnel",
    "IngressReplication",
    "MLDPTunnel",
    "PIMTunnel",
    "PMSITunnel",
    "PMSITunnelType",
    "RSVPP2MPTunnel",
    "decode_pmsi_tunnel",
]


class PMSITunnelType(enum.IntEnum):
    """P-Multicast Service Interface Tunnel Types (IANA; RFC 6514 section 5,
    RFC 7524, RFC 8556)."""

    NO_TUNNEL_INFORMATION = 0
    RSVP_TE_P2MP_LSP = 1
    MLDP_P2MP_LSP = 2
    PIM_SSM_TREE = 3
    PIM_SM_TREE = 4
    BIDIR_PIM_TREE = 5
    INGRESS_REPLICATION = 6
    MLDP_MP2MP_LSP = 7
    TRANSPORT_TUNNEL = 8
    BIER = 11


_TUNNEL_TYPES = {m.value: m for m in PMSITunnelType}
_HDR = struct.Struct("!BB")


def _ntop(raw: bytes) -> str:
    return socket.inet_ntop(socket.AF_INET if len(raw) == 4 else socket.AF_INET6, raw)


@dataclass(slots=True)
class IngressReplication:
    """Ingress replication (RFC 6514 section 5): the unicast tunnel endpoint."""

    endpoint: str


@dataclass(slots=True)
class PIMTunnel:
    """PIM-SSM / PIM-SM / BIDIR-PIM tree (RFC 6514 section 5): sender
    address and P-multicast group."""

    sender: str
    group: str


@dataclass(slots=True)
class RSVPP2MPTunnel:
    """RSVP-TE P2MP LSP (RFC 6514 section 5, the RFC 4875 SESSION object
    fields): P2MP ID, tunnel ID, extended tunnel ID."""

    p2mp_id: int
    tunnel_id: int
    extended_tunnel_id: int


@dataclass(slots=True)
class MLDPTunnel:
    """mLDP P2MP / MP2MP LSP (RFC 6514 section 5): the FEC element (RFC 6388
    section 2.2): root node address and opaque value."""

    fec_type: int
    address_family: int
    root: str
    opaque: bytes


@dataclass(slots=True)
class BIERTunnel:
    """BIER (RFC 8556 section 2.1): sub-domain, BFR-ID and BFR-prefix."""

    sub_domain: int
    bfr_id: int
    bfr_prefix: str


def _decode_tunnel(tunnel_type: int, raw: bytes) -> Any:
    n = len(raw)
    if tunnel_type == 6 and n in (4, 16):
        return IngressReplication(_ntop(raw))
    if tunnel_type in (3, 4, 5) and n in (8, 32):
        half = n // 2
        return PIMTunnel(_ntop(raw[:half]), _ntop(raw[half:]))
    if tunnel_type == 1 and n == 12:
        ext, _reserved, tid, p2mp = struct.unpack("!IHHI", raw)
        return RSVPP2MPTunnel(p2mp, tid, ext)
    if tunnel_type in (2, 7) and n >= 4:
        fec_type, af, alen = struct.unpack_from("!BHB", raw)
        if alen in (4, 16) and n >= 4 + alen + 2:
            olen = int.from_bytes(raw[4 + alen : 6 + alen], "big")
            if n == 6 + alen + olen:
                return MLDPTunnel(fec_type, af, _ntop(raw[4 : 4 + alen]), raw[6 + alen :])
    if tunnel_type == 11 and n in (7, 19):
        return BIERTunnel(raw[0], int.from_bytes(raw[1:3], "big"), _ntop(raw[3:]))
    return None


@dataclass(slots=True)
class PMSITunnel(_AttributeBase):
    """PMSI_TUNNEL (type 22, RFC 6514 section 5).

    :ivar pmsi_flags: the flags octet (bit 0x01: Leaf Information Required).
    :ivar tunnel_type: :class:`PMSITunnelType`, or an int when unassigned.
    :ivar label: the 3-octet MPLS label field.
    :ivar tunnel_identifier: the tunnel identifier octets.
    """

    type_code: ClassVar[int] = AttributeType.PMSI_TUNNEL
    _json_views: ClassVar[tuple[str, ...]] = (
        *getattr(_AttributeBase, "_json_views", ()),
        "mpls_label",
        "vni",
        "tunnel",
    )
    pmsi_flags: int
    tunnel_type: PMSITunnelType | int
    label: int
    tunnel_identifier: bytes
    flags: int = OPTIONAL_TRANSITIVE

    @property
    def leaf_information_required(self) -> bool:
        """The L flag (RFC 6514 section 5)."""
        return bool(self.pmsi_flags & 0x01)

    @property
    def mpls_label(self) -> int:
        """The MPLS label: high-order 20 bits of the label field."""
        return self.label >> 4

    @property
    def vni(self) -> int:
        """The VXLAN VNI: the whole 24-bit label field (RFC 8365 section 5.1.3)."""
        return self.label

    @property
    def tunnel(self) -> IngressReplication | PIMTunnel | RSVPP2MPTunnel | MLDPTunnel | BIERTunnel | None:
        """The decoded tunnel identifier, or ``None`` when its type or
        length has no decoded form (then see :attr:`tunnel_identifier`)."""
        decoded: Any = _decode_tunnel(int(self.tunnel_type), self.tunnel_identifier)
        return decoded  # type: ignore[no-any-return]

    def __str__(self) -> str:
        t = self.tunnel_type
        name = t.name.lower() if isinstance(t, PMSITunnelType) else str(t)
        tun = self.tunnel
        where = ""
        if isinstance(tun, IngressReplication):
            where = f" {tun.endpoint}"
        elif tun is None and self.tunnel_identifier:
            where = f" {self.tunnel_identifier.hex()}"
        return f"pmsi:{name} label {self.label}{where}"

    def _value(self) -> bytes:
        for name, value, octets in (("pmsi_flags", self.pmsi_flags, 1), ("tunnel_type", self.tunnel_type, 1)):
            if not 0 <= value < 1 << (8 * octets):
                raise EncodeError(name, f"{value} does not fit {octets} octet")
        if not 0 <= self.label <= 0xFFFFFF:
            raise EncodeError("label", f"{self.label} does not fit 3 octets")
        return _HDR.pack(self.pmsi_flags, self.tunnel_type) + self.label.to_bytes(3, "big") + self.tunnel_identifier


def decode_pmsi_tunnel(buf: bytes, pos: int, end: int, flags: int, ctx: DecodeContext) -> PMSITunnel:
    """PMSI_TUNNEL from ``buf[pos:end]``."""
    if end - pos < 5:
        raise MalformedAttributeError(f"PMSI_TUNNEL length {end - pos} is below 5", pos, buf[pos:end])
    t = buf[pos + 1]
    return PMSITunnel(
        buf[pos], _TUNNEL_TYPES.get(t, t), int.from_bytes(buf[pos + 2 : pos + 5], "big"), buf[pos + 5 : end], flags
    )


# RFC 7606 section 2: attributes it does not list are handled as treat-as-withdraw
register_attribute(
    AttributeType.PMSI_TUNNEL, decode_pmsi_tunnel, PMSITunnel, ErrorAction.TREAT_AS_WITHDRAW, OPTIONAL_TRANSITIVE
)
