"""JSON Schema (draft 2020-12) per message type, generated from the model's field types.

The schemas describe the JSON form of :mod:`gateway.codec.json_form`: field types, patterns, lengths,
bounds, list lengths and enumerations. Invariants across fields (an xs:choice, the BSN elfproef, a
nul-aanbod codering only on SA) are checked when the model object is built, not in the schema. A received
message's JSON form also has its ``bevindingen`` (findings the gateway attached; ignored when the form is
read back), described by :data:`BEVINDING`.

Each field's part of a schema is its field type's (:mod:`gateway.model.fields`), the same object the
model's checks, the JSON form and the configuration read.

Regenerate the shipped files with ``python -m gateway.codec.json_schema [DIR]`` (default
``schemas/json``); a test checks they equal what this module produces.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from gateway.model import BERICHT_KLASSEN, Berichttype
from gateway.model.fields import object_type

DRAFT = "https://json-schema.org/draft/2020-12/schema"
SCHEMA_DIR = Path(__file__).resolve().parents[2] / "schemas" / "json"


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


def schema_for(berichttype: Berichttype) -> dict[str, Any]:
    cls = BERICHT_KLASSEN[berichttype]
    defs: dict[str, Any] = {}
    body = object_type(cls).json_schema_object(defs)
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
