"""The hub client: :class:`gateway.engine.ports.HubPort` over SOAP 1.1 + WS-Security + mTLS.

One :class:`aiohttp.ClientSession` with one TLS connection pool is created on first use and reused
for every call until :meth:`HubClient.close`. Every request is signed; every response — receipts
and faults alike — must carry a valid signature from the hub, relate to our request (RelatesTo)
and, unless it is a fault, confirm our signature (SignatureConfirmation). Anything less is not a
delivery: see :mod:`adapters.hub.classify` for the full table.
"""

from __future__ import annotations

import logging
import ssl
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

import aiohttp
from cryptography import x509
from lxml import etree

from adapters.hub import operations as ops
from adapters.hub.classify import CallFailed, failed, from_exception, from_status
from adapters.hub.settings import HubClientSettings
from gateway.engine.ports import FetchedMessage, FetchResult, HubError, HubResult, Outcome
from gateway.engine.retry import classified
from gateway.security.certificates import Credentials, days_left, load_credentials, load_der_certificate
from gateway.security.errors import SecurityError
from gateway.security.signed_text import NotPlainText
from gateway.security.signer import WsSigner, utcnow
from gateway.security.tls import client_context
from gateway.security.trust import TrustStore
from gateway.security.verifier import VerifiedEnvelope, WsVerifier
from gateway.soap.envelope import Addressing, build_envelope, message_id_for, new_message_id, parse_envelope
from gateway.soap.faults import parse_fault
from gateway.xml.errors import XmlInputError
from gateway.xml.parsing import ParseLimits

log = logging.getLogger("skgw.hub.client")


@dataclass(frozen=True, slots=True)
class _Answer:
    payload: etree._Element
    raw: bytes


class HubClient:
    """Implements ``HubPort``: ``send``, ``fetch``, ``confirm``, ``close``."""

    def __init__(
        self,
        settings: HubClientSettings,
        *,
        credentials: Credentials | None = None,
        trust: TrustStore | None = None,
        ssl_context: ssl.SSLContext | None = None,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self._settings = settings
        creds = credentials or load_credentials(settings.tls)
        self._certificate = creds.certificate
        self._signer = WsSigner(creds, settings.wssecurity, clock)
        trust = trust or TrustStore.from_files(settings.tls.ca_bundle, settings.tls.crl_files)
        self._verifier = WsVerifier(trust, settings.wssecurity, clock=clock)
        self._crls = trust.revocation  # one set of CRLs for the hub's signature and its TLS certificate
        self._ssl = ssl_context or client_context(settings.tls, creds, self._crls)
        self._session: aiohttp.ClientSession | None = None
        # a HaalBerichtenOp answer holds whole messages (base64): bounded by max_response_bytes, not
        # by the [xml] limits of one message, and a single Document may exceed libxml2's 10 MB text limit
        self._answer_limits = ParseLimits(max_bytes=settings.max_response_bytes, long_text=True)

    def _http(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            s = self._settings
            connector = aiohttp.TCPConnector(
                ssl=self._ssl, limit=s.max_connections, keepalive_timeout=s.keepalive_seconds
            )
            timeout = aiohttp.ClientTimeout(
                total=s.request_timeout_seconds, sock_connect=s.connect_timeout_seconds
            )
            self._session = aiohttp.ClientSession(connector=connector, timeout=timeout)
        return self._session

    def certificate_days_left(self) -> int:
        """Days until our own certificate expires (for health checks)."""
        return days_left(self._certificate)

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def send(
        self, *, referentienummer: str, ontvanger: str, berichttype: str, document: bytes
    ) -> HubResult:
        verzending = ops.Verzending(
            referentienummer, self._settings.afzender, ontvanger, berichttype, document
        )
        try:
            answer = await self._call(
                ops.VERSTUUR, ops.verstuur_request(verzending), message_id_for(referentienummer)
            )
            bewijs = ops.read_verstuur_response(answer.payload)
            if bewijs.referentienummer != referentienummer:
                raise failed("response-mismatch", "the receipt names another Referentienummer")
        except CallFailed as stop:
            return self._logged(ops.VERSTUUR, referentienummer, stop.result)
        except ops.PayloadError as exc:
            return self._logged(ops.VERSTUUR, referentienummer, _bad_payload(exc, answer.raw))
        outcome = Outcome.DUPLICATE_ACCEPTED if bewijs.herhaling else Outcome.DELIVERED
        reason = "resend: the hub returned the first receipt" if bewijs.herhaling else "accepted by the hub"
        return self._logged(ops.VERSTUUR, referentienummer, HubResult(outcome, reason, None, answer.raw))

    async def fetch(self, max_messages: int = 100) -> FetchResult:
        maximum = max(1, min(int(max_messages), ops.MAX_PER_FETCH))
        try:
            answer = await self._call(ops.HAAL_OP, ops.haal_op_request(maximum), new_message_id())
            regels, meer = ops.read_haal_op_response(answer.payload)
        except CallFailed as stop:
            r = stop.result
            log.warning("HaalBerichtenOp failed: %s (%s, %s)", r.reason, r.outcome, r.code)
            raise HubError(r.reason, retryable=r.outcome is Outcome.RETRYABLE, code=r.code) from None
        except ops.PayloadError as exc:
            r = _bad_payload(exc, answer.raw)
            raise HubError(r.reason, retryable=r.outcome is Outcome.RETRYABLE, code=r.code) from None
        berichten = []
        for regel in regels:
            if regel.ontvanger != self._settings.afzender:
                log.warning("skipping message %s addressed to another party", regel.referentienummer)
                continue
            berichten.append(
                FetchedMessage(
                    referentienummer=regel.referentienummer,
                    berichttype=regel.berichttype,
                    afzender=regel.afzender,
                    document=regel.document,
                    hub_received_at=regel.ontvangen_op,
                    afzender_oin=regel.afzender_oin,
                )
            )
        log.info("HaalBerichtenOp: %d message(s), more waiting: %s", len(berichten), meer)
        return FetchResult(messages=berichten, envelope=answer.raw, more=meer)

    async def confirm(self, referentienummer: str) -> HubResult:
        try:
            answer = await self._call(ops.BEVESTIG, ops.bevestig_request(referentienummer), new_message_id())
            ref, herhaling = ops.read_bevestig_response(answer.payload)
            if ref != referentienummer:
                raise failed("response-mismatch", "the confirmation names another Referentienummer")
        except CallFailed as stop:
            return self._logged(ops.BEVESTIG, referentienummer, stop.result)
        except ops.PayloadError as exc:
            return self._logged(ops.BEVESTIG, referentienummer, _bad_payload(exc, answer.raw))
        outcome = Outcome.DUPLICATE_ACCEPTED if herhaling else Outcome.DELIVERED
        return self._logged(ops.BEVESTIG, referentienummer, HubResult(outcome, "confirmed", None, answer.raw))

    async def _call(self, operation: str, payload: etree._Element, message_id: str) -> _Answer:
        endpoint = self._settings.endpoint
        envelope = build_envelope(payload, Addressing(endpoint, ops.action(operation), message_id))
        signed = self._signer.sign(envelope)
        self._crls.refresh()  # a CRL file replaced since: in the TLS context before we connect
        headers = {"Content-Type": "text/xml; charset=utf-8", "SOAPAction": f'"{ops.action(operation)}"'}
        try:
            async with self._http().post(
                endpoint, data=signed.data, headers=headers, allow_redirects=False
            ) as response:
                ended = from_status(response.status)
                if ended is not None:
                    raise ended
                peer = _tls_peer(response)
                if peer is None and self._settings.hub_oin is None:
                    raise failed(
                        "signature-invalid", "cannot tell who answered (no TLS peer certificate); set hub_oin"
                    )
                raw = await self._read(response)
        except CallFailed:
            raise
        except (aiohttp.ClientError, OSError, TimeoutError) as exc:
            raise from_exception(exc, endpoint) from None
        return self._verified_answer(raw, message_id, signed.signature_value, peer)

    async def _read(self, response: aiohttp.ClientResponse) -> bytes:
        limit = self._settings.max_response_bytes
        chunks: list[bytes] = []
        size = 0
        async for chunk in response.content.iter_chunked(64 * 1024):
            size += len(chunk)
            if size > limit:
                raise failed("response-too-large", f"the hub's answer exceeds {limit} bytes")
            chunks.append(chunk)
        return b"".join(chunks)

    def _verified_answer(
        self, raw: bytes, message_id: str, our_signature: str, peer: x509.Certificate | None
    ) -> _Answer:
        try:
            root = parse_envelope(raw, self._answer_limits)
        except XmlInputError as exc:
            raise failed(
                "garbage-response", f"the hub's answer is not a SOAP envelope: {exc}", raw
            ) from None
        try:
            verified = self._verifier.verify(root, expected_oin=self._settings.hub_oin, peer_certificate=peer)
        except SecurityError as exc:
            code = "unsigned-response" if exc.code == "unsigned" else "signature-invalid"
            raise failed(
                code, f"the hub's answer cannot be trusted: {exc.message} [{exc.code}]", raw
            ) from None
        if verified.addressing.get("RelatesTo") != message_id:
            raise failed(
                "response-mismatch", "the hub's answer does not relate to our request (RelatesTo)", raw
            )
        return self._payload_or_fault(verified, raw, our_signature)

    def _payload_or_fault(self, verified: VerifiedEnvelope, raw: bytes, our_signature: str) -> _Answer:
        try:
            payload = verified.payload
            fault = parse_fault(payload)
        except (XmlInputError, NotPlainText) as exc:
            raise failed("garbage-response", str(exc), raw) from None
        if fault is not None:
            reason = f"hub fault {fault.code}: {fault.message}"
            raise failed(fault.code, reason, raw, by=(fault.code, f"soap:{fault.soap_code}"))
        if our_signature not in verified.confirmations:
            raise failed(
                "signature-invalid",
                "the hub's answer does not confirm our signature (SignatureConfirmation)",
                raw,
            )
        if payload is None:
            raise failed("garbage-response", "the hub's answer has an empty Body", raw)
        return _Answer(payload, raw)

    @staticmethod
    def _logged(operation: str, referentienummer: str, result: HubResult) -> HubResult:
        level = logging.INFO if result.outcome.done else logging.WARNING
        log.log(
            level, "%s %s: %s (%s)", operation, referentienummer, result.outcome, result.code or result.reason
        )
        return result


def _tls_peer(response: aiohttp.ClientResponse) -> x509.Certificate | None:
    """The hub's TLS certificate: the response signer must be the same organisation (OIN).

    Read through the response's protocol, because aiohttp hands a connection back to the pool
    (``response.connection`` becomes None) as soon as a small body has been received.
    """
    protocol = getattr(response, "_protocol", None)
    transport = getattr(protocol, "transport", None)
    ssl_object = transport.get_extra_info("ssl_object") if transport is not None else None
    der = ssl_object.getpeercert(binary_form=True) if ssl_object is not None else None
    return load_der_certificate(der) if der else None


def _bad_payload(exc: ops.PayloadError, raw: bytes) -> HubResult:
    return classified("bad-response", f"the hub's answer is malformed: {exc}", raw)
