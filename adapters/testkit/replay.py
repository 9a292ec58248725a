"""Replay fixture messages to a hub: rewrite the header, validate, send with a rate limit and a
concurrency bound, and count what happened.

Every document is validated after its header was rewritten; an invalid one is refused locally
with its problems and never sent. When our role is known, a message the other role sends (a
SaldoverzoekAntwoord when we are the SHV) is skipped, not sent: a folder of fixtures mixes both
sides, and the hub would only refuse them.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from adapters.testkit.header import Rewrite, read_header, rewrite
from adapters.testkit.progress import Progress
from adapters.testkit.sending import Outgoing, RetryPolicy, Sender, send_with_retry
from adapters.testkit.summary import LOCAL_INVALID, ReplaySummary
from gateway.conversatie.tabel import afzender_rol
from gateway.model.berichttype import Berichttype, Rol
from gateway.xml.validate import validate_document


@dataclass(frozen=True, slots=True)
class ReplayOptions:
    afzender: str | None  # our party (address-book UUID); None: leave each document's Afzender
    ontvanger: str | None  # the counterpart; None: the one in each fixture's header
    keep_ids: bool = False  # send the documents exactly as they are
    rate: float = 0.0  # messages per second; 0: unlimited
    concurrency: int = 4
    retry: RetryPolicy = RetryPolicy()
    rol: Rol | None = None  # our role; messages the other role sends are skipped. None: send all


@dataclass(frozen=True, slots=True)
class Skip:
    """A valid message that is not ours to send: the other role sends this type."""

    name: str
    berichttype: str
    afzender_rol: Rol


@dataclass(frozen=True, slots=True)
class Refusal:
    name: str
    code: str  # the first problem's code, e.g. min-inclusive
    problems: list[str]


def prepare(name: str, data: bytes, options: ReplayOptions) -> Outgoing | Refusal | Skip:
    """The message to send, why it cannot be sent (invalid after rewriting), or that the other
    role sends it."""
    if not options.keep_ids:
        data, _ = rewrite(data, Rewrite.fresh(options.afzender, options.ontvanger))
    report = validate_document(data)
    header = read_header(data) if report.ok else None
    if not report.ok or header is None or not header.referentienummer:
        if report.ok:
            return Refusal(
                name, "no-referentienummer", ["the document has no Berichtheader/Referentienummer"]
            )
        return Refusal(name, report.problems[0].code, [str(p) for p in report.problems])
    skip = _other_side(name, report.entry.berichttype if report.entry else None, options.rol)
    if skip is not None:
        return skip
    ontvanger = options.ontvanger if not options.keep_ids else None
    ontvanger = ontvanger or header.ontvanger
    if not ontvanger:
        return Refusal(
            name,
            "no-ontvanger",
            ["no Ontvanger: name the counterpart with --ontvanger or [replay] ontvanger"],
        )
    return Outgoing(name, header.referentienummer, ontvanger, header.root, data)


def _other_side(name: str, berichttype: str | None, rol: Rol | None) -> Skip | None:
    try:
        sender = afzender_rol(Berichttype(berichttype)) if berichttype else None
    except ValueError:
        return None  # a type the model does not know (a registered toolkit module): the hub decides
    if rol is None or sender is None or sender == rol:
        return None
    return Skip(name, berichttype or "", sender)


class RateLimiter:
    """Spaces the start of each send by 1/rate seconds (no bursts)."""

    def __init__(self, rate: float, clock: Callable[[], float] = time.monotonic) -> None:
        self._interval = 1.0 / rate if rate > 0 else 0.0
        self._clock = clock
        self._next = 0.0
        self._lock = asyncio.Lock()

    async def wait(self) -> None:
        if not self._interval:
            return
        async with self._lock:
            now = self._clock()
            slot = max(now, self._next)
            self._next = slot + self._interval
        if slot > now:
            await asyncio.sleep(slot - now)


async def replay(
    inputs: Sequence[tuple[str, bytes]],
    sender: Sender,
    options: ReplayOptions,
    progress: Progress | None = None,
) -> ReplaySummary:
    """Send every input; returns the summary. Invalid inputs are counted as refused, not sent."""
    summary = ReplaySummary()
    queue: asyncio.Queue[Outgoing] = asyncio.Queue()
    for name, data in inputs:
        prepared = prepare(name, data, options)
        if isinstance(prepared, Skip):
            summary.skip(prepared.berichttype, prepared.afzender_rol, options.rol)
            if progress:
                who = f"an {prepared.afzender_rol} sends {prepared.berichttype}; we are the {options.rol}"
                progress.skip(name, who)
        elif isinstance(prepared, Refusal):
            summary.refuse(f"{LOCAL_INVALID}:{prepared.code}", f"e.g. {name}: {prepared.problems[0]}")
            if progress:
                progress.update(name, False, "invalid, not sent: " + "; ".join(prepared.problems[:3]))
        else:
            queue.put_nowait(prepared)
    limiter = RateLimiter(options.rate)

    async def worker() -> None:
        while True:
            try:
                message = queue.get_nowait()
            except asyncio.QueueEmpty:
                return
            await limiter.wait()
            delivery = await send_with_retry(sender, message, options.retry)
            result = delivery.result
            summary.record(result.outcome, result.code, result.reason, delivery.latencies)
            if progress:
                attempts = f", {delivery.attempts} attempts" if delivery.attempts > 1 else ""
                detail = f"{result.outcome} {result.code or ''} {message.referentienummer}{attempts}"
                progress.update(message.name, result.outcome.done, detail.replace("  ", " "))

    await asyncio.gather(*(worker() for _ in range(max(1, options.concurrency))))
    if progress:
        progress.finish()
    return summary
