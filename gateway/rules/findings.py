"""A rule's outcome: a Finding with a stable code, a severity, a message and the model field it concerns."""

from __future__ import annotations

import enum
from dataclasses import dataclass


class Severity(enum.StrEnum):
    ERROR = "error"  # blocks sending
    WARNING = "warning"  # reported; the message is sent


@dataclass(frozen=True, slots=True)
class Finding:
    """One rule outcome. ``field`` is a JSON-pointer-like path into the model's JSON form, e.g.
    ``/voorstel/vorderingen/0/afkooppercentage``.

    Messages name rules and fields, never values that could be personal data. ``expected``: the
    value the field should have, where the rule computes one (an amount, e.g. ``"1097.96"``), so an
    edge can say it in its own words (the CSV import names the columns and the total).
    """

    code: str
    severity: Severity
    message: str
    field: str
    expected: str | None = None

    def to_dict(self) -> dict[str, str]:
        out = {
            "code": self.code,
            "severity": self.severity.value,
            "message": self.message,
            "field": self.field,
        }
        if self.expected is not None:
            out["expected"] = self.expected
        return out

    def __str__(self) -> str:
        return f"{self.severity.value}: {self.field}: {self.message} [{self.code}]"


def error(code: str, field: str, message: str, expected: str | None = None) -> Finding:
    return Finding(code, Severity.ERROR, message, field, expected)


def warning(code: str, field: str, message: str) -> Finding:
    return Finding(code, Severity.WARNING, message, field)
