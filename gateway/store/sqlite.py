"""SQLite backend (aiosqlite): the zero-set-up default for one gateway node.

WAL journal, ``synchronous=FULL`` (a stored message survives a crash before it is confirmed at
the hub), a busy timeout, and ``BEGIN IMMEDIATE`` for every writing transaction so a
read-then-write never needs a lock upgrade (the classic SQLITE_BUSY trap). One connection per
store; an asyncio lock keeps its transactions from interleaving on the event loop.
"""

from __future__ import annotations

import asyncio
import functools
import json
import re
import sqlite3
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from datetime import date, datetime
from pathlib import Path
from typing import Any

import aiosqlite

from gateway.store import migrations
from gateway.store.records import ts_to_text
from gateway.store.sql_console import ConsoleMixin

_PLACEHOLDER = re.compile(r"\$(\d+)")


def _param(value: Any) -> Any:
    if isinstance(value, datetime):
        return ts_to_text(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool):
        return int(value)
    return value


class _SqliteConn:
    def __init__(self, db: aiosqlite.Connection) -> None:
        self._db = db

    @staticmethod
    @functools.lru_cache(maxsize=1024)
    def _sql(sql: str) -> str:
        # the statements are a fixed set of texts: rewrite each once (the regex costs ~12 µs a call)
        return _PLACEHOLDER.sub(r"?\1", sql)

    # Every await on aiosqlite is a hop to its worker thread and back, and under load each hop also
    # waits for the GIL: one hop per statement (not two or three) is what keeps the store cheap.
    async def execute(self, sql: str, *args: Any) -> int:
        cur = await self._db.execute(self._sql(sql), [_param(a) for a in args])
        # The statement has run to completion (no rows to read), so the cursor holds nothing: it is
        # released when it goes out of scope here instead of costing a close() hop.
        return max(cur.rowcount, 0)

    async def fetch(self, sql: str, *args: Any) -> list[dict[str, Any]]:
        rows = await self._db.execute_fetchall(self._sql(sql), [_param(a) for a in args])
        return [dict(zip(row.keys(), row, strict=True)) for row in rows]  # sqlite3.Row (connect())

    async def executemany(self, sql: str, args: Sequence[Sequence[Any]]) -> None:
        await self._db.executemany(self._sql(sql), [[_param(a) for a in row] for row in args])

    async def fetchrow(self, sql: str, *args: Any) -> dict[str, Any] | None:
        rows = await self.fetch(sql, *args)
        return rows[0] if rows else None


class SqliteStore(ConsoleMixin):
    backend = "sqlite"

    @staticmethod
    def in_list(column: str, param: str) -> str:
        return f"{column} IN (SELECT value FROM json_each({param}))"

    @staticmethod
    def list_param(values: Sequence[str]) -> str:
        return json.dumps(list(values))

    def __init__(self, path: str | Path, *, busy_timeout_ms: int = 10_000) -> None:
        super().__init__()
        self.path = str(path)
        self._busy_timeout_ms = busy_timeout_ms
        self._db: aiosqlite.Connection | None = None
        self._lock = asyncio.Lock()

    @classmethod
    async def open(cls, path: str | Path, **kw: Any) -> SqliteStore:
        """Open (creating the file if needed) and migrate."""
        store = cls(path, **kw)
        await store.connect()
        await store.migrate()
        return store

    async def connect(self) -> None:
        if self._db is not None:
            return
        db = await aiosqlite.connect(self.path, isolation_level=None)
        await db.execute(f"PRAGMA busy_timeout = {int(self._busy_timeout_ms)}")
        cur = await db.execute("PRAGMA journal_mode = WAL")
        mode = (await cur.fetchone() or ("?",))[0]
        await cur.close()
        if str(mode).lower() != "wal" and self.path != ":memory:":
            await db.close()
            raise RuntimeError(
                f"SQLite at {self.path} refused WAL mode (got {mode}); use a local file system"
            )
        await db.execute("PRAGMA synchronous = FULL")
        await db.execute("PRAGMA foreign_keys = ON")
        db.row_factory = sqlite3.Row  # column names with every row: fetch() needs one hop, not three
        self._db = db

    async def close(self) -> None:
        if self._db is not None:
            await self._db.close()
            self._db = None

    def _migrations(self) -> list[migrations.Migration]:
        return migrations.load("sqlite")

    @asynccontextmanager
    async def _tx(self, *, write: bool = True) -> AsyncIterator[_SqliteConn]:
        if self._db is None:
            raise RuntimeError("the SQLite store is not connected; call connect() or SqliteStore.open()")
        async with self._lock:
            await self._db.execute("BEGIN IMMEDIATE" if write else "BEGIN")
            try:
                yield _SqliteConn(self._db)
            except BaseException:
                await self._db.execute("ROLLBACK")
                raise
            else:
                await self._db.execute("COMMIT")
