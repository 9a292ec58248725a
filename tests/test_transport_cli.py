"""`skgw dev-pki` and `skgw hub`, and the issue's "done when": two processes on loopback
exchange a signed message over mTLS, and xmlsec1 accepts a captured envelope."""

from __future__ import annotations

import asyncio
import os
import re
import shutil
import subprocess
import sys
import tomllib
import uuid
from pathlib import Path

import pytest
from cryptography import x509

from adapters.hub.client import HubClient
from adapters.hub.settings import HubClientSettings
from gateway.cli import main
from gateway.engine.ports import Outcome
from gateway.security.certificates import oin_of
from gateway.security.devpki import HUB_OIN
from gateway.security.settings import TlsSettings

ROOT = Path(__file__).resolve().parents[1]


def test_dev_pki_writes_certificates_and_a_hub_config(tmp_path, capsys):
    out = tmp_path / "pki"
    assert (
        main(
            [
                "dev-pki",
                str(out),
                "--party",
                "Kredietbank Test=00000001002222222000:SHV",
                "--party",
                "Verzekeraar Test=00000003333333333000:SE",
            ]
        )
        == 0
    )
    printed = capsys.readouterr().out
    for name in (
        "ca.pem",
        "hub.pem",
        "hub.key.pem",
        "kredietbank-test.pem",
        "verzekeraar-test.key.pem",
        "hub.toml",
    ):
        assert str(out / name) in printed
    cert = x509.load_pem_x509_certificate((out / "kredietbank-test.pem").read_bytes())
    assert oin_of(cert) == "00000001002222222000"
    assert oct((out / "hub.key.pem").stat().st_mode & 0o777) == "0o600"
    config = tomllib.loads((out / "hub.toml").read_text())
    assert [(p["naam"], p["rol"]) for p in config["partij"]] == [
        ("Kredietbank Test", "SHV"),
        ("Verzekeraar Test", "SE"),
    ]
    assert "then set [gateway] adres and rol" in printed  # not the parties config.example.toml names
    for party in config["partij"]:
        assert f"id {party['id']}  oin {party['oin']}" in printed
    assert main(["dev-pki", str(out)]) == 2  # refuses to overwrite without --force
    assert "--force" in capsys.readouterr().err


def test_dev_pki_defaults_are_what_config_example_names_and_say_the_next_steps(tmp_path, capsys, monkeypatch):
    """The default parties' ids are the same on every run (config.example.toml can name them), and
    the output says what to run next."""
    monkeypatch.chdir(tmp_path)
    assert main(["dev-pki", "pki", "--key-size", "2048"]) == 0
    printed = capsys.readouterr().out
    first = tomllib.loads(Path("pki/hub.toml").read_text())
    assert main(["dev-pki", "again/pki"]) == 0
    capsys.readouterr()
    assert tomllib.loads(Path("again/pki/hub.toml").read_text())["partij"] == first["partij"]
    example = tomllib.loads((ROOT / "config.example.toml").read_text())
    assert example["gateway"]["adres"] == first["partij"][0]["id"]
    assert example["tegenpartij"][0]["id"] == first["partij"][1]["id"]
    steps = printed[printed.index("next:") :]
    assert "skgw hub --config pki/hub.toml" in steps
    assert "cp config.example.toml skgw.toml" in steps and "nothing to change" in steps
    assert "export SKGW_API_TOKEN" in steps and "skgw serve --config skgw.toml" in steps


def test_dev_pki_next_steps_run_skgw_as_it_was_run(tmp_path, capsys, monkeypatch):
    """Typed as the README does (.venv/bin/skgw, not on the PATH), the next steps say it the same way."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("PATH", str(tmp_path / "nothing-here"))
    monkeypatch.setattr(sys, "argv", [".venv/bin/skgw", "dev-pki", "pki"])
    assert main(["dev-pki", "pki", "--key-size", "2048"]) == 0
    steps = capsys.readouterr().out.split("next:")[1]
    assert ".venv/bin/skgw hub --config pki/hub.toml" in steps
    assert ".venv/bin/skgw serve --config skgw.toml" in steps


@pytest.mark.parametrize("party", ["geen-oin", "Naam=123", "Naam=00000001002222222000:XX"])
def test_dev_pki_usage_errors(tmp_path, party, capsys):
    assert main(["dev-pki", str(tmp_path), "--party", party]) == 2
    assert "NAME=OIN" in capsys.readouterr().err


def test_hub_with_bad_config_is_a_usage_error(tmp_path, capsys):
    config = tmp_path / "hub.toml"
    config.write_text('[tls]\ncertificate = "x.pem"\nca_bundle = "ca.pem"\n')
    assert main(["hub", "--config", str(config)]) == 2
    assert "address book" in capsys.readouterr().err
    assert main(["hub", "--config", str(tmp_path / "missing.toml")]) == 2


@pytest.mark.slow
@pytest.mark.timeout(60)
async def test_two_processes_exchange_a_signed_message_and_xmlsec1_accepts_it(tmp_path):
    assert main(["dev-pki", str(tmp_path)]) == 0
    config = tomllib.loads((tmp_path / "hub.toml").read_text())
    shv, se = config["partij"]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    hub = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "gateway",
        "hub",
        "--config",
        str(tmp_path / "hub.toml"),
        "--port",
        "0",
        "--admin-port",
        "0",
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        env=env,
        cwd=str(ROOT),
    )
    try:
        line = await asyncio.wait_for(hub.stdout.readline(), 20)
        url = re.search(rb"(https://\S+)", line).group(1).decode()

        def client(name: str, me: dict) -> HubClient:
            tls = TlsSettings(tmp_path / f"{name}.pem", tmp_path / "ca.pem", tmp_path / f"{name}.key.pem")
            return HubClient(HubClientSettings(endpoint=url, afzender=me["id"], tls=tls, hub_oin=HUB_OIN))

        sender, receiver = client("gemeente-voorbeeld", shv), client("energie-voorbeeld", se)
        ref = str(uuid.uuid4())
        doc = (ROOT / "fixtures" / "valid" / "2.0" / "Saldoverzoek.xml").read_bytes()  # the hub validates
        try:
            result = await sender.send(
                referentienummer=ref, ontvanger=se["id"], berichttype="Saldoverzoek", document=doc
            )
            fetched = await receiver.fetch(10)
            confirmed = await receiver.confirm(ref)
        finally:
            await sender.close()
            await receiver.close()
    finally:
        hub.terminate()
        await asyncio.wait_for(hub.wait(), 10)
    assert result.outcome is Outcome.DELIVERED, result.reason
    assert [b.document for b in fetched.messages] == [doc]
    assert confirmed.outcome is Outcome.DELIVERED
    if shutil.which("xmlsec1") is None:
        pytest.skip("xmlsec1 is not installed: the captured receipt cannot be checked independently")
    captured = tmp_path / "receipt.xml"
    captured.write_bytes(result.receipt)
    ids = [
        a
        for n in ("Body", "Timestamp", "To", "Action", "MessageID", "RelatesTo", "SignatureConfirmation")
        for a in ("--id-attr:Id", n)
    ]
    check = subprocess.run(
        ["xmlsec1", "--verify", *ids, "--pubkey-cert-pem", str(tmp_path / "hub.pem"), str(captured)],
        capture_output=True,
        text=True,
        timeout=20,
    )
    assert check.returncode == 0, check.stderr
