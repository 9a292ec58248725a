"""End to end on loopback: hub simulator + SHV gateway + SE gateways (2.0 and 1.1), public API only."""

from __future__ import annotations

import asyncio
import json
import time

import aiohttp
import pytest

from gateway.model.berichttype import Rol
from tests.daemon_support import Api, fixture_json, gateway_config, running, simulator
from tests.transport_support import SE2_ID, SE_ID, SHV_ID, dev_pki

pytestmark = pytest.mark.timeout(90)


async def test_whole_conversation_including_both_nul_aanbod_encodings(tmp_path, monkeypatch) -> None:
    pki = dev_pki()
    async with simulator(pki) as sim, aiohttp.ClientSession() as http:
        shv_config = gateway_config(pki, sim.url, tmp_path / "shv", rol=Rol.SHV, adres=SHV_ID, cert="shv")
        se_config = gateway_config(pki, sim.url, tmp_path / "se", rol=Rol.SE, adres=SE_ID, cert="se")
        se2_config = gateway_config(
            pki, sim.url, tmp_path / "se2", rol=Rol.SE, adres=SE2_ID, cert="se", versie_shv="1.1"
        )
        async with (
            running(shv_config, monkeypatch) as shv_gw,
            running(se_config, monkeypatch) as se_gw,
            running(se2_config, monkeypatch) as se2_gw,
        ):
            shv, se, se2 = Api(http, shv_gw), Api(http, se_gw), Api(http, se2_gw)

            # Kennisgeving -> Kennisgeving antwoord
            status, kennisgeving = await shv.submit(fixture_json("Kennisgeving.xml", SE_ID))
            assert status == 202, kennisgeving
            conv = kennisgeving["conversatie"]
            received = await se.wait_for("Kennisgeving", conversatie=conv)
            assert received["json"]["klant"]["achternaam"] == "Linden"
            status, _ = await se.submit(fixture_json("KennisgevingAntwoord.xml", SHV_ID, conv))
            assert status == 202
            await shv.wait_for("KennisgevingAntwoord", conversatie=conv)

            # Saldoverzoek -> Saldoverzoek antwoord; the conversation closes
            status, saldo = await shv.submit(fixture_json("Saldoverzoek.xml", SE_ID))
            assert status == 202
            await shv.wait_state(saldo["referentienummer"], "delivered")
            _, open_before = await shv.call("GET", "/api/conversaties?state=open")
            assert saldo["conversatie"] in {c["conversatie"] for c in open_before["items"]}
            await se.wait_for("Saldoverzoek", conversatie=saldo["conversatie"])
            status, _ = await se.submit(
                fixture_json("SaldoverzoekAntwoord.xml", SHV_ID, saldo["conversatie"])
            )
            assert status == 202
            answer = await shv.wait_for("SaldoverzoekAntwoord", conversatie=saldo["conversatie"])
            assert (
                answer["json"]["vorderingen"][0]["openstaande_schuld"]["actueel_vorderingsbedrag"]
                == "1097.96"
            )
            _, answered = await shv.call("GET", "/api/conversaties?state=answered")
            assert saldo["conversatie"] in {c["conversatie"] for c in answered["items"]}

            # Betaalvoorstel nul-aanbod: SA to the 2.0 creditor, the EUR 0.00 SK workaround to the 1.1 one
            status, voorstel = await shv.submit(fixture_json("Betaalvoorstel-nul-aanbod-SA.xml", SE_ID))
            assert status == 202 and voorstel["versie"] == "2.0"
            status, voorstel_oud = await shv.submit(fixture_json("Betaalvoorstel-nul-aanbod-SA.xml", SE2_ID))
            assert status == 202 and voorstel_oud["versie"] == "1.1"
            sa = await se.wait_for("Betaalvoorstel", conversatie=voorstel["conversatie"])
            assert "<TypeSchuldregeling>SA</TypeSchuldregeling>" in sa["xml"]
            assert sa["json"]["voorstel"]["type_schuldregeling"] == "SA"
            sk = await se2.wait_for("Betaalvoorstel", conversatie=voorstel_oud["conversatie"])
            assert (
                "<TypeSchuldregeling>SK</TypeSchuldregeling>" in sk["xml"]
                and "schuldregeling:1.1" in sk["xml"]
            )
            assert "<PrognoseEindbedrag>0.00</PrognoseEindbedrag>" in sk["xml"]
            assert sk["json"]["voorstel"]["type_schuldregeling"] == "SA"  # never booked as a real credit
            assert sk["json"]["voorstel"]["nul_aanbod_codering"] == "sk-workaround"

            # Betaalvoorstel antwoord (Akkoord) -> Schuldregeling akkoord
            status, _ = await se.submit(
                fixture_json("BetaalvoorstelAntwoord.xml", SHV_ID, voorstel["conversatie"])
            )
            assert status == 202
            await shv.wait_for("BetaalvoorstelAntwoord", conversatie=voorstel["conversatie"])
            status, akkoord = await shv.submit(
                fixture_json("SchuldregelingAkkoord-nul-aanbod-SA.xml", SE_ID, voorstel["conversatie"])
            )
            assert status == 202
            received_akkoord = await se.wait_for("SchuldregelingAkkoord", conversatie=voorstel["conversatie"])
            await se.wait_state(received_akkoord["referentienummer"], "delivered")  # every sink took it

            # the SE gateway's folder sink has each message once, as JSON (the sink delivers after the
            # message is in the inbox, so give it a bounded moment)
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline:
                files = sorted(p.name for p in (tmp_path / "se" / "inbox").glob("*.json"))
                if any(f.startswith("SchuldregelingAkkoord-") for f in files):
                    break
                await asyncio.sleep(0.05)
            assert len(files) == len(set(files)) and any(
                f.startswith("SchuldregelingAkkoord-") for f in files
            )
            status, metrics = await shv.call("GET", "/metrics")
            assert (
                status == 200
                and 'skgw_attempts_total{berichttype="Betaalvoorstel",outcome="delivered"}' in metrics
            )
            lines = dict(
                line.rsplit(" ", 1) for line in metrics.splitlines() if line and not line.startswith("#")
            )
            assert (
                float(lines['skgw_messages{berichttype="Saldoverzoek",direction="out",state="delivered"}'])
                == 1
            )
            assert float(lines["skgw_queue_depth"]) == 0 and float(lines["skgw_dead_letters"]) == 0
            assert (
                float(lines["skgw_conversations_overdue"]) == 0
                and float(lines["skgw_certificate_days_left"]) > 30
            )
            assert float(lines["skgw_delivery_seconds_count"]) == 5  # every message the SHV sent
            assert 0 <= float(lines["skgw_last_fetch_age_seconds"]) < 60


async def test_bad_requests_get_the_right_status_and_store_nothing(tmp_path, monkeypatch) -> None:
    pki = dev_pki()
    async with simulator(pki) as sim, aiohttp.ClientSession() as http:
        config = gateway_config(pki, sim.url, tmp_path / "shv", rol=Rol.SHV, adres=SHV_ID, cert="shv")
        async with running(config, monkeypatch) as gateway:
            api = Api(http, gateway)
            good = fixture_json("Saldoverzoek.xml", SE_ID)

            status, body = await Api(http, gateway, token="wrong").submit(good)
            assert status == 401 and body["code"] == "invalid-token"
            status, body = await api.call(
                "POST", "/api/berichten", data=b"{not json", headers={"Content-Type": "application/json"}
            )
            assert status == 400 and "not valid JSON" in body["error"]
            status, body = await api.submit(
                fixture_json("Saldoverzoek.xml", "0b1a7c1e-0000-4000-8000-000000000000")
            )
            assert status == 422 and body["findings"][0]["code"] == "unknown-counterpart"
            wrong_role = fixture_json("SaldoverzoekAntwoord.xml", SE_ID, conversatie=SHV_ID)
            status, body = await api.submit(wrong_role)
            assert status == 422 and body["findings"][0]["code"] == "wrong-role"
            capacity = fixture_json("Betaalvoorstel-nul-aanbod-SA.xml", SE_ID)
            capacity["voorstel"]["afloscapaciteit_per_maand"] = "25.00"
            status, body = await api.submit(capacity)
            assert status == 422 and body["findings"] and all(f["severity"] for f in body["findings"])
            broken = fixture_json("Saldoverzoek.xml", SE_ID)
            broken["klant"]["geboortedatum"] = "17-04-1989"
            status, body = await api.submit(broken)
            assert status == 422 and body["findings"][0]["field"].startswith("/klant/geboortedatum")
            status, body = await api.call("POST", "/api/berichten", data=b"x" * (11 * 1024 * 1024))
            assert status == 413

            _, page = await api.call("GET", "/api/berichten")
            assert page["items"] == []  # nothing of the above was stored

            status, first = await api.submit(
                good
                | {
                    "berichtheader": {
                        "ontvanger": SE_ID,
                        "referentienummer": "5c2d9b4e-1f3a-4d6b-9e8f-0a1b2c3d4e5f",
                    }
                }
            )
            assert status == 202 and first["new"]
            status, again = await api.submit(
                good
                | {
                    "berichtheader": {
                        "ontvanger": SE_ID,
                        "referentienummer": "5c2d9b4e-1f3a-4d6b-9e8f-0a1b2c3d4e5f",
                    }
                }
            )
            assert status == 202 and not again["new"]  # idempotent for the same content
            other = json.loads(json.dumps(good))
            other["klantnummer_shv"] = "ZW-2025-99999"
            other["berichtheader"] = {
                "ontvanger": SE_ID,
                "referentienummer": "5c2d9b4e-1f3a-4d6b-9e8f-0a1b2c3d4e5f",
            }
            status, body = await api.submit(other)
            assert status == 409
            _, page = await api.call("GET", "/api/berichten")
            assert len(page["items"]) == 1


async def test_restart_in_the_middle_loses_nothing(tmp_path, monkeypatch) -> None:
    pki = dev_pki()
    async with simulator(pki) as sim, aiohttp.ClientSession() as http:
        config = gateway_config(pki, sim.url, tmp_path / "shv", rol=Rol.SHV, adres=SHV_ID, cert="shv")
        sim.faults.update({"http_503": 10_000})  # the hub is down while we submit
        async with running(config, monkeypatch) as gateway:
            status, sent = await Api(http, gateway).submit(fixture_json("Saldoverzoek.xml", SE_ID))
            assert status == 202
        sim.faults.update({"http_503": 0})  # hub back; a new process over the same store
        async with running(config, monkeypatch) as gateway:
            detail = await Api(http, gateway).wait_state(sent["referentienummer"], "delivered")
            assert (
                any(a["outcome"] == "retryable" for a in detail["attempts"]) or len(detail["attempts"]) >= 1
            )


async def test_a_functionally_wrong_message_is_quarantined_and_answered_with_a_foutbericht(
    tmp_path, monkeypatch
) -> None:
    import uuid

    from lxml import etree

    from tests.conftest import FIXTURES
    from tests.transport_support import client_for

    pki = dev_pki()
    async with simulator(pki) as sim, aiohttp.ClientSession() as http:
        config = gateway_config(pki, sim.url, tmp_path / "shv", rol=Rol.SHV, adres=SHV_ID, cert="shv")
        async with running(config, monkeypatch) as gateway:
            api = Api(http, gateway)
            # the creditor's own software sends an answer whose header names another Ontvanger
            root = etree.fromstring((FIXTURES / "valid" / "2.0" / "SaldoverzoekAntwoord.xml").read_bytes())
            ns = {"m": "urn:skp-gateway:schuldregeling:2.0"}
            ref = str(uuid.uuid4())
            for name, value in (
                ("Referentienummer", ref),
                ("Afzender", SE_ID),
                ("Ontvanger", str(uuid.uuid4())),
            ):
                root.find(f"m:Berichtheader/m:{name}", ns).text = value
            se_client = client_for(pki, sim.url, "se", afzender=SE_ID)
            try:
                sent = await se_client.send(
                    referentienummer=ref,
                    ontvanger=SHV_ID,
                    berichttype="SaldoverzoekAntwoord",
                    document=etree.tostring(root, xml_declaration=True, encoding="UTF-8"),
                )
                assert sent.outcome.done  # the hub routes on its metadata: the document itself is valid
                detail = None
                for _ in range(100):
                    await api.call("POST", "/api/fetch")
                    status, detail = await api.call("GET", f"/api/berichten/{ref}")
                    if status == 200 and detail["state"] == "quarantined":
                        break
                    await asyncio.sleep(0.1)
                assert detail and detail["state"] == "quarantined", detail
                assert (
                    detail["problems"][0]["code"] == "wrong-recipient" and detail["xml"]
                )  # kept as received
                foutbericht = None
                for _ in range(100):
                    fetched = await se_client.fetch(10)
                    foutbericht = next((b for b in fetched.messages if b.berichttype == "Foutbericht"), None)
                    if foutbericht:
                        await se_client.confirm(foutbericht.referentienummer)
                        break
                    await asyncio.sleep(0.1)
                assert foutbericht is not None, "no Foutbericht came back"
                answer = etree.fromstring(foutbericht.document)
                assert answer.findtext("m:GerefereerdBericht", namespaces=ns) == ref
                assert answer.findtext("m:Fouten/m:Fout/m:Code", namespaces=ns) == "wrong-recipient"
            finally:
                await se_client.close()
