"""CSV files as Dutch Excel and LibreOffice save them import cleanly (fixtures/csv/, made as
tests/csv_spreadsheets.py describes): the encoding and separator are recognised and said, dates in
the spreadsheets' own formats, amounts with a decimal comma (quoted where ``,`` separates),
non-ASCII names kept, leading zeros a spreadsheet dropped forgiven."""

from __future__ import annotations

import shutil
from datetime import date
from decimal import Decimal

import pytest

from adapters.csv.saldo_import import import_saldo
from adapters.csv.vragen import by_conversation
from gateway.cli import main
from gateway.codec import decode
from gateway.model import GeenMedewerking, SaldoverzoekAntwoord
from tests.csv_spreadsheets import (
    CONVERSATIES,
    CSV_FILES,
    QUESTION_FILES,
    excel_nl,
    libreoffice_nl,
    question_documents,
    questions,
    typed_rows,
)

EXCEL = CSV_FILES / "excel-nl.csv"
LIBREOFFICE = CSV_FILES / "libreoffice-nl.csv"


def test_the_files_are_as_those_programs_write_them() -> None:
    excel = EXCEL.read_bytes()
    with pytest.raises(UnicodeDecodeError):
        excel.decode("utf-8")  # Windows-1252: "Müller" is one byte 0xFC
    assert b"M\xfcller" in excel and b"\xc7elik" in excel and not excel.startswith(b"\xef\xbb\xbf")
    assert excel.count(b"\r\n") == 4 and b";1-10-2025;" in excel and b";1184,56;23,4;40;150;1097,96;" in excel
    assert b';"Stand per 1 oktober, incl. kosten; zie ""brief"" van 2 oktober";' in excel
    office = LIBREOFFICE.read_bytes()
    assert "Van der Berg-Özdemir".encode() in office and not office.startswith(b"\xef\xbb\xbf")
    assert b",01-10-25," in office and b',"1184,56","23,4",40,150,"1097,96",' in office
    assert b"\r\n" not in office


def test_the_excel_file_is_what_the_recipe_makes() -> None:
    """The file in fixtures/ and the questions here belong together (regenerate both if not)."""
    assert excel_nl(typed_rows()) == EXCEL.read_bytes()


def test_the_questions_the_files_answer_are_shipped_beside_them() -> None:
    """So a newcomer can run the import with nothing but the repository (the README's CSV section)."""
    assert [p.read_bytes() for p in QUESTION_FILES] == question_documents()


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) is not installed")
def test_the_libreoffice_file_is_what_libreoffice_makes() -> None:
    assert libreoffice_nl(typed_rows()) == LIBREOFFICE.read_bytes()


@pytest.mark.parametrize(
    ("path", "read_as"),
    [(EXCEL, "Windows-1252, separator ';'"), (LIBREOFFICE, "UTF-8 without BOM, separator ','")],
)
def test_a_spreadsheet_file_imports_cleanly(path, read_as) -> None:
    result = import_saldo(path.name, path.read_bytes(), by_conversation(questions()), versie=None)
    assert result.read_as == read_as and result.warnings == [] and result.unanswered == []
    antwoord, geen = result.antwoorden
    assert antwoord.rows == (2, 3) and geen.rows == (4,)
    b = antwoord.bericht
    assert (
        isinstance(b, SaldoverzoekAntwoord)
        and b.berichtheader.conversatie_referentienummer == CONVERSATIES[0]
    )
    assert b.peildatum == date(2025, 10, 1) and b.contactpersoon.naam == "R. Müller"
    assert b.toelichting == 'Stand per 1 oktober, incl. kosten; zie "brief" van 2 oktober'
    open_, moved = b.vorderingen
    schuld = open_.openstaande_schuld
    assert schuld.ontstaansdatum == date(2024, 4, 3)
    assert (schuld.oorspronkelijke_vordering, schuld.rente, schuld.kosten, schuld.betaald) == (
        Decimal("1184.56"), Decimal("23.4"), Decimal("40"), Decimal("150"),
    )  # fmt: skip
    assert schuld.actueel_vorderingsbedrag == Decimal("1097.96")
    assert moved.overgedragen_schuld.overgedragen_aan == "Gerechtsdeurwaarders Van der Berg-Özdemir"
    assert moved.overgedragen_schuld.datum_overdracht == date(2025, 6, 15)
    # the KlantnummerSHV "000417" came back as 417; the answer carries the question's own
    assert isinstance(geen.bericht, GeenMedewerking) and geen.bericht.klantnummer_shv == "000417"


def test_both_files_give_the_same_answers() -> None:
    """Same typing, two programs: the same messages (and so the same Referentienummers would be
    expected only for the same cells; here the content must agree)."""

    def content(path):
        result = import_saldo(path.name, path.read_bytes(), by_conversation(questions()))
        return [
            (type(a.bericht), a.bericht.vorderingen if hasattr(a.bericht, "vorderingen") else None)
            for a in result.antwoorden
        ]

    assert content(EXCEL) == content(LIBREOFFICE)


def test_the_cli_says_how_it_read_the_file(tmp_path, capsys) -> None:
    files = [str(p) for p in QUESTION_FILES]  # as the README runs it
    out = tmp_path / "xml"
    argv = ["csv", "import", str(EXCEL), "--to-xml", str(out), "--from-xml", *files]
    assert main(argv) == 0
    printed = capsys.readouterr().out
    assert f"{EXCEL}: read as Windows-1252, separator ';'" in printed
    written = sorted(out.glob("*.xml"))
    assert [p.name.split("-")[0] for p in written] == ["GeenMedewerking", "SaldoverzoekAntwoord"]
    assert decode(
        next(p for p in written if p.name.startswith("Saldo")).read_bytes()
    ).contactpersoon.naam == ("R. Müller")
