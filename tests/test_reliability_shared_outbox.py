"""Two gateway processes on one PostgreSQL database share the outbox against the real simulator.

Both run the dispatcher and the poller (real HubClient, mTLS + WS-Security). The outbox is shared
through ``FOR UPDATE SKIP LOCKED`` claims with a lease, the poller through an advisory lock. With no
crash, no message may be sent twice at all (the hub counts every VerstuurBericht that reached it) and
no inbound message may be confirmed twice; both processes must have done part of the work.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest
from transport_support import SE_ID, SHV_ID, client_for, dev_pki, simulator_config

from gateway.engine.ports import Outcome
from gateway.store.records import InboxState, NewOutbound, OutboxState
from tests.reliability_support import CountingSimulator, fixture_document, start_worker, stop, worker_config
from tests.store_fixtures import BACKENDS, store_factory  # noqa: F401  (fixture)

pytestmark = [pytest.mark.slow, pytest.mark.timeout(90)]

N_OUT, N_IN, CONVERSATIONS = 40, 12, 10
POSTGRES = next(p for p in BACKENDS if getattr(p, "values", None) == ("postgres",))
OUT_TYPES = ("Saldoverzoek", "Betaalvoorstel", "Kennisgeving", "StatusberichtSHV")


@pytest.mark.parametrize("store_factory", [POSTGRES], indirect=True)  # SQLite serves one node
async def test_two_processes_share_the_outbox_and_the_poller(store_factory, tmp_path):  # noqa: F811
    t0 = time.monotonic()
    pki = dev_pki()
    sim = CountingSimulator(simulator_config(pki))
    await sim.start()
    store = await store_factory()
    procs = []
    se = client_for(pki, sim.url, "se", SE_ID)
    try:
        for name in ("gw-a", "gw-b"):  # both running before any work appears
            config = worker_config(store, sim, pki.dir, SHV_ID, owner=name, lease_seconds=6.0)
            procs.append(await start_worker(config, tmp_path / f"{name}.log"))
        now = datetime.now(UTC)
        outbound: dict[str, str] = {}
        for i in range(N_OUT):
            ref = str(uuid.uuid4())
            conv = str(uuid.uuid5(uuid.NAMESPACE_URL, f"shared-{i % CONVERSATIONS}"))
            berichttype = OUT_TYPES[i % len(OUT_TYPES)]
            doc = fixture_document(
                berichttype, referentienummer=ref, conversatie=conv, afzender=SHV_ID, ontvanger=SE_ID
            )
            await store.enqueue(
                NewOutbound(ref, berichttype, SE_ID, conv, doc), now=now, deadline=now + timedelta(hours=1)
            )
            outbound[ref] = conv
        inbound = []
        for _ in range(N_IN):
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
        limit = time.monotonic() + 30
        while time.monotonic() < limit:
            counts = await store.counts()
            if counts.outbox == {"delivered": N_OUT} and counts.inbox == {"delivered": N_IN}:
                break
            await asyncio.sleep(0.1)
    finally:
        for proc in procs:
            await stop(proc)
        await se.close()
        await sim.stop()

    assert (await store.counts()).outbox == {"delivered": N_OUT}
    # none twice: every message reached the hub exactly once, and was recorded once as delivered
    assert {r: sim.sent[r] for r in outbound} == dict.fromkeys(outbound, 1)
    attempts = {r: await store.attempts(r) for r in outbound}
    assert {r: [p.outcome for p in a] for r, a in attempts.items()} == {r: ["delivered"] for r in outbound}
    # both processes did work, on the outbox and on the inbox
    senders = Counter(a[0].owner for a in attempts.values())
    assert set(senders) == {"gw-a", "gw-b"}, senders
    # order within each conversation: the hub received them in the order they were queued
    for conv in set(outbound.values()):
        refs = [r for r, c in outbound.items() if c == conv]
        received = [sim.accepted_at[r] for r in refs]
        assert received == sorted(received), conv
    # the inbox: one poller at a time; each message stored once and confirmed exactly once
    stored = await store.list_inbound(limit=100)
    assert sorted(r.referentienummer for r in stored) == sorted(inbound)
    assert {r.state for r in stored} == {InboxState.DELIVERED}
    assert {r: sim.confirmed[r] for r in inbound} == dict.fromkeys(inbound, 1)
    assert {(await store.get_outbound(r)).state for r in outbound} == {OutboxState.DELIVERED}  # type: ignore[union-attr]
    print(f"\nshared outbox: sends per process {dict(senders)}, {time.monotonic() - t0:.1f}s")
