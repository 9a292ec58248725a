"""Advisory locks are database-wide: the poller lock must be per schema (one gateway per schema)."""

from __future__ import annotations

import uuid

import asyncpg

from gateway.store.postgres import PostgresStore


async def test_poller_lock_is_exclusive_within_a_schema_and_independent_across_schemas(postgres_dsn) -> None:
    a, b = f"lock_{uuid.uuid4().hex[:10]}", f"lock_{uuid.uuid4().hex[:10]}"
    admin = await asyncpg.connect(postgres_dsn)
    stores: list[PostgresStore] = []
    try:
        for schema in (a, b):
            await admin.execute(f'CREATE SCHEMA "{schema}"')
        for schema in (a, b, a):
            stores.append(await PostgresStore.open(postgres_dsn, schema=schema, min_size=1, max_size=2))
        first_a, only_b, second_a = stores
        async with first_a.poller_lock() as got_a, only_b.poller_lock() as got_b:
            async with second_a.poller_lock() as got_second_a:
                assert (got_a, got_b, got_second_a) == (True, True, False)
        async with second_a.poller_lock() as got_after_release:
            assert got_after_release
    finally:
        for store in stores:
            await store.close()
        for schema in (a, b):
            await admin.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
        await admin.close()
