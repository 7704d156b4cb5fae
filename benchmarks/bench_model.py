#!/usr/bin/env python3
"""What a model object costs, built from compiled code and read from Python:
bmplib's slotted dataclass (filled the way bmplib_fast fills it), a Cython
extension type (``cdef class``, with and without a free list: what "model
classes compiled from the same source" would be) and a plain tuple.

This is the measurement behind docs/performance.md's answer to "would a
compiled model close the speed gap": an object is cheaper to allocate and
free as an extension type with a free list, but its fields are slower to read
from Python (CPython specialises attribute reads of ``__slots__`` members,
not of an extension type's members), and the benchmark's Python walk -- like
any user's code -- reads every field.

Needs Cython and a C compiler (it compiles a small module with pyximport)::

    python benchmarks/bench_model.py [--count 2000000]
"""

from __future__ import annotations

import argparse
import functools
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

_SOURCE = """
# cython: language_level=3
cimport cython
from cpython.object cimport PyObject, PyTypeObject
from cpython.ref cimport Py_INCREF

cdef extern from "Python.h":
    object PyType_GenericAlloc(PyTypeObject* tp, Py_ssize_t nitems)
    ctypedef struct PyMemberDef:
        const char* name
        int type
        Py_ssize_t offset
    ctypedef struct PyMemberDescrObject:
        PyMemberDef* d_member


@cython.freelist(64)
cdef class FreeListPrefix:
    cdef public object family
    cdef public object length
    cdef public object packed
    cdef public object path_id


cdef class PlainPrefix:
    cdef public object family
    cdef public object length
    cdef public object packed
    cdef public object path_id


cdef inline void _put(object o, Py_ssize_t off, object v):
    Py_INCREF(v)
    (<PyObject**>((<char*><PyObject*>o) + off))[0] = <PyObject*>v


def churn_dataclass(Py_ssize_t n, cls, fam, length, packed):
    # bmplib_fast's way: the type's allocator, then the slots filled directly
    cdef Py_ssize_t off[4]
    cdef Py_ssize_t i
    for i, name in enumerate(("family", "length", "packed", "path_id")):
        off[i] = (<PyMemberDescrObject*>(<PyObject*>cls.__dict__[name])).d_member.offset
    cdef PyTypeObject* tp = <PyTypeObject*>cls
    for i in range(n):
        o = PyType_GenericAlloc(tp, 0)
        _put(o, off[0], fam)
        _put(o, off[1], length)
        _put(o, off[2], packed)
        _put(o, off[3], None)


def churn_freelist(Py_ssize_t n, fam, length, packed):
    cdef Py_ssize_t i
    cdef FreeListPrefix p
    for i in range(n):
        p = FreeListPrefix.__new__(FreeListPrefix)
        p.family = fam
        p.length = length
        p.packed = packed
        p.path_id = None


def churn_plain(Py_ssize_t n, fam, length, packed):
    cdef Py_ssize_t i
    cdef PlainPrefix p
    for i in range(n):
        p = PlainPrefix.__new__(PlainPrefix)
        p.family = fam
        p.length = length
        p.packed = packed
        p.path_id = None


def churn_tuple(Py_ssize_t n, fam, length, packed):
    cdef Py_ssize_t i
    for i in range(n):
        o = (fam, length, packed, None)


def make_freelist(fam, length, packed):
    cdef FreeListPrefix p = FreeListPrefix.__new__(FreeListPrefix)
    p.family = fam
    p.length = length
    p.packed = packed
    p.path_id = None
    return p
"""


def _compile() -> Any:
    import pyximport

    tmp = Path(tempfile.mkdtemp(prefix="bmplib-bench-model-"))
    (tmp / "_model_bench.pyx").write_text(_SOURCE)
    pyximport.install(build_dir=str(tmp / "build"), language_level=3)
    sys.path.insert(0, str(tmp))
    import _model_bench

    return _model_bench


def _best(fn: Callable[[], object], n: int, repeat: int = 5) -> float:
    """Best CPU time of *repeat* runs, in ns per object."""
    best = float("inf")
    for _ in range(repeat):
        c0 = time.process_time()
        fn()
        best = min(best, time.process_time() - c0)
    return best / n * 1e9


def _read_attrs(objs: list[Any]) -> int:
    # what the benchmark's walk (and any user) does with a prefix
    total = 0
    for p in objs:
        total += p.length
        _ = p.packed
    return total


def _read_items(objs: list[Any]) -> int:
    total = 0
    for p in objs:
        total += p[1]
        _ = p[2]
    return total


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--count", type=int, default=2_000_000)
    n = ap.parse_args(argv).count
    from bmplib.nlri.inet import InetPrefix

    m = _compile()
    fam, length, packed = (1, 1), 24, b"\x0a\x00\x00"
    churn = {
        "slotted dataclass (bmplib's model, filled as bmplib_fast does)": lambda: m.churn_dataclass(
            n, InetPrefix, fam, length, packed
        ),
        "cdef class with a free list": lambda: m.churn_freelist(n, fam, length, packed),
        "cdef class": lambda: m.churn_plain(n, fam, length, packed),
        "tuple": lambda: m.churn_tuple(n, fam, length, packed),
    }
    print(f"Allocate, fill 4 fields and free one object (from compiled code), {n:,} times:")
    for name, fn in churn.items():
        print(f"  {name:64} {_best(fn, n):6.1f} ns")
    reads = {
        "slotted dataclass": ([InetPrefix(fam, length, packed, None) for _ in range(n)], _read_attrs),
        "cdef class with a free list": ([m.make_freelist(fam, length, packed) for _ in range(n)], _read_attrs),
        "tuple (by index)": ([(fam, length, packed, None) for _ in range(n)], _read_items),
    }
    print("Read two fields of one object from Python (the benchmark walk's `p.length`, `p.packed`):")
    for name, (objs, fn) in reads.items():
        print(f"  {name:64} {_best(functools.partial(fn, objs), n):6.1f} ns")
    return 0


if __name__ == "__main__":
    sys.exit(main())
