"""The signer writes the canonical form of its SignedInfo, Timestamp and SignatureConfirmations as text,
and only so: it must be what libxml2's exclusive C14N of them gives (the oracle) — in the signer's tree
and in the sent bytes as a verifier parses them — for any id or value; an envelope that would give our
parts other prefixes is refused."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree
from transport_support import dev_pki

from gateway.security import signer as signer_module
from gateway.security.errors import SecurityError
from gateway.security.namespaces import ALGORITHMS, DS, WSSE11, WSU, WSU_ID
from gateway.security.settings import WsSecuritySettings
from gateway.security.signed_info import (
    canonical_confirmation,
    canonical_signed_info,
    canonical_timestamp,
    security_template,
)
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


_XML_TEXT = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00\ufffe\uffff"))
_XML_CHARS = _XML_TEXT.filter(lambda t: all(c in "\t\n\r" or ord(c) >= 0x20 for c in t))


@settings(max_examples=200, deadline=None)
@given(uris=st.lists(_XML_CHARS, min_size=1, max_size=4), digest=_XML_CHARS, ts=_XML_CHARS, value=_XML_CHARS)
def test_the_text_is_libxml2s_exclusive_c14n_for_any_value(uris, digest, ts, value):
    sig_uri, digest_uri = ALGORITHMS["sha256"]
    security = security_template(sig_uri, digest_uri, "dG9rZW4=", len(uris), 1)
    signed_info = security[-1][0]
    for ref, uri in zip(signed_info[2:], uris, strict=True):
        ref.set("URI", uri)
        ref[2].text = digest
    assert canonical_signed_info(sig_uri, digest_uri, uris, [digest] * len(uris)) == exc_c14n(signed_info)
    timestamp, confirmation = security[0], security[2]
    timestamp.set(WSU_ID, ts)
    timestamp[0].text, timestamp[1].text = ts, value
    assert canonical_timestamp("wsu", ts, ts, value) == exc_c14n(timestamp)
    confirmation.set("Value", value)
    confirmation.set(WSU_ID, ts)
    assert canonical_confirmation("wsse11", "wsu", value, ts) == exc_c14n(confirmation)


def test_prefixes_our_parts_cannot_have_are_an_error():
    with pytest.raises(SecurityError):
        canonical_timestamp(None, "a", "b", "c")
    with pytest.raises(SecurityError):
        canonical_confirmation("wsse11", "xml", "a", "b")


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
        (f'xmlns:wsu="{WSU}" xmlns:wsse11="{WSSE11}" xmlns:ds="{DS}"', ""),
        ('xmlns:wsu="urn:something-else"', ""),  # our prefix for something else: ours is declared below
        ('xmlns:wsse11="urn:other"', 'xmlns:ds="urn:other-too"'),
    ],
)
def test_own_parts_written_as_text_are_their_exclusive_c14n(pki, monkeypatch, envelope_ns, header_ns):
    written: list[bytes] = []
    for name in ("canonical_timestamp", "canonical_confirmation"):
        original = getattr(signer_module, name)

        def recording(*args: object, _original=original) -> bytes:
            result = _original(*args)
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
    assert written == expected
    sent = etree.fromstring(data)
    assert [exc_c14n(sent.find(f".//{part.tag}")) for part in parts] == expected
    verified = WsVerifier(TrustStore([pki.ca.certificate])).verify(parse_envelope(data))
    assert verified.confirmations == ("Y29uZmlybQ==",)


@pytest.mark.parametrize(
    ("envelope_ns", "header_ns"),
    [
        (f'xmlns:u="{WSU}"', ""),  # another prefix for wsu: lxml would write our parts with it
        (f'xmlns:wsu="{WSU}"', f'xmlns:h="{WSU}"'),
        (f'xmlns="{WSU}"', ""),  # wsu as the default namespace
        (f'xmlns:s11="{WSSE11}"', ""),
        ("", f'xmlns:d="{DS}"'),
    ],
)
def test_an_envelope_declaring_our_namespaces_under_other_prefixes_is_refused(pki, envelope_ns, header_ns):
    envelope = _raw_envelope(envelope_ns, header_ns)
    with pytest.raises(SecurityError) as caught:
        WsSigner(pki.credentials("shv")).sign(envelope, confirmations=("Y29uZmlybQ==",))
    assert caught.value.code == "envelope-namespaces"


def test_a_signed_info_that_cannot_be_canonicalized_is_refused_not_read_another_way(pki):
    data = WsSigner(pki.credentials("shv")).sign(_envelope(None)).data
    bad = data.replace(b"<ds:SignedInfo>", b'<ds:SignedInfo xmlns:rel="relative/uri"><rel:x/>', 1)
    assert bad != data
    with pytest.raises(SecurityError) as caught:
        WsVerifier(TrustStore([pki.ca.certificate])).verify(parse_envelope(bad))
    assert caught.value.code == "signed-info-invalid"
