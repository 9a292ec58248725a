"""Conversation deadlines for the engine: overdue conversations judged on today's Dutch date, and the
answer term our question starts when the hub takes it (the table: gateway.conversatie.tabel).

A question we send changes its conversation when it is queued (gateway.submission); its answer term
(10 werkdagen) starts when the hub accepted it, which the dispatcher records with :func:`term_start`.
A question we receive has its term from the moment the hub received it (gateway.admission).
"""

from __future__ import annotations

from datetime import date, datetime

from gateway.conversatie.tabel import TERMIJN_WERKDAGEN, kan_termijn_starten
from gateway.engine.clock import Clock
from gateway.engine.werkdagen import antwoord_uiterlijk, dutch_date
from gateway.model.berichttype import Berichttype
from gateway.store.base import Store
from gateway.store.records import Conversatie, TermStart


def term_start(
    berichttype: str, *, conversatie: str, referentienummer: str, at: datetime
) -> TermStart | None:
    """The answer term a delivered message of ours starts (None: this type never starts one).

    The store applies it only while the conversation awaits this very question with a term."""
    try:
        bt = Berichttype(berichttype)
    except ValueError:
        return None
    if not kan_termijn_starten(bt):
        return None
    return TermStart(conversatie, referentienummer, antwoord_uiterlijk(at, TERMIJN_WERKDAGEN), at)


class ConversationMonitor:
    """Overdue conversations, judged on today's Dutch date."""

    def __init__(self, store: Store, clock: Clock) -> None:
        self._store = store
        self._clock = clock

    def today(self) -> date:
        return dutch_date(self._clock())

    async def overdue(self, *, limit: int = 100) -> list[Conversatie]:
        return await self._store.overdue_conversations(today=self.today(), limit=limit)

    async def count_overdue(self) -> int:
        return await self._store.count_overdue(today=self.today())
