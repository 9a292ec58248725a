"""Keeps `python -m bench` runnable with every figure in a tiny configuration; asserts nothing about speed
(that is bench's job, on a machine whose load is known)."""

from __future__ import annotations

import json

import pytest

from bench.__main__ import main
from bench.messages import betaalvoorstel, saldoverzoek_antwoord
from bench.submit_path import main as submit_path_main
from gateway.xml.validate import validate_document


def test_benchmark_messages_are_valid() -> None:
    for claims in (1, 10, 100):
        assert validate_document(betaalvoorstel(claims)).ok
    for claims in (3, 1000):
        assert validate_document(saldoverzoek_antwoord(claims)).ok


def test_bench_micro_figures_quick(tmp_path, capsys) -> None:
    out = tmp_path / "bench.json"
    assert main(["--quick", "--only", "inbound,outbound,large", "--json", str(out)]) == 0
    rows = json.loads(out.read_text())["figures"]
    names = " ".join(row["name"] for row in rows)
    assert "inbound Betaalvoorstel 10" in names and "outbound Betaalvoorstel 10" in names
    assert "large in" in names and "large out" in names
    assert all(row["floor"] > 0 and row["value"] > 0 and row["ratio"] > 0 for row in rows)
    assert "ratio" in capsys.readouterr().out


@pytest.mark.slow
def test_bench_end_to_end_and_soak_quick(tmp_path) -> None:
    """Hub simulator and gateway as processes, a few dozen messages through the API (SQLite)."""
    out = tmp_path / "bench.json"
    assert main(["--quick", "--only", "e2e,soak", "--e2e-messages", "20", "--json", str(out)]) == 0
    result = json.loads(out.read_text())
    rows = {row["name"]: row for row in result["figures"]}
    throughput = rows["e2e sqlite 1 proc delivered+confirmed"]
    assert throughput["value"] > 0 and throughput["floor"] > 0
    assert result["e2e"][0]["delivered"] == 20
    assert result["soak"]["delivered"] == result["soak"]["count"]
    assert any(name.startswith("e2e sqlite latency p99") for name in rows)


def test_bench_submit_path_quick(capsys) -> None:
    submit_path_main(["--claims", "2", "--rounds", "1", "--seconds", "0.001"])
    out = capsys.readouterr().out
    for step in ("json.loads", "from_json", "rules", "encode", "Submitter.submit", "submit"):
        assert step in out


def test_bench_console_quick(tmp_path) -> None:
    """Every page of the console against a filled store (SQLite here), no timed assertion."""
    out = tmp_path / "bench.json"
    assert main(["--quick", "--only", "console", "--console-backends", "sqlite", "--json", str(out)]) == 0
    result = json.loads(out.read_text())
    names = [row["name"] for row in result["figures"]]
    assert "console sqlite berichten klantnummer (handle) (median)" in names
    pages = result["console"]["sqlite"]["pages"]
    assert len(pages) >= 20 and all(median > 0 for median, _ in pages.values())
