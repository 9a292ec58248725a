"""The operator console with a full store: how long each page takes server-side (target: 300 ms).

The store (SQLite, and PostgreSQL when a DSN is given) is filled with ``count`` messages as a busy
gateway has them: 60 % sent and 40 % received, real documents (the fixtures, a few kB each, so the
rows have the size of real ones), a year of history, 5 counterparts, a conversation per five
messages with its KlantnummerSHV, one attempt row per sent message, dead letters, queued rows, a
quarantine and open, answered and overdue conversations. Then every page of /ui is requested in
turn through the real application (sessions, middlewares, templates) and the time from the first
middleware to the last byte of the handler is taken, ``rounds`` times per page: the median and the
maximum are reported in ms.
"""

from __future__ import annotations

import asyncio
import json
import random
import re
import statistics
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import aiohttp
from aiohttp import web
from aiohttp.test_utils import TestServer

from gateway.adresboek import Adresboek, Tegenpartij
from gateway.api.app import make_app
from gateway.api.auth import ALL_ROLES, ClientBook, TokenBook
from gateway.api.context import ApiContext
from gateway.api.metrics import Metrics
from gateway.config import Config, GatewaySettings
from gateway.conversatie.machine import Gebeurtenis, stap
from gateway.engine.runner import Engine
from gateway.model.berichttype import Berichttype, Rol
from gateway.store.base import Store
from gateway.store.records import ConsoleAction, ConversatieChange, sha256_hex
from gateway.store.sqlcore import conversation_write

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "fixtures" / "valid" / "2.0"
TOKEN = "bench-console-0123456789abcdefghijklmnop"
EIGEN = "0b5e7c1a-1111-4a2b-8c3d-000000000001"
NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
UIT_TYPES = ("Kennisgeving", "Saldoverzoek", "Betaalvoorstel", "SchuldregelingAkkoord")
IN_TYPES = ("KennisgevingAntwoord", "SaldoverzoekAntwoord", "BetaalvoorstelAntwoord")
PARTIJEN = tuple(
    Tegenpartij(str(uuid.uuid5(uuid.NAMESPACE_URL, f"bench-se-{i}")), f"Schuldeiser {i}",
                f"0000000312345678{i:04d}", Rol.SE, "2.0" if i % 2 else "1.1", bool(i % 2))
    for i in range(5)
)  # fmt: skip


@dataclass
class Seeded:
    dead: str  # a dead letter's Referentienummer
    delivered: str  # a delivered outbound message with its attempt
    inbound: str
    conversatie: str
    overdue_conversatie: str
    klant: str
    partij: str


def _documents() -> dict[str, bytes]:
    return {name: (FIXTURES / f"{name}.xml").read_bytes() for name in (*UIT_TYPES, *IN_TYPES)}


async def seed(store: Store, count: int, rng: random.Random) -> Seeded:
    docs = _documents()
    uit, inn = count * 6 // 10, count - count * 6 // 10
    conversations = max(1, count // 5)
    convs = [str(uuid.UUID(int=rng.getrandbits(128))) for _ in range(conversations)]
    span = timedelta(days=365).total_seconds()
    out_rows, attempt_rows, in_rows, sink_rows, quarantine_rows = [], [], [], [], []
    for i in range(uit):
        c = i % conversations
        ref = str(uuid.UUID(int=rng.getrandbits(128)))
        at = NOW - timedelta(seconds=span * (1 - i / uit))
        state = "dead" if i % 200 == 7 else "queued" if i % 120 == 5 else "delivered"
        bt = UIT_TYPES[i % len(UIT_TYPES)]
        nxt = at + timedelta(days=400) if state == "queued" else at
        out_rows.append((ref, bt, PARTIJEN[c % 5].id, convs[c], docs[bt], sha256_hex(docs[bt]), state,
                         1, 1, nxt, at + timedelta(days=5), None if state != "dead" else "permanent [X]",
                         at, at + timedelta(seconds=1), f"KL-{c:06d}"))  # fmt: skip
        attempt_rows.append((ref, "bench", at, 12, "delivered" if state == "delivered" else "permanent"))
    for i in range(inn):
        c = i % conversations
        ref = str(uuid.UUID(int=rng.getrandbits(128)))
        at = NOW - timedelta(seconds=span * (1 - i / inn)) + timedelta(seconds=30)
        state = "quarantined" if i % 250 == 3 else "decoded" if i % 150 == 11 else "delivered"
        bt = IN_TYPES[i % len(IN_TYPES)]
        in_rows.append((ref, bt, PARTIJEN[c % 5].id, EIGEN, convs[c], docs[bt], sha256_hex(docs[bt]),
                        b"", state != "quarantined", "[]", b"{}", state, at, at, at,
                        at + timedelta(seconds=1), f"KL-{c:06d}"))  # fmt: skip
        if state != "quarantined":
            sink_rows.append((ref, "folder", "pending" if state == "decoded" else "delivered", at, at, at))
        else:
            problem = json.dumps([{"code": "cvc-complex-type", "message": "element not expected"}])
            quarantine_rows.append((ref, PARTIJEN[c % 5].id, bt, problem, None, "Foutbericht queued", at))
    async with store._tx() as c:  # type: ignore[attr-defined]  # bulk: one transaction per table
        await c.executemany(
            """INSERT INTO outbox (referentienummer, berichttype, ontvanger, conversatie, document, sha256,
                   state, attempts, claims, next_attempt_at, deadline, last_error, created_at, updated_at,
                   klantnummer_shv) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15)""",
            out_rows,
        )
        await c.executemany(
            """INSERT INTO outbox_attempt (referentienummer, attempt_no, owner, started_at, duration_ms,
                   outcome, reason) VALUES ($1, 1, $2, $3, $4, $5, '')""",
            attempt_rows,
        )
        await c.executemany(
            """INSERT INTO inbox (referentienummer, berichttype, afzender, ontvanger, conversatie, document,
                   sha256, envelope, valid, problems, json_body, state, received_at, hub_received_at,
                   confirmed_at, updated_at, klantnummer_shv)
               VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$17)""",
            in_rows,
        )
        await c.executemany(
            """INSERT INTO sink_delivery (referentienummer, sink, state, next_attempt_at, deadline,
                   updated_at) VALUES ($1,$2,$3,$4,$5,$6)""",
            sink_rows,
        )
        await c.executemany(
            """INSERT INTO quarantine (referentienummer, afzender, berichttype, problems,
                   foutbericht_referentienummer, note, created_at) VALUES ($1,$2,$3,$4,$5,$6,$7)""",
            quarantine_rows,
        )
        writes = [
            conversation_write(_conversation(convs[i], PARTIJEN[i % 5].id, i, conversations))
            for i in range(conversations)
        ]
        await c.executemany(writes[0][0], [args for _, args in writes])  # all new: one insert statement
    for i in range(200):
        actie = ConsoleAction(NOW - timedelta(hours=i), "beheer", "resend", out_rows[i][0], "ok")
        await store.record_action(actie)
    dead = next(r[0] for r in out_rows if r[6] == "dead")
    return Seeded(dead, out_rows[-1][0], in_rows[-1][0], convs[-1], convs[conversations // 2],
                  f"KL-{conversations // 3:06d}", PARTIJEN[2].id)  # fmt: skip


def _conversation(conv: str, partij: str, i: int, total: int) -> ConversatieChange:
    """Proposals sent over the past year, each awaiting its answer (the recent ones in time, the rest
    overdue), as the conversation table opens them."""
    opened = NOW - timedelta(days=365 * (1 - i / total))
    ref = str(uuid.uuid5(uuid.NAMESPACE_URL, conv))
    g = Gebeurtenis(Berichttype.BETAALVOORSTEL, ref, conv, partij, Rol.SHV, opened)
    wijziging = stap(None, g, eigen_rol=Rol.SHV).wijziging
    assert wijziging is not None
    return wijziging


class _NoHub:
    """The engine is built but never run: the console only reads its state."""

    async def close(self) -> None:
        return None


def context(store: Store) -> ApiContext:
    config = replace(Config(), gateway=GatewaySettings(rol=Rol.SHV, adres=EIGEN, naam="Gemeente Bench"),
                     tegenpartij=PARTIJEN)  # fmt: skip
    engine = Engine(store, _NoHub(), processing=None, sinks=[], trust=None)  # type: ignore[arg-type]
    return ApiContext(
        config=config, store=store, engine=engine, submitter=None,  # type: ignore[arg-type]
        adresboek=Adresboek(PARTIJEN), metrics=Metrics(),
        tokens=TokenBook([("beheer", TOKEN, ALL_ROLES)]), clients=ClientBook(()),
        certificate_days=lambda: 200, clock=lambda: NOW, today=lambda: date(2026, 3, 2),
    )  # fmt: skip


def pages(s: Seeded) -> list[tuple[str, str]]:
    return [
        ("overzicht", "/ui/"),
        ("overzicht cijfers (htmx)", "/ui/cijfers"),
        ("berichten", "/ui/berichten"),
        ("berichten oudste eerst", "/ui/berichten?sort=oud"),
        ("berichten status onbestelbaar", "/ui/berichten?status=dead"),
        ("berichten status in wachtrij", "/ui/berichten?richting=uit&status=queued"),
        ("berichten status afgeleverd", "/ui/berichten?status=delivered"),
        ("berichten ontvangen, nog over te dragen", "/ui/berichten?richting=in&status=decoded"),
        ("berichten type", "/ui/berichten?type=SaldoverzoekAntwoord"),
        ("berichten tegenpartij", f"/ui/berichten?partij={s.partij}"),
        ("berichten tegenpartij + type + oudste",
         f"/ui/berichten?partij={s.partij}&type=Betaalvoorstel&sort=oud"),
        ("berichten periode", "/ui/berichten?van=2025-09-01&tot=2025-09-30"),
        ("berichten referentienummer", f"/ui/berichten?ref={s.dead}"),
        ("berichten conversatie", f"/ui/berichten?conv={s.conversatie}"),
        ("berichten klantnummer (handle)", "KLANT"),
        ("berichten pagina 2", "NEXT"),
        ("bericht verzonden", f"/ui/berichten/{s.delivered}"),
        ("bericht onbestelbaar", f"/ui/berichten/{s.dead}"),
        ("bericht ontvangen", f"/ui/berichten/{s.inbound}"),
        ("conversaties", "/ui/conversaties"),
        ("conversaties te laat", "/ui/conversaties?status=overdue"),
        ("conversaties pagina 100", "/ui/conversaties?status=answered&pagina=100"),
        ("conversatie", f"/ui/conversaties/{s.conversatie}"),
        ("quarantaine", "/ui/quarantaine"),
        ("adresboek", "/ui/adresboek"),
        ("logboek", "/ui/logboek"),
    ]  # fmt: skip


async def measure(store: Store, s: Seeded, rounds: int) -> dict[str, tuple[float, float]]:
    app = make_app(context(store))
    taken: list[float] = []

    @web.middleware
    async def timer(request: web.Request, handler: Callable[[web.Request], Awaitable[Any]]) -> Any:
        start = time.perf_counter()
        try:
            return await handler(request)
        finally:
            taken.append(time.perf_counter() - start)

    app.middlewares.insert(0, timer)
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    results: dict[str, tuple[float, float]] = {}
    try:
        async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as http:
            base = str(server.make_url(""))
            text = await (await http.get(base + "/ui/login")).text()
            csrf = re.search(r'name="csrf" value="([^"]+)"', text).group(1)  # type: ignore[union-attr]
            await http.post(base + "/ui/login", data={"token": TOKEN, "csrf": csrf})
            text = await (await http.get(base + "/ui/berichten")).text()
            csrf = re.search(r'name="csrf" value="([^"]+)"', text).group(1)  # type: ignore[union-attr]
            form = {"klant": s.klant, "csrf": csrf}
            posted = await http.post(base + "/ui/berichten", data=form, allow_redirects=False)
            klant = posted.headers["Location"]
            nxt = re.search(r'href="([^"]*na=[^"]+)"', text).group(1).replace("&amp;", "&")  # type: ignore[union-attr]
            for name, path in pages(s):
                path = {"KLANT": klant, "NEXT": nxt}.get(path, path)
                times = []
                for _ in range(rounds):
                    taken.clear()
                    async with http.get(base + path, allow_redirects=False) as r:
                        await r.read()
                        if r.status != 200:
                            raise RuntimeError(f"{path}: HTTP {r.status}")
                    times.append(taken[0] * 1000)
                results[name] = (statistics.median(times), max(times))
    finally:
        await server.close()
    return results


async def run(kind: str, count: int, rounds: int, pg_dsn: str | None, workdir: Path) -> dict[str, Any]:
    from gateway.store.postgres import PostgresStore
    from gateway.store.sqlite import SqliteStore

    schema = f"console_bench_{uuid.uuid4().hex[:8]}"
    if kind == "sqlite":
        store: Store = await SqliteStore.open(workdir / "console-bench.db")
    else:
        import asyncpg

        assert pg_dsn
        admin = await asyncpg.connect(pg_dsn)
        await admin.execute(f'CREATE SCHEMA "{schema}"')
        store = await PostgresStore.open(pg_dsn, schema=schema)
    try:
        started = time.perf_counter()
        seeded = await seed(store, count, random.Random(15))
        if kind == "postgres":
            async with store._tx() as c:  # type: ignore[attr-defined]
                await c.execute("ANALYZE")
        seeding = time.perf_counter() - started
        return {"seeding_s": seeding, "pages": await measure(store, seeded, rounds)}
    finally:
        await store.close()
        if kind == "postgres":
            await admin.execute(f'DROP SCHEMA "{schema}" CASCADE')
            await admin.close()


def run_figures(
    count: int,
    rounds: int,
    pg_dsn: str | None,
    workdir: Path,
    backends: tuple[str, ...] = ("sqlite", "postgres"),
) -> dict[str, dict[str, Any]]:
    kinds = [k for k in backends if k == "sqlite" or (k == "postgres" and pg_dsn)]
    return {kind: asyncio.run(run(kind, count, rounds, pg_dsn, workdir)) for kind in kinds}
