"""What process start-up and operators do to the queues: take over a node's claims after a crash,
retry waiting messages now. Shared SQL for both backends (``$n`` placeholders)."""

from __future__ import annotations

from datetime import datetime

from gateway.store.base import InvalidTransition, NodeInUse, NotFound
from gateway.store.sql_search import SearchMixin

#: a lease owner of node $2 ("<node>:<pid>:<random>", see gateway.engine.dispatcher.default_owner)
_OF_NODE = " AND substr(lease_owner, 1, length($2) + 1) = $2 || ':'"


class OperationsMixin(SearchMixin):
    #: True: every claim in the store is this node's (SQLite: one node per database)
    one_node = False

    async def _lock_node(self, node: str) -> str | None:
        """Hold the lock that says "node ``node`` is running" until close(); None when held, else
        who holds it (the backends implement it)."""
        raise NotImplementedError

    async def take_over_node(self, node: str, *, now: datetime) -> int:
        if ":" in node or not node:
            raise ValueError(f"a node name is not empty and has no ':', found {node!r}")
        holder = await self._lock_node(node)
        if holder is not None:
            raise NodeInUse(node, holder)
        where, args = ("", (now,)) if self.one_node else (_OF_NODE, (now, node))
        async with self._tx() as c:
            outbox = await c.execute(
                f"UPDATE outbox SET lease_until = $1 WHERE state = 'sending' AND lease_until > $1{where}",
                *args,
            )
            sinks = await c.execute(
                "UPDATE sink_delivery SET lease_until = $1 WHERE state = 'delivering' AND lease_until > $1"
                + where,
                *args,
            )
        return outbox + sinks

    async def retry_now(self, *, now: datetime, referentienummer: str | None = None) -> int:
        async with self._tx() as c:
            if referentienummer is None:
                return await c.execute(
                    """UPDATE outbox SET next_attempt_at = $1, updated_at = $1
                       WHERE state = 'queued' AND next_attempt_at > $1""",
                    now,
                )
            changed = await c.execute(
                """UPDATE outbox SET next_attempt_at = $1, updated_at = $1
                   WHERE referentienummer = $2 AND state = 'queued' AND next_attempt_at > $1""",
                now,
                referentienummer,
            )
            if changed:
                return changed
            row = await c.fetchrow(
                "SELECT state, next_attempt_at FROM outbox WHERE referentienummer = $1", referentienummer
            )
        if row is None:
            raise NotFound("outbox message", referentienummer)
        if row["state"] == "queued":
            return 0  # due already: it goes out with the next claim
        hint = "; resend a dead letter with POST .../resend" if row["state"] == "dead" else ""
        raise InvalidTransition(
            f"message {referentienummer} is {row['state']}, not waiting for a retry{hint}"
        )
