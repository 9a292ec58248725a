"""`skgw convert IN [--to json|xml] [--version 2.0|1.1] [--counterpart-supports-sa yes|no]`.

Converts one message between XML and its JSON form (either way, or XML to another version), running the
Gedragscode and consistency rules on the way: findings go to stderr; with an error nothing is written
and the exit code is 1. Exit codes as ``skgw validate``: 0 converted, 1 invalid input or a rule error or
a message the output version cannot carry, 2 usage error.

JSON -> XML: the header values (Referentienummer …) come from the JSON; ``--version`` picks the output
version, and the Berichttype and Versie of the header follow it. A nul-aanbod is written as SA or as the
€ 0.00 saneringskrediet workaround depending on the version and ``--counterpart-supports-sa``.

The JSON may be what the API takes (``POST /api/berichten``): a header with only the Ontvanger (and, for
an answer, its conversation). What is left out is filled in as the API does: a new Referentienummer, a
new conversation for a question, DatumTijd now, and the Afzender from ``--afzender`` or the ``[gateway]
adres`` of ``--config`` (the API uses the gateway's own address). With ``--config`` an Ontvanger in its
address book also gives the version and whether it knows SA (unless the options say otherwise). Every
problem of the JSON is listed, not only the first. The JSON output carries the rules' findings as
``bevindingen``, as a received message's JSON form does.
"""

from __future__ import annotations

import argparse
import json
import sys
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from gateway.cli import EXIT_INVALID, EXIT_OK, EXIT_USAGE
from gateway.codec import DecodeError, EncodeError, decode_tree, encode, nul_aanbod
from gateway.codec.json_form import JsonFormError, from_json, to_json
from gateway.commands._inputs import UsageError, expand, read_inputs
from gateway.config import Config, ConfigError, load_config
from gateway.model import values as v
from gateway.model.bericht import Bericht
from gateway.model.berichttype import Berichttype
from gateway.rules import Finding, check_rules, has_errors
from gateway.submission import conversatie_of_new_question, names_its_conversation
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
        help="does the counterpart know TypeSchuldregeling SA (else a nul-aanbod goes as the SK workaround); "
        "default: as the --config address book says, else yes",
    )
    parser.add_argument(
        "--afzender",
        metavar="UUID",
        help="our address-book UUID for a JSON header without one (default: [gateway] adres of --config)",
    )
    parser.add_argument("--pretty", action="store_true", help="indent XML output")
    parser.add_argument(
        "--config",
        metavar="FILE",
        help="configuration file: the [xml] limits; [gateway] adres and the address book for partial JSON",
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    try:
        config = load_config(args.config)
        limits = config.xml.limits
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
        bericht, input_format, input_versie = _load(item.name, item.data or b"", limits, args, config)
        findings = check_rules(bericht)
        for finding in findings:
            print(f"{item.name}: {finding}", file=sys.stderr)
        if has_errors(findings):
            raise _Invalid(f"{item.name}: not converted: the rules found errors")
        output = _render(bericht, findings, args, config, input_format, input_versie)
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


def _load(
    name: str, data: bytes, limits: object, args: argparse.Namespace, config: Config
) -> tuple[Bericht, str, str | None]:
    """(message, input format, input version) from XML or JSON bytes."""
    head = data[len(_BOM) :] if data.startswith(_BOM) else data
    first = head.lstrip()[:1]
    if first == b"{":
        try:
            document = json.loads(head.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise _Invalid(f"{name}: the input is not valid JSON: {exc}") from None
        problems, filled = _filled_in(document, args.afzender or config.gateway.adres or None)
        if filled:
            print(f"{name}: filled in as the API does: {', '.join(filled)}", file=sys.stderr)
        try:
            bericht = from_json(document)
        except JsonFormError as exc:
            problems += [(path, reason) for path, reason in exc.errors if path not in dict(problems)]
        if problems:
            raise _Invalid(*(f"{name}: {path}: {reason}" for path, reason in problems))
        return bericht, "json", None
    if first != b"<":
        raise _Invalid(f"{name}: the input is neither an XML message nor its JSON form")
    report = validate_document(data, limits=limits)  # type: ignore[arg-type]
    if not report.ok or report.tree is None or report.entry is None:
        raise _Invalid(*(f"{name}: {problem}" for problem in report.problems))
    try:
        return decode_tree(report.tree, report.entry), "xml", report.entry.versie
    except DecodeError as exc:
        raise _Invalid(*(f"{name}: {problem}" for problem in exc.problems)) from None


def _filled_in(document: Any, afzender: str | None) -> tuple[list[tuple[str, str]], list[str]]:
    """Fill in what the API fills in (in place). Returns the problems (path, reason) and what was filled."""
    if not isinstance(document, dict):
        return [("/", "a message must be a JSON object")], []
    header = document.get("berichtheader")
    if header is None:
        header = document["berichtheader"] = {}
    if not isinstance(header, dict):
        return [("/berichtheader", "must be a JSON object")], []
    problems: list[tuple[str, str]] = []
    filled: list[str] = []
    if not header.get("ontvanger"):
        problems.append(("/berichtheader/ontvanger", "is required: the counterpart's address-book UUID"))
    if not header.get("afzender"):
        if afzender:
            header["afzender"] = afzender
            filled.append("afzender")
        else:
            problems.append(
                ("/berichtheader/afzender", "is required: give --afzender or a --config with [gateway] adres")
            )
    if not header.get("referentienummer"):
        header["referentienummer"] = str(uuid.uuid4())
        filled.append("referentienummer")
    if not header.get("conversatie_referentienummer"):
        try:
            continues = names_its_conversation(Berichttype(document.get("berichttype")))
        except ValueError:
            continues = False  # an unknown type: the JSON form names it
        if continues:
            problems.append(
                (
                    "/berichtheader/conversatie_referentienummer",
                    "an answer continues its question's conversation",
                )
            )
        else:
            header["conversatie_referentienummer"] = conversatie_of_new_question(
                str(header["referentienummer"])
            )
            filled.append("conversatie_referentienummer")
    if not header.get("datum_tijd"):
        header["datum_tijd"] = v.datum_tijd(datetime.now(UTC).replace(microsecond=0))
        filled.append("datum_tijd")
    return problems, filled


def _render(
    bericht: Bericht,
    findings: list[Finding],
    args: argparse.Namespace,
    config: Config,
    input_format: str,
    input_versie: str | None,
) -> bytes:
    to = args.to or ("json" if input_format == "xml" else "xml")
    if to == "json":
        form = {**to_json(bericht), "bevindingen": [f.to_dict() for f in findings]}
        return (json.dumps(form, indent=2, ensure_ascii=False) + "\n").encode("utf-8")
    ontvanger = bericht.berichtheader.ontvanger
    partij = next((p for p in config.tegenpartij if p.id == ontvanger), None)
    versie = args.versie or input_versie or (partij.versie if partij else "2.0")
    if args.counterpart_supports_sa is not None:
        kent_sa = args.counterpart_supports_sa == "yes"
    else:
        kent_sa = partij.kent_sa if partij else True
    codering = nul_aanbod.codering(versie, kent_sa)
    try:
        return encode(bericht, versie, codering, pretty=args.pretty) + (b"\n" if not args.pretty else b"")
    except EncodeError as exc:
        raise _Invalid(f"cannot write {bericht.berichttype.value} for version {versie}: {exc}") from None
