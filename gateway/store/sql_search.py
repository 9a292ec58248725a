"""Read-side queries for the API and metrics: message search across outbox and inbox, conversations,
and counts by type, direction and state. Shared SQL for both backends (``$n`` placeholders)."""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from gateway.store.records import Conversatie, as_dt
from gateway.store.search import BerichtenPage, BerichtFilter, BerichtSummary
from gateway.store.sql_inbox import InboxMixin

OUT, IN = "out", "in"

# Outbox rows and inbox rows as one relation; "tegenpartij" is the ontvanger of what we send and
# the afzender of what we receive; "at" is when the row came into being here.
_MESSAGES = """
    SELECT 'out' AS direction, referentienummer, berichttype, ontvanger AS tegenpartij, conversatie,
           state, created_at AS at, attempts, last_error, updated_at
      FROM outbox
    UNION ALL
    SELECT 'in' AS direction, referentienummer, berichttype, afzender AS tegenpartij, conversatie,
           state, received_at AS at, 0 AS attempts, NULL AS last_error, updated_at
      FROM inbox
"""


def _encode_cursor(at: datetime, referentienummer: str) -> str:
    raw = json.dumps([at.isoformat(), referentienummer]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, str]:
    """Raises ValueError for a cursor this store did not hand out."""
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        at, ref = json.loads(base64.urlsafe_b64decode(padded.encode()))
        value = datetime.fromisoformat(at)
    except (ValueError, TypeError) as exc:
        raise ValueError("not a valid page cursor") from exc
    if value.tzinfo is None:
        raise ValueError("not a valid page cursor")
    return value, str(ref)


@dataclass(frozen=True, slots=True)
class _Table:
    """How one table answers the message search (the columns differ between outbox and inbox)."""

    direction: str
    select: str
    at: str  # created_at | received_at
    tegenpartij: str  # ontvanger | afzender


_TABLES = (
    _Table(
        OUT,
        """SELECT 'out' AS direction, referentienummer, berichttype, ontvanger AS tegenpartij, conversatie,
                  state, created_at AS at, attempts, last_error, updated_at, klantnummer_shv
             FROM outbox""",
        "created_at",
        "ontvanger",
    ),
    _Table(
        IN,
        """SELECT 'in' AS direction, referentienummer, berichttype, afzender AS tegenpartij, conversatie,
                  state, received_at AS at, 0 AS attempts, NULL AS last_error, updated_at, klantnummer_shv
             FROM inbox""",
        "received_at",
        "afzender",
    ),
)


def _search_sql(t: _Table, f: BerichtFilter, after: tuple[datetime, str] | None) -> tuple[str, list[Any]]:
    """One table's page: only the conditions given, so the planner can use the index of each
    (see the migration *_console.sql); in time order, stopping at the page size."""
    where: list[str] = []
    args: list[Any] = []

    def cond(template: str, *values: Any) -> None:
        names = [f"${len(args) + i + 1}" for i in range(len(values))]
        args.extend(values)
        where.append(template.format(*names))

    for column, value in (
        ("referentienummer", f.referentienummer),
        ("berichttype", f.berichttype),
        ("state", f.state),
        (t.tegenpartij, f.tegenpartij),
        ("conversatie", f.conversatie),
        ("klantnummer_shv", f.klantnummer_shv),
    ):
        if value:
            cond(f"{column} = {{0}}", value)
    if f.since is not None:
        cond(f"{t.at} >= {{0}}", f.since)
    if f.until is not None:
        cond(f"{t.at} < {{0}}", f.until)
    op, order = (">", "ASC") if f.oldest_first else ("<", "DESC")
    if after is not None:
        cond(f"({t.at} {op} {{0}} OR ({t.at} = {{0}} AND referentienummer {op} {{1}}))", *after)
    sql = t.select + (" WHERE " + " AND ".join(where) if where else "")
    args.append(f.limit + 1)
    sql += f" ORDER BY {t.at} {order}, referentienummer {order} LIMIT ${len(args)}"
    return sql, args


class SearchMixin(InboxMixin):
    async def search_messages(self, f: BerichtFilter) -> BerichtenPage:
        after = decode_cursor(f.cursor) if f.cursor else None
        rows: list[dict[str, Any]] = []
        async with self._tx(write=False) as c:
            for table in _TABLES:
                if f.direction in (None, "", table.direction):
                    sql, args = _search_sql(table, f, after)
                    rows += await c.fetch(sql, *args)
        found = [
            BerichtSummary(
                direction=r["direction"],
                referentienummer=r["referentienummer"],
                berichttype=r["berichttype"],
                tegenpartij=r["tegenpartij"],
                conversatie=r["conversatie"],
                state=r["state"],
                at=as_dt(r["at"]),  # type: ignore[arg-type]
                attempts=int(r["attempts"]),
                last_error=r["last_error"],
                updated_at=as_dt(r["updated_at"]),  # type: ignore[arg-type]
                klantnummer_shv=r["klantnummer_shv"],
            )
            for r in rows
        ]
        found.sort(key=lambda m: (m.at, m.referentienummer), reverse=not f.oldest_first)
        items = found[: f.limit]
        more = len(found) > f.limit
        next_cursor = _encode_cursor(items[-1].at, items[-1].referentienummer) if more and items else None
        return BerichtenPage(items, next_cursor)

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
        """(direction, berichttype, state, count) for every combination present."""
        sql = f"""SELECT direction, berichttype, state, COUNT(*) AS n FROM ({_MESSAGES}) AS m
                  GROUP BY direction, berichttype, state"""
        async with self._tx(write=False) as c:
            rows = await c.fetch(sql)
        return [(r["direction"], r["berichttype"], r["state"], int(r["n"])) for r in rows]
