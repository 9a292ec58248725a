"""Inbound poller: fetch → inspect → store raw bytes durably → only then confirm at the hub → process.

Every step is recorded before the next one starts, so a crash anywhere is safe: a message stored but
not confirmed is fetched again and recognised by its Referentienummer (confirmed, not stored
twice); a message stored but not processed is picked up from its ``received`` state.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from gateway import logs
from gateway.engine.clock import Clock, utcnow
from gateway.engine.conversations import update_for
from gateway.engine.faultlog import FailureLog
from gateway.engine.fetchguard import record_fetch
from gateway.engine.ports import HubError, HubPort, OpgehaaldBericht, Outcome
from gateway.engine.processing import InboundProcessing, Inspectie
from gateway.engine.reachability import HubReachability
from gateway.engine.settings import PollSettings, SinkSettings
from gateway.model.berichttype import Berichttype
from gateway.store.base import Store
from gateway.store.records import InboxRow, InboxState, NieuwInkomend, NieuwUitgaand, sha256_hex

log = logging.getLogger(__name__)

#: fetch failures of the answer as a whole that a smaller batch may avoid (too large, unreadable)
SMALLER_MAY_HELP = frozenset({"response-too-large", "garbage-response", "bad-response"})


@dataclass
class PollReport:
    skipped: bool = False  # another process holds the poller lock
    fetched: int = 0
    stored: int = 0
    duplicates: int = 0
    confirmed: int = 0
    confirm_failed: int = 0
    accepted: int = 0
    quarantined: int = 0
    fetch_error: str | None = None


class Poller:
    def __init__(
        self,
        store: Store,
        hub: HubPort,
        processing: InboundProcessing,
        *,
        sinks: Sequence[str],
        settings: PollSettings | None = None,
        sink_settings: SinkSettings | None = None,
        clock: Clock = utcnow,
        on_enqueued: Callable[[], None] | None = None,
        reachability: HubReachability | None = None,
    ) -> None:
        self.store = store
        self.hub = hub
        self.processing = processing
        self.sinks = list(sinks)
        self.settings = settings or PollSettings()
        self.sink_settings = sink_settings or SinkSettings()
        self.clock = clock
        self.on_enqueued = on_enqueued or (lambda: None)
        self.reachability = reachability or HubReachability(clock)
        self._trigger = asyncio.Event()

    def trigger(self) -> None:
        """Fetch now (on demand) instead of waiting for the interval."""
        self._trigger.set()

    async def run(self, stop: asyncio.Event) -> None:
        interval = min(self.settings.interval_seconds, self.settings.max_interval_seconds)
        failures = FailureLog(log, "the poll cycle")
        while not stop.is_set():
            try:
                await self.poll_once()
                failures.ok()
            except Exception as exc:
                failures.failed(exc, "trying again after the interval")
            self._trigger.clear()
            waiters = [asyncio.ensure_future(stop.wait()), asyncio.ensure_future(self._trigger.wait())]
            try:
                await asyncio.wait(waiters, timeout=interval, return_when=asyncio.FIRST_COMPLETED)
            finally:
                for w in waiters:
                    w.cancel()

    async def poll_once(self) -> PollReport:
        report = PollReport()
        async with self.store.poller_lock() as held:
            if not held:
                report.skipped = True
                return report
            await self.recover(report)
            batch = max(1, self.settings.fetch_batch)
            for _page in range(max(1, self.settings.max_pages)):
                try:
                    result = await self.hub.haal_op(batch)
                except HubError as exc:
                    if exc.code in SMALLER_MAY_HELP and batch > 1:
                        # one message too many or too big for the answer: fewer at a time, down to one
                        batch = max(1, batch // 2)
                        log.warning("fetching failed (%s: %s); now %d at a time", exc.code, exc.reason, batch)
                        continue
                    report.fetch_error = f"{exc.code or 'error'}: {exc.reason}"
                    self.reachability.failed(report.fetch_error)
                    self._fetch_failed(exc, batch)
                    break
                self.reachability.answered()
                await record_fetch(self.store, self.clock())
                report.fetched += len(result.berichten)
                for bericht in result.berichten:
                    await self._handle(bericht, result.envelope, report)
                if not result.meer or not result.berichten:
                    break
        return report

    @staticmethod
    def _fetch_failed(exc: HubError, batch: int) -> None:
        if exc.code in SMALLER_MAY_HELP:  # even one message alone: the hub's next one cannot be read
            log.error(
                "the next message at the hub cannot be fetched, even on its own (%s: %s); the messages "
                "after it wait behind it: raise [hub] max_response_bytes if it is too large, or have "
                "the hub remove it",
                exc.code,
                exc.reason,
            )
            return
        log.warning(
            "fetch of %d from the hub failed (%s: %s, retryable=%s)",
            batch,
            exc.code,
            exc.reason,
            exc.retryable,
        )

    async def recover(self, report: PollReport) -> None:
        """Finish what a crash interrupted: process stored messages, confirm stored ones again.

        A process killed after the hub confirmed but before the confirmation was recorded leaves a
        row the hub will never offer again; confirming is idempotent, so it is simply repeated."""
        for row in await self.store.list_inbound(state=InboxState.RECEIVED, limit=1000):
            await self._advance(row, report)
        for row in await self.store.list_inbound(unconfirmed=True, limit=1000):
            await self._confirm(row.referentienummer, report)

    # one message ------------------------------------------------------------------------------
    async def _handle(self, b: OpgehaaldBericht, envelope: bytes, report: PollReport) -> None:
        ref = b.referentienummer
        existing = await self.store.get_inbound(ref)
        if existing is None:
            insp = self._inspect(b)
            problems = [dict(p) for p in insp.problems]
            if insp.referentienummer and insp.referentienummer != ref:
                problems.append(
                    {
                        "code": "referentienummer-mismatch",
                        "message": "the document's Referentienummer differs from the one the hub gave",
                        "expected": ref,
                        "found": insp.referentienummer,
                    }
                )
            stored = await self.store.store_inbound(
                NieuwInkomend(
                    referentienummer=ref,
                    berichttype=insp.berichttype or b.berichttype,
                    afzender=b.afzender,
                    ontvanger=insp.ontvanger,
                    conversatie=insp.conversatie,
                    document=b.document,
                    envelope=envelope,
                    valid=insp.ok and not problems,
                    problems=tuple(problems),
                    json_body=insp.json_body if insp.ok else None,
                    bevindingen=insp.bevindingen if insp.ok else (),
                    received_at=self.clock(),
                    hub_received_at=b.ontvangen_op,
                    klantnummer_shv=insp.klantnummer_shv if insp.ok else None,
                )
            )
            if stored:
                report.stored += 1
            else:
                report.duplicates += 1
        else:
            report.duplicates += 1
            if existing.confirmed_at is not None:
                log.warning("the hub offers %s again although it was confirmed; confirming again", ref)
            if existing.sha256 != sha256_hex(b.document):
                log.warning(
                    "hub returned a different document under known Referentienummer %s; first kept", ref
                )
        # the hub offers it, so the hub does not hold it as confirmed, whatever we recorded: confirm
        # (idempotent), or it heads every page from now on and newer messages are never fetched
        await self._confirm(ref, report)
        row = await self.store.get_inbound(ref)
        if row is not None:
            await self._advance(row, report)

    def _inspect(self, b: OpgehaaldBericht) -> Inspectie:
        try:
            return self.processing.inspect(b.document)
        except Exception as exc:  # inspection must not lose the message: quarantine it
            log.exception("inspection of %s raised", b.referentienummer)
            return Inspectie(
                ok=False,
                problems=(
                    {
                        "code": "inspection-failed",
                        "message": f"the message could not be inspected: {type(exc).__name__}",
                    },
                ),
            )

    async def _confirm(self, ref: str, report: PollReport) -> None:
        try:
            result = await self.hub.bevestig(ref)
        except Exception as exc:
            log.warning(
                "confirming %s raised %s; it will be fetched and confirmed again", ref, type(exc).__name__
            )
            report.confirm_failed += 1
            return
        if result.outcome.done:
            await self.store.mark_confirmed(ref, now=self.clock())
            report.confirmed += 1
        elif result.outcome is Outcome.PERMANENT:
            # The hub will never take this confirmation (e.g. the message expired there): it no longer
            # holds the message for us, and we have it stored. Record it as closed so recovery stops
            # asking; should the hub offer it again, it is confirmed again like any repeat.
            await self.store.mark_confirmed(ref, now=self.clock())
            report.confirm_failed += 1
            log.warning(
                "the hub refused the confirmation of %s for good (%s %s); recorded as closed at the hub",
                ref,
                result.code,
                result.reason,
            )
        else:
            report.confirm_failed += 1
            log.warning(
                "confirming %s failed (%s %s); it will be fetched again", ref, result.code, result.reason
            )

    async def _advance(self, row: InboxRow, report: PollReport) -> None:
        if row.state is not InboxState.RECEIVED:
            return
        now = self.clock()
        if row.valid:
            conv = update_for(
                row.berichttype,
                conversatie=row.conversatie,
                referentienummer=row.referentienummer,
                tegenpartij=row.afzender,
                at=now,
                outbound=False,
            )
            deadline = now + timedelta(seconds=self.sink_settings.deadline_seconds)
            if await self.store.accept_inbound(
                row.referentienummer, now=now, sinks=self.sinks, sink_deadline=deadline, conversatie=conv
            ):
                report.accepted += 1
                log.info(
                    "received %s (%s)",
                    row.referentienummer,
                    row.berichttype,
                    extra=logs.context(
                        row.referentienummer, row.conversatie, row.berichttype, row.afzender, "received"
                    ),
                )
            return
        foutbericht, note = self._foutbericht(row)
        if await self.store.quarantine_inbound(
            row.referentienummer,
            now=now,
            problems=list(row.problems),
            note=note,
            foutbericht=foutbericht,
            foutbericht_deadline=now + timedelta(seconds=self.settings.foutbericht_deadline_seconds),
        ):
            report.quarantined += 1
            log.warning(
                "quarantined %s: %d problem(s); %s",
                row.referentienummer,
                len(row.problems),
                note,
                extra=logs.context(
                    row.referentienummer, row.conversatie, row.berichttype, row.afzender, "quarantined"
                ),
            )
            if foutbericht is not None:
                self.on_enqueued()

    def _foutbericht(self, row: InboxRow) -> tuple[NieuwUitgaand | None, str]:
        if row.berichttype == Berichttype.FOUTBERICHT:
            return None, "no Foutbericht in answer to a Foutbericht"
        if row.document is None:
            return None, "no Foutbericht: raw document missing"
        ref = str(uuid.uuid4())
        problems: list[dict[str, Any]] = list(row.problems)
        try:
            document = self.processing.foutbericht(
                row.document,
                problems,
                referentienummer=ref,
                gerefereerd=row.referentienummer,
                ontvanger=row.afzender,
                conversatie=row.conversatie,
            )
        except Exception as exc:
            log.exception("building the Foutbericht for %s failed", row.referentienummer)
            return None, f"Foutbericht could not be built ({type(exc).__name__}: {exc}); answer by hand"
        return (
            NieuwUitgaand(
                referentienummer=ref,
                berichttype=Berichttype.FOUTBERICHT.value,
                ontvanger=row.afzender,
                conversatie=row.conversatie or ref,
                document=document,
            ),
            f"Foutbericht {ref} queued",
        )
