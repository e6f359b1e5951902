"""``python -m memgd.figures``: see :mod:`memgd.figures.cli`."""

import sys

from memgd.figures.cli import main

if __name__ == "__main__":
    sys.exit(main())
