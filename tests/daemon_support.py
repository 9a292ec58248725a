"""Running gateways and the hub simulator in-process for end-to-end tests, driven through the API."""

from __future__ import annotations

import asyncio
import json
import time
from contextlib import asynccontextmanager
from dataclasses import replace
from pathlib import Path
from typing import Any

import aiohttp

from adapters.hub.simulator import HubSimulator
from gateway.adresboek import Tegenpartij
from gateway.api.auth import ALL_ROLES
from gateway.codec import decode
from gateway.codec.json_form import to_json
from gateway.config import (
    ApiSettings,
    ApiToken,
    Config,
    FolderSection,
    GatewaySettings,
    HubSection,
    SinksSettings,
    StoreSettings,
)
from gateway.engine.settings import DispatchSettings, EngineSettings, PollSettings, SinkSettings
from gateway.model.berichttype import Rol
from gateway.security.devpki import HUB_OIN
from gateway.service import Gateway
from tests.conftest import FIXTURES
from tests.transport_support import SE2_ID, SE_ID, SE_OIN, SHV_ID, SHV_OIN, Pki, simulator_config

TOKEN = "test-token-0123456789abcdefghijklmnopqrstuvwxyz"
FAST = EngineSettings(
    dispatch=DispatchSettings(idle_wait_seconds=0.05, backoff_base_seconds=0.1, backoff_cap_seconds=0.5,
                              in_attempt_wait_seconds=0.01, lease_seconds=10),
    poll=PollSettings(interval_seconds=0.2),
    sink=SinkSettings(backoff_base_seconds=0.1, backoff_cap_seconds=0.5),
)  # fmt: skip
ADRESBOEK_SHV = (
    Tegenpartij(SE_ID, "Energie Test", SE_OIN, Rol.SE, "2.0", True),
    Tegenpartij(SE2_ID, "Oude Schuldeiser", SE_OIN, Rol.SE, "1.1", False),
)
ADRESBOEK_SE = (Tegenpartij(SHV_ID, "Gemeente Test", SHV_OIN, Rol.SHV, "2.0", True),)


def gateway_config(
    pki: Pki, hub_url: str, workdir: Path, *, rol: Rol, adres: str, cert: str, versie_shv: str = "2.0"
) -> Config:
    adresboek = (
        ADRESBOEK_SHV if rol is Rol.SHV else tuple(replace(t, versie=versie_shv) for t in ADRESBOEK_SE)
    )
    workdir.mkdir(parents=True, exist_ok=True)
    return Config(
        gateway=GatewaySettings(rol=rol, adres=adres, naam=f"test-{cert}-{adres[:4]}"),
        store=StoreSettings(url=f"sqlite:///{workdir / 'gateway.db'}"),
        tls=pki.tls(cert),
        hub=HubSection(
            endpoint=hub_url, hub_oin=HUB_OIN, connect_timeout_seconds=3, request_timeout_seconds=5
        ),
        engine=FAST,
        api=ApiSettings(port=0, tokens=(ApiToken("test", "SKGW_TEST_API_TOKEN", ALL_ROLES),)),
        sinks=SinksSettings(folder=FolderSection(workdir / "inbox")),
        tegenpartij=adresboek,
        source=workdir / "gateway.toml",
    )


@asynccontextmanager
async def simulator(pki: Pki, **kw: Any):
    sim = HubSimulator(simulator_config(pki, **kw))
    await sim.start()
    try:
        yield sim
    finally:
        await sim.stop()


@asynccontextmanager
async def running(config: Config, monkeypatch):
    monkeypatch.setenv("SKGW_TEST_API_TOKEN", TOKEN)
    gateway = Gateway(config)
    await gateway.start()
    try:
        yield gateway
    finally:
        await gateway.stop()


class Api:
    """The organisation's side: JSON over HTTP with the bearer token."""

    def __init__(self, session: aiohttp.ClientSession, gateway: Gateway, token: str = TOKEN) -> None:
        self.base = f"http://127.0.0.1:{gateway.api_port}"
        self.session = session
        self.headers = {"Authorization": f"Bearer {token}"}

    async def call(self, method: str, path: str, **kw: Any) -> tuple[int, Any]:
        headers = {**self.headers, **kw.pop("headers", {})}
        async with self.session.request(method, self.base + path, headers=headers, **kw) as response:
            text = await response.text()
            try:
                return response.status, json.loads(text)
            except json.JSONDecodeError:
                return response.status, text

    async def submit(self, body: dict[str, Any]) -> tuple[int, Any]:
        return await self.call("POST", "/api/berichten", json=body)

    async def wait_for(
        self, berichttype: str, *, conversatie: str | None = None, timeout: float = 15
    ) -> dict:
        """Poll the API (and trigger fetches) until an inbound message of this type arrived."""
        deadline = time.monotonic() + timeout
        query = f"?direction=in&berichttype={berichttype}" + (
            f"&conversatie={conversatie}" if conversatie else ""
        )
        while time.monotonic() < deadline:
            status, page = await self.call("GET", "/api/berichten" + query)
            assert status == 200, page
            if page["items"]:
                status, detail = await self.call(
                    "GET", f"/api/berichten/{page['items'][0]['referentienummer']}"
                )
                assert status == 200
                return detail
            await self.call("POST", "/api/fetch")
            await asyncio.sleep(0.1)
        raise AssertionError(f"no {berichttype} arrived within {timeout}s")

    async def wait_state(self, ref: str, state: str, timeout: float = 15) -> dict:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            status, detail = await self.call("GET", f"/api/berichten/{ref}")
            if status == 200 and detail["state"] == state:
                return detail
            await asyncio.sleep(0.05)
        raise AssertionError(f"{ref} did not reach {state} within {timeout}s (last: {detail})")


def fixture_json(name: str, ontvanger: str, conversatie: str | None = None, version: str = "2.0") -> dict:
    """A fixture as the organisation would submit it: the JSON form with only the header fields it knows."""
    body = to_json(decode((FIXTURES / "valid" / version / name).read_bytes()))
    body["berichtheader"] = {"ontvanger": ontvanger}
    if conversatie:
        body["berichtheader"]["conversatie_referentienummer"] = conversatie
    return body
