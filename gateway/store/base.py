"""The one store interface the engine and the API use; SQLite and PostgreSQL implement it.

Every method is one short transaction. Claims (outbox and sink deliveries) set a lease
(``lease_owner``, ``lease_until``) and commit at once: the work itself happens outside any
transaction, and its result is recorded in another short transaction fenced on the lease owner.
A claimed row whose owner died becomes claimable again when its lease runs out.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from contextlib import AbstractAsyncContextManager
from datetime import date, datetime
from typing import Any, Protocol, runtime_checkable

from gateway.store.records import (
    Attempt,
    ConsoleAction,
    Conversatie,
    ConversatieChange,
    Counts,
    DeliveredAttempt,
    EnqueueResult,
    InboxRow,
    InboxState,
    NewInbound,
    NewOutbound,
    OutboxRow,
    OutboxState,
    PurgeResult,
    QuarantineRow,
    SinkDelivery,
    TermStart,
)
from gateway.store.search import BerichtenPage, BerichtFilter


class StoreError(Exception):
    """Base class of the errors the store raises on purpose."""


class StoreUnavailable(StoreError):
    """The store cannot do this now: the disk or database is full, a lock was not granted within the
    lock timeout, the database does not answer. Nothing was written; the same call may succeed
    later (API: 503 with ``Retry-After``). ``reason`` says which, for people; never message content."""

    def __init__(self, reason: str, *, retry_after: int) -> None:
        super().__init__(reason)
        self.reason = reason
        self.retry_after = retry_after


class NodeInUse(StoreError):
    """Another running process already works as this node on this store."""

    def __init__(self, node: str, detail: str) -> None:
        super().__init__(f"another running gateway process works as node {node!r} on this store ({detail})")
        self.node = node


class EnqueueConflict(StoreError):
    """The Referentienummer was used before for a different message (API: 409).

    Compared is what the caller submitted (its canonical JSON) when both have it, otherwise the
    document. The message says what became of the earlier one (queued, delivered …)."""

    def __init__(
        self, referentienummer: str, existing_sha256: str, new_sha256: str, *, state: str = "queued"
    ) -> None:
        what = {
            "queued": "is queued",
            "sending": "is being sent",
            "delivered": "was delivered",
            "dead": "is a dead letter",
        }.get(state, f"is {state}")
        super().__init__(
            f"Referentienummer {referentienummer} was used before for a different message, which {what} "
            f"(stored sha256 {existing_sha256[:12]}…, given {new_sha256[:12]}…); a new message needs "
            "a new Referentienummer, a resend must carry the same content"
        )
        self.referentienummer = referentienummer
        self.existing_sha256 = existing_sha256
        self.new_sha256 = new_sha256
        self.state = state


def conflict_with(old: OutboxRow, msg: NewOutbound) -> EnqueueConflict | None:
    """Whether ``msg`` under ``old``'s Referentienummer is another message than ``old`` (the one rule
    the outbox and the API's dry run decide it by). What the caller submitted decides when both
    have it (the gateway's own fill-ins, such as DatumTijd, may differ); otherwise the document."""
    if old.submission_sha256 and msg.submission_sha256:
        stored, given = old.submission_sha256, msg.submission_sha256
        same = (stored, old.berichttype, old.ontvanger) == (given, msg.berichttype, msg.ontvanger)
    else:
        stored, given = old.sha256, msg.sha256
        same = (stored, old.berichttype, old.ontvanger, old.conversatie) == (
            given,
            msg.berichttype,
            msg.ontvanger,
            msg.conversatie,
        )
    return None if same else EnqueueConflict(msg.referentienummer, stored, given, state=str(old.state))


class NotFound(StoreError):
    def __init__(self, what: str, key: str) -> None:
        super().__init__(f"no {what} with key {key}")
        self.what = what
        self.key = key


class ConversationChanged(StoreError):
    """A conversation changed between reading it and writing its new state (compare-and-set lost):
    read it again and apply the message to what is there now. Nothing was written."""

    def __init__(self, conversatie: str) -> None:
        super().__init__(f"conversation {conversatie} changed meanwhile; judge the message again")
        self.conversatie = conversatie


class InvalidTransition(StoreError):
    """The row is not in a state that allows the operation (e.g. resend of a delivered message)."""


@runtime_checkable
class Store(Protocol):
    # life cycle -------------------------------------------------------------------------------
    async def migrate(self) -> int:
        """Apply pending migrations; returns the schema version now in force."""

    async def schema_version(self) -> int: ...

    async def close(self) -> None: ...

    async def check_writable(self, *, now: datetime) -> None:
        """Raise :class:`StoreUnavailable` when the store cannot write now: a write failed that way
        within the last seconds, or a small write transaction fails."""

    async def take_over_node(self, node: str, *, now: datetime) -> int:
        """Start work as node ``node``: the claims an earlier process of this node left behind (it was
        killed mid-send) become due now instead of after their lease. Returns how many.

        SQLite is one node: every claim, and the database file is locked for this process (a second
        process on it gets :class:`NodeInUse`). PostgreSQL: the claims whose lease owner is of this
        node (``<node>:<pid>:<random>``); a session lock on the node name, held until :meth:`close`,
        makes a second running process with the same node name get :class:`NodeInUse`."""

    async def retry_now(self, *, now: datetime, referentienummer: str | None = None) -> int:
        """Make waiting outbound messages due now (the hub is back): every queued message whose next
        attempt lies in the future, or only the one with ``referentienummer``. Returns how many;
        :class:`NotFound` / :class:`InvalidTransition` when that one message is unknown or not
        waiting for a retry."""

    # outbox -----------------------------------------------------------------------------------
    async def enqueue(self, msg: NewOutbound, *, now: datetime, deadline: datetime) -> EnqueueResult:
        """Queue a message; idempotent on Referentienummer, :class:`EnqueueConflict` on other content.

        A new message's ``conversatie_change`` is written in the same transaction; when the
        conversation changed meanwhile nothing is written and :class:`ConversationChanged` is raised."""

    async def enqueue_many(
        self, msgs: Sequence[NewOutbound], *, now: datetime, deadline: datetime
    ) -> list[EnqueueResult | EnqueueConflict]:
        """:meth:`enqueue` for several messages in one transaction (group commit); a conflict
        (:class:`EnqueueConflict`, :class:`ConversationChanged`) is returned in the message's place
        and leaves the others queued."""

    async def claim_outbound(
        self, *, owner: str, now: datetime, lease_until: datetime, limit: int, max_claims: int
    ) -> list[OutboxRow]:
        """Lease due rows (queued and due, or sending with an expired lease), oldest first.

        A row is only due when no earlier row of its conversation is still queued or sending.
        A row already claimed ``max_claims`` times without a recorded result is a poison message:
        it is dead-lettered inside the claim instead of being handed out again.
        """

    async def record_delivered(
        self,
        referentienummer: str,
        *,
        owner: str,
        attempt: Attempt,
        now: datetime,
        term_start: TermStart | None,
    ) -> bool:
        """Attempt delivered: row → delivered and, for a question, its answer term started, in one
        transaction.

        Returns False when the lease was lost (the attempt row is recorded all the same)."""

    async def record_delivered_many(self, items: Sequence[DeliveredAttempt]) -> list[bool]:
        """:meth:`record_delivered` for several attempts in one transaction (group commit)."""

    async def record_retry(
        self,
        referentienummer: str,
        *,
        owner: str,
        attempt: Attempt,
        now: datetime,
        next_attempt_at: datetime,
    ) -> bool: ...

    async def record_dead(
        self, referentienummer: str, *, owner: str, attempt: Attempt | None, now: datetime, reason: str
    ) -> bool: ...

    async def release_outbound(self, referentienummers: Sequence[str], *, owner: str, now: datetime) -> int:
        """Hand back rows this owner claimed but never started sending (the dispatcher stops).

        They are due again at once for any process; the claim is not counted (``claims`` goes back
        down by one), so a row in doubt keeps its count. Returns how many rows were still ours."""

    async def defer_outbound(
        self, referentienummer: str, *, owner: str, now: datetime, until: datetime, reason: str
    ) -> bool:
        """Give a claimed row back unsent (e.g. circuit open); no attempt is counted.

        ``reason`` becomes the row's last error, so a later dead letter says why it never went out."""

    async def resend(self, referentienummer: str, *, now: datetime, deadline: datetime) -> OutboxRow:
        """Re-queue a dead letter under the same Referentienummer, due now, with a new deadline."""

    async def get_outbound(self, referentienummer: str) -> OutboxRow | None: ...

    async def list_outbound(
        self, *, state: OutboxState | None = None, conversatie: str | None = None, limit: int = 100
    ) -> list[OutboxRow]: ...

    async def attempts(self, referentienummer: str) -> list[Attempt]: ...

    async def next_outbound_due(self) -> datetime | None:
        """When the earliest queued row becomes due (None: nothing queued)."""

    # inbox ------------------------------------------------------------------------------------
    async def store_inbound(self, msg: NewInbound) -> bool:
        """Store a fetched message (state received); False when it was stored before (dedupe)."""

    async def add_inbound_bevindingen(
        self, referentienummer: str, bevindingen: Sequence[Mapping[str, str]]
    ) -> bool:
        """Attach findings to a valid message not yet accepted (state received): they are delivered with
        it. False when there is no such message (unknown, invalid, or already accepted)."""

    async def mark_confirmed(self, referentienummer: str, *, now: datetime) -> None: ...

    async def get_inbound(self, referentienummer: str) -> InboxRow | None: ...

    async def list_inbound(
        self, *, state: InboxState | None = None, unconfirmed: bool = False, limit: int = 100
    ) -> list[InboxRow]: ...

    async def accept_inbound(
        self,
        referentienummer: str,
        *,
        now: datetime,
        sinks: Sequence[str],
        sink_deadline: datetime,
        conversatie: ConversatieChange | None,
    ) -> bool:
        """received → decoded: schedule one delivery per sink and write the conversation, atomically.

        :class:`ConversationChanged` (nothing written) when the conversation changed meanwhile."""

    async def quarantine_inbound(
        self,
        referentienummer: str,
        *,
        now: datetime,
        problems: Sequence[dict[str, Any]],
        note: str,
        foutbericht: NewOutbound | None,
        foutbericht_deadline: datetime,
    ) -> bool:
        """received → quarantined, with its problems, and the Foutbericht queued, atomically."""

    async def list_quarantine(self, *, limit: int = 100) -> list[QuarantineRow]: ...

    async def refuse_duplicate(
        self,
        msg: NewInbound,
        *,
        problems: Sequence[dict[str, Any]],
        note: str,
        foutbericht: NewOutbound | None,
        foutbericht_deadline: datetime,
    ) -> bool:
        """Record a message offered under a Referentienummer we hold with other content (the first
        stays) and queue its Foutbericht, atomically; False when this very document was recorded before."""

    async def count_duplicates(self) -> int: ...

    # sink deliveries --------------------------------------------------------------------------
    async def claim_sink_deliveries(
        self, *, owner: str, now: datetime, lease_until: datetime, limit: int
    ) -> list[SinkDelivery]: ...

    async def record_sink_delivered(
        self, referentienummer: str, sink: str, *, owner: str, now: datetime
    ) -> bool:
        """Delivery done; when every sink of the message is done the inbox row becomes delivered."""

    async def record_sink_retry(
        self,
        referentienummer: str,
        sink: str,
        *,
        owner: str,
        now: datetime,
        next_attempt_at: datetime,
        error: str,
    ) -> bool: ...

    async def record_sink_dead(
        self, referentienummer: str, sink: str, *, owner: str, now: datetime, reason: str
    ) -> bool: ...

    async def sink_deliveries(self, referentienummer: str) -> list[SinkDelivery]: ...

    async def resend_sink(
        self, referentienummer: str, sink: str, *, now: datetime, deadline: datetime
    ) -> None:
        """Re-schedule a dead sink delivery."""

    # conversations ----------------------------------------------------------------------------
    async def get_conversation(self, conversatie: str) -> Conversatie | None: ...

    async def write_conversation(self, w: ConversatieChange) -> None:
        """Write one conversation's state alone (an import); :class:`ConversationChanged` as above."""

    async def overdue_conversations(self, *, today: date, limit: int = 100) -> list[Conversatie]:
        """Open conversations whose answer date lies before ``today`` (Dutch calendar date)."""

    async def count_overdue(self, *, today: date) -> int: ...

    # key/value, retention, locking, counts ----------------------------------------------------
    async def get_value(self, key: str) -> str | None: ...

    async def set_value(self, key: str, value: str, *, now: datetime) -> None: ...

    async def purge_payloads(self, berichttype: str, *, before: datetime, now: datetime) -> PurgeResult:
        """Drop the raw documents of delivered messages of this type last updated before ``before``.

        Outbox: state delivered. Inbox: confirmed at the hub and delivered to every sink. The rows
        (audit trail: sha256, states, attempts) stay."""

    def poller_lock(self) -> AbstractAsyncContextManager[bool]:
        """Held while one poll cycle runs; yields False when another process holds it."""

    async def counts(self) -> Counts: ...

    # read side for the API and metrics (sql_search.py) ----------------------------------------
    async def search_messages(self, f: BerichtFilter) -> BerichtenPage:
        """Outbox and inbox as one list, newest first, keyset-paged (``f.cursor``)."""

    async def list_conversations(
        self, *, state: str | None, today: date, limit: int = 50, offset: int = 0
    ) -> list[Conversatie]: ...

    async def message_counts(self) -> list[tuple[str, str, str, int]]:
        """(direction, berichttype, state, count); direction is "out" or "in"."""

    # the operator console (sql_console.py) ----------------------------------------------------
    async def attention_counts(self) -> Counts:
        """:meth:`counts` for the unfinished and failed states only: outbox queued, sending, dead;
        inbox received, decoded, quarantined; sink deliveries pending, delivering, dead."""

    async def record_action(self, actie: ConsoleAction) -> ConsoleAction:
        """Record what an operator did (who, when, what, which message, result); returns it with its id."""

    async def get_action(self, action_id: int) -> ConsoleAction | None: ...

    async def list_actions(
        self, *, referentienummer: str | None = None, limit: int = 50, offset: int = 0
    ) -> list[ConsoleAction]:
        """Newest first; only those on one message when ``referentienummer`` is given."""
