"""The ADD-PATH path identifier in front of an NLRI (RFC 7911 section 3),
read and written the same way for every family that uses these helpers."""

from __future__ import annotations

import struct

from bmplib.errors import EncodeError, NLRIDecodeError

__all__ = ["read_path_id", "with_path_id"]

_U32 = struct.Struct("!I")


def read_path_id(buf: bytes, p: int, end: int, what: str) -> tuple[int, int]:
    """The 4-octet path identifier at *p* and the position after it; an
    :class:`NLRIDecodeError` (at *p*, naming *what*) when fewer octets are left."""
    if p + 4 > end:
        raise NLRIDecodeError(f"{what} NLRI too short for its path identifier", p, buf[p:end])
    return int(_U32.unpack_from(buf, p)[0]), p + 4


def with_path_id(path_id: int | None, nlri: bytes) -> bytes:
    """*nlri* with its path identifier in front (none when ``None``)."""
    if path_id is None:
        return nlri
    if not 0 <= path_id <= 0xFFFFFFFF:
        raise EncodeError("path_id", f"{path_id} does not fit 4 octets")
    return _U32.pack(path_id) + nlri
