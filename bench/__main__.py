"""`python -m bench [--only FIGURES] [--quick] [--json FILE]`: each figure beside the floor, in one run.

Prints ``name  value  unit  floor  ratio`` lines and writes them to a JSON file.

- Rates (unit ``msg/s``): value and floor are messages per second, ratio = value / floor, so 1.0 means
  the gateway adds nothing to the unavoidable work (:mod:`bench.floor`) of the same message.
- Times (unit ``ms``): value and floor are milliseconds per message, ratio = floor / value (the same
  rate ratio, so higher is better everywhere).
- Latency, memory and drift rows have no floor; their ratio column is ``-``.

Figures (``--only``, comma-separated): inbound, outbound, large, e2e, soak, console. Default: all.
``console``: the server-side time of every page of the operator console with ``--console-messages``
messages in the store (SQLite, and PostgreSQL with ``--postgres``); the target is 300 ms a page.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import sys
import time
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench.floor import make_floor
from bench.messages import betaalvoorstel
from bench.micro import micro_figures
from bench.timing import interleaved

FIGURES = ("inbound", "outbound", "large", "e2e", "soak", "console")
CONSOLE_TARGET_MS = 300.0


class Report:
    def __init__(self) -> None:
        self.rows: list[dict[str, Any]] = []
        print(f"{'name':<52} {'value':>10} {'unit':<6} {'floor':>10} {'ratio':>6}", flush=True)

    def add(
        self, name: str, value: float, unit: str, floor: float | None = None, *, higher_better: bool = True
    ) -> None:
        ratio = None
        if floor is not None and value:
            ratio = value / floor if higher_better else floor / value
        self.rows.append({"name": name, "value": value, "unit": unit, "floor": floor, "ratio": ratio})
        floor_text = f"{floor:>10.2f}" if floor is not None else f"{'-':>10}"
        ratio_text = f"{ratio:>6.2f}" if ratio is not None else f"{'-':>6}"
        print(f"{name:<52} {value:>10.2f} {unit:<6} {floor_text} {ratio_text}", flush=True)


def run_micro(report: Report, groups: set[str], quick: bool) -> float | None:
    """The single-process figures; returns the floor rate of the 10-claim message (for the e2e rows).

    The figures of one message and its floor are timed in one interleaved set, many short rounds,
    so the load other tenants put on the machine hits them alike and every ratio has one floor."""
    rounds, seconds = (2, 0.02) if quick else (15, 0.1)
    claims = (1, 10) if quick else (1, 10, 100)
    floor10 = None
    by_message: dict[bytes, list] = {}
    for figure in micro_figures(groups, claims, large_claims=1000):
        by_message.setdefault(figure.message, []).append(figure)
    for message, figs in by_message.items():
        funcs = {f.name: f.func for f in figs}
        funcs["floor"] = make_floor(message, figs[0].berichttype)
        timings = interleaved(funcs, rounds, seconds)
        floor_t = timings["floor"]
        for figure in figs:
            value = timings[figure.name]
            if figure.group == "large":
                report.add(
                    figure.name, value.median_s * 1000, "ms", floor_t.median_s * 1000, higher_better=False
                )
            else:
                report.add(figure.name, value.per_second, "msg/s", floor_t.per_second)
        if message == betaalvoorstel(10):
            floor10 = floor_t.per_second
    return floor10


def floor_rate(quick: bool) -> float:
    rounds, seconds = (2, 0.02) if quick else (15, 0.1)
    return interleaved({"floor": make_floor(betaalvoorstel(10))}, rounds, seconds)["floor"].per_second


def postgres_available(dsn: str) -> str | None:
    """None when PostgreSQL answers at ``dsn``, else why not."""
    try:
        import asyncpg

        async def probe() -> None:
            conn = await asyncpg.connect(dsn, timeout=5)
            await conn.close()

        asyncio.run(probe())
    except Exception as exc:  # any failure means: skip the PostgreSQL rows, and say why
        return f"{type(exc).__name__}: {exc}"
    return None


def run_e2e(report: Report, args: argparse.Namespace, floor10: float, extra: dict[str, Any]) -> None:
    from bench import e2e

    count = args.e2e_messages
    pg_missing = postgres_available(args.postgres) if args.postgres else "no --postgres DSN"
    if pg_missing:
        print(f"# PostgreSQL rows skipped: {pg_missing}", flush=True)
    runs: list[tuple[str, int]] = [("sqlite", 1)]
    if not pg_missing:
        runs += [("postgres", 1), ("postgres", 2)]
    results = []
    with e2e.Bench(keep=args.keep) as bench:
        for kind, processes in runs:
            r = e2e.run_throughput(
                bench.env, bench.procs, kind, processes, count, args.postgres, args.concurrency
            )
            results.append(r)
            label = f"e2e {kind} {processes} proc"
            report.add(f"{label} delivered+confirmed", r.per_second, "msg/s", floor10)
            # CPU per message does not depend on how much CPU other tenants of the machine leave us
            report.add(
                f"{label} gateway CPU per msg", r.gateway_cpu_ms, "ms", 1000 / floor10, higher_better=False
            )
            report.add(f"{label} hub simulator CPU per msg", r.hub_cpu_ms, "ms")
            report.add(f"{label} peak RSS (max of processes)", max(r.peak_rss_mib), "MiB")
            if r.delivered < count:
                print(f"# {label}: only {r.delivered} of {count} delivered; states {r.states}", flush=True)
        by = {(r.store, r.processes): r for r in results}
        if ("postgres", 1) in by and ("postgres", 2) in by and by[("postgres", 1)].per_second:
            scale = by[("postgres", 2)].per_second / by[("postgres", 1)].per_second
            report.add("e2e postgres 2 proc / 1 proc", scale, "x")
        seconds = 2 if args.quick else args.latency_seconds
        for rate in args.rates:
            lat = e2e.run_latency(bench.env, bench.procs, "sqlite", rate, seconds, args.postgres)
            results.append(lat)
            report.add(f"e2e sqlite latency p50 at {rate:.0f}/s", lat.latency_p50_ms or 0.0, "ms")
            report.add(f"e2e sqlite latency p99 at {rate:.0f}/s", lat.latency_p99_ms or 0.0, "ms")
            report.add(f"e2e sqlite hub's own work p50 at {rate:.0f}/s", lat.hub_work_p50_ms or 0.0, "ms")
            report.add(f"e2e sqlite added by gateway p50 at {rate:.0f}/s", lat.added_p50_ms or 0.0, "ms")
            report.add(f"e2e sqlite added by gateway p99 at {rate:.0f}/s", lat.added_p99_ms or 0.0, "ms")
        extra["hub_peak_rss_mib"] = bench.hub_peak_rss_mib()
    extra["e2e"] = [asdict(r) for r in results]


def run_soak(report: Report, args: argparse.Namespace, floor10: float, extra: dict[str, Any]) -> None:
    from bench import e2e

    with e2e.Bench(keep=args.keep) as bench:
        r = e2e.run_soak(bench.env, bench.procs, args.soak_messages, args.concurrency, args.soak_time_limit)
    label = f"soak {r.delivered} msgs"
    report.add(f"{label} throughput", r.per_second, "msg/s", floor10)
    report.add(f"{label} RSS growth", r.rss_end_mib - r.rss_start_mib, "MiB")
    report.add(f"{label} RSS peak", r.rss_peak_mib, "MiB")
    report.add(f"{label} drift (last 3 / first 3 tenths - 1)", r.drift * 100, "%")
    if r.delivered < r.count:
        print(f"# soak: {r.delivered} of {r.count} delivered within the time limit", flush=True)
    extra["soak"] = asdict(r)


def run_console(report: Report, args: argparse.Namespace, extra: dict[str, Any]) -> None:
    import tempfile

    from bench import console

    pg_missing = postgres_available(args.postgres) if args.postgres else "no --postgres DSN"
    if pg_missing:
        print(f"# console: PostgreSQL rows skipped: {pg_missing}", flush=True)
    with tempfile.TemporaryDirectory(prefix="skgw-console-bench-") as workdir:
        results = console.run_figures(
            args.console_messages, args.console_rounds, None if pg_missing else args.postgres, Path(workdir),
            tuple(b.strip() for b in args.console_backends.split(",") if b.strip()),
        )
    slowest = 0.0
    for kind, result in results.items():
        report.add(f"console {kind} seeding {args.console_messages} messages", result["seeding_s"], "s")
        for page, (median, worst) in result["pages"].items():
            report.add(f"console {kind} {page} (median)", median, "ms")
            slowest = max(slowest, worst)
        worst_page = max(result["pages"].items(), key=lambda kv: kv[1][1])
        report.add(f"console {kind} slowest page max ({worst_page[0]})", worst_page[1][1], "ms")
    over = slowest > CONSOLE_TARGET_MS
    print(f"# console: slowest page {slowest:.1f} ms (target {CONSOLE_TARGET_MS:.0f} ms)"
          + (" — OVER THE TARGET" if over else ""), flush=True)  # fmt: skip
    extra["console"] = {k: {"seeding_s": v["seeding_s"], "pages": v["pages"]} for k, v in results.items()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", default=",".join(FIGURES), help=f"figures, comma-separated: {FIGURES}")
    parser.add_argument("--quick", action="store_true", help="tiny configuration (the smoke test)")
    parser.add_argument("--json", type=Path, default=Path("bench/results/latest.json"))
    parser.add_argument(
        "--postgres",
        default=os.environ.get("SKPGW_TEST_POSTGRES_DSN"),
        help="PostgreSQL DSN for the e2e rows; the bench creates and drops its own database "
        "there (default: $SKPGW_TEST_POSTGRES_DSN)",
    )
    parser.add_argument("--e2e-messages", type=int, default=3000, help="messages per throughput run")
    parser.add_argument("--concurrency", type=int, default=32, help="submitting clients")
    parser.add_argument(
        "--rates", default="100,200", help="messages/s of the latency runs (open loop), comma-separated"
    )
    parser.add_argument("--latency-seconds", type=float, default=15.0)
    parser.add_argument("--soak-messages", type=int, default=100_000)
    parser.add_argument("--soak-time-limit", type=float, default=900.0, help="seconds of submitting")
    parser.add_argument("--console-messages", type=int, default=100_000, help="messages in the store")
    parser.add_argument("--console-rounds", type=int, default=10, help="requests per console page")
    parser.add_argument("--console-backends", default="sqlite,postgres", help="stores for the console figure")
    parser.add_argument("--keep", action="store_true", help="keep the work directory (logs, databases)")
    args = parser.parse_args(argv)
    groups = {g.strip() for g in args.only.split(",") if g.strip()}
    try:
        args.rates = [float(r) for r in args.rates.split(",") if r.strip()]
    except ValueError:
        parser.error("--rates: numbers separated by commas, e.g. 100,200")
    unknown = groups - set(FIGURES)
    if unknown:
        parser.error(f"unknown figures: {', '.join(sorted(unknown))} (known: {', '.join(FIGURES)})")
    if args.quick:
        args.e2e_messages = min(args.e2e_messages, 40)
        args.soak_messages = min(args.soak_messages, 60)
        args.rates = [20.0]
        args.console_messages = min(args.console_messages, 500)
        args.console_rounds = min(args.console_rounds, 2)

    started = time.time()
    load_before = os.getloadavg()
    report = Report()
    extra: dict[str, Any] = {}
    floor10 = run_micro(report, groups & {"inbound", "outbound", "large"}, args.quick)
    if groups & {"e2e", "soak"} and floor10 is None:
        floor10 = floor_rate(args.quick)
    if "e2e" in groups:
        run_e2e(report, args, floor10 or 0.0, extra)
    if "soak" in groups:
        run_soak(report, args, floor10 or 0.0, extra)
    if "console" in groups:
        run_console(report, args, extra)
    load_after = os.getloadavg()
    print(
        f"# {os.cpu_count()} CPUs; load average before {load_before[0]:.2f}, after {load_after[0]:.2f} "
        f"(1 min); {time.time() - started:.0f} s",
        flush=True,
    )
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(
        json.dumps(
            {
                "when": datetime.now(UTC).isoformat(timespec="seconds"),
                "python": sys.version.split()[0],
                "machine": platform.machine(),
                "cpus": os.cpu_count(),
                "load_average_before": load_before,
                "load_average_after": load_after,
                "quick": args.quick,
                "figures_run": sorted(groups),
                "figures": report.rows,
                **extra,
            },
            indent=2,
        )
    )
    print(f"written: {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
