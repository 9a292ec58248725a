"""The OpenAPI 3.1 document of the JSON API, built from the shipped JSON Schemas of the messages.

Each message's ``$defs`` are hoisted into ``components/schemas``; for submissions a relaxed
``<Berichttype>Invoer`` variant leaves out what the gateway fills in (only the Ontvanger of the
Berichtheader is required).
"""

from __future__ import annotations

import copy
import json
from functools import lru_cache
from pathlib import Path
from typing import Any

from gateway import __version__
from gateway.model.berichttype import Berichttype
from gateway.xml.catalogue import SCHEMAS_DIR

JSON_DIR = SCHEMAS_DIR / "json"
_REF = "#/components/schemas/"


def _rewrite_refs(node: Any) -> Any:
    if isinstance(node, dict):
        return {
            k: (v.replace("#/$defs/", _REF) if k == "$ref" and isinstance(v, str) else _rewrite_refs(v))
            for k, v in node.items()
        }
    if isinstance(node, list):
        return [_rewrite_refs(v) for v in node]
    return node


def _message_schemas(directory: Path) -> dict[str, Any]:
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
        invoer["properties"]["berichtheader"] = {"$ref": _REF + "BerichtheaderInvoer"}
        invoer["title"] = f"{berichttype.value} to submit"
        components[f"{berichttype.value}Invoer"] = invoer
    return components


REFUSAL_CODES = (
    "missing-token", "invalid-token", "malformed-authorization", "role-missing", "certificate-not-listed",
    "invalid-json", "json-too-deep", "invalid-query", "unknown-query-parameter", "unknown-path",
    "method-not-allowed", "not-found", "referentienummer-conflict", "not-dead", "nothing-to-redeliver",
    "not-waiting", "body-too-large", "store-unavailable", "internal-error",
)  # fmt: skip


def _error(description: str, with_findings: bool = False) -> dict[str, Any]:
    schema: dict[str, Any] = {"$ref": _REF + ("Refusal" if with_findings else "Error")}
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _json(description: str, ref: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": {"$ref": _REF + ref}}}}


_REF_PARAM = {"name": "referentienummer", "in": "path", "required": True, "schema": {"type": "string"}}


def _query(name: str, description: str, schema: dict[str, Any] | None = None) -> dict[str, Any]:
    return {
        "name": name,
        "in": "query",
        "required": False,
        "description": description,
        "schema": schema or {"type": "string"},
    }


def _infra_schemas() -> dict[str, Any]:
    nullable = {"type": ["string", "null"]}
    return {
        "Finding": {
            "$ref": _REF + "Bevinding",
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
                "findings": {"type": "array", "items": {"$ref": _REF + "Finding"}},
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
                "warnings": {"type": "array", "items": {"$ref": _REF + "Finding"}},
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
                "warnings": {"type": "array", "items": {"$ref": _REF + "Finding"}},
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
                "items": {"type": "array", "items": {"$ref": _REF + "BerichtSummary"}},
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
                    "items": {"$ref": _REF + "Finding"},
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
                "findings": {"type": "array", "items": {"$ref": _REF + "Finding"}},
                "dry_run": {"type": "boolean"},
            },
        },
    }


def _message_paths(unauthorized: dict[str, Any]) -> dict[str, Any]:
    invoer = {"oneOf": [{"$ref": f"{_REF}{b.value}Invoer"} for b in Berichttype]}
    return {
        "/api/berichten": {
            "post": {
                "summary": "Submit a message (the model's JSON form): rules, encoding, XSD, outbox",
                "description": "Every problem of the form comes back at once (422). With dry_run=true the "
                "message goes through every check and is encoded exactly as it would be sent, and nothing "
                "is stored: 200 with the findings, the XML and the JSON form as filled in (submitting that "
                "form gives the same XML); refusals are the same 422 and 409 as a real submission.",
                "parameters": [
                    _query(
                        "dry_run",
                        "true: check and encode only, store nothing",
                        {"type": "string", "enum": ["true", "false"], "default": "false"},
                    )
                ],
                "requestBody": {"required": True, "content": {"application/json": {"schema": invoer}}},
                "responses": {
                    "200": _json("dry run: what a submission would do, nothing stored", "DryRun"),
                    "202": _json(
                        "accepted into the outbox (also when submitted before with the same content)",
                        "Accepted",
                    ),
                    "400": _error("the body is not JSON, or dry_run is neither true nor false"),
                    "401": unauthorized,
                    "409": _error("the Referentienummer was used before for other content"),
                    "413": _error("the body is larger than [api] max_body_bytes"),
                    "422": _error("refused: every finding (code, field, message)", with_findings=True),
                    "503": _error("the store cannot take it now (Retry-After)"),
                },
            },
            "get": {
                "summary": "Messages in and out, newest first, keyset-paged",
                "parameters": [
                    _query(
                        "berichttype",
                        "e.g. Saldoverzoek (another value is a 400)",
                        {"enum": [b.value for b in Berichttype]},
                    ),
                    _query("direction", "out (we send it) or in (we received it)", {"enum": ["out", "in"]}),
                    _query(
                        "state",
                        "out: queued|sending|delivered|dead; in: received|decoded|delivered|quarantined",
                        {
                            "enum": [
                                "queued",
                                "sending",
                                "delivered",
                                "dead",
                                "received",
                                "decoded",
                                "quarantined",
                            ]
                        },
                    ),
                    _query("tegenpartij", "address-book UUID"),
                    _query("conversatie", "ConversatieReferentienummer"),
                    _query("from", "ISO date-time, inclusive", {"type": "string", "format": "date-time"}),
                    _query("until", "ISO date-time, exclusive", {"type": "string", "format": "date-time"}),
                    _query("limit", "1 to 500", {"type": "integer", "minimum": 1, "maximum": 500}),
                    _query("cursor", "the next value of the previous page"),
                ],
                "responses": {
                    "200": _json("a page", "BerichtenPage"),
                    "400": _error("a bad filter, or a query parameter the route does not take"),
                    "401": unauthorized,
                },
            },
        },
        "/api/berichten/{referentienummer}": {
            "get": {
                "summary": "State, attempts, errors, and the message as XML and JSON",
                "parameters": [_REF_PARAM],
                "responses": {
                    "200": _json("the message", "Detail"),
                    "401": unauthorized,
                    "404": _error("unknown"),
                },
            }
        },
        "/api/berichten/{referentienummer}/resend": {
            "post": {
                "summary": "Resend a dead letter (same Referentienummer) or redeliver to the sinks",
                "parameters": [_REF_PARAM],
                "responses": {
                    "202": {"description": "queued again"},
                    "401": unauthorized,
                    "404": _error("unknown"),
                    "409": _error("not dead"),
                },
            }
        },
        "/api/conversaties": {
            "get": {
                "summary": "Conversations: open, answered or overdue (past the answer date in werkdagen)",
                "parameters": [
                    _query("state", "open, answered, overdue", {"enum": ["open", "answered", "overdue"]}),
                    _query("limit", "1 to 500", {"type": "integer", "minimum": 1, "maximum": 500}),
                    _query("offset", "0 to 1000000", {"type": "integer", "minimum": 0, "maximum": 1_000_000}),
                ],
                "responses": {
                    "200": _json("conversations", "Conversaties"),
                    "400": _error("bad filter"),
                    "401": unauthorized,
                },
            },
            "post": {
                "summary": "Import the open conversations a previous system started (all or nothing)",
                "parameters": [_query("dry_run", "true: check only", {"enum": ["true", "false"]})],
                "requestBody": {
                    "required": True,
                    "content": {"application/json": {"schema": {"$ref": _REF + "ConversatieImport"}}},
                },
                "responses": {
                    "200": _json("imported (or, with dry_run, would be)", "ConversatieImportResult"),
                    "400": _error("the body is not JSON"),
                    "401": unauthorized,
                    "413": _error("the body is larger than [api] max_body_bytes"),
                    "422": _error("refused: every mistake (code, field, message)", with_findings=True),
                },
            },
        },
        "/api/conversaties/{conversatie}": {
            "get": {
                "summary": "One conversation as a timeline: who sent what and when, what is awaited, "
                "by when, overdue",
                "parameters": [
                    {"name": "conversatie", "in": "path", "required": True, "schema": {"type": "string"}}
                ],
                "responses": {
                    "200": _json("the timeline", "Tijdlijn"),
                    "401": unauthorized,
                    "404": _error("unknown"),
                },
            }
        },
        "/api/fetch": {
            "post": {
                "summary": "Fetch from the hub now",
                "responses": {"202": {"description": "started"}, "401": unauthorized},
            }
        },
        "/api/queue/retry-now": {
            "post": {
                "summary": "The hub is back: every waiting outbound message (or one) is due now, and an "
                "open circuit sends its probe at once",
                "parameters": [_query("referentienummer", "only this message", {"type": "string"})],
                "responses": {
                    "202": _json("how many were waiting for a retry", "RetryNow"),
                    "400": _error("not a Referentienummer"),
                    "401": unauthorized,
                    "404": _error("unknown"),
                    "409": _error("not waiting for a retry (sending, delivered or dead)"),
                    "503": _error("the store cannot do this now (Retry-After)"),
                },
            }
        },
        "/api/adresboek": {
            "get": {
                "summary": "The counterparts of this gateway (its part of the SKP address book)",
                "responses": {"200": _json("the address book", "Adresboek"), "401": unauthorized},
            }
        },
    }


def _operations_paths() -> dict[str, Any]:
    return {
        "/health": {
            "get": {"summary": "alive", "security": [], "responses": {"200": {"description": "alive"}}}
        },
        "/ready": {
            "get": {
                "summary": "database, certificate and last hub fetch",
                "security": [],
                "responses": {"200": {"description": "ready"}, "503": {"description": "not ready"}},
            }
        },
        "/metrics": {
            "get": {
                "summary": "Prometheus metrics",
                "security": [],
                "responses": {
                    "200": {
                        "description": "text exposition format",
                        "content": {"text/plain": {"schema": {"type": "string"}}},
                    }
                },
            }
        },
    }


@lru_cache(maxsize=1)
def openapi_document() -> dict[str, Any]:
    schemas = {**_message_schemas(JSON_DIR), **_infra_schemas()}
    unauthorized = _error("missing-token, invalid-token or malformed-authorization (the code says which)")
    paths = {**_message_paths(unauthorized), **_operations_paths()}
    forbidden = _error("role-missing (the caller lacks the role), or certificate-not-listed")
    for path, operations in paths.items():
        if path.startswith("/api/") and path != "/api/openapi.json":
            for operation in operations.values():
                operation["responses"].setdefault("403", forbidden)
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "skp-gateway API",
            "version": __version__,
            "description": "The organisation's side of the Schuldenknooppunt gateway. Callers are named "
            "tokens or listed client certificates with roles: read (GET), submit (POST /api/berichten), "
            "operate (every other POST).",
        },
        "servers": [{"url": "/"}],
        "security": [{"bearer": []}],
        "paths": paths,
        "components": {
            "schemas": schemas,
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        },
    }
