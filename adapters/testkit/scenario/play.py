"""Playing one scenario's steps against a hub: send, expect, expect_fault, hub, expect_expired, wait.

A :class:`Play` holds what a run has learnt (conversation ids, Referentienummers per step, the
messages each party fetched but no step has claimed yet). Every step either returns a short
outcome text or raises :class:`StepFailed` with the reason.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from dataclasses import dataclass, field

from lxml import etree

from adapters.hub.client import HubClient
from adapters.testkit.header import Rewrite, read_header, rewrite, utc_stamp
from adapters.testkit.scenario.gateways import GatewayEndpoint
from adapters.testkit.scenario.model import (
    ACCEPTED,
    ExpectExpiredStep,
    ExpectFaultStep,
    ExpectFindingStep,
    ExpectFoutberichtStep,
    ExpectStep,
    HubStep,
    Message,
    PartyDef,
    Scenario,
    SendStep,
    WaitStep,
)
from adapters.testkit.scenario.play_gateway import expect_finding, expect_foutbericht
from adapters.testkit.scenario.results import StepFailed, StepResult
from adapters.testkit.scenario.target import AdminError, HubAdmin
from adapters.testkit.scenario.template import render, select
from adapters.testkit.sending import HubSender, Outgoing, RetryPolicy, send_with_retry
from gateway.engine.ports import FetchedMessage, HubError
from gateway.logs import mask_bsn
from gateway.xml.errors import XmlInputError
from gateway.xml.parsing import parse_xml
from gateway.xml.validate import validate_document

POLL_SECONDS = 0.05
_SETUP_CODES = {"tls", "signature-invalid"}  # retryable for a daemon, but no time bound will fix them
# Elements whose values are personal data: a failed check names the path, never the value found.
PERSONAL = {
    "BSN", "Naam", "Voornamen", "Voorletters", "Voorvoegsel", "Achternaam", "Geboortedatum", "Geslacht",
    "Straatnaam", "Huisnummer", "Huisletter", "Huisnummertoevoeging", "Postcode", "Woonplaats",
    "Emailadres", "Telefoonnummer", "Rekeningnummer", "IBAN",
}  # fmt: skip


@dataclass
class Play:
    scenario: Scenario
    clients: dict[str, HubClient]  # party name -> client
    admin: HubAdmin | None
    conversations: dict[str, str] = field(default_factory=dict)
    refs: dict[str, str] = field(default_factory=dict)  # step name -> Referentienummer
    sent: dict[str, Outgoing] = field(default_factory=dict)  # send step name -> what was sent
    inbox: dict[str, dict[str, FetchedMessage]] = field(default_factory=dict)  # party -> ref -> msg
    gateways: dict[str, GatewayEndpoint] = field(default_factory=dict)  # party name -> its gateway

    def gateway(self, name: str) -> GatewayEndpoint:
        endpoint = self.gateways.get(name)
        if endpoint is None:
            raise StepFailed(
                f"party {name} has no running gateway (is it started? see [party.{name}] gateway)"
            )
        return endpoint

    def party(self, name: str) -> PartyDef:
        return self.scenario.parties[name]

    def conversation(self, name: str) -> str:
        return self.conversations.setdefault(name, str(uuid.uuid4()))

    def lookup(self, kind: str, arg: str | None) -> str:
        if kind == "conversatie":
            return self.conversation(arg or "main")
        if kind == "party":
            return self.party(arg or "").id
        if arg not in self.refs:
            raise StepFailed(f"{{{{ref:{arg}}}}}: step {arg} has no Referentienummer (did it fail?)")
        return self.refs[arg]

    # -- the step kinds ------------------------------------------------------------------------
    async def run(self, step: object, result: StepResult) -> str:
        handler = {
            SendStep: self.send,
            ExpectFaultStep: self.expect_fault,
            ExpectStep: self.expect,
            HubStep: self.hub,
            ExpectExpiredStep: self.expect_expired,
            WaitStep: self.wait,
            ExpectFindingStep: lambda s, r: expect_finding(self, s, r),
            ExpectFoutberichtStep: lambda s, r: expect_foutbericht(self, s, r),
        }[type(step)]
        return await handler(step, result)  # type: ignore[operator]

    async def send(self, step: SendStep, result: StepResult) -> str:
        if step.resend:
            outgoing = self.sent[step.resend]
        else:
            assert step.message is not None
            outgoing = self.build(step.name, step.message, step.afzender, step.ontvanger)
            report = validate_document(outgoing.document)
            if not report.ok:
                problems = "; ".join(str(p) for p in report.problems[:3])
                raise StepFailed(f"the {outgoing.berichttype} is not valid, so it was not sent: {problems}")
        self.note(result, outgoing.berichttype, outgoing.referentienummer)
        policy = RetryPolicy(step.retry.attempts - 1, step.retry.delay_seconds)
        delivery = await send_with_retry(HubSender(self.clients[step.afzender]), outgoing, policy)
        outcome = delivery.result.outcome
        wanted = {ACCEPTED: outcome.done}.get(step.outcome, outcome.value == step.outcome)
        tries = f" after {delivery.attempts} attempts" if delivery.attempts > 1 else ""
        if not wanted:
            code = delivery.result.code or outcome.value
            raise StepFailed(
                f"expected {step.outcome}, got {outcome} ({code}: {delivery.result.reason}){tries}"
            )
        self.sent.setdefault(step.name, outgoing)
        self.refs[step.name] = outgoing.referentienummer
        return f"{outcome}{tries}"

    async def expect_fault(self, step: ExpectFaultStep, result: StepResult) -> str:
        assert step.message is not None
        outgoing = self.build(step.name, step.message, step.afzender, step.ontvanger)
        self.note(result, outgoing.berichttype, outgoing.referentienummer)
        got = await HubSender(self.clients[step.afzender]).send(outgoing)
        if got.outcome.done:
            raise StepFailed(f"expected fault {step.code}, but the hub accepted the message ({got.outcome})")
        if got.code != step.code or (step.outcome and got.outcome.value != step.outcome):
            raise StepFailed(f"expected fault {step.code}, got {got.outcome} {got.code}: {got.reason}")
        self.refs[step.name] = outgoing.referentienummer
        return f"refused as expected: {got.code} ({got.outcome})"

    async def expect(self, step: ExpectStep, result: StepResult) -> str:
        started = time.monotonic()
        client = self.clients[step.door]
        last_error = ""
        while True:
            found = self._claim(step)
            if found is not None:
                break
            if time.monotonic() - started > step.within_seconds:
                raise StepFailed(self._nothing(step) + last_error)
            try:
                fetched = await client.fetch(100)
                last_error = ""
            except HubError as exc:
                if not exc.retryable or exc.code in _SETUP_CODES:
                    raise StepFailed(f"HaalBerichtenOp for {step.door} failed: {exc.reason}") from None
                fetched = None  # the hub is busy or unreachable: try again until the time bound
                last_error = f"; the last HaalBerichtenOp failed: {exc.reason}"
            box = self.inbox.setdefault(step.door, {})
            for bericht in fetched.messages if fetched else ():
                box.setdefault(bericht.referentienummer, bericht)
            if self._claim(step, peek=True) is None:
                await asyncio.sleep(POLL_SECONDS)
        bericht, berichttype = found
        self.note(result, berichttype, bericht.referentienummer)
        self.refs[step.name] = bericht.referentienummer
        self._assert(step, bericht)
        if step.confirm:
            confirmed = await client.confirm(bericht.referentienummer)
            if not confirmed.outcome.done:
                raise StepFailed(f"BevestigBericht failed: {confirmed.code}: {confirmed.reason}")
        waited = time.monotonic() - started
        return f"received {berichttype} after {waited:.2f}s" + ("" if step.confirm else " (not confirmed)")

    async def hub(self, step: HubStep, result: StepResult) -> str:
        admin = self._admin("a hub step")
        try:
            if step.clear_faults:
                await admin.clear_faults()
            if step.faults is not None:
                await admin.set_faults(step.faults)
            if step.advance_seconds:
                await admin.advance_clock(step.advance_seconds)
        except AdminError as exc:
            raise StepFailed(str(exc)) from None
        return "done"

    async def expect_expired(self, step: ExpectExpiredStep, result: StepResult) -> str:
        ref = self.refs[step.sent]
        self.note(result, self.sent[step.sent].berichttype, ref)
        said = []
        if self.admin is not None:
            try:
                status = await self.admin.status(ref)
            except AdminError as exc:
                raise StepFailed(str(exc)) from None
            if status != "verlopen":
                raise StepFailed(f"the hub says the message is {status or 'unknown'}, not verlopen")
            said.append("hub: verlopen")
        if step.door is not None:
            fetched = await self._fetch(step.door)
            if any(b.referentienummer == ref for b in fetched):
                raise StepFailed(f"{step.door} can still fetch the message")
            self.inbox.get(step.door, {}).pop(ref, None)
            said.append(f"gone from {step.door}'s box")
        if not said:
            raise StepFailed("expect_expired needs the hub's admin endpoint or by = PARTY")
        return ", ".join(said)

    async def wait(self, step: WaitStep, result: StepResult) -> str:
        await asyncio.sleep(step.seconds)
        return "done"

    # -- helpers -----------------------------------------------------------------------------
    def build(self, step_name: str, message: Message, afzender: str, ontvanger: str) -> Outgoing:
        if message.fixture is not None:
            raw = message.fixture.read_bytes()
        else:
            raw = (message.template or "").encode("utf-8")
        try:
            raw = render(raw.decode("utf-8"), self.lookup).encode("utf-8")
        except UnicodeDecodeError:
            pass  # a deliberately broken (non-UTF-8) document is sent as it is
        change = Rewrite(
            str(uuid.uuid4()),
            self.conversation(message.conversatie),
            self.party(afzender).id,
            self.party(ontvanger).id,
            utc_stamp(),
        )
        data, header = rewrite(raw, change)
        if message.set:
            data = self._apply_set(data, message.set)
        berichttype = header.root if header is not None else "(not XML)"
        ref = str(change.referentienummer)  # the hub's key, even when the document is not XML
        return Outgoing(step_name, ref, self.party(ontvanger).id, berichttype, data)

    def _apply_set(self, data: bytes, values: dict[str, str]) -> bytes:
        try:
            tree = parse_xml(data)
        except XmlInputError as exc:
            raise StepFailed(f"set: the document is not XML: {exc}") from None
        for path, value in values.items():
            elements = select(tree.getroot(), path)
            if not elements:
                raise StepFailed(f"set: {path} selects nothing in the document")
            for element in elements:
                element.text = render(value, self.lookup)
        return etree.tostring(tree, encoding="UTF-8", xml_declaration=True)

    def _claim(self, step: ExpectStep, peek: bool = False) -> tuple[FetchedMessage, str] | None:
        box = self.inbox.get(step.door, {})
        for ref, bericht in box.items():
            berichttype = self._matches(step, bericht)
            if berichttype is not None:
                if not peek:
                    box.pop(ref)
                return bericht, berichttype
        return None

    def _matches(self, step: ExpectStep, bericht: FetchedMessage) -> str | None:
        if step.van is not None and bericht.afzender != self.party(step.van).id:
            return None
        report = validate_document(bericht.document)
        names = {bericht.berichttype}
        if report.entry is not None:
            names |= {report.entry.berichttype, report.entry.root}
        if step.berichttype not in names:
            return None
        if step.conversatie is not None:
            header = read_header(bericht.document)
            if header is None or header.conversatie != self.conversation(step.conversatie):
                return None
        if not report.ok:
            problems = "; ".join(str(p) for p in report.problems[:3])
            raise StepFailed(
                f"received {step.berichttype} {bericht.referentienummer} is not valid: {problems}"
            )
        return report.entry.berichttype if report.entry is not None else step.berichttype

    def _assert(self, step: ExpectStep, bericht: FetchedMessage) -> None:
        root = parse_xml(bericht.document).getroot()
        for path, raw in step.check.items():
            expected = render(raw, self.lookup)
            elements = select(root, path)
            if not elements:
                raise StepFailed(f"check {path}: no such element in the received message")
            for element in elements:
                found = (element.text or "").strip()
                if found != expected:
                    personal = etree.QName(element).localname in PERSONAL
                    shown = "(personal data, not shown)" if personal else repr(found)
                    raise StepFailed(f"check {path}: expected {expected!r}, found {shown}")

    def _nothing(self, step: ExpectStep) -> str:
        others = sorted({b.berichttype for b in self.inbox.get(step.door, {}).values()})
        waiting = f"; waiting there unclaimed: {', '.join(others)}" if others else ""
        sender = f" from {step.van}" if step.van else ""
        return f"no {step.berichttype}{sender} for {step.door} within {step.within_seconds:g}s{waiting}"

    async def _fetch(self, party: str) -> list[FetchedMessage]:
        try:
            return list((await self.clients[party].fetch(100)).messages)
        except HubError as exc:
            raise StepFailed(f"HaalBerichtenOp for {party} failed: {exc.reason}") from None

    def _admin(self, what: str) -> HubAdmin:
        if self.admin is None:
            raise StepFailed(f"{what} needs the hub's admin endpoint: pass --admin URL or use --start-hub")
        return self.admin

    @staticmethod
    def note(result: StepResult, berichttype: str, ref: str) -> None:
        result.berichttypen.append(berichttype)
        result.referentienummers.append(ref)


def safe(text: str) -> str:
    """Reasons go into reports: mask anything that looks like a BSN."""
    return mask_bsn(text)
