"""Where the hub simulator keeps its state: in memory only, or in a SQLite file that survives a restart.

What is kept: every accepted message (its metadata, the document and its digest: the receipt of an
idempotent resend), its status (wacht, bevestigd, verlopen) and the offset of the simulated clock.
Not kept: the fault plan (set at start from the config, changed through the admin API) and the
processing times.

The SQLite file is written before the hub answers: a VerstuurBericht is in the file before its
receipt goes out, a BevestigBericht before its answer. WAL with ``synchronous = NORMAL``: a committed
write survives the process being killed (SIGTERM, SIGKILL); a crash of the machine itself may lose the
last moments, which a simulator can afford. The file is locked for one process
(``locking_mode = EXCLUSIVE``): a second simulator on the same file is refused at start.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Protocol

from adapters.hub.operations import Berichtregel
from gateway.files import make_private

SCHEMA_VERSION = 1
_SCHEMA = """
CREATE TABLE IF NOT EXISTS bericht (
    referentienummer TEXT PRIMARY KEY,
    afzender TEXT NOT NULL,
    ontvanger TEXT NOT NULL,
    berichttype TEXT NOT NULL,
    ontvangen_op TEXT NOT NULL,
    verloopt_op TEXT NOT NULL,
    digest TEXT NOT NULL,
    status TEXT NOT NULL,
    document BLOB NOT NULL
);
CREATE TABLE IF NOT EXISTS klok (id INTEGER PRIMARY KEY CHECK (id = 1), offset_seconds REAL NOT NULL);
"""


class HubStoreError(RuntimeError):
    """The state file cannot be opened or written; the message says which file and why."""


@dataclass(frozen=True, slots=True)
class StoredMessage:
    regel: Berichtregel
    digest: str
    verloopt_op: datetime
    status: str


class HubStore(Protocol):
    location: str  # "memory", or the path of the state file

    def load(self) -> tuple[list[StoredMessage], timedelta]: ...
    def accepted(self, message: StoredMessage) -> None: ...
    def set_status(self, referentienummers: list[str], status: str) -> None: ...
    def set_clock(self, offset: timedelta) -> None: ...
    def close(self) -> None: ...


class MemoryHubStore:
    """Nothing outlives the process (``skgw hub --memory``, and the simulators tests start)."""

    location = "memory"

    def load(self) -> tuple[list[StoredMessage], timedelta]:
        return [], timedelta(0)

    def accepted(self, message: StoredMessage) -> None:
        return None

    def set_status(self, referentienummers: list[str], status: str) -> None:
        return None

    def set_clock(self, offset: timedelta) -> None:
        return None

    def close(self) -> None:
        return None


class SqliteHubStore:
    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.location = str(self.path)
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            make_private(self.path)  # the messages waiting at the hub hold personal data
            self._db = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
            self._db.execute("PRAGMA locking_mode = EXCLUSIVE")
            self._db.execute("PRAGMA journal_mode = WAL")
            self._db.execute("PRAGMA synchronous = NORMAL")
            self._db.execute("BEGIN IMMEDIATE")  # takes the exclusive lock now, not at the first send
            version = self._db.execute("PRAGMA user_version").fetchone()[0]
            if version not in (0, SCHEMA_VERSION):
                raise HubStoreError(
                    f"{self.path}: state file of schema version {version}, this simulator knows "
                    f"{SCHEMA_VERSION}; move it aside or start with --memory"
                )
            for statement in _SCHEMA.split(";"):
                if statement.strip():
                    self._db.execute(statement)
            self._db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
            self._db.execute("COMMIT")
        except sqlite3.OperationalError as exc:
            if "locked" in str(exc):
                raise HubStoreError(
                    f"{self.path}: the state file is in use by another hub simulator"
                ) from None
            raise HubStoreError(f"{self.path}: cannot open the state file: {exc}") from None
        except sqlite3.DatabaseError as exc:
            raise HubStoreError(f"{self.path}: not a hub simulator state file: {exc}") from None

    def load(self) -> tuple[list[StoredMessage], timedelta]:
        rows = self._db.execute(
            "SELECT referentienummer, afzender, ontvanger, berichttype, ontvangen_op, document, digest,"
            " verloopt_op, status FROM bericht ORDER BY rowid"  # arrival order
        ).fetchall()
        messages = [
            StoredMessage(
                Berichtregel(r[0], r[1], r[2], r[3], datetime.fromisoformat(r[4]), bytes(r[5])),
                r[6],
                datetime.fromisoformat(r[7]),
                r[8],
            )
            for r in rows
        ]
        clock = self._db.execute("SELECT offset_seconds FROM klok WHERE id = 1").fetchone()
        return messages, timedelta(seconds=clock[0] if clock else 0.0)

    def accepted(self, message: StoredMessage) -> None:
        r = message.regel
        self._write(
            "INSERT INTO bericht (referentienummer, afzender, ontvanger, berichttype, ontvangen_op,"
            " verloopt_op, digest, status, document) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [(r.referentienummer, r.afzender, r.ontvanger, r.berichttype, r.ontvangen_op.isoformat(),
              message.verloopt_op.isoformat(), message.digest, message.status, r.document)],
        )  # fmt: skip

    def set_status(self, referentienummers: list[str], status: str) -> None:
        if referentienummers:
            self._write(
                "UPDATE bericht SET status = ? WHERE referentienummer = ?",
                [(status, ref) for ref in referentienummers],
            )

    def set_clock(self, offset: timedelta) -> None:
        self._write(
            "INSERT INTO klok (id, offset_seconds) VALUES (1, ?)"
            " ON CONFLICT (id) DO UPDATE SET offset_seconds = excluded.offset_seconds",
            [(offset.total_seconds(),)],
        )

    def _write(self, sql: str, rows: list[tuple[object, ...]]) -> None:
        try:
            self._db.execute("BEGIN")  # one transaction, committed before the hub answers
            try:
                self._db.executemany(sql, rows)
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")
        except sqlite3.Error as exc:
            raise HubStoreError(f"{self.path}: cannot write the state file: {exc}") from None

    def close(self) -> None:
        self._db.close()


def open_store(path: Path | None) -> HubStore:
    return MemoryHubStore() if path is None else SqliteHubStore(path)
