from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "fixtures"


@pytest.fixture(scope="session")
def postgres_dsn() -> str:
    """The PostgreSQL DSN for tests that need a real database; skips without one."""
    dsn = os.environ.get("SKPGW_TEST_POSTGRES_DSN")
    if not dsn:
        pytest.skip("SKPGW_TEST_POSTGRES_DSN is not set: PostgreSQL tests skipped (.ci/run sets it)")
    return dsn
