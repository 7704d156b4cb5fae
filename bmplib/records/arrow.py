"""Route records as Arrow: the schema (docs/records.md) and the batch API.

Needs pyarrow (``pip install bmplib[arrow]``); importing this module without
it raises ``ImportError`` with that advice.

Layout: columns that are the same for every route of a peer (source, router,
``peer_*``, table) are dictionary arrays that all share one index buffer (the
route's peer); the columns of the path attributes likewise share the index of
the route's attribute set.  So a route costs a few index octets for them, and
the values are stored once per peer and once per attribute set.  Columns no
route of a batch has a value for share one buffer of zeros.  Readers see
ordinary columns (``to_pylist``, Parquet, DuckDB, ClickHouse); a dictionary's
values may repeat (two attribute sets with the same AS path).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

try:
    import pyarrow as pa
except ImportError as exc:  # pragma: no cover - exercised without the extra
    raise ImportError("bmplib's Arrow output needs pyarrow: pip install 'bmplib[arrow]'") from exc

from bmplib import _impl
from bmplib.records.columns import EXTRA_FIELDS, RouteColumns
from bmplib.records.record import ACTIONS, ATTRIBUTE_FIELDS, FIELDS, PEER_FIELDS
from bmplib.records.source import open_source, source_items

__all__ = [
    "SCHEMA",
    "SCHEMA_VERSION",
    "compiled_available",
    "held_bytes",
    "plain_schema",
    "route_batches",
    "route_table",
    "to_batch",
]

#: bumped on any change of a column's name, type or meaning (docs/records.md)
SCHEMA_VERSION = 1

_PEER_TYPES: dict[str, pa.DataType] = {
    "source": pa.string(),
    "router": pa.string(),
    "peer_type": pa.uint8(),
    "peer_distinguisher": pa.string(),
    "peer_address": pa.string(),
    "peer_asn": pa.uint32(),
    "peer_bgp_id": pa.string(),
    "table": pa.string(),
}
_ATTR_TYPES: dict[str, pa.DataType] = {
    "origin": pa.string(),
    "as_path": pa.string(),
    "origin_as": pa.uint32(),
    "path_length": pa.uint16(),
    "next_hop": pa.string(),
    "med": pa.uint32(),
    "local_pref": pa.uint32(),
    "communities": pa.string(),
    "extended_communities": pa.string(),
    "large_communities": pa.string(),
    "originator_id": pa.string(),
    "cluster_list": pa.string(),
    "aggregator": pa.string(),
    "atomic_aggregate": pa.bool_(),
    "otc": pa.uint32(),
    "attr_set": pa.string(),
}
_EXTRA_TYPES: dict[str, pa.DataType] = {
    "rd": pa.string(),
    "labels": pa.list_(pa.uint32()),
    "path_id": pa.uint32(),
    "evpn_route_type": pa.uint8(),
    "esi": pa.string(),
    "ethernet_tag": pa.uint32(),
    "mac": pa.string(),
    "ip": pa.string(),
}
_ROUTE_TYPES: dict[str, pa.DataType] = {
    "offset": pa.uint64(),
    "time": pa.timestamp("us", tz="UTC"),
    "action": pa.dictionary(pa.int8(), pa.string()),
    "reason": pa.dictionary(pa.int8(), pa.string()),
    "family": pa.dictionary(pa.int16(), pa.string()),
    "prefix": pa.string(),
}


def _type(name: str) -> pa.DataType:
    if name in _PEER_TYPES:
        return pa.dictionary(pa.int32(), _PEER_TYPES[name])
    if name in _ATTR_TYPES:
        return pa.dictionary(pa.int32(), _ATTR_TYPES[name])
    if name in _EXTRA_TYPES:
        return _EXTRA_TYPES[name]
    return _ROUTE_TYPES[name]


#: the Arrow schema of a route table (docs/records.md)
SCHEMA = pa.schema(
    [pa.field(name, _type(name)) for name in FIELDS],
    metadata={"bmplib.records.schema_version": str(SCHEMA_VERSION)},
)


def plain_schema() -> pa.Schema:
    """:data:`SCHEMA` with every dictionary column as its value type (what
    the Parquet files and ClickHouse tables hold)."""
    fields = [pa.field(f.name, f.type.value_type if pa.types.is_dictionary(f.type) else f.type) for f in SCHEMA]
    return pa.schema(fields, metadata=SCHEMA.metadata)


# ---------------------------------------------------------------------------
# columns -> record batch
# ---------------------------------------------------------------------------
_ACTION_DICT = pa.array([a for a, _ in ACTIONS], pa.string())
_REASON_DICT = pa.array([r for _, r in ACTIONS], pa.string())


class _Zeros:
    """One zero-filled buffer for every all-null column of a batch."""

    def __init__(self, n: int) -> None:
        self.buf = pa.py_buffer(bytes(max(8 * n, 8 * ((n + 63) // 64)) + 8))

    def null_array(self, typ: pa.DataType, n: int) -> pa.Array:
        z = self.buf
        if pa.types.is_dictionary(typ):
            indices = pa.Array.from_buffers(typ.index_type, n, [z, z], null_count=n)
            return pa.DictionaryArray.from_arrays(indices, pa.nulls(0, typ.value_type))
        if pa.types.is_list(typ):
            return pa.Array.from_buffers(typ, n, [z, z], null_count=n, children=[pa.nulls(0, typ.value_type)])
        if pa.types.is_string(typ):
            return pa.Array.from_buffers(typ, n, [z, z, z], null_count=n)
        return pa.Array.from_buffers(typ, n, [z, z], null_count=n)


def _shared(indices: pa.Array, values: list[Any], typ: pa.DataType) -> pa.Array:
    return pa.DictionaryArray.from_arrays(indices, pa.array(values, typ))


def _sparse(rows: list[int], values: list[Any], typ: pa.DataType, n: int, zeros: _Zeros) -> pa.Array:
    if not rows:
        return zeros.null_array(typ, n)
    full: list[Any] = [None] * n
    for r, v in zip(rows, values):
        full[r] = v
    return pa.array(full, typ)


def _int_array(typ: pa.DataType, n: int, data: Any) -> pa.Array:
    return pa.Array.from_buffers(typ, n, [None, pa.py_buffer(data)])


def to_batch(cols: Any) -> pa.RecordBatch:
    """One record batch of :data:`SCHEMA` from a :class:`RouteColumns` (or
    the compiled builder's columns, which have the same attributes)."""
    n = len(cols)
    zeros = _Zeros(n)
    out: dict[str, pa.Array] = {}
    peer_idx = _int_array(pa.int32(), n, cols.peer)
    peer_rows = cols.peer_rows
    for i, name in enumerate(PEER_FIELDS):
        out[name] = _shared(peer_idx, [r[i] for r in peer_rows], _PEER_TYPES[name])
    out["offset"] = _int_array(pa.uint64(), n, cols.offset)
    out["time"] = _int_array(pa.timestamp("us", tz="UTC"), n, cols.time_us)
    action_idx = _int_array(pa.int8(), n, cols.action)
    out["action"] = pa.DictionaryArray.from_arrays(action_idx, _ACTION_DICT)
    out["reason"] = pa.DictionaryArray.from_arrays(action_idx, _REASON_DICT)
    out["family"] = pa.DictionaryArray.from_arrays(
        _int_array(pa.int16(), n, cols.family), pa.array(cols.family_names, pa.string())
    )
    prefix = cols.prefix
    out["prefix"] = prefix if isinstance(prefix, pa.Array) else pa.array(prefix, pa.string())
    for name in EXTRA_FIELDS:
        rows, values = cols.extra[name]
        out[name] = _sparse(rows, values, _EXTRA_TYPES[name], n, zeros)
    attr_idx = _int_array(pa.int32(), n, cols.attrs)
    for name, values in zip(ATTRIBUTE_FIELDS, cols.attr_cols):
        dictionary = pa.array(values, _ATTR_TYPES[name])
        if dictionary.null_count == len(dictionary):
            out[name] = zeros.null_array(_type(name), n)
        else:
            out[name] = pa.DictionaryArray.from_arrays(attr_idx, dictionary)
    return pa.RecordBatch.from_arrays([out[name] for name in FIELDS], schema=SCHEMA)


def held_bytes(data: pa.Table | pa.RecordBatch) -> int:
    """The octets of Arrow memory *data* holds: every distinct buffer once
    (shared index buffers and the zero buffer count once)."""
    seen: dict[int, int] = {}
    batches = data.to_batches() if isinstance(data, pa.Table) else [data]

    def visit(arr: pa.Array) -> None:
        for buf in arr.buffers():
            if buf is not None:
                seen[buf.address] = max(seen.get(buf.address, 0), buf.size)
        if pa.types.is_dictionary(arr.type):
            visit(arr.dictionary)

    for batch in batches:
        for col in batch.columns:
            visit(col)
    return sum(seen.values())


# ---------------------------------------------------------------------------
# the batch API
# ---------------------------------------------------------------------------
#: rows per record batch of route_batches() (route_table() makes one batch per source)
DEFAULT_BATCH_SIZE = 1 << 20


def compiled_available() -> bool:
    """Whether route tables of raw BMP streams take the compiled batch path."""
    return _compiled() is not None


def _compiled() -> Any:
    """The compiled batch builder module, or None (pure Python, or BMPLIB_PURE=1)."""
    if _impl.fast is None or os.environ.get("BMPLIB_PURE"):
        return None
    try:
        from bmplib_fast import _records  # type: ignore[attr-defined]
    except ImportError:
        return None
    return _records


def route_batches(
    source: Any,
    *,
    name: str | None = None,
    router: str | None = None,
    batch_size: int = DEFAULT_BATCH_SIZE,
    compiled: bool | None = None,
) -> Iterator[pa.RecordBatch]:
    """Record batches of the routes of *source* (bytes of a raw BMP stream,
    a path to a stream or capture, or an iterable of stream items), about
    *batch_size* routes each.  A raw stream goes through the compiled batch
    path when ``bmplib_fast`` is built (*compiled*: force it on or off); the
    rows are the same either way."""
    src = open_source(source)
    label = name if name is not None else src.label
    kernel = _compiled() if compiled is not False else None
    if compiled and kernel is None:
        raise RuntimeError("the compiled batch path is not available (bmplib_fast._records is not built)")
    if src.data is not None and kernel is not None:
        yield from kernel.iter_batches(src.data, label, router, batch_size, RouteColumns, to_batch)
        return
    cols = RouteColumns()
    for item, raw in source_items(src):
        cols.add_item(item, label, router, raw)
        if len(cols) >= batch_size:
            yield to_batch(cols)
            cols = RouteColumns()
    if len(cols):
        yield to_batch(cols)


def route_table(source: Any, **options: Any) -> pa.Table:
    """A ``pyarrow.Table`` of the routes of *source* (see :func:`route_batches`;
    by default one batch for the whole source)."""
    options.setdefault("batch_size", 1 << 62)
    batches = [b for b in route_batches(source, **options) if b.num_rows]
    if not batches:
        return SCHEMA.empty_table()
    return pa.Table.from_batches(batches, schema=SCHEMA)
