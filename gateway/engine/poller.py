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
from gateway.engine.faultlog import FailureLog
from gateway.engine.fetchguard import record_fetch
from gateway.engine.ports import FetchedMessage, HubError, HubPort, Outcome
from gateway.engine.processing import InboundProcessing, InboundTrust, Inspection, Judgement
from gateway.engine.reachability import HubReachability
from gateway.engine.settings import PollSettings, SinkSettings
from gateway.model.berichttype import Berichttype
from gateway.store.base import ConversationChanged, Store
from gateway.store.records import InboxRow, InboxState, NewInbound, NewOutbound, sha256_hex

log = logging.getLogger(__name__)

#: fetch failures of the answer as a whole that a smaller batch may avoid (too large, unreadable)
SMALLER_MAY_HELP = frozenset({"response-too-large", "garbage-response", "bad-response"})
JUDGE_ATTEMPTS = 3  # a conversation that changes under us this often: judged again next cycle


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
    refused_duplicates: int = 0
    fetch_error: str | None = None


class Poller:
    def __init__(
        self,
        store: Store,
        hub: HubPort,
        processing: InboundProcessing,
        *,
        trust: InboundTrust,
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
        self.trust = trust
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
                    result = await self.hub.fetch(batch)
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
                report.fetched += len(result.messages)
                for bericht in result.messages:
                    await self._handle(bericht, result.envelope, report)
                if not result.more or not result.messages:
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
    async def _handle(self, b: FetchedMessage, envelope: bytes, report: PollReport) -> None:
        ref = b.referentienummer
        existing = await self.store.get_inbound(ref)
        if existing is None:
            stored = await self.store.store_inbound(self._new_inbound(b, envelope))
            if stored:
                report.stored += 1
            else:
                report.duplicates += 1
        else:
            report.duplicates += 1
            if existing.confirmed_at is not None:
                log.warning("the hub offers %s again although it was confirmed; confirming again", ref)
            if existing.sha256 != sha256_hex(b.document):
                await self._refuse_duplicate(b, envelope, report)
        # the hub offers it, so the hub does not hold it as confirmed, whatever we recorded: confirm
        # (idempotent), or it heads every page from now on and newer messages are never fetched
        await self._confirm(ref, report)
        row = await self.store.get_inbound(ref)
        if row is not None:
            await self._advance(row, report)

    def _new_inbound(self, b: FetchedMessage, envelope: bytes) -> NewInbound:
        """The fetched message as stored: its inspection, and whether the document agrees with what
        the hub said of it (Referentienummer, Afzender)."""
        insp = self._inspect(b)
        problems = [dict(p) for p in insp.problems]
        for code, what, hub, document in (
            ("referentienummer-mismatch", "Referentienummer", b.referentienummer, insp.referentienummer),
            ("afzender-mismatch", "Afzender", b.afzender, insp.afzender),
        ):
            if document and document != hub:
                problems.append(
                    {
                        "code": code,
                        "message": f"the document's {what} differs from the one the hub gave",
                        "expected": hub,
                        "found": document,
                    }
                )
        return NewInbound(
            referentienummer=b.referentienummer,
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
            hub_received_at=b.hub_received_at,
            afzender_oin=b.afzender_oin,
            klantnummer_shv=insp.klantnummer_shv if insp.ok else None,
        )

    async def _refuse_duplicate(self, b: FetchedMessage, envelope: bytes, report: PollReport) -> None:
        """Another document under a Referentienummer we hold: the first stays; this one is refused,
        recorded once and answered with a Foutbericht (never handed to a sink)."""
        msg = self._new_inbound(b, envelope)
        problems = [
            {
                "code": "duplicate-referentienummer",
                "message": "this Referentienummer was received before with other content; the first is kept",
            }
        ]
        foutbericht, note = self._foutbericht(
            msg.berichttype, msg.document, problems, b.referentienummer, b.afzender, msg.conversatie
        )
        now = self.clock()
        deadline = now + timedelta(seconds=self.settings.foutbericht_deadline_seconds)
        if await self.store.refuse_duplicate(
            msg, problems=problems, note=note, foutbericht=foutbericht, foutbericht_deadline=deadline
        ):
            report.refused_duplicates += 1
            log.warning(
                "refused a different document under known Referentienummer %s (first kept); %s",
                b.referentienummer,
                note,
            )
            if foutbericht is not None:
                self.on_enqueued()

    def _inspect(self, b: FetchedMessage) -> Inspection:
        try:
            return self.processing.inspect(b.document)
        except Exception as exc:  # inspection must not lose the message: quarantine it
            log.exception("inspection of %s raised", b.referentienummer)
            return Inspection(
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
            result = await self.hub.confirm(ref)
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
        if not row.valid:
            await self._quarantine(row, list(row.problems), report)
            return
        for _attempt in range(JUDGE_ATTEMPTS):
            try:
                judgement = await self.trust.judge(row)
            except Exception:  # nothing is lost: the row stays received and is judged again
                log.exception(
                    "judging %s failed; it stays received and is judged next cycle", row.referentienummer
                )
                return
            if not judgement.admitted:
                await self._quarantine(row, [dict(p) for p in judgement.problems], report)
                return
            try:
                await self._accept(row, judgement, report)
            except ConversationChanged:
                continue  # the conversation moved on between reading and writing: judge again
            return
        log.warning(
            "conversation %s kept changing while %s was judged; it stays received until the next cycle",
            row.conversatie,
            row.referentienummer,
        )

    async def _accept(self, row: InboxRow, judgement: Judgement, report: PollReport) -> None:
        if judgement.bevindingen:  # they travel with the message (merged: judging again adds none)
            await self.store.add_inbound_bevindingen(row.referentienummer, judgement.bevindingen)
        now = self.clock()
        deadline = now + timedelta(seconds=self.sink_settings.deadline_seconds)
        if await self.store.accept_inbound(
            row.referentienummer,
            now=now,
            sinks=self.sinks,
            sink_deadline=deadline,
            conversatie=judgement.conversatie,
        ):
            report.accepted += 1
            log.info(
                "received %s (%s)%s",
                row.referentienummer,
                row.berichttype,
                f" with finding(s) {', '.join(str(b.get('code')) for b in judgement.bevindingen)}"
                if judgement.bevindingen
                else "",
                extra=logs.context(
                    row.referentienummer, row.conversatie, row.berichttype, row.afzender, "received"
                ),
            )

    async def _quarantine(self, row: InboxRow, problems: list[dict[str, Any]], report: PollReport) -> None:
        now = self.clock()
        foutbericht, note = self._foutbericht(
            row.berichttype, row.document, problems, row.referentienummer, row.afzender, row.conversatie
        )
        if await self.store.quarantine_inbound(
            row.referentienummer,
            now=now,
            problems=problems,
            note=note,
            foutbericht=foutbericht,
            foutbericht_deadline=now + timedelta(seconds=self.settings.foutbericht_deadline_seconds),
        ):
            report.quarantined += 1
            log.warning(
                "quarantined %s: %s; %s",
                row.referentienummer,
                ", ".join(str(p.get("code")) for p in problems) or "no problem named",
                note,
                extra=logs.context(
                    row.referentienummer, row.conversatie, row.berichttype, row.afzender, "quarantined"
                ),
            )
            if foutbericht is not None:
                self.on_enqueued()

    def _foutbericht(
        self,
        berichttype: str,
        document: bytes | None,
        problems: list[dict[str, Any]],
        referentienummer: str,
        afzender: str,
        conversatie: str | None,
    ) -> tuple[NewOutbound | None, str]:
        if berichttype == Berichttype.FOUTBERICHT:
            return None, "no Foutbericht in answer to a Foutbericht"
        if document is None:
            return None, "no Foutbericht: raw document missing"
        ref = str(uuid.uuid4())
        try:
            answer = self.processing.foutbericht(
                document,
                problems,
                referentienummer=ref,
                gerefereerd=referentienummer,
                ontvanger=afzender,
                conversatie=conversatie,
            )
        except Exception as exc:
            log.exception("building the Foutbericht for %s failed", referentienummer)
            return None, f"Foutbericht could not be built ({type(exc).__name__}: {exc}); answer by hand"
        return (
            NewOutbound(
                referentienummer=ref,
                berichttype=Berichttype.FOUTBERICHT.value,
                ontvanger=afzender,
                conversatie=conversatie or ref,
                document=answer,
            ),
            f"Foutbericht {ref} queued",
        )

