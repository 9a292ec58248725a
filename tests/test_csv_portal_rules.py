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
        ("utf16", "antwoord.csv", 'file: encoding: UTF-16 (Excel\'s "Unicode text") is not read'),
        ("tab", "antwoord.csv", "row 1: delimiter: the header row is not separated by ';' or ','"),
        (
            "header",
            "antwoord.csv",
            "row 1, column S (Schuldtype): the header cell reads 'Soort schuld'; expected 'Schuldtype'",
        ),
        (
            ("datum", "2025-10-01"),
            "antwoord.csv",
            "row 2, column R (Datum): expected a date as d-m-jjjj or dd-mm-jjjj, e.g. 31-3-2024 "
            "(found '2025-10-01')",
        ),
        (
            ("datum", "1-10-202"),
            "antwoord.csv",
            "row 2, column R (Datum): expected a date as d-m-jjjj or dd-mm-jjjj, e.g. 31-3-2024 "
            "(found '1-10-202')",
        ),
        (("datum", "31-9-2025"), "antwoord.csv", "row 2, column R (Datum): not an existing date"),
        (
            ("oorspronkelijke_vordering", "1.184,56", 1),
            "antwoord.csv",
            "row 2, column V (openstaand.Orginele vordering): use a decimal comma and no thousands "
            "separator, e.g. 1097,96 (found '1.184,56')",
        ),
        (
            ("rente", "23.400", 1),
            "antwoord.csv",
            "row 2, column W (openstaand.Rente): a point before 3 digits reads as a thousands separator",
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
            "row 2, column Z (openstaand.ActueelVorderingsbedrag): must equal 'openstaand.Orginele vordering'"
            " + 'openstaand.Rente' + 'openstaand.Kosten' − 'openstaand.Betaald': 1097,96 "
            "[openstaande-schuld-inconsistent] (found '1097,97')",
        ),
        (
            ("cp_email", "geen-adres"),
            "antwoord.csv",
            "row 2, column N (Contactpersoon SE.Email): does not have the expected form "
            "(found, masked: 'xxxx-xxxxx')",
        ),
        (
            ("overgedragen_aan", "", 2),
            "antwoord.csv",
            "row 3, column AB (overgedragen.OvergedragenAan): required",
        ),
        (
            ("rente", "5,00", 2),
            "antwoord.csv",
            "row 3, column W (openstaand.Rente): must be empty for an overgedragen schuld (found '5,00')",
        ),
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
    elif data == "utf16":
        raw = b"\xff\xfe" + write_rows(rows, bom=False).decode("utf-8").encode("utf-16-le")
    elif data == "tab":
        raw = write_rows(rows, delimiter="\t")
    elif data == "header":
        rows[0][col("schuldtype")] = "Soort schuld"
        raw = write_rows(rows)
    else:
        key, value, *where = data
        raw = with_cell(key, value, *where)
    errors = refused(raw, name)
    assert any(e.startswith(expected) for e in errors), errors
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
    rows[2] = rows[2][:-3]  # short: Excel leaves out trailing empty cells on some rows; padded
    import_saldo("a.csv", write_rows(rows), by_conversation([VRAAG]))
    rows[2] = rows[2] + ["", "", "", "", "x"]  # longer than the header, with a filled cell
    assert refused(write_rows(rows)) == [
        "row 3, column AH: has 35 cells, the header 33: a cell beyond the last column is filled in "
        "(delimiter ';')"
    ]


def test_every_error_is_listed_and_nothing_is_imported(tmp_path, capsys) -> None:
    other = fixture_vraag(factuurnummers_se_volgens_shv=("B-1",))
    rows = (
        good() + read_rows(fill(export_saldo([other]), SALDO, lambda i, q: OPEN | {"datum": "1-10-2025"}))[1:]
    )
    rows[1][col("schuldtype")] = "?"
    rows[2][col("klant_onbekend")] = "misschien"
    rows[2][col("klantnummer_shv")] = "ANDERS"
    rows[3][col("datum")] = "1-10-2O25"
    data = write_rows(rows, bom=False)
    with pytest.raises(CsvRejected) as caught:
        import_saldo("x.csv", data, by_conversation([VRAAG, other]))
    assert caught.value.read_as == "UTF-8 without BOM, separator ';'"
    assert [str(p) for p in caught.value.errors] == [
        "row 3, column E (KlantnummerSHV): differs from row 2: the question columns repeat "
        "(found, masked: 'xxxxxx')",
        "row 3, column P (Klant onbekend): expected Ja or an empty cell (found 'misschien')",
        "row 2, column S (Schuldtype): unknown Schuldtype: expected one of: openstaande schuld, "
        "overgedragen schuld, onbekende schuld bij SE (found '?')",
        "row 4, column R (Datum): expected a date as d-m-jjjj or dd-mm-jjjj, e.g. 31-3-2024 "
        "(found '1-10-2O25')",
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
    assert "REFUSED, nothing was imported (4 error(s))" in printed and "row 4, column R (Datum)" in printed
    assert "read as UTF-8 without BOM, separator ';'" in printed
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
        "row 3, column AC (overgedragen.DatumOverdracht): expected a date as d-m-jjjj or dd-mm-jjjj, "
        "e.g. 31-3-2024 (found '15/06/2025')",
        "row 2, column Z (openstaand.ActueelVorderingsbedrag): must equal 'openstaand.Orginele vordering'"
        " + 'openstaand.Rente' + 'openstaand.Kosten' − 'openstaand.Betaald': 1097,96 "
        "[openstaande-schuld-inconsistent] (found '1097,97')",
    ]


def test_a_missing_column_is_one_error_naming_its_header() -> None:
    rows = good()
    for row in rows:
        del row[col("datum")]
    assert refused(write_rows(rows)) == [
        "row 1: the column 'Datum' is missing (column R of the Saldoverzoek antwoord layout)"
    ]


def test_renamed_unknown_and_doubled_columns_are_named_once_each() -> None:
    rows = good()
    rows[0][col("datum")] = "Peildatum"
    for row in rows:
        row.append("x" if row is rows[0] else "")
    rows[0][-1] = "Opmerking"
    rows[0].append("Schuldtype")
    for row in rows[1:]:
        row.append("")
    assert refused(write_rows(rows)) == [
        "row 1, column AI (Schuldtype): the column 'Schuldtype' appears twice (also S)",
        "row 1, column R (Datum): the header cell reads 'Peildatum'; expected 'Datum'",
        "row 1, column AH (Opmerking): 'Opmerking' is not a column of the Saldoverzoek antwoord layout",
    ]


def test_columns_are_found_by_header_in_any_order_and_named_as_the_file_names_them() -> None:
    rows = good()
    order = list(reversed(range(len(rows[0]))))
    moved = [[row[i] for i in order] for row in rows]
    moved[0] = [f"  {h.upper()} " if h == "Datum" else h for h in moved[0]]
    (antwoord,) = import_saldo("a.csv", write_rows(moved), by_conversation([VRAAG])).antwoorden
    assert antwoord.bericht.peildatum.isoformat() == "2025-10-01"
    at = order.index(col("datum"))  # Datum is now column P: errors name the file's column
    moved[1][at] = moved[2][at] = "1-13-2025"
    assert refused(write_rows(moved)) == [
        "row 2, column P (DATUM): not an existing date (d-m-jjjj) (found '1-13-2025')",
    ]
