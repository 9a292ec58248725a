"""Everything ``skgw scenario run`` does between parsing arguments and writing reports: find and
load the scenario files, start a local hub when asked, run, stop."""

from __future__ import annotations

import dataclasses
import re
import tempfile
from collections.abc import Callable
from pathlib import Path

from adapters.testkit.scenario.gateways import local_gateways
from adapters.testkit.scenario.loader import load_scenario
from adapters.testkit.scenario.model import PartyDef, Scenario
from adapters.testkit.scenario.parties import ScenarioError, load_parties
from adapters.testkit.scenario.results import ScenarioResult
from adapters.testkit.scenario.runner import run_scenarios
from adapters.testkit.scenario.target import HubTarget, generate_pki, start_local_hub
from gateway.security.settings import TlsSettings

_STEP = re.compile(r"^\s*\[\[\s*step\s*\]\]", re.MULTILINE)


def scenario_files(paths: list[str]) -> list[Path]:
    """Files as given; folders give their *.toml files that hold [[step]] tables (not party files)."""
    found: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            files = [
                p
                for p in sorted(path.rglob("*.toml"))
                if p.is_file() and _STEP.search(p.read_text(encoding="utf-8", errors="replace"))
            ]
            if not files:
                raise ScenarioError(f"{raw}: no scenario files (*.toml with [[step]] tables) in this folder")
            found.extend(files)
        elif path.is_file():
            found.append(path)
        else:
            raise ScenarioError(f"{raw}: no such file or folder")
    return found


def load_all(paths: list[str], parties_file: Path | None = None) -> list[Scenario]:
    """Every scenario; or a :class:`ScenarioError` listing the mistakes of every file."""
    shared = load_parties(parties_file) if parties_file is not None else None
    scenarios, mistakes = [], []
    for path in scenario_files(paths):
        try:
            scenarios.append(load_scenario(path, shared))
        except ScenarioError as exc:
            mistakes.append(exc)
    if mistakes:
        raise ScenarioError.of(mistakes)
    return scenarios


def with_generated_pki(
    scenarios: list[Scenario], directory: Path
) -> tuple[TlsSettings, list[Scenario], dict[str, PartyDef]]:
    """Every party of every scenario with a certificate from one fresh development CA (in ``directory``)."""
    by_id: dict[str, PartyDef] = {}
    for scenario in scenarios:
        for party in scenario.parties.values():
            by_id.setdefault(party.id, party)
    hub_tls, filled = generate_pki(by_id, directory)
    updated = [
        dataclasses.replace(s, parties={n: filled[p.id] for n, p in s.parties.items()}) for s in scenarios
    ]
    return hub_tls, updated, filled


def _all_parties(scenarios: list[Scenario]) -> dict[str, PartyDef]:
    return {f"{p.id}:{n}": p for s in scenarios for n, p in s.parties.items()}


async def run_with_local_hub(
    scenarios: list[Scenario], on_result: Callable[[ScenarioResult], None] | None = None
) -> list[ScenarioResult]:
    """Start an in-process simulator holding every party (and a gateway for each party marked
    ``gateway = "local"``), run the scenarios against it, stop it. The generated keys and the
    gateways' stores live in a temporary folder that is removed afterwards."""
    with tempfile.TemporaryDirectory(prefix="skgw-scenario-pki-") as directory:
        hub_tls, scenarios, parties = with_generated_pki(scenarios, Path(directory))
        simulator = await start_local_hub(parties, hub_tls)
        try:
            return await run_against(
                scenarios, simulator.url, simulator.admin_url, on_result, Path(directory)
            )
        finally:
            await simulator.stop()


async def run_against(
    scenarios: list[Scenario],
    hub_url: str,
    admin_url: str | None,
    on_result: Callable[[ScenarioResult], None] | None = None,
    workdir: Path | None = None,
) -> list[ScenarioResult]:
    """Run against a hub, with the in-process gateways the scenarios' parties ask for."""
    with tempfile.TemporaryDirectory(prefix="skgw-scenario-gw-") as fallback:
        base = (workdir or Path(fallback)) / "gateways"
        async with local_gateways(_all_parties(scenarios), hub_url, base) as endpoints:
            target = HubTarget(hub_url, admin_url, local_gateways=endpoints)
            return await run_scenarios(scenarios, target, on_result)
