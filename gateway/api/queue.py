"""/api/queue/retry-now: the hub is back, send what waits now instead of at the end of its backoff."""

from __future__ import annotations

import re

from aiohttp import web

from gateway.api.context import CONTEXT, check_parameters, json_error
from gateway.store.base import InvalidTransition, NotFound

_UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


async def retry_now(request: web.Request) -> web.Response:
    """Every queued outbound message is due now (``?referentienummer=…``: only that one), and an open
    circuit sends its probe at once. 202 with how many were waiting."""
    check_parameters(request.query, ("referentienummer",))
    context = request.app[CONTEXT]
    ref = request.query.get("referentienummer") or None
    if ref is not None and not _UUID.match(ref):
        return json_error(400, "referentienummer: expected a lowercase UUID", code="invalid-query")
    try:
        due = await context.engine.retry_now(ref)
    except NotFound:
        return json_error(404, f"no outbound message with Referentienummer {ref}", code="not-found")
    except InvalidTransition as exc:
        return json_error(409, str(exc), code="not-waiting")
    body: dict[str, object] = {"due_now": due}
    if ref is not None:
        body["referentienummer"] = ref
    return web.json_response(body, status=202)
