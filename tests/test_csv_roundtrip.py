"""CSV round trip: export → fill in → import → XML valid → decode equals the intended answers."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from adapters.csv import cells, composite
from adapters.csv.columns import SALDO
from adapters.csv.fileformat import MAX_BYTES
from adapters.csv.saldo_export import export_saldo
from adapters.csv.saldo_import import import_saldo
from adapters.csv.vragen import by_conversation
from gateway.codec import decode, encode
from gateway.model import (
    Contactpersoon,
    GeenMedewerking,
    GrondslagVoorafAkkoord,
    OnbekendeSchuld,
    OpenstaandeSchuld,
    OvergedragenSchuld,
    RedenGeenMedewerking,
    SaldoverzoekAntwoord,
    SaldoverzoekAntwoordVoorafAkkoord,
    SaldoVordering,
    VoorafAkkoord,
    VorderingsType,
)
from gateway.xml.validate import validate_document
from tests.csv_support import fill, fixture_vraag, read_rows

NOW = datetime(2025, 10, 1, 9, 30, tzinfo=UTC)
CONTACT = {
    "klantnummer_se": "100384729",
    "cp_naam": "R. Smit",
    "cp_email": "r.smit@energie.example",
    "cp_telefoon": "+31 50 123 4567",
}


def test_export_has_the_portal_layout_one_row_per_claim() -> None:
    vraag = fixture_vraag()
    rows = read_rows(export_saldo([vraag]))
    assert rows[0][:11] == [
        "ConversatieReferentienummer",
        "Referentienummer",
        "Schuldhulpverlener",
        "Contactpersoon SHV",
        "KlantnummerSHV",
        "KlantnummerSEVolgensSHV",
        "TypeSchuldregeling",
        "Klant",
        "Partner",
        "Adres",
        "Vordering.FactuurnummerSEVolgensSHV",
    ]
    assert (
        rows[0][11:22] == [c.name for c in SALDO.columns[11:22]]
        and rows[0][21] == "openstaand.Orginele vordering"
    )
    assert len(rows) == 3 and rows[1][:10] == rows[2][:10]  # the question columns repeat
    assert [r[10] for r in rows[1:]] == ["EN-2024-0081734", "EN-2025-0012290"]
    klant = composite.split(rows[1][7], composite.PERSOON)
    assert klant["achternaam"] == "Linden" and klant["geboortedatum"] == "17-04-1989"
    assert composite.split(rows[1][9], composite.ADRES)["postcode"] == "8012 DJ"
    assert all(cell == "" for cell in rows[1][11:])


def test_composite_cells_escape_the_separator() -> None:
    text = composite.join(["Naam | met streep", None, "a\\b"])
    assert composite.split(text, composite.CONTACTPERSOON) == {
        "naam": "Naam | met streep",
        "telefoonnummer": "",
        "emailadres": "a\\b",
    }
    with pytest.raises(cells.CellError):
        composite.split("a|b", composite.CONTACTPERSOON)


def _three_questions():
    gewoon = fixture_vraag()
    onbekend = fixture_vraag(factuurnummers_se_volgens_shv=("X-1",))
    akkoord = fixture_vraag(factuurnummers_se_volgens_shv=("A-1", "A-2", "A-3"))
    return gewoon, onbekend, akkoord


def _answer(vragen):
    gewoon, onbekend, akkoord = (v.conversatie for v in vragen)

    def answer(index: int, q: dict[str, str]) -> dict[str, str]:
        if q["conversatie"] == onbekend:
            return {"klant_onbekend": "Ja", "toelichting": "Klant niet gevonden op naam en adres."}
        base = CONTACT | {"datum": "01-10-2025"}
        if q["conversatie"] == akkoord:
            return base | {
                "standaard_akkoord": "ja",
                "schuldtype": "openstaande schuld",
                "factuurnummer_se": q["factuurnummer_se_volgens_shv"],
                "ontstaansdatum": "01-01-2025",
                "oorspronkelijke_vordering": "100",
                "actueel_vorderingsbedrag": "100,00",
                "grondslag": "Convenant",
                "convenant": "Convenant Energie 2025",
            }
        assert q["conversatie"] == gewoon
        if q["factuurnummer_se_volgens_shv"] == "EN-2024-0081734":
            return base | {
                "schuldtype": "Openstaande schuld",
                "factuurnummer_se": "EN-2024-0081734",
                "ontstaansdatum": "31-03-2024",
                "oorspronkelijke_vordering": "1184,56",
                "rente": "23,40",
                "kosten": "40",
                "betaald": "150,00",
                "actueel_vorderingsbedrag": "1097,96",
                "vorderingstype": "concurrent",
                "toelichting": "Stand per peildatum.",
            }
        return base | {
            "schuldtype": "overgedragen schuld",
            "factuurnummer_se": "EN-2025-0012290",
            "overgedragen_aan": "Incassobureau Van Dijk | Partners",
            "datum_overdracht": "15-06-2025",
        }

    return answer


def test_round_trip_export_fill_import_xml_decode(tmp_path) -> None:
    vragen = _three_questions()
    data = fill(export_saldo(vragen), SALDO, _answer(vragen))
    extra = (
        data
        + ";".join(
            [
                vragen[0].conversatie,
                vragen[0].referentienummer,
                *read_rows(data)[1][2:10],
                "",
                *CONTACT.values(),
                "",
                "",
                "01-10-2025",
                "onbekende schuld bij SE",
                "EN-2023-1",
                *[""] * 10,
                "Oude eindafrekening.",
                "",
                "",
            ]
        ).encode()
        + b"\r\n"
    )
    result = import_saldo("antwoord.csv", extra, by_conversation(vragen), now=NOW)
    assert result.unanswered == [] and result.warnings == []
    got = {a.vraag.conversatie: a for a in result.antwoorden}
    contact = Contactpersoon(
        naam="R. Smit", telefoonnummer="+31 50 123 4567", emailadres="r.smit@energie.example"
    )

    gewoon = got[vragen[0].conversatie].bericht
    assert isinstance(gewoon, SaldoverzoekAntwoord) and got[vragen[0].conversatie].rows == (2, 3, 8)
    assert gewoon.berichtheader.afzender == vragen[0].se and gewoon.berichtheader.ontvanger == vragen[0].shv
    assert (gewoon.klantnummer_se, gewoon.contactpersoon, gewoon.peildatum) == (
        "100384729",
        contact,
        date(2025, 10, 1),
    )
    assert gewoon.toelichting == "Stand per peildatum."
    assert gewoon.vorderingen == (
        SaldoVordering(
            factuurnummer_se_volgens_shv="EN-2024-0081734",
            factuurnummer_se="EN-2024-0081734",
            openstaande_schuld=OpenstaandeSchuld(
                ontstaansdatum=date(2024, 3, 31),
                oorspronkelijke_vordering=Decimal("1184.56"),
                rente=Decimal("23.40"),
                kosten=Decimal("40"),
                betaald=Decimal("150.00"),
                actueel_vorderingsbedrag=Decimal("1097.96"),
                vorderingstype=VorderingsType.CONCURRENT,
            ),
        ),
        SaldoVordering(
            factuurnummer_se_volgens_shv="EN-2025-0012290",
            factuurnummer_se="EN-2025-0012290",
            overgedragen_schuld=OvergedragenSchuld(
                overgedragen_aan="Incassobureau Van Dijk | Partners", datum_overdracht=date(2025, 6, 15)
            ),
        ),
        SaldoVordering(
            factuurnummer_se="EN-2023-1", onbekende_schuld=OnbekendeSchuld(toelichting="Oude eindafrekening.")
        ),
    )
    onbekend = got[vragen[1].conversatie].bericht
    assert isinstance(onbekend, GeenMedewerking) and onbekend.reden is RedenGeenMedewerking.KLANT_ONBEKEND
    assert onbekend.klantnummer_shv == "ZW-2025-00417" and onbekend.contactpersoon is None
    akkoord = got[vragen[2].conversatie].bericht
    assert isinstance(akkoord, SaldoverzoekAntwoordVoorafAkkoord) and len(akkoord.vorderingen) == 3
    assert akkoord.vooraf_akkoord == VoorafAkkoord(
        grondslag=GrondslagVoorafAkkoord.CONVENANT, convenant="Convenant Energie 2025"
    )

    for antwoord in result.antwoorden:  # XML valid, and decoding gives exactly the intended answer
        document = encode(antwoord.bericht, "2.0")
        assert validate_document(document).ok
        assert decode(document) == antwoord.bericht


def test_geen_medewerking_for_a_1_1_counterpart_has_no_reden() -> None:
    vraag = fixture_vraag()
    data = fill(export_saldo([vraag]), SALDO, lambda i, q: {"klant_onbekend": "Ja"})
    (antwoord,) = import_saldo("a.csv", data, by_conversation([vraag]), versie="1.1", now=NOW).antwoorden
    assert antwoord.bericht.reden is None
    document = encode(antwoord.bericht, "1.1")
    assert (
        b"KlantOnbekend" in document
        and validate_document(document).ok
        and decode(document) == antwoord.bericht
    )


def test_importing_the_same_rows_twice_gives_the_same_referentienummers() -> None:
    vragen = _three_questions()
    data = fill(export_saldo(vragen), SALDO, _answer(vragen))
    first = import_saldo("a.csv", data, by_conversation(vragen), now=NOW)
    again = import_saldo("a.csv", data, by_conversation(vragen), now=NOW)
    refs = [a.bericht.berichtheader.referentienummer for a in first.antwoorden]
    assert (
        refs == [a.bericht.berichtheader.referentienummer for a in again.antwoorden] and len(set(refs)) == 3
    )


def test_a_file_near_4_mb_imports() -> None:
    vragen = [fixture_vraag(factuurnummers_se_volgens_shv=(f"F-{n}-1", f"F-{n}-2")) for n in range(3900)]
    data = fill(
        export_saldo(vragen),
        SALDO,
        lambda i, q: (
            CONTACT
            | {
                "datum": "01-10-2025",
                "schuldtype": "openstaande schuld",
                "factuurnummer_se": q["factuurnummer_se_volgens_shv"],
                "ontstaansdatum": "31-03-2024",
                "oorspronkelijke_vordering": "1184,56",
                "rente": "23,40",
                "kosten": "40,00",
                "betaald": "150,00",
                "actueel_vorderingsbedrag": "1097,96",
                "toelichting": "Stand per peildatum, inclusief rente en kosten tot vandaag.",
            }
        ),
    )
    assert MAX_BYTES * 0.85 < len(data) <= MAX_BYTES, len(data)
    result = import_saldo("groot.csv", data, by_conversation(vragen), now=NOW)
    assert len(result.antwoorden) == 3900
    assert all(len(a.bericht.vorderingen) == 2 for a in result.antwoorden)


def test_cells_format_and_parse() -> None:
    assert cells.bedrag(Decimal("1097.9")) == "1097,90" and cells.parse_bedrag("1097,9") == Decimal("1097.9")
    assert cells.percentage(Decimal("22.34")) == "22,34" and cells.percentage(Decimal("100")) == "100"
    assert cells.datum(date(2025, 1, 2)) == "02-01-2025" and cells.parse_datum("29-02-2024") == date(
        2024, 2, 29
    )
    assert cells.parse_datum("4-12-2026") == date(2026, 12, 4)  # as Dutch Excel writes it
    assert cells.parse_datum("04-1-2026") == date(2026, 1, 4)
    # a 2-digit year (LibreOffice's Dutch short date): within 80 years before and 19 after today
    assert cells.parse_datum("01-10-25", today=date(2026, 5, 1)) == date(2025, 10, 1)
    assert cells.parse_datum("1-1-45", today=date(2026, 5, 1)) == date(2045, 1, 1)
    assert cells.parse_datum("1-1-46", today=date(2026, 5, 1)) == date(1946, 1, 1)
    assert cells.parse_datum("1-1-46", today=date(2027, 1, 1)) == date(2046, 1, 1)
    for bad in ("2025-01-02", "31-02-2025", "1-1-202", "1/1/2025", "001-1-2025", "1-1-5"):
        with pytest.raises(cells.CellError):
            cells.parse_datum(bad)
    # a decimal point is read where it cannot be a thousands separator (1 or 2 decimals)
    assert cells.parse_bedrag("1097.96") == Decimal("1097.96") and cells.parse_bedrag("5.5") == Decimal("5.5")
    for bad in ("1.097,96", "1,097.96", "1.097", "-5", "1,234", "abc", "€ 5", "1 097,96"):
        with pytest.raises(cells.CellError):
            cells.parse_bedrag(bad)


def test_cells_a_spreadsheet_would_run_as_formulas_are_neutralised_and_read_back() -> None:
    vraag = fixture_vraag(klantnummer_shv="=HYPERLINK(1)", factuurnummers_se_volgens_shv=("-42", "@x"))
    data = export_saldo([vraag])
    rows = read_rows(data)
    assert rows[1][4] == "'=HYPERLINK(1)" and [r[10] for r in rows[1:]] == ["'-42", "'@x"]
    filled = fill(
        data, SALDO, lambda i, q: CONTACT | {"datum": "01-10-2025", "schuldtype": "onbekende schuld bij SE"}
    )
    (antwoord,) = import_saldo("a.csv", filled, by_conversation([vraag]), now=NOW).antwoorden
    assert antwoord.bericht.klantnummer_shv == "=HYPERLINK(1)"
    assert [v.factuurnummer_se_volgens_shv for v in antwoord.bericht.vorderingen] == ["-42", "@x"]
