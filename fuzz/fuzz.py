"""Coverage-guided fuzzing of bmplib with atheris (libFuzzer for Python).

    python fuzz/fuzz.py TARGET [libFuzzer options] [CORPUS_DIR ...]

TARGET is one of the names in ``fuzz/targets.py``.  Examples::

    python fuzz/make_seeds.py                       # build fuzz/corpus/<target>/
    python fuzz/fuzz.py stream -max_total_time=600 -dict=fuzz/bmp.dict fuzz/corpus/stream
    python fuzz/fuzz.py decode -runs=100000 fuzz/corpus/decode

Crashes are written as ``crash-<sha1>`` files (``-artifact_prefix=fuzz/crashes/``).
See fuzz/README.md.
"""

from __future__ import annotations

import os
import sys

import atheris

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

with atheris.instrument_imports(include=["bmplib", "bmplib_fast"]):
    from targets import TARGETS

    import bmplib  # noqa: F401


def main() -> None:
    if len(sys.argv) < 2 or sys.argv[1] not in TARGETS:
        sys.exit(f"usage: fuzz.py TARGET [libFuzzer options]; targets: {', '.join(sorted(TARGETS))}")
    target = TARGETS[sys.argv[1]]
    atheris.Setup([sys.argv[0], *sys.argv[2:]], target)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
