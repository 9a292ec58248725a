"""WS-Security signing and strict verification: what is accepted and every way it refuses."""

from __future__ import annotations

import base64
import copy
from datetime import UTC, datetime, timedelta

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding
from lxml import etree
from transport_support import SE_OIN, SHV_OIN, dev_pki

from gateway.security.errors import SecurityError
from gateway.security.namespaces import DS, WSSE, WSSE11, WSU
from gateway.security.replay import ReplayCache
from gateway.security.settings import WsSecuritySettings
from gateway.security.signer import WsSigner
from gateway.security.trust import TrustStore
from gateway.security.verifier import WsVerifier
from gateway.security.xmldsig import exc_c14n
from gateway.soap.envelope import Addressing, build_envelope, message_id_for, parse_envelope
from gateway.soap.namespaces import HUB, SOAP, WSA, q

REF = "6f1c2d3e-4b5a-4c6d-8e7f-9a0b1c2d3e4f"


@pytest.fixture(scope="module")
def pki():
    return dev_pki()


@pytest.fixture
def trust(pki):
    return TrustStore([pki.ca.certificate])


def envelope(relates_to: str | None = None) -> etree._Element:
    payload = etree.Element(q(HUB, "VerstuurBericht"), nsmap={"hub": HUB})
    etree.SubElement(payload, q(HUB, "Referentienummer")).text = REF
    return build_envelope(
        payload, Addressing("https://hub/skp", f"{HUB}:VerstuurBericht", message_id_for(REF), relates_to)
    )


def signed(pki, name="shv", algorithm="sha256", clock=None, **kw) -> bytes:
    settings = WsSecuritySettings(algorithm=algorithm)
    signer = (
        WsSigner(pki.credentials(name), settings, clock)
        if clock
        else WsSigner(pki.credentials(name), settings)
    )
    return signer.sign(envelope(), **kw).data


def verify(trust, data: bytes, **kw):
    return WsVerifier(trust).verify(parse_envelope(data), **kw)


def refused(trust, data: bytes, code: str, verifier: WsVerifier | None = None, **kw) -> SecurityError:
    with pytest.raises(SecurityError) as info:
        (verifier or WsVerifier(trust)).verify(parse_envelope(data), **kw)
    assert info.value.code == code, info.value
    return info.value


def resign(pki, root: etree._Element, name: str = "shv", hash_cls=hashes.SHA256) -> bytes:
    """Recompute the SignatureValue after a test changed SignedInfo (an attacker with the key)."""
    signed_info = root.find(f".//{q(DS, 'SignedInfo')}")
    value = pki.credentials(name).private_key.sign(exc_c14n(signed_info), padding.PKCS1v15(), hash_cls())
    root.find(f".//{q(DS, 'SignatureValue')}").text = base64.b64encode(value).decode()
    return etree.tostring(root)


@pytest.mark.parametrize("algorithm", ["sha256", "sha384", "sha512"])
def test_roundtrip_hands_on_verified_parts(pki, trust, algorithm):
    result = verify(trust, signed(pki, algorithm=algorithm), expected_oin=SHV_OIN)
    assert result.oin == SHV_OIN
    assert result.message_id == f"urn:uuid:{REF}"
    assert result.action.endswith(":VerstuurBericht")
    assert result.payload.findtext(q(HUB, "Referentienummer")) == REF
    assert result.body.tag == q(SOAP, "Body")


def test_signature_covers_body_timestamp_and_every_addressing_header(pki):
    root = etree.fromstring(signed(pki))
    uris = {r.get("URI")[1:] for r in root.iter(q(DS, "Reference"))}
    ids = {el.get(q(WSU, "Id")): etree.QName(el).localname for el in root.iter() if el.get(q(WSU, "Id"))}
    covered = sorted(ids[u] for u in uris)
    assert covered == ["Action", "Body", "MessageID", "Timestamp", "To"]


def test_unsigned_envelope_is_refused(trust):
    data = etree.tostring(envelope())
    refused(trust, data, "unsigned")


def test_tampered_body_is_refused(pki, trust):
    data = signed(pki).replace(REF.encode(), b"00000000-0000-4000-8000-000000000000")
    refused(trust, data, "digest-mismatch")


def test_tampered_addressing_header_is_refused(pki, trust):
    data = signed(pki).replace(b"https://hub/skp", b"https://evil/skp")
    refused(trust, data, "digest-mismatch")


def test_moved_body_signature_wrapping_is_refused(pki, trust):
    """Classic XSW: the signed Body moves into a header wrapper, a forged Body takes its place."""
    root = etree.fromstring(signed(pki))
    header, body = root.find(q(SOAP, "Header")), root.find(q(SOAP, "Body"))
    wrapper = etree.SubElement(header, "{urn:evil}Wrapper")
    wrapper.append(body)  # the signed original, digest still valid
    forged = etree.SubElement(root, q(SOAP, "Body"))
    forged.append(copy.deepcopy(body[0]))
    forged[0][0].text = "00000000-0000-4000-8000-000000000000"
    refused(trust, etree.tostring(root), "unsigned-part")


def test_duplicated_signed_element_with_same_id_is_refused(pki, trust):
    root = etree.fromstring(signed(pki))
    body = root.find(q(SOAP, "Body"))
    clone = copy.deepcopy(body[0])
    clone.set(q(WSU, "Id"), body.get(q(WSU, "Id")))
    root.find(q(SOAP, "Header")).append(clone)
    refused(trust, etree.tostring(root), "id-duplicate")


def test_second_body_is_refused(pki, trust):
    root = etree.fromstring(signed(pki))
    etree.SubElement(root, q(SOAP, "Body"))
    refused(trust, etree.tostring(root), "not-soap")


def test_addressing_header_added_after_signing_is_refused(pki, trust):
    root = etree.fromstring(signed(pki))
    header = root.find(q(SOAP, "Header"))
    etree.SubElement(header, q(WSA, "ReplyTo")).text = "https://evil/"
    refused(trust, etree.tostring(root), "unsigned-part")


def test_expired_timestamp_is_refused(pki, trust):
    old = datetime.now(UTC) - timedelta(minutes=30)
    refused(trust, signed(pki, clock=lambda: old), "timestamp-expired")


def test_timestamp_from_the_future_is_refused(pki, trust):
    later = datetime.now(UTC) + timedelta(minutes=30)
    refused(trust, signed(pki, clock=lambda: later), "timestamp-future")


def test_small_clock_skew_is_tolerated(pki, trust):
    ahead = datetime.now(UTC) + timedelta(seconds=90)
    assert verify(trust, signed(pki, clock=lambda: ahead)).oin == SHV_OIN


def test_replayed_envelope_is_refused_but_a_fresh_resend_is_not(pki, trust):
    verifier = WsVerifier(trust, replay=ReplayCache())
    data = signed(pki)
    verifier.verify(parse_envelope(data))
    refused(trust, data, "replay", verifier=verifier)
    resend = signed(pki, clock=lambda: datetime.now(UTC) + timedelta(milliseconds=5))
    assert verifier.verify(parse_envelope(resend)).message_id == f"urn:uuid:{REF}"


def test_sha1_signature_method_is_refused(pki, trust):
    root = etree.fromstring(signed(pki))
    root.find(f".//{q(DS, 'SignatureMethod')}").set("Algorithm", "http://www.w3.org/2000/09/xmldsig#rsa-sha1")
    data = resign(pki, root, hash_cls=hashes.SHA1)
    error = refused(trust, data, "sha1-refused")
    assert "SHA-1" in str(error)


def test_sha1_digest_is_refused(pki, trust):
    root = etree.fromstring(signed(pki))
    root.find(f".//{q(DS, 'DigestMethod')}").set("Algorithm", "http://www.w3.org/2000/09/xmldsig#sha1")
    refused(trust, resign(pki, root), "sha1-refused")


def test_signing_with_sha1_is_not_configurable(pki):
    with pytest.raises(SecurityError) as info:
        WsSigner(pki.credentials("shv"), WsSecuritySettings(algorithm="sha1"))
    assert info.value.code == "algorithm-refused"


def test_inclusive_c14n_is_refused(pki, trust):
    root = etree.fromstring(signed(pki))
    root.find(f".//{q(DS, 'CanonicalizationMethod')}").set(
        "Algorithm", "http://www.w3.org/TR/2001/REC-xml-c14n-20010315"
    )
    refused(trust, resign(pki, root), "algorithm-refused")


def test_signature_value_forged_is_refused(pki, trust):
    root = etree.fromstring(signed(pki))
    root.find(f".//{q(DS, 'SignatureValue')}").text = base64.b64encode(b"\x00" * 256).decode()
    refused(trust, etree.tostring(root), "signature-invalid")


def test_certificate_of_untrusted_ca_is_refused(pki, trust):
    refused(trust, signed(pki, "rogue"), "certificate-untrusted")


def test_expired_certificate_is_refused(pki, trust):
    refused(trust, signed(pki, "expired"), "certificate-expired")


def test_revoked_certificate_is_refused(pki):
    trust = TrustStore([pki.ca.certificate], [pki.ca.crl((pki.revoked.certificate,))])
    refused(trust, signed(pki, "revoked"), "certificate-revoked")


def test_signer_of_other_party_than_expected_is_refused(pki, trust):
    error = refused(trust, signed(pki, "se"), "oin-mismatch", expected_oin=SHV_OIN)
    assert SE_OIN in str(error) and SHV_OIN in str(error)


def test_signer_must_be_the_tls_peer(pki, trust):
    refused(trust, signed(pki, "se"), "peer-mismatch", peer_certificate=pki.shv.certificate)
    assert verify(trust, signed(pki, "shv"), peer_certificate=pki.shv.certificate).oin == SHV_OIN


def test_signature_confirmation_is_signed_and_checked(pki, trust):
    data = signed(pki, "hub", confirmations=["abc="])
    root = etree.fromstring(data)
    assert root.find(f".//{q(WSSE11, 'SignatureConfirmation')}").get("Value") == "abc="
    assert verify(trust, data, expected_confirmation="abc=").confirmations == ("abc=",)
    refused(
        trust,
        signed(pki, "hub", confirmations=["abc="]),
        "confirmation-mismatch",
        expected_confirmation="xyz=",
    )


def test_tampered_signature_confirmation_is_refused(pki, trust):
    data = signed(pki, "hub", confirmations=["abc="]).replace(b'Value="abc="', b'Value="xyz="')
    refused(trust, data, "digest-mismatch")


def test_token_outside_security_header_is_refused(pki, trust):
    root = etree.fromstring(signed(pki))
    token = root.find(f".//{q(WSSE, 'BinarySecurityToken')}")
    root.find(q(SOAP, "Header")).append(token)
    refused(trust, etree.tostring(root), "token-missing")


def test_signed_envelope_survives_no_reformatting_but_verifies_as_sent(pki, trust):
    data = signed(pki)
    assert b"\n  <" not in data  # never pretty-printed after signing
    assert verify(trust, data).oin == SHV_OIN


def test_unknown_must_understand_header_is_refused(pki, trust):
    root = etree.fromstring(signed(pki))
    extra = etree.SubElement(root.find(q(SOAP, "Header")), "{urn:other}Routing")
    extra.set(q(SOAP, "mustUnderstand"), "1")
    refused(trust, etree.tostring(root), "must-understand")
