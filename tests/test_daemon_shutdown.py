"""SIGTERM while a send is in flight: the attempt finishes and is recorded, the process exits 0."""

from __future__ import annotations

import asyncio
import json
import time

import aiohttp
import pytest

from adapters.demo.layout import ORGANISATIONS, Layout
from adapters.demo.processes import Process, wait_until_up
from gateway.store.sqlite import SqliteStore
from tests.daemon_support import fixture_json

TOKEN = "shutdown-token-0123456789abcdefghijklmnop"
SE = next(o for o in ORGANISATIONS if o.key == "se")


@pytest.mark.slow
@pytest.mark.timeout(120)
async def test_sigterm_lets_the_attempt_in_flight_finish(tmp_path) -> None:
    layout = Layout.create(tmp_path)
    (tmp_path / "logs").mkdir()
    hub = Process(
        "hub", ["hub", "--config", str(tmp_path / "pki" / "hub.toml")], tmp_path / "logs" / "hub.log"
    )
    shv = Process(
        "shv",
        ["serve", "--config", str(tmp_path / "shv" / "gateway.toml")],
        tmp_path / "logs" / "shv.log",
        env={"SKGW_DEMO_TOKEN": TOKEN},
    )
    hub.start(tmp_path)
    try:
        await wait_until_up(hub, f"http://127.0.0.1:{layout.admin_port}/admin")
        shv.start(tmp_path)
        await wait_until_up(shv, layout.api_url("shv") + "/health")
        headers = {"Authorization": f"Bearer {TOKEN}"}
        async with aiohttp.ClientSession() as http:
            async with http.put(
                f"http://127.0.0.1:{layout.admin_port}/admin/faults", data=json.dumps({"latency_ms": 2500})
            ):
                pass
            body = fixture_json("Saldoverzoek.xml", SE.id)
            async with http.post(layout.api_url("shv") + "/api/berichten", json=body, headers=headers) as r:
                assert r.status == 202
                ref = (await r.json())["referentienummer"]
            deadline = time.monotonic() + 20
            while time.monotonic() < deadline:  # wait until the dispatcher has it in flight
                async with http.get(layout.api_url("shv") + f"/api/berichten/{ref}", headers=headers) as r:
                    if (await r.json())["state"] == "sending":
                        break
                await asyncio.sleep(0.05)
            else:
                raise AssertionError("the message never went in flight")
        assert shv.stop(timeout=30) == 0, shv.tail()
        store = await SqliteStore.open(str(tmp_path / "shv" / "gateway.db"))
        try:
            row = await store.get_outbound(ref)
            attempts = await store.attempts(ref)
        finally:
            await store.close()
        assert str(row.state) == "delivered" and [a.outcome for a in attempts] == ["delivered"]
        assert "gateway stopped" in shv.tail(5)
    finally:
        shv.stop()
        hub.stop()
