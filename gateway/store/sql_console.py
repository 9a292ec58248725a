"""What the operator console records and asks the store beyond the message search: the record of
its actions (who, when, what, on which message, with what result) and making waiting messages due.
Shared SQL for both backends (``$n`` placeholders)."""

from __future__ import annotations

from gateway.store.records import ConsoleAction, Counts
from gateway.store.sql_search import SearchMixin

# The states an operator must look at: work not finished, and what failed. Each count reads only the
# rows in those states (an index on state leads), never the delivered bulk of the tables.
_ATTENTION = (
    ("outbox", "'queued', 'sending', 'dead'"),
    ("inbox", "'received', 'decoded', 'quarantined'"),
    ("sink_delivery", "'pending', 'delivering', 'dead'"),
)


class ConsoleMixin(SearchMixin):
    async def attention_counts(self) -> Counts:
        """Rows per state for the unfinished and failed states only (no delivered ones)."""
        result = Counts()
        async with self._tx(write=False) as c:
            for (table, states), target in zip(
                _ATTENTION, (result.outbox, result.inbox, result.sink), strict=True
            ):
                sql = f"SELECT state, COUNT(*) AS n FROM {table} WHERE state IN ({states}) GROUP BY state"
                for row in await c.fetch(sql):
                    target[str(row["state"])] = int(row["n"])
        return result

    async def record_action(self, actie: ConsoleAction) -> ConsoleAction:
        async with self._tx() as c:
            row = await c.fetchrow(
                """INSERT INTO console_action (at, caller, action, referentienummer, result, detail)
                   VALUES ($1, $2, $3, $4, $5, $6) RETURNING id""",
                actie.at,
                actie.caller,
                actie.action,
                actie.referentienummer,
                actie.result,
                actie.detail,
            )
        assert row is not None
        return ConsoleAction(
            actie.at, actie.caller, actie.action, actie.referentienummer, actie.result, actie.detail,
            int(row["id"]),
        )  # fmt: skip

    async def get_action(self, action_id: int) -> ConsoleAction | None:
        async with self._tx(write=False) as c:
            row = await c.fetchrow("SELECT * FROM console_action WHERE id = $1", action_id)
        return ConsoleAction.from_row(row) if row else None

    async def list_actions(
        self, *, referentienummer: str | None = None, limit: int = 50, offset: int = 0
    ) -> list[ConsoleAction]:
        async with self._tx(write=False) as c:
            if referentienummer is None:
                rows = await c.fetch(
                    "SELECT * FROM console_action ORDER BY at DESC, id DESC LIMIT $1 OFFSET $2",
                    limit,
                    offset,
                )
            else:
                rows = await c.fetch(
                    """SELECT * FROM console_action WHERE referentienummer = $1
                       ORDER BY at DESC, id DESC LIMIT $2 OFFSET $3""",
                    referentienummer,
                    limit,
                    offset,
                )
        return [ConsoleAction.from_row(r) for r in rows]
