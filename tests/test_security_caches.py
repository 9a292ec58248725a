"""The caches of the security path never turn a refusal into an acceptance.

The trust store caches a leaf's checked path (revocation is looked up on every use), the verifier
caches the certificate of a BinarySecurityToken text: a certificate accepted once must still be
refused once it has expired (or before it is valid), whether the same object or an equal copy comes
back, and a revoked one is refused every time.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding
from lxml import etree
from transport_support import SHV_OIN, dev_pki

from gateway.security.devpki import DevCa
from gateway.security.errors import SecurityError
from gateway.security.signer import WsSigner
from gateway.security.trust import TrustStore
from gateway.security.verifier import WsVerifier
from gateway.soap.envelope import Addressing, build_envelope, message_id_for, parse_envelope
from gateway.soap.namespaces import HUB, q

REF = "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"


@pytest.fixture(scope="module")
def pki():
    return dev_pki()


def copy_of(cert: x509.Certificate) -> x509.Certificate:
    """An equal certificate that is another object (as a fresh parse of the same DER would be)."""
    return x509.load_der_x509_certificate(cert.public_bytes(Encoding.DER))


def code_of(call) -> str:
    with pytest.raises(SecurityError) as info:
        call()
    return info.value.code


def test_trust_cache_still_refuses_a_certificate_after_it_expires(pki):
    trust = TrustStore([pki.ca.certificate])
    leaf = pki.shv.certificate
    now = datetime.now(UTC)
    assert trust.validate(leaf, now)[0] == leaf
    later = leaf.not_valid_after_utc + timedelta(seconds=1)
    for candidate in (leaf, copy_of(leaf), leaf):  # identity memo, DER-keyed cache, memo again
        assert code_of(lambda c=candidate: trust.validate(c, later)) == "certificate-expired"
    assert trust.validate(leaf, now)[0] == leaf  # and valid again inside its period


def test_trust_cache_refuses_before_not_before_and_names_the_certificate(pki):
    trust = TrustStore([pki.ca.certificate])
    leaf = pki.shv.certificate
    trust.validate(leaf, datetime.now(UTC))
    earlier = leaf.not_valid_before_utc - timedelta(seconds=1)
    with pytest.raises(SecurityError) as info:
        trust.validate(copy_of(leaf), earlier)
    assert info.value.code == "certificate-not-yet-valid"
    assert "Gemeente Test" in info.value.message


def test_trust_cache_refuses_once_the_ca_expires_before_its_leaf():
    ca = DevCa(name="short-lived CA", days=1)
    leaf = ca.issue("Gemeente Test", SHV_OIN, days=30).certificate
    trust = TrustStore([ca.certificate])
    assert len(trust.validate(leaf, datetime.now(UTC))) == 2
    between = ca.certificate.not_valid_after_utc + timedelta(hours=1)  # the leaf is still valid
    with pytest.raises(SecurityError) as info:
        trust.validate(leaf, between)
    assert info.value.code == "certificate-expired" and "short-lived CA" in info.value.message


def test_revoked_certificate_is_refused_every_time_beside_an_accepted_one(pki):
    trust = TrustStore([pki.ca.certificate], [pki.ca.crl((pki.revoked.certificate,))])
    now = datetime.now(UTC)
    for _ in range(3):
        assert trust.validate(pki.se.certificate, now)[0] == pki.se.certificate
        assert code_of(lambda: trust.validate(pki.revoked.certificate, now)) == "certificate-revoked"
        assert code_of(lambda: trust.validate(copy_of(pki.revoked.certificate), now)) == "certificate-revoked"


def _signed_at(pki, moment: datetime) -> bytes:
    payload = etree.Element(q(HUB, "VerstuurBericht"), nsmap={"hub": HUB})
    addressing = Addressing("https://hub/skp", f"{HUB}:VerstuurBericht", message_id_for(REF))
    signer = WsSigner(pki.credentials("shv"), clock=lambda: moment)
    return signer.sign(build_envelope(payload, addressing)).data


def test_verifier_refuses_a_once_accepted_signer_certificate_after_it_expires(pki):
    trust = TrustStore([pki.ca.certificate])
    now = datetime.now(UTC)
    assert WsVerifier(trust, clock=lambda: now).verify(parse_envelope(_signed_at(pki, now))).oin == SHV_OIN
    later = pki.shv.certificate.not_valid_after_utc + timedelta(hours=1)
    verifier = WsVerifier(trust, clock=lambda: later)  # a fresh message, signed "later" with the same key
    assert code_of(lambda: verifier.verify(parse_envelope(_signed_at(pki, later)))) == "certificate-expired"


def test_verifier_token_cache_does_not_outlive_a_changed_token(pki):
    trust = TrustStore([pki.ca.certificate])
    data = _signed_at(pki, datetime.now(UTC))
    WsVerifier(trust).verify(parse_envelope(data))
    token = data.split(b"<wsse:BinarySecurityToken", 1)[1].split(b">", 1)[1].split(b"<", 1)[0]
    broken = data.replace(token, token[:-8] + b"!!!!!!!!")
    assert code_of(lambda: WsVerifier(trust).verify(parse_envelope(broken))) == "token-invalid"
