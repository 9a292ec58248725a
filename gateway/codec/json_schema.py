"""JSON Schema (draft 2020-12) per message type, generated from the model's annotations.

The schemas describe the JSON form of :mod:`gateway.codec.json_form`: field types, patterns, lengths,
bounds, list lengths and enumerations. Invariants across fields (an xs:choice, the BSN elfproef, a
nul-aanbod codering only on SA) are checked when the model object is built, not in the schema. A received
message's JSON form also has its ``bevindingen`` (findings the gateway attached; ignored when the form is
read back), described by :data:`BEVINDING`.

Regenerate the shipped files with ``python -m gateway.codec.json_schema [DIR]`` (default
``schemas/json``); a test checks they equal what this module produces.
"""

from __future__ import annotations

import dataclasses
import enum
import json
import sys
import typing
from datetime import date, datetime
from pathlib import Path
from typing import Any

from gateway.codec.json_form import DATUM_PATTERN, DATUMTIJD_PATTERN
from gateway.model import BERICHT_KLASSEN, Berichttype
from gateway.model.types import Geheel, Geld, Lijst, Patroon, Tekst, base_of, marker_of, unwrap_optional

DRAFT = "https://json-schema.org/draft/2020-12/schema"
SCHEMA_DIR = Path(__file__).resolve().parents[2] / "schemas" / "json"
_TRIMMED = r"[^ \t\n\r]([^\n\r]*[^ \t\n\r])?"
_BEDRAG = r"[0-9]{1,10}(\.[0-9]{1,2})?"
_PERCENTAGE = r"(100(\.0{1,2})?|[0-9]{1,2}(\.[0-9]{1,2})?)"
_BASE64 = r"[A-Za-z0-9+/]*={0,2}"


BEVINDING: dict[str, Any] = {
    "type": "object",
    "description": "a finding: a stable code, error or warning, a JSON pointer into the message, a sentence",
    "properties": {
        "code": {"type": "string", "minLength": 1},
        "severity": {"type": "string", "enum": ["error", "warning"]},
        "field": {"type": "string"},
        "message": {"type": "string"},
        "expected": {"type": "string", "description": "the value the field should have, where computed"},
    },
    "required": ["code", "severity", "field", "message"],
    "additionalProperties": False,
}
_BEVINDINGEN = {
    "type": "array",
    "description": "findings about a received message (the Gedragscode and consistency rules, other checks); "
    "ignored when submitted or converted",
    "items": {"$ref": "#/$defs/Bevinding"},
}


def _anchored(pattern: str) -> str:
    return f"^(?:{pattern})$"


def schema_for(berichttype: Berichttype) -> dict[str, Any]:
    cls = BERICHT_KLASSEN[berichttype]
    defs: dict[str, Any] = {}
    body = _object(cls, defs)
    body["properties"] = {
        "berichttype": {"const": berichttype.value},
        **body["properties"],
        "bevindingen": _BEVINDINGEN,
    }
    body["required"] = ["berichttype", *body["required"]]
    defs["Bevinding"] = BEVINDING
    return {
        "$schema": DRAFT,
        "$id": f"urn:skp-gateway:json:{berichttype.value}",
        "title": f"{berichttype.value} (JSON form, version-free)",
        **body,
        "$defs": dict(sorted(defs.items())),
    }


def _object(cls: type, defs: dict[str, Any]) -> dict[str, Any]:
    hints = typing.get_type_hints(cls, include_extras=True)
    properties: dict[str, Any] = {}
    required: list[str] = []
    for f in dataclasses.fields(cls):
        properties[f.name] = _type(hints[f.name], defs)
        if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING:
            required.append(f.name)
    return {"type": "object", "properties": properties, "required": required, "additionalProperties": False}


def _type(hint: Any, defs: dict[str, Any]) -> dict[str, Any]:
    inner, _ = unwrap_optional(hint)
    marker = marker_of(inner)
    base = base_of(inner)
    if typing.get_origin(base) is tuple:
        result: dict[str, Any] = {"type": "array", "items": _type(typing.get_args(base)[0], defs)}
        if isinstance(marker, Lijst):
            result.update(minItems=marker.minimum, maxItems=marker.maximum)
        return result
    if isinstance(marker, Geld):
        pattern = _PERCENTAGE if marker.percentage else _BEDRAG
        return {"type": "string", "pattern": _anchored(pattern)}
    if isinstance(marker, Tekst):
        result = {"type": "string", "minLength": 1, "maxLength": marker.max_length}
        pattern = marker.pattern or (_TRIMMED if marker.trimmed else None)
        if pattern:
            result["pattern"] = _anchored(pattern)
        return result
    if isinstance(marker, Patroon):
        return {"type": "string", "pattern": _anchored(marker.pattern)}
    if isinstance(marker, Geheel):
        result = {"type": "integer", "minimum": marker.minimum}
        if marker.maximum is not None:
            result["maximum"] = marker.maximum
        return result
    if base is datetime:
        return {"type": "string", "pattern": _anchored(DATUMTIJD_PATTERN)}
    if base is date:
        return {"type": "string", "format": "date", "pattern": _anchored(DATUM_PATTERN)}
    if base is bytes:
        return {"type": "string", "contentEncoding": "base64", "pattern": _anchored(_BASE64)}
    if isinstance(base, type) and issubclass(base, enum.Enum):
        return {"type": "string", "enum": [m.value for m in base]}
    if dataclasses.is_dataclass(base):
        name = base.__name__
        if name not in defs:
            defs[name] = {}  # placeholder against recursion
            defs[name] = _object(base, defs)
        return {"$ref": f"#/$defs/{name}"}
    if base is str:
        return {"type": "string"}
    raise TypeError(f"no JSON Schema for {hint!r}")


def render(berichttype: Berichttype) -> str:
    """The file content: stable key order, two-space indent, trailing newline."""
    return json.dumps(schema_for(berichttype), indent=2, ensure_ascii=False) + "\n"


def write_all(directory: Path = SCHEMA_DIR) -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for berichttype in Berichttype:
        path = directory / f"{berichttype.value}.schema.json"
        path.write_text(render(berichttype), encoding="utf-8")
        written.append(path)
    return written


if __name__ == "__main__":
    for written_path in write_all(Path(sys.argv[1]) if len(sys.argv) > 1 else SCHEMA_DIR):
        print(written_path)
