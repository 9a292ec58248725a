"""The engine as one long-running task: dispatcher, poller, sink deliverer and housekeeping.

The daemon builds the store, the hub client, the inbound processing and the sinks, then::

    engine = Engine(store, hub, processing, sinks, EngineSettings(), trust=admission)
    stop = asyncio.Event()
    await engine.run(stop)          # until stop is set
    engine.enqueued()               # after the API queued a message: send it now
    engine.fetch_now()              # on-demand HaalBerichtenOp
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Awaitable, Callable, Sequence
from datetime import timedelta

from gateway.engine.batching import GroupCommit
from gateway.engine.clock import Clock, utcnow
from gateway.engine.conversations import ConversationMonitor
from gateway.engine.delivery import SinkDeliverer
from gateway.engine.dispatcher import Dispatcher, default_owner
from gateway.engine.faultlog import FailureLog
from gateway.engine.fetchguard import FetchFreshness, check_fetch_freshness
from gateway.engine.poller import Poller
from gateway.engine.ports import HubPort, SinkPort
from gateway.engine.processing import InboundProcessing, InboundTrust
from gateway.engine.reachability import HubReachability
from gateway.engine.retention import purge_payloads
from gateway.engine.settings import EngineSettings
from gateway.store.base import ConversationChanged, EnqueueConflict, InvalidTransition, Store
from gateway.store.records import EnqueueResult, NewOutbound, OutboxRow, SinkState

log = logging.getLogger(__name__)

HOUSEKEEPING_SECONDS = 3600.0  # retention purge and the fetch-freshness check


class Engine:
    def __init__(
        self,
        store: Store,
        hub: HubPort,
        processing: InboundProcessing,
        sinks: Sequence[SinkPort],
        settings: EngineSettings | None = None,
        *,
        trust: InboundTrust,
        clock: Clock = utcnow,
        owner: str | None = None,
        rng: random.Random | None = None,
    ) -> None:
        self.settings = s = settings or EngineSettings()
        self.store = store
        self.clock = clock
        owner = owner or default_owner()
        rng = rng or random.Random()
        self.reachability = HubReachability(clock)  # is the hub answering (sends and fetches)
        self.dispatcher = Dispatcher(
            store, hub, s.dispatch, clock=clock, owner=owner, rng=rng, reachability=self.reachability
        )
        self.deliverer = SinkDeliverer(store, sinks, s.sink, clock=clock, owner=owner, rng=rng)
        self.poller = Poller(
            store,
            hub,
            processing,
            trust=trust,
            sinks=self.deliverer.names,
            settings=s.poll,
            sink_settings=s.sink,
            clock=clock,
            on_enqueued=self.dispatcher.wake,
            reachability=self.reachability,
        )
        self.conversations = ConversationMonitor(store, clock)
        self._enqueued: GroupCommit[NewOutbound, EnqueueResult] = GroupCommit(self._enqueue_many)
        self._sink_wake = asyncio.Event()

    def enqueued(self) -> None:
        self.dispatcher.wake()

    async def enqueue(self, msg: NewOutbound) -> EnqueueResult:
        """Queue a validated document with the configured total deadline and send it soon.

        Idempotent on Referentienummer; :class:`gateway.store.EnqueueConflict` for other content,
        :class:`gateway.store.base.ConversationChanged` when its conversation changed meanwhile."""
        return await self._enqueued.submit(msg)

    async def _enqueue_many(
        self, msgs: Sequence[NewOutbound]
    ) -> list[EnqueueResult | EnqueueConflict | ConversationChanged]:
        """Submissions that arrive while another is being stored share its transaction (group commit):
        each caller still gets its answer only after the commit that holds its message."""
        now = self.clock()
        deadline = now + timedelta(seconds=self.settings.dispatch.total_deadline_seconds)
        results = await self.store.enqueue_many(msgs, now=now, deadline=deadline)
        self.dispatcher.wake()
        return results

    async def resend(self, referentienummer: str) -> OutboxRow:
        """Send a dead letter again under the same Referentienummer, with a fresh total deadline."""
        now = self.clock()
        deadline = now + timedelta(seconds=self.settings.dispatch.total_deadline_seconds)
        row = await self.store.resend(referentienummer, now=now, deadline=deadline)
        self.dispatcher.wake()
        return row

    async def redeliver(self, referentienummer: str) -> list[str]:
        """Hand a received message again to each sink whose delivery died, with a fresh deadline.

        Returns those sinks; :class:`InvalidTransition` when no delivery of the message is dead."""
        deliveries = await self.store.sink_deliveries(referentienummer)
        dead = [d.sink for d in deliveries if d.state is SinkState.DEAD]
        if not dead:
            raise InvalidTransition("nothing to redeliver: no delivery of this message to a sink is dead")
        now = self.clock()
        deadline = now + timedelta(seconds=self.settings.sink.deadline_seconds)
        for sink in dead:
            await self.store.resend_sink(referentienummer, sink, now=now, deadline=deadline)
        return dead

    async def retry_now(self, referentienummer: str | None = None) -> int:
        """The hub is back: every waiting outbound message (or the one with ``referentienummer``) is
        due now, and an open circuit sends its probe at once. Returns how many were made due;
        ``NotFound`` / ``InvalidTransition`` from the store for one message that is not waiting."""
        return await self.dispatcher.retry_now(referentienummer)

    def fetch_now(self) -> None:
        self.poller.trigger()

    async def fetch_freshness(self) -> FetchFreshness:
        return await check_fetch_freshness(
            self.store, now=self.clock(), max_age_seconds=self.settings.fetch_guard.max_age_seconds
        )

    async def housekeeping(self) -> None:
        await purge_payloads(self.store, self.settings.retention, now=self.clock())
        await self.fetch_freshness()  # logs a warning when stale
        overdue = await self.conversations.count_overdue()
        if overdue:
            log.warning("%d conversation(s) past their answer date", overdue)

    async def run(self, stop: asyncio.Event) -> None:
        await asyncio.gather(
            self.dispatcher.run(stop),
            self.poller.run(stop),
            self._loop(stop, self._deliver_round, self.settings.dispatch.idle_wait_seconds),
            self._loop(stop, self.housekeeping, HOUSEKEEPING_SECONDS),
        )

    async def _deliver_round(self) -> None:
        while (await self.deliverer.run_once()).claimed >= self.settings.sink.batch_size:
            pass

    @staticmethod
    async def _loop(stop: asyncio.Event, step: Callable[[], Awaitable[None]], every: float) -> None:
        failures = FailureLog(log, f"engine task {getattr(step, '__name__', step)}")
        while not stop.is_set():
            try:
                await step()
                failures.ok()
            except Exception as exc:
                failures.failed(exc, f"trying again in {every:g}s")
            try:
                await asyncio.wait_for(stop.wait(), timeout=every)
            except TimeoutError:
                pass
