# The BGP UPDATE (RFC 4271 section 4.3) -- included by _fast.pyx.
#
# Mirrors bmplib.bgp.update.decode_update: the fast code decodes the
# well-formed common shapes; anything else goes to the pure code of that unit
# (update.decode_attribute for one attribute, update.retry_prefixes for an NLRI
# field that needs the other ADD-PATH setting) or of the whole message (a
# length that does not add up: the pure decoder raises the error).

cdef bint _upd_ready = False
cdef list _FASTL
cdef dict _REG
cdef dict _EXTREG
cdef dict _CODECS
cdef dict _INET_CODECS
cdef dict _INET_FAMILIES
cdef dict _SEGTYPES
cdef dict _TUNNELS
cdef tuple _ORIGINS
cdef object _V4U
cdef object _generic
cdef object _problem
cdef object _retry_prefixes
cdef object _check_mandatory
cdef object _pure_decode_update
cdef object _dec_mp_reach
cdef dict _NH_LENGTHS
cdef object _dec_mp_unreach
cdef object _dec_ext
cdef object _dec_rt
cdef object _dec_ro
cdef object _dec_encap
cdef object _ATTRIBUTE_DISCARD
cdef object _SESSION_RESET
cdef _Shape _Update
cdef _Shape _Prefix
cdef _Shape _Origin
cdef _Shape _ASPath
cdef _Shape _Segment
cdef _Shape _NextHop
cdef _Shape _MED
cdef _Shape _LocalPref
cdef _Shape _Communities
cdef _Shape _Large
cdef _Shape _ExtCommunities
cdef _Shape _ExtCommunity
cdef _Shape _RouteTarget  # fields inherited from _AdminCommunity
cdef _Shape _RouteOrigin
cdef _Shape _Encapsulation
cdef _Shape _MPReach
cdef _Shape _MPNextHop
cdef _Shape _MPUnreach


cdef int _init_update() except -1:
    """Bind the pure modules (done at the first call: the pure modules import
    this extension while they load)."""
    global _upd_ready, _FASTL, _REG, _EXTREG, _CODECS, _INET_CODECS, _INET_FAMILIES, _SEGTYPES, _TUNNELS
    global _ORIGINS, _V4U, _generic, _problem, _retry_prefixes, _check_mandatory, _pure_decode_update
    global _dec_mp_reach, _dec_mp_unreach, _dec_ext, _dec_rt, _dec_ro, _dec_encap, _NH_LENGTHS
    global _ATTRIBUTE_DISCARD, _SESSION_RESET
    global _Update, _Prefix, _Origin, _ASPath, _Segment, _NextHop, _MED, _LocalPref, _Communities, _Large
    global _ExtCommunities, _ExtCommunity, _RouteTarget, _RouteOrigin, _Encapsulation, _MPReach, _MPNextHop
    global _MPUnreach
    if not _peer_ready:
        _init_peer()
    from bmplib.bgp import update as upd
    from bmplib.bgp.attributes import aspath, base, basic, communities, extended_communities as ec, mp
    from bmplib.nlri import inet, registry

    # the public (internal-API) names of the pure modules; tables the enums give
    _FASTL = upd.inline_attributes()
    _REG = base.registry()
    _EXTREG = ec._EXT_REGISTRY  # TODO(issue #13 B): a public accessor in extended_communities
    _CODECS = registry.codecs()
    _INET_CODECS = dict(inet.INET_CODEC)
    _INET_FAMILIES = {f: f for f in inet.INET_CODEC}  # the family tuples the pure codec uses
    _SEGTYPES = {m.value: m for m in aspath.SegmentType}
    _TUNNELS = {m.value: m for m in ec.TunnelType}
    _ORIGINS = (basic.OriginType.IGP, basic.OriginType.EGP, basic.OriginType.INCOMPLETE)
    _V4U = inet.IPV4_UNICAST
    _generic = upd.decode_attribute
    _problem = upd.malformed_attribute
    _retry_prefixes = upd.retry_prefixes
    _check_mandatory = upd.check_mandatory
    _pure_decode_update = _impl.pure("decode_update")
    _dec_mp_reach = mp.decode_mp_reach
    _NH_LENGTHS = mp.NEXT_HOP_LENGTHS
    _dec_mp_unreach = mp.decode_mp_unreach
    _dec_ext = ec.decode_extended_communities
    _dec_rt = ec._decode_rt  # TODO(issue #13 B): see above
    _dec_ro = ec._decode_ro
    _dec_encap = ec._decode_encapsulation
    _ATTRIBUTE_DISCARD = base.ErrorAction.ATTRIBUTE_DISCARD
    _SESSION_RESET = base.ErrorAction.SESSION_RESET
    _Update = _Shape(upd.Update, 5)
    _Prefix = _Shape(inet.InetPrefix, 4)
    _Origin = _Shape(basic.Origin, 2)
    _ASPath = _Shape(aspath.ASPath, 4)
    _Segment = _Shape(aspath.ASPathSegment, 2)
    _NextHop = _Shape(basic.NextHop, 2)
    _MED = _Shape(basic.MultiExitDisc, 2)
    _LocalPref = _Shape(basic.LocalPref, 2)
    _Communities = _Shape(communities.Communities, 2)
    _Large = _Shape(communities.LargeCommunities, 2)
    _ExtCommunities = _Shape(ec.ExtendedCommunities, 2)
    _ExtCommunity = _Shape(ec.ExtendedCommunity, 3)
    _RouteTarget = _Shape(ec.RouteTarget, 4)
    _RouteOrigin = _Shape(ec.RouteOrigin, 4)
    _Encapsulation = _Shape(ec.Encapsulation, 4)
    _MPReach = _Shape(mp.MPReachNLRI, 7)
    _MPNextHop = _Shape(mp.MPNextHop, 1)
    _MPUnreach = _Shape(mp.MPUnreachNLRI, 5)
    _init_ctx()
    _init_evpn()
    _upd_ready = True
    return 0


def shapes():
    """{class name: "" when instances are filled directly, else why the
    class is called instead} for every class the kernels build -- for tests
    (each must be "") and benchmarks."""
    if not _upd_ready:
        _init_update()
    if not _msg_ready:
        _init_message()
    out = {}
    for s in (_PeerHeader, _Update, _Prefix, _Origin, _ASPath, _Segment, _NextHop, _MED, _LocalPref, _Communities,
              _Large, _ExtCommunities, _ExtCommunity, _RouteTarget, _RouteOrigin, _Encapsulation, _MPReach,
              _MPNextHop, _MPUnreach, _RouteMonitoring):
        out[s.cls.__name__] = s.why
    out.update(_evpn_shapes())
    return out


cdef object _prefixes(const unsigned char* b, Py_ssize_t pos, Py_ssize_t end, object family, int maxlen,
                      bint path_id):
    """The IPv4/IPv6 prefixes in b[pos:end], or None where the pure
    decode_inet_prefixes raises NLRIDecodeError."""
    cdef Py_ssize_t npos
    cdef int plen
    out = []
    if not path_id:
        while pos < end:
            plen = b[pos]
            npos = pos + 1 + ((plen + 7) >> 3)
            if plen > maxlen or npos > end:
                return None
            out.append(mk4(_Prefix, family, plen, _slice(b, pos + 1, npos), None))
            pos = npos
        return out
    while pos < end:
        if end - pos < 5:
            return None
        plen = b[pos + 4]
        npos = pos + 5 + ((plen + 7) >> 3)
        if plen > maxlen or npos > end:
            return None
        out.append(mk4(_Prefix, family, plen, _slice(b, pos + 5, npos), _u32(b + pos)))
        pos = npos
    return out


cdef object _as_path(const unsigned char* b, Py_ssize_t pos, Py_ssize_t end, int flags, object asn4):
    """AS_PATH with the session's width, or None (the pure decoder then
    reports the problem, or guesses the width)."""
    cdef int width
    cdef int count, i
    cdef Py_ssize_t npos, q
    cdef object v
    if asn4 is True:
        width = 4
    elif asn4 is False:
        width = 2
    else:
        return None
    segs = []
    while pos < end:
        if end - pos < 2:
            return None
        stype = _SEGTYPES.get(b[pos])
        count = b[pos + 1]
        if stype is None or count == 0:
            return None
        npos = pos + 2 + count * width
        if npos > end:
            return None
        asns = PyTuple_New(count)
        q = pos + 2
        for i in range(count):
            v = _u32(b + q) if width == 4 else _u16(b + q)
            Py_INCREF(v)
            PyTuple_SET_ITEM(asns, i, v)
            q += width
        segs.append(mk2(_Segment, stype, asns))
        pos = npos
    return mk4(_ASPath, segs, asn4, flags, False)


cdef object _u32_tuple(const unsigned char* b, Py_ssize_t pos, Py_ssize_t count):
    cdef Py_ssize_t i
    cdef object v
    t = PyTuple_New(count)
    for i in range(count):
        v = _u32(b + pos + 4 * i)
        Py_INCREF(v)
        PyTuple_SET_ITEM(t, i, v)
    return t


cdef object _large(const unsigned char* b, Py_ssize_t pos, Py_ssize_t end):
    out = []
    while pos < end:
        out.append((_u32(b + pos), _u32(b + pos + 4), _u32(b + pos + 8)))
        pos += 12
    return out


cdef inline bint _builtin(object entry, object decoder, int flags):
    """The registry entry is the built-in one and the flags have its category."""
    if entry is None or entry[0] is not decoder:
        return False
    category = entry[3]
    return category is None or (flags & 0xC0) == category


cdef object _mp_nlri(bytes buf, const unsigned char* b, Py_ssize_t pos, Py_ssize_t end, int afi, int safi,
                     object ctx):
    """The routes of an MP attribute with the context's ADD-PATH setting, or
    None (the pure decoder then guesses, or reports the problem)."""
    key = (afi, safi)
    codec = _CODECS.get(key)
    if codec is None:
        return None
    cdef bint path_id = key in _get(_CTX, ctx, 1, "addpath")
    if codec is _EVPN_CODEC:
        try:
            return _evpn_nlri(buf, b, pos, end, path_id)
        except Exception as exc:
            _failed(exc, "EVPN NLRI")
            return None
    if codec is _INET_CODECS.get(key):
        return _prefixes(b, pos, end, _INET_FAMILIES[key], 32 if afi == 1 else 128, path_id)
    try:
        return codec.decode(buf, pos, end, path_id, ctx)
    except Exception as exc:
        _failed(exc, "MP NLRI")
        return None


cdef object _mp_reach(bytes buf, const unsigned char* b, Py_ssize_t pos, Py_ssize_t end, int flags, object ctx):
    if not _builtin(_REG.get(14), _dec_mp_reach, flags) or end - pos < 5:
        return None
    cdef int afi = _u16(b + pos)
    cdef int safi = b[pos + 2]
    cdef Py_ssize_t nh_end = pos + 4 + b[pos + 3]
    if nh_end >= end:
        return None
    allowed = _NH_LENGTHS.get((afi, safi))
    if allowed is not None and b[pos + 3] not in <frozenset>allowed:
        return None  # RFC 7606 section 7.11: the pure decoder reports it
    nlri = _mp_nlri(buf, b, nh_end + 1, end, afi, safi, ctx)
    if nlri is None:
        return None
    return mk7(_MPReach, afi, safi, mk1(_MPNextHop, _slice(b, pos + 4, nh_end)), nlri, b[nh_end], flags, False)


cdef object _mp_unreach(bytes buf, const unsigned char* b, Py_ssize_t pos, Py_ssize_t end, int flags, object ctx):
    if not _builtin(_REG.get(15), _dec_mp_unreach, flags) or end - pos < 3:
        return None
    cdef int afi = _u16(b + pos)
    cdef int safi = b[pos + 2]
    withdrawn = _mp_nlri(buf, b, pos + 3, end, afi, safi, ctx)
    if withdrawn is None:
        return None
    return mk5(_MPUnreach, afi, safi, withdrawn, flags, False)


cdef object _ext_communities(bytes buf, const unsigned char* b, Py_ssize_t pos, Py_ssize_t end, int flags):
    if not _builtin(_REG.get(16), _dec_ext, flags) or (end - pos) & 7:
        return None
    cdef int t, st, hi, tt
    cdef object g, loc, c, fn
    out = []
    while pos < end:
        t = b[pos]
        st = b[pos + 1]
        fn = _EXTREG.get((t, st))
        if fn is None:
            c = mk3(_ExtCommunity, t, st, _slice(b, pos + 2, pos + 8))
        elif fn is _dec_rt or fn is _dec_ro:
            hi = t & 0x3F
            if hi == 0:
                g = _u16(b + pos + 2)
                loc = _u32(b + pos + 4)
            elif hi == 1:
                g = _addr_text(b + pos + 2, 4)
                loc = _u16(b + pos + 6)
            else:
                g = _u32(b + pos + 2)
                loc = _u16(b + pos + 6)
            c = mk4(_RouteTarget if fn is _dec_rt else _RouteOrigin, t, st, g, loc)
        elif fn is _dec_encap:
            tt = _u16(b + pos + 6)
            ttype = _TUNNELS.get(tt)
            c = mk4(_Encapsulation, t, st, tt if ttype is None else ttype, _u32(b + pos + 2))
        else:
            c = _evpn_ext(fn, b, pos)
            if c is None:
                try:
                    c = fn(buf, pos)
                except Exception as exc:
                    _failed(exc, "extended community")
                    return None
        out.append(c)
        pos += 8
    return mk2(_ExtCommunities, out, flags)


cdef object _seen_int(unsigned long long* seen):
    return int(seen[0]) | (int(seen[1]) << 64) | (int(seen[2]) << 128) | (int(seen[3]) << 192)


cdef object _update(bytes buf, Py_ssize_t pos, Py_ssize_t end, object ctx):
    """The UPDATE body in buf[pos:end] (0 <= pos <= end <= len(buf)), or
    None when the message is malformed at its level (the pure decoder then
    raises the error)."""
    cdef const unsigned char* b = buf
    cdef Py_ssize_t wlen, wend, alen, astart, aend, p, vs, ve, n
    cdef int flags, code, kind
    cdef unsigned long long seen[4]
    cdef unsigned long long bit
    if end - pos < 4:
        return None
    wlen = _u16(b + pos)
    wend = pos + 2 + wlen
    if wend + 2 > end:
        return None
    alen = _u16(b + wend)
    astart = wend + 2
    aend = astart + alen
    if aend > end:
        return None
    addpath = _get(_CTX, ctx, 1, "addpath")
    asn4 = _get(_CTX, ctx, 0, "asn4")
    path_id = bool(addpath) and _V4U in addpath
    guessed = False
    if wlen:
        withdrawn = _prefixes(b, pos + 2, wend, _V4U, 32, path_id)
        if withdrawn is None:
            withdrawn = _retry_prefixes(buf, pos + 2, wend, path_id)
            guessed = True
    else:
        withdrawn = []
    problems = []
    attrs = []
    seen[0] = seen[1] = seen[2] = seen[3] = 0
    fastl = _FASTL
    p = astart
    while p < aend:
        if aend - p < 3:
            return None
        flags = b[p]
        code = b[p + 1]
        if flags & 0x10:
            if aend - p < 4:
                return None
            vs = p + 4
            ve = vs + _u16(b + p + 2)
        else:
            vs = p + 3
            ve = vs + b[p + 2]
        if ve > aend:
            return None
        bit = 1ULL << (code & 63)
        if seen[code >> 6] & bit:
            # RFC 7606 section 3 g: keep the first; MP_* twice: session reset
            _problem(attrs, problems, buf, p, vs, ve, flags, code,
                     _SESSION_RESET if code == 14 or code == 15 else _ATTRIBUTE_DISCARD,
                     f"duplicate attribute {code}")
            p = ve
            continue
        seen[code >> 6] |= bit
        n = ve - vs
        kind = flags & 0xC0
        obj = None
        if code == 1:
            if kind == 0x40 and n == 1 and b[vs] < 3 and fastl[1]:
                obj = mk2(_Origin, _ORIGINS[b[vs]], flags)
        elif code == 2:
            if kind == 0x40 and fastl[2]:
                obj = _as_path(b, vs, ve, flags, asn4)
        elif code == 3:
            if kind == 0x40 and n == 4 and fastl[3]:
                obj = mk2(_NextHop, _addr_text(b + vs, 4), flags)
        elif code == 4:
            if kind == 0x80 and n == 4 and fastl[4]:
                obj = mk2(_MED, _u32(b + vs), flags)
        elif code == 5:
            if kind == 0x40 and n == 4 and fastl[5]:
                obj = mk2(_LocalPref, _u32(b + vs), flags)
        elif code == 8:
            if kind == 0xC0 and not n & 3 and fastl[8]:
                obj = mk2(_Communities, _u32_tuple(b, vs, n >> 2), flags)
        elif code == 14:
            obj = _mp_reach(buf, b, vs, ve, flags, ctx)
        elif code == 15:
            obj = _mp_unreach(buf, b, vs, ve, flags, ctx)
        elif code == 16:
            obj = _ext_communities(buf, b, vs, ve, flags)
        elif code == 32:
            if kind == 0xC0 and n % 12 == 0 and fastl[32]:
                obj = mk2(_Large, _large(b, vs, ve), flags)
        if obj is None:
            _generic(buf, p, vs, ve, flags, code, _REG.get(code), ctx, attrs, problems)
            if (code == 14 or code == 15) and not guessed:
                # the pure MP decoder may have read the NLRI with the other
                # ADD-PATH setting (update.mp_path_ids_guessed; the compiled
                # MP attributes never guess)
                last = attrs[-1]
                if (type(last) is _MPReach.cls or type(last) is _MPUnreach.cls) and last.path_ids_guessed:
                    guessed = True
        else:
            attrs.append(obj)
        p = ve
    if aend < end:
        nlri = _prefixes(b, aend, end, _V4U, 32, path_id)
        if nlri is None:
            nlri = _retry_prefixes(buf, aend, end, path_id)
            guessed = True
        if seen[0] & 0x0E != 0x0E:
            _check_mandatory(buf, astart, nlri, attrs, _seen_int(seen), problems)
    else:
        nlri = []
        if seen[0] & (1ULL << 14) and seen[0] & 0x06 != 0x06:
            _check_mandatory(buf, astart, nlri, attrs, _seen_int(seen), problems)
    return mk5(_Update, withdrawn, attrs, nlri, problems, guessed)


cdef inline bint _span_ok(object buf, object pos, object end):
    return type(buf) is bytes and type(pos) is int and type(end) is int and 0 <= pos <= end <= len(<bytes>buf)


def decode_update(buf, pos, end, ctx):
    """Decode the UPDATE body in ``buf[pos:end]`` (RFC 4271 section 4.3):
    :func:`bmplib.bgp.update.decode_update`, compiled."""
    if not _upd_ready:
        _init_update()
    if _span_ok(buf, pos, end):
        r = _update(<bytes>buf, <Py_ssize_t>pos, <Py_ssize_t>end, ctx)
        if r is not None:
            return r
    return _pure_decode_update(buf, pos, end, ctx)


def decode_inet_prefixes(buf, pos, end, family, path_id=False):
    """:func:`bmplib.nlri.inet.decode_inet_prefixes`, compiled (for tests:
    the UPDATE decoder uses the same code directly)."""
    if not _upd_ready:
        _init_update()
    from bmplib.nlri.inet import decode_inet_prefixes as pure

    fam = _INET_FAMILIES.get(family)
    if fam is not None and type(path_id) is bool and _span_ok(buf, pos, end):
        r = _prefixes(<const unsigned char*><bytes>buf, <Py_ssize_t>pos, <Py_ssize_t>end, fam,
                      32 if fam[0] == 1 else 128, path_id)
        if r is not None:
            return r
    return pure(buf, pos, end, family, path_id)
