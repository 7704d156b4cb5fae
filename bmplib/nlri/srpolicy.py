"""SR Policy NLRI (AFI 1/2, SAFI 73; RFC 9830 section 2.1).

``NLRI length (1, in bits: 96 or 192) | distinguisher (4) | policy color (4)
| endpoint (4 or 16)``.  The candidate path itself (preference, binding SID,
segment lists) travels in the Tunnel Encapsulation attribute
(:mod:`bmplib.bgp.attributes.tunnel_encap`).

Text form: ``[distinguisher][color][endpoint]``, e.g. ``[2][99][10.0.0.15]``.
"""

from __future__ import annotations

import socket
import struct
from dataclasses import dataclass
from typing import Any

from bmplib.errors import EncodeError, NLRIDecodeError
from bmplib.nlri.registry import AFI, SAFI, family_name, register
from bmplib.nlri.walk import read_path_id, with_path_id
from bmplib.session import DecodeContext

__all__ = ["SRPolicyCodec", "SRPolicyNLRI", "decode_sr_policy_nlri"]

_II = struct.Struct("!II")
#: NLRI length in bits -> endpoint octets
_ENDPOINT = {96: 4, 192: 16}


@dataclass(slots=True)
class SRPolicyNLRI:
    """One SR Policy candidate path key (RFC 9830 section 2.1).

    :ivar afi: 1 (IPv4 endpoint) or 2 (IPv6 endpoint).
    :ivar distinguisher: makes the NLRI of one candidate path unique.
    :ivar color: the policy color.
    :ivar endpoint: the policy endpoint address.
    :ivar path_id: the ADD-PATH path identifier, or ``None``.
    """

    afi: int
    distinguisher: int
    color: int
    endpoint: str
    path_id: int | None = None

    @property
    def family(self) -> tuple[int, int]:
        return (self.afi, 73)

    def __str__(self) -> str:
        return f"[{self.distinguisher}][{self.color}][{self.endpoint}]"

    def __json__(self) -> dict[str, Any]:
        return {"family": family_name(*self.family), "text": str(self), "path_id": self.path_id,
                "distinguisher": self.distinguisher, "color": self.color, "endpoint": self.endpoint}  # fmt: skip

    def encode(self) -> bytes:
        """The NLRI octets: [path id (4)] + length + distinguisher + color + endpoint."""
        try:
            raw = socket.inet_pton(socket.AF_INET6 if ":" in self.endpoint else socket.AF_INET, self.endpoint)
            body = _II.pack(self.distinguisher, self.color) + raw
        except (OSError, ValueError, struct.error) as exc:
            raise EncodeError("sr_policy", str(exc)) from exc
        return with_path_id(self.path_id, bytes((len(body) * 8,)) + body)


def decode_sr_policy_nlri(buf: bytes, pos: int, end: int, afi: int, path_id: bool = False) -> list[SRPolicyNLRI]:
    """Decode the SR Policy NLRI in ``buf[pos:end]``."""
    out: list[SRPolicyNLRI] = []
    p = pos
    while p < end:
        start = p
        pid, p = read_path_id(buf, p, end, path_id, "SR Policy")
        if p >= end:
            raise NLRIDecodeError("SR Policy NLRI too short for its length octet", start, buf[start:end])
        bits = buf[p]
        n = _ENDPOINT.get(bits)
        if n is None:
            raise NLRIDecodeError(f"SR Policy NLRI length {bits} is not 96 or 192", start, buf[start:end])
        q = p + 1 + bits // 8
        if q > end:
            raise NLRIDecodeError(f"SR Policy NLRI of {bits} bits runs past the end", start, buf[start:end])
        dist, color = _II.unpack_from(buf, p + 1)
        endpoint = socket.inet_ntop(socket.AF_INET if n == 4 else socket.AF_INET6, buf[p + 9 : q])
        out.append(SRPolicyNLRI(afi, dist, color, endpoint, pid))
        p = q
    return out


class SRPolicyCodec:
    """The NLRI codec of AFI 1/2, SAFI 73 (:class:`~bmplib.nlri.registry.NLRICodec`)."""

    def __init__(self, afi: int) -> None:
        self.afi = afi

    def decode(self, buf: bytes, pos: int, end: int, path_id: bool, ctx: DecodeContext) -> list[Any]:
        return decode_sr_policy_nlri(buf, pos, end, self.afi, path_id)

    def encode(self, routes: list[Any], path_id: bool, ctx: DecodeContext) -> bytes:
        return b"".join(r.encode() for r in routes)


register(AFI.IPV4, SAFI.SR_TE_POLICY, SRPolicyCodec(1))
register(AFI.IPV6, SAFI.SR_TE_POLICY, SRPolicyCodec(2))
