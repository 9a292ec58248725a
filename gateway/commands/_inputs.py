"""Reading message inputs for the CLI: files, folders (recursive, *.xml) and ``-`` for stdin."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from gateway.xml.errors import Problem


class UsageError(Exception):
    """A path that does not exist, a folder without messages: exit code 2."""


@dataclass(frozen=True, slots=True)
class Input:
    name: str
    data: bytes | None  # None when refused before reading (see ``problem``)
    problem: Problem | None = None


def expand(paths: list[str], pattern: str = "*.xml") -> list[str]:
    """The files to read, in a stable order; raises UsageError for paths that are not there."""
    found: list[str] = []
    for raw in paths:
        if raw == "-":
            found.append(raw)
            continue
        path = Path(raw)
        if path.is_dir():
            files = sorted(p for p in path.rglob(pattern) if p.is_file())
            if not files:
                raise UsageError(f"{raw}: no {pattern} files in this folder")
            found.extend(str(p) for p in files)
        elif path.is_file():
            found.append(raw)
        else:
            raise UsageError(f"{raw}: no such file or folder")
    return found


def read_inputs(names: list[str], max_bytes: int) -> Iterator[Input]:
    """Read each input, refusing one larger than ``max_bytes`` without reading it whole."""
    for name in names:
        if name == "-":
            data = sys.stdin.buffer.read(max_bytes + 1)
            yield _sized("(stdin)", data, max_bytes)
            continue
        try:
            size = Path(name).stat().st_size
            if size > max_bytes:
                yield Input(name, None, _too_large(size, max_bytes))
                continue
            yield Input(name, Path(name).read_bytes())
        except OSError as exc:
            yield Input(
                name, None, Problem(code="unreadable", message=f"cannot read the file: {exc.strerror}")
            )


def _sized(name: str, data: bytes, max_bytes: int) -> Input:
    if len(data) > max_bytes:
        return Input(name, None, _too_large(len(data), max_bytes, at_least=True))
    return Input(name, data)


def _too_large(size: int, max_bytes: int, at_least: bool = False) -> Problem:
    return Problem(
        code="too-large",
        message="the document is larger than the configured limit",
        expected=f"at most {max_bytes} bytes",
        found=f"{'more than ' if at_least else ''}{size if not at_least else max_bytes} bytes",
    )
