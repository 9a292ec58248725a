"""/api/conversaties: list conversations, one conversation as a timeline, import a previous system's."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from aiohttp import web

from gateway.api.context import CONTEXT, check_parameters, dry_run_parameter, json_error
from gateway.conversatie.importeren import importeer
from gateway.conversatie.tijdlijn import tijdlijn
from gateway.store.records import Conversatie

MAX_PAGE = 500
MAX_OFFSET = 1_000_000
_STATES = ("open", "answered", "overdue")


def _ctx(request: web.Request):
    return request.app[CONTEXT]


def _iso(value: datetime | None) -> str | None:
    return value.isoformat().replace("+00:00", "Z") if value else None


def _conversation(c: Conversatie) -> dict[str, Any]:
    return {
        "conversatie": c.conversatie,
        "tegenpartij": c.tegenpartij,
        "fase": c.fase,
        "vooraf_akkoord": c.vooraf_akkoord,
        "vraag_referentienummer": c.vraag_referentienummer,
        "vraag_berichttype": c.vraag_berichttype,
        "wacht_op": str(c.wacht_op),
        "verwachte_antwoorden": list(c.verwachte_antwoorden),
        "antwoord_uiterlijk": c.antwoord_uiterlijk.isoformat() if c.antwoord_uiterlijk else None,
        "state": str(c.state),
        "geopend_op": _iso(c.geopend_op),
        "beantwoord_door": c.beantwoord_door,
        "beantwoord_op": _iso(c.beantwoord_op),
        "bron": c.bron,
    }


async def conversations(request: web.Request) -> web.Response:
    check_parameters(request.query, ("state", "limit", "offset"))
    context = _ctx(request)
    state = request.query.get("state") or None
    if state and state not in _STATES:
        return json_error(400, "state: expected open, answered or overdue", code="invalid-query")
    try:
        limit, offset = int(request.query.get("limit", "50")), int(request.query.get("offset", "0"))
    except ValueError:
        return json_error(400, "limit and offset: expected numbers", code="invalid-query")
    if not 1 <= limit <= MAX_PAGE or not 0 <= offset <= MAX_OFFSET:
        message = f"limit: expected 1 to {MAX_PAGE}; offset: 0 to {MAX_OFFSET}"
        return json_error(400, message, code="invalid-query")
    items = await context.store.list_conversations(
        state=state, today=context.today(), limit=limit, offset=offset
    )
    return web.json_response({"items": [_conversation(c) for c in items]})


async def timeline(request: web.Request) -> web.Response:
    """Who sent what and when, what is awaited now, by when, and whether that is overdue."""
    context = _ctx(request)
    conversatie = request.match_info["conversatie"]
    found = await tijdlijn(
        context.store, conversatie, eigen_adres=context.config.gateway.adres, vandaag=context.today()
    )
    if found is None:
        return json_error(404, f"no conversation {conversatie} and no message of it", code="not-found")
    return web.json_response(found.to_dict())


async def import_conversations(request: web.Request) -> web.Response:
    """Register the open conversations a previous system started (all or nothing; ?dry_run=true)."""
    check_parameters(request.query, ("dry_run",))
    dry_run = dry_run_parameter(request.query)
    try:
        body = await request.json(loads=json.loads)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        return json_error(400, f"the body is not valid JSON: {exc}", code="invalid-json")
    context = _ctx(request)
    result = await importeer(
        context.store, body, adresboek=context.adresboek, rol=context.config.gateway.rol, dry_run=dry_run
    )
    if not result.ok:
        said = "not every conversation was imported" if result.imported else "nothing was imported"
        return web.json_response({"error": said, "code": "refused", **result.to_dict()}, status=422)
    return web.json_response({**result.to_dict(), "dry_run": dry_run}, status=200)
