"""The aiohttp application: routes, bearer-token (or mTLS) authentication, JSON errors, body limit."""

from __future__ import annotations

import hmac
import logging
from collections.abc import Awaitable, Callable

from aiohttp import web

from gateway.api import adresboek, berichten, ops, wachtrij
from gateway.api.context import ApiContext
from gateway.api.openapi import openapi_document
from gateway.store.base import StoreUnavailable

log = logging.getLogger(__name__)
CONTEXT: web.AppKey[ApiContext] = web.AppKey("context", ApiContext)
_OPEN_PATHS = frozenset({"/health", "/ready", "/metrics", "/api/openapi.json"})

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def json_error(status: int, message: str, **extra: object) -> web.Response:
    return web.json_response({"error": message, **extra}, status=status)


@web.middleware
async def errors(request: web.Request, handler: Handler) -> web.StreamResponse:
    try:
        return await handler(request)
    except web.HTTPRequestEntityTooLarge:
        limit = request.app[CONTEXT].config.api.max_body_bytes
        return json_error(
            413, f"the request body is larger than the limit of {limit} bytes ([api] max_body_bytes)"
        )
    except web.HTTPException as exc:
        if exc.status < 400:
            raise
        return json_error(
            exc.status, exc.reason if exc.text is None or exc.text.startswith("{") else exc.text
        )
    except StoreUnavailable as exc:  # the machine, not the request: the same request later may work
        log.warning("API request %s %s refused with 503: %s", request.method, request.path, exc.reason)
        response = json_error(
            503, f"the gateway cannot store or read this now: {exc.reason}; try again later",
            retry_after=exc.retry_after,
        )
        response.headers["Retry-After"] = str(exc.retry_after)
        return response
    except Exception:
        log.exception("API request %s %s failed", request.method, request.path)
        return json_error(500, "internal error; the gateway's log has the details")


@web.middleware
async def authenticate(request: web.Request, handler: Handler) -> web.StreamResponse:
    if request.path in _OPEN_PATHS or not request.path.startswith("/api/"):
        return await handler(request)
    context = request.app[CONTEXT]
    if request.transport is not None and request.transport.get_extra_info("peercert"):
        return await handler(request)  # a client certificate verified against [api] client_ca
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if context.token and scheme.lower() == "bearer" and hmac.compare_digest(token.strip(), context.token):
        return await handler(request)
    return web.json_response(
        {"error": "authentication required: Authorization: Bearer <token>"},
        status=401,
        headers={"WWW-Authenticate": 'Bearer realm="skp-gateway"'},
    )


def make_app(context: ApiContext) -> web.Application:
    app = web.Application(
        middlewares=[errors, authenticate], client_max_size=context.config.api.max_body_bytes
    )
    app[CONTEXT] = context
    app.router.add_get("/health", ops.health)
    app.router.add_get("/ready", ops.ready)
    app.router.add_get("/metrics", ops.metrics)
    app.router.add_get("/api/openapi.json", _openapi)
    app.router.add_post("/api/berichten", berichten.submit)
    app.router.add_get("/api/berichten", berichten.search)
    app.router.add_get("/api/berichten/{referentienummer}", berichten.detail)
    app.router.add_post("/api/berichten/{referentienummer}/opnieuw", berichten.resend)
    app.router.add_get("/api/conversaties", berichten.conversations)
    app.router.add_post("/api/ophalen", berichten.fetch_now)
    app.router.add_post("/api/wachtrij/nu", wachtrij.retry_now)
    app.router.add_get("/api/adresboek", adresboek.list_counterparts)
    return app


async def _openapi(request: web.Request) -> web.Response:
    return web.json_response(openapi_document())
