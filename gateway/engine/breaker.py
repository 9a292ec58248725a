"""Circuit breaker per endpoint: closed → open after N consecutive failures → half-open (one probe)."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime, timedelta

from gateway.engine.clock import Clock


class BreakerState(enum.StrEnum):
    CLOSED = "closed"
    OPEN = "open"
    HALF_OPEN = "half-open"


class CircuitBreaker:
    def __init__(self, *, threshold: int, reset_seconds: float, clock: Clock) -> None:
        if threshold < 1:
            raise ValueError("breaker threshold must be at least 1")
        self.threshold = threshold
        self.reset = timedelta(seconds=reset_seconds)
        self._clock = clock
        self.state = BreakerState.CLOSED
        self.failures = 0
        self.opened_at: datetime | None = None
        self._probe_out = False
        self.last_failure = ""

    @property
    def retry_at(self) -> datetime:
        """When an open circuit lets its probe through."""
        return (self.opened_at or self._clock()) + self.reset

    def allow(self) -> bool:
        """May a call go out now? In half-open state exactly one probe is let through."""
        if self.state is BreakerState.CLOSED:
            return True
        if self.state is BreakerState.OPEN and self._clock() >= self.retry_at:
            self.state = BreakerState.HALF_OPEN
            self._probe_out = False
        if self.state is BreakerState.HALF_OPEN and not self._probe_out:
            self._probe_out = True
            return True
        return False

    def success(self) -> None:
        self.state = BreakerState.CLOSED
        self.failures = 0
        self.opened_at = None
        self._probe_out = False

    def failure(self, reason: str = "") -> None:
        self.failures += 1
        self.last_failure = reason
        if self.state is BreakerState.HALF_OPEN or self.failures >= self.threshold:
            self.state = BreakerState.OPEN
            self.opened_at = self._clock()
            self._probe_out = False


@dataclass
class Breakers:
    """One breaker per endpoint, created on first use."""

    threshold: int
    reset_seconds: float
    clock: Clock

    def __post_init__(self) -> None:
        self._by_endpoint: dict[str, CircuitBreaker] = {}

    def get(self, endpoint: str) -> CircuitBreaker:
        br = self._by_endpoint.get(endpoint)
        if br is None:
            br = CircuitBreaker(threshold=self.threshold, reset_seconds=self.reset_seconds, clock=self.clock)
            self._by_endpoint[endpoint] = br
        return br

    def states(self) -> dict[str, BreakerState]:
        return {name: br.state for name, br in self._by_endpoint.items()}
