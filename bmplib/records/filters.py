"""Route filters: which route records to keep (``bmplib routes`` options,
usable from Python).

Each criterion given must hold (AND); a repeated criterion matches any of its
values (OR).  A filter works on :class:`~bmplib.records.RouteRecord` objects,
on dicts with the same keys (the JSON form, Arrow rows), and on whole Arrow
tables or batches (:meth:`RouteFilter.filter_table`)::

    f = RouteFilter(prefix_more=["10.0.0.0/8"], origin_asn=[65001], family=["ipv4"])
    kept = [r for r in iter_routes("pcaps/frr_unicast.bmp") if f(r)]
"""

from __future__ import annotations

import datetime as _dt
import ipaddress
import re
from dataclasses import dataclass, field
from typing import Any, Union

from bmplib.nlri.registry import FAMILY_ALIASES  # one table for the command line and the filters

__all__ = ["FAMILY_ALIASES", "RouteFilter", "family_name", "parse_time"]

Network = Union[ipaddress.IPv4Network, ipaddress.IPv6Network]


_FAMILIES = frozenset(
    [*FAMILY_ALIASES.values(), "ipv4-vpn-multicast", "ipv6-vpn-multicast", "ipv4-flowspec", "ipv6-flowspec", "bgp-ls"]
)
_AFI_SAFI = re.compile(r"^afi-\d+-safi-\d+$")


def family_name(text: str) -> str:
    """The record ``family`` for a name or alias (``vpnv4`` -> ``ipv4-vpn``);
    ``ValueError`` for an unknown one."""
    name = text.strip().lower()
    name = FAMILY_ALIASES.get(name, name)
    if name not in _FAMILIES and not _AFI_SAFI.match(name):
        known = ", ".join(sorted(set(FAMILY_ALIASES) | _FAMILIES))
        raise ValueError(f"unknown family {text!r} (known: {known}, or afi-N-safi-M)")
    return name


def parse_time(text: str) -> float:
    """Seconds since the epoch from ``1700000000[.5]`` or ISO 8601
    (``2026-11-21T08:00:00Z``; no zone means UTC)."""
    try:
        return float(text)
    except ValueError:
        pass
    try:
        when = _dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError as exc:
        raise ValueError(f"not a time (epoch seconds or ISO 8601): {text!r}") from exc
    if when.tzinfo is None:
        when = when.replace(tzinfo=_dt.timezone.utc)
    return when.timestamp()


def _net(text: str) -> Network:
    try:
        return ipaddress.ip_network(text, strict=False)
    except ValueError as exc:
        raise ValueError(f"not an IP prefix: {text!r}") from exc


@dataclass
class RouteFilter:
    """Route criteria (see the module docstring).  Prefix criteria hold for
    routes with an IP prefix (``prefix`` not null) only.

    :ivar prefix: exact prefixes.
    :ivar prefix_more: these prefixes and their more-specifics.
    :ivar prefix_less: these prefixes and their less-specifics.
    :ivar origin_asn: origin AS numbers.
    :ivar as_path: regular expressions searched in the AS path text
        (``65001 65002 {7 8}``), e.g. ``^65001 `` or `` 174 ``.
    :ivar community: community text (``65001:100``, ``NO_EXPORT``,
        ``65001:1:2``, ``target:65001:7``): the route carries it among its
        communities, large or extended communities.
    :ivar peer: peer addresses, CIDR blocks or AS numbers.
    :ivar action: ``announce`` / ``withdraw``.
    :ivar family: family names or aliases (``ipv4``, ``vpnv4``, ``evpn``, ...).
    :ivar table: ``adj-rib-in-pre``, ..., ``loc-rib``.
    :ivar since, until: time range, seconds since the epoch (``until``
        excluded)."""

    prefix: list[str] = field(default_factory=list)
    prefix_more: list[str] = field(default_factory=list)
    prefix_less: list[str] = field(default_factory=list)
    origin_asn: list[int] = field(default_factory=list)
    as_path: list[str] = field(default_factory=list)
    community: list[str] = field(default_factory=list)
    peer: list[str] = field(default_factory=list)
    action: list[str] = field(default_factory=list)
    family: list[str] = field(default_factory=list)
    table: list[str] = field(default_factory=list)
    since: float | None = None
    until: float | None = None

    def __post_init__(self) -> None:
        self._exact = {_net(p) for p in self.prefix}
        self._more = [_net(p) for p in self.prefix_more]
        self._less = [_net(p) for p in self.prefix_less]
        self._paths = [re.compile(r) for r in self.as_path]
        self._communities = frozenset(self.community)
        self._families = frozenset(family_name(f) for f in self.family)
        self._peer_asns = frozenset(int(p) for p in self.peer if p.isdigit())
        self._peer_nets = [_net(p) for p in self.peer if not p.isdigit()]
        for a in self.action:
            if a not in ("announce", "withdraw"):
                raise ValueError(f"action must be announce or withdraw, not {a!r}")
        self._cache: dict[str, bool] = {}

    @property
    def active(self) -> bool:
        """Whether any criterion is set."""
        return bool(
            self.prefix or self.prefix_more or self.prefix_less or self.origin_asn or self.as_path
            or self.community or self.peer or self.action or self.family or self.table
            or self.since is not None or self.until is not None
        )  # fmt: skip

    # -- one record -------------------------------------------------------------
    def __call__(self, record: Any) -> bool:
        get = record.get if isinstance(record, dict) else record.__getattribute__
        return self.match(get)

    def match(self, get: Any) -> bool:
        """Whether the route whose fields ``get(name)`` returns is kept."""
        if self.action and get("action") not in self.action:
            return False
        if self._families and get("family") not in self._families:
            return False
        if self.table and get("table") not in self.table:
            return False
        if self.since is not None or self.until is not None:
            t = get("time")
            if isinstance(t, _dt.datetime):
                t = t.timestamp()
            if (self.since is not None and t < self.since) or (self.until is not None and t >= self.until):
                return False
        if self.origin_asn and get("origin_as") not in self.origin_asn:
            return False
        if self._exact or self._more or self._less:
            prefix = get("prefix")
            if prefix is None or not self._prefix_ok(prefix):
                return False
        if self._paths:
            path = get("as_path")
            if path is None or not any(r.search(path) for r in self._paths):
                return False
        if self._communities and not self._has_community(get):
            return False
        if self._peer_asns or self._peer_nets:
            if get("peer_asn") not in self._peer_asns and not self._peer_in_nets(get("peer_address")):
                return False
        return True

    def _prefix_ok(self, prefix: str) -> bool:
        hit = self._cache.get(prefix)
        if hit is None:
            try:
                net = ipaddress.ip_network(prefix, strict=False)
            except ValueError:
                hit = False
            else:
                hit = (
                    net in self._exact
                    or any(net.version == m.version and net.subnet_of(m) for m in self._more)  # type: ignore[arg-type]
                    or any(net.version == m.version and net.supernet_of(m) for m in self._less)  # type: ignore[arg-type]
                )
            if len(self._cache) > 1_000_000:
                self._cache.clear()
            self._cache[prefix] = hit
        return hit

    def _has_community(self, get: Any) -> bool:
        for name in ("communities", "large_communities", "extended_communities"):
            text = get(name)
            if text and not self._communities.isdisjoint(text.split(" ")):
                return True
        return False

    def _peer_in_nets(self, address: str | None) -> bool:
        if not address or not self._peer_nets:
            return False
        ip = ipaddress.ip_address(address)
        return any(ip.version == n.version and ip in n for n in self._peer_nets)

    # -- whole tables --------------------------------------------------------------
    def filter_table(self, data: Any) -> Any:
        """The rows of a ``pyarrow.Table`` / ``RecordBatch`` this filter keeps."""
        if not self.active or data.num_rows == 0:
            return data
        import pyarrow as pa

        names = [n for n in _USED if n in data.column_names]
        columns = {n: data.column(n).to_pylist() for n in names}
        mask = [self.match(_RowView(columns, i).get) for i in range(data.num_rows)]
        return data.filter(pa.array(mask, pa.bool_()))


_USED = (
    "action", "family", "table", "time", "origin_as", "prefix", "as_path", "communities", "large_communities",
    "extended_communities", "peer_asn", "peer_address",
)  # fmt: skip


class _RowView:
    __slots__ = ("columns", "i")

    def __init__(self, columns: dict[str, list[Any]], i: int) -> None:
        self.columns = columns
        self.i = i

    def get(self, name: str) -> Any:
        return self.columns[name][self.i]
