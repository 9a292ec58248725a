"""Submitting: every form error at once, and the dry run that checks and encodes but stores nothing."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime, timedelta

import aiohttp
import pytest

from gateway.adresboek import Adresboek, Tegenpartij
from gateway.codec import decode
from gateway.codec.json_form import to_json
from gateway.model.berichttype import Rol
from gateway.store.records import NewOutbound
from gateway.submission import Conflict, Refused, Submitter
from tests.conftest import FIXTURES
from tests.daemon_support import Api, fixture_json, gateway_config, running, simulator
from tests.store_fixtures import store, store_factory  # noqa: F401  (fixtures)
from tests.transport_support import SE_ID, SHV_ID, dev_pki

EIGEN = "0b5e7c1a-1111-4a2b-8c3d-000000000001"
SE = "0b5e7c1a-2222-4a2b-8c3d-000000000002"
SE_OUD = "0b5e7c1a-5555-4a2b-8c3d-000000000005"
NOW = datetime(2025, 11, 3, 9, 0, tzinfo=UTC)
REF = "0b5e7c1a-3333-4a2b-8c3d-000000000003"


def submitter(store) -> Submitter:  # noqa: F811
    async def enqueue(new: NewOutbound):
        return await store.enqueue(new, now=NOW, deadline=NOW + timedelta(days=1))

    return Submitter(
        eigen_adres=EIGEN,
        rol=Rol.SHV,
        adresboek=Adresboek(
            [
                Tegenpartij(SE, "Energie Noord", "0" * 20, Rol.SE, "2.0", True),
                Tegenpartij(SE_OUD, "Waterbedrijf Oost", "1" * 20, Rol.SE, "1.1", False),
            ]
        ),
        enqueue=enqueue,
        existing=store.get_outbound,
        conversations=store,
        clock=lambda: NOW,
    )


def body(name: str = "Betaalvoorstel.xml", ontvanger: str = SE, **header: str) -> dict:
    form = to_json(decode((FIXTURES / "valid/2.0" / name).read_bytes()))
    form["berichtheader"] = {"ontvanger": ontvanger, **header}
    return form


async def refused(coroutine) -> list[dict]:
    with pytest.raises(Refused) as caught:
        await coroutine
    return caught.value.findings


# -- every form error at once ----------------------------------------------------------------------------


async def test_every_problem_of_the_form_comes_back_at_once(store):  # noqa: F811
    broken = body(afzender="0b5e7c1a-9999-4a2b-8c3d-000000000009")
    broken["berichtheader"]["ontvanger"] = "0b1a7c1e-0000-4000-8000-000000000000"  # not in the address book
    broken["klantnummer_shv"] = ""
    broken["voorstel"]["datum_voorstel"] = "03-11-2025"
    broken["voorstel"]["vorderingen"][0]["afkooppercentage"] = "122.34"
    broken["voorstel"]["onbekend"] = 1
    findings = await refused(submitter(store).submit(broken))
    assert [(f["field"], f["code"]) for f in findings] == [
        ("/berichtheader/ontvanger", "unknown-counterpart"),
        ("/berichtheader/afzender", "wrong-sender"),
        ("/klantnummer_shv", "invalid-json-form"),
        ("/voorstel/onbekend", "invalid-json-form"),
        ("/voorstel/datum_voorstel", "invalid-json-form"),
        ("/voorstel/vorderingen/0/afkooppercentage", "invalid-json-form"),
    ]
    assert all(f["severity"] == "error" for f in findings)
    assert (await store.counts()).outbox == {}


async def test_one_finding_per_field_the_header_check_first(store):  # noqa: F811
    """A missing Ontvanger is ``missing``, not also the form's "is required"; a bad type stops the form."""
    no_counterpart = body()
    del no_counterpart["berichtheader"]["ontvanger"]
    no_counterpart["voorstel"]["datum_voorstel"] = "gisteren"
    findings = await refused(submitter(store).submit(no_counterpart))
    assert [(f["field"], f["code"]) for f in findings] == [
        ("/berichtheader/ontvanger", "missing"),
        ("/voorstel/datum_voorstel", "invalid-json-form"),
    ]
    # what is wrong and where to look it up, as the form's own "is required" would say
    assert findings[0]["message"] == (
        "is required: the counterpart's address-book UUID (GET /api/adresboek lists them)"
    )
    unknown_type = body() | {"berichttype": "Onbekend"}
    unknown_type["berichtheader"]["afzender"] = "0b5e7c1a-9999-4a2b-8c3d-000000000009"
    findings = await refused(submitter(store).submit(unknown_type))
    assert [f["code"] for f in findings] == ["unknown-berichttype", "wrong-sender"]


async def test_an_answer_without_its_conversation_is_listed_with_the_rest(store):  # noqa: F811
    se = Submitter(
        eigen_adres=SE,
        rol=Rol.SE,
        adresboek=Adresboek([Tegenpartij(EIGEN, "Stadsbank", "0" * 20, Rol.SHV)]),
        enqueue=None,  # type: ignore[arg-type]  (never reached)
        existing=store.get_outbound,
        conversations=store,
    )
    answer = body("BetaalvoorstelAntwoord.xml", ontvanger=EIGEN)
    answer["antwoord"] = "Misschien"
    findings = await refused(se.submit(answer))
    assert [(f["field"], f["code"]) for f in findings] == [
        ("/berichtheader/conversatie_referentienummer", "missing"),
        ("/antwoord", "invalid-json-form"),
    ]
    assert findings[0]["message"] == (
        "is required: a BetaalvoorstelAntwoord continues a conversation and names it"
    )


async def test_idempotent_only_under_the_callers_referentienummer(store):  # noqa: F811
    """As the README says: without a Referentienummer every post is a new message; with one, the
    same post again is the same message."""
    s = submitter(store)
    first, second = await s.submit(body()), await s.submit(body())
    assert first.new and second.new and first.referentienummer != second.referentienummer
    ref = "5d1c0a52-6f0e-4d2b-9a51-0c2f7e3b9a10"
    first, second = await s.submit(body(referentienummer=ref)), await s.submit(body(referentienummer=ref))
    assert (first.new, second.new) == (True, False) and second.referentienummer == ref
    assert sum((await store.counts()).outbox.values()) == 3


async def test_rules_run_when_the_form_is_right(store):  # noqa: F811
    capacity = body("Betaalvoorstel-nul-aanbod-SA.xml")
    capacity["voorstel"]["afloscapaciteit_per_maand"] = "25.00"
    findings = await refused(submitter(store).submit(capacity))
    assert "nul-aanbod-met-afloscapaciteit" in [f["code"] for f in findings]


# -- the dry run -----------------------------------------------------------------------------------------


async def _snapshot(store) -> tuple:  # noqa: F811
    counts = await store.counts()
    return counts.outbox, counts.inbox, counts.sink, await store.list_outbound(limit=1000)


@pytest.mark.parametrize("ontvanger", [SE, SE_OUD])
async def test_the_dry_run_stores_nothing_and_shows_the_xml_a_submission_enqueues(
    store,  # noqa: F811
    ontvanger: str,
) -> None:
    gw = submitter(store)
    nul_aanbod = body("Betaalvoorstel-nul-aanbod-SA.xml", ontvanger=ontvanger)
    before = await _snapshot(store)
    dry = await gw.dry_run(copy.deepcopy(nul_aanbod))
    assert await _snapshot(store) == before  # nothing stored
    assert await store.get_outbound(dry.submitted.referentienummer) is None
    assert dry.submitted.new and dry.submitted.versie == ("2.0" if ontvanger == SE else "1.1")
    assert dry.bericht["berichtheader"]["referentienummer"] == dry.submitted.referentienummer
    # submitting the form as the dry run filled it in enqueues exactly that document
    submitted = await gw.submit(dry.bericht)
    assert submitted.referentienummer == dry.submitted.referentienummer
    row = await store.get_outbound(submitted.referentienummer)
    assert row is not None and row.document == dry.document
    wire_type = b"<TypeSchuldregeling>SA<" if ontvanger == SE else b"<TypeSchuldregeling>SK<"
    assert wire_type in dry.document


async def test_the_dry_run_with_given_ids_equals_the_submission_of_the_same_body(store):  # noqa: F811
    gw = submitter(store)
    given = body(referentienummer=REF, datum_tijd="2025-11-03T08:00:00Z")
    dry = await gw.dry_run(copy.deepcopy(given))
    given["berichtheader"]["conversatie_referentienummer"] = dry.submitted.conversatie
    await gw.submit(given)
    assert (await store.get_outbound(REF)).document == dry.document
    # now it exists: the same content is "not new", other content the same conflict as a submission
    again = await gw.dry_run(copy.deepcopy(given))
    assert not again.submitted.new and again.document == dry.document
    other = copy.deepcopy(given)
    other["klantnummer_shv"] = "ZW-2025-99999"
    with pytest.raises(Conflict, match=REF):
        await gw.dry_run(other)
    with pytest.raises(Conflict, match=REF):
        await gw.submit(other)


async def test_the_dry_run_refuses_what_a_submission_refuses_and_lists_warnings(store):  # noqa: F811
    gw = submitter(store)
    broken = body()
    broken["voorstel"]["datum_voorstel"] = "03-11-2025"
    broken["klantnummer_shv"] = ""
    assert await refused(gw.dry_run(copy.deepcopy(broken))) == await refused(gw.submit(broken))
    dry = await gw.dry_run(body())  # an SB paying periodically: a warning, and it would be sent
    assert "uitbetaling-periodiek" in [f.code for f in dry.submitted.warnings]
    assert (await store.counts()).outbox == {}


# -- through the API -------------------------------------------------------------------------------------


@pytest.mark.timeout(60)
async def test_api_dry_run(tmp_path, monkeypatch) -> None:
    pki = dev_pki()
    async with simulator(pki) as sim, aiohttp.ClientSession() as http:
        config = gateway_config(pki, sim.url, tmp_path / "shv", rol=Rol.SHV, adres=SHV_ID, cert="shv")
        async with running(config, monkeypatch) as gateway:
            api = Api(http, gateway)
            form = fixture_json("Betaalvoorstel-nul-aanbod-SA.xml", SE_ID)
            status, dry = await api.call("POST", "/api/berichten?dry_run=true", json=form)
            assert status == 200 and dry["dry_run"] is True and dry["new"] is True, dry
            assert (
                dry["xml"].startswith("<?xml") and "<TypeSchuldregeling>SA</TypeSchuldregeling>" in dry["xml"]
            )
            assert dry["bericht"]["berichtheader"]["afzender"] == SHV_ID
            _, page = await api.call("GET", "/api/berichten")
            assert page["items"] == []  # nothing stored, nothing sent
            status, _ = await api.call("GET", f"/api/berichten/{dry['referentienummer']}")
            assert status == 404

            status, broken = await api.call(
                "POST", "/api/berichten?dry_run=true", json=form | {"klantnummer_shv": "", "extra": 1}
            )
            assert status == 422 and {f["field"] for f in broken["findings"]} == {
                "/klantnummer_shv",
                "/extra",
            }
            status, bad = await api.call("POST", "/api/berichten?dry_run=ja", json=form)
            assert status == 400 and "dry_run" in bad["error"]

            status, sent = await api.submit(dry["bericht"])
            assert status == 202 and sent["referentienummer"] == dry["referentienummer"]
            _, detail = await api.call("GET", f"/api/berichten/{sent['referentienummer']}")
            assert detail["xml"] == dry["xml"]  # the exact document the dry run showed
            status, spec = await api.call("GET", "/api/openapi.json")
            post = spec["paths"]["/api/berichten"]["post"]
            assert [p["name"] for p in post["parameters"]] == ["dry_run"] and "200" in post["responses"]
            assert json.dumps(spec)  # serialisable
