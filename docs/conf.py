"""Sphinx configuration of the memgd site (myst-nb pages executed at every build).

Build (offline, fails on any warning, execution error or broken reference)::

    python -m sphinx -W --keep-going -n -b html docs docs/_build/html

or ``python docs/check_site.py --build`` (build, then check the pages in headless Chromium).
"""

from __future__ import annotations

import importlib.util
import os
import sys
from pathlib import Path

import memgd

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE / "_ext"))  # docstring_text: plain-text notation in docstrings
# the pages' kernels import docs/_helpers.py (figure captions): put this folder on their path
os.environ["PYTHONPATH"] = os.pathsep.join([str(HERE)] + [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p])
# every PNG the kernels write records its smallest text size (docs/_ext/figure_fonts.py; the site check reads it)
os.environ["PYTHONSTARTUP"] = str(HERE / "_ext" / "figure_fonts.py")

project = "memgd"
author = "the memgd developers"
copyright = "the memgd developers (MIT licence)"
release = version = memgd.__version__

extensions = [
    "myst_nb",
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.napoleon",
    "sphinx.ext.mathjax",
    "sphinx.ext.viewcode",
    "docstring_text",
    "api_homes",
    "notebook_download",   # docs/_ext: each executed page links its notebook (.ipynb)
    "sphinx_design",       # {dropdown}: the exercises' solutions stay folded until opened
]
templates_path = ["_templates"]

# ----------------------------------------------------------------------------- pages
root_doc = "index"
exclude_patterns = ["_build", "_templates", "_ext", "jupyter_execute", ".jupyter_cache", "**/.ipynb_checkpoints", "README.md"]
myst_enable_extensions = ["dollarmath", "amsmath", "colon_fence", "deflist"]
myst_heading_anchors = 3
suppress_warnings: list[str] = []

# every code cell runs at every build: the numbers on the pages come from this commit's code
nb_execution_mode = os.environ.get("MEMGD_DOCS_EXECUTION", "force")
if nb_execution_mode == "off":   # docs/building.md's fast rebuild: unexecuted cells carry no language info
    suppress_warnings.append("myst-nb.lexer")
nb_execution_raise_on_error = True   # an exception in a cell fails the build
nb_execution_timeout = 300           # seconds per page
nb_execution_show_tb = True
nb_merge_streams = True
nb_render_markdown_format = "myst"   # Markdown printed by cells (tables, captions) may hold $math$
nb_render_image_options = {"width": "100%"}

# ----------------------------------------------------------------------------- references
nitpicky = True
# Names in signatures and docstrings that are not documented objects of their own.  Each is
# a type from numpy / matplotlib / sympy / the standard library for which no inventory is
# reachable offline, or a private alias.
nitpick_ignore_regex = [
    (r"py:.*", r"(np|numpy|npt|numpy\.typing)\..*"),
    (r"py:.*", r"(ArrayLike|NDArray|np\.ndarray|ndarray)"),
    (r"py:.*", r"(sp|sympy)\..*"),
    (r"py:.*", r"(matplotlib|mpl)\..*"),
    (r"py:.*", r"(Figure|Axes|Generator)"),
    (r"py:.*", r"(cvxpy|cp|hypothesis|st)\..*"),
    (r"py:.*", r"(Callable|Iterable|Sequence|Mapping|Protocol|NamedTuple|IntEnum|Enum|Any)"),
    (r"py:.*", r"(optional|array-like|array_like|scalar|callable)"),
    (r"py:class", r"(enum|typing|collections\.abc|dataclasses|abc|pathlib|argparse)\..*"),
    # standard-library names written short in annotations and docstrings (no inventory offline)
    (r"py:.*", r"(Path|os\..*)"),
    # a string annotation autodoc splits at its comma ("tuple[Pattern, ...]", "dict[str, float]")
    (r"py:class", r"'(tuple|dict|list)\[\w+"),
    # property docstrings "Memory mass: sum of ...": napoleon reads the words before the colon as a type
    (r"py:class", r"(Memory mass|Total mass|p \+ q)"),
    # module-relative names in docstrings that name a module by its folder (``solvers``, ``figures``,
    # ``theory``) or an object without docstring (data constants, a method of a protocol)
    (r"py:mod", r"(solvers|figures|theory)"),
    (r"py:(data|attr|meth|func)", r"(RESOLUTION|names|declared_constants|Lemma\.prove|problem_specs|scripted_rules)"),
    # module constants (THEOREM_1, LEMMAS, GAP_TOL, HORIZONS, ...): autodoc documents no data
    # without a docstring of its own; each is described in its module's docstring
    (r"py:data", r"([\w.]*\.)?[A-Z][A-Z0-9_]*"),
]

# ----------------------------------------------------------------------------- API reference
autosummary_generate = True
autosummary_imported_members = False
from api_homes import homes, shadowed  # noqa: E402  (docs/_ext)

_homes = homes()
autosummary_context = {"homes": _homes, "shadowed": shadowed(_homes)}
autodoc_default_options: dict = {}   # the module template asks for members of leaf modules only
autodoc_typehints = "description"
autodoc_member_order = "bysource"
napoleon_google_docstring = True
napoleon_numpy_docstring = True
# the docstrings write a parameter's shape and meaning where numpydoc puts its type
# ("x0 : (n, d) starting points"): render that text as text, never as a type reference
napoleon_use_param = False
napoleon_use_rtype = False
napoleon_preprocess_types = False

# ----------------------------------------------------------------------------- HTML
html_theme = "furo"
html_title = f"memgd {release}"
html_static_path = ["_static"]
html_css_files = ["memgd.css"]

# MathJax 3 is served from the site itself (no network when building or reading): its
# files come from the PyPI package sphinx-mathjax-offline (MathJax 3.2.2, Apache-2.0),
# whose static folder is added to the site's static files.  The package is used for its
# files only; its Sphinx hook is not loaded.
_mathjax_pkg = importlib.util.find_spec("sphinx-mathjax-offline")
if _mathjax_pkg is None or _mathjax_pkg.submodule_search_locations is None:
    raise RuntimeError("the docs need the package sphinx-mathjax-offline: pip install -e '.[docs]'")
_mathjax_static = Path(list(_mathjax_pkg.submodule_search_locations)[0]) / "static"
html_static_path.append(str(_mathjax_static))
mathjax_path = "mathjax/tex-chtml.js"
# Macros the pages may use (an undefined macro renders as red text; docs/check_site.py fails on it)
mathjax3_config = {"tex": {"macros": {"R": r"\mathbb{R}"}}}

