"""A gateway process for the kill -9 test: dispatcher + poller on a SQLite store and the file hub.

Usage: python -m tests.crash_worker STORE HUB_PATH [PG_SCHEMA]  (runs until killed)

STORE is a SQLite file path, or a PostgreSQL DSN together with the schema to work in.
"""

from __future__ import annotations

import asyncio
import sys

from gateway.engine.dispatcher import Dispatcher
from gateway.engine.poller import Poller
from gateway.engine.settings import DispatchSettings, PollSettings
from gateway.store.base import Store
from gateway.store.postgres import PostgresStore
from gateway.store.sqlite import SqliteStore
from tests.engine_helpers import trust
from tests.fakes import TinyProcessing
from tests.filehub import FileHub


async def main(store_arg: str, hub_path: str, schema: str | None) -> None:
    if schema:
        store: Store = await PostgresStore.open(store_arg, schema=schema, min_size=1, max_size=4)
    else:
        store = await SqliteStore.open(store_arg)
    hub = FileHub(hub_path)
    dispatcher = Dispatcher(
        store,
        hub,
        DispatchSettings(
            batch_size=4,
            max_concurrent=2,
            lease_seconds=0.5,
            backoff_base_seconds=0.05,
            backoff_cap_seconds=0.2,
            idle_wait_seconds=0.02,
            max_claims=1000,
        ),
    )
    poller = Poller(
        store,
        hub,
        TinyProcessing(),
        trust=trust(store),
        sinks=[],
        settings=PollSettings(interval_seconds=0.03, fetch_batch=3, max_pages=2),
    )
    stop = asyncio.Event()
    print("ready", flush=True)
    await asyncio.gather(dispatcher.run(stop), poller.run(stop))


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], sys.argv[2], sys.argv[3] if len(sys.argv) > 3 else None))
