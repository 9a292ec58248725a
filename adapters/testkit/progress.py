"""Progress on stderr: a redrawn bar on a terminal, one plain line per message otherwise."""

from __future__ import annotations

import sys
import time
from typing import TextIO


class Progress:
    def __init__(self, total: int, stream: TextIO | None = None, width: int = 30) -> None:
        self.total = total
        self.stream = stream or sys.stderr
        self.tty = bool(getattr(self.stream, "isatty", lambda: False)())
        self.width = width
        self.done = 0
        self.accepted = 0
        self.refused = 0
        self.skipped = 0
        self._started = time.monotonic()

    def update(self, name: str, ok: bool, detail: str) -> None:
        self.done += 1
        self.accepted += ok
        self.refused += not ok
        if self.tty:
            self._draw()
        else:
            status = "ok     " if ok else "REFUSED"
            self.stream.write(f"[{self.done}/{self.total}] {status} {name}: {detail}\n")
            self.stream.flush()

    def skip(self, name: str, detail: str) -> None:
        """A message left out (not ours to send): neither accepted nor refused."""
        self.done += 1
        self.skipped += 1
        if self.tty:
            self._draw()
        else:
            self.stream.write(f"[{self.done}/{self.total}] skipped {name}: {detail}\n")
            self.stream.flush()

    def _draw(self) -> None:
        filled = int(self.width * self.done / self.total) if self.total else self.width
        elapsed = max(time.monotonic() - self._started, 1e-9)
        bar = "#" * filled + "-" * (self.width - filled)
        self.stream.write(
            f"\r[{bar}] {self.done}/{self.total}  accepted {self.accepted}  refused {self.refused}"
            + (f"  skipped {self.skipped}" if self.skipped else "")
            + f"  {self.done / elapsed:.1f}/s"
        )
        self.stream.flush()

    def finish(self) -> None:
        if self.tty:
            self.stream.write("\n")
            self.stream.flush()
