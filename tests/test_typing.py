"""The model is typed end to end: ``mypy --strict`` on a user's script
catches a misspelt attribute of an UPDATE reached from a decoded message,
and accepts the script spelt right."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

SCRIPT = '''
import bmplib
from bmplib.bgp import Open


def routes(data: bytes) -> list[str]:
    msg = bmplib.decode(data)
    out: list[str] = []
    if isinstance(msg, bmplib.RouteMonitoring):
        upd = msg.update
        if upd is not None:
            out += [str(r) for r in upd.announced]
            out += [str(p.length) for p in upd.nlri]
            out.append(str(upd.{attr}))
    elif isinstance(msg, bmplib.PeerUp) and isinstance(msg.sent_open, Open):
        out.append(str(msg.sent_open.{open_attr}))
    return out
'''


def _mypy(tmp_path: Path, attr: str, open_attr: str) -> subprocess.CompletedProcess[str]:
    if shutil.which("mypy") is None and not (Path(sys.executable).parent / "mypy").exists():
        pytest.skip("mypy is not installed (the dev extra and CI install it)")
    work = tmp_path / attr  # one folder and cache per run: mypy's cache must not answer for the other script
    work.mkdir()
    script = work / "user_script.py"
    script.write_text(SCRIPT.format(attr=attr, open_attr=open_attr))
    cmd = [sys.executable, "-m", "mypy", "--strict", "--cache-dir", str(work / "cache"), str(script)]
    return subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=600)


def test_mypy_catches_a_misspelt_attribute(tmp_path: Path) -> None:
    bad = _mypy(tmp_path, "as_pathh", "hold_tim")
    assert bad.returncode == 1, bad.stdout + bad.stderr
    assert '"Update" has no attribute "as_pathh"' in bad.stdout, bad.stdout
    assert '"Open" has no attribute "hold_tim"' in bad.stdout, bad.stdout
    good = _mypy(tmp_path, "as_path", "hold_time")
    assert good.returncode == 0, good.stdout + good.stderr


def test_every_decoded_route_is_a_route() -> None:
    """The ``Route`` union names every route class the decoders produce
    (every route of every capture of pcaps/, whatever its family)."""
    from typing import get_args

    import bmplib
    from bmplib.nlri.routes import Route

    members = get_args(Route)
    seen = set()
    for path in sorted((ROOT / "pcaps").glob("*.bmp")):
        for item in bmplib.iter_file(path):
            update = getattr(item, "update", None)
            if update is None:
                continue
            for route in [*update.announced, *update.withdrawn]:
                assert isinstance(route, members), (path.name, type(route))
                seen.add(type(route).__name__)
    assert len(seen) >= 10, seen
