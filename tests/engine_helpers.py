"""Helpers for the engine tests: fast settings, enqueue shortcuts, inbound trust and bounded drive loops."""

from __future__ import annotations

import random
import uuid
from datetime import timedelta

from gateway.admission import Admission
from gateway.adresboek import Adresboek, Tegenpartij
from gateway.conversatie.machine import Gebeurtenis, stap
from gateway.engine.dispatcher import Dispatcher
from gateway.engine.settings import DispatchSettings
from gateway.model.berichttype import Berichttype, Rol
from gateway.store.base import Store
from gateway.store.records import NewOutbound, OutboxState
from tests.fakes import SE, SHV, FakeClock, FakeHub, document

PARTIES = {
    Rol.SE: Tegenpartij(SE, "Energie Test", "00000003123456780000", Rol.SE),
    Rol.SHV: Tegenpartij(SHV, "Gemeente Test", "00000001001234567000", Rol.SHV),
}


def trust(store: Store, rol: Rol = Rol.SHV, **kw: bool) -> Admission:
    """The real inbound trust of a gateway in role ``rol`` whose address book holds the other party."""
    other = Rol.SE if rol is Rol.SHV else Rol.SHV
    return Admission(store, Adresboek([PARTIES[other]]), rol=rol, **kw)


FAST = DispatchSettings(
    batch_size=10,
    max_concurrent=4,
    lease_seconds=60,
    backoff_base_seconds=10,
    backoff_cap_seconds=300,
    total_deadline_seconds=3600,
    in_attempt_retries=2,
    in_attempt_wait_seconds=0.01,
    max_claims=3,
    breaker_failure_threshold=3,
    breaker_reset_seconds=30,
    idle_wait_seconds=0.01,
)


async def no_sleep(_seconds: float) -> None:
    return None


def dispatcher(
    store: Store,
    hub: FakeHub,
    clock: FakeClock,
    settings: DispatchSettings = FAST,
    owner: str = "A",
    seed: int = 1,
) -> Dispatcher:
    return Dispatcher(store, hub, settings, clock=clock, owner=owner, rng=random.Random(seed), sleep=no_sleep)


async def enqueue(
    store: Store,
    clock: FakeClock,
    *,
    conv: str | None = None,
    berichttype: str = "Saldoverzoek",
    deadline_seconds: float = 3600,
    rol: Rol | None = None,
) -> NewOutbound:
    """Queue a tiny document. With ``rol``, as a gateway of that role submits it: to the other party of
    PARTIES, with what it does to its conversation (gateway.submission does the same)."""
    ref = str(uuid.uuid4())
    conv = conv or str(uuid.uuid4())
    doc = document(berichttype, referentienummer=ref, conversatie=conv)
    if rol is None:
        m = NewOutbound(ref, berichttype, "se-1", conv, doc)
    else:
        ontvanger = PARTIES[Rol.SE if rol is Rol.SHV else Rol.SHV].id
        g = Gebeurtenis(Berichttype(berichttype), ref, conv, ontvanger, rol, clock(), aangekomen=False)
        wijziging = stap(await store.get_conversation(conv), g, eigen_rol=rol).wijziging
        m = NewOutbound(ref, berichttype, ontvanger, conv, doc, conversatie_change=wijziging)
    await store.enqueue(m, now=clock(), deadline=clock() + timedelta(seconds=deadline_seconds))
    return m


async def drive(d: Dispatcher, clock: FakeClock, *, step: float = 5.0, max_rounds: int = 2000) -> int:
    """Run rounds, moving the clock on, until nothing is queued or sending; returns the rounds used."""
    for n in range(max_rounds):
        await d.run_once()
        counts = await d.store.counts()
        if not counts.outbox.get(OutboxState.QUEUED) and not counts.outbox.get(OutboxState.SENDING):
            return n + 1
        clock.advance(step)
    raise AssertionError(f"outbox not drained after {max_rounds} rounds: {counts.outbox}")
