"""Many captures at once into one Parquet dataset.

Each source (a raw BMP stream or a capture) is decoded by one worker into
route batches (:func:`~bmplib.records.route_batches`), filtered, and written
as its own Parquet file(s) under *out*, hive-partitioned by the columns the
caller names (``router``, ``date``, ``peer_address``, ``family``, ``table``,
``source``); ``date`` is the UTC day of ``time`` (``YYYY-MM-DD``), added as a
column.  Sources run in parallel on the standard library's process pool by
default, or on a Dask cluster (``pip install bmplib[dask]``): pass a
``dask.distributed.Client`` as *client*.

Files are named after the source (``<n>-<stem>-<i>.parquet``), so workers
never write the same file and re-running into the same directory replaces
what a source wrote before.
"""

from __future__ import annotations

import concurrent.futures
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bmplib.records.filters import RouteFilter

__all__ = ["PARTITION_COLUMNS", "SourceResult", "write_dataset", "write_source"]

#: columns a dataset can be partitioned by
PARTITION_COLUMNS = ("router", "date", "source", "peer_address", "family", "table")
#: what a null partition value is written as
NULL_PARTITION = "unknown"


@dataclass
class SourceResult:
    """What one source gave: its path, routes written, files written, or the
    error that stopped it (one line)."""

    source: str
    routes: int
    files: list[str]
    error: str | None = None


def _partitioned(batch: Any, partition_by: Sequence[str]) -> Any:
    import pyarrow as pa
    import pyarrow.compute as pc

    from bmplib.records.arrow import plain_schema

    table = pa.Table.from_batches([batch]).cast(plain_schema())
    if "date" in partition_by:
        table = table.append_column("date", pc.strftime(table.column("time"), format="%Y-%m-%d"))
    for name in partition_by:
        col = table.column(name)
        if col.null_count:
            i = table.column_names.index(name)
            table = table.set_column(i, name, pc.fill_null(col.cast(pa.string()), NULL_PARTITION))
    return table


def write_source(
    index: int,
    source: str,
    out: str,
    partition_by: Sequence[str] = (),
    route_filter: RouteFilter | None = None,
    batch_size: int = 1 << 20,
) -> SourceResult:
    """Decode *source* and write its routes under *out* (one worker's job)."""
    import pyarrow.dataset as ds

    from bmplib.errors import DecodeError
    from bmplib.records.arrow import route_batches

    files: list[str] = []
    routes = 0
    stem = Path(source).name.replace(".", "_")
    try:
        for i, batch in enumerate(route_batches(source, batch_size=batch_size)):
            if route_filter is not None:
                batch = route_filter.filter_table(batch)
            if not batch.num_rows:
                continue
            table = _partitioned(batch, partition_by)
            written: list[str] = []
            visit = written.append
            ds.write_dataset(
                table,
                out,
                format="parquet",
                partitioning=list(partition_by) or None,
                partitioning_flavor="hive" if partition_by else None,
                basename_template=f"{index}-{stem}-{i}-{{i}}.parquet",
                existing_data_behavior="overwrite_or_ignore",
                file_visitor=lambda f, visit=visit: visit(f.path),
            )
            files.extend(written)
            routes += table.num_rows
    except (DecodeError, OSError) as exc:
        return SourceResult(source, routes, files, f"{type(exc).__name__}: {exc}")
    return SourceResult(source, routes, files)


def write_dataset(
    sources: Sequence[str | os.PathLike[str]],
    out: str | os.PathLike[str],
    *,
    partition_by: Sequence[str] = (),
    route_filter: RouteFilter | None = None,
    workers: int | None = None,
    client: Any = None,
    batch_size: int = 1 << 20,
) -> list[SourceResult]:
    """Decode every source in parallel into one Parquet dataset under *out*.

    *workers*: processes of the standard library pool (default: one per CPU,
    at most one per source; 1 runs in this process).  *client*: a
    ``dask.distributed.Client`` to run the sources on instead.  Returns one
    :class:`SourceResult` per source, in order."""
    for name in partition_by:
        if name not in PARTITION_COLUMNS:
            raise ValueError(f"cannot partition by {name!r} (choose from {', '.join(PARTITION_COLUMNS)})")
    paths = [os.fspath(s) for s in sources]
    target = os.fspath(out)
    os.makedirs(target, exist_ok=True)
    jobs = [(i, p, target, tuple(partition_by), route_filter, batch_size) for i, p in enumerate(paths)]
    if client is not None:
        futures = [client.submit(write_source, *job, pure=False) for job in jobs]
        results: list[SourceResult] = client.gather(futures)
        return results
    n = min(workers or os.cpu_count() or 1, len(jobs))
    if n <= 1:
        return [write_source(*job) for job in jobs]
    with concurrent.futures.ProcessPoolExecutor(max_workers=n) as pool:
        return list(pool.map(write_source, *zip(*jobs)))
