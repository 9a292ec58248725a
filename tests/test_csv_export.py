"""`skgw csv export` from files: answered questions are left out unless --all (and the export says
how many), the folder sink's JSON files are read like the XML messages, and the file is 0600."""

from __future__ import annotations

import json
import os
import stat

from adapters.csv.columns import SALDO
from adapters.sinks.folder import FolderSettings, FolderSink
from gateway.cli import main
from gateway.codec import encode
from gateway.codec.json_form import to_json
from gateway.engine.ports import DeliveryRequest
from tests.csv_support import fill, fixture_vraag, read_rows

ANSWER = {"klantnummer_se": "100384729", "cp_naam": "R. Smit", "datum": "1-10-2025",
          "schuldtype": "onbekende schuld bij SE"}  # fmt: skip


def _write_questions(tmp_path, count: int = 2) -> list:
    vragen = [fixture_vraag(klantnummer_shv=f"K-{i}") for i in range(count)]
    for vraag in vragen:
        (tmp_path / f"q-{vraag.referentienummer}.xml").write_bytes(encode(vraag.bericht, "2.0"))
    return vragen


def test_answered_questions_are_left_out_unless_all(tmp_path, capsys) -> None:
    os.umask(0o022)
    first, second = _write_questions(tmp_path)
    out = tmp_path / "saldo.csv"
    questions = sorted(str(p) for p in tmp_path.glob("q-*.xml"))
    assert main(["csv", "export", "--from-xml", *questions, str(out)]) == 0
    assert "2 Saldoverzoek question(s), 4 row(s)" in capsys.readouterr().out
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    # answer the first conversation only, as XML files (csv import --to-xml)
    filled = tmp_path / "antwoord.csv"
    filled.write_bytes(
        fill(out.read_bytes(), SALDO, lambda i, q: ANSWER if q["conversatie"] == first.conversatie else {})
    )
    answers = tmp_path / "sent"
    assert main(["csv", "import", str(filled), "--to-xml", str(answers), "--from-xml", *questions]) == 0
    capsys.readouterr()
    sent = [str(p) for p in answers.glob("*.xml")]
    assert len(sent) == 1

    assert main(["csv", "export", "--from-xml", *questions, *sent, str(out)]) == 0
    printed = capsys.readouterr().out
    assert "1 Saldoverzoek question(s), 2 row(s)" in printed
    assert "left out 1 question(s) answered already (--all exports them too)" in printed
    assert {row[0] for row in read_rows(out.read_bytes())[1:]} == {second.conversatie}

    assert main(["csv", "export", "--all", "--from-xml", *questions, *sent, str(out)]) == 0
    printed = capsys.readouterr().out
    assert "2 Saldoverzoek question(s), 4 row(s)" in printed and "1 of them answered already" in printed


async def test_the_folder_sinks_json_files_are_read(tmp_path, capsys) -> None:
    vraag = fixture_vraag()
    sink = FolderSink(FolderSettings(tmp_path / "inbox"))  # what the gateway hands the folder sink
    body = json.dumps(to_json(vraag.bericht), ensure_ascii=False, separators=(",", ":")).encode()
    request = DeliveryRequest(
        vraag.referentienummer, "Saldoverzoek", vraag.conversatie, body, encode(vraag.bericht, "2.0")
    )
    await sink.deliver(request)
    (received,) = (tmp_path / "inbox").glob("*.json")
    out = tmp_path / "saldo.csv"
    assert main(["csv", "export", "--from-xml", str(received), str(out)]) == 0
    assert "1 Saldoverzoek question(s), 2 row(s)" in capsys.readouterr().out
    assert read_rows(out.read_bytes())[1][0] == vraag.conversatie

    filled = tmp_path / "antwoord.csv"
    filled.write_bytes(fill(out.read_bytes(), SALDO, lambda i, q: ANSWER))
    argv = ["csv", "import", str(filled), "--to-xml", str(tmp_path / "xml"), "--from-xml", str(received)]
    assert main(argv) == 2  # the JSON form does not say the question's version
    assert "give --version 2.0 or 1.1" in capsys.readouterr().err
    assert main([*argv, "--version", "1.1"]) == 0
    (written,) = (tmp_path / "xml").glob("SaldoverzoekAntwoord-*.xml")
    assert b"schuldregeling:1.1" in written.read_bytes()


def test_a_file_that_is_neither_message_xml_nor_its_json_is_a_usage_error(tmp_path, capsys) -> None:
    bad = tmp_path / "x.json"
    bad.write_text('{"berichttype": "Saldoverzoek", "onzin": 1}')
    assert main(["csv", "export", "--from-xml", str(bad), str(tmp_path / "o.csv")]) == 2
    assert "not the JSON form of a message" in capsys.readouterr().err
