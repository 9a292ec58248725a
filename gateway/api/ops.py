"""Operations endpoints: /health (alive), /ready (can do its job), /metrics (Prometheus)."""

from __future__ import annotations

from datetime import timedelta

from aiohttp import web

from gateway.api.context import CONTEXT, ApiContext
from gateway.api.metrics import CONTENT_TYPE
from gateway.store.base import StoreUnavailable


async def health(request: web.Request) -> web.Response:
    return web.json_response({"status": "ok"})


async def ready(request: web.Request) -> web.Response:
    context = request.app[CONTEXT]
    checks: dict[str, dict[str, object]] = {}
    try:
        await context.store.check_writable(now=context.clock())
        checks["database"] = {"ok": True, "schema_version": await context.store.schema_version()}
    except StoreUnavailable as exc:
        checks["database"] = {"ok": False, "message": f"the store cannot write: {exc.reason}"}
    except Exception as exc:  # the store is down: not ready, and say why
        checks["database"] = {"ok": False, "message": f"{type(exc).__name__}: the store does not answer"}
    days = context.certificate_days()
    limit = context.config.health.certificate_warning_days
    checks["certificate"] = {
        "ok": days is not None and days > limit,
        "days_left": days,
        "message": "ok"
        if days is not None and days > limit
        else f"our certificate expires within {limit} days",
    }
    try:
        freshness = await context.engine.fetch_freshness()
        checks["hub_fetch"] = {
            "ok": freshness.ok,
            "age_seconds": freshness.age_seconds,
            "message": freshness.message,
        }
    except Exception as exc:
        checks["hub_fetch"] = {"ok": False, "message": f"{type(exc).__name__}"}
    checks["hub"] = _hub_check(context)
    ok = all(bool(c["ok"]) for c in checks.values())
    return web.json_response({"ready": ok, "checks": checks}, status=200 if ok else 503)


def _hub_check(context: ApiContext) -> dict[str, object]:
    """Not ready when the hub has not answered a send or a fetch for [health] hub_unreachable_seconds."""
    down = context.engine.reachability.unreachable()
    limit = context.config.health.hub_unreachable_seconds
    circuits = {name: str(state) for name, state in context.engine.dispatcher.breaker_states().items()}
    if down is None or down.seconds <= limit:
        message = "ok" if down is None else f"no answer for {down.seconds:.0f}s (last: {down.last_error})"
        return {"ok": True, "circuits": circuits, "message": message}
    return {
        "ok": False,
        "circuits": circuits,
        "unreachable_since": down.since.isoformat().replace("+00:00", "Z"),
        "message": f"the hub has not answered for {timedelta(seconds=int(down.seconds))} (limit "
        f"{timedelta(seconds=int(limit))}; last error: {down.last_error}); once it is back, "
        "POST /api/queue/retry-now sends what waits",
    }


async def metrics(request: web.Request) -> web.Response:
    context = request.app[CONTEXT]
    try:
        freshness = await context.engine.fetch_freshness()
        age = freshness.age_seconds
    except Exception:
        age = None
    down = context.engine.reachability.unreachable()
    await context.metrics.refresh(
        context.store,
        today=context.today(),
        certificate_days=context.certificate_days,
        fetch_age=age,
        circuits=context.engine.dispatcher.breaker_states(),
        unreachable_seconds=down.seconds if down else 0.0,
    )
    return web.Response(body=context.metrics.render(), headers={"Content-Type": CONTENT_TYPE})
