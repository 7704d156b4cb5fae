"""Build script for the optional ``bmplib_fast`` Cython extension.

The metadata lives in pyproject.toml.  The extension is built when Cython and
a C compiler are available; when either is missing, or the compile fails, the
pure-Python package is installed alone (bmplib then runs its pure decoder).
Set ``BMPLIB_NO_EXTENSION=1`` to skip the extension on purpose.
"""

from __future__ import annotations

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
        except Exception as exc:
            self._skip(exc)

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
    ]
    return list(cythonize(exts, language_level=3, compiler_directives={"boundscheck": True, "wraparound": False}))


setup(ext_modules=extensions(), cmdclass={"build_ext": OptionalBuildExt})
