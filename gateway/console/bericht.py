"""Bericht: one message's timeline, findings, nul-aanbod on the wire, XML and JSON (BSN masked unless
an operator asks to see it, which is recorded), and the downloads of both (recorded too)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from aiohttp import web

from gateway.console.actions import recent_action, record
from gateway.console.content import document_view
from gateway.console.formatting import ACTIE, RESULTAAT, SINK_STATE, UITKOMST, sink_naam, state_label
from gateway.console.web import is_htmx, render, state
from gateway.store.records import InboxRow, OutboxRow


@dataclass(frozen=True, slots=True)
class Event:
    moment: datetime | None
    wat: str
    detail: str = ""
    fout: bool = False


def _outbound_timeline(row: OutboxRow, attempts) -> list[Event]:
    events = [Event(row.created_at, "In de wachtrij gezet")]
    for a in attempts:
        ok = a.outcome in ("delivered", "duplicate-accepted")
        detail = f"{a.duration_ms} ms" + (f" — {a.code}" if a.code else "") + (
            f": {a.reason}" if a.reason and not ok else ""
        )
        events.append(
            Event(a.started_at, f"Poging {a.attempt_no}: {UITKOMST.get(a.outcome, a.outcome)}",
                        detail, not ok)
        )  # fmt: skip
    if row.state == "delivered":
        events.append(Event(row.updated_at, "Afgeleverd bij de hub (ontvangst bevestigd)"))
    elif row.state == "dead":
        events.append(Event(row.updated_at, "Onbestelbaar: opgegeven", row.last_error or "", True))
    elif row.state == "queued" and attempts:
        events.append(Event(row.next_attempt_at, "Volgende poging gepland", row.last_error or ""))
    if row.purged_at:
        events.append(Event(row.purged_at, "Inhoud verwijderd (bewaartermijn)"))
    return events


def _inbound_timeline(row: InboxRow, sinks) -> list[Event]:
    events = []
    if row.hub_received_at:
        events.append(Event(row.hub_received_at, "Ontvangen door de hub"))
    events.append(Event(row.received_at, "Opgehaald bij de hub, handtekening en XSD gecontroleerd"))
    if row.confirmed_at:
        events.append(Event(row.confirmed_at, "Ophalen bevestigd aan de hub"))
    if row.state == "quarantined":
        events.append(
            Event(row.updated_at, "In quarantaine: ongeldig, beantwoord met een Foutbericht",
                        f"{len(row.problems)} probleem/problemen", True)
        )  # fmt: skip
    for s in sinks:
        label = SINK_STATE.get(str(s.state), str(s.state))
        detail = f"{s.attempts} poging(en)" + (f" — {s.last_error}" if s.last_error else "")
        events.append(
            Event(s.delivered_at or s.updated_at, f"Overdracht aan {sink_naam(s.sink)}: {label}", detail,
                        str(s.state) == "dead")
        )  # fmt: skip
    if row.purged_at:
        events.append(Event(row.purged_at, "Inhoud verwijderd (bewaartermijn)"))
    return events


async def _load(request: web.Request) -> tuple[OutboxRow | None, InboxRow | None]:
    store = state(request).context.store
    ref = request.match_info["ref"]
    outbound = await store.get_outbound(ref)
    inbound = None if outbound is not None else await store.get_inbound(ref)
    if outbound is None and inbound is None:
        raise web.HTTPNotFound(text=f"Geen bericht met Referentienummer {ref}.")
    return outbound, inbound


async def detail(request: web.Request, *, toon_bsn: bool = False) -> web.Response:
    context = state(request).context
    outbound, inbound = await _load(request)
    overdracht_mislukt = False
    if outbound is not None:
        row, direction, partij = outbound, "out", outbound.ontvanger
        tijdlijn = _outbound_timeline(outbound, await context.store.attempts(outbound.referentienummer))
        problems: tuple = ()
    else:
        assert inbound is not None
        row, direction, partij = inbound, "in", inbound.afzender
        sinks = await context.store.sink_deliveries(inbound.referentienummer)
        tijdlijn = _inbound_timeline(inbound, sinks)
        problems = inbound.problems
        overdracht_mislukt = any(str(s.state) == "dead" for s in sinks)
    acties = await context.store.list_actions(referentienummer=row.referentienummer, limit=20)
    for a in acties:
        if a.action in ("resend", "retry-now", "redeliver"):
            wat = f"{ACTIE[a.action].capitalize()} door {a.caller}: {RESULTAAT.get(a.result, a.result)}"
            tijdlijn.append(Event(a.at, wat, a.detail, a.result != "ok"))
    tijdlijn.sort(key=lambda g: g.moment or datetime.min.replace(tzinfo=row.updated_at.tzinfo))
    tegenpartij = context.adresboek.get(partij) if partij in context.adresboek else None
    view = document_view(row.document, toon_bsn=toon_bsn)
    # received: what the checks found on arrival (stored with it, also after retention); sent: the
    # rules on its content, which gave the warnings of its submission
    bevindingen = list(inbound.bevindingen) if inbound is not None else view.bevindingen
    values = dict(
        row=row, direction=direction, status=state_label(str(row.state), direction),
        tegenpartij=tegenpartij.naam if tegenpartij else partij,
        versie=tegenpartij.versie if tegenpartij else None,
        tijdlijn=tijdlijn, problems=problems, view=view, toon_bsn=toon_bsn,
        overdracht_mislukt=overdracht_mislukt, bevindingen=bevindingen,
        acties=acties,
        actie=await recent_action(request),
    )  # fmt: skip
    if is_htmx(request) and toon_bsn:
        return render(request, "_document.html", **values)
    return render(request, "bericht.html", **values)


async def page(request: web.Request) -> web.Response:
    return await detail(request)


async def show_bsn(request: web.Request) -> web.Response:
    """The same page with the BSN shown: a deliberate POST, recorded; never a URL to share."""
    await _load(request)
    ref = request.match_info["ref"]
    await record(request, "show-bsn", ref, "ok", "")
    return await detail(request, toon_bsn=True)


async def download(request: web.Request) -> web.StreamResponse:
    outbound, inbound = await _load(request)
    row = outbound or inbound
    assert row is not None
    soort = request.match_info["soort"]
    if row.document is None:
        raise web.HTTPNotFound(text="De inhoud van dit bericht is verwijderd (bewaartermijn).")
    if soort == "xml":
        body, content_type = row.document, "application/xml"
    else:
        view = document_view(row.document, toon_bsn=True)
        if view.json is None:
            raise web.HTTPNotFound(text="Dit bericht heeft geen JSON-vorm (het was niet geldig).")
        body, content_type = view.json.encode(), "application/json"
    await record(request, f"download-{soort}", row.referentienummer, "ok", "")
    return web.Response(
        body=body,
        content_type=content_type,
        charset="utf-8",
        headers={
            "Content-Disposition": f'attachment; filename="{row.berichttype}-{row.referentienummer}.{soort}"'
        },
    )

