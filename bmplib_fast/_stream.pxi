# The BMP stream (bmplib.stream.BMPDecoder) -- included by _fast.pyx.
#
# stream_next is BMPDecoder.__next__ for the common case: the decoder is not
# stopped or resynchronising and a whole, well-framed Route Monitoring message
# is buffered.  It frames the message, decodes it with the compiled
# Route Monitoring path and sets its offset; anything else (other message
# types, errors, framing problems, the end of the data) goes to the pure
# methods (BMPDecoder.next_item / BMPDecoder._decode), so every item, error
# record and skip is the pure decoder's.
#
# The decoder's state, the session table and its entries are read through
# their __slots__ directly (_Slots) when they are exactly the classes of
# bmplib.stream and bmplib.session; a subclass goes through getattr.

from cpython.bytearray cimport PyByteArray_AS_STRING

cdef bint _stream_ready = False
cdef object _SessionTable
cdef object _context_for
cdef object _BMPDecoder
# BMPDecoder's state, in this order
cdef _Slots _DEC
DEF D_ERROR = 0
DEF D_SKIP = 1
DEF D_BUF = 2
DEF D_POS = 3
DEF D_BASE = 4
DEF D_MAXLEN = 5
DEF D_SESSIONS = 6
cdef _Slots _TABLE  # SessionTable: _peers, _fallback
cdef _Slots _ENTRY  # session._Entry: variants


cdef int _init_stream() except -1:
    global _stream_ready, _SessionTable, _context_for, _BMPDecoder, _DEC, _TABLE, _ENTRY
    from bmplib import session
    from bmplib.stream import BMPDecoder

    if not _msg_ready:
        _init_message()
    _SessionTable = session.SessionTable
    _context_for = session.SessionTable.context_for
    _BMPDecoder = BMPDecoder
    _DEC = _Slots(BMPDecoder, ("_error", "_skip_start", "_buf", "_pos", "_base", "max_message_length", "sessions"),
                  True)
    _TABLE = _Slots(session.SessionTable, ("_peers", "_fallback"))
    _ENTRY = _Slots(session._Entry, ("variants",))
    _stream_ready = True
    return 0


def stream_slots():
    """Which stream-state classes are read through their slots directly
    (for the tests: each must be, or the hot path is slower than measured)."""
    if not _stream_ready:
        _init_stream()
    return {"BMPDecoder": bool(_DEC.direct), "SessionTable": bool(_TABLE.direct), "_Entry": bool(_ENTRY.direct),
            "DecodeContext": bool(_CTX.direct)}


cdef object _table_context(object table, object peer, const unsigned char* p):
    """SessionTable.context_for(0, peer), for an exact SessionTable: the peer's
    contexts by the O flag and the A flag, or the fallback when the peer has
    no Peer Up (flags are defined for peer types 0-2 only)."""
    cdef int ptype = p[0]
    cdef int flags = p[1] if ptype != 3 else 0
    cdef int as2 = 1 if flags & 0x20 else 0
    peers = _get(_TABLE, table, 0, "_peers")
    if not peers:
        return _get(_TABLE, table, 1, "_fallback")[as2]
    entry = (<dict?>peers).get(_peer_key(peer, ptype))
    if entry is None:
        return _get(_TABLE, table, 1, "_fallback")[as2]
    return _get(_ENTRY, entry, 0, "variants")[(2 if flags & 0x10 else 0) + as2]


cdef object _stream_route_monitoring(bytes data, object sessions, object offset):
    """decode_message(data, contexts=sessions.context_for) for a framed Route
    Monitoring message (length >= 48) at stream *offset*, or None for the
    pure path."""
    if sessions is None:
        return _route_monitoring(data, None, None, None, offset)
    if type(sessions) is _SessionTable and _SessionTable.context_for is _context_for:
        return _route_monitoring(data, None, None, sessions, offset)
    return _route_monitoring(data, None, sessions.context_for, None, offset)


cdef object _NOT_HANDLED = object()


cdef object _peer_key(object peer, int ptype):
    """PeerHeader.key of a per-peer header just built by _peer_header."""
    cdef _Shape s = _PeerHeader
    if s.direct and type(peer) is s.cls:
        return (ptype, <object>_slot(peer, s.off[2]), <object>_slot(peer, s.off[3]), <object>_slot(peer, s.off[4]),
                <object>_slot(peer, s.off[5]))
    return peer.key


cdef inline void _set(_Slots s, object o, int i, str name, object v) except *:
    """Set attribute *name* (slot *i* of *s*) of *o*."""
    if s.direct and type(o) is s.cls:
        _slot_set(o, s.off[i], v)
    else:
        setattr(o, name, v)


cdef object _next_route_monitoring(object self):
    """The next Route Monitoring message of the decoder (or its error record)
    when a whole, well-framed one is buffered and the decoder is neither
    stopped nor resynchronising, else _NOT_HANDLED for the general path.  An
    exact BMPDecoder's state is read through its slots, a subclass's through
    its attributes."""
    cdef Py_ssize_t pos, n, length
    cdef const unsigned char* p
    if _get(_DEC, self, D_ERROR, "_error") is not None or _get(_DEC, self, D_SKIP, "_skip_start") is not None:
        return _NOT_HANDLED
    buf = _get(_DEC, self, D_BUF, "_buf")
    pos_obj = _get(_DEC, self, D_POS, "_pos")
    if type(buf) is not bytearray or type(pos_obj) is not int:
        return _NOT_HANDLED
    pos = pos_obj
    n = len(<bytearray>buf)
    if pos < 0 or n - pos < 48:
        return _NOT_HANDLED
    p = <const unsigned char*>PyByteArray_AS_STRING(buf) + pos
    length = _u32(p + 1)
    if p[0] != 3 or p[5] != 0 or length < 48 or length > n - pos:
        return _NOT_HANDLED
    if length > _get(_DEC, self, D_MAXLEN, "max_message_length"):
        return _NOT_HANDLED
    offset = _get(_DEC, self, D_BASE, "_base") + pos
    data = PyBytes_FromStringAndSize(<const char*>p, length)
    _set(_DEC, self, D_POS, "_pos", pos + length)
    try:
        r = _stream_route_monitoring(data, _get(_DEC, self, D_SESSIONS, "sessions"), offset)
    except Exception as exc:
        _failed(exc, "Route Monitoring")
        r = None  # the pure path makes the error record
    if r is not None and r[0] is not None:
        return r[0]
    return self._decode(data, offset)


def stream_next(self):
    """:meth:`bmplib.BMPDecoder.__next__`, with the Route Monitoring path compiled."""
    if not _stream_ready:
        _init_stream()
    msg = _next_route_monitoring(self)
    if msg is not _NOT_HANDLED:
        return msg
    item = self.next_item()
    if item is None:
        raise StopIteration
    return item
