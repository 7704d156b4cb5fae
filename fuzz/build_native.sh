#!/usr/bin/env bash
# Build bmplib_fast as native code for fuzzing, outside the repository.
#
#   fuzz/build_native.sh MODE OUTDIR
#
# MODE  cov   clang -fsanitize=fuzzer-no-link: libFuzzer sees the edges and
#             comparisons of the Cython code (not only the Python bytecode).
#       asan  clang -fsanitize=address,fuzzer-no-link: the same, plus
#             AddressSanitizer on every memory access of the extension.
#
# The sources (setup.py, pyproject.toml, bmplib_fast/*.pyx, *.pxi, *.py) are
# copied to a temporary directory and built there with
# ``setup.py build_ext --build-lib OUTDIR``, so the in-place extension in the
# repository is never touched.  OUTDIR gets:
#
#   OUTDIR/bmplib_fast/        __init__.py + the instrumented _fast*.so
#   OUTDIR/libfuzzer-rt.so     what to LD_PRELOAD: libFuzzer (cov), or
#                              libFuzzer merged with the ASan runtime (asan)
#   OUTDIR/env.sh              `. OUTDIR/env.sh` sets PYTHONPATH, LD_PRELOAD,
#                              ASAN_OPTIONS, PYTHONMALLOC for a fuzz run
#   OUTDIR/build/              the copied sources and the generated _fast.c
#                              that stack traces refer to
#
# The instrumented extension references libFuzzer's __sanitizer_cov_* hooks
# (and ASan's __asan_* for asan), which must be in the global symbol scope
# before Python loads it: hence the preload.  Atheris then finds
# LLVMFuzzerRunDriver already loaded and uses its core without its own copy
# of libFuzzer, so the extension's counters and atheris's Python counters feed
# one libFuzzer.  With ASan the two runtimes go in one .so, because ASan's
# weak coverage hooks would otherwise shadow libFuzzer's (atheris's
# native_extension_fuzzing.md explains this).
#
# Environment: CLANG (default clang), PYTHON (default /work/venv/bin/python,
# else python3).  Needs clang with compiler-rt (Debian: apt-get install clang).
set -euo pipefail

usage() { echo "usage: $0 cov|asan OUTDIR" >&2; exit 2; }
[ $# -eq 2 ] || usage
mode=$1
outdir=$(mkdir -p "$2" && cd "$2" && pwd)
case $mode in
    cov) sanitize=fuzzer-no-link ;;
    asan) sanitize=address,fuzzer-no-link ;;
    *) usage ;;
esac

repo=$(cd "$(dirname "$0")/.." && pwd)
CLANG=${CLANG:-clang}
if [ -z "${PYTHON:-}" ]; then
    if [ -x /work/venv/bin/python ]; then PYTHON=/work/venv/bin/python; else PYTHON=python3; fi
fi
command -v "$CLANG" >/dev/null || { echo "$0: $CLANG not found (apt-get install clang)" >&2; exit 1; }

# compiler-rt archives of this clang
rtdir=$(dirname "$("$CLANG" -print-file-name=libclang_rt.fuzzer_no_main-x86_64.a)")
arch=$(uname -m)
fuzzer_a="$rtdir/libclang_rt.fuzzer_no_main-$arch.a"
asan_a="$rtdir/libclang_rt.asan-$arch.a"
[ -f "$fuzzer_a" ] || { echo "$0: no libFuzzer archive at $fuzzer_a" >&2; exit 1; }
# atheris needs a libFuzzer with LLVMFuzzerRunDriver (LLVM >= 11)
has() { "${@:2}" 2>/dev/null | grep -c -- "$1" >/dev/null; }  # no grep -q: pipefail + SIGPIPE
has ' T LLVMFuzzerRunDriver' nm "$fuzzer_a" \
    || { echo "$0: $fuzzer_a has no LLVMFuzzerRunDriver; clang too old for atheris" >&2; exit 1; }

# kept after the build: the debug info (and so ASan's stack traces) point
# into OUTDIR/build/src/bmplib_fast/_fast.c
work="$outdir/build"
rm -rf "$work"

# 1. the extension, from a copy of the sources
mkdir -p "$work/src/bmplib_fast"
cp "$repo/setup.py" "$repo/pyproject.toml" "$repo/README.md" "$work/src/"
cp "$repo"/bmplib_fast/*.pyx "$repo"/bmplib_fast/*.pxi "$repo"/bmplib_fast/*.py "$work/src/bmplib_fast/"
rm -rf "$outdir/bmplib_fast"
flags="-fsanitize=$sanitize -g -O1 -fno-omit-frame-pointer"
(
    cd "$work/src"
    CC="$CLANG" LDSHARED="$CLANG -shared" CFLAGS="$flags" LDFLAGS="-fsanitize=$sanitize" \
        "$PYTHON" setup.py -q build_ext --build-lib "$outdir" --build-temp "$work/tmp"
) >"$work/build.log" 2>&1 || { cat "$work/build.log" >&2; exit 1; }
cp "$repo"/bmplib_fast/*.py "$outdir/bmplib_fast/"  # so the package (not the repo's) is found first
so=$(ls "$outdir"/bmplib_fast/_fast*.so 2>/dev/null | head -n1)
# setup.py never fails on a compile error (the extension is optional): check
[ -n "$so" ] || { cat "$work/build.log" >&2; echo "$0: the extension was not built" >&2; exit 1; }
has __sanitizer_cov_8bit_counters_init nm -D "$so" \
    || { echo "$0: $so has no libFuzzer coverage instrumentation" >&2; exit 1; }
if [ "$mode" = asan ]; then
    has __asan_ nm -D "$so" || { echo "$0: $so has no ASan instrumentation" >&2; exit 1; }
fi

# 2. the runtime to preload
if [ "$mode" = asan ]; then
    # the ASan runtime without its preinit object (a shared object may not
    # carry .preinit_array), merged with libFuzzer
    cp "$asan_a" "$work/asan.a"
    ar d "$work/asan.a" asan_preinit.cpp.o asan_preinit.cc.o 2>/dev/null || true
    "$CLANG"++ -shared -o "$outdir/libfuzzer-rt.so" \
        -Wl,--whole-archive "$fuzzer_a" "$work/asan.a" -Wl,--no-whole-archive -lpthread -ldl
else
    "$CLANG"++ -shared -o "$outdir/libfuzzer-rt.so" \
        -Wl,--whole-archive "$fuzzer_a" -Wl,--no-whole-archive -lpthread -ldl
fi

# 3. the environment of a run
{
    echo "# . $outdir/env.sh   (written by fuzz/build_native.sh $mode)"
    echo "export PYTHONPATH=$outdir:$repo"
    echo "export LD_PRELOAD=$outdir/libfuzzer-rt.so"
    if [ "$mode" = asan ]; then
        # CPython leaks by design at exit; malloc instead of pymalloc so every
        # bytes object gets its own ASan redzones
        echo "export ASAN_OPTIONS=detect_leaks=0:allocator_may_return_null=1:abort_on_error=0:symbolize=1"
        echo "export PYTHONMALLOC=malloc"
    fi
} >"$outdir/env.sh"

# 4. the instrumented extension is the one bmplib uses under that environment
# (bmplib silently falls back to pure Python when the import fails)
# -P: no current directory on sys.path (fuzz/fuzz.py has fuzz/ there, not the repo)
(
    . "$outdir/env.sh"
    unset BMPLIB_PURE
    "$PYTHON" -P -c "
import sys
import atheris
from bmplib import _impl
assert _impl.IMPLEMENTATION == 'cython', 'bmplib_fast did not load (pure fallback)'
f = _impl.fast.__file__
assert f.startswith('$outdir/'), f
print('bmplib_fast._fast from', f)
"
)
echo "built $mode: . $outdir/env.sh && nice -n 10 $PYTHON fuzz/fuzz.py diff ..."
