"""What an operator may do (role ``operate``): resend a dead letter, send a waiting message now, send
the whole waiting queue now, hand a received message to the own system again when its delivery
died, fetch from the hub now.

Each action first shows a confirmation page (GET; with JavaScript the button asks in a dialog and
posts at once), then runs on POST, is recorded in the store (who, when, what, which message, the
result) and the browser is sent to a page that shows that record.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from aiohttp import web

from gateway.api.auth import Role
from gateway.console.formatting import sink_naam
from gateway.console.web import PREFIX, caller, render, require, see_other, state
from gateway.store.base import InvalidTransition, NotFound
from gateway.store.records import ConsoleAction

log = logging.getLogger("gateway.console")


@dataclass(frozen=True, slots=True)
class Action:
    code: str  # recorded name
    titel: str
    vraag: str
    knop: str
    per_bericht: bool


ACTIONS = {
    "opnieuw": Action("resend", "Opnieuw versturen",
                     "Dit onbestelbare bericht opnieuw versturen, met hetzelfde Referentienummer en een "
                     "nieuwe termijn?", "Ja, opnieuw versturen", True),
    "nu": Action("retry-now", "Nu versturen",
                "Dit bericht in de wachtrij nu versturen in plaats van op de geplande tijd?",
                "Ja, nu versturen", True),
    "overdragen": Action("redeliver", "Opnieuw overdragen",
                        "Dit ontvangen bericht opnieuw overdragen aan het eigen systeem, voor elke "
                        "overdracht die is mislukt?", "Ja, opnieuw overdragen", True),
    "alles-nu": Action("retry-all-now", "Wachtrij nu versturen",
                      "Alle berichten in de wachtrij die op een volgende poging wachten nu versturen?",
                      "Ja, alles nu versturen", False),
    "ophalen": Action("fetch-now", "Nu ophalen bij de hub",
                     "Nu berichten ophalen bij de hub, zonder op de volgende ronde te wachten?",
                     "Ja, nu ophalen", False),
}  # fmt: skip


async def record(
    request: web.Request, action: str, ref: str | None, result: str, detail: str
) -> ConsoleAction:
    """Store who did what on which message and how it went (never a name or BSN in ``detail``)."""
    context = state(request).context
    who = caller(request).name
    saved = await context.store.record_action(
        ConsoleAction(context.clock(), who, action, ref, result, detail)
    )
    log.info("console action %s%s by %s: %s", action, f" on {ref}" if ref else "", who, result)
    return saved


async def recent_action(request: web.Request) -> ConsoleAction | None:
    """The action named by ``?actie=ID`` (the page an action sent the browser to shows its result)."""
    raw = request.query.get("actie", "")
    if not raw.isdigit() or len(raw) > 18:
        return None
    return await state(request).context.store.get_action(int(raw))


def _action(request: web.Request) -> tuple[Action, str | None]:
    actie = ACTIONS.get(request.match_info["naam"])
    ref = request.match_info.get("ref")
    if actie is None or actie.per_bericht != (ref is not None):
        raise web.HTTPNotFound(text="Deze actie bestaat niet.")
    return actie, ref


async def confirm(request: web.Request) -> web.Response:
    actie, ref = _action(request)
    refused = require(request, Role.OPERATE)
    if refused is not None:
        return refused
    terug = f"{PREFIX}/berichten/{ref}" if ref else f"{PREFIX}/"
    return render(request, "bevestig.html", actie=actie, ref=ref, doel=request.path, terug=terug)


async def perform(request: web.Request) -> web.Response:
    actie, ref = _action(request)
    refused = require(request, Role.OPERATE)
    if refused is not None:
        return refused
    result, detail = await _run(request, actie.code, ref)
    saved = await record(request, actie.code, ref, result, detail)
    terug = f"{PREFIX}/berichten/{ref}" if ref else f"{PREFIX}/"
    return see_other(request, f"{terug}?actie={saved.id}")


async def _run(request: web.Request, code: str, ref: str | None) -> tuple[str, str]:
    context = state(request).context
    engine, store = context.engine, context.store
    if code == "fetch-now":
        engine.fetch_now()
        return "ok", "ophalen bij de hub gestart"
    if code == "retry-all-now":
        moved = await engine.retry_now()
        return "ok", f"{moved} bericht(en) nu aan de beurt"
    assert ref is not None
    if code == "redeliver":
        if await store.get_inbound(ref) is None:
            raise web.HTTPNotFound(text=f"Geen ontvangen bericht met Referentienummer {ref}.")
        try:
            sinks = await engine.redeliver(ref)
        except (InvalidTransition, NotFound):
            return "refused", "niet opnieuw overgedragen: geen overdracht van dit bericht is mislukt"
        return "ok", f"opnieuw aangeboden aan {', '.join(sink_naam(s) for s in sinks)}"
    row = await store.get_outbound(ref)
    if row is None:
        raise web.HTTPNotFound(text=f"Geen verzonden bericht met Referentienummer {ref}.")
    if code == "resend":
        try:
            await engine.resend(ref)
        except (InvalidTransition, NotFound) as exc:
            return "refused", f"niet opnieuw verstuurd: {_nl_state(exc, row.state)}"
        return "ok", "weer in de wachtrij, wordt nu verstuurd"
    try:
        moved = await engine.retry_now(ref)
    except (InvalidTransition, NotFound):
        moved = 0
    if not moved:
        return "refused", f"wacht niet op een volgende poging (status: {row.state})"
    return "ok", "nu aan de beurt"


def _nl_state(exc: Exception, current: str) -> str:
    if isinstance(exc, InvalidTransition):
        return f"alleen een onbestelbaar bericht met inhoud kan opnieuw (status: {current})"
    return "bericht niet gevonden"
