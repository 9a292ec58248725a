"""One message applied to a conversation: the table's row for it, the state after it, or a refusal.

Pure: the callers read the conversation, call :func:`stap`, and write :attr:`Overgang.wijziging`
with the message (outbound: with its enqueue; inbound: with its acceptance) as a compare-and-set
on the number of steps, so two messages that read the same state cannot both pass.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from gateway.conversatie.tabel import (
    CONVERSATION_ENDED,
    EINDE,
    FASE_UITLEG,
    OUT_OF_ORDER,
    TERMIJN_WERKDAGEN,
    UNKNOWN_CONVERSATION,
    WACHT,
    WEIGERING,
    WRONG_COUNTERPART,
    WRONG_DIRECTION,
    Als,
    Fase,
    Regel,
    afzender_rol,
    beantwoordt,
    is_antwoord,
    regels_voor,
)
from gateway.engine.werkdagen import antwoord_uiterlijk
from gateway.model.berichttype import Berichttype, Rol
from gateway.store.records import Conversatie, ConversatieChange, ConversationState, WachtOp

BRON_GATEWAY = "gateway"
BRON_IMPORT = "import"
BRON_AANGENOMEN = "aangenomen"  # opened by an answer to an unknown conversation (migration setting)


@dataclass(frozen=True, slots=True)
class Gebeurtenis:
    """One message as the conversation sees it."""

    berichttype: Berichttype
    referentienummer: str
    conversatie: str
    tegenpartij: str  # the counterpart: the Ontvanger of ours, the Afzender of theirs
    van: Rol  # the sender's role
    at: datetime  # when it was sent (ours) or reached the hub (theirs)
    uitkomst: str | None = None  # a BetaalvoorstelAntwoord's Antwoord: Akkoord or NietAkkoord
    aangekomen: bool = True  # False: ours, still in the outbox (an answer term starts at delivery)


class Weigering(Exception):
    """The message may not come now; ``code`` is stable, ``message`` says why (no personal data)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True, slots=True)
class Overgang:
    voor: Conversatie | None
    na: Conversatie | None  # None: the message stands outside any conversation (a notice)
    regel: Regel

    @property
    def wijziging(self) -> ConversatieChange | None:
        """What to write (None: nothing changed)."""
        if self.na is None or self.na is self.voor:
            return None
        return ConversatieChange(self.na, self.voor.stappen if self.voor else 0)


def uitkomst_uit_json(body: Mapping[str, Any] | None) -> str | None:
    """The Antwoord of a BetaalvoorstelAntwoord in its JSON form (None for other types)."""
    value = body.get("antwoord") if isinstance(body, Mapping) else None
    return value if isinstance(value, str) else None


def stap(huidig: Conversatie | None, g: Gebeurtenis, *, eigen_rol: Rol, bron: str = BRON_GATEWAY) -> Overgang:
    """The conversation after message ``g``; raises :class:`Weigering` when the table has no row."""
    rows = [r for r in regels_voor(g.berichttype) if r.van in (None, g.van)]
    if not rows:
        sender = afzender_rol(g.berichttype)
        raise Weigering(
            WRONG_DIRECTION,
            f"a {g.berichttype.value} is sent by an {sender.value if sender else '?'}, "
            f"not by an {g.van.value}",
        )
    if huidig is not None and huidig.tegenpartij != g.tegenpartij:
        raise Weigering(
            WRONG_COUNTERPART,
            f"conversation {g.conversatie} is with another counterpart; a conversation has one",
        )
    fase = Fase(huidig.fase) if huidig is not None else Fase.NIEUW
    vooraf = huidig.vooraf_akkoord if huidig is not None else False
    for regel in rows:
        if fase in regel.na and _geldt(regel.als, vooraf, g.uitkomst):
            return Overgang(huidig, _na(huidig, g, regel, eigen_rol, bron), regel)
    raise _weigering(g, fase)


def _geldt(als: Als | None, vooraf: bool, uitkomst: str | None) -> bool:
    if als is None:
        return True
    if als is Als.VOORAF_AKKOORD:
        return vooraf
    return uitkomst == "NietAkkoord"


def _weigering(g: Gebeurtenis, fase: Fase) -> Weigering:
    bt = g.berichttype.value
    if fase is Fase.NIEUW:
        return Weigering(
            UNKNOWN_CONVERSATION,
            f"there is no conversation {g.conversatie}: a {bt} continues one ({_vervolg(g.berichttype)})",
        )
    if fase in EINDE:
        return Weigering(CONVERSATION_ENDED, f"a {bt} cannot follow: this conversation {FASE_UITLEG[fase]}")
    code = WEIGERING.get(g.berichttype, OUT_OF_ORDER)
    return Weigering(code, f"a {bt} cannot follow now: {_vervolg(g.berichttype)}; "
                           f"this conversation {FASE_UITLEG[fase]}")  # fmt: skip


def _vervolg(bt: Berichttype) -> str:
    """What a type needs before it, in words (for refusals)."""
    if is_antwoord(bt):
        return "it answers an open " + " or ".join(q.value for q in beantwoordt(bt))
    fasen = sorted({f for r in regels_voor(bt) for f in r.na if f is not Fase.NIEUW}, key=list(Fase).index)
    return "it follows a conversation that " + " or ".join(FASE_UITLEG[f] for f in fasen)


def _na(
    huidig: Conversatie | None, g: Gebeurtenis, regel: Regel, eigen_rol: Rol, bron: str
) -> Conversatie | None:
    if regel.wordt is None:
        return huidig  # a notice: nothing changes, and it opens nothing
    wacht = WACHT.get(regel.wordt)
    basis = dict(
        fase=regel.wordt.value,
        vooraf_akkoord=(huidig.vooraf_akkoord if huidig else False) or regel.wordt is Fase.VOORAF_AKKOORD,
        stappen=(huidig.stappen if huidig else 0) + 1,
        updated_at=g.at,
    )
    if huidig is None or wacht is not None:  # a question: what it awaits from now on
        verwacht = wacht is not None and wacht.verwacht
        termijn = verwacht and wacht is not None and wacht.termijn
        wacht_op = WachtOp.ONS if wacht is not None and wacht.van is eigen_rol else WachtOp.TEGENPARTIJ
        return Conversatie(
            conversatie=g.conversatie,
            vraag_referentienummer=g.referentienummer,
            vraag_berichttype=g.berichttype.value,
            tegenpartij=g.tegenpartij,
            wacht_op=wacht_op,
            verwachte_antwoorden=tuple(a.value for a in wacht.antwoorden) if verwacht and wacht else (),
            antwoord_uiterlijk=antwoord_uiterlijk(g.at, TERMIJN_WERKDAGEN)
            if termijn and g.aangekomen
            else None,
            state=ConversationState.OPEN if verwacht else ConversationState.ANSWERED,
            geopend_op=huidig.geopend_op if huidig else g.at,
            beantwoord_door=None,
            beantwoord_op=None,
            termijn=termijn,
            bron=huidig.bron if huidig else bron,
            geimporteerd=huidig.geimporteerd if huidig else (),
            **basis,
        )
    antwoord = g.berichttype.value in _beantwoordbaar(huidig)
    return replace(
        huidig,
        verwachte_antwoorden=(),
        state=ConversationState.ANSWERED,
        termijn=False,
        beantwoord_door=g.referentienummer if antwoord else huidig.beantwoord_door,
        beantwoord_op=g.at if antwoord else huidig.beantwoord_op,
        **basis,
    )


def _beantwoordbaar(c: Conversatie) -> tuple[str, ...]:
    """The answers the conversation's phase allows (awaited or not)."""
    wacht = WACHT.get(Fase(c.fase))
    return tuple(a.value for a in wacht.antwoorden) if wacht else ()
