"""Keeps `python -m bench` runnable; asserts nothing about speed (that is bench's job)."""

from __future__ import annotations

import json

from bench.__main__ import main
from bench.messages import betaalvoorstel
from gateway.xml.validate import validate_document


def test_benchmark_messages_are_valid() -> None:
    for claims in (1, 10, 100):
        assert validate_document(betaalvoorstel(claims)).ok


def test_bench_quick_run_writes_its_figures(tmp_path, capsys) -> None:
    out = tmp_path / "bench.json"
    assert main(["--quick", "--json", str(out)]) == 0
    rows = json.loads(out.read_text())["figures"]
    assert rows and all(row["floor_per_s"] > 0 and row["value_per_s"] > 0 for row in rows)
    assert "ratio" in capsys.readouterr().out
