"""Model construction checks its invariants with errors that name the field, never the value."""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal

import pytest

from gateway import model as m
from gateway.model import ModelError

UUID = "392790fc-e33d-52a8-8341-febc8481a94e"


def _header(**changes) -> m.Berichtheader:
    fields = dict(
        referentienummer=UUID,
        conversatie_referentienummer=UUID,
        afzender=UUID,
        ontvanger=UUID,
        datum_tijd=datetime(2025, 11, 3, 9, 0, tzinfo=UTC),
    )
    fields.update(changes)
    return m.Berichtheader(**fields)


def _claim(**changes) -> m.VoorstelVordering:
    fields = dict(
        factuurnummer_se="EN-1",
        vorderingstype=m.VorderingsType.CONCURRENT,
        actueel_vorderingsbedrag=Decimal("100.00"),
        afkooppercentage=Decimal("10"),
        prognose_eindbedrag=Decimal("10.00"),
    )
    fields.update(changes)
    return m.VoorstelVordering(**fields)


def test_valid_objects_are_frozen_and_slotted() -> None:
    header = _header()
    with pytest.raises(dataclasses.FrozenInstanceError):
        header.afzender = UUID  # type: ignore[misc]
    assert not hasattr(header, "__dict__")


@pytest.mark.parametrize(
    ("field", "value", "reason"),
    [
        ("actueel_vorderingsbedrag", Decimal("-0.01"), "0 or more"),
        ("actueel_vorderingsbedrag", Decimal("1.234"), "more than 2 decimals"),
        ("actueel_vorderingsbedrag", 1.5, "never a float"),
        ("actueel_vorderingsbedrag", Decimal("NaN"), "finite"),
        ("actueel_vorderingsbedrag", Decimal("10000000000"), "too large"),
        ("afkooppercentage", Decimal("100.01"), "between 0 and 100"),
        ("afkooppercentage", Decimal("-1"), "0 or more"),
        ("factuurnummer_se", " EN-1", "white space"),
        ("factuurnummer_se", "", "1 to 50"),
        ("factuurnummer_se", "x" * 51, "1 to 50"),
        ("vorderingstype", "Concurrent", "VorderingsType"),
    ],
)
def test_claim_field_checks(field: str, value: object, reason: str) -> None:
    with pytest.raises(ModelError) as caught:
        _claim(**{field: value})
    assert caught.value.field == field and reason in caught.value.reason


def test_amounts_keep_their_decimal_value() -> None:
    claim = _claim(actueel_vorderingsbedrag=Decimal("1.50"), afkooppercentage=Decimal("100.00"))
    assert claim.actueel_vorderingsbedrag == Decimal("1.5") and claim.afkooppercentage == 100


@pytest.mark.parametrize("value", [UUID.upper(), "392790fc-e33d-52a8-8341", "{" + UUID + "}"])
def test_uuid_form(value: str) -> None:
    with pytest.raises(ModelError, match="referentienummer: is not a valid UUID"):
        _header(referentienummer=value)


def test_naive_datetime_is_refused_and_aware_ones_become_utc() -> None:
    with pytest.raises(ModelError, match="naive"):
        _header(datum_tijd=datetime(2025, 11, 3, 9, 0))
    header = _header(datum_tijd=datetime(2025, 11, 3, 10, 0, tzinfo=timezone(timedelta(hours=1))))
    assert header.datum_tijd.tzinfo is UTC and header.datum_tijd.hour == 9


def test_date_fields_refuse_datetimes() -> None:
    with pytest.raises(ModelError, match="geboortedatum: must be a date"):
        m.Persoon(achternaam="Kok", geboortedatum=datetime(1990, 1, 1, tzinfo=UTC))


def test_bsn_elfproef_without_echoing_the_value() -> None:
    assert m.Persoon(achternaam="Kok", bsn="111222333").bsn == "111222333"
    with pytest.raises(ModelError) as caught:
        m.Persoon(achternaam="Kok", bsn="111222334")
    assert "elfproef" in str(caught.value) and "111222334" not in str(caught.value)
    with pytest.raises(ModelError, match="not a valid BSN"):
        m.Persoon(achternaam="Kok", bsn="12345678")


def test_text_that_xml_cannot_carry_is_refused() -> None:
    with pytest.raises(ModelError, match="control character"):
        m.Contactpersoon(naam="a\x00b")
    with pytest.raises(ModelError, match="control character"):
        m.StatusberichtSHV(
            berichtheader=_header(),
            klantnummer_shv="1",
            status=m.StatusSHV.STABILISATIE,
            datum_status=date(2025, 1, 1),
            toelichting="regel\r\n",
        )


def test_patterns_of_phone_email_postcode() -> None:
    assert m.Contactpersoon(naam="A", telefoonnummer="+31 50 123 4567", emailadres="a@b.nl")
    with pytest.raises(ModelError, match="telefoonnummer"):
        m.Contactpersoon(naam="A", telefoonnummer="bel me")
    with pytest.raises(ModelError, match="emailadres"):
        m.Contactpersoon(naam="A", emailadres="a@b")
    with pytest.raises(ModelError, match="postcode"):
        m.Adres(straatnaam="S", postcode="0123 AB", woonplaats="W")


def test_choices_need_exactly_one() -> None:
    adres = m.Adres(straatnaam="S", postcode="1234 AB", woonplaats="W")
    with pytest.raises(ModelError, match="exactly one"):
        m.Adreskeuze()
    with pytest.raises(ModelError, match="exactly one"):
        m.Adreskeuze(woonadres=adres, briefadres=adres)
    with pytest.raises(ModelError, match="schuldtype"):
        m.SaldoVordering(factuurnummer_se="1")


def test_list_lengths() -> None:
    with pytest.raises(ModelError, match="adresregels"):
        m.BuitenlandsAdres(adresregels=("a", "b", "c", "d"), land="X")
    with pytest.raises(ModelError, match="fouten"):
        m.Foutbericht(berichtheader=_header(), gerefereerd_bericht=UUID, fouten=())
    with pytest.raises(ModelError, match="must be a tuple"):
        m.BuitenlandsAdres(adresregels=["a"], land="X")  # type: ignore[arg-type]


def test_kennisgeving_bsn_rules() -> None:
    shv = m.Schuldhulpverlener(naam="Stadsbank", contactpersoon=m.Contactpersoon(naam="M"))
    common = dict(
        berichtheader=_header(),
        schuldhulpverlener=shv,
        klantnummer_shv="K1",
        datum_aanmelding=date(2025, 9, 8),
        adreskeuze=m.Adreskeuze(woonadres=m.Adres(straatnaam="S", postcode="1234 AB", woonplaats="W")),
    )
    with pytest.raises(ModelError, match="klant.bsn"):
        m.Kennisgeving(klant=m.Persoon(achternaam="L", bsn="111222333"), **common)
    with pytest.raises(ModelError, match="klant.bsn"):
        m.KennisgevingPubliek(klant=m.Persoon(achternaam="L"), **common)
    assert m.KennisgevingPubliek(klant=m.Persoon(achternaam="L", bsn="111222333"), **common)


def test_nul_aanbod_codering_only_on_sa() -> None:
    with pytest.raises(ModelError, match="nul_aanbod_codering"):
        m.Voorstel(
            type_schuldregeling=m.TypeSchuldregeling.SK,
            datum_voorstel=date(2025, 1, 1),
            afloscapaciteit_per_maand=Decimal("10"),
            totaal_aantal_preferente_schuldeisers=0,
            totaal_aantal_concurrente_schuldeisers=1,
            totale_vastgestelde_schuld_preferent=Decimal(0),
            totale_vastgestelde_schuld_concurrent=Decimal(100),
            vorderingen=(_claim(),),
            nul_aanbod_codering=m.NulAanbodCodering.SK_WORKAROUND,
        )


def test_every_message_class_has_its_berichttype() -> None:
    assert set(m.BERICHT_KLASSEN) == set(m.Berichttype)
    for berichttype, cls in m.BERICHT_KLASSEN.items():
        assert cls.berichttype is berichttype and issubclass(cls, m.Bericht)


def test_decoding_leaves_the_checks_on_for_everyone_else() -> None:
    from gateway.codec import decode
    from tests.conftest import FIXTURES

    decode((FIXTURES / "valid/2.0/KennisgevingPubliek.xml").read_bytes())
    with pytest.raises(ModelError, match="elfproef"):
        m.Persoon(achternaam="Kok", bsn="111222334")
