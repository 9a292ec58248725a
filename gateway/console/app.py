"""The console's aiohttp sub-app: routes, static files (htmx as pinned) and mounting at /ui."""

from __future__ import annotations

import hashlib
from functools import cache
from importlib import resources

from aiohttp import web

from gateway.api.context import ApiContext
from gateway.console import actions, bericht, berichten, conversaties, lists, login, overview
from gateway.console.security import LoginLimiter, Sessions
from gateway.console.web import PREFIX, STATE, ConsoleState, authenticate, headers, templates

HTMX_PACKAGE = "js_lib_htmx"
HTMX_FILE = "static/htmx/htmx.min.js"
HTMX_VERSION = "2.0.3"
HTMX_SHA256 = "491955cd1810747d7d7b9ccb936400afb760e06d25d53e4572b64b6563b2784e"


@cache
def htmx_script() -> bytes:
    """htmx as pinned (django-js-lib-htmx==2.0.3.1): refuses to serve anything else."""
    data = resources.files(HTMX_PACKAGE).joinpath(HTMX_FILE).read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    if digest != HTMX_SHA256:
        raise RuntimeError(
            f"{HTMX_PACKAGE}/{HTMX_FILE} is not htmx {HTMX_VERSION} as pinned (sha256 {digest}); "
            "install django-js-lib-htmx==2.0.3.1"
        )
    return data


@cache
def _static(name: str) -> tuple[bytes, str] | None:
    if name == "htmx.min.js":
        return htmx_script(), "text/javascript"
    if name == "console.css":
        return resources.files(__package__).joinpath("static/console.css").read_bytes(), "text/css"
    return None


async def static(request: web.Request) -> web.Response:
    found = _static(request.match_info["name"])
    if found is None:
        raise web.HTTPNotFound(text="Geen bestand.")
    body, content_type = found
    return web.Response(
        body=body, content_type=content_type, charset="utf-8",
        headers={"Cache-Control": "private, max-age=3600"},
    )  # fmt: skip


def make_console(context: ApiContext) -> web.Application:
    settings = context.config.console
    app = web.Application(middlewares=[headers, authenticate])
    app[STATE] = ConsoleState(
        context=context,
        settings=settings,
        sessions=Sessions(
            idle_seconds=settings.session_idle_minutes * 60, max_seconds=settings.session_max_hours * 3600
        ),
        limiter=LoginLimiter(
            attempts=settings.login_attempts, window_seconds=settings.login_window_minutes * 60
        ),
        templates=templates(),
        secure=context.config.api.certificate is not None,
    )
    r = app.router
    r.add_get("/static/{name}", static)
    r.add_get("/login", login.login_form)
    r.add_post("/login", login.login)
    r.add_post("/uitloggen", login.logout)
    r.add_get("/", overview.overview)
    r.add_get("/cijfers", overview.figures_fragment)
    r.add_get("/berichten", berichten.list_page)
    r.add_post("/berichten", berichten.search)
    r.add_get("/berichten/{ref}", bericht.page)
    r.add_post("/berichten/{ref}/bsn", bericht.show_bsn)
    r.add_get("/berichten/{ref}/download/{soort:xml|json}", bericht.download)
    r.add_get("/conversaties", conversaties.list_page)
    r.add_get("/conversaties/{conv}", conversaties.page)
    r.add_get("/quarantaine", lists.quarantine)
    r.add_get("/adresboek", lists.adresboek)
    r.add_get("/logboek", lists.action_log)
    r.add_get("/acties/{naam}", actions.confirm)
    r.add_post("/acties/{naam}", actions.perform)
    r.add_get("/acties/{naam}/{ref}", actions.confirm)
    r.add_post("/acties/{naam}/{ref}", actions.perform)
    return app


def mount(app: web.Application, context: ApiContext) -> None:
    """Add the console to the API's application (unless ``[console] enabled = false``)."""
    if not context.config.console.enabled:
        return
    app.add_subapp(PREFIX, make_console(context))

    async def to_console(request: web.Request) -> web.Response:
        raise web.HTTPFound(f"{PREFIX}/")

    async def no_icon(request: web.Request) -> web.Response:
        return web.Response(status=204)  # browsers ask for it; nothing to show, nothing to log

    app.router.add_get("/", to_console)
    app.router.add_get(PREFIX, to_console)
    app.router.add_get("/favicon.ico", no_icon)
