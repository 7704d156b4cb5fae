"""``bmplib routes FILE...``: route records (docs/records.md) as JSON lines,
CSV, PSV or Parquet, with route filters (:mod:`bmplib.records.filters`).

Registered on the ``bmplib`` command line by :func:`register`.  Exit status:
0 ok, 2 bad input (a file that cannot be read or does not decode to the end).
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import sys
from collections.abc import Iterator, Sequence
from typing import Any, TextIO

from bmplib.errors import DecodeError
from bmplib.records.filters import FAMILY_ALIASES, RouteFilter, family_name, parse_time
from bmplib.records.record import FIELDS

__all__ = ["register", "run"]

EXIT_OK = 0
EXIT_BAD_INPUT = 2
FORMATS = ("json", "csv", "psv", "parquet")


def _family(text: str) -> str:
    try:
        return family_name(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _time(text: str) -> float:
    try:
        return parse_time(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _split(text: str) -> list[str]:
    return [x for x in text.split(",") if x]


def register(sub: Any) -> None:
    """Add the ``routes`` subcommand to the ``bmplib`` subparsers *sub*."""
    p = sub.add_parser(
        "routes",
        help="print one record per announced or withdrawn route (JSON lines, CSV, PSV, Parquet)",
        description="One record per announced or withdrawn route, from raw BMP streams, pcap or pcapng files.",
    )
    p.add_argument("files", nargs="+", metavar="FILE", help="raw BMP stream, pcap or pcapng ('-' for stdin)")
    p.add_argument("--format", choices=FORMATS, default="json", help="output format (default: JSON lines)")
    p.add_argument("-o", "--output", metavar="OUT", help="write here (Parquet: a file, or a dataset directory)")
    g = p.add_argument_group("route filters (all must hold; a repeated option matches any of its values)")
    g.add_argument("--prefix", action="append", metavar="PREFIX", help="this prefix exactly")
    g.add_argument("--prefix-more", action="append", metavar="PREFIX", help="this prefix and its more-specifics")
    g.add_argument("--prefix-less", action="append", metavar="PREFIX", help="this prefix and its less-specifics")
    g.add_argument("--origin-asn", action="append", type=int, metavar="ASN", help="origin AS")
    g.add_argument("--as-path", action="append", metavar="REGEX", help="regular expression on the AS path text")
    g.add_argument("--community", action="append", metavar="C", help="65001:100, NO_EXPORT, 65001:1:2, target:1:2")
    g.add_argument("--peer", action="append", metavar="PEER", help="peer address, CIDR block or AS")
    g.add_argument("--action", action="append", choices=("announce", "withdraw"))
    g.add_argument(
        "--family",
        action="append",
        type=_family,
        metavar="FAMILY",
        help=f"family name or alias ({', '.join(sorted(FAMILY_ALIASES))}, ipv4-unicast, ...)",
    )
    g.add_argument(
        "--table",
        action="append",
        choices=("adj-rib-in-pre", "adj-rib-in-post", "adj-rib-out-pre", "adj-rib-out-post", "loc-rib"),
    )
    g.add_argument("--since", type=_time, metavar="TIME", help="from this time (epoch seconds or ISO 8601, UTC)")
    g.add_argument("--until", type=_time, metavar="TIME", help="before this time")
    d = p.add_argument_group("Parquet datasets (many files at once)")
    d.add_argument(
        "--partition-by",
        type=_split,
        metavar="COLS",
        help="write a dataset directory partitioned by these columns (router,date,source,peer_address,family,table)",
    )
    d.add_argument("--workers", type=int, metavar="N", help="decode N files at a time (processes; default: CPUs)")
    d.add_argument("--dask", metavar="SCHEDULER", help="run on this Dask scheduler address ('local': a LocalCluster)")
    p.set_defaults(func=run)


def _filter(args: argparse.Namespace) -> RouteFilter:
    return RouteFilter(
        prefix=args.prefix or [], prefix_more=args.prefix_more or [], prefix_less=args.prefix_less or [],
        origin_asn=args.origin_asn or [], as_path=args.as_path or [], community=args.community or [],
        peer=args.peer or [], action=args.action or [], family=args.family or [], table=args.table or [],
        since=args.since, until=args.until,
    )  # fmt: skip


def _have_arrow() -> bool:
    try:
        import pyarrow  # noqa: F401
    except ImportError:
        return False
    return True


def _source(path: str) -> Any:
    if path != "-":
        return path
    data = sys.stdin.buffer.read()
    from bmplib.files import detect_format, iter_fileobj

    if detect_format(data[:4]) == "bmp":
        return data
    return ((item, None) for item in iter_fileobj(io.BytesIO(data)))


def _rows(source: Any, name: str, filt: RouteFilter) -> Iterator[dict[str, Any]]:
    """The kept records of one source as dicts (the JSON form)."""
    if not _have_arrow():
        from bmplib.records import iter_routes

        for rec in iter_routes(source, name=name):
            if not filt.active or filt(rec):
                yield rec.__json__()
        return
    import pyarrow as pa

    from bmplib.records.arrow import route_batches

    for batch in route_batches(source, name=name, batch_size=1 << 16):
        batch = filt.filter_table(batch)
        if not batch.num_rows:
            continue
        times = batch.column("time").cast(pa.int64()).to_pylist()
        for row, t in zip(batch.to_pylist(), times):
            row["time"] = t / 1e6
            yield row


def _text_value(v: Any) -> Any:
    if v is None:
        return ""
    if isinstance(v, list):
        return " ".join(map(str, v))
    return v


def _write_text(args: argparse.Namespace, filt: RouteFilter, out: TextIO) -> int:
    status = EXIT_OK
    writer: Any = None
    if args.format in ("csv", "psv"):
        writer = csv.writer(out, delimiter="," if args.format == "csv" else "|", lineterminator="\n")
        writer.writerow(FIELDS)
    dumps = json.JSONEncoder(separators=(",", ":")).encode
    for path in args.files:
        try:
            for row in _rows(_source(path), path, filt):
                if writer is None:
                    out.write(dumps(row))
                    out.write("\n")
                else:
                    writer.writerow([_text_value(row[k]) for k in FIELDS])
        except BrokenPipeError:
            raise
        except (DecodeError, OSError) as exc:
            out.flush()
            reason = exc.reason if isinstance(exc, DecodeError) else (exc.strerror or str(exc))
            print(f"bmplib: {path}: {reason}", file=sys.stderr)
            status = EXIT_BAD_INPUT
    return status


def _write_parquet(args: argparse.Namespace, filt: RouteFilter) -> int:
    if not _have_arrow():
        print("bmplib: --format parquet needs pyarrow: pip install 'bmplib[arrow]'", file=sys.stderr)
        return EXIT_BAD_INPUT
    if not args.output:
        print("bmplib: --format parquet needs -o FILE (or a directory with --partition-by)", file=sys.stderr)
        return EXIT_BAD_INPUT
    if args.partition_by or args.workers or args.dask or os.path.isdir(args.output) or len(args.files) > 1:
        return _write_dataset(args, filt)
    import pyarrow.parquet as pq

    from bmplib.records.arrow import plain_schema, route_batches

    path = args.files[0]
    schema = plain_schema()
    with pq.ParquetWriter(args.output, schema) as writer:
        try:
            for batch in route_batches(_source(path), name=path):
                batch = filt.filter_table(batch)
                if batch.num_rows:
                    writer.write_batch(batch.cast(schema))
        except (DecodeError, OSError) as exc:
            reason = exc.reason if isinstance(exc, DecodeError) else (exc.strerror or str(exc))
            print(f"bmplib: {path}: {reason}", file=sys.stderr)
            return EXIT_BAD_INPUT
    return EXIT_OK


def _write_dataset(args: argparse.Namespace, filt: RouteFilter) -> int:
    from bmplib.records.dataset import write_dataset

    if "-" in args.files:
        print("bmplib: a Parquet dataset is made from files, not stdin", file=sys.stderr)
        return EXIT_BAD_INPUT
    client = cluster = None
    if args.dask:
        import distributed

        Client: Any = distributed.Client
        LocalCluster: Any = distributed.LocalCluster
        if args.dask == "local":
            cluster = LocalCluster(n_workers=args.workers or 2, threads_per_worker=1, processes=True)
            client = Client(cluster)
        else:
            client = Client(args.dask)
    try:
        results = write_dataset(
            args.files, args.output, partition_by=args.partition_by or (), route_filter=filt if filt.active else None,
            workers=args.workers, client=client,
        )  # fmt: skip
    except ValueError as exc:
        print(f"bmplib: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    finally:
        closing: list[Any] = [c for c in (client, cluster) if c is not None]
        for c in closing:
            c.close()
    status = EXIT_OK
    for r in results:
        if r.error is not None:
            print(f"bmplib: {r.source}: {r.error}", file=sys.stderr)
            status = EXIT_BAD_INPUT
    return status


def run(args: argparse.Namespace) -> int:
    """Run ``bmplib routes`` with parsed *args*."""
    try:
        filt = _filter(args)
    except ValueError as exc:
        print(f"bmplib: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    if args.format == "parquet":
        return _write_parquet(args, filt)
    if args.output:
        with open(args.output, "w", encoding="utf-8", newline="") as out:
            return _write_text(args, filt, out)
    return _write_text(args, filt, sys.stdout)


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m bmplib.records.cli`` (the same as ``bmplib routes``)."""
    parser = argparse.ArgumentParser(prog="bmplib")
    register(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(["routes", *(sys.argv[1:] if argv is None else argv)])
    result: int = args.func(args)
    return result
