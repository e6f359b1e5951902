"""Where tasks run: ``serial`` (this process), ``loky`` (joblib's process pool) or ``dask``.

All three call the same wrapper, :func:`call`, which runs ``fn(**params)`` under
one BLAS thread (threadpoolctl) and times it: on one machine the values are the same
bit for bit on every backend, since each task runs the same code on the same inputs
and takes its randomness from its parameters (on workers with another CPU or other
library versions, the last bits may differ).  ``loky`` is
joblib's ``Parallel(return_as="generator_unordered")`` under
``parallel_config(backend="loky", inner_max_num_threads=1)``; ``dask`` submits
one future per task to a ``distributed.Client``, connected to ``scheduler`` when
given or to a ``LocalCluster`` of ``workers`` single-threaded processes, and
collects them with ``as_completed``.  Results arrive in any order; each is
stored as it arrives.  On Ctrl-C (KeyboardInterrupt) the workers are stopped
(loky's are terminated, Dask's futures cancelled and a local cluster closed) and
:class:`Interrupted` carries the results finished so far.

When the report process dies without that chance (``kill -9``, the out-of-memory killer),
loky's own mechanisms end an orphaned worker only after its current task and its idle timeout
(300 s), minutes later (joblib/loky#360 fixed the hang there, not the wait).  So every loky
worker starts a watchdog thread (:func:`exit_with_parent`, the pool's initializer) that ends
the worker within :data:`WATCHDOG_SECONDS` of its parent's death, mid-task included: on POSIX
an orphan is re-parented, so its parent pid changes.
"""

from __future__ import annotations

import logging
import os
import signal
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

from memgd.proofs_check.campaigns.progress import Progress
from memgd.proofs_check.campaigns.store import ResultStore
from memgd.proofs_check.campaigns.tasks import Task, TaskResult

BACKENDS = ("serial", "loky", "dask")
WATCHDOG_SECONDS = 0.5  # how often a loky worker checks that the report process is alive


def task_kind(task: Task) -> str:
    """What a task runs (its function): tasks of one kind cost alike, for the time estimate."""
    return f"{task.fn.__module__}.{task.fn.__qualname__}"


def exit_with_parent(parent: int, interval: float = WATCHDOG_SECONDS) -> None:
    """Worker initializer: end this process (``os._exit``) within ``interval`` seconds of the death of
    process ``parent``, whatever it is doing.  A daemon thread polls ``os.getppid()``, which changes
    when the parent dies (the orphan is re-parented to init or a subreaper); on Windows, where it
    does not, loky's idle timeout remains the only limit."""
    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(interval)
        os._exit(1)

    threading.Thread(target=watch, name="memgd-exit-with-parent", daemon=True).start()


def default_workers() -> int:
    """Every core this process may use (at least 1)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


@dataclass(frozen=True)
class RunConfig:
    """How to run a campaign: backend, worker count (None: every core), Dask scheduler address."""

    backend: str = "loky"
    workers: int | None = None
    scheduler: str | None = None

    def __post_init__(self):
        if self.backend not in BACKENDS:
            raise ValueError(f"backend must be one of {', '.join(BACKENDS)}, got {self.backend!r}")
        if self.workers is not None and self.workers < 1:
            raise ValueError(f"workers must be at least 1, got {self.workers}")
        if self.scheduler is not None and self.backend != "dask":
            raise ValueError("scheduler is for the dask backend only (add --backend dask)")

    @property
    def n_workers(self) -> int:
        return 1 if self.backend == "serial" else (self.workers or default_workers())

    def check_available(self) -> None:
        """Raise ValueError, before any work, if the backend's library is missing."""
        if self.backend == "dask":
            try:
                import distributed  # noqa: F401
            except ImportError as err:
                raise ValueError("backend dask needs dask.distributed: pip install 'memgd[dask]'") from err


class BackendUnavailable(ValueError):
    """The backend cannot start (no Dask scheduler at the address): a usage error, found before any task runs."""


class Interrupted(Exception):
    """Ctrl-C during a campaign; ``done`` holds the results finished (and stored) before it."""

    def __init__(self, done: dict[str, TaskResult]):
        super().__init__(f"interrupted after {len(done)} tasks")
        self.done = done


class StaleResults(ValueError):
    """Resuming found results stored by other code (``stale`` of the ``total`` tasks); raised before any task runs."""

    def __init__(self, stale: int, total: int, folder: Path):
        super().__init__(f"{stale} of {total} stored tasks under {folder} were computed by other code (a memgd "
                         "source, a rule module or a numerical library changed since)")
        self.stale, self.total, self.folder = stale, total, folder


class Results(dict):
    """Results by task key; ``reused``: how many came from the store, ``stale``: how many of those were made by
    other code (reused only with ``allow_stale``), and the codes that made them."""

    reused: int = 0
    stale: int = 0
    stale_codes: tuple[str, ...] = ()


def call(fn, params: dict) -> TaskResult:
    """``fn(**params)`` with one BLAS thread, timed."""
    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits=1):
        start = time.perf_counter()
        value = fn(**params)
        return TaskResult(value, time.perf_counter() - start)


def run_tasks(tasks: Sequence[Task], config: RunConfig = RunConfig(), *, store: ResultStore | None = None,
              resume: bool = False, allow_stale: bool = False, progress: Progress | None = None) -> Results:
    """Run ``tasks`` (skipping those already in ``store`` when ``resume``); results by task key.

    With ``resume``, a result stored by the code now installed is reused; one stored by other
    code (stale) raises :class:`StaleResults` before any task runs, unless ``allow_stale``
    (then it is reused and counted in ``Results.stale``).  Without ``resume`` every task runs.
    Each result is put in ``store`` as soon as it arrives.  Raises :class:`Interrupted`
    on Ctrl-C, after stopping the workers.
    """
    unique = list({t.key: t for t in tasks}.values())
    done = Results()
    if resume and store is not None:
        stale: dict[str, str] = {}
        for t in unique:
            found = store.lookup(t)
            if found is not None:
                done[t.key] = found.result
                if not found.fresh:
                    stale[t.key] = found.code
        if stale and not allow_stale:
            raise StaleResults(len(stale), len(unique), store.folder)
        done.reused, done.stale = len(done), len(stale)
        done.stale_codes = tuple(sorted({code.split("|")[0] for code in stale.values()}))
    todo = [t for t in unique if t.key not in done]
    progress = progress or Progress("quiet")
    progress.start(len(unique), len(done), kinds=[task_kind(t) for t in todo], workers=config.n_workers,
                   known=[(task_kind(t), done[t.key].seconds) for t in unique if t.key in done])
    runner = {"serial": _serial, "loky": _loky, "dask": _dask}[config.backend]
    try:
        for task, result in runner(todo, config):
            if store is not None:
                store.put(task, result)
            done[task.key] = result
            progress.advance(task.label, result.seconds, task_kind(task))
    except KeyboardInterrupt:
        progress.close(interrupted=True)
        raise Interrupted(done) from None
    progress.close()
    return done


def _serial(todo: list[Task], config: RunConfig) -> Iterator[tuple[Task, TaskResult]]:
    for task in todo:
        yield task, call(task.fn, task.params)


def _loky(todo: list[Task], config: RunConfig) -> Iterator[tuple[Task, TaskResult]]:
    from joblib import Parallel, delayed, parallel_config

    if not todo:
        return
    with parallel_config(backend="loky", n_jobs=config.n_workers, inner_max_num_threads=1,
                         initializer=exit_with_parent, initargs=(os.getpid(),)):
        # Start the (reused) worker pool with SIGINT ignored: the workers inherit SIG_IGN, which
        # Python keeps, so a terminal's Ctrl-C (sent to the whole process group) reaches only
        # this process, which then terminates them; a worker caught mid-start never prints a
        # KeyboardInterrupt traceback.
        with _children_ignore_sigint():
            Parallel()(delayed(_sigint_disposition)() for _ in range(config.n_workers))
        # each call returns its task's index with the result: the order of arrival is free
        results = Parallel(return_as="generator_unordered")(
            delayed(_indexed)(i, task.fn, task.params) for i, task in enumerate(todo))
        try:
            for i, result in results:
                yield todo[i], result
        finally:
            results.close()  # on Ctrl-C: joblib aborts the pending calls and terminates the workers


def _sigint_disposition() -> str:
    """What SIGINT does in this (worker) process: ``"ignored"`` once the pool started under SIG_IGN."""
    return "ignored" if signal.getsignal(signal.SIGINT) == signal.SIG_IGN else "raises"


def _indexed(i: int, fn, params: dict) -> tuple[int, TaskResult]:
    return i, call(fn, params)


@contextmanager
def _children_ignore_sigint():
    """Ignore SIGINT while child processes start (they inherit it); restore it in this process after."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def _dask(todo: list[Task], config: RunConfig) -> Iterator[tuple[Task, TaskResult]]:
    from distributed import Client, LocalCluster, as_completed

    if not todo:
        return
    with ExitStack() as stack:
        if config.scheduler:
            try:
                client = stack.enter_context(Client(config.scheduler))
            except (OSError, TimeoutError) as err:
                raise BackendUnavailable(f"--scheduler {config.scheduler}: cannot connect ({err})") from None
        else:
            with _children_ignore_sigint():  # Ctrl-C is the client's to handle: no tracebacks from workers
                cluster = stack.enter_context(LocalCluster(
                    n_workers=config.n_workers, threads_per_worker=1, processes=True, dashboard_address=None,
                    silence_logs=logging.ERROR))
            client = stack.enter_context(Client(cluster))
        futures = {client.submit(call, t.fn, t.params, key=f"memgd-{t.key}", pure=False): t for t in todo}
        try:
            for future in as_completed(futures):
                yield futures[future], future.result()
        finally:
            client.cancel(list(futures))
