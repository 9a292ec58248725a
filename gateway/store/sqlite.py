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
import os
import re
import sqlite3
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from datetime import date, datetime
from pathlib import Path
from typing import IO, Any

import aiosqlite

from gateway.files import make_private
from gateway.store import migrations
from gateway.store.records import ts_to_text
from gateway.store.sql_console import ConsoleMixin
from gateway.store.sql_operations import OperationsMixin
from gateway.store.sqlcore import RETRY_AFTER_LONG, RETRY_AFTER_SHORT

_PLACEHOLDER = re.compile(r"\$(\d+)")
_WORKER_JOIN_SECONDS = 5.0


async def _join_worker(pending: aiosqlite.Connection) -> None:
    """Wait (in a thread, the loop keeps running) until a failed connection's worker thread ended."""
    thread = getattr(pending, "_thread", None)  # aiosqlite keeps it private; absent: nothing to wait for
    if thread is not None and thread.is_alive():
        await asyncio.to_thread(thread.join, _WORKER_JOIN_SECONDS)


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


class SqliteStore(ConsoleMixin, OperationsMixin):
    backend = "sqlite"
    one_node = True

    @staticmethod
    def in_list(column: str, param: str) -> str:
        return f"{column} IN (SELECT value FROM json_each({param}))"

    @staticmethod
    def list_param(values: Sequence[str]) -> str:
        return json.dumps(list(values))

    def __init__(self, path: str | Path, *, busy_timeout_ms: int = 10_000) -> None:
        """``busy_timeout_ms``: how long a transaction waits for another writer's lock before it
        fails as :class:`~gateway.store.base.StoreUnavailable`."""
        super().__init__()
        self.path = str(path)
        self._busy_timeout_ms = busy_timeout_ms
        self._db: aiosqlite.Connection | None = None
        self._lock = asyncio.Lock()
        self._node_lock: IO[bytes] | None = None  # <database>.lock, flock'ed while we run as its node

    @classmethod
    async def open(cls, path: str | Path, **kw: Any) -> SqliteStore:
        """Open (creating the file if needed) and migrate; on any failure nothing stays open."""
        store = cls(path, **kw)
        await store.connect()
        try:
            await store.migrate()
        except BaseException:
            await store.close()
            raise
        return store

    async def connect(self) -> None:
        if self._db is not None:
            return
        if self.path != ":memory:":
            make_private(self.path)  # every message passes through this file: owner only
        pending = aiosqlite.connect(self.path, isolation_level=None)
        try:
            db = await pending
        except BaseException:
            # aiosqlite stops its worker thread by posting a result back to this event loop: wait for
            # the thread here, or it outlives the loop ("Event loop is closed") or the process.
            await _join_worker(pending)
            raise
        try:
            await self._configure(db)
        except BaseException:  # e.g. the file is not a database, or a read-only file system
            await db.close()  # the worker thread is not a daemon: left open, the process never exits
            raise
        self._db = db

    async def _configure(self, db: aiosqlite.Connection) -> None:
        await db.execute(f"PRAGMA busy_timeout = {int(self._busy_timeout_ms)}")
        cur = await db.execute("PRAGMA journal_mode = WAL")
        mode = (await cur.fetchone() or ("?",))[0]
        await cur.close()
        if str(mode).lower() != "wal" and self.path != ":memory:":
            raise RuntimeError(
                f"SQLite at {self.path} refused WAL mode (got {mode}); use a local file system"
            )
        await db.execute("PRAGMA synchronous = FULL")
        await db.execute("PRAGMA foreign_keys = ON")
        db.row_factory = sqlite3.Row  # column names with every row: fetch() needs one hop, not three

    async def close(self) -> None:
        if self._db is not None:
            await self._db.close()
            self._db = None
        if self._node_lock is not None:
            self._node_lock.close()  # releases the flock
            self._node_lock = None

    async def _lock_node(self, node: str) -> str | None:
        """One process per SQLite database: an exclusive flock on ``<database>.lock``, which the
        kernel releases when the process ends, however it ends."""
        if self._node_lock is not None or self.path == ":memory:":
            return None
        import fcntl  # POSIX; the gateway runs on Linux

        handle = open(f"{self.path}.lock", "a+b")  # noqa: SIM115 - held open until close()
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read(200).decode("utf-8", "replace").strip() or "unknown process"
            handle.close()
            return f"{self.path} is locked by {holder}; SQLite serves one process, PostgreSQL several"
        handle.truncate(0)
        handle.write(f"node {node}, pid {os.getpid()}".encode())
        handle.flush()
        self._node_lock = handle
        return None

    def _migrations(self) -> list[migrations.Migration]:
        return migrations.load("sqlite")

    @asynccontextmanager
    async def _tx(self, *, write: bool = True) -> AsyncIterator[_SqliteConn]:
        db = self._db
        if db is None:
            raise RuntimeError("the SQLite store is not connected; call connect() or SqliteStore.open()")
        async with self._lock:
            try:
                await db.execute("BEGIN IMMEDIATE" if write else "BEGIN")
            except sqlite3.Error as exc:
                self._raise_unavailable(exc, write=write)
                raise
            try:
                yield _SqliteConn(db)
                await db.execute("COMMIT")
            except BaseException as exc:
                # SQLite rolls some failures back by itself (SQLITE_FULL, SQLITE_IOERR, …): a second
                # ROLLBACK would fail with "no transaction is active" and hide the first error
                if db.in_transaction:
                    await db.execute("ROLLBACK")
                if isinstance(exc, sqlite3.Error):
                    self._raise_unavailable(exc, write=write)
                raise

    @staticmethod
    def _classify(exc: BaseException) -> tuple[str, int] | None:
        code = getattr(exc, "sqlite_errorcode", None)
        if not isinstance(exc, sqlite3.Error) or code is None:
            return None
        return _NOT_NOW.get(code & 0xFF)


#: SQLite's primary result codes that mean "the machine, not the statement": reason, Retry-After
_NOT_NOW: dict[int, tuple[str, int]] = {
    sqlite3.SQLITE_BUSY: (
        "the database is locked by another writer beyond the lock timeout",
        RETRY_AFTER_SHORT,
    ),
    sqlite3.SQLITE_LOCKED: ("the database table is locked", RETRY_AFTER_SHORT),
    sqlite3.SQLITE_FULL: ("the disk or the database is full", RETRY_AFTER_LONG),
    sqlite3.SQLITE_IOERR: ("disk I/O error", RETRY_AFTER_LONG),
    sqlite3.SQLITE_READONLY: ("the database is read-only", RETRY_AFTER_LONG),
    sqlite3.SQLITE_CANTOPEN: ("the database file cannot be opened", RETRY_AFTER_LONG),
    sqlite3.SQLITE_NOMEM: ("out of memory", RETRY_AFTER_LONG),
    sqlite3.SQLITE_PROTOCOL: ("the database lock protocol failed", RETRY_AFTER_SHORT),
}
