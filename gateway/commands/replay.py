"""`skgw replay PATH... --to URL --config FILE`: send fixture messages to a hub and summarise.
`skgw replay PATH... --gateway URL --token-env VAR --ontvanger UUID`: submit them to a running
gateway's API instead (its outbox sends them on).

Each document gets a fresh Referentienummer and DatumTijd and our party/counterpart as Afzender
and Ontvanger (unless ``--keep-ids``), is validated, signed with the configured key and sent over
mTLS — or, with ``--gateway``, posted as its JSON form (202 accepted, 409/422 refused, 5xx retried).
``--config`` may be the gateway's own configuration: ``[gateway] adres`` is our party, its ``rol``
decides which messages are ours to send (the other side's are skipped and counted), and a single
``[[tegenpartij]]`` is the default counterpart.
Exit 0 when every message sent was accepted, 1 otherwise (or when nothing was sent), 2 on usage
errors.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from gateway.cli import EXIT_INVALID, EXIT_OK, EXIT_USAGE
from gateway.commands._inputs import UsageError, expand, read_inputs
from gateway.config import ConfigError

if TYPE_CHECKING:
    from adapters.testkit.replay import ReplayOptions
    from adapters.testkit.settings import ReplaySettings, ToolConfig
    from adapters.testkit.summary import ReplaySummary
    from gateway.model.berichttype import Rol


def _rate(value: str) -> float:
    text = value.strip().lower().removesuffix("/s")
    try:
        rate = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected messages per second like 20/s, not {value!r}") from None
    if rate < 0:
        raise argparse.ArgumentTypeError("the rate cannot be negative")
    return rate


def _positive(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        number = 0
    if number < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number >= 1, not {value!r}")
    return number


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "replay",
        help="send fixture messages to a hub (fresh ids, signed) or a gateway's API, with a summary",
        description="Send message files or folders (*.xml) to a hub as the configured party, or with "
        "--gateway to a running gateway's API as its organisation's system would. "
        "Exit 0 when all were accepted, 1 otherwise, 2 on usage errors.",
    )
    p.add_argument("paths", nargs="+", metavar="PATH")
    target = p.add_mutually_exclusive_group()
    target.add_argument("--to", metavar="URL", help="the hub endpoint (default: [hub] endpoint of --config)")
    target.add_argument("--gateway", metavar="URL", help="submit to a running gateway's API instead of a hub")
    p.add_argument(
        "--token-env",
        metavar="VAR",
        default="SKGW_API_TOKEN",
        help="with --gateway: the environment variable holding the API token (default: SKGW_API_TOKEN)",
    )
    p.add_argument(
        "--config",
        type=Path,
        default=Path("skgw.toml"),
        help="the gateway's configuration, or a TOML with [tls], [hub] and [replay] (default: ./skgw.toml)",
    )
    p.add_argument(
        "--ontvanger",
        metavar="UUID",
        help="the counterpart (default: [replay] ontvanger, or the only [[tegenpartij]] of --config)",
    )
    p.add_argument("--keep-ids", action="store_true", help="send the documents unchanged (a resend)")
    p.add_argument("--rate", type=_rate, metavar="N/s", help="at most N messages per second")
    p.add_argument("--concurrency", type=_positive, metavar="N", help="messages in flight at once")
    p.add_argument("--retries", type=int, metavar="N", help="extra attempts for a retryable outcome")
    p.add_argument("--repeat", type=_positive, default=1, metavar="N", help="send every file N times")
    p.add_argument("--json", action="store_true", help="print the summary as JSON")
    p.add_argument("-v", "--verbose", action="store_true", help="log every hub call on stderr")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from adapters.testkit.settings import load_tool_config
    from gateway.logs import configure
    from gateway.security.errors import SecurityError

    configure("info" if args.verbose else "error")

    if args.gateway:
        return _run_gateway(args)
    try:
        config = load_tool_config(args.config, endpoint=args.to)
        names = expand(args.paths)
        inputs = _read(names, args.repeat)
        options = _options(args, config.replay, config.hub.afzender, config.rol)
    except (UsageError, ConfigError) as exc:
        print(f"skgw replay: {exc}", file=sys.stderr)
        return EXIT_USAGE
    try:
        summary = asyncio.run(_send(inputs, config, options))
    except (SecurityError, OSError) as exc:
        print(f"skgw replay: cannot set up the hub client: {exc}", file=sys.stderr)
        return EXIT_USAGE
    return _print(args, summary)


def _print(args: argparse.Namespace, summary: ReplaySummary) -> int:
    if args.json:
        print(json.dumps(summary.to_dict(), indent=2))
    else:
        print("\n".join(summary.lines()))
    return EXIT_OK if summary.all_accepted else EXIT_INVALID


def _run_gateway(args: argparse.Namespace) -> int:
    """Replay to a gateway's API: no TLS keys needed; [replay] of --config when the file exists."""
    from adapters.testkit.gateway_sender import GatewaySender
    from adapters.testkit.progress import Progress
    from adapters.testkit.replay import replay
    from adapters.testkit.settings import load_replay_settings

    try:
        settings, rol = load_replay_settings(args.config)
        inputs = _read(expand(args.paths), args.repeat)
        options = _options(args, settings, None, rol)
        token = os.environ.get(args.token_env)
        if not token:
            raise UsageError(f"--token-env {args.token_env}: the variable is not set")
    except (UsageError, ConfigError) as exc:
        print(f"skgw replay: {exc}", file=sys.stderr)
        return EXIT_USAGE

    async def send() -> ReplaySummary:
        sender = GatewaySender(args.gateway, token)
        try:
            return await replay(inputs, sender, options, Progress(len(inputs)))
        finally:
            await sender.close()

    return _print(args, asyncio.run(send()))


def _read(names: list[str], repeat: int) -> list[tuple[str, bytes]]:
    inputs = []
    for item in read_inputs(names, 10 * 1024 * 1024):
        if item.data is None:
            raise UsageError(f"{item.name}: {item.problem}")
        inputs.append((item.name, item.data))
    return inputs * repeat


def _options(
    args: argparse.Namespace, r: ReplaySettings, afzender: str | None, rol: Rol | None
) -> ReplayOptions:
    """``afzender`` None: leave each document's Afzender (a gateway fills in its own); ``rol``
    None: our role is not known, every message is sent."""
    from adapters.testkit.replay import ReplayOptions
    from adapters.testkit.sending import RetryPolicy

    retries = r.retries if args.retries is None else args.retries
    if retries < 0:
        raise UsageError("--retries cannot be negative")
    ontvanger = args.ontvanger or r.ontvanger
    if not ontvanger and not args.keep_ids:
        raise UsageError(
            "name the counterpart with --ontvanger, [replay] ontvanger, or one [[tegenpartij]] in the config"
        )
    return ReplayOptions(
        afzender=afzender,
        ontvanger=ontvanger,
        keep_ids=args.keep_ids,
        rate=r.rate if args.rate is None else args.rate,
        concurrency=args.concurrency or r.concurrency,
        retry=RetryPolicy(retries, r.retry_delay_seconds),
        rol=rol,
    )


async def _send(inputs: list[tuple[str, bytes]], config: ToolConfig, options: ReplayOptions) -> ReplaySummary:
    from adapters.hub.client import HubClient
    from adapters.testkit.progress import Progress
    from adapters.testkit.replay import replay
    from adapters.testkit.sending import HubSender

    sender = HubSender(HubClient(config.hub))
    try:
        return await replay(inputs, sender, options, Progress(len(inputs)))
    finally:
        await sender.close()
