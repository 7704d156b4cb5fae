"""MPLS label stacks in NLRI (RFC 8277 section 2, RFC 3032 section 2.1).

Each label stack entry in an NLRI is 3 octets: a 20-bit label, 3 bits of
traffic class (formerly EXP) and the bottom-of-stack bit.  Labeled unicast
(RFC 8277), L3VPN (RFC 4364) and EVPN (RFC 7432) all carry them.

The route models keep the stack as its raw wire octets (one slice per route,
exact re-encoding) and derive label values on access through the helpers here.
"""

from __future__ import annotations

from bmplib.errors import EncodeError, NLRIDecodeError

__all__ = [
    "WITHDRAW_LABELS",
    "decode_label_stack",
    "encode_label",
    "encode_label_stack",
    "label_values",
]

#: Label field values that mean "no label" in a withdrawal: 0x800000 (RFC 3107
#: compatibility value, RFC 8277 section 2.4) and 0x000000.  Neither has the
#: bottom-of-stack bit set, so a parser must stop on them explicitly.
WITHDRAW_LABELS = (0x800000, 0x000000)


def decode_label_stack(buf: bytes, pos: int, end: int, unit: int | None = None) -> int:
    """Walk a label stack starting at ``buf[pos]`` and return the position
    just after it.

    The stack ends at the first entry with the bottom-of-stack bit set
    (RFC 8277 section 2.2; RFC 3107 stacks are read the same way whether or
    not the Multiple Labels capability was negotiated, as real speakers send
    them without it), or at a withdraw value (0x800000 / 0x000000, RFC 8277
    section 2.4).  Raises :class:`NLRIDecodeError` when *end* is reached
    first, at offset *unit* (the start of the NLRI, default *pos*).
    """
    p = pos
    while True:
        if p + 3 > end:
            start = pos if unit is None else unit
            raise NLRIDecodeError("label stack runs past the NLRI (no bottom-of-stack bit)", start, buf[start:end])
        entry = int.from_bytes(buf[p : p + 3], "big")
        p += 3
        if entry & 1 or entry == 0x800000 or entry == 0:
            return p


def label_values(stack: bytes) -> tuple[int, ...]:
    """The 20-bit label values of a raw label stack (``entry >> 4``)."""
    return tuple(int.from_bytes(stack[i : i + 3], "big") >> 4 for i in range(0, len(stack) - 2, 3))


def encode_label(label: int, bottom: bool = True, tc: int = 0) -> bytes:
    """One 3-octet label stack entry."""
    if not 0 <= label <= 0xFFFFF:
        raise EncodeError("label", f"{label} does not fit 20 bits")
    if not 0 <= tc <= 7:
        raise EncodeError("label", f"traffic class {tc} does not fit 3 bits")
    return ((label << 4) | (tc << 1) | int(bottom)).to_bytes(3, "big")


def encode_label_stack(labels: list[int] | tuple[int, ...]) -> bytes:
    """The raw stack for *labels* (20-bit values), bottom-of-stack bit on the
    last one.  An empty list gives the withdraw value 0x800000."""
    if not labels:
        return b"\x80\x00\x00"
    last = len(labels) - 1
    return b"".join(encode_label(v, i == last) for i, v in enumerate(labels))
