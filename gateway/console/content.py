"""A stored message as the console shows it: its content as readable rows (amounts in euros, the BSN
masked unless asked for), the XML pretty-printed, the JSON form, how a nul-aanbod went on the wire,
and the findings of the rules. Documents here come from our own store: we encoded them, or they
passed validation when they were fetched (a quarantined one may not parse: it is shown as text)."""

from __future__ import annotations

import dataclasses
import json
import typing
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from lxml import etree

from gateway.codec import DecodeError, decode
from gateway.codec.json_form import to_json
from gateway.console.formatting import datum, euro, tijd
from gateway.logs import mask_bsn
from gateway.model.fields import Optional, object_type
from gateway.model.fieldtype import FieldType
from gateway.model.types import Geld, Patroon
from gateway.rules import check_rules
from gateway.xml.errors import XmlInputError
from gateway.xml.parsing import parse_xml

MASK = "•••••••••"


@dataclass(frozen=True, slots=True)
class Row:
    label: str
    value: str
    depth: int
    kop: bool = False  # a heading (a nested block or a list item), no value


@dataclass(frozen=True, slots=True)
class NulAanbod:
    """How a nul-aanbod (model type SA) travelled: as SA, or as the € 0.00 SK workaround."""

    op_de_lijn: str  # the TypeSchuldregeling in the document: SA or SK
    workaround: bool


@dataclass(frozen=True, slots=True)
class View:
    rijen: list[Row]
    xml: str | None
    json: str | None
    nul_aanbod: NulAanbod | None
    bevindingen: list[dict[str, str]]
    bsn_aanwezig: bool
    leesfout: str | None  # why the document could not be read as a message (a quarantined one)


def document_view(document: bytes | None, *, toon_bsn: bool) -> View:
    """Everything the Bericht page shows of ``document`` (None: purged by retention)."""
    if document is None:
        return View([], None, None, None, [], False, None)
    try:
        bericht = decode(document)
    except (DecodeError, XmlInputError, ValueError) as exc:
        return View([], _text(document, toon_bsn), None, None, [], False, type(exc).__name__)
    bsn_paths: list[str] = []
    rijen = list(_rows(bericht, 0, toon_bsn, bsn_paths))
    form = to_json(bericht)
    return View(
        rijen=rijen,
        xml=pretty_xml(document, toon_bsn=toon_bsn),
        json=json.dumps(form if toon_bsn else _mask_json(form), ensure_ascii=False, indent=2),
        nul_aanbod=_nul_aanbod(document, form),
        bevindingen=[f.to_dict() for f in check_rules(bericht)],
        bsn_aanwezig=bool(bsn_paths),
        leesfout=None,
    )


def pretty_xml(document: bytes, *, toon_bsn: bool) -> str:
    """The document indented; every BSN element masked unless ``toon_bsn``."""
    try:
        tree = parse_xml(document)
    except XmlInputError:
        return _text(document, toon_bsn)
    root = tree.getroot()
    if not toon_bsn:
        for element in root.iter("{*}BSN"):
            element.text = MASK
    etree.indent(root, space="  ")
    return etree.tostring(root, encoding="unicode")


def _text(document: bytes, toon_bsn: bool) -> str:
    """A document that does not parse: as text, with every 9-digit number passing the elfproef masked."""
    text = document.decode("utf-8", errors="replace")
    return text if toon_bsn else mask_bsn(text)


def _mask_json(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: (MASK if k == "bsn" and v else _mask_json(v)) for k, v in value.items()}
    if isinstance(value, list):
        return [_mask_json(v) for v in value]
    return value


def _nul_aanbod(document: bytes, form: dict[str, Any]) -> NulAanbod | None:
    """A message whose model type is SA: which TypeSchuldregeling stood in the document on the wire."""
    holder = form.get("voorstel") if isinstance(form.get("voorstel"), dict) else form
    if not isinstance(holder, dict) or holder.get("type_schuldregeling") != "SA":
        return None
    try:
        root = parse_xml(document).getroot()
    except XmlInputError:
        return None
    found = root.find(".//{*}TypeSchuldregeling")
    wire = (found.text or "").strip() if found is not None else "?"
    return NulAanbod(wire, holder.get("nul_aanbod_codering") == "sk-workaround")


# -- the content as rows --------------------------------------------------------------------------
#: words of field names as Dutch writes them (field names are ASCII)
_WORDS = {"shv": "SHV", "se": "SE", "bsn": "BSN", "financiele": "financiële", "beeindiging": "beëindiging"}
#: one item of a list, by the list's field name ("Vordering 1", not "Vorderingen 1")
_ITEM = {"vorderingen": "Vordering", "fouten": "Fout"}


def _label(name: str) -> str:
    text = " ".join(_WORDS.get(word, word) for word in name.split("_")).replace("nul aanbod", "nul-aanbod")
    return text[:1].upper() + text[1:]


def _rows(obj: Any, depth: int, toon_bsn: bool, bsn_paths: list[str]) -> typing.Iterator[Row]:
    for f in object_type(type(obj)).fields:
        if f.name == "berichtheader":
            continue
        value = getattr(obj, f.name)
        if value is None or value == ():
            continue
        label = _label(f.name)
        if dataclasses.is_dataclass(value):
            yield Row(label, "", depth, kop=True)
            yield from _rows(value, depth + 1, toon_bsn, bsn_paths)
        elif isinstance(value, tuple) and value and dataclasses.is_dataclass(value[0]):
            for i, item in enumerate(value, start=1):
                yield Row(f"{_ITEM.get(f.name, label)} {i}", "", depth, kop=True)
                yield from _rows(item, depth + 1, toon_bsn, bsn_paths)
        else:
            kind = f.type.inner if isinstance(f.type, Optional) else f.type
            yield Row(label, _value(value, kind, toon_bsn, bsn_paths, f.name), depth)


def _value(value: Any, kind: FieldType, toon_bsn: bool, bsn_paths: list[str], name: str) -> str:
    """The text of a value; its field type says whether it is a BSN (masked) or a percentage."""
    if isinstance(kind, Patroon) and kind.name == "BSN":
        bsn_paths.append(name)
        return str(value) if toon_bsn else MASK
    if isinstance(value, Decimal):
        if isinstance(kind, Geld) and kind.percentage:
            return f"{value.normalize():f}".replace(".", ",") + " %"
        return euro(value)
    if isinstance(value, datetime):
        return tijd(value)
    if isinstance(value, date):
        return datum(value)
    if isinstance(value, bool):
        return "ja" if value else "nee"
    if isinstance(value, bytes):
        return f"({len(value)} bytes)"
    if isinstance(value, tuple):
        return ", ".join(str(getattr(v, "value", v)) for v in value)
    return str(getattr(value, "value", value))
