"""BGP-LS Attribute (29; RFC 9552 section 5.3): the node, link, prefix and
SRv6 SID attribute TLVs of a BGP-LS route, in wire order.

The TLVs share one code space with the NLRI descriptors and are decoded by
:mod:`bmplib.nlri.bgpls_tlvs` (typed where bmplib knows the type, raw
:class:`~bmplib.nlri.bgpls_tlvs.LSTLV` otherwise).  A TLV that runs past the
attribute makes it malformed; RFC 9552 section 8.2.2 says to handle that as
attribute-discard.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from bmplib.bgp.attributes.base import (
    OPTIONAL_NON_TRANSITIVE,
    AttributeType,
    ErrorAction,
    MalformedAttributeError,
    _AttributeBase,
    register_attribute,
)
from bmplib.nlri.bgpls_tlvs import LSFramingError, decode_ls_tlvs
from bmplib.session import DecodeContext

__all__ = ["BGP_LS_ATTRIBUTE", "BGPLSAttribute", "decode_bgpls_attribute"]

BGP_LS_ATTRIBUTE = AttributeType.BGP_LS


@dataclass(slots=True)
class BGPLSAttribute(_AttributeBase):
    """BGP-LS Attribute (type 29, RFC 9552 section 5.3).

    :ivar tlvs: the attribute TLVs in wire order.
    """

    type_code: ClassVar[int] = BGP_LS_ATTRIBUTE
    tlvs: list[Any]
    flags: int = OPTIONAL_NON_TRANSITIVE

    def get(self, code: int) -> Any:
        """The first TLV of type *code*, or ``None``."""
        for t in self.tlvs:
            if t.type == code:
                return t
        return None

    def _value(self) -> bytes:
        return b"".join(t.encode() for t in self.tlvs)


def decode_bgpls_attribute(buf: bytes, pos: int, end: int, flags: int, ctx: DecodeContext) -> BGPLSAttribute:
    """The BGP-LS attribute in ``buf[pos:end]``."""
    try:
        return BGPLSAttribute(decode_ls_tlvs(buf, pos, end), flags)
    except LSFramingError as exc:
        raise MalformedAttributeError(exc.reason, exc.offset, buf[pos:end]) from None


register_attribute(
    BGP_LS_ATTRIBUTE, decode_bgpls_attribute, BGPLSAttribute, ErrorAction.ATTRIBUTE_DISCARD, OPTIONAL_NON_TRANSITIVE
)
