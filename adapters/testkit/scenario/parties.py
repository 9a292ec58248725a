"""The shared scenario configuration: the parties the runner plays, and how to trust the hub.

    [hub]                                  # only for a real endpoint (--start-hub makes its own)
    hub_oin = "00000001800866472000"
    ca_bundle = "pki/ca.pem"

    [party.gemeente]
    naam = "Gemeente Voorbeeld"
    rol = "SHV"
    oin = "00000001001234567000"
    id = "…"                               # optional: derived from the handle
    versies = ["2.0", "1.1"]               # optional
    kent_sa = true                         # optional
    certificate = "pki/gemeente-voorbeeld.pem"       # optional with --start-hub
    private_key = "pki/gemeente-voorbeeld.key.pem"
    gateway = "local"                      # optional: served by a gateway ("local": started in-process,
    # or its API URL with token_env = "VAR"); the runner then never fetches this party's messages
    adresboek = false                      # optional: left out of local gateways' address books

Relative paths are resolved against the file's directory.
"""

from __future__ import annotations

import re
import uuid
from pathlib import Path
from typing import Any

from adapters.testkit.scenario.sources import SourceMap
from adapters.testkit.settings import read_toml
from gateway.config import ConfigError
from gateway.security.settings import TlsSettings

from .model import PartyDef

_PARTY_KEYS = {
    "naam", "rol", "oin", "id", "versies", "kent_sa", "certificate", "private_key", "gateway", "token_env",
    "adresboek",
}  # fmt: skip
_UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


class ScenarioError(ValueError):
    """Mistakes in scenario or party files: ``mistakes`` lists each, every one starting with
    file:line; the message is all of them, one per line."""

    def __init__(self, *mistakes: str) -> None:
        self.mistakes: list[str] = [m for m in mistakes if m]
        super().__init__("\n".join(self.mistakes))

    @classmethod
    def of(cls, errors: list[ScenarioError]) -> ScenarioError:
        return cls(*(m for e in errors for m in e.mistakes))


def party_id(name: str) -> str:
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"skgw-scenario:{name}"))


def _where(source: SourceMap, name: str, key: str | None = None) -> str:
    header = re.compile(rf"^\s*\[party\.{re.escape(name)}\]")
    for number, text in enumerate(source.lines, start=1):
        if header.match(text):
            if key is None:
                return source.at(number)
            for n in range(number + 1, len(source.lines) + 1):
                line = source.lines[n - 1]
                if line.lstrip().startswith("["):
                    break
                if re.match(rf"^\s*{re.escape(key)}\s*=", line):
                    return source.at(n)
            return source.at(number)
    return source.at(None)


def parse_parties(data: dict[str, Any], source: SourceMap) -> dict[str, PartyDef]:
    """The ``[party.*]`` tables of a parsed file (a party file or a scenario's own)."""
    base = source.path.resolve().parent
    hub = data.get("hub", {})
    if not isinstance(hub, dict):
        raise ScenarioError(f"{source.key('hub')}: [hub] must be a table")
    ca_bundle = _path(base, hub.get("ca_bundle"))
    hub_oin = hub.get("hub_oin")
    parties = {}
    table = data.get("party", {})
    if not isinstance(table, dict):
        raise ScenarioError(f"{source.at(None)}: write parties as [party.NAME] tables")
    mistakes = []
    for name, entry in table.items():
        try:
            parties[name] = _party(name, entry, source, base, ca_bundle, hub_oin)
        except ScenarioError as exc:
            mistakes.append(exc)  # every party's mistake, not only the first party's
    if mistakes:
        raise ScenarioError.of(mistakes)
    return parties


def _party(
    name: str, entry: Any, source: SourceMap, base: Path, ca_bundle: Path | None, hub_oin: str | None
) -> PartyDef:
    where = _where(source, name)
    if not isinstance(entry, dict):
        raise ScenarioError(f"{where}: [party.{name}] must be a table")
    unknown = sorted(set(entry) - _PARTY_KEYS)
    if unknown:
        raise ScenarioError(
            f"{_where(source, name, unknown[0])}: [party.{name}] unknown key {unknown[0]!r} "
            f"(known: {', '.join(sorted(_PARTY_KEYS))})"
        )
    for key in ("rol", "oin"):
        if not isinstance(entry.get(key), str):
            raise ScenarioError(f"{where}: [party.{name}] needs {key} (a string)")
    rol = entry["rol"].upper()
    if rol not in ("SHV", "SE"):
        raise ScenarioError(f"{_where(source, name, 'rol')}: rol must be SHV or SE, not {entry['rol']!r}")
    pid = str(entry.get("id") or party_id(name)).lower()
    if not _UUID.match(pid):
        raise ScenarioError(f"{_where(source, name, 'id')}: id must be a UUID, not {entry['id']!r}")
    gateway, token_env = entry.get("gateway"), entry.get("token_env")
    if gateway is not None and (not isinstance(gateway, str) or not gateway):
        raise ScenarioError(f'{_where(source, name, "gateway")}: gateway must be "local" or the API URL')
    if gateway not in (None, "local") and not isinstance(token_env, str):
        raise ScenarioError(
            f"{_where(source, name, 'gateway')}: a gateway URL needs token_env (the variable with its token)"
        )
    adresboek = entry.get("adresboek", True)
    if not isinstance(adresboek, bool):
        raise ScenarioError(f"{_where(source, name, 'adresboek')}: adresboek must be true or false")
    tls = None
    if entry.get("certificate"):
        if ca_bundle is None:
            raise ScenarioError(f"{where}: a party with a certificate needs [hub] ca_bundle in the same file")
        tls = TlsSettings(
            certificate=_path(base, entry["certificate"]),  # type: ignore[arg-type]
            private_key=_path(base, entry.get("private_key")),
            ca_bundle=ca_bundle,
        )
    return PartyDef(
        name=name,
        naam=str(entry.get("naam", name)),
        rol=rol,
        oin=entry["oin"],
        id=pid,
        versies=tuple(str(v) for v in entry.get("versies", ["2.0", "1.1"])),
        kent_sa=bool(entry.get("kent_sa", True)),
        tls=tls,
        hub_oin=hub_oin,
        gateway=gateway,
        token_env=token_env,
        adresboek=adresboek,
    )


def _path(base: Path, value: Any) -> Path | None:
    if not value:
        return None
    path = Path(str(value))
    return path if path.is_absolute() else base / path


def load_parties(path: Path) -> dict[str, PartyDef]:
    path = Path(path)
    try:
        data = read_toml(path)
        text = path.read_text(encoding="utf-8")
    except ConfigError as exc:
        raise ScenarioError(str(exc)) from None
    return parse_parties(data, SourceMap(path, text))
