"""A real gateway and hub simulator for the console tests, and a cookie-keeping client for /ui."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, replace
from typing import Any

import aiohttp

from gateway.api.auth import ALL_ROLES, Role
from gateway.config import ApiSettings, ApiToken, Config
from gateway.console.settings import ConsoleSettings
from gateway.model.berichttype import Rol
from gateway.service import Gateway
from tests.daemon_support import Api, fixture_json, gateway_config, running, simulator
from tests.transport_support import SE_ID, SHV_ID, dev_pki

LEZER = "lezer-5f4e3d2c1b0a99887766554433221100"
BEHEER = "beheer-00112233445566778899aabbccddeeff"
INDIENER = "indiener-a1b2c3d4e5f60718293a4b5c6d7e8f90"
_CSRF = re.compile(r'name="csrf" value="([^"]+)"')


def console_config(config: Config, *, sink_deadline: float | None = None, **console: Any) -> Config:
    tokens = (
        ApiToken("test", "SKGW_TEST_API_TOKEN", ALL_ROLES),
        ApiToken("lezer", "SKGW_T_LEZER", (Role.READ,)),
        ApiToken("beheer", "SKGW_T_BEHEER", (Role.READ, Role.OPERATE)),
        ApiToken("indiener", "SKGW_T_INDIENER", (Role.SUBMIT,)),
    )
    engine = config.engine
    if sink_deadline is not None:
        engine = replace(engine, sink=replace(engine.sink, deadline_seconds=sink_deadline))
    return replace(
        config, api=ApiSettings(port=0, tokens=tokens), console=ConsoleSettings(**console), engine=engine
    )


@dataclass
class Omgeving:
    sim: Any
    gateway: Gateway
    api: Api
    http: aiohttp.ClientSession
    pki: Any

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.gateway.api_port}"

    def console(self) -> Console:
        return Console(self.base)


@asynccontextmanager
async def omgeving(
    tmp_path, monkeypatch, *, sink_deadline: float | None = None, **console: Any
) -> AsyncIterator[Omgeving]:
    for env, value in (("SKGW_T_LEZER", LEZER), ("SKGW_T_BEHEER", BEHEER), ("SKGW_T_INDIENER", INDIENER)):
        monkeypatch.setenv(env, value)
    pki = dev_pki()
    async with simulator(pki) as sim, aiohttp.ClientSession() as http:
        config = console_config(
            gateway_config(pki, sim.url, tmp_path / "shv", rol=Rol.SHV, adres=SHV_ID, cert="shv"),
            sink_deadline=sink_deadline, **console,
        )  # fmt: skip
        async with running(config, monkeypatch) as gateway:
            yield Omgeving(sim, gateway, Api(http, gateway), http, pki)


class Console:
    """A browser without JavaScript: cookies, forms with their CSRF token, no redirects followed
    unless asked."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.http = aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True))
        self.csrf: str | None = None

    async def close(self) -> None:
        await self.http.close()

    async def __aenter__(self) -> Console:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    async def get(self, path: str, *, follow: bool = True, **kw: Any) -> tuple[int, str, Any]:
        async with self.http.get(self.base + path, allow_redirects=follow, **kw) as r:
            text = await r.text()
            self._remember(text)
            return r.status, text, r

    async def post(
        self, path: str, data: dict[str, str] | None = None, *, csrf: bool = True, follow: bool = False,
        **kw: Any,
    ) -> tuple[int, str, Any]:  # fmt: skip
        form = dict(data or {})
        if csrf and self.csrf:
            form.setdefault("csrf", self.csrf)
        async with self.http.post(self.base + path, data=form, allow_redirects=follow, **kw) as r:
            text = await r.text()
            self._remember(text)
            return r.status, text, r

    def _remember(self, text: str) -> None:
        found = _CSRF.search(text)
        if found:
            self.csrf = found.group(1)

    async def login(self, token: str) -> tuple[int, str, Any]:
        await self.get("/ui/login")
        return await self.post("/ui/login", {"token": token}, follow=True)


async def submit(
    env: Omgeving, name: str, ontvanger: str = SE_ID, *, klantnummer: str | None = None, **header: str
) -> dict[str, Any]:
    body = fixture_json(name, ontvanger)
    body["berichtheader"].update(header)
    if klantnummer is not None:
        body["klantnummer_shv"] = klantnummer
    status, answer = await env.api.submit(body)
    assert status == 202, answer
    return answer


async def quarantine_one(env: Omgeving) -> str:
    """A creditor's message whose Berichtheader names another Ontvanger: the gateway quarantines it and
    answers with a Foutbericht. Returns its Referentienummer once it is quarantined."""
    import uuid

    return await from_creditor(env, ontvanger=str(uuid.uuid4()), state="quarantined")


async def from_creditor(env: Omgeving, *, ontvanger: str = SHV_ID, state: str = "decoded") -> str:
    """A SaldoverzoekAntwoord sent by the creditor's own software straight to the hub; returns its
    Referentienummer once the gateway has it in ``state`` (or a later one). One to be admitted answers a
    Saldoverzoek the gateway sends first (an answer to no question of ours is refused)."""
    import asyncio
    import uuid

    from lxml import etree

    from tests.conftest import FIXTURES
    from tests.transport_support import client_for

    root = etree.fromstring((FIXTURES / "valid" / "2.0" / "SaldoverzoekAntwoord.xml").read_bytes())
    ns = {"m": "urn:skp-gateway:schuldregeling:2.0"}
    ref = str(uuid.uuid4())
    header: tuple[tuple[str, str], ...] = (
        ("Referentienummer", ref),
        ("Afzender", SE_ID),
        ("Ontvanger", ontvanger),
    )
    if state != "quarantined":  # to be admitted, it answers a question of ours
        vraag = await submit(env, "Saldoverzoek.xml")
        header += (("ConversatieReferentienummer", vraag["conversatie"]),)
    for name, value in header:
        root.find(f"m:Berichtheader/m:{name}", ns).text = value
    client = client_for(env.pki, env.sim.url, "se", afzender=SE_ID)
    try:
        sent = await client.send(
            referentienummer=ref, ontvanger=SHV_ID, berichttype="SaldoverzoekAntwoord",
            document=etree.tostring(root, xml_declaration=True, encoding="UTF-8"),
        )  # fmt: skip
        assert sent.outcome.done
    finally:
        await client.close()
    for _ in range(100):
        await env.api.call("POST", "/api/fetch")
        status, detail = await env.api.call("GET", f"/api/berichten/{ref}")
        if status == 200 and detail["state"] in (state, "delivered"):
            return ref
        await asyncio.sleep(0.1)
    raise AssertionError(f"{ref} did not reach {state}")
