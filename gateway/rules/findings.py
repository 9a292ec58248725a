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

    Messages name rules and fields, never values that could be personal data.
    """

    code: str
    severity: Severity
    message: str
    field: str

    def to_dict(self) -> dict[str, str]:
        return {
            "code": self.code,
            "severity": self.severity.value,
            "message": self.message,
            "field": self.field,
        }

    def __str__(self) -> str:
        return f"{self.severity.value}: {self.field}: {self.message} [{self.code}]"


def error(code: str, field: str, message: str) -> Finding:
    return Finding(code, Severity.ERROR, message, field)


def warning(code: str, field: str, message: str) -> Finding:
    return Finding(code, Severity.WARNING, message, field)
