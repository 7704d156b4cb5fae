# cython: language_level=3
"""The compiled batch path of bmplib.records: octets of a raw BMP stream in,
route columns out, without building message objects.

It frames the stream (RFC 7854 section 4.1) and walks each Route Monitoring
message's BGP UPDATE (RFC 4271 section 4.3) in place: IPv4 unicast in the
classic fields, IPv6 unicast in MP_REACH_NLRI / MP_UNREACH_NLRI (RFC 4760),
and the attributes ORIGIN, AS_PATH (4-octet, AS_SEQUENCE / AS_SET), NEXT_HOP,
MULTI_EXIT_DISC, LOCAL_PREF, COMMUNITIES and LARGE_COMMUNITY in their usual
forms.  It writes straight into the arrays of a
``bmplib.records.columns.RouteColumns``; a new attribute set is flattened
here once and kept by its octets like the object path does.

Anything else -- another message type, another family, another attribute, a
peer whose session has ADD-PATH or 2-octet AS numbers, any length or flag
out of the ordinary, a framing problem -- goes to the object path for that
message (``RouteColumns.add_item`` on what ``bmplib.BMPDecoder`` decodes,
with one ``SessionTable`` shared by both paths), so the rows are the same
with or without this module (tests/records/test_compiled.py).
"""

from cpython cimport array
from cpython.bytes cimport PyBytes_AS_STRING, PyBytes_FromStringAndSize
from cpython.object cimport Py_SIZE
from cpython.unicode cimport PyUnicode_FromStringAndSize
from libc.stdio cimport snprintf
from libc.stdlib cimport free, malloc, realloc
from libc.string cimport memcmp, memcpy, memset

import gc
import hashlib

from bmplib.bgp.attributes import community_text
from bmplib.bgp.attributes.extended_communities import decode_extended_communities
from bmplib.session import DecodeContext
from bmplib.bmp.header import decode_peer_header
from bmplib.session import SessionTable
from bmplib.stream import DEFAULT_MAX_MESSAGE_LENGTH, BMPDecoder

cdef extern from "arpa/inet.h":
    const char *inet_ntop(int af, const void *src, char *dst, int size)

cdef int AF_INET6 = 10

_ORIGINS = ("igp", "egp", "incomplete")
_CTX = DecodeContext()
_blake2b = hashlib.blake2b

# attribute positions found in one UPDATE (start of the attribute header,
# start and end of its value), by type code
cdef struct Found:
    int seen  # bit per type code 1-15
    Py_ssize_t hdr[16]
    Py_ssize_t vs[16]
    Py_ssize_t ve[16]
    # EXTENDED_COMMUNITIES (type 16) and LARGE_COMMUNITY (type 32), slots 0 and 1
    bint more[2]
    Py_ssize_t mhdr[2]
    Py_ssize_t mvs[2]
    Py_ssize_t mve[2]
    int order[20]  # type codes in wire order
    int count


cdef inline void push_q(array.array a, long long v) except *:
    cdef Py_ssize_t n = Py_SIZE(a)
    array.resize_smart(a, n + 1)
    a.data.as_longlongs[n] = v


cdef inline void push_i(array.array a, int v) except *:
    cdef Py_ssize_t n = Py_SIZE(a)
    array.resize_smart(a, n + 1)
    a.data.as_ints[n] = v


cdef inline void push_h(array.array a, short v) except *:
    cdef Py_ssize_t n = Py_SIZE(a)
    array.resize_smart(a, n + 1)
    a.data.as_shorts[n] = v


cdef inline void push_b(array.array a, signed char v) except *:
    cdef Py_ssize_t n = Py_SIZE(a)
    array.resize_smart(a, n + 1)
    a.data.as_schars[n] = v


cdef inline unsigned int u32(const unsigned char *b) noexcept nogil:
    return (<unsigned int>b[0] << 24) | (<unsigned int>b[1] << 16) | (<unsigned int>b[2] << 8) | b[3]


cdef inline int utoa(char *out, unsigned int v) noexcept nogil:
    """*v* in decimal at *out*; the number of characters."""
    cdef char tmp[12]
    cdef int n = 0, k
    while True:
        tmp[n] = 48 + v % 10
        n += 1
        v //= 10
        if v == 0:
            break
    for k in range(n):
        out[k] = tmp[n - 1 - k]
    return n


cdef inline int dotted(char *out, const unsigned char *a) noexcept nogil:
    """An IPv4 address in dotted-quad text; the number of characters."""
    cdef int k = utoa(out, a[0])
    out[k] = 46
    k += 1 + utoa(out + k + 1, a[1])
    out[k] = 46
    k += 1 + utoa(out + k + 1, a[2])
    out[k] = 46
    k += 1 + utoa(out + k + 1, a[3])
    return k


cdef inline bint attribute_value(const unsigned char *b, Py_ssize_t p, Py_ssize_t aend,
                                 Py_ssize_t *vs, Py_ssize_t *ve) noexcept nogil:
    """The value span of the path attribute whose header is at *p*
    (RFC 4271 section 4.3: 1- or 2-octet length by the extended-length
    flag); False when the header or the value runs past *aend*."""
    if aend - p < 3 or (b[p] & 0x10 and aend - p < 4):
        return False
    if b[p] & 0x10:
        vs[0] = p + 4
        ve[0] = p + 4 + ((b[p + 2] << 8) | b[p + 3])
    else:
        vs[0] = p + 3
        ve[0] = p + 3 + b[p + 2]
    return ve[0] <= aend


cdef bint prefixes_ok(const unsigned char *b, Py_ssize_t p, Py_ssize_t end, int maxlen) noexcept nogil:
    """The field holds whole prefixes without path identifiers."""
    cdef int plen
    while p < end:
        plen = b[p]
        if plen > maxlen:
            return False
        p += 1 + ((plen + 7) >> 3)
    return p == end


cdef str prefix_text(const unsigned char *b, Py_ssize_t p, bint v6):
    """``address/length`` of the prefix at *p* (host bits kept as on the wire)."""
    cdef unsigned char addr[16]
    cdef char out[64]
    cdef int plen = b[p]
    cdef int n = (plen + 7) >> 3
    cdef int k
    memset(addr, 0, 16)
    memcpy(addr, b + p + 1, n)
    if v6:
        inet_ntop(AF_INET6, addr, out, 48)
        k = 0
        while out[k]:
            k += 1
    else:
        k = dotted(out, addr)
    out[k] = 47
    k += 1 + utoa(out + k + 1, plen)
    return PyUnicode_FromStringAndSize(out, k)


cdef class _Text:
    """A growable C buffer that text is rendered into."""

    cdef char *buf
    cdef Py_ssize_t n, cap

    def __cinit__(self):
        self.cap = 1024
        self.buf = <char *>malloc(self.cap)
        self.n = 0
        if self.buf == NULL:
            raise MemoryError()

    def __dealloc__(self):
        free(self.buf)

    cdef inline void room(self, Py_ssize_t k) except *:
        cdef char *nb
        if self.n + k > self.cap:
            while self.n + k > self.cap:
                self.cap *= 2
            nb = <char *>realloc(self.buf, self.cap)
            if nb == NULL:
                raise MemoryError()
            self.buf = nb

    cdef inline void u(self, unsigned int v) except *:
        self.room(12)
        self.n += utoa(self.buf + self.n, v)

    cdef inline void c(self, char ch) except *:
        self.room(1)
        self.buf[self.n] = ch
        self.n += 1

    cdef inline str text(self):
        return PyUnicode_FromStringAndSize(self.buf, self.n)


cdef class _Walker:
    """The state of one walk: the columns being filled, the peers seen
    since the last message that was not walked here, the families."""

    cdef object cols
    cdef object source
    cdef object router
    cdef object sessions
    cdef dict peer_cache
    cdef int fam4
    cdef int fam6
    cdef array.array a_offset, a_time, a_peer, a_attrs, a_family, a_action
    cdef list prefixes
    cdef dict attr_ids
    cdef list attr_cols
    cdef unsigned char last_id[34]
    cdef int last_peer
    cdef _Text text
    cdef _Text key, last_key  # the attribute key being built, the one before
    cdef int last_attrs  # the index of last_key's set, -1: none

    def __init__(self, cols, source, router, sessions):
        self.sessions = sessions
        self.text = _Text()
        self.key = _Text()
        self.last_key = _Text()
        self.source = source
        self.router = router
        self.reset(cols)

    cdef reset(self, cols):
        self.cols = cols
        self.peer_cache = {}
        self.last_peer = -3
        self.last_attrs = -1
        self.fam4 = -1
        self.fam6 = -1
        self.a_offset = cols.offset
        self.a_time = cols.time_us
        self.a_peer = cols.peer
        self.a_attrs = cols.attrs
        self.a_family = cols.family
        self.a_action = cols.action
        self.prefixes = cols.prefix
        self.attr_ids = cols.attr_ids
        self.attr_cols = cols.attr_cols

    cdef void forget_peers(self):
        self.peer_cache.clear()
        self.last_peer = -3

    cdef int peer_index(self, bytes data, Py_ssize_t pos) except -2:
        """The peer's index, or -1 when its session is not one walked here."""
        cdef const unsigned char *b = data
        if self.last_peer != -3 and memcmp(self.last_id, b + pos + 6, 34) == 0:
            return self.last_peer
        identity = data[pos + 6 : pos + 40]
        hit = self.peer_cache.get(identity)
        if hit is None:
            peer = decode_peer_header(data, pos + 6)
            ctx = self.sessions.context_for(0, peer)
            native = ctx.asn4 and not ctx.asn_guess and (1, 1) not in ctx.addpath and (2, 1) not in ctx.addpath
            hit = self.cols.peer_index(self.source, self.router, peer) if native else -1
            self.peer_cache[identity] = hit
        memcpy(self.last_id, b + pos + 6, 34)
        self.last_peer = hit
        return hit

    cdef void route(self, long long offset, long long t, int peer, int attrs, int fam, int action,
                    const unsigned char *b, Py_ssize_t p, bint v6) except *:
        push_q(self.a_offset, offset)
        push_q(self.a_time, t)
        push_i(self.a_peer, peer)
        push_i(self.a_attrs, attrs)
        push_h(self.a_family, fam)
        push_b(self.a_action, action)
        self.prefixes.append(prefix_text(b, p, v6))

    cdef int family(self, bint v6) except -1:
        if v6:
            if self.fam6 < 0:
                self.fam6 = self.cols.family_index("ipv6-unicast")
            return self.fam6
        if self.fam4 < 0:
            self.fam4 = self.cols.family_index("ipv4-unicast")
        return self.fam4

    cdef int attr_set(self, bytes data, Found *f, bint mp) except -1:
        """The index of the route's attribute set (flattened when new)."""
        cdef const unsigned char *b = data
        cdef Py_ssize_t size = 0, q = 0, start, stop
        cdef int code, i
        for i in range(f.count):
            code = f.order[i]
            if code == 16 or code == 32:
                size += f.mve[code >> 5] - f.mhdr[code >> 5]
            elif code != 14 and code != 15:
                size += f.ve[code] - f.hdr[code]
        if mp:
            size += 5 + b[f.vs[14] + 3]
        # the key: the attributes in wire order (MP_* left out), then the MP next hop,
        # built in a scratch buffer: the same set as the message before costs no object
        cdef _Text k = self.key
        k.n = 0
        k.room(size)
        cdef unsigned char *kp = <unsigned char *>k.buf
        for i in range(f.count):
            code = f.order[i]
            if code == 16 or code == 32:
                start = f.mhdr[code >> 5]
                stop = f.mve[code >> 5]
            elif code != 14 and code != 15:
                start = f.hdr[code]
                stop = f.ve[code]
            else:
                continue
            memcpy(kp + q, b + start, stop - start)
            q += stop - start
        if mp:
            kp[q] = 14
            memcpy(kp + q + 1, b + f.vs[14], 4 + b[f.vs[14] + 3])
        k.n = size
        cdef _Text last = self.last_key
        if self.last_attrs >= 0 and last.n == size and memcmp(last.buf, k.buf, size) == 0:
            return self.last_attrs
        self.key, self.last_key = last, k
        key = PyBytes_FromStringAndSize(k.buf, size)
        idx = self.attr_ids.get(key)
        if idx is not None:
            self.last_attrs = idx
            return idx
        idx = self.attr_ids.get(key)
        if idx is not None:
            return idx
        idx = len(<list>self.attr_cols[0])
        self.attr_ids[key] = idx
        cdef tuple values = self.flatten(data, f, mp, key)
        for i in range(len(values)):
            (<list>self.attr_cols[i]).append(values[i])
        self.last_attrs = idx
        return idx

    cdef tuple flatten(self, bytes data, Found *f, bint mp, bytes key):
        """ATTRIBUTE_FIELDS of one attribute set (bmplib.records.record.attribute_fields)."""
        cdef const unsigned char *b = data
        cdef Py_ssize_t p, e, j
        cdef int stype, cnt, i
        cdef unsigned int v, last = 0
        cdef int path_length = 0
        cdef bint last_seq = False
        cdef char num[48]
        cdef unsigned char nh[16]
        origin = _ORIGINS[b[f.vs[1]]]
        # AS_PATH: "a b {c d}" (RFC 4271 section 5.1.2)
        cdef _Text t = self.text
        t.n = 0
        p = f.vs[2]
        e = f.ve[2]
        while p < e:
            stype = b[p]
            cnt = b[p + 1]
            p += 2
            if t.n:
                t.c(32)
            if stype == 1:
                t.c(123)
            for i in range(cnt):
                v = u32(b + p + 4 * i)
                if i:
                    t.c(32)
                t.u(v)
                last = v
            p += 4 * cnt
            if stype == 2:
                path_length += cnt
                last_seq = True
            else:
                t.c(125)
                path_length += 1
                last_seq = False
        as_path = t.text()
        origin_as = last if last_seq else None
        if mp:
            memcpy(nh, b + f.vs[14] + 4, 16)
            inet_ntop(AF_INET6, nh, num, 48)
            next_hop = num.decode("ascii")
        elif f.seen & (1 << 3):
            next_hop = PyUnicode_FromStringAndSize(num, dotted(num, b + f.vs[3]))
        else:
            next_hop = None
        med = u32(b + f.vs[4]) if f.seen & (1 << 4) else None
        local_pref = u32(b + f.vs[5]) if f.seen & (1 << 5) else None
        comms = None
        if f.seen & (1 << 8):
            t.n = 0
            for j in range(f.vs[8], f.ve[8], 4):
                v = u32(b + j)
                if t.n:
                    t.c(32)
                if v >= 0xFFFF0000u:
                    name = community_text(v).encode("ascii")
                    t.room(len(name))
                    memcpy(t.buf + t.n, <char *>name, len(name))
                    t.n += len(name)
                else:
                    t.u(v >> 16)
                    t.c(58)
                    t.u(v & 0xFFFF)
            comms = t.text()
        large = None
        if f.more[1]:
            t.n = 0
            for j in range(f.mvs[1], f.mve[1], 12):
                if t.n:
                    t.c(32)
                t.u(u32(b + j))
                t.c(58)
                t.u(u32(b + j + 4))
                t.c(58)
                t.u(u32(b + j + 8))
            large = t.text()
        ext = None
        if f.more[0]:
            ext = " ".join(decode_extended_communities(data, f.mvs[0], f.mve[0], b[f.mhdr[0]], _CTX).text)
        aggregator = None
        if f.seen & (1 << 7):
            p = f.vs[7]
            snprintf(num, 48, "%u %u.%u.%u.%u", u32(b + p), b[p + 4], b[p + 5], b[p + 6], b[p + 7])
            aggregator = (<bytes>num).decode("ascii")
        return (
            origin, as_path, origin_as, path_length, next_hop, med, local_pref, comms, ext, large,
            None, None, aggregator, bool(f.seen & (1 << 6)), None, _blake2b(key, digest_size=8).hexdigest(),
        )

    cdef int walk(self, bytes data, Py_ssize_t pos, Py_ssize_t length) except -1:
        """Add the routes of the Route Monitoring message at *pos*; 0 when it
        must go to the object path (nothing added then)."""
        cdef const unsigned char *b = data
        cdef Py_ssize_t end = pos + length
        cdef Py_ssize_t q, p, wstart, wend, astart, aend, vs, ve, nend
        cdef int flags, code, kind, n, peer, attrs4 = 0, attrs6 = 0, i
        cdef Found f
        cdef long long t
        cdef bint classic_nlri, mp_nlri
        if length < 48 + 23:
            return 0
        if b[pos + 6] > 3:
            return 0
        q = pos + 48
        for i in range(16):
            if b[q + i] != 0xFF:
                return 0
        if ((b[q + 16] << 8) | b[q + 17]) != length - 48 or b[q + 18] != 2 or length - 48 > 4096:
            return 0
        # the UPDATE body
        wstart = q + 19
        wend = wstart + 2 + ((b[wstart] << 8) | b[wstart + 1])
        if wend + 2 > end:
            return 0
        astart = wend + 2
        aend = astart + ((b[wend] << 8) | b[wend + 1])
        if aend > end:
            return 0
        if not prefixes_ok(b, wstart + 2, wend, 32) or not prefixes_ok(b, aend, end, 32):
            return 0
        f.seen = 0
        f.more[0] = f.more[1] = False
        f.count = 0
        p = astart
        while p < aend:
            if not attribute_value(b, p, aend, &vs, &ve):
                return 0
            flags = b[p]
            code = b[p + 1]
            n = <int>(ve - vs)
            kind = flags & 0xC0
            if code == 16 or code == 32:
                # 8-octet extended communities, 12-octet large communities
                i = code >> 5
                if f.more[i] or kind != 0xC0 or n == 0 or n % (12 if i else 8) or n >= 1024:
                    return 0
                f.more[i] = True
                f.mhdr[i] = p
                f.mvs[i] = vs
                f.mve[i] = ve
                f.order[f.count] = code
                f.count += 1
                p = ve
                continue
            if code > 15 or f.seen & (1 << code):
                return 0
            if code == 1:
                if kind != 0x40 or n != 1 or b[vs] > 2:
                    return 0
            elif code == 2:
                if kind != 0x40:
                    return 0
                q = vs
                while q < ve:
                    if ve - q < 2 or (b[q] != 1 and b[q] != 2) or b[q + 1] == 0:
                        return 0
                    q += 2 + 4 * b[q + 1]
                if q != ve:
                    return 0
            elif code == 3 or code == 5:
                if kind != 0x40 or n != 4:
                    return 0
            elif code == 4:
                if kind != 0x80 or n != 4:
                    return 0
            elif code == 6:
                if kind != 0x40 or n != 0:
                    return 0
            elif code == 7:
                if kind != 0xC0 or n != 8:
                    return 0
            elif code == 8:
                if kind != 0xC0 or n == 0 or n & 3 or n >= 1024:
                    return 0
            elif code == 14:
                # IPv6 unicast, a 16- or 32-octet next hop, the reserved octet
                if kind != 0x80 or n < 5 or b[vs] != 0 or b[vs + 1] != 2 or b[vs + 2] != 1:
                    return 0
                if b[vs + 3] != 16 and b[vs + 3] != 32:
                    return 0
                nend = vs + 4 + b[vs + 3]
                if nend >= ve or not prefixes_ok(b, nend + 1, ve, 128):
                    return 0
            elif code == 15:
                if kind != 0x80 or n < 3 or b[vs] != 0 or b[vs + 1] != 2 or b[vs + 2] != 1:
                    return 0
                if not prefixes_ok(b, vs + 3, ve, 128):
                    return 0
            else:
                return 0
            f.seen |= 1 << code
            f.order[f.count] = code
            f.count += 1
            f.hdr[code] = p
            f.vs[code] = vs
            f.ve[code] = ve
            p = ve
        classic_nlri = aend < end
        mp_nlri = bool(f.seen & (1 << 14)) and f.ve[14] > f.vs[14] + 5 + b[f.vs[14] + 3]
        # RFC 7606 section 3 d: a missing mandatory attribute is the object path's business
        if classic_nlri and (f.seen & 0x0E) != 0x0E:
            return 0
        if mp_nlri and (f.seen & 0x06) != 0x06:
            return 0
        peer = self.peer_index(data, pos)
        if peer < 0:
            return 0
        t = <long long>u32(b + pos + 40) * 1000000 + u32(b + pos + 44)
        # withdrawn routes, MP_UNREACH_NLRI, NLRI, MP_REACH_NLRI (record.message_routes)
        p = wstart + 2
        if p < wend:
            i = self.family(False)
            while p < wend:
                self.route(pos, t, peer, 0, i, 1, b, p, False)
                p += 1 + ((b[p] + 7) >> 3)
        if f.seen & (1 << 15):
            p = f.vs[15] + 3
            if p < f.ve[15]:
                i = self.family(True)
                while p < f.ve[15]:
                    self.route(pos, t, peer, 0, i, 1, b, p, True)
                    p += 1 + ((b[p] + 7) >> 3)
        if classic_nlri:
            attrs4 = self.attr_set(data, &f, False)
            i = self.family(False)
            p = aend
            while p < end:
                self.route(pos, t, peer, attrs4, i, 0, b, p, False)
                p += 1 + ((b[p] + 7) >> 3)
        if mp_nlri:
            attrs6 = self.attr_set(data, &f, True)
            i = self.family(True)
            p = f.vs[14] + 5 + b[f.vs[14] + 3]
            while p < f.ve[14]:
                self.route(pos, t, peer, attrs6, i, 0, b, p, True)
                p += 1 + ((b[p] + 7) >> 3)
        return 1


def iter_batches(bytes data, source, router, Py_ssize_t batch_size, columns_class, to_batch):
    """Record batches of the routes of the raw BMP stream *data*
    (``bmplib.records.arrow.route_batches`` with the compiled path)."""
    sessions = SessionTable()
    cols = columns_class()
    # the walk makes many small tuples and no cycles: no cyclic collections
    # while it runs (the caller's code between batches runs with them)
    gc_was_on = gc.isenabled()
    for batch in _walk(data, source, router, batch_size, columns_class, sessions, cols, gc_was_on):
        yield to_batch(batch)


def _walk(bytes data, source, router, Py_ssize_t batch_size, columns_class, sessions, cols, bint gc_on):
    """RouteColumns of at most about *batch_size* routes each; the cyclic
    garbage collector is off while they are filled."""
    if gc_on:
        gc.disable()
    try:
        for cols in _fill(data, source, router, batch_size, columns_class, sessions, cols):
            if gc_on:
                gc.enable()
            yield cols
            if gc_on:
                gc.disable()
    finally:
        if gc_on:
            gc.enable()


def _fill(bytes data, source, router, Py_ssize_t batch_size, columns_class, sessions, cols):
    cdef _Walker w = _Walker(cols, source, router, sessions)
    cdef const unsigned char *b = data
    cdef Py_ssize_t pos = 0, size = len(data), length
    cdef Py_ssize_t max_length = DEFAULT_MAX_MESSAGE_LENGTH
    cdef int mtype
    while pos < size:
        if size - pos < 6:
            break
        mtype = b[pos + 5]
        length = u32(b + pos + 1)
        if b[pos] != 3 or length > max_length or length < (48 if mtype in (0, 1, 2, 3, 6) else 6) or length > size - pos:
            break  # framing: the object path says what it is
        if mtype != 0 or not w.walk(data, pos, length):
            message = data[pos : pos + length]
            dec = BMPDecoder(sessions=sessions)
            dec.feed(message)
            dec.close()
            for item in dec:
                item.offset = pos
                cols.add_item(item, source, router, message if mtype == 0 else None)
            if mtype != 0:
                w.forget_peers()  # a Peer Up / Peer Down may change a session
        pos += length
        if Py_SIZE(w.a_offset) >= batch_size:
            yield cols
            cols = columns_class()
            w.reset(cols)
    if pos < size:
        dec = BMPDecoder(sessions=sessions)
        dec.feed(data[pos:])
        dec.close()
        for item in dec:
            off = item.offset + pos
            item.offset = off
            raw = None
            if getattr(item, "type", None) == 0:
                raw = data[off : off + u32(b + off + 1)]
            cols.add_item(item, source, router, raw)
            if len(cols) >= batch_size:
                yield cols
                cols = columns_class()
    if len(cols):
        yield cols


cdef Py_ssize_t count_prefixes(const unsigned char *b, Py_ssize_t p, Py_ssize_t end) noexcept nogil:
    cdef Py_ssize_t n = 0
    while p < end:
        p += 1 + ((b[p] + 7) >> 3)
        n += 1
    return n


def walk_routes(bytes data):
    """The bare walk, for the benchmarks: frame the stream and count the
    routes of the IPv4 / IPv6 unicast UPDATEs (the fields the batch path
    reads), reading every attribute header, building nothing."""
    cdef const unsigned char *b = data
    cdef Py_ssize_t pos = 0, size = len(data), length, q, wend, aend, p, vs, ve, end
    cdef Py_ssize_t routes = 0, messages = 0
    with nogil:
        while size - pos >= 6:
            length = u32(b + pos + 1)
            if length < 6 or length > size - pos:
                break
            if b[pos + 5] == 0 and length >= 48 + 23:
                messages += 1
                end = pos + length
                q = pos + 48 + 19
                wend = q + 2 + ((b[q] << 8) | b[q + 1])
                if wend + 2 <= end:
                    aend = wend + 2 + ((b[wend] << 8) | b[wend + 1])
                    if aend <= end:
                        routes += count_prefixes(b, q + 2, wend) + count_prefixes(b, aend, end)
                        p = wend + 2
                        while p < aend and attribute_value(b, p, aend, &vs, &ve):
                            if b[p + 1] == 14 and ve - vs > 5:
                                routes += count_prefixes(b, vs + 5 + b[vs + 3], ve)
                            elif b[p + 1] == 15 and ve - vs > 3:
                                routes += count_prefixes(b, vs + 3, ve)
                            p = ve
            pos += length
    return messages, routes
