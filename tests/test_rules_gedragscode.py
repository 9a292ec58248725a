"""Every Gedragscode rule with a passing and a failing case (DESIGN.md §3)."""

from __future__ import annotations

import dataclasses
from datetime import date
from decimal import Decimal

import pytest

from gateway import model as m
from gateway.codec import decode
from gateway.rules import Severity, check_rules, has_errors
from tests.conftest import FIXTURES


def _fixture(name: str) -> m.Bericht:
    return decode((FIXTURES / "valid" / name).read_bytes())


def nul_aanbod(**changes) -> m.Betaalvoorstel:
    b = _fixture("2.0/Betaalvoorstel-nul-aanbod-SA.xml")
    return dataclasses.replace(b, voorstel=dataclasses.replace(b.voorstel, **changes))


def regulier(**changes) -> m.Betaalvoorstel:
    b = _fixture("2.0/Betaalvoorstel.xml")
    return dataclasses.replace(b, voorstel=dataclasses.replace(b.voorstel, **changes))


def findings(bericht: m.Bericht, code: str) -> list:
    return [f for f in check_rules(bericht) if f.code == code]


def test_fixtures_pass_the_rules() -> None:
    for path in sorted((FIXTURES / "valid").rglob("*.xml")):
        assert not has_errors(check_rules(decode(path.read_bytes()))), path


def test_nul_aanbod_only_at_capacity_zero() -> None:
    assert not findings(nul_aanbod(), "nul-aanbod-met-afloscapaciteit")
    (found,) = findings(
        nul_aanbod(afloscapaciteit_per_maand=Decimal("0.01")), "nul-aanbod-met-afloscapaciteit"
    )
    assert found.severity is Severity.ERROR and found.field == "/voorstel/afloscapaciteit_per_maand"


@pytest.mark.parametrize(
    ("soort", "severity"),
    [(m.TypeSchuldregeling.SK, Severity.ERROR), (m.TypeSchuldregeling.SB, Severity.WARNING)],
)
def test_capacity_zero_must_be_a_nul_aanbod(soort: m.TypeSchuldregeling, severity: Severity) -> None:
    assert not findings(regulier(type_schuldregeling=soort), "afloscapaciteit-nul-zonder-nul-aanbod")
    (found,) = findings(
        regulier(type_schuldregeling=soort, afloscapaciteit_per_maand=Decimal("0.00")),
        "afloscapaciteit-nul-zonder-nul-aanbod",
    )
    assert found.severity is severity and found.field == "/voorstel/type_schuldregeling"


def test_any_capacity_above_zero_gets_a_normal_offer_even_under_ten_euro() -> None:
    small = regulier(type_schuldregeling=m.TypeSchuldregeling.SK, afloscapaciteit_per_maand=Decimal("4.50"))
    assert not has_errors(check_rules(small))


def test_nul_aanbod_needs_its_toelichting() -> None:
    assert not findings(nul_aanbod(), "nul-aanbod-zonder-toelichting")
    (found,) = findings(nul_aanbod(begeleiding=None, toelichting=None), "nul-aanbod-zonder-toelichting")
    assert found.severity is Severity.ERROR and found.field == "/voorstel/begeleiding"


def test_nul_aanbod_with_free_text_only_is_a_warning() -> None:
    assert not findings(nul_aanbod(), "nul-aanbod-zonder-begeleiding")
    only_text = nul_aanbod(begeleiding=None, toelichting="Nul-aanbod met budgetbeheer.")
    (found,) = findings(only_text, "nul-aanbod-zonder-begeleiding")
    assert found.severity is Severity.WARNING
    assert not has_errors(check_rules(only_text))


def test_no_nul_aanbod_before_1_july_2024() -> None:
    assert not findings(nul_aanbod(datum_voorstel=date(2024, 7, 1)), "nul-aanbod-voor-ingangsdatum")
    (found,) = findings(nul_aanbod(datum_voorstel=date(2024, 6, 30)), "nul-aanbod-voor-ingangsdatum")
    assert found.severity is Severity.ERROR and found.field == "/voorstel/datum_voorstel"
    akkoord = _fixture("2.0/SchuldregelingAkkoord-nul-aanbod-SA.xml")
    assert not findings(akkoord, "nul-aanbod-voor-ingangsdatum")
    (found,) = findings(
        dataclasses.replace(akkoord, datum_akkoord=date(2024, 6, 1)), "nul-aanbod-voor-ingangsdatum"
    )
    assert found.field == "/datum_akkoord"


def test_nul_aanbod_offers_nothing() -> None:
    assert not findings(nul_aanbod(), "nul-aanbod-met-bedrag")
    claim = dataclasses.replace(
        nul_aanbod().voorstel.vorderingen[0],
        afkooppercentage=Decimal("1"),
        prognose_eindbedrag=Decimal("10.98"),
    )
    (found,) = findings(nul_aanbod(vorderingen=(claim,)), "nul-aanbod-met-bedrag")
    assert found.field == "/voorstel/vorderingen/0"


def test_afkooppercentage_above_50_is_a_warning() -> None:
    claim = regulier().voorstel.vorderingen[0]
    at_50 = dataclasses.replace(claim, afkooppercentage=Decimal("50"), prognose_eindbedrag=Decimal("548.98"))
    assert not findings(regulier(vorderingen=(at_50,)), "afkooppercentage-boven-50")
    above = dataclasses.replace(
        claim, afkooppercentage=Decimal("50.01"), prognose_eindbedrag=Decimal("549.09")
    )
    bericht = regulier(vorderingen=(above,))
    (found,) = findings(bericht, "afkooppercentage-boven-50")
    assert found.severity is Severity.WARNING and found.field == "/voorstel/vorderingen/0/afkooppercentage"
    assert not has_errors(check_rules(bericht))
    akkoord = _fixture("2.0/SchuldregelingAkkoord.xml")
    high = dataclasses.replace(
        akkoord.vorderingen[0], afkooppercentage=Decimal("60"), prognose_eindbedrag=Decimal("658.78")
    )
    assert findings(dataclasses.replace(akkoord, vorderingen=(high,)), "afkooppercentage-boven-50")


@pytest.mark.parametrize(("looptijd", "flagged"), [(18, False), (None, False), (24, True), (12, True)])
def test_sk_and_sb_run_18_months(looptijd: int | None, flagged: bool) -> None:
    for soort in (m.TypeSchuldregeling.SK, m.TypeSchuldregeling.SB):
        found = findings(
            regulier(type_schuldregeling=soort, looptijd_maanden=looptijd), "looptijd-niet-18-maanden"
        )
        assert bool(found) is flagged
    assert not findings(nul_aanbod(looptijd_maanden=0), "looptijd-niet-18-maanden")
