"""Inbox, quarantine and sink-delivery statements shared by both backends."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from gateway.store.base import InvalidTransition
from gateway.store.records import (
    ConversatieChange,
    InboxRow,
    InboxState,
    NewInbound,
    NewOutbound,
    QuarantineRow,
    SinkDelivery,
    sha256_hex,
)
from gateway.store.sql_outbox import OutboxMixin
from gateway.store.sqlcore import Conn, problems_json

_SINK_FENCE = "referentienummer = $1 AND sink = $2 AND state = 'delivering' AND lease_owner = $3"


class InboxMixin(OutboxMixin):
    async def store_inbound(self, msg: NewInbound) -> bool:
        async with self._tx() as c:
            row = await c.fetchrow(
                """INSERT INTO inbox (referentienummer, berichttype, afzender, ontvanger, conversatie,
                       document,
                       sha256, envelope, valid, problems, json_body, state, received_at, hub_received_at,
                       updated_at, bevindingen, klantnummer_shv, afzender_oin)
                   VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, 'received', $12, $13, $12, $14, $15,
                           $16)
                   ON CONFLICT (referentienummer) DO NOTHING
                   RETURNING referentienummer""",
                msg.referentienummer,
                msg.berichttype,
                msg.afzender,
                msg.ontvanger,
                msg.conversatie,
                msg.document,
                sha256_hex(msg.document),
                msg.envelope,
                msg.valid,
                problems_json(msg.problems),
                msg.json_body,
                msg.received_at,
                msg.hub_received_at,
                problems_json(msg.bevindingen),
                msg.klantnummer_shv,
                msg.afzender_oin,
            )
        return row is not None

    async def add_inbound_bevindingen(
        self, referentienummer: str, bevindingen: Sequence[Mapping[str, str]]
    ) -> bool:
        async with self._tx() as c:
            row = await c.fetchrow(
                """SELECT bevindingen FROM inbox
                   WHERE referentienummer = $1 AND state = 'received' AND valid = $2""",
                referentienummer,
                True,
            )
            if row is None:
                return False
            merged = json.loads(row["bevindingen"])
            merged += [dict(b) for b in bevindingen if dict(b) not in merged]
            await c.execute(
                "UPDATE inbox SET bevindingen = $2 WHERE referentienummer = $1",
                referentienummer,
                problems_json(merged),
            )
            return True

    async def mark_confirmed(self, referentienummer: str, *, now: datetime) -> None:
        async with self._tx() as c:
            await c.execute(
                "UPDATE inbox SET confirmed_at = $2 WHERE referentienummer = $1 AND confirmed_at IS NULL",
                referentienummer,
                now,
            )

    async def get_inbound(self, referentienummer: str) -> InboxRow | None:
        async with self._tx(write=False) as c:
            row = await c.fetchrow("SELECT * FROM inbox WHERE referentienummer = $1", referentienummer)
        return InboxRow.from_row(row) if row else None

    async def list_inbound(
        self, *, state: InboxState | None = None, unconfirmed: bool = False, limit: int = 100
    ) -> list[InboxRow]:
        async with self._tx(write=False) as c:
            rows = await c.fetch(
                """SELECT * FROM inbox WHERE ($1 = '' OR state = $1) AND ($2 = 0 OR confirmed_at IS NULL)
                   ORDER BY received_at, referentienummer LIMIT $3""",
                str(state or ""),
                1 if unconfirmed else 0,
                limit,
            )
        return [InboxRow.from_row(r) for r in rows]

    async def accept_inbound(
        self,
        referentienummer: str,
        *,
        now: datetime,
        sinks: Sequence[str],
        sink_deadline: datetime,
        conversatie: ConversatieChange | None,
    ) -> bool:
        async with self._tx() as c:
            changed = await c.execute(
                """UPDATE inbox SET state = $2, updated_at = $3
                   WHERE referentienummer = $1 AND state = 'received' AND valid = $4""",
                referentienummer,
                "decoded" if sinks else "delivered",
                now,
                True,
            )
            if not changed:
                return False
            for sink in sinks:
                await c.execute(
                    """INSERT INTO sink_delivery (referentienummer, sink, state, attempts, next_attempt_at,
                           deadline, updated_at)
                       VALUES ($1, $2, 'pending', 0, $3, $4, $3)
                       ON CONFLICT (referentienummer, sink) DO NOTHING""",
                    referentienummer,
                    sink,
                    now,
                    sink_deadline,
                )
            if conversatie is not None:  # ConversationChanged rolls the whole acceptance back
                await self._write_conversation(c, conversatie)
            return True

    async def quarantine_inbound(
        self,
        referentienummer: str,
        *,
        now: datetime,
        problems: Sequence[dict[str, Any]],
        note: str,
        foutbericht: NewOutbound | None,
        foutbericht_deadline: datetime,
    ) -> bool:
        async with self._tx() as c:
            row = await c.fetchrow(  # the row names why (also when trust refused a valid message)
                """UPDATE inbox SET state = 'quarantined', updated_at = $2, problems = $3
                   WHERE referentienummer = $1 AND state = 'received' RETURNING afzender, berichttype""",
                referentienummer,
                now,
                problems_json(problems),
            )
            if row is None:
                return False
            if foutbericht is not None:
                await self._insert_outbound(c, foutbericht, now, foutbericht_deadline)
            await c.execute(
                """INSERT INTO quarantine (referentienummer, afzender, berichttype, problems,
                       foutbericht_referentienummer, note, created_at)
                   VALUES ($1, $2, $3, $4, $5, $6, $7)""",
                referentienummer,
                row["afzender"],
                row["berichttype"],
                problems_json(problems),
                foutbericht.referentienummer if foutbericht else None,
                note,
                now,
            )
            return True

    async def list_quarantine(self, *, limit: int = 100) -> list[QuarantineRow]:
        async with self._tx(write=False) as c:
            rows = await c.fetch(
                "SELECT * FROM quarantine ORDER BY created_at, referentienummer LIMIT $1", limit
            )
        return [QuarantineRow.from_row(r) for r in rows]

    async def refuse_duplicate(
        self,
        msg: NewInbound,
        *,
        problems: Sequence[dict[str, Any]],
        note: str,
        foutbericht: NewOutbound | None,
        foutbericht_deadline: datetime,
    ) -> bool:
        async with self._tx() as c:
            row = await c.fetchrow(
                """INSERT INTO inbox_duplicate (referentienummer, sha256, afzender, berichttype, document,
                       problems, foutbericht_referentienummer, note, received_at)
                   VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
                   ON CONFLICT (referentienummer, sha256) DO NOTHING
                   RETURNING referentienummer""",
                msg.referentienummer,
                sha256_hex(msg.document),
                msg.afzender,
                msg.berichttype,
                msg.document,
                problems_json(problems),
                foutbericht.referentienummer if foutbericht else None,
                note,
                msg.received_at,
            )
            if row is None:
                return False
            if foutbericht is not None:
                await self._insert_outbound(c, foutbericht, msg.received_at, foutbericht_deadline)
            return True

    async def count_duplicates(self) -> int:
        async with self._tx(write=False) as c:
            row = await c.fetchrow("SELECT COUNT(*) AS n FROM inbox_duplicate")
        return int(row["n"]) if row else 0

    # sink deliveries --------------------------------------------------------------------------
    async def claim_sink_deliveries(
        self, *, owner: str, now: datetime, lease_until: datetime, limit: int
    ) -> list[SinkDelivery]:
        claimed: list[SinkDelivery] = []
        async with self._tx() as c:
            due = await c.fetch(
                """SELECT referentienummer, sink FROM sink_delivery
                   WHERE (state = 'pending' AND next_attempt_at <= $1)
                      OR (state = 'delivering' AND lease_until < $1)
                   ORDER BY next_attempt_at, seq LIMIT $2"""
                + self.claim_lock_clause,
                now,
                limit,
            )
            for d in due:
                row = await c.fetchrow(
                    """UPDATE sink_delivery SET state = 'delivering', lease_owner = $3, lease_until = $4,
                           updated_at = $5
                       WHERE referentienummer = $1 AND sink = $2 RETURNING *""",
                    d["referentienummer"],
                    d["sink"],
                    owner,
                    lease_until,
                    now,
                )
                if row is not None:
                    claimed.append(SinkDelivery.from_row(row))
        return claimed

    @staticmethod
    async def _settle_inbox(c: Conn, referentienummer: str, now: datetime) -> None:
        await c.execute(
            """UPDATE inbox SET state = 'delivered', updated_at = $2
               WHERE referentienummer = $1 AND state = 'decoded' AND NOT EXISTS (
                   SELECT 1 FROM sink_delivery s WHERE s.referentienummer = $1 AND s.state <> 'delivered')""",
            referentienummer,
            now,
        )

    async def record_sink_delivered(
        self, referentienummer: str, sink: str, *, owner: str, now: datetime
    ) -> bool:
        async with self._tx() as c:
            changed = await c.execute(
                f"""UPDATE sink_delivery SET state = 'delivered', attempts = attempts + 1, lease_owner = NULL,
                        lease_until = NULL, last_error = NULL, delivered_at = $4, updated_at = $4
                    WHERE {_SINK_FENCE}""",
                referentienummer,
                sink,
                owner,
                now,
            )
            if changed:
                await self._settle_inbox(c, referentienummer, now)
            return bool(changed)

    async def record_sink_retry(
        self,
        referentienummer: str,
        sink: str,
        *,
        owner: str,
        now: datetime,
        next_attempt_at: datetime,
        error: str,
    ) -> bool:
        async with self._tx() as c:
            return bool(
                await c.execute(
                    f"""UPDATE sink_delivery SET state = 'pending', attempts = attempts + 1,
                            lease_owner = NULL,
                            lease_until = NULL, next_attempt_at = $4, last_error = $5, updated_at = $6
                        WHERE {_SINK_FENCE}""",
                    referentienummer,
                    sink,
                    owner,
                    next_attempt_at,
                    error,
                    now,
                )
            )

    async def record_sink_dead(
        self, referentienummer: str, sink: str, *, owner: str, now: datetime, reason: str
    ) -> bool:
        async with self._tx() as c:
            return bool(
                await c.execute(
                    f"""UPDATE sink_delivery SET state = 'dead', lease_owner = NULL, lease_until = NULL,
                            last_error = $4, updated_at = $5
                        WHERE {_SINK_FENCE}""",
                    referentienummer,
                    sink,
                    owner,
                    reason,
                    now,
                )
            )

    async def sink_deliveries(self, referentienummer: str) -> list[SinkDelivery]:
        async with self._tx(write=False) as c:
            rows = await c.fetch(
                "SELECT * FROM sink_delivery WHERE referentienummer = $1 ORDER BY sink", referentienummer
            )
        return [SinkDelivery.from_row(r) for r in rows]

    async def resend_sink(
        self, referentienummer: str, sink: str, *, now: datetime, deadline: datetime
    ) -> None:
        async with self._tx() as c:
            changed = await c.execute(
                """UPDATE sink_delivery SET state = 'pending', next_attempt_at = $3, deadline = $4,
                       updated_at = $3
                   WHERE referentienummer = $1 AND sink = $2 AND state = 'dead'""",
                referentienummer,
                sink,
                now,
                deadline,
            )
        if not changed:
            raise InvalidTransition(f"delivery of {referentienummer} to sink {sink} is not a dead delivery")
