"""The console's request handling: security headers, sessions, CSRF, roles, HTML errors, rendering.

Every response carries a strict Content-Security-Policy (scripts and styles only from /ui/static,
nothing inline), no framing, no referrer, and — for pages, which may show personal data —
``Cache-Control: no-store``. Every page but the login needs a live session; every POST needs the
session's CSRF token (form field ``csrf`` or header ``X-CSRF-Token``). Refusals get one log line
(method, path without query, status, code, caller, address), never a value from a form.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import jinja2
from aiohttp import web

from gateway.api.auth import Caller, Role
from gateway.api.context import ApiContext
from gateway.console import formatting
from gateway.console.security import LoginLimiter, Session, Sessions, same
from gateway.console.settings import ConsoleSettings

log = logging.getLogger("gateway.console")

COOKIE = "skgw_console"
PREFIX = "/ui"
OPEN = frozenset({f"{PREFIX}/login"})
AUTOMATIC = frozenset({f"{PREFIX}/cijfers"})
CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@dataclass
class ConsoleState:
    context: ApiContext
    settings: ConsoleSettings
    sessions: Sessions
    limiter: LoginLimiter
    templates: jinja2.Environment
    secure: bool  # the API runs TLS: the cookie is Secure


STATE: web.AppKey[ConsoleState] = web.AppKey("console", ConsoleState)
SESSION: web.RequestKey[Session] = web.RequestKey("console_session", Session)


def state(request: web.Request) -> ConsoleState:
    return request.app[STATE]


def session(request: web.Request) -> Session:
    return request[SESSION]


def caller(request: web.Request) -> Caller:
    return request[SESSION].caller


def is_htmx(request: web.Request) -> bool:
    return request.headers.get("HX-Request") == "true"


def templates() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("gateway.console", "templates"),
        autoescape=jinja2.select_autoescape(["html"]),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(
        tijd=formatting.tijd,
        datum=formatting.datum,
        euro=formatting.euro,
        duur=formatting.duur,
        kort=formatting.kort,
    )
    env.globals.update(
        state_label=formatting.state_label,
        RICHTING=formatting.RICHTING,
        SINK_STATE=formatting.SINK_STATE,
        UITKOMST=formatting.UITKOMST,
        ACTIE=formatting.ACTIE,
        RESULTAAT=formatting.RESULTAAT,
        BREAKER=formatting.BREAKER,
    )
    return env


def render(request: web.Request, template: str, *, code: int = 200, **values: Any) -> web.Response:
    st = state(request)
    current = request.get(SESSION)
    context = st.context
    page = st.templates.get_template(template).render(
        gateway_naam=context.config.gateway.naam,
        gateway_rol=context.config.gateway.rol.value,
        sessie=current,
        mag_handelen=current is not None and current.caller.may(Role.OPERATE),
        csrf=current.csrf if current is not None else "",
        pad=request.path,
        **values,
    )
    return web.Response(text=page, status=code, content_type="text/html", charset="utf-8")


def refuse(request: web.Request, status: int, code: str, melding: str) -> web.Response:
    """A refused request: one log line (no query, no form values) and a page that says why."""
    current = request.get(SESSION)
    log.warning(
        "console refused %s %s: %s %s (caller %s, from %s)",
        request.method,
        request.path,
        status,
        code,
        current.caller.name if current is not None else "-",
        request.remote or "-",
    )
    if status == 403 and is_htmx(request):
        return web.Response(text=melding, status=status, content_type="text/plain")
    return render(request, "fout.html", code=status, titel=_TITLES.get(status, "Fout"), melding=melding)


_TITLES = {400: "Onjuist verzoek", 403: "Niet toegestaan", 404: "Niet gevonden", 429: "Te veel pogingen"}


def require(request: web.Request, role: Role) -> web.Response | None:
    """None when the session's caller has ``role``; otherwise the refusal to return."""
    who = caller(request)
    if who.may(role):
        return None
    return refuse(
        request,
        403,
        "role-missing",
        f"{who.name} heeft de rol {role.value} niet; daarvoor is een token met de rol "
        f"{role.value} nodig.",
    )


def see_other(request: web.Request, location: str) -> web.Response:
    """After a POST: to ``location`` (htmx follows HX-Redirect with a full page load)."""
    if is_htmx(request):
        return web.Response(status=200, headers={"HX-Redirect": location})
    raise web.HTTPSeeOther(location)


def set_cookie(response: web.StreamResponse, name: str, value: str, *, secure: bool, path: str) -> None:
    response.set_cookie(name, value, path=path, httponly=True, samesite="Strict", secure=secure)


# -- middlewares ----------------------------------------------------------------------------------
@web.middleware
async def headers(request: web.Request, handler: Handler) -> web.StreamResponse:
    try:
        response = await handler(request)
    except web.HTTPException as exc:
        if exc.status >= 400:
            response = render(
                request, "fout.html", code=exc.status, titel=_TITLES.get(exc.status, "Fout"),
                melding=exc.text if exc.text and not exc.text.startswith(str(exc.status)) else exc.reason,
            )  # fmt: skip
        else:
            response = web.Response(status=exc.status, headers=exc.headers)
    except Exception:
        log.exception("console request %s %s failed", request.method, request.path)
        response = render(
            request, "fout.html", code=500, titel="Interne fout",
            melding="Er ging iets mis; het log van de gateway heeft de details.",
        )  # fmt: skip
    response.headers["Content-Security-Policy"] = CSP
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["X-Content-Type-Options"] = "nosniff"
    if not request.path.startswith(f"{PREFIX}/static/"):
        response.headers["Cache-Control"] = "no-store"
    return response


@web.middleware
async def authenticate(request: web.Request, handler: Handler) -> web.StreamResponse:
    if request.path in OPEN or request.path.startswith(f"{PREFIX}/static/"):
        return await handler(request)
    st = state(request)
    automatic = request.path in AUTOMATIC  # the Overzicht's own refresh keeps no session alive
    current, why = st.sessions.get(request.cookies.get(COOKIE), touch=not automatic)
    if current is None:
        if request.method == "POST" and why != "missing":
            log.info("console: %s %s without a live session (%s)", request.method, request.path, why)
        location = f"{PREFIX}/login" + ("?verlopen=1" if why in ("idle", "expired") else "")
        if is_htmx(request):
            return web.Response(status=200, headers={"HX-Redirect": location})
        raise web.HTTPSeeOther(location)
    request[SESSION] = current
    if request.method == "POST":
        given = request.headers.get("X-CSRF-Token")
        if given is None:
            given = (await request.post()).get("csrf")
        if not isinstance(given, str) or not same(given, current.csrf):
            code = "csrf-missing" if not given else "csrf-invalid"
            return refuse(
                request, 403, code, "Dit formulier is verlopen of komt niet van deze console. "
                "Open de pagina opnieuw en probeer het nog eens.",
            )  # fmt: skip
    return await handler(request)
