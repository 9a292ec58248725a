"""store layer of the gateway core: one interface, SQLite (default) and PostgreSQL."""

from __future__ import annotations

from gateway.store.base import EnqueueConflict, InvalidTransition, NotFound, Store, StoreError


async def open_store(url: str) -> Store:
    """Open and migrate the store named by ``url``.

    ``sqlite:///path/to/file.db`` (or a plain path) for SQLite; ``postgresql://…`` for PostgreSQL.
    """
    if url.startswith(("postgresql://", "postgres://")):
        from gateway.store.postgres import PostgresStore

        return await PostgresStore.open(url)
    from gateway.store.sqlite import SqliteStore

    path = url.removeprefix("sqlite:///") if url.startswith("sqlite:///") else url.removeprefix("sqlite:")
    return await SqliteStore.open(path)


__all__ = ["EnqueueConflict", "InvalidTransition", "NotFound", "Store", "StoreError", "open_store"]
