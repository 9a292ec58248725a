"""Guard for the hub's 5-werkdag retention: alert when the last successful fetch is too old."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from gateway.store.base import Store
from gateway.store.records import as_dt, ts_to_text

log = logging.getLogger(__name__)

LAST_FETCH_KEY = "poller.last_successful_fetch"


@dataclass(frozen=True, slots=True)
class FetchFreshness:
    ok: bool
    last_fetch: datetime | None
    age_seconds: float | None
    message: str


async def record_fetch(store: Store, now: datetime) -> None:
    await store.set_value(LAST_FETCH_KEY, ts_to_text(now), now=now)


async def last_fetch(store: Store) -> datetime | None:
    value = await store.get_value(LAST_FETCH_KEY)
    return as_dt(value) if value else None


async def check_fetch_freshness(store: Store, *, now: datetime, max_age_seconds: float) -> FetchFreshness:
    """Not ok when no fetch succeeded yet or the last one is older than ``max_age_seconds``.

    The hub deletes messages not fetched and confirmed within 5 werkdagen; this check is what an
    operator's alert hangs on (health endpoint, metrics, log)."""
    last = await last_fetch(store)
    if last is None:
        return FetchFreshness(False, None, None, "no successful fetch from the hub yet")
    age = (now - last).total_seconds()
    if age > max_age_seconds:
        msg = (
            f"last successful fetch from the hub was {timedelta(seconds=int(age))} ago "
            f"(limit {timedelta(seconds=int(max_age_seconds))}); the hub deletes unfetched messages after "
            "5 werkdagen: check the hub connection and certificates"
        )
        log.warning(msg)
        return FetchFreshness(False, last, age, msg)
    return FetchFreshness(True, last, age, "ok")
