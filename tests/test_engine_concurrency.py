"""Several dispatchers on one PostgreSQL database share the outbox (SKIP LOCKED + lease)."""

from __future__ import annotations

import asyncio
import uuid
from collections import Counter
from datetime import UTC, datetime

import pytest

from gateway.engine.dispatcher import Dispatcher
from gateway.engine.settings import DispatchSettings
from gateway.store.records import NewOutbound, OutboxState
from tests.fakes import FakeHub, document
from tests.store_fixtures import PG_DSN, store_factory  # noqa: F401  (fixture)

pytestmark = pytest.mark.timeout(60)


async def test_two_dispatchers_share_the_outbox_none_twice(store_factory):  # noqa: F811
    if store_factory.backend != "postgres":
        pytest.skip("several processes on one database is the PostgreSQL mode; SQLite serves one node")
    a, b = await store_factory(), await store_factory()  # two pools, as two processes would have
    hub = FakeHub(slow_seconds=0.005)
    hub.default = "slow"
    now = datetime.now(UTC)
    convs = [str(uuid.uuid4()) for _ in range(10)]
    refs = []
    for i in range(120):
        ref, conv = str(uuid.uuid4()), convs[i % 10]
        refs.append((ref, conv))
        await a.enqueue(
            NewOutbound(
                ref,
                "Saldoverzoek",
                "se-1",
                conv,
                document("Saldoverzoek", referentienummer=ref, conversatie=conv),
            ),
            now=now,
            deadline=now.replace(year=now.year + 1),
        )
    settings = DispatchSettings(batch_size=7, max_concurrent=4, lease_seconds=60)
    da = Dispatcher(a, hub, settings, owner="proc-a")
    db = Dispatcher(b, hub, settings, owner="proc-b")

    async def work(d: Dispatcher) -> int:
        done = 0
        for _ in range(500):
            report = await d.run_once()
            done += report.delivered
            counts = await d.store.counts()
            if not counts.outbox.get("queued") and not counts.outbox.get("sending"):
                return done
            if report.claimed == 0:
                await asyncio.sleep(0.002)
        raise AssertionError("outbox not drained")

    done_a, done_b = await asyncio.gather(work(da), work(db))
    assert done_a + done_b == 120 and done_a > 0 and done_b > 0  # both did work
    assert Counter(hub.calls).most_common(1)[0][1] == 1  # nobody sent a message twice
    assert sorted(hub.accepted) == sorted(r for r, _ in refs)
    for conv in convs:  # order within each conversation kept across both processes
        expected = [r for r, c in refs if c == conv]
        assert [r for r in hub.accepted if r in set(expected)] == expected
    assert (await a.counts()).outbox == {OutboxState.DELIVERED.value: 120}
