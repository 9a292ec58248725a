"""schemathesis against the live API of a real `skgw serve` process: no generated request gives a 5xx."""

from __future__ import annotations

import asyncio

import pytest
import requests

schemathesis = pytest.importorskip("schemathesis")
from hypothesis import HealthCheck, given, settings  # noqa: E402

from adapters.demo.layout import Layout  # noqa: E402
from adapters.demo.processes import Process, wait_until_up  # noqa: E402

TOKEN = "schemathesis-token-0123456789abcdefghijklm"


@pytest.fixture(scope="module")
def live_gateway(tmp_path_factory):
    root = tmp_path_factory.mktemp("schemathesis")
    layout = Layout.create(root)
    (root / "logs").mkdir()
    hub = Process("hub", ["hub", "--config", str(root / "pki" / "hub.toml")], root / "logs" / "hub.log")
    shv = Process(
        "shv",
        ["serve", "--config", str(root / "shv" / "gateway.toml")],
        root / "logs" / "shv.log",
        env={"SKGW_DEMO_TOKEN": TOKEN},
    )
    hub.start(root)
    shv.start(root)
    try:
        asyncio.run(wait_until_up(hub, f"http://127.0.0.1:{layout.admin_port}/admin"))
        asyncio.run(wait_until_up(shv, layout.api_url("shv") + "/health"))
        yield layout.api_url("shv")
    finally:
        assert shv.stop() == 0, shv.tail()
        hub.stop()


@pytest.mark.slow
@pytest.mark.timeout(300)
def test_no_generated_request_gives_a_server_error(live_gateway) -> None:
    schema = schemathesis.openapi.from_url(live_gateway + "/api/openapi.json")
    checked, failures = [], []
    for result in schema.get_all_operations():
        operation = result.ok()

        @settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
        @given(case=operation.as_strategy())
        def call(case) -> None:
            response = case.call(base_url=live_gateway, headers={"Authorization": f"Bearer {TOKEN}"})
            documented = case.path == "/ready" and response.status_code == 503  # "not ready", with reasons
            if response.status_code >= 500 and not documented:
                failures.append(
                    f"{case.method} {case.formatted_path}: {response.status_code} {response.text[:300]}"
                )
            assert response.status_code < 500 or documented

        call()
        assert not failures, failures
        checked.append(f"{operation.method.upper()} {operation.path}")
    assert "POST /api/berichten" in checked and len(checked) >= 8
    ready = requests.get(live_gateway + "/ready", timeout=5).json()
    assert ready["checks"]["certificate"]["ok"] and ready["checks"]["database"]["ok"], ready
