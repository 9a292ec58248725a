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
   wrapping) leaves the real one unsigned and is refused; no comment inside a signed part and no
   processing instruction anywhere, and every value read is the whole text of an element that
   holds text only (see :mod:`.signed_text`): what is used is exactly what was signed;
4. the SignatureValue over SignedInfo with the key of the referenced BinarySecurityToken;
5. the signer certificate: chains to the trust store under the certificate policy, valid now, not
   revoked (see :mod:`.trust`); the TLS peer's certificate, when it is another one, the same; the
   signer matches the expected OIN and/or the TLS peer's OIN;
6. freshness: Created not in the future and the envelope not expired, both within the skew;
7. replay: a (MessageID, signature) pair seen before is refused (see :mod:`.replay`).

The parts are found by :mod:`.layout`; SignedInfo, References and coverage are checked by
:mod:`.references`. Only the elements that were verified are returned in :class:`VerifiedEnvelope`;
callers read the Body and the WS-Addressing values from there and nowhere else.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from lxml import etree

from gateway.security.certificates import load_der_certificate, oin_of, subject_text
from gateway.security.errors import SecurityError
from gateway.security.layout import (
    Layout,
    SignatureParts,
    id_map,
    locate,
    signature_parts,
    single,
    token_reference,
)
from gateway.security.namespaces import WSSE, WSU, X509V3
from gateway.security.references import check_references, check_signed_info, require_covered
from gateway.security.replay import ReplayCache
from gateway.security.settings import WsSecuritySettings
from gateway.security.shape import SignedInfoShape, from_text, from_tree
from gateway.security.signed_text import refuse_hidden_nodes, verified_text
from gateway.security.signer import utcnow
from gateway.security.trust import TrustStore
from gateway.security.xmldsig import b64_text, exc_c14n, parse_time
from gateway.soap.namespaces import q

_TOKEN = q(WSSE, "BinarySecurityToken")
_CREATED, _EXPIRES = q(WSU, "Created"), q(WSU, "Expires")
_PKCS1 = padding.PKCS1v15()
MAX_CACHED_TOKENS = 256


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
        self._skew = timedelta(seconds=self._settings.clock_skew_seconds)
        self._ttl = timedelta(seconds=self._settings.timestamp_ttl_seconds)

    def verify(
        self,
        envelope: etree._Element,
        *,
        expected_oin: str | None = None,
        peer_certificate: x509.Certificate | None = None,
        expected_confirmation: str | None = None,
    ) -> VerifiedEnvelope:
        layout = locate(envelope)
        parts = signature_parts(layout.signatures[0]) if len(layout.signatures) == 1 else None
        early = _read_early(parts)
        ids = id_map(envelope, skip=early[0] if early is not None else None)
        timestamp = single(layout.timestamps, "Timestamp")
        signature = single(layout.signatures, "Signature")
        parts = parts or signature_parts(signature)
        signed_info = single(parts.signed_infos, "SignedInfo")
        signed, shape = (early[1], early[2]) if early is not None else (None, from_tree(signed_info))
        hash_cls = check_signed_info(shape)
        referenced = check_references(shape.references, ids, signature)
        refuse_hidden_nodes(envelope, referenced)  # before any signed value is read
        wsa = require_covered(layout, timestamp, referenced)
        certificate, oin = _token_certificate(parts.key_infos, ids, layout)
        value = b64_text(parts.value)
        if signed is None:
            signed = exc_c14n(signed_info, shape.prefixes)
        _check_signature_value(certificate, value, signed, hash_cls)
        now = self._clock()
        self._trust.validate(certificate, now)
        if peer_certificate is not None and peer_certificate is not certificate:
            self._validate_peer(peer_certificate, now)
        _check_identity(certificate, oin, expected_oin, peer_certificate)
        created, until = self._check_freshness(timestamp, now)
        confirmations = tuple(c.get("Value", "") for c in layout.confirmations)
        if expected_confirmation is not None and expected_confirmation not in confirmations:
            raise _fail(
                "confirmation-mismatch",
                "the response does not confirm the signature of our request (SignatureConfirmation)",
            )
        self._replay.check_and_remember(wsa["MessageID"], value, until, now)
        return VerifiedEnvelope(layout.body, wsa, certificate, oin, value, confirmations, created)

    def _validate_peer(self, peer: x509.Certificate, now: datetime) -> None:
        """The TLS peer's certificate under the signer's policy (OpenSSL is more lenient: it takes a
        CA certificate as a client, or one without KeyUsage)."""
        try:
            self._trust.validate(peer, now)
        except SecurityError as exc:
            raise _fail(exc.code, f"the TLS peer: {exc.message}") from None

    def _check_freshness(self, timestamp: etree._Element, now: datetime) -> tuple[datetime, datetime]:
        created_text = expires_text = None
        for child in timestamp:  # the first Created and the first Expires, as findtext() reads them
            tag = child.tag
            if tag == _CREATED and created_text is None:
                created_text = verified_text(child)
            elif tag == _EXPIRES and expires_text is None:
                expires_text = verified_text(child)
        skew, ttl = self._skew, self._ttl
        created = parse_time(created_text, "Created")
        expires = parse_time(expires_text, "Expires") if expires_text is not None else created + ttl
        if created > now + skew:
            raise _fail("timestamp-future", "the Timestamp Created lies in the future (check the clocks)")
        if expires < now - skew or created + ttl < now - skew:
            raise _fail("timestamp-expired", "the message Timestamp has expired")
        return created, max(expires, created + ttl) + skew


def _read_early(parts: SignatureParts | None) -> tuple[etree._Element, bytes, SignedInfoShape] | None:
    """When the envelope's one Signature (``parts``) has one SignedInfo of our signer's layout: that
    SignedInfo, its canonical form (the bytes the SignatureValue signs) and its shape, read from the
    same text. Otherwise None: the checks then raise where they always did, or read the tree.
    A SignedInfo that cannot be canonicalized (e.g. a relative namespace URI) can never verify: refused."""
    signed_infos = parts.signed_infos if parts is not None else []
    if len(signed_infos) != 1:
        return None
    try:
        canonical = etree.tostring(signed_infos[0], method="c14n", exclusive=True, with_comments=True)
    except etree.LxmlError:
        raise _fail("signed-info-invalid", "the SignedInfo cannot be canonicalized") from None
    shape = from_text(canonical)
    return (signed_infos[0], canonical, shape) if shape is not None else None


def _token_certificate(
    key_infos: list[etree._Element], ids: dict[str, etree._Element], layout: Layout
) -> tuple[x509.Certificate, str | None]:
    ref = token_reference(key_infos)
    uri = ref.get("URI", "") if ref is not None else ""
    token = ids.get(uri[1:]) if uri.startswith("#") else None
    if token is None or token.tag != _TOKEN or token.getparent() is not layout.security:
        raise _fail("token-missing", "KeyInfo must reference a BinarySecurityToken in the Security header")
    if token.get("ValueType") != X509V3:
        raise _fail("token-invalid", "the BinarySecurityToken is not an X509v3 certificate")
    try:
        return _certificate_of_token(verified_text(token))
    except (ValueError, binascii.Error):
        raise _fail("token-invalid", "the BinarySecurityToken does not hold a readable certificate") from None


@lru_cache(maxsize=MAX_CACHED_TOKENS)
def _certificate_of_token(text: str) -> tuple[x509.Certificate, str | None]:
    """The certificate in a BinarySecurityToken's text and its OIN, decoded once per distinct text
    (partners sign with the same certificate every time). Keyed by the whole text, which decodes to
    one DER only; a text that does not decode raises and is not cached."""
    certificate = load_der_certificate(base64.b64decode(b64_text(text), validate=True))
    return certificate, oin_of(certificate)


def _check_signature_value(cert: x509.Certificate, value: str, signed: bytes, hash_cls: type) -> None:
    key = cert.public_key()
    if not isinstance(key, rsa.RSAPublicKey):
        raise _fail("algorithm-refused", "the signer certificate does not hold an RSA key")
    try:
        key.verify(base64.b64decode(value, validate=True), signed, _PKCS1, hash_cls())
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
    if peer is None:
        return
    peer_oin = oin if peer is cert else oin_of(peer)
    if peer_oin != oin:
        raise _fail(
            "peer-mismatch",
            f"the signer (OIN {oin or '(none)'}) is not the TLS peer (OIN {peer_oin or '(none)'})",
        )
