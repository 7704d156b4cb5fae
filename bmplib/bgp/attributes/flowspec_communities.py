"""The FlowSpec traffic-action extended communities (RFC 8955 section 7),
registered in the extended-community registry of
:mod:`bmplib.bgp.attributes.extended_communities`.

==========  ======================================  =======================
type/sub    action                                  class
==========  ======================================  =======================
0x80/0x06   traffic-rate-bytes (section 7.1)        :class:`TrafficRate`
0x80/0x0c   traffic-rate-packets (section 7.1)      :class:`TrafficRate`
0x80/0x07   traffic-action (section 7.3)            :class:`TrafficAction`
0x8x/0x08   redirect (section 7.4)                  :class:`~bmplib.bgp.attributes.extended_communities.Redirect`
0x80/0x09   traffic-marking (section 7.5)           :class:`TrafficMarking`
==========  ======================================  =======================

Each keeps its reserved bits, so it re-encodes to the same 8 octets.
"""

from __future__ import annotations

import math
import struct
from dataclasses import dataclass

from bmplib.bgp.attributes.extended_communities import ExtendedCommunity, _Text, pack_type, register_extended_community
from bmplib.errors import EncodeError

__all__ = ["TRAFFIC", "TrafficAction", "TrafficMarking", "TrafficRate"]

#: the generic transitive experimental type the traffic actions use (RFC 7153)
TRAFFIC = 0x80
SUBTYPE_RATE_BYTES = 0x06
SUBTYPE_ACTION = 0x07
SUBTYPE_MARKING = 0x09
SUBTYPE_RATE_PACKETS = 0x0C
_H_F = struct.Struct("!Hf")


@dataclass(slots=True)
class TrafficRate(_Text):
    """traffic-rate-bytes (sub-type 0x06) or traffic-rate-packets (0x0c):
    a 2-octet AS (informational) and the rate as an IEEE 754 single
    (bytes or packets per second); 0 means discard (RFC 8955 section 7.1)."""

    type: int
    subtype: int
    asn: int
    rate: float

    @property
    def unit(self) -> str:
        return "packets" if self.subtype == SUBTYPE_RATE_PACKETS else "bytes"

    def __str__(self) -> str:
        return f"rate-{self.unit}:{self.asn}:{self.rate:g}"

    def encode(self) -> bytes:
        try:
            return pack_type(self.type, self.subtype) + _H_F.pack(self.asn, self.rate)
        except (struct.error, OverflowError) as exc:
            raise EncodeError("traffic_rate", str(exc)) from exc


def _decode_rate(buf: bytes, pos: int) -> TrafficRate | ExtendedCommunity:
    asn, rate = _H_F.unpack_from(buf, pos + 2)
    if math.isnan(rate):  # a NaN's payload would not survive the float: keep the octets
        return ExtendedCommunity(buf[pos], buf[pos + 1], buf[pos + 2 : pos + 8])
    return TrafficRate(buf[pos], buf[pos + 1], asn, rate)


@dataclass(slots=True)
class TrafficAction(_Text):
    """traffic-action (sub-type 0x07, RFC 8955 section 7.3): the S (sample,
    bit 46) and T (terminal action, bit 47) flags; ``reserved`` holds the 46
    bits above them."""

    type: int
    subtype: int
    reserved: int
    sample: bool
    terminal: bool

    def __str__(self) -> str:
        flags = [name for name, on in (("sample", self.sample), ("terminal", self.terminal)) if on]
        return "action:" + (",".join(flags) or "none")

    def encode(self) -> bytes:
        if not 0 <= self.reserved < 1 << 46:
            raise EncodeError("traffic_action.reserved", f"{self.reserved} does not fit 46 bits")
        value = (self.reserved << 2) | (int(self.sample) << 1) | int(self.terminal)
        return pack_type(self.type, self.subtype) + value.to_bytes(6, "big")


def _decode_action(buf: bytes, pos: int) -> TrafficAction:
    value = int.from_bytes(buf[pos + 2 : pos + 8], "big")
    return TrafficAction(buf[pos], buf[pos + 1], value >> 2, bool(value & 2), bool(value & 1))


@dataclass(slots=True)
class TrafficMarking(_Text):
    """traffic-marking (sub-type 0x09, RFC 8955 section 7.5): the DSCP value
    (6 bits) to set; ``reserved`` holds the 42 bits above it."""

    type: int
    subtype: int
    reserved: int
    dscp: int

    def __str__(self) -> str:
        return f"mark:{self.dscp}"

    def encode(self) -> bytes:
        if not 0 <= self.reserved < 1 << 42 or not 0 <= self.dscp <= 0x3F:
            raise EncodeError("traffic_marking", f"reserved {self.reserved} / DSCP {self.dscp} out of range")
        return pack_type(self.type, self.subtype) + ((self.reserved << 6) | self.dscp).to_bytes(6, "big")


def _decode_marking(buf: bytes, pos: int) -> TrafficMarking:
    value = int.from_bytes(buf[pos + 2 : pos + 8], "big")
    return TrafficMarking(buf[pos], buf[pos + 1], value >> 6, value & 0x3F)


register_extended_community(TRAFFIC, SUBTYPE_RATE_BYTES, _decode_rate)
register_extended_community(TRAFFIC, SUBTYPE_RATE_PACKETS, _decode_rate)
register_extended_community(TRAFFIC, SUBTYPE_ACTION, _decode_action)
register_extended_community(TRAFFIC, SUBTYPE_MARKING, _decode_marking)
