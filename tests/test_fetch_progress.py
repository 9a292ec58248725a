"""One sender cannot block a gateway's inbound: the hub holds schema-valid Betaalvoorstellen of
~1.5 MB each (5,000 Vorderingen), so one HaalBerichtenOp answer is larger than one message may be,
followed by a normal Saldoverzoek, which must arrive. A message the gateway cannot take (too large
for [xml] max_bytes) is quarantined, confirmed at the hub and answered with a Foutbericht.

In-process hub simulator and gateway (the real hub client over mTLS + WS-Security)."""

from __future__ import annotations

import copy
import uuid
from dataclasses import replace

import aiohttp
import pytest
from lxml import etree

from gateway.config import XmlSettings
from gateway.engine.poller import Poller
from gateway.engine.ports import FetchResult, HubError
from gateway.engine.settings import PollSettings
from gateway.model.berichttype import Rol
from gateway.store.sqlite import SqliteStore
from tests.daemon_support import Api, gateway_config, running, simulator
from tests.engine_helpers import trust
from tests.fakes import FakeClock, FakeHub, TinyProcessing
from tests.reliability_support import fixture_document
from tests.test_engine_poller import inbound
from tests.transport_support import SE_ID, SHV_ID, client_for, dev_pki

pytestmark = [pytest.mark.slow, pytest.mark.timeout(120)]
NS = "urn:skp-gateway:schuldregeling:2.0"
BIG = 7


def _betaalvoorstel(vorderingen: int) -> bytes:
    """An XSD-valid Betaalvoorstel from the SHV to the SE with this many Vorderingen."""
    root = etree.fromstring(
        fixture_document(
            "Betaalvoorstel",
            referentienummer=str(uuid.uuid4()),
            conversatie=str(uuid.uuid4()),
            afzender=SHV_ID,
            ontvanger=SE_ID,
        )
    )
    claims = root.find(f"{{{NS}}}Vorderingen")
    assert claims is not None
    for i in range(1, vorderingen):
        claim = copy.deepcopy(claims[0])
        claim.find(f"{{{NS}}}FactuurnummerSE").text = f"EN-2024-{i:07d}"  # type: ignore[union-attr]
        claims.append(claim)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def _ref(document: bytes) -> str:
    return etree.fromstring(document).findtext(f"{{{NS}}}Berichtheader/{{{NS}}}Referentienummer")  # type: ignore[return-value]


async def _send_from_shv(pki, sim, documents: list[tuple[str, bytes]]) -> None:  # noqa: ANN001
    shv = client_for(pki, sim.url, "shv", SHV_ID, timeout=30)
    try:
        for berichttype, document in documents:
            result = await shv.send(
                referentienummer=_ref(document), ontvanger=SE_ID, berichttype=berichttype, document=document
            )
            assert result.outcome.done, result
    finally:
        await shv.close()


@pytest.mark.parametrize(
    "max_response_bytes",
    [
        64 * 1024 * 1024,  # the default: the whole answer (~15 MB) fits, but is larger than [xml] max_bytes
        4 * 1024 * 1024,  # two messages do not fit in one answer: fewer at a time, down to one
    ],
)
async def test_huge_messages_do_not_block_the_ones_after_them(
    tmp_path, monkeypatch, max_response_bytes
) -> None:
    pki = dev_pki()
    big = [("Betaalvoorstel", _betaalvoorstel(5000)) for _ in range(BIG)]
    assert all(len(d) > 1_400_000 for _, d in big)
    normal = fixture_document(
        "Saldoverzoek", referentienummer=str(uuid.uuid4()), conversatie=str(uuid.uuid4()), afzender=SHV_ID,
        ontvanger=SE_ID,
    )  # fmt: skip
    async with simulator(pki) as sim, aiohttp.ClientSession() as http:
        await _send_from_shv(pki, sim, [*big, ("Saldoverzoek", normal)])
        config = gateway_config(pki, sim.url, tmp_path / "se", rol=Rol.SE, adres=SE_ID, cert="se")
        config = replace(
            config, hub=replace(config.hub, max_response_bytes=max_response_bytes, request_timeout_seconds=30)
        )
        async with running(config, monkeypatch) as gw:
            se = Api(http, gw)
            arrived = await se.wait_for("Saldoverzoek", timeout=60)
            assert arrived["referentienummer"] == _ref(normal)
            await se.wait_state(_ref(normal), "delivered")  # decoded and handed to the folder sink
            for _, document in big:
                status, detail = await se.call("GET", f"/api/berichten/{_ref(document)}")
                assert status == 200 and detail["valid"] and detail["confirmed_at"], detail


async def test_a_message_too_large_to_take_is_quarantined_confirmed_and_answered(
    tmp_path, monkeypatch
) -> None:
    pki = dev_pki()
    too_large = _betaalvoorstel(3000)  # ~0.9 MB, above this gateway's [xml] max_bytes
    normal = fixture_document(
        "Saldoverzoek", referentienummer=str(uuid.uuid4()), conversatie=str(uuid.uuid4()), afzender=SHV_ID,
        ontvanger=SE_ID,
    )  # fmt: skip
    async with simulator(pki) as sim, aiohttp.ClientSession() as http:
        await _send_from_shv(pki, sim, [("Betaalvoorstel", too_large), ("Saldoverzoek", normal)])
        config = gateway_config(pki, sim.url, tmp_path / "se", rol=Rol.SE, adres=SE_ID, cert="se")
        config = replace(config, xml=XmlSettings(max_bytes=512 * 1024))
        async with running(config, monkeypatch) as gw:
            se = Api(http, gw)
            await se.wait_for("Saldoverzoek", timeout=60)
            status, detail = await se.call("GET", f"/api/berichten/{_ref(too_large)}")
            assert status == 200 and detail["state"] == "quarantined" and detail["confirmed_at"], detail
            assert [p["code"] for p in detail["problems"]] == ["too-large"]
            status, page = await se.call("GET", "/api/berichten?direction=out&berichttype=Foutbericht")
            assert status == 200 and len(page["items"]) == 1, page
            foutbericht = await se.wait_state(page["items"][0]["referentienummer"], "delivered")
            assert foutbericht["json"]["gerefereerd_bericht"] == _ref(too_large)


class _SizeLimitedHub(FakeHub):
    """The answer to HaalBerichtenOp(n) is too large for the client when n > ``fits``."""

    def __init__(self, fits: int) -> None:
        super().__init__()
        self.fits = fits
        self.asked: list[int] = []

    async def fetch(self, max_messages: int = 100) -> FetchResult:
        self.asked.append(max_messages)
        if max_messages > self.fits:
            raise HubError(
                "the hub's answer exceeds 4194304 bytes", retryable=True, code="response-too-large"
            )
        return await super().fetch(max_messages)


def _poller(store, hub) -> Poller:  # noqa: ANN001
    settings = PollSettings(fetch_batch=100, max_pages=50)
    processing = TinyProcessing()
    return Poller(store, hub, processing, trust=trust(store), sinks=[], clock=FakeClock(), settings=settings)


async def test_smaller_batches_down_to_one(tmp_path) -> None:
    store = await SqliteStore.open(tmp_path / "gateway.db")
    try:
        hub = _SizeLimitedHub(fits=3)
        refs = [inbound(hub) for _ in range(10)]
        report = await _poller(store, hub).poll_once()
        assert hub.asked[:6] == [100, 50, 25, 12, 6, 3] and set(hub.asked[5:]) == {3}
        assert report.fetch_error is None and report.stored == 10 and hub.confirmed == refs
    finally:
        await store.close()


async def test_a_message_that_cannot_be_read_even_alone_is_said_loudly(tmp_path, caplog) -> None:
    store = await SqliteStore.open(tmp_path / "gateway.db")
    try:
        hub = _SizeLimitedHub(fits=0)
        inbound(hub)
        report = await _poller(store, hub).poll_once()
        assert hub.asked == [100, 50, 25, 12, 6, 3, 1]
        assert report.fetch_error and report.fetch_error.startswith("response-too-large")
        assert any(
            r.levelname == "ERROR" and "cannot be fetched, even on its own" in r.getMessage()
            for r in caplog.records
        )
    finally:
        await store.close()
