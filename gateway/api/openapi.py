"""The OpenAPI 3.1 document of the JSON API, built from the shipped JSON Schemas of the messages.

The paths are here; the components (the messages' schemas and the API's own answers) are in
:mod:`gateway.api.openapi_schemas`.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from gateway import __version__
from gateway.api.openapi_schemas import JSON_DIR, REF, api_schemas, message_schemas
from gateway.model.berichttype import Berichttype

_REF = REF


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
    schemas = {**message_schemas(JSON_DIR), **api_schemas()}
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
