"""The hub simulator remembers: its state lives in a SQLite file next to its config, so a restart
(graceful or a kill) loses no waiting message, no receipt of an idempotent resend and no
confirmation; ``--memory`` keeps the old behaviour; the admin page says where the state lives."""

from __future__ import annotations

import asyncio
import json
import os
import re
import signal
import subprocess
import sys
import tomllib
import urllib.request
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from transport_support import SE_ID, SE_OIN, SHV_ID, SHV_OIN, document, fake_validator, partijen

from adapters.hub.client import HubClient
from adapters.hub.operations import Verzending
from adapters.hub.settings import HubClientSettings
from adapters.hub.simulator_config import load_config
from adapters.hub.simulator_state import HubState, SimClock
from adapters.hub.simulator_store import HubStoreError, SqliteHubStore
from gateway.cli import main
from gateway.engine.ports import Outcome
from gateway.security.devpki import HUB_OIN
from gateway.security.settings import TlsSettings
from gateway.soap.faults import SoapFault

ROOT = Path(__file__).resolve().parents[1]
START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def hub_on(path: Path, clock: SimClock | None = None) -> HubState:
    return HubState(
        partijen(),
        clock=clock or SimClock(lambda: START),
        validator=fake_validator,
        store=SqliteHubStore(path),
    )


def send(hub: HubState, ref: str, doc: bytes | None = None):
    return hub.verstuur(SHV_OIN, Verzending(ref, SHV_ID, SE_ID, "Saldoverzoek", doc or document()))


def test_a_reopened_state_has_every_message_receipt_confirmation_and_the_clock(tmp_path) -> None:
    path = tmp_path / "hub-state.sqlite"
    hub = hub_on(path)
    refs = [str(uuid.uuid4()) for _ in range(3)]
    first = [send(hub, ref) for ref in refs]
    assert hub.bevestig(SE_OIN, refs[0]) is False
    hub.advance_clock(timedelta(hours=2))
    hub.close()

    again = hub_on(path)
    assert (again.totaal, again.wachtend) == (3, 2)
    assert again.clock.offset == timedelta(hours=2)
    fetched, more = again.haal_op(SE_OIN, 10)
    assert [b.referentienummer for b in fetched] == refs[1:] and not more
    assert fetched[0].document == document()
    resend = send(again, refs[1])  # idempotent: the first receipt, not a second message
    assert resend.herhaling and resend.ontvangen_op == first[1].ontvangen_op
    with pytest.raises(SoapFault, match="already used for a different message"):
        send(again, refs[1], document(extra="<!-- other -->"))
    assert again.bevestig(SE_OIN, refs[0]) is True  # confirmed before the restart
    assert again.bericht(refs[0]).status == "bevestigd"
    again.advance_clock(timedelta(days=10))
    assert again.verloop() == 2
    again.close()

    third = hub_on(path)
    assert third.wachtend == 0 and third.bericht(refs[2]).status == "verlopen"
    with pytest.raises(SoapFault, match="expired unconfirmed"):
        third.bevestig(SE_OIN, refs[2])
    third.close()


def test_a_second_simulator_on_the_same_state_file_is_refused(tmp_path) -> None:
    path = tmp_path / "hub-state.sqlite"
    hub = hub_on(path)
    with pytest.raises(HubStoreError, match="in use by another hub simulator"):
        SqliteHubStore(path)
    hub.close()
    SqliteHubStore(path).close()  # free again once the first one stopped


def test_a_state_file_that_cannot_be_written_makes_the_hub_unavailable_not_forgetful(tmp_path) -> None:
    hub = hub_on(tmp_path / "hub-state.sqlite")
    hub.store.close()  # the file is gone from under it
    ref = str(uuid.uuid4())
    with pytest.raises(SoapFault) as caught:
        send(hub, ref)
    assert caught.value.retryable and hub.bericht(ref) is None  # not accepted: the sender retries


def test_the_state_file_is_next_to_the_config_unless_configured_or_memory(tmp_path) -> None:
    assert main(["dev-pki", str(tmp_path)]) == 0
    assert load_config(tmp_path / "hub.toml").state_path == tmp_path / "hub-state.sqlite"
    text = (tmp_path / "hub.toml").read_text().replace('state = "hub-state.sqlite"', 'state = "state/hub.db"')
    (tmp_path / "hub.toml").write_text(text)
    assert load_config(tmp_path / "hub.toml").state_path == tmp_path / "state" / "hub.db"


class HubProcess:
    """``skgw hub`` as its own process, on free ports; ``url``/``admin`` once it listens."""

    def __init__(self, config: Path, *extra: str) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "gateway", "hub", "--config", str(config), "--port", "0",
             "--admin-port", "0", *extra],
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, cwd=ROOT,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
        )  # fmt: skip
        self.lines: list[str] = []
        while not any(line.startswith("state in ") for line in self.lines):
            line = self.proc.stdout.readline().decode()
            if not line:
                raise AssertionError(f"the hub did not start: {self.lines}")
            self.lines.append(line.strip())
        text = "\n".join(self.lines)
        self.url = re.search(r"hub listening on (\S+)", text).group(1)
        self.admin = re.search(r"admin endpoint on (\S+)", text).group(1)
        self.state_line = self.lines[-1]

    def overview(self) -> dict:
        with urllib.request.urlopen(self.admin, timeout=10) as response:
            return json.load(response)

    def stop(self, how: signal.Signals) -> None:
        self.proc.send_signal(how)
        self.proc.wait(timeout=20)
        self.proc.stdout.close()


@pytest.mark.slow
@pytest.mark.timeout(120)
@pytest.mark.parametrize("how", [signal.SIGTERM, signal.SIGKILL], ids=["sigterm", "sigkill"])
async def test_a_killed_and_restarted_hub_process_loses_nothing(tmp_path, how) -> None:
    assert main(["dev-pki", str(tmp_path)]) == 0
    config = tmp_path / "hub.toml"
    shv, se = tomllib.loads(config.read_text())["partij"]
    doc = (ROOT / "fixtures" / "valid" / "2.0" / "Saldoverzoek.xml").read_bytes()

    def client(url: str, name: str, me: dict) -> HubClient:
        tls = TlsSettings(tmp_path / f"{name}.pem", tmp_path / "ca.pem", tmp_path / f"{name}.key.pem")
        return HubClient(HubClientSettings(endpoint=url, afzender=me["id"], tls=tls, hub_oin=HUB_OIN))

    refs = [str(uuid.uuid4()) for _ in range(3)]
    hub = await asyncio.to_thread(HubProcess, config)
    try:
        assert (
            hub.state_line
            == f"state in {tmp_path / 'hub-state.sqlite'}: 0 message(s), 0 waiting to be fetched"
        )
        sender = client(hub.url, "gemeente-voorbeeld", shv)
        try:
            for ref in refs:
                sent = await sender.send(
                    referentienummer=ref, ontvanger=se["id"], berichttype="Saldoverzoek", document=doc
                )
                assert sent.outcome is Outcome.DELIVERED, sent.reason
        finally:
            await sender.close()
    finally:
        await asyncio.to_thread(hub.stop, how)

    hub = await asyncio.to_thread(HubProcess, config)
    try:
        assert hub.state_line.endswith(": 3 message(s), 3 waiting to be fetched")
        state = (await asyncio.to_thread(hub.overview))["state"]
        assert state == {
            "storage": str(tmp_path / "hub-state.sqlite"), "kept_on_restart": True,
            "messages": 3, "waiting": 3,
        }  # fmt: skip
        sender, receiver = (
            client(hub.url, "gemeente-voorbeeld", shv),
            client(hub.url, "energie-voorbeeld", se),
        )
        try:
            again = await sender.send(
                referentienummer=refs[0], ontvanger=se["id"], berichttype="Saldoverzoek", document=doc
            )
            assert again.outcome is Outcome.DUPLICATE_ACCEPTED, again.reason  # its receipt survived
            fetched = await receiver.fetch(10)
            assert sorted(b.referentienummer for b in fetched.messages) == sorted(refs)
            assert all(b.document == doc for b in fetched.messages)
            assert (await receiver.confirm(refs[0])).outcome is Outcome.DELIVERED
        finally:
            await sender.close()
            await receiver.close()
    finally:
        await asyncio.to_thread(hub.stop, how)

    hub = await asyncio.to_thread(HubProcess, config)
    try:
        assert hub.state_line.endswith(": 3 message(s), 2 waiting to be fetched")  # the confirmation too
    finally:
        await asyncio.to_thread(hub.stop, signal.SIGTERM)

    memory = await asyncio.to_thread(HubProcess, config, "--memory")
    try:
        assert memory.state_line == "state in memory only (--memory): 0 message(s), 0 waiting to be fetched"
        state = (await asyncio.to_thread(memory.overview))["state"]
        assert state["storage"] == "memory" and state["kept_on_restart"] is False
    finally:
        await asyncio.to_thread(memory.stop, signal.SIGTERM)
