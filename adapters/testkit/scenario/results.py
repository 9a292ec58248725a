"""Results of a scenario run, as the reports need them: per step, status, duration, the message
types and Referentienummers involved, and a reason. Never personal data."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

PASSED, FAILED, SKIPPED = "passed", "failed", "skipped"


class StepFailed(Exception):
    """A step did not pass; the message is the reason shown in the reports."""


@dataclass(slots=True)
class StepResult:
    number: int
    name: str
    kind: str
    description: str
    source: str  # file:line
    status: str = SKIPPED
    duration: float = 0.0  # seconds
    detail: str = ""
    berichttypen: list[str] = field(default_factory=list)
    referentienummers: list[str] = field(default_factory=list)


@dataclass(slots=True)
class ScenarioResult:
    name: str
    path: Path
    description: str
    started_at: datetime
    steps: list[StepResult] = field(default_factory=list)
    duration: float = 0.0
    error: str | None = None  # set-up failure before any step ran (clients, certificates)

    @property
    def passed(self) -> bool:
        return self.error is None and all(s.status == PASSED for s in self.steps)

    @property
    def failed_step(self) -> StepResult | None:
        return next((s for s in self.steps if s.status == FAILED), None)

    @property
    def reason(self) -> str:
        if self.error:
            return self.error
        step = self.failed_step
        if step is None:
            return ""
        return f"step {step.number} '{step.name}' ({step.description}, {step.source}): {step.detail}"
