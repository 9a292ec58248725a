"""Inbound trust with real processes: the hub simulator and an SHV gateway (`skgw serve`), each its own
process. The creditors are played through the hub with their own certificates, as their systems would.

A message from a sender not in the address book, one in the wrong direction, and answers to no open
question are each quarantined with their code, answered with a Foutbericht naming it, and never reach
the organisation's system; the legitimate answer in between does. The hub here routes without checking
roles (``check_roles = false``): the gateway does not rely on the hub for the direction.
"""

from __future__ import annotations

import asyncio
import json
import re
import time
import uuid
from pathlib import Path

import aiohttp
import pytest
from lxml import etree

from adapters.demo.layout import ORGANISATIONS, Layout
from adapters.demo.processes import Process, wait_until_up
from adapters.hub.client import HubClient
from adapters.hub.settings import HubClientSettings
from gateway.security.devpki import HUB_OIN
from gateway.security.settings import TlsSettings
from tests.daemon_support import fixture_json
from tests.reliability_support import fixture_document

TOKEN = "conversaties-e2e-token-0123456789abcdefghij"
ORG = {o.key: o for o in ORGANISATIONS}
SHV, SE, STRANGER = ORG["shv"], ORG["se"], ORG["se-oud"]  # the SHV's address book will not hold se-oud
NS = {"m": "urn:skp-gateway:schuldregeling:2.0"}


def _prepare(root: Path) -> Layout:
    layout = Layout.create(root)
    hub = root / "pki" / "hub.toml"
    text = hub.read_text().replace(
        "validate_documents = true", "validate_documents = true\ncheck_roles = false"
    )
    hub.write_text(text.replace('versies = ["1.1"]', 'versies = ["2.0", "1.1"]'))  # the stranger speaks 2.0
    shv = root / "shv" / "gateway.toml"
    text = shv.read_text()
    # drop Waterbedrijf Oost from Stadsbank Zwolle's address book: a sender it does not know
    blocks = text.split("[[tegenpartij]]")
    kept = [b for b in blocks[1:] if STRANGER.id not in b]
    assert len(kept) == len(blocks) - 2
    shv.write_text("[[tegenpartij]]".join([blocks[0], *kept]))
    (root / "logs").mkdir()
    return layout


def _client(layout: Layout, org) -> HubClient:  # noqa: ANN001
    pki = layout.root / "pki"
    return HubClient(
        HubClientSettings(
            endpoint=layout.hub_url,
            afzender=org.id,
            tls=TlsSettings(
                certificate=pki / f"{org.cert}.pem",
                private_key=pki / f"{org.cert}.key.pem",
                ca_bundle=pki / "ca.pem",
            ),
            hub_oin=HUB_OIN,
            connect_timeout_seconds=3,
            request_timeout_seconds=10,
        )
    )


async def _send(client: HubClient, org, fixture: str, conversatie: str) -> str:  # noqa: ANN001
    """A creditor's system sends a fixture to Stadsbank Zwolle through the hub (its own certificate)."""
    ref = str(uuid.uuid4())
    doc = fixture_document(
        fixture, referentienummer=ref, conversatie=conversatie, afzender=org.id, ontvanger=SHV.id
    )
    result = await client.send(referentienummer=ref, ontvanger=SHV.id, berichttype=fixture, document=doc)
    assert result.outcome.done, result
    return ref


async def _foutberichten(client: HubClient, about: set[str], timeout: float = 30) -> dict[str, list[str]]:
    """The Fout codes of the Foutberichten about the messages ``about``, by message (fetched, confirmed)."""
    found: dict[str, list[str]] = {}
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and set(found) != about:
        for b in (await client.fetch(50)).messages:
            await client.confirm(b.referentienummer)
            root = etree.fromstring(b.document)
            ref = root.findtext("m:GerefereerdBericht", namespaces=NS)
            if b.berichttype == "Foutbericht" and ref in about:
                found[ref] = [e.text for e in root.findall("m:Fouten/m:Fout/m:Code", NS)]
        await asyncio.sleep(0.2)
    assert set(found) == about, f"no Foutbericht about {about - set(found)} within {timeout}s"
    return found


@pytest.mark.slow
@pytest.mark.timeout(180)
async def test_untrusted_messages_are_quarantined_answered_and_never_delivered(tmp_path) -> None:
    layout = _prepare(tmp_path)
    hub = Process(
        "hub", ["hub", "--config", str(tmp_path / "pki" / "hub.toml")], tmp_path / "logs" / "hub.log"
    )
    shv = Process(
        "shv",
        ["serve", "--config", str(tmp_path / "shv" / "gateway.toml")],
        tmp_path / "logs" / "shv.log",
        env={"SKGW_DEMO_TOKEN": TOKEN},
    )
    se, stranger = _client(layout, SE), _client(layout, STRANGER)
    headers = {"Authorization": f"Bearer {TOKEN}"}
    api = layout.api_url("shv")
    hub.start(tmp_path)
    try:
        await wait_until_up(hub, f"http://127.0.0.1:{layout.admin_port}/admin")
        shv.start(tmp_path)
        await wait_until_up(shv, api + "/health")
        async with aiohttp.ClientSession(headers=headers) as http:

            async def call(method: str, path: str, body=None):  # noqa: ANN001
                async with http.request(method, api + path, json=body) as r:
                    return r.status, await r.json(content_type=None)

            async def state_of(ref: str, want: str) -> dict:
                deadline = time.monotonic() + 30
                while time.monotonic() < deadline:
                    await call("POST", "/api/fetch")
                    status, detail = await call("GET", f"/api/berichten/{ref}")
                    if status == 200 and detail["state"] == want:
                        return detail
                    await asyncio.sleep(0.2)
                raise AssertionError(f"{ref} did not become {want}: {shv.tail()}")

            # the allowed side: the SHV asks Energie Noord for the balance; its answer is delivered
            status, vraag = await call("POST", "/api/berichten", fixture_json("Saldoverzoek.xml", SE.id))
            assert status == 202, vraag
            conv = vraag["conversatie"]
            await state_of(vraag["referentienummer"], "delivered")
            answer = await _send(se, SE, "SaldoverzoekAntwoord", conv)
            assert (await state_of(answer, "delivered"))["afzender_oin"] == SE.oin  # as the hub named it

            # refused: a sender the address book does not hold
            unknown = await _send(stranger, STRANGER, "StatusberichtSE", str(uuid.uuid4()))
            # refused: a type an SHV sends, sent to an SHV (the hub did not stop it)
            wrong_way = await _send(se, SE, "Saldoverzoek", str(uuid.uuid4()))
            # refused: answers to no open question of ours
            no_conversation = await _send(se, SE, "BetaalvoorstelAntwoord", str(uuid.uuid4()))
            answered_before = await _send(se, SE, "SaldoverzoekAntwoord", conv)
            expected = {
                unknown: ["unknown-sender"],
                wrong_way: ["wrong-direction"],
                no_conversation: ["unknown-conversation"],
                answered_before: ["no-open-question"],
            }
            for ref, codes in expected.items():
                detail = await state_of(ref, "quarantined")
                assert [p["code"] for p in detail["problems"]] == codes, detail["problems"]
                assert detail["sinks"] == []
            assert await _foutberichten(stranger, {unknown}) == {unknown: expected[unknown]}
            from_se = {ref: codes for ref, codes in expected.items() if ref != unknown}
            assert await _foutberichten(se, set(from_se)) == from_se

            # only the legitimate answer reached the organisation's system (the folder sink)
            files = [json.loads(p.read_text()) for p in (tmp_path / "shv" / "inbox").glob("*.json")]
            refs = {f["berichtheader"]["referentienummer"] for f in files}
            assert answer in refs and not refs & set(expected)
            status, timeline = await call("GET", f"/api/conversaties/{conv}")
            assert status == 200 and timeline["fase"] == "saldo-ontvangen" and timeline["verwacht"] is None
            steps = [(s["direction"], s["berichttype"], s["state"]) for s in timeline["stappen"]]
            assert steps == [
                ("out", "Saldoverzoek", "delivered"),
                ("in", "SaldoverzoekAntwoord", "delivered"),
                ("in", "SaldoverzoekAntwoord", "quarantined"),
                ("out", "Foutbericht", "delivered"),
            ]
            # the outbound side: a SchuldregelingAkkoord without the creditor's Akkoord is refused
            akkoord = fixture_json("SchuldregelingAkkoord-nul-aanbod-SA.xml", SE.id, conv)
            status, body = await call("POST", "/api/berichten", akkoord)
            assert status == 422 and body["findings"][0]["code"] == "no-akkoord", body
            async with http.get(api + "/metrics") as r:
                metrics = await r.text()
            assert re.search(r"^skgw_quarantined 4(\.0)?$", metrics, re.M), metrics
    finally:
        await se.close()
        await stranger.close()
        assert shv.stop() == 0, shv.tail()
        hub.stop()
