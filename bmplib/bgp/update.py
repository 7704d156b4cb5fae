"""The BGP UPDATE message (RFC 4271 section 4.3) with RFC 7606 error handling.

:func:`decode_update` is registered as the body decoder of BGP message type 2.
It decodes the withdrawn routes and NLRI (IPv4 unicast, with path identifiers
when ``(1, 1)`` is in ``ctx.addpath``) and every path attribute through the
attribute registry of :mod:`bmplib.bgp.attributes`.

Errors (RFC 7606):

* what makes the message unparseable as a whole -- a withdrawn-routes length
  or total path attribute length that does not add up, an attribute whose
  length runs past the attribute section, a classic withdrawn/NLRI prefix
  that does not parse -- raises :class:`~bmplib.errors.BGPDecodeError`
  (:class:`~bmplib.errors.NLRIDecodeError` for prefixes);
* a malformed attribute, wrong attribute flags, a duplicate attribute, a
  missing mandatory attribute do not: the :class:`Update` comes back with
  what parsed, the offending attribute kept as a
  :class:`~bmplib.bgp.attributes.MalformedAttribute` (so the message still
  re-encodes exactly), and one :class:`~bmplib.bgp.attributes.Problem` per
  finding in :attr:`Update.problems`, classified per RFC 7606 section 7
  (attribute-discard, treat-as-withdraw, afi-safi-disable, session-reset).

ADD-PATH: NLRI (classic or MP) that do not parse with the context's
path-identifier setting for their family are read with the other one and the
UPDATE says so (:attr:`Update.path_ids_guessed`): exporters re-encode
post-policy and Loc-RIB routes without the path identifiers the session
negotiated (GoBGP), or never send them (FRR 8.4).  Octets that parse both ways
are read as the context says.

Speed: ORIGIN, AS_PATH (one AS_SEQUENCE), NEXT_HOP, MULTI_EXIT_DISC,
LOCAL_PREF, COMMUNITIES and LARGE_COMMUNITY with their usual flags and
lengths, and the classic IPv4 NLRI, are decoded inline in
:func:`decode_update`; everything else, and anything unusual about those,
goes through the registry.  The results are the same objects either way.
"""

from __future__ import annotations

import socket
import struct
from dataclasses import dataclass, field
from typing import Any, ClassVar

from bmplib import _impl
from bmplib.bgp.attributes import (
    AS4Path,
    ASPath,
    ASPathSegment,
    Communities,
    ErrorAction,
    LargeCommunities,
    LocalPref,
    MalformedAttribute,
    MalformedAttributeError,
    MPReachNLRI,
    MPUnreachNLRI,
    MultiExitDisc,
    NextHop,
    Origin,
    OriginType,
    Problem,
    SegmentType,
    UnknownAttribute,
    merge_as4_path,
)
from bmplib.bgp.attributes.base import ATTR_OPTIONAL, AttributeEntry, AttributeType, on_register, registry
from bmplib.bgp.attributes.communities import Community, LargeCommunity
from bmplib.bgp.message import BGPMessageType, encode_bgp_header, register_decoder
from bmplib.errors import BGPDecodeError, EncodeError, NLRIDecodeError
from bmplib.nlri.inet import IPV4_UNICAST, InetPrefix, decode_inet_prefixes
from bmplib.nlri.registry import family_name
from bmplib.nlri.routes import Route
from bmplib.session import DecodeContext

__all__ = ["Update", "decode_update"]

_U16 = struct.Struct("!H")
_MP_CODES = (1 << AttributeType.MP_REACH_NLRI) | (1 << AttributeType.MP_UNREACH_NLRI)


@dataclass(slots=True)
class Update:
    """A BGP UPDATE (RFC 4271 section 4.3).

    :ivar withdrawn_routes: the classic Withdrawn Routes field (IPv4 unicast).
    :ivar attributes: the path attributes in wire order.
    :ivar nlri: the classic NLRI field (IPv4 unicast).
    :ivar problems: RFC 7606 findings (empty for a well-formed UPDATE).
    :ivar path_ids_guessed: some NLRI (the classic fields, or those of
        MP_REACH_NLRI / MP_UNREACH_NLRI, which say so themselves too) did not
        parse with the session's ADD-PATH setting and were read with the
        other one: exporters re-encode post-policy and Loc-RIB routes without
        the path identifiers the session negotiated (GoBGP), or leave them
        out altogether (FRR 8.4).  Set by the decoder.

    Views across the classic fields and MP_REACH/MP_UNREACH:
    :attr:`announced`, :attr:`withdrawn`, :attr:`as_path` (effective, RFC 6793),
    :attr:`next_hop`, :attr:`communities`, :attr:`is_end_of_rib`, ...
    """

    withdrawn_routes: list[InetPrefix] = field(default_factory=list)
    attributes: list[Any] = field(default_factory=list)
    nlri: list[InetPrefix] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    path_ids_guessed: bool = False

    _json_views: ClassVar[tuple[str, ...]] = ("type", "announced", "withdrawn", "end_of_rib", "action")
    #: the BGP message type (a class attribute: cheap for ``msg.update``)
    type: ClassVar[BGPMessageType] = BGPMessageType.UPDATE

    def __hash__(self) -> int:
        # consistent with ==: from the routes of the classic fields (hashable
        # values) and which attributes there are (not every attribute class is
        # hashable); do not change an UPDATE while it is in a set or a dict key
        return hash((tuple(self.withdrawn_routes), tuple(self.nlri), tuple(type(a) for a in self.attributes),
                     len(self.problems), self.path_ids_guessed))  # fmt: skip

    # -- attribute access ---------------------------------------------------
    def get(self, type_code: int) -> Any:
        """The first well-formed attribute of *type_code*, or ``None``."""
        for a in self.attributes:
            if a.type_code == type_code and type(a) is not MalformedAttribute:
                return a
        return None

    @property
    def mp_reach(self) -> MPReachNLRI | None:
        a = self.get(14)
        return a if isinstance(a, MPReachNLRI) else None

    @property
    def mp_unreach(self) -> MPUnreachNLRI | None:
        a = self.get(15)
        return a if isinstance(a, MPUnreachNLRI) else None

    @property
    def origin(self) -> int | None:
        """ORIGIN value (:class:`~bmplib.bgp.attributes.OriginType`)."""
        a = self.get(1)
        return None if a is None else a.origin

    @property
    def as_path(self) -> ASPath | None:
        """The effective AS path: AS_PATH, merged with AS4_PATH when AS_PATH
        has 2-octet AS numbers (RFC 6793 section 4.2.3)."""
        path = self.get(2)
        if not isinstance(path, ASPath):
            return None
        if path.asn4:
            return path
        as4 = self.get(17)
        return merge_as4_path(path, as4 if isinstance(as4, AS4Path) else None, self.get(7))

    @property
    def as_path_guessed(self) -> bool:
        """The AS_PATH width was guessed (``ctx.asn_guess``)."""
        path = self.get(2)
        return isinstance(path, ASPath) and path.guessed

    @property
    def next_hop(self) -> str | None:
        """NEXT_HOP, else the MP_REACH_NLRI (global) next hop address."""
        a = self.get(3)
        if isinstance(a, NextHop):
            return a.next_hop
        mp = self.mp_reach
        return None if mp is None else mp.next_hop.address

    @property
    def med(self) -> int | None:
        a = self.get(4)
        return None if a is None else a.med

    @property
    def local_pref(self) -> int | None:
        a = self.get(5)
        return None if a is None else a.local_pref

    @property
    def communities(self) -> tuple[Community, ...]:
        """COMMUNITIES values (empty when absent), typed: each is the 32-bit
        int, and its ``str`` is the text of the JSON (``65000:100``); see
        :class:`~bmplib.bgp.attributes.communities.Community`."""
        a = self.get(8)
        return () if a is None else tuple(map(Community, a.values))

    @property
    def large_communities(self) -> list[LargeCommunity]:
        """LARGE_COMMUNITY values (empty when absent), typed: each is the
        ``(global, local 1, local 2)`` tuple, and its ``str`` is ``65000:1:2``."""
        a = self.get(32)
        return [] if a is None else [LargeCommunity(v) for v in a.values]

    @property
    def extended_communities(self) -> list[Any]:
        a = self.get(16)
        return [] if a is None else a.communities

    # -- routes --------------------------------------------------------------
    @property
    def action(self) -> ErrorAction | None:
        """The most severe RFC 7606 action of :attr:`problems`, or ``None``."""
        if not self.problems:
            return None
        return max((p.action for p in self.problems), key=lambda a: a.severity)

    @property
    def announced(self) -> list[Route]:
        """Every announced route: the NLRI field, then MP_REACH_NLRI's.  Each
        route has ``family``, ``path_id`` and its text form.

        RFC 7606 applied: empty when :attr:`treat_as_withdraw` (the routes
        then appear in :attr:`withdrawn`).  What the message carries on the
        wire is always in :attr:`nlri` and ``mp_reach.nlri``."""
        if self.problems and self.treat_as_withdraw:
            return []
        # one pass, no property chain (the walk reads this per message); a
        # second MP_REACH_NLRI is never well formed (RFC 7606 section 3 g)
        for a in self.attributes:
            if type(a) is MPReachNLRI:
                return self.nlri + a.nlri
        return self.nlri  # type: ignore[return-value]  # list is invariant: IPv4 prefixes are routes

    @property
    def withdrawn(self) -> list[Route]:
        """Every withdrawn route: the Withdrawn Routes field, then
        MP_UNREACH_NLRI's, and under RFC 7606 treat-as-withdraw also the
        routes the message announces."""
        routes: list[Route] = self.withdrawn_routes  # type: ignore[assignment]  # (list is invariant)
        for a in self.attributes:
            if type(a) is MPUnreachNLRI:
                routes = routes + a.withdrawn
                break
        if self.problems and self.treat_as_withdraw:
            reach = self.mp_reach
            routes = routes + self.nlri + ([] if reach is None else reach.nlri)
        return routes

    @property
    def announced_as_sent(self) -> list[Any]:
        """Every route the message announces on the wire (the NLRI field, then
        MP_REACH_NLRI's), RFC 7606 *not* applied: what the router reported,
        also when :attr:`announced` is empty because of treat-as-withdraw."""
        mp = self.mp_reach
        return self.nlri if mp is None else self.nlri + mp.nlri

    @property
    def treated_as_withdrawn(self) -> list[Any]:
        """The announced routes RFC 7606 turns into withdrawals (listed in
        :attr:`withdrawn`, not in :attr:`announced`); :attr:`problems` says
        why.  Empty unless :attr:`treat_as_withdraw`."""
        if self.problems and self.treat_as_withdraw:
            return self.announced_as_sent
        return []

    @property
    def treat_as_withdraw(self) -> bool:
        """RFC 7606 would treat the announced routes as withdrawn (a problem
        classified treat-as-withdraw, or worse, session-reset)."""
        return any(
            p.action is ErrorAction.TREAT_AS_WITHDRAW or p.action is ErrorAction.SESSION_RESET for p in self.problems
        )

    @property
    def end_of_rib_family(self) -> tuple[int, int] | None:
        """The (AFI, SAFI) this UPDATE is the End-of-RIB marker of (RFC 4724
        section 2: an empty UPDATE for IPv4 unicast; only an MP_UNREACH_NLRI
        with no withdrawn routes for the others), else ``None``."""
        if self.withdrawn_routes or self.nlri:
            return None
        if not self.attributes:
            return IPV4_UNICAST
        if len(self.attributes) == 1:
            a = self.attributes[0]
            if isinstance(a, MPUnreachNLRI) and not a.withdrawn:
                return (a.afi, a.safi)
        return None

    @property
    def is_end_of_rib(self) -> bool:
        return self.end_of_rib_family is not None

    @property
    def end_of_rib(self) -> str | None:
        """The family name of an End-of-RIB marker (``ipv4-unicast``), else ``None``."""
        fam = self.end_of_rib_family
        return None if fam is None else family_name(*fam)

    # -- wire ----------------------------------------------------------------
    def encode_body(self) -> bytes:
        """The UPDATE body (after the 19-octet BGP header)."""
        w = b"".join(r.encode() for r in self.withdrawn_routes)
        a = b"".join(x.encode() for x in self.attributes)
        if len(w) > 0xFFFF:
            raise EncodeError("withdrawn_routes", f"{len(w)} octets exceed 65535")
        if len(a) > 0xFFFF:
            raise EncodeError("attributes", f"{len(a)} octets exceed 65535")
        return _U16.pack(len(w)) + w + _U16.pack(len(a)) + a + b"".join(r.encode() for r in self.nlri)

    def encode(self) -> bytes:
        """The whole BGP message (header included)."""
        body = self.encode_body()
        return encode_bgp_header(len(body), BGPMessageType.UPDATE) + body


def malformed_attribute(
    attrs: list[Any],
    problems: list[Problem],
    buf: bytes,
    start: int,
    vs: int,
    ve: int,
    flags: int,
    code: int,
    action: ErrorAction,
    reason: str,
    family: tuple[int, int] | None = None,
) -> None:
    p = Problem(action, code, start, buf[start:ve], reason, family)
    problems.append(p)
    attrs.append(MalformedAttribute(code, buf[vs:ve], flags, p))


def decode_attribute(
    buf: bytes,
    start: int,
    vs: int,
    ve: int,
    flags: int,
    code: int,
    entry: AttributeEntry | None,
    ctx: DecodeContext,
    attrs: list[Any],
    problems: list[Problem],
) -> None:
    """Decode one attribute through the registry, with RFC 7606 checks
    (internal API: also what bmplib_fast calls for an attribute it does not
    decode itself)."""
    if entry is None:
        attrs.append(UnknownAttribute(code, buf[vs:ve], flags))
        if not flags & ATTR_OPTIONAL:
            # RFC 4271 section 6.3: an unrecognized well-known attribute
            problems.append(
                Problem(
                    ErrorAction.SESSION_RESET, code, start, buf[start:ve], f"unrecognized well-known attribute {code}"
                )
            )
        return
    decode, _cls, on_error, category = entry
    if category is not None and (flags & 0xC0) != category:
        # RFC 7606 section 3 c
        reason = f"attribute {code} flags 0x{flags:02x}: optional/transitive bits should be 0x{category:02x}"
        malformed_attribute(attrs, problems, buf, start, vs, ve, flags, code, on_error, reason)
        return
    try:
        attrs.append(decode(buf, vs, ve, flags, ctx))
    except MalformedAttributeError as exc:
        action = exc.action or on_error
        malformed_attribute(attrs, problems, buf, start, vs, ve, flags, code, action, exc.reason, exc.family)
    except BGPDecodeError as exc:  # any other decode error inside one attribute is local to it
        malformed_attribute(attrs, problems, buf, start, vs, ve, flags, code, on_error, exc.reason)


_REG = registry()
# The common attributes are decoded inline while their built-in registry
# entries are the registered ones (a module that registers its own decoder
# for one of these codes gets it called through the generic path).
#: the built-in entries of the attributes decoded inline
_BUILTIN = {code: _REG[code] for code in (1, 2, 3, 4, 5, 8, 32)}
#: code -> the code itself while its built-in entry is registered, else 0
_FAST = [0] * 256


def _refresh_fast() -> None:
    for code, entry in _BUILTIN.items():
        _FAST[code] = code if _REG.get(code) is entry else 0


_refresh_fast()
on_register(_refresh_fast)


def inline_attributes() -> list[int]:
    """The live table of the attributes decoded inline (code -> the code
    while its built-in registry entry is the registered one, else 0): read
    by :func:`decode_update` and by bmplib_fast's UPDATE kernel, so both take
    the registry path for a code another module registered (internal API)."""
    return _FAST
_ORIGIN_VALUES = (OriginType.IGP, OriginType.EGP, OriginType.INCOMPLETE)
_SEQ = SegmentType.AS_SEQUENCE
_U32 = struct.Struct("!I")
_u32_unpack = _U32.unpack_from
_ntoa = socket.inet_ntoa
_S4 = {n: struct.Struct(f"!{n}I") for n in range(1, 256)}
_MP_REACH_BIT = 1 << 14


def decode_update(buf: bytes, pos: int, end: int, ctx: DecodeContext) -> Update:
    """Decode the UPDATE body in ``buf[pos:end]`` (RFC 4271 section 4.3).

    The common attributes with their usual flags and lengths are decoded
    inline (the hot path); anything else, and anything unusual about those,
    goes through the attribute registry with the RFC 7606 checks."""
    if end - pos < 4:
        raise BGPDecodeError(f"UPDATE body of {end - pos} octets is below the minimum of 4", pos, buf[pos:end])
    wlen = (buf[pos] << 8) | buf[pos + 1]
    wend = pos + 2 + wlen
    if wend + 2 > end:
        raise BGPDecodeError(
            f"withdrawn routes length {wlen} does not fit the UPDATE body ({end - pos} octets)", pos, buf[pos:end]
        )
    alen = (buf[wend] << 8) | buf[wend + 1]
    astart = wend + 2
    aend = astart + alen
    if aend > end:
        raise BGPDecodeError(
            f"total path attribute length {alen} runs past the UPDATE ({end - astart} octets left)",
            wend,
            buf[pos:end],
        )
    addpath = ctx.addpath
    path_id = bool(addpath) and IPV4_UNICAST in addpath
    guessed = False
    if wlen:
        try:
            withdrawn = decode_inet_prefixes(buf, pos + 2, wend, IPV4_UNICAST, path_id)
        except NLRIDecodeError:
            withdrawn = retry_prefixes(buf, pos + 2, wend, path_id)
            guessed = True
    else:
        withdrawn = []
    problems: list[Problem] = []
    attrs: list[Any] = []
    append = attrs.append
    seen = 0
    reg = _REG
    fast = _FAST
    asn4 = ctx.asn4
    p = astart
    while p < aend:
        if aend - p < 3:
            raise BGPDecodeError(f"path attribute header truncated ({aend - p} octets left)", p, buf[p:aend])
        flags = buf[p]
        code = buf[p + 1]
        if flags & 0x10:
            if aend - p < 4:
                raise BGPDecodeError("extended-length path attribute header truncated", p, buf[p:aend])
            vs = p + 4
            ve = vs + ((buf[p + 2] << 8) | buf[p + 3])
        else:
            vs = p + 3
            ve = vs + buf[p + 2]
        if ve > aend:
            raise BGPDecodeError(
                f"path attribute {code} of {ve - vs} octets runs past the path attributes ({aend - vs} left)",
                p,
                buf[p:aend],
            )
        bit = 1 << code
        if seen & bit:
            # RFC 7606 section 3 g: keep the first; MP_* twice: session reset
            action = ErrorAction.SESSION_RESET if bit & _MP_CODES else ErrorAction.ATTRIBUTE_DISCARD
            malformed_attribute(attrs, problems, buf, p, vs, ve, flags, code, action, f"duplicate attribute {code}")
            p = ve
            continue
        seen |= bit
        f = fast[code]
        if f:
            kind = flags & 0xC0
            n = ve - vs
            if f == 1:
                if kind == 0x40 and n == 1 and buf[vs] < 3:
                    append(Origin(_ORIGIN_VALUES[buf[vs]], flags))
                    p = ve
                    continue
            elif f == 2:
                if kind == 0x40 and asn4 and n > 2 and buf[vs] == 2 and n == 2 + 4 * buf[vs + 1]:
                    append(ASPath([ASPathSegment(_SEQ, _S4[buf[vs + 1]].unpack_from(buf, vs + 2))], True, flags))
                    p = ve
                    continue
            elif f == 3:
                if kind == 0x40 and n == 4:
                    append(NextHop(_ntoa(buf[vs:ve]), flags))
                    p = ve
                    continue
            elif f == 8:
                if kind == 0xC0 and n and not n & 3 and n < 1024:
                    append(Communities(_S4[n >> 2].unpack_from(buf, vs), flags))
                    p = ve
                    continue
            elif f == 32:
                if kind == 0xC0 and n and not n % 12 and n < 1024:
                    it = iter(_S4[n >> 2].unpack_from(buf, vs))
                    append(LargeCommunities(list(zip(it, it, it)), flags))
                    p = ve
                    continue
            elif f == 4:
                if kind == 0x80 and n == 4:
                    append(MultiExitDisc(_u32_unpack(buf, vs)[0], flags))
                    p = ve
                    continue
            elif kind == 0x40 and n == 4:  # f == 5, LOCAL_PREF
                append(LocalPref(_u32_unpack(buf, vs)[0], flags))
                p = ve
                continue
        entry = reg.get(code)
        decode_attribute(buf, p, vs, ve, flags, code, entry, ctx, attrs, problems)
        p = ve
    if aend < end:
        if path_id:
            try:
                nlri = decode_inet_prefixes(buf, aend, end, IPV4_UNICAST, True)
            except NLRIDecodeError:
                nlri = retry_prefixes(buf, aend, end, True)
                guessed = True
        else:
            # the classic NLRI field, inlined (RFC 4271 section 4.3)
            nlri = []
            q = aend
            while q < end:
                plen = buf[q]
                nq = q + 1 + ((plen + 7) >> 3)
                if plen > 32 or nq > end:
                    nlri = retry_prefixes(buf, aend, end, False)
                    guessed = True
                    break
                nlri.append(InetPrefix(IPV4_UNICAST, plen, buf[q + 1 : nq]))
                q = nq
        if seen & 0x0E != 0x0E:
            check_mandatory(buf, astart, nlri, attrs, seen, problems)
    else:
        nlri = []
        if seen & _MP_REACH_BIT and seen & 0x06 != 0x06:
            check_mandatory(buf, astart, nlri, attrs, seen, problems)
    if not guessed and seen & _MP_CODES:
        guessed = mp_path_ids_guessed(attrs)
    return Update(withdrawn, attrs, nlri, problems, guessed)


def mp_path_ids_guessed(attrs: list[Any]) -> bool:
    """An MP_REACH_NLRI or MP_UNREACH_NLRI of *attrs* read its NLRI with
    the other ADD-PATH setting (bmplib_fast's UPDATE kernel tracks the same
    while it decodes)."""
    for a in attrs:
        if (type(a) is MPReachNLRI or type(a) is MPUnreachNLRI) and a.path_ids_guessed:
            return True
    return False


def retry_prefixes(buf: bytes, pos: int, end: int, path_id: bool) -> list[Any]:
    """Prefixes that did not parse with *path_id*: read them with the other
    setting, or raise the original error when that fails too."""
    try:
        return decode_inet_prefixes(buf, pos, end, IPV4_UNICAST, not path_id)
    except NLRIDecodeError:
        pass
    return decode_inet_prefixes(buf, pos, end, IPV4_UNICAST, path_id)  # raises the first error


def check_mandatory(
    buf: bytes, astart: int, nlri: list[Any], attrs: list[Any], seen: int, problems: list[Problem]
) -> None:
    """RFC 7606 section 3 d: a missing well-known mandatory attribute in an
    UPDATE that announces routes means treat-as-withdraw."""
    if not nlri:
        reach = next((a for a in attrs if isinstance(a, MPReachNLRI)), None)
        if reach is None or not reach.nlri:
            return
    required = (1, 2, 3) if nlri else (1, 2)
    for code in required:
        if not seen & (1 << code):
            problems.append(
                Problem(
                    ErrorAction.TREAT_AS_WITHDRAW,
                    code,
                    astart,
                    b"",
                    f"mandatory attribute {AttributeType(code).name} is missing",
                )
            )




def _register() -> None:
    """Register the bound UPDATE decoder (pure or compiled) for BGP type 2."""
    register_decoder(BGPMessageType.UPDATE, decode_update)


# the compiled UPDATE decoder, when bmplib_fast is in use (bmplib._impl.KERNELS)
_impl.adopt(__name__, on_switch=_register)
