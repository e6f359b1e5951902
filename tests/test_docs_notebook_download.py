"""The notebook download names the docs-local modules a page imports (docs/_ext/notebook_download.py).

A downloaded notebook that imports ``_cards`` or ``_helpers`` fails at its first cell unless that
file sits beside it; the extension copies and links every such module. These checks build small
notebooks in a temporary folder: no Sphinx build is needed.
"""

import json
import sys
from pathlib import Path

DOCS = Path(__file__).resolve().parent.parent / "docs"
sys.path.insert(0, str(DOCS / "_ext"))

from notebook_download import local_modules  # noqa: E402


def _notebook(tmp_path: Path, *sources: str) -> Path:
    cells = [{"cell_type": "code", "source": s, "metadata": {}, "outputs": [], "execution_count": None}
             for s in sources]
    cells.insert(0, {"cell_type": "markdown", "source": "from _helpers import not_code", "metadata": {}})
    path = tmp_path / "page.ipynb"
    path.write_text(json.dumps({"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}))
    return path


def test_finds_docs_modules_and_page_folder_modules(tmp_path):
    nb = _notebook(tmp_path, "import numpy as np\nfrom _cards import tex\n",
                   ["from memgd.theory import THEOREM_1\n", "    from explorable_data import best_memory\n"])
    names = [m.name for m in local_modules(DOCS, "explore/memory_explorable", nb)]
    assert names == ["_cards.py", "explorable_data.py"]   # not numpy, memgd, nor a markdown cell's text


def test_a_page_without_local_imports_needs_nothing(tmp_path):
    nb = _notebook(tmp_path, "import numpy as np\nfrom memgd.solvers import run\n")
    assert local_modules(DOCS, "course/01_memory", nb) == []


def test_explorable_data_is_not_found_from_another_folder(tmp_path):
    nb = _notebook(tmp_path, "from explorable_data import best_memory\nimport _helpers\n")
    assert [m.name for m in local_modules(DOCS, "course/03_loose", nb)] == ["_helpers.py"]
