"""Conversaties: the list (open, answered, overdue) and one conversation as a timeline SHV ↔ SE, with
what it awaits, from whom, and by when in werkdagen (overdue in red).

What a conversation awaits is read from the store's conversation row (question, wacht_op, expected
answers, answer date) and its messages from the message search by conversation.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlencode

from aiohttp import web

from gateway.console.formatting import state_label, termijn
from gateway.console.web import PREFIX, render, state
from gateway.store.records import Conversatie, WachtOp
from gateway.store.search import BerichtFilter

PAGE = 50
MAX_MESSAGES = 500
_STATES = {"open": "open", "answered": "beantwoord", "overdue": "te laat"}


@dataclass(frozen=True, slots=True)
class Regel:
    conversatie: Conversatie
    tegenpartij: str
    termijn: str
    te_laat: bool


async def lijst(request: web.Request) -> web.Response:
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
        regels.append(Regel(c, _naam(context, c.tegenpartij), tekst, laat))

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


@dataclass(frozen=True, slots=True)
class Stap:
    moment: datetime
    van: str
    naar: str
    uit: bool  # sent by us
    berichttype: str
    referentienummer: str
    status: str


async def pagina(request: web.Request) -> web.Response:
    context = state(request).context
    conv_id = request.match_info["conv"]
    conversatie = await context.store.get_conversation(conv_id)
    berichten = await context.store.search_messages(
        BerichtFilter(conversatie=conv_id, oplopend=True, limit=MAX_MESSAGES)
    )
    if conversatie is None and not berichten.items:
        raise web.HTTPNotFound(text=f"Geen conversatie {conv_id}.")
    config = context.config
    wij = f"{config.gateway.naam} ({config.gateway.rol.value})"
    zij_rol = "SE" if config.gateway.rol.value == "SHV" else "SHV"
    stappen = []
    for m in berichten.items:
        zij = f"{_naam(context, m.tegenpartij)} ({zij_rol})"
        van, naar = (wij, zij) if m.richting == "uit" else (zij, wij)
        stappen.append(
            Stap(m.moment, van, naar, m.richting == "uit", m.berichttype, m.referentienummer,
                 state_label(m.state, m.richting))
        )  # fmt: skip
    wacht = None
    if conversatie is not None:
        tekst, laat = termijn(conversatie.antwoord_uiterlijk, context.today())
        wacht_op = (
            _naam(context, conversatie.tegenpartij)
            if conversatie.wacht_op is WachtOp.TEGENPARTIJ
            else f"ons ({config.gateway.naam})"
        )
        wacht = {"op": wacht_op, "termijn": tekst, "te_laat": laat and conversatie.state == "open"}
    return render(
        request, "conversatie.html", conv_id=conv_id, conversatie=conversatie, stappen=stappen, wacht=wacht,
        tegenpartij=_naam(context, conversatie.tegenpartij) if conversatie else
        (_naam(context, berichten.items[0].tegenpartij) if berichten.items else "–"),
        afgekapt=berichten.volgende is not None,
    )  # fmt: skip
