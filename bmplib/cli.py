"""The ``bmplib`` command line: ``bmplib decode FILE...`` prints one JSON
object per BMP message (JSON lines)."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence

from bmplib.errors import DecodeError
from bmplib.files import iter_file
from bmplib.json import to_json

__all__ = ["main"]


def _cmd_decode(args: argparse.Namespace) -> int:
    indent = 2 if args.pretty else None
    out = sys.stdout
    for path in args.files:
        try:
            for item in iter_file(path):
                out.write(json.dumps(to_json(item), indent=indent))
                out.write("\n")
        except DecodeError as exc:
            print(f"bmplib: {path}: {exc.reason}", file=sys.stderr)
            return 2
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="bmplib", description="Decode BMP (RFC 7854) streams and captures.")
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("decode", help="print every BMP message as JSON lines")
    p.add_argument("files", nargs="+", metavar="FILE", help="raw BMP stream, pcap or pcapng")
    p.add_argument("--pretty", action="store_true", help="indented JSON")
    p.set_defaults(func=_cmd_decode)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the console script."""
    args = build_parser().parse_args(argv)
    try:
        result: int = args.func(args)
    except BrokenPipeError:  # e.g. piped into head
        sys.stderr.close()
        return 0
    return result
