"""The files that hold messages are the owner's only (0600), whatever the umask: the SQLite store with
its -wal and -shm files, and the hub simulator's state file."""

from __future__ import annotations

import os
import stat
import uuid

from adapters.hub.simulator_store import SqliteHubStore
from gateway.files import make_private
from gateway.store.records import NewOutbound
from gateway.store.sqlite import SqliteStore
from tests.fakes import T0, document


def _mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


async def test_a_new_store_and_its_wal_files_are_the_owners_only(tmp_path) -> None:
    old = os.umask(0o022)  # the usual umask: a plain create would make 0644
    try:
        path = tmp_path / "gateway.db"
        store = await SqliteStore.open(path)
        try:
            ref, ontvanger, conversatie = (str(uuid.uuid4()) for _ in range(3))
            message = NewOutbound(ref, "Saldoverzoek", ontvanger, conversatie, document("Saldoverzoek"))
            await store.enqueue(message, now=T0, deadline=T0)
            for name in ("gateway.db", "gateway.db-wal", "gateway.db-shm"):
                assert _mode(tmp_path / name) == 0o600, name
        finally:
            await store.close()
    finally:
        os.umask(old)


async def test_an_existing_store_readable_by_others_is_made_private(tmp_path) -> None:
    path = tmp_path / "gateway.db"
    store = await SqliteStore.open(path)
    await store.close()
    os.chmod(path, 0o644)  # made by an earlier version
    store = await SqliteStore.open(path)
    await store.close()
    assert _mode(path) == 0o600


def test_the_hub_simulators_state_file_is_the_owners_only(tmp_path) -> None:
    old = os.umask(0o022)
    try:
        store = SqliteHubStore(tmp_path / "hub-state.sqlite")
        store.close()
    finally:
        os.umask(old)
    assert _mode(tmp_path / "hub-state.sqlite") == 0o600


def test_a_missing_folder_is_left_for_the_database_to_report(tmp_path) -> None:
    make_private(tmp_path / "absent" / "gateway.db")
    assert not (tmp_path / "absent").exists()
