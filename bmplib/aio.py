"""Live BMP collection with asyncio: routers connect to the collector over TCP
(RFC 7854 section 3.2) and stream BMP messages for as long as they run.

:class:`Collector` accepts BMP sessions from many routers at once, gives each
connection its own :class:`~bmplib.BMPDecoder`, and hands out every decoded
item together with the :class:`Router` it came from, as an async iterator::

    async with bmplib.aio.Collector(port=11019) as collector:
        async for got in collector:
            print(got.router.address, got.router.sys_name, got.item)

What it guarantees:

* Back-pressure: items wait in one bounded queue; while it is full no
  connection is read, so TCP slows the routers down.  Memory per connection is
  bounded by one message (``max_message_length``) plus one read.
* Nothing is dropped silently: every connection's start and end comes out as a
  :class:`RouterEvent` (``connected``, ``disconnected`` with the reason,
  ``refused``), a message cut off by the end of the connection as a
  :class:`~bmplib.SkippedBytes` record, a body that does not decode as an
  :class:`~bmplib.ErrorRecord`.
* One misbehaving peer cannot disturb the others: an allow-list of router
  addresses, a cap on simultaneous routers, a per-connection message length cap
  and an idle timeout; garbage on a connection closes that connection (or is
  skipped with ``resync=True``).

The collector does no decoding of its own: everything it yields is what
:class:`~bmplib.BMPDecoder` yields for the same bytes.
"""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import os
import time
from collections.abc import AsyncIterator, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import BinaryIO, Union

from bmplib.bmp.messages import Initiation, Termination
from bmplib.errors import FramingError, ProxyDecodeError
from bmplib.proxy import decode_proxy_header
from bmplib.stream import DEFAULT_MAX_MESSAGE_LENGTH, BMPDecoder, ErrorRecord, SkippedBytes, StreamItem

__all__ = [
    "Collected",
    "Collector",
    "CollectorStats",
    "Router",
    "RouterEvent",
    "Output",
    "parse_allow",
]

log = logging.getLogger("bmplib.aio")

READ_SIZE = 1 << 16

Network = Union[ipaddress.IPv4Network, ipaddress.IPv6Network]


def parse_allow(entries: Iterable[str]) -> list[Network]:
    """Router addresses or prefixes (``192.0.2.1``, ``2001:db8::/32``) as
    networks; raises ``ValueError`` naming a bad entry."""
    nets: list[Network] = []
    for entry in entries:
        try:
            nets.append(ipaddress.ip_network(entry.strip(), strict=False))
        except ValueError as exc:
            raise ValueError(f"not an address or prefix: {entry!r}") from exc
    return nets


@dataclass(slots=True, eq=False)
class Router:
    """One BMP session: a TCP connection from a router.

    :ivar address: the router's address (the connection's source address).
    :ivar port: the connection's source port.
    :ivar connection: this collector's serial number of the connection.
    :ivar connected_at: when it connected (seconds since the epoch).
    :ivar sys_name: sysName from the router's Initiation message, once seen.
    :ivar sys_descr: sysDescr from the Initiation message, once seen.
    :ivar messages: items decoded from this connection so far.
    :ivar octets: octets received on this connection so far.
    :ivar errors: error and skip records among them.
    :ivar via: with ``Collector(proxy=True)``, the (address, port) of the load
        balancer the connection came through.
    """

    address: str
    port: int
    connection: int
    connected_at: float
    sys_name: str | None = None
    sys_descr: str | None = None
    messages: int = 0
    octets: int = 0
    errors: int = 0
    via: tuple[str, int] | None = None

    @property
    def name(self) -> str:
        """``address:port`` (IPv6 in brackets): how logs name the router."""
        host = f"[{self.address}]" if ":" in self.address else self.address
        return f"{host}:{self.port}"


@dataclass(slots=True)
class Collected:
    """A decoded item and the router connection it came from.

    :ivar router: the :class:`Router`.
    :ivar item: the :class:`~bmplib.BMPDecoder` item (message, error or skip record).
    :ivar received: when the octets that completed it were read (epoch seconds).
    :ivar raw: the item's octets as received (with ``Collector(keep_raw=True)``).
    """

    router: Router
    item: StreamItem
    received: float
    raw: bytes | None = None


@dataclass(slots=True)
class RouterEvent:
    """A connection's life: ``connected``, ``disconnected``, ``refused``.

    :ivar event: what happened.
    :ivar router: the connection (for ``refused``, a :class:`Router` that was never served).
    :ivar reason: why, for ``disconnected`` and ``refused``: ``closed`` (the router
        closed the connection), ``reset``, ``idle``, ``framing error``, ``replaced``
        (the same router connected again), ``termination`` (closed after a
        Termination message), ``collector closed``, ``not allowed``, ``too many routers``.
    :ivar detail: a human-readable detail (the framing error, the limit, ...).
    :ivar time: when (epoch seconds).
    """

    event: str
    router: Router
    reason: str = ""
    detail: str = ""
    time: float = field(default_factory=time.time)

    @property
    def type(self) -> str:
        return "router_" + self.event


Output = Union[Collected, RouterEvent]


@dataclass(slots=True)
class CollectorStats:
    """Counters a user can read at any time (:attr:`Collector.stats`)."""

    connections: int = 0
    refused: int = 0
    routers: int = 0
    messages: int = 0
    octets: int = 0
    errors: int = 0
    discarded: int = 0


class _Connection:
    """The state the collector keeps for one open connection."""

    __slots__ = ("closing_reason", "router", "task", "writer")

    def __init__(self, router: Router, writer: asyncio.StreamWriter) -> None:
        self.router = router
        self.writer = writer
        self.task: asyncio.Task[None] | None = None
        self.closing_reason = ""


class _Window:
    """The octets of one connection not yet handed out, by stream offset."""

    __slots__ = ("base", "buf")

    def __init__(self) -> None:
        self.base = 0
        self.buf = bytearray()

    def feed(self, data: bytes) -> None:
        self.buf += data

    def octets(self, item: StreamItem) -> bytes:
        if isinstance(item, (ErrorRecord, SkippedBytes)):
            return item.data
        start = item.offset - self.base
        length = int.from_bytes(self.buf[start + 1 : start + 5], "big")
        return bytes(self.buf[start : start + length])

    def forget(self, offset: int) -> None:
        """Drop what lies before stream *offset* (all of it handed out)."""
        if offset > self.base:
            del self.buf[: offset - self.base]
            self.base = offset


class Collector:
    """An asyncio BMP collector (a TCP server for many routers).

    :param host: address(es) to listen on; ``None`` listens on all (IPv4 and IPv6).
    :param port: TCP port (0: any free port; see :attr:`addresses`).
    :param allow: router addresses / prefixes allowed to connect (``None``: any).
    :param max_routers: simultaneous connections served; more are refused.
    :param max_message_length: the largest BMP message accepted (per-connection buffer cap).
    :param idle_timeout: seconds without data after which a connection is closed (``None``: never).
    :param queue_size: items waiting for the consumer before reading stops (back-pressure).
    :param resync: skip garbage on a connection (reported as skip records) instead of closing it.
    :param raw_dir: write each connection's raw octets to a file there (``bmplib decode`` reads it back).
    :param replace: a new connection from the address of an open one closes the old one
        (the router restarted its session); ``False`` keeps both.
    :param keep_raw: hand out each item's octets as received (:attr:`Collected.raw`), e.g.
        to republish them (OpenBMP ``bmp_raw``).
    :param proxy: each connection starts with a PROXY protocol v1/v2 header (a load
        balancer in front of the collector, :mod:`bmplib.proxy`): the router is the
        header's source address (the allow-list and :attr:`Router.address` use it;
        :attr:`Router.via` is the balancer); a connection whose header is missing or
        malformed is refused (``bad proxy header``).
    :param asn_guess: the :class:`~bmplib.BMPDecoder` option (retry an AS_PATH with the other AS width).
    """

    def __init__(
        self,
        host: str | Sequence[str] | None = None,
        port: int = 11019,
        *,
        allow: Iterable[str] | None = None,
        max_routers: int = 1024,
        max_message_length: int = DEFAULT_MAX_MESSAGE_LENGTH,
        idle_timeout: float | None = None,
        queue_size: int = 1024,
        resync: bool = False,
        raw_dir: str | os.PathLike[str] | None = None,
        replace: bool = True,
        keep_raw: bool = False,
        proxy: bool = False,
        asn_guess: bool = False,
    ) -> None:
        if max_routers < 1:
            raise ValueError("max_routers must be at least 1")
        if queue_size < 1:
            raise ValueError("queue_size must be at least 1")
        self.host = host
        self.port = port
        self.allow = parse_allow(allow) if allow is not None else None
        self.max_routers = max_routers
        self.max_message_length = max_message_length
        self.idle_timeout = idle_timeout
        self.resync = resync
        self.raw_dir = Path(raw_dir) if raw_dir is not None else None
        self.replace = replace
        self.keep_raw = keep_raw
        self.proxy = proxy
        self.asn_guess = asn_guess
        BMPDecoder(max_message_length=max_message_length)  # reject a bad length now
        self.stats = CollectorStats()
        self._queue: asyncio.Queue[Output | None] = asyncio.Queue(queue_size)
        self._server: asyncio.base_events.Server | None = None
        self._open: dict[int, _Connection] = {}
        self._serial = 0
        self._closed = False

    # -- life ------------------------------------------------------------
    async def start(self) -> None:
        """Start listening."""
        if self.raw_dir is not None:
            self.raw_dir.mkdir(parents=True, exist_ok=True)
        self._server = await asyncio.start_server(self._accept, self.host, self.port, limit=READ_SIZE)

    @property
    def addresses(self) -> list[tuple[str, int]]:
        """The (address, port) pairs listened on."""
        if self._server is None:
            return []
        return [sock.getsockname()[:2] for sock in self._server.sockets]

    @property
    def queued(self) -> int:
        """Items decoded and waiting for the consumer."""
        return self._queue.qsize()

    @property
    def routers(self) -> list[Router]:
        """The routers connected now."""
        return [conn.router for conn in self._open.values()]

    async def close(self, *, discard: bool = False) -> None:
        """Stop listening, close every connection (each ends with a
        ``disconnected`` event, reason ``collector closed``) and end the
        iteration once the items already queued are consumed.

        With ``discard=True`` (what leaving ``async with`` does, when nobody
        iterates any more) the items still queued are dropped instead of
        waited for; their number is logged and kept in
        :attr:`CollectorStats.discarded`."""
        if self._closed:
            return
        self._closed = True
        if self._server is not None:
            self._server.close()
        conns = list(self._open.values())
        for conn in conns:
            conn.closing_reason = conn.closing_reason or "collector closed"
            conn.writer.close()
        tasks = [conn.task for conn in conns if conn.task is not None]
        drainer = asyncio.ensure_future(self._discard()) if discard else None
        if tasks:
            await asyncio.gather(*tasks, return_exceptions=True)
        if self._server is not None:
            await self._server.wait_closed()
        if drainer is not None:
            drainer.cancel()
            while not self._queue.empty():
                self._count_discarded(self._queue.get_nowait())
            if self.stats.discarded:
                log.warning("closed with %d items nobody consumed", self.stats.discarded)
        await self._queue.put(None)

    async def _discard(self) -> None:
        while True:
            self._count_discarded(await self._queue.get())

    def _count_discarded(self, got: Output | None) -> None:
        if got is not None:
            self.stats.discarded += 1

    async def __aenter__(self) -> Collector:
        await self.start()
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.close(discard=True)

    # -- output ----------------------------------------------------------
    def __aiter__(self) -> AsyncIterator[Output]:
        return self._items()

    async def _items(self) -> AsyncIterator[Output]:
        while True:
            got = await self._queue.get()
            if got is None:
                await self._queue.put(None)  # every later iteration ends too
                return
            yield got

    async def _emit(self, out: Output) -> None:
        await self._queue.put(out)

    # -- connections -----------------------------------------------------
    def _allowed(self, address: str) -> bool:
        if self.allow is None:
            return True
        try:
            ip = ipaddress.ip_address(address.split("%", 1)[0])
        except ValueError:
            return False
        if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
            ip = ip.ipv4_mapped
        return any(ip in net for net in self.allow)

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        peer = writer.get_extra_info("peername") or ("", 0)
        self._serial += 1
        router = Router(str(peer[0]), int(peer[1]), self._serial, time.time())
        self.stats.connections += 1
        if self._closed:  # a late arrival while closing: the iteration may have ended
            self.stats.refused += 1
            writer.close()
            return
        refusal = detail = ""
        first = b""
        if self.proxy:
            try:
                first = await self._read_proxy(router, reader)
            except (ProxyDecodeError, ConnectionError, OSError, asyncio.TimeoutError, EOFError) as exc:
                refusal, detail = "bad proxy header", str(exc) or type(exc).__name__
        if not refusal:
            if not self._allowed(router.address):
                refusal = "not allowed"
            elif len(self._open) >= self.max_routers:
                refusal = "too many routers"
        if refusal:
            self.stats.refused += 1
            log.warning("refused %s: %s %s", router.name, refusal, detail)
            writer.close()
            await self._emit(RouterEvent("refused", router, refusal, detail))
            return
        if self.replace:
            for other in list(self._open.values()):
                if other.router.address == router.address:
                    other.closing_reason = "replaced"
                    other.writer.close()
        conn = _Connection(router, writer)
        conn.task = asyncio.current_task()
        self._open[router.connection] = conn
        self.stats.routers = len(self._open)
        log.info("connected %s", router.name)
        try:
            await self._emit(RouterEvent("connected", router))
            reason, detail = await self._serve(conn, reader, first)
            await self._emit(RouterEvent("disconnected", router, reason, detail))
            log.info("disconnected %s: %s %s", router.name, reason, detail)
        finally:
            writer.close()
            self._open.pop(router.connection, None)
            self.stats.routers = len(self._open)

    async def _read_proxy(self, router: Router, reader: asyncio.StreamReader) -> bytes:
        """Read the PROXY protocol header; the router is its source. Returns
        the octets read after the header (the start of the BMP stream)."""
        buf = b""
        while True:
            read = reader.read(READ_SIZE)
            data = await (read if self.idle_timeout is None else asyncio.wait_for(read, self.idle_timeout))
            if not data:
                raise EOFError("the connection ended before its PROXY header")
            buf += data
            found = decode_proxy_header(buf)
            if found is not None:
                break
        header, length = found
        router.via = (router.address, router.port)
        if header.source_address is not None and header.source_port is not None:
            router.address, router.port = header.source_address, header.source_port
        return buf[length:]

    async def _serve(self, conn: _Connection, reader: asyncio.StreamReader, first: bytes = b"") -> tuple[str, str]:
        """Read one connection to its end; the reason it ended and a detail."""
        router = conn.router
        decoder = BMPDecoder(max_message_length=self.max_message_length, resync=self.resync, asn_guess=self.asn_guess)
        raw = self._raw_file(router)
        window = _Window() if self.keep_raw else None
        reason, detail = "closed", ""
        terminated = False
        try:
            while True:
                try:
                    if first:
                        data, first = first, b""
                    elif self.idle_timeout is None:
                        data = await reader.read(READ_SIZE)
                    else:
                        data = await asyncio.wait_for(reader.read(READ_SIZE), self.idle_timeout)
                except asyncio.TimeoutError:
                    reason, detail = "idle", f"no data for {self.idle_timeout:g} s"
                    break
                except (ConnectionError, OSError) as exc:
                    reason, detail = ("reset", str(exc)) if not conn.closing_reason else (conn.closing_reason, "")
                    break
                if not data:
                    if conn.closing_reason:
                        reason = conn.closing_reason
                    elif terminated:
                        reason = "termination"
                    break
                router.octets += len(data)
                self.stats.octets += len(data)
                if raw is not None:
                    raw.write(data)
                decoder.feed(data)
                if window is not None:
                    window.feed(data)
                try:
                    terminated = await self._drain(router, decoder, window) or terminated
                except FramingError as exc:
                    reason, detail = "framing error", str(exc)
                    break
            if reason != "framing error":
                decoder.close()
                try:
                    await self._drain(router, decoder, window)
                except FramingError as exc:  # pragma: no cover - close() never raises a new one
                    reason, detail = "framing error", str(exc)
        finally:
            if raw is not None:
                raw.close()
        return reason, detail

    async def _drain(self, router: Router, decoder: BMPDecoder, window: _Window | None) -> bool:
        """Hand out every complete item; whether a Termination was among them."""
        terminated = False
        for item in decoder:
            raw = window.octets(item) if window is not None else None
            router.messages += 1
            self.stats.messages += 1
            if isinstance(item, Initiation):
                router.sys_name = item.sys_name if item.sys_name is not None else router.sys_name
                router.sys_descr = item.sys_descr if item.sys_descr is not None else router.sys_descr
            elif isinstance(item, Termination):
                terminated = True
            elif item.type in ("error", "skipped"):
                router.errors += 1
                self.stats.errors += 1
            await self._emit(Collected(router, item, time.time(), raw))
        if window is not None:
            window.forget(decoder.offset)
        return terminated

    def _raw_file(self, router: Router) -> BinaryIO | None:
        if self.raw_dir is None:
            return None
        stamp = time.strftime("%Y%m%dT%H%M%S", time.gmtime(router.connected_at))
        host = router.address.replace(":", "_")
        name = f"{host}_{router.port}_{stamp}_{router.connection}.bmp"
        return open(self.raw_dir / name, "wb")
