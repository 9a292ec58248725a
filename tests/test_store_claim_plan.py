"""The claim and the next-due lookup walk indexes instead of the whole backlog (SQLite query plans).

A plan that sorts or scans every queued row made claims slower as the backlog grew (75 ms per claim
at 40,000 queued rows; a soak's throughput fell by a third). PostgreSQL plans depend on statistics,
so there the shape is kept by the query itself (see gateway/store/sql_outbox.py)."""

from __future__ import annotations

import re
import sqlite3

import pytest

from gateway.store import migrations
from gateway.store.sql_outbox import _DUE_EXPIRED, _DUE_QUEUED, _NEXT_DUE


@pytest.fixture
def db() -> sqlite3.Connection:
    conn = sqlite3.connect(":memory:")
    for migration in migrations.load("sqlite"):
        for statement in migration.statements():
            conn.execute(statement)
    return conn


def plan(db: sqlite3.Connection, sql: str, *args: object) -> str:
    rows = db.execute("EXPLAIN QUERY PLAN " + re.sub(r"\$(\d+)", r"?\1", sql), args).fetchall()
    return "\n".join(row[-1] for row in rows)


@pytest.mark.parametrize("query", [_DUE_QUEUED, _DUE_EXPIRED], ids=["queued", "expired-lease"])
def test_claim_walks_the_claim_order_index_and_looks_up_predecessors(db, query):
    shown = plan(db, query, "2026-01-01T00:00:00.000000Z", 10)
    assert "USING INDEX outbox_claim_order" in shown
    assert "TEMP B-TREE" not in shown  # no sort of all due rows
    assert "SEARCH p USING INDEX outbox_conversatie" in shown  # one lookup per candidate


def test_next_due_is_two_index_lookups(db):
    shown = plan(db, _NEXT_DUE)
    assert "SCAN outbox" not in shown and shown.count("USING COVERING INDEX outbox_claim_order") == 1
    # the sending rows (few: the sends in flight) by an index on state; the console's
    # outbox_state_time (state, created_at, …) serves that as well as outbox_claim_order
    assert shown.count("SEARCH outbox USING") == 2 and shown.count(" (state=?)") == 2
