"""The BGP MUP extended community (type 0x0c, sub-type 0x00 Direct Segment
Identifier; draft-mpmz-bess-mup-safi section 3.2), registered in the
extended-community registry of :mod:`bmplib.bgp.attributes.extended_communities`.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from typing import ClassVar

from bmplib.bgp.attributes.extended_communities import pack_type, register_extended_community
from bmplib.errors import EncodeError

__all__ = ["MUP", "MUPExtendedCommunity"]

#: the MUP extended community type and its Direct Segment Identifier sub-type
MUP = (0x0C, 0x00)
_HI = struct.Struct("!HI")


@dataclass(slots=True)
class MUPExtendedCommunity:
    """MUP Extended Community (draft-mpmz-bess-mup-safi section 3.2): the
    6-octet Direct Segment Identifier, shown as GoBGP does (2 octets : 4
    octets, ``mup:10:10``)."""

    _json_views: ClassVar[tuple[str, ...]] = ("text",)
    type: int
    subtype: int
    segment_id2: int
    segment_id4: int

    @property
    def text(self) -> str:
        return str(self)

    def __str__(self) -> str:
        return f"mup:{self.segment_id2}:{self.segment_id4}"

    def encode(self) -> bytes:
        try:
            return pack_type(self.type, self.subtype) + _HI.pack(self.segment_id2, self.segment_id4)
        except struct.error as exc:
            raise EncodeError("mup_segment_id", str(exc)) from exc


def _decode_mup(buf: bytes, pos: int) -> MUPExtendedCommunity:
    sid2, sid4 = _HI.unpack_from(buf, pos + 2)
    return MUPExtendedCommunity(buf[pos], buf[pos + 1], sid2, sid4)


register_extended_community(*MUP, _decode_mup)
