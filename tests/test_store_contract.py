"""The store contract, run identically against SQLite and PostgreSQL."""

from __future__ import annotations

import dataclasses
import uuid
from datetime import date, datetime, timedelta

import pytest

from gateway.conversatie.machine import Gebeurtenis, stap
from gateway.model.berichttype import Berichttype, Rol
from gateway.store import migrations
from gateway.store.base import ConversationChanged, EnqueueConflict, InvalidTransition, NotFound, Store
from gateway.store.records import (
    Attempt,
    ConversatieChange,
    ConversationState,
    DeliveredAttempt,
    InboxState,
    NewInbound,
    NewOutbound,
    OutboxState,
    SinkState,
    TermStart,
    WachtOp,
)
from tests.fakes import T0, document
from tests.store_fixtures import store, store_factory  # noqa: F401  (fixtures)

DAY = timedelta(days=1)


def msg(conv: str | None = None, berichttype: str = "Saldoverzoek", ref: str | None = None) -> NewOutbound:
    ref = ref or str(uuid.uuid4())
    conv = conv or str(uuid.uuid4())
    return NewOutbound(
        ref, berichttype, "se-1", conv, document(berichttype, referentienummer=ref, conversatie=conv)
    )


def an_attempt(ref: str, owner: str, outcome: str = "delivered", at: datetime = T0) -> Attempt:
    return Attempt(
        ref,
        owner,
        at,
        12,
        outcome,
        None if outcome == "delivered" else "TijdelijkNietBeschikbaar",
        "test",
        b"<receipt/>" if outcome == "delivered" else None,
    )


async def claim(s: Store, owner: str = "A", now: datetime = T0, lease: float = 60, limit: int = 10):
    return await s.claim_outbound(
        owner=owner, now=now, lease_until=now + timedelta(seconds=lease), limit=limit, max_claims=3
    )


async def test_migrations_are_versioned_and_idempotent(store_factory):  # noqa: F811
    first = await store_factory()
    latest = len(migrations.load(first.backend))
    assert latest >= 2
    assert await first.schema_version() == latest
    assert await first.migrate() == latest
    second = await store_factory()  # a second process starting against the same database
    assert await second.schema_version() == latest


async def test_enqueue_is_idempotent_on_referentienummer(store):  # noqa: F811
    m = msg()
    first = await store.enqueue(m, now=T0, deadline=T0 + DAY)
    again = await store.enqueue(m, now=T0 + timedelta(hours=1), deadline=T0 + 2 * DAY)
    assert first.created and not again.created
    assert again.row.created_at == T0 and again.row.sha256 == m.sha256
    assert again.row.state is OutboxState.QUEUED and again.row.document == m.document
    other = NewOutbound(m.referentienummer, m.berichttype, m.ontvanger, m.conversatie, m.document + b" ")
    with pytest.raises(EnqueueConflict, match=m.referentienummer):
        await store.enqueue(other, now=T0, deadline=T0 + DAY)


async def test_timestamps_are_utc_and_naive_ones_refused(store):  # noqa: F811
    m = msg()
    row = (await store.enqueue(m, now=T0, deadline=T0 + DAY)).row
    assert row.next_attempt_at == T0 and row.next_attempt_at.tzinfo is not None
    assert row.deadline.utcoffset() == timedelta(0)
    with pytest.raises(ValueError, match="naive"):
        await store.enqueue(msg(), now=datetime(2026, 1, 1), deadline=T0)


async def test_claim_leases_due_rows_and_fences_results(store):  # noqa: F811
    due, later = msg(), msg()
    await store.enqueue(due, now=T0, deadline=T0 + DAY)
    await store.enqueue(later, now=T0 + timedelta(minutes=5), deadline=T0 + DAY)
    rows = await claim(store, "A", T0 + timedelta(minutes=1))
    assert [r.referentienummer for r in rows] == [due.referentienummer]
    assert rows[0].state is OutboxState.SENDING and rows[0].lease_owner == "A" and rows[0].claims == 1
    assert await claim(store, "B", T0 + timedelta(minutes=2)) == []  # leased, `later` not yet due
    # A dies; after the lease B takes it over; A's late result no longer counts
    taken = await claim(store, "B", T0 + timedelta(minutes=3))
    assert {r.referentienummer for r in taken} == {due.referentienummer}
    assert not await store.record_delivered(
        due.referentienummer,
        owner="A",
        attempt=an_attempt(due.referentienummer, "A"),
        now=T0,
        term_start=None,
    )
    assert await store.record_delivered(
        due.referentienummer,
        owner="B",
        attempt=an_attempt(due.referentienummer, "B"),
        now=T0,
        term_start=None,
    )
    row = await store.get_outbound(due.referentienummer)
    assert row.state is OutboxState.DELIVERED and row.attempts == 1 and row.lease_owner is None
    assert [p.owner for p in await store.attempts(due.referentienummer)] == ["A", "B"]


async def test_retry_schedule_is_in_the_row(store):  # noqa: F811
    m = msg()
    await store.enqueue(m, now=T0, deadline=T0 + DAY)
    await claim(store)
    when = T0 + timedelta(minutes=7)
    assert await store.record_retry(
        m.referentienummer,
        owner="A",
        attempt=an_attempt(m.referentienummer, "A", "retryable"),
        now=T0,
        next_attempt_at=when,
    )
    row = await store.get_outbound(m.referentienummer)
    assert row.state is OutboxState.QUEUED and row.next_attempt_at == when and row.attempts == 1
    assert "TijdelijkNietBeschikbaar" in row.last_error
    assert await store.next_outbound_due() == when
    assert await claim(store, now=when - timedelta(seconds=1)) == []
    assert len(await claim(store, now=when)) == 1


async def test_order_within_a_conversation(store):  # noqa: F811
    conv = str(uuid.uuid4())
    first, second, other = msg(conv), msg(conv), msg()
    for i, m in enumerate((first, second, other)):
        await store.enqueue(m, now=T0 + timedelta(seconds=i), deadline=T0 + DAY)
    rows = await claim(store, now=T0 + timedelta(seconds=10))
    assert {r.referentienummer for r in rows} == {first.referentienummer, other.referentienummer}
    await store.record_dead(first.referentienummer, owner="A", attempt=None, now=T0, reason="test")
    rows = await claim(store, now=T0 + timedelta(seconds=11))
    assert [r.referentienummer for r in rows] == [second.referentienummer]


async def test_release_hands_unsent_claims_back_without_counting_them(store):  # noqa: F811
    first, second = msg(), msg()
    for m in (first, second):
        await store.enqueue(m, now=T0, deadline=T0 + DAY)
    assert len(await claim(store, "A")) == 2
    later = T0 + timedelta(seconds=5)
    # only A's own leases are released; a row B holds is left alone
    assert await store.release_outbound([first.referentienummer], owner="B", now=later) == 0
    released = await store.release_outbound(
        [first.referentienummer, second.referentienummer, "unknown"], owner="A", now=later
    )
    assert released == 2
    row = await store.get_outbound(first.referentienummer)
    assert row.state is OutboxState.QUEUED and row.claims == 0 and row.lease_owner is None
    assert row.next_attempt_at == T0  # due again at once, not after the lease
    retaken = await claim(store, "B", later)
    assert {r.referentienummer for r in retaken} == {first.referentienummer, second.referentienummer}
    assert all(r.claims == 1 for r in retaken)
    assert await store.release_outbound([], owner="B", now=later) == 0


async def test_poison_row_is_dead_lettered_by_the_claim(store):  # noqa: F811
    m = msg()
    await store.enqueue(m, now=T0, deadline=T0 + 10 * DAY)
    now = T0
    for _ in range(3):  # claimed three times, the owner dies each time
        assert len(await claim(store, now=now, lease=60)) == 1
        now += timedelta(seconds=61)
    assert await claim(store, now=now) == []
    row = await store.get_outbound(m.referentienummer)
    assert row.state is OutboxState.DEAD and "poison" in row.last_error


async def test_resend_of_a_dead_letter_keeps_its_referentienummer(store):  # noqa: F811
    m = msg()
    await store.enqueue(m, now=T0, deadline=T0 + DAY)
    await claim(store)
    await store.record_dead(
        m.referentienummer,
        owner="A",
        attempt=an_attempt(m.referentienummer, "A", "permanent"),
        now=T0,
        reason="permanent [OngeldigBericht]: x",
    )
    dead = await store.get_outbound(m.referentienummer)
    assert dead.state is OutboxState.DEAD and dead.last_error.startswith("permanent")
    again = await store.resend(m.referentienummer, now=T0 + DAY, deadline=T0 + 3 * DAY)
    assert again.referentienummer == m.referentienummer and again.state is OutboxState.QUEUED
    assert again.next_attempt_at == T0 + DAY and again.deadline == T0 + 3 * DAY
    with pytest.raises(InvalidTransition, match="only a dead letter"):
        await store.resend(m.referentienummer, now=T0, deadline=T0 + DAY)
    with pytest.raises(NotFound):
        await store.resend("nope", now=T0, deadline=T0 + DAY)


def new_inbound(
    ref: str, *, valid: bool = True, conv: str = "c-1", bt: str = "SaldoverzoekAntwoord"
) -> NewInbound:
    doc = document(bt, referentienummer=ref, conversatie=conv)
    return NewInbound(
        ref,
        bt,
        "se-1",
        "shv-1",
        conv,
        doc,
        b"<env/>",
        valid,
        () if valid else ({"code": "missing", "message": "x"},),
        b"{}" if valid else None,
        T0,
    )


async def test_inbound_dedupe_confirm_and_sink_deliveries(store):  # noqa: F811
    ref = str(uuid.uuid4())
    assert await store.store_inbound(new_inbound(ref))
    assert not await store.store_inbound(new_inbound(ref))  # refetched after a crash
    assert [r.referentienummer for r in await store.list_inbound(unconfirmed=True)] == [ref]
    await store.mark_confirmed(ref, now=T0)
    assert await store.list_inbound(unconfirmed=True) == []
    assert await store.accept_inbound(ref, now=T0, sinks=["a", "b"], sink_deadline=T0 + DAY, conversatie=None)
    assert not await store.accept_inbound(
        ref, now=T0, sinks=["a", "b"], sink_deadline=T0 + DAY, conversatie=None
    )
    claimed = await store.claim_sink_deliveries(owner="A", now=T0, lease_until=T0 + DAY, limit=10)
    assert sorted(d.sink for d in claimed) == ["a", "b"]
    assert await store.record_sink_delivered(ref, "a", owner="A", now=T0)
    assert (await store.get_inbound(ref)).state is InboxState.DECODED
    assert await store.record_sink_retry(ref, "b", owner="A", now=T0, next_attempt_at=T0 + DAY, error="503")
    (b,) = await store.claim_sink_deliveries(owner="B", now=T0 + DAY, lease_until=T0 + 2 * DAY, limit=10)
    assert b.sink == "b" and b.attempts == 1 and b.last_error == "503"
    assert await store.record_sink_delivered(ref, "b", owner="B", now=T0 + DAY)
    row = await store.get_inbound(ref)
    assert row.state is InboxState.DELIVERED and row.confirmed_at == T0
    assert {d.state for d in await store.sink_deliveries(ref)} == {SinkState.DELIVERED}


async def test_quarantine_queues_the_foutbericht_atomically(store):  # noqa: F811
    ref = str(uuid.uuid4())
    await store.store_inbound(new_inbound(ref, valid=False))
    fout = msg(berichttype="Foutbericht")
    assert await store.quarantine_inbound(
        ref,
        now=T0,
        problems=[{"code": "missing", "message": "x"}],
        note="queued",
        foutbericht=fout,
        foutbericht_deadline=T0 + DAY,
    )
    (q,) = await store.list_quarantine()
    assert q.referentienummer == ref and q.problems[0]["code"] == "missing"
    assert q.foutbericht_referentienummer == fout.referentienummer
    assert (await store.get_outbound(fout.referentienummer)).state is OutboxState.QUEUED
    assert (await store.get_inbound(ref)).state is InboxState.QUARANTINED


def opens(m: NewOutbound, *, tegenpartij: str = "se-1") -> ConversatieChange:
    """The conversation a question of ours opens when it is queued (its term starts at delivery)."""
    g = Gebeurtenis(Berichttype(m.berichttype), m.referentienummer, m.conversatie, tegenpartij, Rol.SHV, T0,
                    aangekomen=False)  # fmt: skip
    w = stap(None, g, eigen_rol=Rol.SHV).wijziging
    assert w is not None
    return w


def answers(c, ref: str, berichttype: str = "SaldoverzoekAntwoord") -> ConversatieChange:
    g = Gebeurtenis(Berichttype(berichttype), ref, c.conversatie, c.tegenpartij, Rol.SE, T0)
    w = stap(c, g, eigen_rol=Rol.SHV).wijziging
    assert w is not None
    return w


def queued(m: NewOutbound) -> NewOutbound:
    return dataclasses.replace(m, conversatie_change=opens(m))


def term(m: NewOutbound, due: date) -> TermStart:
    return TermStart(m.conversatie, m.referentienummer, due, T0)


async def test_conversations_open_close_and_overdue(store):  # noqa: F811
    asked, answered = queued(msg()), queued(msg())
    for m in (asked, answered):
        await store.enqueue(m, now=T0, deadline=T0 + DAY)
        opened = await store.get_conversation(m.conversatie)  # opened with the enqueue, no date yet
        assert opened.state is ConversationState.OPEN and opened.antwoord_uiterlijk is None
        assert opened.fase == "saldo-gevraagd" and opened.termijn and opened.stappen == 1
    await claim(store)
    for m, due in ((asked, date(2026, 3, 16)), (answered, date(2026, 3, 20))):
        assert await store.record_delivered(
            m.referentienummer,
            owner="A",
            attempt=an_attempt(m.referentienummer, "A"),
            now=T0,
            term_start=term(m, due),
        )
    conv = await store.get_conversation(asked.conversatie)
    assert conv.state is ConversationState.OPEN and conv.antwoord_uiterlijk == date(2026, 3, 16)
    assert conv.wacht_op is WachtOp.TEGENPARTIJ and conv.verwachte_antwoorden == (
        "GeenMedewerking", "SaldoverzoekAntwoord", "SaldoverzoekAntwoordVoorafAkkoord"
    )  # fmt: skip
    # the answer closes it, written with its acceptance
    before = await store.get_conversation(answered.conversatie)
    await store.store_inbound(new_inbound("r-2", conv=answered.conversatie))
    await store.accept_inbound("r-2", now=T0, sinks=[], sink_deadline=T0, conversatie=answers(before, "r-2"))
    closed = await store.get_conversation(answered.conversatie)
    assert closed.state is ConversationState.ANSWERED and closed.beantwoord_door == "r-2"
    assert closed.fase == "saldo-ontvangen" and closed.stappen == 2
    assert closed.antwoord_uiterlijk == date(2026, 3, 20)  # the term it had, kept
    assert await store.count_overdue(today=date(2026, 3, 16)) == 0
    assert [c.conversatie for c in await store.overdue_conversations(today=date(2026, 3, 17))] == [
        asked.conversatie
    ]
    assert await store.count_overdue(today=date(2026, 3, 25)) == 1


async def test_a_conversation_write_is_compare_and_set(store):  # noqa: F811
    m = queued(msg())
    await store.enqueue(m, now=T0, deadline=T0 + DAY)
    stale = await store.get_conversation(m.conversatie)
    # a second answer judged on the same state as the first: the first wins, the second changes nothing
    await store.store_inbound(new_inbound("r-1", conv=m.conversatie))
    await store.store_inbound(new_inbound("r-2", conv=m.conversatie))
    first, second = answers(stale, "r-1"), answers(stale, "r-2")
    assert await store.accept_inbound("r-1", now=T0, sinks=["s"], sink_deadline=T0, conversatie=first)
    with pytest.raises(ConversationChanged):
        await store.accept_inbound("r-2", now=T0, sinks=["s"], sink_deadline=T0, conversatie=second)
    assert (await store.get_inbound("r-2")).state is InboxState.RECEIVED  # rolled back as a whole
    assert await store.sink_deliveries("r-2") == []
    assert (await store.get_conversation(m.conversatie)).beantwoord_door == "r-1"
    # a new conversation that exists meanwhile: the enqueue that would open it again is undone
    again = dataclasses.replace(m, referentienummer=str(uuid.uuid4()), conversatie_change=opens(m))
    with pytest.raises(ConversationChanged):
        await store.enqueue(again, now=T0, deadline=T0 + DAY)
    assert await store.get_outbound(again.referentienummer) is None
    # in a group commit the loser gets the conflict in its place; the others are queued
    other = queued(msg())
    results = await store.enqueue_many([other, again], now=T0, deadline=T0 + DAY)
    assert results[0].created and isinstance(results[1], ConversationChanged)
    assert await store.get_outbound(again.referentienummer) is None
    # an import writes a conversation alone, fenced the same way
    with pytest.raises(ConversationChanged):
        await store.write_conversation(first)


async def test_key_value(store):  # noqa: F811
    assert await store.get_value("k") is None
    await store.set_value("k", "1", now=T0)
    await store.set_value("k", "2", now=T0)
    assert await store.get_value("k") == "2"


async def test_purge_drops_payloads_and_keeps_audit_rows(store):  # noqa: F811
    old, recent, queued = msg(), msg(), msg()
    for m in (old, recent, queued):
        await store.enqueue(m, now=T0, deadline=T0 + 30 * DAY)
    await claim(store)
    for m, at in ((old, T0), (recent, T0 + 20 * DAY)):
        await store.record_delivered(
            m.referentienummer,
            owner="A",
            attempt=an_attempt(m.referentienummer, "A"),
            now=at,
            term_start=None,
        )
    await store.record_retry(
        queued.referentienummer,
        owner="A",
        attempt=an_attempt(queued.referentienummer, "A", "x"),
        now=T0,
        next_attempt_at=T0 + 40 * DAY,
    )
    await store.store_inbound(new_inbound("in-1", bt="Saldoverzoek"))
    await store.accept_inbound("in-1", now=T0, sinks=[], sink_deadline=T0, conversatie=None)
    await store.store_inbound(new_inbound("in-2", bt="Saldoverzoek"))  # not confirmed: kept
    await store.accept_inbound("in-2", now=T0, sinks=[], sink_deadline=T0, conversatie=None)
    await store.mark_confirmed("in-1", now=T0)
    result = await store.purge_payloads("Saldoverzoek", before=T0 + 10 * DAY, now=T0 + 30 * DAY)
    assert (result.outbox, result.inbox) == (1, 1)
    purged = await store.get_outbound(old.referentienummer)
    assert purged.document is None and purged.sha256 == old.sha256 and purged.purged_at == T0 + 30 * DAY
    assert len(await store.attempts(old.referentienummer)) == 1
    assert (await store.get_outbound(recent.referentienummer)).document == recent.document
    assert (await store.get_outbound(queued.referentienummer)).document == queued.document
    assert (await store.get_inbound("in-1")).document is None
    assert (await store.get_inbound("in-2")).document is not None
    counts = await store.counts()
    assert counts.outbox == {"delivered": 2, "queued": 1} and counts.inbox == {"delivered": 2}


RULE = {"code": "uitbetaling-periodiek", "severity": "warning", "field": "/voorstel", "message": "once"}
OTHER = {"code": "conversation-unknown", "severity": "warning", "field": "/berichtheader", "message": "?"}


async def test_findings_are_stored_with_the_message_added_to_before_acceptance_and_outlive_purge(
    store,  # noqa: F811
):
    m = new_inbound("in-b", bt="Saldoverzoek")
    await store.store_inbound(dataclasses.replace(m, bevindingen=(RULE,)))
    assert (await store.get_inbound("in-b")).bevindingen == (RULE,)
    # a later check attaches its finding; the same finding twice is kept once
    assert await store.add_inbound_bevindingen("in-b", [OTHER, RULE])
    assert (await store.get_inbound("in-b")).bevindingen == (RULE, OTHER)
    # without findings the row has an empty list
    await store.store_inbound(new_inbound("in-c", bt="Saldoverzoek"))
    assert (await store.get_inbound("in-c")).bevindingen == ()
    # only a valid message that is not yet accepted takes more
    assert not await store.add_inbound_bevindingen("unknown", [OTHER])
    await store.store_inbound(new_inbound("in-bad", valid=False))
    assert not await store.add_inbound_bevindingen("in-bad", [OTHER])
    assert await store.accept_inbound("in-b", now=T0, sinks=[], sink_deadline=T0, conversatie=None)
    assert not await store.add_inbound_bevindingen("in-b", [{**OTHER, "code": "late"}])
    await store.mark_confirmed("in-b", now=T0)
    assert (await store.purge_payloads("Saldoverzoek", before=T0 + DAY, now=T0 + DAY)).inbox == 1
    purged = await store.get_inbound("in-b")
    assert purged.json_body is None and purged.bevindingen == (RULE, OTHER)


async def test_one_poller_at_a_time(store_factory):  # noqa: F811
    a = await store_factory()
    other = await store_factory() if store_factory.backend == "postgres" else a
    async with a.poller_lock() as first:
        async with other.poller_lock() as second:
            assert first and not second
    async with other.poller_lock() as again:
        assert again


async def test_enqueue_many_commits_together_and_returns_conflicts_in_place(store):  # noqa: F811
    first, dup = msg(), msg()
    await store.enqueue(dup, now=T0, deadline=T0 + DAY)
    other = NewOutbound(dup.referentienummer, dup.berichttype, dup.ontvanger, dup.conversatie, b"<x/>")
    results = await store.enqueue_many([first, other, first], now=T0, deadline=T0 + DAY)
    assert results[0].created and isinstance(results[1], EnqueueConflict) and not results[2].created
    assert (await store.get_outbound(first.referentienummer)).state is OutboxState.QUEUED


async def test_record_delivered_many_is_fenced_per_row(store):  # noqa: F811
    a, b = msg(), msg()
    for m in (a, b):
        await store.enqueue(m, now=T0, deadline=T0 + DAY)
    await claim(store, owner="A")
    items = [
        DeliveredAttempt(a.referentienummer, "A", an_attempt(a.referentienummer, "A"), T0, None),
        DeliveredAttempt(
            b.referentienummer, "B", an_attempt(b.referentienummer, "B"), T0, None
        ),  # not B's lease
    ]
    assert await store.record_delivered_many(items) == [True, False]
    assert (await store.get_outbound(a.referentienummer)).state is OutboxState.DELIVERED
    assert (await store.get_outbound(b.referentienummer)).state is OutboxState.SENDING


async def test_record_delivered_many_starts_answer_terms_and_never_reopens_an_answered_question(
    store,  # noqa: F811
):
    plain, early = queued(msg()), queued(msg())
    for m in (plain, early):
        await store.enqueue(m, now=T0, deadline=T0 + DAY)
    await claim(store)
    # the answer to `early` arrived before its delivery was recorded (a crash after the hub took it)
    assert await store.store_inbound(new_inbound("r-early", conv=early.conversatie))
    before = await store.get_conversation(early.conversatie)
    await store.accept_inbound(
        "r-early", now=T0, sinks=[], sink_deadline=T0, conversatie=answers(before, "r-early")
    )
    items = [
        DeliveredAttempt(
            m.referentienummer, "A", an_attempt(m.referentienummer, "A"), T0, term(m, date(2026, 3, 16))
        )
        for m in (plain, early)
    ]
    assert await store.record_delivered_many(items) == [True, True]
    started = await store.get_conversation(plain.conversatie)
    assert started.state is ConversationState.OPEN and started.antwoord_uiterlijk == date(2026, 3, 16)
    answered = await store.get_conversation(early.conversatie)
    assert answered.state is ConversationState.ANSWERED and answered.beantwoord_door == "r-early"
    assert answered.antwoord_uiterlijk is None  # answered before its term could start
    assert [p.attempt_no for p in await store.attempts(early.referentienummer)] == [1]


async def test_the_delivery_of_a_replaced_question_starts_no_term(store):  # noqa: F811
    first = queued(msg())
    await store.enqueue(first, now=T0, deadline=T0 + DAY)
    c = await store.get_conversation(first.conversatie)
    again = msg(conv=first.conversatie)  # the Saldoverzoek asked again before the first went out
    g = Gebeurtenis(Berichttype.SALDOVERZOEK, again.referentienummer, c.conversatie, "se-1", Rol.SHV, T0,
                    aangekomen=False)  # fmt: skip
    second = dataclasses.replace(again, conversatie_change=stap(c, g, eigen_rol=Rol.SHV).wijziging)
    await store.enqueue(second, now=T0, deadline=T0 + DAY)
    for m in (first, second):  # one conversation: one at a time, in order
        assert [r.referentienummer for r in await claim(store)] == [m.referentienummer]
        await store.record_delivered(
            m.referentienummer, owner="A", attempt=an_attempt(m.referentienummer, "A"), now=T0,
            term_start=term(m, date(2026, 3, 16) if m is first else date(2026, 3, 18)),
        )  # fmt: skip
        due = (await store.get_conversation(first.conversatie)).antwoord_uiterlijk
        assert due == (None if m is first else date(2026, 3, 18))


# -- the operator console's records and queries (the migration *_console.sql) ---------------------------
async def test_console_actions_are_recorded_and_listed_newest_first(store):  # noqa: F811
    from gateway.store.records import ConsoleAction

    first = await store.record_action(ConsoleAction(T0, "beheer", "resend", "ref-1", "ok", "queued again"))
    second = await store.record_action(ConsoleAction(T0 + DAY, "beheer", "fetch-now", None, "ok"))
    third = await store.record_action(ConsoleAction(T0 + 2 * DAY, "lezer", "show-bsn", "ref-1", "ok"))
    assert first.id and second.id and third.id and len({first.id, second.id, third.id}) == 3
    assert [a.action for a in await store.list_actions()] == ["show-bsn", "fetch-now", "resend"]
    assert [a.id for a in await store.list_actions(limit=1, offset=1)] == [second.id]
    on_ref = await store.list_actions(referentienummer="ref-1")
    assert [a.caller for a in on_ref] == ["lezer", "beheer"]
    got = await store.get_action(first.id)
    assert got == first and got.at == T0 and got.detail == "queued again"
    assert await store.get_action(999_999) is None


async def test_attention_counts_leave_out_the_delivered(store):  # noqa: F811
    a, b, c = msg(), msg(), msg()
    for m in (a, b, c):
        await store.enqueue(m, now=T0, deadline=T0 + DAY)
    claimed = await claim(store, limit=2)
    await store.record_delivered(
        claimed[0].referentienummer, owner="A", attempt=an_attempt(claimed[0].referentienummer, "A"), now=T0,
        term_start=None,
    )  # fmt: skip
    await store.record_dead(claimed[1].referentienummer, owner="A", attempt=None, now=T0, reason="test")
    quarantined = str(uuid.uuid4())
    await store.store_inbound(
        NewInbound(quarantined, "SaldoverzoekAntwoord", "se-1", "shv", None, b"<x/>", b"", False, (), None,
                      received_at=T0)
    )  # fmt: skip
    counts = await store.attention_counts()
    assert counts.outbox == {"queued": 1, "dead": 1}
    assert counts.inbox == {"received": 1} and counts.sink == {}
    assert (await store.counts()).outbox == {"queued": 1, "dead": 1, "delivered": 1}


async def test_retry_now_moves_only_waiting_queued_rows(store):  # noqa: F811
    a, b, c = msg(), msg(), msg()
    for m in (a, b, c):
        await store.enqueue(m, now=T0, deadline=T0 + DAY)
    [claimed] = await claim(store, limit=1)
    await store.record_retry(
        claimed.referentienummer, owner="A", attempt=an_attempt(claimed.referentienummer, "A", "retry"),
        now=T0, next_attempt_at=T0 + timedelta(hours=1),
    )  # fmt: skip
    later = T0 + timedelta(minutes=5)
    with pytest.raises(NotFound):
        await store.retry_now(now=later, referentienummer="no-such-ref")
    assert await store.retry_now(now=later, referentienummer=claimed.referentienummer) == 1
    row = await store.get_outbound(claimed.referentienummer)
    assert row.next_attempt_at == later and row.state is OutboxState.QUEUED
    assert await store.retry_now(now=later, referentienummer=claimed.referentienummer) == 0  # due already
    assert await store.retry_now(now=later) == 0  # the others were due already: nothing to move
    [sending] = await claim(store, limit=1, now=later)
    with pytest.raises(InvalidTransition, match="not waiting for a retry"):
        await store.retry_now(now=later, referentienummer=sending.referentienummer)


async def test_search_by_klantnummer_referentienummer_and_oldest_first(store):  # noqa: F811
    from gateway.store.search import BerichtFilter

    refs = []
    for i, klant in enumerate(("ZW-1", "ZW-2", "ZW-1")):
        m = msg()
        m = NewOutbound(m.referentienummer, m.berichttype, m.ontvanger, m.conversatie, m.document,
                              klantnummer_shv=klant)  # fmt: skip
        await store.enqueue(m, now=T0 + i * DAY, deadline=T0 + 9 * DAY)
        refs.append(m.referentienummer)
    inbound = str(uuid.uuid4())
    await store.store_inbound(
        NewInbound(inbound, "SaldoverzoekAntwoord", "se-1", "shv", None, document("SaldoverzoekAntwoord"),
                      b"", True, (), b"{}", received_at=T0 + 5 * DAY, klantnummer_shv="ZW-1")
    )  # fmt: skip
    found = await store.search_messages(BerichtFilter(klantnummer_shv="ZW-1"))
    assert [m.referentienummer for m in found.items] == [inbound, refs[2], refs[0]]
    assert {m.klantnummer_shv for m in found.items} == {"ZW-1"}
    oldest = await store.search_messages(BerichtFilter(klantnummer_shv="ZW-1", oldest_first=True, limit=2))
    assert [m.referentienummer for m in oldest.items] == [refs[0], refs[2]] and oldest.next_cursor
    rest = await store.search_messages(
        BerichtFilter(klantnummer_shv="ZW-1", oldest_first=True, limit=2, cursor=oldest.next_cursor)
    )
    assert [m.referentienummer for m in rest.items] == [inbound] and rest.next_cursor is None
    one = await store.search_messages(BerichtFilter(referentienummer=refs[1]))
    assert [m.klantnummer_shv for m in one.items] == ["ZW-2"]
    assert (await store.get_outbound(refs[1])).klantnummer_shv == "ZW-2"
    assert (await store.get_inbound(inbound)).klantnummer_shv == "ZW-1"
