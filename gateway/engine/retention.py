"""Retention: drop raw payloads of delivered messages after a configured number of days per type."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from gateway.engine.settings import RetentionSettings
from gateway.model.berichttype import Berichttype
from gateway.store.base import Store
from gateway.store.records import PurgeResult

log = logging.getLogger(__name__)


async def purge_payloads(
    store: Store, settings: RetentionSettings, *, now: datetime
) -> dict[str, PurgeResult]:
    """Purge per message type; the rows (sha256, states, attempts) stay as the audit trail."""
    types = {b.value for b in Berichttype} | set(settings.days)
    done: dict[str, PurgeResult] = {}
    for berichttype in sorted(types):
        days = settings.days.get(berichttype, settings.default_days)
        if days is None:
            continue
        if days < 0:
            raise ValueError(f"retention days for {berichttype} must be 0 or more, not {days}")
        result = await store.purge_payloads(berichttype, before=now - timedelta(days=days), now=now)
        if result.outbox or result.inbox:
            log.info(
                "purged raw payloads of %s: %d outbound, %d inbound", berichttype, result.outbox, result.inbox
            )
        done[berichttype] = result
    return done
