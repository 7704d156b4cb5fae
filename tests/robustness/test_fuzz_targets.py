"""Replay the seed corpus (fuzz/make_seeds.py, from pcaps/) through every fuzz
target (fuzz/targets.py), so the targets' own checks -- only DecodeError
escapes, decoded input re-encodes exactly, every stream octet is accounted
for -- run in every test run, fuzzer or not."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from tests.conftest import PCAPS, ROOT


def _load(name: str, path: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


sys.path.insert(0, str(ROOT / "fuzz"))
TARGETS: dict[str, Any] = _load("targets", ROOT / "fuzz" / "targets.py").TARGETS
_MAKE_SEEDS = _load("bmplib_fuzz_make_seeds", ROOT / "fuzz" / "make_seeds.py")
SEEDS: dict[str, list[bytes]] = _MAKE_SEEDS.build_seeds(sorted(PCAPS.glob("*.bmp")) + _MAKE_SEEDS.RFC_SOURCES)


#: targets no shipped capture has seeds for (their inputs come from the fuzzer only)
_NO_CAPTURE = {
    "nlri-rtc",
    "nlri-bgp-ls-vpn",  # BGP-LS VPN (SAFI 72): hand-packed in tests/nlri/ls_sr_mup_wires.py, replayed below
}


@pytest.mark.parametrize("name", sorted(TARGETS))
def test_seeds_pass_target(name: str) -> None:
    seeds = SEEDS.get(name, [])
    if name not in _NO_CAPTURE:
        assert seeds, f"no seed for {name}"
    for data in seeds:
        TARGETS[name](data)


@pytest.mark.parametrize("name", sorted(TARGETS))
def test_target_survives_edge_inputs(name: str) -> None:
    for data in (b"", b"\x00", b"\xff", b"\x01" * 64, b"\xff" * 300, bytes(range(256))):
        TARGETS[name](data)


def test_make_seeds_writes_a_corpus(tmp_path: Path) -> None:
    import subprocess

    out = subprocess.run(
        [sys.executable, str(ROOT / "fuzz" / "make_seeds.py"), "--repo-only", str(tmp_path)],
        capture_output=True,
        text=True,
    )
    assert out.returncode == 0, out.stderr
    assert len(list((tmp_path / "decode").iterdir())) > 100
    assert len(list((tmp_path / "update").iterdir())) > 100


def test_hand_packed_families_pass_targets() -> None:
    """The BGP-LS, SR Policy and MUP UPDATEs packed from the RFCs' layouts go
    through the update, NLRI and attribute targets (more TLVs and route types
    than the captures have, and the VPN SAFI no capture has)."""
    from bmplib.bgp.update import decode_update
    from bmplib.nlri.registry import family_name
    from bmplib.session import DecodeContext
    from tests.nlri.ls_sr_mup_wires import UPDATES

    fed = set()
    for wire in UPDATES.values():
        TARGETS["update"](b"\x01" + wire[19:])
        update = decode_update(wire, 19, len(wire), DecodeContext())
        for attr in update.attributes:
            routes = getattr(attr, "nlri", None) or getattr(attr, "withdrawn", None)
            if routes:
                name = f"nlri-{family_name(attr.afi, attr.safi)}"
                TARGETS[name](b"\x00" + b"".join(r.encode() for r in routes))
                fed.add(name)
            if attr.type_code in (23, 29):
                name = "attr-tunnel-encapsulation" if attr.type_code == 23 else "attr-bgp-ls"
                TARGETS[name](attr.encode()[4 if attr.flags & 0x10 else 3 :])
                fed.add(name)
    assert fed == {
        "nlri-bgp-ls",
        "nlri-bgp-ls-vpn",
        "nlri-ipv4-sr-policy",
        "nlri-ipv6-sr-policy",
        "nlri-ipv4-mup",
        "nlri-ipv6-mup",
        "attr-tunnel-encapsulation",
        "attr-bgp-ls",
    }
