"""The scenario steps that need a gateway: expect_finding and expect_foutbericht. The shipped
scenarios pass against in-process gateways (--start-hub) and against a gateway given by URL; a
deliberately broken gateway, and wrong expectations, fail them with the reason."""

from __future__ import annotations

import asyncio
import dataclasses
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from lxml import etree

from adapters.hub.simulator import HubSimulator
from adapters.hub.simulator_config import SimulatorConfig
from adapters.testkit.header import read_header
from adapters.testkit.scenario.junit import junit_xml
from adapters.testkit.scenario.loader import load_scenario
from adapters.testkit.scenario.model import ExpectFoutberichtStep, ExpectStep, PartyDef
from adapters.testkit.scenario.parties import ScenarioError
from adapters.testkit.scenario.runner import run_scenarios
from adapters.testkit.scenario.session import load_all, run_with_local_hub
from adapters.testkit.scenario.target import HubTarget, address_book, start_local_hub
from gateway.admission import Admission
from gateway.cli import main
from gateway.engine.processing import Judgement
from gateway.inbound import InboundProcessor
from gateway.model.berichttype import Rol
from gateway.security.devpki import HUB_OIN
from tests.conftest import FIXTURES
from tests.daemon_support import gateway_config, running
from tests.test_scenario_run import SCENARIOS
from tests.transport_support import SE2_ID, SE_ID, SE_OIN, SHV_ID, SHV_OIN, dev_pki

SUBPROCESS_TOKEN = "subprocess-token-0123456789abcdefghij"

pytestmark = pytest.mark.timeout(60)
ROOT = Path(__file__).resolve().parents[1]
GATEWAY_SCENARIOS = [
    str(SCENARIOS / "regel-bevinding.toml"),
    str(SCENARIOS / "foutbericht-van-gateway.toml"),
    str(SCENARIOS / "vertrouwen.toml"),
]


def quick(scenario, within=1.5):
    steps = tuple(
        dataclasses.replace(s, within_seconds=within)
        if isinstance(s, ExpectStep | ExpectFoutberichtStep)
        else s
        for s in scenario.steps
    )
    return dataclasses.replace(scenario, steps=steps)


def failures(results) -> dict[str, str]:
    root = etree.fromstring(junit_xml(results))
    return {
        case.get("classname").removeprefix("scenario."): case.find("failure").get("message")
        for case in root.iter("testcase")
        if case.find("failure") is not None
    }


async def test_the_gateway_scenarios_pass_with_local_gateways() -> None:
    results = await run_with_local_hub(load_all(GATEWAY_SCENARIOS))
    assert [r.reason for r in results if not r.passed] == []
    regel, fout, vertrouwen = results
    assert [s.detail for s in regel.steps[:2]] == [
        "refused as expected: 422 nul-aanbod-met-afloscapaciteit",
        "accepted with warning afloscapaciteit-nul-zonder-nul-aanbod",
    ]
    assert fout.steps[0].detail.startswith("Foutbericht wrong-recipient after")
    assert fout.steps[0].berichttypen == ["Saldoverzoek", "Foutbericht"]
    assert [s.detail.split(" after ")[0] for s in vertrouwen.steps] == [
        "Foutbericht unknown-sender",
        "Foutbericht wrong-direction",
        "Foutbericht unknown-conversation",
        "refused as expected: 422 unknown-conversation",
    ]


async def test_a_broken_gateway_fails_them(monkeypatch) -> None:
    # broken: the gateway runs no rules, believes whatever Ontvanger a header names, and trusts every sender
    monkeypatch.setattr("gateway.submission.check_rules", lambda bericht: [])

    async def trusting(self, row):
        return Judgement()

    monkeypatch.setattr(Admission, "judge", trusting)
    original = InboundProcessor.inspect

    def blind(self, document):
        header = read_header(document)
        saved, self._eigen_adres = self._eigen_adres, header.ontvanger if header else self._eigen_adres
        try:
            return original(self, document)
        finally:
            self._eigen_adres = saved

    monkeypatch.setattr(InboundProcessor, "inspect", blind)
    results = await run_with_local_hub([quick(s) for s in load_all(GATEWAY_SCENARIOS)])
    got = failures(results)
    assert set(got) == {"regel-bevinding", "foutbericht-van-gateway", "vertrouwen"}
    assert got["vertrouwen"].startswith("step 1 'onbekende-afzender'")
    assert got["vertrouwen"].endswith("no Foutbericht from gemeente-gw about the message within 1.5s")
    assert got["regel-bevinding"].startswith("step 1 'nul-aanbod-met-capaciteit'")
    assert "regel-bevinding.toml:6" in got["regel-bevinding"]
    assert got["regel-bevinding"].endswith(
        "expected a 422 with finding nul-aanbod-met-afloscapaciteit, got HTTP 202"
    )
    assert got["foutbericht-van-gateway"].startswith("step 1 'verkeerde-ontvanger'")
    assert got["foutbericht-van-gateway"].endswith(
        "no Foutbericht from energie-gw about the message within 1.5s"
    )


async def test_wrong_expectations_fail_with_what_was_found(tmp_path) -> None:
    scenario = tmp_path / "verkeerd.toml"
    scenario.write_text(
        f"""name = "wrong expectations"
parties = "{SCENARIOS / "parties.toml"}"

[[step]]
expect_finding = "prognose-eindbedrag-inconsistent"
send = "{SCENARIOS / "../valid/2.0/Betaalvoorstel-nul-aanbod-SA.xml"}"
set = {{ "AfloscapaciteitPerMaand" = "25.00" }}
via = "gemeente-gw"
to = "energie"
"""
    )
    other = tmp_path / "andere-fout.toml"
    other.write_text(
        f"""name = "another Fout code"
parties = "{SCENARIOS / "parties.toml"}"

[[step]]
expect_foutbericht = "onbekend-factuurnummer"
send = "{SCENARIOS / "../valid/2.0/Saldoverzoek.xml"}"
set = {{ "Berichtheader/Ontvanger" = "{{{{party:energie}}}}" }}
as = "gemeente"
to = "energie-gw"
"""
    )
    results = await run_with_local_hub(load_all([str(scenario), str(other)]))
    got = failures(results)
    assert got["verkeerd"].endswith(
        "expected finding prognose-eindbedrag-inconsistent, the gateway refused with: "
        "nul-aanbod-met-afloscapaciteit"
    )
    assert got["andere-fout"].endswith("the Foutbericht names wrong-recipient, not onbekend-factuurnummer")


async def test_against_a_gateway_given_by_its_url(tmp_path, monkeypatch) -> None:
    """The creditor's gateway runs on its own (here in-process; a `skgw serve` works the same). The
    hub here does not validate documents, so a BSN failing the elfproef gets through to the gateway,
    which answers it with a Foutbericht bsn-elfproef."""
    pki = dev_pki()
    parties = {
        "gemeente": PartyDef(
            "gemeente", "Gemeente", "SHV", SHV_OIN, SHV_ID, tls=pki.tls("shv"), hub_oin=HUB_OIN
        ),
        "energie": PartyDef("energie", "Energie", "SE", SE_OIN, SE2_ID, tls=pki.tls("se"), hub_oin=HUB_OIN),
        "energie-gw": PartyDef(
            "energie-gw",
            "Energie GW",
            "SE",
            SE_OIN,
            SE_ID,
            gateway="http://placeholder",
            token_env="SKGW_TEST_API_TOKEN",
        ),
    }
    hub = HubSimulator(
        SimulatorConfig(pki.tls("hub"), address_book(parties), port=0, admin_port=0, validate_documents=False)
    )
    await hub.start()
    elfproef = tmp_path / "elfproef.toml"
    elfproef.write_text(
        f"""name = "elfproef"
[[step]]
expect_foutbericht = "bsn-elfproef"
send = "{FIXTURES / "invalid/bsn-elfproef.xml"}"
as = "gemeente"
to = "energie-gw"
"""
    )
    try:
        config = gateway_config(pki, hub.url, tmp_path / "se", rol=Rol.SE, adres=SE_ID, cert="se")
        async with running(config, monkeypatch) as gateway:
            parties["energie-gw"] = dataclasses.replace(
                parties["energie-gw"], gateway=f"http://127.0.0.1:{gateway.api_port}"
            )
            scenario = load_scenario(SCENARIOS / "foutbericht-van-gateway.toml", parties)
            bsn = load_scenario(elfproef, parties)
            results = await run_scenarios([scenario, bsn], HubTarget(hub.url, hub.admin_url))
            assert [r.reason for r in results] == ["", ""]
            assert results[1].steps[0].detail.startswith("Foutbericht bsn-elfproef after")
            monkeypatch.setenv("SKGW_TEST_API_TOKEN", "")
            (result,) = await run_scenarios([scenario], HubTarget(hub.url, hub.admin_url))
            assert "SKGW_TEST_API_TOKEN (its gateway's token) is not set" in result.reason
    finally:
        await hub.stop()


def test_cli_runs_them_with_start_hub(tmp_path, capsys) -> None:
    junit = tmp_path / "junit.xml"
    assert main(["scenario", "run", *GATEWAY_SCENARIOS, "--start-hub", "--junit", str(junit)]) == 0
    assert "3 scenario(s): 3 passed, 0 failed" in capsys.readouterr().out


@pytest.mark.parametrize(
    "step, message",
    [
        (
            'expect_finding = "x"\nsend = "S"\nvia = "gemeente"\nto = "energie"',
            "via must name a party served by a",
        ),
        (
            'expect_foutbericht = "x"\nsend = "S"\nas = "gemeente"\nto = "energie"',
            "to must name a party served by",
        ),
        (
            'expect_foutbericht = "x"\nsend = "S"\nas = "gemeente-gw"\nto = "energie-gw"',
            "as must be a party the runner",
        ),
        ('expect = "Saldoverzoek"\nby = "energie-gw"', "energie-gw is served by a gateway"),
        (
            'expect_finding = "x"\nsend = "S"\nvia = "gemeente-gw"\nto = "energie"\nseverity = "info"',
            "severity must",
        ),
    ],
)
def test_loader_mistakes(tmp_path, step, message) -> None:
    path = tmp_path / "s.toml"
    fixture = SCENARIOS / "../valid/2.0/Saldoverzoek.xml"
    path.write_text(
        f'name = "x"\nparties = "{SCENARIOS / "parties.toml"}"\n[[step]]\n'
        + step.replace('"S"', f'"{fixture}"')
    )
    with pytest.raises(ScenarioError, match=message):
        load_scenario(path)


async def test_against_a_gateway_in_its_own_process(tmp_path) -> None:
    """`skgw serve` in a subprocess serves the creditor; the scenario reaches it by URL."""
    pki = dev_pki()
    parties = {
        "gemeente": PartyDef(
            "gemeente", "Gemeente", "SHV", SHV_OIN, SHV_ID, tls=pki.tls("shv"), hub_oin=HUB_OIN
        ),
        "energie": PartyDef("energie", "Energie", "SE", SE_OIN, SE2_ID, tls=pki.tls("se"), hub_oin=HUB_OIN),
    }
    hub = await start_local_hub(
        {**parties, "gw": PartyDef("gw", "Energie GW", "SE", SE_OIN, SE_ID)}, pki.tls("hub")
    )
    tls = pki.tls("se")
    config = tmp_path / "se.toml"
    config.write_text(
        f"""[gateway]
rol = "SE"
adres = "{SE_ID}"
[store]
url = "sqlite:///{tmp_path / "se.db"}"
[tls]
certificate = "{tls.certificate}"
private_key = "{tls.private_key}"
ca_bundle = "{tls.ca_bundle}"
[hub]
endpoint = "{hub.url}"
hub_oin = "{HUB_OIN}"
[api]
port = 0
[[api.tokens]]
name = "scenario"
env = "SKGW_SUBPROCESS_TOKEN"
roles = ["read", "submit", "operate"]
[engine.poll]
interval_seconds = 0.2
[[tegenpartij]]
id = "{SHV_ID}"
naam = "Gemeente"
oin = "{SHV_OIN}"
rol = "SHV"
"""
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT), "SKGW_SUBPROCESS_TOKEN": SUBPROCESS_TOKEN}
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "gateway", "serve", "--config", str(config),
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env, cwd=str(ROOT),
    )  # fmt: skip
    try:
        port = None
        while port is None:
            line = await asyncio.wait_for(process.stderr.readline(), 20)
            assert line, "the gateway process ended before it started"
            found = re.search(rb"API on 127\.0\.0\.1:(\d+)", line)
            port = int(found.group(1)) if found else None
        drain = asyncio.create_task(process.stderr.read())  # keep the pipe from filling up
        gw = PartyDef("energie-gw", "Energie GW", "SE", SE_OIN, SE_ID, gateway=f"http://127.0.0.1:{port}",
                      token_env="SKGW_SUBPROCESS_TOKEN")  # fmt: skip
        scenario = load_scenario(SCENARIOS / "foutbericht-van-gateway.toml", {**parties, "energie-gw": gw})
        os.environ["SKGW_SUBPROCESS_TOKEN"] = SUBPROCESS_TOKEN
        try:
            (result,) = await run_scenarios([scenario], HubTarget(hub.url, hub.admin_url))
        finally:
            os.environ.pop("SKGW_SUBPROCESS_TOKEN", None)
        assert result.passed, result.reason
    finally:
        if process.returncode is None:
            process.terminate()
        await asyncio.wait_for(process.wait(), 20)
        await hub.stop()
    await drain
