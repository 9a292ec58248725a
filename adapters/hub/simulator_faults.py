"""Fault injection for the hub simulator, set from the config file or the admin endpoint.

Counters (``http_503``, ``drop``, ``garbage``, ``unsigned``) apply to the next N SOAP requests
and count down; ``latency_ms`` delays every request; ``berichttype`` answers every VerstuurBericht
of a type with the given fault code (``TijdelijkNietBeschikbaar`` …) until it is cleared.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from gateway.soap.faults import FaultCode

COUNTERS = ("http_503", "drop", "garbage", "unsigned")


@dataclass(slots=True)
class FaultPlan:
    latency_ms: int = 0
    http_503: int = 0  # answer HTTP 503 (no SOAP body)
    drop: int = 0  # close the connection without an answer
    garbage: int = 0  # answer 200 with bytes that are not XML
    unsigned: int = 0  # answer a well-formed but unsigned SOAP response
    berichttype: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> FaultPlan:
        plan = cls()
        plan.update(data)
        return plan

    def update(self, data: dict[str, Any]) -> None:
        """Apply a partial update; raises ValueError naming the wrong key or value."""
        for key, value in data.items():
            if key in COUNTERS or key == "latency_ms":
                if not isinstance(value, int) or isinstance(value, bool) or value < 0:
                    raise ValueError(f"faults.{key} must be a whole number >= 0")
                setattr(self, key, value)
            elif key == "berichttype":
                if not isinstance(value, dict):
                    raise ValueError("faults.berichttype must map a Berichttype to a fault code")
                for code in value.values():
                    if code not in {c.value for c in FaultCode}:
                        raise ValueError(
                            f"unknown fault code {code!r}; use one of {', '.join(c.value for c in FaultCode)}"
                        )
                self.berichttype = {str(k): str(v) for k, v in value.items()}
            else:
                raise ValueError(f"unknown fault setting {key!r}")

    def take(self, counter: str) -> bool:
        """True (and one less left) when the next request must get this fault."""
        left = getattr(self, counter)
        if left > 0:
            setattr(self, counter, left - 1)
            return True
        return False

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)
