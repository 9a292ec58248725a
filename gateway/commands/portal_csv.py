"""`skgw csv export|import`: the creditors' bulk CSV (portal layout "CSV Saldoverzoek Antwoord",
and our Betaalvoorstel antwoord layout).

    skgw csv export --gateway URL --token-env VAR [--berichttype Saldoverzoek] [--all] OUT.csv
    skgw csv export --from-xml FILES... OUT.csv      (XML messages, or the folder sink's JSON files)
    skgw csv import FILE.csv --gateway URL --token-env VAR
    skgw csv import FILE.csv --to-xml DIR --version 2.0|1.1 --from-xml QUESTIONS...

The export leaves out questions that were answered already (``--all``: every question) and is
written readable by its owner only (mode 0600): it holds names, birth dates and addresses.
Exit 0 on success, 1 when the file is refused (every error listed by row and column) or the
gateway refused an answer, 2 on usage errors.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from gateway.cli import EXIT_INVALID, EXIT_OK, EXIT_USAGE
from gateway.commands._inputs import UsageError, expand

if TYPE_CHECKING:
    from adapters.csv.answers import ImportResult
    from adapters.csv.tool import Kind
    from adapters.csv.vragen import Vraag


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "csv",
        help="export received questions as the portal's CSV; import the filled-in answers",
        description=__doc__.split("\n\n")[0],
    )
    actions = p.add_subparsers(dest="action", metavar="ACTION", parser_class=type(p))
    exp = actions.add_parser("export", help="received questions → CSV")
    exp.add_argument("paths", nargs="+", metavar="PATH", help="OUT.csv (with --from-xml: FILES... OUT.csv)")
    exp.add_argument("--berichttype", choices=("Saldoverzoek", "Betaalvoorstel"), default="Saldoverzoek")
    exp.add_argument(
        "--all",
        action="store_true",
        help="also the questions that were answered already (default: left out)",
    )
    exp.add_argument("--alle", action=_Renamed, new="--all", help=argparse.SUPPRESS)
    _source(exp)
    exp.set_defaults(func=export_command)
    imp = actions.add_parser("import", help="filled-in CSV → answer messages (all or nothing)")
    imp.add_argument("file", metavar="FILE.csv")
    imp.add_argument(
        "--berichttype",
        choices=("Saldoverzoek", "Betaalvoorstel"),
        help="the file's layout (default: recognised by its header row)",
    )
    imp.add_argument("--gateway", metavar="URL", help="submit to this gateway's outbox (its JSON API)")
    imp.add_argument(
        "--token-env",
        metavar="VAR",
        default="SKGW_API_TOKEN",
        help="the environment variable holding the API token (default: SKGW_API_TOKEN)",
    )
    imp.add_argument("--to-xml", type=Path, metavar="DIR", help="write the answers as XML files here")
    imp.add_argument(
        "--version", choices=("2.0", "1.1"), help="with --to-xml: the version (default: the question's)"
    )
    imp.add_argument(
        "--from-xml",
        nargs="+",
        metavar="QUESTION",
        help="with --to-xml: the questions' files (XML, or the folder sink's JSON)",
    )
    imp.set_defaults(func=import_command)
    p.set_defaults(func=lambda _args: _usage(p))


class _Renamed(argparse.Action):
    """A flag of 0.1 that has a new name: a usage error that names it (no alias is kept)."""

    def __init__(self, option_strings: list[str], dest: str, new: str, **kwargs: Any) -> None:
        super().__init__(option_strings, dest, nargs=0, **kwargs)
        self.new = new

    def __call__(self, parser, namespace, values, option_string=None) -> None:  # type: ignore[override]
        parser.error(f"{option_string} is now {self.new} (CHANGELOG.md)")


def _source(p: argparse.ArgumentParser) -> None:
    p.add_argument("--gateway", metavar="URL", help="read the received questions through this gateway's API")
    p.add_argument(
        "--token-env",
        metavar="VAR",
        default="SKGW_API_TOKEN",
        help="the environment variable holding the API token (default: SKGW_API_TOKEN)",
    )
    p.add_argument(
        "--from-xml",
        action="store_true",
        help="read the questions from the files given: XML messages or the folder sink's JSON files "
        "(answers among them, e.g. written by csv import --to-xml, mark their questions answered)",
    )


def _usage(parser: argparse.ArgumentParser) -> int:
    parser.print_help(sys.stderr)
    return EXIT_USAGE


def _token(var: str) -> str:
    token = os.environ.get(var)
    if not token:
        raise UsageError(f"--token-env {var}: the variable is not set")
    return token


def _files(names: list[str]) -> list[Vraag]:
    from adapters.csv.vragen import VraagError, vragen_from_files

    try:
        return vragen_from_files(Path(n) for n in expand(names))
    except VraagError as exc:
        raise UsageError(str(exc)) from None


def export_command(args: argparse.Namespace) -> int:
    from adapters.csv.api_client import GatewayApi, GatewayApiError
    from adapters.csv.tool import KINDS, answers_in, gateway_questions, open_questions, questions_for
    from gateway.files import write_private

    kind = KINDS[args.berichttype]
    *inputs, out = args.paths
    try:
        if args.from_xml == bool(args.gateway):
            raise UsageError("give either --gateway URL or --from-xml FILES...")
        if not out.lower().endswith(".csv"):
            raise UsageError(f"{out}: the output must be a .csv file (the last path)")
        if args.from_xml:
            if not inputs:
                raise UsageError("--from-xml: name the question files before OUT.csv")
            berichten = _files(inputs)
            vragen, answers = questions_for(kind, berichten), answers_in(kind, berichten)
        else:
            if inputs:
                raise UsageError("with --gateway give only OUT.csv")

            async def fetch() -> tuple[list[Vraag], list]:
                async with GatewayApi(args.gateway, _token(args.token_env)) as api:
                    sent = [a for t in kind.antwoordtypen for a in await api.sent(t)]
                    return await gateway_questions(api, kind), sent

            vragen, answers = asyncio.run(fetch())
        unanswered, answered = open_questions(vragen, answers)
        chosen = vragen if args.all else unanswered
        data = kind.export(chosen)
        write_private(Path(out), data)
    except (UsageError, GatewayApiError, OSError) as exc:
        print(f"skgw csv export: {exc}", file=sys.stderr)
        return EXIT_USAGE
    rows = max(0, len(data.splitlines()) - 1)
    print(f"{out}: {len(chosen)} {kind.name} question(s), {rows} row(s)")
    if answered and not args.all:
        print(f"left out {len(answered)} question(s) answered already (--all exports them too)")
    elif answered:
        print(f"{len(answered)} of them answered already (--all)")
    return EXIT_OK


def import_command(args: argparse.Namespace) -> int:
    from adapters.csv.api_client import GatewayApiError
    from adapters.csv.problems import CsvRejected
    from adapters.csv.vragen import VraagError

    try:
        if bool(args.gateway) == bool(args.to_xml):
            raise UsageError("give either --gateway URL or --to-xml DIR")
        if args.to_xml and not args.from_xml:
            raise UsageError("--to-xml needs the questions the file answers: --from-xml FILES...")
        data = Path(args.file).read_bytes()
        if args.to_xml:
            return _to_xml(args, data)
        return asyncio.run(_to_gateway(args, data))
    except CsvRejected as exc:
        _print_refusal(args.file, exc)
        return EXIT_INVALID
    except (UsageError, GatewayApiError, OSError, VraagError) as exc:
        print(f"skgw csv import: {exc}", file=sys.stderr)
        return EXIT_USAGE


def _print_refusal(name: str, exc: Exception) -> None:
    problems = exc.problems  # type: ignore[attr-defined]
    errors = [p for p in problems if p.severity == "error"]
    read_as = exc.read_as  # type: ignore[attr-defined]
    if read_as:
        print(f"{name}: read as {read_as}")
    print(f"{name}: REFUSED, nothing was imported ({len(errors)} error(s))")
    for problem in problems:
        print(f"  {problem}")


def _report(kind: Kind, result: ImportResult) -> None:
    for warning in result.warnings:
        print(f"  {warning}")
    if result.unanswered:
        print(f"{len(result.unanswered)} conversation(s) left unanswered (no answer cells filled in)")


def _to_xml(args: argparse.Namespace, data: bytes) -> int:
    from adapters.csv.tool import import_file, questions_for, write_xml

    kind = _kind(args, data)
    result = import_file(kind, args.file, data, questions_for(kind, _files(args.from_xml)), args.version)
    print(f"{args.file}: read as {result.read_as}")
    for path, antwoord in zip(write_xml(result.antwoorden, args.to_xml), result.antwoorden, strict=True):
        print(f"{antwoord.bericht.berichttype.value:<34} {_rows(antwoord.rows):<12} {path}")
    _report(kind, result)
    return EXIT_OK


async def _to_gateway(args: argparse.Namespace, data: bytes) -> int:
    from adapters.csv.api_client import GatewayApi
    from adapters.csv.tool import conversations_in, gateway_questions, import_file, submit_all

    kind = _kind(args, data)
    async with GatewayApi(args.gateway, _token(args.token_env)) as api:
        vragen = await gateway_questions(api, kind, conversations_in(kind, args.file, data))
        result = import_file(kind, args.file, data, vragen)
        print(f"{args.file}: read as {result.read_as}")
        submitted = await submit_all(api, result.antwoorden)
    failed = 0
    for antwoord, outcome in submitted:
        ref = antwoord.bericht.berichtheader.referentienummer
        if outcome.status == 202:
            said = "accepted" if outcome.body.get("new") else "accepted (submitted before)"
        else:
            failed += 1
            said = f"REFUSED by the gateway: HTTP {outcome.status} {_why(outcome.body)}"
        print(f"{antwoord.bericht.berichttype.value:<34} {_rows(antwoord.rows):<12} {ref}  {said}")
    _report(kind, result)
    print(f"{len(submitted) - failed} of {len(submitted)} answer(s) in the gateway's outbox")
    return EXIT_OK if not failed else EXIT_INVALID


def _kind(args: argparse.Namespace, data: bytes) -> Kind:
    from adapters.csv.tool import KINDS, kind_of_file

    return KINDS[args.berichttype] if args.berichttype else kind_of_file(data)


def _rows(rows: tuple[int, ...]) -> str:
    return f"row {rows[0]}" if len(rows) == 1 else f"rows {rows[0]}-{rows[-1]}"


def _why(body: object) -> str:
    if isinstance(body, dict):
        findings = body.get("findings") or []
        if findings:
            return "; ".join(f"{f.get('field')}: {f.get('message')} [{f.get('code')}]" for f in findings)
        return str(body.get("error", ""))
    return str(body)[:200]
