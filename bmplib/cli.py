"""The ``bmplib`` command line (also ``python -m bmplib``).

``bmplib decode FILE...``
    one JSON object per BMP message on stdout (JSON lines; ``--pretty`` for
    indented JSON), in the schema of :func:`bmplib.to_json`; records from a
    capture also have ``"flow"`` and ``"capture_time"`` (docs/captures.md).
``bmplib summary FILE...``
    a human-readable table of what the files hold.

Both take raw BMP streams, pcap and pcapng files (told apart by their magic
number) and the filters ``--type``, ``--peer``, ``--table``, ``--family``,
plus ``--port`` for captures.  Bad input (a missing file, a non-BMP file, a
damaged or truncated capture) gives a one-line message on stderr and exit
status 2, never a traceback; decode errors inside a good file are records in
the output and the run goes on.
"""

from __future__ import annotations

import argparse
import ipaddress
import json
import os
import re
import stat
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator, Sequence
from typing import Any, BinaryIO, TextIO, cast

from bmplib import listen
from bmplib.bmp.header import PeerHeader, Table
from bmplib.bmp.messages import PeerDown, PeerUp, RouteMirroring, RouteMonitoring, StatisticsReport, UnknownMessage
from bmplib.bmp.v4 import as_v3
from bmplib.capture.decoder import CapturedItem, StreamGap, StreamInfo, plausible_header
from bmplib.errors import DecodeError, FramingError
from bmplib.files import LiveInput, detect_format, iter_openbmp, iter_stream, open_input
from bmplib.json import dumps, dumps_pure, render, to_json
from bmplib.json import reference_to_json as to_json_pure
from bmplib.nlri.registry import FAMILY_ALIASES, family_name
from bmplib.openbmp import OpenBMPItem
from bmplib.pcap import CaptureReader, CaptureStats
from bmplib.stream import DEFAULT_MAX_MESSAGE_LENGTH, ErrorRecord, SkippedBytes

__all__ = [
    "EXIT_STATUSES",
    "FAMILY_ALIASES",
    "RECORD_TYPES",
    "SUBCOMMANDS",
    "Filter",
    "Progress",
    "Source",
    "build_parser",
    "common_options",
    "family_arg",
    "main",
    "message_families",
    "record_type",
    "register_command",
    "run_inputs",
]

EXIT_OK = 0
EXIT_NO_BMP = 1
EXIT_BAD_INPUT = 2
EXIT_INTERNAL = 3
EXIT_INTERRUPTED = 130

#: The exit statuses of ``bmplib`` (with several files, the highest of theirs).
EXIT_STATUSES = {
    EXIT_OK: "every input read to its end, with BMP in it",
    EXIT_NO_BMP: "an input held no BMP message (empty, or a capture without a BMP flow on the ports given)",
    EXIT_BAD_INPUT: "an input could not be read to its end: missing or unreadable, not BMP, damaged, "
    "or ending inside a message (what came before it is printed)",
    EXIT_INTERNAL: "internal error (a bug: please report it)",
    EXIT_INTERRUPTED: "interrupted (Ctrl-C)",
}

#: Every ``"type"`` a record of ``bmplib decode`` may have.
RECORD_TYPES = (
    "route_monitoring",
    "statistics_report",
    "peer_down",
    "peer_up",
    "initiation",
    "termination",
    "route_mirroring",
    "route_policy_trace",
    "unknown",
    "error",
    "skipped",
    "gap",
)

_TRUNCATED = "stream ended inside a message"
_MAX_LENGTH = DEFAULT_MAX_MESSAGE_LENGTH


class BadInput(Exception):
    """A file that cannot be decoded at all (reported in one line)."""


# -- what a record is ---------------------------------------------------------
def record_type(item: Any) -> str:
    """The ``"type"`` of a stream item's JSON record."""
    if isinstance(item, UnknownMessage):
        return "unknown"
    t = item.type
    return t if isinstance(t, str) else str(t.name).lower()


def _updates(item: Any) -> Iterator[Any]:
    """The decoded BGP UPDATEs a message carries (Route Monitoring, and
    the UPDATEs of Route Mirroring)."""
    if isinstance(item, RouteMonitoring):
        update = item.update
        if update is not None:
            yield update
    elif isinstance(item, RouteMirroring):
        for tlv in item.tlvs:
            msg = getattr(tlv, "message", None)
            if msg is not None and hasattr(msg, "announced") and hasattr(msg, "withdrawn"):
                yield msg


def _route_family(route: Any) -> tuple[int, int] | None:
    fam = getattr(route, "family", None)
    if isinstance(fam, tuple):
        return fam
    afi, safi = getattr(route, "afi", None), getattr(route, "safi", None)
    return (afi, safi) if isinstance(afi, int) and isinstance(safi, int) else None


def message_families(item: Any) -> set[str]:
    """The address families (``ipv4-unicast``, ``evpn``...) of the routes,
    MP_REACH / MP_UNREACH attributes and End-of-RIB markers in a message."""
    out: set[str] = set()
    for update in _updates(item):
        for route in (*update.announced, *update.withdrawn):
            fam = _route_family(route)
            if fam is not None:
                out.add(family_name(*fam))
        for mp in (getattr(update, "mp_reach", None), getattr(update, "mp_unreach", None)):
            if mp is not None:
                out.add(family_name(mp.afi, mp.safi))
        eor = getattr(update, "end_of_rib", None)
        if isinstance(eor, str):
            out.add(eor)
    return out


# -- filters ------------------------------------------------------------------
_KNOWN_FAMILIES = {
    family_name(a, s)
    for a in (1, 2, 25, 16388)
    for s in (1, 2, 4, 5, 65, 70, 71, 73, 128, 129, 132, 133, 134)
    if not family_name(a, s).startswith("afi-")
}
_GENERIC_FAMILY = re.compile(r"afi-\d+-safi-\d+\Z")


def _type_arg(text: str) -> list[str]:
    out = []
    for part in text.split(","):
        name = part.strip().lower().replace("-", "_")
        if name not in RECORD_TYPES:
            raise argparse.ArgumentTypeError(f"unknown type {part!r} (one of: {', '.join(RECORD_TYPES)})")
        out.append(name)
    return out


def _peer_arg(text: str) -> tuple[str, Any]:
    t = text.strip()
    m = re.fullmatch(r"(?:AS)?(\d+)(?:\.(\d+))?", t, re.IGNORECASE)
    if m and (m.group(2) is not None or t.upper().startswith("AS") or "." not in t):
        hi, lo = m.group(1), m.group(2)
        asn = int(hi) if lo is None else (int(hi) << 16) + int(lo)  # asdot (RFC 5396)
        if asn < 1 << 32 and (lo is None or (int(hi) < 65536 and int(lo) < 65536)):
            return ("asn", asn)
    try:
        return ("address", ipaddress.ip_address(t))
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is neither an IP address nor an AS number") from None


_AFI_SAFI = re.compile(r"(\d+)[/:,](\d+)\Z")


def family_arg(text: str) -> str:
    """The family name (as in the JSON: ``ipv4-unicast``, ``evpn``...) of
    a ``--family`` argument: a name, an alias (``ipv4``, ``vpnv4``,
    ``l2vpn-evpn``, ``ipv4-labeled``...; case, ``_`` and spaces do not
    matter), ``afi-N-safi-M`` or ``AFI/SAFI`` numbers."""
    name = re.sub(r"[\s_]+", "-", text.strip().lower())
    name = FAMILY_ALIASES.get(name, name)
    m = _AFI_SAFI.match(name)
    if m:
        name = family_name(int(m.group(1)), int(m.group(2)))
    g = _GENERIC_FAMILY.match(name)
    if g:
        name = family_name(*map(int, re.findall(r"\d+", name)))
    if name not in _KNOWN_FAMILIES and not _GENERIC_FAMILY.match(name):
        raise argparse.ArgumentTypeError(
            f"unknown family {text!r} (e.g. {', '.join(sorted(_KNOWN_FAMILIES))}, an alias such as ipv4, vpnv4, "
            "l2vpn-evpn, or afi-N-safi-M)"
        )
    return name


def _port_arg(text: str) -> int:
    try:
        port = int(text)
    except ValueError:
        port = -1
    if not 0 < port < 65536:
        raise argparse.ArgumentTypeError(f"{text!r} is not a TCP port")
    return port


class Filter:
    """The record filters of the command line.

    ``--type`` applies to every record.  ``--peer`` and ``--table`` keep only
    per-peer messages whose per-peer header matches; ``--family`` keeps only
    Route Monitoring / Route Mirroring messages carrying routes (or an
    End-of-RIB) of that family.  Repeating an option widens it (or); different
    options narrow each other (and).
    """

    def __init__(
        self,
        types: Sequence[str] = (),
        peers: Sequence[tuple[str, Any]] = (),
        tables: Sequence[str] = (),
        families: Sequence[str] = (),
    ) -> None:
        self.types = frozenset(types)
        self.asns = frozenset(v for k, v in peers if k == "asn")
        self.addresses = frozenset(v for k, v in peers if k == "address")
        self.tables = frozenset(tables)
        self.families = frozenset(families)
        self.active = bool(self.types or self.asns or self.addresses or self.tables or self.families)

    def __call__(self, item: Any) -> bool:
        if self.types and record_type(item) not in self.types:
            return False
        if self.asns or self.addresses or self.tables:
            peer = getattr(item, "peer", None)
            if not isinstance(peer, PeerHeader):
                return False
            if self.asns or self.addresses:
                if peer.asn not in self.asns and _address(peer.address) not in self.addresses:
                    return False
            if self.tables and peer.table.value not in self.tables:
                return False
        if self.families and not (message_families(item) & self.families):
            return False
        return True


def _address(text: str) -> Any:
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        return None


# -- reading files -------------------------------------------------------------
class Progress:
    """Progress on stderr: octets read, rate and time left.

    Drawn when *enabled* (``bmplib`` enables it when stderr is a terminal,
    or with ``--progress``), at most five times a second.  *position* tells
    how many octets of the input (compressed octets for a compressed file)
    have been read; *total* is the input's size (0 when unknown: a pipe)."""

    def __init__(self, enabled: bool, name: str, position: Callable[[], int], total: int, stream: TextIO) -> None:
        self.enabled = enabled
        self.name = os.path.basename(name)
        self.position = position
        self.total = total
        self.stream = stream
        self.count = 0
        self.start = time.monotonic()
        self.last = self.start
        self.shown = False

    def tick(self) -> None:
        self.count += 1
        if not self.enabled or self.count & 255:
            return
        now = time.monotonic()
        if now - self.last < 0.2:
            return
        self.last = now
        done = self.position()
        rate = done / max(now - self.start, 1e-9)
        speed = f"{rate / 1e6:.1f} MB/s {self.count / max(now - self.start, 1e-9):,.0f} rec/s"
        if self.total:
            frac = min(done / self.total, 1.0)
            eta = int((self.total - done) / rate) if rate > 0 else 0
            self.stream.write(
                f"\r{self.name} [{'#' * int(frac * 30):<30}] {frac:4.0%} {done / 1e6:.1f}/{self.total / 1e6:.1f} MB "
                f"{speed} ETA {eta // 60}:{eta % 60:02d} {self.count} records"
            )
        else:
            self.stream.write(f"\r{self.name} {done / 1e6:.1f} MB {speed} {self.count} records")
        self.stream.flush()
        self.shown = True

    def done(self) -> None:
        if self.shown:
            self.stream.write("\r\033[K")
            self.stream.flush()
            self.shown = False


#: Reasons of the skip record that ends an input cut inside a message (a raw
#: stream, a capture).
_TRUNCATED_REASONS = frozenset({_TRUNCATED, "the capture ends inside a message"})


class Source:
    """One input: a file (or ``-``, standard input) read as data arrives,
    decompressed when it is compressed; its format, its items and (for
    captures) what the capture reader learnt.

    :ivar messages: BMP messages read so far (before the filters; error
        records count, skip and gap records do not).
    :ivar truncated: whether the input ended inside a BMP message.
    """

    def __init__(self, path: str, fh: BinaryIO, ports: Sequence[int] | None, resync: bool = False) -> None:
        self.path = path
        self.ports = ports
        self.resync = resync
        self.raw = LiveInput(fh)
        self.input, self.compression = open_input(self.raw)
        head = self.input.peek(8)
        self.format = detect_format(head) if head else "empty"
        self.reader: CaptureReader | None = None
        if self.format == "bmp" and not resync and (len(head) < 6 or not plausible_header(head, 0, _MAX_LENGTH)):
            raise BadInput("not a BMP stream, pcap or pcapng file" + (f" (inside {self.compression})" if
                                                                       self.compression else ""))  # fmt: skip
        if self.format in ("pcap", "pcapng"):
            self.reader = CaptureReader(cast(BinaryIO, self.input), ports=ports)
        self.messages = 0
        self.truncated = False

    def items(self) -> Iterator[Any]:
        """Stream items or :class:`CapturedItem` objects (which stand in for
        their item)."""
        if self.format == "empty":
            return
        it: Iterator[Any]
        if self.reader is not None:
            it = iter(self.reader)
        elif self.format == "openbmp":
            it = iter_openbmp(self.input)
        else:
            it = iter_stream(self.input, resync=self.resync)
        for item in it:
            inner: Any = item.item if isinstance(item, (CapturedItem, OpenBMPItem)) else item
            kind = type(inner)
            if kind is SkippedBytes:
                if inner.reason in _TRUNCATED_REASONS:
                    self.truncated = True
            elif kind is not StreamGap:
                self.messages += 1
            yield item

    def nothing_found(self) -> str | None:
        """Why the input gave no BMP message (``None`` when it gave some)."""
        if self.messages:
            return None
        if self.format == "empty":
            return "empty input: no BMP messages"
        if self.reader is not None and not self.reader.stats.bmp_streams:
            st = self.reader.stats
            where = f" on port {', '.join(map(str, self.ports))}" if self.ports else ""
            return f"no BMP flow{where} in the capture ({st.packets} packets, {st.other_streams} other TCP streams" + (
                ")" if self.ports else "; --port tells which port carries BMP)"
            )
        return "no BMP messages (every octet skipped)"

    def size(self) -> int:
        """The size of the file read (0 when it is not a regular file)."""
        try:
            st = os.fstat(self.raw.raw.fileno())
        except (OSError, ValueError, AttributeError):
            return 0
        return st.st_size if stat.S_ISREG(st.st_mode) else 0


def _open(path: str) -> BinaryIO:
    """The file at *path* (``-``: standard input); OSError when it cannot be opened."""
    if path == "-":
        return sys.stdin.buffer
    return open(path, "rb")


def _describe(exc: BaseException) -> str:
    if isinstance(exc, FramingError):
        return f"not a well-framed BMP stream at offset {exc.offset}: {exc.reason} (--resync skips to the next message)"
    if isinstance(exc, DecodeError):
        return exc.reason
    if isinstance(exc, OSError) and exc.strerror:
        return f"cannot read: {exc.strerror}"
    return str(exc)


Handler = Callable[["Source", Any, Any], None]


def run_inputs(args: argparse.Namespace, handle: Handler, finish: Callable[[Source], None] | None = None) -> int:
    """Walk every FILE of *args* for a subcommand: each item that passes the
    filters goes to ``handle(source, record, item)`` (*record* is what was
    read, a :class:`CapturedItem` for captures; *item* the stream item);
    ``finish(source)`` runs after each file, also one that fails half-way
    (it has what came before the failure).  Prints one line on stderr per
    problem and returns the exit status (see :data:`EXIT_STATUSES`)."""
    status = EXIT_OK
    force = getattr(args, "progress", False)
    show_progress = force or (not getattr(args, "quiet", False) and sys.stderr.isatty())
    filt = _filter_from(args)
    for path in args.files:
        try:
            fh = _open(path)
        except OSError as exc:
            print(f"bmplib: {path}: cannot open: {exc.strerror or exc}", file=sys.stderr)
            status = max(status, EXIT_BAD_INPUT)
            continue
        src: Source | None = None
        progress: Progress | None = None
        failure: str | None = None
        try:
            with fh:
                src = Source(path, fh, args.port or None, getattr(args, "resync", False))
                progress = Progress(show_progress, path, src.raw.tell, src.size(), sys.stderr)
                tick = progress.tick
                for x in src.items():
                    tick()
                    item = as_v3(x.item if type(x) in (CapturedItem, OpenBMPItem) else x)
                    if not filt.active or filt(item):
                        handle(src, x, item)
        except BrokenPipeError:
            raise
        except (BadInput, DecodeError, OSError) as exc:
            failure = _describe(exc)
        if progress is not None:
            progress.done()
        if src is not None and finish is not None:
            finish(src)
        sys.stdout.flush()
        if failure is not None:
            print(f"bmplib: {path}: {failure}", file=sys.stderr)
            status = max(status, EXIT_BAD_INPUT)
        elif src is not None and (why := src.nothing_found()) is not None:
            print(f"bmplib: {path}: {why}", file=sys.stderr)
            status = max(status, EXIT_NO_BMP)
        elif src is not None and src.truncated:
            print(f"bmplib: {path}: truncated: the input ends inside a BMP message", file=sys.stderr)
            status = max(status, EXIT_BAD_INPUT)
    return status


def _filter_from(args: argparse.Namespace) -> Filter:
    types = [t for group in (args.type or []) for t in group]
    return Filter(types, args.peer or [], args.table or [], args.family or [])


# -- decode --------------------------------------------------------------------
def _cmd_decode(args: argparse.Namespace) -> int:
    if args.count:
        return _count(args)
    out = sys.stdout.buffer
    write = out.write
    if args.pretty:

        def handle(src: Source, record: Any, item: Any) -> None:
            rec = to_json(record)
            rec["file"] = src.path
            write(json.dumps(rec, indent=2, ensure_ascii=False).encode("utf-8", "surrogateescape"))
            write(b"\n")

    elif args.pure_json:

        def handle(src: Source, record: Any, item: Any) -> None:
            rec = to_json_pure(record)
            rec["file"] = src.path
            write(dumps_pure(rec))
            write(b"\n")

    else:
        tails: dict[str, bytes] = {}

        def handle(src: Source, record: Any, item: Any) -> None:
            text = render(record)  # '{...}': the "file" key goes before its closing brace
            tail = tails.get(src.path)
            if tail is None:
                tail = tails[src.path] = b'"file":' + dumps(src.path) + b"}\n"
            write(text[:-1])
            write(b"," if len(text) > 2 else b"")
            write(tail)

    return run_inputs(args, handle, None)


def _count(args: argparse.Namespace) -> int:
    counts: Counter[str] = Counter()

    def handle(src: Source, record: Any, item: Any) -> None:
        counts[src.path] += 1

    def finish(src: Source) -> None:
        n = counts[src.path]
        print(f"{src.path}: {n}" if len(args.files) > 1 else n, flush=True)

    status = run_inputs(args, handle, finish)
    if len(args.files) > 1:
        print(f"total: {sum(counts.values())}")
    return status


# -- summary -------------------------------------------------------------------
class Summary:
    """Accumulates what ``bmplib summary`` prints for one file."""

    def __init__(self) -> None:
        self.types: Counter[str] = Counter()
        self.by_table: defaultdict[str, Counter[str]] = defaultdict(Counter)
        self.peers: dict[tuple[Any, ...], dict[str, Any]] = {}
        self.families: defaultdict[str, Counter[str]] = defaultdict(Counter)
        self.stats: dict[tuple[Any, ...], tuple[Any, float]] = {}
        self.errors: Counter[str] = Counter()
        self.skipped: Counter[str] = Counter()
        self.skipped_bytes = 0
        self.gaps: list[tuple[str, int, int]] = []
        self.sys: list[str] = []

    def add(self, record: Any, item: Any) -> None:
        rtype = record_type(item)
        self.types[rtype] += 1
        peer = getattr(item, "peer", None)
        if isinstance(peer, PeerHeader):
            self.by_table[rtype][peer.table.value] += 1
            self._peer(peer, item)
        if isinstance(item, ErrorRecord):
            self.errors[f"{item.error.layer}: {item.error.reason}"] += 1
        elif isinstance(item, SkippedBytes):
            self.skipped[item.reason] += 1
            self.skipped_bytes += len(item.data)
        elif isinstance(item, StreamGap):
            flow = str(record.flow) if isinstance(record, CapturedItem) else ""
            self.gaps.append((flow, item.offset, item.length))
        elif isinstance(item, StatisticsReport):
            assert isinstance(peer, PeerHeader)
            for st in item.stats:
                key = (_peer_label(peer), _name(st.type), st.afi, st.safi)
                self.stats[key] = (st.value if st.value is not None else st.raw.hex(), peer.timestamp)
        elif isinstance(item, (RouteMonitoring, RouteMirroring)):
            for update in _updates(item):
                for route in update.announced:
                    fam = _route_family(route)
                    if fam is not None:
                        self.families[family_name(*fam)]["announced"] += 1
                for route in update.withdrawn:
                    fam = _route_family(route)
                    if fam is not None:
                        self.families[family_name(*fam)]["withdrawn"] += 1
                eor = getattr(update, "end_of_rib", None)
                if isinstance(eor, str):
                    self.families[eor]["end-of-rib"] += 1
            if isinstance(item, RouteMonitoring):
                for fam_name in message_families(item):
                    self.families[fam_name]["messages"] += 1
        elif rtype == "initiation":
            for attr in ("sys_name", "sys_descr"):
                value = getattr(item, attr, None)
                if value:
                    self.sys.append(f"{attr.replace('_', '')}: {value}")

    def _peer(self, peer: PeerHeader, item: Any) -> None:
        key = (int(peer.peer_type), peer.distinguisher, peer.address)
        p = self.peers.get(key)
        if p is None:
            p = self.peers[key] = {
                "peer": peer,
                "asns": Counter(),
                "ids": Counter(),
                "messages": 0,
                "up": 0,
                "down": Counter(),
            }
        p["messages"] += 1
        p["asns"][peer.asn] += 1
        if peer.bgp_id != "0.0.0.0" or not p["ids"]:
            p["ids"][peer.bgp_id] += 1
        if isinstance(item, PeerUp):
            p["up"] += 1
        elif isinstance(item, PeerDown):
            reason = _name(item.reason)
            note = item.notification
            if note is not None and hasattr(note, "code"):
                reason += f" ({int(note.code)}/{int(note.subcode)})"
            p["down"][reason] += 1


def _name(value: Any) -> str:
    name = getattr(value, "name", None)
    return str(name).lower() if name else str(value)


def _peer_label(peer: PeerHeader) -> str:
    rd = peer.rd
    label = f"{peer.address} AS{peer.asn}"
    if rd is not None:
        label += f" RD {rd}"
    if peer.peer_type == 3:
        label = f"loc-rib {label}"
    return label


def _table(rows: list[list[Any]], header: list[str], out: TextIO) -> None:
    cells = [header] + [[str(c) for c in r] for r in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(header))]
    for n, r in enumerate(cells):
        out.write("  " + "  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(r, widths))))
        out.write("\n")
        if n == 0:
            out.write("  " + "  ".join("-" * w for w in widths) + "\n")


def _fmt_time(ns: int) -> str:
    return time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(ns / 1e9)) + f".{ns // 1000 % 1_000_000:06d}"


def render_summary(
    path: str, fmt: str, s: Summary, stats: CaptureStats | None, streams: list[StreamInfo], out: TextIO
) -> None:
    w = out.write
    w(f"== {path} ({fmt})\n")
    for line in s.sys:
        w(f"  {line}\n")
    if stats is not None:
        w(
            f"\nPackets: {stats.packets} ({stats.tcp_segments} TCP segments, {stats.non_tcp} other, "
            f"{stats.malformed} malformed); BMP streams: {stats.bmp_streams}, other TCP streams: "
            f"{stats.other_streams}\n"
        )
        if streams:
            w("\nBMP streams\n")
            rows = [
                [
                    f"{st.flow} #{st.connection}",
                    "SYN" if st.syn else "mid-stream",
                    st.messages,
                    st.octets,
                    st.errors,
                    st.skipped_bytes,
                    f"{st.gaps}/{st.gap_bytes}",
                    st.duplicate_bytes,
                    _fmt_time(st.first_time_ns),
                    _fmt_time(st.last_time_ns),
                ]
                for st in streams
            ]
            _table(rows, ["flow", "start", "messages", "octets", "errors", "skipped", "gaps/octets",
                          "retransmitted", "first", "last"], out)  # fmt: skip
    w("\nMessages by type and table\n")
    tables = [t.value for t in Table]
    rows = []
    for rtype in RECORD_TYPES:
        if s.types[rtype]:
            per = s.by_table.get(rtype, Counter())
            rows.append([rtype, s.types[rtype], *(per[t] or "" for t in tables)])
    rows.append(["total", sum(s.types.values()), *(sum(s.by_table[r][t] for r in s.by_table) or "" for t in tables)])
    _table(rows, ["type", "total", *tables], out)
    if s.peers:
        w("\nPeers\n")
        rows = []
        for p in s.peers.values():
            peer: PeerHeader = p["peer"]
            rd = peer.rd
            rows.append(
                [
                    peer.address,
                    ",".join(str(a) for a in p["asns"]),
                    ",".join(p["ids"]),
                    _name(peer.peer_type) + (f" {rd}" if rd is not None else ""),
                    p["messages"],
                    p["up"],
                    sum(p["down"].values()),
                    ", ".join(f"{r} x{n}" for r, n in p["down"].items()),
                ]
            )
        _table(rows, ["address", "AS", "BGP ID", "peer type", "messages", "up", "down", "down reasons"], out)
    if s.families:
        w("\nAddress families (Route Monitoring)\n")
        rows = [
            [f, c["messages"], c["announced"], c["withdrawn"], c["end-of-rib"]] for f, c in sorted(s.families.items())
        ]
        _table(rows, ["family", "messages", "announced", "withdrawn", "end-of-rib"], out)
    if s.stats:
        w("\nStatistics (latest value per peer and type)\n")
        rows = []
        for (label, stype, afi, safi), (value, ts) in sorted(s.stats.items(), key=lambda kv: str(kv[0])):
            fam = "" if afi is None or safi is None else family_name(afi, safi)
            rows.append([label, stype, fam, value, _fmt_time(int(ts * 1e9))])
        _table(rows, ["peer", "stat type", "family", "value", "at (peer timestamp)"], out)
    w("\nErrors and gaps\n")
    if not (s.errors or s.skipped or s.gaps):
        w("  none\n")
    for reason, n in s.errors.most_common():
        w(f"  error x{n}: {reason}\n")
    for reason, n in s.skipped.most_common():
        w(f"  skipped x{n}: {reason}\n")
    if s.skipped:
        w(f"  skipped octets: {s.skipped_bytes}\n")
    for flow, off, length in s.gaps:
        w(f"  gap: {flow} at stream offset {off}, {length} octets missing\n")
    w("\n")


def _cmd_summary(args: argparse.Namespace) -> int:
    current: dict[str, Summary] = {}

    def handle(src: Source, record: Any, item: Any) -> None:
        s = current.get(src.path)
        if s is None:
            s = current[src.path] = Summary()
        s.add(record, item)

    def finish(src: Source) -> None:
        s = current.pop(src.path, None) or Summary()
        reader = src.reader
        render_summary(
            src.path,
            src.format,
            s,
            None if reader is None else reader.stats,
            [] if reader is None else reader.streams,
            sys.stdout,
        )

    return run_inputs(args, handle, finish)


# -- parser ----------------------------------------------------------------------
#: How a subcommand joins the command line: a function that gets the
#: subparsers and the parent parser of the common options (FILE..., --port,
#: the filters, --resync, -q/--progress), adds its parser with
#: ``sub.add_parser(name, parents=[common], ...)`` and sets ``func`` (taking
#: the parsed arguments, returning the exit status; :func:`run_inputs` walks
#: the inputs).  Add yours to :data:`SUBCOMMANDS` with :func:`register_command`
#: from the module that implements it, and import that module at the end of
#: this one.
AddCommand = Callable[["argparse._SubParsersAction[argparse.ArgumentParser]", argparse.ArgumentParser], None]
SUBCOMMANDS: list[AddCommand] = []


def register_command(add: AddCommand) -> AddCommand:
    """Register a subcommand (see :data:`SUBCOMMANDS`); usable as a decorator."""
    SUBCOMMANDS.append(add)
    return add


def common_options() -> argparse.ArgumentParser:
    """The parent parser of the options every input-reading subcommand takes."""
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "files",
        nargs="+",
        metavar="FILE",
        help="raw BMP stream, pcap or pcapng, plain or compressed (gzip, bzip2, xz, zstd); '-' for stdin",
    )
    common.add_argument(
        "--port",
        action="append",
        type=_port_arg,
        metavar="PORT",
        help="TCP port carrying BMP in captures (repeatable; default: detect BMP flows by content)",
    )
    common.add_argument(
        "--type",
        action="append",
        type=_type_arg,
        metavar="TYPE",
        help=f"keep records of this type (repeatable, or comma-separated): {', '.join(RECORD_TYPES)}",
    )
    common.add_argument(
        "--peer", action="append", type=_peer_arg, metavar="PEER", help="keep messages of this peer address or AS"
    )
    common.add_argument(
        "--table",
        action="append",
        choices=[t.value for t in Table],
        help="keep per-peer messages of this table (repeatable)",
    )
    common.add_argument(
        "--family",
        action="append",
        type=family_arg,
        metavar="FAMILY",
        help="keep Route Monitoring / Mirroring messages with routes of this family (ipv4-unicast, evpn, "
        "or an alias: ipv4, ipv6, vpnv4, vpnv6, ipv4-labeled, l2vpn-evpn, ...; repeatable)",
    )
    common.add_argument(
        "--resync",
        action="store_true",
        help="raw BMP streams: on a framing error, skip to the next plausible message (a 'skipped' record) "
        "instead of stopping (captures always do)",
    )
    common.add_argument("-q", "--quiet", action="store_true", help="no progress on stderr")
    common.add_argument(
        "--progress", action="store_true", help="progress with rate and ETA on stderr even when it is not a terminal"
    )
    return common


@register_command
def _add_decode(sub: argparse._SubParsersAction[argparse.ArgumentParser], common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("decode", parents=[common], help="print every BMP message as JSON lines")
    p.add_argument("--pretty", action="store_true", help="indented JSON")
    p.add_argument("--count", action="store_true", help="print how many records pass the filters, not the records")
    p.add_argument(
        "--pure-json",
        action="store_true",
        help="render with the reference walk and the standard library's encoder (same output, slower)",
    )
    p.set_defaults(func=_cmd_decode)


@register_command
def _add_summary(sub: argparse._SubParsersAction[argparse.ArgumentParser], common: argparse.ArgumentParser) -> None:
    s = sub.add_parser("summary", parents=[common], help="print a table of what the files hold")
    s.set_defaults(func=_cmd_summary)


@register_command
def _add_rib(sub: argparse._SubParsersAction[argparse.ArgumentParser], common: argparse.ArgumentParser) -> None:
    from bmplib.rib.cli import add_commands  # `events` and `rib` live with bmplib.rib

    add_commands(sub, common)


@register_command
def _add_listen(sub: argparse._SubParsersAction[argparse.ArgumentParser], common: argparse.ArgumentParser) -> None:
    listen.add_parser(sub)  # the collector lives in bmplib.listen / bmplib.aio


@register_command
def _add_routes(sub: argparse._SubParsersAction[argparse.ArgumentParser], common: argparse.ArgumentParser) -> None:
    from bmplib.records.cli import register as register_routes  # `bmplib routes` lives with the records

    register_routes(sub)


def _version() -> str:
    from bmplib import IMPLEMENTATION, __version__

    return f"bmplib {__version__} ({IMPLEMENTATION}; Python {sys.version.split()[0]})"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="bmplib",
        description="Decode BMP (RFC 7854) streams and pcap / pcapng captures of BMP sessions.",
        epilog="Exit status: " + "; ".join(f"{k} {v}" for k, v in EXIT_STATUSES.items()) + ".",
    )
    parser.add_argument("--version", action="version", version=_version())
    sub = parser.add_subparsers(dest="command", required=True)
    common = common_options()
    for add in SUBCOMMANDS:
        add(sub, common)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the console script."""
    args = build_parser().parse_args(argv)
    try:
        result: int = args.func(args)
        sys.stdout.flush()
    except BrokenPipeError:  # e.g. piped into head
        try:
            sys.stdout = open(os.devnull, "w")
        except OSError:
            pass
        return EXIT_OK
    except KeyboardInterrupt:
        print("bmplib: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except Exception as exc:  # a bug: still one line, not a traceback
        print(f"bmplib: internal error (please report it): {type(exc).__name__}: {exc}", file=sys.stderr)
        return EXIT_INTERNAL
    return result
