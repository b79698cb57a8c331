"""Progress lines for long work: rate-limited, to stderr, and a final summary line."""
from __future__ import annotations

import sys
import time
from typing import TextIO


class Progress:
    def __init__(self, label: str, total: int | None = None, stream: TextIO | None = None,
                 every: float = 1.0) -> None:
        self.label, self.total, self.every = label, total, every
        self.stream = stream or sys.stderr
        self.start = self.last = time.monotonic()
        self.done = 0

    def advance(self, n: int = 1) -> None:
        self.done += n
        now = time.monotonic()
        if now - self.last >= self.every:
            self.last = now
            self._print(now)

    def _print(self, now: float) -> None:
        rate = self.done / max(now - self.start, 1e-9)
        of = f"/{self.total}" if self.total else ""
        pct = f" {100 * self.done / self.total:5.1f}%" if self.total else ""
        print(f"{self.label}: {self.done}{of}{pct} ({rate:,.0f}/s)", file=self.stream, flush=True)

    def finish(self) -> float:
        elapsed = time.monotonic() - self.start
        self._print(time.monotonic())
        return elapsed
