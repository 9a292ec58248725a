"""The simulator's admin endpoint (plain HTTP on loopback): inspect boxes, set faults and clock.

GET  /admin                      overview: where the state lives (a file, or memory only), how many
                                 messages it holds, and per party how many wait
GET  /admin/adresboek            the address book
GET  /admin/bakken/{id}          the waiting messages of one party (metadata only, no content)
GET  /admin/berichten/{ref}      one message's metadata and status (wacht/bevestigd/verlopen)
GET  /admin/faults               the fault plan; PUT with a JSON object to change parts of it,
                                 DELETE to clear all faults
GET  /admin/klok                 the simulated time; POST {"dagen": 6} or {"seconden": 30} moves it
POST /admin/verloop              delete expired unconfirmed messages now
GET  /admin/verwerkingstijden    ms the hub worked on each recent request, by MessageID
                                 (urn:uuid:<Referentienummer> for VerstuurBericht); DELETE clears
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


def admin_app(sim: HubSimulator) -> web.Application:
    state = sim.state

    async def overview(_: web.Request) -> web.Response:
        return _json(
            {
                "url": sim.url,
                "klok": state.clock.now().isoformat(),
                "toestand": {
                    "opslag": state.store.location,  # the SQLite file, or "memory" (lost at a restart)
                    "bewaard_bij_herstart": state.store.location != "memory",
                    "berichten": state.totaal,
                    "wachtend": state.wachtend,
                },
                "partijen": state.overzicht(),
            }
        )

    async def adresboek(_: web.Request) -> web.Response:
        return _json([p.public() for p in state.partijen.values()])

    async def bak(request: web.Request) -> web.Response:
        pid = request.match_info["id"]
        if pid not in state.partijen:
            return _json({"fout": f"no party {pid} in the address book"}, 404)
        return _json(state.bak(pid))

    async def bericht(request: web.Request) -> web.Response:
        stored = state.bericht(request.match_info["ref"])
        if stored is None:
            return _json({"fout": "no such message"}, 404)
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
            return _json({"fout": str(exc)}, 400)
        return _json(sim.faults.as_dict())

    async def clear_faults(_: web.Request) -> web.Response:
        sim.faults = FaultPlan()
        return _json(sim.faults.as_dict())

    async def get_klok(_: web.Request) -> web.Response:
        return _json({"nu": state.clock.now().isoformat(), "verschoven": str(state.clock.offset)})

    async def move_klok(request: web.Request) -> web.Response:
        try:
            data = await request.json()
            delta = timedelta(days=float(data.get("dagen", 0)), seconds=float(data.get("seconden", 0)))
        except (ValueError, TypeError, AttributeError):
            return _json({"fout": 'send {"dagen": N} and/or {"seconden": N}'}, 400)
        if delta < timedelta(0):
            return _json({"fout": "the clock only moves forward"}, 400)
        try:
            state.advance_clock(delta)
            return _json({"nu": state.clock.now().isoformat(), "verlopen": state.verloop()})
        except SoapFault as fault:
            return _json({"fout": fault.message}, 503)

    async def verloop(_: web.Request) -> web.Response:
        try:
            return _json({"verlopen": state.verloop()})
        except SoapFault as fault:
            return _json({"fout": fault.message}, 503)

    async def verwerkingstijden(_: web.Request) -> web.Response:
        return _json({"ms": sim.verwerkingstijden.as_ms()})

    async def clear_verwerkingstijden(_: web.Request) -> web.Response:
        sim.verwerkingstijden.clear()
        return _json({"ms": {}})

    app = web.Application()
    app.router.add_get("/admin", overview)
    app.router.add_get("/admin/adresboek", adresboek)
    app.router.add_get("/admin/bakken/{id}", bak)
    app.router.add_get("/admin/berichten/{ref}", bericht)
    app.router.add_get("/admin/faults", get_faults)
    app.router.add_put("/admin/faults", put_faults)
    app.router.add_delete("/admin/faults", clear_faults)
    app.router.add_get("/admin/klok", get_klok)
    app.router.add_get("/admin/verwerkingstijden", verwerkingstijden)
    app.router.add_delete("/admin/verwerkingstijden", clear_verwerkingstijden)
    app.router.add_post("/admin/klok", move_klok)
    app.router.add_post("/admin/verloop", verloop)
    return app
