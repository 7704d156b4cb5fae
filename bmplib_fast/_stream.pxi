# The BMP stream (bmplib.stream.BMPDecoder) -- included by _fast.pyx.
#
# stream_next is BMPDecoder.__next__ for the common case: the decoder is not
# stopped or resynchronising and a whole, well-framed Route Monitoring message
# is buffered.  It frames the message, decodes it with the compiled
# Route Monitoring path and sets its offset; anything else (other message
# types, errors, framing problems, the end of the data) goes to the pure
# methods (BMPDecoder.next_item / BMPDecoder._decode), so every item, error
# record and skip is the pure decoder's.

from cpython.bytearray cimport PyByteArray_AS_STRING

cdef bint _stream_ready = False
cdef object _SessionTable
cdef object _context_for


cdef int _init_stream() except -1:
    global _stream_ready, _SessionTable, _context_for
    from bmplib.session import SessionTable

    if not _msg_ready:
        _init_message()
    _SessionTable = SessionTable
    _context_for = SessionTable.context_for
    _stream_ready = True
    return 0


cdef object _table_context(object table, object peer, const unsigned char* p):
    """SessionTable.context_for(0, peer), for an exact SessionTable: the peer's
    contexts by the O flag and the A flag, or the fallback when the peer has
    no Peer Up (flags are defined for peer types 0-2 only)."""
    cdef int ptype = p[0]
    cdef int flags = p[1] if ptype != 3 else 0
    cdef int as2 = 1 if flags & 0x20 else 0
    peers = table._peers
    if not peers:
        return table._fallback[as2]
    entry = peers.get((ptype, peer.distinguisher, peer.address, peer.asn, peer.bgp_id))
    if entry is None:
        return table._fallback[as2]
    return entry.variants[(2 if flags & 0x10 else 0) + as2]


cdef object _stream_route_monitoring(bytes data, object sessions):
    """decode_message(data, contexts=sessions.context_for) for a framed Route
    Monitoring message (length >= 48), or None for the pure path."""
    cdef const unsigned char* b = data
    if sessions is None:
        return _route_monitoring(data, None, None, None)
    if type(sessions) is _SessionTable and _SessionTable.context_for is _context_for:
        return _route_monitoring(data, None, None, sessions)
    return _route_monitoring(data, None, sessions.context_for, None)


def stream_next(self):
    """:meth:`bmplib.BMPDecoder.__next__`, with the Route Monitoring path compiled."""
    if not _stream_ready:
        _init_stream()
    cdef Py_ssize_t pos, n, length
    cdef const unsigned char* p
    cdef int mtype
    if self._error is None and self._skip_start is None:
        buf = self._buf
        if type(buf) is bytearray:
            pos = self._pos
            n = len(<bytearray>buf)
            if 0 <= pos and n - pos >= 48:
                p = <const unsigned char*>PyByteArray_AS_STRING(buf) + pos
                length = _u32(p + 1)
                mtype = p[5]
                if p[0] == 3 and mtype == 0 and 48 <= length <= n - pos and length <= self.max_message_length:
                    data = PyBytes_FromStringAndSize(<const char*>p, length)
                    self._pos = pos + length
                    offset = self._base + pos
                    try:
                        r = _stream_route_monitoring(data, self.sessions)
                    except Exception:
                        r = None  # the pure path makes the error record
                    if r is not None and r[0] is not None:
                        msg = r[0]
                        msg.offset = offset
                        return msg
                    return self._decode(data, offset)
    item = self.next_item()
    if item is None:
        raise StopIteration
    return item
