"""Quarantaine (reason and the Foutbericht sent), Adresboek (version, SA support) and Logboek (what
operators did in the console)."""

from __future__ import annotations

from dataclasses import dataclass

from aiohttp import web

from gateway.console.formatting import state_label
from gateway.console.web import PREFIX, render, state
from gateway.store.records import QuarantineRow

MAX_QUARANTINE = 500
PAGE = 50


@dataclass(frozen=True, slots=True)
class QuarantineLine:
    row: QuarantineRow
    afzender: str
    foutbericht_status: str | None


async def quarantine(request: web.Request) -> web.Response:
    context = state(request).context
    rows = await context.store.list_quarantine(limit=MAX_QUARANTINE)
    regels = []
    for row in reversed(rows):  # newest first
        status = None
        if row.foutbericht_referentienummer:
            fout = await context.store.get_outbound(row.foutbericht_referentienummer)
            status = state_label(str(fout.state), "out") if fout is not None else None
        naam = context.adresboek.get(row.afzender).naam if row.afzender in context.adresboek else row.afzender
        regels.append(QuarantineLine(row, naam, status))
    return render(request, "quarantaine.html", regels=regels, afgekapt=len(rows) >= MAX_QUARANTINE)


async def adresboek(request: web.Request) -> web.Response:
    context = state(request).context
    partijen = sorted(context.adresboek, key=lambda p: p.naam)
    return render(request, "adresboek.html", partijen=partijen)


async def action_log(request: web.Request) -> web.Response:
    raw = request.query.get("pagina", "1")
    nummer = int(raw) if raw.isdigit() and 0 < int(raw) <= 10_000 else 1
    acties = await state(request).context.store.list_actions(limit=PAGE + 1, offset=(nummer - 1) * PAGE)
    return render(
        request, "logboek.html", acties=acties[:PAGE],
        volgende=f"{PREFIX}/logboek?pagina={nummer + 1}" if len(acties) > PAGE else None,
        vorige=f"{PREFIX}/logboek?pagina={nummer - 1}" if nummer > 1 else None,
    )  # fmt: skip
