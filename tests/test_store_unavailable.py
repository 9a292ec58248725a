"""A store that cannot do its work now (locked past the lock timeout, the database gone, the disk
full) is a 503 with its reason and Retry-After, /ready says so, and the engine's loops log it once
and then a summary instead of a traceback per retry."""

from __future__ import annotations

import asyncio
import errno
import logging
import sqlite3
import uuid
from collections import Counter
from dataclasses import replace
from pathlib import Path
from urllib.parse import urlsplit

import aiohttp
import asyncpg
import pytest

from gateway.config import StoreSettings
from gateway.engine.faultlog import FailureLog
from gateway.model.berichttype import Rol
from gateway.store.base import StoreUnavailable
from tests.daemon_support import Api, fixture_json, gateway_config, running, simulator
from tests.serve_support import TOKEN, Serve, in_private_mount, private_mount_available, write_config
from tests.tcp_proxy import TcpProxy
from tests.transport_support import SE_ID, SHV_ID, dev_pki

pytestmark = pytest.mark.timeout(90)


def _assert_503(status: int, body: object, headers: dict[str, str], *words: str) -> None:
    assert status == 503, body
    assert isinstance(body, dict) and "try again later" in body["error"], body
    assert int(headers["Retry-After"]) > 0
    for word in words:
        assert word in body["error"], body


async def _post(api: Api, body: dict) -> tuple[int, object, dict[str, str]]:
    async with api.session.post(api.base + "/api/berichten", json=body, headers=api.headers) as r:
        return r.status, await r.json(), dict(r.headers)


async def test_sqlite_locked_beyond_the_lock_timeout_is_a_503(tmp_path, monkeypatch) -> None:
    pki = dev_pki()
    async with simulator(pki) as sim, aiohttp.ClientSession() as http:
        config = gateway_config(pki, sim.url, tmp_path, rol=Rol.SHV, adres=SHV_ID, cert="shv")
        config = replace(config, store=replace(config.store, lock_timeout_seconds=0.3))
        async with running(config, monkeypatch) as gw:
            api = Api(http, gw)
            other = sqlite3.connect(tmp_path / "gateway.db", isolation_level=None)
            other.execute("BEGIN IMMEDIATE")  # another writer that keeps its lock
            try:
                status, body, headers = await _post(api, fixture_json("Saldoverzoek.xml", SE_ID))
                _assert_503(status, body, headers, "locked")
                assert headers["Retry-After"] == "5"
                status, ready = await api.call("GET", "/ready")
                assert status == 503 and not ready["checks"]["database"]["ok"], ready
                assert "locked" in ready["checks"]["database"]["message"]
            finally:
                other.execute("ROLLBACK")
                other.close()
            status, body = await api.submit(fixture_json("Saldoverzoek.xml", SE_ID))
            assert status == 202, body


async def test_postgres_gone_is_a_503_and_comes_back(tmp_path, monkeypatch, postgres_dsn) -> None:
    schema = f"t_{uuid.uuid4().hex[:16]}"
    admin = await asyncpg.connect(postgres_dsn)
    await admin.execute(f'CREATE SCHEMA "{schema}"')
    target = urlsplit(postgres_dsn)
    proxy = await TcpProxy(target.hostname or "127.0.0.1", target.port or 5432).start()
    url = target._replace(netloc=f"{target.username}@127.0.0.1:{proxy.port}", query=f"search_path={schema}")
    pki = dev_pki()
    try:
        async with simulator(pki) as sim, aiohttp.ClientSession() as http:
            config = gateway_config(pki, sim.url, tmp_path, rol=Rol.SHV, adres=SHV_ID, cert="shv")
            config = replace(config, store=StoreSettings(url=url.geturl()))
            async with running(config, monkeypatch) as gw:
                api = Api(http, gw)
                status, body = await api.submit(fixture_json("Saldoverzoek.xml", SE_ID))
                assert status == 202, body
                await proxy.cut()
                status, body, headers = await _post(api, fixture_json("Saldoverzoek.xml", SE_ID))
                _assert_503(status, body, headers, "database")
                status, ready = await api.call("GET", "/ready")
                assert status == 503 and not ready["checks"]["database"]["ok"], ready
                proxy.port = urlsplit(url.geturl()).port or 0
                await proxy.start()  # the same port again: the database is back
                for _ in range(50):
                    status, body = await api.submit(fixture_json("Saldoverzoek.xml", SE_ID))
                    if status == 202:
                        break
                    await asyncio.sleep(0.1)
                assert status == 202, body
    finally:
        await proxy.cut()
        await admin.execute(f'DROP SCHEMA "{schema}" CASCADE')
        await admin.close()


def test_a_repeating_failure_is_logged_once_then_summarised(caplog) -> None:
    now = [0.0]
    logger = logging.getLogger("test.faultlog")
    failures = FailureLog(logger, "claiming", summary_seconds=60, clock=lambda: now[0])
    caplog.set_level(logging.INFO, "test.faultlog")
    for i in range(301):  # every 0.2 s for a minute: one line, then one summary
        now[0] = i * 0.2
        failures.failed(StoreUnavailable("the disk or the database is full", retry_after=30))
    failures.failed(RuntimeError("boom"))
    failures.ok()
    failures.ok()
    lines = [r.getMessage() for r in caplog.records]
    assert len(lines) == 3, lines
    assert lines[0] == (
        "claiming failed: the store cannot do it now (the disk or the database is full); retrying, "
        "repeats are summarised"
    )
    assert lines[1] == (
        "claiming still failing: 300 more time(s) in the last 60s, 301 since 60s ago "
        "(last: store unavailable: the disk or the database is full)"
    )
    assert lines[2] == "claiming works again after 302 failure(s) over 60s (last: RuntimeError: boom)"
    assert not any(r.exc_info for r in caplog.records)
    failures.failed(RuntimeError("a bug"))  # a new episode of an unexpected error: its traceback, once
    assert caplog.records[-1].exc_info is not None


FAST_ENGINE = """
[engine.dispatch]
idle_wait_seconds = 0.2
backoff_base_seconds = 0.2
backoff_cap_seconds = 1.0

[engine.poll]
interval_seconds = 0.3
"""


def _fill(directory: Path) -> Path:
    """Write into ``directory`` until its file system has no room left."""
    filler = directory / "filler"
    with filler.open("wb") as out:
        try:
            while True:
                out.write(b"\0" * 65536)
                out.flush()
        except OSError as exc:
            assert exc.errno == errno.ENOSPC, exc
    return filler


@pytest.mark.slow
@pytest.mark.timeout(150)
async def test_a_full_disk_is_a_503_and_the_dispatcher_says_so_once(tmp_path) -> None:
    why = private_mount_available()
    if why:
        pytest.skip(why)
    pki = dev_pki()
    disk = tmp_path / "disk"
    disk.mkdir()
    async with simulator(pki) as sim, aiohttp.ClientSession() as http:
        config = write_config(
            tmp_path, pki, hub_url=sim.url, store_url=f"sqlite:///{disk / 'gateway.db'}", extra=FAST_ENGINE
        )
        serve = Serve(
            config, tmp_path / "serve.log", wrap=in_private_mount(f"mount -t tmpfs -o size=2m tmpfs {disk}")
        )
        serve.start()
        try:
            await serve.wait_up()
            headers = {"Authorization": f"Bearer {TOKEN}"}

            async def submit() -> tuple[int, dict, dict[str, str]]:
                body = fixture_json("Saldoverzoek.xml", SE_ID)
                async with http.post(serve.url + "/api/berichten", json=body, headers=headers) as r:
                    return r.status, await r.json(), dict(r.headers)

            assert (await submit())[0] == 202
            assert serve.popen is not None
            filler = _fill(Path(f"/proc/{serve.popen.pid}/root") / str(disk).lstrip("/"))
            statuses = []
            for _ in range(200):  # SQLite first fills what its files have room for
                status, body, response_headers = await submit()
                statuses.append(status)
                if status != 202:
                    break
            assert set(statuses[:-1]) <= {202}
            _assert_503(status, body, response_headers, "full")
            assert response_headers["Retry-After"] == "30"
            async with http.get(serve.url + "/ready") as r:
                ready = await r.json()
                assert r.status == 503 and not ready["checks"]["database"]["ok"], ready
            assert "full" in ready["checks"]["database"]["message"]
            log_before = serve.output()
            await asyncio.sleep(3)  # the dispatcher and the poller retry every 0.2-0.3 s meanwhile
            during = serve.output()[len(log_before) :]
            assert "Traceback" not in serve.output(), serve.output()
            said = Counter(
                line.split(": ", 1)[1] for line in serve.output().splitlines() if "cannot do it now" in line
            )
            assert said and max(said.values()) == 1, said  # each loop says it once, no repeats
            assert during.count("cannot do it now") <= len(said), during

            filler.unlink()  # room again
            for _ in range(100):
                status, body, _ = await submit()
                if status == 202:
                    break
                await asyncio.sleep(0.1)
            assert status == 202, body
            for _ in range(250):  # /ready remembers a refused write for a few seconds
                async with http.get(serve.url + "/ready") as r:
                    ready = await r.json()
                if ready["checks"]["database"]["ok"]:
                    break
                await asyncio.sleep(0.1)
            assert ready["checks"]["database"]["ok"], ready
            assert "works again after" in serve.output()
        finally:
            code = serve.stop()
        assert code == 0, serve.output()
        assert "gateway stopped: " in serve.output() and "still queued" in serve.output()
