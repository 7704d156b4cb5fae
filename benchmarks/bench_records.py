"""Route records: the compiled batch path against building the same rows from
message objects, and against a bare walk of the same octets; Arrow bytes per
route; ``bmplib routes ... --format parquet`` end to end against the batch
decode alone; N workers on N files against one worker on one.

Run from the repository root (with the extension built)::

    python ../shared/bench/make_corpus.py --kind inet --count 200000 --seed 1 --out benchmarks/corpus/inet.bmp
    python benchmarks/bench_records.py benchmarks/corpus/inet.bmp ../shared/pcaps/frr_large.bmp

Times are CPU seconds of this process (``time.process_time``; children's for
the command line), best of ``--repeat`` runs: the machine is shared, so wall
time says more about the neighbours than about bmplib.  Every ratio printed
comes from the same run.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bmplib.records.arrow import compiled_available, held_bytes, route_table  # noqa: E402
from bmplib.records.columns import RouteColumns  # noqa: E402
from bmplib.records.dataset import write_dataset  # noqa: E402
from bmplib.records.source import stream_items  # noqa: E402


def best(fn: Any, repeat: int) -> tuple[float, Any]:
    """(least CPU seconds, result) of *repeat* calls."""
    out = None
    secs = float("inf")
    for _ in range(repeat):
        t0 = time.process_time()
        out = fn()
        secs = min(secs, time.process_time() - t0)
    return secs, out


def rows_from_objects(data: bytes) -> int:
    """The same rows built from message objects (decoded with the extension)."""
    cols = RouteColumns()
    for item, raw in stream_items(data):
        cols.add_item(item, None, None, raw)
    from bmplib.records.arrow import to_batch

    return int(to_batch(cols).num_rows)


def children_cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def cli_cpu(args: list[str]) -> float:
    before = children_cpu()
    subprocess.run([sys.executable, "-m", "bmplib", *args], check=True, cwd=ROOT)
    return children_cpu() - before


def bench_file(path: Path, repeat: int) -> None:
    from bmplib_fast import _records

    data = path.read_bytes()
    print(f"\n{path.name}: {len(data) / 1e6:.1f} MB")
    walk_s, (messages, walked) = best(lambda: _records.walk_routes(data), repeat)
    batch_s, table = best(lambda: route_table(data, compiled=True), repeat)
    n = table.num_rows
    obj_s, n_obj = best(lambda: rows_from_objects(data), 1)
    assert n_obj == n == walked, (n_obj, n, walked)
    print(f"  routes {n:,} in {messages:,} messages")
    print(f"  bare C walk (count routes, build nothing): {n / walk_s / 1e6:6.2f} M routes/s")
    print(f"  compiled batch -> pyarrow.Table:           {n / batch_s / 1e6:6.2f} M routes/s")
    print(f"  rows from message objects -> same Table:   {n / obj_s / 1e6:6.2f} M routes/s")
    print(f"  compiled / objects: {obj_s / batch_s:.1f}x; bare walk / compiled: {batch_s / walk_s:.1f}x")
    held = held_bytes(table)
    print(f"  Arrow held: {held / n:.0f} bytes per route ({held / 1e6:.1f} MB; naive nbytes {table.nbytes / n:.0f})")


def bench_cli(paths: list[Path], repeat: int) -> None:
    print("\nbmplib routes FILE --format parquet -o OUT (CPU of the process) vs the batch decode alone")
    with tempfile.TemporaryDirectory() as tmp:
        for path in paths:
            bmp = path.with_suffix(".bmp")
            data = bmp.read_bytes() if bmp.exists() else None
            alone = best(lambda data=data: route_table(data, compiled=True), repeat)[0] if data is not None else None
            cli = min(cli_cpu(["routes", str(path), "--format", "parquet", "-o", f"{tmp}/out.parquet"])
                      for _ in range(repeat))  # fmt: skip
            ratio = f"{cli / alone:.1f}x the batch decode of {bmp.name} ({alone:.2f} s)" if alone else ""
            print(f"  {path.name}: {cli:.2f} s CPU, {ratio}")


def bench_parallel(path: Path, workers: int) -> None:
    print(f"\nparallel: {workers} workers on {workers} copies of {path.name} vs 1 worker on 1 (wall time)")
    with tempfile.TemporaryDirectory() as tmp:
        copies = []
        for i in range(workers):
            dst = Path(tmp) / f"copy{i}.bmp"
            shutil.copyfile(path, dst)
            copies.append(dst)
        t0 = time.perf_counter()
        write_dataset(copies[:1], f"{tmp}/one", workers=1)
        one = time.perf_counter() - t0
        t0 = time.perf_counter()
        write_dataset(copies, f"{tmp}/many", workers=workers)
        many = time.perf_counter() - t0
    print(f"  1 file, 1 worker: {one:.2f} s; {workers} files, {workers} workers: {many:.2f} s ({many / one:.2f}x)")
    print(f"  (load average at the end: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs)")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("files", type=Path, nargs="+", help="raw BMP streams (.bmp)")
    ap.add_argument("--repeat", type=int, default=2)
    ap.add_argument("--cli", type=Path, nargs="*", default=None, help="files for the command-line comparison")
    ap.add_argument("--workers", type=int, default=2)
    args = ap.parse_args(argv)
    if not compiled_available():
        print("the compiled batch path is not built (python setup.py build_ext --inplace) or BMPLIB_PURE=1")
        return 2
    for path in args.files:
        bench_file(path, args.repeat)
    bench_cli(args.cli if args.cli is not None else args.files, 1)
    bench_parallel(args.files[0], args.workers)
    return 0


if __name__ == "__main__":
    sys.exit(main())
