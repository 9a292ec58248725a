"""Read-side queries for the API and metrics: message search across outbox and inbox, conversations,
and counts by type, direction and state. Shared SQL for both backends (``$n`` placeholders)."""

from __future__ import annotations

import base64
import json
from datetime import date, datetime
from typing import Any

from gateway.store.records import Conversatie, as_dt
from gateway.store.search import BerichtenPagina, BerichtFilter, BerichtSamenvatting
from gateway.store.sql_inbox import InboxMixin

UIT, IN = "uit", "in"

# Outbox rows and inbox rows as one relation; "tegenpartij" is the ontvanger of what we send and
# the afzender of what we receive; "moment" is when the row came into being here.
_MESSAGES = """
    SELECT 'uit' AS richting, referentienummer, berichttype, ontvanger AS tegenpartij, conversatie,
           state, created_at AS moment, attempts, last_error, updated_at
      FROM outbox
    UNION ALL
    SELECT 'in' AS richting, referentienummer, berichttype, afzender AS tegenpartij, conversatie,
           state, received_at AS moment, 0 AS attempts, NULL AS last_error, updated_at
      FROM inbox
"""


def _encode_cursor(moment: datetime, referentienummer: str) -> str:
    raw = json.dumps([moment.isoformat(), referentienummer]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, str]:
    """Raises ValueError for a cursor this store did not hand out."""
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        moment, ref = json.loads(base64.urlsafe_b64decode(padded.encode()))
        return datetime.fromisoformat(moment), str(ref)
    except (ValueError, TypeError) as exc:
        raise ValueError("not a valid page cursor") from exc


class SearchMixin(InboxMixin):
    async def search_messages(self, f: BerichtFilter) -> BerichtenPagina:
        after_moment, after_ref = decode_cursor(f.cursor) if f.cursor else (None, "")
        sql = f"""SELECT * FROM ({_MESSAGES}) AS m
            WHERE ($1 = '' OR berichttype = $1) AND ($2 = '' OR richting = $2) AND ($3 = '' OR state = $3)
              AND ($4 = '' OR tegenpartij = $4) AND ($5 = '' OR conversatie = $5)
              AND ($6::text IS NULL OR moment >= $7) AND ($8::text IS NULL OR moment < $9)
              AND ($10::text IS NULL OR moment < $11 OR (moment = $11 AND referentienummer < $12))
            ORDER BY moment DESC, referentienummer DESC
            LIMIT $13"""
        flag = self._flag
        args: list[Any] = [
            f.berichttype or "",
            f.richting or "",
            f.state or "",
            f.tegenpartij or "",
            f.conversatie or "",
            flag(f.vanaf),
            f.vanaf or _EPOCH,
            flag(f.tot),
            f.tot or _EPOCH,
            flag(after_moment),
            after_moment or _EPOCH,
            after_ref,
            f.limit + 1,
        ]
        async with self._tx(write=False) as c:
            rows = await c.fetch(self._portable(sql), *args)
        items = [
            BerichtSamenvatting(
                richting=r["richting"],
                referentienummer=r["referentienummer"],
                berichttype=r["berichttype"],
                tegenpartij=r["tegenpartij"],
                conversatie=r["conversatie"],
                state=r["state"],
                moment=as_dt(r["moment"]),
                attempts=int(r["attempts"]),
                last_error=r["last_error"],
                updated_at=as_dt(r["updated_at"]),
            )
            for r in rows[: f.limit]
        ]
        more = len(rows) > f.limit
        volgende = _encode_cursor(items[-1].moment, items[-1].referentienummer) if more and items else None
        return BerichtenPagina(items, volgende)

    async def list_conversations(
        self, *, state: str | None, today: date, limit: int = 50, offset: int = 0
    ) -> list[Conversatie]:
        """``state``: open, answered, overdue (open and past its answer date) or None for all."""
        overdue = state == "overdue"
        sql = """SELECT * FROM conversation
                  WHERE ($1 = '' OR state = $1)
                    AND ($2 = 0 OR (antwoord_uiterlijk IS NOT NULL AND antwoord_uiterlijk < $3))
                  ORDER BY geopend_op DESC, conversatie LIMIT $4 OFFSET $5"""
        async with self._tx(write=False) as c:
            rows = await c.fetch(
                sql, "open" if overdue else (state or ""), 1 if overdue else 0, today, limit, offset
            )
        return [Conversatie.from_row(r) for r in rows]

    async def message_counts(self) -> list[tuple[str, str, str, int]]:
        """(richting, berichttype, state, count) for every combination present."""
        sql = f"""SELECT richting, berichttype, state, COUNT(*) AS n FROM ({_MESSAGES}) AS m
                  GROUP BY richting, berichttype, state"""
        async with self._tx(write=False) as c:
            rows = await c.fetch(sql)
        return [(r["richting"], r["berichttype"], r["state"], int(r["n"])) for r in rows]

    # backend differences: SQLite has no ::text casts, and binds NULL flags the same way ------
    @staticmethod
    def _flag(value: object) -> str | None:
        return None if value is None else "x"

    def _portable(self, sql: str) -> str:
        return sql if self.backend == "postgres" else sql.replace("::text", "")


_EPOCH = datetime.fromisoformat("1970-01-01T00:00:00+00:00")
