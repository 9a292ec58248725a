"""The simulator's admin endpoint (plain HTTP on loopback): inspect boxes, set faults and clock.

GET  /admin                      overview: where the state lives (a file, or memory only), how many
                                 messages it holds, and per party how many wait
GET  /admin/adresboek            the address book
GET  /admin/boxes/{id}           the waiting messages of one party (metadata only, no content)
GET  /admin/berichten/{ref}      one message's metadata and the hub's status of it (wacht, bevestigd,
                                 verlopen)
GET  /admin/faults               the fault plan; PUT with a JSON object to change parts of it,
                                 DELETE to clear all faults
GET  /admin/clock                the simulated time; POST {"days": 6} or {"seconds": 30} moves it
POST /admin/expire               delete expired unconfirmed messages now
GET  /admin/processing-times     ms the hub worked on each recent request, by MessageID
                                 (urn:uuid:<Referentienummer> for VerstuurBericht); DELETE clears

Errors are {"error": "…"}, also for a path or method the endpoint does not take (naming the new path
of one renamed since 0.1: /admin/bakken, /admin/klok, /admin/verloop, /admin/verwerkingstijden). The
names of the hub's own things (adresboek, berichten and their fields, the status of a message) are the
standard's, in Dutch; the rest is English.
"""

from __future__ import annotations

import json
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from aiohttp import web

from adapters.hub.simulator_faults import FaultPlan
from gateway.soap.faults import SoapFault

if TYPE_CHECKING:
    from adapters.hub.simulator import HubSimulator


def _json(data: Any, status: int = 200) -> web.Response:
    return web.json_response(data, status=status, dumps=lambda d: json.dumps(d, indent=2))


#: the admin paths of 0.1 and their names now (CHANGELOG.md)
_RENAMED = {
    "/admin/bakken": "/admin/boxes",
    "/admin/klok": "/admin/clock",
    "/admin/verloop": "/admin/expire",
    "/admin/verwerkingstijden": "/admin/processing-times",
}


@web.middleware
async def _json_errors(request: web.Request, handler: Any) -> web.StreamResponse:
    """A path or method the endpoint does not take: {"error"} saying what to use, not aiohttp's text."""
    try:
        return await handler(request)
    except web.HTTPMethodNotAllowed as exc:
        allowed = " or ".join(sorted(exc.allowed_methods - {"HEAD"}))
        return _json({"error": f"{request.method} is not taken here: use {allowed} {request.path}"}, 405)
    except web.HTTPNotFound:
        for old, new in _RENAMED.items():
            if request.path == old or request.path.startswith(old + "/"):
                renamed = new + request.path[len(old) :]
                return _json({"error": f"{request.path} was renamed: use {renamed} (CHANGELOG.md)"}, 404)
        return _json({"error": f"no such admin path: {request.path[:200]}; see GET /admin"}, 404)


def admin_app(sim: HubSimulator) -> web.Application:
    state = sim.state

    async def overview(_: web.Request) -> web.Response:
        return _json(
            {
                "url": sim.url,
                "clock": state.clock.now().isoformat(),
                "state": {
                    "storage": state.store.location,  # the SQLite file, or "memory" (lost at a restart)
                    "kept_on_restart": state.store.location != "memory",
                    "messages": state.totaal,
                    "waiting": state.wachtend,
                },
                "parties": state.overzicht(),
            }
        )

    async def adresboek(_: web.Request) -> web.Response:
        return _json([p.public() for p in state.partijen.values()])

    async def box(request: web.Request) -> web.Response:
        pid = request.match_info["id"]
        if pid not in state.partijen:
            return _json({"error": f"no party {pid} in the address book"}, 404)
        return _json(state.bak(pid))

    async def bericht(request: web.Request) -> web.Response:
        stored = state.bericht(request.match_info["ref"])
        if stored is None:
            return _json({"error": "no such message"}, 404)
        return _json(stored.public())

    async def get_faults(_: web.Request) -> web.Response:
        return _json(sim.faults.as_dict())

    async def put_faults(request: web.Request) -> web.Response:
        try:
            data = await request.json()
            if not isinstance(data, dict):
                raise ValueError("send a JSON object")
            sim.faults.update(data)
        except ValueError as exc:
            return _json({"error": str(exc)}, 400)
        return _json(sim.faults.as_dict())

    async def clear_faults(_: web.Request) -> web.Response:
        sim.faults = FaultPlan()
        return _json(sim.faults.as_dict())

    async def get_clock(_: web.Request) -> web.Response:
        return _json({"now": state.clock.now().isoformat(), "offset": str(state.clock.offset)})

    async def move_clock(request: web.Request) -> web.Response:
        try:
            data = await request.json()
            delta = timedelta(days=float(data.get("days", 0)), seconds=float(data.get("seconds", 0)))
        except (ValueError, TypeError, AttributeError):
            return _json({"error": 'send {"days": N} and/or {"seconds": N}'}, 400)
        if delta < timedelta(0):
            return _json({"error": "the clock only moves forward"}, 400)
        try:
            state.advance_clock(delta)
            return _json({"now": state.clock.now().isoformat(), "expired": state.verloop()})
        except SoapFault as fault:
            return _json({"error": fault.message}, 503)

    async def expire(_: web.Request) -> web.Response:
        try:
            return _json({"expired": state.verloop()})
        except SoapFault as fault:
            return _json({"error": fault.message}, 503)

    async def processing_times(_: web.Request) -> web.Response:
        return _json({"ms": sim.processing_times.as_ms()})

    async def clear_processing_times(_: web.Request) -> web.Response:
        sim.processing_times.clear()
        return _json({"ms": {}})

    app = web.Application(middlewares=[_json_errors])
    app.router.add_get("/admin", overview)
    app.router.add_get("/admin/adresboek", adresboek)
    app.router.add_get("/admin/boxes/{id}", box)
    app.router.add_get("/admin/berichten/{ref}", bericht)
    app.router.add_get("/admin/faults", get_faults)
    app.router.add_put("/admin/faults", put_faults)
    app.router.add_delete("/admin/faults", clear_faults)
    app.router.add_get("/admin/clock", get_clock)
    app.router.add_get("/admin/processing-times", processing_times)
    app.router.add_delete("/admin/processing-times", clear_processing_times)
    app.router.add_post("/admin/clock", move_clock)
    app.router.add_post("/admin/expire", expire)
    return app
