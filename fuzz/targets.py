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
from bmplib.errors import DecodeError, InternalDecodeError
from bmplib.stream import ErrorRecord, SkippedBytes


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
    input's first octet; every input octet must be accounted for."""
    if not data:
        return
    step = data[0] + 1
    body = data[1:]
    dec = bmplib.BMPDecoder(resync=True, max_message_length=1 << 16)
    covered = 0
    items = []
    for i in range(0, len(body), step):
        dec.feed(body[i : i + step])
        items.extend(dec)
    dec.close()
    items.extend(dec)
    for it in items:
        if isinstance(it, ErrorRecord):
            _check(it.error, it.data)
            covered += len(it.data)
        elif isinstance(it, SkippedBytes):
            covered += len(it.data)
        else:
            wire = it.encode()
            assert body[it.offset : it.offset + len(wire)] == wire
            covered += len(wire)
    assert covered == len(body), (covered, len(body))


TARGETS: dict[str, Callable[[bytes], None]] = {
    "decode": target_decode,
    "stream": target_stream,
}
