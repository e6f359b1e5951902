"""The documentation site, built and read in headless Chromium (only with MEMGD_DOCS=1).

Building executes every page (a few minutes on two cores) and needs the ``docs`` extra
(``pip install -e '.[docs]'``), Playwright from PyPI and Debian's ``chromium``; so these
tests run only when asked: ``MEMGD_DOCS=1 python -m pytest tests/test_docs_site.py``.

The second test builds a two-page site with docs/conf.py whose page is broken on purpose (an
undefined macro, a pre-answered exercise cell, an error cell, a figure with small text, a wide
output): it confirms on real myst-nb output the markup that ``tests/test_check_site.py``'s
fixtures imitate (the ``tag_exercise-answer`` class, the traceback container, the PNG's font
chunk written by the kernels) and that the checker fails on each.
"""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

DOCS = Path(__file__).resolve().parents[1] / "docs"

pytestmark = pytest.mark.skipif(os.environ.get("MEMGD_DOCS") != "1", reason="set MEMGD_DOCS=1 to build and check the site")

BROKEN = """---
file_format: mystnb
kernelspec:
  name: python3
---

# Broken on purpose

An undefined macro: $x \\in \\R^n$.

```{code-cell} ipython3
:tags: [exercise-answer]
answer = 0.5
```

```{code-cell} ipython3
:tags: [exercise-answer]
answer = None
```

```{code-cell} ipython3
:tags: [raises-exception]
1 / 0
```

```{code-cell} ipython3
import matplotlib.pyplot as plt
fig, ax = plt.subplots(figsize=(14, 3))
ax.plot([0, 1], [0, 1])
ax.tick_params(labelsize=8)
plt.show()
```

```{code-cell} ipython3
print("x" * 300)
```
"""


def test_site_builds_and_reads_cleanly(tmp_path):
    sys.path.insert(0, str(DOCS))
    import check_site

    assert check_site.main(["--build", "--html", str(tmp_path / "html"), "--screenshots", str(tmp_path / "shots")]) == 0
    assert (tmp_path / "shots" / "explore_memory_explorable_1280.png").stat().st_size > 10_000


def test_checker_fails_on_a_broken_myst_page(tmp_path):
    sys.path.insert(0, str(DOCS))
    import check_site

    src = tmp_path / "src"
    src.mkdir()
    shutil.copy(DOCS / "conf.py", src / "conf.py")
    for name in ("_ext", "_static", "_templates", "_helpers.py"):
        (src / name).symlink_to(DOCS / name)
    (src / "index.md").write_text("# Fixture\n\n```{toctree}\nbroken\n```\n")
    (src / "broken.md").write_text(BROKEN)
    html = tmp_path / "html"
    subprocess.run([sys.executable, "-m", "sphinx", "-q", "-b", "html", str(src), str(html)], check=True)
    assert 'class="cell tag_exercise-answer' in (html / "broken.html").read_text()
    failures = check_site.check(html, None)
    text = "\n".join(failures)
    for width in check_site.WIDTHS:
        mine = [f for f in failures if f.startswith(f"broken.html @{width}px")]
        joined = "\n".join(mine)
        assert "red text in typeset math" in joined, text
        assert "line 1 is not blank: 'answer = 0.5'" in joined, text
        assert joined.count("exercise answer cell") == 1, text     # the blank one passes
        assert "error cells" in joined, text
        assert "smallest text renders at" in joined, text           # 8 pt at 100 dpi, shrunk to the column
        assert "cut or scrolled" in joined, text                    # the 300-character line
    assert not [f for f in failures if f.startswith("index.html")], text
