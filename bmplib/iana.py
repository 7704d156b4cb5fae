"""IANA code points: the one place that turns a wire value into a registry's
enum member (RFC 8126: unassigned values stay what they are on the wire).

Every registry of bmplib is an ``enum.IntEnum`` named as in its IANA
registry (BMP parameters in :mod:`bmplib.bmp.constants`, BGP parameters next
to the messages and attributes that use them, AFI/SAFI in
:mod:`bmplib.nlri.registry`); :func:`lookup` is how decoders at every layer
read one.  It sits below the protocol layers, so any of them may use it.
"""

from __future__ import annotations

import enum
from typing import TypeVar

__all__ = ["lookup"]

E = TypeVar("E", bound=enum.IntEnum)


def lookup(enum_cls: type[E], value: int) -> E | int:
    """Return the member of *enum_cls* for *value*, or *value* itself when the
    registry has no such code point."""
    member = enum_cls._value2member_map_.get(value)
    return member if member is not None else value  # type: ignore[return-value]
