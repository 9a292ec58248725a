"""A local Schuldenknooppunt: the hub WSDL over mutual TLS with signed responses (``skgw hub``).

Every request is parsed with the hardened parser, its WS-Security signature verified strictly
(signer = TLS client, see :mod:`gateway.security.verifier`), its payload validated against
``schemas/hub/hub.xsd``, and then handed to :class:`~adapters.hub.simulator_state.HubState`.
Every answer — receipts and faults — is signed by the hub, carries RelatesTo and confirms the
request's signature. Refused requests change nothing. Faults can be injected (see
:mod:`adapters.hub.simulator_faults`); the admin endpoint (plain HTTP, loopback) shows the boxes
and sets faults and the clock.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from typing import Any

from aiohttp import web
from cryptography import x509
from lxml import etree

from adapters.hub import operations as ops
from adapters.hub.simulator_admin import admin_app
from adapters.hub.simulator_config import SimulatorConfig
from adapters.hub.simulator_faults import FaultPlan
from adapters.hub.simulator_state import HubState, SimClock, Validator
from adapters.hub.simulator_store import open_store
from adapters.hub.simulator_timing import ProcessingTimes
from gateway.security.certificates import Credentials, load_credentials, load_der_certificate
from gateway.security.errors import SecurityError
from gateway.security.signed_text import NotPlainText, plain_text
from gateway.security.signer import WsSigner
from gateway.security.tls import server_context
from gateway.security.trust import TrustStore
from gateway.security.verifier import WsVerifier
from gateway.soap.envelope import Addressing, build_envelope, new_message_id, parse_envelope
from gateway.soap.faults import FaultCode, SoapFault, build_fault
from gateway.soap.namespaces import HUB, SOAP, WSA, WSA_ANONYMOUS, q
from gateway.xml.errors import XmlInputError
from gateway.xml.validate import validate_document

log = logging.getLogger("skgw.hub")
_HUB_SCHEMA: etree.XMLSchema | None = None
_OPERATION_OF_ACTION = {ops.action(op): op for op in ops.OPERATIONS}
_HEADER, _MESSAGE_ID = q(SOAP, "Header"), q(WSA, "MessageID")


def hub_schema() -> etree.XMLSchema:
    global _HUB_SCHEMA
    if _HUB_SCHEMA is None:
        _HUB_SCHEMA = etree.XMLSchema(etree.parse(str(ops.XSD_PATH)))
    return _HUB_SCHEMA


def default_validator() -> Validator:
    """The catalogue's XSD validation of each document, as the gateway itself validates."""
    return validate_document


_DEFAULT = object()


class HubSimulator:
    def __init__(
        self,
        config: SimulatorConfig,
        *,
        validator: Validator | None | object = _DEFAULT,
        clock: SimClock | None = None,
        credentials: Credentials | None = None,
        trust: TrustStore | None = None,
    ) -> None:
        self.config = config
        if validator is _DEFAULT:
            validator = default_validator() if config.validate_documents else None
        self.state = HubState(
            config.partijen,
            clock=clock,
            validator=validator,  # type: ignore[arg-type]
            expiry_werkdagen=config.expiry_werkdagen,
            store=open_store(config.state_path),
            check_roles=config.check_roles,
        )
        self.faults: FaultPlan = FaultPlan.from_dict(config.faults.as_dict())
        #: how long the hub itself worked on each recent request, by its MessageID (admin API); lets a
        #: benchmark tell the hub's share of a message's latency from the gateway's
        self.processing_times = ProcessingTimes()
        creds = credentials or load_credentials(config.tls)
        self._signer = WsSigner(creds, config.wssecurity)
        trust = trust or TrustStore.from_files(config.tls.ca_bundle, config.tls.crl_files)
        self._verifier = WsVerifier(trust, config.wssecurity)
        self._ssl = server_context(config.tls, creds, trust.revocation)
        self._runners: list[web.AppRunner] = []
        self._sweeper: asyncio.Task[None] | None = None
        self.port: int | None = None
        self.admin_port: int | None = None
        self._handlers: dict[str, Callable[[str | None, etree._Element], etree._Element]] = {
            ops.VERSTUUR: self._verstuur,
            ops.HAAL_OP: self._haal_op,
            ops.BEVESTIG: self._bevestig,
        }

    @property
    def url(self) -> str:
        return f"https://{self.config.host}:{self.port}{self.config.path}"

    @property
    def admin_url(self) -> str | None:
        return f"http://{self.config.host}:{self.admin_port}/admin" if self.admin_port else None

    def soap_app(self) -> web.Application:
        app = web.Application(client_max_size=self.config.max_request_bytes)
        app.router.add_post(self.config.path, self.handle)
        return app

    async def start(self) -> None:
        self.port = await self._serve(self.soap_app(), self.config.port, self._ssl)
        if self.config.admin_port is not None:
            self.admin_port = await self._serve(admin_app(self), self.config.admin_port, None)
        self._sweeper = asyncio.create_task(self._sweep())
        log.info("hub simulator listening on %s (admin: %s)", self.url, self.admin_url or "off")
        log.info(
            "hub state: %s; %d message(s) held, %d waiting to be fetched",
            self.state.store.location
            if self.config.state_path
            else "in memory only (lost when the simulator stops)",
            self.state.totaal,
            self.state.wachtend,
        )

    async def _sweep(self, every_seconds: float = 60.0) -> None:
        """Delete expired unconfirmed messages once a minute, as the real hub would."""
        while True:
            await asyncio.sleep(every_seconds)
            try:
                self.state.verloop()
            except SoapFault:
                continue  # logged by the state; the next sweep tries again

    async def _serve(self, app: web.Application, port: int, ssl_context: Any) -> int:
        runner = web.AppRunner(app, access_log=None, handle_signals=False)
        await runner.setup()
        site = web.TCPSite(runner, self.config.host, port, ssl_context=ssl_context)
        await site.start()
        self._runners.append(runner)
        return runner.addresses[0][1]

    async def stop(self) -> None:
        if self._sweeper is not None:
            self._sweeper.cancel()
            self._sweeper = None
        for runner in reversed(self._runners):
            await runner.cleanup()
        self._runners.clear()
        self.state.close()

    # -- the SOAP endpoint ---------------------------------------------------------------------
    async def handle(self, request: web.Request) -> web.StreamResponse:
        # the caller and the request are read first: a request the client gave up on during injected
        # latency is still processed (as a real server would), not refused for want of a certificate
        caller = _peer_certificate(request)
        body = await request.read()
        plan = self.faults
        if plan.latency_ms:
            await asyncio.sleep(plan.latency_ms / 1000)
        if plan.take("drop"):
            log.info("fault injection: dropping the connection")
            if request.transport is not None:
                request.transport.abort()
            raise asyncio.CancelledError  # nothing may be written on a dropped connection
        if plan.take("http_503"):
            log.info("fault injection: HTTP 503")
            return web.Response(status=503, text="hub unavailable (injected fault)\n")
        return self.respond(body, caller)

    def respond(self, body: bytes, caller: x509.Certificate | None) -> web.Response:
        """Process one received request and build its signed answer (faults ``garbage``/``unsigned``)."""
        plan = self.faults
        started = time.perf_counter()
        payload, action, relates_to, confirm, status = self._process(body, caller)
        if plan.take("garbage"):
            log.info("fault injection: garbage answer")
            return web.Response(status=200, body=b"\x00<html>proxy error", content_type="text/xml")
        envelope = build_envelope(payload, Addressing(WSA_ANONYMOUS, action, new_message_id(), relates_to))
        if plan.take("unsigned"):
            log.info("fault injection: unsigned answer")
            data = etree.tostring(envelope, encoding="utf-8", xml_declaration=True)
        else:
            data = self._signer.sign(envelope, confirmations=confirm).data
        if relates_to is not None:
            self.processing_times.record(relates_to, time.perf_counter() - started)
        return web.Response(status=status, body=data, content_type="text/xml", charset="utf-8")

    def _process(
        self, body: bytes, caller: x509.Certificate | None
    ) -> tuple[etree._Element, str, str | None, list[str], int]:
        relates_to: str | None = None
        try:
            root = parse_envelope(body)
            relates_to = _unverified_message_id(root)
            if caller is None:
                raise SecurityError("no-client-certificate", "no TLS client certificate")
            verified = self._verifier.verify(root, peer_certificate=caller)
        except XmlInputError as exc:
            return self._fault(
                SoapFault.of(FaultCode.ONGELDIG_BERICHT, f"not a SOAP envelope: {exc}"), relates_to
            )
        except SecurityError as exc:
            log.warning("request refused: %s", exc)
            return self._fault(SoapFault.of(FaultCode.NIET_GEAUTORISEERD, str(exc)), relates_to)
        confirm = [verified.signature_value]
        try:
            operation, payload = self._operation(verified.action, verified.payload)
            answer = self._handlers[operation](verified.oin, payload)  # = the caller's: verify checked
        except SoapFault as fault:
            log.info("request %s answered with fault %s", verified.message_id, fault.code)
            return self._fault(fault, verified.message_id, confirm)
        return answer, ops.response_action(operation), verified.message_id, confirm, 200

    @staticmethod
    def _fault(
        fault: SoapFault, relates_to: str | None, confirm: list[str] | None = None
    ) -> tuple[etree._Element, str, str | None, list[str], int]:
        return build_fault(fault), ops.FAULT_ACTION, relates_to, confirm or [], 500

    @staticmethod
    def _operation(action: str, payload: etree._Element | None) -> tuple[str, etree._Element]:
        operation = _OPERATION_OF_ACTION.get(action)
        if operation is None:
            raise SoapFault.of(FaultCode.ONGELDIG_BERICHT, f"unknown wsa:Action {action}")
        if payload is None or payload.tag != q(HUB, operation):
            raise SoapFault.of(FaultCode.ONGELDIG_BERICHT, f"the Body does not hold hub:{operation}")
        schema = hub_schema()
        if not schema.validate(payload):
            error = schema.error_log.last_error
            raise SoapFault.of(FaultCode.ONGELDIG_BERICHT, f"{operation} is not valid: {error.message}")
        return operation, payload

    def _verstuur(self, caller_oin: str | None, payload: etree._Element) -> etree._Element:
        verzending = ops.read_verstuur_request(payload)
        injected = self.faults.berichttype.get(verzending.berichttype)
        if injected:
            raise SoapFault.of(FaultCode(injected), f"injected fault for {verzending.berichttype}")
        return ops.verstuur_response(self.state.verstuur(caller_oin, verzending))

    def _haal_op(self, caller_oin: str | None, payload: etree._Element) -> etree._Element:
        berichten, meer = self.state.haal_op(caller_oin, ops.read_haal_op_request(payload))
        return ops.haal_op_response(berichten, meer)

    def _bevestig(self, caller_oin: str | None, payload: etree._Element) -> etree._Element:
        referentienummer = ops.read_bevestig_request(payload)
        return ops.bevestig_response(referentienummer, self.state.bevestig(caller_oin, referentienummer))


def _unverified_message_id(root: etree._Element) -> str | None:
    """The request's MessageID, to relate even a refusal to it: the text of the first
    Header/MessageID, stripped; None when absent, empty or not plain text."""
    for header in root:
        if header.tag == _HEADER:
            for block in header:
                if block.tag == _MESSAGE_ID:
                    try:
                        return plain_text(block).strip() or None
                    except NotPlainText:
                        return None
    return None


def _peer_certificate(request: web.Request) -> x509.Certificate | None:
    ssl_object = request.transport.get_extra_info("ssl_object") if request.transport else None
    der = ssl_object.getpeercert(binary_form=True) if ssl_object is not None else None
    return load_der_certificate(der) if der else None
