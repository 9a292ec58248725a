"""The OpenAPI document: the API's own schemas never replace a message's, and every reference resolves."""

from __future__ import annotations

from typing import Any

from gateway.api.openapi import openapi_document
from gateway.api.openapi_schemas import JSON_DIR, api_schemas, message_schemas


def _refs(node: Any) -> set[str]:
    if isinstance(node, dict):
        return {v for k, v in node.items() if k == "$ref"} | {
            r for k, v in node.items() if k != "$ref" for r in _refs(v)
        }
    if isinstance(node, list):
        return {r for v in node for r in _refs(v)}
    return set()


def test_the_api_schemas_do_not_take_a_message_schemas_name() -> None:
    # the API's error answer was once called Fout, the name of the Foutbericht's Fout: the document then
    # described a Foutbericht's fouten as {error, code}
    assert not set(api_schemas()) & set(message_schemas(JSON_DIR))
    fout = openapi_document()["components"]["schemas"]["Fout"]
    assert set(fout["required"]) == {"code", "omschrijving"}


def test_every_reference_resolves() -> None:
    document = openapi_document()
    schemas = document["components"]["schemas"]
    prefix = "#/components/schemas/"
    refs = _refs(document)
    assert refs and all(r.startswith(prefix) and r[len(prefix) :] in schemas for r in refs), sorted(
        r for r in refs if r[len(prefix) :] not in schemas
    )


def test_the_api_names_its_paths_parameters_and_keys_in_english() -> None:
    document = openapi_document()
    paths = document["paths"]
    assert {"/api/fetch", "/api/queue/retry-now", "/api/berichten/{referentienummer}/resend"} <= set(paths)
    search = [p["name"] for p in paths["/api/berichten"]["get"]["parameters"]]
    assert search == [
        "berichttype", "direction", "state", "tegenpartij", "conversatie", "from", "until", "limit", "cursor",
    ]  # fmt: skip
    schemas = document["components"]["schemas"]
    assert schemas["BerichtSummary"]["properties"]["direction"] == {"enum": ["out", "in"]}
    detail = schemas["Detail"]["properties"]
    assert "findings" in detail and "bevindingen" not in detail  # the JSON form in "json" keeps bevindingen
