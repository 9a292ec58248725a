from __future__ import annotations

import asyncio
import json
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest
from aiohttp import web

from adapters.sinks.folder import FolderSettings, FolderSink
from adapters.sinks.webhook import WebhookSettings, WebhookSink, verify_signature
from gateway.engine.ports import DeliveryRequest, Outcome
from gateway.files import remove_stale_temporaries, temporary_name

SECRET = b"webhook-secret"


def _request(ref: str = "6f1f4a9e-6a57-4a1e-9d7c-1c0f8f0b9a11") -> DeliveryRequest:
    body = json.dumps({"berichttype": "SaldoverzoekAntwoord", "referentienummer": ref}).encode()
    return DeliveryRequest(ref, "SaldoverzoekAntwoord", "c0ffee00-0000-4000-8000-000000000001", body, b"<x/>")


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
    result = await sink.deliver(_request())
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
    result = await sink.deliver(_request())
    await sink.close()
    assert result.outcome is outcome and result.code == f"http-{status}"


async def test_webhook_unreachable_is_retryable() -> None:
    sink = WebhookSink(WebhookSettings("http://127.0.0.1:9/hook", SECRET, timeout_seconds=2))
    result = await sink.deliver(_request())
    await sink.close()
    assert result.outcome is Outcome.RETRYABLE and result.code == "connection"


async def test_folder_writes_one_file_atomically_and_idempotently(tmp_path) -> None:
    sink = FolderSink(FolderSettings(tmp_path / "in"))
    request = _request()
    assert (await sink.deliver(request)).outcome is Outcome.DELIVERED
    assert (await sink.deliver(request)).outcome is Outcome.DELIVERED
    files = sorted(p.name for p in (tmp_path / "in").iterdir())
    assert files == [f"SaldoverzoekAntwoord-{request.referentienummer}.json"]
    assert (tmp_path / "in" / files[0]).read_bytes() == request.json_body


async def test_folder_xml_format(tmp_path) -> None:
    sink = FolderSink(FolderSettings(tmp_path, format="xml"))
    await sink.deliver(_request())
    assert [p.read_bytes() for p in tmp_path.glob("*.xml")] == [b"<x/>"]


async def test_folder_unwritable_is_retryable(tmp_path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    sink = FolderSink(FolderSettings(blocker / "sub"))
    assert (await sink.deliver(_request())).outcome is Outcome.RETRYABLE


async def test_folder_files_are_readable_by_the_owner_only(tmp_path) -> None:
    sink = FolderSink(FolderSettings(tmp_path / "in"))
    request = _request()
    target = sink.target(request)
    target.parent.mkdir()
    target.write_bytes(b"old")
    target.chmod(0o644)  # an earlier version wrote with the umask: the rewrite is private again
    await sink.deliver(request)
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    await sink.deliver(_request("7f1f4a9e-6a57-4a1e-9d7c-1c0f8f0b9a12"))
    assert {stat.S_IMODE(p.stat().st_mode) for p in (tmp_path / "in").iterdir()} == {0o600}


def test_a_writer_killed_mid_write_leaves_no_temporary_forever(tmp_path) -> None:
    """A child process starts a folder-sink write and is killed (SIGKILL) before the rename: its
    temporary is on disk. The next sink to write in that folder removes it; a live writer's
    temporary and another host's recent one are left alone."""
    folder = tmp_path / "in"
    folder.mkdir()
    code = (
        "import os, sys, time\n"
        "from pathlib import Path\n"
        "from gateway.files import temporary_name\n"
        "t = temporary_name(Path(sys.argv[1]))\n"
        "fd = os.open(t, os.O_WRONLY | os.O_CREAT, 0o600)\n"
        "os.write(fd, b'half a mess')\n"
        "print(t, flush=True)\n"
        "time.sleep(60)\n"
    )
    child = subprocess.Popen(
        [sys.executable, "-c", code, str(folder / "SaldoverzoekAntwoord-x.json")],
        stdout=subprocess.PIPE,
        cwd=Path(__file__).resolve().parents[1],
    )
    try:
        left = Path(child.stdout.readline().decode().strip())
    finally:
        child.kill()
        child.wait(timeout=10)
        child.stdout.close()
    assert left.exists() and left.name.startswith(".SaldoverzoekAntwoord-x.json.")
    live = temporary_name(folder / "busy.json")  # this process: alive, writing
    live.write_bytes(b"in progress")
    foreign = folder / ".other.json.node-b.1.tmp"
    foreign.write_bytes(b"another host")
    sink = FolderSink(FolderSettings(folder))
    asyncio.run(sink.deliver(_request()))
    names = sorted(p.name for p in folder.iterdir())
    assert left.name not in names
    assert live.name in names and foreign.name in names
    assert remove_stale_temporaries(folder, now=time.time() + 2 * 3600) == [foreign]


@pytest.mark.parametrize("sink_class", [WebhookSink, FolderSink])
def test_every_sink_implements_the_sink_port_exactly(sink_class) -> None:
    import inspect

    from gateway.engine.ports import SinkPort

    for name in ("deliver", "close"):
        port, ours = getattr(SinkPort, name), getattr(sink_class, name)
        assert inspect.iscoroutinefunction(ours), name
        assert list(inspect.signature(ours).parameters) == list(inspect.signature(port).parameters), name
    assert isinstance(sink_class.name, str)
