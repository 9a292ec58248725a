"""Test doubles for the engine: a scriptable hub, sinks, a controllable clock, tiny-XML processing."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections import deque
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any
from xml.sax.saxutils import escape

from gateway.engine.ports import (
    DeliveryRequest,
    FetchedMessage,
    FetchResult,
    HubError,
    HubResult,
    Outcome,
)
from gateway.engine.processing import Inspection
from gateway.engine.retry import Peer, classified
from gateway.model.berichttype import Berichttype
from gateway.xml.errors import XmlInputError
from gateway.xml.parsing import parse_xml

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)  # a Monday
SE = "5e5e5e5e-0000-4000-8000-000000000001"  # address-book ids of the engine tests' parties
SHV = "5a5a5a5a-0000-4000-8000-000000000002"


class FakeClock:
    def __init__(self, start: datetime = T0) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float = 0, **kw: float) -> datetime:
        self.now += timedelta(seconds=seconds, **kw)
        return self.now


Step = str | HubResult


class FakeHub:
    """Scriptable per call. Send steps: delivered, duplicate, retryable, permanent, blip (connection
    error), raise, slow; or a HubResult. Unscripted calls use ``default`` (delivered)."""

    def __init__(self, *, slow_seconds: float = 0.05) -> None:
        self.default: Step = "delivered"
        self.slow_seconds = slow_seconds
        self._send_script: dict[str | None, deque[Step]] = {}
        self.calls: list[str] = []  # every verstuur call, in order
        self.accepted: list[str] = []  # Referentienummers the hub holds, in the order first accepted
        self.inbound: list[FetchedMessage] = []  # the message box (unconfirmed), oldest first
        self.confirmed: list[str] = []
        self.fetch_script: deque[str] = deque()  # "fail" | "ok"
        self.confirm_script: deque[str] = deque()  # "fail" | "ok" | "raise" | "gone"
        self.fetch_calls = 0

    # scripting --------------------------------------------------------------------------------
    def script(self, *steps: Step, ref: str | None = None) -> None:
        self._send_script.setdefault(ref, deque()).extend(steps)

    def put_inbound(self, document: bytes, *, referentienummer: str, berichttype: str, afzender: str) -> None:
        self.inbound.append(FetchedMessage(referentienummer, berichttype, afzender, document))

    # HubPort ----------------------------------------------------------------------------------
    def _step(self, ref: str) -> Step:
        for key in (ref, None):
            queue = self._send_script.get(key)
            if queue:
                return queue.popleft()
        return self.default

    async def send(
        self, *, referentienummer: str, ontvanger: str, berichttype: str, document: bytes
    ) -> HubResult:
        self.calls.append(referentienummer)
        step = self._step(referentienummer)
        if isinstance(step, HubResult):
            return step
        if step == "slow":
            await asyncio.sleep(self.slow_seconds)
            step = "delivered"
        if step == "raise":
            raise ConnectionResetError("connection reset by peer")
        if step == "blip":
            return classified("connection", "connection refused")
        if step == "retryable":
            return classified("TijdelijkNietBeschikbaar", "hub busy")
        if step == "permanent":
            return classified("OngeldigBericht", "schema error in document")
        if step in ("delivered", "duplicate"):
            if referentienummer in self.accepted:
                return HubResult(Outcome.DUPLICATE_ACCEPTED, "first receipt", receipt=b"<receipt/>")
            self.accepted.append(referentienummer)
            outcome = Outcome.DELIVERED if step == "delivered" else Outcome.DUPLICATE_ACCEPTED
            return HubResult(outcome, "ok", receipt=b"<receipt/>")
        raise AssertionError(f"unknown fake hub step {step!r}")

    async def fetch(self, max_messages: int = 100) -> FetchResult:
        self.fetch_calls += 1
        if self.fetch_script and self.fetch_script.popleft() == "fail":
            raise HubError("hub unavailable", retryable=True, code="http-503")
        page = self.inbound[:max_messages]
        return FetchResult(messages=list(page), envelope=b"<envelope/>", more=len(self.inbound) > len(page))

    async def confirm(self, referentienummer: str) -> HubResult:
        step = self.confirm_script.popleft() if self.confirm_script else "ok"
        if step == "raise":
            raise ConnectionResetError("reset")
        if step == "fail":
            return classified("TijdelijkNietBeschikbaar", "hub busy")
        if step == "gone":  # e.g. expired at the hub: it will never accept this confirmation
            self.inbound = [b for b in self.inbound if b.referentienummer != referentienummer]
            return classified("OngeldigBericht", "unknown message")
        self.inbound = [b for b in self.inbound if b.referentienummer != referentienummer]
        self.confirmed.append(referentienummer)
        return HubResult(Outcome.DELIVERED, "confirmed")

    async def close(self) -> None:
        return None


class FakeSink:
    """Records what it took; scripted like the hub: delivered, retryable, permanent, raise."""

    def __init__(self, name: str = "webhook") -> None:
        self.name = name
        self.script: deque[str] = deque()
        self.calls: list[str] = []
        self.delivered: list[str] = []  # Idempotency-Keys of the deliveries the sink acknowledged

    async def deliver(self, request: DeliveryRequest) -> HubResult:
        self.calls.append(request.referentienummer)
        step = self.script.popleft() if self.script else "delivered"
        if step == "raise":
            raise OSError("sink unreachable")
        if step == "retryable":
            return classified("http-503", "503 from the case system", peer=Peer.SINK)
        if step == "permanent":
            return classified("http-422", "case system refused", peer=Peer.SINK)
        self.delivered.append(request.headers["Idempotency-Key"])
        return HubResult(Outcome.DELIVERED, "ok")

    async def close(self) -> None:
        self.closed = True


# tiny documents -------------------------------------------------------------------------------
def document(
    berichttype: str,
    *,
    referentienummer: str | None = None,
    conversatie: str | None = None,
    afzender: str = "afz-1",
    ontvanger: str = "ontv-1",
    body: str = "<Inhoud>test</Inhoud>",
) -> bytes:
    ref = referentienummer or str(uuid.uuid4())
    conv = conversatie or str(uuid.uuid4())
    return (
        f"<{berichttype}><Berichtheader><Referentienummer>{ref}</Referentienummer>"
        f"<ConversatieReferentienummer>{conv}</ConversatieReferentienummer>"
        f"<Afzender>{afzender}</Afzender><Ontvanger>{ontvanger}</Ontvanger>"
        f"<Berichttype>{berichttype}</Berichttype></Berichtheader>{body}</{berichttype}>"
    ).encode()


_HEADER = ("Referentienummer", "ConversatieReferentienummer", "Afzender", "Ontvanger")


class TinyProcessing:
    """A real, small InboundProcessing over the documents :func:`document` builds.

    Problems: not well-formed XML, an unknown root, a missing header field, a ``<Fout>`` element."""

    def inspect(self, data: bytes) -> Inspection:
        try:
            root = parse_xml(data).getroot()
        except XmlInputError as exc:
            return Inspection(ok=False, problems=(exc.problem.to_dict(),))
        problems: list[dict[str, Any]] = []
        name = str(root.tag)
        if name not in {b.value for b in Berichttype}:
            problems.append(
                {"code": "unknown-type", "message": f"unknown message type {name}", "path": f"/{name}"}
            )
        header = {f: root.findtext(f"Berichtheader/{f}") for f in _HEADER}
        for f, value in header.items():
            if not value:
                problems.append(
                    {"code": "missing", "message": f"{f} is missing", "path": f"/{name}/Berichtheader/{f}"}
                )
        for fout in root.iter("Fout"):
            problems.append(
                {"code": "invalid-value", "message": fout.text or "invalid", "path": f"/{name}/Fout"}
            )
        return Inspection(
            ok=not problems,
            problems=tuple(problems),
            berichttype=name,
            referentienummer=header["Referentienummer"],
            conversatie=header["ConversatieReferentienummer"],
            afzender=header["Afzender"],
            ontvanger=header["Ontvanger"],
            json_body=json.dumps({"berichttype": name, **header}).encode() if not problems else None,
        )

    def foutbericht(
        self,
        for_document: bytes,
        problems: Sequence[Mapping[str, Any]],
        *,
        referentienummer: str,
        gerefereerd: str,
        ontvanger: str,
        conversatie: str | None,
    ) -> bytes:
        insp = self.inspect(for_document)
        fouten = "".join(
            f'<Foutmelding code="{escape(str(p.get("code")))}">{escape(str(p.get("message")))}</Foutmelding>'
            for p in problems
        )
        return document(
            "Foutbericht",
            referentienummer=referentienummer,
            conversatie=conversatie or insp.conversatie,
            afzender=insp.ontvanger or "?",
            ontvanger=ontvanger,
            body=f"<GerefereerdBericht>{escape(gerefereerd)}</GerefereerdBericht><Fouten>{fouten}</Fouten>",
        )
