"""The JSON form: round trips, shipped JSON Schemas equal the generator, every fixture validates."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gateway import model as m
from gateway.codec import decode
from gateway.codec.json_form import JsonFormError, from_json, to_json
from gateway.codec.json_schema import SCHEMA_DIR, render
from tests import strategies
from tests.conftest import FIXTURES

VALID = sorted((FIXTURES / "valid").rglob("*.xml"))


def _id(path: Path) -> str:
    return str(path.relative_to(FIXTURES))


def _validator(berichttype: m.Berichttype) -> jsonschema.Draft202012Validator:
    schema = json.loads((SCHEMA_DIR / f"{berichttype.value}.schema.json").read_text(encoding="utf-8"))
    return jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())


@pytest.mark.parametrize("berichttype", list(m.Berichttype), ids=str)
def test_shipped_schema_equals_the_generator(berichttype: m.Berichttype) -> None:
    shipped = (SCHEMA_DIR / f"{berichttype.value}.schema.json").read_text(encoding="utf-8")
    assert shipped == render(berichttype), "regenerate with: python -m gateway.codec.json_schema"
    jsonschema.Draft202012Validator.check_schema(json.loads(shipped))


def test_no_stray_schema_files() -> None:
    assert {p.name for p in SCHEMA_DIR.glob("*.json")} == {f"{b.value}.schema.json" for b in m.Berichttype}


@pytest.mark.parametrize("path", VALID, ids=_id)
def test_fixture_json_validates_and_round_trips(path: Path) -> None:
    bericht = decode(path.read_bytes())
    document = json.loads(json.dumps(to_json(bericht)))
    _validator(bericht.berichttype).validate(document)
    assert document["berichttype"] == bericht.berichttype.value
    assert from_json(document) == bericht


@pytest.mark.parametrize("berichttype", list(m.Berichttype), ids=str)
@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_random_objects_round_trip_through_json(berichttype: m.Berichttype, data) -> None:
    bericht = data.draw(strategies.bericht(berichttype, "2.0"))
    document = json.loads(json.dumps(to_json(bericht)))
    _validator(berichttype).validate(document)
    assert from_json(document) == bericht


def test_json_values() -> None:
    b = decode((FIXTURES / "valid/2.0/Betaalvoorstel-nul-aanbod-SK-workaround.xml").read_bytes())
    document = to_json(b)
    claim = document["voorstel"]["vorderingen"][0]
    assert claim["actueel_vorderingsbedrag"] == "1097.96" and claim["afkooppercentage"] == "0"
    assert claim["prognose_eindbedrag"] == "0.00"
    assert document["berichtheader"]["datum_tijd"] == "2025-11-03T09:00:01Z"
    assert document["voorstel"]["datum_voorstel"] == "2025-11-03"
    assert document["voorstel"]["type_schuldregeling"] == "SA"
    assert document["voorstel"]["nul_aanbod_codering"] == "sk-workaround"
    assert "cross_referentienummer" not in document["berichtheader"]
    assert list(document)[0] == "berichttype"


def _document() -> dict:
    return to_json(decode((FIXTURES / "valid/2.0/Betaalvoorstel.xml").read_bytes()))


@pytest.mark.parametrize(
    ("mutate", "path", "reason"),
    [
        (
            lambda d: d["voorstel"]["vorderingen"][0].update(afkooppercentage=22.34),
            "/voorstel/vorderingen/0/afkooppercentage",
            "string",
        ),
        (
            lambda d: d["voorstel"]["vorderingen"][0].update(afkooppercentage="122.34"),
            "/voorstel/vorderingen/0/afkooppercentage",
            "between 0 and 100",
        ),
        (
            lambda d: d["voorstel"].update(afloscapaciteit_per_maand="1.234"),
            "/voorstel/afloscapaciteit_per_maand",
            "2 decimals",
        ),
        (lambda d: d["voorstel"].pop("datum_voorstel"), "/voorstel/datum_voorstel", "required"),
        (
            lambda d: d["voorstel"].update(datum_voorstel="03-11-2025"),
            "/voorstel/datum_voorstel",
            "YYYY-MM-DD",
        ),
        (
            lambda d: d["berichtheader"].update(datum_tijd="2025-11-03T09:00:00+01:00"),
            "/berichtheader/datum_tijd",
            "UTC",
        ),
        (lambda d: d["voorstel"].update(type_schuldregeling="XX"), "/voorstel/type_schuldregeling", "one of"),
        (lambda d: d["voorstel"].update(extra=1), "/voorstel/extra", "not a field"),
        (lambda d: d["voorstel"].update(looptijd_maanden="18"), "/voorstel/looptijd_maanden", "whole number"),
        (lambda d: d["voorstel"].update(vorderingen=[]), "/voorstel/vorderingen", "1 to 5000"),
        (lambda d: d.update(berichttype="Onbekend"), "/berichttype", "one of"),
        (lambda d: d["berichtheader"].update(afzender="X"), "/berichtheader/afzender", "UUID"),
    ],
)
def test_from_json_errors_name_the_path(mutate, path: str, reason: str) -> None:
    document = _document()
    mutate(document)
    with pytest.raises(JsonFormError) as caught:
        from_json(document)
    assert caught.value.path == path
    assert reason in caught.value.reason


def test_from_json_refuses_a_non_object() -> None:
    with pytest.raises(JsonFormError, match="JSON object"):
        from_json([])


@pytest.mark.parametrize("value", [[], {}, ["Concurrent"], "concurrent", "", 1, True])
def test_from_json_refuses_what_is_not_an_enum_code(value) -> None:
    document = _document()
    document["voorstel"]["vorderingen"][0]["vorderingstype"] = value
    with pytest.raises(JsonFormError) as caught:
        from_json(document)
    assert caught.value.path == "/voorstel/vorderingen/0/vorderingstype"
    assert caught.value.reason == "must be one of Preferent, Concurrent"


def test_from_json_names_the_first_unknown_key_and_treats_null_as_absent() -> None:
    document = _document()
    document["voorstel"].update(zzz=1, aaa=2, toelichting=None)
    with pytest.raises(JsonFormError) as caught:
        from_json(document)
    assert caught.value.path == "/voorstel/aaa"
    del document["voorstel"]["zzz"], document["voorstel"]["aaa"]
    assert from_json(document).voorstel.toelichting is None
    document["voorstel"]["datum_voorstel"] = None
    with pytest.raises(JsonFormError, match="is required"):
        from_json(document)


def test_from_json_lists_every_problem_at_once() -> None:
    document = _document()
    document["berichtheader"]["afzender"] = "X"
    document["voorstel"]["datum_voorstel"] = "03-11-2025"
    document["voorstel"]["afloscapaciteit_per_maand"] = "1.234"
    document["voorstel"]["extra"] = 1
    claim = document["voorstel"]["vorderingen"][0]
    document["voorstel"]["vorderingen"] = [
        {**claim, "afkooppercentage": "122.34"},
        claim,
        {**claim, "factuurnummer_se": " spaties "},
    ]
    del document["klantnummer_shv"]
    with pytest.raises(JsonFormError) as caught:
        from_json(document)
    assert dict(caught.value.errors) == {
        "/berichtheader/afzender": "is not a valid UUID",
        "/klantnummer_shv": "is required",
        "/voorstel/extra": "is not a field of this object",
        "/voorstel/datum_voorstel": "must be a date YYYY-MM-DD",
        "/voorstel/afloscapaciteit_per_maand": 'must be a string amount like "1097.96" (at most 2 decimals)',
        "/voorstel/vorderingen/0/afkooppercentage": "a percentage must be between 0 and 100",
        "/voorstel/vorderingen/2/factuurnummer_se": (
            "must not start or end with white space or contain line breaks"
        ),
    }
    assert len(caught.value.errors) == 7
    assert (caught.value.path, caught.value.reason) == caught.value.errors[0]


def test_an_invariant_is_checked_once_the_fields_are_right() -> None:
    document = _document()
    document["voorstel"]["nul_aanbod_codering"] = "sa"  # only an SA has one; this proposal is an SB
    with pytest.raises(JsonFormError) as caught:
        from_json(document)
    assert caught.value.errors == (("/voorstel/nul_aanbod_codering", caught.value.reason),)


def test_a_received_forms_bevindingen_are_not_part_of_the_message() -> None:
    document = _document()
    expected = from_json(document)
    document["bevindingen"] = [
        {"code": "uitbetaling-periodiek", "severity": "warning", "field": "/voorstel", "message": "once"}
    ]
    assert from_json(document) == expected
