"""The command-line options every campaign shares: ``--backend``, ``--workers``, ``--scheduler``."""

from __future__ import annotations

import argparse

from memgd.proofs_check.campaigns.backends import BACKENDS, RunConfig, default_workers


def add_arguments(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("where tasks run")
    group.add_argument("--backend", choices=BACKENDS, default="loky",
                       help="loky: joblib worker processes on this machine (default); dask: a Dask cluster "
                            "(--scheduler ADDRESS, or a LocalCluster of --workers processes); serial: this process")
    group.add_argument("--workers", type=int, metavar="N",
                       help=f"worker processes (default: every core, here {default_workers()})")
    group.add_argument("--scheduler", metavar="ADDRESS",
                       help="Dask scheduler address, e.g. tcp://10.0.0.1:8786 (with --backend dask; memgd must be "
                            "installed on the workers)")


def config_from_args(args: argparse.Namespace) -> RunConfig:
    """The :class:`RunConfig` of the parsed options; ValueError (one line) if they do not fit together."""
    config = RunConfig(args.backend, args.workers, args.scheduler)
    config.check_available()
    return config
