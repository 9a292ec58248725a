"""The README's commands run as written, and what it names exists: the manual and the code must not
drift apart.

- The first run (dev-pki → hub → copy the example config → serve → submit a Saldoverzoek with curl)
  and the testers' block that follows it (replay to the hub, replay through the gateway, the
  scenarios) are really run, line by line with bash, in a scratch directory laid out like the
  repository, with bounded waits for the two daemons. The one change: the ports 8443, 8444 and 8480
  become free ports (in the README's lines and in the files those lines read), so that the test can
  run beside other tests; :func:`test_the_readme_ports_are_the_defaults` ties the three numbers to
  the defaults in the code.
- Every other shell block is checked by parsing: each ``skgw`` command with the real argument
  parser, each curl call against the API's router, each ``make`` target against the Makefile, each
  repository path against the files.
- Every ``[section] key`` the README names exists in the gateway's configuration (or the hub
  simulator's), and every path the README and docs/ name inside the repository exists.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import tomllib
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.readme_support import Block, Line, blocks, commands, is_skgw, logical_lines

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
PORTS = (8443, 8444, 8480)  # the hub, its admin page, the gateway's API: as the README writes them
SKGW = Path(sys.executable).parent / "skgw"
REPO_PATH = re.compile(r"^@?((?:fixtures|schemas|docs)/\S*|config\.example\.toml)$")
WAIT = 60.0  # seconds for a daemon to come up or a message to be delivered (a loaded machine)


def shell_blocks() -> list[Block]:
    return [b for b in blocks(README) if b.lang == "sh"]


def block_with(needle: str) -> Block:
    found = [b for b in shell_blocks() if needle in b.text]
    assert len(found) == 1, f"the README should have exactly one shell block with {needle!r}"
    return found[0]


def all_lines() -> list[Line]:
    return [line for block in shell_blocks() for line in logical_lines(block)]


# ---- checks by parsing -----------------------------------------------------------------------------


def test_every_skgw_command_in_the_readme_parses(capsys) -> None:
    from gateway.cli import build_parser

    checked = 0
    for line in all_lines():
        for words in commands(line):
            if not is_skgw(words[0]):
                continue
            try:
                build_parser().parse_args(words[1:])
            except SystemExit:
                pytest.fail(f"README.md:{line.number}: {' '.join(words)}\n{capsys.readouterr().err}")
            checked += 1
    assert checked >= 20, "the README's skgw commands were not found"


def _curl(words: list[str]) -> tuple[str, str] | None:
    """(method, path) of a curl call to the gateway's API, or None for another host."""
    urls = [w for w in words if re.search(r"(localhost|127\.0\.0\.1):8480/", w)]
    if not urls:
        return None
    method = words[words.index("-X") + 1] if "-X" in words else "GET"
    if "-X" not in words and any(w.startswith(("-d", "--data")) for w in words):
        method = "POST"
    path = "/" + urls[0].split(":8480/", 1)[1].split("?", 1)[0]
    return method, path.replace("<referentienummer>", "0f0e4c34-8d2a-4f7e-9a50-1f6b8f2b7a11")


async def test_every_api_call_in_the_readme_is_routed() -> None:
    from aiohttp.test_utils import make_mocked_request

    from gateway.api.app import make_app
    from gateway.config import load_config

    class _Context:  # make_app reads only the body limit while routes are added
        config = load_config(None)

    app = make_app(_Context())  # type: ignore[arg-type]
    calls = [(line, c) for line in all_lines() for w in commands(line) if (c := _curl(w))]
    assert len(calls) >= 8, "the README's curl calls were not found"
    for line, (method, path) in calls:
        match = await app.router.resolve(make_mocked_request(method, path, app=app))
        assert match.http_exception is None, f"README.md:{line.number}: {method} {path} is not routed"


def test_every_make_target_and_repository_path_in_the_readme_exists() -> None:
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    targets = set(re.findall(r"^([a-z][a-z-]*):", makefile, re.M))
    for line in all_lines():
        for words in commands(line):
            if words[0] == "make":
                named = {w for w in words[1:] if "=" not in w}
                assert named <= targets, f"README.md:{line.number}: no make target {sorted(named - targets)}"
                for variable in (w.split("=", 1)[0] for w in words[1:] if "=" in w):
                    assert f"$({variable})" in makefile, f"README.md:{line.number}: make reads no {variable}"
            for word in words[1:]:
                match = REPO_PATH.match(word)
                if match:
                    assert list(ROOT.glob(match.group(1))), f"README.md:{line.number}: no {match.group(1)}"


def test_every_path_the_readme_and_docs_name_exists() -> None:
    named = re.compile(r"`((?:gateway|adapters|schemas|fixtures|docs|tests|bench)/[^`\s]*)`")
    texts = [README, *sorted((ROOT / "docs").glob("*.md"))]
    for text in texts:
        for number, line in enumerate(text.read_text(encoding="utf-8").splitlines(), 1):
            for path in named.findall(line):
                pattern = re.sub(r"<[^>]+>", "*", path.rstrip("/"))
                assert list(ROOT.glob(pattern)), f"{text.name}:{number}: names {path}, which does not exist"


def _sections() -> dict[str, set[str]]:
    """Every section the configuration files know, with its keys: the gateway's and the simulator's."""
    import dataclasses
    import typing

    from adapters.testkit.settings import ReplaySettings
    from gateway.commands.dev_pki import DEFAULT_PARTIES, hub_toml
    from gateway.config import Config

    known: dict[str, set[str]] = {}

    def walk(cls: type, name: str) -> None:
        keys = known.setdefault(name, set())
        for f in dataclasses.fields(cls):
            hint = typing.get_type_hints(cls)[f.name]
            inner = [a for a in (hint, *typing.get_args(hint)) if dataclasses.is_dataclass(a)]
            if inner:
                walk(inner[0], f"{name}.{f.name}" if name else f.name)
            keys.add(f.name)

    walk(Config, "")
    walk(ReplaySettings, "replay")
    for section, table in tomllib.loads(hub_toml(DEFAULT_PARTIES)).items():
        for item in table if isinstance(table, list) else [table]:
            known.setdefault(section, set()).update(item)
    return known


def test_every_config_key_the_readme_names_exists(tmp_path) -> None:
    from gateway.config import load_config

    known = _sections()
    text = README.read_text(encoding="utf-8")
    mentions = re.findall(r"`\[\[?([a-z_.]+)\]\]?(?: ([a-z_]+))?[^`]*`", text)
    assert len(mentions) >= 10, "the README's [section] key mentions were not found"
    for section, key in mentions:
        assert section in known, f"README names [{section}], which no configuration has"
        assert not key or key in known[section], f"README names [{section}] {key}, which does not exist"
    toml_blocks = [b for b in blocks(README) if b.lang == "toml"]
    assert toml_blocks, "the README's configuration examples were not found"
    for block in toml_blocks:
        path = tmp_path / "block.toml"
        path.write_text(block.text, encoding="utf-8")
        load_config(path)  # a configuration example in the README loads as written


def test_the_readme_ports_are_the_defaults() -> None:
    """The first run's ports are what the code gives a newcomer: the hub config dev-pki writes, the
    example config's endpoint and the API's default port."""
    from gateway.commands.dev_pki import DEFAULT_PARTIES, hub_toml
    from gateway.config import ApiSettings, load_config

    hub = tomllib.loads(hub_toml(DEFAULT_PARTIES))["hub"]
    example = load_config(ROOT / "config.example.toml")
    assert (hub["port"], hub["admin_port"], ApiSettings().port) == PORTS
    assert example.hub.endpoint == f"https://127.0.0.1:{PORTS[0]}{hub['path']}"
    assert example.api.port == PORTS[2]
    first_run = block_with("cp config.example.toml")
    assert f"localhost:{PORTS[2]}/" in first_run.text and f"localhost:{PORTS[1]}/" in first_run.text


# ---- really running the first run and the testers' block ----------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Sandbox:
    """A scratch directory laid out like the repository, where the README's lines run."""

    root: Path
    ports: dict[int, int]
    env: dict[str, str] = field(default_factory=dict)
    daemons: list[tuple[Line, subprocess.Popen[bytes], Path]] = field(default_factory=list)
    outputs: list[tuple[Line, str]] = field(default_factory=list)

    def mapped(self, text: str) -> str:
        for readme_port, port in self.ports.items():
            text = re.sub(rf"(?<=[:=] ){readme_port}\b|(?<=:){readme_port}\b", str(port), text)
        return text

    def run(self, line: Line) -> None:
        words = [w for c in commands(line) for w in c[:2]]
        if any(is_skgw(w) for w in words) and ("hub" in words or "serve" in words):
            self.start(line)
            return
        script = self.mapped(line.text) + '\n__rc=$?\nenv -0 > "$SANDBOX_ENV"\nexit $__rc\n'
        done = subprocess.run(
            ["bash", "-c", script],
            cwd=self.root,
            env={**self.env, "SANDBOX_ENV": str(self.root / ".env")},
            capture_output=True,
            timeout=120,
        )
        out = done.stdout.decode(errors="replace")
        assert done.returncode == 0, (
            f"README.md:{line.number}: `{line.flat.strip()}` exited {done.returncode}\n"
            f"{out[-3000:]}\n{done.stderr.decode(errors='replace')[-3000:]}"
        )
        pairs = (self.root / ".env").read_bytes().split(b"\0")
        self.env = dict(p.decode().split("=", 1) for p in pairs if b"=" in p)
        self.env.pop("SANDBOX_ENV", None)
        self.outputs.append((line, out))
        hub_config = self.root / "pki" / "hub.toml"
        if hub_config.exists():
            hub_config.write_text(self.mapped(hub_config.read_text(encoding="utf-8")), encoding="utf-8")

    def start(self, line: Line) -> None:
        command = self.mapped(line.flat).split(" #", 1)[0].strip().removesuffix("&").strip()
        log = self.root / f"daemon-{len(self.daemons)}.log"
        with log.open("wb") as sink:
            process = subprocess.Popen(
                ["bash", "-c", f"exec {command}"], cwd=self.root, env=self.env, stdout=sink, stderr=sink
            )
        self.daemons.append((line, process, log))
        if " hub " in f" {command} ":
            self.wait(line, f"http://127.0.0.1:{self.ports[8444]}/admin")
        else:
            self.wait(line, f"http://127.0.0.1:{self.ports[8480]}/health")

    def wait(self, line: Line, url: str) -> None:
        _, process, log = self.daemons[-1]
        deadline = time.monotonic() + WAIT
        while time.monotonic() < deadline:
            if process.poll() is not None:
                pytest.fail(
                    f"README.md:{line.number}: exited {process.returncode}\n{log.read_text()[-3000:]}"
                )
            try:
                with urllib.request.urlopen(url, timeout=2) as response:
                    if response.status == 200:
                        return
            except (OSError, urllib.error.URLError):
                pass
            time.sleep(0.2)
        pytest.fail(f"README.md:{line.number}: {url} did not answer within {WAIT:.0f} s")

    def stop(self) -> list[tuple[Line, int | None, str]]:
        for _, process, _ in reversed(self.daemons):
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        stopped = []
        for line, process, log in self.daemons:
            try:
                code: int | None = process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)
                code = None
            stopped.append((line, code, log.read_text(errors="replace")))
        return stopped


@pytest.fixture
def sandbox(tmp_path):
    if not SKGW.exists():
        pytest.fail(f"{SKGW} is missing: `make test` installs the skgw command into .venv")
    for tool in ("bash", "curl", "openssl"):
        if shutil.which(tool) is None:
            pytest.skip(f"the README's commands need {tool}, which is not installed here")
    root = tmp_path / "repo"
    (root / ".venv" / "bin").mkdir(parents=True)
    (root / ".venv" / "bin" / "skgw").symlink_to(SKGW)
    (root / "fixtures").symlink_to(ROOT / "fixtures")
    box = Sandbox(root, {port: _free_port() for port in PORTS})
    example = box.mapped((ROOT / "config.example.toml").read_text(encoding="utf-8"))
    assert "\n[api]" not in example  # the API port is the default: say the free one instead
    (root / "config.example.toml").write_text(example + f"\n[api]\nport = {box.ports[8480]}\n")
    keep = ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR", "SKPGW_TEST_POSTGRES_DSN")
    box.env = {k: v for k, v in os.environ.items() if k in keep}
    try:
        yield box
    finally:
        box.stop()


def _get(url: str, token: str | None = None) -> dict:
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"} if token else {})
    with urllib.request.urlopen(request, timeout=5) as response:
        return json.loads(response.read())


def _sent_by_se(path: Path) -> bool:
    from gateway.conversatie.tabel import afzender_rol
    from gateway.model.berichttype import Berichttype, Rol
    from gateway.xml.validate import validate_document

    entry = validate_document(path.read_bytes()).entry
    return entry is not None and afzender_rol(Berichttype(entry.berichttype)) is Rol.SE


def test_the_readme_first_run_and_replay_run_as_written(sandbox: Sandbox) -> None:
    first_run = block_with("cp config.example.toml")
    for line in logical_lines(first_run):
        sandbox.run(line)
    assert len(sandbox.daemons) == 2, "the first run starts the hub and the gateway"

    submitted = [out for line, out in sandbox.outputs if "--data-binary" in line.text]
    assert len(submitted) == 1, "the first run submits one message with curl"
    answer = json.loads(submitted[0])
    assert answer.get("berichttype") == "Saldoverzoek" and answer.get("new") is True, (
        f"the first run's Saldoverzoek was not accepted: {answer}"
    )
    for line, out in sandbox.outputs:
        if line.text.startswith("curl"):
            json.loads(out)  # every curl of the first run gets a JSON answer
    ref, token = answer["referentienummer"], sandbox.env["SKGW_API_TOKEN"]
    api, admin = f"http://127.0.0.1:{sandbox.ports[8480]}", f"http://127.0.0.1:{sandbox.ports[8444]}"

    deadline = time.monotonic() + WAIT
    while (state := _get(f"{api}/api/berichten/{ref}", token)["state"]) != "delivered":
        assert time.monotonic() < deadline, f"the Saldoverzoek is still {state} after {WAIT:.0f} s"
        time.sleep(0.2)
    at_hub = _get(f"{admin}/admin/berichten/{ref}")
    example = tomllib.loads((ROOT / "config.example.toml").read_text(encoding="utf-8"))
    assert at_hub["ontvanger"] == example["tegenpartij"][0]["id"] and at_hub["status"] == "wacht"

    testers = block_with("skgw replay")
    for line in logical_lines(testers):
        sandbox.run(line)
    replays = [out for line, out in sandbox.outputs if "skgw replay" in line.text]
    assert len(replays) == 2
    se_sends = len([p for p in (ROOT / "fixtures/valid/2.0").glob("*.xml") if _sent_by_se(p)])
    to_hub, to_gateway = replays
    # to the hub: the SE's messages of the folder are skipped, the rest accepted
    assert "refused   0" in to_hub and f"skipped   {se_sends}  (an SE sends these" in to_hub, to_hub
    # through the gateway: the three questions, each opening its conversation there, all accepted
    assert "refused   0" in to_gateway and "skipped" not in to_gateway, to_gateway
    assert re.search(r"^accepted\s+3\b", to_gateway, re.M), to_gateway

    for line, code, log in sandbox.stop():
        assert code == 0, f"README.md:{line.number}: did not stop cleanly on SIGTERM ({code})\n{log[-3000:]}"


# ---- the manual stays inside the repository -----------------------------------------------------------

OUTSIDE = re.compile(r"shared/|DESIGN\.md|DESIGN §|DESIGN section")
PRODUCT = ("gateway", "adapters", "bench", "docs", "schemas", "fixtures")
PRODUCT_FILES = ("README.md", "config.example.toml", "Makefile", "pyproject.toml")


def test_nothing_cites_material_outside_the_repository() -> None:
    """A user has the repository, not the project's background notes: the product cites only its own
    files (docs/decisions.md for the protocol decisions)."""
    files = [ROOT / name for name in PRODUCT_FILES]
    files += [p for d in PRODUCT for p in sorted((ROOT / d).rglob("*")) if p.is_file()]
    found = []
    for path in files:
        if "__pycache__" in path.parts:
            continue
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue  # binary
        for number, line in enumerate(text.splitlines(), 1):
            if OUTSIDE.search(line):
                found.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()[:120]}")
    assert len(files) > 100
    assert not found, "cites material outside the repository:\n" + "\n".join(found)
