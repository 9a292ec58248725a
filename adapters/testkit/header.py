"""Rewrite a message's Berichtheader for sending: fresh ids and time, our party and counterpart.

Only the header elements that are present are touched, so the document keeps its shape and stays
valid against its XSD when it was valid before. Documents that do not parse are returned as they
are (a tester may want to send a broken message on purpose).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

from lxml import etree

from gateway.xml.errors import XmlInputError
from gateway.xml.parsing import parse_xml

HEADER_FIELDS = (
    "Referentienummer",
    "ConversatieReferentienummer",
    "CrossReferentienummer",
    "Afzender",
    "Ontvanger",
    "Berichttype",
    "DatumTijd",
)


def utc_stamp(moment: datetime | None = None) -> str:
    """DatumTijd as the schemas want it: UTC, whole seconds, Z suffix."""
    return (moment or datetime.now(UTC)).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass(frozen=True, slots=True)
class Header:
    """What the sender needs to know of a document: read from its Berichtheader."""

    root: str  # local name of the root element (the version-specific message type)
    referentienummer: str | None
    conversatie: str | None
    afzender: str | None
    ontvanger: str | None


def read_header(data: bytes) -> Header | None:
    """The Berichtheader's fields, or None when the bytes are not a well-formed document."""
    try:
        root = parse_xml(data).getroot()
    except XmlInputError:
        return None
    return _header_of(root)


def _header_of(root: etree._Element) -> Header:
    values = {name: _field(root, name) for name in HEADER_FIELDS}
    return Header(
        root=etree.QName(root).localname,
        referentienummer=values["Referentienummer"],
        conversatie=values["ConversatieReferentienummer"],
        afzender=values["Afzender"],
        ontvanger=values["Ontvanger"],
    )


def _berichtheader(root: etree._Element) -> etree._Element | None:
    for child in root:
        if isinstance(child.tag, str) and etree.QName(child).localname == "Berichtheader":
            return child
    return None


def _field_element(root: etree._Element, name: str) -> etree._Element | None:
    header = _berichtheader(root)
    if header is None:
        return None
    for child in header:
        if isinstance(child.tag, str) and etree.QName(child).localname == name:
            return child
    return None


def _field(root: etree._Element, name: str) -> str | None:
    element = _field_element(root, name)
    return (element.text or "").strip() if element is not None else None


@dataclass(frozen=True, slots=True)
class Rewrite:
    """New header values; None leaves a field as it is."""

    referentienummer: str | None = None
    conversatie: str | None = None
    afzender: str | None = None
    ontvanger: str | None = None
    datumtijd: str | None = None

    @classmethod
    def fresh(cls, afzender: str | None, ontvanger: str | None, conversatie: str | None = None) -> Rewrite:
        return cls(str(uuid.uuid4()), conversatie, afzender, ontvanger, utc_stamp())


def rewrite(data: bytes, change: Rewrite) -> tuple[bytes, Header | None]:
    """The document with its header changed; unparseable documents come back unchanged with None."""
    try:
        tree = parse_xml(data)
    except XmlInputError:
        return data, None
    root = tree.getroot()
    for name, value in (
        ("Referentienummer", change.referentienummer),
        ("ConversatieReferentienummer", change.conversatie),
        ("Afzender", change.afzender),
        ("Ontvanger", change.ontvanger),
        ("DatumTijd", change.datumtijd),
    ):
        element = _field_element(root, name)
        if value is not None and element is not None:
            element.text = value
    out = etree.tostring(tree, encoding="UTF-8", xml_declaration=True)
    return out, _header_of(root)
