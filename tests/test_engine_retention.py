"""Retention per message type: raw payloads go, audit rows stay."""

from __future__ import annotations

from datetime import timedelta

import pytest

from gateway.engine.retention import purge_payloads
from gateway.engine.settings import RetentionSettings
from gateway.store.records import OutboxState
from tests.engine_helpers import dispatcher, enqueue
from tests.fakes import FakeClock, FakeHub
from tests.store_fixtures import store, store_factory  # noqa: F401  (fixtures)


async def test_purge_per_type_keeps_the_audit_rows(store):  # noqa: F811
    clock, hub = FakeClock(), FakeHub()
    saldo = await enqueue(store, clock, berichttype="Saldoverzoek")
    kennis = await enqueue(store, clock, berichttype="Kennisgeving")
    await dispatcher(store, hub, clock).run_once()
    settings = RetentionSettings(days={"Saldoverzoek": 30}, default_days=None)
    clock.advance(days=29)
    assert (await purge_payloads(store, settings, now=clock()))["Saldoverzoek"].outbox == 0
    clock.advance(days=2)
    result = await purge_payloads(store, settings, now=clock())
    assert result["Saldoverzoek"].outbox == 1 and "Kennisgeving" not in result
    purged = await store.get_outbound(saldo.referentienummer)
    assert purged.document is None and purged.sha256 == saldo.sha256 and purged.state is OutboxState.DELIVERED
    assert [p.outcome for p in await store.attempts(saldo.referentienummer)] == ["delivered"]
    assert (await store.get_outbound(kennis.referentienummer)).document == kennis.document
    everything = RetentionSettings(default_days=0)
    assert (await purge_payloads(store, everything, now=clock() + timedelta(seconds=1)))[
        "Kennisgeving"
    ].outbox == 1


async def test_negative_retention_is_refused(store):  # noqa: F811
    with pytest.raises(ValueError, match="Saldoverzoek"):
        await purge_payloads(store, RetentionSettings(days={"Saldoverzoek": -1}), now=FakeClock()())
