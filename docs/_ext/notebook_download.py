"""Sphinx extension: a "download this page as a notebook" link on every executed page.

myst-nb executes each MyST notebook page and writes the executed notebook (outputs
included) to ``<outdir>/../jupyter_execute/<docname>.ipynb``.  When a page is written,
this hook copies that notebook into the site (``_notebooks/<docname>.ipynb``) and puts a
link to it at the top of the page body, so a reader can open the page, with the outputs
of this build, in Jupyter.  Pages that were not executed (no notebook) get no link.

Markdown cells keep their MyST syntax (roles such as ``{doc}`` show as plain text in
Jupyter); the code cells run as they are, given ``pip install memgd`` and, for pages that
import ``_helpers``, that file beside the notebook.
"""

from __future__ import annotations

import shutil
from pathlib import Path

FOLDER = "_notebooks"


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
            f"Download this page as a Jupyter notebook (.ipynb, with this build's outputs)</a></p>\n")
    context["body"] = link + context["body"]


def setup(app):
    app.connect("html-page-context", add_link)
    return {"parallel_read_safe": True, "parallel_write_safe": False}
