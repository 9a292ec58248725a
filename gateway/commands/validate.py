"""`skgw validate PATH...`: validate messages against the schema catalogue."""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys

from gateway.cli import EXIT_INVALID, EXIT_OK, EXIT_USAGE
from gateway.commands._inputs import UsageError, expand, read_inputs
from gateway.config import ConfigError, load_config
from gateway.xml.catalogue import CatalogueError
from gateway.xml.validate import ValidationReport, validate_document


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "validate",
        help="validate messages against the XSDs",
        description="Validate message files, folders (recursively, *.xml) or - (stdin). "
        "Exit 0 when all are valid, 1 when any is invalid, 2 on usage errors.",
    )
    parser.add_argument("paths", nargs="+", metavar="PATH")
    parser.add_argument("--format", choices=("text", "json"), default="text")
    parser.add_argument("--config", metavar="FILE", help="configuration file (for the [xml] limits)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    try:
        limits = load_config(args.config).xml.limits
        names = expand(args.paths)
    except (UsageError, ConfigError) as exc:
        print(f"skgw validate: {exc}", file=sys.stderr)
        return EXIT_USAGE
    results: list[tuple[str, ValidationReport]] = []
    try:
        for item in read_inputs(names, limits.max_bytes):
            if item.problem is not None:
                report = ValidationReport(problems=[item.problem])
            else:
                report = validate_document(item.data or b"", limits=limits)
            results.append((item.name, report))
            if args.format == "text":
                _print_text(item.name, report)
    except CatalogueError as exc:
        print(f"skgw validate: {exc}", file=sys.stderr)
        return EXIT_USAGE
    invalid = sum(1 for _, r in results if not r.ok)
    if args.format == "json":
        document = {
            "results": [{"file": name, **report.to_dict()} for name, report in results],
            "summary": {"files": len(results), "valid": len(results) - invalid, "invalid": invalid},
        }
        print(json.dumps(document, indent=2, ensure_ascii=False))
    else:
        print(f"{len(results)} file(s): {len(results) - invalid} valid, {invalid} invalid")
    return EXIT_INVALID if invalid else EXIT_OK


def _print_text(name: str, report: ValidationReport) -> None:
    if report.ok and report.entry is not None:
        print(f"valid    {name}  ({report.entry.berichttype} {report.entry.versie})")
        return
    count = len(report.problems)
    print(f"INVALID  {name}  ({count} problem{'s' if count != 1 else ''})")
    for problem in report.problems:
        location = f"{name}:{problem.line}" if problem.line else name
        print(f"  {location}: {dataclasses.replace(problem, line=None)}")
