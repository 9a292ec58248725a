"""Shared reading of answer rows: group the rows by conversation, read cells into values while
collecting every problem, and map model errors and rule findings back to a row and column."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import Any, TypeVar

from adapters.csv import cells
from adapters.csv.cells import CellError
from adapters.csv.columns import Layout
from adapters.csv.fileformat import Row, Table
from gateway.model.types import UUID_PATTERN, ModelError
from gateway.rules import Finding, Severity

T = TypeVar("T")
_UUID = re.compile(UUID_PATTERN)
# Referentienummers of imported answers: the same rows give the same number, so importing a file
# twice submits nothing twice (the gateway is idempotent on the Referentienummer).
ANSWER_NAMESPACE = uuid.UUID("5b0f3c52-2f6e-4c55-9a0e-6f1c8f5e2a10")


def group_by_conversation(rows: Sequence[Row]) -> dict[str, list[Row]]:
    groups: dict[str, list[Row]] = {}
    for row in rows:
        groups.setdefault(row["conversatie"], []).append(row)
    return groups


def answer_referentienummer(layout: Layout, rows: Sequence[Row]) -> str:
    content = "\n".join(";".join(r.cells[c.key] for c in layout.columns) for r in rows)
    return str(uuid.uuid5(ANSWER_NAMESPACE, content))


class Cells:
    """Reads cells of one read file, adding a problem (row, column, reason, the value found) for
    every bad one. Columns are named as the file names them (its letter, its header)."""

    def __init__(self, table: Table) -> None:
        self.table = table
        self.layout = table.layout
        self.problems = table.problems

    def _where(self, key: str | None) -> tuple[str | None, str | None, bool]:
        if key is None:
            return None, None, False
        column = self.table.column(key)
        return column.letter, column.name, column.personal

    def fail(self, row: Row | int, key: str | None, reason: str, *, severity: str = "error") -> None:
        """A problem at the row and column; the cell's value is shown beside the reason (masked in a
        column that may hold personal data)."""
        number = row if isinstance(row, int) else row.number
        found = row[key] if key and isinstance(row, Row) else None
        column, name, personal = self._where(key)
        self.problems.add(number, column, name, reason, found=found, personal=personal, severity=severity)

    def header(self, key: str) -> str:
        """The column's header as the file writes it, quoted for a message: 'openstaand.Rente'."""
        return repr(self.table.column(key).name)

    def get(
        self, row: Row, key: str, parse: Callable[[str], T] | None = None, *, required: bool = False
    ) -> Any:
        text = row[key]
        if not text:
            if required:
                self.fail(row, key, "required: this cell must be filled in")
            return None
        if parse is None:
            return text
        try:
            return parse(text)
        except CellError as exc:
            self.fail(row, key, str(exc))
            return None

    def empty(self, rows: Sequence[Row], keys: Sequence[str], why: str) -> None:
        for row in rows:
            for key in keys:
                if row[key]:
                    self.fail(row, key, f"must be empty {why}")

    def one(
        self,
        rows: Sequence[Row],
        key: str,
        parse: Callable[[str], T] | None = None,
        *,
        required: bool = False,
    ) -> Any:
        """A value of the whole conversation: given on one or more rows, the same wherever given."""
        given = [r for r in rows if r[key]]
        if not given:
            if required:
                self.fail(rows[0], key, "required: fill it in (on every row of the conversation)")
            return None
        first = given[0]
        for row in given[1:]:
            if row[key] != first[key]:
                self.fail(row, key, f"differs from row {first.number}: one value per conversation")
        return self.get(first, key, parse)

    def same(self, rows: Sequence[Row], keys: Sequence[str]) -> None:
        """Question columns are repeated: they must be identical on every row of a conversation."""
        for row in rows[1:]:
            for key in keys:
                if row[key] != rows[0][key]:
                    self.fail(row, key, f"differs from row {rows[0].number}: the question columns repeat")

    def uuid(self, row: Row, key: str) -> str | None:
        value = self.get(row, key, required=True)
        if value is not None and not _UUID.fullmatch(value):
            self.fail(row, key, "expected a UUID in lower case, as exported")
            return None
        return value

    def make(self, row: Row, columns: dict[str, str], cls: type[T], **values: Any) -> T | None:
        """Construct a model part; a :class:`ModelError` becomes a problem at the field's column."""
        try:
            return cls(**values)
        except ModelError as exc:
            field = re.split(r"[.\[]", exc.field)[0]
            key = columns.get(field)
            self.fail(row, key, exc.reason if key else f"{exc.field}: {exc.reason}")
            return None

    def findings(self, findings: Sequence[Finding], rows: Sequence[Row], columns: dict[str, str]) -> None:
        """Rule findings at their row and column: ``/vorderingen/N/...`` is the N-th claim row. The
        reason names the file's column headers and the expected value where the rule gives one."""
        for finding in findings:
            parts = [p for p in finding.field.split("/") if p]
            row = rows[0]
            if len(parts) >= 2 and parts[0] == "vorderingen" and parts[1].isdigit():
                row = rows[min(int(parts[1]), len(rows) - 1)]
            key = columns.get(parts[-1]) if parts else None
            severity = "error" if finding.severity is Severity.ERROR else "warning"
            self.fail(row, key, f"{rule_text(self, finding)} [{finding.code}]", severity=severity)


def rule_text(c: Cells, finding: Finding) -> str:
    """A rule finding in the words of the file: its column headers, amounts with a decimal comma."""
    phrase = _RULE_PHRASES.get(finding.code)
    if phrase is None:
        return finding.message
    text = phrase(c)
    if finding.expected is not None:
        text += f": {cells.bedrag(Decimal(finding.expected))}"
    return text


_RULE_PHRASES: dict[str, Callable[[Cells], str]] = {
    "openstaande-schuld-inconsistent": lambda c: (
        f"must equal {c.header('oorspronkelijke_vordering')} + {c.header('rente')} + "
        f"{c.header('kosten')} − {c.header('betaald')}"
    ),
    "niet-akkoord-zonder-reden": lambda c: (
        f"{c.header('reden')} must be filled in when {c.header('antwoord')} is NietAkkoord"
    ),
}
