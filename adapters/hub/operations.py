"""The hub operations (``schemas/hub/hub.wsdl``) as Python: actions, payload builders and readers.

Shared by the client and the simulator so that both speak exactly one dialect. Readers take
elements that came out of a *verified* envelope and check their shape themselves (every field is
read whole, and one that holds anything but text is a :class:`PayloadError`); the simulator
additionally validates requests against ``hub.xsd``.
"""

from __future__ import annotations

import base64
import binascii
import copy
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from lxml import etree

from gateway.security.signed_text import NotPlainText, plain_text
from gateway.soap.namespaces import HUB, q

SCHEMA_DIR = Path(__file__).resolve().parents[2] / "schemas" / "hub"
WSDL_PATH = SCHEMA_DIR / "hub.wsdl"
XSD_PATH = SCHEMA_DIR / "hub.xsd"

VERSTUUR = "VerstuurBericht"
HAAL_OP = "HaalBerichtenOp"
BEVESTIG = "BevestigBericht"
OPERATIONS = (VERSTUUR, HAAL_OP, BEVESTIG)
MAX_PER_FETCH = 1000


def action(operation: str) -> str:
    return f"{HUB}:{operation}"


def response_action(operation: str) -> str:
    return f"{HUB}:{operation}Response"


FAULT_ACTION = f"{HUB}:Fout"


class PayloadError(ValueError):
    """A verified payload that does not have the shape of the operation."""


def _el(parent: etree._Element, name: str, text: str) -> None:
    etree.SubElement(parent, q(HUB, name)).text = text


_TEMPLATES: dict[tuple[str, tuple[str, ...]], etree._Element] = {}


def _filled(root_name: str, fields: dict[str, str]) -> etree._Element:
    """hub:<root_name> with one hub child per field, in order, holding its text. The bare element
    is built once per shape and copied (a quarter of the cost of building it element by element)."""
    key = (root_name, tuple(fields))
    template = _TEMPLATES.get(key)
    if template is None:
        template = etree.Element(q(HUB, root_name), nsmap={"hub": HUB})
        for name in fields:
            etree.SubElement(template, q(HUB, name))
        _TEMPLATES[key] = template
    root = copy.deepcopy(template)
    for child, text in zip(root, fields.values(), strict=True):
        child.text = text
    return root


def _text(element: etree._Element, name: str) -> str:
    """The whole text of the first hub:``name`` child, which must hold text only (no comment,
    element or processing instruction: :func:`gateway.security.signed_text.plain_text`)."""
    tag = q(HUB, name)
    found = next((child for child in element if child.tag == tag), None)  # find(), without ElementPath
    try:
        value = plain_text(found).strip() if found is not None else ""
    except NotPlainText as exc:
        raise PayloadError(f"{etree.QName(element).localname}: {exc}") from None
    if not value:
        raise PayloadError(f"{etree.QName(element).localname} lacks {name}")
    return value


def _optional_text(element: etree._Element, name: str) -> str | None:
    tag = q(HUB, name)
    found = next((child for child in element if child.tag == tag), None)
    return found.text.strip() if found is not None and (found.text or "").strip() else None


def _bool(element: etree._Element, name: str) -> bool:
    value = _text(element, name)
    if value not in ("true", "false", "1", "0"):
        raise PayloadError(f"{name} is not a boolean")
    return value in ("true", "1")


def _time(element: etree._Element, name: str) -> datetime:
    try:
        value = datetime.fromisoformat(_text(element, name))
    except ValueError:
        raise PayloadError(f"{name} is not an xs:dateTime") from None
    return (value if value.tzinfo else value.replace(tzinfo=UTC)).astimezone(UTC)


def _document(element: etree._Element) -> bytes:
    try:
        return base64.b64decode(_text(element, "Document"), validate=True)
    except (binascii.Error, ValueError):
        raise PayloadError("Document is not base64") from None


def format_datetime(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


@dataclass(frozen=True, slots=True)
class Verzending:
    referentienummer: str
    afzender: str
    ontvanger: str
    berichttype: str
    document: bytes


@dataclass(frozen=True, slots=True)
class Ontvangstbewijs:
    referentienummer: str
    ontvangen_op: datetime
    herhaling: bool


@dataclass(frozen=True, slots=True)
class Berichtregel:
    referentienummer: str
    afzender: str
    ontvanger: str
    berichttype: str
    ontvangen_op: datetime
    document: bytes
    afzender_oin: str | None = None  # the OIN the sender authenticated with (optional on the wire)


def verstuur_request(v: Verzending) -> etree._Element:
    return _filled(
        VERSTUUR,
        {
            "Referentienummer": v.referentienummer,
            "Afzender": v.afzender,
            "Ontvanger": v.ontvanger,
            "Berichttype": v.berichttype,
            "Document": base64.b64encode(v.document).decode("ascii"),
        },
    )


def read_verstuur_request(el: etree._Element) -> Verzending:
    return Verzending(
        _text(el, "Referentienummer"),
        _text(el, "Afzender"),
        _text(el, "Ontvanger"),
        _text(el, "Berichttype"),
        _document(el),
    )


def verstuur_response(b: Ontvangstbewijs) -> etree._Element:
    return _filled(
        f"{VERSTUUR}Response",
        {
            "Referentienummer": b.referentienummer,
            "OntvangenOp": format_datetime(b.ontvangen_op),
            "Herhaling": "true" if b.herhaling else "false",
        },
    )


def read_verstuur_response(el: etree._Element) -> Ontvangstbewijs:
    _expect(el, f"{VERSTUUR}Response")
    return Ontvangstbewijs(_text(el, "Referentienummer"), _time(el, "OntvangenOp"), _bool(el, "Herhaling"))


def haal_op_request(maximum: int) -> etree._Element:
    root = etree.Element(q(HUB, HAAL_OP), nsmap={"hub": HUB})
    _el(root, "Maximum", str(maximum))
    return root


def read_haal_op_request(el: etree._Element) -> int:
    try:
        return int(_text(el, "Maximum"))
    except ValueError:
        raise PayloadError("Maximum is not an integer") from None


def haal_op_response(berichten: list[Berichtregel], meer: bool) -> etree._Element:
    root = etree.Element(q(HUB, f"{HAAL_OP}Response"), nsmap={"hub": HUB})
    for b in berichten:
        item = etree.SubElement(root, q(HUB, "Bericht"))
        _el(item, "Referentienummer", b.referentienummer)
        _el(item, "Afzender", b.afzender)
        if b.afzender_oin:
            _el(item, "AfzenderOIN", b.afzender_oin)
        _el(item, "Ontvanger", b.ontvanger)
        _el(item, "Berichttype", b.berichttype)
        _el(item, "OntvangenOp", format_datetime(b.ontvangen_op))
        _el(item, "Document", base64.b64encode(b.document).decode("ascii"))
    _el(root, "Meer", "true" if meer else "false")
    return root


def read_haal_op_response(el: etree._Element) -> tuple[list[Berichtregel], bool]:
    _expect(el, f"{HAAL_OP}Response")
    berichten = [
        Berichtregel(
            _text(item, "Referentienummer"),
            _text(item, "Afzender"),
            _text(item, "Ontvanger"),
            _text(item, "Berichttype"),
            _time(item, "OntvangenOp"),
            _document(item),
            _optional_text(item, "AfzenderOIN"),
        )
        for item in el.findall(q(HUB, "Bericht"))
    ]
    return berichten, _bool(el, "Meer")


def bevestig_request(referentienummer: str) -> etree._Element:
    root = etree.Element(q(HUB, BEVESTIG), nsmap={"hub": HUB})
    _el(root, "Referentienummer", referentienummer)
    return root


def read_bevestig_request(el: etree._Element) -> str:
    return _text(el, "Referentienummer")


def bevestig_response(referentienummer: str, herhaling: bool) -> etree._Element:
    root = etree.Element(q(HUB, f"{BEVESTIG}Response"), nsmap={"hub": HUB})
    _el(root, "Referentienummer", referentienummer)
    _el(root, "Herhaling", "true" if herhaling else "false")
    return root


def read_bevestig_response(el: etree._Element) -> tuple[str, bool]:
    _expect(el, f"{BEVESTIG}Response")
    return _text(el, "Referentienummer"), _bool(el, "Herhaling")


def _expect(el: etree._Element, local: str) -> None:
    if el.tag != q(HUB, local):
        raise PayloadError(f"expected hub:{local}, found {etree.QName(el).localname}")
