"""The verifier reads our signer's SignedInfo from its canonical text and anything else from the tree:
both readings agree, and whatever is not exactly our layout is read from the tree as before."""

from __future__ import annotations

import base64

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding
from lxml import etree
from transport_support import SHV_OIN, dev_pki

from gateway.security.errors import SecurityError
from gateway.security.layout import _elements_outside, id_map
from gateway.security.namespaces import ALGORITHMS, DS, WSU_ID
from gateway.security.settings import WsSecuritySettings
from gateway.security.shape import from_text, from_tree
from gateway.security.signer import WsSigner
from gateway.security.trust import TrustStore
from gateway.security.verifier import WsVerifier
from gateway.security.xmldsig import exc_c14n
from gateway.soap.envelope import Addressing, build_envelope, new_message_id, parse_envelope
from gateway.soap.namespaces import HUB, SOAP, q


@pytest.fixture(scope="module")
def pki():
    return dev_pki()


def _signed(pki, algorithm: str = "sha256", confirmations: tuple[str, ...] = ()) -> bytes:
    payload = etree.Element(q(HUB, "HaalBerichtenOp"), nsmap={"hub": HUB})
    etree.SubElement(payload, q(HUB, "Maximum")).text = "10"
    envelope = build_envelope(payload, Addressing("https://hub/skp", f"{HUB}:X", new_message_id()))
    signer = WsSigner(pki.credentials("shv"), WsSecuritySettings(algorithm=algorithm))
    return signer.sign(envelope, confirmations=confirmations).data


def _with_comments(element: etree._Element) -> bytes:
    return etree.tostring(element, method="c14n", exclusive=True, with_comments=True)


def _signed_info(root: etree._Element) -> etree._Element:
    return root.find(f".//{q(DS, 'SignedInfo')}")


def _resigned(pki, root: etree._Element) -> bytes:
    """SignedInfo changed by someone holding the key: sign it again as it now is."""
    value = pki.credentials("shv").private_key.sign(
        exc_c14n(_signed_info(root)), padding.PKCS1v15(), hashes.SHA256()
    )
    root.find(f".//{q(DS, 'SignatureValue')}").text = base64.b64encode(value).decode()
    return etree.tostring(root)


def _outcome(pki, data: bytes) -> str:
    try:
        return WsVerifier(TrustStore([pki.ca.certificate])).verify(parse_envelope(data)).oin or ""
    except SecurityError as exc:
        return exc.code


@pytest.mark.parametrize("algorithm", sorted(ALGORITHMS))
@pytest.mark.parametrize("confirmations", [(), ("YQ==", "Yg==")])
def test_text_and_tree_readings_agree_on_our_signers_output(pki, algorithm, confirmations):
    signed_info = _signed_info(parse_envelope(_signed(pki, algorithm, confirmations)))
    text = _with_comments(signed_info)
    assert text == exc_c14n(signed_info)
    shape = from_text(text)
    assert shape is not None and shape == from_tree(signed_info)
    assert len(shape.references) == 5 + len(confirmations)


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        # a comment or PI splits the DigestValue: a value is read whole or not at all
        (lambda si: _split_digest(si, etree.Comment("x")), "not-plain-text"),
        (lambda si: _split_digest(si, etree.ProcessingInstruction("pi", "x")), "not-plain-text"),
        (lambda si: _indent(si), SHV_OIN),  # whitespace between the elements: still valid
        # the Body's digest is then over another C14N (hub declared): changed, as before
        (lambda si: _inclusive_namespaces(si), "digest-mismatch"),
        (lambda si: si.set("Id", "si-1"), SHV_OIN),
        (lambda si: si.append(etree.Comment("trailing")), SHV_OIN),
    ],
)
def test_other_layouts_are_read_from_the_tree_with_the_same_outcome(pki, change, expected):
    root = etree.fromstring(_signed(pki))
    change(_signed_info(root))
    assert from_text(_with_comments(_signed_info(root))) is None
    assert _outcome(pki, _resigned(pki, root)) == expected


def _split_digest(signed_info: etree._Element, node: etree._Element) -> None:
    value = signed_info.find(f"{q(DS, 'Reference')}/{q(DS, 'DigestValue')}")
    text = value.text
    value.text = text[:10]
    value.append(node)
    node.tail = text[10:]


def _indent(signed_info: etree._Element) -> None:
    etree.indent(signed_info)


def _inclusive_namespaces(signed_info: etree._Element) -> None:
    transform = signed_info.find(f".//{q(DS, 'Transform')}")
    etree.SubElement(
        transform, "{http://www.w3.org/2001/10/xml-exc-c14n#}InclusiveNamespaces", PrefixList="hub"
    )


def test_the_fast_reading_refuses_sha1_and_foreign_uris_like_the_tree(pki):
    root = etree.fromstring(_signed(pki))
    _signed_info(root).find(q(DS, "SignatureMethod")).set(
        "Algorithm", "http://www.w3.org/2000/09/xmldsig#rsa-sha1"
    )
    assert from_text(_with_comments(_signed_info(root))) is not None  # still our layout
    assert _outcome(pki, _resigned(pki, root)) == "sha1-refused"
    root = etree.fromstring(_signed(pki))
    _signed_info(root).find(f"{q(DS, 'Reference')}").set("URI", "#nowhere")
    assert _outcome(pki, _resigned(pki, root)) == "reference-invalid"


def test_inclusive_namespaces_of_the_signed_info_are_honoured(pki):
    root = etree.fromstring(_signed(pki))
    method = _signed_info(root).find(q(DS, "CanonicalizationMethod"))
    etree.SubElement(
        method, "{http://www.w3.org/2001/10/xml-exc-c14n#}InclusiveNamespaces", PrefixList="soap"
    )
    assert from_text(_with_comments(_signed_info(root))) is None
    # signed without the prefix list, verified with it (as the tree says): not the signed bytes
    assert _outcome(pki, _resigned(pki, root)) == "signature-invalid"


def test_walk_beside_the_signed_info_is_document_order_without_it(pki):
    root = parse_envelope(_signed(pki, confirmations=("YQ==",)))
    signed_info = _signed_info(root)
    inside = set(signed_info.iter())
    expected = [e for e in root.iter(etree.Element) if e not in inside]
    assert list(_elements_outside(root, signed_info)) == expected
    assert id_map(root, skip=signed_info) == id_map(root)


def test_an_id_inside_the_signed_info_is_still_seen(pki):
    root = etree.fromstring(_signed(pki))
    body_id = root.find(q(SOAP, "Body")).get(WSU_ID)
    _signed_info(root).set("Id", body_id)
    assert _outcome(pki, _resigned(pki, root)) == "id-duplicate"
    root = etree.fromstring(_signed(pki))
    _signed_info(root).find(q(DS, "Reference")).set("Id", "ref-1")
    _signed_info(root).find(q(DS, "SignatureMethod")).set("Id", "ref-1")
    assert _outcome(pki, _resigned(pki, root)) == "id-duplicate"
