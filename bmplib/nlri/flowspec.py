"""FlowSpec NLRI: IPv4 and IPv6 (AFI 1/2, SAFI 133; RFC 8955, RFC 8956),
VPN FlowSpec (AFI 1/2, SAFI 134; RFC 8955 section 8) and L2VPN FlowSpec
(AFI 25, SAFI 134; draft-ietf-idr-flowspec-l2vpn, in the layout GoBGP sends).

Each NLRI is ``length | [route distinguisher (8)] | components``
(RFC 8955 section 4.1): the length is one octet below 240, else two
octets ``0xF000 | length`` (at most 4095).  Each component starts with its
type (RFC 8955 section 4.2.2, RFC 8956 section 3):

* destination / source prefix (types 1, 2): ``length (bits) | prefix
  octets`` for IPv4; ``length | offset | pattern octets`` for IPv6, the
  pattern being bits ``offset`` to ``length`` of the address (RFC 8956
  section 3.1);
* every other type a list of ``operator (1) | value (1, 2, 4 or 8)``
  pairs ending at the operator with the end-of-list bit: numeric operators
  (``lt``, ``gt``, ``eq``; RFC 8955 section 4.2.1.1) or, for TCP flags (9)
  and fragment (12), bitmask operators (``not``, ``match``; section
  4.2.1.2);
* L2VPN source / destination MAC (types 15, 16): ``length (octets) | MAC``.

A component type the family does not define leaves the whole NLRI
undecoded -- its length is unknown, so nothing after it can be read -- as
an :class:`UnknownFlowSpecRoute` with its octets and the reason; the NLRI
around it still decode.  A known component that runs past its NLRI, or a
prefix length beyond the address, is an
:class:`~bmplib.errors.NLRIDecodeError`.

The operator octets are kept as received (``FlowSpecMatch.op``: end-of-list,
and, value length, comparison bits and the reserved bits), so every NLRI
re-encodes byte for byte.  The text form follows the RFC's terms::

    destination 10.2.0.0/24 source 192.0.2.0/24 ip-protocol ==6 destination-port ==80 tcp-flags =0x02
"""

from __future__ import annotations

import enum
import itertools
import socket
from dataclasses import dataclass, field
from typing import Any, Union

from bmplib.errors import EncodeError, NLRIDecodeError
from bmplib.nlri.rd import RouteDistinguisher
from bmplib.nlri.registry import family_name, register
from bmplib.nlri.walk import read_path_id, with_path_id
from bmplib.session import DecodeContext

__all__ = [
    "FLOWSPEC_FAMILIES",
    "FlowSpecCodec",
    "FlowSpecComponent",
    "FlowSpecComponentType",
    "FlowSpecMAC",
    "FlowSpecMatch",
    "FlowSpecOperators",
    "FlowSpecPrefix",
    "FlowSpecRoute",
    "UnknownFlowSpecRoute",
    "decode_flowspec_nlri",
]

IPV4_FLOWSPEC = (1, 133)
IPV6_FLOWSPEC = (2, 133)
IPV4_FLOWSPEC_VPN = (1, 134)
IPV6_FLOWSPEC_VPN = (2, 134)
L2VPN_FLOWSPEC = (25, 134)
FLOWSPEC_FAMILIES = (IPV4_FLOWSPEC, IPV6_FLOWSPEC, IPV4_FLOWSPEC_VPN, IPV6_FLOWSPEC_VPN, L2VPN_FLOWSPEC)

#: operator bits (RFC 8955 section 4.2.1)
END_OF_LIST = 0x80
AND = 0x40
LENGTH_BITS = 0x30


class FlowSpecComponentType(enum.IntEnum):
    """Flow Specification component types: IANA "Flow Spec Component Types"
    (RFC 8955 section 4.2.2; RFC 8956 section 3 for IPv6, where type 3 is
    the upper-layer protocol and 13 the flow label) and the Ethernet types
    14-24 of draft-ietf-idr-flowspec-l2vpn-03, as GoBGP numbers them."""

    DESTINATION_PREFIX = 1
    SOURCE_PREFIX = 2
    IP_PROTOCOL = 3
    PORT = 4
    DESTINATION_PORT = 5
    SOURCE_PORT = 6
    ICMP_TYPE = 7
    ICMP_CODE = 8
    TCP_FLAGS = 9
    PACKET_LENGTH = 10
    DSCP = 11
    FRAGMENT = 12
    FLOW_LABEL = 13
    ETHERNET_TYPE = 14
    SOURCE_MAC = 15
    DESTINATION_MAC = 16
    LLC_DSAP = 17
    LLC_SSAP = 18
    LLC_CONTROL = 19
    SNAP = 20
    VLAN_ID = 21
    VLAN_COS = 22
    INNER_VLAN_ID = 23
    INNER_VLAN_COS = 24


_TYPES = {t.value: t for t in FlowSpecComponentType}
#: component layouts: prefix (IPv4 / IPv6), numeric or bitmask operators, MAC
_PREFIX4, _PREFIX6, _NUMERIC, _BITMASK, _MAC = range(5)
_OPERATOR_TYPES = {3: _NUMERIC, 4: _NUMERIC, 5: _NUMERIC, 6: _NUMERIC, 7: _NUMERIC, 8: _NUMERIC, 9: _BITMASK,
                   10: _NUMERIC, 11: _NUMERIC, 12: _BITMASK}  # fmt: skip
#: the component types each AFI defines, and their layout
_LAYOUTS: dict[int, dict[int, int]] = {
    1: {1: _PREFIX4, 2: _PREFIX4, **_OPERATOR_TYPES},
    2: {1: _PREFIX6, 2: _PREFIX6, **_OPERATOR_TYPES, 13: _NUMERIC},
    25: {**_OPERATOR_TYPES, 13: _NUMERIC, 14: _NUMERIC, 15: _MAC, 16: _MAC,
         **{t: _NUMERIC for t in range(17, 25)}},
}  # fmt: skip
_NUMERIC_OPS = {0: "false", 1: "==", 2: ">", 3: ">=", 4: "<", 5: "<=", 6: "!=", 7: "true"}


def _type_text(t: int) -> str:
    member = _TYPES.get(t)
    return member.name.lower().replace("_", "-") if member is not None else f"type-{t}"


@dataclass(slots=True)
class FlowSpecMatch:
    """One ``operator | value`` pair (RFC 8955 section 4.2.1).

    :ivar op: the operator octet as on the wire: end-of-list (0x80), and
        (0x40), value length (0x30: 1, 2, 4 or 8 octets), then ``lt`` /
        ``gt`` / ``eq`` (0x04 / 0x02 / 0x01) for a numeric operator or
        ``not`` / ``match`` (0x02 / 0x01) for a bitmask one.
    :ivar value: the value (its octet count is given by ``op``).
    """

    op: int
    value: int

    @property
    def end_of_list(self) -> bool:
        return bool(self.op & END_OF_LIST)

    @property
    def and_bit(self) -> bool:
        """The ``a`` bit: AND with the previous pair (else OR)."""
        return bool(self.op & AND)

    @property
    def value_length(self) -> int:
        """The value's octet count, ``1 << ((op >> 4) & 3)``."""
        return 1 << ((self.op >> 4) & 3)

    def text(self, bitmask: bool) -> str:
        """``&>=1024``, ``==6``, ``!=0x02``, ``=0x01``: and bit, operator, value."""
        head = "&" if self.op & AND else ""
        if bitmask:
            return f"{head}{'!' if self.op & 0x02 else ''}{'=' if self.op & 0x01 else ''}0x{self.value:02x}"
        name = _NUMERIC_OPS[self.op & 0x07]
        return head + (name if name in ("true", "false") else f"{name}{self.value}")

    def encode(self) -> bytes:
        if not 0 <= self.op <= 0xFF:
            raise EncodeError("flowspec.op", f"{self.op} does not fit 1 octet")
        n = self.value_length
        if not 0 <= self.value < 1 << (8 * n):
            raise EncodeError("flowspec.value", f"{self.value} does not fit the {n} octets the operator says")
        return bytes((self.op,)) + self.value.to_bytes(n, "big")


def _ip_text(afi: int, packed: bytes) -> str:
    n = 4 if afi == 1 else 16
    return socket.inet_ntop(socket.AF_INET if n == 4 else socket.AF_INET6, packed[:n].ljust(n, b"\0"))


@dataclass(slots=True)
class FlowSpecPrefix:
    """Destination (1) or source (2) prefix component.

    :ivar length: prefix length in bits.
    :ivar packed: the prefix octets as on the wire: ``ceil(length / 8)``
        octets for IPv4, ``ceil((length - offset) / 8)`` octets of pattern
        for IPv6.
    :ivar offset: the IPv6 offset in bits (RFC 8956 section 3.1), ``None``
        for an IPv4 prefix (which has no offset octet).
    :ivar draft_layout: an IPv6 prefix with an offset whose ``packed`` holds
        the whole prefix, ``ceil(length / 8)`` octets, as
        draft-ietf-idr-flow-spec-v6-06 had it (GoBGP sends it so, tshark 4.0
        reads it so) rather than RFC 8956's pattern (keyword-only).
    """

    type: FlowSpecComponentType | int
    length: int
    packed: bytes
    offset: int | None = None
    draft_layout: bool = field(default=False, kw_only=True)

    @property
    def prefix(self) -> str:
        """``10.0.0.0/24``; an IPv6 pattern with an offset is placed at its
        bit position (``::1:0:0:0/64 offset 16``)."""
        if self.offset is None:
            return f"{_ip_text(1, self.packed)}/{self.length}"
        if self.draft_layout:
            return f"{_ip_text(2, self.packed)}/{self.length} offset {self.offset}"
        bits = self.length - self.offset
        value = int.from_bytes(self.packed, "big") >> max(len(self.packed) * 8 - bits, 0) if bits > 0 else 0
        value &= (1 << max(bits, 0)) - 1  # an object built with too few octets still prints
        address = (value << (128 - self.length)).to_bytes(16, "big") if self.length else bytes(16)
        text = f"{_ip_text(2, address)}/{self.length}"
        return f"{text} offset {self.offset}" if self.offset else text

    def __str__(self) -> str:
        return f"{_type_text(self.type)} {self.prefix}"

    def __json__(self) -> dict[str, Any]:
        return {"type": _json_type(self.type), "prefix": self.prefix.split(" ")[0], "length": self.length,
                "offset": self.offset, "pattern": self.packed.hex(), "draft_layout": self.draft_layout}  # fmt: skip

    def encode(self) -> bytes:
        if self.offset is None:
            if not 0 <= self.length <= 32:
                raise EncodeError("flowspec.prefix", f"IPv4 prefix length {self.length} exceeds 32")
            need, head = (self.length + 7) >> 3, bytes((self.type, self.length))
        else:
            if not (0 <= self.offset < self.length <= 128 or self.offset == self.length == 0):
                raise EncodeError("flowspec.prefix", f"IPv6 offset {self.offset} / length {self.length} out of range")
            bits = self.length if self.draft_layout else self.length - self.offset
            need, head = (bits + 7) >> 3, bytes((self.type, self.length, self.offset))
        if len(self.packed) != need:
            raise EncodeError("flowspec.prefix", f"/{self.length} needs {need} octets, got {len(self.packed)}")
        return head + self.packed


@dataclass(slots=True)
class FlowSpecOperators:
    """A component of ``operator | value`` pairs: numeric (ports, protocol,
    lengths, DSCP, ICMP, flow label, Ethernet fields) or bitmask (TCP flags
    9, fragment 12)."""

    type: FlowSpecComponentType | int
    matches: list[FlowSpecMatch]

    @property
    def bitmask(self) -> bool:
        """Bitmask operators (TCP flags, fragment), else numeric."""
        return self.type in (9, 12)

    def __str__(self) -> str:
        return f"{_type_text(self.type)} " + " ".join(m.text(self.bitmask) for m in self.matches)

    def __json__(self) -> dict[str, Any]:
        bitmask = self.bitmask
        return {
            "type": _json_type(self.type),
            "operator": "bitmask" if bitmask else "numeric",
            "matches": [{"op": m.op, "value": m.value, "text": m.text(bitmask)} for m in self.matches],
        }

    def encode(self) -> bytes:
        if not self.matches:
            raise EncodeError("flowspec.matches", "a component needs at least one operator / value pair")
        return bytes((self.type,)) + b"".join(m.encode() for m in self.matches)


@dataclass(slots=True)
class FlowSpecMAC:
    """L2VPN source (15) or destination (16) MAC component: ``length
    (octets) | address`` (draft-ietf-idr-flowspec-l2vpn-03, GoBGP)."""

    type: FlowSpecComponentType | int
    mac: bytes

    def __str__(self) -> str:
        return f"{_type_text(self.type)} {self.mac.hex(':')}"

    def __json__(self) -> dict[str, Any]:
        return {"type": _json_type(self.type), "mac": self.mac.hex(":")}

    def encode(self) -> bytes:
        if len(self.mac) > 255:
            raise EncodeError("flowspec.mac", f"{len(self.mac)} octets do not fit the length octet")
        return bytes((self.type, len(self.mac))) + self.mac


FlowSpecComponent = Union[FlowSpecPrefix, FlowSpecOperators, FlowSpecMAC]


def _json_type(t: int) -> str | int:
    member = _TYPES.get(t)
    return member.name.lower() if member is not None else t


def _encode_length(n: int, long_length: bool) -> bytes:
    """RFC 8955 section 4.1: one octet below 240, else ``0xF000 | n``."""
    if n > 0xFFF:
        raise EncodeError("flowspec.length", f"NLRI of {n} octets exceeds 4095")
    if n < 240 and not long_length:
        return bytes((n,))
    return (0xF000 | n).to_bytes(2, "big")


class _FlowSpecBase:
    """What known and unknown FlowSpec routes share."""

    __slots__ = ()
    family: tuple[int, int]

    @property
    def afi(self) -> int:
        return self.family[0]

    @property
    def safi(self) -> int:
        return self.family[1]


@dataclass(slots=True, repr=False)
class FlowSpecRoute(_FlowSpecBase):
    """A FlowSpec NLRI: its components in wire order (RFC 8955 section 4.2).

    :ivar family: ``(afi, safi)``: ``(1, 133)``, ``(2, 133)``, ``(1, 134)``,
        ``(2, 134)`` or ``(25, 134)``.
    :ivar components: :class:`FlowSpecPrefix`, :class:`FlowSpecOperators`
        and :class:`FlowSpecMAC` objects.
    :ivar rd: the route distinguisher (SAFI 134), else ``None``.
    :ivar path_id: the ADD-PATH path identifier, or ``None``.
    :ivar long_length: the length was sent in the two-octet form although
        it is below 240 (kept so that the NLRI re-encodes as received).
    """

    family: tuple[int, int]
    components: list[FlowSpecComponent]
    rd: RouteDistinguisher | None = None
    path_id: int | None = field(default=None, kw_only=True)
    long_length: bool = field(default=False, kw_only=True)

    @property
    def ordered(self) -> bool:
        """RFC 8955 section 4.2: each component type at most once, in
        increasing order (bmplib decodes the NLRI either way)."""
        types = [int(c.type) for c in self.components]
        return all(a < b for a, b in itertools.pairwise(types))

    def component(self, type_: int) -> FlowSpecComponent | None:
        """The first component of *type_*, or ``None``."""
        return next((c for c in self.components if c.type == type_), None)

    def __str__(self) -> str:
        parts = [str(c) for c in self.components]
        if self.rd is not None:
            parts.insert(0, f"rd {self.rd}")
        return " ".join(parts)

    def __repr__(self) -> str:
        pid = "" if self.path_id is None else f", path_id={self.path_id}"
        return f"FlowSpecRoute({family_name(*self.family)} {self}{pid})"

    def __hash__(self) -> int:
        return hash((self.family, self.encode()))

    def __json__(self) -> dict[str, Any]:
        return {
            "family": family_name(*self.family),
            "rd": None if self.rd is None else str(self.rd),
            "components": [c.__json__() for c in self.components],
            "text": str(self),
            "path_id": self.path_id,
        }

    def encode(self) -> bytes:
        """The NLRI octets: [path id (4)] + length (1 or 2) + [RD] + components."""
        if (self.rd is not None) != (self.family[1] == 134):
            need = "needs" if self.rd is None else "has no"
            raise EncodeError("flowspec.rd", f"{family_name(*self.family)} {need} route distinguisher")
        body = (b"" if self.rd is None else self.rd.encode()) + b"".join(c.encode() for c in self.components)
        return with_path_id(self.path_id, _encode_length(len(body), self.long_length) + body)


@dataclass(slots=True, repr=False)
class UnknownFlowSpecRoute(_FlowSpecBase):
    """A FlowSpec NLRI bmplib cannot decode: a component type its family
    does not define (whose length, and so everything after it, is unknown).

    :ivar data: the octets after the length field (RD included).
    :ivar reason: why it was not decoded.
    """

    family: tuple[int, int]
    data: bytes
    reason: str
    path_id: int | None = field(default=None, kw_only=True)
    long_length: bool = field(default=False, kw_only=True)

    @property
    def rd(self) -> RouteDistinguisher | None:
        if self.family[1] == 134 and len(self.data) >= 8:
            return RouteDistinguisher(self.data[:8])
        return None

    def __str__(self) -> str:
        return f"unknown {self.data.hex()}"

    def __repr__(self) -> str:
        return f"UnknownFlowSpecRoute({family_name(*self.family)} {self.data.hex()}: {self.reason})"

    def __hash__(self) -> int:
        return hash((self.family, self.encode()))

    def __json__(self) -> dict[str, Any]:
        rd = self.rd
        return {"family": family_name(*self.family), "rd": None if rd is None else str(rd), "unknown": True,
                "data": self.data.hex(), "reason": self.reason, "path_id": self.path_id}  # fmt: skip

    def encode(self) -> bytes:
        return with_path_id(self.path_id, _encode_length(len(self.data), self.long_length) + self.data)


class _Unknown(Exception):
    """A component type the family does not define (internal)."""


def _components(buf: bytes, p: int, q: int, afi: int, start: int, draft: bool = False) -> list[FlowSpecComponent]:
    """The components in ``buf[p:q]``; :class:`_Unknown` with the reason at
    an undefined type, :class:`NLRIDecodeError` (at *start*) when one does
    not fit.  *draft*: IPv6 prefixes with an offset carry the whole prefix
    (draft-ietf-idr-flow-spec-v6-06) instead of RFC 8956's pattern."""
    layouts = _LAYOUTS[afi]
    out: list[FlowSpecComponent] = []

    def fail(reason: str) -> NLRIDecodeError:
        return NLRIDecodeError(f"FlowSpec {reason}", start, buf[start:q])

    while p < q:
        t = buf[p]
        layout = layouts.get(t)
        ctype = _TYPES.get(t, t)
        if layout is None:
            raise _Unknown(f"component type {t} is not defined for AFI {afi} (at NLRI octet {p - start})")
        if layout == _PREFIX4 or layout == _PREFIX6:
            v6 = layout == _PREFIX6
            if p + (3 if v6 else 2) > q:
                raise fail(f"{_type_text(t)} component is truncated")
            length = buf[p + 1]
            offset = buf[p + 2] if v6 else None
            # RFC 8956 section 3.1: offset < length <= 128, or both 0
            if length > (128 if v6 else 32) or (offset is not None and not (offset < length or offset == length == 0)):
                raise fail(f"{_type_text(t)} length {length}{f' / offset {offset}' if v6 else ''} is out of range")
            head = p + (3 if v6 else 2)
            whole = draft and bool(offset)
            n = (length - (0 if whole else offset or 0) + 7) >> 3
            if head + n > q:
                raise fail(f"{_type_text(t)} /{length} runs past the end of the NLRI")
            out.append(FlowSpecPrefix(ctype, length, buf[head : head + n], offset, draft_layout=whole))
            p = head + n
        elif layout == _MAC:
            if p + 2 > q or p + 2 + buf[p + 1] > q:
                raise fail(f"{_type_text(t)} component runs past the end of the NLRI")
            out.append(FlowSpecMAC(ctype, buf[p + 2 : p + 2 + buf[p + 1]]))
            p += 2 + buf[p + 1]
        else:
            matches: list[FlowSpecMatch] = []
            p += 1
            while True:
                if p >= q:
                    raise fail(f"{_type_text(t)} operator list has no end-of-list bit")
                op = buf[p]
                n = 1 << ((op >> 4) & 3)
                if p + 1 + n > q:
                    raise fail(f"{_type_text(t)} value of {n} octets runs past the end of the NLRI")
                matches.append(FlowSpecMatch(op, int.from_bytes(buf[p + 1 : p + 1 + n], "big")))
                p += 1 + n
                if op & END_OF_LIST:
                    break
            out.append(FlowSpecOperators(ctype, matches))
    return out


def _parse(buf: bytes, p: int, q: int, afi: int, start: int) -> list[FlowSpecComponent]:
    """The components by RFC 8956; for IPv6, when they do not parse so, by
    draft-ietf-idr-flow-spec-v6-06 if the whole NLRI parses that way (see
    docs/quirks.md), else the RFC outcome."""
    try:
        return _components(buf, p, q, afi, start)
    except (_Unknown, NLRIDecodeError):
        if afi == 2:
            try:
                components = _components(buf, p, q, afi, start, draft=True)
            except (_Unknown, NLRIDecodeError):
                components = []
            if any(isinstance(c, FlowSpecPrefix) and c.draft_layout for c in components):
                return components
        raise


def decode_flowspec_nlri(
    buf: bytes, pos: int, end: int, family: tuple[int, int], path_id: bool = False
) -> list[FlowSpecRoute | UnknownFlowSpecRoute]:
    """Decode the FlowSpec NLRI of *family* in ``buf[pos:end]``.  Errors are
    :class:`NLRIDecodeError` at the failing NLRI."""
    afi, safi = family
    out: list[FlowSpecRoute | UnknownFlowSpecRoute] = []
    p = pos
    while p < end:
        start = p
        pid, p = read_path_id(buf, p, end, path_id, "FlowSpec")
        if p >= end:
            raise NLRIDecodeError("FlowSpec NLRI too short for its length", start, buf[start:end])
        n = buf[p]
        long_length = False
        body = p + 1
        if n >= 0xF0:
            if p + 2 > end:
                raise NLRIDecodeError("FlowSpec NLRI too short for its two-octet length", start, buf[start:end])
            n = ((n & 0x0F) << 8) | buf[p + 1]
            long_length = n < 240
            body = p + 2
        q = body + n
        if q > end:
            raise NLRIDecodeError(f"FlowSpec NLRI of {n} octets runs past the end of the NLRI", start, buf[start:end])
        rd = None
        p = body
        if safi == 134:
            if n < 8:
                reason = f"FlowSpec VPN NLRI of {n} octets has no route distinguisher"
                raise NLRIDecodeError(reason, start, buf[start:q])
            rd = RouteDistinguisher(buf[body : body + 8])
            p = body + 8
        try:
            components = _parse(buf, p, q, afi, start)
        except _Unknown as exc:
            out.append(UnknownFlowSpecRoute(family, buf[body:q], str(exc), path_id=pid, long_length=long_length))
        else:
            out.append(FlowSpecRoute(family, components, rd, path_id=pid, long_length=long_length))
        p = q
    return out


class FlowSpecCodec:
    """The NLRI codec of one FlowSpec family (:class:`~bmplib.nlri.registry.NLRICodec`)."""

    def __init__(self, family: tuple[int, int]) -> None:
        self.family = family

    def decode(self, buf: bytes, pos: int, end: int, path_id: bool, ctx: DecodeContext) -> list[Any]:
        return decode_flowspec_nlri(buf, pos, end, self.family, path_id)

    def encode(self, routes: list[Any], path_id: bool, ctx: DecodeContext) -> bytes:
        return b"".join(r.encode() for r in routes)


for _family in FLOWSPEC_FAMILIES:
    register(_family[0], _family[1], FlowSpecCodec(_family))
