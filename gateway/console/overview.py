"""Overzicht: the figures an operator checks first, each linking to its list; refreshes itself."""

from __future__ import annotations

from dataclasses import dataclass

from aiohttp import web

from gateway.console.actions import recent_action
from gateway.console.formatting import BREAKER, duur
from gateway.console.web import render, state


@dataclass(frozen=True, slots=True)
class Figure:
    naam: str
    waarde: str
    link: str | None
    alarm: bool  # shown in red
    uitleg: str


async def figures(request: web.Request) -> list[Figure]:
    context = state(request).context
    counts = await context.store.attention_counts()
    wachtrij = counts.outbox.get("queued", 0) + counts.outbox.get("sending", 0)
    dead = counts.outbox.get("dead", 0)
    quarantaine = counts.inbox.get("quarantined", 0)
    achterstand = counts.sink.get("pending", 0) + counts.sink.get("delivering", 0)
    mislukt = counts.sink.get("dead", 0)
    te_laat = await context.store.count_overdue(today=context.today())
    freshness = await context.engine.fetch_freshness()
    breakers = context.engine.dispatcher.breaker_states()
    circuit = max((str(s) for s in breakers.values()), key=_BREAKER_ORDER.index, default="closed")
    days = context.certificate_days()
    warn_days = context.config.health.certificate_warning_days
    return [
        Figure("In de wachtrij", str(wachtrij), "/ui/berichten?richting=uit&status=queued", False,
               "verzonden berichten die nog niet bij de hub zijn afgeleverd"),
        Figure("Onbestelbaar", str(dead), "/ui/berichten?richting=uit&status=dead", dead > 0,
               "dead letters: opgegeven na hun termijn of een blijvende weigering"),
        Figure("In quarantaine", str(quarantaine), "/ui/quarantaine", quarantaine > 0,
               "ontvangen berichten die niet geldig waren (beantwoord met een Foutbericht)"),
        Figure("Te laat beantwoord", str(te_laat), "/ui/conversaties?status=overdue", te_laat > 0,
               "open conversaties voorbij hun antwoorddatum (werkdagen)"),
        Figure("Nog over te dragen", str(achterstand) + (f" (+{mislukt} mislukt)" if mislukt else ""),
               "/ui/berichten?richting=in&status=decoded", mislukt > 0,
               "ontvangen berichten die het eigen systeem nog niet heeft"),
        Figure("Laatst opgehaald", f"{duur(freshness.age_seconds)} geleden" if freshness.last_fetch
               else "nog nooit", "/ui/berichten?richting=in", not freshness.ok,
               "de hub verwijdert berichten die 5 werkdagen niet zijn opgehaald"),
        Figure("Circuit naar de hub", BREAKER.get(circuit, circuit),
               "/ui/berichten?richting=uit&status=queued", circuit != "closed",
               "open: na herhaalde storingen wacht de gateway even met verzenden"),
        Figure("Ons certificaat", "onbekend" if days is None else f"nog {days} dagen geldig", None,
               days is None or days <= warn_days, f"waarschuwing vanaf {warn_days} dagen"),
    ]  # fmt: skip


_BREAKER_ORDER = ["closed", "half-open", "open"]


async def overview(request: web.Request) -> web.Response:
    actie = await recent_action(request)
    return render(
        request, "overzicht.html", cijfers=await figures(request), actie=actie,
        verversen=state(request).settings.refresh_seconds, nu=state(request).context.clock(),
    )  # fmt: skip


async def figures_fragment(request: web.Request) -> web.Response:
    """The figures alone, for the page's own refresh (htmx)."""
    return render(
        request, "_cijfers.html", cijfers=await figures(request),
        verversen=state(request).settings.refresh_seconds, nu=state(request).context.clock(),
    )  # fmt: skip

