"""`skgw serve` as a real process: a config file for the test PKI, start, wait, stop.

The hub may be the in-process simulator (``tests.daemon_support.simulator``) or any URL; the API
listens on a free port of 127.0.0.1. ``wrap`` runs the process under another command first (e.g.
``unshare -m sh -c …`` for a private, small or read-only file system).
"""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp

from adapters.demo.layout import free_port
from gateway.security.devpki import HUB_OIN
from tests.transport_support import SE_ID, SE_OIN, SHV_ID, Pki

ROOT = Path(__file__).resolve().parent.parent
TOKEN = "serve-test-token-7f3a9c2e4b6d8f0a1c3e5b7d"


def write_config(
    directory: Path,
    pki: Pki,
    *,
    hub_url: str = "https://127.0.0.1:9/skp",
    store_url: str = "sqlite:///gateway.db",
    cert: str = "shv",
    key: str | None = None,
    port: int | None = None,
    extra: str = "",
) -> Path:
    """An SHV gateway's config in ``directory`` (``gateway.toml``); ``extra`` is appended as is."""
    directory.mkdir(parents=True, exist_ok=True)
    certificate, private_key = pki.files(cert)
    text = f"""[gateway]
rol = "SHV"
adres = "{SHV_ID}"
naam = "serve-test"

[store]
url = "{store_url}"

[tls]
certificate = "{certificate}"
private_key = "{key or private_key}"
ca_bundle = "{pki.dir / "ca.pem"}"

[hub]
endpoint = "{hub_url}"
hub_oin = "{HUB_OIN}"
connect_timeout_seconds = 2.0
request_timeout_seconds = 5.0

[api]
port = {port if port is not None else free_port()}

[[api.tokens]]
name = "test"
env = "SKGW_SERVE_TEST_TOKEN"
roles = ["read", "submit", "operate"]

[logging]
level = "info"

[[tegenpartij]]
id = "{SE_ID}"
naam = "Energie Test"
oin = "{SE_OIN}"
rol = "SE"
versie = "2.0"
kent_sa = true
{extra}"""
    path = directory / "gateway.toml"
    path.write_text(text, encoding="utf-8")
    return path


def api_port(config: Path) -> int:
    for line in config.read_text().splitlines():
        if line.startswith("port = "):
            return int(line.split("=")[1])
    raise AssertionError("no [api] port in the config")


@dataclass
class Serve:
    """One `skgw serve` process, its output in ``log``."""

    config: Path
    log: Path
    wrap: list[str] = field(default_factory=list)
    popen: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{api_port(self.config)}"

    def start(self) -> Serve:
        command = [sys.executable, "-m", "gateway.cli", "serve", "--config", str(self.config)]
        if self.wrap:  # the wrapping shell runs `exec "$@"`
            command = [*self.wrap, *command]
        with self.log.open("ab") as out:
            self.popen = subprocess.Popen(
                command,
                cwd=ROOT,
                stdout=out,
                stderr=subprocess.STDOUT,
                env={**os.environ, "SKGW_SERVE_TEST_TOKEN": TOKEN, "PYTHONPATH": str(ROOT)},
            )
        return self

    def wait(self, timeout: float) -> int | None:
        """The exit code, or None when the process is still running after ``timeout`` (then killed)."""
        assert self.popen is not None
        try:
            return self.popen.wait(timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            return None

    def stop(self, timeout: float = 20.0) -> int | None:
        if self.popen is None or self.popen.poll() is not None:
            return self.popen.returncode if self.popen else None
        self.popen.send_signal(signal.SIGTERM)
        return self.wait(timeout)

    def kill(self) -> None:
        if self.popen is not None and self.popen.poll() is None:
            self.popen.send_signal(signal.SIGKILL)
            self.popen.wait(10)

    def output(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""

    async def wait_up(self, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=2)) as http:
            while time.monotonic() < deadline:
                if self.popen is not None and self.popen.poll() is not None:
                    raise AssertionError(f"skgw serve exited ({self.popen.returncode}):\n{self.output()}")
                try:
                    async with http.get(self.url + "/health") as response:
                        if response.status == 200:
                            return
                except (aiohttp.ClientError, TimeoutError):
                    pass
                await asyncio.sleep(0.1)
        raise AssertionError(f"skgw serve did not come up within {timeout}s:\n{self.output()}")


def private_mount_available() -> str | None:
    """None when this process may run a child in its own mount namespace with a tmpfs or a
    read-only bind mount (root, or unprivileged user namespaces); otherwise why not."""
    if shutil.which("unshare") is None:
        return "no unshare(1) on this machine"
    probe = Path(os.environ.get("TMPDIR", "/tmp")) / f"skgw-mount-probe-{os.getpid()}"
    probe.mkdir(exist_ok=True)
    try:
        result = subprocess.run(
            [*unshare_prefix(), "sh", "-c", f"mount -t tmpfs -o size=64k tmpfs {probe}"],
            capture_output=True,
            timeout=10,
        )
    finally:
        probe.rmdir()
    if result.returncode != 0:
        return f"cannot mount in a private namespace: {result.stderr.decode(errors='replace').strip()}"
    return None


def unshare_prefix() -> list[str]:
    """A private mount namespace; as another user than root, inside a user namespace."""
    return ["unshare", "-m"] if os.geteuid() == 0 else ["unshare", "-r", "-m"]


def in_private_mount(setup: str) -> list[str]:
    """A wrap for :class:`Serve`: run ``setup`` (shell, e.g. mounts) in a private mount namespace,
    then exec the command."""
    return [*unshare_prefix(), "sh", "-c", f'{setup} && exec "$@"', "sh"]
