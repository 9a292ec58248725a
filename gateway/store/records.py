"""The rows the store hands out and takes in: plain frozen dataclasses, UTC timestamps, no money."""

from __future__ import annotations

import enum
import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any


class OutboxState(enum.StrEnum):
    QUEUED = "queued"
    SENDING = "sending"
    DELIVERED = "delivered"
    DEAD = "dead"


class InboxState(enum.StrEnum):
    RECEIVED = "received"  # raw bytes stored, not yet processed
    DECODED = "decoded"  # valid; conversation updated, sink deliveries scheduled
    DELIVERED = "delivered"  # every sink took it
    QUARANTINED = "quarantined"  # invalid; kept with its problems, Foutbericht queued


class SinkState(enum.StrEnum):
    PENDING = "pending"
    DELIVERING = "delivering"
    DELIVERED = "delivered"
    DEAD = "dead"


class ConversationState(enum.StrEnum):
    OPEN = "open"
    ANSWERED = "answered"


class WachtOp(enum.StrEnum):
    """Who owes the next answer in a conversation."""

    TEGENPARTIJ = "tegenpartij"  # we asked; the counterpart must answer
    ONS = "ons"  # we were asked; we must answer


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def utc(value: datetime) -> datetime:
    """A UTC-aware datetime; naive values are refused (everything inside is UTC)."""
    if value.tzinfo is None:
        raise ValueError("naive datetime given to the store; pass an aware UTC datetime")
    return value.astimezone(UTC)


_TS_FORMAT = "%Y-%m-%dT%H:%M:%S.%fZ"


def ts_to_text(value: datetime) -> str:
    """Fixed-width UTC text: its lexicographic order is its chronological order (SQLite)."""
    return utc(value).strftime(_TS_FORMAT)


def as_dt(value: Any) -> datetime | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return utc(value)
    text = str(value)
    if len(text) != 27 or text[-1] != "Z":  # not ts_to_text's fixed width: the strict parser explains
        return datetime.strptime(text, _TS_FORMAT).replace(tzinfo=UTC)
    return datetime.fromisoformat(text)  # 10x faster than strptime; the Z gives tzinfo=UTC


def as_date(value: Any) -> date | None:
    if value is None:
        return None
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    return date.fromisoformat(str(value))


def as_bytes(value: Any) -> bytes | None:
    return None if value is None else bytes(value)


@dataclass(frozen=True, slots=True)
class NewOutbound:
    """A message to enqueue: the raw, validated XML document and its routing data."""

    referentienummer: str
    berichttype: str
    ontvanger: str
    conversatie: str
    document: bytes
    #: SHA-256 of what the organisation submitted (canonical JSON); idempotency is judged on it.
    #: None for what the gateway makes itself: then the document is compared.
    submission_sha256: str | None = None
    klantnummer_shv: str | None = None  # the client's file number at the SHV (console search)
    conversatie_change: ConversatieChange | None = None  # what it does to its conversation

    @property
    def sha256(self) -> str:
        return sha256_hex(self.document)


@dataclass(frozen=True, slots=True)
class DeliveredAttempt:
    """One delivered attempt to record (the arguments of ``Store.record_delivered``)."""

    referentienummer: str
    owner: str
    attempt: Attempt
    now: datetime
    term_start: TermStart | None


@dataclass(frozen=True, slots=True)
class OutboxRow:
    referentienummer: str
    seq: int
    berichttype: str
    ontvanger: str
    conversatie: str
    document: bytes | None  # None once purged by retention
    sha256: str
    state: OutboxState
    attempts: int
    claims: int
    next_attempt_at: datetime
    deadline: datetime
    lease_owner: str | None
    lease_until: datetime | None
    last_error: str | None
    created_at: datetime
    updated_at: datetime
    purged_at: datetime | None
    submission_sha256: str | None = None  # see NewOutbound
    klantnummer_shv: str | None = None

    @classmethod
    def from_row(cls, r: Mapping[str, Any]) -> OutboxRow:
        return cls(
            referentienummer=r["referentienummer"],
            seq=int(r["seq"]),
            berichttype=r["berichttype"],
            ontvanger=r["ontvanger"],
            conversatie=r["conversatie"],
            document=as_bytes(r["document"]),
            sha256=r["sha256"],
            state=OutboxState(r["state"]),
            attempts=int(r["attempts"]),
            claims=int(r["claims"]),
            next_attempt_at=as_dt(r["next_attempt_at"]),  # type: ignore[arg-type]
            deadline=as_dt(r["deadline"]),  # type: ignore[arg-type]
            lease_owner=r["lease_owner"],
            lease_until=as_dt(r["lease_until"]),
            last_error=r["last_error"],
            created_at=as_dt(r["created_at"]),  # type: ignore[arg-type]
            updated_at=as_dt(r["updated_at"]),  # type: ignore[arg-type]
            purged_at=as_dt(r["purged_at"]),
            submission_sha256=r.get("submission_sha256"),
            klantnummer_shv=r.get("klantnummer_shv"),
        )


@dataclass(frozen=True, slots=True)
class EnqueueResult:
    row: OutboxRow
    created: bool  # False: the same message was already queued (idempotent enqueue)


@dataclass(frozen=True, slots=True)
class Attempt:
    """One try at sending an outbound message (the audit row)."""

    referentienummer: str
    owner: str
    started_at: datetime
    duration_ms: int
    outcome: str
    code: str | None = None
    reason: str = ""
    receipt: bytes | None = None
    attempt_no: int = 0  # filled by the store

    @classmethod
    def from_row(cls, r: Mapping[str, Any]) -> Attempt:
        return cls(
            referentienummer=r["referentienummer"],
            owner=r["owner"],
            started_at=as_dt(r["started_at"]),  # type: ignore[arg-type]
            duration_ms=int(r["duration_ms"]),
            outcome=r["outcome"],
            code=r["code"],
            reason=r["reason"],
            receipt=as_bytes(r["receipt"]),
            attempt_no=int(r["attempt_no"]),
        )


@dataclass(frozen=True, slots=True)
class Conversatie:
    """One conversation's state (computed by gateway.conversatie.machine from its table).

    ``vraag_*``, ``wacht_op``, ``verwachte_antwoorden`` and ``antwoord_uiterlijk`` describe the last
    question; ``state`` is open while an answer to it is awaited. ``stappen`` counts the messages that
    changed the conversation: every write names the count it read (compare-and-set)."""

    conversatie: str
    vraag_referentienummer: str
    vraag_berichttype: str
    tegenpartij: str
    wacht_op: WachtOp
    verwachte_antwoorden: tuple[str, ...]
    antwoord_uiterlijk: date | None
    state: ConversationState
    geopend_op: datetime
    beantwoord_door: str | None
    beantwoord_op: datetime | None
    updated_at: datetime
    fase: str = ""
    vooraf_akkoord: bool = False  # the creditor answered vooraf akkoord in this conversation
    termijn: bool = False  # the awaited answer is due within the answer term (set at delivery)
    stappen: int = 1
    bron: str = "gateway"  # gateway | import (a previous system's) | aangenomen (an unknown answer)
    geimporteerd: tuple[dict[str, Any], ...] = ()  # the steps an import named, oldest first

    @classmethod
    def from_row(cls, r: Mapping[str, Any]) -> Conversatie:
        return cls(
            conversatie=r["conversatie"],
            vraag_referentienummer=r["vraag_referentienummer"],
            vraag_berichttype=r["vraag_berichttype"],
            tegenpartij=r["tegenpartij"],
            wacht_op=WachtOp(r["wacht_op"]),
            verwachte_antwoorden=tuple(json.loads(r["verwachte_antwoorden"])),
            antwoord_uiterlijk=as_date(r["antwoord_uiterlijk"]),
            state=ConversationState(r["state"]),
            geopend_op=as_dt(r["geopend_op"]),  # type: ignore[arg-type]
            beantwoord_door=r["beantwoord_door"],
            beantwoord_op=as_dt(r["beantwoord_op"]),
            updated_at=as_dt(r["updated_at"]),  # type: ignore[arg-type]
            fase=r["fase"],
            vooraf_akkoord=bool(r["vooraf_akkoord"]),
            termijn=bool(r["termijn"]),
            stappen=int(r["stappen"]),
            bron=r["bron"],
            geimporteerd=tuple(json.loads(r["geimporteerd"])) if r["geimporteerd"] else (),
        )


@dataclass(frozen=True, slots=True)
class ConversatieChange:
    """A conversation's new state, written only while it still has ``previous_stappen`` steps
    (0: it must not exist yet). Otherwise the store raises ``ConversationChanged``."""

    new: Conversatie
    previous_stappen: int


@dataclass(frozen=True, slots=True)
class TermStart:
    """Our question reached the hub: its answer is due by ``antwoord_uiterlijk``. Applied only while
    the conversation still awaits that very question's answer with a term and no date yet."""

    conversatie: str
    vraag_referentienummer: str
    antwoord_uiterlijk: date
    at: datetime


@dataclass(frozen=True, slots=True)
class NewInbound:
    """A fetched message as stored before confirming it at the hub, with its inspection result."""

    referentienummer: str
    berichttype: str
    afzender: str
    ontvanger: str | None
    conversatie: str | None
    document: bytes
    envelope: bytes
    valid: bool
    problems: tuple[Mapping[str, Any], ...]
    json_body: bytes | None
    received_at: datetime
    hub_received_at: datetime | None = None
    afzender_oin: str | None = None  # the sender's OIN as the hub states it (None: the hub did not say)
    bevindingen: tuple[Mapping[str, str], ...] = ()  # findings about a valid message (engine.findings)
    klantnummer_shv: str | None = None  # the client's file number at the SHV (console search)


@dataclass(frozen=True, slots=True)
class InboxRow:
    referentienummer: str
    berichttype: str
    afzender: str
    ontvanger: str | None
    conversatie: str | None
    document: bytes | None
    sha256: str
    envelope: bytes | None
    valid: bool
    problems: tuple[dict[str, Any], ...]
    json_body: bytes | None
    state: InboxState
    received_at: datetime
    hub_received_at: datetime | None
    confirmed_at: datetime | None
    updated_at: datetime
    purged_at: datetime | None
    afzender_oin: str | None = None
    bevindingen: tuple[dict[str, str], ...] = ()
    klantnummer_shv: str | None = None

    @classmethod
    def from_row(cls, r: Mapping[str, Any]) -> InboxRow:
        return cls(
            referentienummer=r["referentienummer"],
            berichttype=r["berichttype"],
            afzender=r["afzender"],
            ontvanger=r["ontvanger"],
            conversatie=r["conversatie"],
            document=as_bytes(r["document"]),
            sha256=r["sha256"],
            envelope=as_bytes(r["envelope"]),
            valid=bool(r["valid"]),
            problems=tuple(json.loads(r["problems"])),
            json_body=as_bytes(r["json_body"]),
            state=InboxState(r["state"]),
            received_at=as_dt(r["received_at"]),  # type: ignore[arg-type]
            hub_received_at=as_dt(r["hub_received_at"]),
            confirmed_at=as_dt(r["confirmed_at"]),
            updated_at=as_dt(r["updated_at"]),  # type: ignore[arg-type]
            purged_at=as_dt(r["purged_at"]),
            afzender_oin=r["afzender_oin"],
            bevindingen=tuple(json.loads(r["bevindingen"])),
            klantnummer_shv=r.get("klantnummer_shv"),
        )


@dataclass(frozen=True, slots=True)
class QuarantineRow:
    referentienummer: str
    afzender: str
    berichttype: str
    problems: tuple[dict[str, Any], ...]
    foutbericht_referentienummer: str | None
    note: str
    created_at: datetime

    @classmethod
    def from_row(cls, r: Mapping[str, Any]) -> QuarantineRow:
        return cls(
            referentienummer=r["referentienummer"],
            afzender=r["afzender"],
            berichttype=r["berichttype"],
            problems=tuple(json.loads(r["problems"])),
            foutbericht_referentienummer=r["foutbericht_referentienummer"],
            note=r["note"],
            created_at=as_dt(r["created_at"]),  # type: ignore[arg-type]
        )


@dataclass(frozen=True, slots=True)
class SinkDelivery:
    referentienummer: str
    sink: str
    state: SinkState
    attempts: int
    next_attempt_at: datetime
    deadline: datetime
    lease_owner: str | None
    lease_until: datetime | None
    last_error: str | None
    delivered_at: datetime | None
    updated_at: datetime

    @classmethod
    def from_row(cls, r: Mapping[str, Any]) -> SinkDelivery:
        return cls(
            referentienummer=r["referentienummer"],
            sink=r["sink"],
            state=SinkState(r["state"]),
            attempts=int(r["attempts"]),
            next_attempt_at=as_dt(r["next_attempt_at"]),  # type: ignore[arg-type]
            deadline=as_dt(r["deadline"]),  # type: ignore[arg-type]
            lease_owner=r["lease_owner"],
            lease_until=as_dt(r["lease_until"]),
            last_error=r["last_error"],
            delivered_at=as_dt(r["delivered_at"]),
            updated_at=as_dt(r["updated_at"]),  # type: ignore[arg-type]
        )


@dataclass(frozen=True, slots=True)
class PurgeResult:
    outbox: int = 0
    inbox: int = 0


@dataclass(frozen=True, slots=True)
class Counts:
    outbox: dict[str, int] = field(default_factory=dict)
    inbox: dict[str, int] = field(default_factory=dict)
    sink: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class ConsoleAction:
    """One action taken in the operator console: who, when, what, on which message, with what result.

    Recorded by Referentienummer; never a name, BSN or other personal data in ``detail``."""

    at: datetime
    caller: str
    action: str  # resend, retry-now, fetch-now, show-bsn
    referentienummer: str | None
    result: str  # ok, refused, failed
    detail: str = ""
    id: int = 0  # filled by the store

    @classmethod
    def from_row(cls, r: Mapping[str, Any]) -> ConsoleAction:
        return cls(
            at=as_dt(r["at"]),  # type: ignore[arg-type]
            caller=r["caller"],
            action=r["action"],
            referentienummer=r["referentienummer"],
            result=r["result"],
            detail=r["detail"],
            id=int(r["id"]),
        )
