"""Path attributes: the shared machinery (RFC 4271 section 4.3, RFC 7606).

The attribute registry
----------------------
Every attribute module registers its type codes at import time::

    register_attribute(AttributeType.ORIGIN, decode_origin, Origin,
                       on_error=ErrorAction.TREAT_AS_WITHDRAW, category=WELL_KNOWN)

* ``decode(buf, pos, end, flags, ctx)`` gets the attribute *value* as
  ``buf[pos:end]`` (absolute positions in the BMP message), the attribute
  flags octet and the :class:`~bmplib.session.DecodeContext`, and returns the
  model object.  When the value is malformed it raises
  :class:`MalformedAttributeError` (a :class:`~bmplib.errors.BGPDecodeError`);
  the UPDATE decoder turns that into a :class:`Problem` with the RFC 7606
  action registered as *on_error* (or the one the error carries) and keeps
  the attribute's octets as a :class:`MalformedAttribute`, so the message
  still re-encodes exactly.
* *category* is the Optional/Transitive bits the attribute must have
  (:data:`WELL_KNOWN` 0x40, :data:`OPTIONAL_TRANSITIVE` 0xC0,
  :data:`OPTIONAL_NON_TRANSITIVE` 0x80), or ``None`` to not check them
  (RFC 7606 section 3 c).
* Every model class has ``flags`` (the wire flags octet, kept as received,
  extended-length bit included), a ``type_code`` class attribute, and
  ``encode()`` giving the whole attribute (flags, type, length, value).

A type code nobody registered decodes to :class:`UnknownAttribute` (flags,
code and raw value).  Later modules (PMSI tunnel, Prefix-SID, ...) register
their own codes the same way, without editing this package.
"""

from __future__ import annotations

import enum
import struct
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, ClassVar, NamedTuple

from bmplib.errors import BGPDecodeError, EncodeError
from bmplib.session import DecodeContext

__all__ = [
    "ATTR_EXTENDED_LENGTH",
    "ATTR_OPTIONAL",
    "ATTR_PARTIAL",
    "ATTR_TRANSITIVE",
    "OPTIONAL_NON_TRANSITIVE",
    "OPTIONAL_TRANSITIVE",
    "WELL_KNOWN",
    "AttributeEntry",
    "AttributeType",
    "ErrorAction",
    "MalformedAttribute",
    "MalformedAttributeError",
    "Problem",
    "UnknownAttribute",
    "encode_attribute",
    "lookup_attribute",
    "register_attribute",
]

ATTR_OPTIONAL = 0x80
ATTR_TRANSITIVE = 0x40
ATTR_PARTIAL = 0x20
ATTR_EXTENDED_LENGTH = 0x10

WELL_KNOWN = 0x40
OPTIONAL_TRANSITIVE = 0xC0
OPTIONAL_NON_TRANSITIVE = 0x80

_HDR = struct.Struct("!BBB")
_HDR_EXT = struct.Struct("!BBH")


class AttributeType(enum.IntEnum):
    """BGP Path Attributes (IANA registry), the ones bmplib knows by name."""

    ORIGIN = 1
    AS_PATH = 2
    NEXT_HOP = 3
    MULTI_EXIT_DISC = 4
    LOCAL_PREF = 5
    ATOMIC_AGGREGATE = 6
    AGGREGATOR = 7
    COMMUNITIES = 8
    ORIGINATOR_ID = 9
    CLUSTER_LIST = 10
    MP_REACH_NLRI = 14
    MP_UNREACH_NLRI = 15
    EXTENDED_COMMUNITIES = 16
    AS4_PATH = 17
    AS4_AGGREGATOR = 18
    PMSI_TUNNEL = 22
    TUNNEL_ENCAPSULATION = 23
    IPV6_EXTENDED_COMMUNITIES = 25
    AIGP = 26
    BGP_LS = 29
    LARGE_COMMUNITY = 32
    BGPSEC_PATH = 33
    ONLY_TO_CUSTOMER = 35
    PREFIX_SID = 40
    ATTR_SET = 128


#: ``{code: member}`` for hot code (an unregistered code stays an int).
ATTRIBUTE_TYPES: dict[int, int] = {m.value: m for m in AttributeType}


class ErrorAction(enum.Enum):
    """What RFC 7606 says a BGP speaker does with a malformed UPDATE
    (section 2), ordered from the mildest."""

    ATTRIBUTE_DISCARD = "attribute-discard"
    TREAT_AS_WITHDRAW = "treat-as-withdraw"
    AFI_SAFI_DISABLE = "afi-safi-disable"
    SESSION_RESET = "session-reset"

    @property
    def severity(self) -> int:
        return _SEVERITY[self]


_SEVERITY = {a: i for i, a in enumerate(ErrorAction)}


@dataclass(slots=True)
class Problem:
    """One RFC 7606 finding in an UPDATE that was still decoded.

    :ivar action: the RFC 7606 classification.
    :ivar type_code: the attribute type code, or ``None`` for a problem of the
        message as a whole (e.g. a missing mandatory attribute: then the code
        of the missing attribute).
    :ivar offset: absolute position in the BMP message of the attribute.
    :ivar data: the raw octets of the attribute (flags, type, length, value).
    :ivar reason: what is wrong, in words.
    :ivar family: ``(afi, safi)`` for afi-safi-disable, when known.
    """

    action: ErrorAction
    type_code: int | None
    offset: int
    data: bytes
    reason: str
    family: tuple[int, int] | None = None


class MalformedAttributeError(BGPDecodeError):
    """Raised by an attribute decoder for a malformed value.  *action*
    overrides the action registered for the attribute (e.g. MP_REACH_NLRI
    whose AFI/SAFI cannot be read: session-reset)."""

    def __init__(
        self,
        reason: str,
        offset: int = 0,
        data: bytes = b"",
        action: ErrorAction | None = None,
        family: tuple[int, int] | None = None,
    ) -> None:
        super().__init__(reason, offset, data)
        self.action = action
        self.family = family


def encode_attribute(flags: int, type_code: int, value: bytes) -> bytes:
    """One path attribute on the wire.  The extended-length bit of *flags* is
    kept as given (a short value may use it); a value over 255 octets sets it."""
    n = len(value)
    if not 0 <= flags <= 0xFF:
        raise EncodeError(f"attribute[{type_code}].flags", f"{flags} does not fit 1 octet")
    if not 0 <= type_code <= 0xFF:
        raise EncodeError("attribute.type_code", f"{type_code} does not fit 1 octet")
    if flags & ATTR_EXTENDED_LENGTH or n > 255:
        if n > 0xFFFF:
            raise EncodeError(f"attribute[{type_code}]", f"value of {n} octets exceeds 65535")
        return _HDR_EXT.pack(flags | ATTR_EXTENDED_LENGTH, type_code, n) + value
    return _HDR.pack(flags, type_code, n) + value


class _AttributeBase:
    """Shared behaviour of the attribute model classes: ``encode()`` from the
    class's ``type_code``, the ``flags`` field and ``_value()``."""

    __slots__ = ()
    type_code: ClassVar[int]
    flags: int
    #: JSON (bmplib.json) adds these views to the fields
    _json_views: ClassVar[tuple[str, ...]] = ("type_code", "name")

    def __init_subclass__(cls, **kwargs: Any) -> None:
        # a plain int code (``AttributeType.ORIGIN`` -> 1): the JSON form
        # shows the number, and the name in ``name``
        super().__init_subclass__(**kwargs)
        code = cls.__dict__.get("type_code")
        if isinstance(code, enum.IntEnum):
            cls.type_code = int(code)

    @property
    def name(self) -> str:
        """The attribute's IANA name in lower case (``as_path``), or
        ``attr_<code>`` for a code bmplib has no name for."""
        member = ATTRIBUTE_TYPES.get(self.type_code)
        return member.name.lower() if isinstance(member, AttributeType) else f"attr_{self.type_code}"

    def _value(self) -> bytes:  # pragma: no cover - every subclass overrides
        raise EncodeError(type(self).__name__, "has no value encoder")

    def encode(self) -> bytes:
        """The whole attribute: flags, type, length, value."""
        return encode_attribute(self.flags, self.type_code, self._value())

    @property
    def optional(self) -> bool:
        return bool(self.flags & ATTR_OPTIONAL)

    @property
    def transitive(self) -> bool:
        return bool(self.flags & ATTR_TRANSITIVE)

    @property
    def partial(self) -> bool:
        return bool(self.flags & ATTR_PARTIAL)

    @property
    def extended_length(self) -> bool:
        return bool(self.flags & ATTR_EXTENDED_LENGTH)


@dataclass(slots=True)
class UnknownAttribute(_AttributeBase):
    """An attribute type bmplib does not decode: flags, code and raw value."""

    type_code: int  # type: ignore[misc]
    value: bytes
    flags: int = 0xC0

    def _value(self) -> bytes:
        return self.value


@dataclass(slots=True)
class MalformedAttribute(_AttributeBase):
    """An attribute that was present on the wire but not used: malformed
    (RFC 7606), or a duplicate discarded.  Keeps its octets so the UPDATE
    re-encodes exactly; :attr:`problem` says why."""

    type_code: int  # type: ignore[misc]
    value: bytes
    flags: int
    problem: Problem

    def _value(self) -> bytes:
        return self.value


Decoder = Callable[[bytes, int, int, int, DecodeContext], Any]


class AttributeEntry(NamedTuple):
    """A registered attribute type."""

    decode: Decoder
    cls: type
    on_error: ErrorAction
    category: int | None


_REGISTRY: dict[int, AttributeEntry] = {}
_LISTENERS: list[Callable[[], None]] = []


def on_register(listener: Callable[[], None]) -> None:
    """Call *listener* after every :func:`register_attribute` (the UPDATE
    decoder uses it to keep its inlined fast paths in step with the registry)."""
    _LISTENERS.append(listener)


def register_attribute(
    type_code: int,
    decode: Decoder,
    cls: type,
    on_error: ErrorAction = ErrorAction.TREAT_AS_WITHDRAW,
    category: int | None = None,
) -> None:
    """Register the decoder and model class of one attribute type code."""
    _REGISTRY[int(type_code)] = AttributeEntry(decode, cls, on_error, category)
    for listener in _LISTENERS:
        listener()


def lookup_attribute(type_code: int) -> AttributeEntry | None:
    """The registry entry of *type_code*, or ``None``."""
    return _REGISTRY.get(type_code)


def registry() -> dict[int, AttributeEntry]:
    """The live registry (code -> entry); the UPDATE decoder reads it."""
    return _REGISTRY


def expect_length(buf: bytes, pos: int, end: int, size: int, name: str) -> None:
    """Raise :class:`MalformedAttributeError` unless the value is *size* octets."""
    if end - pos != size:
        raise MalformedAttributeError(f"{name} length {end - pos} is not {size}", pos, buf[pos:end])


def expect_multiple(buf: bytes, pos: int, end: int, size: int, name: str) -> None:
    """Raise :class:`MalformedAttributeError` unless the value length is a
    multiple of *size*."""
    if (end - pos) % size:
        raise MalformedAttributeError(f"{name} length {end - pos} is not a multiple of {size}", pos, buf[pos:end])
