"""Sphinx extension: a "download this page as a notebook" link on every executed page.

myst-nb executes each MyST notebook page and writes the executed notebook (outputs
included) to ``<outdir>/../jupyter_execute/<docname>.ipynb``.  When a page is written,
this hook copies that notebook into the site (``_notebooks/<docname>.ipynb``) and puts a
link to it at the top of the page body, so a reader can open the page, with the outputs
of this build, in Jupyter.  Pages that were not executed (no notebook) get no link.

Markdown cells keep their MyST syntax (roles such as ``{doc}`` show as plain text in
Jupyter); the code cells run as they are, given ``pip install memgd`` and the docs-local
modules the page imports (``_cards.py``, ``_helpers.py``, ``explorable_data.py``: any
``import NAME`` / ``from NAME import`` whose ``NAME.py`` is in the page's folder or in docs/).
Those are copied beside the notebook in the site and linked next to it, with a note that the
notebook needs them in its own folder.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

FOLDER = "_notebooks"
_IMPORT = re.compile(r"^\s*(?:from|import)\s+([A-Za-z_]\w*)", re.MULTILINE)


def local_modules(srcdir: Path, pagename: str, notebook: Path) -> list[Path]:
    """The docs-local modules a notebook's code cells import (the page's folder first, then docs/)."""
    cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
    code = "\n".join("".join(c["source"]) if isinstance(c["source"], list) else c["source"]
                     for c in cells if c["cell_type"] == "code")
    found = []
    for name in dict.fromkeys(_IMPORT.findall(code)):
        for folder in ((srcdir / pagename).parent, srcdir):
            if (folder / f"{name}.py").is_file():
                found.append(folder / f"{name}.py")
                break
    return found


def _notebook(app, pagename: str) -> Path | None:
    source = Path(app.outdir).parent / "jupyter_execute" / f"{pagename}.ipynb"
    return source if source.is_file() else None


def add_link(app, pagename, templatename, context, doctree) -> None:
    source = _notebook(app, pagename)
    if source is None or "body" not in context:
        return
    target = Path(app.outdir) / FOLDER / f"{pagename}.ipynb"
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source, target)
    href = context["pathto"](f"{FOLDER}/{pagename}.ipynb", 1)
    link = (f'<p class="memgd-notebook-download"><a href="{href}" download>'
            f"Download this page as a Jupyter notebook (.ipynb, with this build's outputs)</a>")
    modules = local_modules(Path(app.srcdir), pagename, source)
    if modules:
        links = []
        for module in modules:
            shutil.copyfile(module, target.parent / module.name)
            module_href = context["pathto"](f"{FOLDER}/{Path(pagename).parent / module.name}", 1)
            links.append(f'<a href="{module_href}" download><code>{module.name}</code></a>')
        link += (f"; it imports {', '.join(links)} from this site's sources: download "
                 f"{'it' if len(links) == 1 else 'them'} into the notebook's folder")
    link += "</p>\n"
    context["body"] = link + context["body"]


def setup(app):
    app.connect("html-page-context", add_link)
    return {"parallel_read_safe": True, "parallel_write_safe": False}
