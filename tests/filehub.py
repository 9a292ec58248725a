"""A fake hub kept in its own SQLite file, so it outlives gateway processes killed with SIGKILL."""

from __future__ import annotations

import asyncio
import random
import sqlite3
from pathlib import Path

from gateway.engine.ports import FetchedMessage, FetchResult, HubResult, Outcome

_SCHEMA = """
CREATE TABLE IF NOT EXISTS accepted (ref TEXT PRIMARY KEY);
CREATE TABLE IF NOT EXISTS calls (id INTEGER PRIMARY KEY AUTOINCREMENT, ref TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS box (seq INTEGER PRIMARY KEY AUTOINCREMENT, ref TEXT UNIQUE, berichttype TEXT,
    afzender TEXT, document BLOB, confirmed INTEGER NOT NULL DEFAULT 0);
"""


def _connect(path: str | Path) -> sqlite3.Connection:
    db = sqlite3.connect(str(path), timeout=10, isolation_level=None)
    db.execute("PRAGMA journal_mode = WAL")
    db.executescript(_SCHEMA)
    return db


class FileHub:
    def __init__(self, path: str | Path, *, max_delay: float = 0.01) -> None:
        self.path = path
        self.max_delay = max_delay
        self._db = _connect(path)

    async def _pause(self) -> None:
        await asyncio.sleep(random.uniform(0, self.max_delay))

    async def send(
        self, *, referentienummer: str, ontvanger: str, berichttype: str, document: bytes
    ) -> HubResult:
        await self._pause()
        self._db.execute("INSERT INTO calls (ref) VALUES (?)", (referentienummer,))
        new = self._db.execute(
            "INSERT OR IGNORE INTO accepted (ref) VALUES (?)", (referentienummer,)
        ).rowcount
        await self._pause()  # the hub has it, the answer is still on its way
        return HubResult(Outcome.DELIVERED if new else Outcome.DUPLICATE_ACCEPTED, "ok")

    async def fetch(self, max_messages: int = 100) -> FetchResult:
        await self._pause()
        rows = self._db.execute(
            "SELECT ref, berichttype, afzender, document FROM box WHERE confirmed = 0 ORDER BY seq LIMIT ?",
            (max_messages + 1,),
        ).fetchall()
        berichten = [FetchedMessage(r[0], r[1], r[2], bytes(r[3])) for r in rows[:max_messages]]
        return FetchResult(messages=berichten, more=len(rows) > max_messages)

    async def confirm(self, referentienummer: str) -> HubResult:
        await self._pause()
        self._db.execute("UPDATE box SET confirmed = 1 WHERE ref = ?", (referentienummer,))
        return HubResult(Outcome.DELIVERED, "confirmed")

    async def close(self) -> None:
        self._db.close()

    # test side --------------------------------------------------------------------------------
    def put(self, ref: str, berichttype: str, afzender: str, document: bytes) -> None:
        self._db.execute(
            "INSERT INTO box (ref, berichttype, afzender, document) VALUES (?, ?, ?, ?)",
            (ref, berichttype, afzender, document),
        )

    def accepted(self) -> set[str]:
        return {r[0] for r in self._db.execute("SELECT ref FROM accepted")}

    def unconfirmed(self) -> int:
        return int(self._db.execute("SELECT COUNT(*) FROM box WHERE confirmed = 0").fetchone()[0])
