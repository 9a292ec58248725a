"""Interop with xmlsec1 (libxmlsec1, an implementation nobody here wrote).

xmlsec1 verifies the envelopes our signer makes, and our verifier accepts an envelope that
xmlsec1 signed from a WS-Security template — and refuses one xmlsec1 signed with RSA-SHA1.
"""

from __future__ import annotations

import base64
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.serialization import Encoding
from lxml import etree
from transport_support import SHV_OIN, dev_pki
from xmlsec_support import XMLSEC1, id_args, xmlsec

from gateway.security.errors import SecurityError
from gateway.security.namespaces import BASE64_BINARY, DS, EXC_C14N, WSSE, WSU, X509V3
from gateway.security.settings import WsSecuritySettings
from gateway.security.signer import WsSigner
from gateway.security.trust import TrustStore
from gateway.security.verifier import WsVerifier
from gateway.security.xmldsig import ensure_id, format_time
from gateway.soap.envelope import Addressing, build_envelope, new_message_id, parse_envelope
from gateway.soap.namespaces import HUB, SOAP, WSA, q

pytestmark = pytest.mark.skipif(XMLSEC1 is None, reason="xmlsec1 is not installed (apt-get install xmlsec1)")


def _envelope() -> etree._Element:
    payload = etree.Element(q(HUB, "HaalBerichtenOp"), nsmap={"hub": HUB})
    etree.SubElement(payload, q(HUB, "Maximum")).text = "10"
    return build_envelope(payload, Addressing("https://hub/skp", f"{HUB}:HaalBerichtenOp", new_message_id()))


@pytest.fixture(scope="module")
def pki():
    return dev_pki()


@pytest.mark.parametrize("algorithm", ["sha256", "sha512"])
def test_xmlsec1_verifies_our_signature(pki, tmp_path: Path, algorithm):
    signer = WsSigner(pki.credentials("shv"), WsSecuritySettings(algorithm=algorithm))
    envelope = tmp_path / "signed.xml"
    envelope.write_bytes(signer.sign(_envelope(), confirmations=["Y29uZmlybQ=="]).data)
    result = xmlsec("--verify", *id_args(), "--pubkey-cert-pem", str(pki.files("shv")[0]), str(envelope))
    assert result.returncode == 0, result.stderr
    assert "OK" in result.stdout + result.stderr


def test_xmlsec1_rejects_our_envelope_when_tampered(pki, tmp_path: Path):
    signer = WsSigner(pki.credentials("shv"))
    envelope = tmp_path / "signed.xml"
    envelope.write_bytes(signer.sign(_envelope()).data.replace(b">10<", b">11<"))
    result = xmlsec("--verify", *id_args(), "--pubkey-cert-pem", str(pki.files("shv")[0]), str(envelope))
    assert result.returncode != 0


def _template(pki, signature_uri: str, digest_uri: str) -> bytes:
    """A WS-Security envelope with an unsigned Signature template, for `xmlsec1 --sign`."""
    from datetime import UTC, datetime, timedelta

    root = _envelope()
    header = root.find(q(SOAP, "Header"))
    security = etree.SubElement(header, q(WSSE, "Security"), nsmap={"wsse": WSSE, "ds": DS})
    ts = etree.SubElement(security, q(WSU, "Timestamp"))
    now = datetime.now(UTC)
    etree.SubElement(ts, q(WSU, "Created")).text = format_time(now)
    etree.SubElement(ts, q(WSU, "Expires")).text = format_time(now + timedelta(minutes=5))
    token = etree.SubElement(
        security, q(WSSE, "BinarySecurityToken"), EncodingType=BASE64_BINARY, ValueType=X509V3
    )
    token.text = base64.b64encode(pki.shv.certificate.public_bytes(Encoding.DER)).decode()
    token_id = ensure_id(token, "X509")
    sig = etree.SubElement(security, q(DS, "Signature"))
    si = etree.SubElement(sig, q(DS, "SignedInfo"))
    etree.SubElement(si, q(DS, "CanonicalizationMethod"), Algorithm=EXC_C14N)
    etree.SubElement(si, q(DS, "SignatureMethod"), Algorithm=signature_uri)
    targets = [root.find(q(SOAP, "Body")), ts] + [e for e in header if e.tag.startswith(f"{{{WSA}}}")]
    for target in targets:
        ref = etree.SubElement(si, q(DS, "Reference"), URI=f"#{ensure_id(target, 'id')}")
        etree.SubElement(etree.SubElement(ref, q(DS, "Transforms")), q(DS, "Transform"), Algorithm=EXC_C14N)
        etree.SubElement(ref, q(DS, "DigestMethod"), Algorithm=digest_uri)
        etree.SubElement(ref, q(DS, "DigestValue"))
    etree.SubElement(sig, q(DS, "SignatureValue"))
    ki = etree.SubElement(sig, q(DS, "KeyInfo"))
    etree.SubElement(
        etree.SubElement(ki, q(WSSE, "SecurityTokenReference")),
        q(WSSE, "Reference"),
        URI=f"#{token_id}",
        ValueType=X509V3,
    )
    return etree.tostring(root)


def _xmlsec_sign(pki, tmp_path: Path, signature_uri: str, digest_uri: str) -> bytes:
    template = tmp_path / "template.xml"
    template.write_bytes(_template(pki, signature_uri, digest_uri))
    cert, key = pki.files("shv")
    out = tmp_path / "out.xml"
    result = xmlsec(
        "--sign", *id_args(), "--privkey-pem", f"{key},{cert}", "--output", str(out), str(template)
    )
    assert result.returncode == 0, result.stderr
    return out.read_bytes()


def test_we_verify_an_envelope_signed_by_xmlsec1(pki, tmp_path: Path):
    data = _xmlsec_sign(
        pki,
        tmp_path,
        "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256",
        "http://www.w3.org/2001/04/xmlenc#sha256",
    )
    verified = WsVerifier(TrustStore([pki.ca.certificate])).verify(parse_envelope(data), expected_oin=SHV_OIN)
    assert verified.payload.tag == q(HUB, "HaalBerichtenOp")


def test_we_refuse_an_xmlsec1_signature_made_with_sha1(pki, tmp_path: Path):
    data = _xmlsec_sign(
        pki, tmp_path, "http://www.w3.org/2000/09/xmldsig#rsa-sha1", "http://www.w3.org/2000/09/xmldsig#sha1"
    )
    with pytest.raises(SecurityError) as info:
        WsVerifier(TrustStore([pki.ca.certificate])).verify(parse_envelope(data))
    assert info.value.code == "sha1-refused"
