"""What a replay run did: sent, accepted, refused grouped by code, latency percentiles."""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field

from gateway.engine.ports import Outcome
from gateway.model.berichttype import Rol

LOCAL_INVALID = "local"  # prefix of the codes of documents refused before sending


def percentile(values: list[float], fraction: float) -> float:
    """Nearest-rank percentile; 0.0 for no values."""
    if not values:
        return 0.0
    ordered = sorted(values)
    rank = max(1, math.ceil(fraction * len(ordered)))
    return ordered[rank - 1]


@dataclass(slots=True)
class ReplaySummary:
    sent: int = 0  # messages handed to the hub (at least one attempt)
    delivered: int = 0
    duplicates: int = 0  # duplicate-accepted: the hub returned the first receipt
    retried: int = 0  # messages that needed more than one attempt
    refused: Counter[str] = field(default_factory=Counter)  # code -> count
    reasons: dict[str, str] = field(default_factory=dict)  # code -> first reason seen
    latencies: list[float] = field(default_factory=list)  # seconds, every attempt
    skipped: Counter[str] = field(default_factory=Counter)  # Berichttype -> count: the other role's
    skipped_because: str = ""  # e.g. "an SE sends these; we are the SHV"

    @property
    def accepted(self) -> int:
        return self.delivered + self.duplicates

    @property
    def refused_total(self) -> int:
        return sum(self.refused.values())

    @property
    def all_accepted(self) -> bool:
        return self.refused_total == 0 and self.accepted > 0

    def record(self, outcome: Outcome, code: str | None, reason: str, latencies: list[float]) -> None:
        self.sent += 1
        self.latencies.extend(latencies)
        if len(latencies) > 1:
            self.retried += 1
        if outcome is Outcome.DELIVERED:
            self.delivered += 1
        elif outcome is Outcome.DUPLICATE_ACCEPTED:
            self.duplicates += 1
        else:
            self.refuse(code or outcome.value, reason)

    def refuse(self, code: str, reason: str) -> None:
        self.refused[code] += 1
        self.reasons.setdefault(code, reason)

    def skip(self, berichttype: str, afzender_rol: Rol, ours: Rol | None) -> None:
        """A message of the other side, left out (never sent, not a refusal)."""
        self.skipped[berichttype] += 1
        self.skipped_because = f"an {afzender_rol} sends these; we are the {ours}"

    def lines(self) -> list[str]:
        local = sum(n for code, n in self.refused.items() if code.startswith(f"{LOCAL_INVALID}:"))
        out = [
            f"sent      {self.sent}",
            f"accepted  {self.accepted}  (delivered {self.delivered}, duplicate-accepted {self.duplicates})",
            f"refused   {self.refused_total}" + (f"  ({local} locally, not sent)" if local else ""),
        ]
        for code, count in sorted(self.refused.items(), key=lambda kv: (-kv[1], kv[0])):
            out.append(f"  {count:>5}  {code}: {self.reasons[code]}")
        if self.skipped:
            kinds = ", ".join(f"{name} {n}" for name, n in sorted(self.skipped.items()))
            out.append(f"skipped   {sum(self.skipped.values())}  ({self.skipped_because}: {kinds})")
            if not self.sent and not self.refused_total:
                out.append("nothing was sent: every message is one the other side sends")
        if self.retried:
            out.append(f"retried   {self.retried} message(s) needed more than one attempt")
        p50, p99 = percentile(self.latencies, 0.5), percentile(self.latencies, 0.99)
        out.append(
            f"latency   p50 {p50 * 1000:.1f} ms  p99 {p99 * 1000:.1f} ms  ({len(self.latencies)} calls)"
        )
        return out

    def to_dict(self) -> dict[str, object]:
        return {
            "sent": self.sent,
            "accepted": self.accepted,
            "delivered": self.delivered,
            "duplicate_accepted": self.duplicates,
            "retried": self.retried,
            "refused": dict(self.refused),
            "skipped": dict(self.skipped),
            "latency_ms": {
                "p50": round(percentile(self.latencies, 0.5) * 1000, 2),
                "p99": round(percentile(self.latencies, 0.99) * 1000, 2),
            },
        }
