"""Log in with an API token of the config (role ``read`` at least), log out.

The login form has its own CSRF token (a cookie for /ui/login and the same value in the form), so
no other site can log a browser in under its token. Attempts are limited per address.
"""

from __future__ import annotations

import logging
import secrets

from aiohttp import web

from gateway.api.auth import Role
from gateway.console.security import same
from gateway.console.web import (
    COOKIE,
    PREFIX,
    STATE,
    refuse,
    render,
    set_cookie,
    state,
)

log = logging.getLogger("gateway.console")
LOGIN_COOKIE = "skgw_login"


async def login_form(request: web.Request) -> web.Response:
    melding = (
        "Uw sessie is verlopen; log opnieuw in." if request.query.get("verlopen") else None
    ) or ("U bent uitgelogd." if request.query.get("uit") else None)
    return _form(request, melding=melding)


def _form(request: web.Request, *, fout: str | None = None, melding: str | None = None,
          status: int = 200) -> web.Response:  # fmt: skip
    token = secrets.token_urlsafe(24)
    response = render(request, "login.html", code=status, login_csrf=token, fout=fout, melding=melding)
    set_cookie(response, LOGIN_COOKIE, token, secure=request.app[STATE].secure, path=f"{PREFIX}/login")
    return response


async def login(request: web.Request) -> web.StreamResponse:
    st = state(request)
    address = request.remote or "-"
    allowed, wait = st.limiter.allow(address)
    if not allowed:
        response = refuse(
            request, 429, "login-rate-limited",
            f"Te veel inlogpogingen vanaf dit adres. Probeer het over {wait} seconden opnieuw.",
        )  # fmt: skip
        response.headers["Retry-After"] = str(wait)
        return response
    form = await request.post()
    given, expected = form.get("csrf"), request.cookies.get(LOGIN_COOKIE)
    if not isinstance(given, str) or not expected or not same(given, expected):
        return refuse(
            request, 403, "csrf-missing" if not given else "csrf-invalid",
            "Het inlogformulier is verlopen of komt niet van deze console. Open de inlogpagina opnieuw.",
        )  # fmt: skip
    secret = form.get("token")
    who = st.context.tokens.identify(secret.strip()) if isinstance(secret, str) and secret.strip() else None
    if who is None:
        log.warning("console login refused: invalid-token (from %s)", address)
        return _form(request, fout="Dit token is niet bekend bij deze gateway.", status=401)
    if not who.may(Role.READ):
        log.warning("console login refused: role-missing read (caller %s, from %s)", who.name, address)
        return _form(
            request, fout=f"Het token {who.name} heeft de rol read niet en kan de console niet openen.",
            status=403,
        )  # fmt: skip
    cookie, _ = st.sessions.start(who)
    log.info("console login: %s (%s) from %s", who.name, ", ".join(sorted(who.roles)), address)
    response = web.Response(status=303, headers={"Location": f"{PREFIX}/"})
    set_cookie(response, COOKIE, cookie, secure=st.secure, path=PREFIX)
    response.del_cookie(LOGIN_COOKIE, path=f"{PREFIX}/login")
    return response


async def logout(request: web.Request) -> web.StreamResponse:
    st = state(request)
    st.sessions.end(request.cookies.get(COOKIE))
    response = web.Response(status=303, headers={"Location": f"{PREFIX}/login?uit=1"})
    response.del_cookie(COOKIE, path=PREFIX)
    return response
