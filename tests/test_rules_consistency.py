"""Every consistency rule with a passing and a failing case."""

from __future__ import annotations

import dataclasses
from datetime import date
from decimal import Decimal

from gateway import model as m
from gateway.codec import decode
from gateway.rules import Finding, Severity, check_rules, has_errors
from tests.conftest import FIXTURES


def _fixture(name: str) -> m.Bericht:
    return decode((FIXTURES / "valid" / name).read_bytes())


def findings(bericht: m.Bericht, code: str) -> list[Finding]:
    return [f for f in check_rules(bericht) if f.code == code]


def test_prognose_matches_amount_times_percentage_within_a_cent() -> None:
    b = _fixture("2.0/Betaalvoorstel.xml")  # 1097.96 × 22.34 % = 245.284
    claim = b.voorstel.vorderingen[0]
    for prognose, flagged in (("245.28", False), ("245.29", False), ("245.30", True), ("200.00", True)):
        other = dataclasses.replace(claim, prognose_eindbedrag=Decimal(prognose))
        bericht = dataclasses.replace(b, voorstel=dataclasses.replace(b.voorstel, vorderingen=(other,)))
        found = findings(bericht, "prognose-eindbedrag-inconsistent")
        assert bool(found) is flagged, prognose
        if found:
            assert found[0].field == "/voorstel/vorderingen/0/prognose_eindbedrag"
    akkoord = _fixture("2.0/SchuldregelingAkkoord.xml")
    bad = dataclasses.replace(akkoord.vorderingen[0], prognose_eindbedrag=Decimal("1.00"))
    assert not findings(akkoord, "prognose-eindbedrag-inconsistent")
    assert findings(dataclasses.replace(akkoord, vorderingen=(bad,)), "prognose-eindbedrag-inconsistent")


def _voorstel(**changes) -> m.Betaalvoorstel:
    b = _fixture("2.0/Betaalvoorstel.xml")
    return dataclasses.replace(b, voorstel=dataclasses.replace(b.voorstel, **changes))


def test_totals_cover_the_claims_listed() -> None:
    assert not findings(_voorstel(), "totaal-kleiner-dan-vorderingen")
    (found,) = findings(
        _voorstel(totale_vastgestelde_schuld_concurrent=Decimal("1000.00")), "totaal-kleiner-dan-vorderingen"
    )
    assert (
        found.severity is Severity.ERROR and found.field == "/voorstel/totale_vastgestelde_schuld_concurrent"
    )


def test_a_kind_with_claims_counts_a_creditor() -> None:
    assert not findings(_voorstel(), "aantal-schuldeisers-nul")
    (found,) = findings(_voorstel(totaal_aantal_concurrente_schuldeisers=0), "aantal-schuldeisers-nul")
    assert found.field == "/voorstel/totaal_aantal_concurrente_schuldeisers"


def test_a_total_needs_a_creditor() -> None:
    assert not findings(_voorstel(), "totaal-zonder-schuldeisers")
    (found,) = findings(_voorstel(totaal_aantal_preferente_schuldeisers=0), "totaal-zonder-schuldeisers")
    assert found.field == "/voorstel/totale_vastgestelde_schuld_preferent"
    nothing = _voorstel(
        totaal_aantal_preferente_schuldeisers=0, totale_vastgestelde_schuld_preferent=Decimal(0)
    )
    assert not findings(nothing, "totaal-zonder-schuldeisers")


def test_openstaande_schuld_adds_up() -> None:
    for name in ("2.0/SaldoverzoekAntwoord.xml", "2.0/SaldoverzoekAntwoordVoorafAkkoord.xml"):
        b = _fixture(name)
        assert not findings(b, "openstaande-schuld-inconsistent")
        index, claim = next((i, c) for i, c in enumerate(b.vorderingen) if c.openstaande_schuld is not None)
        off = dataclasses.replace(claim.openstaande_schuld, betaald=Decimal("149.99"))
        claims = list(b.vorderingen)
        claims[index] = dataclasses.replace(claim, openstaande_schuld=off)
        (found,) = findings(
            dataclasses.replace(b, vorderingen=tuple(claims)), "openstaande-schuld-inconsistent"
        )
        assert found.field == f"/vorderingen/{index}/openstaande_schuld/actueel_vorderingsbedrag"
        assert found.expected == str(claim.openstaande_schuld.actueel_vorderingsbedrag + Decimal("0.01"))
        assert found.to_dict()["expected"] == found.expected  # the total it should be, for the edges


def test_openstaande_schuld_without_the_optional_amounts() -> None:
    schuld = m.OpenstaandeSchuld(
        ontstaansdatum=date(2024, 1, 1),
        oorspronkelijke_vordering=Decimal("100.00"),
        actueel_vorderingsbedrag=Decimal("100.00"),
    )
    b = _fixture("2.0/SaldoverzoekAntwoord.xml")
    ok = dataclasses.replace(
        b, vorderingen=(m.SaldoVordering(factuurnummer_se="1", openstaande_schuld=schuld),)
    )
    assert not findings(ok, "openstaande-schuld-inconsistent")
    wrong = dataclasses.replace(schuld, actueel_vorderingsbedrag=Decimal("100.01"))
    bad = dataclasses.replace(
        b, vorderingen=(m.SaldoVordering(factuurnummer_se="1", openstaande_schuld=wrong),)
    )
    assert findings(bad, "openstaande-schuld-inconsistent")


def test_niet_akkoord_needs_a_reden() -> None:
    b = _fixture("2.0/BetaalvoorstelAntwoord.xml")
    assert not findings(b, "niet-akkoord-zonder-reden")
    nee = dataclasses.replace(b, antwoord=m.Akkoord.NIET_AKKOORD, reden=None)
    (found,) = findings(nee, "niet-akkoord-zonder-reden")
    assert found.field == "/reden" and has_errors([found])
    assert not findings(dataclasses.replace(nee, reden="Wij wensen 30 %."), "niet-akkoord-zonder-reden")


def test_findings_name_fields_not_values() -> None:
    b = _fixture("2.0/SaldoverzoekAntwoord.xml")
    claim = b.vorderingen[0]
    off = dataclasses.replace(claim.openstaande_schuld, betaald=Decimal("1.00"))
    bad = dataclasses.replace(b, vorderingen=(dataclasses.replace(claim, openstaande_schuld=off),))
    (found,) = findings(bad, "openstaande-schuld-inconsistent")
    assert "1097.96" not in str(found) and "EN-2024" not in str(found)
    assert found.to_dict()["severity"] == "error"
