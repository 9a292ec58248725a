"""Inbound poller and sink delivery on both backends."""

from __future__ import annotations

import uuid
from datetime import timedelta

from gateway.engine.delivery import SinkDeliverer
from gateway.engine.fetchguard import check_fetch_freshness
from gateway.engine.poller import Poller
from gateway.engine.settings import PollSettings, SinkSettings
from gateway.model.berichttype import Rol
from gateway.store.records import (
    ConversationState,
    InboxState,
    NewInbound,
    OutboxState,
    SinkState,
    WachtOp,
)
from tests.engine_helpers import dispatcher, drive, enqueue, trust
from tests.fakes import SE, SHV, FakeClock, FakeHub, FakeSink, TinyProcessing, document
from tests.store_fixtures import store, store_factory  # noqa: F401  (fixtures)

SINK = SinkSettings(
    batch_size=10, lease_seconds=60, backoff_base_seconds=5, backoff_cap_seconds=60, deadline_seconds=3600
)


def poller(store, hub, clock, sinks=("webhook",), rol=Rol.SHV, **kw) -> Poller:  # noqa: F811
    return Poller(
        store,
        hub,
        TinyProcessing(),
        trust=trust(store, rol),
        sinks=list(sinks),
        clock=clock,
        settings=PollSettings(fetch_batch=kw.pop("fetch_batch", 100), max_pages=5),
        sink_settings=SINK,
        **kw,
    )


def inbound(
    hub: FakeHub,
    berichttype: str = "StatusberichtSE",  # a notice: legitimate in any conversation, or none
    *,
    conv: str | None = None,
    body: str = "<Inhoud>x</Inhoud>",
    afzender: str = SE,
) -> str:
    ref = str(uuid.uuid4())
    ontvanger = SHV if afzender == SE else SE
    hub.put_inbound(
        document(
            berichttype,
            referentienummer=ref,
            conversatie=conv,
            afzender=afzender,
            ontvanger=ontvanger,
            body=body,
        ),
        referentienummer=ref,
        berichttype=berichttype,
        afzender=afzender,
    )
    return ref


async def test_valid_messages_are_stored_confirmed_and_delivered_once(store):  # noqa: F811
    clock, hub, sink = FakeClock(), FakeHub(), FakeSink()
    refs = [inbound(hub) for _ in range(3)]
    report = await poller(store, hub, clock, fetch_batch=2).poll_once()
    assert (report.fetched, report.stored, report.confirmed, report.accepted) == (3, 3, 3, 3)
    assert hub.inbound == [] and hub.confirmed == refs
    deliverer = SinkDeliverer(store, [sink], SINK, clock=clock, owner="A")
    assert (await deliverer.run_once()).delivered == 3
    assert (await deliverer.run_once()).claimed == 0
    assert sink.delivered == refs
    for ref in refs:
        row = await store.get_inbound(ref)
        assert row.state is InboxState.DELIVERED and row.confirmed_at == clock() and row.document is not None


async def test_refetch_after_a_failed_confirm_is_deduplicated(store):  # noqa: F811
    clock, hub, sink = FakeClock(), FakeHub(), FakeSink()
    ref = inbound(hub)
    hub.confirm_script.extend(["raise", "fail"])  # the confirm, then its repetition at recovery, fail
    p = poller(store, hub, clock)
    first = await p.poll_once()
    assert (first.stored, first.confirm_failed) == (1, 1) and len(hub.inbound) == 1
    second = await p.poll_once()  # the hub offers it again
    assert (second.stored, second.duplicates, second.confirmed, second.confirm_failed) == (0, 1, 1, 1)
    assert hub.inbound == []
    await SinkDeliverer(store, [sink], SINK, clock=clock).run_once()
    assert sink.delivered == [ref]


async def test_crash_between_storing_and_processing_is_recovered(store_factory):  # noqa: F811
    clock, hub = FakeClock(), FakeHub()
    first = await store_factory()
    ref = inbound(hub)
    insp = TinyProcessing().inspect(hub.inbound[0].document)
    # what a process killed right after the durable store (before confirm and processing) leaves behind
    await first.store_inbound(
        NewInbound(
            ref,
            "StatusberichtSE",
            SE,
            SHV,
            insp.conversatie,
            hub.inbound[0].document,
            b"",
            True,
            (),
            insp.json_body,
            clock(),
        )
    )
    await first.close()
    second = await store_factory()
    report = await poller(second, hub, clock).poll_once()
    assert (report.accepted, report.confirmed, report.fetched, report.stored) == (1, 1, 0, 0)
    row = await second.get_inbound(ref)
    assert row.state is InboxState.DECODED and row.confirmed_at == clock() and hub.confirmed == [ref]


async def test_a_confirm_the_hub_took_but_we_did_not_record_is_repeated(store):  # noqa: F811
    """The hub confirmed, the process died before recording it: the hub never offers it again."""
    clock, hub = FakeClock(), FakeHub()
    lost = str(uuid.uuid4())
    doc = document("StatusberichtSE", referentienummer=lost)
    await store.store_inbound(
        NewInbound(lost, "StatusberichtSE", SE, SHV, "c", doc, b"", True, (), b"{}", clock())
    )
    report = await poller(store, hub, clock).poll_once()  # the hub no longer offers it
    assert report.fetched == 0 and report.confirmed == 1 and hub.confirmed == [lost]
    assert (await store.get_inbound(lost)).confirmed_at == clock()


async def test_invalid_message_is_quarantined_and_answered_with_a_foutbericht(store):  # noqa: F811
    clock, hub = FakeClock(), FakeHub()
    conv = str(uuid.uuid4())
    bad = inbound(hub, "Saldoverzoek", conv=conv, body="<Fout>Bedrag is negatief</Fout>")
    woken: list[bool] = []
    report = await poller(store, hub, clock, on_enqueued=lambda: woken.append(True)).poll_once()
    assert (report.quarantined, report.confirmed, woken) == (1, 1, [True])
    (q,) = await store.list_quarantine()
    assert q.referentienummer == bad and q.problems[0]["message"] == "Bedrag is negatief"
    fout = await store.get_outbound(q.foutbericht_referentienummer)
    assert fout.berichttype == "Foutbericht" and fout.ontvanger == SE and fout.conversatie == conv
    assert TinyProcessing().inspect(fout.document).ok  # the Foutbericht itself is a valid document
    assert b"Bedrag is negatief" in fout.document
    await drive(dispatcher(store, hub, clock), clock)
    assert hub.accepted == [fout.referentienummer]
    assert (await store.get_inbound(bad)).state is InboxState.QUARANTINED


async def test_a_bad_foutbericht_is_quarantined_without_an_answer(store):  # noqa: F811
    clock, hub = FakeClock(), FakeHub()
    inbound(hub, "Foutbericht", body="<Fout>x</Fout>")
    assert (await poller(store, hub, clock).poll_once()).quarantined == 1
    (q,) = await store.list_quarantine()
    assert q.foutbericht_referentienummer is None and "no Foutbericht" in q.note


async def test_not_well_formed_and_mismatched_documents_are_quarantined(store):  # noqa: F811
    clock, hub = FakeClock(), FakeHub()
    hub.put_inbound(
        b"<Saldoverzoek><oops>", referentienummer="r-broken", berichttype="Saldoverzoek", afzender=SE
    )
    other = document("Saldoverzoek", referentienummer="r-inside", afzender=SE)
    hub.put_inbound(other, referentienummer="r-outside", berichttype="Saldoverzoek", afzender=SE)
    assert (await poller(store, hub, clock).poll_once()).quarantined == 2
    problems = {q.referentienummer: [p["code"] for p in q.problems] for q in await store.list_quarantine()}
    assert problems == {"r-broken": ["truncated"], "r-outside": ["referentienummer-mismatch"]}


async def test_sink_retries_are_durable_and_deliver_once_in_effect(store):  # noqa: F811
    clock, hub = FakeClock(), FakeHub()
    a, b = FakeSink("webhook"), FakeSink("folder")
    ref = inbound(hub)
    await poller(store, hub, clock, sinks=("webhook", "folder")).poll_once()
    a.script.extend(["retryable", "raise"])
    deliverer = SinkDeliverer(store, [a, b], SINK, clock=clock)
    for _ in range(20):
        await deliverer.run_once()
        clock.advance(30)
    assert a.calls == [ref] * 3 and a.delivered == [ref] and b.delivered == [ref]
    assert (await store.get_inbound(ref)).state is InboxState.DELIVERED
    webhook = next(d for d in await store.sink_deliveries(ref) if d.sink == "webhook")
    assert webhook.attempts == 3 and webhook.state is SinkState.DELIVERED


async def test_a_sink_refusing_for_good_is_dead_and_can_be_resent(store):  # noqa: F811
    clock, hub, sink = FakeClock(), FakeHub(), FakeSink()
    ref = inbound(hub)
    await poller(store, hub, clock).poll_once()
    sink.script.append("permanent")
    deliverer = SinkDeliverer(store, [sink], SINK, clock=clock)
    assert (await deliverer.run_once()).dead == 1
    (d,) = await store.sink_deliveries(ref)
    assert d.state is SinkState.DEAD and "case system refused" in d.last_error
    assert (await store.get_inbound(ref)).state is InboxState.DECODED
    await store.resend_sink(ref, "webhook", now=clock(), deadline=clock() + timedelta(hours=1))
    assert (await deliverer.run_once()).delivered == 1
    assert (await store.get_inbound(ref)).state is InboxState.DELIVERED


async def test_answers_close_the_conversation_of_a_sent_question(store):  # noqa: F811
    clock, hub = FakeClock(), FakeHub()
    vraag = await enqueue(store, clock, berichttype="Saldoverzoek", rol=Rol.SHV)
    await dispatcher(store, hub, clock).run_once()
    assert (await store.get_conversation(vraag.conversatie)).state is ConversationState.OPEN
    inbound(hub, "SaldoverzoekAntwoord", conv=vraag.conversatie)
    await poller(store, hub, clock).poll_once()
    conv = await store.get_conversation(vraag.conversatie)
    assert conv.state is ConversationState.ANSWERED and conv.beantwoord_op == clock()


async def test_an_answer_recorded_before_the_question_delivery_closes_it(store):  # noqa: F811
    clock, hub = FakeClock(), FakeHub()
    vraag = await enqueue(store, clock, berichttype="Saldoverzoek", rol=Rol.SHV)
    await store.claim_outbound(
        owner="dies", now=clock(), lease_until=clock() + timedelta(seconds=60), limit=1, max_claims=5
    )
    await hub.send(
        referentienummer=vraag.referentienummer,
        ontvanger=SE,
        berichttype="Saldoverzoek",
        document=vraag.document,
    )  # the hub took it; the sender died before recording
    clock.advance(30)
    inbound(hub, "SaldoverzoekAntwoord", conv=vraag.conversatie)
    await poller(store, hub, clock).poll_once()
    clock.advance(60)
    assert (await dispatcher(store, hub, clock).run_once()).delivered == 1  # resend: first receipt
    conv = await store.get_conversation(vraag.conversatie)
    assert conv.state is ConversationState.ANSWERED and conv.beantwoord_op == clock() - timedelta(seconds=60)
    assert conv.antwoord_uiterlijk is None  # answered: the late delivery record starts no term


async def test_a_received_question_waits_for_our_answer(store):  # noqa: F811
    clock, hub = FakeClock(), FakeHub()
    conv = str(uuid.uuid4())
    inbound(hub, "Betaalvoorstel", conv=conv, afzender=SHV)  # this gateway is a creditor
    await poller(store, hub, clock, rol=Rol.SE).poll_once()
    opened = await store.get_conversation(conv)
    assert opened.wacht_op is WachtOp.ONS and opened.verwachte_antwoorden == ("BetaalvoorstelAntwoord",)
    await enqueue(store, clock, conv=conv, berichttype="BetaalvoorstelAntwoord", rol=Rol.SE)
    assert (await store.get_conversation(conv)).state is ConversationState.ANSWERED  # with the enqueue
    await dispatcher(store, hub, clock).run_once()
    assert (await store.get_conversation(conv)).state is ConversationState.ANSWERED


async def test_fetch_failure_keeps_the_freshness_alarm(store):  # noqa: F811
    clock, hub = FakeClock(), FakeHub()
    p = poller(store, hub, clock)
    fresh = await check_fetch_freshness(store, now=clock(), max_age_seconds=3600)
    assert not fresh.ok and fresh.last_fetch is None
    await p.poll_once()
    assert (await check_fetch_freshness(store, now=clock(), max_age_seconds=3600)).ok
    hub.fetch_script.extend(["fail"] * 3)
    for _ in range(3):
        clock.advance(hours=1)
        report = await p.poll_once()
        assert report.fetch_error == "http-503: hub unavailable"
    stale = await check_fetch_freshness(store, now=clock(), max_age_seconds=3600)
    assert not stale.ok and stale.age_seconds == 3 * 3600 and "5 werkdagen" in stale.message
    await p.poll_once()
    assert (await check_fetch_freshness(store, now=clock(), max_age_seconds=3600)).ok


async def test_only_one_poller_at_a_time(store):  # noqa: F811
    clock, hub = FakeClock(), FakeHub()
    inbound(hub)
    async with store.poller_lock() as held:
        assert held
        assert (await poller(store, hub, clock).poll_once()).skipped
    assert hub.fetch_calls == 0
    assert (await poller(store, hub, clock).poll_once()).stored == 1


async def test_foutbericht_queue_entry_is_dispatched_in_conversation_order(store):  # noqa: F811
    clock, hub = FakeClock(), FakeHub()
    conv = str(uuid.uuid4())
    ours = await enqueue(store, clock, conv=conv, berichttype="Betaalvoorstel", rol=Rol.SHV)
    hub.script("retryable", ref=ours.referentienummer)
    await dispatcher(store, hub, clock).run_once()  # ours is now waiting for a retry
    inbound(hub, "BetaalvoorstelAntwoord", conv=conv, body="<Fout>x</Fout>")
    await poller(store, hub, clock).poll_once()
    await drive(dispatcher(store, hub, clock), clock)
    (fout,) = [r for r in await store.list_outbound(conversatie=conv) if r.berichttype == "Foutbericht"]
    assert fout.state is OutboxState.DELIVERED
    assert hub.accepted == [ours.referentienummer, fout.referentienummer]


async def test_a_message_offered_again_after_its_recorded_confirmation_is_confirmed_again(store):  # noqa: F811
    """The hub offers a message we stored and confirmed (it lost the confirmation): confirming it again
    is the only way to get it out of the way; otherwise it heads every page and newer messages are
    never fetched (and expire at the hub after 5 werkdagen)."""
    hub, clock = FakeHub(), FakeClock()
    ref = inbound(hub)
    offered = hub.inbound[0]
    p = poller(store, hub, clock, fetch_batch=1)
    await p.poll_once()
    assert hub.confirmed == [ref] and (await store.get_inbound(ref)).confirmed_at is not None
    hub.inbound.insert(0, offered)  # back at the head of the box
    newer = inbound(hub)
    report = await p.poll_once()
    assert hub.confirmed == [ref, ref, newer] and hub.inbound == []
    assert report.duplicates == 1 and report.stored == 1
    assert (await store.get_inbound(newer)) is not None


async def test_a_confirmation_the_hub_refuses_for_good_is_not_asked_again_forever(store):  # noqa: F811
    clock, hub = FakeClock(), FakeHub()
    ref = inbound(hub)
    hub.confirm_script.extend(["gone"])
    p = poller(store, hub, clock)
    first = await p.poll_once()
    assert (first.stored, first.confirm_failed) == (1, 1)
    row = await store.get_inbound(ref)
    assert row.confirmed_at is not None and row.state is InboxState.DECODED  # kept and processed
    second = await p.poll_once()  # recovery does not ask the hub again
    assert (second.confirmed, second.confirm_failed) == (0, 0)
