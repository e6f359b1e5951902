"""Running many independent tasks: on one machine, on a cluster, resumably.

A campaign is a list of :class:`Task` (a top-level function and its keyword
parameters).  :func:`run_tasks` runs the tasks not yet stored on one of three
backends (``serial``; ``loky``, joblib's process pool, the default; ``dask``, a
Dask distributed cluster or a ``LocalCluster``), stores each result under the
output folder as it arrives (:class:`ResultStore`) and returns them by task key.
A task's key names its computation and the code that runs it (a hash of the
installed memgd sources, of a user's rule module and the numerical libraries'
versions: :mod:`.fingerprint`), so a result is reused only by the code that made
it; :func:`output_lock` keeps a second run off an output folder in use.
Every task runs with one BLAS thread and draws its randomness only from its own
parameters (an explicit seed, or :func:`task_seed`, derived from the task's
computation), so on one machine results are identical bit for bit whatever the
backend and the number of workers: each task runs the same code on the same
inputs.  On another machine (another CPU, BLAS or library version) the last bits
may differ.  This package may import numpy, joblib, threadpoolctl, rich, dask
(only when the dask backend is chosen) and ``memgd.__version__``; it knows nothing
of the report, the solvers or the theory (it finds memgd's source files by name).
"""

from memgd.proofs_check.campaigns.backends import (
    BACKENDS, BackendUnavailable, Interrupted, Results, RunConfig, StaleResults, run_tasks,
)
from memgd.proofs_check.campaigns.lock import OutputLocked, output_lock
from memgd.proofs_check.campaigns.progress import Progress
from memgd.proofs_check.campaigns.store import ResultStore
from memgd.proofs_check.campaigns.tasks import Task, TaskResult, task_seed

__all__ = ["BACKENDS", "BackendUnavailable", "Interrupted", "OutputLocked", "Progress", "ResultStore", "Results",
           "RunConfig", "StaleResults", "Task", "TaskResult", "output_lock", "run_tasks", "task_seed"]
