"""Outbound dispatcher on both backends, against the scriptable fake hub with a controlled clock."""

from __future__ import annotations

import asyncio
import random
from dataclasses import replace
from datetime import timedelta

from gateway.engine.breaker import BreakerState
from gateway.engine.clock import utcnow
from gateway.engine.dispatcher import HUB_ENDPOINT, Dispatcher
from gateway.model.berichttype import Rol
from gateway.store.records import ConversationState, OutboxState, WachtOp
from tests.engine_helpers import FAST, dispatcher, drive, enqueue, no_sleep
from tests.fakes import FakeClock, FakeHub
from tests.store_fixtures import store, store_factory  # noqa: F401  (fixtures)


async def test_delivers_and_records_the_attempt_and_starts_the_answer_term(store):  # noqa: F811
    clock, hub = FakeClock(), FakeHub()
    m = await enqueue(store, clock, rol=Rol.SHV)  # the question opened its conversation when queued
    queued = await store.get_conversation(m.conversatie)
    assert queued.state is ConversationState.OPEN and queued.antwoord_uiterlijk is None
    report = await dispatcher(store, hub, clock).run_once()
    assert (report.claimed, report.delivered) == (1, 1)
    row = await store.get_outbound(m.referentienummer)
    assert row.state is OutboxState.DELIVERED and row.attempts == 1
    (p,) = await store.attempts(m.referentienummer)
    assert p.outcome == "delivered" and p.receipt == b"<receipt/>"
    conv = await store.get_conversation(m.conversatie)
    assert conv.state is ConversationState.OPEN and conv.wacht_op is WachtOp.TEGENPARTIJ
    assert set(conv.verwachte_antwoorden) == {
        "SaldoverzoekAntwoord",
        "SaldoverzoekAntwoordVoorafAkkoord",
        "GeenMedewerking",
    }
    assert str(conv.antwoord_uiterlijk) == "2026-03-16"  # Mon 2 March + 10 werkdagen


async def test_connection_blips_are_retried_within_the_attempt(store):  # noqa: F811
    clock, hub = FakeClock(), FakeHub()
    m = await enqueue(store, clock)
    hub.script("blip", "raise", "delivered", ref=m.referentienummer)
    await dispatcher(store, hub, clock).run_once()
    assert hub.calls == [m.referentienummer] * 3
    row = await store.get_outbound(m.referentienummer)
    assert row.state is OutboxState.DELIVERED and row.attempts == 1


async def test_blip_retries_wait_exponentially_and_stop_after_the_configured_count(store):  # noqa: F811
    clock, hub = FakeClock(), FakeHub()
    m = await enqueue(store, clock)
    hub.script("blip", "blip", "blip", "blip", "blip", ref=m.referentienummer)
    waits: list[float] = []

    async def sleep(seconds: float) -> None:
        waits.append(seconds)

    settings = replace(FAST, in_attempt_retries=4, in_attempt_wait_seconds=0.5)
    d = Dispatcher(store, hub, settings, clock=clock, owner="A", rng=random.Random(1), sleep=sleep)
    assert (await d.run_once()).retried == 1
    assert hub.calls == [m.referentienummer] * 5 and waits == [0.5, 1.0, 2.0, 4.0]
    row = await store.get_outbound(m.referentienummer)
    assert row.state is OutboxState.QUEUED and row.attempts == 1 and "connection" in row.last_error


async def test_a_clean_failure_is_not_retried_within_the_attempt(store):  # noqa: F811
    clock, hub = FakeClock(), FakeHub()
    m = await enqueue(store, clock)
    hub.script("retryable", ref=m.referentienummer)
    await dispatcher(store, hub, clock).run_once()
    assert hub.calls == [m.referentienummer]


async def test_retryable_failure_schedules_backoff_and_restart_resumes_it(store_factory):  # noqa: F811
    clock, hub = FakeClock(), FakeHub()
    first = await store_factory()
    m = await enqueue(first, clock)
    hub.script("retryable", ref=m.referentienummer)
    await dispatcher(first, hub, clock).run_once()
    row = await first.get_outbound(m.referentienummer)
    assert row.state is OutboxState.QUEUED and row.attempts == 1
    assert clock() <= row.next_attempt_at <= clock() + timedelta(seconds=FAST.backoff_base_seconds)
    await first.close()
    # "restart": a new store connection and a new dispatcher; the schedule comes from the row
    second = await store_factory()
    d2 = dispatcher(second, hub, clock, owner="B")
    clock.now = row.next_attempt_at - timedelta(microseconds=1)
    assert (await d2.run_once()).claimed == 0
    clock.now = row.next_attempt_at
    assert (await d2.run_once()).delivered == 1
    assert [p.outcome for p in await second.attempts(m.referentienummer)] == ["retryable", "delivered"]


async def test_permanent_failure_is_a_dead_letter_with_its_reason_and_resend_keeps_the_id(store):  # noqa: F811
    clock, hub = FakeClock(), FakeHub()
    m = await enqueue(store, clock)
    hub.script("permanent", ref=m.referentienummer)
    d = dispatcher(store, hub, clock)
    assert (await d.run_once()).dead == 1
    dead = await store.get_outbound(m.referentienummer)
    assert (
        dead.state is OutboxState.DEAD
        and dead.last_error == "permanent [OngeldigBericht]: schema error in document"
    )
    await store.resend(m.referentienummer, now=clock(), deadline=clock() + timedelta(hours=1))
    assert (await d.run_once()).delivered == 1
    assert hub.calls == [m.referentienummer, m.referentienummer]
    assert (await store.get_outbound(m.referentienummer)).attempts == 2


async def test_poison_message_does_not_block_the_queue(store):  # noqa: F811
    clock, hub = FakeClock(), FakeHub()
    poison = await enqueue(store, clock)
    others = [await enqueue(store, clock) for _ in range(5)]
    hub.script(*["permanent"], ref=poison.referentienummer)
    await drive(dispatcher(store, hub, clock), clock)
    assert (await store.get_outbound(poison.referentienummer)).state is OutboxState.DEAD
    assert set(hub.accepted) == {o.referentienummer for o in others}


async def test_a_sender_that_keeps_dying_on_a_message_ends_in_a_poison_dead_letter(store):  # noqa: F811
    clock, hub = FakeClock(), FakeHub()
    m = await enqueue(store, clock)
    ok = await enqueue(store, clock)
    for i in range(FAST.max_claims):  # each time the process is killed mid-send (lease never released)
        rows = await store.claim_outbound(
            owner=f"dies-{i}",
            now=clock(),
            lease_until=clock() + timedelta(seconds=60),
            limit=1,
            max_claims=FAST.max_claims,
        )
        assert [r.referentienummer for r in rows] == [m.referentienummer]
        clock.advance(61)
    await drive(dispatcher(store, hub, clock), clock)
    row = await store.get_outbound(m.referentienummer)
    assert row.state is OutboxState.DEAD and row.last_error.startswith("poison")
    assert hub.accepted == [ok.referentienummer]


async def test_lease_of_a_dead_owner_expires_and_another_dispatcher_sends(store):  # noqa: F811
    clock, hub = FakeClock(), FakeHub()
    m = await enqueue(store, clock)
    await store.claim_outbound(
        owner="dead", now=clock(), lease_until=clock() + timedelta(seconds=60), limit=10, max_claims=3
    )
    d = dispatcher(store, hub, clock, owner="alive")
    assert (await d.run_once()).claimed == 0
    clock.advance(61)
    assert (await d.run_once()).delivered == 1
    assert hub.calls == [m.referentienummer]


async def test_long_outage_then_recovery(store):  # noqa: F811
    """Backlog drains in conversation order; what outlived its deadline is dead-lettered, not dropped."""
    clock, hub = FakeClock(), FakeHub()
    hub.default = "retryable"
    convs = [f"conv-{i}" for i in range(4)]
    queued = [await enqueue(store, clock, conv=convs[i % 4]) for i in range(12)]
    short = await enqueue(store, clock, deadline_seconds=600)  # expires during the outage
    d = dispatcher(store, hub, clock)
    for _ in range(60):  # 30 minutes of outage
        await d.run_once()
        clock.advance(30)
    assert d.breaker_states()[HUB_ENDPOINT] is BreakerState.OPEN
    dead = await store.get_outbound(short.referentienummer)
    assert dead.state is OutboxState.DEAD and dead.last_error.startswith("deadline")
    assert "circuit for hub open" in dead.last_error and "TijdelijkNietBeschikbaar" in dead.last_error
    hub.default = "delivered"
    await drive(d, clock, step=10)
    assert sorted(hub.accepted) == sorted(m.referentienummer for m in queued)
    for conv in convs:  # order within each conversation kept
        expected = [m.referentienummer for m in queued if m.conversatie == conv]
        assert [r for r in hub.accepted if r in expected] == expected
    assert d.breaker_states()[HUB_ENDPOINT] is BreakerState.CLOSED


async def test_open_circuit_defers_without_counting_attempts(store):  # noqa: F811
    clock, hub = FakeClock(), FakeHub()
    hub.default = "retryable"
    d = dispatcher(store, hub, clock)
    failing = [await enqueue(store, clock) for _ in range(3)]
    await d.run_once()  # three failures open the circuit
    assert d.breaker_states()[HUB_ENDPOINT] is BreakerState.OPEN
    waiting = await enqueue(store, clock)
    report = await d.run_once()
    assert report.deferred == 1 and report.claimed == 1
    row = await store.get_outbound(waiting.referentienummer)
    assert row.attempts == 0 and row.next_attempt_at == clock() + timedelta(
        seconds=FAST.breaker_reset_seconds
    )
    assert len(hub.calls) == 3 and {r.referentienummer for r in failing} == set(hub.calls)


async def test_message_past_its_deadline_is_dead_lettered_unsent(store):  # noqa: F811
    clock, hub = FakeClock(), FakeHub()
    m = await enqueue(store, clock, deadline_seconds=10)
    clock.advance(10)
    assert (await dispatcher(store, hub, clock).run_once()).dead == 1
    row = await store.get_outbound(m.referentienummer)
    assert row.state is OutboxState.DEAD and "never sent" in row.last_error
    assert hub.calls == []


async def test_a_send_in_doubt_past_its_deadline_is_resolved_by_one_resend(store):  # noqa: F811
    """A sender died after the hub took the message and before the result was recorded; when the
    lease runs out the deadline has passed. The hub has it: recording a dead letter ("never sent")
    would invite a second message with a new Referentienummer. One idempotent resend settles it."""
    clock, hub = FakeClock(), FakeHub()
    m = await enqueue(store, clock, deadline_seconds=30)
    await store.claim_outbound(
        owner="dead", now=clock(), lease_until=clock() + timedelta(seconds=60), limit=10, max_claims=3
    )
    await hub.send(referentienummer=m.referentienummer, ontvanger="se-1", berichttype="Saldoverzoek",
                       document=m.document)  # fmt: skip
    clock.advance(61)  # lease expired, deadline passed
    d = dispatcher(store, hub, clock)
    assert (await d.run_once()).delivered == 1
    row = await store.get_outbound(m.referentienummer)
    assert row.state is OutboxState.DELIVERED
    assert [p.outcome for p in await store.attempts(m.referentienummer)] == ["duplicate-accepted"]


async def test_a_send_in_doubt_past_its_deadline_that_the_hub_refuses_is_a_dead_letter(store):  # noqa: F811
    clock, hub = FakeClock(), FakeHub()
    hub.default = "retryable"
    m = await enqueue(store, clock, deadline_seconds=30)
    await store.claim_outbound(
        owner="dead", now=clock(), lease_until=clock() + timedelta(seconds=60), limit=10, max_claims=3
    )
    clock.advance(61)
    d = dispatcher(store, hub, clock)
    for _ in range(3):  # the circuit opens, the one resend in doubt goes out regardless: bounded
        await d.run_once()
    row = await store.get_outbound(m.referentienummer)
    assert row.state is OutboxState.DEAD and "deadline" in row.last_error
    assert "TijdelijkNietBeschikbaar" in row.last_error and "never sent" not in row.last_error
    assert len(await store.attempts(m.referentienummer)) == 1


async def _run_until(store, d, stop: asyncio.Event, delivered: int) -> None:  # noqa: F811
    task = asyncio.create_task(d.run(stop))
    for _ in range(500):
        if (await store.counts()).outbox.get(OutboxState.DELIVERED, 0) >= delivered:
            break
        await asyncio.sleep(0.01)
    stop.set()
    await asyncio.wait_for(task, 5)


async def test_run_keeps_at_most_max_concurrent_in_flight_and_keeps_order_per_conversation(
    store,  # noqa: F811
):
    """The continuous loop: a slow hub, more messages than senders, two in one conversation."""
    hub, clock = FakeHub(slow_seconds=0.02), FakeClock()
    hub.default = "slow"
    settings = replace(FAST, max_concurrent=3, batch_size=4)
    first = await enqueue(store, clock, conv="c-shared")
    second = await enqueue(store, clock, conv="c-shared")
    others = [await enqueue(store, clock) for _ in range(9)]
    d = dispatcher(store, hub, clock, settings)
    in_flight = peak = 0
    original = hub.send

    async def counting(**kw):
        nonlocal in_flight, peak
        in_flight += 1
        peak = max(peak, in_flight)
        try:
            return await original(**kw)
        finally:
            in_flight -= 1

    hub.send = counting  # type: ignore[method-assign]
    await _run_until(store, d, asyncio.Event(), 11)
    assert (await store.counts()).outbox.get(OutboxState.DELIVERED) == 11
    assert peak == 3
    assert hub.calls.index(first.referentienummer) < hub.calls.index(second.referentienummer)
    assert set(hub.accepted) >= {m.referentienummer for m in others}
    assert len(hub.calls) == 11  # each sent once


async def test_run_sends_a_message_enqueued_while_others_are_slow(store):  # noqa: F811
    """No rounds: a message enqueued during slow sends goes out on the next free sender, without
    waiting for every send of a round to finish."""
    hub, clock = FakeHub(slow_seconds=0.5), FakeClock()
    hub.script("slow")  # the first send is slow, later ones are quick
    slow = await enqueue(store, clock)
    d = dispatcher(store, hub, clock, replace(FAST, max_concurrent=2))
    stop = asyncio.Event()
    task = asyncio.create_task(d.run(stop))
    try:
        while hub.calls != [slow.referentienummer]:
            await asyncio.sleep(0.005)
        quick = await enqueue(store, clock)
        d.wake()
        for _ in range(40):  # well before the slow send ends
            if (await store.get_outbound(quick.referentienummer)).state is OutboxState.DELIVERED:
                break
            await asyncio.sleep(0.005)
        assert (await store.get_outbound(quick.referentienummer)).state is OutboxState.DELIVERED
        assert (await store.get_outbound(slow.referentienummer)).state is OutboxState.SENDING
    finally:
        stop.set()
        await asyncio.wait_for(task, 5)
    assert (await store.get_outbound(slow.referentienummer)).state is OutboxState.DELIVERED


async def test_stop_finishes_sends_in_flight_and_hands_back_the_rest(store):  # noqa: F811
    hub, clock = FakeHub(slow_seconds=0.1), FakeClock()
    hub.default = "slow"
    msgs = [await enqueue(store, clock) for _ in range(6)]
    d = dispatcher(store, hub, clock, replace(FAST, max_concurrent=2, batch_size=6))
    stop = asyncio.Event()
    task = asyncio.create_task(d.run(stop))
    while len(hub.calls) < 2:
        await asyncio.sleep(0.005)
    stop.set()
    await asyncio.wait_for(task, 5)
    rows = [await store.get_outbound(m.referentienummer) for m in msgs]
    sent = [r for r in rows if r.referentienummer in hub.calls]
    assert len(sent) == 2 and all(r.state is OutboxState.DELIVERED for r in sent)
    rest = [r for r in rows if r.referentienummer not in hub.calls]
    assert len(rest) == 4
    assert all(r.state is OutboxState.QUEUED and r.claims == 0 and r.lease_owner is None for r in rest)
    # due at once for the next process, not after a lease
    assert len(await store.claim_outbound(
        owner="next", now=clock(), lease_until=clock() + timedelta(seconds=60), limit=10, max_claims=5
    )) == 4  # fmt: skip


async def test_run_sends_a_successor_as_soon_as_its_predecessor_is_delivered(store):  # noqa: F811
    """The next message of a conversation waits for the one in flight, then goes out at once: a
    finished send wakes the claimer (here the idle wait is long, so only that wake can do it)."""
    hub, clock = FakeHub(slow_seconds=0.2), FakeClock()
    hub.script("slow")
    first = await enqueue(store, clock, conv="c-order")
    d = dispatcher(store, hub, clock, replace(FAST, idle_wait_seconds=30))
    stop = asyncio.Event()
    task = asyncio.create_task(d.run(stop))
    try:
        while hub.calls != [first.referentienummer]:
            await asyncio.sleep(0.005)
        second = await enqueue(store, clock, conv="c-order")
        d.wake()
        for _ in range(200):  # 2 s at most, far below the idle wait
            if (await store.get_outbound(second.referentienummer)).state is OutboxState.DELIVERED:
                break
            await asyncio.sleep(0.01)
        assert hub.calls == [first.referentienummer, second.referentienummer]
        assert (await store.get_outbound(second.referentienummer)).state is OutboxState.DELIVERED
    finally:
        stop.set()
        await asyncio.wait_for(task, 5)


async def test_run_sends_a_retry_at_its_time_not_after_the_idle_wait(store):  # noqa: F811
    """A failed send schedules its retry (backoff); a claimer that was waiting long is woken to
    look at that new due time."""
    hub = FakeHub()
    m = await enqueue(store, utcnow)  # type: ignore[arg-type]  # this test runs on real time
    hub.script("retryable", ref=m.referentienummer)
    settings = replace(FAST, idle_wait_seconds=30, backoff_base_seconds=0.2, backoff_cap_seconds=0.2)
    d = Dispatcher(store, hub, settings, owner="A", rng=random.Random(1), sleep=no_sleep)  # real clock
    stop = asyncio.Event()
    task = asyncio.create_task(d.run(stop))
    try:
        for _ in range(300):  # 3 s at most
            if (await store.get_outbound(m.referentienummer)).state is OutboxState.DELIVERED:
                break
            await asyncio.sleep(0.01)
        assert hub.calls == [m.referentienummer] * 2
        assert (await store.get_outbound(m.referentienummer)).state is OutboxState.DELIVERED
    finally:
        stop.set()
        await asyncio.wait_for(task, 5)


async def test_a_row_that_waited_half_its_lease_is_handed_back_not_sent_under_it(store):  # noqa: F811
    """A slow hub: rows claimed ahead wait; one whose lease is half gone is released and claimed
    again with a fresh lease before it is sent, so no send outlives its lease. Each is sent once."""
    hub, clock = FakeHub(slow_seconds=0.05), FakeClock()
    hub.default = "slow"
    msgs = [await enqueue(store, clock) for _ in range(4)]
    settings = replace(FAST, max_concurrent=1, batch_size=4, lease_seconds=60)
    d = dispatcher(store, hub, clock, settings)
    claims: list[int] = []
    original = hub.send

    async def sending(**kw):
        row = await store.get_outbound(kw["referentienummer"])
        assert row.lease_until - clock() > timedelta(seconds=30)  # sent under a fresh lease
        claims.append(row.claims)
        clock.advance(31)  # each send takes half a lease on the clock
        return await original(**kw)

    hub.send = sending  # type: ignore[method-assign]
    await _run_until(store, d, asyncio.Event(), 4)
    assert sorted(hub.calls) == sorted(m.referentienummer for m in msgs)  # each sent exactly once
    assert all(c == 1 for c in claims)  # a released claim is not counted
    rows = [await store.get_outbound(m.referentienummer) for m in msgs]
    assert all(r.state is OutboxState.DELIVERED for r in rows)


async def test_run_survives_a_store_that_fails_between_claims(store, monkeypatch):  # noqa: F811
    hub, clock = FakeHub(), FakeClock()
    d = dispatcher(store, hub, clock, replace(FAST, idle_wait_seconds=0.01))
    failures = 0
    original = store.next_outbound_due

    async def flaky():
        nonlocal failures
        if failures < 3:
            failures += 1
            raise ConnectionError("database went away")
        return await original()

    monkeypatch.setattr(store, "next_outbound_due", flaky)
    stop = asyncio.Event()
    task = asyncio.create_task(d.run(stop))
    try:
        for _ in range(300):  # the idle wait is 10 ms: three failed lookups take a few tens of ms
            if failures >= 3 or task.done():
                break
            await asyncio.sleep(0.01)
        assert failures == 3 and not task.done()
        m = await enqueue(store, clock)
        d.wake()
        for _ in range(200):
            if (await store.get_outbound(m.referentienummer)).state is OutboxState.DELIVERED:
                break
            await asyncio.sleep(0.01)
        assert (await store.get_outbound(m.referentienummer)).state is OutboxState.DELIVERED
        assert not task.done()
    finally:
        stop.set()
        await asyncio.wait_for(task, 5)


async def test_the_retry_log_line_says_what_happened_once(store, caplog):  # noqa: F811
    """Not "connection connection refused or reset": the reason, then its class code in brackets."""
    clock, hub = FakeClock(), FakeHub()
    m = await enqueue(store, clock)
    hub.script("blip", "blip", "blip", "blip", "blip", "blip", "blip", "blip", ref=m.referentienummer)
    settings = replace(FAST, in_attempt_retries=0)
    d = Dispatcher(store, hub, settings, clock=clock, owner="A", rng=random.Random(1), sleep=no_sleep)
    with caplog.at_level("INFO", logger="gateway.engine.dispatcher"):
        await d.run_once()
    (line,) = [r.getMessage() for r in caplog.records if r.getMessage().startswith("retry ")]
    assert line.endswith(": connection refused [connection]"), line
    assert "connection connection" not in line
