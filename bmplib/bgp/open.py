"""The BGP OPEN message (RFC 4271 section 4.2) with its optional parameters
(RFC 5492), including the extended optional parameters length (RFC 9072).

The optional parameters are kept as they were on the wire (one Capabilities
parameter holding many capabilities, or one parameter per capability, and
the RFC 9072 extended form), so :meth:`Open.encode` gives back the exact
octets; :attr:`Open.capabilities` is the flat list of every capability.
"""

from __future__ import annotations

import enum
import socket
import struct
from dataclasses import dataclass, field
from typing import ClassVar, Union

from bmplib.bgp.capabilities import (
    AddPathCapability,
    Capability,
    CapabilityCode,
    ExtendedMessageCapability,
    FourOctetASCapability,
    MultipleLabelsCapability,
    MultiprotocolCapability,
    SendReceive,
    decode_capabilities,
)
from bmplib.bgp.message import BGP_HEADER_LENGTH, BGPMessageType, encode_bgp_header, register_decoder
from bmplib.errors import BGPDecodeError, EncodeError
from bmplib.iana import lookup
from bmplib.session import DecodeContext

__all__ = [
    "AS_TRANS",
    "CapabilitiesParameter",
    "CapabilityCode",
    "Open",
    "OptionalParameter",
    "ParameterType",
    "UnknownParameter",
    "decode_open",
]

#: The 2-octet AS a 4-octet-AS speaker puts in "My Autonomous System" when
#: its AS does not fit (RFC 6793 section 9).
AS_TRANS = 23456

# version, my AS, hold time, BGP identifier, optional parameters length
_OPEN = struct.Struct("!BHH4sB")
_OPEN_LENGTH = 10
_U16 = struct.Struct("!H")


class ParameterType(enum.IntEnum):
    """BGP OPEN Optional Parameter Types (IANA)."""

    AUTHENTICATION = 1  # deprecated (RFC 5492)
    CAPABILITIES = 2  # RFC 5492
    EXTENDED_LENGTH = 255  # RFC 9072


@dataclass(slots=True)
class CapabilitiesParameter:
    """Optional parameter type 2 (RFC 5492 section 4): a list of capabilities."""

    capabilities: list[Capability]

    @property
    def type(self) -> ParameterType:
        return ParameterType.CAPABILITIES

    def encode_value(self) -> bytes:
        return b"".join(c.encode() for c in self.capabilities)


@dataclass(slots=True)
class UnknownParameter:
    """Any other optional parameter, or a Capabilities parameter whose
    capability list does not frame: its type and raw value."""

    type: ParameterType | int
    value: bytes

    def encode_value(self) -> bytes:
        return self.value


OptionalParameter = Union[CapabilitiesParameter, UnknownParameter]


@dataclass(slots=True)
class Open:
    """BGP OPEN (RFC 4271 section 4.2).

    :ivar version: the BGP version (4).
    :ivar my_as: "My Autonomous System", 2 octets (AS_TRANS 23456 for a
        4-octet AS; see :attr:`asn`).
    :ivar hold_time: proposed hold time in seconds.
    :ivar bgp_id: the BGP identifier as dotted-quad text.
    :ivar parameters: the optional parameters in wire order.
    :ivar extended_parameters: the parameters used the RFC 9072 encoding
        (non-extended length 255, type 255, 2-octet lengths).
    """

    _json_views: ClassVar[tuple[str, ...]] = ("asn",)

    version: int
    my_as: int
    hold_time: int
    bgp_id: str
    parameters: list[OptionalParameter] = field(default_factory=list)
    extended_parameters: bool = False

    @property
    def type(self) -> BGPMessageType:
        return BGPMessageType.OPEN

    # -- views -------------------------------------------------------------
    @property
    def capabilities(self) -> list[Capability]:
        """Every capability of every Capabilities parameter, in wire order."""
        return [c for p in self.parameters if isinstance(p, CapabilitiesParameter) for c in p.capabilities]

    def get_capabilities(self, code: int) -> list[Capability]:
        """The capabilities with *code*, in wire order."""
        return [c for c in self.capabilities if c.code == code]

    def has_capability(self, code: int) -> bool:
        """Whether a capability with *code* was advertised."""
        return any(c.code == code for c in self.capabilities)

    @property
    def four_octet_as(self) -> FourOctetASCapability | None:
        """The 4-octet AS capability (RFC 6793), if advertised."""
        for c in self.capabilities:
            if isinstance(c, FourOctetASCapability):
                return c
        return None

    @property
    def asn(self) -> int:
        """The speaker's AS: the 4-octet AS capability's value when there is
        one (the AS that "My Autonomous System" stands for, AS_TRANS when it
        does not fit 2 octets; RFC 6793 section 4.1), else :attr:`my_as`."""
        cap = self.four_octet_as
        return cap.asn if cap is not None else self.my_as

    @property
    def extended_message(self) -> bool:
        """The BGP Extended Message capability (RFC 8654) was advertised."""
        return any(isinstance(c, ExtendedMessageCapability) for c in self.capabilities)

    @property
    def families(self) -> list[tuple[int, int]]:
        """The (AFI, SAFI) of every Multiprotocol capability (RFC 4760), in
        wire order."""
        return [(c.afi, c.safi) for c in self.capabilities if isinstance(c, MultiprotocolCapability)]

    @property
    def addpath(self) -> dict[tuple[int, int], SendReceive | int]:
        """ADD-PATH (RFC 7911): (AFI, SAFI) -> send/receive mode (1 receive,
        2 send, 3 both).  A later entry for the same family wins."""
        out: dict[tuple[int, int], SendReceive | int] = {}
        for c in self.capabilities:
            if isinstance(c, AddPathCapability):
                for f in c.families:
                    out[(f.afi, f.safi)] = f.send_receive
        return out

    @property
    def multiple_labels(self) -> dict[tuple[int, int], int]:
        """Multiple Labels (RFC 8277 section 2.1): (AFI, SAFI) -> count."""
        out: dict[tuple[int, int], int] = {}
        for c in self.capabilities:
            if isinstance(c, MultipleLabelsCapability):
                for f in c.families:
                    out[(f.afi, f.safi)] = f.count
        return out

    # -- wire --------------------------------------------------------------
    def encode(self) -> bytes:
        """The whole BGP message (header included)."""
        try:
            bgp_id = socket.inet_pton(socket.AF_INET, self.bgp_id)
        except (OSError, TypeError) as exc:
            raise EncodeError("bgp_id", f"not an IPv4 address: {self.bgp_id!r}") from exc
        for name, number, limit in (
            ("version", self.version, 0xFF),
            ("my_as", self.my_as, 0xFFFF),
            ("hold_time", self.hold_time, 0xFFFF),
        ):
            if not 0 <= number <= limit:
                raise EncodeError(name, f"{number} does not fit {limit.bit_length() // 8} octet(s)")
        params = bytearray()
        for p in self.parameters:
            value = p.encode_value()
            if not 0 <= p.type <= 255:
                raise EncodeError("parameter.type", f"{p.type} does not fit 1 octet")
            if self.extended_parameters:
                if len(value) > 0xFFFF:
                    raise EncodeError(f"parameter[{p.type}]", f"{len(value)} octets do not fit 2 octets")
                params.append(p.type)
                params += _U16.pack(len(value))
            else:
                if len(value) > 255:
                    raise EncodeError(f"parameter[{p.type}]", f"{len(value)} octets do not fit 1 octet")
                params += bytes((p.type, len(value)))
            params += value
        if self.extended_parameters:
            if len(params) > 0xFFFF:
                raise EncodeError("parameters", f"{len(params)} octets do not fit 2 octets")
            opt = b"\xff\xff" + _U16.pack(len(params))
        else:
            if len(params) > 255:
                raise EncodeError("parameters", f"{len(params)} octets need extended_parameters (RFC 9072)")
            opt = b""
        head = _OPEN.pack(self.version, self.my_as, self.hold_time, bgp_id, 0 if opt else len(params))
        if opt:
            head = head[:-1] + opt
        body = head + params
        return encode_bgp_header(len(body), BGPMessageType.OPEN) + body


def _decode_parameters(buf: bytes, pos: int, end: int, extended: bool) -> list[OptionalParameter]:
    out: list[OptionalParameter] = []
    head = 3 if extended else 2
    p = pos
    while p < end:
        if end - p < head:
            raise BGPDecodeError("optional parameter header truncated", p, buf[p:end])
        ptype = buf[p]
        length = _U16.unpack_from(buf, p + 1)[0] if extended else buf[p + 1]
        vs = p + head
        ve = vs + length
        if ve > end:
            raise BGPDecodeError(f"optional parameter {ptype} length {length} runs past the OPEN", p, buf[p:end])
        param: OptionalParameter
        if ptype == 2:
            try:
                param = CapabilitiesParameter(decode_capabilities(buf, vs, ve))
            except BGPDecodeError:
                param = UnknownParameter(ParameterType.CAPABILITIES, buf[vs:ve])
        else:
            param = UnknownParameter(lookup(ParameterType, ptype), buf[vs:ve])
        out.append(param)
        p = ve
    return out


def decode_open(buf: bytes, pos: int, end: int, ctx: DecodeContext | None = None) -> Open:
    """Decode the OPEN body ``buf[pos:end]`` (after the 19-octet header).

    Raises :class:`~bmplib.errors.BGPDecodeError` when the fixed part is
    short or the optional parameters do not add up to the body.  A
    Capabilities parameter whose capabilities do not frame is kept raw
    (:class:`UnknownParameter`), a capability whose value does not have its
    registered shape is kept raw (:class:`UnknownCapability`).
    """
    msg = pos - BGP_HEADER_LENGTH
    if end - pos < _OPEN_LENGTH:
        raise BGPDecodeError(f"OPEN needs {_OPEN_LENGTH} octets after the header, {end - pos} left", msg, buf[msg:end])
    version, my_as, hold, bgp_id, opt_len = _OPEN.unpack_from(buf, pos)
    p = pos + _OPEN_LENGTH
    extended = opt_len == 255 and end - p >= 1 and buf[p] == 255
    if extended:
        # RFC 9072 section 2: non-extended type 255, then a 2-octet length
        if end - p < 3:
            raise BGPDecodeError("extended optional parameters length truncated", p, buf[p:end])
        opt_len = _U16.unpack_from(buf, p + 1)[0]
        p += 3
    if p + opt_len != end:
        raise BGPDecodeError(
            f"optional parameters length {opt_len} does not match the {end - p} octets left in the OPEN",
            msg, buf[msg:end],
        )  # fmt: skip
    params = _decode_parameters(buf, p, end, extended)
    return Open(version, my_as, hold, socket.inet_ntop(socket.AF_INET, bgp_id), params, extended)


register_decoder(BGPMessageType.OPEN, decode_open)
