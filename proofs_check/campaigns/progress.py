"""Progress of a campaign on stderr: a bar with a time estimate on a terminal, plain lines otherwise.

``mode`` is ``"auto"`` (bar if stderr is a terminal, else lines), ``"bar"``
(rich: done/total, elapsed and estimated remaining time, the last task finished), ``"lines"`` (one line per
finished task, with its seconds and the estimated time left) or ``"quiet"``.
"""

from __future__ import annotations

import shutil
import sys
import time


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

    def start(self, total: int, already_done: int = 0) -> None:
        self.total, self.count, self._fresh = total, already_done, 0
        self._start = time.perf_counter()
        if self.mode == "quiet":
            return
        if already_done:
            self._line(f"{already_done} of {total} tasks already done (--resume)")
        if self.mode == "bar":
            from rich.console import Console
            from rich.progress import (
                BarColumn, MofNCompleteColumn, Progress as Bar, TextColumn, TimeElapsedColumn, TimeRemainingColumn,
            )

            self._bar = Bar(TextColumn("{task.description}"), BarColumn(bar_width=30), MofNCompleteColumn(),
                            TimeElapsedColumn(), TextColumn("left"), TimeRemainingColumn(),
                            TextColumn("{task.fields[last]}"),
                            console=Console(file=sys.stderr, width=_width()))
            self._bar.start()
            self._task = self._bar.add_task(self.description, total=total, completed=already_done, last="")

    def advance(self, label: str, seconds: float) -> None:
        self.count += 1
        self._fresh += 1
        if self._bar is not None:
            self._bar.update(self._task, advance=1, last=label[:24])
        elif self.mode == "lines":
            elapsed = time.perf_counter() - self._start
            left = elapsed / self._fresh * (self.total - self.count)
            self._line(f"[{self.count}/{self.total}] {label} ({seconds:.1f} s; about {_duration(left)} left)")

    def close(self, interrupted: bool = False) -> None:
        if self._bar is not None:
            self._bar.stop()
            self._bar = None
        if interrupted and self.mode != "quiet":
            self._line(f"interrupted: {self.count} of {self.total} tasks done and stored")

    def _line(self, text: str) -> None:
        print(text, file=sys.stderr, flush=True)


def _width() -> int:
    """The terminal's width, at most 100 (100 when the terminal reports none)."""
    columns = shutil.get_terminal_size((100, 24)).columns
    return min(columns, 100) if columns > 0 else 100


def _duration(seconds: float) -> str:
    seconds = int(round(seconds))
    return f"{seconds // 60} min {seconds % 60:02d} s" if seconds >= 60 else f"{seconds} s"
