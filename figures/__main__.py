"""``python -m figures``: see :mod:`figures.cli`."""

import sys

from figures.cli import main

if __name__ == "__main__":
    sys.exit(main())
