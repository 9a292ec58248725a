"""Retry policy: the error-class table (retry or dead letter) and backoff with full jitter."""

from __future__ import annotations

import enum
import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from gateway.engine.ports import HubResult, Outcome


class Besluit(enum.StrEnum):
    DONE = "done"
    RETRY = "retry"
    DEAD = "dead"


@dataclass(frozen=True, slots=True)
class ErrorClass:
    besluit: Besluit
    quick: bool  # a connection-level blip: retry at once within the same attempt
    uitleg: str


_R, _D = Besluit.RETRY, Besluit.DEAD

#: Explicit classes by code (SOAP fault codes as the hub sends them, transport codes as the hub
#: client reports them). Codes not listed fall back on the family rules and then on the outcome
#: the hub client already decided.
ERROR_TABLE: dict[str, ErrorClass] = {
    # SOAP faults of the hub (docs/decisions.md, "Fault codes")
    "TijdelijkNietBeschikbaar": ErrorClass(_R, False, "the hub is temporarily unavailable"),
    "OngeldigBericht": ErrorClass(_D, False, "the hub rejected the document; fix it and send a new message"),
    "OnbekendeOntvanger": ErrorClass(_D, False, "the receiver is not in the hub's address book"),
    "NietGeautoriseerd": ErrorClass(_D, False, "the hub refused our certificate/OIN for this message"),
    # transport
    "connection": ErrorClass(_R, True, "connection refused or reset"),
    "timeout": ErrorClass(_R, True, "no answer in time (the hub may have it: resend is idempotent)"),
    "dns": ErrorClass(_R, False, "the hub's host name did not resolve"),
    "tls": ErrorClass(_R, False, "TLS handshake failed: check certificates; retried until the deadline"),
    "exception": ErrorClass(_R, False, "the hub client raised an unexpected error"),
    # HTTP statuses with their own meaning
    "http-408": ErrorClass(_R, True, "request timeout"),
    "http-429": ErrorClass(_R, False, "rate limited"),
    "http-400": ErrorClass(_D, False, "bad request"),
    "http-401": ErrorClass(_D, False, "not authenticated"),
    "http-403": ErrorClass(_D, False, "forbidden"),
    "http-404": ErrorClass(_D, False, "wrong endpoint address"),
    "http-413": ErrorClass(_D, False, "message too large for the hub"),
}

_DONE = ErrorClass(Besluit.DONE, False, "delivered")


def classify(result: HubResult) -> ErrorClass:
    if result.outcome.done:
        return _DONE
    code = result.code or ""
    if code in ERROR_TABLE:
        return ERROR_TABLE[code]
    if code.startswith("http-5"):
        return ErrorClass(_R, False, "server error at the hub")
    if code.startswith("http-4"):
        return ErrorClass(_D, False, "the hub refused the request")
    if result.outcome is Outcome.PERMANENT:
        return ErrorClass(_D, False, "permanent failure reported by the hub client")
    return ErrorClass(_R, False, "retryable failure reported by the hub client")


def backoff_seconds(attempt: int, *, base: float, cap: float, rng: random.Random) -> float:
    """Full jitter: uniform in [0, min(cap, base · 2^(attempt-1))]; ``attempt`` counts from 1."""
    ceiling = min(cap, base * (2 ** min(max(attempt, 1) - 1, 62)))
    return rng.uniform(0.0, ceiling)


def next_attempt(
    now: datetime, attempt: int, *, base: float, cap: float, rng: random.Random, deadline: datetime
) -> datetime:
    """When to try again, never later than the deadline (at which the message is dead-lettered)."""
    return min(now + timedelta(seconds=backoff_seconds(attempt, base=base, cap=cap, rng=rng)), deadline)
