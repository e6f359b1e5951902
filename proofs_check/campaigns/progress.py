"""Progress of a campaign on stderr: a bar with a time estimate on a terminal, plain lines otherwise.

``mode`` is ``"auto"`` (bar if stderr is a terminal, else lines), ``"bar"``
(rich: done/total, elapsed and estimated remaining time, the last task finished), ``"lines"`` (one line per
finished task, with its seconds and the estimated time left) or ``"quiet"``.

The time left comes from the tasks' measured costs (:class:`TimeLeft`), not from their order:
campaigns start their longest tasks first, so "elapsed / tasks done x tasks left" overstates the
rest ten- to twentyfold after the first long task ends (issue 19: "about 882 min left" for a
53 min run).
"""

from __future__ import annotations

import heapq
import shutil
import statistics
import sys
import time
from collections import defaultdict
from collections.abc import Iterable, Sequence


class TimeLeft:
    r"""Seconds left in a campaign, from the measured cost of each kind of task.

    Every task has a kind (the function it runs), and a task not yet finished is expected to cost
    :math:`\hat c_k`, the mean measured seconds of its kind (tasks finished in this run, and those
    stored by an earlier one).  The campaign hands its tasks, in order, to the first free of
    ``workers`` workers; so the tasks running now, and since when, follow from the finishing
    times.  The time left is that schedule played forward: each running task ends after
    :math:`\max(\hat c_k - \text{its elapsed time}, 0)`, and each waiting task, in order, goes to
    the worker free first for :math:`\hat c_k`.  :meth:`seconds` is None while a kind still to
    finish has no measured task (the report runs one task of every kind first: seconds).
    """

    def __init__(self, pending: Iterable[str], workers: int = 1, known: Iterable[tuple[str, float]] = ()):
        if workers < 1:
            raise ValueError(f"workers must be at least 1, got {workers}")
        self.workers = workers
        self.waiting = list(pending)  # kinds of the tasks not started, in the order they are handed out
        self.waiting.reverse()        # (popped from the end)
        self.running: list[tuple[str, float]] = []  # (kind, start time)
        self.costs: dict[str, list[float]] = defaultdict(list)
        for kind, seconds in known:
            self.costs[kind].append(float(seconds))
        self._hand_out(0.0)

    def _hand_out(self, now: float) -> None:
        while self.waiting and len(self.running) < self.workers:
            self.running.append((self.waiting.pop(), now))

    def finished(self, kind: str, seconds: float, now: float | None = None) -> None:
        """A task of ``kind`` finished after ``seconds`` of work, ``now`` seconds into the run."""
        self.costs[kind].append(float(seconds))
        mine = [i for i, (k, _) in enumerate(self.running) if k == kind]
        if mine:  # the earliest started of its kind (another order is not distinguishable)
            del self.running[min(mine, key=lambda i: self.running[i][1])]
        elif kind in self.waiting:  # the dispatch ran ahead of the model (batches): it was not waiting
            del self.waiting[len(self.waiting) - 1 - self.waiting[::-1].index(kind)]
        elif self.running:
            del self.running[0]
        self._hand_out(now if now is not None else max((t for _, t in self.running), default=0.0))

    def expected(self, kind: str) -> float | None:
        """Mean measured seconds of a task of ``kind`` (None before one was measured)."""
        return statistics.fmean(self.costs[kind]) if self.costs.get(kind) else None

    def seconds(self, now: float) -> float | None:
        """Estimated seconds left, ``now`` seconds into the run."""
        if not self.running and not self.waiting:
            return 0.0
        cost = {k: self.expected(k) for k in {k for k, _ in self.running} | set(self.waiting)}
        if any(c is None for c in cost.values()):
            return None
        free = sorted(max(cost[k] - (now - start), 0.0) for k, start in self.running)
        free += [0.0] * (self.workers - len(free))
        heapq.heapify(free)
        for kind in reversed(self.waiting):
            heapq.heappush(free, heapq.heappop(free) + cost[kind])
        return max(free)


class Progress:
    def __init__(self, mode: str = "auto", description: str = "tasks"):
        if mode not in ("auto", "bar", "lines", "quiet"):
            raise ValueError(f"progress mode must be auto, bar, lines or quiet, got {mode!r}")
        if mode == "auto":
            mode = "bar" if sys.stderr.isatty() else "lines"
        self.mode, self.description = mode, description
        self._bar = None
        self.total = self.count = self._fresh = 0
        self._start = time.perf_counter()
        self.time_left = TimeLeft(())

    def start(self, total: int, already_done: int = 0, *, kinds: Sequence[str] | None = None,
              known: Iterable[tuple[str, float]] = (), workers: int = 1) -> None:
        """``kinds``: the kind of every task still to run (default: one kind); ``known``: (kind, seconds)
        of tasks finished earlier (stored); ``workers``: how many run at once."""
        self.total, self.count, self._fresh = total, already_done, 0
        self._start = time.perf_counter()
        pending = list(kinds) if kinds is not None else ["task"] * (total - already_done)
        self.time_left = TimeLeft(pending, workers, known)
        if self.mode == "quiet":
            return
        if already_done:
            self._line(f"{already_done} of {total} tasks already done (--resume)")
        if self.mode == "bar":
            from rich.console import Console
            from rich.progress import BarColumn, MofNCompleteColumn, Progress as Bar, TextColumn, TimeElapsedColumn

            self._bar = Bar(TextColumn("{task.description}"), BarColumn(bar_width=30), MofNCompleteColumn(),
                            TimeElapsedColumn(), TextColumn("{task.fields[left]}"),
                            TextColumn("{task.fields[last]}"),
                            console=Console(file=sys.stderr, width=_width()))
            self._bar.start()
            self._task = self._bar.add_task(self.description, total=total, completed=already_done, last="",
                                            left="time left: estimating")

    def advance(self, label: str, seconds: float, kind: str = "task") -> None:
        self.count += 1
        self._fresh += 1
        self.time_left.finished(kind, seconds, time.perf_counter() - self._start)
        left = self.left_text()
        if self._bar is not None:
            self._bar.update(self._task, advance=1, last=label[:24], left=left)
        elif self.mode == "lines":
            self._line(f"[{self.count}/{self.total}] {label} ({seconds:.1f} s; {left})")

    def left_text(self) -> str:
        """"about N min left" from :class:`TimeLeft`, or "time left: estimating" before any measurement."""
        left = self.time_left.seconds(time.perf_counter() - self._start)
        return "time left: estimating" if left is None else f"about {_duration(left)} left"

    def close(self, interrupted: bool = False) -> None:
        if self._bar is not None:
            self._bar.stop()
            self._bar = None
        if interrupted and self.mode != "quiet":
            self._line(f"interrupted: {self.count} of {self.total} tasks done and stored")

    def _line(self, text: str) -> None:
        print(text, file=sys.stderr, flush=True)


def _width() -> int:
    """The terminal's width (100 when there is no terminal)."""
    columns = shutil.get_terminal_size((100, 24)).columns
    return columns if columns > 0 else 100


def _duration(seconds: float) -> str:
    seconds = int(round(seconds))
    return f"{seconds // 60} min {seconds % 60:02d} s" if seconds >= 60 else f"{seconds} s"
