"""What is wrong with a CSV file: every problem by row, column (letter and name) and reason.

One problem anywhere rejects the whole file (the portal's rule), so problems are collected, never
raised one by one. Reasons name the rule and the column; the value found is shown beside them, in
full for columns without personal data (amounts, dates, codes, invoice numbers, the question's
references) and only masked for the others (names, contact details, addresses, birth dates, client
numbers, free text): every letter an ``x``, every digit a ``9``, other characters kept, so
``j.jansen@voorbeeld`` shows as ``x.xxxxxx@xxxxxxxxx``: the shape of the mistake, not the person.
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
    found: str | None = None  # the cell's value as shown: in full, or masked (see :func:`shown`)
    masked: bool = False

    def __str__(self) -> str:
        where = "file" if self.row is None else f"row {self.row}"
        if self.letter:
            where += f", column {self.letter}" + (f" ({self.name})" if self.name else "")
        prefix = "" if self.severity == "error" else "warning: "
        found = ""
        if self.found is not None:
            found = f" (found, masked: {self.found!r})" if self.masked else f" (found {self.found!r})"
        return f"{where}: {prefix}{self.reason}{found}"

    def to_dict(self) -> dict[str, object]:
        return {
            "row": self.row,
            "column": self.letter,
            "column_name": self.name,
            "severity": self.severity,
            "reason": self.reason,
            "found": self.found,
            "found_masked": self.masked,
        }


_SHOWN_MAX = 60


def mask(text: str) -> str:
    """The shape of a value without its content: letters x, digits 9, other characters kept."""
    return "".join("9" if c.isdigit() else "x" if c.isalpha() else c for c in text)


def shown(text: str, personal: bool) -> str:
    """A cell's value as a problem may show it (long values shortened)."""
    value = mask(text) if personal else text
    return value if len(value) <= _SHOWN_MAX else value[: _SHOWN_MAX - 1] + "…"


@dataclass(slots=True)
class Problems:
    items: list[CsvProblem] = field(default_factory=list)

    def add(
        self,
        row: int | None,
        letter: str | None,
        name: str | None,
        reason: str,
        *,
        found: str | None = None,
        personal: bool = False,
        severity: str = "error",
    ) -> None:
        """``found``: the cell's text as read (shown in full, or masked when ``personal``)."""
        value = shown(found, personal) if found else None
        self.items.append(CsvProblem(row, letter, name, reason, severity, value, bool(value) and personal))

    def warn(self, row: int | None, letter: str | None, name: str | None, reason: str, **kw: object) -> None:
        self.add(row, letter, name, reason, severity="warning", **kw)  # type: ignore[arg-type]

    @property
    def errors(self) -> list[CsvProblem]:
        return [p for p in self.items if p.severity == "error"]

    @property
    def warnings(self) -> list[CsvProblem]:
        return [p for p in self.items if p.severity == "warning"]


class CsvRejected(Exception):
    """The file is refused as a whole; ``problems`` lists every error (and the warnings seen)."""

    def __init__(self, problems: list[CsvProblem], read_as: str | None = None) -> None:
        errors = [p for p in problems if p.severity == "error"]
        super().__init__(f"the file is refused: {len(errors)} error(s)")
        self.problems = problems
        self.read_as = read_as  # how the file was read ("Windows-1252, separator ';'"), when known

    @property
    def errors(self) -> list[CsvProblem]:
        return [p for p in self.problems if p.severity == "error"]
