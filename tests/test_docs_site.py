"""The documentation site, built and read in headless Chromium (only with MEMGD_DOCS=1).

Building executes every page (a few minutes on two cores) and needs the ``docs`` extra
(``pip install -e '.[docs]'``), Playwright from PyPI and Debian's ``chromium``; so this
test runs only when asked: ``MEMGD_DOCS=1 python -m pytest tests/test_docs_site.py``.
"""

import os
import sys
from pathlib import Path

import pytest

DOCS = Path(__file__).resolve().parents[1] / "docs"

pytestmark = pytest.mark.skipif(os.environ.get("MEMGD_DOCS") != "1", reason="set MEMGD_DOCS=1 to build and check the site")


def test_site_builds_and_reads_cleanly(tmp_path):
    sys.path.insert(0, str(DOCS))
    import check_site

    assert check_site.main(["--build", "--html", str(tmp_path / "html"), "--screenshots", str(tmp_path / "shots")]) == 0
    assert (tmp_path / "shots" / "explorable.png").stat().st_size > 10_000
