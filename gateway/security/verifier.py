"""Strict verification of WS-Security 1.1 signed SOAP 1.1 envelopes.

The checks, in order (any failure raises :class:`SecurityError` and nothing is handed on):

1. shape: one Envelope with at most one Header and exactly one Body; exactly one ``wsse:Security``
   header holding exactly one Timestamp and one Signature; every id in the document unique;
2. SignedInfo: exclusive C14N, RSA with SHA-256/384/512 (SHA-1 refused by name), every Reference a
   same-document ``#id`` to a distinct element outside the Signature, exclusive C14N transform,
   SHA-2 digest that matches;
3. coverage: the Body that is *the* child of Envelope, the Timestamp, every WS-Addressing header
   and every SignatureConfirmation must each be one of the referenced elements — found by their
   position, not by following the references, so a signed element moved elsewhere (signature
   wrapping) leaves the real one unsigned and is refused;
4. the SignatureValue over SignedInfo with the key of the referenced BinarySecurityToken;
5. the signer certificate: chains to the trust store, valid now, not revoked, and matches the
   expected OIN and/or the TLS peer certificate;
6. freshness: Created not in the future and the envelope not expired, both within the skew;
7. replay: a (MessageID, signature) pair seen before is refused (see :mod:`.replay`).

Only the elements that were verified are returned in :class:`VerifiedEnvelope`; callers read the
Body and the WS-Addressing values from there and nowhere else.
"""

from __future__ import annotations

import base64
import binascii
import hmac
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from lxml import etree

from gateway.security.certificates import load_der_certificate, oin_of, subject_text
from gateway.security.errors import SecurityError
from gateway.security.namespaces import (
    DIGEST_METHODS,
    DS,
    EXC_C14N,
    SHA1_URIS,
    SIGNATURE_METHODS,
    WSSE,
    WSSE11,
    WSU,
    WSU_ID,
    X509V3,
)
from gateway.security.replay import ReplayCache
from gateway.security.settings import WsSecuritySettings
from gateway.security.signer import utcnow
from gateway.security.trust import TrustStore
from gateway.security.xmldsig import digest_b64, exc_c14n, inclusive_prefixes, parse_time
from gateway.soap.namespaces import SOAP, WSA, q

_ID_ATTRS = (WSU_ID, "Id", "ID", "id")
REQUIRED_WSA = ("To", "Action", "MessageID")


@dataclass(frozen=True, slots=True)
class VerifiedEnvelope:
    body: etree._Element  # the verified soap:Body (its first child is the payload)
    addressing: dict[str, str]  # verified WS-Addressing headers: local name -> value
    certificate: x509.Certificate
    oin: str | None
    signature_value: str  # to echo in SignatureConfirmation
    confirmations: tuple[str, ...]  # verified SignatureConfirmation values
    created: datetime

    @property
    def message_id(self) -> str:
        return self.addressing["MessageID"]

    @property
    def action(self) -> str:
        return self.addressing["Action"]

    @property
    def payload(self) -> etree._Element | None:
        children = [c for c in self.body if isinstance(c.tag, str)]
        return children[0] if children else None


def _b64_text(text: str | None) -> str:
    """base64 content with the line breaks and spaces XML-DSig allows (xmlsec1 wraps at 64) removed."""
    return "".join((text or "").split())


def _fail(code: str, message: str) -> SecurityError:
    return SecurityError(code, message)


class WsVerifier:
    def __init__(
        self,
        trust: TrustStore,
        settings: WsSecuritySettings | None = None,
        replay: ReplayCache | None = None,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self._trust = trust
        self._settings = settings or WsSecuritySettings()
        self._replay = replay if replay is not None else ReplayCache(self._settings.replay_cache_size)
        self._clock = clock

    def verify(
        self,
        envelope: etree._Element,
        *,
        expected_oin: str | None = None,
        peer_certificate: x509.Certificate | None = None,
        expected_confirmation: str | None = None,
    ) -> VerifiedEnvelope:
        header, body, security = _locate(envelope)
        ids = _id_map(envelope)
        timestamp = _single(security, q(WSU, "Timestamp"), "Timestamp")
        signature = _single(security, q(DS, "Signature"), "Signature")
        signed_info = _single(signature, q(DS, "SignedInfo"), "SignedInfo")
        hash_cls = _check_signed_info(signed_info)
        referenced = _check_references(signed_info, ids, signature)
        wsa = _require_covered(header, body, security, timestamp, referenced)
        certificate = _token_certificate(signature, ids, security)
        value = _b64_text(signature.findtext(q(DS, "SignatureValue")))
        _check_signature_value(
            certificate, value, exc_c14n(signed_info, _c14n_prefixes(signed_info)), hash_cls
        )
        now = self._clock()
        self._trust.validate(certificate, now)
        oin = oin_of(certificate)
        _check_identity(certificate, oin, expected_oin, peer_certificate)
        created, until = self._check_freshness(timestamp, now)
        confirmations = tuple(
            c.get("Value", "") for c in security.findall(q(WSSE11, "SignatureConfirmation"))
        )
        if expected_confirmation is not None and expected_confirmation not in confirmations:
            raise _fail(
                "confirmation-mismatch",
                "the response does not confirm the signature of our request (SignatureConfirmation)",
            )
        self._replay.check_and_remember(wsa["MessageID"], value, until, now)
        return VerifiedEnvelope(body, wsa, certificate, oin, value, confirmations, created)

    def _check_freshness(self, timestamp: etree._Element, now: datetime) -> tuple[datetime, datetime]:
        skew = timedelta(seconds=self._settings.clock_skew_seconds)
        created = parse_time(timestamp.findtext(q(WSU, "Created")), "Created")
        expires_text = timestamp.findtext(q(WSU, "Expires"))
        ttl = timedelta(seconds=self._settings.timestamp_ttl_seconds)
        expires = parse_time(expires_text, "Expires") if expires_text is not None else created + ttl
        if created > now + skew:
            raise _fail("timestamp-future", "the Timestamp Created lies in the future (check the clocks)")
        if expires < now - skew or created + ttl < now - skew:
            raise _fail("timestamp-expired", "the message Timestamp has expired")
        return created, max(expires, created + ttl) + skew


def _locate(envelope: etree._Element) -> tuple[etree._Element, etree._Element, etree._Element]:
    if envelope.tag != q(SOAP, "Envelope"):
        raise _fail("not-soap", "the document is not a SOAP 1.1 Envelope")
    children = [c for c in envelope if isinstance(c.tag, str)]
    headers = [c for c in children if c.tag == q(SOAP, "Header")]
    bodies = [c for c in children if c.tag == q(SOAP, "Body")]
    if len(bodies) != 1 or len(headers) > 1 or len(children) != len(headers) + len(bodies):
        raise _fail("not-soap", "the Envelope must hold at most one Header and exactly one Body")
    if not headers:
        raise _fail("unsigned", "the envelope is not signed (no SOAP Header, no WS-Security)")
    for block in headers[0]:
        understood = block.tag == q(WSSE, "Security") or str(block.tag).startswith(f"{{{WSA}}}")
        if (
            isinstance(block.tag, str)
            and not understood
            and block.get(q(SOAP, "mustUnderstand")) in ("1", "true")
        ):
            raise _fail(
                "must-understand", f"header {block.tag} is marked mustUnderstand but is not supported"
            )
    securities = headers[0].findall(q(WSSE, "Security"))
    if not securities:
        raise _fail("unsigned", "the envelope is not signed (no wsse:Security header)")
    if len(securities) > 1:
        raise _fail("ambiguous-security", "the envelope has more than one wsse:Security header")
    return headers[0], bodies[0], securities[0]


def _single(parent: etree._Element, tag: str, name: str) -> etree._Element:
    found = parent.findall(tag)
    if not found:
        code = "unsigned" if name == "Signature" else "missing-part"
        raise _fail(code, f"the wsse:Security header has no {name}")
    if len(found) > 1:
        raise _fail("ambiguous-security", f"the wsse:Security header has more than one {name}")
    return found[0]


def _id_map(envelope: etree._Element) -> dict[str, etree._Element]:
    ids: dict[str, etree._Element] = {}
    for element in envelope.iter(etree.Element):  # elements only: no comments, no PIs
        names = element.keys()
        if not names:  # most elements carry no attribute: one call instead of four lookups
            continue
        for attr in _ID_ATTRS:
            if attr not in names:
                continue
            value = element.get(attr)
            if value in ids and ids[value] is not element:
                raise _fail("id-duplicate", f"the id {value!r} occurs more than once in the envelope")
            ids[value] = element
    return ids


def _c14n_prefixes(element: etree._Element) -> list[str] | None:
    method = element.find(q(DS, "CanonicalizationMethod"))
    return inclusive_prefixes(method) if method is not None else None


def _check_signed_info(signed_info: etree._Element) -> type:
    c14n = signed_info.find(q(DS, "CanonicalizationMethod"))
    if c14n is None or c14n.get("Algorithm") != EXC_C14N:
        raise _fail("algorithm-refused", "SignedInfo must use exclusive C14N (xml-exc-c14n#)")
    method = signed_info.find(q(DS, "SignatureMethod"))
    uri = method.get("Algorithm") if method is not None else None
    if uri in SHA1_URIS:
        raise _fail("sha1-refused", f"SHA-1 signatures are refused (Digikoppeling: SHA-2 only): {uri}")
    if uri not in SIGNATURE_METHODS:
        raise _fail("algorithm-refused", f"signature method {uri} is not allowed (rsa-sha256/384/512)")
    return SIGNATURE_METHODS[uri]


_TRANSFORMS, _TRANSFORM = q(DS, "Transforms"), q(DS, "Transform")
_DIGEST_METHOD, _DIGEST_VALUE = q(DS, "DigestMethod"), q(DS, "DigestValue")


def _child(parent: etree._Element, tag: str) -> etree._Element | None:
    """The first child element with this tag, as ``parent.find(tag)`` without ElementPath."""
    return next(parent.iterchildren(tag), None)


def _check_references(
    signed_info: etree._Element, ids: dict[str, etree._Element], signature: etree._Element
) -> set[int]:
    """Verify every Reference digest; return the identities (id()) of the referenced elements."""
    references = signed_info.findall(q(DS, "Reference"))
    if not references:
        raise _fail("unsigned-part", "the Signature references nothing")
    seen: set[int] = set()
    for ref in references:
        uri = ref.get("URI") or ""
        if not uri.startswith("#") or uri[1:] not in ids:
            raise _fail("reference-invalid", f"Reference URI {uri!r} does not point to an id in the envelope")
        target = ids[uri[1:]]
        if id(target) in seen:
            raise _fail("reference-invalid", f"the element {uri} is referenced twice")
        if target is signature or any(a is signature for a in target.iterancestors()):
            raise _fail("reference-invalid", "a Reference points into the Signature itself")
        # children of children, as findall("ds:Transforms/ds:Transform") but without ElementPath
        transforms = [t for ts in ref.iterchildren(_TRANSFORMS) for t in ts.iterchildren(_TRANSFORM)]
        if len(transforms) > 1 or any(t.get("Algorithm") != EXC_C14N for t in transforms):
            raise _fail("algorithm-refused", f"Reference {uri}: only the exclusive C14N transform is allowed")
        prefixes = inclusive_prefixes(transforms[0]) if transforms else None
        digest_method = _child(ref, _DIGEST_METHOD)
        digest_uri = digest_method.get("Algorithm") if digest_method is not None else None
        if digest_uri in SHA1_URIS:
            raise _fail(
                "sha1-refused", f"Reference {uri}: SHA-1 digests are refused (Digikoppeling: SHA-2 only)"
            )
        if digest_uri not in DIGEST_METHODS:
            raise _fail("algorithm-refused", f"Reference {uri}: digest method {digest_uri} is not allowed")
        value_el = _child(ref, _DIGEST_VALUE)
        expected = _b64_text(value_el.text if value_el is not None else None)
        actual = digest_b64(exc_c14n(target, prefixes), DIGEST_METHODS[digest_uri])
        if not hmac.compare_digest(expected.encode("ascii", "replace"), actual.encode("ascii")):
            raise _fail(
                "digest-mismatch", f"the signed element {target.tag} ({uri}) was changed after signing"
            )
        seen.add(id(target))
    return seen


def _require_covered(
    header: etree._Element,
    body: etree._Element,
    security: etree._Element,
    timestamp: etree._Element,
    referenced: set[int],
) -> dict[str, str]:
    def need(element: etree._Element, name: str) -> None:
        if id(element) not in referenced:
            raise _fail("unsigned-part", f"{name} is not covered by the signature")

    need(body, "the SOAP Body")
    need(timestamp, "the Timestamp")
    wsa: dict[str, str] = {}
    for element in header:
        if isinstance(element.tag, str) and element.tag.startswith(f"{{{WSA}}}"):
            local = etree.QName(element).localname
            need(element, f"the WS-Addressing header {local}")
            if local in wsa:
                raise _fail("ambiguous-addressing", f"the WS-Addressing header {local} occurs twice")
            wsa[local] = (element.text or "").strip()
    for conf in security.findall(q(WSSE11, "SignatureConfirmation")):
        need(conf, "a SignatureConfirmation")
    missing = [name for name in REQUIRED_WSA if not wsa.get(name)]
    if missing:
        raise _fail("addressing-missing", f"required WS-Addressing headers missing: {', '.join(missing)}")
    return wsa


def _token_certificate(
    signature: etree._Element, ids: dict[str, etree._Element], security: etree._Element
) -> x509.Certificate:
    ref = signature.find(f"{q(DS, 'KeyInfo')}/{q(WSSE, 'SecurityTokenReference')}/{q(WSSE, 'Reference')}")
    uri = ref.get("URI", "") if ref is not None else ""
    token = ids.get(uri[1:]) if uri.startswith("#") else None
    if token is None or token.tag != q(WSSE, "BinarySecurityToken") or token.getparent() is not security:
        raise _fail("token-missing", "KeyInfo must reference a BinarySecurityToken in the Security header")
    if token.get("ValueType") != X509V3:
        raise _fail("token-invalid", "the BinarySecurityToken is not an X509v3 certificate")
    try:
        return load_der_certificate(base64.b64decode(_b64_text(token.text), validate=True))
    except (ValueError, binascii.Error):
        raise _fail("token-invalid", "the BinarySecurityToken does not hold a readable certificate") from None


def _check_signature_value(cert: x509.Certificate, value: str, signed: bytes, hash_cls: type) -> None:
    key = cert.public_key()
    if not isinstance(key, rsa.RSAPublicKey):
        raise _fail("algorithm-refused", "the signer certificate does not hold an RSA key")
    try:
        key.verify(base64.b64decode(value, validate=True), signed, padding.PKCS1v15(), hash_cls())
    except (InvalidSignature, ValueError, binascii.Error):
        raise _fail(
            "signature-invalid", "the SignatureValue does not verify with the signer certificate"
        ) from None


def _check_identity(
    cert: x509.Certificate,
    oin: str | None,
    expected_oin: str | None,
    peer: x509.Certificate | None,
) -> None:
    if expected_oin is not None and oin != expected_oin:
        raise _fail(
            "oin-mismatch",
            f"the message is signed by OIN {oin or '(none)'} ({subject_text(cert)}), "
            f"expected OIN {expected_oin}",
        )
    if peer is not None and oin_of(peer) != oin:
        raise _fail(
            "peer-mismatch",
            f"the signer (OIN {oin or '(none)'}) is not the TLS peer (OIN {oin_of(peer) or '(none)'})",
        )
