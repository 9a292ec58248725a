"""Every Gedragscode rule with a case on each side of its line (NVVK Gedragscode per 1 juli 2024)."""

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


@pytest.mark.parametrize(
    ("looptijd", "datum", "flagged"),
    [
        (18, date(2025, 11, 3), False),
        (None, date(2025, 11, 3), False),
        (12, date(2025, 11, 3), False),  # shorter is fine: 18 months is a maximum
        (19, date(2025, 11, 3), True),
        (24, date(2024, 7, 1), True),
        (24, date(2024, 6, 30), False),  # proposed before 1 July 2024: the previous code
    ],
)
def test_sk_and_sb_run_at_most_18_months(looptijd: int | None, datum: date, flagged: bool) -> None:
    for soort in (m.TypeSchuldregeling.SK, m.TypeSchuldregeling.SB):
        bericht = regulier(type_schuldregeling=soort, looptijd_maanden=looptijd, datum_voorstel=datum)
        found = findings(bericht, "looptijd-boven-18-maanden")
        assert bool(found) is flagged
        assert all(f.severity is Severity.ERROR and f.field == "/voorstel/looptijd_maanden" for f in found)
    assert not findings(
        regulier(type_schuldregeling=m.TypeSchuldregeling.BR, looptijd_maanden=36),
        "looptijd-boven-18-maanden",
    )


# the fixture's debts: 2310.00 preferent + 14875.42 concurrent = 17185.42; / 36 = 477.372…
@pytest.mark.parametrize(("capaciteit", "flagged"), [("477.37", False), ("477.38", True), ("900.00", True)])
def test_36_month_test_no_problematic_debt(capaciteit: str, flagged: bool) -> None:
    bericht = regulier(afloscapaciteit_per_maand=Decimal(capaciteit))
    found = findings(bericht, "geen-problematische-schuld")
    assert bool(found) is flagged
    if flagged:
        assert (
            found[0].severity is Severity.WARNING and found[0].field == "/voorstel/afloscapaciteit_per_maand"
        )
        assert not has_errors(check_rules(bericht))
    # a betalingsregeling is what the code asks for then; before 1 July 2024 the definition did not apply
    ruim = Decimal("900.00")
    assert not findings(
        volledig(m.TypeSchuldregeling.BR, afloscapaciteit_per_maand=ruim), "geen-problematische-schuld"
    )
    assert not findings(
        regulier(afloscapaciteit_per_maand=ruim, datum_voorstel=date(2024, 6, 30)),
        "geen-problematische-schuld",
    )


BLANK = m.Begeleiding(
    financiele_begeleiding="  ", inkomensperspectief_komende_18_maanden="\t", afgesproken_doelen=" \n "
)


def test_blank_guidance_counts_as_none() -> None:
    (found,) = findings(nul_aanbod(begeleiding=BLANK, toelichting="   "), "nul-aanbod-zonder-toelichting")
    assert found.severity is Severity.ERROR
    (found,) = findings(nul_aanbod(begeleiding=None, toelichting=" "), "nul-aanbod-zonder-toelichting")
    only_text = nul_aanbod(begeleiding=BLANK, toelichting="Budgetbeheer afgesproken.")
    assert not findings(only_text, "nul-aanbod-zonder-toelichting")
    (found,) = findings(only_text, "nul-aanbod-zonder-begeleiding")
    assert found.severity is Severity.WARNING


def test_a_blank_part_of_the_begeleiding_is_named() -> None:
    full = nul_aanbod().voorstel.begeleiding
    assert full is not None and not findings(nul_aanbod(), "nul-aanbod-begeleiding-onvolledig")
    partly = dataclasses.replace(full, afgesproken_doelen="   ")
    (found,) = findings(nul_aanbod(begeleiding=partly, toelichting=None), "nul-aanbod-begeleiding-onvolledig")
    assert found.severity is Severity.WARNING
    assert found.field == "/voorstel/begeleiding/afgesproken_doelen"
    assert not findings(nul_aanbod(begeleiding=partly, toelichting=None), "nul-aanbod-zonder-toelichting")


def volledig(soort: m.TypeSchuldregeling, pct: str = "100", **changes) -> m.Betaalvoorstel:
    """A BR or HF proposal: every claim at ``pct`` %."""
    claim = regulier().voorstel.vorderingen[0]
    prognose = (claim.actueel_vorderingsbedrag * Decimal(pct) / 100).quantize(Decimal("0.01"))
    claim = dataclasses.replace(claim, afkooppercentage=Decimal(pct), prognose_eindbedrag=prognose)
    return regulier(type_schuldregeling=soort, vorderingen=(claim,), uitbetaalmomenten=None, **changes)


@pytest.mark.parametrize("soort", [m.TypeSchuldregeling.BR, m.TypeSchuldregeling.HF])
def test_br_and_hf_are_100_percent_proposals(soort: m.TypeSchuldregeling) -> None:
    full = volledig(soort)
    assert not findings(full, "afkooppercentage-boven-50")  # 100 % is what they are
    assert not findings(full, "volledige-betaling-onder-100")
    assert check_rules(full) == []
    (found,) = findings(volledig(soort, "99.99"), "volledige-betaling-onder-100")
    assert found.severity is Severity.ERROR and found.field == "/voorstel/vorderingen/0/afkooppercentage"
    akkoord = _fixture("2.0/SchuldregelingAkkoord.xml")
    assert findings(dataclasses.replace(akkoord, type_schuldregeling=soort), "volledige-betaling-onder-100")


@pytest.mark.parametrize("soort", [m.TypeSchuldregeling.BR, m.TypeSchuldregeling.HF])
def test_br_and_hf_at_capacity_zero_is_a_warning(soort: m.TypeSchuldregeling) -> None:
    assert not findings(volledig(soort), "volledige-betaling-zonder-afloscapaciteit")
    zonder = volledig(soort, afloscapaciteit_per_maand=Decimal("0.00"), looptijd_maanden=None)
    (found,) = findings(zonder, "volledige-betaling-zonder-afloscapaciteit")
    assert found.severity is Severity.WARNING and not has_errors(check_rules(zonder))


@pytest.mark.parametrize("soort", [m.TypeSchuldregeling.SK, m.TypeSchuldregeling.SB])
@pytest.mark.parametrize(
    ("momenten", "flagged"),
    [(m.Uitbetaalmomenten.PERIODIEK, True), (m.Uitbetaalmomenten.EENMALIG, False), (None, False)],
)
def test_sk_and_sb_pay_once(soort: m.TypeSchuldregeling, momenten, flagged: bool) -> None:
    found = findings(regulier(type_schuldregeling=soort, uitbetaalmomenten=momenten), "uitbetaling-periodiek")
    assert bool(found) is flagged
    assert all(f.severity is Severity.WARNING and f.field == "/voorstel/uitbetaalmomenten" for f in found)
    akkoord = dataclasses.replace(
        _fixture("2.0/SchuldregelingAkkoord.xml"), type_schuldregeling=soort, uitbetaalmomenten=momenten
    )
    assert bool(findings(akkoord, "uitbetaling-periodiek")) is flagged


@pytest.mark.parametrize(
    ("toelichting", "flagged"), [(None, True), ("   ", True), ("Inkomen wisselt sterk.", False)]
)
def test_sb_without_a_motivation_is_a_warning(toelichting: str | None, flagged: bool) -> None:
    found = findings(regulier(toelichting=toelichting), "schuldbemiddeling-zonder-motivering")
    assert bool(found) is flagged
    assert all(f.severity is Severity.WARNING for f in found)
    sk = regulier(type_schuldregeling=m.TypeSchuldregeling.SK, toelichting=None)
    assert not findings(sk, "schuldbemiddeling-zonder-motivering")


@pytest.mark.parametrize(("looptijd", "flagged"), [(None, False), (0, False), (1, True), (18, True)])
def test_sa_with_a_term_is_a_warning(looptijd: int | None, flagged: bool) -> None:
    bericht = nul_aanbod(looptijd_maanden=looptijd)
    assert bool(findings(bericht, "nul-aanbod-met-looptijd")) is flagged
    assert not has_errors(check_rules(bericht))


def test_sa_paying_periodically_is_a_warning() -> None:
    assert not findings(nul_aanbod(uitbetaalmomenten=m.Uitbetaalmomenten.EENMALIG), "nul-aanbod-periodiek")
    (found,) = findings(nul_aanbod(uitbetaalmomenten=m.Uitbetaalmomenten.PERIODIEK), "nul-aanbod-periodiek")
    assert found.severity is Severity.WARNING and found.field == "/voorstel/uitbetaalmomenten"


def _offering(prognose: str, **changes) -> m.Betaalvoorstel:
    claim = dataclasses.replace(
        regulier().voorstel.vorderingen[0],
        actueel_vorderingsbedrag=Decimal("100000.00"),
        afkooppercentage=(Decimal(prognose) / 1000).quantize(Decimal("0.01")),
        prognose_eindbedrag=Decimal(prognose),
    )
    return regulier(vorderingen=(claim,), **changes)


@pytest.mark.parametrize(
    ("prognose", "looptijd", "flagged"),
    [
        ("3822.30", 18, False),  # 212.35 × 18 exactly
        ("3822.31", 18, True),
        ("2548.20", 12, False),  # 212.35 × 12
        ("2548.21", 12, True),
        ("3822.31", None, True),  # an SB without a term: 18 months
    ],
)
def test_an_offer_above_capacity_times_term_is_a_warning(
    prognose: str, looptijd: int | None, flagged: bool
) -> None:
    bericht = _offering(prognose, looptijd_maanden=looptijd)
    found = findings(bericht, "aanbod-boven-afloscapaciteit")
    assert bool(found) is flagged
    assert all(f.severity is Severity.WARNING and f.field == "/voorstel/vorderingen" for f in found)


def test_sk_at_one_cent_offering_nothing_is_sendable_with_a_warning() -> None:
    """No lower bound (§1.8): an SK at € 0.01 whose shares round to 0.00 is an SK, not a nul-aanbod."""
    claim = dataclasses.replace(
        regulier().voorstel.vorderingen[0], afkooppercentage=Decimal(0), prognose_eindbedrag=Decimal("0.00")
    )
    sk = regulier(
        type_schuldregeling=m.TypeSchuldregeling.SK,
        afloscapaciteit_per_maand=Decimal("0.01"),
        uitbetaalmomenten=m.Uitbetaalmomenten.EENMALIG,
        vorderingen=(claim,),
    )
    assert not has_errors(check_rules(sk))
    (found,) = findings(sk, "saneringskrediet-zonder-bedrag")
    assert found.severity is Severity.WARNING and found.field == "/voorstel/vorderingen"
    assert not findings(
        regulier(type_schuldregeling=m.TypeSchuldregeling.SK), "saneringskrediet-zonder-bedrag"
    )
    assert not findings(nul_aanbod(), "saneringskrediet-zonder-bedrag")


def test_the_2024_changes_apply_to_proposals_from_1_july_2024() -> None:
    claim = regulier().voorstel.vorderingen[0]
    high = dataclasses.replace(claim, afkooppercentage=Decimal("60"), prognose_eindbedrag=Decimal("658.78"))
    assert findings(
        regulier(vorderingen=(high,), datum_voorstel=date(2024, 7, 1)), "afkooppercentage-boven-50"
    )
    assert not findings(
        regulier(vorderingen=(high,), datum_voorstel=date(2024, 6, 30)), "afkooppercentage-boven-50"
    )
    sk_nul = regulier(type_schuldregeling=m.TypeSchuldregeling.SK, afloscapaciteit_per_maand=Decimal("0.00"))
    assert findings(sk_nul, "afloscapaciteit-nul-zonder-nul-aanbod")
    old = dataclasses.replace(
        sk_nul, voorstel=dataclasses.replace(sk_nul.voorstel, datum_voorstel=date(2024, 6, 30))
    )
    assert not findings(old, "afloscapaciteit-nul-zonder-nul-aanbod")
