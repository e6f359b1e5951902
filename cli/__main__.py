"""``python -m memgd``: the same as the ``memgd`` command (:mod:`memgd.cli`)."""

import sys

from memgd.cli import main

if __name__ == "__main__":
    sys.exit(main())
