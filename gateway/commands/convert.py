"""`skgw convert IN [--to json|xml] [--version 2.0|1.1] [--counterpart-supports-sa yes|no]`.

Converts one message between XML and its JSON form (either way, or XML to another version), running the
Gedragscode and consistency rules on the way: findings go to stderr; with an error nothing is written
and the exit code is 1. Exit codes as ``skgw validate``: 0 converted, 1 invalid input or a rule error or
a message the output version cannot carry, 2 usage error.

JSON -> XML: the header values (Referentienummer …) come from the JSON; ``--version`` picks the output
version, and the Berichttype and Versie of the header follow it. A nul-aanbod is written as SA or as the
€ 0.00 saneringskrediet workaround depending on the version and ``--counterpart-supports-sa``.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from gateway.cli import EXIT_INVALID, EXIT_OK, EXIT_USAGE
from gateway.codec import DecodeError, EncodeError, decode_tree, encode, nul_aanbod
from gateway.codec.json_form import JsonFormError, from_json, to_json
from gateway.commands._inputs import UsageError, expand, read_inputs
from gateway.config import ConfigError, load_config
from gateway.model.bericht import Bericht
from gateway.rules import check_rules, has_errors
from gateway.xml.catalogue import CatalogueError
from gateway.xml.validate import validate_document

_BOM = b"\xef\xbb\xbf"


class _Invalid(Exception):
    """The input cannot be converted; the lines say why (exit 1)."""

    def __init__(self, *lines: str) -> None:
        super().__init__(lines[0] if lines else "invalid input")
        self.lines = lines


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "convert",
        help="convert a message between XML and JSON (running the Gedragscode rules)",
        description="Convert one message (a file or - for stdin) between XML and its JSON form. "
        "Exit 0 when converted, 1 when the input is invalid or a rule gives an error, 2 on usage errors.",
    )
    parser.add_argument("input", metavar="IN", help="a message file, or - for stdin")
    parser.add_argument("--to", choices=("json", "xml"), help="output format (default: the other one)")
    parser.add_argument("--version", dest="versie", choices=("2.0", "1.1"), help="XML output version")
    parser.add_argument(
        "--counterpart-supports-sa",
        choices=("yes", "no"),
        default="yes",
        help="does the counterpart know TypeSchuldregeling SA (else a nul-aanbod goes as the SK workaround)",
    )
    parser.add_argument("--pretty", action="store_true", help="indent XML output")
    parser.add_argument("--config", metavar="FILE", help="configuration file (for the [xml] limits)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    try:
        limits = load_config(args.config).xml.limits
        if Path(args.input).is_dir():
            raise UsageError(f"{args.input}: convert takes one message file, not a folder")
        names = expand([args.input])
        item = next(read_inputs(names, limits.max_bytes))
    except (UsageError, ConfigError) as exc:
        print(f"skgw convert: {exc}", file=sys.stderr)
        return EXIT_USAGE
    try:
        if item.problem is not None:
            raise _Invalid(f"{item.name}: {item.problem}")
        bericht, input_format, input_versie = _load(item.name, item.data or b"", limits)
        findings = check_rules(bericht)
        for finding in findings:
            print(f"{item.name}: {finding}", file=sys.stderr)
        if has_errors(findings):
            raise _Invalid(f"{item.name}: not converted: the rules found errors")
        output = _render(bericht, args, input_format, input_versie)
    except _Invalid as exc:
        for line in exc.lines:
            print(line, file=sys.stderr)
        return EXIT_INVALID
    except CatalogueError as exc:
        print(f"skgw convert: {exc}", file=sys.stderr)
        return EXIT_USAGE
    sys.stdout.buffer.write(output)
    sys.stdout.flush()
    return EXIT_OK


def _load(name: str, data: bytes, limits: object) -> tuple[Bericht, str, str | None]:
    """(message, input format, input version) from XML or JSON bytes."""
    head = data[len(_BOM) :] if data.startswith(_BOM) else data
    first = head.lstrip()[:1]
    if first == b"{":
        try:
            document = json.loads(head.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise _Invalid(f"{name}: the input is not valid JSON: {exc}") from None
        try:
            return from_json(document), "json", None
        except JsonFormError as exc:
            raise _Invalid(f"{name}: {exc}") from None
    if first != b"<":
        raise _Invalid(f"{name}: the input is neither an XML message nor its JSON form")
    report = validate_document(data, limits=limits)  # type: ignore[arg-type]
    if not report.ok or report.tree is None or report.entry is None:
        raise _Invalid(*(f"{name}: {problem}" for problem in report.problems))
    try:
        return decode_tree(report.tree, report.entry), "xml", report.entry.versie
    except DecodeError as exc:
        raise _Invalid(*(f"{name}: {problem}" for problem in exc.problems)) from None


def _render(bericht: Bericht, args: argparse.Namespace, input_format: str, input_versie: str | None) -> bytes:
    to = args.to or ("json" if input_format == "xml" else "xml")
    if to == "json":
        return (json.dumps(to_json(bericht), indent=2, ensure_ascii=False) + "\n").encode("utf-8")
    versie = args.versie or input_versie or "2.0"
    codering = nul_aanbod.codering(versie, kent_sa=args.counterpart_supports_sa == "yes")
    try:
        return encode(bericht, versie, codering, pretty=args.pretty) + (b"\n" if not args.pretty else b"")
    except EncodeError as exc:
        raise _Invalid(f"cannot write {bericht.berichttype.value} for version {versie}: {exc}") from None
