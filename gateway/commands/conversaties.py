"""`skgw conversaties`: import a previous system's open conversations; show one as a timeline."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from gateway.cli import EXIT_INVALID, EXIT_OK, EXIT_USAGE
from gateway.config import Config, ConfigError, load_config
from gateway.conversatie.importeren import ImportResult, importeer
from gateway.conversatie.tijdlijn import tijdlijn
from gateway.engine.werkdagen import dutch_date
from gateway.store import open_store


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "conversaties",
        help="import open conversations of a previous system; show a conversation's timeline",
        description="Work on this gateway's conversations directly in its store (the gateway may run).",
    )
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    imp = actions.add_parser(
        "import",
        help="register the open conversations a previous system started (JSON; all or nothing)",
        description="Each conversation is replayed through the conversation table: what it awaits and "
        "by when follows from its messages. Exit 0 when all were imported (or already were), 1 when the "
        "file was refused (nothing written), 2 on usage errors.",
    )
    imp.add_argument("file", metavar="FILE", help="the conversations as JSON (- for stdin)")
    imp.add_argument("--config", metavar="FILE", required=True, help="the gateway's configuration")
    imp.add_argument("--dry-run", action="store_true", help="check only; write nothing")
    imp.set_defaults(func=run_import)
    show = actions.add_parser("show", help="a conversation as a timeline (JSON)")
    show.add_argument("conversatie", metavar="CONVERSATIE")
    show.add_argument("--config", metavar="FILE", required=True, help="the gateway's configuration")
    show.set_defaults(func=run_show)


def _config(path: str) -> Config:
    config = load_config(path)
    if not config.tegenpartij:
        raise ConfigError(f"{path}: [[tegenpartij]]: the address book is empty")
    return config


def run_import(args: argparse.Namespace) -> int:
    try:
        config = _config(args.config)
        raw = sys.stdin.buffer.read() if args.file == "-" else Path(args.file).read_bytes()
        body = json.loads(raw)
    except (ConfigError, OSError, ValueError) as exc:
        print(f"skgw conversaties import: {exc}", file=sys.stderr)
        return EXIT_USAGE
    result = asyncio.run(_import(config, body, args.dry_run))
    for conversatie in result.imported:
        print(f"imported        {conversatie}")
    for conversatie in result.already_known:
        print(f"already known   {conversatie}")
    for fout in result.findings:
        print(f"REFUSED  {fout['field']}: {fout['message']} [{fout['code']}]", file=sys.stderr)
    if not result.ok:
        print(f"{len(result.findings)} mistake(s): nothing was imported", file=sys.stderr)
        return EXIT_INVALID
    if args.dry_run:
        print("dry run: nothing was written")
    return EXIT_OK


async def _import(config: Config, body: Any, dry_run: bool) -> ImportResult:
    store = await open_store(config.store.resolved_url(config.base))
    try:
        return await importeer(
            store, body, adresboek=config.adresboek(), rol=config.gateway.rol, dry_run=dry_run
        )
    finally:
        await store.close()


def run_show(args: argparse.Namespace) -> int:
    try:
        config = _config(args.config)
    except ConfigError as exc:
        print(f"skgw conversaties show: {exc}", file=sys.stderr)
        return EXIT_USAGE
    found = asyncio.run(_show(config, args.conversatie))
    if found is None:
        print(f"skgw conversaties show: no conversation {args.conversatie}", file=sys.stderr)
        return EXIT_INVALID
    print(json.dumps(found, ensure_ascii=False, indent=2))
    return EXIT_OK


async def _show(config: Config, conversatie: str) -> dict[str, Any] | None:
    store = await open_store(config.store.resolved_url(config.base))
    try:
        found = await tijdlijn(
            store, conversatie, eigen_adres=config.gateway.adres, vandaag=dutch_date(datetime.now(UTC))
        )
    finally:
        await store.close()
    return found.to_dict() if found else None
