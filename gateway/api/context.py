"""What the API handlers need, wired by the daemon (gateway.service): the context under the
application key :data:`CONTEXT`, and the JSON error answer. The handlers import this module, never the
application module that routes to them."""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from datetime import date, datetime

from aiohttp import web

from gateway.adresboek import Adresboek
from gateway.api.auth import ClientBook, TokenBook
from gateway.api.metrics import Metrics
from gateway.api.renamed import parameter_hint
from gateway.config import Config
from gateway.engine.runner import Engine
from gateway.store.base import Store
from gateway.submission import Submitter


@dataclass
class ApiContext:
    config: Config
    store: Store
    engine: Engine
    submitter: Submitter
    adresboek: Adresboek
    metrics: Metrics
    tokens: TokenBook  # the bearer tokens of [[api.tokens]], each with its name and roles
    clients: ClientBook  # the client certificates of [[api.clients]]
    certificate_days: Callable[[], int | None]
    clock: Callable[[], datetime]
    today: Callable[[], date]  # the date in the Netherlands (werkdagen at the edges)


CONTEXT: web.AppKey[ApiContext] = web.AppKey("context", ApiContext)


def json_error(status: int, message: str, *, code: str, **extra: object) -> web.Response:
    """A refusal: what went wrong in words, and a stable ``code`` a program (and the log line of
    every refusal) can act on."""
    return web.json_response({"error": message, "code": code, **extra}, status=status)


class Refusal(Exception):
    """Raised where a handler's helper finds the request wrong; the error middleware answers it."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


def bad_query(message: str) -> Refusal:
    """A query parameter the route takes, with a value it does not (400 ``invalid-query``)."""
    return Refusal(400, "invalid-query", message)


def check_parameters(query: Mapping[str, str], allowed: Collection[str]) -> None:
    """Refuse (400) a query parameter the route does not take, naming the ones it does: a misspelt or
    renamed filter must not silently widen the answer. Only names are echoed, never a value."""
    unknown = sorted({name[:40] for name in query if name not in allowed})
    if unknown:
        given = ", ".join(unknown[:5]) + (" …" if len(unknown) > 5 else "")
        takes = ", ".join(allowed) if allowed else "none"
        hint = parameter_hint(unknown, allowed)
        message = f"unknown query parameter(s) {given}; this route takes {takes}{hint}"
        raise Refusal(400, "unknown-query-parameter", message)


def dry_run_parameter(query: Mapping[str, str]) -> bool:
    """``?dry_run=true|false`` (default false), read the same way on every route that takes it; any
    other value is a 400, so a typo never turns a check into a real submission or import."""
    value = query.get("dry_run", "false")
    if value not in ("true", "false"):
        raise bad_query("dry_run: expected true or false")
    return value == "true"
