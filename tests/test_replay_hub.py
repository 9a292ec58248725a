"""Replay against the hub simulator over mTLS with fault injection: the counts are exact.
Also `skgw replay` end to end (config file, exit codes, --keep-ids resend = duplicate-accepted)."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest
from transport_support import SE_ID, SE_OIN, SHV_ID, client_for, dev_pki, simulator_config

from adapters.hub.simulator import HubSimulator
from adapters.testkit.header import Rewrite, rewrite
from adapters.testkit.replay import ReplayOptions, replay
from adapters.testkit.sending import HubSender, RetryPolicy
from gateway.cli import main
from gateway.security.devpki import HUB_OIN

pytestmark = pytest.mark.timeout(30)
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
SHV_SENDS = [
    "Kennisgeving",
    "Saldoverzoek",
    "Betaalvoorstel",
    "Betaalvoorstel-nul-aanbod-SA",
    "Heroverweging",
]


def inputs(names, repeat=1):
    return [(n, (FIXTURES / "valid/2.0" / f"{n}.xml").read_bytes()) for n in names] * repeat


@pytest.fixture(scope="module")
def pki():
    return dev_pki()


@pytest.fixture
async def hub(pki):
    sim = HubSimulator(simulator_config(pki))  # the real catalogue validator
    await sim.start()
    yield sim
    await sim.stop()


async def run(pki, hub, items, **kw):
    sender = HubSender(client_for(pki, hub.url))
    try:
        return await replay(items, sender, ReplayOptions(afzender=SHV_ID, ontvanger=SE_ID, **kw))
    finally:
        await sender.close()


async def test_503_burst_and_a_permanent_fault_per_type_count_exactly(pki, hub):
    hub.faults.update({"http_503": 2, "berichttype": {"Betaalvoorstel": "OngeldigBericht"}})
    items = inputs(SHV_SENDS, repeat=3) + [("bad", (FIXTURES / "invalid/amount-negative.xml").read_bytes())]
    summary = await run(pki, hub, items, concurrency=4, retry=RetryPolicy(2, 0.01))
    assert summary.sent == 15
    assert (summary.accepted, summary.delivered, summary.duplicates) == (9, 9, 0)
    assert dict(summary.refused) == {"OngeldigBericht": 6, "local:min-inclusive": 1}
    assert len(summary.latencies) == 15 + 2  # each 503 cost exactly one extra attempt
    assert 1 <= summary.retried <= 2 and hub.faults.http_503 == 0
    box = hub.state.bak(SE_ID)
    assert len(box) == 9 and {m["berichttype"] for m in box} == {
        "Kennisgeving",
        "Saldoverzoek",
        "Heroverweging",
    }


async def test_without_retries_the_burst_is_refused_as_http_503(pki, hub):
    hub.faults.update({"http_503": 3})
    summary = await run(pki, hub, inputs(SHV_SENDS), concurrency=1, retry=RetryPolicy(0))
    assert (summary.sent, summary.accepted, dict(summary.refused)) == (5, 2, {"http-503": 3})
    assert not summary.all_accepted


async def test_rate_limit_holds_against_the_hub(pki, hub):
    loop = asyncio.get_running_loop()
    started = loop.time()
    summary = await run(pki, hub, inputs(["Kennisgeving"], repeat=5), rate=25.0, concurrency=5)
    assert summary.all_accepted and summary.accepted == 5
    assert loop.time() - started >= 4 / 25 - 0.01


def write_config(tmp_path: Path, pki, url: str) -> Path:
    config = tmp_path / "replay.toml"
    config.write_text(
        f"""
[tls]
certificate = "{pki.dir / "shv.pem"}"
private_key = "{pki.dir / "shv.key.pem"}"
ca_bundle = "{pki.dir / "ca.pem"}"

[hub]
endpoint = "{url}"
afzender = "{SHV_ID}"
hub_oin = "{HUB_OIN}"
request_timeout_seconds = 5.0

[replay]
ontvanger = "{SE_ID}"
concurrency = 2
retries = 1
retry_delay_seconds = 0.01
"""
    )
    return config


async def test_cli_keep_ids_resend_is_duplicate_accepted(pki, hub, tmp_path, capsys):
    folder = tmp_path / "msgs"
    folder.mkdir()
    for name in ("Kennisgeving", "Saldoverzoek", "Heroverweging"):
        data, _ = rewrite((FIXTURES / "valid/2.0" / f"{name}.xml").read_bytes(), Rewrite.fresh(SHV_ID, SE_ID))
        (folder / f"{name}.xml").write_bytes(data)
    config = write_config(tmp_path, pki, "https://127.0.0.1:1/unused")
    argv = ["replay", str(folder), "--config", str(config), "--to", hub.url, "--keep-ids", "--json"]
    assert await asyncio.to_thread(main, argv) == 0
    first = json.loads(capsys.readouterr().out)
    assert (first["sent"], first["delivered"], first["duplicate_accepted"]) == (3, 3, 0)
    assert await asyncio.to_thread(main, argv) == 0
    again = json.loads(capsys.readouterr().out)
    assert (again["sent"], again["delivered"], again["duplicate_accepted"]) == (3, 0, 3)
    assert len(hub.state.bak(SE_ID)) == 3  # nothing stored twice


async def test_cli_summary_and_exit_1_when_something_is_refused(pki, hub, tmp_path, capsys):
    config = write_config(tmp_path, pki, hub.url)
    argv = [
        "replay",
        str(FIXTURES / "valid/2.0/Saldoverzoek.xml"),
        str(FIXTURES / "valid/2.0/SaldoverzoekAntwoord.xml"),  # an SE message: the SHV may not send it
        "--config",
        str(config),
        "--rate",
        "100/s",
    ]
    assert await asyncio.to_thread(main, argv) == 1
    captured = capsys.readouterr()
    assert "sent      2" in captured.out and "accepted  1" in captured.out
    assert "NietGeautoriseerd" in captured.out and "latency   p50" in captured.out
    assert "[2/2]" in captured.err  # plain progress lines when stderr is not a terminal


@pytest.mark.parametrize(
    "extra, message",
    [
        (["--rate", "fast"], "messages per second"),
        (["--concurrency", "0"], ">= 1"),
        (["--config", "/nonexistent.toml"], "no such configuration file"),
    ],
)
def test_cli_usage_errors(tmp_path, pki, extra, message, capsys):
    config = write_config(tmp_path, pki, "https://127.0.0.1:1/skp")
    argv = ["replay", str(FIXTURES / "valid/2.0/Saldoverzoek.xml"), "--config", str(config), *extra]
    try:
        code = main(argv)
    except SystemExit as exc:  # argparse rejects the value itself
        code = exc.code
    assert code == 2
    assert message in capsys.readouterr().err


def test_cli_config_errors_name_the_key(tmp_path, capsys):
    config = tmp_path / "c.toml"
    config.write_text(
        '[tls]\ncertificate = "a.pem"\nca_bundle = "ca.pem"\n[hub]\nendpoint = "https://x/skp"\n'
    )
    assert main(["replay", str(FIXTURES / "valid/2.0"), "--config", str(config)]) == 2
    assert "[hub]: missing required key(s): afzender" in capsys.readouterr().err
    config.write_text(
        '[tls]\ncertificate = "a.pem"\nca_bundle = "ca.pem"\n[hub]\nendpoint = "x"\nafzender = "y"\n'
    )
    assert main(["replay", str(FIXTURES / "valid/2.0"), "--config", str(config)]) == 2
    assert "--ontvanger" in capsys.readouterr().err


def write_gateway_config(tmp_path: Path, pki, url: str, extra: str = "") -> Path:
    """A gateway's own configuration (as `skgw serve` reads it): [gateway] instead of [hub] afzender."""
    config = tmp_path / "skgw.toml"
    config.write_text(
        f"""
[gateway]
rol = "SHV"
adres = "{SHV_ID}"

[[tegenpartij]]
id = "{SE_ID}"
naam = "Energie"
oin = "{SE_OIN}"
rol = "SE"

[tls]
certificate = "{pki.dir / "shv.pem"}"
private_key = "{pki.dir / "shv.key.pem"}"
ca_bundle = "{pki.dir / "ca.pem"}"

[hub]
endpoint = "{url}"
hub_oin = "{HUB_OIN}"
{extra}
"""
    )
    return config


async def test_cli_with_the_gateway_config_sends_its_own_side_and_skips_the_other(pki, hub, tmp_path, capsys):
    """A folder mixing both sides, sent with `skgw serve`'s config: our party is [gateway] adres, the
    counterpart the only [[tegenpartij]], and the SE's messages are skipped, not refused: exit 0."""
    config = write_gateway_config(tmp_path, pki, hub.url)
    argv = ["replay", str(FIXTURES / "valid/2.0"), "--config", str(config), "--json"]
    assert await asyncio.to_thread(main, argv) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["refused"] == {} and sum(summary["skipped"].values()) == 7
    assert summary["delivered"] == summary["sent"] == len(list((FIXTURES / "valid/2.0").glob("*.xml"))) - 7
    waiting = hub.state.bak(SE_ID)
    assert len(waiting) == summary["sent"] and all(m["afzender"] == SHV_ID for m in waiting)


async def test_cli_with_only_skipped_messages_exits_1_and_says_why(pki, hub, tmp_path, capsys):
    config = write_gateway_config(tmp_path, pki, hub.url)
    argv = ["replay", str(FIXTURES / "valid/2.0/SaldoverzoekAntwoord.xml"), "--config", str(config)]
    assert await asyncio.to_thread(main, argv) == 1
    captured = capsys.readouterr()
    assert "nothing was sent" in captured.out and "skipped" in captured.err
    assert not hub.state.bak(SE_ID)


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ('afzender = "00000000-0000-4000-8000-000000000000"', "[hub] afzender: differs from [gateway] adres"),
        (
            '[[tegenpartij]]\nid = "00000000-0000-4000-8000-000000000001"\nnaam = "Water"\n'
            'oin = "00000003999999990000"\nrol = "SE"',
            "--ontvanger",  # two counterparts: which one is not guessed
        ),
    ],
)
def test_cli_gateway_config_refusals(pki, tmp_path, extra, message, capsys):
    config = write_gateway_config(tmp_path, pki, "https://127.0.0.1:1/skp", extra)
    assert main(["replay", str(FIXTURES / "valid/2.0/Saldoverzoek.xml"), "--config", str(config)]) == 2
    assert message in capsys.readouterr().err
