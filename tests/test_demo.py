"""`skgw demo` keeps working: real processes (hub + three gateways), a whole conversation, exit 0."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.conftest import ROOT


@pytest.mark.slow
@pytest.mark.timeout(180)
def test_demo_runs_the_whole_conversation_and_exits_0(tmp_path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "gateway.cli", "demo", "--workdir", str(tmp_path / "demo")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=170,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    out = result.stdout
    assert "TypeSchuldregeling SA" in out and "TypeSchuldregeling SK" in out
    assert "reads it back as type SA (sk-workaround)" in out
    assert "4 answered, 0 open, 0 overdue" in out
    assert "stopped the hub and 3 gateways (cleanly)" in out
    for berichttype in (
        "Kennisgeving",
        "SaldoverzoekAntwoord",
        "BetaalvoorstelAntwoord",
        "SchuldregelingAkkoord",
    ):
        assert berichttype in out
    log = (tmp_path / "demo" / "logs" / "shv.log").read_text()
    events = [json.loads(line) for line in log.splitlines() if line.startswith("{")]
    delivered = [e for e in events if e.get("event") == "delivered"]
    received = [e for e in events if e.get("event") == "received"]
    assert len(delivered) == 6 and len(received) == 4
    assert all(e["referentienummer"] and e["conversatie"] and e["berichttype"] for e in delivered + received)
    assert "111222333" not in log and "Linden" not in log  # the fixtures' BSN and surname never logged
