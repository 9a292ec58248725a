"""The outbound check: does a message the organisation submits fit its conversation?

Used by the submission (gateway.submission) and its dry run. An answer must answer an open question from
that counterpart, a SchuldregelingAkkoord follow an Akkoord or a vooraf akkoord, a Foutbericht refer to
a message received from its Ontvanger: what the table (:mod:`gateway.conversatie.tabel`) allows.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any, Protocol

from gateway.conversatie.machine import Gebeurtenis, Weigering, stap, uitkomst_uit_json
from gateway.model.berichttype import Berichttype, Rol
from gateway.store.records import Conversatie, ConversatieChange, InboxRow

CONVERSATIE_VELD = "/berichtheader/conversatie_referentienummer"


class ConversatieLezer(Protocol):
    """What the check reads from the store."""

    async def get_conversation(self, conversatie: str) -> Conversatie | None: ...

    async def get_inbound(self, referentienummer: str) -> InboxRow | None: ...


class Afgekeurd(Exception):
    """The message does not fit: ``code``, the JSON-form ``field`` and ``message`` of the finding."""

    def __init__(self, code: str, field: str, message: str) -> None:
        super().__init__(message)
        self.code, self.field, self.message = code, field, message


async def uitgaande_stap(
    lezer: ConversatieLezer,
    *,
    berichttype: Berichttype,
    referentienummer: str,
    conversatie: str,
    ontvanger: str,
    body: Mapping[str, Any],
    rol: Rol,
    nu: datetime,
) -> ConversatieChange | None:
    """What our message does to its conversation (None: nothing to write); :class:`Afgekeurd` when the
    table has no row for it. Its answer term starts when the hub has it (the dispatcher's TermStart)."""
    if berichttype is Berichttype.FOUTBERICHT:
        ref = body.get("gerefereerd_bericht")
        received = await lezer.get_inbound(ref) if isinstance(ref, str) else None
        if received is None or received.afzender != ontvanger:
            raise Afgekeurd(
                "unknown-referenced-message",
                "/gerefereerd_bericht",
                "not a message this gateway received from the Ontvanger",
            )
    g = Gebeurtenis(
        berichttype,
        referentienummer,
        conversatie,
        ontvanger,
        rol,
        nu,
        uitkomst=uitkomst_uit_json(body),
        aangekomen=False,
    )
    try:
        return stap(await lezer.get_conversation(conversatie), g, eigen_rol=rol).wijziging
    except Weigering as w:
        raise Afgekeurd(w.code, CONVERSATIE_VELD, w.message) from None
