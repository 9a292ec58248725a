"""The simulated hub's bookkeeping: idempotency, address book, boxes, paging, confirm, expiry."""

from __future__ import annotations

import dataclasses
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from lxml import etree
from transport_support import SE2_ID, SE_ID, SE_OIN, SHV_ID, SHV_OIN, document, fake_validator, partijen

from adapters.hub import operations as ops
from adapters.hub.operations import Verzending
from adapters.hub.simulator_state import HubState, SimClock, verloopmoment
from adapters.hub.simulator_store import SqliteHubStore
from gateway.soap.faults import FaultCode, SoapFault

START = datetime(2026, 12, 23, 10, 0, tzinfo=UTC)  # a Wednesday before Christmas


@pytest.fixture
def clock():
    return SimClock(lambda: START)


@pytest.fixture
def hub(clock):
    return HubState(partijen(), clock=clock, validator=fake_validator)


def send(hub, ref=None, doc=None, ontvanger=SE_ID, berichttype="Saldoverzoek", oin=SHV_OIN, afzender=SHV_ID):
    ref = ref or str(uuid.uuid4())
    return hub.verstuur(oin, Verzending(ref, afzender, ontvanger, berichttype, doc or document()))


def fault_of(fn, *args, **kw) -> SoapFault:
    with pytest.raises(SoapFault) as info:
        fn(*args, **kw)
    return info.value


def test_werkdagen_skip_weekends_and_dutch_holidays():
    # Thu 24 (1), Fri 25 + Sat 26 Christmas/weekend, Sun 27, Mon 28 (2), Tue 29 (3), Wed 30 (4), Thu 31 (5)
    assert verloopmoment(START, 5) == datetime(2026, 12, 31, 10, 0, tzinfo=UTC)
    koningsdag = verloopmoment(datetime(2026, 4, 24, 9, tzinfo=UTC), 1)
    assert koningsdag.date().isoformat() == "2026-04-28"


def test_werkdagen_count_from_the_dutch_date_and_keep_dutch_wall_clock_time():
    # Fri 23:30 UTC is already Saturday 00:30 in Amsterdam: counting starts from Saturday, so the
    # first working day is Monday (not Monday as the first of two from Friday's UTC date)
    late = datetime(2026, 3, 6, 23, 30, tzinfo=UTC)
    assert verloopmoment(late, 1) == datetime(2026, 3, 8, 23, 30, tzinfo=UTC)  # Mon 00:30 CET
    # across the switch to summer time (Sun 29 March 2026) the Dutch wall-clock time is kept
    before = datetime(2026, 3, 27, 8, 0, tzinfo=UTC)  # Fri 09:00 CET
    assert verloopmoment(before, 1) == datetime(2026, 3, 30, 7, 0, tzinfo=UTC)  # Mon 09:00 CEST
    with pytest.raises(ValueError):
        verloopmoment(datetime(2026, 3, 6, 9), 1)


def test_send_is_idempotent_on_referentienummer(hub, clock):
    ref = str(uuid.uuid4())
    first = send(hub, ref)
    clock.advance(timedelta(minutes=5))
    again = send(hub, ref)
    assert (first.herhaling, again.herhaling) == (False, True)
    assert again.ontvangen_op == first.ontvangen_op  # the first receipt
    assert len(hub.bak(SE_ID)) == 1


def test_same_referentienummer_with_other_content_is_refused(hub):
    ref = str(uuid.uuid4())
    send(hub, ref)
    assert fault_of(send, hub, ref, document(extra="<X/>")).code == FaultCode.ONGELDIG_BERICHT


def test_unknown_recipient(hub):
    fault = fault_of(send, hub, ontvanger=str(uuid.uuid4()))
    assert (fault.code, fault.retryable) == (FaultCode.ONBEKENDE_ONTVANGER, False)


def test_sender_certificate_must_belong_to_afzender_and_nothing_is_stored(hub):
    fault = fault_of(send, hub, oin=SE_OIN)
    assert fault.code == FaultCode.NIET_GEAUTORISEERD and SE_OIN in fault.message
    assert hub.bak(SE_ID) == []


def test_role_must_fit_the_berichttype(hub):
    fault = fault_of(send, hub, berichttype="SaldoverzoekAntwoord", doc=document("SaldoverzoekAntwoord"))
    assert fault.code == FaultCode.NIET_GEAUTORISEERD


def test_role_check_knows_the_1_1_root_names(hub):
    doc = document("KlantOnbekend", version="1.1")
    fault = fault_of(send, hub, berichttype="KlantOnbekend", doc=doc)  # an SHV sending Geen medewerking
    assert fault.code == FaultCode.NIET_GEAUTORISEERD and "KlantOnbekend" in fault.message


def test_invalid_document_is_refused_with_the_validator_problem(hub):
    fault = fault_of(send, hub, doc=document(extra="<Fout/>"))
    assert fault.code == FaultCode.ONGELDIG_BERICHT and "Fout is not allowed" in fault.message
    assert fault_of(send, hub, doc=b"<niet-af").code == FaultCode.ONGELDIG_BERICHT
    assert hub.bak(SE_ID) == []


def test_berichttype_must_match_the_document(hub):
    assert fault_of(send, hub, berichttype="Betaalvoorstel").code == FaultCode.ONGELDIG_BERICHT


def test_recipient_version_and_sa_support(hub):
    assert "version 2.0" in fault_of(send, hub, ontvanger=SE2_ID).message
    sa = document("Betaalvoorstel", "1.1", "<TypeSchuldregeling>SA</TypeSchuldregeling>")
    fault = fault_of(send, hub, ontvanger=SE2_ID, berichttype="Betaalvoorstel", doc=sa)
    assert "SA" in fault.message
    sk = document("Betaalvoorstel", "1.1", "<TypeSchuldregeling>SK</TypeSchuldregeling>")
    assert send(hub, ontvanger=SE2_ID, berichttype="Betaalvoorstel", doc=sk).herhaling is False


def test_fetch_oldest_first_paged_and_confirm_idempotent(hub, clock):
    refs = []
    for _ in range(5):
        refs.append(send(hub).referentienummer)
        clock.advance(timedelta(seconds=1))
    page, meer = hub.haal_op(SE_OIN, 2)
    assert [b.referentienummer for b in page] == refs[:2] and meer
    page_again, _ = hub.haal_op(SE_OIN, 2)  # unconfirmed: returned again
    assert [b.referentienummer for b in page_again] == refs[:2]
    assert hub.bevestig(SE_OIN, refs[0]) is False
    assert hub.bevestig(SE_OIN, refs[0]) is True
    rest, meer = hub.haal_op(SE_OIN, 10)
    assert [b.referentienummer for b in rest] == refs[1:] and not meer


def test_only_the_recipient_may_fetch_or_confirm(hub):
    ref = send(hub).referentienummer
    assert hub.haal_op(SHV_OIN, 10) == ([], False)
    assert fault_of(hub.bevestig, SHV_OIN, ref).code == FaultCode.ONGELDIG_BERICHT
    assert fault_of(hub.haal_op, "00000009999999999000", 10).code == FaultCode.NIET_GEAUTORISEERD


def test_unconfirmed_messages_expire_after_five_werkdagen(hub, clock):
    ref = send(hub).referentienummer
    clock.advance(timedelta(days=7, hours=23))  # Thu 31 Dec 09:00: not yet
    assert [b.referentienummer for b in hub.haal_op(SE_OIN, 10)[0]] == [ref]
    clock.advance(timedelta(hours=1))
    assert hub.haal_op(SE_OIN, 10) == ([], False)
    assert hub.bericht(ref).status == "verlopen"
    assert "expired" in fault_of(hub.bevestig, SE_OIN, ref).message


FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


def test_with_the_real_validator_valid_fixtures_pass_and_invalid_ones_are_refused(clock):
    from gateway.xml.validate import validate_document

    hub = HubState(partijen(), clock=clock, validator=validate_document)
    sa = (FIXTURES / "valid" / "2.0" / "Betaalvoorstel-nul-aanbod-SA.xml").read_bytes()
    assert send(hub, doc=sa, berichttype="Betaalvoorstel").herhaling is False
    assert (
        "version 2.0" in fault_of(send, hub, doc=sa, berichttype="Betaalvoorstel", ontvanger=SE2_ID).message
    )
    bad = (FIXTURES / "invalid" / "amount-negative.xml").read_bytes()
    fault = fault_of(send, hub, doc=bad, berichttype="Betaalvoorstel")
    assert fault.code == FaultCode.ONGELDIG_BERICHT and "not valid" in fault.message


def test_default_validator_is_the_catalogue_one():
    from adapters.hub.simulator import default_validator
    from gateway.xml.validate import validate_document

    assert default_validator() is validate_document


def test_a_hub_that_does_not_check_roles_routes_anything(clock):
    lax = HubState(partijen(), clock=clock, validator=fake_validator, check_roles=False)
    doc = document("SaldoverzoekAntwoord")
    send(lax, berichttype="SaldoverzoekAntwoord", doc=doc)  # an SHV sending an SE's type: routed all the same
    (regel,), _ = lax.haal_op(SE_OIN, 10)
    assert regel.berichttype == "SaldoverzoekAntwoord"


def test_haal_berichten_op_names_the_oin_the_sender_authenticated_with(hub):
    ref = str(uuid.uuid4())
    send(hub, ref=ref)
    (regel,), _ = hub.haal_op(SE_OIN, 10)
    assert (regel.referentienummer, regel.afzender_oin) == (ref, SHV_OIN)
    response = ops.haal_op_response([regel], meer=False)
    etree.XMLSchema(etree.parse(str(ops.XSD_PATH))).assertValid(response)  # hub.xsd allows it
    (read,), _ = ops.read_haal_op_response(response)
    assert read.afzender_oin == SHV_OIN
    silent = ops.haal_op_response([dataclasses.replace(regel, afzender_oin=None)], meer=False)
    assert b"AfzenderOIN" not in etree.tostring(silent)  # optional: a hub that does not say
    (read,), _ = ops.read_haal_op_response(silent)
    assert read.afzender_oin is None


def test_a_restarted_hub_still_names_the_senders_oin(clock, tmp_path):
    first = HubState(
        partijen(), clock=clock, validator=fake_validator, store=SqliteHubStore(tmp_path / "hub.db")
    )
    send(first)
    first.store.close()
    again = HubState(
        partijen(), clock=clock, validator=fake_validator, store=SqliteHubStore(tmp_path / "hub.db")
    )
    try:
        (regel,), _ = again.haal_op(SE_OIN, 10)
        assert regel.afzender_oin == SHV_OIN
    finally:
        again.store.close()
