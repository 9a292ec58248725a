"""Line numbers for TOML tables and keys: tomllib does not keep them, so the text is scanned.

Steps are written as ``[[step]]`` tables; the N-th table header is the N-th step. Within a step,
a key's line is the first line between its header and the next table header that assigns it.
"""

from __future__ import annotations

import re
from pathlib import Path

_TABLE = re.compile(r"^\s*\[")
_STEP = re.compile(r"^\s*\[\[\s*step\s*\]\]")


class SourceMap:
    def __init__(self, path: Path, text: str) -> None:
        self.path = path
        self.lines = text.splitlines()
        self.steps = [i + 1 for i, line in enumerate(self.lines) if _STEP.match(line)]

    def at(self, line: int | None) -> str:
        return f"{self.path}:{line}" if line else str(self.path)

    def step(self, index: int, key: str | None = None) -> str:
        """file:line of step ``index`` (0-based), or of one of its keys when found."""
        if index >= len(self.steps):
            return self.at(None)
        start = self.steps[index]
        if key is None:
            return self.at(start)
        assign = re.compile(rf"^\s*{re.escape(key)}\s*(=|\.)")
        for number in range(start + 1, len(self.lines) + 1):
            text = self.lines[number - 1]
            if _TABLE.match(text) and not text.strip().startswith(f"[step.{key}"):
                break
            if assign.match(text):
                return self.at(number)
        return self.at(start)

    def key(self, key: str) -> str:
        """file:line of a top-level key (before the first table)."""
        assign = re.compile(rf"^\s*{re.escape(key)}\s*=")
        for number, text in enumerate(self.lines, start=1):
            if _TABLE.match(text):
                break
            if assign.match(text):
                return self.at(number)
        return self.at(None)
