"""Store fixtures shared by the store and engine tests: every test runs on SQLite and PostgreSQL.

PostgreSQL runs when ``SKPGW_TEST_POSTGRES_DSN`` is set; each test gets a fresh, uniquely named
schema that is dropped afterwards, so parallel runs do not collide.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable

import pytest

from gateway.store.base import Store
from gateway.store.postgres import PostgresStore
from gateway.store.sqlite import SqliteStore

PG_DSN = os.environ.get("SKPGW_TEST_POSTGRES_DSN", "")
_PG_SKIP = pytest.mark.skipif(
    not PG_DSN,
    reason="PostgreSQL store tests need SKPGW_TEST_POSTGRES_DSN (e.g. postgresql://postgres@127.0.0.1:5432/test)",
)
BACKENDS = ["sqlite", pytest.param("postgres", marks=[pytest.mark.postgres, _PG_SKIP])]

StoreFactory = Callable[[], Awaitable[Store]]


@pytest.fixture(params=BACKENDS)
async def store_factory(request: pytest.FixtureRequest, tmp_path) -> AsyncIterator[StoreFactory]:  # type: ignore[no-untyped-def]
    """Opens (and migrates) stores on one fresh database; all are closed after the test."""
    opened: list[Store] = []
    schema = f"t_{uuid.uuid4().hex[:16]}"
    if request.param == "postgres":
        import asyncpg

        admin = await asyncpg.connect(PG_DSN)
        await admin.execute(f'CREATE SCHEMA "{schema}"')
        await admin.close()

    async def factory() -> Store:
        if request.param == "sqlite":
            s: Store = await SqliteStore.open(tmp_path / "gateway.db")
        else:
            s = await PostgresStore.open(PG_DSN, schema=schema, min_size=1, max_size=4)
        opened.append(s)
        return s

    factory.backend = request.param  # type: ignore[attr-defined]
    yield factory
    for s in opened:
        await s.close()
    if request.param == "postgres":
        import asyncpg

        admin = await asyncpg.connect(PG_DSN)
        await admin.execute(f'DROP SCHEMA "{schema}" CASCADE')
        await admin.close()


@pytest.fixture
async def store(store_factory: StoreFactory) -> Store:
    return await store_factory()
