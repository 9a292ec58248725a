"""SOAP 1.1 faults of the hub, as typed errors that say whether a retry can help.

The fault codes (docs/decisions.md, schemas/hub/hub.xsd) travel in
``detail/hub:HubFout/hub:Code``; ``faultcode`` is ``soap:Server`` for retryable and ``soap:Client``
for permanent faults, so that a generic SOAP client draws the same conclusion. A code we do not
know is classified by ``faultcode``.
"""

from __future__ import annotations

import enum

from lxml import etree

from gateway.security.signed_text import plain_text
from gateway.soap.namespaces import HUB, SOAP, q


class FaultCode(enum.StrEnum):
    TIJDELIJK_NIET_BESCHIKBAAR = "TijdelijkNietBeschikbaar"
    ONGELDIG_BERICHT = "OngeldigBericht"
    ONBEKENDE_ONTVANGER = "OnbekendeOntvanger"
    NIET_GEAUTORISEERD = "NietGeautoriseerd"

    @property
    def retryable(self) -> bool:
        return self is FaultCode.TIJDELIJK_NIET_BESCHIKBAAR


class SoapFault(Exception):
    """A hub fault: ``code`` (a :class:`FaultCode` value or an unknown string), ``retryable``."""

    def __init__(self, code: str, message: str, *, retryable: bool | None = None) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        if retryable is None:
            known = _known(code)
            retryable = known.retryable if known is not None else False
        self.retryable = retryable

    @classmethod
    def of(cls, code: FaultCode, message: str) -> SoapFault:
        return cls(code.value, message, retryable=code.retryable)

    @property
    def soap_code(self) -> str:
        return "Server" if self.retryable else "Client"


def _known(code: str) -> FaultCode | None:
    try:
        return FaultCode(code)
    except ValueError:
        return None


def build_fault(fault: SoapFault) -> etree._Element:
    """The ``soap:Fault`` element to put in the Body (sent with HTTP 500)."""
    element = etree.Element(q(SOAP, "Fault"), nsmap={"soap": SOAP})
    etree.SubElement(element, "faultcode").text = f"soap:{fault.soap_code}"
    etree.SubElement(element, "faultstring").text = fault.message
    detail = etree.SubElement(element, "detail")
    hub = etree.SubElement(detail, q(HUB, "HubFout"), nsmap={"hub": HUB})
    etree.SubElement(hub, q(HUB, "Code")).text = fault.code
    etree.SubElement(hub, q(HUB, "Omschrijving")).text = fault.message
    etree.SubElement(hub, q(HUB, "Herhaalbaar")).text = "true" if fault.retryable else "false"
    return element


def parse_fault(payload: etree._Element | None) -> SoapFault | None:
    """The fault in a Body payload, or None when the payload is not a ``soap:Fault``. Every field
    is read whole: one holding anything but text raises
    :class:`~gateway.security.signed_text.NotPlainText` (a ``ValueError``)."""
    if payload is None or payload.tag != q(SOAP, "Fault"):
        return None
    faultcode = _field(payload, "faultcode")
    prefix, _, local = faultcode.rpartition(":")
    namespace = payload.nsmap.get(prefix or None)
    soap_level = local if namespace == SOAP else faultcode
    message = _field(payload, "faultstring") or "(no faultstring)"
    detail = _child(payload, "detail")
    hub = _child(detail, q(HUB, "HubFout")) if detail is not None else None
    if hub is None:
        return SoapFault(f"soap:{soap_level}", message, retryable=soap_level.startswith("Server"))
    code = _field(hub, q(HUB, "Code")) or f"soap:{soap_level}"
    known = _known(code)
    if known is not None:
        return SoapFault(code, message, retryable=known.retryable)
    flag = _field(hub, q(HUB, "Herhaalbaar"))
    retryable = flag == "true" if flag in ("true", "false") else soap_level.startswith("Server")
    return SoapFault(code, message, retryable=retryable)


def _child(parent: etree._Element, tag: str) -> etree._Element | None:
    return next((child for child in parent if child.tag == tag), None)


def _field(parent: etree._Element, tag: str) -> str:
    """The stripped whole text of the first child ``tag`` ("" when there is none)."""
    child = _child(parent, tag)
    return plain_text(child).strip() if child is not None else ""
