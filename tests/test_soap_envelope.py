"""SOAP 1.1 envelope with WS-Addressing, and faults as typed retryable/permanent errors."""

from __future__ import annotations

import pytest
from lxml import etree

from gateway.soap.envelope import Addressing, build_envelope, message_id_for, parse_envelope, payload_of
from gateway.soap.faults import FaultCode, SoapFault, build_fault, parse_fault
from gateway.soap.namespaces import HUB, SOAP, WSA, q
from gateway.xml.errors import XmlInputError

REF = "0b9c3a4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d"


def test_message_id_is_the_referentienummer():
    assert message_id_for(REF) == f"urn:uuid:{REF}"
    with pytest.raises(ValueError):
        message_id_for("not-a-uuid")


def test_request_and_response_addressing():
    payload = etree.Element(q(HUB, "BevestigBericht"))
    env = build_envelope(
        payload, Addressing("https://hub/skp", "urn:a", "urn:uuid:1", relates_to="urn:uuid:0")
    )
    header = env.find(q(SOAP, "Header"))
    assert [etree.QName(h).localname for h in header] == ["To", "Action", "MessageID", "RelatesTo"]
    assert header.findtext(q(WSA, "RelatesTo")) == "urn:uuid:0"
    parsed = parse_envelope(etree.tostring(env))
    assert payload_of(parsed.find(q(SOAP, "Body"))).tag == q(HUB, "BevestigBericht")


def test_non_soap_and_hostile_input_are_refused():
    with pytest.raises(XmlInputError) as info:
        parse_envelope(b"<html/>")
    assert info.value.problem.code == "not-soap"
    with pytest.raises(XmlInputError):
        parse_envelope(b'<!DOCTYPE x [<!ENTITY a "b">]><x>&a;</x>')
    with pytest.raises(XmlInputError):
        parse_envelope(b"\x00garbage")


def test_body_with_two_elements_is_refused():
    body = etree.Element(q(SOAP, "Body"))
    etree.SubElement(body, "a")
    etree.SubElement(body, "b")
    with pytest.raises(XmlInputError):
        payload_of(body)


@pytest.mark.parametrize(
    ("code", "retryable", "soap_code"),
    [
        (FaultCode.TIJDELIJK_NIET_BESCHIKBAAR, True, "Server"),
        (FaultCode.ONGELDIG_BERICHT, False, "Client"),
        (FaultCode.ONBEKENDE_ONTVANGER, False, "Client"),
        (FaultCode.NIET_GEAUTORISEERD, False, "Client"),
    ],
)
def test_fault_roundtrip(code, retryable, soap_code):
    element = build_fault(SoapFault.of(code, "uitleg"))
    assert element.findtext("faultcode") == f"soap:{soap_code}"
    parsed = parse_fault(etree.fromstring(etree.tostring(element)))
    assert (parsed.code, parsed.retryable, parsed.message) == (code.value, retryable, "uitleg")


def test_unknown_fault_code_is_classified_by_faultcode():
    server = etree.fromstring(
        f'<s:Fault xmlns:s="{SOAP}"><faultcode>s:Server</faultcode><faultstring>x</faultstring></s:Fault>'
    )
    client = etree.fromstring(
        f'<s:Fault xmlns:s="{SOAP}"><faultcode>s:Client</faultcode><faultstring>x</faultstring>'
        f'<detail><h:HubFout xmlns:h="{HUB}"><h:Code>Nieuw</h:Code></h:HubFout></detail></s:Fault>'
    )
    assert parse_fault(server).retryable is True
    assert (parse_fault(client).code, parse_fault(client).retryable) == ("Nieuw", False)
    assert parse_fault(etree.Element(q(HUB, "VerstuurBerichtResponse"))) is None
