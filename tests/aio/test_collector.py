"""bmplib.aio.Collector over real TCP on 127.0.0.0/8: simulated routers replay
the captures of pcaps/ (random chunking, many at once), misbehave (garbage,
a cut mid-message, idle, a burst past the cap, a refused address, a
reconnect), and a slow consumer applies back-pressure.  What the collector
hands out must equal ``bmplib.iter_file`` of the same bytes."""

from __future__ import annotations

import asyncio
import json
import random
import socket
import struct
from collections import defaultdict
from pathlib import Path
from typing import Any

import pytest

import bmplib
from bmplib.aio import Collected, Collector, Output, RouterEvent
from tests.conftest import PCAPS

BMP_FILES = sorted(p.name for p in PCAPS.glob("*.bmp"))
TIMEOUT = 60.0


def canon(item: Any) -> Any:
    return json.loads(json.dumps(bmplib.to_json(item)))


def expected(name: str) -> list[Any]:
    return [canon(item) for item in bmplib.iter_file(PCAPS / name)]


async def send(
    port: int,
    data: bytes,
    seed: int,
    *,
    host: str = "127.0.0.1",
    local: str | None = None,
    close: bool = True,
) -> asyncio.StreamWriter:
    """Stream *data* to the collector in random pieces (a simulated router)."""
    rng = random.Random(seed)
    _reader, writer = await asyncio.open_connection(host, port, local_addr=(local, 0) if local else None)
    pos = 0
    while pos < len(data):
        size = rng.choice((1, 5, 6, 7, 48, 100, 1000, 4096, 20000))
        writer.write(data[pos : pos + size])
        pos += size
        await writer.drain()
        if rng.random() < 0.05:
            await asyncio.sleep(0)
    if close:
        writer.close()
        await writer.wait_closed()
    return writer


async def collect_until(
    collector: Collector, *, disconnected: int | None = None, count: int | None = None, limit: float = TIMEOUT
) -> list[Output]:
    """Take what the collector hands out until *count* outputs or
    *disconnected* ``disconnected`` events have come."""
    got: list[Output] = []
    ends = 0

    async def run() -> None:
        nonlocal ends
        async for out in collector:
            got.append(out)
            ends += isinstance(out, RouterEvent) and out.event == "disconnected"
            if ends == disconnected or len(got) == count:
                return

    await asyncio.wait_for(run(), limit)
    return got


def disconnects(got: list[Output]) -> list[RouterEvent]:
    return [o for o in got if isinstance(o, RouterEvent) and o.event == "disconnected"]


def by_connection(got: list[Output]) -> dict[int, list[Any]]:
    per: dict[int, list[Any]] = defaultdict(list)
    for out in got:
        if isinstance(out, Collected):
            per[out.router.connection].append(out.item)
    return per


def test_many_routers_at_once_equal_iter_file() -> None:
    """24 simulated routers (every capture of pcaps/ several times) at once,
    each cut into random pieces: each connection's items are exactly
    iter_file's of the file it replayed."""
    files = (BMP_FILES * 4)[:24]

    async def main() -> tuple[list[Output], dict[int, str]]:
        async with Collector("127.0.0.1", 0, queue_size=64) as collector:
            port = collector.addresses[0][1]
            sent: dict[tuple[str, int], str] = {}

            async def one(i: int, name: str) -> None:
                # each router from its own address (a new connection from the
                # address of an open one replaces it, as a restarted router's would)
                writer = await send(port, (PCAPS / name).read_bytes(), seed=i, local=f"127.0.1.{i + 1}", close=False)
                sent[writer.get_extra_info("sockname")[:2]] = name
                writer.close()
                await writer.wait_closed()

            senders = asyncio.gather(*(one(i, name) for i, name in enumerate(files)))
            got = await collect_until(collector, disconnected=len(files))
            await senders
            names = {}
            for out in got:
                if isinstance(out, RouterEvent):
                    names[out.router.connection] = sent[(out.router.address, out.router.port)]
            return got, names

    got, names = asyncio.run(main())
    assert {d.reason for d in disconnects(got)} <= {"closed", "termination"}
    per = by_connection(got)
    assert len(names) == len(files)
    for conn, name in names.items():
        assert [canon(i) for i in per[conn]] == expected(name), name
    # the router's identity: sysName from its Initiation
    for out in got:
        if isinstance(out, Collected) and out.item.type == bmplib.MessageType.PEER_UP:
            assert out.router.sys_name


def test_keep_raw_gives_each_messages_octets() -> None:
    data = (PCAPS / "gobgp_vpn_evpn.bmp").read_bytes()

    async def main() -> list[Output]:
        async with Collector("127.0.0.1", 0, keep_raw=True) as collector:
            task = asyncio.ensure_future(send(collector.addresses[0][1], data, seed=7))
            got = await collect_until(collector, disconnected=1)
            await task
            return got

    raws = [o.raw for o in asyncio.run(main()) if isinstance(o, Collected)]
    assert all(r is not None for r in raws)
    assert b"".join(r for r in raws if r is not None) == data
    assert [bmplib.encode(bmplib.decode(r)) for r in raws if r is not None] == raws


def test_garbage_closes_that_connection_only() -> None:
    good = (PCAPS / "frr_unicast.bmp").read_bytes()
    garbage = b"GET / HTTP/1.1\r\nHost: x\r\n\r\n" * 10

    async def main() -> list[Output]:
        async with Collector("127.0.0.1", 0) as collector:
            port = collector.addresses[0][1]
            tasks = asyncio.gather(send(port, garbage, 1, local="127.0.0.2"), send(port, good, 2, local="127.0.0.3"))
            got = await collect_until(collector, disconnected=2)
            await tasks
            return got

    got = asyncio.run(main())
    reasons = sorted(d.reason for d in disconnects(got))
    assert reasons == ["closed", "framing error"]
    bad = next(d for d in disconnects(got) if d.reason == "framing error")
    assert "version" in bad.detail
    good_conn = next(d.router.connection for d in disconnects(got) if d.reason == "closed")
    assert [canon(i) for i in by_connection(got)[good_conn]] == expected("frr_unicast.bmp")


def test_garbage_with_resync_is_skipped_and_reported() -> None:
    good = (PCAPS / "gobgp_unicast.bmp").read_bytes()
    data = b"\xff" * 100 + good

    async def main() -> list[Output]:
        async with Collector("127.0.0.1", 0, resync=True) as collector:
            task = asyncio.ensure_future(send(collector.addresses[0][1], data, 3))
            got = await collect_until(collector, disconnected=1)
            await task
            return got

    got = asyncio.run(main())
    items = [o.item for o in got if isinstance(o, Collected)]
    assert items[0].type == "skipped" and items[0].data == b"\xff" * 100
    assert [canon(i) for i in items[1:]] == [
        {**rec, "offset": rec["offset"] + 100} for rec in expected("gobgp_unicast.bmp")
    ]
    assert disconnects(got)[0].router.errors == 1


def test_router_killed_mid_message() -> None:
    """A router that dies half-way through a message: the messages before it,
    the partial message as a skip record, a disconnect: nothing lost."""
    data = (PCAPS / "frr_unicast.bmp").read_bytes()
    cut = 5000 + 17

    async def main() -> list[Output]:
        async with Collector("127.0.0.1", 0) as collector:
            port = collector.addresses[0][1]
            _r, writer = await asyncio.open_connection("127.0.0.1", port)
            writer.write(data[:cut])
            await writer.drain()
            sock = writer.get_extra_info("socket")
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))  # RST on close
            writer.transport.abort()
            return await collect_until(collector, disconnected=1)

    got = asyncio.run(main())
    items = [o.item for o in got if isinstance(o, Collected)]
    whole = list(bmplib.iter_file(PCAPS / "frr_unicast.bmp"))
    complete = [m for m in whole if m.offset + len(bmplib.encode(m)) <= cut]
    assert [canon(i) for i in items[:-1]] == [canon(m) for m in complete]
    assert items[-1].type == "skipped"
    assert items[-1].offset + len(items[-1].data) == cut
    assert disconnects(got)[0].reason in ("closed", "reset")


def test_idle_router_is_closed() -> None:
    async def main() -> list[Output]:
        async with Collector("127.0.0.1", 0, idle_timeout=0.3) as collector:
            _r, writer = await asyncio.open_connection("127.0.0.1", collector.addresses[0][1])
            writer.write(b"\x03\x00\x00\x00\x06\x04")  # one empty Initiation, then nothing
            await writer.drain()
            got = await collect_until(collector, disconnected=1)
            writer.close()
            return got

    got = asyncio.run(main())
    assert [o.item.type for o in got if isinstance(o, Collected)] == [bmplib.MessageType.INITIATION]
    assert disconnects(got)[0].reason == "idle"


def test_burst_past_the_cap_is_refused_and_the_rest_served() -> None:
    data = (PCAPS / "gobgp_unicast.bmp").read_bytes()

    async def main() -> tuple[list[Output], Collector]:
        async with Collector("127.0.0.1", 0, max_routers=3) as collector:
            port = collector.addresses[0][1]
            holders = []
            for i in range(3):  # three routers connected and silent
                holders.append((await asyncio.open_connection("127.0.0.1", port, local_addr=(f"127.0.2.{i}", 0)))[1])
            got = await collect_until(collector, count=3)
            burst = [
                await asyncio.open_connection("127.0.0.1", port, local_addr=(f"127.0.3.{i}", 0)) for i in range(10)
            ]
            got += await collect_until(collector, count=10)
            for _r, w in burst:
                w.close()
            for w in holders:  # the first three now send a whole capture
                w.write(data)
                await w.drain()
                w.close()
            got += await collect_until(collector, disconnected=3)
            return got, collector

    got, collector = asyncio.run(main())
    refused = [o for o in got if isinstance(o, RouterEvent) and o.event == "refused"]
    assert len(refused) == 10 and {r.reason for r in refused} == {"too many routers"}
    assert collector.stats.refused == 10
    per = by_connection(got)
    assert len(per) == 3
    assert all([canon(i) for i in items] == expected("gobgp_unicast.bmp") for items in per.values())


def test_allow_list() -> None:
    async def main() -> list[Output]:
        async with Collector("127.0.0.1", 0, allow=["127.0.0.2/32", "2001:db8::/32"]) as collector:
            port = collector.addresses[0][1]
            await send(port, b"\x03\x00\x00\x00\x06\x04", 1, local="127.0.0.3")
            await send(port, b"\x03\x00\x00\x00\x06\x04", 1, local="127.0.0.2")
            return await collect_until(collector, disconnected=1)

    got = asyncio.run(main())
    events = [(o.event, o.router.address, o.reason) for o in got if isinstance(o, RouterEvent)]
    assert events == [
        ("refused", "127.0.0.3", "not allowed"),
        ("connected", "127.0.0.2", ""),
        ("disconnected", "127.0.0.2", "closed"),
    ]


def test_reconnect_replaces_the_old_connection() -> None:
    async def main() -> list[Output]:
        async with Collector("127.0.0.1", 0) as collector:
            port = collector.addresses[0][1]
            _r, old = await asyncio.open_connection("127.0.0.1", port)
            old.write(b"\x03\x00\x00\x00\x06\x04")
            await old.drain()
            got = await collect_until(collector, count=2)
            await send(port, b"\x03\x00\x00\x00\x06\x04", 2)
            got += await collect_until(collector, disconnected=2)
            old.close()
            return got

    got = asyncio.run(main())
    first, second = disconnects(got)
    assert (first.reason, first.router.connection) == ("replaced", 1)
    assert (second.reason, second.router.connection) == ("closed", 2)


def test_termination_is_the_reason() -> None:
    data = bmplib.encode(bmplib.initiation(sys_name="r1")) + bmplib.encode(bmplib.termination())

    async def main() -> list[Output]:
        async with Collector("127.0.0.1", 0) as collector:
            await send(collector.addresses[0][1], data, 1)
            return await collect_until(collector, disconnected=1)

    got = asyncio.run(main())
    assert disconnects(got)[0].reason == "termination"
    assert disconnects(got)[0].router.sys_name == "r1"


def test_slow_consumer_bounds_memory_and_loses_nothing() -> None:
    """A consumer that stops reading: the collector stops reading the socket
    (back-pressure), so what it has read stays bounded while the router has
    much more to send; once consumed, every message arrives."""
    one = (PCAPS / "frr_unicast.bmp").read_bytes()
    copies = 24
    data = one * copies  # ~3 MB of valid BMP
    queue_size = 16

    async def main() -> tuple[int, list[Output]]:
        async with Collector("127.0.0.1", 0, queue_size=queue_size) as collector:
            port = collector.addresses[0][1]
            _r, writer = await asyncio.open_connection("127.0.0.1", port)
            sender = asyncio.ensure_future(_write_all(writer, data))
            await asyncio.sleep(1.0)  # nobody consumes
            read_while_stalled = collector.stats.octets
            got = await collect_until(collector, disconnected=1)
            await sender
            return read_while_stalled, got

    stalled, got = asyncio.run(main())
    # queue + one read + one message: far below what the router wanted to send
    assert stalled < 400_000 < len(data) // 5
    items = [o.item for o in got if isinstance(o, Collected)]
    assert len(items) == copies * len(list(bmplib.iter_file(PCAPS / "frr_unicast.bmp")))


async def _write_all(writer: asyncio.StreamWriter, data: bytes) -> None:
    for pos in range(0, len(data), 65536):
        writer.write(data[pos : pos + 65536])
        await writer.drain()
    writer.close()
    await writer.wait_closed()


def test_raw_dir_replays_identically(tmp_path: Path) -> None:
    data = (PCAPS / "frr_vpn_evpn.bmp").read_bytes()

    async def main() -> None:
        async with Collector("127.0.0.1", 0, raw_dir=tmp_path / "raw") as collector:
            await send(collector.addresses[0][1], data, 5)
            await collect_until(collector, disconnected=1)

    asyncio.run(main())
    (raw,) = (tmp_path / "raw").iterdir()
    assert raw.read_bytes() == data
    assert [canon(i) for i in bmplib.iter_file(raw)] == expected("frr_vpn_evpn.bmp")


def test_ipv6_listener() -> None:
    if not socket.has_ipv6:
        pytest.skip("no IPv6 here")
    try:
        with socket.socket(socket.AF_INET6) as s:
            s.bind(("::1", 0))
    except OSError:
        pytest.skip("no ::1 here")
    data = (PCAPS / "gobgp_unicast.bmp").read_bytes()

    async def main() -> list[Output]:
        async with Collector(["::1", "127.0.0.1"], 0) as collector:
            ports = {a: p for a, p in collector.addresses}
            await send(ports["::1"], data, 1, host="::1")
            return await collect_until(collector, disconnected=1)

    got = asyncio.run(main())
    assert disconnects(got)[0].router.address == "::1"
    assert disconnects(got)[0].router.name.startswith("[::1]:")
    assert [canon(o.item) for o in got if isinstance(o, Collected)] == expected("gobgp_unicast.bmp")


@pytest.mark.parametrize(
    ("stream", "original", "address", "port"),
    [
        ("haproxy_v1.bmp", "frr_mirror_mvpn.bmp", "127.0.0.7", 54671),
        ("haproxy_v2.bmp", "gobgp_addpath.bmp", "fd00:b::7", 56879),
    ],
)
def test_proxy_protocol_names_the_router(stream: str, original: str, address: str, port: int) -> None:
    """Streams as a real HAProxy 2.6 relayed them (pcaps/proxy/): the router
    is the PROXY header's source; the items are the original capture's
    (stream offsets count from the end of the header: the router's stream)."""
    data = (PCAPS / "proxy" / stream).read_bytes()

    async def main() -> list[Output]:
        async with Collector("127.0.0.1", 0, proxy=True, allow=[address]) as collector:
            await send(collector.addresses[0][1], data, 11, local="127.0.0.9")
            return await collect_until(collector, disconnected=1)

    got = asyncio.run(main())
    end = disconnects(got)[0]
    assert (end.router.address, end.router.port, end.router.via[0]) == (address, port, "127.0.0.9")
    items = [o.item for o in got if isinstance(o, Collected)]
    assert [canon(i) for i in items] == expected(original)


def test_bad_proxy_header_is_refused() -> None:
    async def main() -> list[Output]:
        async with Collector("127.0.0.1", 0, proxy=True) as collector:
            port = collector.addresses[0][1]
            await send(port, (PCAPS / "gobgp_unicast.bmp").read_bytes(), 1, local="127.0.0.2")
            await send(port, (PCAPS / "proxy" / "haproxy_v1.bmp").read_bytes(), 1, local="127.0.0.3")
            return await collect_until(collector, disconnected=1)

    got = asyncio.run(main())
    refused = [o for o in got if isinstance(o, RouterEvent) and o.event == "refused"]
    assert [(r.router.address, r.reason) for r in refused] == [("127.0.0.2", "bad proxy header")]
    assert "PROXY" in refused[0].detail
    assert disconnects(got)[0].router.address == "127.0.0.7"
