"""The fuzz targets: one function per decoder, each taking raw bytes.

Every target enforces the robustness contract (docs/robustness.md): the only
exception allowed out of a decoder is ``bmplib.DecodeError``, and never its
``InternalDecodeError`` subclass (which marks a decoder bug).  Anything else
propagates and the fuzzer records a crash.

Used by ``fuzz/fuzz.py`` (atheris, coverage-guided) and by
``tests/robustness/test_fuzz_targets.py`` (the seed corpus replayed in CI).
"""

from __future__ import annotations

from collections.abc import Callable

import bmplib
from bmplib import _impl
from bmplib.bgp.attributes import lookup_attribute
from bmplib.bgp.message import BGP_HEADER_LENGTH, decode_bgp_message
from bmplib.bgp.update import decode_update
from bmplib.errors import DecodeError, InternalDecodeError
from bmplib.nlri import registry
from bmplib.session import DecodeContext
from bmplib.stream import ErrorRecord, SkippedBytes

#: families whose ADD-PATH bit a context octet can switch on, in bit order
_ADDPATH_FAMILIES = [(1, 1), (2, 1), (1, 128), (25, 70), (1, 4)]


def _check(exc: DecodeError, data: bytes) -> None:
    if isinstance(exc, InternalDecodeError):
        raise AssertionError(f"decoder bug: {exc.reason}") from exc


def target_decode(data: bytes) -> None:
    """``bmplib.decode`` on one message (common header length made to fit, so
    the body decoders are reached)."""
    if len(data) >= 6:
        data = data[:1] + len(data).to_bytes(4, "big") + data[5:]
    try:
        msg = bmplib.decode(data)
    except DecodeError as exc:
        _check(exc, data)
        return
    bmplib.to_json(msg)
    assert msg.encode() == data, "decoded message does not re-encode to its bytes"


def target_stream(data: bytes) -> None:
    """``BMPDecoder(resync=True)`` fed in chunks whose sizes come from the
    input's first octet: every input octet is accounted for at every moment
    (the items so far, in order and without a hole, plus ``pending``), and
    the items are those of the same octets fed at once."""
    if not data:
        return
    step = data[0] + 1
    body = data[1:]
    dec = bmplib.BMPDecoder(resync=True, max_message_length=1 << 16)
    covered = 0
    items = []

    def account(it: object) -> None:
        nonlocal covered
        assert getattr(it, "offset", None) == covered, (it, covered)
        if isinstance(it, ErrorRecord):
            _check(it.error, it.data)
            covered += len(it.data)
        elif isinstance(it, SkippedBytes):
            covered += len(it.data)
        else:
            wire = it.encode()  # type: ignore[attr-defined]
            assert body[it.offset : it.offset + len(wire)] == wire  # type: ignore[attr-defined]
            covered += len(wire)
        items.append(it)

    for i in range(0, len(body), step):
        dec.feed(body[i : i + step])
        for it in dec:
            account(it)
            assert dec.offset == covered and len(dec.pending) == min(i + step, len(body)) - covered
    dec.close()
    for it in dec:
        account(it)
    assert covered == len(body), (covered, len(body))
    whole = bmplib.BMPDecoder(resync=True, max_message_length=1 << 16)
    whole.feed(body)
    whole.close()
    assert list(whole) == items, "the items depend on how the input was cut"


def context_from(octet: int) -> DecodeContext:
    """A decode context chosen by one input octet: bit 0 4-octet AS, bit 1
    extended message, bit 2 AS-width guessing, bits 3-7 ADD-PATH on one
    family each."""
    addpath = frozenset(f for i, f in enumerate(_ADDPATH_FAMILIES) if octet & (8 << i))
    return DecodeContext(
        asn4=bool(octet & 1), extended_message=bool(octet & 2), asn_guess=bool(octet & 4), addpath=addpath
    )


def _call(fn: Callable[[], object]) -> object | None:
    try:
        return fn()
    except DecodeError as exc:
        _check(exc, b"")
        return None


def target_update(data: bytes) -> None:
    """The UPDATE body decoder with a session context from the first octet;
    a decoded UPDATE re-encodes to exactly the input body."""
    if not data:
        return
    ctx = context_from(data[0])
    body = data[1:]
    update = _call(lambda: decode_update(body, 0, len(body), ctx))
    if update is not None:
        bmplib.to_json(update)
        wire = update.encode()  # type: ignore[attr-defined]
        assert wire[BGP_HEADER_LENGTH:] == body, "UPDATE does not re-encode to its body"


def target_bgp(data: bytes) -> None:
    """Any BGP message (header + body) with a context from the first octet."""
    if not data:
        return
    ctx = context_from(data[0])
    body = data[1:]
    result = _call(lambda: decode_bgp_message(body, 0, len(body), ctx))
    if result is not None:
        msg, end = result  # type: ignore[misc]
        assert msg.encode() == body[:end], "BGP message does not re-encode to its bytes"


def _nlri_target(afi: int, safi: int) -> Callable[[bytes], None]:
    codec = registry.lookup(afi, safi)
    assert codec is not None

    def target(data: bytes) -> None:
        """The NLRI codec of one family; the first octet's low bit turns on
        ADD-PATH path identifiers.  Decoded routes re-encode exactly."""
        if not data:
            return
        path_id = bool(data[0] & 1)
        ctx = DecodeContext(addpath=frozenset({(afi, safi)}) if path_id else frozenset())
        body = data[1:]
        routes = _call(lambda: codec.decode(body, 0, len(body), path_id, ctx))
        if routes is not None:
            for route in routes:  # type: ignore[attr-defined]
                str(route)
                bmplib.to_json(route)
            assert codec.encode(routes, path_id, ctx) == body, "NLRI do not re-encode to their bytes"

    return target


def _outcome(fn: Callable[[], object]) -> tuple[object, ...]:
    """A decoder's result, or its error as (class, offset, reason, data)."""
    try:
        return ("ok", fn())
    except DecodeError as exc:
        _check(exc, b"")
        return ("error", type(exc), exc.offset, exc.reason, exc.data)


def target_diff(data: bytes) -> None:
    """Point 4 of the contract: the pure and the compiled (bmplib_fast)
    decoders agree -- same objects, or same error class, offset, reason and
    octets -- on a whole BMP message and on an UPDATE body, in the context
    the first octet picks.  Without the extension there is nothing to
    compare and the target only runs the pure decoders."""
    if not data:
        return
    ctx = context_from(data[0])
    body = data[1:]
    message = body[:1] + len(body).to_bytes(4, "big") + body[5:] if len(body) >= 6 else body
    fast = _impl.fast
    pure_message, pure_update_body = _impl.pure("decode_message"), _impl.pure("decode_update")
    if fast is not None:
        bmplib.use_implementation("python")  # no kernel inside the pure decode either
    try:
        pure_msg = _outcome(lambda: pure_message(message, context=ctx))
        pure_update = _outcome(lambda: pure_update_body(body, 0, len(body), ctx))
    finally:
        if fast is not None:
            bmplib.use_implementation("cython")
    if fast is None:
        return
    if hasattr(fast, "decode_message"):
        fast_msg = _outcome(lambda: fast.decode_message(message, context=ctx))
        assert fast_msg == pure_msg, f"pure and fast disagree on a BMP message: {pure_msg!r} != {fast_msg!r}"
    if hasattr(fast, "decode_update"):
        fast_update = _outcome(lambda: fast.decode_update(body, 0, len(body), ctx))
        assert fast_update == pure_update, f"pure and fast disagree on an UPDATE: {pure_update!r} != {fast_update!r}"


def _attribute_target(code: int) -> Callable[[bytes], None]:
    entry = lookup_attribute(code)
    assert entry is not None

    def target(data: bytes) -> None:
        """One path attribute's value decoder (flags 0xC0); a decoded value
        re-encodes exactly."""
        attr = _call(lambda: entry.decode(data, 0, len(data), 0xC0 | (0x10 if len(data) > 255 else 0), DecodeContext()))
        if attr is not None:
            bmplib.to_json(attr)
            wire = attr.encode()  # type: ignore[attr-defined]
            assert wire[4 if len(data) > 255 else 3 :] == data, "attribute does not re-encode to its value"

    return target


TARGETS: dict[str, Callable[[bytes], None]] = {
    "diff": target_diff,
    "decode": target_decode,
    "stream": target_stream,
    "update": target_update,
    "bgp": target_bgp,
}
for _afi, _safi in registry.families():
    TARGETS[f"nlri-{registry.family_name(_afi, _safi)}"] = _nlri_target(_afi, _safi)
# attributes with nested TLVs: Tunnel Encapsulation (23), BGP-LS (29)
TARGETS["attr-tunnel-encapsulation"] = _attribute_target(23)
TARGETS["attr-bgp-ls"] = _attribute_target(29)
