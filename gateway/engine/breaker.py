"""Circuit breaker per endpoint: closed → open after N consecutive failures → half-open (one probe).

Every change of state is logged (an operator sees the hub going away and coming back) and reported
to the listeners (the dispatcher sends what waited as soon as the circuit closes again).
"""

from __future__ import annotations

import enum
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from gateway.engine.clock import Clock

log = logging.getLogger(__name__)


class BreakerState(enum.StrEnum):
    CLOSED = "closed"
    OPEN = "open"
    HALF_OPEN = "half-open"


#: called with the breaker and its previous state after every change of state
Listener = Callable[["CircuitBreaker", BreakerState], None]


class CircuitBreaker:
    def __init__(
        self,
        *,
        threshold: int,
        reset_seconds: float,
        clock: Clock,
        name: str = "hub",
        listeners: tuple[Listener, ...] = (),
    ) -> None:
        if threshold < 1:
            raise ValueError("breaker threshold must be at least 1")
        self.threshold = threshold
        self.reset = timedelta(seconds=reset_seconds)
        self._clock = clock
        self.name = name
        self.listeners = listeners
        self.state = BreakerState.CLOSED
        self.failures = 0
        self.opened_at: datetime | None = None
        self.first_opened_at: datetime | None = None  # start of this outage (open or half-open since)
        self._probe_out = False
        self.last_failure = ""

    @property
    def retry_at(self) -> datetime:
        """When what the circuit holds back may be tried: the probe of an open circuit; while the probe
        is out, a full period from now (the probe's success brings everything back sooner)."""
        if self.state is BreakerState.HALF_OPEN:
            return self._clock() + self.reset
        return (self.opened_at or self._clock()) + self.reset

    def allow(self) -> bool:
        """May a call go out now? In half-open state exactly one probe is let through."""
        if self.state is BreakerState.CLOSED:
            return True
        if self.state is BreakerState.OPEN and self._clock() >= self.retry_at:
            self._change(BreakerState.HALF_OPEN)
            self._probe_out = False
        if self.state is BreakerState.HALF_OPEN and not self._probe_out:
            self._probe_out = True
            return True
        return False

    def probe_now(self) -> None:
        """An operator says the endpoint is back: an open circuit lets its probe through at once."""
        if self.state is BreakerState.OPEN:
            self.opened_at = self._clock() - self.reset

    def success(self) -> None:
        self.failures = 0
        self.opened_at = None
        self._probe_out = False
        if self.state is not BreakerState.CLOSED:
            self._change(BreakerState.CLOSED)
            self.first_opened_at = None

    def failure(self, reason: str = "") -> None:
        self.failures += 1
        self.last_failure = reason
        if self.state is BreakerState.HALF_OPEN or (
            self.state is BreakerState.CLOSED and self.failures >= self.threshold
        ):
            self.opened_at = self._clock()
            self.first_opened_at = self.first_opened_at or self.opened_at
            self._probe_out = False
            self._change(BreakerState.OPEN)

    def _change(self, new: BreakerState) -> None:
        old, self.state = self.state, new
        if new is BreakerState.OPEN and old is BreakerState.CLOSED:
            log.warning(
                "circuit for %s opened after %d consecutive failure(s) (last: %s); sends wait, one probe "
                "at %s",
                self.name,
                self.failures,
                self.last_failure or "unknown",
                self.retry_at.isoformat(timespec="seconds"),
            )
        elif new is BreakerState.OPEN:
            log.warning(
                "circuit for %s: the probe failed (%s); open again, next probe at %s",
                self.name,
                self.last_failure or "unknown",
                self.retry_at.isoformat(timespec="seconds"),
            )
        elif new is BreakerState.HALF_OPEN:
            log.info("circuit for %s half-open: one probe goes out", self.name)
        else:
            down = self._clock() - (self.first_opened_at or self._clock())
            log.info("circuit for %s closed: it answers again after %ds", self.name, down.total_seconds())
        for listener in self.listeners:
            listener(self, old)


@dataclass
class Breakers:
    """One breaker per endpoint, created on first use."""

    threshold: int
    reset_seconds: float
    clock: Clock
    listeners: tuple[Listener, ...] = field(default=())

    def __post_init__(self) -> None:
        self._by_endpoint: dict[str, CircuitBreaker] = {}

    def get(self, endpoint: str) -> CircuitBreaker:
        br = self._by_endpoint.get(endpoint)
        if br is None:
            br = CircuitBreaker(
                threshold=self.threshold,
                reset_seconds=self.reset_seconds,
                clock=self.clock,
                name=endpoint,
                listeners=self.listeners,
            )
            self._by_endpoint[endpoint] = br
        return br

    def states(self) -> dict[str, BreakerState]:
        return {name: br.state for name, br in self._by_endpoint.items()}

    def probe_now(self) -> None:
        for br in self._by_endpoint.values():
            br.probe_now()
