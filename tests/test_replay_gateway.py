"""`skgw replay --gateway`: fixtures posted as JSON to a running gateway's API; 202, 409, 422 and
5xx are counted exactly; the gateway delivers what it accepted."""

from __future__ import annotations

import asyncio
import json

import aiohttp
import pytest
from aiohttp import web

from adapters.testkit.gateway_sender import GatewaySender, classify
from adapters.testkit.header import Rewrite, rewrite
from adapters.testkit.replay import ReplayOptions, replay
from adapters.testkit.sending import RetryPolicy
from gateway.cli import main
from gateway.codec import decode
from gateway.engine.ports import Outcome
from gateway.model.berichttype import Rol
from tests.conftest import FIXTURES
from tests.daemon_support import TOKEN, Api, gateway_config, running, simulator
from tests.transport_support import SE_ID, SHV_ID, dev_pki

pytestmark = pytest.mark.timeout(60)
VALID = FIXTURES / "valid" / "2.0"


def item(name: str) -> tuple[str, bytes]:
    return name, (VALID / name).read_bytes()


async def test_replay_to_a_gateway_counts_right(tmp_path, monkeypatch) -> None:
    pki = dev_pki()
    async with simulator(pki) as sim, aiohttp.ClientSession() as http:
        config = gateway_config(pki, sim.url, tmp_path / "shv", rol=Rol.SHV, adres=SHV_ID, cert="shv")
        async with running(config, monkeypatch) as gateway:
            api = Api(http, gateway)
            same_ref = "3f0e8a1c-4b2d-4e6f-8a9b-0c1d2e3f4a5b"
            first, _ = rewrite(
                (VALID / "Saldoverzoek.xml").read_bytes(), Rewrite(referentienummer=same_ref, ontvanger=SE_ID)
            )
            other = first.replace(b"ZW-2025-00417", b"ZW-2025-99999")  # same number, other content
            inputs = [
                item("Kennisgeving.xml"),
                item("Saldoverzoek.xml"),
                item("Betaalvoorstel-nul-aanbod-SA.xml"),
                item("SaldoverzoekAntwoord.xml"),  # an SE message: this SHV gateway refuses it (422)
                ("bad", (FIXTURES / "invalid/amount-negative.xml").read_bytes()),  # refused locally
            ]
            sender = GatewaySender(api.base, TOKEN)
            try:
                options = ReplayOptions(afzender=None, ontvanger=SE_ID, concurrency=3)
                summary = await replay(inputs, sender, options)
                kept = ReplayOptions(afzender=None, ontvanger=SE_ID, keep_ids=True, concurrency=1)
                again = await replay([("a", first), ("a-again", first), ("b", other)], sender, kept)
            finally:
                await sender.close()
            assert (summary.sent, summary.delivered, summary.duplicates) == (4, 3, 0)
            assert dict(summary.refused) == {"wrong-role": 1, "local:min-inclusive": 1}
            assert (again.sent, again.delivered, again.duplicates) == (3, 1, 1), (
                again.refused,
                again.reasons,
            )
            assert dict(again.refused) == {"conflict": 1}
            _, page = await api.call("GET", "/api/berichten?direction=out&limit=50")
            assert len(page["items"]) == 4
            for entry in page["items"]:
                await api.wait_state(entry["referentienummer"], "delivered")


async def test_5xx_is_retried_and_counted() -> None:
    calls = []

    async def failing(request: web.Request) -> web.Response:
        calls.append(request.headers.get("Authorization"))
        if len(calls) <= 2:
            return web.json_response({"error": "store unavailable"}, status=503)
        return web.json_response({"referentienummer": "x", "new": True}, status=202)

    app = web.Application()
    app.router.add_post("/api/berichten", failing)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    sender = GatewaySender(f"http://127.0.0.1:{port}", "t0ken")
    try:
        options = ReplayOptions(afzender=None, ontvanger=SE_ID, retry=RetryPolicy(0))
        summary = await replay([item("Saldoverzoek.xml")], sender, options)
        assert dict(summary.refused) == {"http-503": 1} and summary.sent == 1
        options = ReplayOptions(afzender=None, ontvanger=SE_ID, retry=RetryPolicy(2, 0.01))
        summary = await replay([item("Saldoverzoek.xml")], sender, options)
        assert summary.delivered == 1 and summary.retried == 1 and len(summary.latencies) == 2
        assert calls == ["Bearer t0ken"] * 3
    finally:
        await sender.close()
        await runner.cleanup()
    closed = GatewaySender(f"http://127.0.0.1:{port}", "t0ken", timeout_seconds=2)
    try:
        summary = await replay([item("Saldoverzoek.xml")], closed, options)
        assert dict(summary.refused) == {"connection": 1} and summary.retried == 1
    finally:
        await closed.close()


def test_classification() -> None:
    assert classify(202, {"new": False}).outcome is Outcome.DUPLICATE_ACCEPTED
    assert classify(401, {"error": "authentication required"}).code == "unauthorized"
    assert classify(
        422, {"findings": [{"code": "unknown-counterpart", "field": "/x", "message": "m"}]}
    ).code == ("unknown-counterpart")
    assert classify(400, "bad").outcome is Outcome.PERMANENT


async def test_cli_replay_gateway(tmp_path, monkeypatch, capsys) -> None:
    pki = dev_pki()
    async with simulator(pki) as sim:
        config = gateway_config(pki, sim.url, tmp_path / "shv", rol=Rol.SHV, adres=SHV_ID, cert="shv")
        async with running(config, monkeypatch) as gateway:
            url = f"http://127.0.0.1:{gateway.api_port}"
            # the Heroverweging continues a conversation its previous system had: register it first
            conversatie = decode(
                (VALID / "Heroverweging.xml").read_bytes()
            ).berichtheader.conversatie_referentienummer
            earlier = {"conversaties": [{"conversatie": conversatie, "tegenpartij": SE_ID, "berichten": [
                {"berichttype": "Betaalvoorstel", "datum_tijd": "2025-11-03T09:00:00Z"},
                {"berichttype": "BetaalvoorstelAntwoord", "antwoord": "NietAkkoord",
                 "datum_tijd": "2025-11-04T09:00:00Z"},
            ]}]}  # fmt: skip
            async with aiohttp.ClientSession() as http:
                status, imported = await Api(http, gateway).call("POST", "/api/conversaties", json=earlier)
            assert status == 200 and imported["imported"] == [conversatie], imported
            argv = ["replay", str(VALID / "Saldoverzoek.xml"), str(VALID / "Heroverweging.xml"),
                    "--gateway", url, "--token-env", "SKGW_TEST_API_TOKEN", "--ontvanger", SE_ID,
                    "--config", str(tmp_path / "none.toml"), "--json"]  # fmt: skip
            assert await asyncio.to_thread(main, argv) == 0
            result = json.loads(capsys.readouterr().out)
            assert (result["sent"], result["delivered"], result["refused"]) == (2, 2, {})
            monkeypatch.setenv("SKGW_TEST_API_TOKEN", "wrong")
            assert await asyncio.to_thread(main, argv) == 1
            assert json.loads(capsys.readouterr().out)["refused"] == {"unauthorized": 2}
            monkeypatch.delenv("SKGW_TEST_API_TOKEN")
            assert await asyncio.to_thread(main, argv) == 2
