"""`skgw scenario run PATH...`: play scripted conversations against a hub and report.

    skgw scenario run fixtures/scenarios --start-hub --junit junit.xml --html report.html
    skgw scenario run my.toml --hub https://hub.example/skp --admin http://hub.example:8444/admin
    skgw scenario check fixtures/scenarios          # load only: every mistake, each with file:line

Exit 0 when every scenario passed, 1 when any failed, 2 on usage errors (including mistakes in
a scenario file). The file format is described in fixtures/scenarios/README.md.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from gateway.cli import EXIT_INVALID, EXIT_OK, EXIT_USAGE

if TYPE_CHECKING:
    from adapters.testkit.scenario.model import Scenario
    from adapters.testkit.scenario.results import ScenarioResult


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "scenario",
        help="run scripted conversations (TOML) against a hub; JUnit and HTML reports",
        description="Scripted SHV/SE conversations against the hub simulator or a real endpoint.",
    )
    actions = p.add_subparsers(dest="action", metavar="ACTION", parser_class=type(p))
    run = actions.add_parser("run", help="run scenarios", description=__doc__.split("\n\n")[0])
    run.add_argument("paths", nargs="+", metavar="PATH", help="scenario files or folders")
    where = run.add_mutually_exclusive_group(required=True)
    where.add_argument("--start-hub", action="store_true", help="run against an in-process simulator")
    where.add_argument("--hub", metavar="URL", help="the hub endpoint, e.g. https://127.0.0.1:8443/skp")
    run.add_argument("--admin", metavar="URL", help="the simulator's admin endpoint (hub/expiry steps)")
    run.add_argument("--parties", type=Path, metavar="FILE", help="shared party file for every scenario")
    run.add_argument("--junit", type=Path, metavar="FILE", help="write a JUnit XML report")
    run.add_argument("--html", type=Path, metavar="FILE", help="write a self-contained HTML report")
    run.add_argument("-v", "--verbose", action="store_true", help="log every hub call on stderr")
    run.set_defaults(func=run_command)
    check = actions.add_parser("check", help="load scenarios without running them")
    check.add_argument("paths", nargs="+", metavar="PATH")
    check.add_argument("--parties", type=Path, metavar="FILE")
    check.set_defaults(func=check_command)
    p.set_defaults(func=lambda _args: _usage(p))


def _usage(parser: argparse.ArgumentParser) -> int:
    parser.print_help(sys.stderr)
    return EXIT_USAGE


def check_command(args: argparse.Namespace) -> int:
    from adapters.testkit.scenario.parties import ScenarioError
    from adapters.testkit.scenario.session import load_all

    try:
        scenarios = load_all(args.paths, args.parties)
    except ScenarioError as exc:
        _print_mistakes(exc)
        return EXIT_USAGE
    for s in scenarios:
        print(f"ok  {s.path}: {s.name} ({len(s.steps)} steps; parties {', '.join(s.parties)})")
    return EXIT_OK


def _print_mistakes(exc: Exception) -> None:
    mistakes = getattr(exc, "mistakes", None) or [str(exc)]
    print(f"skgw scenario: {len(mistakes)} mistake(s):", file=sys.stderr)
    for mistake in mistakes:
        print(f"  {mistake}", file=sys.stderr)


def run_command(args: argparse.Namespace) -> int:
    from adapters.testkit.scenario.parties import ScenarioError
    from adapters.testkit.scenario.session import load_all
    from gateway.logs import configure

    configure("info" if args.verbose else "critical")
    if args.admin and args.start_hub:
        print("skgw scenario: --admin goes with --hub (--start-hub has its own)", file=sys.stderr)
        return EXIT_USAGE
    try:
        scenarios = load_all(args.paths, args.parties)
    except ScenarioError as exc:
        _print_mistakes(exc)
        return EXIT_USAGE
    missing = sorted(
        {
            p.name
            for s in scenarios
            for p in s.parties.values()
            if p.tls is None and p.gateway in (None, "local")
        }
    )
    if not args.start_hub and missing:
        print(
            f"skgw scenario: against --hub every party needs certificate/private_key and [hub] ca_bundle "
            f"in its party file; missing for: {', '.join(missing)} (or use --start-hub)",
            file=sys.stderr,
        )
        return EXIT_USAGE
    try:
        results = asyncio.run(_run(args, scenarios))
    except OSError as exc:
        print(f"skgw scenario: cannot start the local hub: {exc}", file=sys.stderr)
        return EXIT_USAGE
    passed = sum(1 for r in results if r.passed)
    print(f"{len(results)} scenario(s): {passed} passed, {len(results) - passed} failed")
    try:
        _reports(args, results)
    except OSError as exc:
        print(f"skgw scenario: cannot write a report: {exc}", file=sys.stderr)
        return EXIT_USAGE
    return EXIT_OK if passed == len(results) else EXIT_INVALID


async def _run(args: argparse.Namespace, scenarios: list[Scenario]) -> list[ScenarioResult]:
    from adapters.testkit.scenario.session import run_against, run_with_local_hub

    if args.start_hub:
        return await run_with_local_hub(scenarios, _print_result)
    return await run_against(scenarios, args.hub, args.admin, _print_result)


def _print_result(result: ScenarioResult) -> None:
    mark = "PASS" if result.passed else "FAIL"
    print(f"{mark}  {result.name}  ({result.duration:.2f} s)", flush=True)
    if not result.passed:
        print(f"      {result.reason}", flush=True)


def _reports(args: argparse.Namespace, results: list[ScenarioResult]) -> None:
    from adapters.testkit.scenario.html_report import write_html
    from adapters.testkit.scenario.junit import write_junit

    if args.junit:
        write_junit(results, args.junit)
        print(f"JUnit report: {args.junit}")
    if args.html:
        write_html(results, args.html)
        print(f"HTML report: {args.html}")
