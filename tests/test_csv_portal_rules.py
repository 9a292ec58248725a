"""The portal's rules, each violated once: the whole file is refused and every error is listed by
row, column (letter and name) and reason — never with personal data."""

from __future__ import annotations

import pytest

from adapters.csv.columns import SALDO
from adapters.csv.fileformat import BOM, MAX_BYTES
from adapters.csv.problems import CsvRejected
from adapters.csv.saldo_export import export_saldo
from adapters.csv.saldo_import import import_saldo
from adapters.csv.vragen import by_conversation
from gateway.cli import main
from gateway.codec import encode
from tests.csv_support import fill, fixture_vraag, read_rows, write_rows

VRAAG = fixture_vraag()
OPEN = {
    "klantnummer_se": "100384729",
    "cp_naam": "R. Smit",
    "datum": "01-10-2025",
    "schuldtype": "openstaande schuld",
    "factuurnummer_se": "EN-1",
    "ontstaansdatum": "31-03-2024",
    "oorspronkelijke_vordering": "1184,56",
    "rente": "23,40",
    "kosten": "40,00",
    "betaald": "150,00",
    "actueel_vorderingsbedrag": "1097,96",
}
OVER = {
    "klantnummer_se": "100384729",
    "cp_naam": "R. Smit",
    "datum": "01-10-2025",
    "schuldtype": "overgedragen schuld",
    "overgedragen_aan": "Incasso BV",
}


def good() -> list[list[str]]:
    return read_rows(fill(export_saldo([VRAAG]), SALDO, lambda i, q: OPEN if i == 0 else OVER))


def col(key: str) -> int:
    return [c.key for c in SALDO.columns].index(key)


def refused(data: bytes, name: str = "antwoord.csv") -> list[str]:
    with pytest.raises(CsvRejected) as caught:
        import_saldo(name, data, by_conversation([VRAAG]))
    texts = [str(p) for p in caught.value.errors]
    for text in texts:  # never personal data of the question in an error
        assert not any(
            secret in text for secret in ("Linden", "111222333", "Assendorperstraat", "17-04-1989")
        )
    return texts


def with_cell(key: str, value: str, row: int | None = None) -> bytes:
    """Change a cell of one row; by default of every row (values of the whole conversation)."""
    rows = good()
    for number in [row] if row is not None else range(1, len(rows)):
        rows[number][col(key)] = value
    return write_rows(rows)


def test_the_good_file_is_accepted() -> None:
    (antwoord,) = import_saldo("antwoord.csv", write_rows(good()), by_conversation([VRAAG])).antwoorden
    assert antwoord.rows == (2, 3)


@pytest.mark.parametrize(
    "data, name, expected",
    [
        (None, "antwoord.xlsx", "file: only files with the extension .csv are accepted"),
        ("nobom", "antwoord.csv", "file: encoding: expected UTF-8 with a byte order mark (BOM)"),
        ("latin1", "antwoord.csv", "row 2: encoding: this row is not UTF-8"),
        ("comma", "antwoord.csv", "row 1: delimiter: the cells must be separated by ';'"),
        ("header", "antwoord.csv", "row 1, column S (Schuldtype): the header cell must read 'Schuldtype'"),
        (("datum", "2025-10-01"), "antwoord.csv", "row 2, column R (Datum): expected a date as dd-mm-jjjj"),
        (
            ("oorspronkelijke_vordering", "1.184,56", 1),
            "antwoord.csv",
            "row 2, column V (openstaand.Orginele vordering): '1.184,56': use a decimal comma",
        ),
        (
            ("schuldtype", "betwiste schuld", 1),
            "antwoord.csv",
            "row 2, column S (Schuldtype): unknown Schuldtype",
        ),
        (("klantnummer_se", ""), "antwoord.csv", "row 2, column L (Klantnummer SE): required"),
        (
            ("actueel_vorderingsbedrag", "1097,97", 1),
            "antwoord.csv",
            "row 2, column Z (openstaand.ActueelVorderingsbedrag): ActueelVorderingsbedrag must equal "
            "OorspronkelijkeVordering + Rente + Kosten − Betaald [openstaande-schuld-inconsistent]",
        ),
        (("cp_email", "geen-adres"), "antwoord.csv", "row 2, column N (Contactpersoon SE.Email): emailadres"),
        (
            ("overgedragen_aan", "", 2),
            "antwoord.csv",
            "row 3, column AB (overgedragen.OvergedragenAan): required",
        ),
        (("rente", "5,00", 2), "antwoord.csv", "row 3, column W (openstaand.Rente): must be empty"),
        (
            ("conversatie", "0b1a7c1e-0000-4000-8000-000000000000"),
            "antwoord.csv",
            "row 2, column A (ConversatieReferentienummer): no received Saldoverzoek",
        ),
    ],
)
def test_each_rule_violated_once(data, name, expected) -> None:
    rows = good()
    if data is None:
        raw = write_rows(rows)
    elif data == "nobom":
        raw = write_rows(rows, bom=False)
    elif data == "latin1":
        rows[1][col("cp_naam")] = "Sméts"
        raw = write_rows(rows, encoding="latin-1")
    elif data == "comma":
        raw = write_rows(rows, delimiter=",")
    elif data == "header":
        rows[0][col("schuldtype")] = "Soort schuld"
        raw = write_rows(rows)
    else:
        key, value, *where = data
        raw = with_cell(key, value, *where)
    errors = refused(raw, name)
    assert any(e.startswith(expected) for e in errors), errors
    if data != "header" and data != "comma":
        assert len(errors) == 1, errors  # one violation, one error


def test_too_large_is_refused() -> None:
    rows = good()
    for row in rows[1:]:  # (a cell this long is refused as well)
        row[col("adres")] = "x" * (MAX_BYTES // 2)
    raw = write_rows(rows)
    errors = refused(raw)
    assert errors[0] == f"file: the file is {len(raw)} bytes; at most 4 MB ({MAX_BYTES} bytes)"


def test_a_row_with_the_wrong_number_of_cells() -> None:
    rows = good()
    rows[2] = rows[2][:-3]
    assert refused(write_rows(rows)) == ["row 3: has 30 cells, expected 33 (delimiter ';')"]


def test_every_error_is_listed_and_nothing_is_imported(tmp_path, capsys) -> None:
    other = fixture_vraag(factuurnummers_se_volgens_shv=("B-1",))
    rows = (
        good() + read_rows(fill(export_saldo([other]), SALDO, lambda i, q: OPEN | {"datum": "1-10-2025"}))[1:]
    )
    rows[1][col("schuldtype")] = "?"
    rows[2][col("klant_onbekend")] = "misschien"
    rows[2][col("klantnummer_shv")] = "ANDERS"
    data = write_rows(rows, bom=False)
    with pytest.raises(CsvRejected) as caught:
        import_saldo("x.csv", data, by_conversation([VRAAG, other]))
    assert [str(p) for p in caught.value.errors] == [
        "file: encoding: expected UTF-8 with a byte order mark (BOM) at the start",
        "row 3, column E (KlantnummerSHV): differs from row 2: the question columns repeat",
        "row 3, column P (Klant onbekend): expected Ja or an empty cell",
        "row 2, column S (Schuldtype): unknown Schuldtype: expected one of: openstaande schuld, "
        "overgedragen schuld, onbekende schuld bij SE",
        "row 4, column R (Datum): expected a date as dd-mm-jjjj, e.g. 31-03-2024",
    ]

    source = tmp_path / "antwoord.csv"
    source.write_bytes(data)
    question = tmp_path / "vraag.xml"  # the CLI reads the questions from their XML files
    question.write_bytes(encode(VRAAG.bericht, "2.0"))
    other_xml = tmp_path / "ander.xml"
    other_xml.write_bytes(encode(other.bericht, "2.0"))
    out = tmp_path / "xml"
    argv = ["csv", "import", str(source), "--to-xml", str(out), "--from-xml", str(question), str(other_xml)]
    assert main(argv) == 1
    printed = capsys.readouterr().out
    assert "REFUSED, nothing was imported (5 error(s))" in printed and "row 4, column R (Datum)" in printed
    assert not out.exists()


def test_unanswered_conversations_are_skipped() -> None:
    result = import_saldo("a.csv", export_saldo([VRAAG]), by_conversation([VRAAG]))
    assert result.antwoorden == [] and result.unanswered == [VRAAG.conversatie]
    assert export_saldo([VRAAG]).startswith(BOM)


def test_a_claim_rule_error_is_listed_beside_a_cell_error_of_the_same_conversation() -> None:
    rows = good()
    rows[1][col("actueel_vorderingsbedrag")] = "1097,97"
    rows[2][col("datum_overdracht")] = "15/06/2025"
    assert refused(write_rows(rows)) == [
        "row 3, column AC (overgedragen.DatumOverdracht): expected a date as dd-mm-jjjj, e.g. 31-03-2024",
        "row 2, column Z (openstaand.ActueelVorderingsbedrag): ActueelVorderingsbedrag must equal "
        "OorspronkelijkeVordering + Rente + Kosten − Betaald [openstaande-schuld-inconsistent]",
    ]
