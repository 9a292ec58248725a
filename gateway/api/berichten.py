"""/api/berichten: submit, search, inspect and resend messages (conversations: gateway.api.conversaties)."""

from __future__ import annotations

import json
from dataclasses import asdict
from datetime import datetime
from functools import lru_cache
from typing import Any

from aiohttp import web

from gateway.api.context import CONTEXT, bad_query, check_parameters, dry_run_parameter, json_error
from gateway.codec import DecodeError, decode
from gateway.codec.json_form import to_json
from gateway.engine.findings import json_with_bevindingen
from gateway.model.berichttype import Berichttype
from gateway.store.base import InvalidTransition, NotFound
from gateway.store.records import InboxRow, InboxState, OutboxRow, OutboxState
from gateway.store.search import BerichtFilter, BerichtSummary
from gateway.submission import Conflict, DryRun, Refused, Submitted
from gateway.xml.catalogue import default_catalogue

MAX_PAGE = 500
_DIRECTIONS = ("out", "in")
SEARCH_PARAMETERS = (
    "berichttype",
    "direction",
    "state",
    "tegenpartij",
    "conversatie",
    "from",
    "until",
    "limit",
    "cursor",
)


MAX_JSON_DEPTH = 32  # a message's JSON form nests a handful of levels
_STATES = {
    "out": tuple(str(s) for s in OutboxState),
    "in": tuple(str(s) for s in InboxState),
}
_ALL_STATES = tuple(dict.fromkeys(_STATES["out"] + _STATES["in"]))


@lru_cache(maxsize=1)
def _berichttypen() -> frozenset[str]:
    """What a message's berichttype can be in the store: the version-free names, and the root names
    of each version (an inbound message that could not be recognised keeps the hub's name)."""
    return frozenset(b.value for b in Berichttype) | {e.root for e in default_catalogue().entries}


def _deeper_than(value: Any, limit: int) -> bool:
    """Whether JSON ``value`` nests deeper than ``limit`` arrays/objects (iterative: no recursion)."""
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        children = item.values() if isinstance(item, dict) else item if isinstance(item, list) else ()
        for child in children:
            if isinstance(child, dict | list):
                if depth + 1 > limit:
                    return True
                stack.append((child, depth + 1))
    return False


def _ctx(request: web.Request):
    return request.app[CONTEXT]


def _iso(value: datetime | None) -> str | None:
    return value.isoformat().replace("+00:00", "Z") if value else None


async def submit(request: web.Request) -> web.Response:
    """``POST /api/berichten``; with ``?dry_run=true`` every check and the XML, nothing stored (200)."""
    check_parameters(request.query, ("dry_run",))
    dry_run = dry_run_parameter(request.query)
    try:
        body = await request.json(loads=json.loads)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        return json_error(400, f"the body is not valid JSON: {exc}", code="invalid-json")
    except RecursionError:  # Python's JSON parser gives up on very deep nesting
        return json_error(400, f"the body nests deeper than {MAX_JSON_DEPTH} levels", code="json-too-deep")
    if _deeper_than(body, MAX_JSON_DEPTH):
        return json_error(400, f"the body nests deeper than {MAX_JSON_DEPTH} levels", code="json-too-deep")
    context = _ctx(request)
    try:
        if dry_run:
            dry = await context.submitter.dry_run(body)
            return web.json_response(_dry_run(dry), status=200)
        result = await context.submitter.submit(body)
    except Refused as exc:
        return web.json_response(
            {"error": "the message was not accepted", "code": "refused", "findings": exc.findings}, status=422
        )
    except Conflict as exc:
        return json_error(409, str(exc), code="referentienummer-conflict")
    return web.json_response(
        _accepted(result), status=202, headers={"Location": f"/api/berichten/{result.referentienummer}"}
    )


def _accepted(result: Submitted) -> dict[str, Any]:
    return {
        "referentienummer": result.referentienummer,
        "conversatie": result.conversatie,
        "berichttype": result.berichttype,
        "versie": result.versie,
        "new": result.new,
        "warnings": [f.to_dict() for f in result.warnings],
    }


def _dry_run(dry: DryRun) -> dict[str, Any]:
    """The submission's answer had it been real, the exact XML, and the JSON form as filled in."""
    return {
        "dry_run": True,
        **_accepted(dry.submitted),
        "xml": dry.document.decode("utf-8"),
        "bericht": dry.bericht,
    }


def _filter(query: Any) -> BerichtFilter:
    check_parameters(query, SEARCH_PARAMETERS)

    def when(name: str) -> datetime | None:
        raw = query.get(name)
        if not raw:
            return None
        try:
            value = datetime.fromisoformat(raw.replace("Z", "+00:00"))
        except ValueError:
            raise bad_query(f"{name}: expected an ISO date-time such as 2025-11-03T09:00:00Z") from None
        if value.tzinfo is None:
            raise bad_query(f"{name}: give the time zone (Z for UTC)")
        return value

    direction = query.get("direction")
    if direction and direction not in _DIRECTIONS:
        raise bad_query("direction: expected out or in")
    state = query.get("state")
    states = _STATES.get(direction or "", _ALL_STATES)
    if state and state not in states:
        raise bad_query(f"state: expected one of {', '.join(states)}")
    berichttype = query.get("berichttype")
    if berichttype and berichttype not in _berichttypen():
        raise bad_query(f"berichttype: expected one of {', '.join(b.value for b in Berichttype)}")
    try:
        limit = int(query.get("limit", "50"))
    except ValueError:
        raise bad_query("limit: expected a number") from None
    if not 1 <= limit <= MAX_PAGE:
        raise bad_query(f"limit: expected 1 to {MAX_PAGE}")
    return BerichtFilter(
        berichttype=berichttype or None,
        direction=direction or None,
        state=state or None,
        tegenpartij=query.get("tegenpartij") or None,
        conversatie=query.get("conversatie") or None,
        since=when("from"),
        until=when("until"),
        limit=limit,
        cursor=query.get("cursor") or None,
    )


def _summary(item: BerichtSummary) -> dict[str, Any]:
    data = asdict(item)
    data["at"], data["updated_at"] = _iso(item.at), _iso(item.updated_at)
    return data


async def search(request: web.Request) -> web.Response:
    f = _filter(request.query)
    try:
        page = await _ctx(request).store.search_messages(f)
    except ValueError as exc:
        return json_error(400, f"cursor: {exc}", code="invalid-query")
    return web.json_response({"items": [_summary(i) for i in page.items], "next": page.next_cursor})


async def detail(request: web.Request) -> web.Response:
    context = _ctx(request)
    ref = request.match_info["referentienummer"]
    outbound = await context.store.get_outbound(ref)
    if outbound is not None:
        return web.json_response(await _outbound_detail(context, outbound))
    inbound = await context.store.get_inbound(ref)
    if inbound is not None:
        return web.json_response(await _inbound_detail(context, inbound))
    return json_error(404, f"no message with Referentienummer {ref}", code="not-found")


async def _outbound_detail(context: Any, row: OutboxRow) -> dict[str, Any]:
    attempts = await context.store.attempts(row.referentienummer)
    document = row.document.decode("utf-8") if row.document else None
    json_form = None
    if row.document:
        try:
            json_form = to_json(decode(row.document))
        except DecodeError:
            json_form = None
    return {
        "referentienummer": row.referentienummer,
        "direction": "out",
        "berichttype": row.berichttype,
        "tegenpartij": row.ontvanger,
        "conversatie": row.conversatie,
        "state": str(row.state),
        "attempts": [
            {
                "started_at": _iso(a.started_at),
                "duration_ms": a.duration_ms,
                "outcome": a.outcome,
                "code": a.code,
                "reason": a.reason,
            }
            for a in attempts
        ],
        "last_error": row.last_error,
        "next_attempt_at": _iso(row.next_attempt_at),
        "deadline": _iso(row.deadline),
        "created_at": _iso(row.created_at),
        "updated_at": _iso(row.updated_at),
        "purged_at": _iso(row.purged_at),
        "sha256": row.sha256,
        "xml": document,
        "json": json_form,
    }


async def _inbound_detail(context: Any, row: InboxRow) -> dict[str, Any]:
    sinks = await context.store.sink_deliveries(row.referentienummer)
    return {
        "referentienummer": row.referentienummer,
        "direction": "in",
        "berichttype": row.berichttype,
        "tegenpartij": row.afzender,
        "afzender_oin": row.afzender_oin,  # as the hub named it (checked against the address book)
        "conversatie": row.conversatie,
        "state": str(row.state),
        "valid": row.valid,
        "problems": list(row.problems),
        "received_at": _iso(row.received_at),
        "confirmed_at": _iso(row.confirmed_at),
        "updated_at": _iso(row.updated_at),
        "purged_at": _iso(row.purged_at),
        "sinks": [
            {"sink": s.sink, "state": str(s.state), "attempts": s.attempts, "last_error": s.last_error}
            for s in sinks
        ],
        "sha256": row.sha256,
        "xml": row.document.decode("utf-8") if row.document else None,
        "findings": list(row.bevindingen),  # also in the JSON form, as its "bevindingen"
        "json": json.loads(json_with_bevindingen(row.json_body, row.bevindingen)) if row.json_body else None,
    }


async def resend(request: web.Request) -> web.Response:
    context = _ctx(request)
    ref = request.match_info["referentienummer"]
    if await context.store.get_outbound(ref) is not None:
        try:
            row = await context.engine.resend(ref)
        except InvalidTransition as exc:
            return json_error(409, str(exc), code="not-dead")
        return web.json_response({"referentienummer": ref, "state": str(row.state)}, status=202)
    if await context.store.get_inbound(ref) is not None:
        return await _resend_sinks(context, ref)
    return json_error(404, f"no message with Referentienummer {ref}", code="not-found")


async def _resend_sinks(context: Any, ref: str) -> web.Response:
    try:
        sinks = await context.engine.redeliver(ref)
    except (NotFound, InvalidTransition) as exc:
        return json_error(409, str(exc), code="nothing-to-redeliver")
    return web.json_response({"referentienummer": ref, "sinks": sinks, "state": "pending"}, status=202)


async def fetch_now(request: web.Request) -> web.Response:
    _ctx(request).engine.fetch_now()
    return web.json_response({"fetch": "started"}, status=202)
