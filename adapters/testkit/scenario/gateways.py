"""Gateways that serve scenario parties: their API address and token, and in-process gateways for
parties marked ``gateway = "local"`` (generated certificate, the run's hub, a temporary SQLite
store, an API on 127.0.0.1 with a random token). A party served by a gateway is never fetched by
the runner: its gateway fetches, answers broken messages with a Foutbericht, and submits."""

from __future__ import annotations

import os
import secrets
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

from adapters.testkit.scenario.model import PartyDef
from adapters.testkit.scenario.target import AdminError
from gateway.adresboek import Tegenpartij
from gateway.api.auth import ALL_ROLES
from gateway.config import ApiSettings, ApiToken, Config, GatewaySettings, HubSection, StoreSettings
from gateway.engine.settings import DispatchSettings, EngineSettings, PollSettings
from gateway.model.berichttype import Rol

LOCAL = "local"
# A scenario waits seconds, not minutes: poll the hub often, retry quickly.
SCENARIO_ENGINE = EngineSettings(
    dispatch=DispatchSettings(idle_wait_seconds=0.05, backoff_base_seconds=0.1, backoff_cap_seconds=1.0),
    poll=PollSettings(interval_seconds=0.2),
)


@dataclass(frozen=True, slots=True)
class GatewayEndpoint:
    url: str  # the API base, e.g. http://127.0.0.1:8480
    token: str


def external_endpoint(party: PartyDef) -> GatewayEndpoint:
    """A party's own running gateway (``gateway = URL``, ``token_env = VAR``)."""
    token = os.environ.get(party.token_env or "")
    if not token:
        raise AdminError(
            f"party {party.name}: the variable {party.token_env} (its gateway's token) is not set"
        )
    return GatewayEndpoint(str(party.gateway).rstrip("/"), token)


def _address_book(party: PartyDef, everyone: dict[str, PartyDef]) -> tuple[Tegenpartij, ...]:
    book: dict[str, Tegenpartij] = {}
    for other in everyone.values():
        if other.rol != party.rol and other.adresboek and other.id not in book:
            versie = "2.0" if "2.0" in other.versies else other.versies[0]
            book[other.id] = Tegenpartij(
                other.id, other.naam, other.oin, Rol(other.rol), versie, other.kent_sa
            )
    return tuple(book.values())


def local_config(
    party: PartyDef, everyone: dict[str, PartyDef], hub_url: str, workdir: Path, token_env: str
) -> Config:
    if party.tls is None:
        raise AdminError(f"party {party.name}: a local gateway needs a certificate (or --start-hub)")
    workdir.mkdir(parents=True, exist_ok=True)
    return Config(
        gateway=GatewaySettings(rol=Rol(party.rol), adres=party.id, naam=f"scenario-{party.name}"),
        store=StoreSettings(url=f"sqlite:///{workdir / 'gateway.db'}"),
        tls=party.tls,
        hub=HubSection(
            endpoint=hub_url, hub_oin=party.hub_oin, connect_timeout_seconds=3, request_timeout_seconds=10
        ),
        engine=SCENARIO_ENGINE,
        api=ApiSettings(host="127.0.0.1", port=0, tokens=(ApiToken("scenario", token_env, ALL_ROLES),)),
        tegenpartij=_address_book(party, everyone),
        source=workdir / "gateway.toml",
    )


@asynccontextmanager
async def local_gateways(
    everyone: dict[str, PartyDef], hub_url: str, workdir: Path
) -> AsyncIterator[dict[str, GatewayEndpoint]]:
    """Start one in-process gateway per party id marked ``gateway = "local"``; yields id → endpoint."""
    from gateway.service import Gateway, StartupError

    endpoints: dict[str, GatewayEndpoint] = {}
    async with AsyncExitStack() as stack:
        for party in everyone.values():
            if party.gateway != LOCAL or party.id in endpoints:
                continue
            token_env = f"SKGW_SCENARIO_TOKEN_{secrets.token_hex(4).upper()}"
            token = secrets.token_urlsafe(24)
            os.environ[token_env] = token
            stack.callback(os.environ.pop, token_env, None)
            gateway = Gateway(local_config(party, everyone, hub_url, workdir / party.id, token_env))
            try:
                await gateway.start()
            except StartupError as exc:
                raise AdminError(f"party {party.name}: the local gateway did not start: {exc}") from None
            stack.push_async_callback(gateway.stop)
            endpoints[party.id] = GatewayEndpoint(f"http://127.0.0.1:{gateway.api_port}", token)
        yield endpoints
