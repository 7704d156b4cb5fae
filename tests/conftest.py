"""Shared test fixtures: where the captures are, and one shared walk over
../shared/pcaps/frr_large.bmp (47 MB, 332k messages) for every check that
needs all of its messages (see :class:`StreamCheck`)."""

from __future__ import annotations

import gzip
import json
import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar, TypeVar

import pytest
from hypothesis import HealthCheck, settings

import bmplib

# Hypothesis profiles: "ci" (default; sized to keep CI well under its time
# limit) and "long" for nightly runs: BMPLIB_HYPOTHESIS_PROFILE=long pytest
settings.register_profile(
    "ci", max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow], derandomize=True
)
settings.register_profile("long", max_examples=20000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("dev", max_examples=50, deadline=None)
settings.load_profile(os.environ.get("BMPLIB_HYPOTHESIS_PROFILE", "ci"))

ROOT = Path(__file__).resolve().parent.parent
PCAPS = ROOT / "pcaps"
SHARED = ROOT.parent / "shared"
SHARED_PCAPS = SHARED / "pcaps"
PUBLIC_PCAPS = SHARED_PCAPS / "public" / "pmacct"

#: The captures shipped in pcaps/ (each has .bmp, .pcap and .tshark.json.gz).
CAPTURES = sorted(p.name[: -len(".bmp")] for p in PCAPS.glob("*.bmp"))

#: Captures made to show families and exporter faults beyond plain unicast /
#: VPN / EVPN (pcaps/README.md): their UPDATEs are not all well formed nor all
#: of families tshark 4.0 decodes, so the UPDATE-against-tshark checks leave
#: them out; tests/test_lab_captures.py checks what they hold.
LAB_CAPTURES = ("frr_mirror_mvpn", "gobgp_families")

#: Messages of the shipped captures that their exporter sent malformed (by
#: capture, then stream offset): each decodes to an ErrorRecord that keeps
#: the message octets.  What went wrong: pcaps/README.md.
KNOWN_FAULTS: dict[str, dict[int, str]] = {
    "gobgp_families": {
        9218: "GoBGP 3.10 pre-policy copy of an IPv6 MUP ISD route: 8 zero octets after "
        "the /64 prefix where the EXTENDED_COMMUNITIES attribute header was",
    },
}


def shared_or_skip(path: Path) -> Path:
    """*path* under ../shared, or skip the test when ../shared is absent."""
    if not path.exists():
        pytest.skip(f"{path} not available (../shared is absent)")
    return path


def load_tshark(name: str) -> list[dict[str, Any]]:
    """tshark's JSON decoding of pcaps/NAME.pcap."""
    with gzip.open(PCAPS / f"{name}.tshark.json.gz", "rt", encoding="utf-8") as fh:
        data: list[dict[str, Any]] = json.load(fh)
    return data


@pytest.fixture(params=CAPTURES)
def capture(request: pytest.FixtureRequest) -> str:
    name: str = request.param
    return name


# ---------------------------------------------------------------------------
# frr_large.bmp: decoded once per test session (per xdist worker, and all its
# tests are in one xdist group so one worker does it), not once per check.
# Keeping its 332k decoded messages alive would take gigabytes, so each check
# is a StreamCheck that sees every item as the walk goes and keeps what it
# needs; a test marked ``@pytest.mark.frr_large(check=SomeCheck)`` asks for the
# ``frr_large`` fixture and reads its check's result.
# ---------------------------------------------------------------------------
FRR_LARGE = SHARED_PCAPS / "frr_large.bmp"

#: what a check may raise and have re-raised in its own test (pytest.skip too)
_CHECK_OUTCOMES = (Exception, pytest.skip.Exception, pytest.fail.Exception)


class StreamCheck:
    """One check over every item of a raw BMP stream, fed in stream order.

    ``__init__`` gets the stream's octets; ``feed`` sees each item (message,
    error record, skip record) and ``finish`` runs at the end: both assert.
    A check that fails stops being fed; the others go on."""

    #: checks of a lower rank see each item first (one that compares items
    #: as they were decoded goes before those that use their views)
    rank: ClassVar[int] = 0

    def __init__(self, data: bytes) -> None:
        self.data = data

    def feed(self, item: Any) -> None:
        """Check one item (subclasses)."""

    def finish(self) -> None:
        """Check what holds for the whole stream (subclasses)."""


C = TypeVar("C", bound=StreamCheck)


@dataclass
class StreamWalk:
    """The checks of one walk over a stream file: :meth:`result` gives a
    check after the walk, or raises what the check raised."""

    path: Path
    data: bytes
    checks: dict[type[StreamCheck], StreamCheck] = field(default_factory=dict)
    errors: dict[type[StreamCheck], BaseException] = field(default_factory=dict)
    items: int = 0
    seconds: float = 0.0

    def run(self, classes: list[type[StreamCheck]]) -> None:
        """One pass of ``bmplib.iter_file`` over the file, feeding every check in *classes*."""
        active: list[tuple[type[StreamCheck], StreamCheck]] = []
        for cls in sorted(classes, key=lambda cls: cls.rank):
            try:
                check = self.checks[cls] = cls(self.data)
            except _CHECK_OUTCOMES as exc:
                self.errors[cls] = exc
            else:
                active.append((cls, check))
        t0 = time.monotonic()
        n = 0
        try:
            for item in bmplib.iter_file(self.path):
                n += 1
                failed = False
                for cls, check in active:
                    try:
                        check.feed(item)
                    except _CHECK_OUTCOMES as exc:
                        self.errors[cls] = exc
                        failed = True
                if failed:
                    active = [(cls, check) for cls, check in active if cls not in self.errors]
        except _CHECK_OUTCOMES as exc:  # the decoder itself: every check fails with it
            for cls, _ in active:
                self.errors[cls] = exc
            active = []
        for cls, check in active:
            try:
                check.finish()
            except _CHECK_OUTCOMES as exc:
                self.errors[cls] = exc
        self.items = n
        self.seconds = time.monotonic() - t0

    def result(self, cls: type[C]) -> C:
        """*cls*'s check after the walk (a walk of its own when the shared
        one did not include it, e.g. when its test was not selected)."""
        if cls not in self.checks and cls not in self.errors:
            self.run([cls])
        if cls in self.errors:
            raise self.errors[cls]
        check = self.checks[cls]
        assert isinstance(check, cls)
        return check


def _skipped_by_mark(item: pytest.Item) -> bool:
    if item.get_closest_marker("skip") is not None:
        return True
    return any(mark.args and all(a is True for a in mark.args) for mark in item.iter_markers("skipif"))


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "frr_large(check): the test reads the result of the StreamCheck subclass CHECK from the shared walk over "
        "../shared/pcaps/frr_large.bmp (the frr_large fixture)",
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """The scheduler below finds the frr_large tests by their node ids."""
    for item in items:
        if item.get_closest_marker("frr_large") is not None and "frr_large" not in item.nodeid:
            raise pytest.UsageError(f"{item.nodeid}: a test marked frr_large must have frr_large in its node id")


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> Any:
    """``-n N --dist loadgroup`` (the README's test command): every test
    whose node id mentions frr_large goes to one worker, so the 332k
    messages are decoded once, not once per worker.  (pytest-xdist's own
    ``xdist_group`` mark cannot do it on pytest 9.2, whose node ids it can no
    longer suffix with the group: pytest-xdist issue 1386.)  Other tests
    are scheduled as ``loadgroup`` does."""
    if config.getvalue("dist") != "loadgroup":
        return None
    from xdist.scheduler import LoadGroupScheduling

    class FrrLargeGroupScheduling(LoadGroupScheduling):  # type: ignore[misc]
        def _split_scope(self, nodeid: str) -> str:
            if "frr_large" in nodeid:
                return "frr_large"
            scope: str = super()._split_scope(nodeid)
            return scope

    return FrrLargeGroupScheduling(config, log)


@pytest.fixture(scope="session")
def frr_large(request: pytest.FixtureRequest) -> StreamWalk:
    """One walk over ../shared/pcaps/frr_large.bmp with the check of every
    selected test marked ``frr_large(check=Check)``; skips when ../shared is absent."""
    path = shared_or_skip(FRR_LARGE)
    classes: list[type[StreamCheck]] = []
    for item in request.session.items:
        if _skipped_by_mark(item):
            continue
        for mark in item.iter_markers("frr_large"):
            cls = mark.kwargs["check"]
            if cls not in classes:
                classes.append(cls)
    walk = StreamWalk(path, path.read_bytes())
    walk.run(classes)
    return walk
