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
from typing import TYPE_CHECKING, Any, TextIO

from bmplib.aio import Collected, Collector, Output, Router, parse_allow
from bmplib.json import to_json
from bmplib.rib import RIB
from bmplib.stream import DEFAULT_MAX_MESSAGE_LENGTH

if TYPE_CHECKING:
    from bmplib.kafka import KafkaSink

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


class _Outputs:
    """Where the collector's output goes: JSON lines (messages, router events,
    route-state events) and Kafka."""

    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.file: TextIO | None = None
        if args.out not in (None, "-"):
            self.file = open(args.out, "a", encoding="utf-8")
        elif args.out == "-" or not args.kafka:
            self.file = sys.stdout
        self.dumps = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False).encode
        self.rib: RIB | None = RIB(grace=args.grace) if args.events else None
        self.kafka: KafkaSink | None = None
        if args.kafka:
            from bmplib.kafka import KafkaSink

            self.kafka = KafkaSink(
                args.kafka,
                prefix=args.kafka_topic_prefix,
                config=dict(args.kafka_config or ()),
                raw=args.kafka_raw,
                parsed=args.kafka_parsed,
            )

    def _line(self, record: dict[str, Any]) -> None:
        if self.file is not None:
            self.file.write(self.dumps(record) + "\n")

    async def write(self, got: Output) -> None:
        args = self.args
        if isinstance(got, Collected):
            if args.messages:
                self._line(output_to_json(got))
        elif args.router_events:
            self._line(output_to_json(got))
        if self.rib is not None:
            if isinstance(got, Collected):
                events = self.rib.apply(got.item, router=got.router.address)
            elif got.event == "disconnected":
                events = self.rib.disconnect(got.router.address)
            else:
                events = []
            for event in events:
                self._line(to_json(event))
        if self.kafka is not None:
            await self.kafka.publish(got)

    def flush(self) -> None:
        if self.file is not None:
            self.file.flush()

    def close(self) -> str:
        """Flush and close; a summary of the Kafka output ('' without Kafka)."""
        self.flush()
        if self.file is not None and self.file is not sys.stdout:
            self.file.close()
        if self.kafka is None:
            return ""
        left = self.kafka.flush(30.0)
        st = self.kafka.stats
        text = f"; Kafka: {st.produced} records, {st.delivered} delivered, {st.failed} failed"
        if left:
            text += f", {left} undelivered at exit"
        return text


async def _listen(args: argparse.Namespace) -> int:
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
        proxy=args.proxy,
        keep_raw=bool(args.kafka and args.kafka_raw),
    )
    outputs = _Outputs(args)
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
    kafka_summary = ""
    try:
        async for out in collector:
            await outputs.write(out)
            if not collector.queued:  # caught up: what was written is visible to readers
                outputs.flush()
            status.tick()
    finally:
        kafka_summary = outputs.close()
        if closing:
            await closing[0]
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(sig)
    if status.enabled:
        sys.stderr.write("\n")
    print(_summary(collector, time.monotonic() - started) + kafka_summary, file=sys.stderr, flush=True)
    failed = outputs.kafka is not None and (outputs.kafka.stats.failed or outputs.kafka.stats.in_flight)
    return 1 if failed else 0


def _cmd_listen(args: argparse.Namespace) -> int:
    return asyncio.run(_listen(args))


def _config_arg(text: str) -> tuple[str, str]:
    key, sep, value = text.partition("=")
    if not sep or not key:
        raise ValueError(f"expected KEY=VALUE, got {text!r}")
    return key.strip(), value


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
    p.add_argument("--out", metavar="FILE", help="append JSON lines to FILE ('-' or default: stdout, unless --kafka)")
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
    p.add_argument(
        "--proxy", action="store_true", help="connections start with a PROXY protocol v1/v2 header (a load balancer)"
    )
    p.add_argument("--status", action="store_true", help="periodic status line on stderr even when not a terminal")
    p.add_argument("--no-messages", dest="messages", action="store_false", help="do not write the BMP messages")
    p.add_argument("--events", action="store_true", help="write the route-state events (bmplib.rib) as JSON lines")
    p.add_argument(
        "--grace",
        type=float,
        metavar="SECONDS",
        help="with --events: after a router reconnects, withdraw what it has not re-sent after this long",
    )
    k = p.add_argument_group("Kafka (pip install 'bmplib[kafka]'; topics and records: docs/kafka.md)")
    k.add_argument("--kafka", metavar="BOOTSTRAP", help="publish to the Kafka brokers host:port[,host:port...]")
    k.add_argument("--kafka-topic-prefix", default="bmplib", metavar="PREFIX", help="topic prefix (default bmplib)")
    k.add_argument(
        "--kafka-config",
        action="append",
        type=_config_arg,
        metavar="KEY=VALUE",
        help="a librdkafka property (TLS, SASL, acks, ...; repeatable)",
    )
    k.add_argument("--kafka-no-raw", dest="kafka_raw", action="store_false", help="do not publish <prefix>.bmp_raw")
    k.add_argument(
        "--kafka-no-parsed", dest="kafka_parsed", action="store_false", help="do not publish <prefix>.parsed.*"
    )
    p.set_defaults(func=_cmd_listen)
