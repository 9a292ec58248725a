from __future__ import annotations

import io
import json
import shutil
import sys

import pytest

from gateway.cli import main
from tests.conftest import FIXTURES

VALID_SALDO = FIXTURES / "valid" / "2.0" / "Saldoverzoek.xml"


def test_valid_folder_exits_0_with_summary(capsys) -> None:
    assert main(["validate", str(FIXTURES / "valid")]) == 0
    out = capsys.readouterr().out
    assert "0 invalid" in out.splitlines()[-1]


def test_invalid_files_exit_1_and_name_each_problem(capsys) -> None:
    files = sorted((FIXTURES / "invalid").glob("*.xml"))
    assert main(["validate", *map(str, files)]) == 1
    out = capsys.readouterr().out
    for path in files:
        assert f"INVALID  {path}" in out
    assert "/Betaalvoorstel/Vorderingen/Vordering/Afkooppercentage" in out
    assert out.splitlines()[-1] == f"{len(files)} file(s): 0 valid, {len(files)} invalid"


def test_mixed_inputs_exit_1(capsys) -> None:
    bad = FIXTURES / "invalid" / "bsn-elfproef.xml"
    assert main(["validate", str(VALID_SALDO), str(bad)]) == 1
    out = capsys.readouterr().out
    assert "1 valid, 1 invalid" in out
    assert "111222334" not in out  # a BSN is personal data: never echoed


def test_stdin_and_json(monkeypatch, capsys) -> None:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(VALID_SALDO.read_bytes())))
    assert main(["validate", "-", "--format", "json"]) == 0
    document = json.loads(capsys.readouterr().out)
    assert document["summary"] == {"files": 1, "valid": 1, "invalid": 0}
    assert document["results"][0]["berichttype"] == "Saldoverzoek"


def test_json_lists_problem_fields(capsys) -> None:
    assert main(["validate", str(FIXTURES / "invalid" / "percentage-over-100.xml"), "--format", "json"]) == 1
    problem = json.loads(capsys.readouterr().out)["results"][0]["problems"][0]
    assert problem["code"] == "max-inclusive"
    assert problem["expected"] == "at most 100" and problem["found"] == "122.34"
    assert isinstance(problem["line"], int)


def test_folders_are_searched_recursively(tmp_path, capsys) -> None:
    nested = tmp_path / "a" / "b"
    nested.mkdir(parents=True)
    shutil.copy(VALID_SALDO, nested / "x.xml")
    (nested / "notes.txt").write_text("not a message")
    assert main(["validate", str(tmp_path)]) == 0
    assert "1 file(s): 1 valid" in capsys.readouterr().out


@pytest.mark.parametrize(
    "args", [["validate"], ["validate", "/no/such/file.xml"], ["validate", "--format", "yaml", "x"]]
)
def test_usage_errors_exit_2(args, capsys) -> None:
    with pytest.raises(SystemExit) as caught:
        code = main(args)
        raise SystemExit(code)
    assert caught.value.code == 2


def test_empty_folder_is_a_usage_error(tmp_path, capsys) -> None:
    assert main(["validate", str(tmp_path)]) == 2
    assert "no *.xml files" in capsys.readouterr().err


def test_file_over_the_configured_limit_is_refused_unread(tmp_path, capsys) -> None:
    config = tmp_path / "gw.toml"
    config.write_text("[xml]\nmax_bytes = 1000\n")
    assert main(["validate", "--config", str(config), str(VALID_SALDO)]) == 1
    assert "too-large" in capsys.readouterr().out


def test_bad_config_is_a_usage_error_naming_file_and_key(tmp_path, capsys) -> None:
    config = tmp_path / "gw.toml"
    config.write_text("[xml]\nmax_dept = 10\n")
    assert main(["validate", "--config", str(config), str(VALID_SALDO)]) == 2
    err = capsys.readouterr().err
    assert str(config) in err and "max_dept" in err
