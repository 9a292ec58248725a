"""kill -9 a gateway process at random moments, restart it, repeatedly: nothing lost, nothing twice."""

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

from gateway.store.records import InboxState, NieuwUitgaand, OutboxState
from gateway.store.sqlite import SqliteStore
from tests.fakes import document
from tests.filehub import FileHub

pytestmark = [pytest.mark.slow, pytest.mark.timeout(90)]

ROOT = Path(__file__).resolve().parent.parent


async def _start(store_path: Path, hub_path: Path) -> asyncio.subprocess.Process:
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "tests.crash_worker",
        str(store_path),
        str(hub_path),
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        stdout=asyncio.subprocess.PIPE,
    )
    assert proc.stdout is not None
    line = await asyncio.wait_for(proc.stdout.readline(), timeout=20)
    assert line.strip() == b"ready"
    return proc


async def _kill(proc: asyncio.subprocess.Process) -> None:
    proc.send_signal(signal.SIGKILL)
    await proc.wait()


async def test_sigkill_at_random_moments_loses_nothing(tmp_path):
    rng = random.Random(20260302)
    store_path, hub_path = tmp_path / "gateway.db", tmp_path / "hub.db"
    hub = FileHub(hub_path)
    store = await SqliteStore.open(store_path)
    now = datetime.now(UTC)
    outbound = []
    for i in range(40):
        ref, conv = str(uuid.uuid4()), f"conv-{i % 8}"
        outbound.append(ref)
        await store.enqueue(
            NieuwUitgaand(
                ref,
                "Saldoverzoek",
                "se-1",
                conv,
                document("Saldoverzoek", referentienummer=ref, conversatie=conv),
            ),
            now=now,
            deadline=now + timedelta(hours=1),
        )
    await store.close()
    inbound = []
    for _ in range(30):
        ref = str(uuid.uuid4())
        inbound.append(ref)
        hub.put(ref, "SaldoverzoekAntwoord", "se-1", document("SaldoverzoekAntwoord", referentienummer=ref))

    for _ in range(8):  # killed at a random moment: mid-send, mid-fetch, between store and confirm …
        proc = await _start(store_path, hub_path)
        await asyncio.sleep(rng.uniform(0.05, 0.4))
        await _kill(proc)

    proc = await _start(store_path, hub_path)  # the last run is left to finish the work
    store = await SqliteStore.open(store_path)  # a second reader on the WAL database
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            counts = await store.counts()
            if counts.outbox == {"delivered": 40} and counts.inbox == {"delivered": 30}:
                break
            await asyncio.sleep(0.1)
        await _kill(proc)
        assert hub.accepted() == set(outbound) and hub.unconfirmed() == 0
        rows = [await store.get_outbound(r) for r in outbound]
        assert {r.state for r in rows} == {OutboxState.DELIVERED}
        stored = await store.list_inbound(limit=1000)
        assert sorted(r.referentienummer for r in stored) == sorted(inbound)  # each exactly once
        assert {r.state for r in stored} == {InboxState.DELIVERED}
        assert all(r.confirmed_at is not None for r in stored)
    finally:
        if proc.returncode is None:
            await _kill(proc)
        await store.close()
        await hub.close()
