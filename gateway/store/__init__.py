"""store layer of the gateway core: one interface, SQLite (default) and PostgreSQL."""

from __future__ import annotations

from gateway.store.base import (
    EnqueueConflict,
    InvalidTransition,
    NotFound,
    Store,
    StoreError,
    StoreUnavailable,
)


async def open_store(url: str, *, lock_timeout_seconds: float = 10.0) -> Store:
    """Open and migrate the store named by ``url``.

    ``sqlite:///path/to/file.db`` (or a plain path) for SQLite; ``postgresql://…`` for PostgreSQL.
    A transaction that waits longer than ``lock_timeout_seconds`` for a lock fails as
    :class:`StoreUnavailable`.
    """
    if url.startswith(("postgresql://", "postgres://")):
        from gateway.store.postgres import PostgresStore

        return await PostgresStore.open(url, lock_timeout_seconds=lock_timeout_seconds)
    from gateway.store.sqlite import SqliteStore

    path = url.removeprefix("sqlite:///") if url.startswith("sqlite:///") else url.removeprefix("sqlite:")
    return await SqliteStore.open(path, busy_timeout_ms=int(lock_timeout_seconds * 1000))


__all__ = [
    "EnqueueConflict",
    "InvalidTransition",
    "NotFound",
    "Store",
    "StoreError",
    "StoreUnavailable",
    "open_store",
]
