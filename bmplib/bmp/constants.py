"""Code points of the BMP protocol, named as in the IANA "BGP Monitoring
Protocol (BMP) Parameters" registries (RFC 7854 section 10, RFC 8671,
RFC 9069, RFC 9736, RFC 9972).

Values that are not in a registry stay plain ``int``; use :func:`lookup` to
turn a wire value into the enum member when there is one (it lives in
:mod:`bmplib.iana`, below every protocol layer).
"""

from __future__ import annotations

import enum

from bmplib.iana import lookup  # re-exported: the lookup of every registry is bmplib.iana's

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
    # RFC 9972 ("currently in" is left out of the names).  24 and 25 are not
    # assigned by RFC 9972 and stay plain ints.
    ROUTES_PRE_POLICY_ADJ_RIB_IN = 18
    ROUTES_PER_AFI_SAFI_PRE_POLICY_ADJ_RIB_IN = 19
    ROUTES_POST_POLICY_ADJ_RIB_IN = 20
    ROUTES_PER_AFI_SAFI_POST_POLICY_ADJ_RIB_IN = 21
    ROUTES_PER_AFI_SAFI_PRE_POLICY_ADJ_RIB_IN_REJECTED_BY_INBOUND_POLICY = 22
    ROUTES_PER_AFI_SAFI_POST_POLICY_ADJ_RIB_IN_ACCEPTED_BY_INBOUND_POLICY = 23
    ROUTES_PER_AFI_SAFI_SUPPRESSED_BY_DAMPING = 26
    ROUTES_PER_AFI_SAFI_STALE_BY_GRACEFUL_RESTART = 27
    ROUTES_PER_AFI_SAFI_STALE_BY_LONG_LIVED_GRACEFUL_RESTART = 28
    ROUTES_POST_POLICY_ADJ_RIB_IN_LEFT_BEFORE_THRESHOLD = 29
    ROUTES_PER_AFI_SAFI_POST_POLICY_ADJ_RIB_IN_LEFT_BEFORE_THRESHOLD = 30
    ROUTES_LEFT_BEFORE_LICENSE_THRESHOLD = 31
    ROUTES_PER_AFI_SAFI_LEFT_BEFORE_LICENSE_THRESHOLD = 32
    ROUTES_PRE_POLICY_ADJ_RIB_IN_REJECTED_AS_PATH_LENGTH = 33
    ROUTES_PER_AFI_SAFI_PRE_POLICY_ADJ_RIB_IN_REJECTED_AS_PATH_LENGTH = 34
    ROUTES_PER_AFI_SAFI_POST_POLICY_ADJ_RIB_IN_RPKI_INVALID = 35
    ROUTES_PER_AFI_SAFI_POST_POLICY_ADJ_RIB_IN_RPKI_VALID = 36
    ROUTES_PER_AFI_SAFI_POST_POLICY_ADJ_RIB_IN_RPKI_NOT_FOUND = 37
    ROUTES_PER_AFI_SAFI_PRE_POLICY_ADJ_RIB_OUT_REJECTED_BY_OUTBOUND_POLICY = 38
    ROUTES_PRE_POLICY_ADJ_RIB_OUT_FILTERED_AS_PATH_LENGTH = 39
    ROUTES_PER_AFI_SAFI_PRE_POLICY_ADJ_RIB_OUT_FILTERED_AS_PATH_LENGTH = 40
    ROUTES_PER_AFI_SAFI_POST_POLICY_ADJ_RIB_OUT_RPKI_INVALID = 41
    ROUTES_PER_AFI_SAFI_POST_POLICY_ADJ_RIB_OUT_RPKI_VALID = 42
    ROUTES_PER_AFI_SAFI_POST_POLICY_ADJ_RIB_OUT_RPKI_NOT_FOUND = 43


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
    # RFC 9972 section 3.1: every new type is a 64-bit gauge, per-AFI/SAFI
    # ones prefixed with AFI (2) + SAFI (1)
    18: _G, 19: _A, 20: _G, 21: _A, 22: _A, 23: _A,
    26: _A, 27: _A, 28: _A, 29: _G, 30: _A, 31: _G, 32: _A,
    33: _G, 34: _A, 35: _A, 36: _A, 37: _A,
    38: _A, 39: _G, 40: _A, 41: _A, 42: _A, 43: _A,
}  # fmt: skip
