"""The layer map (import-contracts.toml) holds for the code as it is: import-linter checks every contract
(the layers of the core, adapters only from the composition roots, HTTP and database drivers only in the
API, the store backends and the composition roots, a model without lxml, codec, store or engine)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CONTRACTS = ROOT / "import-contracts.toml"
_CLI = "import sys; from importlinter.cli import lint_imports_command; sys.exit(lint_imports_command())"


def _lint(root: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", _CLI, "--config", str(CONTRACTS), "--no-cache"],
        cwd=root,
        env={"PYTHONPATH": str(root), "PATH": ""},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_import_contracts_are_kept() -> None:
    result = _lint(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def test_a_model_that_imports_lxml_breaks_a_contract(tmp_path: Path) -> None:
    """The check can fail: a copy of the code whose model imports lxml again is refused."""
    for package in ("gateway", "adapters"):
        subprocess.run(["cp", "-r", str(ROOT / package), str(tmp_path / package)], check=True)
    bsn = tmp_path / "gateway/model/bsn.py"
    bsn.write_text(bsn.read_text() + "\nfrom lxml import etree  # noqa\n")
    result = _lint(tmp_path)
    assert result.returncode != 0
    assert "The model is plain Python" in result.stdout and "BROKEN" in result.stdout
