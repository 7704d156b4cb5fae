# The model's convenience views -- included by _fast.pyx.
#
# Update.announced / Update.withdrawn (bmplib.bgp.update) and
# MPNextHop.address / MPNextHop.link_local (bmplib.bgp.attributes.mp) are
# computed on every access; a walk over decoded messages reads them per
# message.  These are the same computations in C (the properties of
# bmplib._impl.KERNELS: the owning class holds this property while the
# extension is in use).  Anything unusual (a raw value that is not bytes) goes
# to the pure property.

cdef bint _views_ready = False
cdef type _MPReachT
cdef type _MPUnreachT
cdef object _TAW
cdef object _SRESET
cdef object _pure_address
cdef object _pure_link_local


cdef int _init_views() except -1:
    global _views_ready, _MPReachT, _MPUnreachT, _TAW, _SRESET, _pure_address, _pure_link_local
    from bmplib import _impl
    from bmplib.bgp.attributes import base, mp

    _MPReachT = mp.MPReachNLRI
    _MPUnreachT = mp.MPUnreachNLRI
    _TAW = base.ErrorAction.TREAT_AS_WITHDRAW
    _SRESET = base.ErrorAction.SESSION_RESET
    _pure_address = _impl.pure("next_hop_address").fget
    _pure_link_local = _impl.pure("next_hop_link_local").fget
    _views_ready = True
    return 0


cdef bint _withdraw_all(object problems) except -1:
    """Update.treat_as_withdraw for a non-empty *problems*."""
    for p in problems:
        action = p.action
        if action is _TAW or action is _SRESET:
            return True
    return False


def _announced(self):
    """Update.announced (RFC 7606 applied: empty under treat-as-withdraw)."""
    if not _views_ready:
        _init_views()
    problems = self.problems
    if problems and _withdraw_all(problems):
        return []
    nlri = self.nlri
    for a in self.attributes:
        if type(a) is _MPReachT:
            return nlri + a.nlri
    return nlri


def _withdrawn(self):
    """Update.withdrawn (and under treat-as-withdraw the announced routes)."""
    if not _views_ready:
        _init_views()
    routes = self.withdrawn_routes
    for a in self.attributes:
        if type(a) is _MPUnreachT:
            routes = routes + a.withdrawn
            break
    problems = self.problems
    if problems and _withdraw_all(problems):
        reach = self.mp_reach
        routes = routes + self.nlri + ([] if reach is None else reach.nlri)
    return routes


def _next_hop_address(self):
    """MPNextHop.address: the (global) next hop address text."""
    if not _views_ready:
        _init_views()
    raw = self.raw
    if type(raw) is not bytes:
        return _pure_address(self)
    cdef const unsigned char* p = <bytes>raw
    cdef Py_ssize_t n = len(<bytes>raw)
    if n == 16 or n == 32:
        return _addr_text(p, 16)
    if n == 4:
        return _addr_text(p, 4)
    if n == 12:
        return _addr_text(p + 8, 4)
    if n == 24 or n == 48:
        return _addr_text(p + 8, 16)
    return None


def _next_hop_link_local(self):
    """MPNextHop.link_local: the IPv6 link-local next hop, when there is one."""
    if not _views_ready:
        _init_views()
    raw = self.raw
    if type(raw) is not bytes:
        return _pure_link_local(self)
    cdef const unsigned char* p = <bytes>raw
    cdef Py_ssize_t n = len(<bytes>raw)
    if n == 32:
        return _addr_text(p + 16, 16)
    if n == 48:
        return _addr_text(p + 32, 16)
    return None


#: the compiled views (bmplib._impl.KERNELS)
update_announced = property(_announced, doc=_announced.__doc__)
update_withdrawn = property(_withdrawn, doc=_withdrawn.__doc__)
next_hop_address = property(_next_hop_address, doc=_next_hop_address.__doc__)
next_hop_link_local = property(_next_hop_link_local, doc=_next_hop_link_local.__doc__)
