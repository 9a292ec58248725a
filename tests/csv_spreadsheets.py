"""The questions behind fixtures/csv/, and how the files there were made.

``python -m tests.csv_spreadsheets`` (re)writes them from two Saldoverzoeken with non-ASCII names,
which it writes beside them (``saldoverzoek-1.xml``, ``saldoverzoek-2.xml``: the questions the files
answer, so ``skgw csv import FILE --to-xml OUT --from-xml fixtures/csv/saldoverzoek-*.xml`` runs):

- ``excel-nl.csv``: what a Dutch Excel writes with "Opslaan als: CSV (gescheiden door
  lijstscheidingsteken)" after the creditor typed the answers into our export: Windows-1252, no byte
  order mark, ``;``, CRLF line ends, quotes only around a cell holding ``;``, ``"`` or a line break;
  a typed date shows as ``d-m-jjjj``, a typed amount with a decimal comma and without trailing zeros
  (40 stays ``40``, 23,40 becomes ``23,4``), and an all-digit cell loses its leading zeros (General
  format). Excel is not available here, so these rules are applied by :func:`excel_nl` below.
- ``libreoffice-nl.csv``: written by LibreOffice Calc itself (``soffice --headless``, Dutch locale):
  the export with the typed answers is opened with "detect special numbers" (as typing into a cell
  would: dates and amounts become dates and numbers) and saved as CSV with ``,`` and UTF-8: no byte
  order mark, LF line ends, dates in the Dutch short format ``dd-mm-jj``, amounts as ``"1184,56"``
  (quoted: the decimal comma is the separator), leading zeros dropped.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from adapters.csv.columns import SALDO
from adapters.csv.saldo_export import export_saldo
from adapters.csv.vragen import Vraag, vraag_from_xml
from gateway.codec import encode
from gateway.model import Persoon
from tests.conftest import FIXTURES

CSV_FILES = FIXTURES / "csv"
QUESTION_FILES = (CSV_FILES / "saldoverzoek-1.xml", CSV_FILES / "saldoverzoek-2.xml")
CONVERSATIES = ("4c1d2f7e-9a1b-4e55-8c1f-3a6f0b2d9e01", "4c1d2f7e-9a1b-4e55-8c1f-3a6f0b2d9e02")

#: what the creditor typed, by data row (0-based) and column key
TYPED: dict[int, dict[str, str]] = {
    0: {
        "klantnummer_se": "100384729",
        "cp_naam": "R. Müller",
        "cp_email": "r.muller@energie-noord.example",
        "datum": "1-10-2025",
        "schuldtype": "openstaande schuld",
        "factuurnummer_se": "EN-2024-0081734",
        "ontstaansdatum": "3-4-2024",
        "oorspronkelijke_vordering": "1184,56",
        "rente": "23,40",
        "kosten": "40,00",
        "betaald": "150,00",
        "actueel_vorderingsbedrag": "1097,96",
        "vorderingstype": "Concurrent",
        "toelichting": 'Stand per 1 oktober, incl. kosten; zie "brief" van 2 oktober',
    },
    1: {
        "schuldtype": "overgedragen schuld",
        "overgedragen_aan": "Gerechtsdeurwaarders Van der Berg-Özdemir",
        "datum_overdracht": "15-6-2025",
    },
    2: {"cp_naam": "R. Müller", "klant_onbekend": "Ja"},
}


def questions() -> list[Vraag]:
    """Two Saldoverzoeken to Energie Noord: one for Aylin Çelik and her partner Jörg Van der
    Berg-Özdemir (two claims), one for T. Müller with an all-digit KlantnummerSHV (one claim)."""
    base = vraag_from_xml("Saldoverzoek.xml", (FIXTURES / "valid/2.0/Saldoverzoek.xml").read_bytes())
    b = base.bericht
    first = dataclasses.replace(
        b,
        berichtheader=dataclasses.replace(
            b.berichtheader,
            referentienummer="4c1d2f7e-9a1b-4e55-8c1f-3a6f0b2d9e11",
            conversatie_referentienummer=CONVERSATIES[0],
        ),
        klant=dataclasses.replace(
            b.klant, voornamen="Aylin", voorletters="A.", voorvoegsel=None, achternaam="Çelik"
        ),
        partner=Persoon(voornamen="Jörg", voorletters="J.", achternaam="Van der Berg-Özdemir"),
    )
    second = dataclasses.replace(
        b,
        berichtheader=dataclasses.replace(
            b.berichtheader,
            referentienummer="4c1d2f7e-9a1b-4e55-8c1f-3a6f0b2d9e12",
            conversatie_referentienummer=CONVERSATIES[1],
        ),
        klantnummer_shv="000417",
        klant=dataclasses.replace(
            b.klant, voornamen="Thomas", voorletters="T.", voorvoegsel=None, achternaam="Müller"
        ),
        partner=None,
        factuurnummers_se_volgens_shv=("EN-2025-0099001",),
    )
    return [Vraag(first, "2.0"), Vraag(second, "2.0")]


def typed_rows() -> list[list[str]]:
    """Our export of :func:`questions` with the answers typed in (header first)."""
    data = export_saldo(questions())
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline=""), delimiter=";"))
    keys = [c.key for c in SALDO.columns]
    for index, values in TYPED.items():
        for key, value in values.items():
            rows[index + 1][keys.index(key)] = value
    return rows


def _excel_cell(key: str, text: str) -> str:
    if text.isdigit():
        return str(int(text))  # General format: a number, leading zeros gone
    if key in ("oorspronkelijke_vordering", "rente", "kosten", "betaald", "actueel_vorderingsbedrag"):
        whole, _, cents = text.partition(",")
        cents = cents.rstrip("0")
        return f"{whole},{cents}" if cents else whole
    return text  # a typed d-m-jjjj date is shown as d-m-jjjj (the Dutch short date)


def excel_nl(rows: list[list[str]]) -> bytes:
    keys = [c.key for c in SALDO.columns]
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow(rows[0])
    for row in rows[1:]:
        writer.writerow([_excel_cell(k, t) for k, t in zip(keys, row, strict=True)])
    return out.getvalue().encode("cp1252")


def libreoffice_nl(rows: list[list[str]]) -> bytes:
    soffice = shutil.which("soffice")
    if soffice is None:
        raise SystemExit("LibreOffice (soffice) is needed to write libreoffice-nl.csv")
    with tempfile.TemporaryDirectory() as directory:
        source = Path(directory) / "libreoffice-nl.csv"
        out = io.StringIO()
        csv.writer(out, delimiter=";", lineterminator="\r\n").writerows(rows)
        source.write_text(out.getvalue(), encoding="utf-8")
        # import: ; " UTF-8 (76), from line 1, Dutch (1043), detect special numbers; export: , " UTF-8,
        # Dutch, cells as shown
        env = dict(os.environ, LC_ALL="nl_NL.UTF-8", LANG="nl_NL.UTF-8", HOME=directory)
        subprocess.run(
            [soffice, "--headless", "--infilter=CSV:59,34,76,1,,1043,false,true",
             "--convert-to", "csv:Text - txt - csv (StarCalc):44,34,76,1,,1043,false,true,true",
             "--outdir", str(Path(directory) / "out"), str(source)],
            check=True, env=env, capture_output=True, timeout=120,
        )  # fmt: skip
        return (Path(directory) / "out" / source.name).read_bytes()


def question_documents() -> list[bytes]:
    """:func:`questions` as the XML files a creditor's gateway received them as."""
    return [encode(vraag.bericht, "2.0") for vraag in questions()]


def main() -> None:
    CSV_FILES.mkdir(exist_ok=True)
    for path, document in zip(QUESTION_FILES, question_documents(), strict=True):
        path.write_bytes(document)
    rows = typed_rows()
    (CSV_FILES / "excel-nl.csv").write_bytes(excel_nl(rows))
    (CSV_FILES / "libreoffice-nl.csv").write_bytes(libreoffice_nl(rows))
    print(f"wrote {CSV_FILES}/excel-nl.csv, libreoffice-nl.csv and the questions", file=sys.stderr)


if __name__ == "__main__":
    main()
