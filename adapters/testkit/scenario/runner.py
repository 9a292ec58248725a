"""Run scenarios one after another against a :class:`~adapters.testkit.scenario.target.HubTarget`.

Steps run in order; after the first failure the rest of the scenario is skipped. A scenario that
changes the simulator's faults leaves them as it found them: the fault plan is read before its
first step and put back when it ends, whatever happened.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any

from adapters.hub.client import HubClient
from adapters.testkit.scenario.gateways import LOCAL, GatewayEndpoint, external_endpoint
from adapters.testkit.scenario.model import Scenario
from adapters.testkit.scenario.play import Play, StepFailed, safe
from adapters.testkit.scenario.results import FAILED, PASSED, ScenarioResult, StepResult
from adapters.testkit.scenario.target import AdminError, HubAdmin, HubTarget
from gateway.security.errors import SecurityError

log = logging.getLogger("skgw.scenario")


async def run_scenarios(
    scenarios: Sequence[Scenario],
    target: HubTarget,
    on_result: Callable[[ScenarioResult], None] | None = None,
) -> list[ScenarioResult]:
    results = []
    for scenario in scenarios:
        result = await run_scenario(scenario, target)
        results.append(result)
        if on_result is not None:
            on_result(result)
    return results


async def run_scenario(scenario: Scenario, target: HubTarget) -> ScenarioResult:
    result = ScenarioResult(scenario.name, scenario.path, scenario.description, datetime.now(UTC))
    result.steps = [StepResult(s.number, s.name, s.kind, s.describe(), s.source) for s in scenario.steps]
    started = time.perf_counter()
    clients: dict[str, HubClient] = {}
    admin = target.admin()
    try:
        try:
            for name, party in scenario.parties.items():
                if not party.served_by_gateway:  # its gateway fetches its messages, not the runner
                    clients[name] = target.client(party)
            gateways = _gateways(scenario, target)
        except (AdminError, SecurityError, OSError, ValueError) as exc:
            result.error = safe(f"cannot set up the parties' clients: {exc}")
            return result
        saved = await _saved_faults(scenario, admin)
        play = Play(scenario, clients, admin, gateways=gateways)
        for step, step_result in zip(scenario.steps, result.steps, strict=True):
            if not await _run_step(play, step, step_result):
                break
        if saved is not None and admin is not None:
            try:
                await admin.clear_faults()
                await admin.set_faults(saved)
            except AdminError as exc:
                log.warning("could not restore the hub's faults after %s: %s", scenario.name, exc)
    finally:
        for client in clients.values():
            await client.close()
        if admin is not None:
            await admin.close()
        result.duration = time.perf_counter() - started
    return result


def _gateways(scenario: Scenario, target: HubTarget) -> dict[str, GatewayEndpoint]:
    found = {}
    for name, party in scenario.gateway_parties.items():
        if party.gateway == LOCAL:
            if party.id not in target.local_gateways:
                raise AdminError(f"party {name}: its local gateway was not started")
            found[name] = target.local_gateways[party.id]
        else:
            found[name] = external_endpoint(party)
    return found


async def _run_step(play: Play, step: object, result: StepResult) -> bool:
    started = time.perf_counter()
    try:
        result.detail = safe(await play.run(step, result))
        result.status = PASSED
    except StepFailed as exc:
        result.status, result.detail = FAILED, safe(str(exc))
    except (AdminError, SecurityError, OSError) as exc:
        result.status, result.detail = FAILED, safe(f"{type(exc).__name__}: {exc}")
    finally:
        result.duration = time.perf_counter() - started
    return result.status == PASSED


async def _saved_faults(scenario: Scenario, admin: HubAdmin | None) -> dict[str, Any] | None:
    if admin is None or not scenario.changes_faults:
        return None
    try:
        return await admin.get_faults()
    except AdminError as exc:
        log.warning("could not read the hub's faults before %s: %s", scenario.name, exc)
        return None
