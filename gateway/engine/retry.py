"""Retry or dead letter: the one table, and backoff with full jitter.

Whoever makes the result of a call (the hub client, a sink, the dispatcher for an exception, the test
kit's senders) names *what happened* with a code and asks :func:`classified` for the
:class:`~gateway.engine.ports.HubResult`; its ``outcome`` comes from :data:`TABLE` and nowhere else.
Everything downstream — the dispatcher, the poller, the sink deliveries, the replay tool, the metrics —
acts on that ``outcome`` and never decides again.

A code is looked up as itself, then (``http-NNN``) as its HTTP class ``http-Nxx``; a caller may name
further keys to fall back on (a SOAP fault the table does not name is decided by its ``soap:Server`` /
``soap:Client`` family; the test kit decides a gateway's refusals by their HTTP status). A code the
table does not know at all is retried until the message's deadline (:data:`UNCLASSIFIED`).

The columns are the two kinds of peer: the hub (and, for the test kit, a gateway's API: both speak for
the standard, so a refusal is final), and the organisation's own system behind a sink (where an
authentication or address problem is theirs to fix, so it is retried until they do).
"""

from __future__ import annotations

import enum
import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from gateway.engine.ports import HubResult, Outcome


class Peer(enum.StrEnum):
    HUB = "hub"  # VerstuurBericht, HaalBerichtenOp, BevestigBericht (and a gateway's API, in the test kit)
    SINK = "sink"  # the organisation's own system: webhook, folder


@dataclass(frozen=True, slots=True)
class ErrorClass:
    outcome: Outcome
    quick: bool  # a connection-level blip: the dispatcher retries at once within the same attempt
    explanation: str  # why, for the log and a dead letter without a reason of its own


def _retry(explanation: str, *, quick: bool = False) -> ErrorClass:
    return ErrorClass(Outcome.RETRYABLE, quick, explanation)


def _dead(explanation: str) -> ErrorClass:
    return ErrorClass(Outcome.PERMANENT, False, explanation)


def _done(explanation: str) -> ErrorClass:
    return ErrorClass(Outcome.DELIVERED, False, explanation)


def _both(klass: ErrorClass) -> tuple[ErrorClass, ErrorClass]:
    return klass, klass


_NO = None  # this peer never reports this

#: What happened -> (what to do when the hub said it, what to do when the organisation's system said it).
TABLE: dict[str, tuple[ErrorClass | None, ErrorClass | None]] = {
    # transport: no usable answer came back (a resend is safe: the hub is idempotent, a sink too)
    "timeout": (_retry("no answer in time (the peer may have it: a resend is idempotent)", quick=True),
                _retry("no answer in time")),
    "connection": (_retry("connection refused, reset or dropped", quick=True),
                   _retry("connection refused, reset or dropped")),
    "tls": _both(_retry("TLS handshake or certificate problem: check the certificates")),
    "exception": _both(_retry("the client raised an unexpected error (the log has the traceback)")),
    "io": (_NO, _retry("the folder cannot be written")),
    # HTTP statuses with a meaning of their own
    "http-408": (_retry("request timeout", quick=True), _retry("request timeout")),
    "http-429": _both(_retry("rate limited")),
    "http-400": _both(_dead("bad request: the content is refused")),
    "http-401": (_dead("the hub does not accept our credentials"),
                 _retry("the receiver does not accept our credentials; retried until that is fixed")),
    "http-403": (_dead("the hub refuses our certificate for this request"),
                 _retry("the receiver refuses the request; retried until that is fixed")),
    "http-404": (_dead("wrong endpoint address"),
                 _retry("wrong receiver address; retried until it is fixed")),
    "http-413": _both(_dead("the message is too large for the receiver")),
    "http-415": _both(_dead("the receiver does not take this content type")),
    "http-422": _both(_dead("the receiver refuses the content")),
    "http-501": _both(_dead("the receiver does not implement this request: it will not succeed as is")),
    "http-505": _both(_dead("the receiver does not speak this HTTP version: it will not succeed as is")),
    # HTTP statuses by class (the hub answers 200 with a receipt and 500 with a SOAP fault: its client
    # reads those bodies and reports what it found there instead)
    "http-1xx": _both(_retry("an unexpected informational status")),
    "http-2xx": (_retry("an unexpected success status (only 200 carries the hub's answer)"),
                 _done("delivered")),
    "http-3xx": _both(_retry("a redirect, which is not followed: check the endpoint address")),
    "http-4xx": (_dead("the hub refused the request"), _retry("the receiver refused the request")),
    "http-5xx": _both(_retry("a server error at the receiver")),
    # the hub's answer is not one we can act on
    "garbage-response": (_retry("the hub's answer is not a SOAP envelope"), _NO),
    "response-too-large": (_retry("the hub's answer exceeds max_response_bytes"), _NO),
    "unsigned-response": (_retry("the hub's answer is not signed: never taken as delivered"), _NO),
    "signature-invalid": (_retry("the hub's answer does not verify or does not confirm our signature"), _NO),
    "response-mismatch": (_retry("the hub's answer belongs to another request"), _NO),
    "bad-response": (_retry("the hub's answer is malformed"), _NO),
    # SOAP faults of the hub (docs/decisions.md), signed; a code not named here by its family
    "TijdelijkNietBeschikbaar": (_retry("the hub is temporarily unavailable"), _NO),
    "OngeldigBericht": (_dead("the hub rejected the document; fix it and send a new message"), _NO),
    "OnbekendeOntvanger": (_dead("the receiver is not in the hub's address book"), _NO),
    "NietGeautoriseerd": (_dead("the hub refused our certificate/OIN for this message"), _NO),
    "soap:Server": (_retry("a fault the hub calls temporary"), _NO),
    "soap:Client": (_dead("a fault the hub calls final"), _NO),
    # refused before sending (the test kit's gateway sender: a document it cannot read)
    "not-decodable": (_dead("the document cannot be read: not sent"), _NO),
}  # fmt: skip

UNCLASSIFIED = _retry("a failure the table does not name: retried until the deadline")
_COLUMN = {Peer.HUB: 0, Peer.SINK: 1}


def _keys(code: str) -> tuple[str, ...]:
    if code.startswith("http-") and len(code) == 8 and code[5:].isdigit():
        return code, f"http-{code[5]}xx"
    return (code,)


def error_class(code: str | None, peer: Peer = Peer.HUB, *, by: Sequence[str] | None = None) -> ErrorClass:
    """The table's row for the first of ``by`` (default: ``code``) it has for this peer."""
    column = _COLUMN[peer]
    for key in by if by is not None else (code or "",):
        for candidate in _keys(key):
            row = TABLE.get(candidate)
            if row is not None and row[column] is not None:
                return row[column]  # type: ignore[return-value]
    return UNCLASSIFIED


def classified(
    code: str,
    reason: str = "",
    receipt: bytes | None = None,
    *,
    peer: Peer = Peer.HUB,
    by: Sequence[str] | None = None,
) -> HubResult:
    """The result of a call that ended with ``code``, its outcome decided by the table."""
    klass = error_class(code, peer, by=by)
    return HubResult(klass.outcome, reason or klass.explanation, code, receipt)


def backoff_seconds(attempt: int, *, base: float, cap: float, rng: random.Random) -> float:
    """Full jitter: uniform in [0, min(cap, base · 2^(attempt-1))]; ``attempt`` counts from 1."""
    ceiling = min(cap, base * (2 ** min(max(attempt, 1) - 1, 62)))
    return rng.uniform(0.0, ceiling)


def next_attempt(
    now: datetime, attempt: int, *, base: float, cap: float, rng: random.Random, deadline: datetime
) -> datetime:
    """When to try again, never later than the deadline (at which the message is dead-lettered)."""
    return min(now + timedelta(seconds=backoff_seconds(attempt, base=base, cap=cap, rng=rng)), deadline)
