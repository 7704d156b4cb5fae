"""Chooses between the pure-Python decoders and the ``bmplib_fast`` Cython
extension.  ``BMPLIB_PURE=1`` in the environment forces the pure path."""

from __future__ import annotations

import importlib
import os
from types import ModuleType

__all__ = ["IMPLEMENTATION", "fast"]


def _load_fast() -> ModuleType | None:
    if os.environ.get("BMPLIB_PURE"):
        return None
    try:
        return importlib.import_module("bmplib_fast._fast")
    except ImportError:
        return None


#: The compiled extension module, or ``None`` on the pure path.
fast: ModuleType | None = _load_fast()

#: ``"cython"`` when the extension is in use, else ``"python"``.
IMPLEMENTATION = "cython" if fast is not None else "python"
