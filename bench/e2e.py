"""End to end through the daemon: API submit -> store -> dispatcher -> mTLS -> hub simulator -> receipt.

Every party is its own process, so no two share one GIL: the hub simulator (``skgw hub``), one or two
gateways (``skgw serve``, an SHV) and this process as the load generator (the organisation's system
posting JSON to ``POST /api/berichten``). The code that runs is this checkout's (``PYTHONPATH``).

What is measured:

- throughput: ``count`` messages submitted as fast as ``concurrency`` clients allow; messages/s is the
  number delivered and confirmed by the hub (receipt verified, row ``delivered``) divided by the time
  from the first submit to the last delivery (the row's ``updated_at``, read from the store);
- latency at a fixed rate (open loop): submit -> delivered per message, p50/p99. It includes the hub
  simulator's own work (verify, XSD, sign the receipt): the gateway cannot see where that starts;
- peak RSS (``VmHWM``) of each gateway process;
- the soak: RSS sampled during a long run and throughput per tenth of the run (drift).
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import tomllib
import urllib.request
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import aiohttp

from bench.messages import betaalvoorstel
from gateway.codec import decode
from gateway.codec.json_form import to_json

ROOT = Path(__file__).resolve().parents[1]
TOKEN = "bench-token-0123456789abcdefghijklmnopqrstuv"
SHV = ("Gemeente Bench", "00000001001234567000", "SHV")
SE = ("Energie Bench", "00000003123456780000", "SE")
PG_ADMIN_DSN = "postgresql://postgres@127.0.0.1:5432/test"
PG_BENCH_DB = "skgw_bench"
#: the dispatcher's settings for the runs (config keys, documented in docs/performance.md)
DISPATCH = {"batch_size": 100, "max_concurrent": 32}
REPLAY_CACHE_SIZE = 1_000_000


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT) + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    env["SKGW_BENCH_TOKEN"] = TOKEN
    return env


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def rss_kib(pid: int, key: str = "VmRSS") -> int:
    """A process's resident set (``VmRSS``) or its peak (``VmHWM``) in KiB, from /proc."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(key + ":"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def cpu_seconds(pid: int) -> float:
    """User + system CPU time a process has used so far, from /proc (0.0 when it is gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def percentile(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(p / 100 * (len(ordered) - 1))))
    return ordered[index]


# -- processes -------------------------------------------------------------------------------------
class Processes(AbstractContextManager["Processes"]):
    """Child processes started by the benchmark; stopped (SIGTERM, then SIGKILL) by their own pid."""

    def __init__(self) -> None:
        self.children: list[subprocess.Popen] = []

    def start(self, args: list[str], log: Path) -> subprocess.Popen:
        out = log.open("wb")
        proc = subprocess.Popen(
            [sys.executable, *args], cwd=ROOT, env=_env(), stdout=subprocess.PIPE, stderr=out
        )
        self.children.append(proc)
        return proc

    def stop(self, proc: subprocess.Popen) -> None:
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=5)
        if proc.stdout:
            proc.stdout.close()

    def __exit__(self, *exc: object) -> None:
        for proc in reversed(self.children):
            self.stop(proc)


@dataclass
class Pki:
    dir: Path
    shv_id: str
    se_id: str


def make_pki(workdir: Path) -> Pki:
    pki = workdir / "pki"
    parties = [f"--party={n}={o}:{r}" for n, o, r in (SHV, SE)]
    subprocess.run(
        [sys.executable, "-m", "gateway.cli", "dev-pki", str(pki), *parties],
        cwd=ROOT, env=_env(), check=True, capture_output=True,
    )  # fmt: skip
    # the replay caches hold rate x window (600 s) entries: above ~166 msg/s the default 100,000 fills up
    text = (
        (pki / "hub.toml")
        .read_text()
        .replace("[wssecurity]\n", f"[wssecurity]\nreplay_cache_size = {REPLAY_CACHE_SIZE}\n")
    )
    (pki / "hub.toml").write_text(text)
    hub = tomllib.loads(text)
    ids = {p["oin"]: p["id"] for p in hub["partij"]}
    return Pki(pki, ids[SHV[1]], ids[SE[1]])


def start_hub(procs: Processes, pki: Pki, workdir: Path) -> tuple[subprocess.Popen, str, str]:
    """The hub simulator as its own process: its process, its SOAP URL and its admin URL."""
    proc = procs.start(
        ["-m", "gateway.cli", "hub", "--config", str(pki.dir / "hub.toml"),
         "--port", "0", "--admin-port", "0", "--quiet"],  # as the gateways: warnings only
        workdir / "hub.log",
    )  # fmt: skip
    deadline = time.monotonic() + 30
    assert proc.stdout is not None
    url = None
    while time.monotonic() < deadline:
        line = proc.stdout.readline().decode()
        if line.startswith("hub listening on "):
            url = line.split()[-1]
        elif line.startswith("admin endpoint on ") and url:
            return proc, url, line.split()[-1]
        if not line and proc.poll() is not None:
            break
    raise RuntimeError(f"the hub simulator did not start; see {workdir / 'hub.log'}")


def hub_work_ms(admin_url: str, *, clear: bool = False) -> dict[str, float]:
    """The hub's own work per request by MessageID (``/admin/processing-times``); ``clear`` empties it."""
    request = urllib.request.Request(
        admin_url.rstrip("/") + "/processing-times", method="DELETE" if clear else "GET"
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        return dict(json.load(response)["ms"])


def gateway_toml(pki: Pki, hub_url: str, store_url: str, port: int, name: str) -> str:
    d = pki.dir
    return f"""
[gateway]
rol = "SHV"
adres = "{pki.shv_id}"
naam = "{name}"

[store]
url = "{store_url}"

[tls]
certificate = "{d / "gemeente-bench.pem"}"
private_key = "{d / "gemeente-bench.key.pem"}"
ca_bundle = "{d / "ca.pem"}"

[hub]
endpoint = "{hub_url}"
hub_oin = "00000001800866472000"
max_connections = {DISPATCH["max_concurrent"]}

[api]
port = {port}

[[api.tokens]]
name = "bench"
env = "SKGW_BENCH_TOKEN"
roles = ["read", "submit", "operate"]

[wssecurity]
replay_cache_size = {REPLAY_CACHE_SIZE}

[engine]
node = "{name}"

[engine.dispatch]
batch_size = {DISPATCH["batch_size"]}
max_concurrent = {DISPATCH["max_concurrent"]}

[logging]
level = "warning"

[[tegenpartij]]
id = "{pki.se_id}"
naam = "{SE[0]}"
oin = "{SE[1]}"
rol = "SE"
versie = "2.0"
kent_sa = true
"""


@dataclass
class Gateway:
    proc: subprocess.Popen
    port: int
    name: str

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"


def start_gateways(
    procs: Processes, pki: Pki, hub_url: str, store_url: str, workdir: Path, count: int
) -> list[Gateway]:
    gateways = []
    for index in range(count):
        port = _free_port()
        name = f"bench-gw{index + 1}"
        config = workdir / f"{name}.toml"
        config.write_text(gateway_toml(pki, hub_url, store_url, port, name))
        proc = procs.start(["-m", "gateway.cli", "serve", "--config", str(config)], workdir / f"{name}.log")
        gateways.append(Gateway(proc, port, name))
        if index == 0 and count > 1:
            _wait_ready(gateways[0], workdir)  # one migrates the store before the others open it
    for gw in gateways:
        _wait_ready(gw, workdir)
    return gateways


def _wait_ready(gw: Gateway, workdir: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if gw.proc.poll() is not None:
            raise RuntimeError(f"{gw.name} exited; see {workdir / (gw.name + '.log')}")
        try:
            with socket.create_connection(("127.0.0.1", gw.port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"{gw.name} did not open its API within 60 s")


# -- the store, read by the benchmark (never written) ------------------------------------------------
class StoreReader:
    def __init__(self, url: str) -> None:
        self.url = url

    def _parse(self, value: Any) -> float:
        if isinstance(value, datetime):
            return value.timestamp()
        return datetime.fromisoformat(str(value).replace("Z", "+00:00")).timestamp()

    def _query(self, sql: str) -> list[tuple[Any, ...]]:
        if self.url.startswith("sqlite:///"):
            with sqlite3.connect(f"file:{self.url[10:]}?mode=ro", uri=True, timeout=30) as db:
                return db.execute(sql).fetchall()
        return asyncio.run(self._pg(sql))

    async def _pg(self, sql: str) -> list[tuple[Any, ...]]:
        import asyncpg

        conn = await asyncpg.connect(self.url)
        try:
            return [tuple(r) for r in await conn.fetch(sql)]
        finally:
            await conn.close()

    def delivered(self) -> int:
        return self._query("SELECT count(*) FROM outbox WHERE state = 'delivered'")[0][0]

    def states(self) -> dict[str, int]:
        return dict(self._query("SELECT state, count(*) FROM outbox GROUP BY state"))

    def delivered_at(self) -> dict[str, float]:
        rows = self._query("SELECT referentienummer, updated_at FROM outbox WHERE state = 'delivered'")
        return {ref: self._parse(at) for ref, at in rows}


def fresh_postgres(dsn: str) -> str:
    """Drop and create the benchmark's own database; return its URL."""
    import asyncpg

    async def run() -> None:
        conn = await asyncpg.connect(dsn)
        try:
            await conn.execute(f"DROP DATABASE IF EXISTS {PG_BENCH_DB} WITH (FORCE)")
            await conn.execute(f"CREATE DATABASE {PG_BENCH_DB}")
        finally:
            await conn.close()

    asyncio.run(run())
    return dsn.rsplit("/", 1)[0] + "/" + PG_BENCH_DB


# -- the load generator ------------------------------------------------------------------------------
def submission(pki: Pki, claims: int = 10) -> bytes:
    body = to_json(decode(betaalvoorstel(claims)))
    body["berichtheader"] = {"ontvanger": pki.se_id}
    return json.dumps(body).encode()


@dataclass
class Load:
    submitted: dict[str, float] = field(default_factory=dict)  # referentienummer -> wall clock
    refused: int = 0
    first: float = 0.0
    last: float = 0.0


async def _submit(session: aiohttp.ClientSession, gw: Gateway, body: bytes, load: Load) -> None:
    started = time.time()
    headers = {"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json"}
    async with session.post(gw.base + "/api/berichten", data=body, headers=headers) as response:
        answer = await response.read()
    if response.status != 202:
        load.refused += 1
        return
    load.submitted[json.loads(answer)["referentienummer"]] = started


async def generate(
    gateways: list[Gateway],
    body: bytes,
    count: int,
    *,
    concurrency: int = 16,
    rate: float | None = None,
    time_limit: float = 600,
    on_progress: Callable[[int], None] | None = None,
) -> Load:
    """Submit ``count`` messages round-robin over the gateways: as fast as ``concurrency`` allows, or
    open loop at ``rate`` per second. Bounded by ``time_limit`` seconds."""
    load = Load(first=time.time())
    deadline = time.monotonic() + time_limit
    connector = aiohttp.TCPConnector(limit=concurrency)
    async with aiohttp.ClientSession(connector=connector) as session:
        if rate:
            t0 = time.monotonic()
            tasks = []
            for i in range(count):
                wait = t0 + i / rate - time.monotonic()
                if wait > 0:
                    await asyncio.sleep(wait)
                if time.monotonic() > deadline:
                    break
                tasks.append(asyncio.create_task(_submit(session, gateways[i % len(gateways)], body, load)))
            await asyncio.gather(*tasks)
        else:
            counter = iter(range(count))

            async def worker() -> None:
                for i in counter:
                    if time.monotonic() > deadline:
                        return
                    await _submit(session, gateways[i % len(gateways)], body, load)
                    if on_progress is not None:
                        on_progress(i)

            await asyncio.gather(*(worker() for _ in range(concurrency)))
    load.last = time.time()
    return load


def wait_delivered(reader: StoreReader, count: int, time_limit: float) -> int:
    deadline = time.monotonic() + time_limit
    delivered = 0
    while time.monotonic() < deadline:
        delivered = reader.delivered()
        if delivered >= count:
            break
        time.sleep(0.2)
    return delivered


# -- the scenarios -----------------------------------------------------------------------------------
@dataclass
class Environment:
    workdir: Path
    pki: Pki
    hub_url: str
    hub_pid: int
    hub_admin_url: str


@dataclass
class E2eResult:
    store: str
    processes: int
    count: int
    delivered: int
    per_second: float
    submit_per_second: float
    latency_p50_ms: float | None
    latency_p99_ms: float | None
    rate: float | None
    peak_rss_mib: list[float]
    states: dict[str, int]
    gateway_cpu_ms: float = 0.0  # CPU per delivered message, all gateway processes together
    hub_cpu_ms: float = 0.0  # the hub simulator's CPU per delivered message
    # latency runs: submit -> delivered minus the hub's own work on that message (its handler time,
    # /admin/processing-times); the hub's queueing and the network stay counted as the gateway's
    added_p50_ms: float | None = None
    added_p99_ms: float | None = None
    hub_work_p50_ms: float | None = None


def store_url(kind: str, workdir: Path, pg_dsn: str, tag: str) -> str:
    if kind == "sqlite":
        return f"sqlite:///{workdir / f'{tag}.db'}"
    return fresh_postgres(pg_dsn)


def run_throughput(
    env: Environment, procs: Processes, kind: str, processes: int, count: int, pg_dsn: str, concurrency: int
) -> E2eResult:
    url = store_url(kind, env.workdir, pg_dsn, f"tp-{kind}-{processes}")
    gateways = start_gateways(procs, env.pki, env.hub_url, url, env.workdir, processes)
    try:
        body = submission(env.pki)
        asyncio.run(generate(gateways, body, min(50, count), concurrency=4))  # warm: TLS pool, caches
        reader = StoreReader(url)
        wait_delivered(reader, min(50, count), 60)
        warm = reader.delivered()
        cpu0 = [cpu_seconds(g.proc.pid) for g in gateways], cpu_seconds(env.hub_pid)
        load = asyncio.run(generate(gateways, body, count, concurrency=concurrency))
        delivered = wait_delivered(reader, warm + len(load.submitted), 300) - warm
        gw_cpu = sum(cpu_seconds(g.proc.pid) for g in gateways) - sum(cpu0[0])
        hub_cpu = cpu_seconds(env.hub_pid) - cpu0[1]
        times = reader.delivered_at()
        done = [times[r] for r in load.submitted if r in times]
        span = (max(done) - load.first) if done else float("nan")
        return E2eResult(
            store=kind,
            processes=processes,
            count=count,
            delivered=delivered,
            per_second=len(done) / span if done else 0.0,
            submit_per_second=len(load.submitted) / (load.last - load.first),
            latency_p50_ms=None,
            latency_p99_ms=None,
            rate=None,
            peak_rss_mib=[rss_kib(g.proc.pid, "VmHWM") / 1024 for g in gateways],
            states=reader.states(),
            gateway_cpu_ms=gw_cpu / delivered * 1000 if delivered else 0.0,
            hub_cpu_ms=hub_cpu / delivered * 1000 if delivered else 0.0,
        )
    finally:
        for gw in gateways:
            procs.stop(gw.proc)


def run_latency(
    env: Environment, procs: Processes, kind: str, rate: float, seconds: float, pg_dsn: str
) -> E2eResult:
    url = store_url(kind, env.workdir, pg_dsn, f"lat-{kind}")
    gateways = start_gateways(procs, env.pki, env.hub_url, url, env.workdir, 1)
    try:
        body = submission(env.pki)
        reader = StoreReader(url)
        asyncio.run(generate(gateways, body, 50, concurrency=4))
        wait_delivered(reader, 50, 60)
        count = max(1, int(rate * seconds))
        hub_work_ms(env.hub_admin_url, clear=True)
        load = asyncio.run(generate(gateways, body, count, rate=rate, concurrency=64))
        wait_delivered(reader, 50 + len(load.submitted), 120)
        times = reader.delivered_at()
        latencies = [(times[r] - t) * 1000 for r, t in load.submitted.items() if r in times]
        hub = hub_work_ms(env.hub_admin_url)
        work = [hub.get(f"urn:uuid:{r}", 0.0) for r, t in load.submitted.items() if r in times]
        added = [total - w for total, w in zip(latencies, work, strict=True)]
        return E2eResult(
            store=kind,
            processes=1,
            count=count,
            delivered=len(latencies),
            per_second=len(load.submitted) / (load.last - load.first),
            submit_per_second=len(load.submitted) / (load.last - load.first),
            latency_p50_ms=statistics.median(latencies) if latencies else None,
            latency_p99_ms=percentile(latencies, 99) if latencies else None,
            rate=rate,
            peak_rss_mib=[rss_kib(g.proc.pid, "VmHWM") / 1024 for g in gateways],
            states=reader.states(),
            added_p50_ms=statistics.median(added) if added else None,
            added_p99_ms=percentile(added, 99) if added else None,
            hub_work_p50_ms=statistics.median(work) if work else None,
        )
    finally:
        for gw in gateways:
            procs.stop(gw.proc)


@dataclass
class SoakResult:
    count: int
    delivered: int
    seconds: float
    per_second: float
    rss_start_mib: float
    rss_end_mib: float
    rss_peak_mib: float
    windows_per_second: list[float]
    drift: float  # mean of the last three tenths / mean of the first three - 1 (steady state)


def run_soak(
    env: Environment, procs: Processes, count: int, concurrency: int, time_limit: float
) -> SoakResult:
    url = store_url("sqlite", env.workdir, "", "soak")
    gw = start_gateways(procs, env.pki, env.hub_url, url, env.workdir, 1)[0]
    try:
        body = submission(env.pki)
        reader = StoreReader(url)
        warm_count = min(200, count)
        asyncio.run(generate([gw], body, warm_count, concurrency=8))
        wait_delivered(reader, warm_count, 60)
        rss_start = rss_kib(gw.proc.pid) / 1024
        samples: list[float] = []
        step = max(1, count // 50)

        def sample(i: int) -> None:
            if i % step == 0:
                samples.append(rss_kib(gw.proc.pid) / 1024)

        t0 = time.time()
        load = asyncio.run(generate([gw], body, count, concurrency=concurrency, time_limit=time_limit,
                                    on_progress=sample))  # fmt: skip
        wait_delivered(reader, warm_count + len(load.submitted), 300)
        rss_end = rss_kib(gw.proc.pid) / 1024
        times = reader.delivered_at()
        done = sorted(times[r] for r in load.submitted if r in times)
        seconds = (done[-1] - t0) if done else float("nan")
        # steady state: deliveries while messages were still being submitted (after that the
        # dispatcher drains the backlog alone, faster, which says nothing about drift)
        windows = _windows([t for t in done if t <= load.last], t0, 10)
        drift = _drift(windows)
        return SoakResult(
            count=count,
            delivered=len(done),
            seconds=seconds,
            per_second=len(done) / seconds if done else 0.0,
            rss_start_mib=rss_start,
            rss_end_mib=rss_end,
            rss_peak_mib=max([rss_end, *samples]),
            windows_per_second=windows,
            drift=drift,
        )
    finally:
        procs.stop(gw.proc)


def _drift(windows: list[float]) -> float:
    """Mean rate of the last three windows against the first three, minus one (0.0 is no drift)."""
    if len(windows) < 6:
        return 0.0
    first, last = sum(windows[:3]) / 3, sum(windows[-3:]) / 3
    return (last - first) / first if first else 0.0


def _windows(done: list[float], t0: float, parts: int) -> list[float]:
    """Deliveries per second in each tenth of the messages (by count, so each holds the same work)."""
    if len(done) < parts * 2:
        return []
    size = len(done) // parts
    result = []
    start = t0
    for k in range(parts):
        chunk = done[k * size : (k + 1) * size]
        end = chunk[-1]
        result.append(len(chunk) / max(end - start, 1e-6))
        start = end
    return result


class Bench(AbstractContextManager["Bench"]):
    """The PKI, the hub simulator and a work directory, shared by every end-to-end scenario of a run."""

    def __init__(self, keep: bool = False) -> None:
        self.keep = keep
        self.workdir = Path(tempfile.mkdtemp(prefix="skgw-bench-"))
        self.procs = Processes()
        pki = make_pki(self.workdir)
        hub, url, admin = start_hub(self.procs, pki, self.workdir)
        self.env = Environment(self.workdir, pki, url, hub.pid, admin)

    def hub_peak_rss_mib(self) -> float:
        return rss_kib(self.env.hub_pid, "VmHWM") / 1024

    def __exit__(self, *exc: object) -> None:
        self.procs.__exit__(*exc)
        if not self.keep:
            shutil.rmtree(self.workdir, ignore_errors=True)
