"""Code points of the BMP protocol, named as in the IANA "BGP Monitoring
Protocol (BMP) Parameters" registries (RFC 7854 section 10, RFC 8671,
RFC 9069, RFC 9736, RFC 9972).

Values that are not in a registry stay plain ``int``; use :func:`lookup` to
turn a wire value into the enum member when there is one.
"""

from __future__ import annotations

import enum
from typing import TypeVar

__all__ = [
    "InitiationTLVType",
    "MessageType",
    "MirroringInfoCode",
    "PeerDownReason",
    "PeerType",
    "PeerUpTLVType",
    "RouteMirroringTLVType",
    "STAT_SHAPES",
    "StatShape",
    "StatType",
    "TerminationReason",
    "TerminationTLVType",
    "lookup",
]

E = TypeVar("E", bound=enum.IntEnum)


def lookup(enum_cls: type[E], value: int) -> E | int:
    """Return the member of *enum_cls* for *value*, or *value* itself when the
    registry has no such code point."""
    member = enum_cls._value2member_map_.get(value)
    return member if member is not None else value  # type: ignore[return-value]


class MessageType(enum.IntEnum):
    """BMP Message Types (RFC 7854 section 10.1)."""

    ROUTE_MONITORING = 0
    STATISTICS_REPORT = 1
    PEER_DOWN = 2
    PEER_UP = 3
    INITIATION = 4
    TERMINATION = 5
    ROUTE_MIRRORING = 6


class PeerType(enum.IntEnum):
    """BMP Peer Types (RFC 7854 section 10.2, RFC 9069 section 4.1)."""

    GLOBAL_INSTANCE = 0
    RD_INSTANCE = 1
    LOCAL_INSTANCE = 2
    LOC_RIB_INSTANCE = 3


class InitiationTLVType(enum.IntEnum):
    """BMP Initiation Information TLVs (RFC 7854 section 4.4, RFC 9069)."""

    STRING = 0
    SYS_DESCR = 1
    SYS_NAME = 2
    VRF_TABLE_NAME = 3
    ADMIN_LABEL = 4


class PeerUpTLVType(enum.IntEnum):
    """BMP Peer Up Message TLVs (RFC 9736; before it they shared the
    Initiation TLV space, RFC 7854 section 4.10)."""

    STRING = 0
    VRF_TABLE_NAME = 3
    ADMIN_LABEL = 4


class TerminationTLVType(enum.IntEnum):
    """BMP Termination Message TLVs (RFC 7854 section 4.5)."""

    STRING = 0
    REASON = 1


class TerminationReason(enum.IntEnum):
    """BMP Termination Message Reason Codes (RFC 7854 section 4.5)."""

    ADMINISTRATIVELY_CLOSED = 0
    UNSPECIFIED = 1
    OUT_OF_RESOURCES = 2
    REDUNDANT_CONNECTION = 3
    PERMANENTLY_ADMINISTRATIVELY_CLOSED = 4


class PeerDownReason(enum.IntEnum):
    """BMP Peer Down Reason Codes (RFC 7854 section 4.9, RFC 9069)."""

    LOCAL_NOTIFICATION = 1
    LOCAL_NO_NOTIFICATION = 2
    REMOTE_NOTIFICATION = 3
    REMOTE_NO_NOTIFICATION = 4
    PEER_DE_CONFIGURED = 5
    LOCAL_SYSTEM_CLOSED = 6


class RouteMirroringTLVType(enum.IntEnum):
    """BMP Route Mirroring TLVs (RFC 7854 section 4.7)."""

    BGP_MESSAGE = 0
    INFORMATION = 1


class MirroringInfoCode(enum.IntEnum):
    """BMP Route Mirroring Information Codes (RFC 7854 section 4.7)."""

    ERRORED_PDU = 0
    MESSAGES_LOST = 1


class StatShape(enum.Enum):
    """How the value of a Statistics TLV is laid out (RFC 7854 section 4.8)."""

    COUNTER32 = "counter32"  # 4-octet counter
    GAUGE64 = "gauge64"  # 8-octet gauge
    AFI_SAFI_GAUGE64 = "afi_safi_gauge64"  # AFI (2) + SAFI (1) + 8-octet gauge


class StatType(enum.IntEnum):
    """BMP Statistics Types (RFC 7854 section 4.8, RFC 8671, RFC 9972)."""

    REJECTED_PREFIXES = 0
    DUPLICATE_PREFIX_ADVERTISEMENTS = 1
    DUPLICATE_WITHDRAWS = 2
    UPDATES_INVALIDATED_CLUSTER_LIST_LOOP = 3
    UPDATES_INVALIDATED_AS_PATH_LOOP = 4
    UPDATES_INVALIDATED_ORIGINATOR_ID = 5
    UPDATES_INVALIDATED_AS_CONFED_LOOP = 6
    ROUTES_ADJ_RIB_IN = 7
    ROUTES_LOC_RIB = 8
    ROUTES_PER_AFI_SAFI_ADJ_RIB_IN = 9
    ROUTES_PER_AFI_SAFI_LOC_RIB = 10
    UPDATES_TREAT_AS_WITHDRAW = 11
    PREFIXES_TREAT_AS_WITHDRAW = 12
    DUPLICATE_UPDATES = 13
    ROUTES_PRE_POLICY_ADJ_RIB_OUT = 14
    ROUTES_POST_POLICY_ADJ_RIB_OUT = 15
    ROUTES_PER_AFI_SAFI_PRE_POLICY_ADJ_RIB_OUT = 16
    ROUTES_PER_AFI_SAFI_POST_POLICY_ADJ_RIB_OUT = 17


_C = StatShape.COUNTER32
_G = StatShape.GAUGE64
_A = StatShape.AFI_SAFI_GAUGE64

#: The value layout of every registered statistics type.  A type that is not
#: here (unassigned, experimental, vendor-private such as FRR's 65531) keeps
#: its raw value.
STAT_SHAPES: dict[int, StatShape] = {
    0: _C, 1: _C, 2: _C, 3: _C, 4: _C, 5: _C, 6: _C,
    7: _G, 8: _G, 9: _A, 10: _A,
    11: _C, 12: _C, 13: _C,
    14: _G, 15: _G, 16: _A, 17: _A,
}  # fmt: skip
