"""Tunnel Encapsulation attribute (23; RFC 9012) and the SR Policy sub-TLVs
(RFC 9830 section 2.4, segment types C-K of RFC 9831).

The value is a list of Tunnel TLVs, ``tunnel type (2) | length (2) |
sub-TLVs``.  A sub-TLV is ``type (1) | length | value`` with a 1-octet length
for types 0-127 and a 2-octet length for 128-255 (RFC 9012 section 2).

=====  ==============================================  ===============================
type   sub-TLV                                         class
=====  ==============================================  ===============================
1      Encapsulation (RFC 9012 section 3.2)            :class:`EncapsulationSubTLV`
2      Protocol Type (section 3.4.1)                   :class:`ProtocolTypeSubTLV`
4      Color (section 3.4.2)                           :class:`ColorSubTLV`
6      Tunnel Egress Endpoint (section 3.1)            :class:`TunnelEgressEndpoint`
7      DS Field (section 3.3.1)                        :class:`DSFieldSubTLV`
8      UDP Destination Port (section 3.3.2)            :class:`UDPDestinationPort`
12     Preference (RFC 9830 section 2.4.1)             :class:`PreferenceSubTLV`
13     Binding SID (RFC 9830 section 2.4.2)            :class:`BindingSIDSubTLV`
14     ENLP (RFC 9830 section 2.4.5)                   :class:`ENLPSubTLV`
15     Priority (RFC 9830 section 2.4.6)               :class:`PrioritySubTLV`
20     SRv6 Binding SID (RFC 9830 section 2.4.3)       :class:`SRv6BindingSIDSubTLV`
128    Segment List (RFC 9830 section 2.4.4)           :class:`SegmentListSubTLV`
129    Policy Candidate Path Name (section 2.4.7)      :class:`NameSubTLV`
130    Policy Name (RFC 9830 section 2.4.8)            :class:`NameSubTLV`
other  (kept raw)                                      :class:`TunnelSubTLV`
=====  ==============================================  ===============================

Inside a segment list: Weight (9, :class:`WeightSubTLV`) and the segments
(:class:`Segment`: types A 1, B 13 of RFC 9830, C-K 3-8, 14-16 of RFC 9831);
others raw (:class:`RawSegmentSubTLV`).
A sub-TLV whose value does not have its type's shape stays raw.  A sub-TLV
or Tunnel TLV that runs past its container makes the attribute malformed
(RFC 9012 section 13: treat-as-withdraw).
"""

from __future__ import annotations

import enum
import socket
import struct
from collections.abc import Callable
from dataclasses import dataclass, field
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
    "TYPED_SUB_TLV_TYPES",
    "BindingSIDSubTLV",
    "ColorSubTLV",
    "DSFieldSubTLV",
    "ENLPSubTLV",
    "EncapsulationSubTLV",
    "NameSubTLV",
    "PreferenceSubTLV",
    "PrioritySubTLV",
    "ProtocolTypeSubTLV",
    "RawSegmentSubTLV",
    "SRv6BindingSIDSubTLV",
    "SRv6EndpointBehaviorStructure",
    "Segment",
    "SegmentListSubTLV",
    "TunnelEgressEndpoint",
    "TunnelEncapsulation",
    "TunnelSubTLV",
    "TunnelSubTLVType",
    "TunnelTLV",
    "TunnelType",
    "UDPDestinationPort",
    "WeightSubTLV",
    "decode_tunnel_encapsulation",
]


class TunnelType(enum.IntEnum):
    """BGP Tunnel Encapsulation Attribute Tunnel Types (IANA), common ones."""

    L2TPV3_OVER_IP = 1
    GRE = 2
    IP_IN_IP = 7
    VXLAN = 8
    NVGRE = 9
    MPLS = 10
    MPLS_IN_GRE = 11
    VXLAN_GPE = 12
    MPLS_IN_UDP = 13
    IPV6_TUNNEL = 14
    SR_POLICY = 15
    BARE = 16
    GENEVE = 19


class TunnelSubTLVType(enum.IntEnum):
    """BGP Tunnel Encapsulation Attribute Sub-TLVs (IANA), the ones bmplib decodes."""

    ENCAPSULATION = 1
    PROTOCOL_TYPE = 2
    COLOR = 4
    TUNNEL_EGRESS_ENDPOINT = 6
    DS_FIELD = 7
    UDP_DESTINATION_PORT = 8
    PREFERENCE = 12
    BINDING_SID = 13
    ENLP = 14
    PRIORITY = 15
    SRV6_BINDING_SID = 20
    SEGMENT_LIST = 128
    POLICY_CANDIDATE_PATH_NAME = 129
    POLICY_NAME = 130


_TUNNEL_TYPES = {m.value: m for m in TunnelType}
_SUB_TYPES = {m.value: m for m in TunnelSubTLVType}
_TLV = struct.Struct("!HH")
_BEHAVIOR = struct.Struct("!HHBBBB")


def _fit(name: str, value: int, octets: int) -> bytes:
    if not 0 <= value < 1 << (8 * octets):
        raise EncodeError(name, f"{value} does not fit {octets} octet(s)")
    return value.to_bytes(octets, "big")


def _ntop(raw: bytes) -> str:
    return socket.inet_ntop(socket.AF_INET if len(raw) == 4 else socket.AF_INET6, raw)


def _pton(name: str, text: str, width: int | None = None) -> bytes:
    try:
        raw = socket.inet_pton(socket.AF_INET6 if ":" in text else socket.AF_INET, text)
    except (OSError, ValueError) as exc:
        raise EncodeError(name, f"not an IP address: {text!r}") from exc
    if width is not None and len(raw) != width:
        raise EncodeError(name, f"{text} is not a {width}-octet address")
    return raw


def _sub_tlv(code: int, value: bytes) -> bytes:
    """A sub-TLV on the wire: 1-octet length below type 128, else 2 octets."""
    if not 0 <= code <= 0xFF:
        raise EncodeError("tunnel_encap.sub_tlv", f"type {code} does not fit 1 octet")
    if code < 128:
        if len(value) > 0xFF:
            raise EncodeError("tunnel_encap.sub_tlv", f"type {code}: {len(value)} octets do not fit 1-octet length")
        return bytes((code, len(value))) + value
    if len(value) > 0xFFFF:
        raise EncodeError("tunnel_encap.sub_tlv", f"type {code}: {len(value)} octets do not fit")
    return bytes((code,)) + len(value).to_bytes(2, "big") + value


class _SubTLVBase:
    """Shared behaviour: ``encode()`` from ``type`` and ``encode_value()``."""

    __slots__ = ()
    type: ClassVar[int]
    _json_views: ClassVar[tuple[str, ...]] = ("type", "name")

    @property
    def name(self) -> str:
        m = _SUB_TYPES.get(self.type)
        return m.name.lower() if m is not None else f"sub_tlv_{self.type}"

    def encode_value(self) -> bytes:  # pragma: no cover - every subclass overrides
        raise EncodeError(type(self).__name__, "has no value encoder")

    def encode(self) -> bytes:
        return _sub_tlv(self.type, self.encode_value())


@dataclass(slots=True)
class TunnelSubTLV(_SubTLVBase):
    """A sub-TLV kept raw (type unknown, or a value without its type's shape)."""

    type: int  # type: ignore[misc]
    value: bytes

    def encode_value(self) -> bytes:
        return self.value


@dataclass(slots=True)
class RawSegmentSubTLV(TunnelSubTLV):
    """A segment-list sub-TLV kept raw (its own code space, RFC 9830
    section 2.4.4): named ``segment_list_sub_tlv_<code>``."""

    @property
    def name(self) -> str:
        return f"segment_list_sub_tlv_{self.type}"


@dataclass(slots=True)
class EncapsulationSubTLV(_SubTLVBase):
    """Encapsulation (1, RFC 9012 section 3.2): its layout depends on the
    tunnel type (VXLAN, NVGRE, MPLS-in-GRE, ...), kept as octets."""

    type: ClassVar[int] = 1
    value: bytes

    def encode_value(self) -> bytes:
        return self.value


@dataclass(slots=True)
class ProtocolTypeSubTLV(_SubTLVBase):
    """Protocol Type (2, RFC 9012 section 3.4.1): the Ethertype of the payload."""

    type: ClassVar[int] = 2
    ethertype: int

    def encode_value(self) -> bytes:
        return _fit("ethertype", self.ethertype, 2)


@dataclass(slots=True)
class ColorSubTLV(_SubTLVBase):
    """Color (4, RFC 9012 section 3.4.2): a Color extended community (type
    0x03, sub-type 0x0b): flags and color."""

    type: ClassVar[int] = 4
    flags: int
    color: int

    def encode_value(self) -> bytes:
        return b"\x03\x0b" + _fit("flags", self.flags, 2) + _fit("color", self.color, 4)


@dataclass(slots=True)
class TunnelEgressEndpoint(_SubTLVBase):
    """Tunnel Egress Endpoint (6, RFC 9012 section 3.1): reserved (4), AFI
    (2) and the address (none for AFI 0)."""

    type: ClassVar[int] = 6
    afi: int
    address: str | None
    reserved: int = 0

    def encode_value(self) -> bytes:
        raw = b"" if self.address is None else _pton("egress_endpoint", self.address)
        return _fit("reserved", self.reserved, 4) + _fit("afi", self.afi, 2) + raw


@dataclass(slots=True)
class DSFieldSubTLV(_SubTLVBase):
    """DS Field (7, RFC 9012 section 3.3.1): the DSCP octet of the outer header."""

    type: ClassVar[int] = 7
    ds_field: int

    def encode_value(self) -> bytes:
        return _fit("ds_field", self.ds_field, 1)


@dataclass(slots=True)
class UDPDestinationPort(_SubTLVBase):
    """UDP Destination Port (8, RFC 9012 section 3.3.2)."""

    type: ClassVar[int] = 8
    port: int

    def encode_value(self) -> bytes:
        return _fit("port", self.port, 2)


@dataclass(slots=True)
class PreferenceSubTLV(_SubTLVBase):
    """Preference (12, RFC 9830 section 2.4.1): flags, reserved, preference (4)."""

    type: ClassVar[int] = 12
    flags: int
    preference: int
    reserved: int = 0

    def encode_value(self) -> bytes:
        return (
            _fit("flags", self.flags, 1) + _fit("reserved", self.reserved, 1) + _fit("preference", self.preference, 4)
        )


@dataclass(slots=True)
class BindingSIDSubTLV(_SubTLVBase):
    """Binding SID (13, RFC 9830 section 2.4.2): flags (S 0x80, I 0x40),
    reserved, and no SID, a 4-octet MPLS label field or a 16-octet SRv6 SID
    (kept as octets; ``sid_text`` shows the label or the address)."""

    type: ClassVar[int] = 13
    _json_views: ClassVar[tuple[str, ...]] = ("type", "name", "sid_text")
    flags: int
    sid: bytes
    reserved: int = 0

    @property
    def sid_text(self) -> str | None:
        """The MPLS label (high-order 20 bits) or the IPv6 SID, or ``None``."""
        if len(self.sid) == 4:
            return str(int.from_bytes(self.sid, "big") >> 12)
        if len(self.sid) == 16:
            return _ntop(self.sid)
        return None

    def encode_value(self) -> bytes:
        if len(self.sid) not in (0, 4, 16):
            raise EncodeError("binding_sid", f"has 0, 4 or 16 octets, not {len(self.sid)}")
        return _fit("flags", self.flags, 1) + _fit("reserved", self.reserved, 1) + self.sid


@dataclass(slots=True)
class SRv6EndpointBehaviorStructure:
    """SRv6 Endpoint Behavior and SID Structure (RFC 9830 section 2.4.4.2.2):
    behavior (2), reserved (2), locator block / node, function and argument
    lengths in bits."""

    behavior: int
    locator_block_length: int
    locator_node_length: int
    function_length: int
    argument_length: int
    reserved: int = 0

    def encode(self) -> bytes:
        try:
            return _BEHAVIOR.pack(
                self.behavior,
                self.reserved,
                self.locator_block_length,
                self.locator_node_length,
                self.function_length,
                self.argument_length,
            )
        except struct.error as exc:
            raise EncodeError("srv6_endpoint_behavior", str(exc)) from exc


def _behavior(raw: bytes) -> SRv6EndpointBehaviorStructure:
    b, r, lb, ln, fn, arg = _BEHAVIOR.unpack(raw)
    return SRv6EndpointBehaviorStructure(b, lb, ln, fn, arg, r)


@dataclass(slots=True)
class SRv6BindingSIDSubTLV(_SubTLVBase):
    """SRv6 Binding SID (20, RFC 9830 section 2.4.3): flags, reserved, the
    SID and an optional endpoint behavior and SID structure."""

    type: ClassVar[int] = 20
    flags: int
    sid: str
    behavior: SRv6EndpointBehaviorStructure | None = None
    reserved: int = 0

    def encode_value(self) -> bytes:
        out = _fit("flags", self.flags, 1) + _fit("reserved", self.reserved, 1) + _pton("srv6_bsid", self.sid, 16)
        return out + (self.behavior.encode() if self.behavior is not None else b"")


@dataclass(slots=True)
class ENLPSubTLV(_SubTLVBase):
    """Explicit NULL Label Policy (14, RFC 9830 section 2.4.5)."""

    type: ClassVar[int] = 14
    flags: int
    enlp: int
    reserved: int = 0

    def encode_value(self) -> bytes:
        return _fit("flags", self.flags, 1) + _fit("reserved", self.reserved, 1) + _fit("enlp", self.enlp, 1)


@dataclass(slots=True)
class PrioritySubTLV(_SubTLVBase):
    """Priority (15, RFC 9830 section 2.4.6): priority and reserved octet."""

    type: ClassVar[int] = 15
    priority: int
    reserved: int = 0

    def encode_value(self) -> bytes:
        return _fit("priority", self.priority, 1) + _fit("reserved", self.reserved, 1)


@dataclass(slots=True)
class NameSubTLV(_SubTLVBase):
    """Policy Candidate Path Name (129) and Policy Name (130) (RFC 9830
    section 2.4.7-2.4.8): reserved octet and UTF-8 text."""

    type: int  # type: ignore[misc]
    text: str
    reserved: int = 0

    def encode_value(self) -> bytes:
        return _fit("reserved", self.reserved, 1) + self.text.encode("utf-8")


@dataclass(slots=True)
class WeightSubTLV(_SubTLVBase):
    """Weight (9, RFC 9830 section 2.4.4.1) of a segment list."""

    type: ClassVar[int] = 9
    flags: int
    weight: int
    reserved: int = 0

    @property
    def name(self) -> str:
        return "weight"

    def encode_value(self) -> bytes:
        return _fit("flags", self.flags, 1) + _fit("reserved", self.reserved, 1) + _fit("weight", self.weight, 4)


#: segment type -> (fixed fields, optional tails by remaining length)
#: field kinds: "u32" 4-octet integer, "v4" / "v6" addresses
_SEGMENT_FIELDS: dict[int, tuple[tuple[tuple[str, str], ...], dict[int, tuple[str, ...]]]] = {
    1: ((("label", "u32"),), {0: ()}),
    13: ((("srv6_sid", "v6"),), {0: (), 8: ("behavior",)}),
    3: ((("local_address", "v4"),), {0: (), 4: ("mpls_sid",)}),
    4: ((("local_address", "v6"),), {0: (), 4: ("mpls_sid",)}),
    5: ((("local_interface_id", "u32"), ("local_address", "v4")), {0: (), 4: ("mpls_sid",)}),
    6: ((("local_address", "v4"), ("remote_address", "v4")), {0: (), 4: ("mpls_sid",)}),
    7: (
        (
            ("local_interface_id", "u32"),
            ("local_address", "v6"),
            ("remote_interface_id", "u32"),
            ("remote_address", "v6"),
        ),
        {0: (), 4: ("mpls_sid",)},
    ),
    8: ((("local_address", "v6"), ("remote_address", "v6")), {0: (), 4: ("mpls_sid",)}),
    14: ((("local_address", "v6"),), {0: (), 16: ("srv6_sid",), 24: ("srv6_sid", "behavior")}),
    15: (
        (
            ("local_interface_id", "u32"),
            ("local_address", "v6"),
            ("remote_interface_id", "u32"),
            ("remote_address", "v6"),
        ),
        {0: (), 16: ("srv6_sid",), 24: ("srv6_sid", "behavior")},
    ),
    16: (
        (("local_address", "v6"), ("remote_address", "v6")),
        {0: (), 16: ("srv6_sid",), 24: ("srv6_sid", "behavior")},
    ),
}
_KIND_SIZE = {"u32": 4, "v4": 4, "v6": 16, "mpls_sid": 4, "srv6_sid": 16, "behavior": 8}
_SEGMENT_LETTERS = {1: "A", 13: "B", 3: "C", 4: "D", 5: "E", 6: "F", 7: "G", 8: "H", 14: "I", 15: "J", 16: "K"}


@dataclass(slots=True)
class Segment(_SubTLVBase):
    """One segment of a segment list (RFC 9830 section 2.4.4.2, RFC 9831
    section 2): *type* 1 (A: SR-MPLS label), 13 (B: SRv6 SID), 3-8 (C-H:
    SR-MPLS prefix / adjacency SIDs by node or link address), 14-16 (I-K:
    SRv6 by node or link address).  *flags* first; *algorithm* is the second
    octet (the SR algorithm of types C, D, I, J, K; reserved for the
    others).  Only the fields of the type are set, the others are ``None``;
    *label* is type A's whole 4-octet field (``mpls_label``: its label).
    """

    type: int  # type: ignore[misc]
    flags: int
    algorithm: int = 0
    label: int | None = None
    local_interface_id: int | None = None
    local_address: str | None = None
    remote_interface_id: int | None = None
    remote_address: str | None = None
    mpls_sid: int | None = None
    srv6_sid: str | None = None
    behavior: SRv6EndpointBehaviorStructure | None = None
    _json_views: ClassVar[tuple[str, ...]] = ("type", "name", "segment_type", "mpls_label")

    @property
    def name(self) -> str:
        return "segment"

    @property
    def mpls_label(self) -> int | None:
        """Type A: the 20-bit label of the label field (``label`` is the whole
        4-octet field: label, traffic class, S bit, TTL)."""
        return None if self.label is None else self.label >> 12

    @property
    def segment_type(self) -> str:
        """The RFC's letter of the segment type (``A`` ... ``K``)."""
        return _SEGMENT_LETTERS.get(self.type, str(self.type))

    def encode_value(self) -> bytes:
        layout = _SEGMENT_FIELDS.get(self.type)
        if layout is None:
            raise EncodeError("segment", f"type {self.type} is not a segment type")
        fixed, tails = layout
        out = _fit("flags", self.flags, 1) + _fit("algorithm", self.algorithm, 1)
        for name, kind in fixed:
            value = getattr(self, name)
            if value is None:
                raise EncodeError(f"segment.{name}", f"segment type {self.segment_type} needs it")
            out += _fit(name, value, 4) if kind == "u32" else _pton(name, value, _KIND_SIZE[kind])
        fixed_names = {name for name, _ in fixed}
        present = tuple(
            n for n in ("mpls_sid", "srv6_sid", "behavior") if n not in fixed_names and getattr(self, n) is not None
        )
        if present not in tails.values():
            raise EncodeError("segment", f"type {self.segment_type} cannot carry {present}")
        for name in present:
            value = getattr(self, name)
            if name == "mpls_sid":
                out += _fit(name, value, 4)
            elif name == "srv6_sid":
                out += _pton(name, value, 16)
            else:
                out += value.encode()
        return out


def _decode_segment(code: int, v: bytes) -> Segment | None:
    fixed, tails = _SEGMENT_FIELDS[code]
    if len(v) < 2:
        return None
    seg = Segment(code, v[0], v[1])
    p = 2
    for name, kind in fixed:
        n = _KIND_SIZE[kind]
        if p + n > len(v):
            return None
        raw = v[p : p + n]
        setattr(seg, name, int.from_bytes(raw, "big") if kind == "u32" else _ntop(raw))
        p += n
    tail = tails.get(len(v) - p)
    if tail is None:
        return None
    for name in tail:
        raw = v[p : p + _KIND_SIZE[name]]
        if name == "mpls_sid":
            seg.mpls_sid = int.from_bytes(raw, "big")
        elif name == "srv6_sid":
            seg.srv6_sid = _ntop(raw)
        else:
            seg.behavior = _behavior(raw)
        p += len(raw)
    return seg


@dataclass(slots=True)
class SegmentListSubTLV(_SubTLVBase):
    """Segment List (128, RFC 9830 section 2.4.4): reserved octet, then the
    weight and segment sub-TLVs in wire order."""

    type: ClassVar[int] = 128
    sub_tlvs: list[Any]
    reserved: int = 0

    @property
    def weight(self) -> int | None:
        for t in self.sub_tlvs:
            if isinstance(t, WeightSubTLV):
                return t.weight
        return None

    @property
    def segments(self) -> list[Segment]:
        return [t for t in self.sub_tlvs if isinstance(t, Segment)]

    def encode_value(self) -> bytes:
        return _fit("reserved", self.reserved, 1) + b"".join(t.encode() for t in self.sub_tlvs)


class _Framing(Exception):
    def __init__(self, reason: str, offset: int) -> None:
        super().__init__(reason)
        self.reason = reason
        self.offset = offset


def _iter_sub_tlvs(buf: bytes, pos: int, end: int) -> list[tuple[int, int, int]]:
    """(type, value start, value end) of each sub-TLV in ``buf[pos:end]``."""
    out = []
    p = pos
    while p < end:
        code = buf[p]
        hdr = 2 if code < 128 else 3
        if p + hdr > end:
            raise _Framing(f"tunnel sub-TLV {code} header truncated", p)
        n = buf[p + 1] if code < 128 else int.from_bytes(buf[p + 1 : p + 3], "big")
        if p + hdr + n > end:
            raise _Framing(f"tunnel sub-TLV {code} length {n} runs past its container", p)
        out.append((code, p + hdr, p + hdr + n))
        p += hdr + n
    return out


def _d_segment_list(code: int, v: bytes) -> Any:
    if not v:
        return None
    subs: list[Any] = []
    for c, vs, ve in _iter_sub_tlvs(v, 1, len(v)):
        value = v[vs:ve]
        obj: Any = None
        if c == 9 and len(value) == 6:
            obj = WeightSubTLV(value[0], int.from_bytes(value[2:], "big"), value[1])
        elif c in _SEGMENT_FIELDS:
            obj = _decode_segment(c, value)
        subs.append(_checked(obj, c, value, RawSegmentSubTLV))
    return SegmentListSubTLV(subs, v[0])


def _d_name(code: int, v: bytes) -> Any:
    if not v:
        return None
    try:
        return NameSubTLV(code, v[1:].decode("utf-8"), v[0])
    except UnicodeDecodeError:
        return None


def _d_egress(code: int, v: bytes) -> Any:
    if len(v) < 6:
        return None
    afi = int.from_bytes(v[4:6], "big")
    n = {0: 0, 1: 4, 2: 16}.get(afi)
    if n is None or len(v) != 6 + n:
        return None
    return TunnelEgressEndpoint(afi, _ntop(v[6:]) if n else None, int.from_bytes(v[:4], "big"))


def _d_bsid(code: int, v: bytes) -> Any:
    return BindingSIDSubTLV(v[0], v[2:], v[1]) if len(v) in (2, 6, 18) else None


def _d_srv6_bsid(code: int, v: bytes) -> Any:
    if len(v) not in (18, 26):
        return None
    return SRv6BindingSIDSubTLV(v[0], _ntop(v[2:18]), _behavior(v[18:]) if len(v) == 26 else None, v[1])


_DECODERS: dict[int, Callable[[int, bytes], Any]] = {
    1: lambda c, v: EncapsulationSubTLV(v),
    2: lambda c, v: ProtocolTypeSubTLV(int.from_bytes(v, "big")) if len(v) == 2 else None,
    4: lambda c, v: (
        ColorSubTLV(int.from_bytes(v[2:4], "big"), int.from_bytes(v[4:], "big"))
        if len(v) == 8 and v[:2] == b"\x03\x0b"
        else None
    ),
    6: _d_egress,
    7: lambda c, v: DSFieldSubTLV(v[0]) if len(v) == 1 else None,
    8: lambda c, v: UDPDestinationPort(int.from_bytes(v, "big")) if len(v) == 2 else None,
    12: lambda c, v: PreferenceSubTLV(v[0], int.from_bytes(v[2:], "big"), v[1]) if len(v) == 6 else None,
    13: _d_bsid,
    14: lambda c, v: ENLPSubTLV(v[0], v[2], v[1]) if len(v) == 3 else None,
    15: lambda c, v: PrioritySubTLV(v[0], v[1]) if len(v) == 2 else None,
    20: _d_srv6_bsid,
    128: _d_segment_list,
    129: _d_name,
    130: _d_name,
}


#: the sub-TLV types bmplib decodes into typed objects
TYPED_SUB_TLV_TYPES = frozenset(_DECODERS)


def _checked(obj: Any, code: int, value: bytes, raw: type[TunnelSubTLV] = TunnelSubTLV) -> Any:
    """*obj*, or the raw sub-TLV when there is none or it would not re-encode
    to the same octets."""
    if obj is None:
        return raw(code, value)
    try:
        same = obj.encode_value() == value
    except EncodeError:
        same = False
    return obj if same else raw(code, value)


@dataclass(slots=True)
class TunnelTLV:
    """One Tunnel TLV (RFC 9012 section 2): tunnel type and its sub-TLVs."""

    tunnel_type: TunnelType | int
    sub_tlvs: list[Any] = field(default_factory=list)

    def get(self, code: int) -> Any:
        """The first sub-TLV of type *code*, or ``None``."""
        for t in self.sub_tlvs:
            if t.type == code:
                return t
        return None

    def encode(self) -> bytes:
        body = b"".join(t.encode() for t in self.sub_tlvs)
        if not 0 <= self.tunnel_type <= 0xFFFF or len(body) > 0xFFFF:
            raise EncodeError("tunnel_tlv", f"type {self.tunnel_type} / length {len(body)} does not fit")
        return _TLV.pack(self.tunnel_type, len(body)) + body


@dataclass(slots=True)
class TunnelEncapsulation(_AttributeBase):
    """TUNNEL_ENCAPSULATION (type 23, RFC 9012 section 2): the Tunnel TLVs."""

    type_code: ClassVar[int] = AttributeType.TUNNEL_ENCAPSULATION
    tunnels: list[TunnelTLV]
    flags: int = OPTIONAL_TRANSITIVE

    def _value(self) -> bytes:
        return b"".join(t.encode() for t in self.tunnels)


def decode_tunnel_encapsulation(buf: bytes, pos: int, end: int, flags: int, ctx: DecodeContext) -> TunnelEncapsulation:
    """TUNNEL_ENCAPSULATION from ``buf[pos:end]``."""
    tunnels: list[TunnelTLV] = []
    p = pos
    try:
        while p < end:
            if p + 4 > end:
                raise _Framing("Tunnel TLV header truncated", p)
            ttype, n = _TLV.unpack_from(buf, p)
            q = p + 4 + n
            if q > end:
                raise _Framing(f"Tunnel TLV {ttype} length {n} runs past the attribute", p)
            subs = []
            for code, vs, ve in _iter_sub_tlvs(buf, p + 4, q):
                value = buf[vs:ve]
                dec = _DECODERS.get(code)
                try:
                    obj = dec(code, value) if dec is not None else None
                except _Framing:
                    obj = None
                subs.append(_checked(obj, code, value))
            tunnels.append(TunnelTLV(_TUNNEL_TYPES.get(ttype, ttype), subs))
            p = q
    except _Framing as exc:
        raise MalformedAttributeError(exc.reason, exc.offset, buf[pos:end]) from None
    return TunnelEncapsulation(tunnels, flags)


# RFC 9012 section 13: a malformed attribute is treat-as-withdraw
register_attribute(
    AttributeType.TUNNEL_ENCAPSULATION,
    decode_tunnel_encapsulation,
    TunnelEncapsulation,
    ErrorAction.TREAT_AS_WITHDRAW,
    OPTIONAL_TRANSITIVE,
)
