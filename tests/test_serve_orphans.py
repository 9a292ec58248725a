"""A gateway process killed mid-send leaves claimed rows behind; the restarted node sends them at
once instead of waiting out their lease (120 s by default). Real `skgw serve` processes, SIGKILL,
the hub simulator holding the send in flight; SQLite (one node) and PostgreSQL (two nodes)."""

from __future__ import annotations

import asyncio
import time
import uuid
from pathlib import Path
from urllib.parse import urlsplit

import aiohttp
import asyncpg
import pytest

from tests.daemon_support import fixture_json
from tests.reliability_support import CountingSimulator
from tests.serve_support import TOKEN, Serve, write_config
from tests.transport_support import SE_ID, dev_pki, simulator_config

pytestmark = [pytest.mark.slow, pytest.mark.timeout(150)]
HEADERS = {"Authorization": f"Bearer {TOKEN}"}
LEASE = 120.0  # the default: what a restarted process used to wait out
ENGINE = """
[engine.dispatch]
idle_wait_seconds = 0.2
backoff_base_seconds = 0.2
backoff_cap_seconds = 1.0

[engine.poll]
interval_seconds = 0.5
"""


async def _submit(http: aiohttp.ClientSession, serve: Serve) -> str:
    body = fixture_json("Saldoverzoek.xml", SE_ID)
    async with http.post(serve.url + "/api/berichten", json=body, headers=HEADERS) as r:
        assert r.status == 202, await r.text()
        return (await r.json())["referentienummer"]


async def _detail(http: aiohttp.ClientSession, serve: Serve, ref: str) -> dict:
    async with http.get(serve.url + f"/api/berichten/{ref}", headers=HEADERS) as r:
        assert r.status == 200, await r.text()
        return await r.json()


async def _wait_delivered(http: aiohttp.ClientSession, serve: Serve, ref: str, within: float) -> dict:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        detail = await _detail(http, serve, ref)
        if detail["state"] == "delivered":
            return detail
        await asyncio.sleep(0.1)
    raise AssertionError(f"{ref} not delivered within {within}s: {detail}\n{serve.output()}")


async def _kill_mid_send(http: aiohttp.ClientSession, sim: CountingSimulator, serve: Serve) -> str:
    """Submit through ``serve``, let the hub hold the send, SIGKILL ``serve``; then the hub goes on
    (it accepts the message, its answer finds no one)."""
    sim.hold_next_verstuur()
    ref = await _submit(http, serve)
    await asyncio.wait_for(sim.holding.wait(), timeout=15)
    assert sim.held_ref == ref
    serve.kill()
    sim.release()
    return ref


async def test_sqlite_the_restarted_gateway_sends_its_orphaned_claim_at_once(tmp_path: Path) -> None:
    pki = dev_pki()
    sim = CountingSimulator(simulator_config(pki))
    await sim.start()
    config = write_config(tmp_path, pki, hub_url=sim.url, extra=ENGINE)
    first = Serve(config, tmp_path / "first.log")
    second = Serve(config, tmp_path / "second.log")
    try:
        async with aiohttp.ClientSession() as http:
            await first.start().wait_up()
            other = Serve(config, tmp_path / "other.log").start()  # a second process on the database
            assert other.wait(30) == 2, other.output()
            assert "[engine] node: another running gateway process works as node" in other.output()
            assert "SQLite serves one process" in other.output()

            ref = await _kill_mid_send(http, sim, first)
            started = time.monotonic()
            await second.start().wait_up()
            detail = await _wait_delivered(http, second, ref, within=30)
            assert time.monotonic() - started < LEASE / 4
            assert [a["outcome"] for a in detail["attempts"]] == ["duplicate-accepted"]
            assert sim.sent[ref] == 2  # the first send (held, answered to no one) and this resend
            assert "1 claim(s) left by its previous process are due again now" in second.output()
    finally:
        first.kill()
        second.stop()
        await sim.stop()


async def test_postgres_a_node_takes_back_only_its_own_claims(tmp_path: Path, postgres_dsn: str) -> None:
    schema = f"t_{uuid.uuid4().hex[:16]}"
    admin = await asyncpg.connect(postgres_dsn)
    await admin.execute(f'CREATE SCHEMA "{schema}"')
    url = urlsplit(postgres_dsn)._replace(query=f"search_path={schema}").geturl()
    pki = dev_pki()
    sim = CountingSimulator(simulator_config(pki))
    await sim.start()

    def node(name: str, log: str) -> Serve:
        extra = f'\n[engine]\nnode = "{name}"\n{ENGINE}'
        config = write_config(tmp_path / log, pki, hub_url=sim.url, store_url=url, extra=extra)
        return Serve(config, tmp_path / f"{log}.log")

    a, b, a_again = node("a", "a"), node("b", "b"), node("a", "a-again")
    try:
        async with aiohttp.ClientSession() as http:
            await a.start().wait_up()
            ref = await _kill_mid_send(http, sim, a)
            await b.start().wait_up()
            await asyncio.sleep(3)  # node b runs, but node a's claim is not b's to take before its lease
            assert (await _detail(http, b, ref))["state"] == "sending"

            twin = node("b", "twin").start()  # a second process calling itself b
            assert twin.wait(30) == 2, twin.output()
            assert "[engine] node: another running gateway process works as node 'b'" in twin.output()

            started = time.monotonic()
            await a_again.start().wait_up()
            detail = await _wait_delivered(http, b, ref, within=30)
            assert time.monotonic() - started < LEASE / 4
            assert [x["outcome"] for x in detail["attempts"]] == ["duplicate-accepted"]
            assert "node a: 1 claim(s) left by its previous process" in a_again.output()
    finally:
        for serve in (a, b, a_again):
            serve.stop()
        await sim.stop()
        await admin.execute(f'DROP SCHEMA "{schema}" CASCADE')
        await admin.close()
