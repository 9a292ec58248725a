"""Is the hub answering? Fed by every send and every fetch; read by /ready and /metrics.

The circuit breaker only sees sends; a gateway with nothing to send still fetches. This tracker sees
both: the hub "answered" when a call got an answer from it (delivered, confirmed, or refused for
good: the hub is there), it "failed" when a call could not get one (timeout, connection, TLS, 5xx,
TijdelijkNietBeschikbaar …). The hub is unreachable since the first failure after its last answer.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from gateway.engine.clock import Clock


@dataclass(frozen=True, slots=True)
class Unreachable:
    since: datetime
    seconds: float
    last_error: str


class HubReachability:
    def __init__(self, clock: Clock) -> None:
        self._clock = clock
        self._since: datetime | None = None
        self._last_error = ""

    def answered(self) -> None:
        self._since = None

    def failed(self, reason: str) -> None:
        if self._since is None:
            self._since = self._clock()
        self._last_error = reason

    def unreachable(self) -> Unreachable | None:
        """Since when the hub has not answered (None: it answered the last call)."""
        if self._since is None:
            return None
        seconds = max(0.0, (self._clock() - self._since).total_seconds())
        return Unreachable(self._since, seconds, self._last_error)
