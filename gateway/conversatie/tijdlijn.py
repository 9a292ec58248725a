"""A conversation as a timeline: who sent what and when, what is awaited now, by when, overdue.

:func:`tijdlijn` is the one read the API (``GET /api/conversaties/{conversatie}``) and the operator
console use. It reads the conversation's state and its messages in both directions (also what was
quarantined, so refused messages show), plus the steps an import named (previous system).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date, datetime
from typing import Any, Protocol

from gateway.conversatie.tabel import FASE_UITLEG, Fase
from gateway.store.records import Conversatie, ConversationState, WachtOp
from gateway.store.search import BerichtenPage, BerichtFilter

MAX_STAPPEN = 500


class TijdlijnStore(Protocol):
    async def get_conversation(self, conversatie: str) -> Conversatie | None: ...

    async def search_messages(self, f: BerichtFilter) -> BerichtenPage: ...


@dataclass(frozen=True, slots=True)
class TijdlijnStap:
    """One message of the conversation."""

    at: datetime | None  # queued (ours), received (theirs), sent (imported)
    direction: str  # "out" (ours), "in" (theirs), "import" (a previous system's, named by an import)
    van: str  # address-book ids
    naar: str
    berichttype: str
    referentienummer: str
    state: str  # the message's state here (queued … delivered, dead, quarantined; "imported")


@dataclass(frozen=True, slots=True)
class Verwachting:
    """What the conversation awaits now."""

    wie: str  # "ons" (we must answer) or "tegenpartij"
    van: str  # the party that must answer (address-book id)
    antwoorden: tuple[str, ...]  # any of these
    vraag_referentienummer: str
    vraag_berichttype: str
    uiterlijk: date | None  # the last day the answer is on time (None: no deadline, or not yet sent)
    overdue: bool  # today


@dataclass(frozen=True, slots=True)
class Tijdlijn:
    conversatie: str
    tegenpartij: str | None  # None: no conversation state here (only refused messages or notices)
    fase: str | None
    fase_uitleg: str | None  # in words, e.g. "waits for the answer to a Saldoverzoek"
    bron: str | None  # gateway | import | aangenomen
    vooraf_akkoord: bool
    stappen: tuple[TijdlijnStap, ...]  # oldest first
    verwacht: Verwachting | None  # None: nothing is awaited
    truncated: bool  # more than MAX_STAPPEN messages: the oldest are left out

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        for s in data["stappen"]:
            s["at"] = _iso(s["at"])
        if data["verwacht"] is not None:
            uiterlijk = data["verwacht"]["uiterlijk"]
            data["verwacht"]["uiterlijk"] = uiterlijk.isoformat() if uiterlijk else None
            data["verwacht"]["antwoorden"] = list(data["verwacht"]["antwoorden"])
        return data


async def tijdlijn(
    store: TijdlijnStore, conversatie: str, *, eigen_adres: str, vandaag: date
) -> Tijdlijn | None:
    """The conversation ``conversatie`` as seen by this gateway (``eigen_adres``) on the Dutch date
    ``vandaag``; None when neither a conversation nor any message of it is known here."""
    stand = await store.get_conversation(conversatie)
    page = await store.search_messages(BerichtFilter(conversatie=conversatie, limit=MAX_STAPPEN))
    berichten = [
        TijdlijnStap(
            at=m.at,
            direction=m.direction,
            van=eigen_adres if m.direction == "out" else m.tegenpartij,
            naar=m.tegenpartij if m.direction == "out" else eigen_adres,
            berichttype=m.berichttype,
            referentienummer=m.referentienummer,
            state=m.state,
        )
        for m in reversed(page.items)
    ]
    if stand is None and not berichten:
        return None
    stappen = (_geimporteerd(stand, eigen_adres) if stand else []) + berichten
    return Tijdlijn(
        conversatie=conversatie,
        tegenpartij=stand.tegenpartij if stand else None,
        fase=stand.fase if stand else None,
        fase_uitleg=_uitleg(stand),
        bron=stand.bron if stand else None,
        vooraf_akkoord=stand.vooraf_akkoord if stand else False,
        stappen=tuple(stappen),
        verwacht=_verwacht(stand, eigen_adres, vandaag) if stand else None,
        truncated=page.next_cursor is not None,
    )


def _uitleg(stand: Conversatie | None) -> str | None:
    return FASE_UITLEG[Fase(stand.fase)] if stand is not None else None


def _verwacht(stand: Conversatie, eigen_adres: str, vandaag: date) -> Verwachting | None:
    if stand.state is not ConversationState.OPEN:
        return None
    ons = stand.wacht_op is WachtOp.ONS
    return Verwachting(
        wie=str(stand.wacht_op),
        van=eigen_adres if ons else stand.tegenpartij,
        antwoorden=stand.verwachte_antwoorden,
        vraag_referentienummer=stand.vraag_referentienummer,
        vraag_berichttype=stand.vraag_berichttype,
        uiterlijk=stand.antwoord_uiterlijk,
        overdue=stand.antwoord_uiterlijk is not None and stand.antwoord_uiterlijk < vandaag,
    )


def _geimporteerd(stand: Conversatie, eigen_adres: str) -> list[TijdlijnStap]:
    stappen = []
    for s in stand.geimporteerd:
        ours = s.get("richting") == "uit"
        stappen.append(
            TijdlijnStap(
                at=datetime.fromisoformat(s["datum_tijd"]) if s.get("datum_tijd") else None,
                direction="import",
                van=eigen_adres if ours else stand.tegenpartij,
                naar=stand.tegenpartij if ours else eigen_adres,
                berichttype=str(s.get("berichttype")),
                referentienummer=str(s.get("referentienummer") or ""),
                state="imported",
            )
        )
    return stappen


def _iso(value: datetime | None) -> str | None:
    return value.isoformat().replace("+00:00", "Z") if value else None
