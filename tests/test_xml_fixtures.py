"""Every fixture validates, or fails with the error its sidecar names; lxml and xmlschema agree."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
import xmlschema

from gateway.model.berichttype import Berichttype
from gateway.xml.catalogue import default_catalogue
from gateway.xml.validate import validate_document
from tests.conftest import FIXTURES

VALID = sorted((FIXTURES / "valid").rglob("*.xml"))
INVALID = sorted((FIXTURES / "invalid").glob("*.xml"))


def _id(path: Path) -> str:
    return str(path.relative_to(FIXTURES))


def _expectation(path: Path) -> dict:
    return tomllib.loads(path.with_suffix(".expect.toml").read_text())


@pytest.mark.parametrize("path", VALID, ids=_id)
def test_valid_fixture_validates(path: Path) -> None:
    report = validate_document(path.read_bytes())
    assert report.ok, [str(p) for p in report.problems]
    assert report.entry is not None and report.entry.versie == path.parent.name


@pytest.mark.parametrize("path", INVALID, ids=_id)
def test_invalid_fixture_gives_its_error(path: Path) -> None:
    expected = _expectation(path)
    report = validate_document(path.read_bytes())
    assert not report.ok
    matching = [p for p in report.problems if p.code == expected["code"]]
    assert matching, f"expected {expected['code']}, got {[str(p) for p in report.problems]}"
    if "path" in expected:
        assert expected["path"] in {p.path for p in matching}
    for problem in report.problems:
        assert problem.message and problem.code  # actionable: a message and a stable code


def test_every_message_type_and_version_has_a_valid_fixture() -> None:
    catalogue = default_catalogue()
    seen = {(validate_document(p.read_bytes()).entry.berichttype, p.parent.name) for p in VALID}
    wanted = {(b.value, v) for b in Berichttype for v in catalogue.versions}
    assert wanted <= seen, sorted(wanted - seen)


def test_nul_aanbod_fixtures_cover_both_encodings() -> None:
    names = {_id(p) for p in VALID}
    assert "valid/2.0/Betaalvoorstel-nul-aanbod-SA.xml" in names
    assert "valid/2.0/Betaalvoorstel-nul-aanbod-SK-workaround.xml" in names
    assert "valid/1.1/Betaalvoorstel-nul-aanbod-SK-workaround.xml" in names


def test_every_invalid_fixture_has_a_sidecar() -> None:
    for path in INVALID:
        assert path.with_suffix(".expect.toml").is_file(), path


_XMLSCHEMA_CACHE: dict[Path, xmlschema.XMLSchema10] = {}


def _xmlschema_for(xsd: Path) -> xmlschema.XMLSchema10:
    if xsd not in _XMLSCHEMA_CACHE:
        _XMLSCHEMA_CACHE[xsd] = xmlschema.XMLSchema10(str(xsd))
    return _XMLSCHEMA_CACHE[xsd]


@pytest.mark.parametrize(
    "path",
    VALID + [p for p in INVALID if _expectation(p)["layer"] in ("xsd", "content")],
    ids=_id,
)
def test_lxml_and_xmlschema_agree(path: Path) -> None:
    """An independent XSD implementation reaches the same verdict as the lxml fast path."""
    report = validate_document(path.read_bytes())
    assert report.entry is not None and report.tree is not None
    lxml_valid = default_catalogue().schema(report.entry).validate(report.tree)
    independent_valid = _xmlschema_for(report.entry.xsd).is_valid(report.tree)
    assert lxml_valid == independent_valid
    if path in INVALID:
        assert lxml_valid == (_expectation(path)["layer"] == "content")
