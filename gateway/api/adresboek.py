"""/api/adresboek: the counterparts this gateway knows, so a case system can list them."""

from __future__ import annotations

from aiohttp import web

from gateway.api.context import CONTEXT


async def list_counterparts(request: web.Request) -> web.Response:
    context = request.app[CONTEXT]
    items = [
        {
            "id": partij.id,
            "naam": partij.naam,
            "oin": partij.oin,
            "rol": partij.rol.value,
            "versie": partij.versie,
            "kent_sa": partij.kent_sa,
        }
        for partij in sorted(context.adresboek, key=lambda p: (p.naam.casefold(), p.id))
    ]
    return web.json_response({"items": items})
