"""kill -9 against the real hub: a gateway process (dispatcher + poller + store, the real HubClient over
mTLS + WS-Security) is killed at chosen and at random moments and restarted, over and over.

The simulator runs in the test process and outlives the gateway processes; the test also plays the
other party (the SE, with its own certificate), sending XSD-valid messages to our gateway's party
while the kills go on. Each chosen moment is reached through a pause point in the worker
(``tests/reliability_worker.py``) or by holding the request inside the hub, and the store and the
hub are checked to be in exactly that state before the kill. At the end: every outbound message is
at the hub exactly once (the receiving party fetches each Referentienummer once, with the document
that was queued), every inbound message is stored once, processed and confirmed, nothing is lost.
"""

from __future__ import annotations

import asyncio
import random
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from transport_support import SE_ID, SHV_ID, client_for, dev_pki, simulator_config

from gateway.engine.ports import Outcome
from gateway.store.base import Store
from gateway.store.records import InboxState, NewOutbound, OutboxState
from tests.reliability_support import (
    CountingSimulator,
    admin,
    fixture_document,
    kill,
    start_worker,
    stop,
    worker_config,
)
from tests.store_fixtures import store_factory  # noqa: F401  (fixture)

pytestmark = [pytest.mark.slow, pytest.mark.timeout(120)]

OUT_TYPES = ("Saldoverzoek", "Betaalvoorstel", "Kennisgeving", "StatusberichtSHV")  # an SHV sends these
IN_TYPES = ("StatusberichtSE", "Statusverzoek")  # an SE sends these (without a question of ours)
PER_ROUND_OUT, PER_ROUND_IN = 5, 4
#: one gateway incarnation per entry; None: killed at a random moment
SCHEDULE: tuple[str | None, ...] = (
    "claimed",
    "in-flight",
    "after-accept",
    "fetched",
    "before-confirm",
    "after-confirm",
    None,
    None,
    None,
)


@dataclass
class Run:
    store: Store
    sim: CountingSimulator
    config: dict[str, Any]
    tmp: Path
    outbound: dict[str, bytes] = field(default_factory=dict)  # ref → document queued, in queue order
    conversation: dict[str, str] = field(default_factory=dict)  # ref → ConversatieReferentienummer
    inbound: list[str] = field(default_factory=list)
    hit: dict[str, str] = field(default_factory=dict)  # moment → Referentienummer it was hit on
    starts: int = 0


async def _start(run: Run, pause_at: str | None) -> asyncio.subprocess.Process:
    run.starts += 1
    config = {**run.config, "pause_at": pause_at, "owner": f"incarnation-{run.starts}"}
    return await start_worker(config, run.tmp / f"worker-{run.starts}.log")


async def _queue_outbound(run: Run, rnd: int) -> None:
    now = datetime.now(UTC)
    for i in range(PER_ROUND_OUT):
        ref, conv = str(uuid.uuid4()), str(uuid.uuid5(uuid.NAMESPACE_URL, f"conv-{i % 3}-{rnd % 2}"))
        berichttype = OUT_TYPES[(rnd + i) % len(OUT_TYPES)]
        doc = fixture_document(
            berichttype, referentienummer=ref, conversatie=conv, afzender=SHV_ID, ontvanger=SE_ID
        )
        run.outbound[ref] = doc
        run.conversation[ref] = conv
        msg = NewOutbound(ref, berichttype, SE_ID, conv, doc)
        await run.store.enqueue(msg, now=now, deadline=now + timedelta(hours=1))


async def _send_inbound(run: Run, se: Any, rnd: int) -> None:
    for i in range(PER_ROUND_IN):
        ref, berichttype = str(uuid.uuid4()), IN_TYPES[(rnd + i) % len(IN_TYPES)]
        doc = fixture_document(
            berichttype, referentienummer=ref, conversatie=str(uuid.uuid4()), afzender=SE_ID, ontvanger=SHV_ID
        )
        result = await se.send(referentienummer=ref, ontvanger=SHV_ID, berichttype=berichttype, document=doc)
        assert result.outcome is Outcome.DELIVERED, result
        run.inbound.append(ref)


async def _status(run: Run, ref: str) -> str:
    return (await admin(run.sim, "GET", f"/berichten/{ref}"))["status"]


async def _at_moment(run: Run, proc: asyncio.subprocess.Process, moment: str) -> str:
    """Wait for the worker to report the pause point, then check the store and the hub are there."""
    assert proc.stdout is not None
    line = await asyncio.wait_for(proc.stdout.readline(), timeout=15)
    at, reported, ref = line.decode().split()
    assert (at, reported) == ("at", moment)
    store, sim = run.store, run.sim
    if moment == "claimed":  # leased, not sent: the hub has never seen it
        assert (await store.get_outbound(ref)).state is OutboxState.SENDING  # type: ignore[union-attr]
        assert sim.sent[ref] == 0
    elif moment == "after-accept":  # the hub has it, the store does not know
        assert (await store.get_outbound(ref)).state is OutboxState.SENDING  # type: ignore[union-attr]
        assert sim.sent[ref] == 1 and await _status(run, ref) == "wacht"
    elif moment == "fetched":  # fetched from the hub, not stored
        assert await store.get_inbound(ref) is None and await _status(run, ref) == "wacht"
    elif moment == "before-confirm":  # stored durably, not confirmed at the hub
        row = await store.get_inbound(ref)
        assert row is not None and row.confirmed_at is None and await _status(run, ref) == "wacht"
    elif moment == "after-confirm":  # the hub took the confirmation, the store did not record it
        row = await store.get_inbound(ref)
        assert row is not None and row.confirmed_at is None and await _status(run, ref) == "bevestigd"
    return ref


async def _incarnation(run: Run, moment: str | None, rng: random.Random) -> None:
    if moment == "in-flight":  # the request reached the hub, which has not processed it yet
        run.sim.hold_next_verstuur()
        proc = await _start(run, None)
        try:
            await asyncio.wait_for(run.sim.holding.wait(), timeout=15)
            ref = run.sim.held_ref
            assert ref is not None and run.sim.sent[ref] == 0
            assert (await run.store.get_outbound(ref)).state is OutboxState.SENDING  # type: ignore[union-attr]
        finally:
            await kill(proc)
            run.sim.release()  # the hub goes on and accepts it; its answer finds no one
        deadline = time.monotonic() + 5
        while run.sim.sent[ref] == 0 and time.monotonic() < deadline:
            await asyncio.sleep(0.02)
        assert run.sim.sent[ref] == 1
        run.hit[moment] = ref
        return
    proc = await _start(run, moment)
    try:
        if moment is None:
            await asyncio.sleep(rng.uniform(0.1, 0.8))
        else:
            run.hit[moment] = await _at_moment(run, proc, moment)
    finally:
        await kill(proc)


async def _drain(run: Run) -> None:
    proc = await _start(run, None)
    try:
        limit = time.monotonic() + 30
        while time.monotonic() < limit:
            counts = await run.store.counts()
            waiting = (await admin(run.sim, "GET", ""))["parties"][SHV_ID]["waiting"]
            if (
                counts.outbox == {"delivered": len(run.outbound)}
                and counts.inbox == {"delivered": len(run.inbound)}
                and waiting == 0
                and not await run.store.list_inbound(unconfirmed=True)
            ):
                break
            await asyncio.sleep(0.1)
    finally:
        await stop(proc)


async def test_sigkill_against_the_real_hub_loses_nothing_and_sends_nothing_twice(store_factory, tmp_path):  # noqa: F811
    t0 = time.monotonic()
    rng = random.Random(20261122)
    pki = dev_pki()
    sim = CountingSimulator(simulator_config(pki))  # the catalogue validator checks every document
    await sim.start()
    store = await store_factory()
    config = worker_config(store, sim, pki.dir, SHV_ID, lease_seconds=2.0)
    run = Run(store, sim, config, tmp_path)
    se = client_for(pki, sim.url, "se", SE_ID)
    try:
        for rnd, moment in enumerate(SCHEDULE):
            await _queue_outbound(run, rnd)
            await _send_inbound(run, se, rnd)
            await _incarnation(run, moment, rng)
        await _drain(run)

        # every moment was hit, each on a message of its own kind
        assert set(run.hit) == {m for m in SCHEDULE if m is not None}
        assert {run.hit[m] for m in ("claimed", "in-flight", "after-accept")} <= set(run.outbound)
        assert {run.hit[m] for m in ("fetched", "before-confirm", "after-confirm")} <= set(run.inbound)

        # outbound: all delivered in the store, each at the hub exactly once with the queued document
        dead = [(r.referentienummer, r.last_error) for r in await store.list_outbound(state=OutboxState.DEAD)]
        assert dead == []
        assert {(await store.get_outbound(r)).state for r in run.outbound} == {OutboxState.DELIVERED}  # type: ignore[union-attr]
        fetched: list[tuple[str, bytes]] = []
        for _ in range(40):  # the SE fetches its whole box, page by page
            page = await se.fetch(100)
            fetched += [(b.referentienummer, b.document) for b in page.messages]
            for b in page.messages:
                assert (await se.confirm(b.referentienummer)).outcome is Outcome.DELIVERED
            if not page.more:
                break
        assert Counter(ref for ref, _ in fetched) == Counter(set(run.outbound))  # each exactly once
        assert all(doc == run.outbound[ref] for ref, doc in fetched)
        assert set(sim.sent) == set(run.outbound) | set(run.inbound)
        for conv in set(run.conversation.values()):  # the hub took each conversation in queue order
            accepted = [sim.accepted_at[r] for r, c in run.conversation.items() if c == conv]
            assert accepted == sorted(accepted), conv
        # the two messages the hub took while the sender died were resent and answered with the
        # first receipt: more than once on the wire (a resend may itself be cut off by a later
        # kill), once in effect; no recorded attempt claims a first delivery
        for moment in ("in-flight", "after-accept"):
            ref = run.hit[moment]
            assert sim.sent[ref] >= 2
            outcomes = {p.outcome for p in await store.attempts(ref)}
            assert outcomes == {Outcome.DUPLICATE_ACCEPTED.value}, (moment, outcomes)

        # inbound: every message stored once, processed, confirmed at the hub
        stored = await store.list_inbound(limit=1000)
        assert sorted(r.referentienummer for r in stored) == sorted(run.inbound)
        assert {r.state for r in stored} == {InboxState.DELIVERED}
        assert all(r.confirmed_at is not None and r.valid for r in stored)
        assert {await _status(run, r) for r in run.inbound} == {"bevestigd"}

        owners = {p.owner for r in run.outbound for p in await store.attempts(r)}
        assert len(owners) >= 2  # the work was spread over restarted processes
    finally:
        await se.close()
        await sim.stop()
    print(f"\n{store_factory.backend}: {run.starts} incarnations, hits {sorted(run.hit)}, "
          f"{len(run.outbound)} out / {len(run.inbound)} in, {time.monotonic() - t0:.1f}s")  # fmt: skip
