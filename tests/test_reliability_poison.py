"""Poison messages against the real simulator do not block the queue.

Three kinds: a Berichttype the hub always refuses permanently (a per-Berichttype fault set through
the admin endpoint), a document that is not XSD-valid (the hub's own validation refuses it), and a
Berichttype the hub always answers "temporarily unavailable". The first two are dead-lettered after
one attempt with the hub's reason; the third is retried until its total deadline and then
dead-lettered naming the hub's error. Every other message — in other conversations and the next ones
in the poisoned conversations — is delivered meanwhile.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from transport_support import SE_ID, SHV_ID, client_for, dev_pki, simulator_config

from gateway.engine.dispatcher import Dispatcher
from gateway.engine.settings import DispatchSettings
from gateway.store.records import NewOutbound, OutboxState
from gateway.xml.validate import validate_document
from tests.fakes import FakeClock
from tests.reliability_support import CountingSimulator, admin, fixture_document
from tests.store_fixtures import store_factory  # noqa: F401  (fixture)

pytestmark = [pytest.mark.timeout(60)]

SETTINGS = DispatchSettings(
    batch_size=20,
    max_concurrent=4,
    lease_seconds=300,
    backoff_base_seconds=60,
    backoff_cap_seconds=600,
    total_deadline_seconds=6 * 3600,
    in_attempt_retries=0,
    breaker_failure_threshold=5,
    breaker_reset_seconds=600,
)


def _doc(berichttype: str, ref: str, conv: str) -> bytes:
    return fixture_document(
        berichttype, referentienummer=ref, conversatie=conv, afzender=SHV_ID, ontvanger=SE_ID
    )


async def test_poison_messages_are_dead_lettered_and_do_not_block(store_factory):  # noqa: F811
    pki = dev_pki()
    sim = CountingSimulator(simulator_config(pki))
    await sim.start()
    store = await store_factory()
    clock = FakeClock(datetime.now(UTC).replace(microsecond=0))
    hub = client_for(pki, sim.url)
    dispatcher = Dispatcher(store, hub, SETTINGS, clock=clock)
    queued: dict[str, list[str]] = {}

    async def enqueue(berichttype: str, conv: str, doc: bytes | None = None, ref: str | None = None) -> str:
        ref = ref or str(uuid.uuid4())
        doc = doc or _doc(berichttype, ref, conv)
        deadline = clock() + timedelta(seconds=SETTINGS.total_deadline_seconds)
        await store.enqueue(NewOutbound(ref, berichttype, SE_ID, conv, doc), now=clock(), deadline=deadline)
        queued.setdefault(conv, []).append(ref)
        clock.advance(1)
        return ref

    try:
        await admin(
            sim,
            "PUT",
            "/faults",
            {
                "berichttype": {
                    "Betaalvoorstel": "OngeldigBericht",
                    "Kennisgeving": "TijdelijkNietBeschikbaar",
                }
            },
        )
        refused_conv, invalid_conv, busy_conv = (str(uuid.uuid4()) for _ in range(3))
        refused = await enqueue("Betaalvoorstel", refused_conv)
        after_refused = await enqueue("Saldoverzoek", refused_conv)
        bad_ref = str(uuid.uuid4())
        bad = _doc("Saldoverzoek", bad_ref, invalid_conv).replace(b">SB<", b">XX<")  # TypeSchuldregeling
        assert not validate_document(bad).ok
        invalid = await enqueue("Saldoverzoek", invalid_conv, bad, bad_ref)
        after_invalid = await enqueue("StatusberichtSHV", invalid_conv)
        busy = await enqueue("Kennisgeving", busy_conv)
        healthy = [
            await enqueue(("Saldoverzoek", "StatusberichtSHV")[i % 2], str(uuid.uuid4())) for i in range(8)
        ]

        # within two rounds everything but the always-busy message is settled
        for _ in range(2):
            await dispatcher.run_once()
        states = {r: (await store.get_outbound(r)).state for refs in queued.values() for r in refs}  # type: ignore[union-attr]
        assert {r for r, s in states.items() if s is OutboxState.DELIVERED} == {
            after_refused,
            after_invalid,
            *healthy,
        }
        assert (states[refused], states[invalid], states[busy]) == (
            OutboxState.DEAD,
            OutboxState.DEAD,
            OutboxState.QUEUED,
        )
        for ref, words in (
            (refused, ("OngeldigBericht", "injected fault for Betaalvoorstel")),
            (invalid, ("OngeldigBericht", "not valid")),
        ):
            row = await store.get_outbound(ref)
            assert row is not None and all(w in (row.last_error or "") for w in words), row
            assert len(await store.attempts(ref)) == 1  # a permanent refusal is not retried
            assert sim.sent[ref] == 0  # the hub holds nothing under it
        assert all(sim.sent[r] == 1 for r in (after_refused, after_invalid, *healthy))

        # the always-busy message: retried with backoff until its deadline, then a dead letter
        for _ in range(60):  # bounded: 10 simulated minutes a step, the deadline is 6 hours
            clock.advance(600)
            await dispatcher.run_once()
            if (await store.get_outbound(busy)).state is OutboxState.DEAD:  # type: ignore[union-attr]
                break
        row = await store.get_outbound(busy)
        assert row is not None and row.state is OutboxState.DEAD
        assert "deadline" in (row.last_error or "") and "TijdelijkNietBeschikbaar" in (
            row.last_error or ""
        ), row
        assert 2 <= len(await store.attempts(busy)) and sim.sent[busy] == 0
        assert (await store.counts()).outbox == {"delivered": 10, "dead": 3}
    finally:
        await hub.close()
        await sim.stop()
