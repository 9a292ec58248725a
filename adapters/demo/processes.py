"""Start the hub and the gateways as real processes, wait until they answer, stop them with SIGTERM."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp


class DemoError(Exception):
    pass


@dataclass
class Process:
    name: str
    args: list[str]
    log: Path
    env: dict[str, str] = field(default_factory=dict)
    popen: subprocess.Popen[bytes] | None = None

    def start(self, cwd: Path) -> None:
        handle = self.log.open("wb")
        self.popen = subprocess.Popen(
            [sys.executable, "-m", "gateway.cli", *self.args],
            cwd=cwd,
            stdout=handle,
            stderr=subprocess.STDOUT,
            env={**os.environ, **self.env},
        )

    def stop(self, timeout: float = 15.0) -> int | None:
        if self.popen is None or self.popen.poll() is not None:
            return self.popen.returncode if self.popen else None
        self.popen.send_signal(signal.SIGTERM)
        try:
            return self.popen.wait(timeout)
        except subprocess.TimeoutExpired:
            self.popen.kill()
            return self.popen.wait(5)

    def tail(self, lines: int = 15) -> str:
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no log)"


async def wait_until_up(process: Process, url: str, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=2)) as session:
        while time.monotonic() < deadline:
            if process.popen is not None and process.popen.poll() is not None:
                raise DemoError(f"{process.name} exited ({process.popen.returncode}):\n{process.tail()}")
            try:
                async with session.get(url) as response:
                    if response.status < 500:
                        return
            except (aiohttp.ClientError, TimeoutError):
                pass
            await asyncio.sleep(0.1)
    raise DemoError(f"{process.name} did not answer on {url} within {timeout:.0f}s:\n{process.tail()}")
