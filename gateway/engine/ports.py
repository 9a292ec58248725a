"""The ports the engine talks through: the hub (send, fetch, confirm) and the inbound sinks.

These are the contracts between the core and ``adapters/``. The hub client in
``adapters/hub/`` implements :class:`HubPort`; the dispatcher and the poller only know this file.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol


class Outcome(enum.StrEnum):
    DELIVERED = "delivered"  # the hub accepted the message (or the confirmation)
    DUPLICATE_ACCEPTED = "duplicate-accepted"  # a resend: the hub returned the first receipt
    RETRYABLE = "retryable"  # try again later (timeouts, 5xx, TijdelijkNietBeschikbaar, …)
    PERMANENT = "permanent"  # will never succeed as is (OngeldigBericht, NietGeautoriseerd, …)

    @property
    def done(self) -> bool:
        return self in (Outcome.DELIVERED, Outcome.DUPLICATE_ACCEPTED)


@dataclass(frozen=True, slots=True)
class HubResult:
    """The classified result of one hub call. ``reason`` never contains personal data."""

    outcome: Outcome
    reason: str = ""
    code: str | None = None  # SOAP fault code, "http-503", "tls", "timeout", …
    receipt: bytes | None = None  # raw signed response envelope, kept as evidence


@dataclass(frozen=True, slots=True)
class FetchedMessage:
    """One message fetched from the hub's message box, after the envelope was verified."""

    referentienummer: str
    berichttype: str  # as the hub states it (version-specific root name)
    afzender: str  # address-book UUID of the sender
    document: bytes  # the business document, exactly as the sender submitted it
    hub_received_at: datetime | None = None  # when the hub received it (UTC)
    afzender_oin: str | None = None  # the OIN of the certificate the sender used (None: the hub did not say)


@dataclass(frozen=True, slots=True)
class FetchResult:
    messages: Sequence[FetchedMessage]
    envelope: bytes = b""  # raw signed response as received (evidence)
    more: bool = False  # the hub holds more unconfirmed messages than were returned


class HubError(Exception):
    """A fetch (HaalBerichtenOp) that failed; ``retryable`` tells whether to try again."""

    def __init__(self, reason: str, *, retryable: bool, code: str | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.retryable = retryable
        self.code = code


class HubPort(Protocol):
    async def send(
        self, *, referentienummer: str, ontvanger: str, berichttype: str, document: bytes
    ) -> HubResult:
        """The hub's VerstuurBericht; idempotent on referentienummer at the hub."""

    async def fetch(self, max_messages: int = 100) -> FetchResult:
        """The hub's HaalBerichtenOp; raises :class:`HubError` when the fetch itself fails."""

    async def confirm(self, referentienummer: str) -> HubResult:
        """The hub's BevestigBericht; idempotent."""

    async def close(self) -> None: ...


@dataclass(frozen=True, slots=True)
class DeliveryRequest:
    """An inbound message to hand to the organisation's system: what a sink is given."""

    referentienummer: str
    berichttype: str  # version-free name (see gateway.model.berichttype)
    conversatie: str
    json_body: bytes  # the message in the model's JSON form, with its ``bevindingen`` (engine.findings)
    xml_body: bytes  # the document as received
    headers: dict[str, str] = field(default_factory=dict)


class SinkPort(Protocol):
    name: str

    async def deliver(self, request: DeliveryRequest) -> HubResult:
        """Deliver one inbound message; DELIVERED when the organisation's system took it (the outcome
        comes from the sink column of :data:`gateway.engine.retry.TABLE`)."""

    async def close(self) -> None:
        """Release what the sink holds (connections); called once when the gateway stops."""
