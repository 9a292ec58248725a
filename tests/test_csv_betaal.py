"""Our Betaalvoorstel antwoord CSV: export (latest proposal per conversation, one row per claim),
import as Betaalvoorstel antwoord, rule errors at their column, and the CLI to XML files."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from adapters.csv.betaal_export import export_betaal
from adapters.csv.betaal_import import import_betaal
from adapters.csv.columns import BETAAL
from adapters.csv.problems import CsvRejected
from adapters.csv.tool import KINDS, questions_for
from adapters.csv.vragen import by_conversation
from gateway.cli import main
from gateway.codec import decode, encode
from gateway.model import Akkoord, AntwoordVordering, BetaalvoorstelAntwoord, Contactpersoon
from gateway.xml.validate import validate_document
from tests.conftest import FIXTURES
from tests.csv_support import fill, fixture_vraag, read_rows

NOW = datetime(2025, 11, 10, 8, 0, tzinfo=UTC)


def test_export_takes_the_latest_proposal_one_row_per_claim() -> None:
    voorstel, heroverweging = fixture_vraag("Betaalvoorstel.xml"), fixture_vraag("Heroverweging.xml")
    nul = fixture_vraag(
        "Betaalvoorstel-nul-aanbod-SA.xml", conversatie="1b2c3d4e-0000-4000-8000-00000000000a"
    )
    vragen = questions_for(KINDS["Betaalvoorstel"], [nul, heroverweging, voorstel])
    rows = read_rows(export_betaal(vragen))
    assert rows[0] == BETAAL.header
    by_type = {r[2] for r in rows[1:]}
    assert by_type == {"Heroverweging", "Betaalvoorstel"}
    assert all(r[1] != voorstel.referentienummer for r in rows[1:])  # replaced by the Heroverweging
    sa = [r for r in rows[1:] if r[0] == nul.conversatie]
    assert sa and all(r[5] == "SA" and r[7] == "0,00" for r in sa)
    assert len(sa) == len(nul.bericht.voorstel.vorderingen)


def test_round_trip_to_a_valid_answer() -> None:
    vraag = fixture_vraag("Betaalvoorstel.xml")
    answer = {"klantnummer_se": "100384729", "antwoord": "akkoord", "cp_naam": "R. Smit",
              "cp_telefoon": "+31 50 123 4567", "betaalreferentie": "7004 1183 9921 0045"}  # fmt: skip
    data = fill(export_betaal([vraag]), BETAAL, lambda i, q: answer)
    (antwoord,) = import_betaal("b.csv", data, by_conversation([vraag]), now=NOW).antwoorden
    bericht = antwoord.bericht
    assert isinstance(bericht, BetaalvoorstelAntwoord) and bericht.antwoord is Akkoord.AKKOORD
    assert bericht.contactpersoon == Contactpersoon(naam="R. Smit", telefoonnummer="+31 50 123 4567")
    assert bericht.vorderingen == (
        AntwoordVordering(factuurnummer_se="EN-2024-0081734", betaalreferentie="7004 1183 9921 0045"),
    )
    assert bericht.berichtheader.ontvanger == vraag.shv and bericht.klantnummer_shv == "ZW-2025-00417"
    document = encode(bericht, "1.1")
    assert validate_document(document).ok and decode(document) == bericht


def test_niet_akkoord_without_reden_is_a_rule_error_at_its_column() -> None:
    vraag = fixture_vraag("Betaalvoorstel.xml")
    data = fill(
        export_betaal([vraag]), BETAAL, lambda i, q: {"antwoord": "NietAkkoord", "cp_email": "a@b.example"}
    )
    with pytest.raises(CsvRejected) as caught:
        import_betaal("b.csv", data, by_conversation([vraag]))
    assert [str(p) for p in caught.value.errors] == [
        "row 2, column R (Contactpersoon SE.Naam): required when an email address or telephone number is "
        "given",
    ]
    data = fill(export_betaal([vraag]), BETAAL, lambda i, q: {"antwoord": "NietAkkoord"})
    with pytest.raises(CsvRejected) as caught:
        import_betaal("b.csv", data, by_conversation([vraag]))
    assert [str(p) for p in caught.value.errors] == [
        "row 2, column Q (Reden): 'Reden' must be filled in when 'Antwoord' is NietAkkoord "
        "[niet-akkoord-zonder-reden]",
    ]
    data = fill(export_betaal([vraag]), BETAAL, lambda i, q: {"antwoord": "Misschien"})
    with pytest.raises(CsvRejected) as caught:
        import_betaal("b.csv", data, by_conversation([vraag]))
    assert str(caught.value.errors[0]) == (
        "row 2, column P (Antwoord): expected one of: Akkoord, NietAkkoord (found 'Misschien')"
    )


def test_cli_to_xml_detects_the_layout(tmp_path, capsys) -> None:
    question = FIXTURES / "valid/2.0/Betaalvoorstel.xml"
    out = tmp_path / "b.csv"
    assert (
        main(["csv", "export", "--berichttype", "Betaalvoorstel", "--from-xml", str(question), str(out)]) == 0
    )
    out.write_bytes(
        fill(out.read_bytes(), BETAAL, lambda i, q: {"antwoord": "NietAkkoord", "reden": "Te laag"})
    )
    target = tmp_path / "xml"
    argv = [
        "csv",
        "import",
        str(out),
        "--to-xml",
        str(target),
        "--version",
        "1.1",
        "--from-xml",
        str(question),
    ]
    assert main(argv) == 0
    (written,) = target.glob("BetaalvoorstelAntwoord-*.xml")
    assert b"schuldregeling:1.1" in written.read_bytes()
    assert decode(written.read_bytes()).reden == "Te laag"
    assert "BetaalvoorstelAntwoord" in capsys.readouterr().out
    forced = ["csv", "import", str(out), "--berichttype", "Saldoverzoek", "--to-xml", str(target)]
    assert main([*forced, "--from-xml", str(question)]) == 1
    assert (
        "row 1: the header row is not the Saldoverzoek antwoord layout: 8 of its 33 column names found"
        in capsys.readouterr().out
    )
