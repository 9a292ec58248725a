"""Loading scenarios: the shipped ones load; every mistake is reported with file:line."""

from __future__ import annotations

from pathlib import Path

import pytest

from adapters.testkit.scenario.loader import load_scenario
from adapters.testkit.scenario.model import ExpectStep, HubStep, SendStep
from adapters.testkit.scenario.parties import ScenarioError, load_parties
from adapters.testkit.scenario.session import scenario_files
from gateway.cli import main

SCENARIOS = Path(__file__).resolve().parents[1] / "fixtures" / "scenarios"
PARTIES = """
[party.shv]
rol = "SHV"
oin = "00000001001234567000"

[party.se]
rol = "SE"
oin = "00000003123456780000"
"""
GOOD_SEND = """
[[step]]
name = "vraag"
send = "{fixture}"
as = "shv"
to = "se"
"""


def write(tmp_path: Path, body: str, name: str = "s.toml") -> Path:
    (tmp_path / "parties.toml").write_text(PARTIES)
    fixture = SCENARIOS.parent / "valid/2.0/Saldoverzoek.xml"
    path = tmp_path / name
    path.write_text(body.replace("{fixture}", str(fixture)))
    return path


def test_every_shipped_scenario_loads(capsys):
    files = scenario_files([str(SCENARIOS)])
    assert len(files) == 14 and all(f.name != "parties.toml" for f in files)
    assert main(["scenario", "check", str(SCENARIOS)]) == 0
    assert capsys.readouterr().out.count("ok  ") == 14


def test_a_scenario_reads_into_steps(tmp_path):
    body = (
        'name = "demo"\n'
        + GOOD_SEND
        + """
[[step]]
expect = "Saldoverzoek"
by = "se"
within = "2s"
check = { "Berichtheader/Referentienummer" = "{{ref:vraag}}", "/m:Saldoverzoek/m:TypeSchuldregeling" = "SB" }

[[step]]
hub = { faults = { http_503 = 2 }, advance_clock = "1d" }
"""
    )
    scenario = load_scenario(write(tmp_path, body))
    send, expect, hub = scenario.steps
    assert isinstance(send, SendStep) and send.afzender == "shv" and send.source.endswith("s.toml:3")
    assert isinstance(expect, ExpectStep) and expect.within_seconds == 2.0 and expect.door == "se"
    assert isinstance(hub, HubStep) and hub.faults == {"http_503": 2} and hub.advance_seconds == 86400
    assert sorted(scenario.parties) == ["se", "shv"]


@pytest.mark.parametrize(
    "body, line, message",
    [
        ('name = "x"\n' + GOOD_SEND.replace('to = "se"', 'to = "se"\nbij = "se"'), 8, "unknown key 'bij'"),
        ('name = "x"\n' + GOOD_SEND.replace('as = "shv"', 'as = "gemeente"'), 6, "as must name a party"),
        ('name = "x"\n' + GOOD_SEND.replace("{fixture}", "nope.xml"), 5, "fixture nope.xml not found"),
        ('name = "x"\n[[step]]\nexpect = "A"\nby = "se"\nwithin = "soon"\n', 5, "expected a duration"),
        (
            'name = "x"\n[[step]]\nexpect = "A"\nby = "se"\ncheck = { "a//b" = "1" }\n',
            5,
            "not an element name",
        ),
        ('name = "x"\n[[step]]\nwait = "1s"\nexpect = "A"\n', 2, "exactly one of"),
        (
            'name = "x"\n'
            + GOOD_SEND.replace('to = "se"', 'to = "se"\nset = { "KlantnummerSHV" = "{{ref:later}}" }'),
            8,
            "{{ref:later}} names no earlier step",
        ),
        ('name = "x"\n[[step]]\ntemplate = "{{bsn}}"\nas = "shv"\nto = "se"\n', 3, "unknown placeholder"),
        ('name = "x"\n[[step]]\nexpect_expired = "nothing"\n', 3, "earlier send step"),
        ('name = "x"\n[[step]]\nhub = { reboot = true }\n', 3, "clear_faults"),
        ('[[step]]\nwait = "1s"\n', 1, "needs a name"),
        ('name = "x"\nstep = 3\n', None, "at least one [[step]]"),
        ('name = "x"\nsteps = []\n', 2, "unknown key 'steps'"),
    ],
)
def test_mistakes_are_reported_with_file_and_line(tmp_path, body, line, message):
    path = write(tmp_path, body)
    with pytest.raises(ScenarioError) as caught:
        load_scenario(path)
    text = str(caught.value)
    assert message in text
    assert text.startswith(f"{path}:{line}:" if line else f"{path}:")


def test_party_file_mistakes(tmp_path):
    path = tmp_path / "p.toml"
    path.write_text('[party.a]\nrol = "SE"\noin = "1"\n\n[party.b]\nrol = "Bank"\noin = "2"\n')
    with pytest.raises(ScenarioError, match=rf"^{path}:6: rol must be SHV or SE"):
        load_parties(path)
    path.write_text('[party.a]\nrol = "SE"\noin = "1"\ncertificate = "a.pem"\n')
    with pytest.raises(ScenarioError, match="needs \\[hub\\] ca_bundle"):
        load_parties(path)


def test_cli_reports_a_broken_scenario_as_usage_error(tmp_path, capsys):
    path = write(tmp_path, 'name = "x"\n[[step]]\nwait = "later"\n')
    assert main(["scenario", "run", str(path), "--start-hub"]) == 2
    assert f"{path}:3:" in capsys.readouterr().err


def test_cli_hub_mode_needs_certificates(capsys):
    argv = ["scenario", "run", str(SCENARIOS / "saldoverzoek.toml"), "--hub", "https://127.0.0.1:1/skp"]
    assert main(argv) == 2
    assert "missing for: energie, gemeente" in capsys.readouterr().err


def test_a_scenario_may_define_its_own_parties_with_certificates(tmp_path):
    path = tmp_path / "own.toml"
    path.write_text(
        'name = "own parties"\n[hub]\nca_bundle = "pki/ca.pem"\nhub_oin = "00000001800866472000"\n'
        '[party.shv]\nrol = "SHV"\noin = "00000001001234567000"\n'
        'id = "E321A2DF-71E0-5A03-A377-C7CE7396006F"\n'
        'certificate = "pki/shv.pem"\nprivate_key = "pki/shv.key.pem"\n'
        '[party.se]\nrol = "SE"\noin = "00000003123456780000"\n'
        f'[[step]]\nsend = "{SCENARIOS.parent / "valid/2.0/Kennisgeving.xml"}"\nas = "shv"\nto = "se"\n'
    )
    scenario = load_scenario(path)
    shv = scenario.parties["shv"]
    assert shv.id == "e321a2df-71e0-5a03-a377-c7ce7396006f" and shv.hub_oin == "00000001800866472000"
    assert shv.tls.certificate == tmp_path / "pki/shv.pem" and shv.tls.ca_bundle == tmp_path / "pki/ca.pem"
    assert scenario.parties["se"].tls is None


def test_check_lists_every_mistake_of_every_file_with_file_and_line(tmp_path, capsys):
    first = write(
        tmp_path,
        'name = "x"\nsteeps = 1\n'
        + GOOD_SEND.replace('as = "shv"', 'as = "gemeente"')  # step 1: unknown party (line 7)
        + '\n[[step]]\nexpect = "A"\nby = "se"\nwithin = "soon"\nbij = 1\nvan = 2\n'  # step 2: 2 unknown keys
        + '\n[[step]]\nresend = "vraag"\nas = "shv"\nto = "se"\n'  # refers to the broken step: fine
        + '\n[[step]]\nwait = "later"\n',  # step 4: a bad duration
        "a.toml",
    )
    second = write(tmp_path, '[[step]]\nwait = "1s"\n', "b.toml")  # no name
    assert main(["scenario", "check", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    lines = [line.strip() for line in err.splitlines()[1:]]
    assert err.splitlines()[0] == "skgw scenario: 6 mistake(s):"
    assert [line.split(": ")[0] for line in lines] == [
        f"{first}:2", f"{first}:7", f"{first}:14", f"{first}:15", f"{first}:23", f"{second}:1",
    ]  # fmt: skip
    assert "unknown key 'steeps'" in lines[0] and "as must name a party" in lines[1]
    assert "unknown key 'bij'" in lines[2] and "unknown key 'van'" in lines[3]
    assert "expected a duration" in lines[4] and "needs a name" in lines[5]
