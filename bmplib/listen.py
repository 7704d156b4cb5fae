"""``bmplib listen``: a BMP collector on the command line (:mod:`bmplib.aio`).

Routers connect; every decoded message goes out as a JSON line (the schema
of ``bmplib decode`` plus ``"router"``), each router's raw stream can be kept
in a file, and Ctrl-C or SIGTERM ends it cleanly with a summary on stderr.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import signal
import sys
import time
from collections.abc import Callable
from typing import Any, TextIO

from bmplib.aio import Collected, Collector, Output, Router, RouterEvent, parse_allow
from bmplib.json import to_json
from bmplib.stream import DEFAULT_MAX_MESSAGE_LENGTH

__all__ = ["add_parser", "output_to_json", "router_to_json"]

STATUS_INTERVAL = 10.0


def router_to_json(router: Router) -> dict[str, Any]:
    """The ``"router"`` object of a collected record (docs/json.md)."""
    return {
        "address": router.address,
        "port": router.port,
        "connection": router.connection,
        "sys_name": router.sys_name,
    }


def output_to_json(out: Output) -> dict[str, Any]:
    """The JSON record of what the collector hands out: a decoded item with
    ``"router"``, or a ``router_connected`` / ``router_disconnected`` /
    ``router_refused`` record."""
    if isinstance(out, Collected):
        record: dict[str, Any] = to_json(out.item)
        record["router"] = router_to_json(out.router)
        return record
    return {
        "type": out.type,
        "router": router_to_json(out.router),
        "reason": out.reason,
        "detail": out.detail,
        "time": out.time,
    }


class _Status:
    """A one-line status on stderr every few seconds (when it is a terminal)."""

    def __init__(self, collector: Collector, stream: TextIO, enabled: bool) -> None:
        self.collector = collector
        self.stream = stream
        self.enabled = enabled
        self.start = time.monotonic()
        self.last = self.start
        self.last_messages = 0

    def tick(self) -> None:
        now = time.monotonic()
        if not self.enabled or now - self.last < STATUS_INTERVAL:
            return
        stats = self.collector.stats
        rate = (stats.messages - self.last_messages) / (now - self.last)
        self.last, self.last_messages = now, stats.messages
        self.stream.write(
            f"\rbmplib listen: {stats.routers} routers, {stats.messages} messages ({rate:,.0f}/s), "
            f"{stats.errors} errors, {stats.octets:,} octets "
        )
        self.stream.flush()


def _summary(collector: Collector, seconds: float) -> str:
    s = collector.stats
    return (
        f"bmplib listen: {s.connections} connections ({s.refused} refused), {s.messages} messages, "
        f"{s.errors} error/skip records, {s.octets} octets in {seconds:.1f} s"
    )


async def _listen(args: argparse.Namespace, write: Callable[[Output], None], flush: Callable[[], None]) -> int:
    collector = Collector(
        args.bind or None,
        args.listen_port,
        allow=args.allow,
        max_routers=args.max_routers,
        max_message_length=args.max_message_length,
        idle_timeout=args.idle_timeout,
        queue_size=args.queue_size,
        resync=args.resync,
        raw_dir=args.raw,
    )
    await collector.start()
    loop = asyncio.get_running_loop()
    closing: list[asyncio.Task[None]] = []

    def stop() -> None:
        if not closing:
            closing.append(loop.create_task(collector.close()))

    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop)
    where = ", ".join(f"[{a}]:{p}" if ":" in a else f"{a}:{p}" for a, p in collector.addresses)
    print(f"bmplib listen: listening on {where}", file=sys.stderr, flush=True)
    status = _Status(collector, sys.stderr, args.status or sys.stderr.isatty())
    started = time.monotonic()
    try:
        async for out in collector:
            write(out)
            if not collector.queued:  # caught up: what was written is visible to readers
                flush()
            status.tick()
    finally:
        flush()
        if closing:
            await closing[0]
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(sig)
    if status.enabled:
        sys.stderr.write("\n")
    print(_summary(collector, time.monotonic() - started), file=sys.stderr, flush=True)
    return 0


def _cmd_listen(args: argparse.Namespace) -> int:
    if args.out in (None, "-"):
        out: TextIO = sys.stdout
    else:
        out = open(args.out, "a", encoding="utf-8")
    dumps = json.JSONEncoder(separators=(",", ":")).encode

    def write(got: Output) -> None:
        if isinstance(got, RouterEvent) and not args.router_events:
            return
        out.write(dumps(output_to_json(got)) + "\n")

    def flush() -> None:
        out.flush()

    try:
        return asyncio.run(_listen(args, write, flush))
    finally:
        if out is not sys.stdout:
            out.close()


def _allow_arg(text: str) -> str:
    parse_allow([text])  # raises ValueError with the entry named: argparse reports it
    return text


def add_parser(sub: Any) -> None:
    """Register ``bmplib listen`` on the command line's subparsers."""
    p = sub.add_parser(
        "listen",
        help="run a BMP collector: routers connect, messages go out as JSON lines",
        description="Accept BMP sessions from routers (RFC 7854 section 3.2) and write every decoded message "
        "as a JSON line with the router it came from. Ctrl-C or SIGTERM stops it cleanly.",
    )
    p.add_argument("--port", dest="listen_port", type=int, default=11019, help="TCP port (default 11019; 0: any)")
    p.add_argument("--bind", action="append", metavar="ADDR", help="address to listen on (repeatable; default: all)")
    p.add_argument("--out", metavar="FILE", help="append JSON lines to FILE (default: stdout)")
    p.add_argument("--raw", metavar="DIR", help="keep each connection's raw BMP stream in a file in DIR")
    p.add_argument(
        "--allow",
        action="append",
        type=_allow_arg,
        metavar="PREFIX",
        help="router address or prefix allowed to connect (repeatable; default: any)",
    )
    p.add_argument("--max-routers", type=int, default=1024, help="simultaneous routers served (default 1024)")
    p.add_argument(
        "--max-message-length",
        type=int,
        default=DEFAULT_MAX_MESSAGE_LENGTH,
        help=f"largest BMP message accepted (default {DEFAULT_MAX_MESSAGE_LENGTH})",
    )
    p.add_argument("--idle-timeout", type=float, metavar="SECONDS", help="close a connection idle this long")
    p.add_argument("--queue-size", type=int, default=1024, help="items buffered before reading pauses")
    p.add_argument("--resync", action="store_true", help="skip garbage on a connection instead of closing it")
    p.add_argument(
        "--no-router-events",
        dest="router_events",
        action="store_false",
        help="do not write router_connected / router_disconnected / router_refused records",
    )
    p.add_argument("--status", action="store_true", help="periodic status line on stderr even when not a terminal")
    p.set_defaults(func=_cmd_listen)
