"""The signer writes its SignedInfo's canonical form as text: it must be what libxml2's exclusive C14N
of the SignedInfo gives — in the signer's tree and in the sent bytes as a verifier parses them."""

from __future__ import annotations

import pytest
from lxml import etree
from transport_support import dev_pki

from gateway.security import signer as signer_module
from gateway.security.namespaces import ALGORITHMS, DS, WSU_ID
from gateway.security.settings import WsSecuritySettings
from gateway.security.signed_info import canonical_signed_info
from gateway.security.signer import WsSigner
from gateway.security.trust import TrustStore
from gateway.security.verifier import WsVerifier
from gateway.security.xmldsig import exc_c14n
from gateway.soap.envelope import Addressing, build_envelope, new_message_id, parse_envelope
from gateway.soap.namespaces import HUB, SOAP, q


@pytest.fixture(scope="module")
def pki():
    return dev_pki()


def _envelope(relates_to: str | None) -> etree._Element:
    payload = etree.Element(q(HUB, "HaalBerichtenOp"), nsmap={"hub": HUB})
    etree.SubElement(payload, q(HUB, "Maximum")).text = "10"
    return build_envelope(payload, Addressing("https://hub/skp", f"{HUB}:X", new_message_id(), relates_to))


@pytest.mark.parametrize("algorithm", sorted(ALGORITHMS))
@pytest.mark.parametrize("confirmations", [(), ("Y29uZmlybQ==",), ("YQ==", "Yg==")])
@pytest.mark.parametrize("relates_to", [None, "urn:uuid:6f1c2d3e-4b5a-4c6d-8e7f-9a0b1c2d3e4f"])
def test_text_form_is_the_exclusive_c14n_of_the_signed_info(
    pki, monkeypatch, algorithm, confirmations, relates_to
):
    signed_texts: list[bytes] = []
    original = signer_module.canonical_signed_info

    def recording(*args: object) -> bytes | None:
        result = original(*args)  # type: ignore[arg-type]
        assert result is not None
        signed_texts.append(result)
        return result

    monkeypatch.setattr(signer_module, "canonical_signed_info", recording)
    envelope = _envelope(relates_to)
    data = (
        WsSigner(pki.credentials("shv"), WsSecuritySettings(algorithm=algorithm))
        .sign(envelope, confirmations=confirmations)
        .data
    )
    in_tree = envelope.find(f".//{q(DS, 'SignedInfo')}")
    as_sent = etree.fromstring(data).find(f".//{q(DS, 'SignedInfo')}")
    assert signed_texts == [exc_c14n(in_tree)] == [exc_c14n(as_sent)]


def test_uris_that_c14n_would_escape_are_left_to_libxml2():
    assert canonical_signed_info("s", "d", ['#a"b'], ["x"]) is None
    assert canonical_signed_info("s", "d", ["#a&b"], ["x"]) is None
    assert canonical_signed_info("s", "d", ["#Body-0a"], ["x"]) is not None


def test_an_existing_id_with_such_characters_still_signs_correctly(pki):
    envelope = _envelope(None)
    envelope.find(q(SOAP, "Body")).set(WSU_ID, "body&1")
    data = WsSigner(pki.credentials("shv")).sign(envelope).data
    assert b'URI="#body&amp;1"' in data
    verified = WsVerifier(TrustStore([pki.ca.certificate])).verify(parse_envelope(data))
    assert verified.body.get(WSU_ID) == "body&1"
