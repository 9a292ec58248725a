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
    # one conversation with Energie Noord (Kennisgeving … Schuldregeling akkoord), one with Waterbedrijf Oost
    assert "2 answered, 0 open, 0 overdue" in out
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
    # the water company's messages carry its own invoices and mailbox, not Energie Noord's
    water = "\n".join(f.read_text() for f in (tmp_path / "demo" / "se-oud" / "inbox").glob("*.json"))
    assert "WO-2024-0081734" in water and "EN-2024" not in water and "energie-noord" not in water


@pytest.mark.slow
@pytest.mark.timeout(180)
def test_demo_keep_running_leaves_the_console_up_with_every_message(tmp_path) -> None:
    import asyncio
    import re
    import signal

    from tests.console_support import Console

    process = subprocess.Popen(
        [sys.executable, "-m", "gateway.cli", "demo", "--workdir", str(tmp_path / "demo"), "--keep-running"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        lines: list[str] = []
        assert process.stdout is not None
        for line in process.stdout:  # bounded by the test's timeout
            lines.append(line)
            if line.startswith("Press Ctrl-C"):
                break
        out = "".join(lines)
        url = re.search(r"^  (http://127\.0\.0\.1:\d+)/ui/$", out, re.M)
        token = re.search(r"^  token: (\S+)$", out, re.M)
        assert url and token, out[-3000:]

        async def look() -> tuple[str, str, list[str]]:
            async with Console(url.group(1)) as console:
                status, overzicht, _ = await console.login(token.group(1))
                assert status == 200 and "Overzicht" in overzicht
                lijst = (await console.get("/ui/conversaties"))[1]
                convs = sorted(set(re.findall(r'href="/ui/conversaties/([0-9a-f-]{36})"', lijst)))
                pages = [(await console.get(f"/ui/conversaties/{c}"))[1] for c in convs]
                return overzicht, (await console.get("/ui/berichten"))[1], pages

        overzicht, berichten, conversaties = asyncio.run(look())
        # the conversation with Energie Noord holds all its 7 messages, Waterbedrijf Oost's its 3
        steps = sorted(len(re.findall(r'href="/ui/berichten/[0-9a-f-]{36}"', page)) for page in conversaties)
        assert steps == [3, 7], steps
        refs = re.findall(r'href="/ui/berichten/([0-9a-f-]{36})"', berichten)
        assert len(refs) == 10  # Stadsbank Zwolle sent 6 and received 4: every message of the demo
        for berichttype in ("Kennisgeving", "SaldoverzoekAntwoord", "BetaalvoorstelAntwoord"):
            assert berichttype in berichten
        assert "SchuldregelingAkkoord" in berichten
        assert "Energie Noord" in berichten and "Waterbedrijf Oost" in berichten
        process.send_signal(signal.SIGINT)
        rest, _ = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(10)
    assert process.returncode == 0, rest[-3000:]
    assert "stopped the hub and 3 gateways (cleanly)" in rest
