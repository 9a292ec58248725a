"""Outbox statements shared by both backends: enqueue, lease-based claims, attempt records, resend."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from gateway.store.base import (
    ConversationChanged,
    EnqueueConflict,
    InvalidTransition,
    NotFound,
    conflict_with,
)
from gateway.store.records import (
    Attempt,
    DeliveredAttempt,
    EnqueueResult,
    NewOutbound,
    OutboxRow,
    OutboxState,
    TermStart,
    as_dt,
)
from gateway.store.sqlcore import TERM_START, Conn, SqlCore, term_start_args

_INSERT = """
INSERT INTO outbox (referentienummer, berichttype, ontvanger, conversatie, document, sha256, state,
    attempts, claims, next_attempt_at, deadline, created_at, updated_at, submission_sha256, klantnummer_shv)
VALUES ($1, $2, $3, $4, $5, $6, 'queued', 0, 0, $7, $8, $7, $7, $9, $10)
ON CONFLICT (referentienummer) DO NOTHING
RETURNING *
"""

# A row is due when it is queued and its time has come, or sending under an expired lease (its sender
# died), and no earlier row of its conversation is still queued or sending. Each query walks the
# index outbox_claim_order (state, next_attempt_at, seq) in the order rows are handed out and checks
# the predecessors of one candidate at a time (index outbox_conversatie), so it stops at its limit
# instead of checking and sorting the whole backlog. Expired leases are looked at first: they are
# few, and the oldest work.
#
# "LIMIT 1 OFFSET 0" keeps the predecessor check a per-candidate lookup on PostgreSQL: without it the
# planner may turn NOT EXISTS into an anti-join against every queued row, which with stale statistics
# (a fresh burst of rows before autoanalyze) cost 250-650 ms per claim at 40,000 queued rows.
_NO_EARLIER_IN_CONVERSATION = """
  AND NOT EXISTS (
      SELECT 1 FROM outbox p
      WHERE p.conversatie = o.conversatie AND p.seq < o.seq AND p.state IN ('queued', 'sending')
      LIMIT 1 OFFSET 0)
ORDER BY o.state, o.next_attempt_at, o.seq
LIMIT $2"""
_DUE_EXPIRED = (
    """SELECT o.referentienummer, o.claims, o.state FROM outbox o
WHERE o.state = 'sending' AND o.lease_until < $1"""
    + _NO_EARLIER_IN_CONVERSATION
)
_DUE_QUEUED = (
    """SELECT o.referentienummer, o.claims, o.state FROM outbox o
WHERE o.state = 'queued' AND o.next_attempt_at <= $1"""
    + _NO_EARLIER_IN_CONVERSATION
)

# two index lookups (outbox_claim_order), not a scan of the backlog
_NEXT_DUE = """SELECT MIN(t) AS t FROM (
    SELECT MIN(next_attempt_at) AS t FROM outbox WHERE state = 'queued'
    UNION ALL
    SELECT MIN(lease_until) AS t FROM outbox WHERE state = 'sending') AS due"""

_FENCE = "referentienummer = $1 AND state = 'sending' AND lease_owner = $2"

_INSERT_ATTEMPT = """
INSERT INTO outbox_attempt (referentienummer, attempt_no, owner, started_at, duration_ms, outcome, code,
    reason, receipt)
VALUES ($1, (SELECT COALESCE(MAX(attempt_no), 0) + 1 FROM outbox_attempt WHERE referentienummer = $1),
    $2, $3, $4, $5, $6, $7, $8)
"""


def _attempt_args(p: Attempt) -> tuple[object, ...]:
    return (p.referentienummer, p.owner, p.started_at, p.duration_ms, p.outcome, p.code, p.reason, p.receipt)


def error_text(p: Attempt) -> str:
    code = f" [{p.code}]" if p.code else ""
    return f"{p.outcome}{code}: {p.reason}".strip()


class OutboxMixin(SqlCore):
    async def _insert_outbound(
        self, c: Conn, msg: NewOutbound, now: datetime, deadline: datetime
    ) -> EnqueueResult:
        row = await c.fetchrow(
            _INSERT,
            msg.referentienummer,
            msg.berichttype,
            msg.ontvanger,
            msg.conversatie,
            msg.document,
            msg.sha256,
            now,
            deadline,
            msg.submission_sha256,
            msg.klantnummer_shv,
        )
        if row is not None:
            if msg.conversatie_change is not None:
                try:
                    await self._write_conversation(c, msg.conversatie_change)
                except ConversationChanged:  # undo the insert: this message was never queued
                    await c.execute("DELETE FROM outbox WHERE referentienummer = $1", msg.referentienummer)
                    raise
            return EnqueueResult(OutboxRow.from_row(row), created=True)
        existing = await c.fetchrow("SELECT * FROM outbox WHERE referentienummer = $1", msg.referentienummer)
        if existing is None:  # pragma: no cover - the conflict row vanished; rows are never deleted
            raise NotFound("outbox message", msg.referentienummer)
        old = OutboxRow.from_row(existing)
        conflict = conflict_with(old, msg)
        if conflict is not None:
            raise conflict
        return EnqueueResult(old, created=False)

    async def enqueue(self, msg: NewOutbound, *, now: datetime, deadline: datetime) -> EnqueueResult:
        async with self._tx() as c:
            return await self._insert_outbound(c, msg, now, deadline)

    async def enqueue_many(
        self, msgs: Sequence[NewOutbound], *, now: datetime, deadline: datetime
    ) -> list[EnqueueResult | EnqueueConflict | ConversationChanged]:
        """Several enqueues in one transaction; a conflict is returned in its place, not raised, so
        it leaves the others (the conflicting message wrote nothing)."""
        results: list[EnqueueResult | EnqueueConflict | ConversationChanged] = []
        async with self._tx() as c:
            for msg in msgs:
                try:
                    results.append(await self._insert_outbound(c, msg, now, deadline))
                except (EnqueueConflict, ConversationChanged) as exc:
                    results.append(exc)
        return results

    async def claim_outbound(
        self, *, owner: str, now: datetime, lease_until: datetime, limit: int, max_claims: int
    ) -> list[OutboxRow]:
        async with self._tx() as c:
            refs: list[str] = []
            due_rows = await c.fetch(_DUE_EXPIRED + self.claim_lock_clause, now, limit)
            if len(due_rows) < limit:
                due_rows += await c.fetch(_DUE_QUEUED + self.claim_lock_clause, now, limit - len(due_rows))
            for due in due_rows:
                ref = due["referentienummer"]
                if due["state"] == OutboxState.SENDING and int(due["claims"]) >= max_claims:
                    await c.execute(
                        """UPDATE outbox SET state = 'dead', lease_owner = NULL, lease_until = NULL,
                               last_error = $2, updated_at = $3 WHERE referentienummer = $1""",
                        ref,
                        f"poison: claimed {due['claims']} times and its sender stopped each time before "
                        "recording a result; inspect the document, then resend",
                        now,
                    )
                    continue
                refs.append(ref)
            if not refs:
                return []
            rows = await c.fetch(  # one statement for the whole batch
                f"""UPDATE outbox SET state = 'sending', lease_owner = $1, lease_until = $2,
                        claims = claims + 1, updated_at = $3
                    WHERE {self.in_list("referentienummer", "$4")} RETURNING *""",
                owner,
                lease_until,
                now,
                self.list_param(refs),
            )
        by_ref = {r["referentienummer"]: r for r in rows}
        return [OutboxRow.from_row(by_ref[ref]) for ref in refs if ref in by_ref]  # oldest first

    @staticmethod
    async def _insert_attempt(c: Conn, p: Attempt) -> None:
        await c.execute(_INSERT_ATTEMPT, *_attempt_args(p))

    async def record_delivered(
        self,
        referentienummer: str,
        *,
        owner: str,
        attempt: Attempt,
        now: datetime,
        term_start: TermStart | None,
    ) -> bool:
        async with self._tx() as c:
            return await self._delivered(
                c, DeliveredAttempt(referentienummer, owner, attempt, now, term_start)
            )

    async def record_delivered_many(self, items: Sequence[DeliveredAttempt]) -> list[bool]:
        """Several :meth:`record_delivered` in one transaction (the dispatcher's group commit), with a
        constant number of statements per batch instead of four per message."""
        if not items:
            return []
        async with self._tx() as c:
            if len({i.referentienummer for i in items}) != len(items):  # the same row twice: in order
                return [await self._delivered(c, item) for item in items]
            await c.executemany(_INSERT_ATTEMPT, [_attempt_args(i.attempt) for i in items])
            by_owner: dict[str, list[DeliveredAttempt]] = {}
            for item in items:
                by_owner.setdefault(item.owner, []).append(item)
            changed: set[str] = set()
            for owner, group in by_owner.items():
                rows = await c.fetch(
                    f"""UPDATE outbox SET state = 'delivered', attempts = attempts + 1, claims = 0,
                            lease_owner = NULL, lease_until = NULL, last_error = NULL, updated_at = $2
                        WHERE state = 'sending' AND lease_owner = $1
                          AND {self.in_list("referentienummer", "$3")}
                        RETURNING referentienummer""",
                    owner,
                    max(i.now for i in group),
                    self.list_param([i.referentienummer for i in group]),
                )
                changed.update(r["referentienummer"] for r in rows)
            terms = [
                i.term_start for i in items if i.referentienummer in changed and i.term_start is not None
            ]
            if terms:
                await c.executemany(TERM_START, [term_start_args(k) for k in terms])
            return [i.referentienummer in changed for i in items]

    async def _delivered(self, c: Conn, item: DeliveredAttempt) -> bool:
        await self._insert_attempt(c, item.attempt)
        changed = await c.execute(
            f"""UPDATE outbox SET state = 'delivered', attempts = attempts + 1, claims = 0,
                    lease_owner = NULL, lease_until = NULL, last_error = NULL, updated_at = $3
                WHERE {_FENCE}""",
            item.referentienummer,
            item.owner,
            item.now,
        )
        if changed and item.term_start is not None:
            await c.execute(TERM_START, *term_start_args(item.term_start))
        return bool(changed)

    async def record_retry(
        self,
        referentienummer: str,
        *,
        owner: str,
        attempt: Attempt,
        now: datetime,
        next_attempt_at: datetime,
    ) -> bool:
        async with self._tx() as c:
            await self._insert_attempt(c, attempt)
            return bool(
                await c.execute(
                    f"""UPDATE outbox SET state = 'queued', attempts = attempts + 1, claims = 0,
                            next_attempt_at = $3, lease_owner = NULL, lease_until = NULL, last_error = $4,
                            updated_at = $5
                        WHERE {_FENCE}""",
                    referentienummer,
                    owner,
                    next_attempt_at,
                    error_text(attempt),
                    now,
                )
            )

    async def record_dead(
        self, referentienummer: str, *, owner: str, attempt: Attempt | None, now: datetime, reason: str
    ) -> bool:
        async with self._tx() as c:
            if attempt is not None:
                await self._insert_attempt(c, attempt)
            return bool(
                await c.execute(
                    f"""UPDATE outbox SET state = 'dead', attempts = attempts + $3, claims = 0,
                            lease_owner = NULL, lease_until = NULL, last_error = $4, updated_at = $5
                        WHERE {_FENCE}""",
                    referentienummer,
                    owner,
                    0 if attempt is None else 1,
                    reason,
                    now,
                )
            )

    async def release_outbound(self, referentienummers: Sequence[str], *, owner: str, now: datetime) -> int:
        if not referentienummers:
            return 0
        async with self._tx() as c:
            rows = await c.fetch(
                f"""UPDATE outbox SET state = 'queued', claims = claims - 1, lease_owner = NULL,
                        lease_until = NULL, updated_at = $2
                    WHERE {self.in_list("referentienummer", "$3")} AND state = 'sending' AND lease_owner = $1
                    RETURNING referentienummer""",
                owner,
                now,
                self.list_param(list(referentienummers)),
            )
        return len(rows)

    async def defer_outbound(
        self, referentienummer: str, *, owner: str, now: datetime, until: datetime, reason: str
    ) -> bool:
        async with self._tx() as c:
            return bool(
                await c.execute(
                    f"""UPDATE outbox SET state = 'queued', claims = 0, next_attempt_at = $3,
                            lease_owner = NULL, lease_until = NULL, last_error = $5, updated_at = $4
                        WHERE {_FENCE}""",
                    referentienummer,
                    owner,
                    until,
                    now,
                    reason,
                )
            )

    async def resend(self, referentienummer: str, *, now: datetime, deadline: datetime) -> OutboxRow:
        async with self._tx() as c:
            row = await c.fetchrow(
                """UPDATE outbox SET state = 'queued', claims = 0, next_attempt_at = $2, deadline = $3,
                       updated_at = $2
                   WHERE referentienummer = $1 AND state = 'dead' AND document IS NOT NULL RETURNING *""",
                referentienummer,
                now,
                deadline,
            )
            if row is not None:
                return OutboxRow.from_row(row)
            current = await c.fetchrow(
                "SELECT state FROM outbox WHERE referentienummer = $1", referentienummer
            )
        if current is None:
            raise NotFound("outbox message", referentienummer)
        raise InvalidTransition(
            f"message {referentienummer} is {current['state']}; only a dead letter can be resent"
        )

    async def get_outbound(self, referentienummer: str) -> OutboxRow | None:
        async with self._tx(write=False) as c:
            row = await c.fetchrow("SELECT * FROM outbox WHERE referentienummer = $1", referentienummer)
        return OutboxRow.from_row(row) if row else None

    async def list_outbound(
        self, *, state: OutboxState | None = None, conversatie: str | None = None, limit: int = 100
    ) -> list[OutboxRow]:
        async with self._tx(write=False) as c:
            rows = await c.fetch(
                """SELECT * FROM outbox WHERE ($1 = '' OR state = $1) AND ($2 = '' OR conversatie = $2)
                   ORDER BY seq LIMIT $3""",
                str(state or ""),
                conversatie or "",
                limit,
            )
        return [OutboxRow.from_row(r) for r in rows]

    async def attempts(self, referentienummer: str) -> list[Attempt]:
        async with self._tx(write=False) as c:
            rows = await c.fetch(
                "SELECT * FROM outbox_attempt WHERE referentienummer = $1 ORDER BY attempt_no",
                referentienummer,
            )
        return [Attempt.from_row(r) for r in rows]

    async def next_outbound_due(self) -> datetime | None:
        async with self._tx(write=False) as c:
            row = await c.fetchrow(_NEXT_DUE)
        return as_dt(row["t"]) if row else None
