"""kill -9 gateway processes at random moments, restart them, repeatedly: nothing lost, nothing twice.

SQLite: one process at a time. PostgreSQL: two processes side by side on one database, each killed
and restarted in turn. The hub is a file-backed fake that outlives the processes.
"""

from __future__ import annotations

import asyncio
import os
import random
import signal
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from gateway.store.base import Store
from gateway.store.records import InboxState, NewOutbound, OutboxState
from tests.fakes import SE, SHV, document
from tests.filehub import FileHub
from tests.store_fixtures import store_factory  # noqa: F401  (fixture)

pytestmark = [pytest.mark.slow, pytest.mark.timeout(90)]

ROOT = Path(__file__).resolve().parent.parent
N_OUT, N_IN = 40, 30


def _worker_args(store: Store, tmp_path: Path) -> list[str]:
    schema = getattr(store, "schema", None)
    if schema:
        return [store.dsn, str(tmp_path / "hub.db"), schema]  # type: ignore[attr-defined]
    return [store.path, str(tmp_path / "hub.db")]  # type: ignore[attr-defined]


async def _start(args: list[str]) -> asyncio.subprocess.Process:
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "tests.crash_worker", *args,
        cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)}, stdout=asyncio.subprocess.PIPE,
    )  # fmt: skip
    assert proc.stdout is not None
    line = await asyncio.wait_for(proc.stdout.readline(), timeout=20)
    assert line.strip() == b"ready"
    return proc


async def _kill(proc: asyncio.subprocess.Process) -> None:
    if proc.returncode is None:
        proc.send_signal(signal.SIGKILL)
        await proc.wait()


async def _fill(store: Store, hub: FileHub) -> tuple[list[str], list[str]]:
    now = datetime.now(UTC)
    outbound, inbound = [], []
    for i in range(N_OUT):
        ref, conv = str(uuid.uuid4()), f"conv-{i % 8}"
        outbound.append(ref)
        doc = document("Saldoverzoek", referentienummer=ref, conversatie=conv)
        await store.enqueue(
            NewOutbound(ref, "Saldoverzoek", "se-1", conv, doc), now=now, deadline=now + timedelta(hours=1)
        )
    for _ in range(N_IN):
        ref = str(uuid.uuid4())
        inbound.append(ref)
        notice = document("StatusberichtSE", referentienummer=ref, afzender=SE, ontvanger=SHV)
        hub.put(ref, "StatusberichtSE", SE, notice)  # a notice: it needs no question of ours
    return outbound, inbound


async def test_sigkill_at_random_moments_loses_nothing(store_factory, tmp_path):  # noqa: F811
    rng = random.Random(20260302)
    hub = FileHub(tmp_path / "hub.db")
    store = await store_factory()
    outbound, inbound = await _fill(store, hub)
    args = _worker_args(store, tmp_path)
    parallel = 2 if store_factory.backend == "postgres" else 1
    procs = [await _start(args) for _ in range(parallel)]
    try:
        for i in range(8):  # killed at random moments: mid-send, mid-fetch, between store and confirm …
            await asyncio.sleep(rng.uniform(0.05, 0.4))
            victim = i % parallel
            await _kill(procs[victim])
            procs[victim] = await _start(args)
        limit = time.monotonic() + 30  # the last processes are left to finish the work
        while time.monotonic() < limit:
            counts = await store.counts()
            if counts.outbox == {"delivered": N_OUT} and counts.inbox == {"delivered": N_IN}:
                break
            await asyncio.sleep(0.1)
    finally:
        for p in procs:
            await _kill(p)
    try:
        assert hub.accepted() == set(outbound) and hub.unconfirmed() == 0
        assert {(await store.get_outbound(r)).state for r in outbound} == {OutboxState.DELIVERED}
        stored = await store.list_inbound(limit=1000)
        assert sorted(r.referentienummer for r in stored) == sorted(inbound)  # each exactly once
        assert {r.state for r in stored} == {InboxState.DELIVERED}
        assert all(r.confirmed_at is not None for r in stored)
        owners = {p.owner for r in outbound for p in await store.attempts(r)}
        assert len(owners) >= 2  # the work was spread over the restarted (and parallel) processes
    finally:
        await hub.close()
