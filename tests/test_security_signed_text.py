"""Signed values are read as exactly what was signed: a comment, processing instruction or element
inside any signed simple-content element is refused, in every envelope the gateway and the hub
exchange.

Exclusive C14N leaves comments out of what is signed, so a comment inserted after signing keeps the
signature valid — xmlsec1, an implementation nobody here wrote, says so for every case below — while
lxml's ``.text`` would read only the text before it. Before this was refused, a captured request
replayed with ``<!---->`` at three places inside its signed wsa:MessageID was accepted three times.
"""

from __future__ import annotations

import base64
import hashlib
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding
from lxml import etree
from transport_support import SE_ID, SHV_ID, dev_pki, document
from xmlsec_support import XMLSEC1, xmlsec_verifies

from adapters.hub import operations as ops
from gateway.adresboek import Adresboek
from gateway.inbound import InboundProcessor
from gateway.security.errors import SecurityError
from gateway.security.namespaces import DS
from gateway.security.signed_text import NotPlainText, plain_text
from gateway.security.signer import WsSigner
from gateway.security.trust import TrustStore
from gateway.security.verifier import WsVerifier
from gateway.security.xmldsig import exc_c14n
from gateway.soap.envelope import Addressing, build_envelope, message_id_for, new_message_id, parse_envelope
from gateway.soap.faults import FaultCode, SoapFault, build_fault, parse_fault
from gateway.soap.namespaces import HUB, WSA_ANONYMOUS, q

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
ENDPOINT = "https://127.0.0.1:8443/skp"
POSITIONS = ("start", "middle", "end")
REQUEST_VALUES = {"To", "Action", "MessageID", "Created", "Expires"}
RESPONSE_VALUES = {"To", "RelatesTo", "Action", "MessageID", "Created", "Expires"}


@pytest.fixture(scope="module")
def pki():
    return dev_pki()


def _request(pki, payload: etree._Element, operation: str) -> bytes:
    ref = str(uuid.uuid4())
    message_id = message_id_for(ref) if operation == ops.VERSTUUR else new_message_id()
    envelope = build_envelope(payload, Addressing(ENDPOINT, ops.action(operation), message_id))
    return WsSigner(pki.credentials("shv")).sign(envelope).data


def _response(pki, payload: etree._Element, action: str) -> bytes:
    addressing = Addressing(WSA_ANONYMOUS, action, new_message_id(), new_message_id())
    return (
        WsSigner(pki.credentials("hub"))
        .sign(build_envelope(payload, addressing), confirmations=["Y29uZmlybQ=="])
        .data
    )


def _regel(ref: str) -> ops.Berichtregel:
    return ops.Berichtregel(ref, SHV_ID, SE_ID, "Saldoverzoek", datetime.now(UTC), document())


ENVELOPES: dict[str, tuple[Callable[[object], bytes], set[str]]] = {
    "VerstuurBericht": (
        lambda pki: _request(
            pki,
            ops.verstuur_request(
                ops.Verzending(str(uuid.uuid4()), SHV_ID, SE_ID, "Saldoverzoek", document())
            ),
            ops.VERSTUUR,
        ),
        REQUEST_VALUES | {"Referentienummer", "Afzender", "Ontvanger", "Berichttype", "Document"},
    ),
    "HaalBerichtenOp": (
        lambda pki: _request(pki, ops.haal_op_request(10), ops.HAAL_OP),
        REQUEST_VALUES | {"Maximum"},
    ),
    "BevestigBericht": (
        lambda pki: _request(pki, ops.bevestig_request(str(uuid.uuid4())), ops.BEVESTIG),
        REQUEST_VALUES | {"Referentienummer"},
    ),
    "VerstuurBerichtResponse": (
        lambda pki: _response(
            pki,
            ops.verstuur_response(ops.Ontvangstbewijs(str(uuid.uuid4()), datetime.now(UTC), False)),
            ops.response_action(ops.VERSTUUR),
        ),
        RESPONSE_VALUES | {"Referentienummer", "OntvangenOp", "Herhaling"},
    ),
    "HaalBerichtenOpResponse": (
        lambda pki: _response(
            pki,
            ops.haal_op_response([_regel(str(uuid.uuid4())), _regel(str(uuid.uuid4()))], True),
            ops.response_action(ops.HAAL_OP),
        ),
        RESPONSE_VALUES
        | {"Referentienummer", "Afzender", "Ontvanger", "Berichttype", "OntvangenOp", "Document", "Meer"},
    ),
    "BevestigBerichtResponse": (
        lambda pki: _response(
            pki, ops.bevestig_response(str(uuid.uuid4()), True), ops.response_action(ops.BEVESTIG)
        ),
        RESPONSE_VALUES | {"Referentienummer", "Herhaling"},
    ),
    "Fault": (
        lambda pki: _response(
            pki, build_fault(SoapFault.of(FaultCode.ONBEKENDE_ONTVANGER, "unknown")), ops.FAULT_ACTION
        ),
        RESPONSE_VALUES | {"faultcode", "faultstring", "Code", "Omschrijving", "Herhaalbaar"},
    ),
}


def _by_id(root: etree._Element) -> dict[str, etree._Element]:
    return {value: el for el in root.iter(etree.Element) for name, value in el.items() if name.endswith("Id")}


def _signed_parts(root: etree._Element) -> list[etree._Element]:
    ids = _by_id(root)
    return [ids[ref.get("URI")[1:]] for ref in root.iter(q(DS, "Reference"))]


def signed_values(data: bytes) -> Iterator[tuple[int, str]]:
    """(position in document order, local name) of every simple-content element with text inside
    a signed part."""
    root = etree.fromstring(data)
    order = {el: i for i, el in enumerate(root.iter(etree.Element))}
    for part in _signed_parts(root):
        for el in part.iter(etree.Element):
            if len(el) == 0 and (el.text or "").strip():
                yield order[el], etree.QName(el).localname


def insert(data: bytes, path: int, node: etree._Element, where: str) -> etree._Element:
    """The envelope with ``node`` placed inside the element at position ``path``, at the start,
    in the middle or at the end of its text."""
    root = etree.fromstring(data)
    element = list(root.iter(etree.Element))[path]
    text = element.text or ""
    at = {"start": 0, "middle": len(text) // 2, "end": len(text)}[where]
    element.text, node.tail = text[:at] or None, text[at:] or None
    element.insert(0, node)
    return root


def resign(root: etree._Element, key) -> bytes:
    """Sign the envelope again as it now is (a signer who wrote the node in itself): every
    Reference digest, then the SignatureValue."""
    ids = _by_id(root)
    for ref in root.iter(q(DS, "Reference")):
        assert ref.find(q(DS, "DigestMethod")).get("Algorithm").endswith("#sha256")
        digest = hashlib.sha256(exc_c14n(ids[ref.get("URI")[1:]])).digest()
        ref.find(q(DS, "DigestValue")).text = base64.b64encode(digest).decode()
    signed_info = root.find(f".//{q(DS, 'SignedInfo')}")
    value = key.sign(exc_c14n(signed_info), padding.PKCS1v15(), hashes.SHA256())
    root.find(f".//{q(DS, 'SignatureValue')}").text = base64.b64encode(value).decode()
    return etree.tostring(root)


def outcome(pki, data: bytes) -> str:
    try:
        WsVerifier(TrustStore([pki.ca.certificate])).verify(parse_envelope(data))
    except SecurityError as exc:
        return exc.code
    return "accepted"


def _signer_key(pki, name: str):
    return pki.hub.key if name.endswith("Response") or name == "Fault" else pki.shv.key


@pytest.mark.parametrize("name", sorted(ENVELOPES))
def test_every_signed_value_is_covered_by_these_tests(pki, name):
    make, expected = ENVELOPES[name]
    data = make(pki)
    assert outcome(pki, data) == "accepted"
    assert {local for _, local in signed_values(data)} == expected


@pytest.mark.parametrize("name", sorted(ENVELOPES))
def test_a_comment_inserted_after_signing_is_refused_in_every_signed_value(pki, name):
    data = ENVELOPES[name][0](pki)
    for path, local in signed_values(data):
        for where in POSITIONS:
            tampered = etree.tostring(insert(data, path, etree.Comment(""), where))
            assert outcome(pki, tampered) == "comment-in-signed-part", (local, where)


@pytest.mark.parametrize("name", sorted(ENVELOPES))
def test_a_signer_writing_a_comment_or_processing_instruction_into_a_value_is_refused(pki, name):
    data, key = ENVELOPES[name][0](pki), _signer_key(pki, name)
    for path, local in signed_values(data):
        for where in POSITIONS:
            with_pi = resign(insert(data, path, etree.ProcessingInstruction("x", "y"), where), key)
            assert outcome(pki, with_pi) == "processing-instruction", (local, where)
            with_comment = resign(insert(data, path, etree.Comment("c"), where), key)
            assert outcome(pki, with_comment) == "comment-in-signed-part", (local, where)


@pytest.mark.skipif(XMLSEC1 is None, reason="xmlsec1 is not installed (apt-get install xmlsec1)")
@pytest.mark.parametrize("name", ["VerstuurBericht", "HaalBerichtenOpResponse", "Fault"])
def test_xmlsec1_finds_those_signatures_valid(pki, name):
    """The refusals above are the content rule, not a broken signature: xmlsec1 verifies each one."""
    data, key = ENVELOPES[name][0](pki), _signer_key(pki, name)
    certificate = pki.files("hub" if key is pki.hub.key else "shv")[0]
    for path, local in signed_values(data):
        commented = etree.tostring(insert(data, path, etree.Comment(""), "middle"))
        assert xmlsec_verifies(commented, certificate), local
        with_pi = resign(insert(data, path, etree.ProcessingInstruction("x", "y"), "middle"), key)
        assert xmlsec_verifies(with_pi, certificate), local


@pytest.mark.parametrize("local", ["To", "Action", "MessageID", "Created", "Expires"])
def test_a_signed_element_inside_a_header_value_is_refused(pki, local):
    data = ENVELOPES["VerstuurBericht"][0](pki)
    path = next(p for p, name in signed_values(data) if name == local)
    nested = resign(insert(data, path, etree.Element("{urn:x}b"), "middle"), pki.shv.key)
    assert outcome(pki, nested) == "not-plain-text"


def test_a_replay_with_comments_in_the_message_id_is_refused_every_time(pki):
    verifier = WsVerifier(TrustStore([pki.ca.certificate]))
    data = ENVELOPES["VerstuurBericht"][0](pki)
    assert verifier.verify(parse_envelope(data)).message_id.startswith("urn:uuid:")
    path = next(p for p, name in signed_values(data) if name == "MessageID")
    for where in POSITIONS:  # before: three "new" MessageIDs, each accepted
        replay = etree.tostring(insert(data, path, etree.Comment(""), where))
        with pytest.raises(SecurityError) as info:
            verifier.verify(parse_envelope(replay))
        assert info.value.code == "comment-in-signed-part" and "MessageID" in info.value.message
    with pytest.raises(SecurityError) as info:
        verifier.verify(parse_envelope(data))
    assert info.value.code == "replay"


def test_plain_text_reads_cdata_and_character_references_whole():
    parser = etree.XMLParser(strip_cdata=False, resolve_entities=False)
    element = etree.fromstring(b"<v>ab<![CDATA[cd]]>&#101;&amp;f</v>", parser)
    assert plain_text(element) == "abcde&f"
    for inside in (b"<!--x-->", b"<?pi x?>", b"<e/>"):
        with pytest.raises(NotPlainText):
            plain_text(etree.fromstring(b"<v>ab" + inside + b"cd</v>", parser))


@pytest.mark.parametrize(
    "inside", [etree.Comment(""), etree.ProcessingInstruction("x"), etree.Element("{urn:x}e")]
)
def test_hub_payload_readers_read_a_field_whole_or_refuse_it(inside):
    ref = str(uuid.uuid4())
    payload = ops.verstuur_request(ops.Verzending(ref, SHV_ID, SE_ID, "Saldoverzoek", document()))
    assert ops.read_verstuur_request(payload).referentienummer == ref
    field = payload.find(q(HUB, "Referentienummer"))
    field.text, inside.tail = ref[:8], ref[8:]
    field.append(inside)
    with pytest.raises(ops.PayloadError, match="Referentienummer must hold text only"):
        ops.read_verstuur_request(payload)


def test_a_fault_is_read_whole_or_refused():
    fault = build_fault(SoapFault.of(FaultCode.TIJDELIJK_NIET_BESCHIKBAAR, "busy"))
    assert parse_fault(fault).retryable
    code = fault.find(f"detail/{q(HUB, 'HubFout')}/{q(HUB, 'Code')}")
    code.text = "Tijdelijk"
    etree.SubElement(code, "{urn:x}e").tail = "NietBeschikbaar"
    with pytest.raises(NotPlainText):
        parse_fault(fault)


def test_a_carried_document_header_is_read_whole_as_its_schema_reads_it():
    """The document inside hub:Document is signed byte for byte (comments included); its values are
    read as XSD sees them, so a refusal's Foutbericht names the whole Referentienummer."""
    ref, conversatie = "1ecf5a34-6f96-5523-bc86-c328de559866", "fbfe1b20-6805-5bd4-943d-048d7c2900a4"
    data = (FIXTURES / "valid" / "2.0" / "Saldoverzoek.xml").read_bytes()
    data = data.replace(ref.encode(), f"{ref[:8]}<!---->{ref[8:]}".encode())
    data = data.replace(conversatie.encode(), f"{conversatie[:4]}<?x y?>{conversatie[4:]}".encode())
    processor = InboundProcessor(eigen_adres=str(uuid.uuid4()), adresboek=Adresboek(()))
    inspection = processor.inspect(data)
    assert not inspection.ok and inspection.problems[0]["code"] == "wrong-recipient"
    assert (inspection.referentienummer, inspection.conversatie) == (ref, conversatie)
