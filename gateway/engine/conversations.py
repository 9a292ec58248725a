"""Conversations: which message opens one (a question), which closes it (an expected answer).

A question we send waits for the counterpart (``wacht_op = tegenpartij``); a question we receive
waits for us (``wacht_op = ons``). The answer date is Dutch working days after the sending date.
"""

from __future__ import annotations

from datetime import date, datetime

from gateway.engine.clock import Clock
from gateway.engine.werkdagen import antwoord_uiterlijk, nl_datum
from gateway.model.berichttype import Berichttype
from gateway.store.base import Store
from gateway.store.records import Conversatie, ConversatieUpdate, WachtOp

_ANSWERS: frozenset[Berichttype] = frozenset(a for b in Berichttype for a in b.verwachte_antwoorden)


def update_for(
    berichttype: str,
    *,
    conversatie: str | None,
    referentienummer: str,
    tegenpartij: str,
    at: datetime,
    outbound: bool,
) -> ConversatieUpdate | None:
    """The conversation change one message makes; None when it neither asks nor answers."""
    if not conversatie:
        return None
    try:
        bt = Berichttype(berichttype)
    except ValueError:
        return None
    if bt.verwachte_antwoorden:
        termijn = bt.antwoordtermijn_werkdagen
        return ConversatieUpdate(
            conversatie=conversatie,
            referentienummer=referentienummer,
            berichttype=bt.value,
            tegenpartij=tegenpartij,
            at=at,
            opens=True,
            wacht_op=WachtOp.TEGENPARTIJ if outbound else WachtOp.ONS,
            verwachte_antwoorden=tuple(sorted(a.value for a in bt.verwachte_antwoorden)),
            antwoord_uiterlijk=None if termijn is None else antwoord_uiterlijk(at, termijn),
        )
    if bt in _ANSWERS:
        return ConversatieUpdate(
            conversatie=conversatie,
            referentienummer=referentienummer,
            berichttype=bt.value,
            tegenpartij=tegenpartij,
            at=at,
            opens=False,
            # our answer ends what we owed; their answer ends what we waited for
            wacht_op=WachtOp.ONS if outbound else WachtOp.TEGENPARTIJ,
        )
    return None


class ConversationMonitor:
    """Overdue conversations, judged on today's Dutch date."""

    def __init__(self, store: Store, clock: Clock) -> None:
        self._store = store
        self._clock = clock

    def today(self) -> date:
        return nl_datum(self._clock())

    async def overdue(self, *, limit: int = 100) -> list[Conversatie]:
        return await self._store.overdue_conversations(today=self.today(), limit=limit)

    async def count_overdue(self) -> int:
        return await self._store.count_overdue(today=self.today())
