"""A hub outage of many simulated hours, then recovery, against the real simulator.

The engine runs in the test process with a fake clock, so hours pass between rounds without
sleeping; the hub (the simulator over mTLS + WS-Security) answers every request with HTTP 503 or drops
the connection, set through its admin endpoint. Proved: the circuit breaker opens and, after its
reset time, lets exactly one probe through half-open; a message past its total deadline is
dead-lettered with a reason naming the last hub error; the fetch-freshness guard raises its alarm;
after recovery the backlog drains, in order within each conversation, and the waiting inbound
messages are fetched, stored and confirmed.
"""

from __future__ import annotations

import time
import uuid
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest
from transport_support import SE_ID, SHV_ID, client_for, dev_pki, simulator_config

from gateway.engine.breaker import BreakerState
from gateway.engine.ports import FetchResult, HubResult, Outcome
from gateway.engine.runner import Engine
from gateway.engine.settings import DispatchSettings, EngineSettings, FetchGuardSettings, PollSettings
from gateway.store.records import InboxState, NewOutbound, OutboxState
from tests.fakes import FakeClock
from tests.reliability_support import CountingSimulator, FixtureProcessing, admin, fixture_document, shv_trust
from tests.store_fixtures import store_factory  # noqa: F401  (fixture)

pytestmark = [pytest.mark.timeout(60)]

CONVERSATIONS, PER_CONVERSATION, N_IN = 3, 4, 3
STEP = timedelta(minutes=20)
OUTAGE = timedelta(hours=40)
SETTINGS = EngineSettings(
    dispatch=DispatchSettings(
        batch_size=20,
        max_concurrent=4,
        lease_seconds=300,
        backoff_base_seconds=120,
        backoff_cap_seconds=3600,
        total_deadline_seconds=3 * 86400,
        in_attempt_retries=1,
        in_attempt_wait_seconds=0.01,
        breaker_failure_threshold=3,
        breaker_reset_seconds=1800,
    ),
    poll=PollSettings(fetch_batch=10, max_pages=3),
    fetch_guard=FetchGuardSettings(max_age_seconds=36 * 3600),
)


class WatchedHub:
    """The real client; notes the dispatcher's breaker state at every send that goes out."""

    def __init__(self, client: object) -> None:
        self.client = client
        self.engine: Engine | None = None
        self.sends: list[tuple[str, BreakerState]] = []

    async def send(self, **kw: str | bytes) -> HubResult:
        assert self.engine is not None
        state = self.engine.dispatcher.breaker_states().get("hub", BreakerState.CLOSED)
        self.sends.append((str(kw["referentienummer"]), state))
        return await self.client.send(**kw)  # type: ignore[attr-defined]

    async def fetch(self, max_messages: int = 100) -> FetchResult:
        return await self.client.fetch(max_messages)  # type: ignore[attr-defined]

    async def confirm(self, referentienummer: str) -> HubResult:
        return await self.client.confirm(referentienummer)  # type: ignore[attr-defined]

    async def close(self) -> None:
        await self.client.close()  # type: ignore[attr-defined]


async def test_long_outage_then_recovery(store_factory):  # noqa: F811
    t0 = time.monotonic()
    pki = dev_pki()
    sim = CountingSimulator(simulator_config(pki))
    await sim.start()
    store = await store_factory()
    clock = FakeClock(datetime.now(UTC).replace(microsecond=0))
    hub = WatchedHub(client_for(pki, sim.url))
    engine = Engine(store, hub, FixtureProcessing(), [], SETTINGS, trust=shv_trust(store), clock=clock)
    hub.engine = engine
    se = client_for(pki, sim.url, "se", SE_ID)
    try:
        assert (await engine.fetch_freshness()).ok is False  # never fetched yet
        assert (await engine.poller.poll_once()).fetch_error is None  # an empty box, fetched fine
        assert (await engine.fetch_freshness()).ok
        # the backlog: conversations of several messages each, and one message with a short deadline
        order: dict[str, list[str]] = {}
        for _ in range(CONVERSATIONS):
            conv = str(uuid.uuid4())
            for i in range(PER_CONVERSATION):
                ref = str(uuid.uuid4())
                berichttype = ("Saldoverzoek", "Betaalvoorstel", "StatusberichtSHV", "Kennisgeving")[i]
                doc = fixture_document(
                    berichttype, referentienummer=ref, conversatie=conv, afzender=SHV_ID, ontvanger=SE_ID
                )
                await engine.enqueue(NewOutbound(ref, berichttype, SE_ID, conv, doc))
                order.setdefault(conv, []).append(ref)
                clock.advance(1)
        doomed = str(uuid.uuid4())
        doc = fixture_document(
            "Saldoverzoek",
            referentienummer=doomed,
            conversatie=str(uuid.uuid4()),
            afzender=SHV_ID,
            ontvanger=SE_ID,
        )
        await store.enqueue(
            NewOutbound(doomed, "Saldoverzoek", SE_ID, str(uuid.uuid4()), doc),
            now=clock(), deadline=clock() + timedelta(hours=6),
        )  # fmt: skip
        inbound = []
        for _ in range(N_IN):  # the SE manages to send before the outage
            ref = str(uuid.uuid4())
            doc = fixture_document(  # a notice: it needs no question of ours (gateway.conversatie)
                "StatusberichtSE",
                referentienummer=ref,
                conversatie=str(uuid.uuid4()),
                afzender=SE_ID,
                ontvanger=SHV_ID,
            )
            result = await se.send(
                referentienummer=ref, ontvanger=SHV_ID, berichttype="StatusberichtSE", document=doc
            )
            assert result.outcome is Outcome.DELIVERED
            inbound.append(ref)

        # the outage: dropped connections, then HTTP 503 for everything
        await admin(sim, "PUT", "/faults", {"drop": 4, "http_503": 100_000})
        first = await engine.dispatcher.run_once()
        assert first.retried == first.claimed == CONVERSATIONS + 1  # the heads of the conversations + doomed
        assert engine.dispatcher.breaker_states() == {"hub": BreakerState.OPEN}
        poll = await engine.poller.poll_once()
        assert poll.fetch_error is not None and "http-503" in poll.fetch_error
        outage_end = clock() + OUTAGE
        deferred = 0
        while clock() < outage_end:
            clock.advance(STEP.total_seconds())
            sends_before = len(hub.sends)
            report = await engine.dispatcher.run_once()
            assert len(hub.sends) - sends_before <= 1  # open: nothing goes out; half-open: one probe
            deferred += report.deferred
            assert report.delivered == 0
            await engine.poller.poll_once()
        freshness = await engine.fetch_freshness()
        assert freshness.ok is False and "5 werkdagen" in freshness.message
        assert (await store.counts()).outbox.get("delivered") is None and deferred > 0

        # every send during the outage went out with the circuit closed (the first round) or as the
        # single half-open probe; none while it was open
        states = Counter(state for _, state in hub.sends)
        assert set(states) == {BreakerState.CLOSED, BreakerState.HALF_OPEN}, states
        probes = states[BreakerState.HALF_OPEN]
        assert 1 <= probes <= OUTAGE / timedelta(seconds=1800) + 1, states
        # the message with the short deadline: dead letter naming the hub's last error
        dead = await store.get_outbound(doomed)
        assert dead is not None and dead.state is OutboxState.DEAD
        assert "deadline" in (dead.last_error or "") and "http-503" in (dead.last_error or ""), (
            dead.last_error
        )
        assert sim.sent[doomed] == 0

        # recovery
        await admin(sim, "DELETE", "/faults")
        recovered_at = clock()
        for _ in range(60):  # bounded: each step is 20 simulated minutes
            clock.advance(STEP.total_seconds())
            await engine.dispatcher.run_once()
            await engine.poller.poll_once()
            counts = await store.counts()
            if counts.outbox == {
                "delivered": CONVERSATIONS * PER_CONVERSATION,
                "dead": 1,
            } and counts.inbox == {"delivered": N_IN}:
                break
        drained_in = clock() - recovered_at
        assert (await store.counts()).outbox == {"delivered": CONVERSATIONS * PER_CONVERSATION, "dead": 1}
        assert engine.dispatcher.breaker_states() == {"hub": BreakerState.CLOSED}
        for conv, refs in order.items():  # order within each conversation kept at the hub
            received = [sim.accepted_at[r] for r in refs]
            assert received == sorted(received) and len(set(received)) == len(refs), conv
        assert all(sim.sent[r] == 1 for refs in order.values() for r in refs)
        stored = await store.list_inbound(limit=100)
        assert sorted(r.referentienummer for r in stored) == sorted(inbound)
        assert {r.state for r in stored} == {InboxState.DELIVERED} and all(r.confirmed_at for r in stored)
        assert (await engine.fetch_freshness()).ok
    finally:
        await hub.close()
        await se.close()
        await sim.stop()
    print(f"\n{store_factory.backend}: {probes} probe(s) in {OUTAGE}, drained {drained_in} after recovery, "
          f"{time.monotonic() - t0:.1f}s")  # fmt: skip
