"""`skgw serve --config FILE`: run the gateway daemon (API, dispatcher, poller, sinks)."""

from __future__ import annotations

import argparse
import asyncio
import sys

from gateway.cli import EXIT_OK, EXIT_USAGE
from gateway.config import ConfigError, load_config
from gateway.logs import configure
from gateway.service import Gateway, StartupError


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "serve",
        help="run the gateway daemon",
        description="Run the gateway: the JSON API, the outbound dispatcher, the inbound poller and the "
        "sinks. SIGTERM or SIGINT stops it gracefully.",
    )
    parser.add_argument("--config", required=True, metavar="FILE", help="configuration file (TOML)")
    parser.add_argument("--log-json", action="store_true", help="JSON log lines (overrides [logging] json)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    try:
        config = load_config(args.config)
    except ConfigError as exc:
        print(f"skgw serve: {exc}", file=sys.stderr)
        return EXIT_USAGE
    configure(config.logging.level, json_lines=args.log_json or config.logging.json)
    try:
        asyncio.run(Gateway(config).serve_forever())
    except StartupError as exc:
        print(f"skgw serve: cannot start: {config.source}: {exc}", file=sys.stderr)
        return EXIT_USAGE
    return EXIT_OK
