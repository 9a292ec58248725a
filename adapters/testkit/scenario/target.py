"""Where scenarios run: a hub endpoint, its admin endpoint (simulator only), and the parties'
clients. :func:`start_local_hub` starts an in-process simulator whose address book holds the
parties; :func:`generate_pki` gives every party a certificate from a fresh development CA.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp

from adapters.hub.client import HubClient
from adapters.hub.settings import HubClientSettings
from adapters.hub.simulator import HubSimulator
from adapters.hub.simulator_config import Partij, SimulatorConfig
from adapters.hub.simulator_faults import FaultPlan
from adapters.testkit.scenario.model import PartyDef
from gateway.security.devpki import HUB_OIN, DevCa, slug
from gateway.security.settings import TlsSettings


class AdminError(RuntimeError):
    """The hub's admin endpoint is missing or refused a request."""


class HubAdmin:
    """The simulator's admin endpoint (faults, clock, message status) over plain HTTP."""

    def __init__(self, url: str, timeout_seconds: float = 5.0) -> None:
        self.url = url.rstrip("/")
        self._timeout = aiohttp.ClientTimeout(total=timeout_seconds)
        self._session: aiohttp.ClientSession | None = None

    async def _request(self, method: str, path: str, body: Any = None) -> Any:
        if self._session is None:
            self._session = aiohttp.ClientSession(timeout=self._timeout)
        try:
            async with self._session.request(method, self.url + path, json=body) as response:
                data = await response.json(content_type=None)
                if response.status == 404:
                    return None
                if response.status >= 400:
                    raise AdminError(f"{method} {path}: HTTP {response.status}: {data.get('fout', data)}")
                return data
        except (aiohttp.ClientError, TimeoutError, ValueError) as exc:
            raise AdminError(f"the hub's admin endpoint {self.url} did not answer: {exc}") from None

    async def set_faults(self, faults: dict[str, Any]) -> None:
        await self._request("PUT", "/faults", faults)

    async def get_faults(self) -> dict[str, Any]:
        return dict(await self._request("GET", "/faults") or {})

    async def clear_faults(self) -> None:
        await self._request("DELETE", "/faults")

    async def advance_clock(self, seconds: float) -> None:
        await self._request("POST", "/clock", {"seconds": seconds})

    async def status(self, referentienummer: str) -> str | None:
        data = await self._request("GET", f"/berichten/{referentienummer}")
        return None if data is None else str(data.get("status"))

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None


@dataclass
class HubTarget:
    """A hub and the parties' key material; makes one client per party and run."""

    url: str
    admin_url: str | None = None
    request_timeout_seconds: float = 10.0
    local_gateways: dict[str, Any] = dataclasses.field(default_factory=dict)  # party id -> GatewayEndpoint

    def client(self, party: PartyDef) -> HubClient:
        if party.tls is None:
            raise AdminError(
                f"party {party.name} has no certificate: add certificate/private_key to its "
                "[party] table, or run with --start-hub"
            )
        settings = HubClientSettings(
            endpoint=self.url,
            afzender=party.id,
            tls=party.tls,
            hub_oin=party.hub_oin,
            connect_timeout_seconds=min(5.0, self.request_timeout_seconds),
            request_timeout_seconds=self.request_timeout_seconds,
        )
        return HubClient(settings)

    def admin(self) -> HubAdmin | None:
        return HubAdmin(self.admin_url) if self.admin_url else None


def address_book(parties: dict[str, PartyDef]) -> tuple[Partij, ...]:
    seen: dict[str, Partij] = {}
    for p in parties.values():
        seen.setdefault(p.id, Partij(p.id, p.naam, p.oin, p.rol, p.versies, p.kent_sa))
    return tuple(seen.values())


def generate_pki(parties: dict[str, PartyDef], directory: Path) -> tuple[TlsSettings, dict[str, PartyDef]]:
    """A fresh dev CA, a hub certificate, and one certificate per OIN; returns the hub's TLS
    settings and the parties with their ``tls`` filled in."""
    out = Path(directory)
    ca = DevCa()
    (out / "ca.pem").write_bytes(ca.cert_pem())

    def issue(name: str, oin: str, base: str) -> TlsSettings:
        issued = ca.issue(name, oin)
        (out / f"{base}.pem").write_bytes(issued.cert_pem())
        key = out / f"{base}.key.pem"
        key.write_bytes(issued.key_pem())
        key.chmod(0o600)
        return TlsSettings(certificate=out / f"{base}.pem", private_key=key, ca_bundle=out / "ca.pem")

    hub_tls = issue("Schuldenknooppunt simulator", HUB_OIN, "hub")
    by_oin: dict[str, TlsSettings] = {}
    filled = {}
    for name, party in parties.items():
        if party.oin not in by_oin:
            by_oin[party.oin] = issue(party.naam, party.oin, slug(f"{party.oin}-{party.naam}"))
        filled[name] = dataclasses.replace(party, tls=by_oin[party.oin], hub_oin=HUB_OIN)
    return hub_tls, filled


async def start_local_hub(
    parties: dict[str, PartyDef], hub_tls: TlsSettings, faults: FaultPlan | None = None
) -> HubSimulator:
    """An in-process simulator on 127.0.0.1 (ephemeral ports) with the parties in its address book."""
    config = SimulatorConfig(
        tls=hub_tls, partijen=address_book(parties), port=0, admin_port=0, faults=faults or FaultPlan()
    )
    simulator = HubSimulator(config)
    await simulator.start()
    return simulator
