"""Progress of a campaign on stderr: a bar with a time estimate on a terminal, plain lines otherwise.

``mode`` is ``"auto"`` (bar if stderr is a terminal, else lines), ``"bar"``
(tqdm: done/total, elapsed and remaining time), ``"lines"`` (one line per
finished task, with its seconds and the estimated time left) or ``"quiet"``.
"""

from __future__ import annotations

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
            from tqdm import tqdm

            self._bar = tqdm(total=total, initial=already_done, desc=self.description, unit="task",
                             file=sys.stderr, dynamic_ncols=True, smoothing=0.1)

    def advance(self, label: str, seconds: float) -> None:
        self.count += 1
        self._fresh += 1
        if self._bar is not None:
            self._bar.set_postfix_str(label[:30], refresh=False)
            self._bar.update(1)
        elif self.mode == "lines":
            elapsed = time.perf_counter() - self._start
            left = elapsed / self._fresh * (self.total - self.count)
            self._line(f"[{self.count}/{self.total}] {label} ({seconds:.1f} s; about {_duration(left)} left)")

    def close(self, interrupted: bool = False) -> None:
        if self._bar is not None:
            self._bar.close()
            self._bar = None
        if interrupted and self.mode != "quiet":
            self._line(f"interrupted: {self.count} of {self.total} tasks done and stored")

    def _line(self, text: str) -> None:
        print(text, file=sys.stderr, flush=True)


def _duration(seconds: float) -> str:
    seconds = int(round(seconds))
    return f"{seconds // 60} min {seconds % 60:02d} s" if seconds >= 60 else f"{seconds} s"
