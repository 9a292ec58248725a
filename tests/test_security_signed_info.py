"""The signer writes the canonical form of its SignedInfo, Timestamp and SignatureConfirmations as text:
it must be what libxml2's exclusive C14N of them gives — in the signer's tree and in the sent bytes as a
verifier parses them — whatever prefixes the envelope declares."""

from __future__ import annotations

import pytest
from lxml import etree
from transport_support import dev_pki

from gateway.security import signer as signer_module
from gateway.security.namespaces import ALGORITHMS, DS, WSSE11, WSU, WSU_ID
from gateway.security.settings import WsSecuritySettings
from gateway.security.signed_info import canonical_signed_info
from gateway.security.signer import WsSigner
from gateway.security.trust import TrustStore
from gateway.security.verifier import WsVerifier
from gateway.security.xmldsig import exc_c14n
from gateway.soap.envelope import Addressing, build_envelope, new_message_id, parse_envelope
from gateway.soap.namespaces import HUB, SOAP, WSA, q


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


def _raw_envelope(envelope_ns: str, header_ns: str = "") -> etree._Element:
    return etree.fromstring(
        f'<soap:Envelope xmlns:soap="{SOAP}" xmlns:wsa="{WSA}" {envelope_ns}><soap:Header {header_ns}>'
        f"<wsa:To>t</wsa:To><wsa:Action>a</wsa:Action><wsa:MessageID>{new_message_id()}</wsa:MessageID>"
        "</soap:Header><soap:Body><x/></soap:Body></soap:Envelope>"
    )


@pytest.mark.parametrize(
    ("envelope_ns", "header_ns"),
    [
        ("", ""),  # nothing declared: the Security header declares wsu itself
        (f'xmlns:wsu="{WSU}"', ""),
        (f'xmlns:u="{WSU}"', ""),  # another prefix for wsu: our parts take it over
        (f'xmlns:wsu="{WSU}"', f'xmlns:h="{WSU}"'),  # the nearest declaration wins
        (f'xmlns="{WSU}"', ""),  # wsu as the default namespace: left to libxml2
        ('xmlns:wsu="urn:something-else"', ""),
        (f'xmlns:s11="{WSSE11}" xmlns:wsse11="urn:other"', ""),
    ],
)
def test_own_parts_written_as_text_are_their_exclusive_c14n(pki, monkeypatch, envelope_ns, header_ns):
    written: list[bytes] = []
    for name in ("canonical_timestamp", "canonical_confirmation"):
        original = getattr(signer_module, name)

        def recording(*args: object, _original=original) -> bytes | None:
            result = _original(*args)
            if result is not None:
                written.append(result)
            return result

        monkeypatch.setattr(signer_module, name, recording)
    envelope = _raw_envelope(envelope_ns, header_ns)
    data = WsSigner(pki.credentials("shv")).sign(envelope, confirmations=("Y29uZmlybQ==",)).data
    parts = [
        envelope.find(f".//{q(WSU, 'Timestamp')}"),
        envelope.find(f".//{q(WSSE11, 'SignatureConfirmation')}"),
    ]
    expected = [exc_c14n(part) for part in parts]
    if envelope_ns.startswith("xmlns="):
        assert written == []  # unprefixed wsu parts are left to libxml2
    else:
        assert written == expected
    sent = etree.fromstring(data)
    assert [exc_c14n(sent.find(f".//{part.tag}")) for part in parts] == expected
    verified = WsVerifier(TrustStore([pki.ca.certificate])).verify(parse_envelope(data))
    assert verified.confirmations == ("Y29uZmlybQ==",)
