"""RFC 7606 on real UPDATEs with one attribute broken.

The base messages are Route Monitoring UPDATEs of ``pcaps/frr_unicast.bmp``:
an IPv4 one from the route reflector 127.0.0.13 carrying twelve attributes
(ORIGIN, AS_PATH, NEXT_HOP, MED, LOCAL_PREF, ATOMIC_AGGREGATE, AGGREGATOR,
COMMUNITIES, LARGE_COMMUNITY, ORIGINATOR_ID, CLUSTER_LIST, EXTENDED
COMMUNITIES) and an IPv6 MP_REACH_NLRI one.  The attribute list is cut into
raw TLVs here (independently of bmplib), one TLV is replaced, the lengths are
rebuilt, and the result is decoded at an odd offset inside a larger buffer so
that the reported offsets are checked as absolute positions.
"""

from __future__ import annotations

import functools
import struct
from typing import Any

import pytest

import bmplib
from bmplib.bgp.attributes import ErrorAction, MalformedAttribute, MPReachNLRI
from bmplib.bgp.update import Update, decode_update
from bmplib.errors import BGPDecodeError, NLRIDecodeError
from bmplib.session import DecodeContext
from tests.conftest import PCAPS

PAD = 7  # the UPDATE body starts at this offset of the decoded buffer
CTX = DecodeContext(asn4=True)
TAW = ErrorAction.TREAT_AS_WITHDRAW
DISCARD = ErrorAction.ATTRIBUTE_DISCARD
DISABLE = ErrorAction.AFI_SAFI_DISABLE
RESET = ErrorAction.SESSION_RESET


@functools.cache
def bodies() -> list[bytes]:
    """UPDATE bodies (after the BGP header) of the Route Monitoring messages."""
    out = []
    for m in bmplib.iter_file(PCAPS / "frr_unicast.bmp"):
        if getattr(m, "update", None) is not None:
            out.append(m.bgp.encode()[19:])
    return out


def split(body: bytes) -> tuple[bytes, list[bytes], bytes]:
    """(withdrawn routes, [raw attribute TLV, ...], NLRI), walked by hand."""
    wlen = int.from_bytes(body[:2], "big")
    withdrawn = body[2 : 2 + wlen]
    alen = int.from_bytes(body[2 + wlen : 4 + wlen], "big")
    attrs, pos, end = [], 4 + wlen, 4 + wlen + alen
    while pos < end:
        ext = body[pos] & 0x10
        length = int.from_bytes(body[pos + 2 : pos + 4], "big") if ext else body[pos + 2]
        size = (4 if ext else 3) + length
        attrs.append(body[pos : pos + size])
        pos += size
    return withdrawn, attrs, body[end:]


def join(withdrawn: bytes, attrs: list[bytes], nlri: bytes) -> bytes:
    a = b"".join(attrs)
    return struct.pack("!H", len(withdrawn)) + withdrawn + struct.pack("!H", len(a)) + a + nlri


def codes(attrs: list[bytes]) -> list[int]:
    return [t[1] for t in attrs]


@functools.cache
def base(kind: str) -> tuple[bytes, list[bytes], bytes]:
    """The base message: ``ipv4`` (12 attributes + NLRI) or ``ipv6`` (MP_REACH)."""
    for body in bodies():
        w, attrs, nlri = split(body)
        c = codes(attrs)
        if decode(body).problems:
            continue  # a 2-octet AS peer (fd00:b::14): not a 4-octet AS message
        if kind == "ipv4" and {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 16, 32} <= set(c) and nlri:
            return w, attrs, nlri
        if kind == "ipv6" and 14 in c and {1, 2, 8} <= set(c) and not nlri:
            return w, attrs, nlri
    raise AssertionError(kind)


def attr(flags: int, code: int, value: bytes) -> bytes:
    if flags & 0x10:
        return struct.pack("!BBH", flags, code, len(value)) + value
    return struct.pack("!BBB", flags, code, len(value)) + value


def decode(body: bytes, ctx: DecodeContext = CTX) -> Update:
    buf = b"\xee" * PAD + body + b"\xee" * 3
    return decode_update(buf, PAD, PAD + len(body), ctx)


def broken(kind: str, code: int, tlv: bytes | None, *, add: bool = False) -> tuple[bytes, int, bytes]:
    """The base message with attribute *code* replaced by *tlv* (or *tlv*
    appended after it with *add*); returns (body, absolute offset of the
    broken TLV, the TLV)."""
    w, attrs, nlri = base(kind)
    attrs = list(attrs)
    i = codes(attrs).index(code)
    assert tlv is not None
    if add:
        attrs.insert(i + 1, tlv)
        i += 1
    else:
        attrs[i] = tlv
    offset = PAD + 4 + len(w) + sum(len(t) for t in attrs[:i])
    return join(w, attrs, nlri), offset, tlv


def test_base_messages_are_clean() -> None:
    for kind in ("ipv4", "ipv6"):
        body = join(*base(kind))
        u = decode(body)
        assert u.problems == [] and u.announced
        assert u.encode()[19:] == body


def check(body: bytes, offset: int, tlv: bytes, code: int, action: ErrorAction, reason: str = "") -> tuple[Update, Any]:
    u = decode(body)
    assert len(u.problems) == 1, u.problems
    (p,) = u.problems
    assert (p.action, p.type_code, p.offset, p.data) == (action, code, offset, tlv)
    assert reason in p.reason
    # the octets are kept: the message re-encodes exactly
    assert u.encode()[19:] == body
    bad = [a for a in u.attributes if isinstance(a, MalformedAttribute)]
    assert len(bad) == 1 and bad[0].problem is p and bad[0].type_code == code
    if reason != "duplicate":
        assert u.get(code) is None  # a duplicate leaves the first one in place
    return u, p


TAW_CASES = [
    (1, attr(0x40, 1, b"\x03"), "undefined ORIGIN"),
    (1, attr(0x40, 1, b"\x00\x00"), "ORIGIN length 2"),
    (1, attr(0xC0, 1, b"\x00"), "flags"),
    (2, attr(0x40, 2, bytes([2, 3]) + struct.pack("!II", 65001, 65002)), "overruns"),
    (2, attr(0x40, 2, bytes([5, 1]) + struct.pack("!I", 65001)), "segment type 5"),
    (2, attr(0x40, 2, bytes([2, 0])), "length zero"),
    (2, attr(0x40, 2, bytes([2, 1]) + struct.pack("!I", 65001) + b"\x02"), "truncated"),
    (3, attr(0x40, 3, b"\xc0\x00\x02\x01\x05"), "NEXT_HOP length 5"),
    (4, attr(0x80, 4, b"\x00\x00\x01"), "MULTI_EXIT_DISC length 3"),
    (4, attr(0x40, 4, b"\x00\x00\x00\x01"), "flags"),
    (5, attr(0x40, 5, b"\x00\x64"), "LOCAL_PREF length 2"),
    (8, attr(0xC0, 8, b"\xff\xff\xff\x01\x00"), "multiple of 4"),
    (9, attr(0x80, 9, b"\x0a\x00\x00"), "ORIGINATOR_ID length 3"),
    (10, attr(0x80, 10, b"\x0a\x00\x00\x02\x0a\x00"), "multiple of 4"),
    (16, attr(0xC0, 16, b"\x00\x02\xfd\xe8\x00\x00\x00"), "multiple of 8"),
    (32, attr(0xC0, 32, bytes(11)), "multiple of 12"),
]


@pytest.mark.parametrize(("code", "tlv", "reason"), TAW_CASES)
def test_treat_as_withdraw(code: int, tlv: bytes, reason: str) -> None:
    body, offset, tlv = broken("ipv4", code, tlv)
    u, _ = check(body, offset, tlv, code, TAW, reason)
    _, _, _nlri = base("ipv4")
    assert u.nlri and u.announced == []
    assert u.withdrawn == u.nlri  # RFC 7606 section 2: the NLRI are withdrawn
    assert u.action is TAW and u.treat_as_withdraw


@pytest.mark.parametrize(
    ("code", "tlv", "reason"),
    [
        (6, attr(0x40, 6, b"\x00"), "ATOMIC_AGGREGATE length 1"),
        (7, attr(0xC0, 7, b"\x00\x00\xfd\xe8\xc0\x00\x02"), "AGGREGATOR length 7"),
        (7, attr(0x40, 7, b"\x00\x00\xfd\xe8\xc0\x00\x02\x01"), "flags"),
    ],
)
def test_attribute_discard(code: int, tlv: bytes, reason: str) -> None:
    body, offset, tlv = broken("ipv4", code, tlv)
    u, _ = check(body, offset, tlv, code, DISCARD, reason)
    assert u.announced == u.nlri and u.nlri and not u.treat_as_withdraw  # the routes stand
    assert u.get(code) is None and u.get(1) is not None and u.as_path is not None


def test_as4_attributes_malformed_are_discarded() -> None:
    """RFC 6793 section 6: a malformed AS4_PATH / AS4_AGGREGATOR is discarded."""
    tlv = attr(0xC0, 17, bytes([2, 2]) + struct.pack("!I", 65001))
    body, offset, tlv = broken("ipv4", 8, tlv, add=True)
    u, _ = check(body, offset, tlv, 17, DISCARD, "AS4_PATH")
    assert u.announced
    tlv = attr(0xC0, 18, b"\x00\x01\xc0\x00\x02\x01")
    body, offset, tlv = broken("ipv4", 8, tlv, add=True)
    check(body, offset, tlv, 18, DISCARD, "AS4_AGGREGATOR length 6")


def test_duplicate_attribute_keeps_the_first() -> None:
    _w, attrs, _nlri = base("ipv4")
    first = attrs[codes(attrs).index(8)]
    dup = attr(0xC0, 8, struct.pack("!I", 0xFFFFFF02))
    body, offset, tlv = broken("ipv4", 8, dup, add=True)
    u, _ = check(body, offset, tlv, 8, DISCARD, "duplicate")
    assert u.get(8).encode() == first
    assert 0xFFFFFF02 not in u.communities and u.announced and not u.treat_as_withdraw


def test_duplicate_mp_reach_is_session_reset() -> None:
    _w, attrs, _nlri = base("ipv6")
    mp = attrs[codes(attrs).index(14)]
    body, offset, tlv = broken("ipv6", 14, mp, add=True)
    u, _p = check(body, offset, tlv, 14, RESET, "duplicate")
    assert u.action is RESET and u.treat_as_withdraw and u.announced == []
    assert u.mp_reach is u.get(14) and u.mp_reach.nlri  # the first MP_REACH_NLRI stays decoded


def test_mp_reach_bad_nlri_disables_the_family() -> None:
    _w, attrs, _nlri = base("ipv6")
    mp = attrs[codes(attrs).index(14)]
    flags = mp[0]
    value = mp[4:] if flags & 0x10 else mp[3:]
    bad = attr(flags, 14, value + bytes([200]) + bytes(25))  # a /200 IPv6 prefix
    body, offset, tlv = broken("ipv6", 14, bad)
    u, p = check(body, offset, tlv, 14, DISABLE, "exceeds 128")
    assert p.family == (2, 1)
    assert u.mp_reach is None and u.announced == [] and not u.treat_as_withdraw


def test_mp_reach_truncated_next_hop_disables_the_family() -> None:
    bad = attr(0x90, 14, struct.pack("!HBB", 2, 1, 16) + bytes(8))
    body, offset, tlv = broken("ipv6", 14, bad)
    _, p = check(body, offset, tlv, 14, DISABLE, "next hop length 16 overruns")
    assert p.family == (2, 1)


@pytest.mark.parametrize(("code", "value"), [(14, b"\x00\x02"), (15, b"\x00")])
def test_mp_without_afi_safi_is_session_reset(code: int, value: bytes) -> None:
    tlv = attr(0x90, code, value)
    body, offset, tlv = broken("ipv6", 14, tlv, add=code == 15)
    if code == 14:
        body, offset, tlv = broken("ipv6", 14, tlv)
    _, p = check(body, offset, tlv, code, RESET, "has no AFI/SAFI")
    assert p.family is None


def test_missing_mandatory_attribute_is_treat_as_withdraw() -> None:
    w, attrs, nlri = base("ipv4")
    attrs = [t for t in attrs if t[1] != 2]
    u = decode(join(w, attrs, nlri))
    (p,) = u.problems
    assert (p.action, p.type_code, p.data) == (TAW, 2, b"")
    assert "AS_PATH" in p.reason and u.treat_as_withdraw and u.announced == [] and u.withdrawn == u.nlri


def test_missing_next_hop_with_mp_reach_only_is_fine() -> None:
    """RFC 4760 makes NEXT_HOP optional when the routes are in MP_REACH_NLRI."""
    u = decode(join(*base("ipv6")))
    assert u.problems == [] and u.get(3) is None and u.announced


def test_unrecognized_well_known_attribute_is_session_reset() -> None:
    tlv = attr(0x40, 99, b"\x01\x02")
    body, offset, tlv = broken("ipv4", 8, tlv, add=True)
    u = decode(body)
    (p,) = u.problems
    assert (p.action, p.type_code, p.offset, p.data) == (RESET, 99, offset, tlv)
    assert u.get(99).value == b"\x01\x02"
    assert u.encode()[19:] == body


def test_unknown_optional_attribute_is_kept_quietly() -> None:
    tlv = attr(0xE0, 199, b"\x01\x02\x03")  # optional transitive partial
    body, _, _ = broken("ipv4", 8, tlv, add=True)
    u = decode(body)
    assert u.problems == [] and u.get(199).flags == 0xE0 and u.get(199).value == b"\x01\x02\x03"
    assert u.encode()[19:] == body


def test_several_problems_worst_action_wins() -> None:
    w, attrs, nlri = base("ipv4")
    attrs = list(attrs)
    attrs[codes(attrs).index(6)] = attr(0x40, 6, b"\x00")  # discard
    attrs[codes(attrs).index(5)] = attr(0x40, 5, b"\x00")  # treat-as-withdraw
    u = decode(join(w, attrs, nlri))
    assert sorted(p.action.value for p in u.problems) == ["attribute-discard", "treat-as-withdraw"]
    assert u.action is TAW


# -- errors of the message as a whole ---------------------------------------
def test_withdrawn_length_past_the_body() -> None:
    body = join(*base("ipv4"))
    bad = struct.pack("!H", len(body)) + body[2:]
    with pytest.raises(BGPDecodeError, match="withdrawn routes length") as e:
        decode(bad)
    assert e.value.offset == PAD


def test_total_attribute_length_past_the_body() -> None:
    w, attrs, nlri = base("ipv4")
    body = join(w, attrs, nlri)
    alen = sum(map(len, attrs))
    bad = body[: 2 + len(w)] + struct.pack("!H", alen + len(nlri) + 1) + body[4 + len(w) :]
    with pytest.raises(BGPDecodeError, match="total path attribute length") as e:
        decode(bad)
    assert e.value.offset == PAD + 2 + len(w)


def test_attribute_length_past_the_attribute_section() -> None:
    w, attrs, nlri = base("ipv4")
    attrs = list(attrs)
    last = attrs[-1]
    attrs[-1] = last[:2] + struct.pack("!H", int.from_bytes(last[2:4], "big") + 1) + last[4:] if last[0] & 0x10 else (
        last[:2] + bytes([last[2] + 1]) + last[3:]
    )  # fmt: skip
    body = join(w, attrs, nlri)
    # the total attribute length still says the old size: the last attribute
    # now claims one octet of the NLRI
    alen = sum(map(len, attrs)) - 0
    body = body[: 2 + len(w)] + struct.pack("!H", alen) + body[4 + len(w) :]
    body = body[: 4 + len(w) + alen - 1] + body[4 + len(w) + alen :]  # drop one octet: the value is short
    with pytest.raises(BGPDecodeError, match="runs past the path attributes") as e:
        decode(body)
    assert e.value.offset == PAD + 4 + len(w) + sum(map(len, attrs[:-1]))


@pytest.mark.parametrize(
    ("nlri", "reason"), [(b"\x21\x0a\x00\x00\x00\x00", "exceeds 32"), (b"\x18\x0a\x00", "runs past")]
)
def test_bad_classic_nlri_fails_the_message(nlri: bytes, reason: str) -> None:
    w, attrs, _ = base("ipv4")
    with pytest.raises(NLRIDecodeError, match=reason) as e:
        decode(join(w, attrs, nlri))
    assert e.value.offset == PAD + 4 + len(w) + sum(map(len, attrs))


def test_bad_withdrawn_prefix_fails_the_message() -> None:
    _, attrs, nlri = base("ipv4")
    with pytest.raises(NLRIDecodeError, match="exceeds 32") as e:
        decode(join(b"\x18\x0a\x00\x00\x40" + bytes(8), attrs, nlri))
    assert e.value.offset == PAD + 2 + 4


@pytest.mark.parametrize("cut", range(1, 40))
def test_truncation_never_escapes_decode_error(cut: int) -> None:
    """Any prefix of a real UPDATE body either decodes or raises a BGP error."""
    body = join(*base("ipv4"))[:-cut]
    try:
        u = decode(body)
    except BGPDecodeError:
        return
    assert isinstance(u, Update)


def test_mp_reach_problem_keeps_other_families_views_working() -> None:
    w, attrs, nlri = base("ipv6")
    u = decode(join(w, attrs, nlri))
    assert isinstance(u.mp_reach, MPReachNLRI) and u.next_hop == u.mp_reach.next_hop.address
