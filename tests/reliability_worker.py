"""A gateway process for the reliability tests: dispatcher + poller + store, the real HubClient.

Usage: python -m tests.reliability_worker CONFIG_JSON   (runs until killed or stopped by SIGTERM)

CONFIG_JSON: {"store": sqlite path or PostgreSQL DSN, "schema": PG schema or null, "url": hub URL,
"pki": directory with <cert>.pem/<cert>.key.pem/ca.pem, "cert": "shv", "afzender": party UUID,
"hub_oin": OIN, "pause_at": a moment or null, "owner": lease owner id}

``pause_at`` makes the process stop (sleep, bounded) at one moment the first time it gets there,
after printing ``at <moment> <referentienummer>``, so the test can check the store and the hub and
then kill it exactly there:

* ``claimed``         an outbox row is leased, nothing sent yet
* ``after-accept``    the hub accepted a message, the result is not recorded in the store yet
* ``fetched``         HaalBerichtenOp returned messages, none of them is stored yet
* ``before-confirm``  a fetched message is stored, BevestigBericht not sent yet
* ``after-confirm``   the hub took the confirmation, the store has not recorded it yet
"""

from __future__ import annotations

import asyncio
import json
import logging
import signal
import sys
from pathlib import Path
from typing import Any

from adapters.hub.client import HubClient
from adapters.hub.settings import HubClientSettings
from gateway.engine.dispatcher import Dispatcher
from gateway.engine.poller import Poller
from gateway.engine.ports import FetchResult, HubResult, Outcome
from gateway.engine.settings import DispatchSettings, PollSettings
from gateway.security.settings import TlsSettings
from gateway.store.base import Store
from gateway.store.postgres import PostgresStore
from gateway.store.records import OutboxRow
from gateway.store.sqlite import SqliteStore
from tests.reliability_support import FixtureProcessing, shv_trust

PAUSE_SECONDS = 60.0  # the test kills the process long before this
MOMENTS = ("claimed", "after-accept", "fetched", "before-confirm", "after-confirm")


class PausingHub:
    """The real HubClient with one pause point (see the module docstring)."""

    def __init__(self, client: HubClient, pause_at: str | None) -> None:
        if pause_at is not None and pause_at not in MOMENTS:
            raise SystemExit(f"unknown pause moment {pause_at!r}")
        self.client = client
        self.pause_at = pause_at

    async def pause(self, moment: str, ref: str) -> None:
        if self.pause_at == moment:
            self.pause_at = None
            print(f"at {moment} {ref}", flush=True)
            await asyncio.sleep(PAUSE_SECONDS)

    async def send(
        self, *, referentienummer: str, ontvanger: str, berichttype: str, document: bytes
    ) -> HubResult:
        result = await self.client.send(
            referentienummer=referentienummer, ontvanger=ontvanger, berichttype=berichttype, document=document
        )
        if result.outcome is Outcome.DELIVERED:  # a first acceptance, not a resend's duplicate
            await self.pause("after-accept", referentienummer)
        return result

    async def fetch(self, max_messages: int = 100) -> FetchResult:
        result = await self.client.fetch(max_messages)
        if result.messages:
            await self.pause("fetched", result.messages[0].referentienummer)
        return result

    async def confirm(self, referentienummer: str) -> HubResult:
        await self.pause("before-confirm", referentienummer)
        result = await self.client.confirm(referentienummer)
        if result.outcome.done:
            await self.pause("after-confirm", referentienummer)
        return result

    async def close(self) -> None:
        await self.client.close()


class PausingDispatcher(Dispatcher):
    def __init__(self, *args: Any, hub: PausingHub, **kw: Any) -> None:
        super().__init__(*args, **kw)
        self.pausing = hub

    async def _send(self, row: OutboxRow, document: bytes) -> HubResult:
        await self.pausing.pause("claimed", row.referentienummer)
        return await super()._send(row, document)


async def main(config: dict[str, Any]) -> None:
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
    if config.get("schema"):
        store: Store = await PostgresStore.open(
            config["store"], schema=config["schema"], min_size=1, max_size=4
        )
    else:
        store = await SqliteStore.open(config["store"])
    pki = Path(config["pki"])
    client = HubClient(
        HubClientSettings(
            endpoint=config["url"],
            afzender=config["afzender"],
            tls=TlsSettings(
                certificate=pki / f"{config['cert']}.pem",
                private_key=pki / f"{config['cert']}.key.pem",
                ca_bundle=pki / "ca.pem",
            ),
            hub_oin=config["hub_oin"],
            connect_timeout_seconds=2,
            request_timeout_seconds=5,
        )
    )
    hub = PausingHub(client, config.get("pause_at"))
    dispatcher = PausingDispatcher(
        store,
        hub,
        DispatchSettings(
            batch_size=4,
            max_concurrent=2,
            lease_seconds=float(config.get("lease_seconds", 6.0)),
            backoff_base_seconds=0.05,
            backoff_cap_seconds=0.3,
            in_attempt_wait_seconds=0.05,
            idle_wait_seconds=0.05,
            max_claims=1000,
        ),
        owner=config.get("owner"),
        hub=hub,
    )
    poller = Poller(
        store,
        hub,
        FixtureProcessing(),
        trust=shv_trust(store),
        sinks=[],
        settings=PollSettings(interval_seconds=0.1, fetch_batch=4, max_pages=2),
    )
    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    print("ready", flush=True)
    try:
        await asyncio.gather(dispatcher.run(stop), poller.run(stop))
    finally:
        await hub.close()
        await store.close()


if __name__ == "__main__":
    asyncio.run(main(json.loads(sys.argv[1])))
