"""Build script for the optional ``bmplib_fast`` Cython extension.

The metadata lives in pyproject.toml.  The extension is built when Cython and
a C compiler are available; when either is missing, or the compile fails, the
pure-Python package is installed alone (bmplib then runs its pure decoder).
Set ``BMPLIB_NO_EXTENSION=1`` to skip the extension on purpose.

A built module is checked to export its init function (``PyInit__fast``):
an object file left in a shared ``build/`` folder by another checkout could
otherwise be linked into a module that does not import.  It is rebuilt from
its sources once, and removed (pure Python then, with the reason printed)
when it still does not.
"""

from __future__ import annotations

import ctypes
import os
import sys

from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext


class OptionalBuildExt(build_ext):
    """build_ext that never fails the install: the extension is a speed-up."""

    def run(self) -> None:
        try:
            super().run()
        except Exception as exc:  # no compiler, broken toolchain, ...
            self._skip(exc)

    def build_extension(self, ext: Extension) -> None:
        try:
            super().build_extension(ext)
            if not self._exports_init(ext):
                # a stale object in a shared build/ folder (another checkout's, or another
                # extension's) was linked: rebuild this one from its sources, once
                self.force = True
                super().build_extension(ext)
                if not self._exports_init(ext):
                    path = self.get_ext_fullpath(ext.name)
                    os.remove(path)
                    raise RuntimeError(f"{path} does not export PyInit_{ext.name.rsplit('.', 1)[-1]}; removed")
        except Exception as exc:
            self._skip(exc)

    def _exports_init(self, ext: Extension) -> bool:
        """The built file of *ext* exports its module init function (a
        module without it imports as a broken extension)."""
        path = self.get_ext_fullpath(ext.name)
        if self.dry_run or not os.path.exists(path):
            return True
        try:
            lib = ctypes.CDLL(os.path.abspath(path))
        except OSError:
            return False
        return hasattr(lib, "PyInit_" + ext.name.rsplit(".", 1)[-1])

    @staticmethod
    def _skip(exc: Exception) -> None:
        sys.stderr.write(f"bmplib: not building the bmplib_fast extension ({exc}); installing pure Python only\n")


def extensions() -> list[Extension]:
    if os.environ.get("BMPLIB_NO_EXTENSION"):
        return []
    try:
        from Cython.Build import cythonize
    except ImportError:
        sys.stderr.write("bmplib: Cython not found; installing pure Python only\n")
        return []
    exts = [
        Extension("bmplib_fast._fast", ["bmplib_fast/_fast.pyx"]),
        # the compiled batch path of bmplib.records (route columns from raw BMP octets)
        Extension("bmplib_fast._records", ["bmplib_fast/_records.pyx"]),
        # the compiled JSON renderer of bmplib.json (bmplib_json/__init__.py)
        Extension("bmplib_json._render", ["bmplib_json/_render.pyx"]),
    ]
    return list(cythonize(exts, language_level=3, compiler_directives={"boundscheck": True, "wraparound": False}))


setup(ext_modules=extensions(), cmdclass={"build_ext": OptionalBuildExt})
