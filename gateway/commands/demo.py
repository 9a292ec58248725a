"""`skgw demo`: the hub simulator and three gateways (SQLite) as real processes, and a whole conversation."""

from __future__ import annotations

import argparse
import asyncio
import secrets
import shutil
import signal
import sys
import time
from pathlib import Path

import aiohttp

from gateway.cli import EXIT_INVALID, EXIT_OK


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "demo",
        help="run a whole conversation between real gateways and the local hub simulator",
        description="Creates a development PKI, starts the hub simulator and three gateways (a debt "
        "counsellor, a 2.0 creditor and a 1.1 creditor, each with SQLite), drives Kennisgeving, "
        "Saldoverzoek, a nul-aanbod Betaalvoorstel (SA and the € 0.00 SK workaround), the answers and "
        "the Schuldregeling akkoord through their APIs, prints the timeline and stops everything.",
    )
    parser.add_argument(
        "--workdir",
        type=Path,
        default=Path("demo-run"),
        help="where PKI, configs, logs and databases go (emptied first; default ./demo-run)",
    )
    parser.add_argument(
        "--keep-running",
        action="store_true",
        help="after the conversation, keep Stadsbank Zwolle's gateway (and the hub and the creditors) "
        "running and print the operator console's URL and a token to log in with, until Ctrl-C",
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from adapters.demo.layout import ORGANISATIONS, Layout
    from adapters.demo.processes import DemoError, Process, wait_until_up
    from adapters.demo.script import Demo, Timeline, describe

    workdir: Path = args.workdir.resolve()
    if workdir.exists():
        shutil.rmtree(workdir)
    out = sys.stdout
    print("skp-gateway demo: a whole conversation through the local Schuldenknooppunt simulator\n", file=out)
    layout = Layout.create(workdir)
    token = secrets.token_urlsafe(24)
    (workdir / "logs").mkdir()
    hub = Process(
        "hub simulator", ["hub", "--config", str(workdir / "pki" / "hub.toml")], workdir / "logs" / "hub.log"
    )
    gateways = [
        Process(
            org.naam,
            ["serve", "--config", str(workdir / org.key / "gateway.toml")],
            workdir / "logs" / f"{org.key}.log",
            env={"SKGW_DEMO_TOKEN": token},
        )
        for org in ORGANISATIONS
    ]
    for line in describe(layout):
        print(line, file=out)
    print(f"  logs, configs and databases in {workdir}\n", file=out)

    async def main() -> None:
        hub.start(workdir)
        await wait_until_up(hub, f"http://127.0.0.1:{layout.admin_port}/admin")
        for process in gateways:
            process.start(workdir)
        for process, org in zip(gateways, ORGANISATIONS, strict=True):
            await wait_until_up(process, layout.api_url(org.key) + "/health")
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10)) as session:
            await Demo(layout, token, session, Timeline(out)).run()

    try:
        asyncio.run(main())
        ok = True
        if args.keep_running:
            _keep_running(layout, token, [hub, *gateways], out)
    except DemoError as exc:
        print(f"\ndemo failed: {exc}\nlogs: {workdir / 'logs'}", file=sys.stderr)
        ok = False
    finally:
        codes = [p.stop() for p in (*gateways, hub)]
    stopped_cleanly = all(code in (0, None) for code in codes)
    how = "cleanly" if stopped_cleanly else "with errors (see the logs)"
    print(f"\nstopped the hub and {len(gateways)} gateways ({how}).", file=out)
    if ok:
        print(
            "demo finished: every message delivered, fetched, confirmed and handed over exactly once.",
            file=out,
        )
    return EXIT_OK if ok and stopped_cleanly else EXIT_INVALID


def _keep_running(layout, token: str, processes, out) -> None:
    """Leave everything up and say how to open the console, until Ctrl-C (or SIGTERM)."""
    from adapters.demo.layout import ORGANISATIONS

    print("\nThe gateways keep running. Open the operator console of Stadsbank Zwolle:", file=out)
    print(f"  {layout.api_url('shv')}/ui/", file=out)
    print(f"  token: {token}", file=out)
    print("  (the creditors' consoles, with the same token: "
          + ", ".join(f"{o.naam} {layout.api_url(o.key)}/ui/" for o in ORGANISATIONS if o.key != "shv")
          + ")", file=out)  # fmt: skip
    print("Press Ctrl-C to stop.", file=out, flush=True)

    def stop(signum, frame) -> None:
        raise KeyboardInterrupt

    # Ctrl-C (also when started in the background, where SIGINT may be inherited as ignored) or SIGTERM
    previous = {sig: signal.signal(sig, stop) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        while all(p.popen is not None and p.popen.poll() is None for p in processes):
            time.sleep(0.5)
        print("a process of the demo stopped on its own; see the logs", file=out)
    except KeyboardInterrupt:
        print("", file=out)
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
