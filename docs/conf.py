"""Sphinx configuration of the bmplib documentation.

Build it (warnings are errors) from the repository root with::

    sphinx-build -W --keep-going -b html docs docs/_build/html
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # autodoc imports bmplib from this checkout

import bmplib  # noqa: E402

project = "bmplib"
author = "bmplib developers"
copyright = "bmplib developers, MIT licence"
release = bmplib.__version__
version = release

extensions = [
    "myst_parser",
    "sphinx.ext.autodoc",
    "sphinx.ext.viewcode",
]

source_suffix = {".md": "markdown"}
root_doc = "index"
exclude_patterns = ["_build", "examples/json"]

# Markdown (MyST): ::: fences, definition lists, and #anchors for headings up to level 3
myst_enable_extensions = ["colon_fence", "deflist"]
myst_heading_anchors = 3

# autodoc: document what bmplib exports, in source order, with the type hints in the signature
autodoc_member_order = "bysource"
autodoc_typehints = "signature"
autodoc_default_options = {"members": True, "show-inheritance": True}
autoclass_content = "class"

html_theme = "furo"
html_title = f"bmplib {release}"
pygments_style = "friendly"
pygments_dark_style = "monokai"

# sphinx-build -n (nitpicky, as CI runs it): every qualified reference must
# resolve.  Not linked: the standard library (no intersphinx: the build stays
# offline), private base classes that show-inheritance names, pieces of
# generic types autodoc splits (``dict[str``), and bare names (a field or a
# sibling named in prose, resolved by the reader).  Ambiguous short names
# (``type`` is an attribute of several classes) are not warnings either.
nitpicky = True
nitpick_ignore_regex = [
    (r"py:.*", r"(argparse|enum|collections\.abc|datetime|pathlib|os|json|ipaddress|typing|socket|io)(\..*)?"),
    (r"py:class", r"bmplib\..*\._[A-Za-z].*"),
    (r"py:class", r".*[\[\]].*"),
    (r"py:class", r"bmplib\.(bmp\.constants|iana)\.E"),  # the TypeVar of lookup()
    (r"py:(class|attr|meth|func|data|exc|mod)", r"[A-Za-z_][A-Za-z0-9_]*"),
    (r"py:attr", r"[A-Z][A-Za-z0-9_]*\.[a-z_][a-z0-9_]*"),  # Class.field: dataclass fields are not targets
]
suppress_warnings = ["ref.python"]
