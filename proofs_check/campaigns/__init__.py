"""Running many independent tasks: on one machine, on a cluster, resumably.

A campaign is a list of :class:`Task` (a top-level function and its keyword
parameters).  :func:`run_tasks` runs the tasks not yet stored on one of three
backends (``serial``; ``loky``, joblib's process pool, the default; ``dask``, a
Dask distributed cluster or a ``LocalCluster``), stores each result under the
output folder as it arrives (:class:`ResultStore`) and returns them by task key.
Every task runs with one BLAS thread and draws its randomness only from its own
parameters (an explicit seed, or :func:`task_seed`, derived from the task's key),
so results are identical bit for bit whatever the backend and the number of
workers.  This package may import numpy, joblib, threadpoolctl, rich, dask (only
when the dask backend is chosen) and ``memgd.__version__``; it knows nothing of
the report, the solvers or the theory.
"""

from memgd.proofs_check.campaigns.backends import BACKENDS, BackendUnavailable, Interrupted, RunConfig, run_tasks
from memgd.proofs_check.campaigns.progress import Progress
from memgd.proofs_check.campaigns.store import ResultStore
from memgd.proofs_check.campaigns.tasks import Task, TaskResult, task_seed

__all__ = ["BACKENDS", "BackendUnavailable", "Interrupted", "Progress", "ResultStore", "RunConfig", "Task", "TaskResult", "run_tasks",
           "task_seed"]
