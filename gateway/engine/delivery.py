"""Hands decoded inbound messages to the sinks, each delivery with its own durable retry schedule.

Exactly once in effect: a delivery is recorded as done only after the sink said so; a crash in
between re-delivers the same message with the same Referentienummer (``Idempotency-Key``), on
which sinks deduplicate.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta

from gateway.engine.clock import Clock, utcnow
from gateway.engine.dispatcher import default_owner
from gateway.engine.findings import json_with_bevindingen
from gateway.engine.ports import DeliveryRequest, Outcome, SinkPort
from gateway.engine.retry import Peer, classified, next_attempt
from gateway.engine.settings import SinkSettings
from gateway.store.base import Store
from gateway.store.records import SinkDelivery

log = logging.getLogger(__name__)


@dataclass
class SinkReport:
    claimed: int = 0
    delivered: int = 0
    retried: int = 0
    dead: int = 0


class SinkDeliverer:
    def __init__(
        self,
        store: Store,
        sinks: Sequence[SinkPort],
        settings: SinkSettings | None = None,
        *,
        clock: Clock = utcnow,
        owner: str | None = None,
        rng: random.Random | None = None,
    ) -> None:
        names = [s.name for s in sinks]
        if len(set(names)) != len(names):
            raise ValueError(f"sink names must be unique, got {names}")
        self.store = store
        self.sinks = {s.name: s for s in sinks}
        self.settings = settings or SinkSettings()
        self.clock = clock
        self.owner = owner or default_owner()
        self.rng = rng or random.Random()

    @property
    def names(self) -> list[str]:
        return list(self.sinks)

    async def run_once(self) -> SinkReport:
        now = self.clock()
        s = self.settings
        claimed = await self.store.claim_sink_deliveries(
            owner=self.owner,
            now=now,
            lease_until=now + timedelta(seconds=s.lease_seconds),
            limit=s.batch_size,
        )
        report = SinkReport(claimed=len(claimed))
        for d in claimed:
            await self._deliver(d, report)
        return report

    async def _deliver(self, d: SinkDelivery, report: SinkReport) -> None:
        ref, name = d.referentienummer, d.sink
        now = self.clock()
        if now >= d.deadline:
            reason = f"deadline passed after {d.attempts} attempt(s); last error: {d.last_error or 'none'}"
            await self.store.record_sink_dead(ref, name, owner=self.owner, now=now, reason=reason)
            report.dead += 1
            return
        sink = self.sinks.get(name)
        row = await self.store.get_inbound(ref)
        if sink is None or row is None or row.json_body is None or row.document is None:
            why = (
                f"no sink named {name!r} is configured"
                if sink is None
                else "the stored message has no payload"
            )
            await self.store.record_sink_dead(ref, name, owner=self.owner, now=now, reason=why)
            report.dead += 1
            return
        request = DeliveryRequest(
            referentienummer=ref,
            berichttype=row.berichttype,
            conversatie=row.conversatie or "",
            json_body=json_with_bevindingen(row.json_body, row.bevindingen),
            xml_body=row.document,
            headers={"Idempotency-Key": ref},
        )
        try:
            result = await sink.deliver(request)
        except Exception as exc:  # a failing sink must not stop the others
            log.exception("sink %s raised for %s", name, ref)
            result = classified("exception", f"{type(exc).__name__}: {exc}", peer=Peer.SINK)
        now = self.clock()
        if result.outcome.done:
            await self.store.record_sink_delivered(ref, name, owner=self.owner, now=now)
            report.delivered += 1
        elif result.outcome is Outcome.PERMANENT:
            await self.store.record_sink_dead(
                ref, name, owner=self.owner, now=now, reason=f"permanent: {result.reason}"
            )
            report.dead += 1
        else:
            s = self.settings
            when = next_attempt(
                now,
                d.attempts + 1,
                base=s.backoff_base_seconds,
                cap=s.backoff_cap_seconds,
                rng=self.rng,
                deadline=d.deadline,
            )
            err = f"{result.code or 'retryable'}: {result.reason}"
            await self.store.record_sink_retry(
                ref, name, owner=self.owner, now=now, next_attempt_at=when, error=err
            )
            report.retried += 1
