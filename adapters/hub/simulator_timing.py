"""How long the simulator itself worked on each recent request (admin ``/admin/processing-times``).

A message's latency through a gateway includes the hub's own work (verify, validate, sign the
receipt). With the simulator on the same machine, a benchmark subtracts this per-request figure to
report the latency the gateway adds. Bounded: the oldest entries go first.
"""

from __future__ import annotations

from collections import OrderedDict


class ProcessingTimes:
    def __init__(self, limit: int = 200_000) -> None:
        self._limit = limit
        self._seconds: OrderedDict[str, float] = OrderedDict()

    def record(self, message_id: str, seconds: float) -> None:
        """The work on a request that relates to ``message_id`` (a resend adds to the first's)."""
        self._seconds[message_id] = self._seconds.get(message_id, 0.0) + seconds
        self._seconds.move_to_end(message_id)
        while len(self._seconds) > self._limit:
            self._seconds.popitem(last=False)

    def as_ms(self) -> dict[str, float]:
        return {mid: round(s * 1000, 3) for mid, s in self._seconds.items()}

    def clear(self) -> None:
        self._seconds.clear()
