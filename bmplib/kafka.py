"""Publishing collected BMP to Kafka, in the topic and record conventions
that BMP consumers already read (gobmp's parsed topics, OpenBMP's
``bmp_raw``); the schema is docs/kafka.md.

Topics, under a prefix (``bmplib`` unless told otherwise):

* ``<prefix>.bmp_raw``: every BMP message as received, behind the OpenBMP
  binary header v1.7 (:mod:`bmplib.openbmp`), keyed by router hash; what
  RouteViews' feed, gobmp and bgpkit publish.  :func:`bmplib.openbmp.decode_openbmp`
  reads such a record back.
* ``<prefix>.parsed.<family topic>``: one JSON record per announced or
  withdrawn route (the route record of :mod:`bmplib.records` with
  ``"action": "add"`` or ``"del"``), keyed by router and peer hash;
  families map to gobmp's names (:data:`FAMILY_TOPICS`).
* ``<prefix>.parsed.peer``: Peer Up / Peer Down (``"action": "up"`` / ``"down"``);
  ``<prefix>.parsed.statistics``: Statistics Reports; ``<prefix>.parsed.router``:
  Initiation, Termination and the collector's connection events;
  ``<prefix>.parsed.errors``: error and skip records (nothing is dropped).

:func:`kafka_records` is the pure mapping from what the collector hands out
to (topic, key, value) triples; :class:`KafkaSink` publishes them with
confluent-kafka (``pip install 'bmplib[kafka]'``), slowing the collector
down while the producer's queue is full, and counting every delivery failure.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from bmplib.aio import Collected, Output, Router, RouterEvent
from bmplib.bmp.header import PeerHeader
from bmplib.bmp.messages import (
    Initiation,
    PeerDown,
    PeerUp,
    RouteMonitoring,
    StatisticsReport,
    Termination,
)
from bmplib.json import to_json
from bmplib.openbmp import FLAG_ROUTER_IPV6, FLAG_ROUTER_MESSAGE, OBJECT_TYPE_BMP_RAW, OpenBMPHeader
from bmplib.records import records_from_item
from bmplib.stream import ErrorRecord, SkippedBytes

__all__ = [
    "DEFAULT_PREFIX",
    "FAMILY_TOPICS",
    "KafkaRecord",
    "KafkaSink",
    "KafkaStats",
    "family_topic",
    "kafka_records",
    "parsed_records",
    "peer_hash",
    "raw_record",
    "router_hash",
    "topics",
]

log = logging.getLogger("bmplib.kafka")

DEFAULT_PREFIX = "bmplib"

#: Route families whose topic follows gobmp's name; any other family's topic
#: is its JSON name with ``_`` for ``-`` (``ipv4-flowspec`` → ``ipv4_flowspec``).
FAMILY_TOPICS = {
    "ipv4-unicast": "unicast_prefix_v4",
    "ipv4-multicast": "unicast_prefix_v4",
    "ipv4-labeled-unicast": "unicast_prefix_v4",
    "ipv6-unicast": "unicast_prefix_v6",
    "ipv6-multicast": "unicast_prefix_v6",
    "ipv6-labeled-unicast": "unicast_prefix_v6",
    "ipv4-vpn": "l3vpn_v4",
    "ipv6-vpn": "l3vpn_v6",
    "evpn": "evpn",
    "ipv4-flowspec": "flowspec_v4",
    "ipv6-flowspec": "flowspec_v6",
}


class KafkaRecord(NamedTuple):
    """One record to publish."""

    topic: str
    key: bytes
    value: bytes


def router_hash(address: str) -> bytes:
    """The router hash of OpenBMP's header and of the record keys: MD5 of the
    router's address text (16 octets)."""
    return hashlib.md5(address.encode(), usedforsecurity=False).digest()


def peer_hash(router: str, peer: PeerHeader) -> str:
    """A peer's key: MD5 (hex) of the router's address and the peer's type,
    distinguisher, address, AS and BGP ID."""
    text = f"{router}|{int(peer.peer_type)}|{peer.distinguisher.hex()}|{peer.address}|{peer.asn}|{peer.bgp_id}"
    return hashlib.md5(text.encode(), usedforsecurity=False).hexdigest()


def family_topic(family: str | None) -> str:
    """The ``parsed`` topic name of a route family (:data:`FAMILY_TOPICS`)."""
    if family is None:
        return "unknown"
    return FAMILY_TOPICS.get(family, family.replace("-", "_"))


def _router_fields(router: Router) -> dict[str, Any]:
    return {
        "router_ip": router.address,
        "router_port": router.port,
        "router_name": router.sys_name,
        "router_hash": router_hash(router.address).hex(),
    }


def _dumps(value: Mapping[str, Any]) -> bytes:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode()


def raw_record(
    got: Collected, *, prefix: str = DEFAULT_PREFIX, admin_id: str = "bmplib", group: str = ""
) -> KafkaRecord | None:
    """The ``bmp_raw`` record of a collected message (``None`` for a skip
    record, or when the collector did not keep the raw octets)."""
    if got.raw is None or isinstance(got.item, SkippedBytes):
        return None
    address = got.router.address
    ipv6 = ":" in address
    seconds = int(got.received)
    header = OpenBMPHeader(
        version_major=1,
        version_minor=7,
        flags=FLAG_ROUTER_MESSAGE | (FLAG_ROUTER_IPV6 if ipv6 else 0),
        object_type=OBJECT_TYPE_BMP_RAW,
        timestamp_sec=seconds,
        timestamp_usec=int((got.received - seconds) * 1e6),
        collector_hash=hashlib.md5(admin_id.encode(), usedforsecurity=False).digest(),
        collector_admin_id=admin_id,
        router_hash=router_hash(address),
        router_ip=address,
        router_group=group,
        row_count=1,
    )
    return KafkaRecord(f"{prefix}.bmp_raw", header.router_hash.hex().encode(), header.encode(len(got.raw)) + got.raw)


def parsed_records(got: Output, *, prefix: str = DEFAULT_PREFIX) -> list[KafkaRecord]:
    """The ``parsed`` records of what the collector handed out."""
    if isinstance(got, RouterEvent):
        event: dict[str, Any] = {"action": got.event, "reason": got.reason, "detail": got.detail, "time": got.time}
        event.update(_router_fields(got.router))
        return [KafkaRecord(f"{prefix}.parsed.router", event["router_hash"].encode(), _dumps(event))]
    router = got.router
    item = got.item
    fields = _router_fields(router)
    rhash = fields["router_hash"]
    t = type(item)
    if t is RouteMonitoring:
        assert isinstance(item, RouteMonitoring)
        key = f"{rhash}:{peer_hash(router.address, item.peer)}".encode()
        out = []
        for rec in records_from_item(item, router=router.address):
            route: dict[str, Any] = to_json(rec)
            route["action"] = "add" if route["action"] == "announce" else "del"
            route.update(fields)
            out.append(KafkaRecord(f"{prefix}.parsed.{family_topic(route['family'])}", key, _dumps(route)))
        return out
    value: dict[str, Any] = to_json(item)
    value.update(fields)
    if t is PeerUp or t is PeerDown:
        assert isinstance(item, (PeerUp, PeerDown))
        value["action"] = "up" if t is PeerUp else "down"
        key = f"{rhash}:{peer_hash(router.address, item.peer)}".encode()
        return [KafkaRecord(f"{prefix}.parsed.peer", key, _dumps(value))]
    if t is StatisticsReport:
        assert isinstance(item, StatisticsReport)
        key = f"{rhash}:{peer_hash(router.address, item.peer)}".encode()
        return [KafkaRecord(f"{prefix}.parsed.statistics", key, _dumps(value))]
    if t is Initiation or t is Termination:
        value["action"] = "init" if t is Initiation else "term"
        return [KafkaRecord(f"{prefix}.parsed.router", rhash.encode(), _dumps(value))]
    if t is ErrorRecord or t is SkippedBytes:
        return [KafkaRecord(f"{prefix}.parsed.errors", rhash.encode(), _dumps(value))]
    return []  # Route Mirroring and unknown message types: on bmp_raw only


def kafka_records(
    got: Output, *, prefix: str = DEFAULT_PREFIX, raw: bool = True, parsed: bool = True, admin_id: str = "bmplib"
) -> list[KafkaRecord]:
    """Everything to publish for one output of the collector."""
    out: list[KafkaRecord] = []
    if raw and isinstance(got, Collected):
        rec = raw_record(got, prefix=prefix, admin_id=admin_id)
        if rec is not None:
            out.append(rec)
    if parsed:
        out.extend(parsed_records(got, prefix=prefix))
    return out


def topics(prefix: str = DEFAULT_PREFIX, families: Iterable[str] = FAMILY_TOPICS) -> list[str]:
    """The topics a sink publishes to (the family topics of *families*)."""
    names = {f"{prefix}.bmp_raw"} | {f"{prefix}.parsed.{t}" for t in ("peer", "statistics", "router", "errors")}
    names |= {f"{prefix}.parsed.{family_topic(f)}" for f in families}
    return sorted(names)


@dataclass(slots=True)
class KafkaStats:
    """What a :class:`KafkaSink` did: records handed to the producer,
    delivered (acknowledged by the broker), failed (with the last errors)."""

    produced: int = 0
    delivered: int = 0
    failed: int = 0
    waits: int = 0
    errors: list[str] = field(default_factory=list)

    @property
    def in_flight(self) -> int:
        return self.produced - self.delivered - self.failed


class KafkaSink:
    """Publish the collector's output to Kafka (confluent-kafka's Producer).

    :param bootstrap: ``host:port[,host:port...]`` of the brokers.
    :param prefix: topic prefix.
    :param config: further librdkafka properties (TLS, SASL, ``acks``, ...).
    :param raw: publish ``bmp_raw`` (the collector must keep raw octets:
        ``Collector(keep_raw=True)``).
    :param parsed: publish the parsed topics.
    :param create_topics: create missing topics at start (partitions: *partitions*).
    """

    def __init__(
        self,
        bootstrap: str,
        *,
        prefix: str = DEFAULT_PREFIX,
        config: Mapping[str, str] | None = None,
        raw: bool = True,
        parsed: bool = True,
        admin_id: str = "bmplib",
        create_topics: bool = True,
        partitions: int = 1,
    ) -> None:
        try:
            import confluent_kafka
        except ImportError as exc:  # pragma: no cover - depends on the extra
            raise RuntimeError("Kafka output needs confluent-kafka: pip install 'bmplib[kafka]'") from exc
        self.prefix = prefix
        self.raw = raw
        self.parsed = parsed
        self.admin_id = admin_id
        self.stats = KafkaStats()
        conf: dict[str, Any] = {"bootstrap.servers": bootstrap, "linger.ms": 20, "enable.idempotence": False}
        conf.update(config or {})
        self._conf = conf
        self._kafka = confluent_kafka
        if create_topics:
            self.create_topics(partitions)
        self._producer = confluent_kafka.Producer(conf)

    def create_topics(self, partitions: int = 1) -> None:
        """Create the sink's topics where missing (an error is logged, not raised:
        the cluster may create them itself or forbid it)."""
        from confluent_kafka.admin import AdminClient
        from confluent_kafka.cimpl import NewTopic

        admin_conf = {k: v for k, v in self._conf.items() if not k.startswith(("linger", "enable.idem"))}
        admin = AdminClient(admin_conf)
        wanted = [NewTopic(t, partitions, 1) for t in topics(self.prefix)]
        for name, future in admin.create_topics(wanted, request_timeout=15).items():
            try:
                future.result(20)
            except Exception as exc:  # TOPIC_ALREADY_EXISTS and any refusal
                if "TOPIC_ALREADY_EXISTS" not in str(exc):
                    log.warning("could not create topic %s: %s", name, exc)

    def _delivered(self, err: Any, msg: Any) -> None:
        if err is None:
            self.stats.delivered += 1
            return
        self.stats.failed += 1
        text = f"{msg.topic()}: {err}"
        log.error("Kafka delivery failed: %s", text)
        if len(self.stats.errors) < 100:
            self.stats.errors.append(text)

    async def publish(self, got: Output) -> None:
        """Hand the records of *got* to the producer; while its queue is full,
        wait (the collector stops reading sockets meanwhile)."""
        for rec in kafka_records(got, prefix=self.prefix, raw=self.raw, parsed=self.parsed, admin_id=self.admin_id):
            while True:
                try:
                    self._producer.produce(rec.topic, rec.value, rec.key, on_delivery=self._delivered)
                    break
                except BufferError:
                    self.stats.waits += 1
                    self._producer.poll(0)
                    await asyncio.sleep(0.05)
            self.stats.produced += 1
        self._producer.poll(0)

    def flush(self, timeout: float = 30.0) -> int:
        """Wait for every record to be delivered or failed; the number still
        in flight after *timeout* seconds (0 when all are settled)."""
        deadline = time.monotonic() + timeout
        left: int = self._producer.flush(timeout)
        while left and time.monotonic() < deadline:
            left = self._producer.flush(max(0.0, deadline - time.monotonic()))
        return left
