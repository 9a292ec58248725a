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
from gateway.store.sql_operations import OperationsMixin
from gateway.store.sqlcore import RETRY_AFTER_LONG, RETRY_AFTER_SHORT

# Two 32-bit keys: "SKPG" and the purpose, so other applications on the database do not collide.
_LOCK_NAMESPACE = 0x534B5047
_LOCK_POLLER = "poller"
_LOCK_MIGRATE = "migrate"
# Advisory locks are database-wide; the second key includes the schema this store works in, so
# gateways in different schemas of one database never block each other's poll or migration.
_SCHEMA_KEY = "hashtext($2::text || ':' || current_schema())"


#: SQLSTATE prefixes that mean "the database, not the statement": reason, Retry-After (seconds)
_NOT_NOW: tuple[tuple[str, str, int], ...] = (
    ("08", "the connection to the database failed", RETRY_AFTER_LONG),
    ("53100", "the database's disk is full", RETRY_AFTER_LONG),
    ("53", "the database is out of resources (memory or connections)", RETRY_AFTER_LONG),
    ("55P03", "a lock was not granted within the lock timeout", RETRY_AFTER_SHORT),
    ("57014", "the statement was cancelled (statement or lock timeout)", RETRY_AFTER_SHORT),
    ("57P", "the database is shutting down or not accepting connections", RETRY_AFTER_LONG),
    ("40", "the transaction was rolled back (serialization failure or deadlock)", RETRY_AFTER_SHORT),
    ("25006", "the database is read-only (a standby?)", RETRY_AFTER_LONG),
    ("58", "the database had an I/O error", RETRY_AFTER_LONG),
)


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


class PostgresStore(ConsoleMixin, OperationsMixin):
    backend = "postgres"
    claim_lock_clause = " FOR UPDATE SKIP LOCKED"

    @staticmethod
    def in_list(column: str, param: str) -> str:
        return f"{column} = ANY({param}::text[])"

    @staticmethod
    def list_param(values: Sequence[str]) -> list[str]:
        return list(values)

    def __init__(
        self,
        dsn: str,
        *,
        schema: str | None = None,
        min_size: int = 1,
        max_size: int = 10,
        lock_timeout_seconds: float | None = None,
    ) -> None:
        super().__init__()
        if max_size < 2:
            raise ValueError("the PostgreSQL pool needs max_size >= 2: the poller lock holds one connection")
        self.dsn = dsn
        self.schema = schema
        self._lock_timeout_ms = None if lock_timeout_seconds is None else int(lock_timeout_seconds * 1000)
        self._min_size = min_size
        self._max_size = max_size
        self._pool: asyncpg.Pool | None = None
        self._node_conn: asyncpg.Connection | None = None  # holds the node's session lock

    @classmethod
    async def open(cls, dsn: str, **kw: Any) -> PostgresStore:
        store = cls(dsn, **kw)
        await store.connect()
        await store.migrate()
        return store

    async def connect(self) -> None:
        if self._pool is not None:
            return
        settings = {"search_path": self.schema} if self.schema else {}
        if self._lock_timeout_ms is not None:
            settings["lock_timeout"] = f"{self._lock_timeout_ms}ms"  # then 55P03: StoreUnavailable
        self._pool = await asyncpg.create_pool(
            self.dsn, min_size=self._min_size, max_size=self._max_size, server_settings=settings or None
        )

    async def close(self) -> None:
        if self._node_conn is not None:
            await self._node_conn.close()  # ends the session: its node lock goes with it
            self._node_conn = None
        if self._pool is not None:
            await self._pool.close()
            self._pool = None

    async def _lock_node(self, node: str) -> str | None:
        """A session advisory lock on the node name, on a connection of its own held until close():
        PostgreSQL releases it when this process or its connection dies."""
        if self._node_conn is not None:
            return None
        settings = {"search_path": self.schema} if self.schema else None
        conn = await asyncpg.connect(self.dsn, server_settings=settings)
        got = await conn.fetchval(
            "SELECT pg_try_advisory_lock($1, hashtext('node:' || $2::text || ':' || current_schema()))",
            _LOCK_NAMESPACE,
            node,
        )
        if not got:
            await conn.close()
            return "its session lock on the node name is held; give every process its own [engine] node"
        self._node_conn = conn
        return None

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
        pool = self._require_pool()
        try:
            async with pool.acquire() as conn, conn.transaction(readonly=not write):
                yield _PgConn(conn)
        except (asyncpg.PostgresError, asyncpg.InterfaceError, OSError, TimeoutError) as exc:
            self._raise_unavailable(exc, write=write)
            raise

    @staticmethod
    def _classify(exc: BaseException) -> tuple[str, int] | None:
        if isinstance(exc, asyncpg.PostgresError):
            state = str(getattr(exc, "sqlstate", "") or "")
            for prefix, reason, retry_after in _NOT_NOW:
                if state.startswith(prefix):
                    return f"{reason} (SQLSTATE {state})", retry_after
            return None
        if isinstance(exc, OSError | TimeoutError):  # no connection: refused, reset, unreachable
            return f"the database does not answer ({type(exc).__name__})", RETRY_AFTER_LONG
        if isinstance(exc, asyncpg.InterfaceError) and "closed" in str(exc):
            return "the connection to the database was closed", RETRY_AFTER_LONG
        return None

    @asynccontextmanager
    async def poller_lock(self) -> AsyncIterator[bool]:
        async with self._require_pool().acquire() as conn:
            try:
                got = await conn.fetchval(
                    f"SELECT pg_try_advisory_lock($1, {_SCHEMA_KEY})", _LOCK_NAMESPACE, _LOCK_POLLER
                )
            except (asyncpg.PostgresError, asyncpg.InterfaceError, OSError, TimeoutError) as exc:
                self._raise_unavailable(exc, write=False)
                raise
            if not got:
                yield False
                return
            try:
                yield True
            finally:
                await conn.execute(
                    f"SELECT pg_advisory_unlock($1, {_SCHEMA_KEY})", _LOCK_NAMESPACE, _LOCK_POLLER
                )
