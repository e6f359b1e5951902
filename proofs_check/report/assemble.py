"""The report as a list of section builders run as one campaign.

A :class:`SectionBuilder` names a section, lists its independent tasks for a
:class:`Plan` (``tasks``) and builds its :class:`Section` from the finished ones
(``build``).  :func:`build_report` collects the tasks of every enabled builder,
runs them in one campaign (:func:`memgd.proofs_check.campaigns.run_tasks`: all
cores busy across sections), then builds the sections in order.  After Ctrl-C it
builds them from the tasks finished so far, each incomplete section marked
partial.  Adding a section is one line in the ``SECTIONS`` list of
``proofs_check/__main__.py``: ``SectionBuilder.single("name", "module:my_section")`` for a
function ``my_section(progress) -> Section`` run as one task, or a builder with
its own ``tasks`` and ``build`` to split the work.

Any of ``tasks``, ``build`` and ``section`` may be given as a ``"module:function"`` string,
imported when the section runs: the command line then checks its arguments before the
sections' heavy imports (cvxpy, PEPit, sympy).

A section that summarizes another builder's tasks names it in ``reads``; when those tasks did
not all finish (an interrupted run), the section is marked partial and its first row says how
many of them its figures count, so a count such as "false certificates 0" is never read as
covering scenarios that never ran.
"""

from __future__ import annotations

import importlib
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from memgd.proofs_check.campaigns import Interrupted, Progress, ResultStore, RunConfig, Task, TaskResult, run_tasks
from memgd.proofs_check.report.render import Section

if TYPE_CHECKING:
    from memgd.proofs_check.report.scenarios import Scenario


@dataclass(frozen=True)
class Plan:
    """What this run of the report covers."""

    scenarios: tuple[Scenario, ...]
    full: bool = True             # the scenarios are a fixed default set (not --scenario, --filter or --grid)
    quick: bool = False
    skip: frozenset[str] = frozenset()  # section names not to run (--skip NAME, --no-counterexamples)
    falsification: str = "long"   # profile of the falsification section (--falsification)


class Done:
    """The finished tasks of a campaign, by builder, in each builder's task order."""

    def __init__(self, tasks: dict[str, list[Task]], results: dict[str, TaskResult]):
        self._tasks, self._results = tasks, results

    def values(self, builder: str) -> list:
        return [self._results[t.key].value for t in self._tasks.get(builder, []) if t.key in self._results]

    def counts(self, builder: str) -> tuple[int, int]:
        """(finished, total) tasks of ``builder``."""
        tasks = self._tasks.get(builder, [])
        return sum(t.key in self._results for t in tasks), len(tasks)

    def seconds(self, builder: str) -> float:
        return sum(self._results[t.key].seconds for t in self._tasks.get(builder, []) if t.key in self._results)


def always(plan: Plan) -> bool:
    return True


def _no_tasks(plan: Plan) -> list[Task]:
    return []


def resolve(ref: Callable | str) -> Callable:
    """``ref`` itself, or the object a ``"module:qualified.name"`` string names (imported now)."""
    if not isinstance(ref, str):
        return ref
    module, sep, qualname = ref.partition(":")
    if not sep:
        raise ValueError(f"expected 'module:function', got {ref!r}")
    obj = importlib.import_module(module)
    for part in qualname.split("."):
        obj = getattr(obj, part)
    return obj


@dataclass(frozen=True)
class SectionBuilder:
    name: str
    description: str
    build: Callable[[Plan, Done], Section] | str
    tasks: Callable[[Plan], list[Task]] | str = _no_tasks
    enabled: Callable[[Plan], bool] = always
    reads: tuple[str, ...] = ()  # builders whose finished tasks this section summarizes

    def make_tasks(self, plan: Plan) -> list[Task]:
        return resolve(self.tasks)(plan)

    def make_section(self, plan: Plan, done: Done) -> Section:
        return resolve(self.build)(plan, done)

    @classmethod
    def single(cls, name: str, section: Callable | str, description: str = "",
               enabled: Callable[[Plan], bool] = always) -> SectionBuilder:
        """A section computed whole by ``section(progress) -> Section`` (a top-level function, or its
        ``"module:function"`` path, imported only when the section runs), as one task."""
        path = section if isinstance(section, str) else f"{section.__module__}:{section.__qualname__}"
        if not description:
            description = name if isinstance(section, str) else (section.__doc__ or name).strip().splitlines()[0]

        def tasks(plan: Plan) -> list[Task]:
            return [Task(run_section, {"section": path}, label=name)]

        def build(plan: Plan, done: Done) -> Section:
            found = done.values(name)
            return found[0] if found else Section(name, [], partial="not run (interrupted)")

        return cls(name, description, build, tasks, enabled)


def run_section(section: str) -> Section:
    """Import ``module:function`` and call it with a silent progress callback."""
    return resolve(section)(lambda message: None)


def mark_coverage(sec: Section, read: str, finished: int, total: int) -> None:
    """Mark ``sec`` partial when it summarizes ``finished < total`` tasks of builder ``read``: a first
    row (in its first two columns) states the coverage, so no figure passes for the whole grid."""
    if finished >= total:
        return
    sec.partial = (f"the figures count only the {finished} of {total} {read} tasks that finished; "
                   f"the other {total - finished} never ran and are counted nowhere")
    if len(sec.columns) >= 2:
        sec.rows.insert(0, {sec.columns[0]: f"{read} evaluated (PARTIAL: every figure below counts only these)",
                            sec.columns[1]: f"{finished} of {total}"})


@dataclass
class ReportRun:
    sections: list[Section]
    timing: dict = field(default_factory=dict)   # per builder: task seconds, tasks, build seconds
    done: int = 0
    total: int = 0
    resumed: int = 0
    interrupted: bool = False
    stale: int = 0                       # resumed tasks made by other code (only with allow_stale)
    stale_codes: tuple[str, ...] = ()    # the code fingerprints that made them


def build_report(builders: Sequence[SectionBuilder], plan: Plan, config: RunConfig, *,
                 store: ResultStore | None = None, resume: bool = False, allow_stale: bool = False,
                 progress: Progress | None = None) -> ReportRun:
    """Run every enabled builder's tasks as one campaign, then build the sections (partial after Ctrl-C).

    Resuming from results stored by other code raises ``StaleResults`` before any task runs,
    unless ``allow_stale`` (see :func:`memgd.proofs_check.campaigns.run_tasks`)."""
    active = [b for b in builders if b.name not in plan.skip and b.enabled(plan)]
    tasks = {b.name: b.make_tasks(plan) for b in active}
    # builders with few tasks (whole sections, searches) have the longest ones: start them first, so that
    # no long task is left alone at the end while the other workers idle; but one task of every builder
    # with several goes before them all, so that each kind of task is measured within seconds and the
    # time estimate rests on measured costs (campaigns.progress.TimeLeft)
    ordered = [tasks[b.name] for b in sorted(active, key=lambda b: len(tasks[b.name]))]
    everything = [ts[0] for ts in ordered if len(ts) > 1] + [t for ts in ordered for t in ts[len(ts) > 1:]]
    interrupted = False
    try:
        results = run_tasks(everything, config, store=store, resume=resume, allow_stale=allow_stale,
                            progress=progress)
    except Interrupted as stop:
        results, interrupted = stop.done, True
    done = Done(tasks, results)
    sections, timing = [], {}
    for b in active:
        start = time.perf_counter()
        sec = b.make_section(plan, done)
        finished, total = done.counts(b.name)
        if finished < total and not sec.partial:
            sec.partial = f"{finished} of {total} tasks finished before the run was interrupted"
        for read in b.reads:
            if read in tasks:
                mark_coverage(sec, read, *done.counts(read))
        sections.append(sec)
        timing[b.name] = {"tasks": total, "task_seconds": round(done.seconds(b.name), 3),
                          "build_seconds": round(time.perf_counter() - start, 3)}
    unique = len({t.key for t in everything})
    return ReportRun(sections, timing, len(results), unique, getattr(results, "reused", 0), interrupted,
                     getattr(results, "stale", 0), getattr(results, "stale_codes", ()))
