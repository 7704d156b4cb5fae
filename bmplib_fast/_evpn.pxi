# EVPN (AFI 25 / SAFI 70, RFC 7432 section 7) -- included by _fast.pyx.
#
# Mirrors bmplib.nlri.evpn.decode_evpn_nlri for route types 1 to 5 (RFC 7432
# section 7.1-7.4, RFC 9136 section 3.1) with their route distinguishers
# (bmplib.nlri.rd), ESIs (bmplib.nlri.esi), label fields and ADD-PATH path
# identifiers, and the decoders of bmplib.bgp.attributes.evpn_communities
# (MAC Mobility, ESI Label, ES-Import, Router's MAC, Layer 2 Attributes,
# E-Tree, DF Election, Default Gateway).
#
# A route whose type or lengths are not exactly the well-formed layout, a
# route type the compiled code does not decode (6 to 11, unassigned), or a
# decoder or class replaced by another module goes through the pure
# decode_evpn_route (which returns the route or raises its error); a path
# identifier or route header that does not fit the NLRI field gives None (the
# caller then runs the pure decoder, which raises or retries the ADD-PATH
# setting).  _update.pxi calls _evpn_nlri from _mp_nlri and _evpn_ext from
# _ext_communities.


# the layouts of the 6 value octets of the EVPN extended communities (RFC 7432
# section 7.5-7.9, RFC 8214, RFC 8317, RFC 8584, RFC 9135): MAC Mobility; ESI
# Label, E-Tree, DF Election; ES-Import, Router's MAC; Layer 2 Attributes;
# Default Gateway
cdef enum:
    EV_FLAGS8_RESERVED8_U32 = 1
    EV_FLAGS8_U16_U24 = 2
    EV_MAC = 3
    EV_U16_U16_U16 = 4
    EV_RAW6 = 5


cdef bint _ev_ready = False
cdef object _EVPN_CODEC
cdef object _ev_pure_route
cdef object _ev_pure_nlri
cdef dict _EV_DECODERS
cdef list _EV_ORIG  # the built-in decode_from of route types 1-5 (None: not compiled)
cdef dict _EV_EXT   # built-in EVPN community decoder -> (its _Shape, its layout), when filled directly
cdef list _EV_EXT_SHAPES
cdef _Shape _RD
cdef _Shape _ESI
cdef _Shape _EAD
cdef _Shape _MACIP
cdef _Shape _IMET
cdef _Shape _ES
cdef _Shape _IPP
cdef bytes _ZERO10 = bytes(10)
cdef const char* _HEX = b"0123456789abcdef"


cdef int _init_evpn() except -1:
    global _ev_ready, _EVPN_CODEC, _ev_pure_route, _ev_pure_nlri, _EV_DECODERS, _EV_ORIG, _EV_EXT, _EV_EXT_SHAPES
    global _RD, _ESI, _EAD, _MACIP, _IMET, _ES, _IPP
    from bmplib.bgp.attributes import evpn_communities as evc
    from bmplib.nlri import evpn, registry

    codec = registry.codecs().get((25, 70))
    _EVPN_CODEC = codec if type(codec) is evpn.EVPNCodec else None
    _ev_pure_route = evpn.decode_evpn_route
    _ev_pure_nlri = evpn.decode_evpn_nlri
    _EV_DECODERS = evpn._DECODERS
    # built from 8 / 10 raw octets (their __init__ checks the length)
    _RD = _Shape(evpn.RouteDistinguisher, 1, (bytes(8),))
    _ESI = _Shape(evpn.ESI, 1, (bytes(10),))
    # route type, class, how many values the kernel gives (fields in __init__ order)
    route_arity = (
        (1, "EthernetAutoDiscovery", 5),
        (2, "MACIPAdvertisement", 9),
        (3, "InclusiveMulticastEthernetTag", 4),
        (4, "EthernetSegment", 4),
        (5, "IPPrefix", 7),
    )
    shapes = []
    _EV_ORIG = [None] * 6
    for code, name, arity in route_arity:
        cls = getattr(evpn, name)
        s = _Shape(cls, arity)
        shapes.append(s)
        dec = _EV_DECODERS.get(code)
        own = cls.__dict__.get("decode_from")
        if (s.direct and _RD.direct and _ESI.direct and isinstance(own, classmethod)
                and getattr(dec, "__self__", None) is cls and getattr(dec, "__func__", None) is own.__func__):
            _EV_ORIG[code] = dec
    _EAD, _MACIP, _IMET, _ES, _IPP = shapes
    # built-in decoder, its class, how many values, the layout of its 6 value octets
    communities = (
        (evc._mac_mobility, evc.MACMobility, 5, EV_FLAGS8_RESERVED8_U32),
        (evc._esi_label, evc.ESILabel, 5, EV_FLAGS8_U16_U24),
        (evc._es_import, evc.ESImportRouteTarget, 3, EV_MAC),
        (evc._router_mac, evc.RouterMAC, 3, EV_MAC),
        (evc._layer2, evc.Layer2Attributes, 5, EV_U16_U16_U16),
        (evc._etree, evc.ETree, 5, EV_FLAGS8_U16_U24),
        (evc._df_election, evc.DFElection, 5, EV_FLAGS8_U16_U24),
        (evc._default_gateway, evc.DefaultGateway, 3, EV_RAW6),
    )
    _EV_EXT = {}
    _EV_EXT_SHAPES = []
    for fn, cls, arity, layout in communities:
        s = _Shape(cls, arity)
        _EV_EXT_SHAPES.append(s)
        if s.direct:
            _EV_EXT[fn] = (s, layout)
    _ev_ready = True
    return 0


def _evpn_shapes():
    """{class name: why not filled directly ("": it is)} of the EVPN classes (for shapes())."""
    if not _ev_ready:
        _init_evpn()
    cdef _Shape s
    out = {}
    for s in (_RD, _ESI, _EAD, _MACIP, _IMET, _ES, _IPP, *_EV_EXT_SHAPES):
        out[s.cls.__name__] = s.why
    return out


cdef inline unsigned int _u24(const unsigned char* p) noexcept:
    return (<unsigned int>p[0] << 16) | (<unsigned int>p[1] << 8) | p[2]


cdef object _mac_text(const unsigned char* p):
    """``bytes.hex(":")`` of the 6 octets at *p*: ``aa:bb:cc:dd:ee:ff``."""
    cdef char out[17]
    cdef int i
    for i in range(6):
        out[3 * i] = _HEX[p[i] >> 4]
        out[3 * i + 1] = _HEX[p[i] & 15]
        if i < 5:
            out[3 * i + 2] = b":"
    return PyUnicode_DecodeASCII(out, 17, NULL)


cdef object _prefix_text(const unsigned char* p, int n, int plen):
    """``f"{inet_ntop(address)}/{plen}"`` of the n-octet (4 or 16) address
    at *p*, 0 <= plen <= 128."""
    cdef char out[64]
    inet_ntop(AF_INET if n == 4 else AF_INET6, p, out, 48)
    cdef Py_ssize_t k = strlen(out)
    out[k] = b"/"
    k += 1
    if plen >= 100:
        out[k] = <char>(48 + plen // 100)
        k += 1
    if plen >= 10:
        out[k] = <char>(48 + (plen // 10) % 10)
        k += 1
    out[k] = <char>(48 + plen % 10)
    return PyUnicode_DecodeASCII(out, k + 1, NULL)


cdef inline object _rd(const unsigned char* b, Py_ssize_t p):
    o = _alloc(_RD)
    _put(o, _RD.off[0], _slice(b, p, p + 8))
    return o


cdef inline object _esi(const unsigned char* b, Py_ssize_t p):
    o = _alloc(_ESI)
    _put(o, _ESI.off[0], _ZERO10 if memcmp(b + p, <const unsigned char*>_ZERO10, 10) == 0 else _slice(b, p, p + 10))
    return o


cdef object _evpn_route(const unsigned char* b, Py_ssize_t pos, Py_ssize_t end, object pid):
    """The route of type 1-5 that fills b[pos:end] (type, length, body; the
    caller checked the length octet), or None when it is not exactly the
    well-formed layout or its type is not compiled."""
    cdef int code = b[pos]
    cdef Py_ssize_t n = end - pos - 2
    cdef Py_ssize_t p = pos + 2
    cdef Py_ssize_t q
    cdef int bits, ipn, plen
    if code < 1 or code > 5:
        return None
    orig = _EV_ORIG[code]
    if orig is None or _EV_DECODERS.get(code) is not orig:
        return None
    if code == 2:
        # RD (8) ESI (10) tag (4) MAC length (1) MAC (6) IP length (1) IP (0/4/16) label1 (3) [label2 (3)]
        if n < 33:
            return None
        bits = b[p + 29]
        if bits == 0:
            ipn = 0
        elif bits == 32:
            ipn = 4
        elif bits == 128:
            ipn = 16
        else:
            return None
        q = p + 30 + ipn
        if end - q != 3 and end - q != 6:
            return None
        o = _alloc(_MACIP)
        _put(o, _MACIP.off[0], _rd(b, p))
        _put(o, _MACIP.off[1], _esi(b, p + 8))
        _put(o, _MACIP.off[2], _u32(b + p + 18))
        _put(o, _MACIP.off[3], _mac_text(b + p + 23))
        _put(o, _MACIP.off[4], _addr_text(b + p + 30, ipn) if ipn else None)
        _put(o, _MACIP.off[5], _u24(b + q))
        _put(o, _MACIP.off[6], _u24(b + q + 3) if end - q == 6 else None)
        _put(o, _MACIP.off[7], b[p + 22])
        _put(o, _MACIP.off[8], pid)
        return o
    if code == 5:
        # RD (8) ESI (10) tag (4) prefix length (1) prefix (4/16) gateway (4/16) label (3)
        if n == 34:
            ipn = 4
        elif n == 58:
            ipn = 16
        else:
            return None
        plen = b[p + 22]
        if plen > ipn * 8:
            return None
        o = _alloc(_IPP)
        _put(o, _IPP.off[0], _rd(b, p))
        _put(o, _IPP.off[1], _esi(b, p + 8))
        _put(o, _IPP.off[2], _u32(b + p + 18))
        _put(o, _IPP.off[3], _prefix_text(b + p + 23, ipn, plen))
        _put(o, _IPP.off[4], _addr_text(b + p + 23 + ipn, ipn))
        _put(o, _IPP.off[5], _u24(b + p + 23 + 2 * ipn))
        _put(o, _IPP.off[6], pid)
        return o
    if code == 1:
        # RD (8) ESI (10) tag (4) label (3)
        if n != 25:
            return None
        o = _alloc(_EAD)
        _put(o, _EAD.off[0], _rd(b, p))
        _put(o, _EAD.off[1], _esi(b, p + 8))
        _put(o, _EAD.off[2], _u32(b + p + 18))
        _put(o, _EAD.off[3], _u24(b + p + 22))
        _put(o, _EAD.off[4], pid)
        return o
    if code == 3:
        # RD (8) tag (4) originator length (1) originator (4/16)
        if n < 13:
            return None
        bits = b[p + 12]
        if not ((bits == 32 and n == 17) or (bits == 128 and n == 29)):
            return None
        o = _alloc(_IMET)
        _put(o, _IMET.off[0], _rd(b, p))
        _put(o, _IMET.off[1], _u32(b + p + 8))
        _put(o, _IMET.off[2], _addr_text(b + p + 13, n - 13))
        _put(o, _IMET.off[3], pid)
        return o
    # code 4: RD (8) ESI (10) originator length (1) originator (4/16)
    if n < 19:
        return None
    bits = b[p + 18]
    if not ((bits == 32 and n == 23) or (bits == 128 and n == 35)):
        return None
    o = _alloc(_ES)
    _put(o, _ES.off[0], _rd(b, p))
    _put(o, _ES.off[1], _esi(b, p + 8))
    _put(o, _ES.off[2], _addr_text(b + p + 19, n - 19))
    _put(o, _ES.off[3], pid)
    return o


cdef object _evpn_nlri(bytes buf, const unsigned char* b, Py_ssize_t pos, Py_ssize_t end, bint path_id):
    """The EVPN routes in b[pos:end] (0 <= pos <= end <= len(buf)), or None
    where decode_evpn_nlri raises for the NLRI field (a path identifier or a
    route header that does not fit).  A route the compiled code does not
    decode goes through the pure decode_evpn_route, which may raise."""
    cdef Py_ssize_t p = pos
    cdef Py_ssize_t q
    pid = None
    out = []
    while p < end:
        if path_id:
            if end - p < 4:
                return None
            pid = _u32(b + p)
            p += 4
        if end - p < 2:
            return None
        q = p + 2 + b[p + 1]
        if q > end:
            return None
        r = _evpn_route(b, p, q, pid)
        if r is None:
            r = _ev_pure_route(buf, p, q)
            r.path_id = pid
        out.append(r)
        p = q
    return out


cdef object _evpn_ext(object fn, const unsigned char* b, Py_ssize_t pos):
    """The community at b[pos:pos + 8] when *fn* is one of the built-in EVPN
    community decoders (and its class is filled directly), else None."""
    entry = _EV_EXT.get(fn)
    if entry is None:
        return None
    cdef _Shape s = entry[0]
    cdef int layout = entry[1]
    cdef const unsigned char* p = b + pos
    o = _alloc(s)
    _put(o, s.off[0], p[0])
    _put(o, s.off[1], p[1])
    if layout == EV_MAC:
        _put(o, s.off[2], _mac_text(p + 2))
    elif layout == EV_RAW6:
        _put(o, s.off[2], _slice(p, 2, 8))
    elif layout == EV_FLAGS8_RESERVED8_U32:
        _put(o, s.off[2], p[2])
        _put(o, s.off[3], p[3])
        _put(o, s.off[4], _u32(p + 4))
    elif layout == EV_U16_U16_U16:
        _put(o, s.off[2], _u16(p + 2))
        _put(o, s.off[3], _u16(p + 4))
        _put(o, s.off[4], _u16(p + 6))
    else:  # EV_FLAGS8_U16_U24
        _put(o, s.off[2], p[2])
        _put(o, s.off[3], _u16(p + 3))
        _put(o, s.off[4], _u24(p + 5))
    return o


def decode_evpn_nlri(buf, pos, end, path_id=False):
    """:func:`bmplib.nlri.evpn.decode_evpn_nlri`, compiled (for tests: the
    UPDATE decoder uses the same code directly)."""
    if not _ev_ready:
        _init_evpn()
    if type(path_id) is bool and _span_ok(buf, pos, end):
        r = _evpn_nlri(<bytes>buf, <const unsigned char*><bytes>buf, <Py_ssize_t>pos, <Py_ssize_t>end, path_id)
        if r is not None:
            return r
    return _ev_pure_nlri(buf, pos, end, path_id)


def decode_extended_communities_evpn(buf, pos):
    """One extended community at buf[pos:pos + 8] through the compiled EVPN
    decoders when its registered decoder is a built-in EVPN one, else the
    registered (or generic) pure decoder (for tests)."""
    if not _upd_ready:
        _init_update()
    from bmplib.bgp.attributes.extended_communities import decode_extended_community as pure

    if type(buf) is bytes and type(pos) is int and 0 <= pos <= len(<bytes>buf) - 8:
        c = _evpn_ext(_EXTREG.get(((<bytes>buf)[pos], (<bytes>buf)[pos + 1])), <const unsigned char*><bytes>buf,
                      <Py_ssize_t>pos)
        if c is not None:
            return c
    return pure(buf, pos)
