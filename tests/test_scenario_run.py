"""Scenarios against an in-process simulator (session PKI): every shipped scenario passes; broken
set-ups fail exactly the scenarios they should, and the JUnit and HTML reports say which."""

from __future__ import annotations

import asyncio
import dataclasses
from datetime import UTC, datetime
from pathlib import Path

import pytest
from lxml import etree
from transport_support import SE2_ID, SE_ID, SE_OIN, SHV_ID, SHV_OIN, dev_pki

from adapters.testkit.scenario.html_report import html_report
from adapters.testkit.scenario.junit import junit_xml
from adapters.testkit.scenario.loader import load_scenario
from adapters.testkit.scenario.model import ExpectStep, PartyDef
from adapters.testkit.scenario.runner import run_scenarios
from adapters.testkit.scenario.session import scenario_files
from adapters.testkit.scenario.target import HubTarget, start_local_hub
from gateway.cli import main
from gateway.security.devpki import HUB_OIN

pytestmark = pytest.mark.timeout(60)
SCENARIOS = Path(__file__).resolve().parents[1] / "fixtures" / "scenarios"
USES_BETAALVOORSTEL_ANTWOORD = {"heroverweging", "nul-aanbod-sa", "nul-aanbod-sk-workaround"}
# run by tests/test_scenario_gateway.py
NEEDS_A_GATEWAY = {"regel-bevinding", "foutbericht-van-gateway", "vertrouwen"}


@pytest.fixture(scope="module")
def pki():
    return dev_pki()


def parties(pki, oude_cert: str = "se") -> dict[str, PartyDef]:
    def party(name, rol, oin, pid, cert, versies=("2.0", "1.1"), kent_sa=True):
        return PartyDef(name, name.title(), rol, oin, pid, versies, kent_sa, pki.tls(cert), HUB_OIN)

    return {
        "gemeente": party("gemeente", "SHV", SHV_OIN, SHV_ID, "shv"),
        "energie": party("energie", "SE", SE_OIN, SE_ID, "se"),
        "oude-schuldeiser": party("oude-schuldeiser", "SE", SE_OIN, SE2_ID, oude_cert, ("1.1",), False),
    }


def quick(scenario, within=1.0):
    """The scenario with every expect's time bound cut to ``within`` seconds (for failing runs)."""
    steps = tuple(
        dataclasses.replace(s, within_seconds=within) if isinstance(s, ExpectStep) else s
        for s in scenario.steps
    )
    return dataclasses.replace(scenario, steps=steps)


def shipped(defs):
    """The shipped scenarios that play only hub parties (those with gateways: test_scenario_gateway)."""
    return [load_scenario(p, defs) for p in scenario_files([str(SCENARIOS)]) if p.stem not in NEEDS_A_GATEWAY]


@pytest.fixture
async def hub(pki):
    sim = await start_local_hub(parties(pki), pki.tls("hub"))
    yield sim
    await sim.stop()


async def run(scenarios, hub):
    return await run_scenarios(scenarios, HubTarget(hub.url, hub.admin_url, request_timeout_seconds=5))


def junit_failures(results) -> dict[str, str]:
    root = etree.fromstring(junit_xml(results))
    return {
        case.get("classname").removeprefix("scenario."): case.find("failure").get("message")
        for case in root.iter("testcase")
        if case.find("failure") is not None
    }


async def test_every_shipped_scenario_passes(pki, hub):
    results = await run(shipped(parties(pki)), hub)
    assert len(results) == 11
    assert [r.reason for r in results if not r.passed] == []
    assert all(s.status == "passed" and s.duration > 0 for r in results for s in r.steps)
    assert junit_failures(results) == {}
    outage = next(r for r in results if r.path.stem == "hub-storing")
    assert "after 4 attempts" in outage.steps[1].detail and outage.steps[2].detail == "duplicate-accepted"
    assert hub.faults.http_503 == 0 and hub.faults.berichttype == {}
    check_html_report(results)  # well-formed, every scenario, no personal data


async def test_a_dropped_berichttype_fails_exactly_the_scenarios_that_send_it(pki, hub):
    hub.faults.update({"berichttype": {"BetaalvoorstelAntwoord": "TijdelijkNietBeschikbaar"}})
    results = await run(shipped(parties(pki)), hub)
    failures = junit_failures(results)
    assert set(failures) == USES_BETAALVOORSTEL_ANTWOORD
    for message in failures.values():
        assert "TijdelijkNietBeschikbaar" in message and ".toml:" in message
        assert "send energie" in message or "send oude-schuldeiser" in message
    # the outage scenario changed the faults and put them back as it found them
    assert hub.faults.berichttype == {"BetaalvoorstelAntwoord": "TijdelijkNietBeschikbaar"}
    failed = [r for r in results if not r.passed]
    assert all(s.status == "skipped" for r in failed for s in r.steps[r.failed_step.number :])


async def test_a_party_with_the_wrong_certificate_fails_only_its_scenarios(pki, hub):
    scenarios = shipped(parties(pki, oude_cert="rogue"))  # a CA nobody trusts
    results = await run([quick(s) for s in scenarios], hub)
    failures = junit_failures(results)
    assert list(failures) == ["nul-aanbod-sk-workaround"]
    assert "oude-schuldeiser" in failures["nul-aanbod-sk-workaround"]
    assert "the last HaalBerichtenOp failed: the connection" in failures["nul-aanbod-sk-workaround"]


async def test_expect_expired_fails_when_the_clock_did_not_move(pki, hub, tmp_path):
    body = (SCENARIOS / "verlopen.toml").read_text().replace('advance_clock = "14d"', 'advance_clock = "1d"')
    (tmp_path / "v.toml").write_text(body.replace("../valid/", f"{SCENARIOS.parent}/valid/"))
    (result,) = await run([load_scenario(tmp_path / "v.toml", parties(pki))], hub)
    assert not result.passed and result.failed_step.kind == "expect_expired"
    assert "wacht, not verlopen" in result.reason


async def test_a_wrong_check_names_the_path_but_not_personal_data(pki, hub, tmp_path):
    fixture = SCENARIOS.parent / "valid/2.0/Saldoverzoek.xml"
    (tmp_path / "c.toml").write_text(
        f"""name = "checks"
[[step]]
send = "{fixture}"
as = "gemeente"
to = "energie"
[[step]]
expect = "Saldoverzoek"
by = "energie"
within = "3s"
check = {{ "Klant/Achternaam" = "Jansen" }}
"""
    )
    (result,) = await run([load_scenario(tmp_path / "c.toml", parties(pki))], hub)
    assert result.failed_step.number == 2 and "check Klant/Achternaam" in result.reason
    assert "Linden" not in result.reason and "personal data" in result.reason
    assert f"{tmp_path / 'c.toml'}:6" in result.reason


def check_html_report(results) -> None:
    results[0].steps[0].status, results[0].steps[0].detail = "failed", "made to fail for the report"
    page = html_report(results)
    root = etree.fromstring(page.encode())  # well-formed markup
    scenarios = root.findall(".//{*}details")
    assert len(scenarios) == 11
    titles = {"".join(s.find("{*}summary").itertext()) for s in scenarios}
    assert all(any(r.name in t for t in titles) for r in results)
    assert "http://" not in page and "https://" not in page and "<script" not in page
    for personal in ("111222333", "Linden", "Assendorperstraat", "Bosman"):
        assert personal not in page
    assert "made to fail for the report" in page
    assert all(ref in page for r in results for s in r.steps for ref in s.referentienummers)
    # the summary table: one row per scenario, linking to it, with the first failure
    overview = root.findall(".//{*}table[@class='overview']/{*}tbody/{*}tr")
    assert len(overview) == 11
    first = overview[0].findall("{*}td")
    assert first[1].find("{*}a").get("href") == "#scenario-1" and scenarios[0].get("id") == "scenario-1"
    assert "made to fail for the report" in first[4].text and first[2].find("{*}span").text == "failed"
    # only the failed scenario opens by itself; its passed steps keep a green badge
    assert [d.get("open") is not None for d in scenarios] == [True] + [False] * 10
    badges = scenarios[0].xpath(
        ".//*[local-name()='tr']//*[local-name()='span'][starts-with(@class,'badge')]"
    )
    assert [b.get("class") for b in badges][:2] == ["badge failed", "badge passed"]


def test_badge_colours_follow_their_own_status_only() -> None:
    """The CSS never colours a badge by the section it is in (.failed .badge once made the passed
    steps of a failed scenario red), and a count of zero is not red."""
    from adapters.testkit.scenario.html_report import _CSS
    from adapters.testkit.scenario.results import ScenarioResult

    assert ".failed .badge" not in _CSS and ".passed .badge" not in _CSS
    page = html_report([ScenarioResult("ok", Path("ok.toml"), "", datetime.now(UTC))])
    assert '<span class="badge passed">1 passed</span>' in page
    assert '<span class="badge none">0 failed</span>' in page


def test_cli_start_hub_writes_junit_and_html(tmp_path, capsys):
    failing = tmp_path / "zz-failing.toml"
    failing.write_text(
        f"""name = "expects an answer nobody sends"
parties = "{SCENARIOS / "parties.toml"}"
[[step]]
expect = "SaldoverzoekAntwoord"
by = "gemeente"
within = "200ms"
"""
    )
    junit, html = tmp_path / "junit.xml", tmp_path / "report.html"
    argv = ["scenario", "run", str(SCENARIOS / "saldoverzoek.toml"), str(failing), "--start-hub"]
    assert main([*argv, "--junit", str(junit), "--html", str(html)]) == 1
    out = capsys.readouterr().out
    assert "PASS  Saldoverzoek → Saldoverzoek antwoord" in out and "FAIL  expects an answer" in out
    assert "2 scenario(s): 1 passed, 1 failed" in out
    cases = etree.parse(str(junit)).getroot().findall(".//testcase")
    assert [(c.get("classname"), c.find("failure") is not None) for c in cases] == [
        ("scenario.saldoverzoek", False),
        ("scenario.zz-failing", True),
    ]
    assert "no SaldoverzoekAntwoord for gemeente within 0.2s" in cases[1].find("failure").get("message")
    etree.fromstring(html.read_bytes())


async def test_cli_against_a_given_hub_and_admin_endpoint(pki, hub, tmp_path, capsys):
    lines = [f'[hub]\nca_bundle = "{pki.dir / "ca.pem"}"\nhub_oin = "{HUB_OIN}"\n']
    for p in parties(pki).values():
        lines.append(
            f'[party.{p.name}]\nrol = "{p.rol}"\noin = "{p.oin}"\nid = "{p.id}"\n'
            f"versies = {list(p.versies)!r}\n"
            f'kent_sa = {str(p.kent_sa).lower()}\ncertificate = "{p.tls.certificate}"\n'
            f'private_key = "{p.tls.private_key}"\n'
        )
    (tmp_path / "parties.toml").write_text("\n".join(lines).replace("'", '"'))
    argv = [
        "scenario",
        "run",
        str(SCENARIOS / "hub-storing.toml"),
        str(SCENARIOS / "verlopen.toml"),
        "--hub",
        hub.url,
        "--admin",
        hub.admin_url,
        "--parties",
        str(tmp_path / "parties.toml"),
    ]
    assert await asyncio.to_thread(main, argv) == 0
    assert "2 scenario(s): 2 passed, 0 failed" in capsys.readouterr().out
    without_admin = [a for a in argv if a not in ("--admin", hub.admin_url)]
    assert await asyncio.to_thread(main, without_admin) == 1
    assert "needs the hub's admin endpoint" in capsys.readouterr().out


TEMPLATE = """name = "inline template with placeholders"

[[step]]
name = "eerste"
send = "{valid}/2.0/Kennisgeving.xml"
conversatie = "eerder"
as = "gemeente"
to = "energie"

[[step]]
expect = "Kennisgeving"
by = "energie"
conversatie = "eerder"
within = "3s"

[[step]]
name = "vraag"
as = "energie"
to = "gemeente"
template = '''<Statusverzoek xmlns="urn:skp-gateway:schuldregeling:2.0">
  <Berichtheader>
    <Referentienummer>{{{{uuid}}}}</Referentienummer>
    <ConversatieReferentienummer>{{{{conversatie}}}}</ConversatieReferentienummer>
    <CrossReferentienummer>{{{{conversatie:eerder}}}}</CrossReferentienummer>
    <Afzender>{{{{party:energie}}}}</Afzender>
    <Ontvanger>{{{{party:gemeente}}}}</Ontvanger>
    <Berichttype>Statusverzoek</Berichttype>
    <Versie>2.0</Versie>
    <DatumTijd>{{{{now}}}}</DatumTijd>
  </Berichtheader>
  <KlantnummerSHV>T-1</KlantnummerSHV>
  <Vraag>Over bericht {{{{ref:eerste}}}}</Vraag>
</Statusverzoek>'''

[[step]]
expect = "Statusverzoek"
by = "gemeente"
from = "energie"
within = "3s"

[step.check]
"Berichtheader/CrossReferentienummer" = "{{{{conversatie:eerder}}}}"
"Vraag" = "Over bericht {{{{ref:eerste}}}}"
"Berichtheader/Referentienummer" = "{{{{ref:vraag}}}}"
"""


async def test_inline_template_placeholders_keep_conversations_consistent(pki, hub, tmp_path):
    (tmp_path / "t.toml").write_text(TEMPLATE.format(valid=SCENARIOS.parent / "valid"))
    (result,) = await run([load_scenario(tmp_path / "t.toml", parties(pki))], hub)
    assert result.passed, result.reason
    kennisgeving, statusverzoek = result.steps[0].referentienummers[0], result.steps[2].referentienummers[0]
    assert result.steps[3].referentienummers == [statusverzoek] and kennisgeving != statusverzoek


async def test_expect_fault_sends_documents_that_are_not_even_xml(pki, hub, tmp_path):
    invalid = SCENARIOS.parent / "invalid"
    (tmp_path / "f.toml").write_text(
        f"""name = "not XML"
[[step]]
send = "{invalid / "truncated.xml"}"
expect_fault = "OngeldigBericht"
as = "gemeente"
to = "energie"

[[step]]
send = "{invalid / "latin1-bytes.xml"}"
expect_fault = "NietGeautoriseerd"
as = "gemeente"
to = "energie"
"""
    )
    (result,) = await run([load_scenario(tmp_path / "f.toml", parties(pki))], hub)
    first, second = result.steps
    assert first.status == "passed" and first.berichttypen == ["(not XML)"]
    assert second.status == "failed" and "expected fault NietGeautoriseerd" in second.detail
    assert "OngeldigBericht" in second.detail and hub.state.bak(SE_ID) == []
