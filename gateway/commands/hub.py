"""`skgw hub --config FILE`: run the local Schuldenknooppunt simulator until interrupted."""

from __future__ import annotations

import argparse
import asyncio
import logging
import signal
import sys
from pathlib import Path

from gateway.security.errors import SecurityError


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "hub",
        help="run a local Schuldenknooppunt simulator (mTLS, signed SOAP, fault injection)",
        description="Run the hub simulator. `skgw dev-pki DIR` writes certificates and a DIR/hub.toml.",
    )
    p.add_argument("--config", type=Path, required=True, help="the simulator's TOML configuration")
    p.add_argument("--port", type=int, help="override [hub] port (0: any free port)")
    p.add_argument("--admin-port", type=int, help="override [hub] admin_port")
    p.add_argument(
        "--memory",
        action="store_true",
        help="keep the messages in memory only (lost at a restart); default: the [hub] state file, "
        "hub-state.sqlite next to the config",
    )
    volume = p.add_mutually_exclusive_group()
    volume.add_argument("-v", "--verbose", action="store_true", help="debug logging")
    volume.add_argument("-q", "--quiet", action="store_true", help="warnings only (no line per request)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from dataclasses import replace

    from adapters.hub.simulator import HubSimulator
    from adapters.hub.simulator_config import ConfigError, load_config
    from adapters.hub.simulator_store import HubStoreError

    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.WARNING if args.quiet else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    try:
        config = load_config(args.config)
        if args.port is not None:
            config = replace(config, port=args.port)
        if args.admin_port is not None:
            config = replace(config, admin_port=args.admin_port)
        if args.memory:
            config = replace(config, state_path=None)
        simulator = HubSimulator(config)
    except (ConfigError, SecurityError, TypeError, HubStoreError) as exc:
        print(f"skgw hub: {exc}", file=sys.stderr)
        return 2
    try:
        asyncio.run(_serve(simulator))
    except OSError as exc:
        print(f"skgw hub: cannot listen: {exc}", file=sys.stderr)
        return 2
    return 0


async def _serve(simulator) -> None:  # noqa: ANN001 - HubSimulator, imported lazily
    await simulator.start()
    print(f"hub listening on {simulator.url}", flush=True)
    if simulator.admin_url:
        print(f"admin endpoint on {simulator.admin_url}", flush=True)
    state = simulator.state
    where = state.store.location if simulator.config.state_path else "memory only (--memory)"
    print(f"state in {where}: {state.totaal} message(s), {state.wachtend} waiting to be fetched", flush=True)
    for partij in simulator.config.partijen:
        print(f"  {partij.id}  {partij.rol:<3}  OIN {partij.oin}  {partij.naam}", flush=True)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)  # stop gracefully: answer in-flight calls, then close
    try:
        await stop.wait()
    finally:
        await simulator.stop()
        print("hub stopped", flush=True)
