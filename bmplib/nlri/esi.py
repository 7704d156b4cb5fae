"""Ethernet Segment Identifier (RFC 7432 section 5).

An ESI is 10 octets: a type octet and a 9-octet value whose layout the type
decides.  Like :class:`~bmplib.nlri.rd.RouteDistinguisher`, the model keeps the
wire octets and derives every field on access.
"""

from __future__ import annotations

import enum
import socket
from typing import Any

from bmplib.errors import EncodeError

__all__ = ["ESI", "ESIType"]


class ESIType(enum.IntEnum):
    """ESI types (RFC 7432 section 5)."""

    ARBITRARY = 0  # operator configured, 9-octet value
    LACP = 1  # CE LACP system MAC + port key
    BRIDGE = 2  # L2 bridge protocol root bridge MAC + priority
    MAC = 3  # system MAC + 3-octet local discriminator
    ROUTER_ID = 4  # router ID + 4-octet local discriminator
    AS = 5  # AS number + 4-octet local discriminator


_ESI_TYPES = {t.value: t for t in ESIType}
_ZERO = bytes(10)
_MAX = b"\xff" * 10


class ESI:
    """A 10-octet Ethernet Segment Identifier.

    ``str(esi)`` is ``0`` for the zero ESI (single-homed), ``max`` for MAX-ESI
    (all ones, RFC 7432 section 5), otherwise the ten octets in colon hex
    (``01:aa:bb:cc:dd:ee:f0:80:00:00``), the form FRR and GoBGP print.
    The typed fields: :attr:`mac` (types 1, 2, 3), :attr:`port_key` (1),
    :attr:`priority` (2), :attr:`router_id` (4), :attr:`asn` (5),
    :attr:`discriminator` (3, 4, 5).
    """

    __slots__ = ("raw",)

    def __init__(self, raw: bytes) -> None:
        if len(raw) != 10:
            raise EncodeError("esi", f"needs 10 octets, got {len(raw)}")
        self.raw = bytes(raw)

    @property
    def type(self) -> ESIType | int:
        """The ESI type (:class:`ESIType`, or a plain int when unassigned)."""
        t = self.raw[0]
        return _ESI_TYPES.get(t, t)

    @property
    def value(self) -> bytes:
        """The 9-octet value after the type."""
        return self.raw[1:]

    @property
    def is_zero(self) -> bool:
        """The reserved zero ESI: a single-homed segment."""
        return self.raw == _ZERO

    @property
    def mac(self) -> str | None:
        """The MAC address of types 1 (LACP system MAC), 2 (root bridge MAC)
        and 3 (system MAC)."""
        if self.raw[0] in (1, 2, 3):
            return self.raw[1:7].hex(":")
        return None

    @property
    def port_key(self) -> int | None:
        """The CE LACP port key of type 1."""
        return int.from_bytes(self.raw[7:9], "big") if self.raw[0] == 1 else None

    @property
    def priority(self) -> int | None:
        """The root bridge priority of type 2."""
        return int.from_bytes(self.raw[7:9], "big") if self.raw[0] == 2 else None

    @property
    def router_id(self) -> str | None:
        """The router ID of type 4."""
        return socket.inet_ntop(socket.AF_INET, self.raw[1:5]) if self.raw[0] == 4 else None

    @property
    def asn(self) -> int | None:
        """The AS number of type 5."""
        return int.from_bytes(self.raw[1:5], "big") if self.raw[0] == 5 else None

    @property
    def discriminator(self) -> int | None:
        """The local discriminator of types 3 (3 octets), 4 and 5 (4 octets)."""
        t = self.raw[0]
        if t == 3:
            return int.from_bytes(self.raw[7:10], "big")
        if t in (4, 5):
            return int.from_bytes(self.raw[5:9], "big")
        return None

    def fields(self) -> dict[str, Any]:
        """The typed fields of this ESI by name (empty for type 0 and
        unassigned types)."""
        t = self.raw[0]
        if t == 1:
            return {"mac": self.mac, "port_key": self.port_key}
        if t == 2:
            return {"mac": self.mac, "priority": self.priority}
        if t == 3:
            return {"mac": self.mac, "discriminator": self.discriminator}
        if t == 4:
            return {"router_id": self.router_id, "discriminator": self.discriminator}
        if t == 5:
            return {"asn": self.asn, "discriminator": self.discriminator}
        return {}

    def __str__(self) -> str:
        if self.raw == _ZERO:
            return "0"
        if self.raw == _MAX:
            return "max"
        return self.raw.hex(":")

    def __json__(self) -> str:
        return str(self)

    def __repr__(self) -> str:
        return f"ESI({str(self)!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, ESI) and other.raw == self.raw

    def __hash__(self) -> int:
        return hash(self.raw)

    def encode(self) -> bytes:
        """The 10 wire octets."""
        return self.raw

    @classmethod
    def from_text(cls, text: str) -> ESI:
        """Build from ``0``, ``max`` or ten colon-separated hex octets."""
        if text == "0":
            return cls(_ZERO)
        if text == "max":
            return cls(_MAX)
        try:
            raw = bytes.fromhex(text.replace(":", ""))
        except ValueError as exc:
            raise EncodeError("esi", f"not an ESI: {text!r}") from exc
        return cls(raw)

    @classmethod
    def build(
        cls,
        type: int,
        *,
        mac: str | None = None,
        port_key: int = 0,
        priority: int = 0,
        router_id: str | None = None,
        asn: int = 0,
        discriminator: int = 0,
        value: bytes | None = None,
    ) -> ESI:
        """Build an ESI of *type* from its typed fields (RFC 7432 section 5);
        *value* gives the 9 octets directly (type 0 or unassigned types)."""
        try:
            if value is not None:
                body = bytes(value)
            elif type in (1, 2):
                body = _mac(mac) + (port_key if type == 1 else priority).to_bytes(2, "big") + b"\x00"
            elif type == 3:
                body = _mac(mac) + discriminator.to_bytes(3, "big")
            elif type == 4:
                body = socket.inet_pton(socket.AF_INET, router_id or "") + discriminator.to_bytes(4, "big") + b"\x00"
            elif type == 5:
                body = asn.to_bytes(4, "big") + discriminator.to_bytes(4, "big") + b"\x00"
            else:
                body = bytes(9)
        except (OverflowError, OSError, ValueError) as exc:
            raise EncodeError("esi", str(exc)) from exc
        if len(body) != 9 or not 0 <= type <= 255:
            raise EncodeError("esi", "needs a type octet and a 9-octet value")
        return cls(bytes((type,)) + body)


def _mac(mac: str | None) -> bytes:
    raw = bytes.fromhex((mac or "").replace(":", "").replace("-", ""))
    if len(raw) != 6:
        raise EncodeError("mac", f"not a MAC address: {mac!r}")
    return raw
