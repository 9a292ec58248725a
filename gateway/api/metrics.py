"""Prometheus metrics of one gateway process (own registry, so tests and several apps don't clash).

Counters and the latency histogram are fed by the dispatcher's attempt hook; the gauges are read
from the store when /metrics is scraped, so every process of a PostgreSQL cluster reports the
same totals.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest

from gateway.engine.breaker import BreakerState
from gateway.store.base import Store
from gateway.store.records import Attempt, OutboxRow

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"


class Metrics:
    def __init__(self) -> None:
        self.registry = r = CollectorRegistry()
        self.messages = Gauge(
            "skgw_messages",
            "Messages in the store by direction (out: we send it, in: we received it), type and state",
            ["direction", "berichttype", "state"],
            registry=r,
        )
        self.attempts = Counter(
            "skgw_attempts",
            "Delivery attempts at the hub by outcome",
            ["outcome", "berichttype"],
            registry=r,
        )
        self.delivery = Histogram(
            "skgw_delivery_seconds",
            "From enqueue to delivered at the hub",
            buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 3600, 86400),
            registry=r,
        )
        self.queue_depth = Gauge("skgw_queue_depth", "Outbound messages queued or being sent", registry=r)
        self.dead_letters = Gauge("skgw_dead_letters", "Outbound messages dead-lettered", registry=r)
        self.quarantined = Gauge(
            "skgw_quarantined",
            "Inbound messages quarantined (invalid, untrusted, or a refused duplicate)",
            registry=r,
        )
        self.sink_backlog = Gauge("skgw_sink_backlog", "Inbound deliveries to sinks not yet done", registry=r)
        self.conversations_overdue = Gauge(
            "skgw_conversations_overdue", "Open conversations past their answer date", registry=r
        )
        self.certificate_days_left = Gauge(
            "skgw_certificate_days_left", "Days until our certificate expires", registry=r
        )
        self.last_fetch_age = Gauge(
            "skgw_last_fetch_age_seconds",
            "Age of the last successful fetch from the hub",
            registry=r,
        )

        self.circuit_open = Gauge(
            "skgw_circuit_open",
            "1 while the circuit breaker for an endpoint is open or half-open (sends held back)",
            ["endpoint"],
            registry=r,
        )
        self.hub_unreachable = Gauge(
            "skgw_hub_unreachable_seconds",
            "How long the hub has not answered a send or fetch (0 when it answered the last call)",
            registry=r,
        )

    def observe_attempt(self, row: OutboxRow, attempt: Attempt, now: datetime) -> None:
        self.attempts.labels(attempt.outcome, row.berichttype).inc()
        if attempt.outcome in ("delivered", "duplicate-accepted"):
            self.delivery.observe(max(0.0, (now - row.created_at).total_seconds()))

    async def refresh(
        self,
        store: Store,
        *,
        today,  # date in the Netherlands
        certificate_days: Callable[[], int | None],
        fetch_age: float | None,
        circuits: Mapping[str, BreakerState] | None = None,
        unreachable_seconds: float = 0.0,
    ) -> None:
        self.messages.clear()
        for direction, berichttype, state, n in await store.message_counts():
            self.messages.labels(direction, berichttype, state).set(n)
        counts = await store.counts()
        self.queue_depth.set(counts.outbox.get("queued", 0) + counts.outbox.get("sending", 0))
        self.dead_letters.set(counts.outbox.get("dead", 0))
        # quarantined, and documents refused under a Referentienummer we held with other content
        self.quarantined.set(counts.inbox.get("quarantined", 0) + await store.count_duplicates())
        self.sink_backlog.set(counts.sink.get("pending", 0) + counts.sink.get("delivering", 0))
        self.conversations_overdue.set(await store.count_overdue(today=today))
        days = certificate_days()
        if days is not None:
            self.certificate_days_left.set(days)
        if fetch_age is not None:
            self.last_fetch_age.set(fetch_age)
        for endpoint, state in (circuits or {}).items():
            self.circuit_open.labels(endpoint).set(0 if state is BreakerState.CLOSED else 1)
        self.hub_unreachable.set(unreachable_seconds)

    def render(self) -> bytes:
        return generate_latest(self.registry)
