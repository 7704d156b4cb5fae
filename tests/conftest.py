"""Shared test fixtures: where the captures are."""

from __future__ import annotations

import gzip
import json
import os
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, settings

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
