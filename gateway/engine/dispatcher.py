"""Outbound dispatcher: claims due outbox rows under a lease, sends them, records every attempt.

The daemon sends continuously (:meth:`Dispatcher.run`, :mod:`gateway.engine.senders`); one round
(:meth:`Dispatcher.run_once`, for tools and tests) claims up to ``batch_size`` due rows in a short
transaction, sends them (at most ``max_concurrent`` at a time) outside any transaction, then records
each result in a short transaction fenced on the lease. The schedule lives in the rows
(``next_attempt_at``, ``deadline``), so a restarted process simply carries on; a process that dies
mid-send leaves a lease that expires, after which any process re-claims the row and sends it again
under the same Referentienummer (the hub answers a resend with the first receipt). Such an attempt
in doubt is finished with that one resend even when the total deadline has passed meanwhile, so a
message the hub holds is recorded as delivered, not as a dead letter "never sent".
"""

from __future__ import annotations

import asyncio
import logging
import os
import random
import socket
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from gateway import logs
from gateway.engine.batching import GroupCommit
from gateway.engine.breaker import Breakers, BreakerState, CircuitBreaker
from gateway.engine.clock import Clock, utcnow
from gateway.engine.conversations import term_start
from gateway.engine.ports import HubPort, HubResult, Outcome
from gateway.engine.reachability import HubReachability
from gateway.engine.retry import classified, error_class, next_attempt
from gateway.engine.senders import SenderPool
from gateway.engine.settings import DispatchSettings
from gateway.store.base import Store, StoreUnavailable
from gateway.store.records import Attempt, DeliveredAttempt, OutboxRow

log = logging.getLogger(__name__)

HUB_ENDPOINT = "hub"


def default_owner(node: str | None = None) -> str:
    """A lease owner id unique to this process: its node (default: the host name), pid and a random
    part. The node part is what a restarted process recognises as its own (Store.take_over_node)."""
    return f"{node or socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


@dataclass
class DispatchReport:
    claimed: int = 0
    delivered: int = 0
    retried: int = 0
    dead: int = 0
    deferred: int = 0
    lease_lost: int = 0


class Dispatcher:
    def __init__(
        self,
        store: Store,
        hub: HubPort,
        settings: DispatchSettings | None = None,
        *,
        clock: Clock = utcnow,
        owner: str | None = None,
        rng: random.Random | None = None,
        endpoint_for: Callable[[OutboxRow], str] = lambda _row: HUB_ENDPOINT,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        reachability: HubReachability | None = None,
    ) -> None:
        self.store = store
        self.hub = hub
        self.settings = settings or DispatchSettings()
        self.clock = clock
        self.owner = owner or default_owner()
        self.rng = rng or random.Random()
        self.endpoint_for = endpoint_for
        self._sleep = sleep  # in-attempt retry waits (tests pass a no-op)
        self.breakers = Breakers(
            self.settings.breaker_failure_threshold, self.settings.breaker_reset_seconds, clock
        )
        #: whether the hub answers, for /ready and /metrics (shared with the poller)
        self.reachability = reachability or HubReachability(clock)
        #: set when something may have become due (an enqueue, a finished send); the sender pool waits on it
        self.wakeup = asyncio.Event()
        # deliveries that finish while another is being recorded share its transaction
        self._delivered: GroupCommit[DeliveredAttempt, bool] = GroupCommit(store.record_delivered_many)
        #: called after every recorded attempt (metrics); must not raise and must not block
        self.on_attempt: Callable[[OutboxRow, Attempt, datetime], None] | None = None

    def wake(self) -> None:
        """Something was enqueued: start the next round now instead of after the idle wait."""
        self.wakeup.set()

    def breaker_states(self) -> dict[str, BreakerState]:
        return self.breakers.states()

    async def run_once(self) -> DispatchReport:
        s = self.settings
        now = self.clock()
        rows = await self.store.claim_outbound(
            owner=self.owner,
            now=now,
            lease_until=now + timedelta(seconds=s.lease_seconds),
            limit=s.batch_size,
            max_claims=s.max_claims,
        )
        report = DispatchReport(claimed=len(rows))
        gate = asyncio.Semaphore(max(1, s.max_concurrent))

        async def one(row: OutboxRow) -> None:
            async with gate:
                await self.send_one(row, report)

        await asyncio.gather(*(one(r) for r in rows))
        return report

    async def run(self, stop: asyncio.Event) -> None:
        """Send continuously until ``stop`` is set (:class:`gateway.engine.senders.SenderPool`): at
        most ``max_concurrent`` sends in flight, a free sender starts the next claimed row at once."""
        await SenderPool(self, DispatchReport()).run(stop)

    # one row ----------------------------------------------------------------------------------
    async def send_one(self, row: OutboxRow, report: DispatchReport) -> None:
        """Pre-checks (deadline, payload, circuit), one attempt, then its recorded outcome."""
        now = self.clock()
        # claimed before without a recorded result: that sender may have died after the hub took it
        in_doubt = row.claims > 1 and row.document is not None
        if now >= row.deadline and not in_doubt:
            reason = (
                f"deadline {row.deadline.isoformat()} passed after {row.attempts} attempt(s); "
                f"last error: {row.last_error or 'none (never sent)'}"
            )
            await self._dead(row, None, now, reason, report)
            return
        if row.document is None:
            await self._dead(row, None, now, "raw document missing (purged); cannot send", report)
            return
        endpoint = self.endpoint_for(row)
        breaker = self.breakers.get(endpoint)
        # past the deadline, an attempt in doubt is finished with one idempotent resend, circuit or
        # not: the hub answers with the first receipt if it has the message; otherwise it is dead
        if not (now >= row.deadline and in_doubt) and not breaker.allow():
            why = (
                f"not sent: circuit for {endpoint} open after {breaker.failures} failure(s) "
                f"(last: {breaker.last_failure or 'unknown'})"
            )
            until = min(breaker.retry_at, row.deadline)
            ok = await self.store.defer_outbound(
                row.referentienummer, owner=self.owner, now=now, until=until, reason=why
            )
            report.deferred += 1
            self._check_lease(ok, row, report)
            return
        started, t0 = self.clock(), time.monotonic()
        result = await self._send(row, row.document)
        attempt = Attempt(
            referentienummer=row.referentienummer,
            owner=self.owner,
            started_at=started,
            duration_ms=int((time.monotonic() - t0) * 1000),
            outcome=str(result.outcome),
            code=result.code,
            reason=result.reason,
            receipt=result.receipt,
        )
        ok = await self._settle(row, result, attempt, breaker, report)
        self._check_lease(ok, row, report)
        if self.on_attempt is not None:
            self.on_attempt(row, attempt, self.clock())

    async def _settle(
        self,
        row: OutboxRow,
        result: HubResult,
        attempt: Attempt,
        breaker: CircuitBreaker,
        report: DispatchReport,
    ) -> bool:
        """Record the attempt's outcome: delivered, dead letter, or retry at the next backoff.

        The outcome was decided where the result was made (:func:`gateway.engine.retry.classified`);
        here it is only acted on, and the deadline is applied to what is to be retried."""
        klass = error_class(result.code)
        now = self.clock()
        if result.outcome is not Outcome.RETRYABLE:  # the hub answered: the endpoint is there
            await self._answered(breaker)
        if result.outcome.done:
            term = term_start(
                row.berichttype, conversatie=row.conversatie, referentienummer=row.referentienummer, at=now
            )
            report.delivered += 1
            log.info(
                "delivered %s (%s) after %d attempt(s)",
                row.referentienummer,
                row.berichttype,
                row.attempts + 1,
                extra=_context(row, "delivered"),
            )
            return await self._delivered.submit(
                DeliveredAttempt(row.referentienummer, self.owner, attempt, now, term)
            )
        if result.outcome is Outcome.PERMANENT:  # the endpoint is fine, this message is not
            code = f" [{result.code}]" if result.code else ""
            return await self._dead(
                row, attempt, now, f"permanent{code}: {result.reason or klass.explanation}", report
            )
        breaker.failure(f"{result.code or ''} {result.reason}".strip())
        self.reachability.failed(f"{result.code or 'retryable'}: {result.reason or klass.explanation}")
        if now >= row.deadline:
            reason = (
                f"deadline {row.deadline.isoformat()} passed after {row.attempts + 1} attempt(s); "
                f"last error: {result.code or ''} {result.reason or klass.explanation}".strip()
            )
            return await self._dead(row, attempt, now, reason, report)
        s = self.settings
        when = next_attempt(
            now,
            row.attempts + 1,
            base=s.backoff_base_seconds,
            cap=s.backoff_cap_seconds,
            rng=self.rng,
            deadline=row.deadline,
        )
        report.retried += 1
        log.info(
            "retry %s at %s: %s%s",
            row.referentienummer,
            when.isoformat(),
            result.reason or klass.explanation,  # what happened; the code names its class once
            f" [{result.code}]" if result.code else "",
            extra=_context(row, "retry"),
        )
        return await self.store.record_retry(
            row.referentienummer, owner=self.owner, attempt=attempt, now=now, next_attempt_at=when
        )

    async def _answered(self, breaker: CircuitBreaker) -> None:
        """The hub answered. When that closes the circuit, what waited for it is due now, not at the
        end of its backoff (the rows the circuit deferred, the retries of the outage)."""
        self.reachability.answered()
        if breaker.state is BreakerState.CLOSED:
            breaker.success()  # resets the count of consecutive failures
            return
        breaker.success()
        try:
            await self.retry_now()
        except StoreUnavailable as exc:  # then they go at their own next attempt; the send is recorded
            log.warning("the circuit closed, but waiting messages could not be made due now: %s", exc)

    async def retry_now(self, referentienummer: str | None = None) -> int:
        """Every waiting message (or the one) is due now; an open circuit probes at once."""
        if referentienummer is None:
            self.breakers.probe_now()
        due = await self.store.retry_now(now=self.clock(), referentienummer=referentienummer)
        self.wake()
        if referentienummer is None:
            log.info("%d waiting message(s) due now", due)
        return due

    @staticmethod
    def _check_lease(ok: bool, row: OutboxRow, report: DispatchReport) -> None:
        if not ok:
            report.lease_lost += 1
            log.warning(
                "lease on %s was lost before its result was recorded; the attempt is kept",
                row.referentienummer,
            )

    async def _dead(
        self, row: OutboxRow, attempt: Attempt | None, now: datetime, reason: str, report: DispatchReport
    ) -> bool:
        ok = await self.store.record_dead(
            row.referentienummer, owner=self.owner, attempt=attempt, now=now, reason=reason
        )
        report.dead += 1
        log.warning(
            "dead letter %s (%s): %s",
            row.referentienummer,
            row.berichttype,
            reason,
            extra=_context(row, "dead"),
        )
        return ok

    async def _send(self, row: OutboxRow, document: bytes) -> HubResult:
        """One attempt: the hub call, plus quick retries of connection-level blips (the table's
        ``quick``): at most ``in_attempt_retries`` more calls, after waits of m, 2m, 4m … capped at 8m
        (m = ``in_attempt_wait_seconds``)."""
        s = self.settings
        result = await self._call(row, document)
        for retry in range(s.in_attempt_retries):
            if result.outcome is not Outcome.RETRYABLE or not error_class(result.code).quick:
                break
            await self._sleep(min(s.in_attempt_wait_seconds * 2**retry, s.in_attempt_wait_seconds * 8))
            result = await self._call(row, document)
        return result

    async def _call(self, row: OutboxRow, document: bytes) -> HubResult:
        try:
            return await self.hub.send(
                referentienummer=row.referentienummer,
                ontvanger=row.ontvanger,
                berichttype=row.berichttype,
                document=document,
            )
        except (OSError, TimeoutError) as exc:
            return classified("connection", f"{type(exc).__name__}: {exc}")
        except Exception as exc:  # a bug in a client must not kill the dispatcher
            log.exception("hub client raised while sending %s", row.referentienummer)
            return classified("exception", f"{type(exc).__name__}: {exc}")


def _context(row: OutboxRow, event: str) -> dict[str, str]:
    return logs.context(row.referentienummer, row.conversatie, row.berichttype, row.ontvanger, event)
