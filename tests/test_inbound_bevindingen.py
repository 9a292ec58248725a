"""The rules on every inbound message: findings travel with it (API detail, sink payload, JSON form).

The receiver cannot correct the sender's message, so a valid message is delivered with its
``bevindingen``; an all-0.00 SK with a repayment capacity above 0 is delivered as the SK it says it is,
with a finding, never as a nul-aanbod.
"""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from datetime import timedelta
from pathlib import Path

import aiohttp
import pytest
from lxml import etree

from gateway.admission import Admission
from gateway.adresboek import Adresboek, Tegenpartij
from gateway.engine import findings as bv
from gateway.engine.delivery import SinkDeliverer
from gateway.engine.poller import Poller
from gateway.engine.ports import DeliveryRequest, HubResult, Outcome
from gateway.engine.processing import Inspection
from gateway.engine.settings import PollSettings, SinkSettings
from gateway.inbound import InboundProcessor
from gateway.model.berichttype import Rol
from gateway.store.records import InboxState, NewInbound
from tests.conftest import FIXTURES
from tests.daemon_support import Api, gateway_config, running, simulator
from tests.fakes import FakeClock, FakeHub
from tests.store_fixtures import store, store_factory  # noqa: F401  (fixtures)
from tests.transport_support import SE_ID, SHV_ID, client_for, dev_pki

SE = "7dbe7773-70da-5a9f-bc63-3e0381e576d2"  # the Ontvanger of the fixtures
SHV = "00d7bf96-9533-514c-8d26-9365ed97530a"  # their Afzender
WORKAROUND = FIXTURES / "valid/1.1/Betaalvoorstel-nul-aanbod-SK-workaround.xml"
SINK = SinkSettings(batch_size=10, lease_seconds=60, backoff_base_seconds=5, backoff_cap_seconds=60)


def contradicting(data: bytes | None = None, ref: str | None = None) -> bytes:
    """The € 0.00 SK workaround, but with a repayment capacity of € 5.00: not a nul-aanbod after all."""
    data = (data or WORKAROUND.read_bytes()).replace(
        b"<AfloscapaciteitPerMaand>0.00</AfloscapaciteitPerMaand>",
        b"<AfloscapaciteitPerMaand>5.00</AfloscapaciteitPerMaand>",
    )
    if ref:
        data = data.replace(b"2071d585-fe19-5565-8643-8bd27a20b30b", ref.encode())
    return data


def processor(eigen_adres: str = SE) -> InboundProcessor:
    return InboundProcessor(
        eigen_adres=eigen_adres,
        adresboek=Adresboek([Tegenpartij(SHV, "Stadsbank", "0" * 20, Rol.SHV, "1.1", False)]),
    )


def codes(findings) -> list[str]:
    return [f["code"] for f in findings]


def test_an_all_zero_sk_with_capacity_is_delivered_as_sk_with_a_finding() -> None:
    insp = processor().inspect(contradicting())
    assert insp.ok and insp.problems == ()
    voorstel = json.loads(insp.json_body)["voorstel"]
    assert voorstel["type_schuldregeling"] == "SK" and "nul_aanbod_codering" not in voorstel
    (finding,) = [f for f in insp.bevindingen if f["code"] == "saneringskrediet-zonder-bedrag"]
    assert finding["severity"] == "warning" and finding["field"] == "/voorstel/vorderingen"


def test_the_real_workaround_stays_a_nul_aanbod_without_that_finding() -> None:
    insp = processor().inspect(WORKAROUND.read_bytes())
    assert insp.ok
    assert json.loads(insp.json_body)["voorstel"]["nul_aanbod_codering"] == "sk-workaround"
    assert "saneringskrediet-zonder-bedrag" not in codes(insp.bevindingen)
    # its SK shape names a term: reported, and the message is delivered all the same
    assert "nul-aanbod-met-looptijd" in codes(insp.bevindingen)


def test_a_rule_error_does_not_stop_an_inbound_message() -> None:
    """Outbound a NietAkkoord without reden is refused; inbound it is delivered with the error attached."""
    data = (FIXTURES / "valid/2.0/BetaalvoorstelAntwoord.xml").read_bytes()
    root = etree.fromstring(data)
    ns = {"m": etree.QName(root).namespace}
    root.find("m:Antwoord", ns).text = "NietAkkoord"
    for reden in root.findall("m:Reden", ns):
        root.remove(reden)
    afzender = root.findtext("m:Berichtheader/m:Ontvanger", namespaces=ns)
    insp = processor(afzender).inspect(etree.tostring(root, xml_declaration=True, encoding="UTF-8"))
    assert insp.ok
    (finding,) = [f for f in insp.bevindingen if f["code"] == "niet-akkoord-zonder-reden"]
    assert finding["severity"] == "error" and finding["field"] == "/reden"


def test_a_finding_with_the_expected_value_keeps_it() -> None:
    data = (FIXTURES / "valid/2.0/Betaalvoorstel.xml").read_bytes()
    data = data.replace(b"<PrognoseEindbedrag>245.28<", b"<PrognoseEindbedrag>245.00<")
    insp = processor().inspect(data)
    assert insp.ok
    (finding,) = [f for f in insp.bevindingen if f["code"] == "prognose-eindbedrag-inconsistent"]
    assert finding["expected"] == "245.28" and finding["severity"] == "error"


def test_a_clean_message_has_no_findings() -> None:
    insp = processor().inspect((FIXTURES / "valid/2.0/Betaalvoorstel-nul-aanbod-SA.xml").read_bytes())
    assert insp.ok and insp.bevindingen == ()


def test_a_finding_from_any_source_is_attached_once_and_must_have_the_shape() -> None:
    other = bv.finding("conversation-unknown", "warning", "/berichtheader", "no open question")
    insp = Inspection(True, json_body=b"{}").with_bevindingen([other]).with_bevindingen([other])
    assert insp.bevindingen == (other,)
    for broken in (
        {"code": "x", "severity": "fatal", "field": "/", "message": "m"},
        {"code": "x", "severity": "error", "field": "/"},
        {"code": "", "severity": "error", "field": "/", "message": "m"},
    ):
        with pytest.raises(ValueError):
            insp.with_bevindingen([broken])


class RecordingSink:
    name = "webhook"

    def __init__(self) -> None:
        self.payloads: list[dict] = []

    async def deliver(self, request: DeliveryRequest) -> HubResult:
        self.payloads.append(json.loads(request.json_body))
        return HubResult(Outcome.DELIVERED, "ok")


class WithAnotherCheck(InboundProcessor):
    """A further check of the inspection (as the conversation check will be): it attaches its own finding."""

    def inspect(self, document: bytes) -> Inspection:
        return (
            super()
            .inspect(document)
            .with_bevindingen(
                [bv.finding("conversation-unknown", "warning", "/berichtheader", "answers no open question")]
            )
        )


async def test_the_sink_payload_carries_every_finding(store):  # noqa: F811
    clock, hub, sink = FakeClock(), FakeHub(), RecordingSink()
    processing = WithAnotherCheck(
        eigen_adres=SE, adresboek=Adresboek([Tegenpartij(SHV, "Stadsbank", "0" * 20, Rol.SHV, "1.1", False)])
    )
    refs = [str(uuid.uuid4()), str(uuid.uuid4())]
    hub.put_inbound(
        contradicting(ref=refs[0]), referentienummer=refs[0], berichttype="Betaalvoorstel", afzender=SHV
    )
    clean = (FIXTURES / "valid/2.0/Betaalvoorstel-nul-aanbod-SA.xml").read_bytes()
    root = etree.fromstring(clean)
    ns = {"m": etree.QName(root).namespace}
    root.find("m:Berichtheader/m:Referentienummer", ns).text = refs[1]
    hub.put_inbound(
        etree.tostring(root, xml_declaration=True, encoding="UTF-8"),
        referentienummer=refs[1],
        berichttype="Betaalvoorstel",
        afzender=SHV,
    )
    trust = Admission(store, processing._adresboek, rol=Rol.SE)  # the proposals open their conversations
    poller = Poller(
        store, hub, processing, trust=trust, sinks=["webhook"], clock=clock, settings=PollSettings(),
        sink_settings=SINK,
    )  # fmt: skip
    report = await poller.poll_once()
    assert report.accepted == 2 and report.quarantined == 0
    assert (await SinkDeliverer(store, [sink], SINK, clock=clock, owner="A").run_once()).delivered == 2
    first, second = sink.payloads
    assert first["voorstel"]["type_schuldregeling"] == "SK"
    assert codes(first["bevindingen"])[-1] == "conversation-unknown"  # the rules' first, then the other's
    assert "saneringskrediet-zonder-bedrag" in codes(first["bevindingen"])
    assert codes(second["bevindingen"]) == ["conversation-unknown"]  # the rules found nothing there
    row = await store.get_inbound(refs[0])
    assert row.state is InboxState.DELIVERED and codes(row.bevindingen) == codes(first["bevindingen"])


async def test_findings_added_after_storing_reach_the_sink(store):  # noqa: F811
    """The store's entry point for checks that run after storing and before acceptance."""
    clock, sink = FakeClock(), RecordingSink()
    ref = str(uuid.uuid4())
    insp = processor().inspect(contradicting(ref=ref))
    document = contradicting(ref=ref)
    stored = NewInbound(
        ref, "Betaalvoorstel", SHV, SE, "c", document, b"", True, (), insp.json_body, clock(),
        bevindingen=insp.bevindingen,
    )  # fmt: skip
    await store.store_inbound(stored)
    late = bv.finding("conversation-unknown", "warning", "/berichtheader", "answers no open question")
    assert await store.add_inbound_bevindingen(ref, [late])
    assert await store.accept_inbound(
        ref, now=clock(), sinks=["webhook"], sink_deadline=clock() + timedelta(hours=1), conversatie=None
    )
    await SinkDeliverer(store, [sink], SINK, clock=clock, owner="A").run_once()
    (payload,) = sink.payloads
    assert payload["bevindingen"][-1] == late
    assert "saneringskrediet-zonder-bedrag" in codes(payload["bevindingen"])


# -- with real processes: hub simulator + the creditor's gateway ------------------------------------------


async def _folder_json(folder: Path, ref: str, timeout: float = 10) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for path in folder.glob("*.json"):
            data = json.loads(path.read_text(encoding="utf-8"))
            if data["berichtheader"]["referentienummer"] == ref:
                return data
        await asyncio.sleep(0.05)
    raise AssertionError(f"{ref} did not reach the folder sink within {timeout}s")


@pytest.mark.timeout(60)
async def test_end_to_end_the_creditor_gets_the_sk_with_its_finding(tmp_path, monkeypatch) -> None:
    pki = dev_pki()
    ref = str(uuid.uuid4())
    document = (
        contradicting(ref=ref).replace(SHV.encode(), SHV_ID.encode()).replace(SE.encode(), SE_ID.encode())
    )
    async with simulator(pki) as sim, aiohttp.ClientSession() as http:
        config = gateway_config(
            pki, sim.url, tmp_path / "se", rol=Rol.SE, adres=SE_ID, cert="se", versie_shv="1.1"
        )
        async with running(config, monkeypatch) as gateway:
            api = Api(http, gateway)
            # the debt counsellor's own (older) software sends it straight to the hub
            shv_client = client_for(pki, sim.url, "shv", afzender=SHV_ID)
            try:
                sent = await shv_client.send(
                    referentienummer=ref, ontvanger=SE_ID, berichttype="Betaalvoorstel", document=document
                )
                assert sent.outcome.done
            finally:
                await shv_client.close()
            detail = await api.wait_for("Betaalvoorstel")
            assert detail["referentienummer"] == ref
            detail = await api.wait_state(ref, "delivered")
            assert detail["json"]["voorstel"]["type_schuldregeling"] == "SK"
            assert "saneringskrediet-zonder-bedrag" in codes(detail["findings"])
            assert detail["json"]["bevindingen"] == detail["findings"]
            payload = await _folder_json(tmp_path / "se" / "inbox", ref)
            assert payload["voorstel"]["type_schuldregeling"] == "SK"
            assert payload["bevindingen"] == detail["findings"]
