"""Replay real messages from pcaps/ through every fuzz target (fuzz/targets.py),
so the targets' own checks run in every test run, fuzzer or not."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

from tests.bmp.test_roundtrip_real import split_messages
from tests.conftest import CAPTURES, PCAPS, ROOT


def _load_targets() -> dict[str, object]:
    spec = importlib.util.spec_from_file_location("bmplib_fuzz_targets", ROOT / "fuzz" / "targets.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    targets: dict[str, object] = module.TARGETS
    return targets


TARGETS = _load_targets()


@pytest.mark.parametrize("name", sorted(TARGETS))
@pytest.mark.parametrize("capture", CAPTURES)
def test_seed_messages_pass_target(name: str, capture: str) -> None:
    target = TARGETS[name]
    data = (PCAPS / f"{capture}.bmp").read_bytes()
    for msg in split_messages(data):
        target(msg if name != "stream" else bytes([len(msg) % 251]) + msg)  # type: ignore[operator]


def test_make_seeds_writes_a_corpus(tmp_path: Path) -> None:
    import subprocess

    out = subprocess.run(
        [sys.executable, str(ROOT / "fuzz" / "make_seeds.py"), str(tmp_path)], capture_output=True, text=True
    )
    assert out.returncode == 0, out.stderr
    assert len(list((tmp_path / "decode").iterdir())) > 100
    assert len(list((tmp_path / "stream").iterdir())) == len(list((tmp_path / "decode").iterdir()))
