"""JSON output at the speed of decoding?  CPU seconds of one run, on one file.

In-process, over the first ``--messages`` messages of a raw BMP stream (each
variant gets the same decoded messages, decoded once per variant so memory
stays flat):

* ``decode``: decoding alone (the floor);
* ``reference + json``: the generic walk that defines the schema
  (``bmplib.json.reference_to_json``) and ``json.dumps`` (the CLI before);
* ``plans + json`` / ``plans + orjson``: ``to_json`` (a plan per class:
  precomputed field tuples, one attrgetter per object) and the two encoders;
* ``compiled``: ``bmplib_json``'s renderer, text straight from the objects.

Then the command line on a capture, as a user runs it (child CPU time from
``getrusage``): ``bmplib decode --count`` (decoding, no output),
``bmplib decode > /dev/null``, ``bmplib decode --pure-json``, and
``tshark -T fields`` with four fields.

    python benchmarks/bench_json.py [--stream FILE.bmp] [--capture FILE.pcap] [--messages N]

Defaults: ../shared/pcaps/frr_large.bmp and .pcap.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import bmplib  # noqa: E402
from bmplib.json import COMPILED_RENDERER, dumps, reference_to_json, render, to_json  # noqa: E402

SHARED = Path(os.environ.get("BMPLIB_SHARED") or ROOT.parent / "shared") / "pcaps"
TSHARK_FIELDS = ["frame.time_epoch", "bmp.type", "bmp.peer.ip.addr", "bgp.nlri_prefix"]


def messages(path: Path, limit: int) -> Iterator[Any]:
    for n, item in enumerate(bmplib.iter_file(path)):
        if n >= limit:
            return
        yield item


def cpu(fn: Callable[[], object]) -> float:
    start = time.process_time()
    fn()
    return time.process_time() - start


def in_process(path: Path, limit: int) -> dict[str, float]:
    def run(render_one: Callable[[Any], object] | None) -> Callable[[], object]:
        def go() -> None:
            if render_one is None:
                for _ in messages(path, limit):
                    pass
            else:
                for m in messages(path, limit):
                    render_one(m)

        return go

    variants: dict[str, Callable[[Any], object] | None] = {
        "decode": None,
        "reference + json": lambda m: json.dumps(reference_to_json(m)),
        "plans + json": lambda m: json.dumps(to_json(m), ensure_ascii=False, separators=(",", ":")),
        "plans + orjson": lambda m: dumps(to_json(m)),
    }
    if COMPILED_RENDERER:
        variants["compiled"] = render
    return {name: cpu(run(fn)) for name, fn in variants.items()}


def child_cpu(argv: list[str]) -> float:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False, cwd=ROOT)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def command_line(path: Path, pure: bool) -> dict[str, float]:
    cli = [sys.executable, "-m", "bmplib", "decode", "-q"]
    out = {
        "bmplib decode --count": child_cpu([*cli, "--count", str(path)]),
        "bmplib decode > /dev/null": child_cpu([*cli, str(path)]),
    }
    if pure:
        out["bmplib decode --pure-json"] = child_cpu([*cli, "--pure-json", str(path)])
    if shutil.which("tshark"):
        fields = [x for f in TSHARK_FIELDS for x in ("-e", f)]
        out[f"tshark -T fields ({len(TSHARK_FIELDS)} fields)"] = child_cpu(
            ["tshark", "-n", "-r", str(path), "-d", "tcp.port==11019,bmp", "-T", "fields", *fields]
        )
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--stream", type=Path, default=SHARED / "frr_large.bmp")
    ap.add_argument("--capture", type=Path, default=SHARED / "frr_large.pcap")
    ap.add_argument("--messages", type=int, default=60_000)
    ap.add_argument("--pure-json", action="store_true", help="also time the CLI with --pure-json (slow)")
    args = ap.parse_args()
    print(f"bmplib {bmplib.IMPLEMENTATION}, compiled renderer: {COMPILED_RENDERER}; CPU seconds")
    if args.stream.exists():
        title = f"in process, first {args.messages} messages of {args.stream.name}"
        report(title, in_process(args.stream, args.messages), "decode")
    if args.capture.exists():
        title = f"command line on {args.capture.name} ({args.capture.stat().st_size / 1e6:.0f} MB)"
        report(title, command_line(args.capture, args.pure_json), "bmplib decode --count")


def report(title: str, res: dict[str, float], floor_name: str) -> None:
    """One table: each variant's CPU seconds and its ratio to *floor_name*'s."""
    floor = res[floor_name]
    print(f"\n{title}")
    for name, t in res.items():
        ratio = "" if name == floor_name else f"  (output alone {t - floor:6.2f}, {t / floor:4.1f}x {floor_name})"
        print(f"  {name:<34} {t:6.2f}{ratio}")


if __name__ == "__main__":
    main()
