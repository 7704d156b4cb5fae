# cython: language_level=3
"""Cython implementations of bmplib's hot decoders.

Each function has the signature and the results (objects, errors, offsets)
of the pure-Python function it replaces; tests/fast proves it.
"""

from libc.string cimport memcmp

from bmplib.bmp.constants import PeerType
from bmplib.bmp.header import PeerHeader
from bmplib.errors import BMPDecodeError

import socket

cdef object _inet_ntop = socket.inet_ntop
cdef int _AF_INET = socket.AF_INET
cdef int _AF_INET6 = socket.AF_INET6
cdef dict _PEER_TYPES = {m.value: m for m in PeerType}
cdef bytes _ZERO12 = bytes(12)

cdef inline unsigned int _u32(const unsigned char* p) noexcept:
    return (<unsigned int>p[0] << 24) | (<unsigned int>p[1] << 16) | (<unsigned int>p[2] << 8) | p[3]


def decode_peer_header(bytes buf, Py_ssize_t pos):
    """Decode the per-peer header at *pos* of *buf* (RFC 7854 section 4.2)."""
    cdef Py_ssize_t n = len(buf)
    if pos < 0 or n - pos < 42:
        raise BMPDecodeError(f"per-peer header needs 42 octets, {n - pos} left", pos, buf[pos:])
    cdef const unsigned char* p = <const unsigned char*>buf + pos
    cdef int ptype = p[0]
    cdef int flags = p[1]
    cdef bint ipv6 = (ptype < 3 and (flags & 0x80) != 0) or memcmp(p + 10, <const unsigned char*>_ZERO12, 12) != 0
    if ipv6:
        address = _inet_ntop(_AF_INET6, buf[pos + 10:pos + 26])
    else:
        address = _inet_ntop(_AF_INET, buf[pos + 22:pos + 26])
    return PeerHeader(
        _PEER_TYPES.get(ptype, ptype), flags, buf[pos + 2:pos + 10], address, _u32(p + 26),
        _inet_ntop(_AF_INET, buf[pos + 30:pos + 34]), _u32(p + 34), _u32(p + 38),
    )
