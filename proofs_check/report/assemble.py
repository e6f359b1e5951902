"""The report as a list of section builders run as one campaign.

A :class:`SectionBuilder` names a section, lists its independent tasks for a
:class:`Plan` (``tasks``) and builds its :class:`Section` from the finished ones
(``build``).  :func:`build_report` collects the tasks of every enabled builder,
runs them in one campaign (:func:`memgd.proofs_check.campaigns.run_tasks`: all
cores busy across sections), then builds the sections in order.  After Ctrl-C it
builds them from the tasks finished so far, each incomplete section marked
partial.  Adding a section is one line in the ``SECTIONS`` list of
``proofs_check/__main__.py``: ``SectionBuilder.single("name", my_section)`` for a
function ``my_section(progress) -> Section`` run as one task, or a builder with
its own ``tasks`` and ``build`` to split the work.
"""

from __future__ import annotations

import importlib
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from memgd.proofs_check.campaigns import Interrupted, Progress, ResultStore, RunConfig, Task, TaskResult, run_tasks
from memgd.proofs_check.report.render import Section
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


@dataclass(frozen=True)
class SectionBuilder:
    name: str
    description: str
    build: Callable[[Plan, Done], Section]
    tasks: Callable[[Plan], list[Task]] = _no_tasks
    enabled: Callable[[Plan], bool] = always

    @classmethod
    def single(cls, name: str, section: Callable, description: str = "",
               enabled: Callable[[Plan], bool] = always) -> SectionBuilder:
        """A section computed whole by ``section(progress) -> Section`` (a top-level function), as one task."""
        path = f"{section.__module__}:{section.__qualname__}"

        def tasks(plan: Plan) -> list[Task]:
            return [Task(run_section, {"section": path}, label=name)]

        def build(plan: Plan, done: Done) -> Section:
            found = done.values(name)
            return found[0] if found else Section(name, [], partial="not run (interrupted)")

        return cls(name, description or (section.__doc__ or name).strip().splitlines()[0], build, tasks, enabled)


def run_section(section: str) -> Section:
    """Import ``module:function`` and call it with a silent progress callback."""
    module, _, qualname = section.partition(":")
    fn = importlib.import_module(module)
    for part in qualname.split("."):
        fn = getattr(fn, part)
    return fn(lambda message: None)


@dataclass
class ReportRun:
    sections: list[Section]
    timing: dict = field(default_factory=dict)   # per builder: task seconds, tasks, build seconds
    done: int = 0
    total: int = 0
    resumed: int = 0
    interrupted: bool = False


def build_report(builders: Sequence[SectionBuilder], plan: Plan, config: RunConfig, *,
                 store: ResultStore | None = None, resume: bool = False,
                 progress: Progress | None = None) -> ReportRun:
    """Run every enabled builder's tasks as one campaign, then build the sections (partial after Ctrl-C)."""
    active = [b for b in builders if b.name not in plan.skip and b.enabled(plan)]
    tasks = {b.name: b.tasks(plan) for b in active}
    # builders with few tasks (whole sections, searches) have the longest ones: start them first, so that
    # no long task is left alone at the end while the other workers idle
    everything = [t for b in sorted(active, key=lambda b: len(tasks[b.name])) for t in tasks[b.name]]
    stored = sum(1 for t in everything if store is not None and t.key in store) if resume else 0
    interrupted = False
    try:
        results = run_tasks(everything, config, store=store, resume=resume, progress=progress)
    except Interrupted as stop:
        results, interrupted = stop.done, True
    done = Done(tasks, results)
    sections, timing = [], {}
    for b in active:
        start = time.perf_counter()
        sec = b.build(plan, done)
        finished, total = done.counts(b.name)
        if finished < total and not sec.partial:
            sec.partial = f"{finished} of {total} tasks finished before the run was interrupted"
        sections.append(sec)
        timing[b.name] = {"tasks": total, "task_seconds": round(done.seconds(b.name), 3),
                          "build_seconds": round(time.perf_counter() - start, 3)}
    unique = len({t.key for t in everything})
    return ReportRun(sections, timing, len(results), unique, stored, interrupted)
