"""A gateway process for the kill -9 test: dispatcher + poller on a SQLite store and the file hub.

Usage: python -m tests.crash_worker STORE_PATH HUB_PATH  (runs until killed)
"""

from __future__ import annotations

import asyncio
import sys

from gateway.engine.dispatcher import Dispatcher
from gateway.engine.poller import Poller
from gateway.engine.settings import DispatchSettings, PollSettings
from gateway.store.sqlite import SqliteStore
from tests.fakes import TinyProcessing
from tests.filehub import FileHub


async def main(store_path: str, hub_path: str) -> None:
    store = await SqliteStore.open(store_path)
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
        sinks=[],
        settings=PollSettings(interval_seconds=0.03, fetch_batch=3, max_pages=2),
    )
    stop = asyncio.Event()
    print("ready", flush=True)
    await asyncio.gather(dispatcher.run(stop), poller.run(stop))


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], sys.argv[2]))
