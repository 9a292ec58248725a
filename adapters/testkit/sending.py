"""The sending side of replay and scenarios, as one small interface.

:class:`Sender` is what replay talks to. :class:`HubSender` sends straight to a hub through any
:class:`~gateway.engine.ports.HubPort` (our signed mTLS client);
:class:`~adapters.testkit.gateway_sender.GatewaySender` posts the JSON form to a running
gateway's API instead, without changing replay.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field
from typing import Protocol

from gateway.engine.ports import HubPort, HubResult, Outcome


@dataclass(frozen=True, slots=True)
class Outgoing:
    """One message ready to send. ``name`` says where it came from (file name, step name)."""

    name: str
    referentienummer: str
    ontvanger: str
    berichttype: str
    document: bytes


class Sender(Protocol):
    async def send(self, message: Outgoing) -> HubResult: ...

    async def close(self) -> None: ...


class HubSender:
    """Sends through a hub client: VerstuurBericht, signed with the client's key."""

    def __init__(self, hub: HubPort) -> None:
        self._hub = hub

    async def send(self, message: Outgoing) -> HubResult:
        return await self._hub.send(
            referentienummer=message.referentienummer,
            ontvanger=message.ontvanger,
            berichttype=message.berichttype,
            document=message.document,
        )

    async def close(self) -> None:
        await self._hub.close()


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """Bounded retry of retryable outcomes: ``retries`` more attempts, ``delay`` doubling each time."""

    retries: int = 0
    delay_seconds: float = 0.2
    max_delay_seconds: float = 5.0


@dataclass(slots=True)
class Delivery:
    """The final result of sending one message, with every attempt's latency in seconds."""

    result: HubResult
    latencies: list[float] = field(default_factory=list)

    @property
    def attempts(self) -> int:
        return len(self.latencies)


async def send_with_retry(sender: Sender, message: Outgoing, policy: RetryPolicy) -> Delivery:
    """Send, and resend (same Referentienummer: the hub is idempotent) while the outcome is retryable."""
    latencies: list[float] = []
    delay = policy.delay_seconds
    for attempt in range(max(policy.retries, 0) + 1):
        if attempt:
            await asyncio.sleep(delay)
            delay = min(delay * 2, policy.max_delay_seconds)
        started = time.perf_counter()
        result = await sender.send(message)
        latencies.append(time.perf_counter() - started)
        if result.outcome is not Outcome.RETRYABLE:
            break
    return Delivery(result, latencies)
