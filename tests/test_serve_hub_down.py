"""The hub going away is visible and its return can be acted on: a real `skgw serve` process, the hub
simulator stopped and started again on its port. The circuit's opening and closing are logged and
in /metrics, /ready names the hub after [health] hub_unreachable_seconds, and POST /api/queue/retry-now
sends what waits at once (without it: after the circuit's reset and the backoff, minutes here)."""

from __future__ import annotations

import asyncio
import re
import time
from dataclasses import replace

import aiohttp
import pytest

from adapters.hub.simulator import HubSimulator
from tests.daemon_support import fixture_json
from tests.serve_support import TOKEN, Serve, write_config
from tests.transport_support import SE_ID, dev_pki, simulator_config

pytestmark = [pytest.mark.slow, pytest.mark.timeout(150)]
HEADERS = {"Authorization": f"Bearer {TOKEN}"}
SETTINGS = """
[engine.dispatch]
idle_wait_seconds = 0.2
backoff_base_seconds = 300.0
backoff_cap_seconds = 600.0
in_attempt_retries = 0
breaker_failure_threshold = 2
breaker_reset_seconds = 600.0

[engine.poll]
interval_seconds = 0.3

[health]
hub_unreachable_seconds = 1.0
"""


async def _get(http: aiohttp.ClientSession, url: str) -> tuple[int, object]:
    async with http.get(url, headers=HEADERS) as r:
        return r.status, (await r.json() if r.content_type == "application/json" else await r.text())


async def _until(check, within: float, what: str):  # noqa: ANN001 - an async predicate
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        if result := await check():
            return result
        await asyncio.sleep(0.1)
    raise AssertionError(f"{what} within {within}s")


def _metric(text: str, name: str) -> float:
    found = re.search(rf"^{re.escape(name)} (\S+)$", text, re.MULTILINE)
    assert found, (name, text)
    return float(found.group(1))


async def test_hub_down_is_logged_measured_not_ready_and_retried_on_request(tmp_path) -> None:
    pki = dev_pki()
    sim = HubSimulator(simulator_config(pki))
    await sim.start()
    port = int(sim.url.split(":")[2].split("/")[0])
    config = write_config(tmp_path, pki, hub_url=sim.url, extra=SETTINGS)
    serve = Serve(config, tmp_path / "serve.log")
    try:
        async with aiohttp.ClientSession() as http:
            await serve.start().wait_up()

            async def ready() -> dict:
                return (await _get(http, serve.url + "/ready"))[1]  # type: ignore[return-value]

            await _until(lambda: _hub_ok(ready), 15, "the hub check is ok")
            await sim.stop()  # the hub goes away

            refs = []
            for _ in range(3):
                async with http.post(
                    serve.url + "/api/berichten",
                    json=fixture_json("Saldoverzoek.xml", SE_ID),
                    headers=HEADERS,
                ) as r:
                    assert r.status == 202
                    refs.append((await r.json())["referentienummer"])
            await _until(lambda: _logged(serve, "circuit for hub opened after 2 consecutive failure(s)"), 15,
                         "the circuit's opening is logged")  # fmt: skip
            status, metrics = await _get(http, serve.url + "/metrics")
            assert _metric(str(metrics), 'skgw_circuit_open{endpoint="hub"}') == 1.0
            assert _metric(str(metrics), "skgw_hub_unreachable_seconds") > 0
            down = await _until(lambda: _hub_down(ready), 15, "/ready says the hub is unreachable")
            assert down["checks"]["hub"]["circuits"] == {"hub": "open"}
            assert "the hub has not answered for" in down["checks"]["hub"]["message"]

            sim = HubSimulator(replace(simulator_config(pki), port=port))  # the hub is back
            await sim.start()
            await asyncio.sleep(2)  # nothing is sent by itself: the backoff and the circuit hold it
            for ref in refs:
                status, detail = await _get(http, serve.url + f"/api/berichten/{ref}")
                assert detail["state"] == "queued", detail  # type: ignore[index]
            status, body = await _post(http, serve, "/api/queue/retry-now")
            assert status == 202 and body["due_now"] >= 1, body

            async def all_delivered() -> bool:
                states = [(await _get(http, serve.url + f"/api/berichten/{ref}"))[1]["state"] for ref in refs]  # type: ignore[index]
                return set(states) == {"delivered"}

            await _until(all_delivered, 20, "every waiting message is delivered")
            assert "circuit for hub closed: it answers again after" in serve.output()
            await _until(lambda: _hub_ok(ready), 15, "the hub check is ok again")
            status, metrics = await _get(http, serve.url + "/metrics")
            assert _metric(str(metrics), 'skgw_circuit_open{endpoint="hub"}') == 0.0

            # one message: the operator console's "retry this message now"
            status, body = await _post(http, serve, f"/api/queue/retry-now?referentienummer={refs[0]}")
            assert status == 409 and "is delivered, not waiting for a retry" in body["error"]
            unknown = "00000000-0000-4000-8000-000000000000"
            assert (await _post(http, serve, f"/api/queue/retry-now?referentienummer={unknown}"))[0] == 404
            assert (await _post(http, serve, "/api/queue/retry-now?referentienummer=bogus"))[0] == 400
    finally:
        serve.stop()
        await sim.stop()


async def _hub_ok(ready) -> bool:  # noqa: ANN001
    return bool((await ready())["checks"]["hub"]["ok"])


async def _hub_down(ready):  # noqa: ANN001, ANN202
    body = await ready()
    return None if body["checks"]["hub"]["ok"] else body


async def _logged(serve: Serve, text: str) -> bool:
    return text in serve.output()


async def _post(http: aiohttp.ClientSession, serve: Serve, path: str) -> tuple[int, dict]:
    async with http.post(serve.url + path, headers=HEADERS) as r:
        return r.status, await r.json()


async def test_stopping_says_how_many_messages_are_still_queued(tmp_path) -> None:
    config = write_config(tmp_path, dev_pki(), hub_url="https://127.0.0.1:9/skp", extra=SETTINGS)
    serve = Serve(config, tmp_path / "serve.log")
    try:
        async with aiohttp.ClientSession() as http:
            await serve.start().wait_up()
            for _ in range(2):  # no hub: they stay queued
                body = fixture_json("Saldoverzoek.xml", SE_ID)
                async with http.post(serve.url + "/api/berichten", json=body, headers=HEADERS) as r:
                    assert r.status == 202
    finally:
        code = serve.stop()
    assert code == 0, serve.output()
    last = serve.output().strip().splitlines()[-1]
    assert last.endswith(
        "gateway stopped: 2 outbound message(s) still queued and 0 hand-over(s) to our system pending; "
        "they continue at the next start"
    ), last
