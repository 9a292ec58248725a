"""Operations endpoints: /health (alive), /ready (can do its job), /metrics (Prometheus)."""

from __future__ import annotations

from aiohttp import web

from gateway.api.context import CONTEXT
from gateway.api.metrics import CONTENT_TYPE


async def health(request: web.Request) -> web.Response:
    return web.json_response({"status": "ok"})


async def ready(request: web.Request) -> web.Response:
    context = request.app[CONTEXT]
    checks: dict[str, dict[str, object]] = {}
    try:
        checks["database"] = {"ok": True, "schema_version": await context.store.schema_version()}
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
    ok = all(bool(c["ok"]) for c in checks.values())
    return web.json_response({"ready": ok, "checks": checks}, status=200 if ok else 503)


async def metrics(request: web.Request) -> web.Response:
    context = request.app[CONTEXT]
    try:
        freshness = await context.engine.fetch_freshness()
        age = freshness.age_seconds
    except Exception:
        age = None
    await context.metrics.refresh(
        context.store, today=context.today(), certificate_days=context.certificate_days, fetch_age=age
    )
    return web.Response(body=context.metrics.render(), headers={"Content-Type": CONTENT_TYPE})
