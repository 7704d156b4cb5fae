"""The one switch between the pure-Python decoders and the compiled kernels of
``bmplib_fast`` (an internal module; the public face is
:func:`bmplib.use_implementation`, :data:`bmplib.IMPLEMENTATION` and
:data:`bmplib.IMPLEMENTATION_REASON`).

:data:`KERNELS` is the one table of what the extension accelerates: for each
unit, the module that owns the pure function (the reference), its name there,
and the kernel of ``bmplib_fast._fast`` that replaces it.  A module that owns
a pure function defines it and then calls :func:`adopt` with its own name;
that records the pure function and binds the current implementation in its
place.  :func:`use_implementation` rebinds every unit of the table (the
differential tests switch with it), and :func:`pure` gives a unit's pure
function whatever is bound (the kernels fall back to it).

Every other module reaches a unit through its owner (``header.decode_peer_header``,
``messages.decode_message``), never through a name imported from it: a
rebinding must be seen everywhere.  ``tests/fast/test_impl.py`` checks that no
module of bmplib holds a stale reference to a unit.

Choosing at import: ``BMPLIB_PURE=1`` in the environment forces pure Python;
otherwise the extension is used when it imports.  An extension that is there
but fails to import is reported with a :class:`RuntimeWarning` naming the
error, and so is a source checkout whose extension is not built while an
installed bmplib has it (Python started in the repository imports the
source tree); :data:`IMPLEMENTATION_REASON` says why the implementation in
use was chosen.

Strict mode (:func:`set_strict`, or ``BMPLIB_STRICT=1``; the test suite turns
it on): an unexpected exception inside a kernel (a bug of the compiled code)
is raised instead of being reported once with a :class:`RuntimeWarning` and
decoded again by the pure function.
"""

from __future__ import annotations

import importlib
import importlib.util
import os
import sys
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any, Literal

__all__ = [
    "IMPLEMENTATION",
    "IMPLEMENTATION_REASON",
    "KERNELS",
    "Kernel",
    "adopt",
    "compiled_failure",
    "fast",
    "pure",
    "set_strict",
    "strict",
    "use_implementation",
]

Implementation = Literal["python", "cython"]


@dataclass(frozen=True, slots=True)
class Kernel:
    """One unit the extension accelerates.

    :ivar unit: what it decodes.
    :ivar module: the module that owns the pure function.
    :ivar name: the pure function's name in *module* (``Class.method`` for a method).
    :ivar kernel: the compiled function's name in ``bmplib_fast._fast``.
    """

    unit: str
    module: str
    name: str
    kernel: str


#: What bmplib_fast accelerates: unit -> pure function (its owner) -> compiled kernel.
KERNELS: tuple[Kernel, ...] = (
    Kernel("BMP per-peer header (RFC 7854 4.2)", "bmplib.bmp.header", "decode_peer_header", "decode_peer_header"),
    Kernel("BGP UPDATE body (RFC 4271 4.3)", "bmplib.bgp.update", "decode_update", "decode_update"),
    Kernel("one BMP message (RFC 7854 4)", "bmplib.bmp.messages", "decode_message", "decode_message"),
    Kernel("stream iteration (BMPDecoder.__next__)", "bmplib.stream", "BMPDecoder.__next__", "stream_next"),
    # the convenience views a walk reads per message (properties)
    Kernel("view Update.announced", "bmplib.bgp.update", "Update.announced", "update_announced"),
    Kernel("view Update.withdrawn", "bmplib.bgp.update", "Update.withdrawn", "update_withdrawn"),
    Kernel("view MPNextHop.address", "bmplib.bgp.attributes.mp", "MPNextHop.address", "next_hop_address"),
    Kernel("view MPNextHop.link_local", "bmplib.bgp.attributes.mp", "MPNextHop.link_local", "next_hop_link_local"),
)

_BY_KERNEL = {k.kernel: k for k in KERNELS}
#: kernel name -> the pure function, recorded by adopt()
_PURE: dict[str, Any] = {}
#: module name -> what to call after its units were rebound (e.g. re-register a decoder)
_ON_SWITCH: dict[str, Callable[[], None]] = {}


def _source_checkout_note() -> str | None:
    """When bmplib is imported from a source checkout whose extension is not
    built: the note to show (a warning when an installed bmplib elsewhere has
    the extension, the usual case after ``pip install .``)."""
    pkg = Path(__file__).resolve().parent
    root = pkg.parent
    if not (root / "setup.py").exists() or not (root / "bmplib_fast" / "_fast.pyx").exists():
        return None
    note = (
        f"bmplib is imported from the source checkout {root}, where bmplib_fast is not built "
        "(python setup.py build_ext --inplace builds it)"
    )
    try:
        from importlib.metadata import PackageNotFoundError, distribution

        dist = distribution("bmplib")
    except (ImportError, PackageNotFoundError):
        return note
    files = dist.files or []
    if any(str(f).startswith("bmplib_fast/_fast") and not str(f).endswith((".pyx", ".c")) for f in files):
        where = dist.locate_file("")
        warnings.warn(
            f"{note}, while the bmplib installed in {where} has it: running pure Python; "
            "run Python outside the checkout, or build the extension in place",
            RuntimeWarning,
            stacklevel=3,
        )
    return note


def _load_fast() -> tuple[ModuleType | None, str]:
    """(the extension module or None, why)."""
    if os.environ.get("BMPLIB_PURE"):
        return None, "BMPLIB_PURE is set in the environment"
    try:
        spec = importlib.util.find_spec("bmplib_fast._fast")
    except ImportError as exc:  # bmplib_fast itself is missing or broken
        spec = None
        missing = f"bmplib_fast is not installed ({exc})"
    else:
        missing = "bmplib_fast is not installed (pure-Python install)"
    package = sys.modules.get("bmplib_fast")
    package_dir = Path(package.__file__).resolve().parent if package and package.__file__ else None
    if spec is not None and package_dir is not None and Path(str(spec.origin)).resolve().parent != package_dir:
        # e.g. an editable install of another checkout answers for the
        # submodule this checkout has not built: its kernels would build
        # another tree's model
        note = _source_checkout_note() or f"bmplib_fast is not built in {package_dir}"
        reason = f"{note}; bmplib_fast._fast was found at {spec.origin} (another install), not used"
        warnings.warn(f"{reason}; running pure Python", RuntimeWarning, stacklevel=3)
        return None, reason
    if spec is None:
        checkout = _source_checkout_note()
        return None, checkout or missing
    try:
        module = importlib.import_module("bmplib_fast._fast")
    except Exception as exc:  # built but broken: say so, loudly
        reason = f"bmplib_fast._fast at {spec.origin} failed to import: {type(exc).__name__}: {exc}"
        warnings.warn(f"{reason}; running pure Python", RuntimeWarning, stacklevel=3)
        return None, reason
    missing_kernels = [k.kernel for k in KERNELS if not hasattr(module, k.kernel)]
    if missing_kernels:
        reason = f"bmplib_fast._fast at {spec.origin} lacks {', '.join(missing_kernels)} (a stale build?)"
        warnings.warn(f"{reason}; running pure Python", RuntimeWarning, stacklevel=3)
        return None, reason
    return module, f"bmplib_fast._fast at {spec.origin}"


_AVAILABLE, _LOAD_REASON = _load_fast()

#: The compiled extension module in use, or ``None`` on the pure path.
fast: ModuleType | None = _AVAILABLE
#: ``"cython"`` when the extension is in use, else ``"python"``.
IMPLEMENTATION: Implementation = "cython" if fast is not None else "python"
#: Why :data:`IMPLEMENTATION` is what it is.
IMPLEMENTATION_REASON: str = _LOAD_REASON

#: Strict mode: a kernel's unexpected exception is raised (see the module docstring).
strict: bool = bool(os.environ.get("BMPLIB_STRICT"))
_reported: set[str] = set()


def _resolve(module: ModuleType, name: str) -> tuple[Any, str]:
    """(the object that holds *name*'s last part, that part)."""
    owner: Any = module
    *path, last = name.split(".")
    for part in path:
        owner = getattr(owner, part)
    return owner, last


def _bind(k: Kernel, module: ModuleType) -> None:
    owner, attr = _resolve(module, k.name)
    impl = _PURE[k.kernel] if fast is None else getattr(fast, k.kernel)
    setattr(owner, attr, impl)


def adopt(module_name: str, on_switch: Callable[[], None] | None = None) -> None:
    """Called by a module that owns pure functions of :data:`KERNELS`, once
    they are defined: record them, bind the current implementation in their
    place.  *on_switch* is called now and after every switch (to register
    the bound function where it is looked up, e.g. a decoder registry)."""
    module = sys.modules[module_name]
    for k in KERNELS:
        if k.module == module_name and k.kernel not in _PURE:
            owner, attr = _resolve(module, k.name)
            _PURE[k.kernel] = owner.__dict__[attr] if isinstance(owner, type) else getattr(owner, attr)
            _bind(k, module)
    if on_switch is not None:
        _ON_SWITCH[module_name] = on_switch
        on_switch()


def pure(kernel: str) -> Any:
    """The pure function of the unit whose kernel is *kernel* (the
    reference, whatever implementation is bound)."""
    k = _BY_KERNEL[kernel]
    if kernel not in _PURE:
        importlib.import_module(k.module)
    return _PURE[kernel]


def use_implementation(name: Implementation) -> None:
    """Decode with the pure-Python functions (``"python"``) or with the
    compiled kernels of ``bmplib_fast`` (``"cython"``) from now on, in every
    module.  Raises :class:`RuntimeError` when the extension is not
    available (:data:`bmplib.IMPLEMENTATION_REASON` says why)."""
    global fast, IMPLEMENTATION, IMPLEMENTATION_REASON
    if name == "cython":
        if _AVAILABLE is None:
            raise RuntimeError(f"the bmplib_fast extension is not available: {_LOAD_REASON}")
        fast, reason = _AVAILABLE, _LOAD_REASON
    elif name == "python":
        fast, reason = None, "use_implementation('python')"
    else:
        raise ValueError(f"unknown implementation {name!r} (python or cython)")
    IMPLEMENTATION, IMPLEMENTATION_REASON = name, str(reason)
    for k in KERNELS:
        module = sys.modules.get(k.module)
        if module is not None and k.kernel in _PURE:
            _bind(k, module)
    for module_name, hook in _ON_SWITCH.items():
        if module_name in sys.modules:
            hook()
    package = sys.modules.get("bmplib")
    if package is not None and hasattr(package, "IMPLEMENTATION"):
        setattr(package, "IMPLEMENTATION", IMPLEMENTATION)  # noqa: B010 (bmplib re-exports the constants)
        setattr(package, "IMPLEMENTATION_REASON", IMPLEMENTATION_REASON)  # noqa: B010


def set_strict(on: bool) -> None:
    """Strict mode on or off (see the module docstring)."""
    global strict
    strict = on


def compiled_failure(exc: BaseException, unit: str) -> None:
    """Called by a kernel that caught *exc*, an exception it did not expect
    (not a :class:`~bmplib.DecodeError`), before it hands the input to the
    pure function: raises it in strict mode, else reports it once per unit
    with a :class:`RuntimeWarning` (a bug of bmplib_fast: please report it)."""
    if strict:
        raise exc
    if unit not in _reported:
        _reported.add(unit)
        warnings.warn(
            f"bmplib_fast: unexpected {type(exc).__name__} in the compiled {unit} ({exc}); "
            "decoded by the pure-Python function instead (a bug: please report it)",
            RuntimeWarning,
            stacklevel=2,
        )
