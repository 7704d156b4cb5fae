"""The Layer2 Info extended community of VPLS (RFC 4761 section 3.2.4:
generic transitive experimental type 0x80, sub-type 0x0a), registered in the
extended-community registry of :mod:`bmplib.bgp.attributes.extended_communities`.

Value: encapsulation type (1; 19 is VPLS), control flags (1; C 0x02 control
word required, S 0x01 sequenced delivery), Layer-2 MTU (2), reserved (2,
kept as received).
"""

from __future__ import annotations

import struct
from dataclasses import dataclass

from bmplib.bgp.attributes.extended_communities import _Text, pack_type, register_extended_community
from bmplib.errors import EncodeError

__all__ = ["Layer2Info"]

#: type and sub-type of the Layer2 Info community (RFC 4761 section 3.2.4)
LAYER2_INFO = (0x80, 0x0A)
_BBHH = struct.Struct("!BBHH")


@dataclass(slots=True)
class Layer2Info(_Text):
    """Layer2 Info (RFC 4761 section 3.2.4), sent with VPLS NLRI."""

    type: int
    subtype: int
    encapsulation_type: int
    control_flags: int
    mtu: int
    reserved: int = 0

    @property
    def control_word(self) -> bool:
        """The C flag: a control word must be used."""
        return bool(self.control_flags & 0x02)

    @property
    def sequenced(self) -> bool:
        """The S flag: sequenced delivery."""
        return bool(self.control_flags & 0x01)

    def __str__(self) -> str:
        return f"l2info:{self.encapsulation_type}:{self.control_flags}:{self.mtu}:{self.reserved}"

    def encode(self) -> bytes:
        try:
            value = _BBHH.pack(self.encapsulation_type, self.control_flags, self.mtu, self.reserved)
        except struct.error as exc:
            raise EncodeError("layer2_info", str(exc)) from exc
        return pack_type(self.type, self.subtype) + value


def _decode_layer2_info(buf: bytes, pos: int) -> Layer2Info:
    encaps, flags, mtu, reserved = _BBHH.unpack_from(buf, pos + 2)
    return Layer2Info(buf[pos], buf[pos + 1], encaps, flags, mtu, reserved)


register_extended_community(*LAYER2_INFO, _decode_layer2_info)
