"""A retry that overlaps its original POST is the same submission, not a conflict: 50 pairs posted
at once through the API of a running gateway, on SQLite and on PostgreSQL. A resubmission with
other content under a used Referentienummer is still a 409 that says what became of the first."""

from __future__ import annotations

import asyncio
import copy
import os
import uuid
from contextlib import asynccontextmanager
from dataclasses import replace
from urllib.parse import urlsplit

import aiohttp
import asyncpg
import pytest

from gateway.config import StoreSettings
from gateway.model.berichttype import Rol
from tests.daemon_support import Api, fixture_json, gateway_config, running, simulator
from tests.store_fixtures import BACKENDS
from tests.transport_support import SE_ID, SHV_ID, dev_pki

pytestmark = pytest.mark.timeout(120)
PAIRS = 50


@asynccontextmanager
async def _store_url(backend: str, tmp_path):
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path / 'gateway.db'}"
        return
    dsn = os.environ["SKPGW_TEST_POSTGRES_DSN"]
    schema = f"t_{uuid.uuid4().hex[:16]}"
    admin = await asyncpg.connect(dsn)
    await admin.execute(f'CREATE SCHEMA "{schema}"')
    try:
        yield urlsplit(dsn)._replace(query=f"search_path={schema}").geturl()
    finally:
        await admin.execute(f'DROP SCHEMA "{schema}" CASCADE')
        await admin.close()


@pytest.mark.parametrize("backend", BACKENDS)
async def test_overlapping_retries_are_accepted_and_other_content_is_a_conflict(
    backend: str, tmp_path, monkeypatch
) -> None:
    pki = dev_pki()
    async with (
        _store_url(backend, tmp_path) as url,
        simulator(pki) as sim,
        aiohttp.ClientSession() as http,
    ):
        config = gateway_config(pki, sim.url, tmp_path / "shv", rol=Rol.SHV, adres=SHV_ID, cert="shv")
        async with running(replace(config, store=StoreSettings(url=url)), monkeypatch) as gw:
            api = Api(http, gw)
            bodies = []
            for _ in range(PAIRS):
                body = fixture_json("Saldoverzoek.xml", SE_ID)
                body["berichtheader"]["referentienummer"] = str(uuid.uuid4())
                bodies.append(body)
            answers = await asyncio.gather(*(api.submit(b) for b in bodies for _ in range(2)))
            conflicts = [a for a in answers if a[0] == 409]
            assert not conflicts, f"{len(conflicts)} false 409(s): {conflicts[0]}"
            assert all(status == 202 for status, _ in answers), answers
            for first, second in zip(answers[::2], answers[1::2], strict=True):
                assert sorted([first[1]["new"], second[1]["new"]]) == [False, True]
                assert first[1]["conversatie"] == second[1]["conversatie"]

            # the same content once more, after the first went out: still the same submission
            ref = bodies[0]["berichtheader"]["referentienummer"]
            await api.wait_state(ref, "delivered")
            status, again = await api.submit(copy.deepcopy(bodies[0]))
            assert status == 202 and again["new"] is False, again

            # other content under a used Referentienummer: a conflict that says what the first became
            other = copy.deepcopy(bodies[0])
            other["klantnummer_shv"] = "ZW-2025-00418"  # a different client
            status, refused = await api.submit(other)
            assert status == 409, refused
            assert (
                f"Referentienummer {ref} was used before for a different message, which was delivered"
                in (refused["error"])
            )
            queued_ref = bodies[-1]["berichtheader"]["referentienummer"]
            other = copy.deepcopy(bodies[-1])
            other["factuurnummers_se_volgens_shv"] = ["EN-2025-0099999"]
            status, refused = await api.submit(other)
            assert status == 409 and f"Referentienummer {queued_ref} was used before" in refused["error"]
