"""Every code example in the documentation runs, so the docs cannot drift.

The pages are docs/*.md and README.md.  In each page, fenced blocks run in
order, from the repository root (so ``pcaps/...`` paths work), sharing one
namespace per page like a doctest session:

* ``python`` blocks are executed;
* ``pycon`` blocks (``>>>`` prompts) are doctests: their output is checked
  (``...`` matches anything, whitespace is normalised);
* ``console`` blocks: each ``$ command`` line runs in bash, with this Python's
  ``bin`` first on PATH (so ``bmplib`` and ``python`` are the ones under
  test); it must exit 0, and the lines after it (if any) are its expected
  output, checked like a doctest's.

A page whose examples need optional extras says so in a MyST comment,
``% requires: pyarrow duckdb``: without those modules its examples are
skipped (CI installs the extras, so they run there).

A block that must not run is marked on the line just before its fence with
``% skip: why`` (a MyST comment) or ``<!-- skip: why -->`` (README).  In
docs/, ``sh``/``bash``/``shell`` fences are refused: use ``console``.

Also checked here: the doctests in bmplib's own docstrings (autodoc renders
them into the API reference), that the API reference covers every name in
``bmplib.__all__``, that every page is in the table of contents, and that
the JSON examples of docs/json.md equal what bmplib produces now.
"""

from __future__ import annotations

import doctest
import importlib
import importlib.util
import json
import os
import pkgutil
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

import bmplib
from tests.conftest import ROOT

DOCS = ROOT / "docs"
PAGES = [*sorted(DOCS.glob("*.md")), ROOT / "README.md"]
RUN = {"python", "pycon", "console"}
REFUSED = {"sh", "bash", "shell", "shell-session"}
OPTIONS = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE

_FENCE = re.compile(
    r"^(?P<fence>`{3,}|~{3,})(?P<info>[^\n]*)\n(?P<body>.*?)^(?P=fence)[ \t]*$",
    re.MULTILINE | re.DOTALL,
)
_SKIP = re.compile(r"^(?:%\s*skip:|<!--\s*skip:).*$")


@dataclass
class Block:
    page: Path
    line: int  # of the opening fence, 1-based
    lang: str
    body: str
    skip: bool

    @property
    def where(self) -> str:
        page = self.page.relative_to(ROOT) if self.page.is_relative_to(ROOT) else self.page
        return f"{page}:{self.line}"


def blocks(page: Path) -> list[Block]:
    text = page.read_text(encoding="utf-8")
    out = []
    for m in _FENCE.finditer(text):
        info = m.group("info").strip()
        if info.startswith("{"):  # MyST directive: only {code-block} LANG is code
            directive, _, arg = info.partition("}")
            lang = arg.split()[0] if directive in ("{code-block", "{code") and arg.split() else ""
        else:
            lang = info.split()[0] if info else ""
        before = text[: m.start()].rstrip("\n").rsplit("\n", 1)[-1]
        line = text.count("\n", 0, m.start()) + 1
        out.append(Block(page, line, lang, m.group("body"), bool(_SKIP.match(before.strip()))))
    return out


def run_console(block: Block) -> None:
    env = dict(os.environ)
    env["PATH"] = str(Path(sys.executable).parent) + os.pathsep + env.get("PATH", "")
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    commands: list[tuple[str, list[str]]] = []
    for text in block.body.splitlines():
        if text.startswith("$ "):
            commands.append((text[2:], []))
        elif commands:
            commands[-1][1].append(text)
        else:
            pytest.fail(f"{block.where}: console block must start with a '$ ' prompt")
    checker = doctest.OutputChecker()
    for command, expected in commands:
        proc = subprocess.run(
            ["bash", "-o", "pipefail", "-c", command],
            cwd=ROOT, env=env, capture_output=True, text=True, timeout=300,
        )  # fmt: skip
        # a pipe into head closes early: the writer may see SIGPIPE, which is fine
        assert proc.returncode == 0 or (proc.returncode == 141 and "| head" in command), (
            f"{block.where}: `{command}` exited {proc.returncode}\n{proc.stderr}"
        )
        want = "\n".join(expected).strip("\n")
        if want:
            got = proc.stdout.strip("\n")
            assert checker.check_output(want + "\n", got + "\n", OPTIONS), (
                f"{block.where}: `{command}` printed\n{got}\n--- expected\n{want}"
            )


_REQUIRES = re.compile(r"^%\s*requires:(.*)$", re.MULTILINE)


def run_page(page: Path, monkeypatch: pytest.MonkeyPatch) -> int:
    for m in _REQUIRES.finditer(page.read_text(encoding="utf-8")):
        for module in m.group(1).split():
            pytest.importorskip(module, reason=f"{page.name} needs the optional module {module}")
    monkeypatch.chdir(ROOT)
    namespace: dict[str, Any] = {"__name__": f"docs_{page.stem}"}
    ran = 0
    for block in blocks(page):
        if page.parent == DOCS and block.lang in REFUSED and not block.skip:
            pytest.fail(f"{block.where}: use a `console` block (with `$ ` prompts) or mark it `% skip: why`")
        if block.lang not in RUN or block.skip:
            continue
        ran += 1
        if block.lang == "python":
            code = compile("\n" * (block.line) + block.body, str(block.page), "exec")
            exec(code, namespace)
        elif block.lang == "pycon":
            test = doctest.DocTestParser().get_doctest(block.body, namespace, block.where, str(page), block.line)
            runner = doctest.DocTestRunner(optionflags=OPTIONS)
            runner.run(test, clear_globs=False)
            namespace.update(test.globs)  # DocTest copies the globals: carry what the block defined
            result = runner.summarize(verbose=False)
            assert result.failed == 0, f"{block.where}: doctest failed (see the output above)"
        else:
            run_console(block)
    return ran


@pytest.mark.parametrize("page", PAGES, ids=[p.name for p in PAGES])
def test_code_examples_run(page: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    run_page(page, monkeypatch)


def test_examples_exist_and_skips_are_rare() -> None:
    all_blocks = [b for p in PAGES for b in blocks(p)]
    runnable = [b for b in all_blocks if b.lang in RUN and not b.skip]
    skipped = [b for b in all_blocks if b.skip]
    assert len(runnable) >= 20, "the docs should show (and so run) plenty of examples"
    assert len(skipped) <= len(runnable) // 4, [b.where for b in skipped]


def test_fence_parser_finds_blocks_and_skip_marks(tmp_path: Path) -> None:
    page = tmp_path / "page.md"
    page.write_text(
        "# t\n\n```python\nx = 1\n```\n\n% skip: installs things\n```console\n$ pip install x\n```\n\n"
        "````{code-block} python\ny = 2\n````\n\n```{literalinclude} f.py\n```\n",
        encoding="utf-8",
    )
    got = [(b.lang, b.body, b.skip, b.line) for b in blocks(page)]
    assert got == [
        ("python", "x = 1\n", False, 3),
        ("console", "$ pip install x\n", True, 8),
        ("python", "y = 2\n", False, 12),
        ("", "", False, 16),
    ]


def test_a_failing_example_fails(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    page = tmp_path / "bad.md"
    page.write_text("```pycon\n>>> 1 + 1\n3\n```\n", encoding="utf-8")
    with pytest.raises(AssertionError, match="doctest failed"):
        run_page(page, monkeypatch)
    page.write_text("```console\n$ python -c 'print(2)'\n3\n```\n", encoding="utf-8")
    with pytest.raises(AssertionError, match="printed"):
        run_page(page, monkeypatch)
    page.write_text("```python\nraise RuntimeError('boom')\n```\n", encoding="utf-8")
    with pytest.raises(RuntimeError, match="boom"):
        run_page(page, monkeypatch)


# -- the API reference and docstrings -------------------------------------------------------------
def bmplib_modules() -> list[ModuleType]:
    names = [m.name for m in pkgutil.walk_packages(bmplib.__path__, "bmplib.")]
    return [bmplib, *(importlib.import_module(n) for n in sorted(names) if not n.endswith("__main__"))]


@pytest.mark.parametrize("module", bmplib_modules(), ids=lambda m: m.__name__)
def test_docstring_examples_run(module: ModuleType, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    finder = doctest.DocTestFinder(exclude_empty=True)
    runner = doctest.DocTestRunner(optionflags=OPTIONS)
    for test in finder.find(module, module.__name__):
        if test.examples:
            runner.run(test)
    assert runner.summarize(verbose=False).failed == 0


def test_api_reference_covers_every_public_name() -> None:
    api = (DOCS / "api.md").read_text(encoding="utf-8")
    documented = set(re.findall(r"^\.\. (?:auto)?(?:class|function|data|exception|attribute)::\s+(\w+)", api, re.M))
    missing = sorted(set(bmplib.__all__) - documented)
    assert not missing, f"add these to docs/api.md: {missing}"


def test_every_page_is_in_the_table_of_contents() -> None:
    index = (DOCS / "index.md").read_text(encoding="utf-8")
    toc = set()
    for tree in index.split("```{toctree}")[1:]:
        toc |= set(re.findall(r"^([\w/-]+)$", tree.split("```", 1)[0], re.M))
    pages = {p.stem for p in DOCS.glob("*.md")} - {"index"}
    assert pages <= toc, f"add to the toctree of docs/index.md: {sorted(pages - toc)}"


# -- JSON examples -----------------------------------------------------------------------------------
def load_generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("json_examples", DOCS / "examples" / "json_examples.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_json_examples_equal_what_bmplib_produces() -> None:
    gen = load_generator()
    stale = gen.stale()
    assert not stale, (
        f"docs/examples/json is out of date ({', '.join(stale)}): run `python docs/examples/json_examples.py` "
        "from the repository root, check the diff, and update docs/json.md if the schema changed"
    )


def test_json_page_shows_every_example_and_every_record_type() -> None:
    page = (DOCS / "json.md").read_text(encoding="utf-8")
    gen = load_generator()
    files = gen.render()
    shown = set(re.findall(r"\{literalinclude\} examples/json/(\w+\.json)", page))
    assert shown == set(files)
    types = {json.loads(text)["type"] for text in files.values()}
    assert types == {"route_monitoring", "statistics_report", "peer_down", "peer_up", "initiation", "termination",
                     "route_mirroring", "unknown", "error", "skipped"}  # fmt: skip
    for record_type in types:
        assert f"`{record_type}`" in page, f"docs/json.md does not describe {record_type}"
