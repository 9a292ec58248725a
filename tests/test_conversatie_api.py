"""Conversations through the public API of running gateways (hub simulator + SHV and SE gateways,
in-process): the outbound answer check, out-of-order steps, the vooraf akkoord that awaits nothing,
the timeline, and the import of a previous system's open conversations."""

from __future__ import annotations

import json
import uuid

import aiohttp
import pytest

from gateway.cli import main
from gateway.model.berichttype import Rol
from tests.daemon_support import Api, fixture_json, gateway_config, running, simulator
from tests.transport_support import SE_ID, SE_OIN, SHV_ID, dev_pki

pytestmark = pytest.mark.timeout(120)


def codes(body) -> list[str]:  # noqa: ANN001
    return [f["code"] for f in body["findings"]]


async def test_answers_and_steps_must_fit_their_conversation(tmp_path, monkeypatch) -> None:
    pki = dev_pki()
    async with simulator(pki) as sim, aiohttp.ClientSession() as http:
        shv_config = gateway_config(pki, sim.url, tmp_path / "shv", rol=Rol.SHV, adres=SHV_ID, cert="shv")
        se_config = gateway_config(pki, sim.url, tmp_path / "se", rol=Rol.SE, adres=SE_ID, cert="se")
        async with running(shv_config, monkeypatch) as shv_gw, running(se_config, monkeypatch) as se_gw:
            shv, se = Api(http, shv_gw), Api(http, se_gw)

            # an answer naming a conversation that does not exist: refused, nothing stored
            status, body = await se.submit(
                fixture_json("BetaalvoorstelAntwoord.xml", SHV_ID, str(uuid.uuid4()))
            )
            assert status == 422 and codes(body) == ["unknown-conversation"], body
            assert body["findings"][0]["field"] == "/berichtheader/conversatie_referentienummer"
            dry = fixture_json("BetaalvoorstelAntwoord.xml", SHV_ID, str(uuid.uuid4()))
            status, body = await se.call("POST", "/api/berichten?dry_run=true", json=dry)
            assert status == 422 and codes(body) == ["unknown-conversation"]  # the dry run judges it too
            _, page = await se.call("GET", "/api/berichten?direction=out")
            assert page["items"] == []

            # a proposal: its answer is awaited; the creditor answers once, not twice
            status, voorstel = await shv.submit(fixture_json("Betaalvoorstel.xml", SE_ID))
            assert status == 202
            conv = voorstel["conversatie"]
            await se.wait_for("Betaalvoorstel", conversatie=conv)
            # before the creditor's Akkoord: no SchuldregelingAkkoord, no SchuldregelingBeeindigd
            status, body = await shv.submit(fixture_json("SchuldregelingAkkoord.xml", SE_ID, conv))
            assert status == 422 and codes(body) == ["no-akkoord"]
            status, body = await shv.submit(fixture_json("SchuldregelingBeeindigd.xml", SE_ID, conv))
            assert status == 422 and codes(body) == ["no-regeling"]
            status, body = await shv.submit(fixture_json("Heroverweging.xml", SE_ID, conv))
            assert status == 422 and codes(body) == ["no-niet-akkoord"]
            status, dry = await se.call(
                "POST",
                "/api/berichten?dry_run=true",
                json=fixture_json("BetaalvoorstelAntwoord.xml", SHV_ID, conv),
            )
            assert status == 200, dry  # the answer fits; the dry run writes nothing, so it can still be sent
            akkoord = fixture_json("BetaalvoorstelAntwoord.xml", SHV_ID, conv)
            akkoord["berichtheader"]["referentienummer"] = str(uuid.uuid4())
            status, first = await se.submit(akkoord)
            assert status == 202, first
            status, body = await se.submit(fixture_json("BetaalvoorstelAntwoord.xml", SHV_ID, conv))
            assert status == 422 and codes(body) == ["no-open-question"]
            # the same submission again (its Referentienummer too): idempotent, not a second answer
            status, body = await se.submit(akkoord)
            assert status == 202 and body["new"] is False

            # after the Akkoord arrived: the regeling is agreed, then it can end
            await shv.wait_for("BetaalvoorstelAntwoord", conversatie=conv)
            status, body = await shv.submit(fixture_json("SchuldregelingAkkoord.xml", SE_ID, conv))
            assert status == 202, body
            status, body = await shv.submit(fixture_json("SchuldregelingBeeindigd.xml", SE_ID, conv))
            assert status == 202, body
            status, body = await shv.submit(fixture_json("Betaalvoorstel.xml", SE_ID, conv))
            assert status == 422 and codes(body) == ["conversation-ended"]

            # a Foutbericht must refer to a message received from its Ontvanger
            fout = fixture_json("Foutbericht.xml", SE_ID, conv)
            fout["gerefereerd_bericht"] = str(uuid.uuid4())
            status, body = await shv.submit(fout)
            assert status == 422 and codes(body) == ["unknown-referenced-message"]
            fout["gerefereerd_bericht"] = first["referentienummer"]  # the Akkoord it received
            status, body = await shv.submit(fout)
            assert status == 202, body

            # the timeline, as the console shows it
            status, timeline = await shv.call("GET", f"/api/conversaties/{conv}")
            assert status == 200 and timeline["fase"] == "beeindigd" and timeline["verwacht"] is None
            assert [(s["direction"], s["berichttype"]) for s in timeline["stappen"]] == [
                ("out", "Betaalvoorstel"),
                ("in", "BetaalvoorstelAntwoord"),
                ("out", "SchuldregelingAkkoord"),
                ("out", "SchuldregelingBeeindigd"),
                ("out", "Foutbericht"),
            ]
            assert {s["van"] for s in timeline["stappen"] if s["direction"] == "out"} == {SHV_ID}
            status, _ = await shv.call("GET", f"/api/conversaties/{uuid.uuid4()}")
            assert status == 404


async def test_a_proposal_after_a_vooraf_akkoord_awaits_nothing(tmp_path, monkeypatch) -> None:
    pki = dev_pki()
    async with simulator(pki) as sim, aiohttp.ClientSession() as http:
        shv_config = gateway_config(pki, sim.url, tmp_path / "shv", rol=Rol.SHV, adres=SHV_ID, cert="shv")
        se_config = gateway_config(pki, sim.url, tmp_path / "se", rol=Rol.SE, adres=SE_ID, cert="se")
        async with running(shv_config, monkeypatch) as shv_gw, running(se_config, monkeypatch) as se_gw:
            shv, se = Api(http, shv_gw), Api(http, se_gw)
            status, vraag = await shv.submit(fixture_json("Saldoverzoek.xml", SE_ID))
            conv = vraag["conversatie"]
            await shv.wait_state(vraag["referentienummer"], "delivered")
            status, timeline = await shv.call("GET", f"/api/conversaties/{conv}")
            awaited = timeline["verwacht"]
            assert awaited["wie"] == "tegenpartij" and awaited["van"] == SE_ID and awaited["uiterlijk"]
            assert "SaldoverzoekAntwoordVoorafAkkoord" in awaited["antwoorden"] and not awaited["overdue"]
            # the creditor's side waits for itself, by the same date
            await se.wait_for("Saldoverzoek", conversatie=conv)
            _, theirs = await se.call("GET", f"/api/conversaties/{conv}")
            assert theirs["verwacht"]["wie"] == "ons" and theirs["verwacht"]["van"] == SE_ID
            status, _ = await se.submit(fixture_json("SaldoverzoekAntwoordVoorafAkkoord.xml", SHV_ID, conv))
            assert status == 202
            await shv.wait_for("SaldoverzoekAntwoordVoorafAkkoord", conversatie=conv)
            status, voorstel = await shv.submit(fixture_json("Betaalvoorstel.xml", SE_ID, conv))
            assert status == 202
            await shv.wait_state(voorstel["referentienummer"], "delivered")
            _, timeline = await shv.call("GET", f"/api/conversaties/{conv}")
            assert timeline["fase"] == "voorstel-vooraf-akkoord" and timeline["verwacht"] is None
            assert timeline["vooraf_akkoord"] is True
            _, listed = await shv.call("GET", "/api/conversaties?state=open")
            assert conv not in {c["conversatie"] for c in listed["items"]}  # never overdue either
            status, body = await shv.submit(fixture_json("SchuldregelingAkkoord.xml", SE_ID, conv))
            assert status == 202, body


async def test_import_registers_a_previous_systems_conversations(tmp_path, monkeypatch) -> None:
    pki = dev_pki()
    async with simulator(pki) as sim, aiohttp.ClientSession() as http:
        shv_config = gateway_config(pki, sim.url, tmp_path / "shv", rol=Rol.SHV, adres=SHV_ID, cert="shv")
        se_config = gateway_config(pki, sim.url, tmp_path / "se", rol=Rol.SE, adres=SE_ID, cert="se")
        async with running(shv_config, monkeypatch) as shv_gw, running(se_config, monkeypatch) as se_gw:
            shv, se = Api(http, shv_gw), Api(http, se_gw)
            conv, other = str(uuid.uuid4()), str(uuid.uuid4())
            good = {
                "conversatie": conv,
                "tegenpartij": SE_ID,
                "berichten": [
                    {"berichttype": "Saldoverzoek", "datum_tijd": "2025-10-01T09:00:00Z"},
                    {"berichttype": "SaldoverzoekAntwoord", "datum_tijd": "2025-10-03T09:00:00Z"},
                    {"berichttype": "Betaalvoorstel", "datum_tijd": "2025-10-20T10:00:00Z",
                     "referentienummer": str(uuid.uuid4())},
                ],
            }  # fmt: skip
            bad = {
                "conversatie": other,
                "tegenpartij": SE_ID,
                "berichten": [{"berichttype": "SchuldregelingAkkoord", "datum_tijd": "2025-10-01T09:00:00Z"}],
            }
            status, body = await shv.call("POST", "/api/conversaties", json={"conversaties": [good, bad]})
            assert status == 422 and body["imported"] == []  # all or nothing
            assert body["findings"] == [
                {
                    "code": "unknown-conversation",
                    "severity": "error",
                    "field": "/conversaties/1/berichten/0/berichttype",
                    "message": body["findings"][0]["message"],
                }
            ]
            status, body = await shv.call("GET", f"/api/conversaties/{conv}")
            assert status == 404
            status, body = await shv.call(
                "POST", "/api/conversaties?dry_run=true", json={"conversaties": [good]}
            )
            assert status == 200 and body["dry_run"] and body["imported"] == []
            for loose in ("yes", "1", "True"):  # read as on /api/berichten: a typo never imports for real
                status, body = await shv.call(
                    "POST", f"/api/conversaties?dry_run={loose}", json={"conversaties": [good]}
                )
                assert status == 400 and "dry_run: expected true or false" in body["error"]
            status, body = await shv.call("POST", "/api/conversaties", json={"conversaties": [good]})
            assert status == 200 and body["imported"] == [conv], body
            status, again = await shv.call("POST", "/api/conversaties", json={"conversaties": [good]})
            assert status == 200 and again["already_known"] == [conv] and again["imported"] == []
            _, timeline = await shv.call("GET", f"/api/conversaties/{conv}")
            assert timeline["bron"] == "import" and timeline["fase"] == "voorstel"
            assert [(s["direction"], s["state"]) for s in timeline["stappen"]] == [("import", "imported")] * 3
            awaited = timeline["verwacht"]
            assert awaited["antwoorden"] == ["BetaalvoorstelAntwoord"]
            assert awaited["uiterlijk"] == "2025-11-03" and awaited["overdue"]  # 10 werkdagen from 20 Oct

            # the creditor answers the imported proposal: admitted and delivered, the conversation goes on
            await _answer_through_the_hub(se, shv, conv)
            status, body = await shv.submit(fixture_json("SchuldregelingAkkoord.xml", SE_ID, conv))
            assert status == 202, body


async def _answer_through_the_hub(se: Api, shv: Api, conv: str) -> None:
    """The creditor's gateway knows nothing of the imported conversation either: it imports it too."""
    theirs = {
        "conversatie": conv,
        "tegenpartij": SHV_ID,
        "berichten": [{"berichttype": "Betaalvoorstel", "datum_tijd": "2025-10-20T10:00:00Z"}],
    }
    status, body = await se.call("POST", "/api/conversaties", json={"conversaties": [theirs]})
    assert status == 200, body
    status, body = await se.submit(fixture_json("BetaalvoorstelAntwoord.xml", SHV_ID, conv))
    assert status == 202, body
    received = await shv.wait_for("BetaalvoorstelAntwoord", conversatie=conv)
    await shv.wait_state(received["referentienummer"], "delivered")


def test_the_import_reads_json_files(tmp_path, capsys) -> None:
    """`skgw conversaties import` and `show` on a stopped gateway's store."""
    toml = tmp_path / "skgw.toml"
    toml.write_text(
        "[gateway]\n"
        f'rol = "SHV"\nadres = "{SHV_ID}"\n'
        f'[store]\nurl = "sqlite:///{tmp_path / "gw.db"}"\n'
        "[[tegenpartij]]\n"
        f'id = "{SE_ID}"\nnaam = "Energie Test"\noin = "{SE_OIN}"\nrol = "SE"\n'
    )
    conv = str(uuid.uuid4())
    item = {
        "conversatie": conv,
        "tegenpartij": SE_ID,
        "berichten": [{"berichttype": "KlantGemeldVoorSHV", "datum_tijd": "2025-10-01T09:00:00Z"}],
    }
    path = tmp_path / "open.json"
    path.write_text(json.dumps({"conversaties": [item]}))
    assert main(["conversaties", "import", str(path), "--config", str(toml), "--dry-run"]) == 0
    assert main(["conversaties", "show", conv, "--config", str(toml)]) == 1  # nothing written
    assert main(["conversaties", "import", str(path), "--config", str(toml)]) == 0
    capsys.readouterr()
    assert main(["conversaties", "show", conv, "--config", str(toml)]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert shown["fase"] == "kennisgeving" and shown["stappen"][0]["berichttype"] == "Kennisgeving"
    item["berichten"].append({"berichttype": "Heroverweging", "datum_tijd": "2025-10-02T09:00:00Z"})
    item["conversatie"] = str(uuid.uuid4())
    path.write_text(json.dumps([item]))
    assert main(["conversaties", "import", str(path), "--config", str(toml)]) == 1
    assert "[no-niet-akkoord]" in capsys.readouterr().err
    assert main(["conversaties", "import", str(tmp_path / "missing.json"), "--config", str(toml)]) == 2
