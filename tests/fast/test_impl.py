"""The one implementation switch (bmplib._impl): every unit of KERNELS is
rebound everywhere it is reached, no module keeps a stale reference, a
kernel's unexpected exception is loud, and the extension that is in use is
this checkout's."""

from __future__ import annotations

import struct
import sys
import warnings
from pathlib import Path
from typing import Any

import pytest

import bmplib
from bmplib import _impl
from bmplib.bgp import message as bgp_message
from bmplib.bgp import update as update_module
from bmplib.bgp.attributes import extended_communities as ec

IMPLS = ["python"] + (["cython"] if _impl._AVAILABLE is not None else [])


def _bound(k: _impl.Kernel) -> Any:
    owner: Any = sys.modules[k.module]
    *path, last = k.name.split(".")
    for part in path:
        owner = getattr(owner, part)
    return owner.__dict__[last] if isinstance(owner, type) else getattr(owner, last)


def _references() -> list[tuple[str, Any]]:
    """(where, value) of every module global and class attribute of bmplib."""
    out = []
    for name, module in list(sys.modules.items()):
        if not (name == "bmplib" or name.startswith("bmplib.")) or name == "bmplib._impl" or module is None:
            continue
        for attr, value in vars(module).items():
            out.append((f"{name}.{attr}", value))
            if isinstance(value, type) and value.__module__ == name:
                out.extend((f"{name}.{attr}.{a}", v) for a, v in vars(value).items())
    return out


@pytest.mark.parametrize("impl", IMPLS)
def test_every_unit_is_switched_everywhere(impl: str) -> None:
    """After use_implementation(impl), each unit's owner holds that
    implementation, the BGP registry decodes UPDATEs with it, and no other
    module global or class attribute of bmplib holds a unit's pure function
    or kernel: a new swap point (a name imported from an owner) fails here."""
    saved = bmplib.IMPLEMENTATION
    try:
        bmplib.use_implementation(impl)  # type: ignore[arg-type]
        assert bmplib.IMPLEMENTATION == _impl.IMPLEMENTATION == impl
        units = {}
        for k in _impl.KERNELS:
            want = _impl.pure(k.kernel) if impl == "python" else getattr(_impl._AVAILABLE, k.kernel)
            assert _bound(k) is want, k
            units[id(_impl.pure(k.kernel))] = k
            if _impl._AVAILABLE is not None:
                units[id(getattr(_impl._AVAILABLE, k.kernel))] = k
        assert bgp_message._DECODERS[2] is update_module.decode_update
        owners = {f"{k.module}.{k.name}" for k in _impl.KERNELS}
        for where, value in _references():
            k = units.get(id(value))
            if k is not None:
                assert where in owners, f"{where} holds {k.unit} ({value!r}): reach it through {k.module}"
    finally:
        bmplib.use_implementation(saved)  # type: ignore[arg-type]


def test_unknown_implementation() -> None:
    with pytest.raises(ValueError):
        bmplib.use_implementation("rust")  # type: ignore[arg-type]


def test_reason_is_given() -> None:
    assert bmplib.IMPLEMENTATION_REASON
    if bmplib.IMPLEMENTATION == "cython":
        # the extension in use is this checkout's (not another install's)
        origin = Path(_impl._AVAILABLE.__file__).resolve()  # type: ignore[union-attr]
        assert origin.parent == Path(__file__).resolve().parents[2] / "bmplib_fast" or "site-packages" in str(origin)


def _rm_with_ext_community() -> bytes:
    """A BMP Route Monitoring stream: one UPDATE with an EXTENDED_COMMUNITIES
    attribute holding one community of type 0x43, subtype 0x77."""
    attrs = bytes([0x40, 1, 1, 0]) + bytes([0x40, 2, 0]) + bytes([0x40, 3, 4, 192, 0, 2, 1])
    attrs += bytes([0xC0, 16, 8, 0x43, 0x77]) + bytes(6)
    nlri = bytes([24, 10, 0, 0])
    body = struct.pack("!H", 0) + struct.pack("!H", len(attrs)) + attrs + nlri
    bgp = b"\xff" * 16 + struct.pack("!HB", 19 + len(body), 2) + body
    peer = bytes(2) + bytes(8) + bytes(12) + bytes([192, 0, 2, 1]) + (65001).to_bytes(4, "big") + bytes(12)
    return b"\x03" + (6 + 42 + len(bgp)).to_bytes(4, "big") + b"\x00" + peer + bgp


@pytest.fixture
def broken_community_decoder() -> Any:
    """A registered extended community decoder with a bug (an IndexError)."""

    def broken(buf: bytes, pos: int) -> Any:
        raise IndexError("a bug")

    saved = ec._EXT_REGISTRY.get((0x43, 0x77))
    ec.register_extended_community(0x43, 0x77, broken)
    yield
    if saved is None:
        del ec._EXT_REGISTRY[(0x43, 0x77)]
    else:
        ec.register_extended_community(0x43, 0x77, saved)


@pytest.mark.skipif("cython" not in IMPLS, reason="the bmplib_fast extension is not built")
def test_compiled_failure_is_loud(broken_community_decoder: Any) -> None:
    """An unexpected exception inside a kernel: raised in strict mode (the
    test suite's), else reported with a RuntimeWarning and the message
    decoded by the pure path (here: an error record, as pure gives)."""
    data = _rm_with_ext_community()
    assert _impl.strict
    dec = bmplib.BMPDecoder()
    dec.feed(data)
    with pytest.raises(IndexError, match="a bug"):
        list(dec)
    _impl.set_strict(False)
    _impl._reported.clear()
    try:
        dec = bmplib.BMPDecoder()
        dec.feed(data)
        with pytest.warns(RuntimeWarning, match="unexpected IndexError in the compiled extended community"):
            (item,) = list(dec)
        assert isinstance(item, bmplib.ErrorRecord)
        assert isinstance(item.error, bmplib.InternalDecodeError)
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # reported once
            dec.feed(data)
            assert isinstance(next(dec), bmplib.ErrorRecord)
    finally:
        _impl.set_strict(True)
