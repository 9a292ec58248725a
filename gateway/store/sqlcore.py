"""The SQL both backends share: written once in portable SQL with ``$n`` placeholders.

A backend supplies the connection handling (:meth:`SqlCore._tx`), its migrations and the few
statements that differ (the claim's lock clause, the poller lock). SQLite's adapter rewrites
``$n`` to ``?n`` and turns datetimes into fixed-width UTC text; asyncpg takes both as they are.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from datetime import date, datetime
from typing import Any, Protocol

from gateway.store.base import ConversationChanged, StoreUnavailable
from gateway.store.migrations import Migration
from gateway.store.records import Conversatie, ConversatieChange, Counts, PurgeResult, TermStart

#: how long a refused write keeps the store "not writable" for /ready
WRITE_REFUSAL_MEMORY_SECONDS = 15.0
WRITE_PROBE_KEY = "health.write_probe"
#: Retry-After for a lock that was not granted in time (seconds), and for everything else
RETRY_AFTER_SHORT = 5
RETRY_AFTER_LONG = 30


class Conn(Protocol):
    """The minimal connection surface the shared SQL needs; rows come back as dicts."""

    async def execute(self, sql: str, *args: Any) -> int:
        """Run a statement; returns the number of rows it changed."""

    async def fetch(self, sql: str, *args: Any) -> list[dict[str, Any]]: ...

    async def fetchrow(self, sql: str, *args: Any) -> dict[str, Any] | None: ...

    async def executemany(self, sql: str, args: Sequence[Sequence[Any]]) -> None:
        """One statement for several argument rows, in one round trip."""


class SqlCore:
    """Transactions, migrations, conversations, key/value, retention and counts."""

    backend: str = ""
    #: appended to the claim SELECTs (PostgreSQL: row locks that other claimers skip)
    claim_lock_clause: str = ""

    @staticmethod
    def in_list(column: str, param: str) -> str:
        """``column`` is one of the strings in list parameter ``param`` (see :meth:`list_param`)."""
        raise NotImplementedError

    @staticmethod
    def list_param(values: Sequence[str]) -> Any:
        raise NotImplementedError

    def __init__(self) -> None:
        self._poll_lock = asyncio.Lock()
        #: the last write refused as unavailable: (time.monotonic(), reason); see check_writable
        self._write_refused: tuple[float, str] | None = None

    def _unavailable(self, exc: BaseException, *, write: bool) -> StoreUnavailable | None:
        """The driver error as :class:`StoreUnavailable`, or None when it is not that kind of error
        (then it is raised as it is: a bug or a constraint, not the machine). Write refusals are
        remembered for :meth:`check_writable`."""
        found = self._classify(exc)
        if found is None:
            return None
        reason, retry_after = found
        if write:
            self._write_refused = (time.monotonic(), reason)
        return StoreUnavailable(reason, retry_after=retry_after)

    def _raise_unavailable(self, exc: BaseException, *, write: bool) -> None:
        """Raise ``exc`` as :class:`StoreUnavailable` when it is that kind of error; otherwise
        return, and the caller re-raises it unchanged."""
        unavailable = self._unavailable(exc, write=write)
        if unavailable is not None:
            raise unavailable from exc

    @staticmethod
    def _classify(exc: BaseException) -> tuple[str, int] | None:
        """(reason, seconds to wait) for a driver error that means "not now"; the backends know theirs."""
        raise NotImplementedError

    def _tx(self, *, write: bool = True) -> AbstractAsyncContextManager[Conn]:
        raise NotImplementedError

    def _migrations(self) -> list[Migration]:
        raise NotImplementedError

    async def _lock_migrations(self, c: Conn) -> None:
        """Serialise concurrent migrators (PostgreSQL); SQLite's BEGIN IMMEDIATE already does."""

    # migrations -------------------------------------------------------------------------------
    async def migrate(self) -> int:
        async with self._tx() as c:
            await self._lock_migrations(c)
            await c.execute(
                "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY, name TEXT NOT NULL)"
            )
            row = await c.fetchrow("SELECT COALESCE(MAX(version), 0) AS v FROM schema_version")
            current = int(row["v"]) if row else 0
            migrations = self._migrations()
            if current > len(migrations):
                raise RuntimeError(
                    f"the database schema is at version {current}, newer than this gateway knows "
                    f"({len(migrations)}); upgrade the gateway or point it at another database"
                )
            for mig in migrations[current:]:
                for statement in mig.statements():
                    await c.execute(statement)
                await c.execute(
                    "INSERT INTO schema_version (version, name) VALUES ($1, $2)", mig.version, mig.name
                )
            return max(current, len(migrations))

    async def schema_version(self) -> int:
        async with self._tx(write=False) as c:
            row = await c.fetchrow("SELECT COALESCE(MAX(version), 0) AS v FROM schema_version")
            return int(row["v"]) if row else 0

    # conversations ----------------------------------------------------------------------------
    @staticmethod
    async def _write_conversation(c: Conn, w: ConversatieChange) -> None:
        """Write a conversation's new state if it still has the steps it was computed from."""
        sql, args = conversation_write(w)
        if await c.fetchrow(sql, *args) is None:
            raise ConversationChanged(w.new.conversatie)

    async def write_conversation(self, w: ConversatieChange) -> None:
        async with self._tx() as c:
            await self._write_conversation(c, w)

    async def get_conversation(self, conversatie: str) -> Conversatie | None:
        async with self._tx(write=False) as c:
            row = await c.fetchrow("SELECT * FROM conversation WHERE conversatie = $1", conversatie)
        return Conversatie.from_row(row) if row else None

    async def overdue_conversations(self, *, today: date, limit: int = 100) -> list[Conversatie]:
        async with self._tx(write=False) as c:
            rows = await c.fetch(
                """SELECT * FROM conversation WHERE state = 'open' AND antwoord_uiterlijk IS NOT NULL
                   AND antwoord_uiterlijk < $1 ORDER BY antwoord_uiterlijk, conversatie LIMIT $2""",
                today,
                limit,
            )
        return [Conversatie.from_row(r) for r in rows]

    async def count_overdue(self, *, today: date) -> int:
        async with self._tx(write=False) as c:
            row = await c.fetchrow(
                """SELECT COUNT(*) AS n FROM conversation WHERE state = 'open'
                   AND antwoord_uiterlijk IS NOT NULL AND antwoord_uiterlijk < $1""",
                today,
            )
        return int(row["n"]) if row else 0

    # health -----------------------------------------------------------------------------------
    async def check_writable(self, *, now: datetime) -> None:
        """A small write can succeed while larger ones fail (a full disk still lets SQLite reuse
        its WAL file for an update in place), so a write refused within the last
        ``WRITE_REFUSAL_MEMORY_SECONDS`` counts as well as the probe's own result."""
        refused = self._write_refused
        if refused is not None:
            ago = time.monotonic() - refused[0]
            if ago < WRITE_REFUSAL_MEMORY_SECONDS:
                raise StoreUnavailable(
                    f"a write was refused {ago:.0f}s ago: {refused[1]}", retry_after=RETRY_AFTER_SHORT
                )
        await self.set_value(WRITE_PROBE_KEY, "ok", now=now)

    # key/value --------------------------------------------------------------------------------
    async def get_value(self, key: str) -> str | None:
        async with self._tx(write=False) as c:
            row = await c.fetchrow("SELECT value FROM kv WHERE key = $1", key)
        return None if row is None else str(row["value"])

    async def set_value(self, key: str, value: str, *, now: datetime) -> None:
        async with self._tx() as c:
            await c.execute(
                """INSERT INTO kv (key, value, updated_at) VALUES ($1, $2, $3)
                   ON CONFLICT (key) DO UPDATE
                   SET value = excluded.value, updated_at = excluded.updated_at""",
                key,
                value,
                now,
            )

    # retention --------------------------------------------------------------------------------
    async def purge_payloads(self, berichttype: str, *, before: datetime, now: datetime) -> PurgeResult:
        async with self._tx() as c:
            out = await c.execute(
                """UPDATE outbox SET document = NULL, purged_at = $3
                   WHERE berichttype = $1 AND state = 'delivered' AND updated_at < $2
                     AND document IS NOT NULL""",
                berichttype,
                before,
                now,
            )
            inb = await c.execute(
                """UPDATE inbox SET document = NULL, envelope = NULL, json_body = NULL, purged_at = $3
                   WHERE berichttype = $1 AND state = 'delivered' AND confirmed_at IS NOT NULL
                     AND updated_at < $2 AND document IS NOT NULL""",
                berichttype,
                before,
                now,
            )
        return PurgeResult(outbox=out, inbox=inb)

    # counts -----------------------------------------------------------------------------------
    async def counts(self) -> Counts:
        result = Counts()
        async with self._tx(write=False) as c:
            for table, target in (
                ("outbox", result.outbox),
                ("inbox", result.inbox),
                ("sink_delivery", result.sink),
            ):
                for row in await c.fetch(f"SELECT state, COUNT(*) AS n FROM {table} GROUP BY state"):
                    target[str(row["state"])] = int(row["n"])
        return result

    # poller lock ------------------------------------------------------------------------------
    @asynccontextmanager
    async def poller_lock(self) -> AsyncIterator[bool]:
        """In-process lock (single node); PostgreSQL overrides it with an advisory lock."""
        if self._poll_lock.locked():
            yield False
            return
        async with self._poll_lock:
            yield True


def problems_json(problems: Sequence[dict[str, Any]]) -> str:
    return json.dumps(list(problems), ensure_ascii=False, sort_keys=True)


_CONVERSATION_COLUMNS = """vraag_referentienummer, vraag_berichttype, tegenpartij, wacht_op,
    verwachte_antwoorden, antwoord_uiterlijk, state, geopend_op, beantwoord_door, beantwoord_op, updated_at,
    fase, vooraf_akkoord, termijn, stappen, bron, geimporteerd"""
_INSERT_CONVERSATION = f"""
    INSERT INTO conversation (conversatie, {_CONVERSATION_COLUMNS})
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18)
    ON CONFLICT (conversatie) DO NOTHING
    RETURNING conversatie"""
# An answer term started by the delivery of the question (TermStart) after this state was read is
# kept: the new state names the same question and no date of its own.
_UPDATE_CONVERSATION = """
    UPDATE conversation SET vraag_referentienummer = $2, vraag_berichttype = $3, tegenpartij = $4,
        wacht_op = $5, verwachte_antwoorden = $6,
        antwoord_uiterlijk = COALESCE($7, CASE WHEN vraag_referentienummer = $2 AND termijn = $19
                                               THEN antwoord_uiterlijk END),
        state = $8, geopend_op = $9, beantwoord_door = $10, beantwoord_op = $11, updated_at = $12,
        fase = $13, vooraf_akkoord = $14, termijn = $15, stappen = $16, bron = $17, geimporteerd = $18
    WHERE conversatie = $1 AND stappen = $20
    RETURNING conversatie"""

TERM_START = """
    UPDATE conversation SET antwoord_uiterlijk = $3, updated_at = $4
    WHERE conversatie = $1 AND vraag_referentienummer = $2 AND state = 'open' AND termijn = $5
      AND antwoord_uiterlijk IS NULL"""


def term_start_args(k: TermStart) -> tuple[Any, ...]:
    return (k.conversatie, k.vraag_referentienummer, k.antwoord_uiterlijk, k.at, True)


def conversation_write(w: ConversatieChange) -> tuple[str, tuple[Any, ...]]:
    """The compare-and-set statement for ``w``: an insert for a new conversation, else an update
    fenced on the step count; either returns no row when the conversation changed meanwhile."""
    s = w.new
    values = (
        s.conversatie,
        s.vraag_referentienummer,
        s.vraag_berichttype,
        s.tegenpartij,
        str(s.wacht_op),
        json.dumps(sorted(s.verwachte_antwoorden)),
        s.antwoord_uiterlijk,
        str(s.state),
        s.geopend_op,
        s.beantwoord_door,
        s.beantwoord_op,
        s.updated_at,
        s.fase,
        s.vooraf_akkoord,
        s.termijn,
        s.stappen,
        s.bron,
        json.dumps(list(s.geimporteerd), sort_keys=True) if s.geimporteerd else None,
    )
    if w.previous_stappen == 0:
        return _INSERT_CONVERSATION, values
    return _UPDATE_CONVERSATION, (*values, True, w.previous_stappen)
