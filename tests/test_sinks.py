from __future__ import annotations

import json

import pytest
from aiohttp import web

from adapters.sinks.folder import FolderSettings, FolderSink
from adapters.sinks.webhook import WebhookSettings, WebhookSink, verify_signature
from gateway.engine.ports import Afleververzoek, Outcome

SECRET = b"webhook-secret"


def _verzoek(ref: str = "6f1f4a9e-6a57-4a1e-9d7c-1c0f8f0b9a11") -> Afleververzoek:
    body = json.dumps({"berichttype": "SaldoverzoekAntwoord", "referentienummer": ref}).encode()
    return Afleververzoek(ref, "SaldoverzoekAntwoord", "c0ffee00-0000-4000-8000-000000000001", body, b"<x/>")


@pytest.fixture
async def receiver():
    received: list[tuple[dict, bytes]] = []
    status = {"code": 200}

    async def handler(request: web.Request) -> web.Response:
        received.append((dict(request.headers), await request.read()))
        return web.Response(status=status["code"])

    app = web.Application()
    app.router.add_post("/hook", handler)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]
    yield f"http://127.0.0.1:{port}/hook", received, status
    await runner.cleanup()


async def test_webhook_posts_signed_json(receiver) -> None:
    url, received, _ = receiver
    sink = WebhookSink(WebhookSettings(url, SECRET), clock=lambda: 1_763_812_345)
    result = await sink.lever_af(_verzoek())
    await sink.close()
    assert result.outcome is Outcome.DELIVERED
    headers, body = received[0]
    assert json.loads(body)["berichttype"] == "SaldoverzoekAntwoord"
    assert headers["X-SKPGW-Timestamp"] == "1763812345"
    assert verify_signature(SECRET, "1763812345", body, headers["X-SKPGW-Signature"])
    assert not verify_signature(b"other", "1763812345", body, headers["X-SKPGW-Signature"])


@pytest.mark.parametrize(
    ("status", "outcome"),
    [(500, Outcome.RETRYABLE), (503, Outcome.RETRYABLE), (401, Outcome.RETRYABLE), (422, Outcome.PERMANENT)],
)
async def test_webhook_classifies_answers(receiver, status, outcome) -> None:
    url, _, state = receiver
    state["code"] = status
    sink = WebhookSink(WebhookSettings(url, SECRET))
    result = await sink.lever_af(_verzoek())
    await sink.close()
    assert result.outcome is outcome and result.code == f"http-{status}"


async def test_webhook_unreachable_is_retryable() -> None:
    sink = WebhookSink(WebhookSettings("http://127.0.0.1:9/hook", SECRET, timeout_seconds=2))
    result = await sink.lever_af(_verzoek())
    await sink.close()
    assert result.outcome is Outcome.RETRYABLE and result.code == "connection"


async def test_folder_writes_one_file_atomically_and_idempotently(tmp_path) -> None:
    sink = FolderSink(FolderSettings(tmp_path / "in"))
    verzoek = _verzoek()
    assert (await sink.lever_af(verzoek)).outcome is Outcome.DELIVERED
    assert (await sink.lever_af(verzoek)).outcome is Outcome.DELIVERED
    files = sorted(p.name for p in (tmp_path / "in").iterdir())
    assert files == [f"SaldoverzoekAntwoord-{verzoek.referentienummer}.json"]
    assert (tmp_path / "in" / files[0]).read_bytes() == verzoek.json_body


async def test_folder_xml_format(tmp_path) -> None:
    sink = FolderSink(FolderSettings(tmp_path, format="xml"))
    await sink.lever_af(_verzoek())
    assert [p.read_bytes() for p in tmp_path.glob("*.xml")] == [b"<x/>"]


async def test_folder_unwritable_is_retryable(tmp_path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    sink = FolderSink(FolderSettings(blocker / "sub"))
    assert (await sink.lever_af(_verzoek())).outcome is Outcome.RETRYABLE


@pytest.mark.parametrize("sink_class", [WebhookSink, FolderSink])
def test_every_sink_implements_the_sink_port_exactly(sink_class) -> None:
    import inspect

    from gateway.engine.ports import SinkPort

    for name in ("lever_af", "close"):
        port, ours = getattr(SinkPort, name), getattr(sink_class, name)
        assert inspect.iscoroutinefunction(ours), name
        assert list(inspect.signature(ours).parameters) == list(inspect.signature(port).parameters), name
    assert isinstance(sink_class.name, str)
