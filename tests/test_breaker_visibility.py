"""The circuit breaker says what it does: every change of state is logged and reported to its
listeners, and while its one probe is out the rest waits a full period (not a claim-defer loop)."""

from __future__ import annotations

import logging
from datetime import timedelta

from gateway.engine.breaker import Breakers, BreakerState, CircuitBreaker
from tests.fakes import T0, FakeClock


def test_every_change_is_logged_and_reported(caplog) -> None:
    clock = FakeClock()
    seen: list[tuple[BreakerState, BreakerState]] = []
    breakers = Breakers(2, 60, clock, listeners=(lambda br, old: seen.append((old, br.state)),))
    br = breakers.get("hub")
    caplog.set_level(logging.INFO, "gateway.engine.breaker")
    br.failure("connection refused")
    br.failure("connection refused")
    clock.advance(60)
    assert br.allow()  # the probe
    br.failure("timeout")
    clock.advance(60)
    assert br.allow()
    br.success()
    assert seen == [
        (BreakerState.CLOSED, BreakerState.OPEN),
        (BreakerState.OPEN, BreakerState.HALF_OPEN),
        (BreakerState.HALF_OPEN, BreakerState.OPEN),
        (BreakerState.OPEN, BreakerState.HALF_OPEN),
        (BreakerState.HALF_OPEN, BreakerState.CLOSED),
    ]
    lines = [r.getMessage() for r in caplog.records]
    assert lines[0].startswith(
        "circuit for hub opened after 2 consecutive failure(s) (last: connection refused)"
    )
    assert lines[2].startswith("circuit for hub: the probe failed (timeout); open again")
    assert lines[-1] == "circuit for hub closed: it answers again after 120s"


def test_while_the_probe_is_out_the_rest_waits_a_full_period() -> None:
    clock = FakeClock()
    br = CircuitBreaker(threshold=1, reset_seconds=60, clock=clock)
    br.failure()
    clock.advance(61)
    assert br.allow() and br.state is BreakerState.HALF_OPEN
    assert not br.allow()
    assert br.retry_at == clock() + timedelta(seconds=60)  # not a moment in the past


def test_an_operator_lets_the_probe_go_at_once() -> None:
    clock = FakeClock()
    br = CircuitBreaker(threshold=1, reset_seconds=600, clock=clock)
    br.failure()
    assert not br.allow()
    br.probe_now()
    assert br.allow() and br.state is BreakerState.HALF_OPEN
    assert clock() == T0
