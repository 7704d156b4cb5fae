# cython: language_level=3
"""Cython implementations of bmplib's hot decoders.

Each public function has the signature and the results (objects, errors,
offsets, RFC 7606 problems) of the pure-Python function it replaces; the
differential tests in ``tests/fast`` prove it on every capture, on generated
messages and on mutated ones.

How equality is kept by construction:

* the fast code handles the common, well-formed shapes itself and builds the
  very same model classes as the pure decoder (slotted dataclasses, filled
  directly, see :class:`_Shape`);
* everything unusual -- a malformed or truncated field, a duplicate
  attribute, an attribute or family without a compiled decoder, a registry
  entry replaced by another module -- is handed to the pure decoder of that
  unit (one attribute through ``update.decode_attribute``, one NLRI field through
  ``update.retry_prefixes``, or the whole message), so errors, offsets,
  reasons and RFC 7606 problems are the pure decoder's own.

Every read is bounds-checked against the buffer: positions are validated
against ``len(buf)`` before a pointer is formed, and each field is checked
against its enclosing length before it is read.
"""

from cpython.object cimport PyObject, PyTypeObject
from cpython.ref cimport Py_INCREF, Py_XDECREF
from cpython.bytes cimport PyBytes_FromStringAndSize
from cpython.unicode cimport PyUnicode_DecodeASCII
from cpython.list cimport PyList_New, PyList_SET_ITEM
from cpython.tuple cimport PyTuple_New, PyTuple_SET_ITEM
from libc.string cimport memcmp, memcpy, strlen

import dataclasses
import types

# Nothing from bmplib is imported here: bmplib imports this module while it
# loads, so the pure modules are bound at the first call (_init_* below).


cdef extern from "Python.h":
    ctypedef struct PyMemberDef:
        const char* name
        int type
        Py_ssize_t offset
    ctypedef struct PyMemberDescrObject:
        PyMemberDef* d_member
    object PyType_GenericAlloc(PyTypeObject* tp, Py_ssize_t nitems)
    ctypedef PyObject* (*allocfunc)(PyTypeObject*, Py_ssize_t)
    PyObject* _generic_alloc "PyType_GenericAlloc"(PyTypeObject* tp, Py_ssize_t nitems)


cdef extern from *:
    """
    #if defined(_WIN32)
    #include <winsock2.h>
    #include <ws2tcpip.h>
    #else
    #include <arpa/inet.h>
    #include <sys/socket.h>
    #endif
    #define BMPLIB_T_OBJECT_EX 16
    static allocfunc bmplib_tp_alloc(PyTypeObject* tp) { return tp->tp_alloc; }
    """
    const char* inet_ntop(int af, const void* src, char* dst, int size)
    int AF_INET
    int AF_INET6
    int BMPLIB_T_OBJECT_EX
    allocfunc bmplib_tp_alloc(PyTypeObject* tp)


# ---------------------------------------------------------------------------
# Building the model objects
# ---------------------------------------------------------------------------
cdef class _Shape:
    """How to build instances of one slotted class of the model: the one
    place the compiled code builds model objects.

    The fields are the class's own: a dataclass's ``__init__`` fields in
    the order its ``__init__`` takes them (positional, then keyword-only),
    or the ``__slots__`` of a class built from *sample* (RouteDistinguisher,
    ESI).  The kernels pass exactly *arity* values in that order (``mkN``).

    Instances are allocated with the type's own allocator and the slots are
    filled directly -- what ``__init__`` would do, without the Python frame
    -- when the class is called the plain way (no custom ``__new__``,
    metaclass ``__call__`` or ``__post_init__``), has *arity* fields, each a
    plain object slot (looked up along the MRO, as attribute access does),
    and a probe instance built by calling the class stores each argument, as
    given, in its field and nothing else (fresh sentinel objects, or
    *sample* for a class that checks its arguments).  Otherwise (the model
    changed shape) ``direct`` is False, ``why`` says why, and the class is
    called (same objects, slower); tests/fast/test_shapes.py asserts that
    every class is filled directly, so a change of shape fails there."""

    cdef object cls
    cdef PyTypeObject* tp
    cdef Py_ssize_t off[10]
    cdef int n
    cdef int npos
    cdef tuple names
    cdef bint direct
    cdef public str why

    def __init__(self, cls, int arity, tuple sample=None):
        self.cls = cls
        self.tp = <PyTypeObject*>cls
        self.n = arity
        self.direct = False
        self.names, self.npos = _init_fields(cls)
        self.why = _shape_problem(cls, self.names, self.npos, arity, sample)
        if self.why:
            return
        cdef int i
        for i in range(arity):
            self.off[i] = _member_offset(cls, self.names[i])
            if self.off[i] < 0:
                self.why = f"{self.names[i]} is not a plain object slot"
                return
        self.direct = True

    cdef object call(self, tuple args):
        """The class called with *args* (in field order)."""
        if self.npos >= len(args):
            return self.cls(*args)
        return self.cls(*args[:self.npos], **dict(zip(self.names[self.npos:], args[self.npos:])))


def _init_fields(cls):
    """(field names in ``__init__`` order, how many are positional)."""
    if dataclasses.is_dataclass(cls):
        fields = [f for f in dataclasses.fields(cls) if f.init]
        positional = tuple(f.name for f in fields if not f.kw_only)
        return positional + tuple(f.name for f in fields if f.kw_only), len(positional)
    slots = cls.__dict__.get("__slots__", ())
    names = (slots,) if isinstance(slots, str) else tuple(slots)
    return names, len(names)


cdef object _UNSET = object()


def _shape_problem(cls, tuple names, int npos, int arity, tuple sample):
    """Why instances of *cls* cannot be filled directly ("" when they can)."""
    if len(names) != arity:
        return f"{cls.__name__} has {len(names)} fields {names}, the kernel gives {arity}"
    if arity > 10:
        return "more than 10 fields"
    if not dataclasses.is_dataclass(cls) and sample is None:
        return "not a dataclass"
    if dataclasses.is_dataclass(cls) and any(not f.init for f in dataclasses.fields(cls)):
        return "a field not set by __init__"
    if hasattr(cls, "__post_init__"):
        return "__post_init__"
    if type(cls).__call__ is not type.__call__ or cls.__new__ is not object.__new__:
        return "a custom __new__ or metaclass"
    if bmplib_tp_alloc(<PyTypeObject*>cls) != <allocfunc>_generic_alloc:
        return "a custom allocator"
    values = sample if sample is not None else tuple(object() for _ in names)
    try:
        if npos >= arity:
            probe = cls(*values)
        else:
            probe = cls(*values[:npos], **dict(zip(names[npos:], values[npos:])))
    except Exception as exc:
        return f"the probe call failed ({type(exc).__name__}: {exc})"
    for name, value in zip(names, values):
        if getattr(probe, name, _UNSET) is not value:
            return f"__init__ does not store {name} as given"
    for k in cls.__mro__:
        slots = k.__dict__.get("__slots__", ())
        for name in ((slots,) if isinstance(slots, str) else slots):
            if name not in names and name not in ("__weakref__", "__dict__") and hasattr(probe, name):
                return f"__init__ sets {name} too"
    return ""


cdef Py_ssize_t _member_offset(object cls, str name) except -2:
    """The offset in instances of *cls* of the plain object slot that
    attribute *name* reads (looked up along the MRO, as attribute access
    does), or -1 when *name* is not such a slot."""
    descr = None
    for k in cls.__mro__:
        if name in k.__dict__:
            descr = k.__dict__[name]
            break
    if type(descr) is not types.MemberDescriptorType or descr.__objclass__ not in cls.__mro__:
        return -1
    cdef PyMemberDescrObject* d = <PyMemberDescrObject*>(<PyObject*>descr)
    if d.d_member.type != BMPLIB_T_OBJECT_EX or d.d_member.offset <= 0:
        return -1
    return d.d_member.offset


def shape_is_direct(cls, arity, sample=None):
    """(filled directly, why not) for instances of *cls* built from *arity*
    values (for the tests of :class:`_Shape`'s checks)."""
    cdef _Shape s = _Shape(cls, arity, sample)
    return bool(s.direct), s.why


def shape_fields(cls):
    """The fields of *cls* in the order the kernels give them."""
    return _init_fields(cls)[0]


cdef inline void _put(object o, Py_ssize_t off, object v):
    # the slot of a freshly allocated (zeroed) object: no old value to release
    Py_INCREF(v)
    (<PyObject**>((<char*><PyObject*>o) + off))[0] = <PyObject*>v


cdef inline object _alloc(_Shape s):
    return PyType_GenericAlloc(s.tp, 0)


cdef class _Slots:
    """Direct reads and writes of the ``__slots__`` members *names* of the
    class *cls* (a stream decoder's state, a session table, a decoding
    context: objects the hot path reads on every message).

    Direct when each name is a plain object slot of *cls* and the class does
    not customise attribute access; the callers use it only
    for instances whose type is exactly *cls*, and take the attribute path
    (``getattr``) otherwise -- or when a slot is unset.  *writable*: the
    slots are also written, so ``__setattr__`` must be the default one."""

    cdef object cls
    cdef Py_ssize_t off[12]
    cdef int n
    cdef bint direct

    def __init__(self, cls, names, writable=False):
        self.cls = cls
        self.n = len(names)
        self.direct = False
        if len(names) > 12 or not isinstance(cls, type) or cls.__getattribute__ is not object.__getattribute__:
            return
        if writable and cls.__setattr__ is not object.__setattr__:
            return
        cdef int i
        for i in range(self.n):
            self.off[i] = _member_offset(cls, names[i])
            if self.off[i] < 0:
                return
        self.direct = True


cdef inline PyObject* _slot(object o, Py_ssize_t off):
    """The object in the slot at *off* of *o* (borrowed; NULL when unset)."""
    return (<PyObject**>((<char*><PyObject*>o) + off))[0]


cdef inline void _slot_set(object o, Py_ssize_t off, object v):
    """Store *v* in the slot at *off* of *o*, releasing the old value."""
    cdef PyObject** p = <PyObject**>((<char*><PyObject*>o) + off)
    cdef PyObject* old = p[0]
    Py_INCREF(v)
    p[0] = <PyObject*>v
    Py_XDECREF(old)


cdef inline object _get(_Slots s, object o, int i, str name):
    """Attribute *name* (slot *i* of *s*) of *o*."""
    cdef PyObject* v
    if s.direct and type(o) is s.cls:
        v = _slot(o, s.off[i])
        if v != NULL:
            return <object>v
    return getattr(o, name)


cdef _Slots _CTX = None  # bmplib.session.DecodeContext: asn4, addpath, extended_message


cdef int _init_ctx() except -1:
    global _CTX
    from bmplib.session import DecodeContext

    _CTX = _Slots(DecodeContext, ("asn4", "addpath", "extended_message"))
    return 0


cdef object mk1(_Shape s, a):
    if not s.direct:
        return s.call((a,))
    o = _alloc(s)
    _put(o, s.off[0], a)
    return o


cdef object mk2(_Shape s, a, b):
    if not s.direct:
        return s.call((a, b,))
    o = _alloc(s)
    _put(o, s.off[0], a)
    _put(o, s.off[1], b)
    return o


cdef object mk3(_Shape s, a, b, c):
    if not s.direct:
        return s.call((a, b, c,))
    o = _alloc(s)
    _put(o, s.off[0], a)
    _put(o, s.off[1], b)
    _put(o, s.off[2], c)
    return o


cdef object mk4(_Shape s, a, b, c, d):
    if not s.direct:
        return s.call((a, b, c, d,))
    o = _alloc(s)
    _put(o, s.off[0], a)
    _put(o, s.off[1], b)
    _put(o, s.off[2], c)
    _put(o, s.off[3], d)
    return o


cdef object mk5(_Shape s, a, b, c, d, e):
    if not s.direct:
        return s.call((a, b, c, d, e,))
    o = _alloc(s)
    _put(o, s.off[0], a)
    _put(o, s.off[1], b)
    _put(o, s.off[2], c)
    _put(o, s.off[3], d)
    _put(o, s.off[4], e)
    return o


cdef object mk7(_Shape s, a, b, c, d, e, f, g):
    if not s.direct:
        return s.call((a, b, c, d, e, f, g,))
    o = _alloc(s)
    _put(o, s.off[0], a)
    _put(o, s.off[1], b)
    _put(o, s.off[2], c)
    _put(o, s.off[3], d)
    _put(o, s.off[4], e)
    _put(o, s.off[5], f)
    _put(o, s.off[6], g)
    return o


cdef object mk8(_Shape s, a, b, c, d, e, f, g, h):
    if not s.direct:
        return s.call((a, b, c, d, e, f, g, h,))
    o = _alloc(s)
    _put(o, s.off[0], a)
    _put(o, s.off[1], b)
    _put(o, s.off[2], c)
    _put(o, s.off[3], d)
    _put(o, s.off[4], e)
    _put(o, s.off[5], f)
    _put(o, s.off[6], g)
    _put(o, s.off[7], h)
    return o


# ---------------------------------------------------------------------------
# Small helpers
# ---------------------------------------------------------------------------
cdef inline unsigned int _u32(const unsigned char* p) noexcept:
    return (<unsigned int>p[0] << 24) | (<unsigned int>p[1] << 16) | (<unsigned int>p[2] << 8) | p[3]


cdef inline unsigned int _u16(const unsigned char* p) noexcept:
    return (<unsigned int>p[0] << 8) | p[1]


cdef inline bytes _slice(const unsigned char* b, Py_ssize_t start, Py_ssize_t stop):
    return PyBytes_FromStringAndSize(<const char*>b + start, stop - start)


cdef object _ntop4(const unsigned char* p):
    """IPv4 text, as socket.inet_ntoa / inet_ntop (AF_INET) give it."""
    cdef char out[16]
    inet_ntop(AF_INET, p, out, 16)
    return PyUnicode_DecodeASCII(out, strlen(out), NULL)


cdef object _ntop6(const unsigned char* p):
    """IPv6 text, as socket.inet_ntop (AF_INET6) gives it (the same libc call)."""
    cdef char out[48]
    inet_ntop(AF_INET6, p, out, 48)
    return PyUnicode_DecodeASCII(out, strlen(out), NULL)


# A small direct-mapped cache of address texts: peers, BGP IDs and next hops
# repeat from message to message, and a str is immutable, so equal octets
# can share one text object.
cdef enum:
    _CACHE_SIZE = 256

cdef struct _AddrEntry:
    unsigned char raw[16]
    int size
    PyObject* text

cdef _AddrEntry _addr_cache[_CACHE_SIZE]
cdef list _addr_keep = [None] * _CACHE_SIZE  # owns the cached str objects


cdef object _addr_text(const unsigned char* p, int size):
    """The text of the 4- or 16-octet address at *p* (cached)."""
    cdef unsigned int h = 2166136261u
    cdef int i
    for i in range(size):
        h = (h ^ p[i]) * 16777619u
    h = (h ^ (h >> 15)) & (_CACHE_SIZE - 1)
    cdef _AddrEntry* e = &_addr_cache[h]
    if e.text != NULL and e.size == size and memcmp(e.raw, p, size) == 0:
        return <object>e.text
    text = _ntop4(p) if size == 4 else _ntop6(p)
    _addr_keep[h] = text
    memcpy(e.raw, p, size)
    e.size = size
    e.text = <PyObject*>text
    return text


cdef bytes _ZERO8 = bytes(8)
cdef bytes _ZERO12 = bytes(12)


# ---------------------------------------------------------------------------
# BMP per-peer header (RFC 7854 section 4.2)
# ---------------------------------------------------------------------------
cdef bint _peer_ready = False
cdef dict _PEER_TYPES
cdef _Shape _PeerHeader
cdef object _BMPDecodeError
cdef object _pure_decode_peer_header
cdef object _impl  # bmplib._impl: the pure functions, strict mode
cdef object _DecodeError


cdef int _failed(object exc, str unit) except -1:
    """A kernel caught *exc*: a DecodeError is the pure function's own
    (the caller hands the input to it, which raises or reports it again);
    anything else is a bug of this module (bmplib._impl.compiled_failure:
    raised in strict mode, else reported once)."""
    if not isinstance(exc, _DecodeError):
        _impl.compiled_failure(exc, unit)
    return 0


cdef int _init_peer() except -1:
    global _peer_ready, _PEER_TYPES, _PeerHeader, _BMPDecodeError, _pure_decode_peer_header
    global _impl, _DecodeError
    from bmplib import _impl
    from bmplib.bmp import header
    from bmplib.errors import DecodeError as _DecodeError
    from bmplib.bmp.constants import PeerType
    from bmplib.errors import BMPDecodeError

    _PEER_TYPES = {m.value: m for m in PeerType}
    _PeerHeader = _Shape(header.PeerHeader, 8)
    _BMPDecodeError = BMPDecodeError
    _pure_decode_peer_header = _impl.pure("decode_peer_header")
    _peer_ready = True
    return 0


cdef object _peer_header(bytes buf, Py_ssize_t pos):
    # the caller checked that buf[pos:pos + 42] exists
    cdef const unsigned char* p = <const unsigned char*>buf + pos
    cdef int ptype = p[0]
    cdef int flags = p[1]
    cdef bint ipv6 = (ptype < 3 and (flags & 0x80) != 0) or memcmp(p + 10, <const unsigned char*>_ZERO12, 12) != 0
    address = _addr_text(p + 10, 16) if ipv6 else _addr_text(p + 22, 4)
    dist = _ZERO8 if memcmp(p + 2, <const unsigned char*>_ZERO8, 8) == 0 else _slice(p, 2, 10)
    pt = _PEER_TYPES.get(ptype)
    if pt is None:
        pt = ptype
    return mk8(_PeerHeader, pt, flags, dist, address, _u32(p + 26), _addr_text(p + 30, 4), _u32(p + 34), _u32(p + 38))


def decode_peer_header(buf, pos):
    """Decode the per-peer header at *pos* of *buf* (RFC 7854 section 4.2)."""
    if not _peer_ready:
        _init_peer()
    if type(buf) is not bytes or type(pos) is not int or not 0 <= pos <= len(<bytes>buf) - 42:
        return _pure_decode_peer_header(buf, pos)  # raises the error
    return _peer_header(<bytes>buf, <Py_ssize_t>pos)


include "_evpn.pxi"
include "_update.pxi"
include "_message.pxi"
include "_stream.pxi"
include "_views.pxi"
