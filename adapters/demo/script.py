"""The demo's conversation, driven through each gateway's public JSON API, printed as a timeline.

Every organisation's own system is played by this script: it posts the model's JSON form to its
gateway and reads what arrived. Nothing goes around the gateways: the hub only sees signed SOAP
over mutual TLS.
"""

from __future__ import annotations

import asyncio
import json
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp

from adapters.demo.layout import ORGANISATIONS, Layout, Organisation
from adapters.demo.processes import DemoError
from gateway.codec import decode
from gateway.codec.json_form import to_json

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "valid" / "2.0"
BY_KEY = {o.key: o for o in ORGANISATIONS}


# The fixtures are written for Energie Noord; the water company's own invoices and mailbox, so that
# what the console shows of its conversation is its own.
OWN_WORDING = {"se-oud": (("EN-", "WO-"), ("energie-noord", "waterbedrijf-oost"))}


def fixture(
    name: str, ontvanger: Organisation, conversatie: str | None = None, *, creditor: str = "se"
) -> dict[str, Any]:
    body = _reworded(to_json(decode((FIXTURES / name).read_bytes())), OWN_WORDING.get(creditor, ()))
    body["berichtheader"] = {"ontvanger": ontvanger.id}
    if conversatie:
        body["berichtheader"]["conversatie_referentienummer"] = conversatie
    return body


@dataclass
class Sent:
    referentienummer: str
    conversatie: str
    versie: str


class Timeline:
    def __init__(self, out) -> None:
        self.t0 = time.monotonic()
        self.out = out

    def line(self, text: str) -> None:
        print(f"[{time.monotonic() - self.t0:6.2f}s] {text}", file=self.out, flush=True)

    def say(self, text: str = "") -> None:
        print(text, file=self.out, flush=True)


class Demo:
    def __init__(
        self, layout: Layout, token: str, session: aiohttp.ClientSession, timeline: Timeline
    ) -> None:
        self.layout = layout
        self.session = session
        self.headers = {"Authorization": f"Bearer {token}"}
        self.t = timeline
        self.steps = 0

    async def api(self, org: Organisation, method: str, path: str, body: Any = None) -> tuple[int, Any]:
        url = self.layout.api_url(org.key) + path
        async with self.session.request(method, url, json=body, headers=self.headers) as response:
            return response.status, await response.json(content_type=None)

    async def send(self, sender: str, receiver: str, name: str, conversatie: str | None = None) -> Sent:
        van, naar = BY_KEY[sender], BY_KEY[receiver]
        creditor = sender if van.rol == "SE" else receiver
        body = fixture(name, naar, conversatie, creditor=creditor)
        status, answer = await self.api(van, "POST", "/api/berichten", body)
        if status != 202:
            raise DemoError(f"{van.naam} could not submit {body['berichttype']}: HTTP {status} {answer}")
        self.steps += 1
        warnings = f"  ({len(answer['warnings'])} warning(s))" if answer["warnings"] else ""
        self.t.line(
            f"{van.naam:<18} → {naar.naam:<18} {answer['berichttype']:<24} v{answer['versie']}  "
            f"accepted by its gateway, ref {answer['referentienummer'][:8]}…{warnings}"
        )
        sent = Sent(answer["referentienummer"], answer["conversatie"], answer["versie"])
        detail = await self.wait(
            van, f"/api/berichten/{sent.referentienummer}", lambda d: d["state"] == "delivered"
        )
        attempts = len(detail["attempts"])
        self.t.line(f"{'':<18}   signed, sent over mTLS, accepted by the hub ({attempts} attempt(s))")
        return sent

    async def receive(self, receiver: str, berichttype: str, conversatie: str) -> dict[str, Any]:
        org = BY_KEY[receiver]
        query = f"/api/berichten?direction=in&berichttype={berichttype}&conversatie={conversatie}"
        page = await self.wait(org, query, lambda p: bool(p["items"]), fetch=True)
        ref = page["items"][0]["referentienummer"]
        detail = await self.wait(org, f"/api/berichten/{ref}", lambda d: d["state"] == "delivered")
        self.t.line(
            f"{'':<18}   {org.naam} fetched it: signature verified, XSD valid, stored, confirmed, "
            f"handed to its system ({len(detail['sinks'])} sink)"
        )
        return detail

    async def wait(
        self, org: Organisation, path: str, ready, *, fetch: bool = False, timeout: float = 30
    ) -> Any:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            status, body = await self.api(org, "GET", path)
            if status == 200 and ready(body):
                return body
            if fetch:
                await self.api(org, "POST", "/api/fetch")
            await asyncio.sleep(0.1)
        raise DemoError(f"timed out after {timeout:.0f}s waiting at {org.naam} for {path}")

    # -- the conversation ------------------------------------------------------------------------
    async def run(self) -> None:
        t = self.t
        t.say("1. Stabilisation: Kennisgeving → Kennisgeving antwoord")
        k = await self.send("shv", "se", "Kennisgeving.xml")
        await self.receive("se", "Kennisgeving", k.conversatie)
        await self.send("se", "shv", "KennisgevingAntwoord.xml", k.conversatie)
        await self.receive("shv", "KennisgevingAntwoord", k.conversatie)

        t.say("\n2. Debt position: Saldoverzoek → Saldoverzoek antwoord (the same conversation)")
        s = await self.send("shv", "se", "Saldoverzoek.xml", k.conversatie)
        await self.receive("se", "Saldoverzoek", s.conversatie)
        await self.send("se", "shv", "SaldoverzoekAntwoord.xml", s.conversatie)
        antwoord = await self.receive("shv", "SaldoverzoekAntwoord", s.conversatie)
        bedrag = antwoord["json"]["vorderingen"][0]["openstaande_schuld"]["actueel_vorderingsbedrag"]
        t.line(f"{'':<18}   Energie Noord reports an open claim of € {bedrag}")

        t.say(
            "\n3. Nul-aanbod (repayment capacity € 0.00): Betaalvoorstel to both creditors"
            " (to Waterbedrijf Oost in a conversation of its own)"
        )
        nieuw = await self.send("shv", "se", "Betaalvoorstel-nul-aanbod-SA.xml", s.conversatie)
        oud = await self.send("shv", "se-oud", "Betaalvoorstel-nul-aanbod-SA.xml")  # opens one
        sa = await self.receive("se", "Betaalvoorstel", nieuw.conversatie)
        sk = await self.receive("se-oud", "Betaalvoorstel", oud.conversatie)
        t.line(
            f"{'':<18}   on the wire to Energie Noord (2.0):      TypeSchuldregeling {_wire_type(sa['xml'])}"
        )
        t.line(
            f"{'':<18}   on the wire to Waterbedrijf Oost (1.1):  TypeSchuldregeling {_wire_type(sk['xml'])},"
            " every PrognoseEindbedrag 0.00 (the € 0.00 saneringskrediet workaround)"
        )
        voorstel = sk["json"]["voorstel"]
        t.line(
            f"{'':<18}   Waterbedrijf Oost's gateway reads it back as type {voorstel['type_schuldregeling']} "
            f"({voorstel.get('nul_aanbod_codering')}): never booked as a real credit"
        )

        t.say("\n4. Both creditors agree: Betaalvoorstel antwoord → Schuldregeling akkoord")
        for key, sent in (("se", nieuw), ("se-oud", oud)):
            await self.send(key, "shv", "BetaalvoorstelAntwoord.xml", sent.conversatie)
            await self.receive("shv", "BetaalvoorstelAntwoord", sent.conversatie)
        for key, sent in (("se", nieuw), ("se-oud", oud)):
            await self.send("shv", key, "SchuldregelingAkkoord-nul-aanbod-SA.xml", sent.conversatie)
            await self.receive(key, "SchuldregelingAkkoord", sent.conversatie)
        await self.summary()

    async def summary(self) -> None:
        shv = BY_KEY["shv"]
        _, answered = await self.api(shv, "GET", "/api/conversaties?state=answered")
        _, still_open = await self.api(shv, "GET", "/api/conversaties?state=open")
        _, overdue = await self.api(shv, "GET", "/api/conversaties?state=overdue")
        self.t.say(
            f"\nStadsbank Zwolle's conversations: {len(answered['items'])} answered, "
            f"{len(still_open['items'])} open, {len(overdue['items'])} overdue"
        )
        for org in ORGANISATIONS:
            _, page = await self.api(org, "GET", "/api/berichten?limit=500")
            sent = sum(1 for m in page["items"] if m["direction"] == "out" and m["state"] == "delivered")
            received = sum(1 for m in page["items"] if m["direction"] == "in" and m["state"] == "delivered")
            files = len(list((self.layout.root / org.key / "inbox").glob("*.json")))
            self.t.say(
                f"  {org.naam:<18} sent {sent} delivered, received {received} "
                f"({files} file(s) in {org.key}/inbox)"
            )


def _reworded(value: Any, replacements: tuple[tuple[str, str], ...]) -> Any:
    if isinstance(value, str):
        for old, new in replacements:
            value = value.replace(old, new)
        return value
    if isinstance(value, dict):
        return {k: _reworded(v, replacements) for k, v in value.items()}
    if isinstance(value, list):
        return [_reworded(v, replacements) for v in value]
    return value


def _wire_type(xml: str) -> str:
    start = xml.index("<TypeSchuldregeling>") + len("<TypeSchuldregeling>")
    return xml[start : xml.index("</TypeSchuldregeling>")]


def describe(layout: Layout) -> list[str]:
    rows = [f"  hub simulator        {layout.hub_url}  (admin http://127.0.0.1:{layout.admin_port}/admin)"]
    for org in ORGANISATIONS:
        rows.append(
            f"  {org.rol:<3} {org.naam:<18} v{org.versie}  API {layout.api_url(org.key)}  "
            f"store {layout.root.name}/{org.key}/gateway.db"
        )
    return rows


def dump_json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, indent=2)
