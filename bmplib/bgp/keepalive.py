"""The BGP KEEPALIVE message (RFC 4271 section 4.4): the header alone."""

from __future__ import annotations

from dataclasses import dataclass

from bmplib.bgp.message import BGP_HEADER_LENGTH, BGPMessageType, encode_bgp_header, register_decoder
from bmplib.errors import BGPDecodeError
from bmplib.session import DecodeContext

__all__ = ["Keepalive", "decode_keepalive"]


@dataclass(slots=True)
class Keepalive:
    """BGP KEEPALIVE (RFC 4271 section 4.4): no body."""

    @property
    def type(self) -> BGPMessageType:
        return BGPMessageType.KEEPALIVE

    def encode(self) -> bytes:
        """The whole BGP message: the 19-octet header."""
        return encode_bgp_header(0, BGPMessageType.KEEPALIVE)


def decode_keepalive(buf: bytes, pos: int, end: int, ctx: DecodeContext | None = None) -> Keepalive:
    """A KEEPALIVE body must be empty (RFC 4271 section 6.1: Bad Message Length)."""
    if end != pos:
        msg = pos - BGP_HEADER_LENGTH
        raise BGPDecodeError(f"KEEPALIVE has a {end - pos}-octet body, it must be empty", msg, buf[msg:end])
    return Keepalive()


register_decoder(BGPMessageType.KEEPALIVE, decode_keepalive)
