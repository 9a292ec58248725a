"""The engine's loops in real time: bounded, woken on demand, stopped cleanly."""

from __future__ import annotations

import asyncio
import time
import uuid

import pytest

from gateway.conversatie.machine import Gebeurtenis, stap
from gateway.engine.clock import utcnow
from gateway.engine.runner import Engine
from gateway.engine.settings import DispatchSettings, EngineSettings, PollSettings, RetentionSettings
from gateway.model.berichttype import Berichttype, Rol
from gateway.store.records import ConversationState, InboxState, NewOutbound, OutboxState
from gateway.store.sqlite import SqliteStore
from tests.engine_helpers import trust
from tests.fakes import SE, FakeHub, FakeSink, TinyProcessing, document

pytestmark = pytest.mark.timeout(30)


async def test_engine_sends_fetches_delivers_and_stops(tmp_path):
    store = await SqliteStore.open(tmp_path / "gw.db")
    hub, sink = FakeHub(), FakeSink()
    settings = EngineSettings(
        dispatch=DispatchSettings(idle_wait_seconds=0.02),
        poll=PollSettings(interval_seconds=3600),  # only the on-demand trigger fetches again
        retention=RetentionSettings(default_days=30),
    )
    engine = Engine(store, hub, TinyProcessing(), [sink], settings, trust=trust(store))
    stop = asyncio.Event()
    task = asyncio.create_task(engine.run(stop))
    try:
        ref = str(uuid.uuid4())
        doc = document("Saldoverzoek", referentienummer=ref, conversatie="c-1")
        vraag = Gebeurtenis(Berichttype.SALDOVERZOEK, ref, "c-1", SE, Rol.SHV, utcnow(), aangekomen=False)
        opens = stap(None, vraag, eigen_rol=Rol.SHV).wijziging
        opening = NewOutbound(ref, "Saldoverzoek", SE, "c-1", doc, conversatie_change=opens)
        first = await engine.enqueue(opening)
        again = await engine.enqueue(NewOutbound(ref, "Saldoverzoek", SE, "c-1", doc))
        assert first.created and not again.created
        inbound = str(uuid.uuid4())
        hub.put_inbound(
            document("SaldoverzoekAntwoord", referentienummer=inbound, conversatie="c-1", afzender=SE),
            referentienummer=inbound,
            berichttype="SaldoverzoekAntwoord",
            afzender=SE,
        )
        engine.fetch_now()
        limit = time.monotonic() + 10
        while time.monotonic() < limit:
            out, got = await store.get_outbound(ref), await store.get_inbound(inbound)
            if out.state is OutboxState.DELIVERED and got and got.state is InboxState.DELIVERED:
                break
            await asyncio.sleep(0.02)
        assert hub.accepted == [ref] and sink.delivered == [inbound]
        assert (await store.get_conversation("c-1")).state is ConversationState.ANSWERED
        assert (await engine.fetch_freshness()).ok
    finally:
        stop.set()
        await asyncio.wait_for(task, timeout=5)
        await store.close()
