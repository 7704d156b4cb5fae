"""The ADD-PATH path identifier in front of an NLRI (RFC 7911 section 3),
read and written for the family modules whose NLRI are self-delimiting
units (FlowSpec, VPLS, MDT, MVPN).

``[path identifier (4)] | NLRI``: :func:`read_path_id` reads the optional
identifier at ``buf[pos]`` and :func:`with_path_id` puts it back in front of
an NLRI's octets.
"""

from __future__ import annotations

import struct

from bmplib.errors import EncodeError, NLRIDecodeError

__all__ = ["read_path_id", "with_path_id"]

_U32 = struct.Struct("!I")


def read_path_id(buf: bytes, pos: int, end: int, path_id: bool, what: str) -> tuple[int | None, int]:
    """``(path identifier or None, position after it)``; an
    :class:`NLRIDecodeError` at *pos* when fewer than 4 octets are left."""
    if not path_id:
        return None, pos
    if pos + 4 > end:
        raise NLRIDecodeError(f"{what} NLRI too short for its path identifier", pos, buf[pos:end])
    return int(_U32.unpack_from(buf, pos)[0]), pos + 4


def with_path_id(path_id: int | None, nlri: bytes) -> bytes:
    """*nlri* with its 4-octet path identifier in front (when not ``None``)."""
    if path_id is None:
        return nlri
    if not 0 <= path_id <= 0xFFFFFFFF:
        raise EncodeError("path_id", f"{path_id} does not fit 4 octets")
    return _U32.pack(path_id) + nlri
