"""The conversation table: the one source of which message opens a conversation, which may follow
which, who sends it, and what each phase of a conversation awaits, from whom and by when.

Read :data:`REGELS` as a decision table. For a message of type T sent by role R into a conversation
in phase F, the **first** row with that T, with R as ``van`` (``None``: either side) and with F in
``na``, and whose ``als`` holds, gives the phase after it (``wordt``; ``None``: the phase stays, a
notice). No such row: the message is refused with the code of :data:`WEIGERING`. ``Fase.NIEUW`` in
``na`` means the message may open a conversation. :data:`WACHT` says what a phase awaits.

Sources (docs/decisions.md): the messages each side sends and which answers which (A1, A5, A7), the
process agreements (A5, A6: a message is answered within 10 werkdagen; the Kennisgeving antwoord has no
deadline) and agreeing in advance (N4). What the public material leaves open is decided here, row by
row.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from gateway.model.berichttype import Berichttype, Rol

B = Berichttype
SHV, SE = Rol.SHV, Rol.SE

TERMIJN_WERKDAGEN = 10
"""The process agreements (A5, A6): a participant answers a message within at most 10 werkdagen."""


class Fase(enum.StrEnum):
    """Where a conversation stands after its last message."""

    NIEUW = "nieuw"  # no message yet: the conversation does not exist
    KENNISGEVING = "kennisgeving"  # Kennisgeving sent; the creditor may answer (no deadline)
    GEMELD = "gemeld"  # the creditor answered the Kennisgeving
    SALDO_GEVRAAGD = "saldo-gevraagd"  # Saldoverzoek sent, its answer is awaited
    SALDO_ONTVANGEN = "saldo-ontvangen"  # the creditor gave the balance
    VOORAF_AKKOORD = "vooraf-akkoord"  # the creditor answered with a vooraf akkoord
    VOORSTEL = "voorstel"  # Betaalvoorstel or Heroverweging sent, its answer is awaited
    VOORSTEL_VOORAF_AKKOORD = "voorstel-vooraf-akkoord"  # proposal after a vooraf akkoord: none awaited
    AKKOORD = "akkoord"  # the creditor agreed to the proposal
    NIET_AKKOORD = "niet-akkoord"  # the creditor refused the proposal
    REGELING = "regeling"  # SchuldregelingAkkoord sent: the regeling runs
    BEEINDIGD = "beeindigd"  # SchuldregelingBeeindigd sent (end)
    GEEN_MEDEWERKING = "geen-medewerking"  # the creditor does not co-operate (end)
    STATUS_GEVRAAGD = "status-gevraagd"  # Statusverzoek received or sent, its answer is awaited
    STATUS_GEGEVEN = "status-gegeven"  # the SHV answered the Statusverzoek


FASE_UITLEG: dict[Fase, str] = {
    Fase.NIEUW: "does not exist",
    Fase.KENNISGEVING: "has a Kennisgeving the creditor may answer",
    Fase.GEMELD: "has its Kennisgeving answered",
    Fase.SALDO_GEVRAAGD: "waits for the answer to a Saldoverzoek",
    Fase.SALDO_ONTVANGEN: "has its Saldoverzoek answered",
    Fase.VOORAF_AKKOORD: "has a vooraf akkoord from the creditor",
    Fase.VOORSTEL: "waits for the answer to a Betaalvoorstel or Heroverweging",
    Fase.VOORSTEL_VOORAF_AKKOORD: "has a Betaalvoorstel after a vooraf akkoord (nothing awaited)",
    Fase.AKKOORD: "has the creditor's Akkoord to the proposal",
    Fase.NIET_AKKOORD: "has the creditor's NietAkkoord to the proposal",
    Fase.REGELING: "has an agreed regeling (SchuldregelingAkkoord sent)",
    Fase.BEEINDIGD: "is ended (SchuldregelingBeeindigd)",
    Fase.GEEN_MEDEWERKING: "is ended (GeenMedewerking)",
    Fase.STATUS_GEVRAAGD: "waits for the answer to a Statusverzoek",
    Fase.STATUS_GEGEVEN: "has its Statusverzoek answered",
}

EINDE = frozenset({Fase.BEEINDIGD, Fase.GEEN_MEDEWERKING})
"""Phases after which only notices may follow (Foutbericht, status messages)."""


class Als(enum.StrEnum):
    """The condition of a row that applies only sometimes."""

    VOORAF_AKKOORD = "vooraf-akkoord"  # the creditor answered vooraf akkoord earlier in the conversation
    NIET_AKKOORD = "niet-akkoord"  # the BetaalvoorstelAntwoord says NietAkkoord


@dataclass(frozen=True, slots=True)
class Wacht:
    """What a phase awaits: one of ``antwoorden``, sent by ``van`` (the side the question went to)."""

    van: Rol
    antwoorden: tuple[Berichttype, ...]
    verwacht: bool = True  # False: an answer may come, none is awaited (never overdue)
    termijn: bool = True  # the answer is due within TERMIJN_WERKDAGEN of the question's arrival


@dataclass(frozen=True, slots=True)
class Regel:
    berichttype: Berichttype
    van: Rol | None  # the sender's role; None: either side
    na: frozenset[Fase]  # the phases it may follow; Fase.NIEUW: it may open a conversation
    wordt: Fase | None  # the phase after it; None: the phase stays (a notice)
    als: Als | None = None  # the row applies only when this holds


F = Fase
_ALLE = frozenset(Fase)
_VOORSTEL_MAG = frozenset(
    {
        F.NIEUW,
        F.GEMELD,
        F.SALDO_ONTVANGEN,
        F.VOORAF_AKKOORD,
        F.VOORSTEL,  # a new proposal replaces the open one (its answer is the same type)
        F.VOORSTEL_VOORAF_AKKOORD,
        F.AKKOORD,  # a changed proposal before the regeling is agreed
        F.NIET_AKKOORD,
    }
)


def _r(
    bt: Berichttype, van: Rol | None, na: Iterable[Fase], wordt: Fase | None, als: Als | None = None
) -> Regel:
    return Regel(bt, van, frozenset(na), wordt, als)


REGELS: tuple[Regel, ...] = (
    # stabilisation: the creditor may answer a Kennisgeving, without a deadline
    _r(B.KENNISGEVING, SHV, {F.NIEUW, F.KENNISGEVING}, F.KENNISGEVING),
    _r(B.KENNISGEVING_PUBLIEK, SHV, {F.NIEUW, F.KENNISGEVING}, F.KENNISGEVING),
    _r(B.KENNISGEVING_ANTWOORD, SE, {F.KENNISGEVING}, F.GEMELD),
    _r(B.GEEN_MEDEWERKING, SE, {F.KENNISGEVING, F.SALDO_GEVRAAGD}, F.GEEN_MEDEWERKING),
    # the debt position
    _r(
        B.SALDOVERZOEK,
        SHV,
        {F.NIEUW, F.GEMELD, F.SALDO_GEVRAAGD, F.SALDO_ONTVANGEN, F.VOORAF_AKKOORD},
        F.SALDO_GEVRAAGD,
    ),  # fmt: skip
    _r(B.SALDOVERZOEK_ANTWOORD, SE, {F.SALDO_GEVRAAGD}, F.SALDO_ONTVANGEN),
    _r(B.SALDOVERZOEK_ANTWOORD_VOORAF_AKKOORD, SE, {F.SALDO_GEVRAAGD}, F.VOORAF_AKKOORD),
    # the proposal: after a vooraf akkoord nothing is awaited (the creditor agreed in advance)
    _r(B.BETAALVOORSTEL, SHV, _VOORSTEL_MAG, F.VOORSTEL_VOORAF_AKKOORD, als=Als.VOORAF_AKKOORD),
    _r(B.BETAALVOORSTEL, SHV, _VOORSTEL_MAG, F.VOORSTEL),
    _r(B.HEROVERWEGING, SHV, {F.NIET_AKKOORD}, F.VOORSTEL),
    _r(
        B.BETAALVOORSTEL_ANTWOORD,
        SE,
        {F.VOORSTEL, F.VOORSTEL_VOORAF_AKKOORD},
        F.NIET_AKKOORD,
        als=Als.NIET_AKKOORD,
    ),  # fmt: skip
    _r(B.BETAALVOORSTEL_ANTWOORD, SE, {F.VOORSTEL, F.VOORSTEL_VOORAF_AKKOORD}, F.AKKOORD),
    # the regeling
    _r(B.SCHULDREGELING_AKKOORD, SHV, {F.AKKOORD, F.VOORAF_AKKOORD, F.VOORSTEL_VOORAF_AKKOORD}, F.REGELING),
    _r(B.SCHULDREGELING_BEEINDIGD, SHV, {F.REGELING}, F.BEEINDIGD),
    # status: a Statusverzoek opens a conversation of its own; status messages are notices elsewhere
    _r(B.STATUSVERZOEK, SE, {F.NIEUW, F.STATUS_GEGEVEN}, F.STATUS_GEVRAAGD),
    _r(B.STATUSBERICHT_SHV, SHV, {F.STATUS_GEVRAAGD}, F.STATUS_GEGEVEN),
    _r(B.STATUSBERICHT_SHV, SHV, _ALLE, None),
    _r(B.STATUSBERICHT_SE, SE, _ALLE, None),
    # a Foutbericht refers to a message (GerefereerdBericht) and changes nothing
    _r(B.FOUTBERICHT, None, _ALLE, None),
)

WACHT: dict[Fase, Wacht] = {
    F.KENNISGEVING: Wacht(SE, (B.KENNISGEVING_ANTWOORD, B.GEEN_MEDEWERKING), termijn=False),
    F.SALDO_GEVRAAGD: Wacht(
        SE, (B.SALDOVERZOEK_ANTWOORD, B.SALDOVERZOEK_ANTWOORD_VOORAF_AKKOORD, B.GEEN_MEDEWERKING)
    ),
    F.VOORSTEL: Wacht(SE, (B.BETAALVOORSTEL_ANTWOORD,)),
    F.VOORSTEL_VOORAF_AKKOORD: Wacht(SE, (B.BETAALVOORSTEL_ANTWOORD,), verwacht=False, termijn=False),
    F.STATUS_GEVRAAGD: Wacht(SHV, (B.STATUSBERICHT_SHV,)),
}

# -- refusals -------------------------------------------------------------------------------------
NO_OPEN_QUESTION = "no-open-question"
WEIGERING: dict[Berichttype, str] = {
    B.KENNISGEVING_ANTWOORD: NO_OPEN_QUESTION,
    B.GEEN_MEDEWERKING: NO_OPEN_QUESTION,
    B.SALDOVERZOEK_ANTWOORD: NO_OPEN_QUESTION,
    B.SALDOVERZOEK_ANTWOORD_VOORAF_AKKOORD: NO_OPEN_QUESTION,
    B.BETAALVOORSTEL_ANTWOORD: NO_OPEN_QUESTION,
    B.HEROVERWEGING: "no-niet-akkoord",
    B.SCHULDREGELING_AKKOORD: "no-akkoord",
    B.SCHULDREGELING_BEEINDIGD: "no-regeling",
}
"""The code when no row allows a message in its conversation's phase; any other type: ``out-of-order``."""
OUT_OF_ORDER = "out-of-order"

# Codes the machine gives before it looks at the rows (each explained where it is raised).
WRONG_DIRECTION = "wrong-direction"
UNKNOWN_CONVERSATION = "unknown-conversation"
WRONG_COUNTERPART = "wrong-counterpart"
CONVERSATION_ENDED = "conversation-ended"


# -- questions the table answers ------------------------------------------------------------------
def regels_voor(berichttype: Berichttype) -> tuple[Regel, ...]:
    return _by_type()[berichttype]


@lru_cache(maxsize=1)
def _by_type() -> dict[Berichttype, tuple[Regel, ...]]:
    found: dict[Berichttype, list[Regel]] = {b: [] for b in Berichttype}
    for regel in REGELS:
        found[regel.berichttype].append(regel)
    return {b: tuple(rows) for b, rows in found.items()}


def afzender_rol(berichttype: Berichttype) -> Rol | None:
    """Who sends this type; None when either side may (Foutbericht)."""
    roles = {r.van for r in regels_voor(berichttype)}
    return next(iter(roles)) if len(roles) == 1 else None


def kan_openen(berichttype: Berichttype) -> bool:
    """May this type open a conversation (or stand outside any, as a notice)?"""
    return any(Fase.NIEUW in r.na for r in regels_voor(berichttype))


def is_antwoord(berichttype: Berichttype) -> bool:
    """Does this type answer a question (it is one of some phase's awaited answers)?"""
    return any(berichttype in w.antwoorden for w in WACHT.values())


def beantwoordt(berichttype: Berichttype) -> tuple[Berichttype, ...]:
    """The questions this type answers: the types whose rows lead to a phase awaiting it."""
    fasen = {f for f, w in WACHT.items() if berichttype in w.antwoorden}
    return tuple(dict.fromkeys(r.berichttype for r in REGELS if r.wordt in fasen))


def antwoorden_op(berichttype: Berichttype) -> tuple[Berichttype, ...]:
    """The answers a question of this type can get (awaited or not); empty when it is no question."""
    fasen = [r.wordt for r in regels_voor(berichttype) if r.wordt in WACHT]
    return tuple(dict.fromkeys(a for f in fasen for a in WACHT[f].antwoorden))  # type: ignore[index]


def kan_termijn_starten(berichttype: Berichttype) -> bool:
    """Can sending this type start an answer deadline (a question with the 10-werkdagen term)?"""
    return any(
        r.wordt in WACHT and WACHT[r.wordt].termijn and WACHT[r.wordt].verwacht
        for r in regels_voor(berichttype)
    )


def tegenrol(rol: Rol) -> Rol:
    return Rol.SE if rol is Rol.SHV else Rol.SHV
