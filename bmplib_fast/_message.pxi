# One BMP message (RFC 7854 section 4) -- included by _fast.pyx.
#
# Mirrors bmplib.bmp.messages.decode_message for Route Monitoring, the
# message that carries the routes; every other message type, and any
# Route Monitoring that is not plainly well formed (trailing TLVs, a bad
# header, a BGP PDU whose type has no registered decoder), is decoded by the
# pure function.  Only a BGP UPDATE is decoded here: the BGP header's rules
# for the other types (e.g. no extended OPEN or KEEPALIVE) stay the pure code's.

cdef bint _msg_ready = False
cdef object _pure_decode_message
cdef object _default_context
cdef object _AS4_CONTEXT
cdef object _AS2_CONTEXT
cdef dict _BGP_DECODERS
cdef object _fast_decode_update
cdef _Shape _RouteMonitoring
cdef bytes _MARKER = b"\xff" * 16


cdef int _init_message() except -1:
    global _msg_ready, _pure_decode_message, _default_context, _AS4_CONTEXT, _AS2_CONTEXT, _BGP_DECODERS
    global _fast_decode_update, _RouteMonitoring
    from bmplib.bgp import message as bgp_message
    from bmplib.bmp import messages

    if not _upd_ready:
        _init_update()
    _pure_decode_message = _impl.pure("decode_message")
    _default_context = messages.default_context
    _AS4_CONTEXT = messages.AS4_CONTEXT
    _AS2_CONTEXT = messages.AS2_CONTEXT
    _BGP_DECODERS = bgp_message.decoders()
    _fast_decode_update = decode_update
    _RouteMonitoring = _Shape(messages.RouteMonitoring, 4)
    _msg_ready = True
    return 0


cdef object _route_monitoring(bytes buf, object context, object contexts, object table, object offset):
    """A Route Monitoring message in buf (version 3, type 0, length checked,
    at least the common and per-peer headers), or None for the pure path.
    Returns (message, ctx), (None, ctx) for the pure path with that context,
    or None for the pure path with the caller's arguments.  *offset* is the
    message's stream offset (RouteMonitoring.offset)."""
    cdef const unsigned char* b = buf
    cdef Py_ssize_t end = len(buf)
    cdef Py_ssize_t pos = 48
    cdef Py_ssize_t length, msg_end
    peer = _peer_header(buf, 6)
    if table is not None:
        ctx = _table_context(table, peer, b + 6)
    elif context:
        ctx = context
    else:
        provider = contexts if contexts else _default_context
        if provider is _default_context:
            ctx = _AS2_CONTEXT if (b[6] != 3 and b[7] & 0x20) else _AS4_CONTEXT
        else:
            ctx = provider(0, peer)
            if ctx is None:
                return None  # the pure decoder decides what that means
    if end - pos < 19 or memcmp(b + pos, <const unsigned char*>_MARKER, 16) != 0:
        return (None, ctx)
    length = _u16(b + pos + 16)
    if length < 19 or length > end - pos or length > (65535 if _get(_CTX, ctx, 2, "extended_message") else 4096):
        return (None, ctx)
    msg_end = pos + length
    if msg_end != end:
        return (None, ctx)  # trailing TLVs (or garbage): the pure decoder
    if b[pos + 18] != 2 or _BGP_DECODERS.get(2) is not _fast_decode_update:
        return (None, ctx)  # not an UPDATE (their length limits differ), or another UPDATE decoder
    bgp = _update(buf, pos + 19, msg_end, ctx)
    if bgp is None:
        bgp = _pure_decode_update(buf, pos + 19, msg_end, ctx)  # raises the error
    return (mk4(_RouteMonitoring, peer, bgp, [], offset), ctx)


def decode_message(data, context=None, contexts=None):
    """Decode exactly one complete BMP message:
    :func:`bmplib.bmp.messages.decode_message`, with Route Monitoring compiled."""
    if not _msg_ready:
        _init_message()
    cdef const unsigned char* b
    cdef Py_ssize_t n
    if type(data) is bytes:
        b = <bytes>data
        n = len(<bytes>data)
        if n >= 48 and b[0] == 3 and b[5] == 0 and <Py_ssize_t>_u32(b + 1) == n:
            r = _route_monitoring(<bytes>data, context, contexts, None, 0)
            if r is not None:
                msg, ctx = r
                if msg is not None:
                    return msg
                return _pure_decode_message(data, ctx)
    return _pure_decode_message(data, context, contexts)
