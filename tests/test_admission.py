"""Inbound trust (gateway.admission) on both backends: each refusal and its allowed side, and the poller
quarantining what trust refuses (a Foutbericht naming the code, never a sink) or delivering it with a
finding in migration mode."""

from __future__ import annotations

import json
import uuid
from datetime import date

from gateway.admission import Admission
from gateway.adresboek import Adresboek, Tegenpartij
from gateway.engine.delivery import SinkDeliverer
from gateway.engine.poller import Poller
from gateway.engine.settings import PollSettings, SinkSettings
from gateway.model.berichttype import Rol
from gateway.store.records import ConversationState, InboxState, NewInbound, WachtOp
from tests.engine_helpers import PARTIES, enqueue
from tests.fakes import SE, SHV, T0, FakeClock, FakeHub, FakeSink, TinyProcessing, document
from tests.store_fixtures import store, store_factory  # noqa: F401  (fixtures)

SE_OIN = PARTIES[Rol.SE].oin
OTHER_SE = Tegenpartij("5e5e5e5e-0000-4000-8000-000000000003", "Water Test", "00000003987654321000", Rol.SE)
OTHER_SHV = Tegenpartij(
    "5a5a5a5a-0000-4000-8000-000000000004", "Stadsbank Test", "00000001999999999000", Rol.SHV
)
BOOK = Adresboek([PARTIES[Rol.SE], OTHER_SE, OTHER_SHV])


def shv(store, **kw) -> Admission:  # noqa: F811
    return Admission(store, BOOK, rol=Rol.SHV, **kw)


async def received(
    store,  # noqa: F811
    berichttype: str,
    *,
    conv: str | None = None,
    afzender: str = SE,
    afzender_oin: str | None = None,
    ref: str | None = None,
    body: dict | None = None,
):
    ref = ref or str(uuid.uuid4())
    conv = conv or str(uuid.uuid4())
    doc = document(berichttype, referentienummer=ref, conversatie=conv, afzender=afzender, ontvanger=SHV)
    json_body = json.dumps({"berichttype": berichttype, **(body or {})}).encode()
    msg = NewInbound(
        ref, berichttype, afzender, SHV, conv, doc, b"", True, (), json_body, T0, T0, afzender_oin
    )
    assert await store.store_inbound(msg)
    return await store.get_inbound(ref)


def codes(judgement) -> list[str]:
    return [p["code"] for p in judgement.problems]


async def test_an_answer_to_our_open_question_is_admitted_and_closes_it(store):  # noqa: F811
    vraag = await enqueue(store, FakeClock(), berichttype="Saldoverzoek", rol=Rol.SHV)
    row = await received(store, "SaldoverzoekAntwoord", conv=vraag.conversatie, afzender_oin=SE_OIN)
    judgement = await shv(store).judge(row)
    assert judgement.admitted and judgement.bevindingen == ()
    assert judgement.conversatie.new.fase == "saldo-ontvangen" and judgement.conversatie.previous_stappen == 1
    # the same answer after that conversation was answered: no open question any more
    await store.accept_inbound(
        row.referentienummer, now=T0, sinks=[], sink_deadline=T0, conversatie=judgement.conversatie
    )
    late = await received(store, "SaldoverzoekAntwoord", conv=vraag.conversatie)
    refused = await shv(store).judge(late)
    assert codes(refused) == ["no-open-question"]
    assert refused.problems[0]["path"] == "/SaldoverzoekAntwoord/Berichtheader/ConversatieReferentienummer"
    assert "answers an open Saldoverzoek" in refused.problems[0]["message"]


async def test_a_question_to_us_opens_a_conversation_that_waits_for_us(store):  # noqa: F811
    row = await received(store, "Statusverzoek")
    judgement = await shv(store).judge(row)
    stand = judgement.conversatie.new
    assert (
        judgement.admitted and stand.wacht_op is WachtOp.ONS and stand.antwoord_uiterlijk == date(2026, 3, 16)
    )
    assert judgement.conversatie.previous_stappen == 0


async def test_unknown_sender(store):  # noqa: F811
    stranger = str(uuid.uuid4())
    judgement = await shv(store).judge(await received(store, "StatusberichtSE", afzender=stranger))
    assert codes(judgement) == ["unknown-sender"]
    assert judgement.problems[0]["path"] == "/StatusberichtSE/Berichtheader/Afzender"
    assert (await shv(store).judge(await received(store, "StatusberichtSE"))).admitted


async def test_the_oin_the_hub_names_must_be_the_address_books(store):  # noqa: F811
    wrong = await received(store, "StatusberichtSE", afzender_oin=OTHER_SE.oin)
    assert codes(await shv(store).judge(wrong)) == ["sender-oin-mismatch"]
    right = await received(store, "StatusberichtSE", afzender_oin=SE_OIN)
    silent = await received(store, "StatusberichtSE", afzender_oin=None)  # a hub that does not say
    assert (await shv(store).judge(right)).admitted and (await shv(store).judge(silent)).admitted


async def test_the_direction_must_fit_our_role(store):  # noqa: F811
    # a Saldoverzoek goes to a creditor; this gateway is an SHV
    judgement = await shv(store).judge(await received(store, "Saldoverzoek"))
    assert codes(judgement) == ["wrong-direction"] and "sent by an SHV" in judgement.problems[0]["message"]
    # a sender the address book lists as an SHV, like us
    fellow = await shv(store).judge(await received(store, "StatusberichtSE", afzender=OTHER_SHV.id))
    assert codes(fellow) == ["wrong-direction"]
    # a stranger sending a type of our own role: every problem is named
    both = await shv(store).judge(await received(store, "Betaalvoorstel", afzender=str(uuid.uuid4())))
    assert codes(both) == ["unknown-sender", "wrong-direction"]


async def test_a_referentienummer_of_ours_is_refused(store):  # noqa: F811
    ours = await enqueue(store, FakeClock(), berichttype="Saldoverzoek", rol=Rol.SHV)
    copy = await received(store, "StatusberichtSE", ref=ours.referentienummer)
    assert codes(await shv(store).judge(copy)) == ["duplicate-referentienummer"]


async def test_a_foutbericht_must_refer_to_a_message_we_sent_to_its_sender(store):  # noqa: F811
    ours = await enqueue(store, FakeClock(), berichttype="Saldoverzoek", rol=Rol.SHV)
    about = {"gerefereerd_bericht": ours.referentienummer}
    fout = await received(store, "Foutbericht", conv=ours.conversatie, body=about)
    admitted = await shv(store).judge(fout)
    assert admitted.admitted and admitted.conversatie is None  # it changes nothing
    unknown = await received(store, "Foutbericht", body={"gerefereerd_bericht": str(uuid.uuid4())})
    assert codes(await shv(store).judge(unknown)) == ["unknown-referenced-message"]
    elsewhere = await received(store, "Foutbericht", afzender=OTHER_SE.id, body=about)
    assert codes(await shv(store).judge(elsewhere)) == ["unknown-referenced-message"]


async def test_an_answer_from_another_counterpart_is_refused(store):  # noqa: F811
    vraag = await enqueue(store, FakeClock(), berichttype="Betaalvoorstel", rol=Rol.SHV)
    body = {"antwoord": "Akkoord"}
    other = await received(
        store, "BetaalvoorstelAntwoord", conv=vraag.conversatie, afzender=OTHER_SE.id, body=body
    )
    assert codes(await shv(store).judge(other)) == ["wrong-counterpart"]
    right = await received(store, "BetaalvoorstelAntwoord", conv=vraag.conversatie, body=body)
    assert (await shv(store).judge(right)).conversatie.new.fase == "akkoord"


async def test_an_answer_to_an_unknown_conversation(store):  # noqa: F811
    body = {"antwoord": "NietAkkoord"}
    row = await received(store, "BetaalvoorstelAntwoord", body=body)
    refused = await shv(store).judge(row)
    assert codes(refused) == ["unknown-conversation"]
    # migration mode: delivered with a finding, the conversation taken on as if we had proposed
    adopted = await shv(store, deliver_unknown_answers=True).judge(row)
    assert adopted.admitted and [b["code"] for b in adopted.bevindingen] == ["unknown-conversation"]
    assert adopted.bevindingen[0]["severity"] == "warning"
    stand = adopted.conversatie.new
    assert (stand.fase, stand.bron, stand.tegenpartij, stand.stappen) == ("niet-akkoord", "aangenomen", SE, 2)
    assert adopted.conversatie.previous_stappen == 0
    # migration mode does not excuse anything else
    stranger = await received(store, "BetaalvoorstelAntwoord", afzender=str(uuid.uuid4()), body=body)
    assert codes(await shv(store, deliver_unknown_answers=True).judge(stranger)) == [
        "unknown-sender", "unknown-conversation"
    ]  # fmt: skip


# -- the poller with trust ------------------------------------------------------------------------
SINK = SinkSettings(batch_size=10, lease_seconds=60, backoff_base_seconds=5, backoff_cap_seconds=60)


def poller(store, hub, clock, **kw) -> Poller:  # noqa: F811
    return Poller(
        store, hub, TinyProcessing(), trust=shv(store, **kw), sinks=["webhook"], clock=clock,
        settings=PollSettings(fetch_batch=10, max_pages=2), sink_settings=SINK,
    )  # fmt: skip


def offer(hub: FakeHub, berichttype: str, *, conv: str, afzender: str = SE, body: str = "") -> str:
    ref = str(uuid.uuid4())
    doc = document(
        berichttype, referentienummer=ref, conversatie=conv, afzender=afzender, ontvanger=SHV, body=body
    )
    hub.put_inbound(doc, referentienummer=ref, berichttype=berichttype, afzender=afzender)
    return ref


async def test_refused_by_trust_means_quarantined_answered_and_never_delivered(store):  # noqa: F811
    clock, hub, sink = FakeClock(), FakeHub(), FakeSink()
    vraag = await enqueue(store, clock, berichttype="Saldoverzoek", rol=Rol.SHV)
    good = offer(hub, "SaldoverzoekAntwoord", conv=vraag.conversatie)
    stray = offer(hub, "SaldoverzoekAntwoord", conv=str(uuid.uuid4()))
    report = await poller(store, hub, clock).poll_once()
    assert (report.accepted, report.quarantined, report.confirmed) == (1, 1, 2)
    (q,) = await store.list_quarantine()
    assert q.referentienummer == stray and [p["code"] for p in q.problems] == ["unknown-conversation"]
    fout = await store.get_outbound(q.foutbericht_referentienummer)
    assert fout.berichttype == "Foutbericht" and fout.ontvanger == SE
    assert b'code="unknown-conversation"' in fout.document and stray.encode() in fout.document
    await SinkDeliverer(store, [sink], SINK, clock=clock).run_once()
    assert sink.delivered == [good]  # the stray one never reaches the organisation's system
    assert (await store.get_inbound(stray)).state is InboxState.QUARANTINED
    conv = await store.get_conversation(vraag.conversatie)
    assert conv.state is ConversationState.ANSWERED and conv.beantwoord_door == good


async def test_migration_mode_delivers_the_answer_with_its_finding(store):  # noqa: F811
    clock, hub, sink = FakeClock(), FakeHub(), FakeSink()
    conv = str(uuid.uuid4())
    ref = offer(hub, "SaldoverzoekAntwoord", conv=conv)
    report = await poller(store, hub, clock, deliver_unknown_answers=True).poll_once()
    assert (report.accepted, report.quarantined) == (1, 0)
    row = await store.get_inbound(ref)
    assert [(b["code"], b["severity"]) for b in row.bevindingen] == [("unknown-conversation", "warning")]
    payloads: list[bytes] = []
    original = sink.deliver

    async def capturing(request):  # noqa: ANN001
        payloads.append(request.json_body)
        return await original(request)

    sink.deliver = capturing  # type: ignore[method-assign]
    await SinkDeliverer(store, [sink], SINK, clock=clock).run_once()
    assert sink.delivered == [ref]
    (payload,) = payloads
    assert [b["code"] for b in json.loads(payload)["bevindingen"]] == ["unknown-conversation"]
    adopted = await store.get_conversation(conv)
    assert adopted.fase == "saldo-ontvangen" and adopted.bron == "aangenomen"


async def test_a_different_document_under_a_known_referentienummer_is_refused_once(store):  # noqa: F811
    clock, hub, sink = FakeClock(), FakeHub(), FakeSink()
    ref = offer(hub, "StatusberichtSE", conv=str(uuid.uuid4()))
    p = poller(store, hub, clock)
    await p.poll_once()
    first = await store.get_inbound(ref)
    other = document("StatusberichtSE", referentienummer=ref, afzender=SE, ontvanger=SHV, body="<Anders/>")
    refused = []
    for _ in range(2):  # offered twice (its confirmation was lost once): recorded and answered once
        hub.put_inbound(other, referentienummer=ref, berichttype="StatusberichtSE", afzender=SE)
        refused.append((await p.poll_once()).refused_duplicates)
    assert refused == [1, 0] and await store.count_duplicates() == 1
    assert (await store.get_inbound(ref)).sha256 == first.sha256  # the first is kept
    fouten = [r for r in await store.list_outbound() if r.berichttype == "Foutbericht"]
    assert len(fouten) == 1 and b'code="duplicate-referentienummer"' in fouten[0].document
    assert hub.inbound == []  # confirmed at the hub each time
    await SinkDeliverer(store, [sink], SINK, clock=clock).run_once()
    assert sink.delivered == [ref]  # the first, once


async def test_a_message_whose_afzender_differs_from_the_hubs_is_quarantined(store):  # noqa: F811
    clock, hub = FakeClock(), FakeHub()
    ref = str(uuid.uuid4())
    doc = document("StatusberichtSE", referentienummer=ref, afzender=OTHER_SE.id, ontvanger=SHV)
    hub.put_inbound(doc, referentienummer=ref, berichttype="StatusberichtSE", afzender=SE)
    assert (await poller(store, hub, clock).poll_once()).quarantined == 1
    (q,) = await store.list_quarantine()
    assert [p["code"] for p in q.problems] == ["afzender-mismatch"]


async def test_two_answers_in_one_fetch_the_second_is_judged_on_what_the_first_left(store):  # noqa: F811
    clock, hub = FakeClock(), FakeHub()
    vraag = await enqueue(store, clock, berichttype="Saldoverzoek", rol=Rol.SHV)
    first = offer(hub, "SaldoverzoekAntwoord", conv=vraag.conversatie)
    second = offer(hub, "SaldoverzoekAntwoord", conv=vraag.conversatie)
    report = await poller(store, hub, clock).poll_once()
    assert (report.accepted, report.quarantined) == (1, 1)
    assert (await store.get_inbound(first)).state is InboxState.DECODED
    (q,) = await store.list_quarantine()
    assert q.referentienummer == second and q.problems[0]["code"] == "no-open-question"


class ChangingUnderfoot:
    """Trust that, the first time, lets the organisation ask again in the same conversation between
    judging the answer and its acceptance (the compare-and-set then fails and the poller judges again)."""

    def __init__(self, store, clock) -> None:  # noqa: F811
        self.inner, self.store, self.clock, self.calls = shv(store), store, clock, 0

    async def judge(self, row):
        self.calls += 1
        judgement = await self.inner.judge(row)
        if self.calls == 1:
            await enqueue(
                self.store, self.clock, conv=row.conversatie, berichttype="Saldoverzoek", rol=Rol.SHV
            )
        return judgement


async def test_a_conversation_that_changed_between_judging_and_accepting_is_judged_again(store):  # noqa: F811
    clock, hub = FakeClock(), FakeHub()
    vraag = await enqueue(store, clock, berichttype="Saldoverzoek", rol=Rol.SHV)
    answer = offer(hub, "SaldoverzoekAntwoord", conv=vraag.conversatie)
    trust = ChangingUnderfoot(store, clock)
    p = Poller(store, hub, TinyProcessing(), trust=trust, sinks=["webhook"], clock=clock, sink_settings=SINK)
    assert (await p.poll_once()).accepted == 1 and trust.calls == 2
    conv = await store.get_conversation(vraag.conversatie)
    assert conv.beantwoord_door == answer and conv.stappen == 3  # asked, asked again, answered


class Failing:
    """Trust whose store read fails the first ``times`` calls."""

    def __init__(self, store, times: int) -> None:  # noqa: F811
        self.inner, self.left = shv(store), times

    async def judge(self, row):
        if self.left:
            self.left -= 1
            raise ConnectionResetError("the database went away")
        return await self.inner.judge(row)


async def test_a_failing_judgement_leaves_the_message_received_and_judges_it_next_cycle(store):  # noqa: F811
    clock, hub = FakeClock(), FakeHub()
    ref = offer(hub, "StatusberichtSE", conv=str(uuid.uuid4()))
    p = Poller(
        store,
        hub,
        TinyProcessing(),
        trust=Failing(store, 1),
        sinks=["webhook"],
        clock=clock,
        sink_settings=SINK,
    )
    first = await p.poll_once()
    assert (first.stored, first.confirmed, first.accepted, first.quarantined) == (1, 1, 0, 0)
    assert (await store.get_inbound(ref)).state is InboxState.RECEIVED  # kept, not delivered, not refused
    assert (await p.poll_once()).accepted == 1  # recovery judges it again
    assert (await store.get_inbound(ref)).state is InboxState.DECODED


class AlwaysChanging(ChangingUnderfoot):
    async def judge(self, row):
        judgement = await self.inner.judge(row)
        await enqueue(self.store, self.clock, conv=row.conversatie, berichttype="Saldoverzoek", rol=Rol.SHV)
        return judgement


async def test_a_conversation_that_keeps_changing_leaves_the_answer_for_the_next_cycle(store):  # noqa: F811
    clock, hub = FakeClock(), FakeHub()
    vraag = await enqueue(store, clock, berichttype="Saldoverzoek", rol=Rol.SHV)
    answer = offer(hub, "SaldoverzoekAntwoord", conv=vraag.conversatie)
    p = Poller(
        store, hub, TinyProcessing(), trust=AlwaysChanging(store, clock), sinks=["webhook"], clock=clock,
        sink_settings=SINK,
    )  # fmt: skip
    report = await p.poll_once()
    assert (report.accepted, report.quarantined) == (0, 0)
    assert (await store.get_inbound(answer)).state is InboxState.RECEIVED
    settled = Poller(
        store, hub, TinyProcessing(), trust=shv(store), sinks=["webhook"], clock=clock, sink_settings=SINK
    )
    assert (await settled.poll_once()).accepted == 1
