"""Shared test fixtures: where the captures are."""

from __future__ import annotations

import gzip
import json
from pathlib import Path
from typing import Any

import pytest

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
