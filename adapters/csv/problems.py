"""What is wrong with a CSV file: every problem by row, column (letter and name) and reason.

One problem anywhere rejects the whole file (the portal's rule), so problems are collected, never
raised one by one. Reasons name the rule and the column, never a value that may be personal data.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class CsvProblem:
    """``row`` is the line in the file as a spreadsheet numbers it (the header is row 1); None for
    the whole file. ``letter``/``name`` name the column; None when the problem is not about one."""

    row: int | None
    letter: str | None
    name: str | None
    reason: str
    severity: str = "error"  # error | warning (a rule warning: reported, the message is still made)

    def __str__(self) -> str:
        where = "file" if self.row is None else f"row {self.row}"
        if self.letter:
            where += f", column {self.letter} ({self.name})"
        prefix = "" if self.severity == "error" else "warning: "
        return f"{where}: {prefix}{self.reason}"

    def to_dict(self) -> dict[str, object]:
        return {
            "row": self.row,
            "column": self.letter,
            "column_name": self.name,
            "severity": self.severity,
            "reason": self.reason,
        }


@dataclass(slots=True)
class Problems:
    items: list[CsvProblem] = field(default_factory=list)

    def add(self, row: int | None, letter: str | None, name: str | None, reason: str) -> None:
        self.items.append(CsvProblem(row, letter, name, reason))

    def warn(self, row: int | None, letter: str | None, name: str | None, reason: str) -> None:
        self.items.append(CsvProblem(row, letter, name, reason, "warning"))

    @property
    def errors(self) -> list[CsvProblem]:
        return [p for p in self.items if p.severity == "error"]

    @property
    def warnings(self) -> list[CsvProblem]:
        return [p for p in self.items if p.severity == "warning"]


class CsvRejected(Exception):
    """The file is refused as a whole; ``problems`` lists every error (and the warnings seen)."""

    def __init__(self, problems: list[CsvProblem]) -> None:
        errors = [p for p in problems if p.severity == "error"]
        super().__init__(f"the file is refused: {len(errors)} error(s)")
        self.problems = problems

    @property
    def errors(self) -> list[CsvProblem]:
        return [p for p in self.problems if p.severity == "error"]
