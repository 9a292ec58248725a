"""WS-Security 1.1 signing of SOAP 1.1 envelopes (Digikoppeling WUS 2W-be-S).

Why our own code and not signxml: signxml is an XML-DSig library, not a WS-Security stack — it has
no BinarySecurityToken, SecurityTokenReference, Timestamp or SignatureConfirmation, signs one
enveloped target at a time, and re-serializes and re-parses the tree several times and validates
its own output against the DSig schema, which makes it about 2x slower than a minimal signer
(``shared/reference/perf-floor.md``: 755 vs 309 µs sign+verify at 4.5 KiB). What WS-Security
needs is small: one detached Signature in the Security header with one Reference per part, each
part found by ``wsu:Id``, exclusive C14N, RSA PKCS#1 v1.5 with SHA-2. That is written here on
lxml + cryptography, and checked against xmlsec1 in the interop tests.

The private key is loaded once (:class:`~gateway.security.certificates.Credentials`) and reused.
"""

from __future__ import annotations

import base64
import copy
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from cryptography.hazmat.primitives.asymmetric import padding
from cryptography.hazmat.primitives.serialization import Encoding
from lxml import etree

from gateway.security.certificates import Credentials
from gateway.security.errors import SecurityError
from gateway.security.namespaces import (
    ALGORITHMS,
    BASE64_BINARY,
    DIGEST_METHODS,
    DS,
    EXC_C14N,
    SIGNATURE_METHODS,
    WSSE,
    WSSE11,
    WSU,
    X509V3,
)
from gateway.security.settings import WsSecuritySettings
from gateway.security.xmldsig import digest_b64, ensure_id, exc_c14n, format_time
from gateway.soap.namespaces import SOAP, WSA, q

_NSMAP = {"wsse": WSSE, "wsu": WSU, "ds": DS}


@dataclass(frozen=True, slots=True)
class SignedEnvelope:
    data: bytes  # the serialized envelope, exactly as it must be sent
    signature_value: str  # base64 SignatureValue: the peer echoes it in SignatureConfirmation


def utcnow() -> datetime:
    return datetime.now(UTC)


class WsSigner:
    """Signs envelopes with one key: Timestamp + BinarySecurityToken + one Signature."""

    def __init__(
        self,
        credentials: Credentials,
        settings: WsSecuritySettings | None = None,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self._settings = settings or WsSecuritySettings()
        if self._settings.algorithm not in ALGORITHMS:
            raise SecurityError(
                "algorithm-refused",
                f"signing algorithm {self._settings.algorithm!r} is not allowed: use sha256, sha384, sha512",
            )
        self._sig_uri, self._digest_uri = ALGORITHMS[self._settings.algorithm]
        self._hash = SIGNATURE_METHODS[self._sig_uri]
        self._digest_name = DIGEST_METHODS[self._digest_uri]
        self._key = credentials.private_key
        self._token = base64.b64encode(credentials.certificate.public_bytes(Encoding.DER)).decode("ascii")
        self._clock = clock
        self._templates: dict[int, etree._Element] = {}

    def sign(self, envelope: etree._Element, *, confirmations: Sequence[str] = ()) -> SignedEnvelope:
        """Sign ``envelope`` in place and serialize it; ``confirmations``: request SignatureValues."""
        header, body = _header_and_body(envelope)
        if header.find(q(WSSE, "Security")) is not None:
            raise SecurityError("already-signed", "the envelope already has a WS-Security header")
        security = etree.SubElement(header, q(WSSE, "Security"), nsmap=_NSMAP)
        security.set(q(SOAP, "mustUnderstand"), "1")
        now = self._clock()
        timestamp = etree.SubElement(security, q(WSU, "Timestamp"))
        etree.SubElement(timestamp, q(WSU, "Created")).text = format_time(now)
        expires = now + timedelta(seconds=self._settings.timestamp_ttl_seconds)
        etree.SubElement(timestamp, q(WSU, "Expires")).text = format_time(expires)
        token = etree.SubElement(
            security, q(WSSE, "BinarySecurityToken"), EncodingType=BASE64_BINARY, ValueType=X509V3
        )
        token.text = self._token
        token_id = ensure_id(token, "X509")
        targets = [(body, "Body"), (timestamp, "TS")]
        targets += [
            (el, "WSA") for el in header if isinstance(el.tag, str) and el.tag.startswith(f"{{{WSA}}}")
        ]
        for value in confirmations:
            conf = etree.SubElement(security, q(WSSE11, "SignatureConfirmation"), nsmap={"wsse11": WSSE11})
            conf.set("Value", value)
            targets.append((conf, "SC"))
        signature = self._signature_element(security, targets, token_id)
        signed_info = signature.find(q(DS, "SignedInfo"))
        raw = self._key.sign(exc_c14n(signed_info), padding.PKCS1v15(), self._hash())
        value = base64.b64encode(raw).decode("ascii")
        signature.find(q(DS, "SignatureValue")).text = value
        return SignedEnvelope(etree.tostring(envelope, encoding="utf-8", xml_declaration=True), value)

    def _signature_element(
        self, security: etree._Element, targets: list[tuple[etree._Element, str]], token_id: str
    ) -> etree._Element:
        signature = copy.deepcopy(self._template(len(targets)))
        signature.set("Id", f"SIG-{token_id.split('-', 1)[1]}")
        signed_info = signature[0]
        for ref, (element, kind) in zip(signed_info[2:], targets, strict=True):
            ref.set("URI", f"#{ensure_id(element, kind)}")
            ref[2].text = digest_b64(exc_c14n(element), self._digest_name)  # DigestValue
        signature[2][0][0].set("URI", f"#{token_id}")  # KeyInfo/SecurityTokenReference/Reference
        security.append(signature)  # into the tree before SignedInfo is canonicalized
        return signature

    def _template(self, references: int) -> etree._Element:
        """The Signature element with ``references`` empty References, built once per count: copying
        it is several times cheaper than building ~35 elements one by one for every message."""
        template = self._templates.get(references)
        if template is None:
            template = etree.Element(q(DS, "Signature"), nsmap={"ds": DS})
            signed_info = etree.SubElement(template, q(DS, "SignedInfo"))
            etree.SubElement(signed_info, q(DS, "CanonicalizationMethod"), Algorithm=EXC_C14N)
            etree.SubElement(signed_info, q(DS, "SignatureMethod"), Algorithm=self._sig_uri)
            for _ in range(references):
                ref = etree.SubElement(signed_info, q(DS, "Reference"), URI="")
                transforms = etree.SubElement(ref, q(DS, "Transforms"))
                etree.SubElement(transforms, q(DS, "Transform"), Algorithm=EXC_C14N)
                etree.SubElement(ref, q(DS, "DigestMethod"), Algorithm=self._digest_uri)
                etree.SubElement(ref, q(DS, "DigestValue"))
            etree.SubElement(template, q(DS, "SignatureValue"))
            key_info = etree.SubElement(template, q(DS, "KeyInfo"))
            str_el = etree.SubElement(key_info, q(WSSE, "SecurityTokenReference"))
            etree.SubElement(str_el, q(WSSE, "Reference"), URI="", ValueType=X509V3)
            self._templates[references] = template
        return template


def _header_and_body(envelope: etree._Element) -> tuple[etree._Element, etree._Element]:
    if envelope.tag != q(SOAP, "Envelope"):
        raise SecurityError("not-soap", "only SOAP 1.1 envelopes can be signed")
    body = envelope.find(q(SOAP, "Body"))
    if body is None:
        raise SecurityError("not-soap", "the envelope has no Body")
    header = envelope.find(q(SOAP, "Header"))
    if header is None:
        header = etree.Element(q(SOAP, "Header"))
        envelope.insert(0, header)
    return header, body
