"""Conversaties: the list (open, answered, overdue) and one conversation as a timeline SHV ↔ SE, with
what it awaits, from whom, and by when in werkdagen (overdue in red).

One conversation is read through the conversation state machine's timeline
(:func:`gateway.conversatie.tijdlijn.tijdlijn`): its phase, what it awaits from whom and by when, and
every step — ours, theirs, refused ones, and those an import named from a previous system.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlencode

from aiohttp import web

from gateway.console.formatting import state_label, termijn
from gateway.console.web import PREFIX, render, state
from gateway.conversatie.tabel import Fase
from gateway.conversatie.tijdlijn import tijdlijn
from gateway.store.records import Conversatie

PAGE = 50
_STATES = {"open": "open", "answered": "beantwoord", "overdue": "te laat"}


@dataclass(frozen=True, slots=True)
class ListRow:
    conversatie: Conversatie
    tegenpartij: str
    termijn: str
    te_laat: bool


async def list_page(request: web.Request) -> web.Response:
    context = state(request).context
    status = request.query.get("status", "")
    status = status if status in _STATES else ""
    raw = request.query.get("pagina", "1")
    nummer = int(raw) if raw.isdigit() and 0 < int(raw) <= 10_000 else 1
    items = await context.store.list_conversations(
        state=status or None, today=context.today(), limit=PAGE + 1, offset=(nummer - 1) * PAGE
    )
    today = context.today()
    regels = []
    for c in items[:PAGE]:
        tekst, laat = termijn(c.antwoord_uiterlijk, today) if c.state == "open" else ("", False)
        regels.append(ListRow(c, _naam(context, c.tegenpartij), tekst, laat))

    def link(n: int) -> str:
        query = {k: v for k, v in (("status", status), ("pagina", n)) if v}
        return f"{PREFIX}/conversaties?" + urlencode(query)

    return render(
        request, "conversaties.html", regels=regels, status=status, statussen=_STATES,
        volgende=link(nummer + 1) if len(items) > PAGE else None,
        vorige=link(nummer - 1) if nummer > 1 else None,
    )  # fmt: skip


def _naam(context, adres: str) -> str:
    return context.adresboek.get(adres).naam if adres in context.adresboek else adres


FASE_NL: dict[str, str] = {
    Fase.NIEUW: "bestaat nog niet",
    Fase.KENNISGEVING: "Kennisgeving verstuurd; de schuldeiser mag antwoorden (geen termijn)",
    Fase.GEMELD: "Kennisgeving beantwoord",
    Fase.SALDO_GEVRAAGD: "wacht op het antwoord op een Saldoverzoek",
    Fase.SALDO_ONTVANGEN: "Saldoverzoek beantwoord",
    Fase.VOORAF_AKKOORD: "de schuldeiser gaf vooraf akkoord",
    Fase.VOORSTEL: "wacht op het antwoord op een Betaalvoorstel of Heroverweging",
    Fase.VOORSTEL_VOORAF_AKKOORD: "Betaalvoorstel na een vooraf akkoord (er wordt niets verwacht)",
    Fase.AKKOORD: "de schuldeiser ging akkoord met het voorstel",
    Fase.NIET_AKKOORD: "de schuldeiser ging niet akkoord met het voorstel",
    Fase.REGELING: "de schuldregeling loopt (SchuldregelingAkkoord verstuurd)",
    Fase.BEEINDIGD: "beëindigd (SchuldregelingBeeindigd)",
    Fase.GEEN_MEDEWERKING: "beëindigd (GeenMedewerking)",
    Fase.STATUS_GEVRAAGD: "wacht op het antwoord op een Statusverzoek",
    Fase.STATUS_GEGEVEN: "Statusverzoek beantwoord",
}
_IMPORTED = {"import": "geïmporteerd (eerder systeem)"}


@dataclass(frozen=True, slots=True)
class Step:
    moment: datetime | None
    van: str
    naar: str
    uit: bool  # sent by us
    berichttype: str
    referentienummer: str
    status: str
    link: bool  # a message held here (an imported step is only named)


async def page(request: web.Request) -> web.Response:
    """One conversation as the conversation state machine sees it (gateway.conversatie.tijdlijn)."""
    context = state(request).context
    conv_id = request.match_info["conv"]
    config = context.config
    lijn = await tijdlijn(context.store, conv_id, eigen_adres=config.gateway.adres, vandaag=context.today())
    if lijn is None:
        raise web.HTTPNotFound(text=f"Geen conversatie {conv_id}.")
    stappen = [
        Step(
            s.at, _partij(context, s.van), _partij(context, s.naar), s.van == config.gateway.adres,
            s.berichttype, s.referentienummer,
            _IMPORTED.get(s.direction) or state_label(s.state, s.direction), s.direction != "import",
        )
        for s in lijn.stappen
    ]  # fmt: skip
    wacht = None
    if lijn.verwacht is not None:
        v = lijn.verwacht
        tekst, _ = termijn(v.uiterlijk, context.today())
        wacht = {
            "op": _partij(context, v.van),
            "antwoorden": v.antwoorden,
            "vraag": v.vraag_referentienummer,
            "vraag_type": v.vraag_berichttype,
            "uiterlijk": v.uiterlijk,
            "termijn": tekst,
            "te_laat": v.overdue,
        }
    tegenpartij = lijn.tegenpartij or (
        next((s.van if s.direction == "in" else s.naar for s in lijn.stappen), None)
    )
    return render(
        request, "conversatie.html", conv_id=conv_id, lijn=lijn, stappen=stappen, wacht=wacht,
        fase=FASE_NL.get(lijn.fase or "", lijn.fase_uitleg), vooraf_akkoord=lijn.vooraf_akkoord,
        tegenpartij=_naam(context, tegenpartij) if tegenpartij else "–",
    )  # fmt: skip


def _partij(context, adres: str) -> str:
    """A party by name and role: us, or a counterpart of the address book."""
    config = context.config
    if adres == config.gateway.adres:
        return f"{config.gateway.naam} ({config.gateway.rol.value})"
    if adres in context.adresboek:
        partij = context.adresboek.get(adres)
        return f"{partij.naam} ({partij.rol.value})"
    return adres
