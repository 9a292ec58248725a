"""PostgreSQL backend (asyncpg): several gateway processes on one database.

Claims lock due rows with ``FOR UPDATE SKIP LOCKED`` and, in the same short transaction, write a
lease (``lease_owner``, ``lease_until``) — the row lock ends with that transaction, the lease is
what keeps other processes away while the message is being sent. One process polls the hub at a
time: a session advisory lock held on a dedicated connection for the length of a poll cycle
(it is released automatically when the process or its connection dies).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from datetime import datetime
from typing import Any

import asyncpg

from gateway.store import migrations
from gateway.store.records import utc
from gateway.store.sql_console import ConsoleMixin

# Two 32-bit keys: "SKPG" and the purpose, so other applications on the database do not collide.
_LOCK_NAMESPACE = 0x534B5047
_LOCK_POLLER = "poller"
_LOCK_MIGRATE = "migrate"
# Advisory locks are database-wide; the second key includes the schema this store works in, so
# gateways in different schemas of one database never block each other's poll or migration.
_SCHEMA_KEY = "hashtext($2::text || ':' || current_schema())"


def _args(args: tuple[Any, ...]) -> tuple[Any, ...]:
    """Aware datetimes only: asyncpg would silently take a naive one as UTC."""
    return tuple(utc(a) if isinstance(a, datetime) else a for a in args)


class _PgConn:
    def __init__(self, conn: asyncpg.Connection) -> None:
        self._conn = conn

    async def execute(self, sql: str, *args: Any) -> int:
        status = await self._conn.execute(sql, *_args(args))
        last = status.rsplit(" ", 1)[-1]
        return int(last) if last.isdigit() else 0

    async def fetch(self, sql: str, *args: Any) -> list[dict[str, Any]]:
        return [dict(r) for r in await self._conn.fetch(sql, *_args(args))]

    async def executemany(self, sql: str, args: Sequence[Sequence[Any]]) -> None:
        await self._conn.executemany(sql, [_args(tuple(row)) for row in args])

    async def fetchrow(self, sql: str, *args: Any) -> dict[str, Any] | None:
        row = await self._conn.fetchrow(sql, *_args(args))
        return None if row is None else dict(row)


class PostgresStore(ConsoleMixin):
    backend = "postgres"
    claim_lock_clause = " FOR UPDATE SKIP LOCKED"

    @staticmethod
    def in_list(column: str, param: str) -> str:
        return f"{column} = ANY({param}::text[])"

    @staticmethod
    def list_param(values: Sequence[str]) -> list[str]:
        return list(values)

    def __init__(self, dsn: str, *, schema: str | None = None, min_size: int = 1, max_size: int = 10) -> None:
        super().__init__()
        if max_size < 2:
            raise ValueError("the PostgreSQL pool needs max_size >= 2: the poller lock holds one connection")
        self.dsn = dsn
        self.schema = schema
        self._min_size = min_size
        self._max_size = max_size
        self._pool: asyncpg.Pool | None = None

    @classmethod
    async def open(cls, dsn: str, **kw: Any) -> PostgresStore:
        store = cls(dsn, **kw)
        await store.connect()
        await store.migrate()
        return store

    async def connect(self) -> None:
        if self._pool is not None:
            return
        settings = {"search_path": self.schema} if self.schema else None
        self._pool = await asyncpg.create_pool(
            self.dsn, min_size=self._min_size, max_size=self._max_size, server_settings=settings
        )

    async def close(self) -> None:
        if self._pool is not None:
            await self._pool.close()
            self._pool = None

    def _migrations(self) -> list[migrations.Migration]:
        return migrations.load("postgres")

    async def _lock_migrations(self, c: Any) -> None:
        await c.execute(f"SELECT pg_advisory_xact_lock($1, {_SCHEMA_KEY})", _LOCK_NAMESPACE, _LOCK_MIGRATE)

    def _require_pool(self) -> asyncpg.Pool:
        if self._pool is None:
            raise RuntimeError(
                "the PostgreSQL store is not connected; call connect() or PostgresStore.open()"
            )
        return self._pool

    @asynccontextmanager
    async def _tx(self, *, write: bool = True) -> AsyncIterator[_PgConn]:
        async with self._require_pool().acquire() as conn, conn.transaction(readonly=not write):
            yield _PgConn(conn)

    @asynccontextmanager
    async def poller_lock(self) -> AsyncIterator[bool]:
        async with self._require_pool().acquire() as conn:
            got = await conn.fetchval(
                f"SELECT pg_try_advisory_lock($1, {_SCHEMA_KEY})", _LOCK_NAMESPACE, _LOCK_POLLER
            )
            if not got:
                yield False
                return
            try:
                yield True
            finally:
                await conn.execute(
                    f"SELECT pg_advisory_unlock($1, {_SCHEMA_KEY})", _LOCK_NAMESPACE, _LOCK_POLLER
                )
