"""Berichten: every message in and out, filtered, paged (keyset) and sorted by time.

Filters that are no personal data travel in the URL (direction, type, state, counterpart, period,
Referentienummer, conversation, order, page). A KlantnummerSHV never does: the search form is
POSTed, the value stays in the session and the URL gets an opaque handle (``z``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from urllib.parse import urlencode

from aiohttp import web

from gateway.console.formatting import DIRECTION, RICHTING, STATE_FILTER
from gateway.console.web import PREFIX, render, see_other, session, state
from gateway.engine.werkdagen import NL_TZ
from gateway.model.berichttype import Berichttype
from gateway.store.search import BerichtFilter

PAGE = 50
_STATES = {value for value, _ in STATE_FILTER}
_TYPES = tuple(b.value for b in Berichttype)
_URL_KEYS = ("richting", "type", "status", "partij", "van", "tot", "ref", "conv", "sort")
_MAX_TEXT = 100


@dataclass
class SearchQuery:
    """The search as the form shows it, and the problems with what was given."""

    waarden: dict[str, str]  # the URL keys and "klant"
    fouten: list[str]

    def filter(self, cursor: str | None) -> BerichtFilter:
        w = self.waarden
        return BerichtFilter(
            berichttype=w.get("type") or None,
            direction=DIRECTION.get(w.get("richting", "")),
            state=w.get("status") or None,
            tegenpartij=w.get("partij") or None,
            conversatie=w.get("conv") or None,
            since=_day_start(w.get("van")),
            until=_day_start(w.get("tot"), next_day=True),
            referentienummer=w.get("ref") or None,
            klantnummer_shv=w.get("klant") or None,
            oldest_first=w.get("sort") == "oud",
            limit=PAGE,
            cursor=cursor,
        )

    def url(self, handle: str | None, **extra: str) -> str:
        params = {k: self.waarden[k] for k in _URL_KEYS if self.waarden.get(k)}
        if handle:
            params["z"] = handle
        params.update({k: v for k, v in extra.items() if v})
        return f"{PREFIX}/berichten" + (f"?{urlencode(params)}" if params else "")


def _day_start(text: str | None, *, next_day: bool = False) -> datetime | None:
    if not text:
        return None
    day = date.fromisoformat(text) + (timedelta(days=1) if next_day else timedelta())
    return datetime.combine(day, time(0), NL_TZ)


def _clean(values: dict[str, str], adresboek_ids: set[str]) -> SearchQuery:
    w = {k: v.strip()[:_MAX_TEXT] for k, v in values.items() if isinstance(v, str) and v.strip()}
    fouten = []
    checks = (
        ("richting", set(RICHTING), "Richting"),
        ("type", set(_TYPES), "Berichttype"),
        ("status", _STATES, "Status"),
        ("partij", adresboek_ids, "Tegenpartij"),
        ("sort", {"oud", "nieuw"}, "Volgorde"),
    )
    for key, allowed, naam in checks:
        if key in w and w[key] not in allowed:
            fouten.append(f"{naam}: onbekende waarde, genegeerd.")
            del w[key]
    for key, naam in (("van", "Vanaf"), ("tot", "Tot en met")):
        if key in w:
            try:
                date.fromisoformat(w[key])
            except ValueError:
                fouten.append(f"{naam}: geef een datum als jjjj-mm-dd.")
                del w[key]
    return SearchQuery(w, fouten)


def _ids(request: web.Request) -> set[str]:
    return {p.id for p in state(request).context.adresboek}


async def list_page(request: web.Request) -> web.Response:
    values = {k: request.query.get(k, "") for k in _URL_KEYS}
    handle = request.query.get("z") or None
    verlopen = False
    if handle:
        saved = session(request).search(handle)
        if saved is None:
            verlopen, handle = True, None
        else:
            values.update(saved)
    vraag = _clean(values, _ids(request))
    if verlopen:
        vraag.fouten.append("De zoekopdracht met het klantnummer is verlopen; zoek opnieuw.")
    cursor = request.query.get("na") or None
    context = state(request).context
    try:
        pagina = await context.store.search_messages(vraag.filter(cursor))
    except ValueError:  # a page cursor this store did not hand out
        cursor = None
        vraag.fouten.append("Onbekende pagina; de eerste pagina wordt getoond.")
        pagina = await context.store.search_messages(vraag.filter(None))
    return render(
        request,
        "berichten.html",
        vraag=vraag.waarden,
        fouten=vraag.fouten,
        items=pagina.items,
        volgende=vraag.url(handle, na=pagina.next_cursor) if pagina.next_cursor else None,
        eerste=vraag.url(handle) if cursor else None,
        sorteer_oud=vraag.url(handle, sort="oud"),
        sorteer_nieuw=vraag.url(handle, sort="nieuw"),
        partijen=sorted(context.adresboek, key=lambda p: p.naam),
        namen={p.id: p.naam for p in context.adresboek},
        typen=_TYPES,
        statussen=STATE_FILTER,
    )


async def search(request: web.Request) -> web.Response:
    """The search form (POST): KlantnummerSHV into the session, the rest into the URL."""
    form = await request.post()
    values = {k: str(form.get(k, "")) for k in (*_URL_KEYS, "klant")}
    vraag = _clean(values, _ids(request))
    klant = vraag.waarden.pop("klant", None)
    handle = session(request).remember_search({"klant": klant}) if klant else None
    return see_other(request, vraag.url(handle))
