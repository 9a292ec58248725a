"""The dispatcher's continuous loop: a fixed pool of senders fed by a claimer that claims ahead.

Rounds (:meth:`Dispatcher.run_once`) wait for their slowest send before claiming again, so a
message submitted during a round waits for unrelated sends. Here ``max_concurrent`` senders take
claimed rows from a local queue, each starting the next as soon as its send is recorded, and one
claimer keeps that queue topped up: when fewer rows wait than there are senders, it claims as many
as bring this process's claimed-but-unfinished rows back to its capacity. Claims therefore stay
batched under load (one claim statement per tens of messages, which matters on PostgreSQL where a
claim over a large backlog costs milliseconds), while an idle gateway claims a message the moment
it is enqueued.

On stop the sends in flight finish and are recorded; rows claimed but not yet started are handed
back (:meth:`Store.release_outbound`), so another process or the next start sends them at once
instead of after their lease.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import timedelta
from typing import TYPE_CHECKING

from gateway.engine.faultlog import FailureLog
from gateway.store.records import OutboxRow

if TYPE_CHECKING:
    from gateway.engine.dispatcher import Dispatcher, DispatchReport

log = logging.getLogger(__name__)


class SenderPool:
    def __init__(self, dispatcher: Dispatcher, report: DispatchReport) -> None:
        self.d = dispatcher
        self.report = report
        s = dispatcher.settings
        self.senders = max(1, s.max_concurrent)
        #: claimed rows this process holds at most (waiting + being sent); at least two rounds of
        #: senders, so that a claim under load fetches tens of rows, not one
        self.capacity = max(s.batch_size, 2 * self.senders)
        self.waiting: asyncio.Queue[OutboxRow | None] = asyncio.Queue()
        self.busy = 0
        #: the claimer knows nothing is due before an enqueue or a known time: a finished send then
        #: need not wake it (it would only find nothing, at two store round trips per message)
        self.quiet = False
        # a store that cannot write makes every claim and every recorded send fail: log it once
        self.claim_failures = FailureLog(log, "claiming outbound messages")
        self.due_failures = FailureLog(log, "looking up when the next message is due")
        self.send_failures = FailureLog(log, "recording the result of a send")

    async def run(self, stop: asyncio.Event) -> None:
        tasks = [asyncio.create_task(self._sender()) for _ in range(self.senders)]
        try:
            await self._claim_loop(stop)
        except asyncio.CancelledError:
            for task in tasks:
                task.cancel()
            raise
        unsent = self._drain()
        for _ in tasks:
            self.waiting.put_nowait(None)  # each sender stops after the send it is busy with
        await asyncio.gather(*tasks, return_exceptions=True)
        await self._release(unsent)

    # the claimer ------------------------------------------------------------------------------
    async def _claim_loop(self, stop: asyncio.Event) -> None:
        d, s = self.d, self.d.settings
        while not stop.is_set():
            d.wakeup.clear()  # before looking: a send finishing or an enqueue from here on wakes us
            room = self.capacity - self.waiting.qsize() - self.busy
            if self.waiting.qsize() >= self.senders or room <= 0:
                await self._wait(stop, s.idle_wait_seconds)  # enough work here; a sender wakes us
                continue
            try:
                rows = await self._claim(room)
            except Exception as exc:  # the store is unreachable: log, wait, try again
                self.claim_failures.failed(exc, "trying again after the idle wait")
                await self._wait(stop, s.idle_wait_seconds, wake=False)
                continue
            self.claim_failures.ok()
            for row in rows:
                self.waiting.put_nowait(row)
            if len(rows) < room:  # nothing more is due now
                await self._idle(stop)
                self.quiet = False

    async def _claim(self, limit: int) -> list[OutboxRow]:
        d, s = self.d, self.d.settings
        now = d.clock()
        rows = await d.store.claim_outbound(
            owner=d.owner,
            now=now,
            lease_until=now + timedelta(seconds=s.lease_seconds),
            limit=limit,
            max_claims=s.max_claims,
        )
        self.report.claimed += len(rows)
        return rows

    async def _idle(self, stop: asyncio.Event) -> None:
        """Wait for a wake (enqueue, a finished send), ``stop``, or the next row falling due.

        A row that is due but was not claimed is waiting for its predecessor in the conversation,
        which is being sent here or by another process. When ours are in flight, their finishing
        wakes us, so that row's past due time must not turn this wait into a spin; when none are,
        look again after a short pause (another process may finish it)."""
        d = self.d
        if d.wakeup.is_set():
            return
        wait = d.settings.idle_wait_seconds
        try:
            due = await d.store.next_outbound_due()
        except Exception as exc:  # the store is unreachable: the claim after the idle wait says so again
            self.due_failures.failed(exc, "waiting the idle wait")
            await self._wait(stop, wait)
            return
        self.due_failures.ok()
        if due is not None:
            until = (due - d.clock()).total_seconds()
            if until > 0:
                wait = min(wait, until)
            elif not (self.busy or self.waiting.qsize()):
                wait = min(wait, _BLOCKED_POLL_SECONDS)
        # nothing due now, so no row waits for a predecessor: until an enqueue (which wakes us) or
        # the next due time, a finished send cannot make anything due
        self.quiet = due is None or due > d.clock()
        await self._wait(stop, wait)

    async def _wait(self, stop: asyncio.Event, timeout: float, *, wake: bool = True) -> None:
        waiters = [asyncio.ensure_future(stop.wait())]
        if wake:
            waiters.append(asyncio.ensure_future(self.d.wakeup.wait()))
        try:
            await asyncio.wait(waiters, timeout=max(0.0, timeout), return_when=asyncio.FIRST_COMPLETED)
        finally:
            for w in waiters:
                w.cancel()

    # the senders ------------------------------------------------------------------------------
    async def _sender(self) -> None:
        while (row := await self.waiting.get()) is not None:
            if self._lease_too_short(row):
                await self._release([row])  # claimed again, with a fresh lease, by whoever is free
                self.d.wakeup.set()
                continue
            self.busy += 1
            rescheduled = self.report.retried + self.report.deferred
            try:
                await self.d.send_one(row, self.report)
                self.send_failures.ok()
            except Exception as exc:  # e.g. the store failed to record: the lease expires, it is sent again
                self.send_failures.failed(exc, f"{row.referentienummer} is sent again after its lease")
            finally:
                self.busy -= 1
                if self.report.retried + self.report.deferred != rescheduled:
                    self.d.wakeup.set()  # a new due time: the claimer's wait may be too long for it
                elif not self.quiet and self.waiting.qsize() < self.senders:
                    self.d.wakeup.set()  # room to claim more

    def _lease_too_short(self, row: OutboxRow) -> bool:
        """A row that waited here (a slow hub) for half its lease is not sent under what is left of it:
        were the lease to run out mid-send, another sender could claim and send it as well."""
        if row.lease_until is None:
            return False
        margin = timedelta(seconds=self.d.settings.lease_seconds / 2)
        return self.d.clock() >= row.lease_until - margin

    def _drain(self) -> list[OutboxRow]:
        unsent: list[OutboxRow] = []
        with contextlib.suppress(asyncio.QueueEmpty):
            while True:
                row = self.waiting.get_nowait()
                if row is not None:
                    unsent.append(row)
        return unsent

    async def _release(self, rows: list[OutboxRow]) -> None:
        if not rows:
            return
        d = self.d
        try:
            await d.store.release_outbound([r.referentienummer for r in rows], owner=d.owner, now=d.clock())
        except Exception:  # they are sent after their lease instead
            log.exception(
                "could not hand back %d claimed message(s); they go out after their lease", len(rows)
            )


#: how often to look again for a due row that waits for a predecessor another process is sending
_BLOCKED_POLL_SECONDS = 0.05
