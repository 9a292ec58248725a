"""The aiohttp application: routes, authentication and roles (gateway.api.auth), JSON errors, body limit."""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable

from aiohttp import web
from cryptography import x509

from gateway.api import adresboek, berichten, conversaties, ops, queue
from gateway.api.auth import OPEN_PATHS, Caller, describe_certificate, required_role
from gateway.api.context import CONTEXT, ApiContext, Refusal, json_error
from gateway.api.openapi import openapi_document
from gateway.api.renamed import unknown_path
from gateway.console import app as console
from gateway.security.certificates import load_der_certificate
from gateway.store.base import StoreUnavailable

log = logging.getLogger(__name__)
CALLER: web.RequestKey[Caller] = web.RequestKey("caller", Caller)  # who is calling (authenticate)

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@web.middleware
async def errors(request: web.Request, handler: Handler) -> web.StreamResponse:
    try:
        return await handler(request)
    except Refusal as refusal:
        return json_error(refusal.status, refusal.message, code=refusal.code)
    except web.HTTPRequestEntityTooLarge:
        limit = request.app[CONTEXT].config.api.max_body_bytes
        return json_error(
            413,
            f"the request body is larger than the limit of {limit} bytes ([api] max_body_bytes)",
            code="body-too-large",
        )
    except web.HTTPException as exc:
        if exc.status < 400:
            raise
        if exc.status == 404 and request.path.startswith("/api/") and _no_route(request):
            return json_error(404, unknown_path(request.method, request.path), code="unknown-path")
        if isinstance(exc, web.HTTPMethodNotAllowed):
            methods = exc.allowed_methods - ({"HEAD"} if "GET" in exc.allowed_methods else set())
            allowed = " or ".join(sorted(methods))
            return json_error(
                405, f"{request.method} is not taken here: use {allowed} {request.path}",
                code="method-not-allowed",
            )  # fmt: skip
        return json_error(
            exc.status,
            exc.reason if exc.text is None or exc.text.startswith("{") else exc.text,
            code=f"http-{exc.status}",
        )
    except StoreUnavailable as exc:  # the machine, not the request: the same request later may work
        log.warning("API request %s %s refused with 503: %s", request.method, request.path, exc.reason)
        response = json_error(
            503,
            f"the gateway cannot store or read this now: {exc.reason}; try again later",
            code="store-unavailable",
            retry_after=exc.retry_after,
        )
        response.headers["Retry-After"] = str(exc.retry_after)
        return response
    except Exception:
        log.exception("API request %s %s failed", request.method, request.path)
        return json_error(500, "internal error; the gateway's log has the details", code="internal-error")


@web.middleware
async def authenticate(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Who is calling (a listed client certificate or a bearer token) and may they do this?"""
    if request.path in OPEN_PATHS or not request.path.startswith("/api/"):
        return await handler(request)
    context = request.app[CONTEXT]
    certificate = _peer_certificate(request)
    caller = context.clients.identify(certificate) if certificate is not None else None
    if caller is None:
        header = request.headers.get("Authorization")
        if header is None:
            if certificate is not None:
                return _refuse(
                    403,
                    "certificate-not-listed",
                    f"the client certificate {describe_certificate(certificate)} is not listed in "
                    "[[api.clients]]; it opens nothing",
                )
            return _refuse(401, "missing-token", "authentication required: Authorization: Bearer <token>")
        scheme, _, secret = header.strip().partition(" ")
        if scheme.lower() != "bearer" or not secret.strip():
            return _refuse(401, "malformed-authorization", "use the header Authorization: Bearer <token>")
        caller = context.tokens.identify(secret.strip())
        if caller is None:
            return _refuse(401, "invalid-token", "the bearer token is not one of this gateway's tokens")
    request[CALLER] = caller
    resource = request.match_info.route.resource
    if resource is not None:  # no route: the handler answers 404 to any known caller
        role = required_role(request.method, resource.canonical)
        if not caller.may(role):
            roles = ", ".join(sorted(caller.roles))
            return _refuse(
                403,
                "role-missing",
                f"{caller.name} ({roles}) may not do this: it needs the role {role.value}",
            )
    return await handler(request)


def _no_route(request: web.Request) -> bool:
    return request.match_info.route.resource is None


def _peer_certificate(request: web.Request) -> x509.Certificate | None:
    """The client certificate the TLS handshake verified against [api] client_ca, if any."""
    if request.transport is None:
        return None
    ssl_object = request.transport.get_extra_info("ssl_object")
    der = ssl_object.getpeercert(binary_form=True) if ssl_object is not None else None
    return load_der_certificate(der) if der else None


def _refuse(status: int, code: str, message: str) -> web.Response:
    headers = {}
    if status == 401:
        error = ', error="invalid_token"' if code == "invalid-token" else ""
        headers["WWW-Authenticate"] = f'Bearer realm="skp-gateway"{error}'
    return web.json_response({"error": message, "code": code}, status=status, headers=headers)


@web.middleware
async def log_refusals(request: web.Request, handler: Handler) -> web.StreamResponse:
    """One log line per refused request, so an operator can see why a case system's posts fail.

    It names the method, the path (never the query: it may carry a KlantnummerSHV), the status, the
    refusal's code, the caller's name and address, and for a 422 the codes of the findings. Never a
    token, never a message's content."""
    response = await handler(request)
    if request.path.startswith("/ui"):  # the console logs its own refusals (gateway.console.web)
        return response
    if 400 <= response.status < 500:
        caller = request.get(CALLER)
        log.log(
            logging.INFO if response.status == 404 else logging.WARNING,
            "API refused %s %s: %s %s (caller %s, from %s)",
            request.method,
            request.path,
            response.status,
            _refusal_codes(response),
            caller.name if caller is not None else "-",
            request.remote or "-",
        )
    return response


def _refusal_codes(response: web.StreamResponse) -> str:
    body = getattr(response, "body", None)
    if not isinstance(body, bytes) or not body.startswith(b"{"):
        return "-"
    try:
        data = json.loads(body)
    except ValueError:
        return "-"
    codes = [str(data["code"])] if isinstance(data.get("code"), str) else []
    findings = data.get("findings")
    if isinstance(findings, list):
        codes += sorted({str(f.get("code")) for f in findings if isinstance(f, dict) and f.get("code")})
    return ",".join(codes) or "-"


def make_app(context: ApiContext) -> web.Application:
    app = web.Application(
        middlewares=[log_refusals, errors, authenticate], client_max_size=context.config.api.max_body_bytes
    )
    app[CONTEXT] = context
    app.router.add_get("/health", ops.health)
    app.router.add_get("/ready", ops.ready)
    app.router.add_get("/metrics", ops.metrics)
    app.router.add_get("/api/openapi.json", _openapi)
    app.router.add_post("/api/berichten", berichten.submit)
    app.router.add_get("/api/berichten", berichten.search)
    app.router.add_get("/api/berichten/{referentienummer}", berichten.detail)
    app.router.add_post("/api/berichten/{referentienummer}/resend", berichten.resend)
    app.router.add_get("/api/conversaties", conversaties.conversations)
    app.router.add_post("/api/conversaties", conversaties.import_conversations)
    app.router.add_get("/api/conversaties/{conversatie}", conversaties.timeline)
    app.router.add_post("/api/fetch", berichten.fetch_now)
    app.router.add_post("/api/queue/retry-now", queue.retry_now)
    app.router.add_get("/api/adresboek", adresboek.list_counterparts)
    console.mount(app, context)
    return app


async def _openapi(request: web.Request) -> web.Response:
    return web.json_response(openapi_document())
