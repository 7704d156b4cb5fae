"""Route records: one flat record per announced or withdrawn route
(docs/records.md).

    iter_routes(source)     RouteRecord objects from bytes of a raw BMP stream,
                            a path to a stream or capture, or any iterable of
                            stream items (messages, CapturedItem)
    route_table(source)     the same routes as a pyarrow.Table (bmplib[arrow])
    route_batches(source)   ... as pyarrow.RecordBatch objects, streaming
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from bmplib.records.record import FIELDS, RouteRecord, iter_records, records_from_item
from bmplib.records.source import open_source, source_items

__all__ = ["FIELDS", "RouteRecord", "iter_routes", "records_from_item", "route_batches", "route_table"]


def iter_routes(source: Any, *, name: str | None = None, router: str | None = None) -> Iterator[RouteRecord]:
    """Route records from *source*: ``bytes`` of a raw BMP stream, a path
    (``str`` / ``os.PathLike``) to a raw stream, pcap or pcapng file, or an
    iterable of stream items.  *name* goes in the ``source`` field (default:
    the path); *router* in the ``router`` field (captures: the flow's source
    address when not given)."""
    src = open_source(source)
    return iter_records(source_items(src), name if name is not None else src.label, router)


def route_table(source: Any, **options: Any) -> Any:
    """The routes of *source* (as for :func:`iter_routes`) as a
    ``pyarrow.Table`` with the schema of docs/records.md.  Needs pyarrow
    (``pip install bmplib[arrow]``).

    Options: ``name`` and ``router`` (as for :func:`iter_routes`),
    ``compiled`` (``None``: the compiled batch path for a raw BMP stream
    when ``bmplib_fast`` is built; ``False``: the object path; ``True``:
    require the compiled path).  The table is the same either way."""
    from bmplib.records.arrow import route_table as _route_table

    return _route_table(source, **options)


def route_batches(source: Any, **options: Any) -> Iterator[Any]:
    """The routes of *source* as ``pyarrow.RecordBatch`` objects of about
    ``batch_size`` rows (default 1,048,576; streaming: memory stays
    bounded); the other options as for :func:`route_table`."""
    from bmplib.records.arrow import route_batches as _route_batches

    return _route_batches(source, **options)
