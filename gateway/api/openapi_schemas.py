"""The components of the OpenAPI document: the messages' JSON Schemas (shipped in schemas/json/,
their ``$defs`` hoisted into ``components/schemas``, plus a relaxed ``<Berichttype>Invoer`` for
submissions) and the API's own answers (errors, pages, details, timelines)."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

from gateway.model.berichttype import Berichttype
from gateway.xml.catalogue import SCHEMAS_DIR

JSON_DIR = SCHEMAS_DIR / "json"
REF = "#/components/schemas/"


def _rewrite_refs(node: Any) -> Any:
    if isinstance(node, dict):
        return {
            k: (v.replace("#/$defs/", REF) if k == "$ref" and isinstance(v, str) else _rewrite_refs(v))
            for k, v in node.items()
        }
    if isinstance(node, list):
        return [_rewrite_refs(v) for v in node]
    return node


def message_schemas(directory: Path) -> dict[str, Any]:
    components: dict[str, Any] = {}
    for berichttype in Berichttype:
        schema = json.loads((directory / f"{berichttype.value}.schema.json").read_text(encoding="utf-8"))
        for name, definition in schema.pop("$defs", {}).items():
            definition = _rewrite_refs(definition)
            if components.setdefault(name, definition) != definition:
                raise ValueError(f"two message schemas define {name} differently")
        for key in ("$schema", "$id"):
            schema.pop(key, None)
        components[berichttype.value] = _rewrite_refs(schema)
    header = components["Berichtheader"]
    components["BerichtheaderInvoer"] = {**copy.deepcopy(header), "required": ["ontvanger"]}
    for berichttype in Berichttype:
        invoer = copy.deepcopy(components[berichttype.value])
        invoer["properties"]["berichtheader"] = {"$ref": REF + "BerichtheaderInvoer"}
        invoer["title"] = f"{berichttype.value} to submit"
        components[f"{berichttype.value}Invoer"] = invoer
    return components


REFUSAL_CODES = (
    "missing-token", "invalid-token", "malformed-authorization", "role-missing", "certificate-not-listed",
    "invalid-json", "json-too-deep", "invalid-query", "unknown-query-parameter", "unknown-path",
    "method-not-allowed", "not-found", "referentienummer-conflict", "not-dead", "nothing-to-redeliver",
    "not-waiting", "body-too-large", "store-unavailable", "internal-error",
)  # fmt: skip


def api_schemas() -> dict[str, Any]:
    nullable = {"type": ["string", "null"]}
    return {
        "Finding": {
            "$ref": REF + "Bevinding",
            "description": "one finding: code, severity (error or warning), field (a JSON pointer), message, "
            "and where computed the expected value (the JSON form lists them as bevindingen)",
        },
        "Error": {
            "type": "object",
            "required": ["error", "code"],
            "properties": {
                "error": {"type": "string", "description": "what is wrong, in words"},
                "code": {"type": "string", "description": "stable refusal code: " + ", ".join(REFUSAL_CODES)},
            },
        },
        "Refusal": {
            "type": "object",
            "required": ["error", "code", "findings"],
            "properties": {
                "error": {"type": "string"},
                "code": {"type": "string", "description": "refused (every finding says why)"},
                "findings": {"type": "array", "items": {"$ref": REF + "Finding"}},
            },
        },
        "Accepted": {
            "type": "object",
            "required": ["referentienummer", "conversatie", "berichttype", "versie", "new", "warnings"],
            "properties": {
                "referentienummer": {"type": "string"},
                "conversatie": {"type": "string"},
                "berichttype": {"type": "string"},
                "versie": {"type": "string"},
                "new": {"type": "boolean"},
                "warnings": {"type": "array", "items": {"$ref": REF + "Finding"}},
            },
        },
        "DryRun": {
            "type": "object",
            "required": [
                "dry_run",
                "referentienummer",
                "conversatie",
                "berichttype",
                "versie",
                "new",
                "warnings",
                "xml",
                "bericht",
            ],
            "properties": {
                "dry_run": {"const": True},
                "referentienummer": {"type": "string"},
                "conversatie": {"type": "string"},
                "berichttype": {"type": "string"},
                "versie": {"type": "string"},
                "new": {"type": "boolean", "description": "false: this exact message was submitted before"},
                "warnings": {"type": "array", "items": {"$ref": REF + "Finding"}},
                "xml": {
                    "type": "string",
                    "description": "the document as it would be enqueued, signed and sent",
                },
                "bericht": {"type": "object", "description": "the JSON form with the header as filled in"},
            },
        },  # fmt: skip
        "BerichtSummary": {
            "type": "object",
            "properties": {
                "direction": {"enum": ["out", "in"]},
                "referentienummer": {"type": "string"},
                "berichttype": {"type": "string"},
                "tegenpartij": {"type": "string"},
                "conversatie": nullable,
                "state": {"type": "string"},
                "at": {"type": "string", "format": "date-time", "description": "queued (out), received (in)"},
                "attempts": {"type": "integer"},
                "last_error": nullable,
                "updated_at": {"type": "string", "format": "date-time"},
            },
        },
        "BerichtenPage": {
            "type": "object",
            "required": ["items", "next"],
            "properties": {
                "items": {"type": "array", "items": {"$ref": REF + "BerichtSummary"}},
                "next": nullable,
            },
        },
        "Detail": {
            "type": "object",
            "required": ["referentienummer", "direction", "state"],
            "properties": {
                "referentienummer": {"type": "string"},
                "direction": {"enum": ["out", "in"]},
                "state": {"type": "string"},
                "xml": nullable,
                "findings": {
                    "description": "received messages: the findings delivered with it (its JSON form carries "
                    "them as bevindingen)",
                    "type": "array",
                    "items": {"$ref": REF + "Finding"},
                },
            },
        },
        "RetryNow": {
            "type": "object",
            "required": ["due_now"],
            "properties": {"due_now": {"type": "integer"}, "referentienummer": {"type": "string"}},
        },
        "Adresboek": {
            "type": "object",
            "required": ["items"],
            "properties": {
                "items": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "required": ["id", "naam", "oin", "rol", "versie", "kent_sa"],
                        "properties": {
                            "id": {"type": "string"},
                            "naam": {"type": "string"},
                            "oin": {"type": "string"},
                            "rol": {"enum": ["SHV", "SE"]},
                            "versie": {"type": "string"},
                            "kent_sa": {"type": "boolean"},
                        },
                    },
                }
            },
        },
        "Conversaties": {
            "type": "object",
            "required": ["items"],
            "properties": {"items": {"type": "array", "items": {"type": "object"}}},
        },
        "Tijdlijn": {
            "type": "object",
            "required": ["conversatie", "stappen", "verwacht"],
            "properties": {
                "conversatie": {"type": "string"},
                "tegenpartij": nullable,
                "fase": nullable,
                "fase_uitleg": nullable,
                "bron": nullable,
                "vooraf_akkoord": {"type": "boolean"},
                "stappen": {
                    "type": "array",
                    "description": "oldest first: at, direction (out, in, import), van, naar, "
                    "berichttype, referentienummer, state",
                    "items": {"type": "object"},
                },
                "verwacht": {
                    "description": "what is awaited now (null: nothing): wie (ons or tegenpartij), van, "
                    "antwoorden, vraag_referentienummer, vraag_berichttype, uiterlijk, overdue",
                    "type": ["object", "null"],
                },
                "truncated": {"type": "boolean", "description": "only the newest 500 messages are listed"},
            },
        },
        "ConversatieImport": {
            "type": "object",
            "required": ["conversaties"],
            "properties": {
                "conversaties": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "required": ["conversatie", "tegenpartij", "berichten"],
                        "properties": {
                            "conversatie": {"type": "string"},
                            "tegenpartij": {"type": "string"},
                            "berichten": {
                                "type": "array",
                                "items": {
                                    "type": "object",
                                    "required": ["berichttype", "datum_tijd"],
                                    "properties": {
                                        "berichttype": {"type": "string"},
                                        "datum_tijd": {"type": "string", "format": "date-time"},
                                        "referentienummer": {"type": "string"},
                                        "antwoord": {"enum": ["Akkoord", "NietAkkoord"]},
                                    },
                                },
                            },
                        },
                    },
                }
            },
        },
        "ConversatieImportResult": {
            "type": "object",
            "required": ["imported", "already_known", "findings"],
            "properties": {
                "imported": {"type": "array", "items": {"type": "string"}},
                "already_known": {"type": "array", "items": {"type": "string"}},
                "findings": {"type": "array", "items": {"$ref": REF + "Finding"}},
                "dry_run": {"type": "boolean"},
            },
        },
    }
