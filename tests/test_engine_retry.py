import random
from datetime import timedelta

from gateway.engine.breaker import BreakerState, CircuitBreaker
from gateway.engine.retry import backoff_seconds, next_attempt
from tests.fakes import T0, FakeClock


def test_full_jitter_is_bounded_by_the_exponential_and_the_cap():
    rng = random.Random(7)
    for attempt in range(1, 30):
        ceiling = min(300.0, 10.0 * 2 ** (attempt - 1))
        samples = [backoff_seconds(attempt, base=10, cap=300, rng=rng) for _ in range(200)]
        assert all(0 <= s <= ceiling for s in samples)
        assert max(samples) > ceiling * 0.8  # spread over the whole range (full jitter)


def test_next_attempt_never_passes_the_deadline():
    rng = random.Random(1)
    deadline = T0 + timedelta(seconds=5)
    assert all(
        next_attempt(T0, 10, base=60, cap=600, rng=rng, deadline=deadline) <= deadline for _ in range(50)
    )


def test_breaker_opens_probes_half_open_and_closes():
    clock = FakeClock()
    br = CircuitBreaker(threshold=3, reset_seconds=60, clock=clock)
    for _ in range(2):
        br.failure()
    assert br.allow() and br.state is BreakerState.CLOSED
    br.failure()
    assert br.state is BreakerState.OPEN and not br.allow()
    assert br.retry_at == T0 + timedelta(seconds=60)
    clock.advance(60)
    assert br.allow() and br.state is BreakerState.HALF_OPEN
    assert not br.allow()  # one probe only
    br.failure()  # probe failed: open again for a full period
    assert br.state is BreakerState.OPEN and not br.allow()
    clock.advance(60)
    assert br.allow()
    br.success()
    assert br.state is BreakerState.CLOSED and br.allow() and br.allow()
