"""`skgw convert`: the issue's done-when pipeline (in process and as a subprocess), rules and exit codes."""

from __future__ import annotations

import io
import json
import subprocess
import sys

import pytest

from gateway import model as m
from gateway.cli import main
from gateway.codec import decode
from gateway.xml.validate import validate_document
from tests.conftest import FIXTURES, ROOT

SA_FIXTURE = FIXTURES / "valid/2.0/Betaalvoorstel-nul-aanbod-SA.xml"


def _run(args: list[str], stdin: bytes | None, monkeypatch, capsysbinary) -> tuple[int, bytes, str]:
    if stdin is not None:
        monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(stdin)))
    code = main(args)
    captured = capsysbinary.readouterr()
    return code, captured.out, captured.err.decode("utf-8")


def test_done_when_pipeline(monkeypatch, capsysbinary) -> None:
    code, as_json, err = _run(["convert", str(SA_FIXTURE), "--to", "json"], None, monkeypatch, capsysbinary)
    assert code == 0 and err == ""
    assert json.loads(as_json)["voorstel"]["type_schuldregeling"] == "SA"

    code, xml, err = _run(
        ["convert", "-", "--to", "xml", "--version", "1.1"], as_json, monkeypatch, capsysbinary
    )
    assert code == 0, err
    report = validate_document(xml)
    assert report.ok and report.entry.root == "Betaalvoorstel" and report.entry.versie == "1.1"
    assert b"<TypeSchuldregeling>SK</TypeSchuldregeling>" in xml
    assert b"<PrognoseEindbedrag>0.00</PrognoseEindbedrag>" in xml and b"<Versie>1.1</Versie>" in xml
    assert "NUL-AANBOD met financiële begeleiding".encode() in xml

    code, back, err = _run(["convert", "-"], xml, monkeypatch, capsysbinary)
    assert code == 0, err
    document = json.loads(back)
    assert document["voorstel"]["type_schuldregeling"] == "SA"
    assert document["voorstel"]["nul_aanbod_codering"] == "sk-workaround"
    original = decode(SA_FIXTURE.read_bytes()).voorstel
    assert (
        document["voorstel"]["begeleiding"]["afgesproken_doelen"] == original.begeleiding.afgesproken_doelen
    )


def test_done_when_pipeline_as_subprocess() -> None:
    python = [sys.executable, "-m", "gateway"]
    first = subprocess.run(
        [*python, "convert", str(SA_FIXTURE), "--to", "json"], capture_output=True, cwd=ROOT, check=True
    )
    second = subprocess.run(
        [*python, "convert", "-", "--to", "xml", "--version", "1.1"],
        input=first.stdout,
        capture_output=True,
        cwd=ROOT,
        check=True,
    )
    assert validate_document(second.stdout).ok
    assert b"<TypeSchuldregeling>SK</TypeSchuldregeling>" in second.stdout
    third = subprocess.run(
        [*python, "convert", "-"], input=second.stdout, capture_output=True, cwd=ROOT, check=True
    )
    again = decode(second.stdout)
    assert again.voorstel.type_schuldregeling is m.TypeSchuldregeling.SA
    assert json.loads(third.stdout)["voorstel"]["nul_aanbod_codering"] == "sk-workaround"


def test_counterpart_supports_sa_picks_the_wire_form(monkeypatch, capsysbinary) -> None:
    code, as_json, _ = _run(["convert", str(SA_FIXTURE)], None, monkeypatch, capsysbinary)
    for flag, wire in (("yes", b">SA<"), ("no", b">SK<")):
        code, xml, err = _run(
            ["convert", "-", "--version", "2.0", "--counterpart-supports-sa", flag],
            as_json,
            monkeypatch,
            capsysbinary,
        )
        assert code == 0, err
        assert b"<TypeSchuldregeling" + wire in xml and b"<Versie>2.0</Versie>" in xml


def test_xml_to_xml_changes_the_version(monkeypatch, capsysbinary) -> None:
    code, xml, err = _run(
        ["convert", str(FIXTURES / "valid/2.0/Kennisgeving.xml"), "--to", "xml", "--version", "1.1"],
        None,
        monkeypatch,
        capsysbinary,
    )
    assert code == 0, err
    assert b"<KlantGemeldVoorSHV " in xml and validate_document(xml).ok


def test_rule_errors_block_the_output(monkeypatch, capsysbinary) -> None:
    document = json.loads(_run(["convert", str(SA_FIXTURE)], None, monkeypatch, capsysbinary)[1])
    document["voorstel"]["afloscapaciteit_per_maand"] = "5.00"
    code, out, err = _run(["convert", "-"], json.dumps(document).encode(), monkeypatch, capsysbinary)
    assert code == 1 and out == b""
    assert "nul-aanbod-met-afloscapaciteit" in err and "/voorstel/afloscapaciteit_per_maand" in err


def test_warnings_are_printed_and_the_message_is_converted(monkeypatch, capsysbinary) -> None:
    path = FIXTURES / "valid/1.1/Betaalvoorstel-nul-aanbod-SK-workaround.xml"
    code, out, err = _run(["convert", str(path)], None, monkeypatch, capsysbinary)
    assert code == 0 and json.loads(out)["voorstel"]["nul_aanbod_codering"] == "sk-workaround"
    assert "warning" in err and "nul-aanbod-zonder-begeleiding" in err


def test_what_the_version_cannot_carry_exits_1(monkeypatch, capsysbinary) -> None:
    code, out, err = _run(
        ["convert", str(FIXTURES / "valid/2.0/GeenMedewerking.xml"), "--to", "xml", "--version", "1.1"],
        None,
        monkeypatch,
        capsysbinary,
    )
    assert code == 1 and out == b"" and "reden" in err


def test_invalid_inputs_exit_1(monkeypatch, capsysbinary) -> None:
    code, out, err = _run(
        ["convert", str(FIXTURES / "invalid/bsn-elfproef.xml")], None, monkeypatch, capsysbinary
    )
    assert code == 1 and out == b"" and "bsn-elfproef" in err and "111222334" not in err
    code, out, err = _run(["convert", "-"], b'{"berichttype": "Betaalvoorstel"}', monkeypatch, capsysbinary)
    assert code == 1 and "/berichtheader" in err
    code, out, err = _run(["convert", "-"], b"{not json", monkeypatch, capsysbinary)
    assert code == 1 and "not valid JSON" in err
    code, out, err = _run(["convert", "-"], b"hello", monkeypatch, capsysbinary)
    assert code == 1 and "neither" in err


@pytest.mark.parametrize(
    "args",
    [
        ["convert"],
        ["convert", "/no/such/file.xml"],
        ["convert", "x", "--to", "yaml"],
        ["convert", "x", "--version", "3.0"],
    ],
)
def test_usage_errors_exit_2(args: list[str], capsysbinary) -> None:
    with pytest.raises(SystemExit) as caught:
        raise SystemExit(main(args))
    assert caught.value.code == 2


def test_a_folder_is_a_usage_error(tmp_path, capsysbinary) -> None:
    (tmp_path / "a.xml").write_bytes(SA_FIXTURE.read_bytes())
    assert main(["convert", str(tmp_path)]) == 2
    assert b"not a folder" in capsysbinary.readouterr().err


def _api_form(name: str, **header: str) -> dict:
    """A fixture as the organisation posts it to the API: the header reduced to what it knows."""
    document = json.loads(_run_plain(["convert", str(FIXTURES / "valid/2.0" / name)]))
    document["berichtheader"] = dict(header)
    return document


def _run_plain(args: list[str]) -> bytes:
    return subprocess.run(
        [sys.executable, "-m", "gateway", *args], capture_output=True, cwd=ROOT, check=True
    ).stdout


SE = "7dbe7773-70da-5a9f-bc63-3e0381e576d2"
SHV = "00d7bf96-9533-514c-8d26-9365ed97530a"


def test_the_apis_partial_json_converts(monkeypatch, capsysbinary) -> None:
    partial = _api_form("Betaalvoorstel-nul-aanbod-SA.xml", ontvanger=SE)
    code, xml, err = _run(
        ["convert", "-", "--afzender", SHV, "--version", "1.1"],
        json.dumps(partial).encode(),
        monkeypatch,
        capsysbinary,
    )
    assert code == 0, err
    assert (
        "filled in as the API does: afzender, referentienummer, conversatie_referentienummer, datum_tijd"
        in err
    )
    bericht = decode(xml)
    header = bericht.berichtheader
    assert header.afzender == SHV and header.ontvanger == SE
    # a new question's conversation is derived from its Referentienummer, by the API's own function
    from gateway.submission import conversatie_of_new_question

    assert header.conversatie_referentienummer == conversatie_of_new_question(header.referentienummer)
    assert header.referentienummer != header.conversatie_referentienummer
    assert b"<TypeSchuldregeling>SK</TypeSchuldregeling>" in xml  # the workaround for 1.1


def test_partial_json_takes_our_address_and_the_counterpart_from_the_config(
    tmp_path, monkeypatch, capsysbinary
) -> None:
    config = tmp_path / "skgw.toml"
    config.write_text(
        f"""
[gateway]
rol = "SHV"
adres = "{SHV}"

[[tegenpartij]]
id = "{SE}"
naam = "Waterbedrijf Oost"
oin = "00000003123456780000"
rol = "SE"
versie = "1.1"
""",
        encoding="utf-8",
    )
    partial = _api_form("Betaalvoorstel-nul-aanbod-SA.xml", ontvanger=SE)
    code, xml, err = _run(
        ["convert", "-", "--config", str(config)], json.dumps(partial).encode(), monkeypatch, capsysbinary
    )
    assert code == 0, err
    assert decode(xml).berichtheader.afzender == SHV
    assert b"schuldregeling:1.1" in xml and b"<TypeSchuldregeling>SK</TypeSchuldregeling>" in xml


def test_partial_json_lists_every_problem(monkeypatch, capsysbinary) -> None:
    answer = _api_form("BetaalvoorstelAntwoord.xml")  # no Ontvanger, no conversation, no Afzender
    answer["antwoord"] = "Misschien"
    answer["klantnummer_shv"] = ""
    code, out, err = _run(["convert", "-"], json.dumps(answer).encode(), monkeypatch, capsysbinary)
    assert code == 1 and out == b""
    for path in (
        "/berichtheader/ontvanger",
        "/berichtheader/afzender",
        "/berichtheader/conversatie_referentienummer",
        "/antwoord",
        "/klantnummer_shv",
    ):
        assert f"(stdin): {path}: " in err, (path, err)
    assert err.count("/berichtheader/ontvanger") == 1  # the form's "is required" is not repeated


def test_json_output_carries_the_findings_as_bevindingen(monkeypatch, capsysbinary) -> None:
    path = FIXTURES / "valid/1.1/Betaalvoorstel-nul-aanbod-SK-workaround.xml"
    code, out, _ = _run(["convert", str(path)], None, monkeypatch, capsysbinary)
    form = json.loads(out)
    assert code == 0 and "nul-aanbod-zonder-begeleiding" in [b["code"] for b in form["bevindingen"]]
    code, xml, err = _run(["convert", "-", "--version", "1.1"], out, monkeypatch, capsysbinary)
    assert code == 0, err  # the bevindingen are not part of the message
