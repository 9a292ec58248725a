"""WS-Security for zeep clients (integration testers' scripts) using our signer and verifier.

zeep's own ``wsse.Signature`` needs python-xmlsec, signs neither the WS-Addressing headers nor a
Timestamp, and checks no SignatureConfirmation.
Pass an instance as ``zeep.Client(WSDL, wsse=ZeepWsSecurity(...))``: our WSDL declares
``wsam:Action``, so zeep adds To/Action/MessageID itself, before ``wsse`` runs — the addressing
headers exist when we sign (do not add zeep's WsAddressingPlugin too: the headers would double and
the hub refuses that as ambiguous).
One instance serves one call at a time (it remembers the last request's signature).
"""

from __future__ import annotations

from lxml import etree

from gateway.security.signer import WsSigner
from gateway.security.verifier import VerifiedEnvelope, WsVerifier
from gateway.soap.faults import parse_fault


class ZeepWsSecurity:
    def __init__(self, signer: WsSigner, verifier: WsVerifier, hub_oin: str | None = None) -> None:
        self._signer = signer
        self._verifier = verifier
        self._hub_oin = hub_oin
        self._last_signature: str | None = None
        self.last_verified: VerifiedEnvelope | None = None

    def apply(self, envelope: etree._Element, headers: dict) -> tuple[etree._Element, dict]:
        self._last_signature = self._signer.sign(envelope).signature_value
        return envelope, headers

    def verify(self, envelope: etree._Element) -> etree._Element:
        verified = self._verifier.verify(envelope, expected_oin=self._hub_oin)
        if parse_fault(verified.payload) is None and self._last_signature not in verified.confirmations:
            from gateway.security.errors import SecurityError

            raise SecurityError(
                "confirmation-mismatch", "the response does not confirm our request's signature"
            )
        self.last_verified = verified
        return envelope
