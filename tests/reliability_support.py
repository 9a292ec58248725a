"""Shared material for the reliability tests against the real hub simulator.

* :func:`fixture_document`: an XSD-valid 2.0 fixture with a fresh Berichtheader (Referentienummer,
  ConversatieReferentienummer, Afzender, Ontvanger from the test address book).
* :class:`FixtureProcessing`: a small real :class:`~gateway.engine.processing.InboundProcessing`
  (catalogue XSD validation, Berichtheader read with lxml, Foutbericht built on the fixture).
* :class:`CountingSimulator`: the simulator, counting every VerstuurBericht per Referentienummer that
  reached its bookkeeping, optionally holding one request mid-flight (request received, no answer yet).
* :func:`admin`: a call to the simulator's admin endpoint.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import signal
import sys
from collections import Counter
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any

import aiohttp
from aiohttp import web
from lxml import etree

from adapters.hub.operations import Verzending
from adapters.hub.simulator import HubSimulator, _peer_certificate
from gateway.admission import Admission
from gateway.adresboek import Adresboek, Tegenpartij
from gateway.engine.processing import Inspection
from gateway.model.berichttype import Rol
from gateway.security.devpki import HUB_OIN
from gateway.store.base import Store
from gateway.xml.validate import validate_document
from tests.transport_support import SE_ID, SE_OIN

ROOT = Path(__file__).resolve().parent.parent
FIXTURES_20 = ROOT / "fixtures" / "valid" / "2.0"
NS_20 = "urn:skp-gateway:schuldregeling:2.0"
_REF = re.compile(rb"Referentienummer>([0-9a-f-]{36})<")
_HEADER = ("Referentienummer", "ConversatieReferentienummer", "Afzender", "Ontvanger")


@cache
def _template(name: str) -> bytes:
    return (FIXTURES_20 / f"{name}.xml").read_bytes()


def fixture_document(
    name: str, *, referentienummer: str, conversatie: str, afzender: str, ontvanger: str
) -> bytes:
    """The fixture ``fixtures/valid/2.0/<name>.xml`` with its Berichtheader filled in anew."""
    root = etree.fromstring(_template(name))
    header = root.find(f"{{{NS_20}}}Berichtheader")
    assert header is not None, name
    values = dict(zip(_HEADER, (referentienummer, conversatie, afzender, ontvanger), strict=True))
    for field, value in values.items():
        element = header.find(f"{{{NS_20}}}{field}")
        assert element is not None, (name, field)
        element.text = value
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def shv_trust(store: Store) -> Admission:
    """Inbound trust of the SHV side (Gemeente Test) whose address book holds Energie Test."""
    return Admission(store, Adresboek([Tegenpartij(SE_ID, "Energie Test", SE_OIN, Rol.SE)]), rol=Rol.SHV)


class FixtureProcessing:
    """Inbound processing for fixture-based documents: validate, read the header, no decoding."""

    def inspect(self, document: bytes) -> Inspection:
        report = validate_document(document)
        problems = tuple(p.to_dict() for p in report.problems)
        if report.tree is None or report.entry is None:
            return Inspection(ok=False, problems=problems)
        root = report.tree.getroot()
        header = {f: root.findtext(f"{{{NS_20}}}Berichtheader/{{{NS_20}}}{f}") for f in _HEADER}
        berichttype = report.entry.berichttype
        return Inspection(
            ok=report.ok,
            problems=problems,
            berichttype=berichttype,
            referentienummer=header["Referentienummer"],
            conversatie=header["ConversatieReferentienummer"],
            afzender=header["Afzender"],
            ontvanger=header["Ontvanger"],
            json_body=json.dumps({"berichttype": berichttype, **header}).encode() if report.ok else None,
        )

    def foutbericht(
        self, for_document: bytes, problems: Sequence[Mapping[str, Any]], *, referentienummer: str
    ) -> bytes:
        insp = self.inspect(for_document)
        root = etree.fromstring(
            fixture_document(
                "Foutbericht",
                referentienummer=referentienummer,
                conversatie=insp.conversatie or referentienummer,
                afzender=insp.ontvanger or "",
                ontvanger=insp.afzender or "",
            )
        )
        root.find(f"{{{NS_20}}}GerefereerdBericht").text = insp.referentienummer or "onbekend"  # type: ignore[union-attr]
        return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


class CountingSimulator(HubSimulator):
    """The simulator; ``sent`` counts VerstuurBericht calls per Referentienummer (new or resend) that
    reached its bookkeeping, ``confirmed`` the BevestigBericht calls (first or repeated).

    ``hold_next_verstuur()`` makes the next VerstuurBericht request wait after it was received
    (the body read, nothing processed, no answer) until :meth:`release` — "the hub is busy with it"."""

    def __init__(self, *args: Any, **kw: Any) -> None:
        super().__init__(*args, **kw)
        self.sent: Counter[str] = Counter()
        self.accepted_at: dict[str, datetime] = {}
        self._hold = False
        self.held_ref: str | None = None
        self.holding = asyncio.Event()
        self._release = asyncio.Event()
        verstuur = self.state.verstuur

        def counting(caller_oin: str | None, v: Verzending) -> Any:
            bewijs = verstuur(caller_oin, v)
            self.sent[v.referentienummer] += 1
            self.accepted_at.setdefault(v.referentienummer, bewijs.ontvangen_op)
            return bewijs

        bevestig = self.state.bevestig
        self.confirmed: Counter[str] = Counter()

        def counting_confirm(caller_oin: str | None, referentienummer: str) -> bool:
            before = bevestig(caller_oin, referentienummer)
            self.confirmed[referentienummer] += 1
            return before

        self.state.verstuur = counting  # type: ignore[method-assign]
        self.state.bevestig = counting_confirm  # type: ignore[method-assign]

    def hold_next_verstuur(self) -> None:
        self._hold = True
        self.holding.clear()
        self._release.clear()

    def release(self) -> None:
        self._release.set()

    async def handle(self, request: web.Request) -> web.StreamResponse:
        if not self._hold:
            return await super().handle(request)
        body = await request.read()
        if b"VerstuurBericht" not in body:
            return await super().handle(request)
        self._hold = False
        found = _REF.search(body)
        self.held_ref = found.group(1).decode() if found else None
        caller = _peer_certificate(request)  # read while the sender is still connected
        self.holding.set()
        await asyncio.wait_for(self._release.wait(), timeout=30)
        return self.respond(body, caller)  # processed as every request; the answer may find no one


async def admin(sim: HubSimulator, method: str, path: str, body: Any = None) -> Any:
    """Call the simulator's admin endpoint over HTTP (as a tester would) and return its JSON."""
    assert sim.admin_url is not None
    async with aiohttp.ClientSession() as http:
        async with http.request(method, f"{sim.admin_url}{path}", json=body) as response:
            assert response.status < 500, await response.text()
            return await response.json()


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(UTC)


def worker_config(
    store: Any, sim: HubSimulator, pki_dir: Path, afzender: str, **extra: Any
) -> dict[str, Any]:
    """The JSON config of ``tests/reliability_worker.py`` for a store opened by ``store_factory``."""
    schema = getattr(store, "schema", None)
    return {
        "store": store.dsn if schema else str(store.path),
        "schema": schema,
        "url": sim.url,
        "pki": str(pki_dir),
        "cert": "shv",
        "afzender": afzender,
        "hub_oin": HUB_OIN,
        **extra,
    }


async def start_worker(config: dict[str, Any], log_path: Path) -> asyncio.subprocess.Process:
    """Start a gateway worker process and wait until it says it is ready."""
    with open(log_path, "wb") as log:
        proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "tests.reliability_worker", json.dumps(config),
            cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)}, stdout=asyncio.subprocess.PIPE, stderr=log,
        )  # fmt: skip
    assert proc.stdout is not None
    line = await asyncio.wait_for(proc.stdout.readline(), timeout=20)
    assert line.strip() == b"ready", (line, log_path.read_text())
    return proc


async def kill(proc: asyncio.subprocess.Process) -> None:
    """SIGKILL, no goodbye."""
    if proc.returncode is None:
        proc.send_signal(signal.SIGKILL)
        await proc.wait()


async def stop(proc: asyncio.subprocess.Process) -> None:
    """SIGTERM (the worker finishes its round and closes), SIGKILL after 10 s."""
    if proc.returncode is None:
        proc.send_signal(signal.SIGTERM)
        try:
            await asyncio.wait_for(proc.wait(), timeout=10)
        except TimeoutError:
            await kill(proc)
