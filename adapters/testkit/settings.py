"""Configuration of the tester's tools: the gateway's ``[tls]``, ``[wssecurity]`` and ``[hub]``
sections (see ``config.example.toml``) plus ``[replay]``.

Relative paths are resolved against the directory of the configuration file. Sections the tools
do not use (``[xml]`` …) are allowed, so one file serves the gateway and the tester: a gateway's
own configuration names our party (``[gateway] adres`` and ``rol``) and its counterparts
(``[[tegenpartij]]``); a file for the tools alone names our party as ``[hub] afzender``.
"""

from __future__ import annotations

import dataclasses
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from adapters.hub.settings import HubClientSettings
from gateway.adresboek import Tegenpartij
from gateway.config import ConfigError, GatewaySettings, section_from_table
from gateway.model.berichttype import Rol
from gateway.security.settings import TlsSettings, WsSecuritySettings


@dataclass(frozen=True, slots=True)
class ReplaySettings:
    """[replay]: defaults for ``skgw replay`` (the command line overrides them)."""

    ontvanger: str | None = None  # the default counterpart's address-book UUID
    rate: float = 0.0  # messages per second; 0: as fast as the concurrency allows
    concurrency: int = 4
    retries: int = 2  # extra attempts for a retryable outcome (503, timeout …)
    retry_delay_seconds: float = 0.2  # first pause between attempts; doubles each time


@dataclass(frozen=True, slots=True)
class Party:
    """Who the tools send as, read from a gateway's own sections when the file has them."""

    adres: str | None = None  # [gateway] adres
    rol: Rol | None = None  # [gateway] rol; None without [gateway]: the role is not known
    ontvanger: str | None = None  # the counterpart when [[tegenpartij]] names exactly one


@dataclass(frozen=True, slots=True)
class ToolConfig:
    hub: HubClientSettings
    replay: ReplaySettings
    rol: Rol | None = None  # our role when the file says it ([gateway] rol)


def read_toml(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"{path}: no such configuration file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read: {exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from None


def build(cls: type, table: Any, where: str) -> Any:
    """:func:`gateway.config.section_from_table`, with missing required keys reported by name."""
    if not isinstance(table, dict):
        raise ConfigError(f"{where}: expected a table")
    required = [
        f.name
        for f in dataclasses.fields(cls)
        if f.init and f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING
    ]
    missing = [name for name in required if name not in table]
    if missing:
        raise ConfigError(f"{where}: missing required key(s): {', '.join(missing)}")
    return section_from_table(cls, table, where)


def resolve_tls(tls: TlsSettings, base: Path) -> TlsSettings:
    def p(path: Path) -> Path:
        return path if path.is_absolute() else base / path

    return dataclasses.replace(
        tls,
        certificate=p(tls.certificate),
        ca_bundle=p(tls.ca_bundle),
        private_key=p(tls.private_key) if tls.private_key else None,
        crl_files=tuple(p(c) for c in tls.crl_files),
    )


def load_tool_config(path: Path, endpoint: str | None = None) -> ToolConfig:
    """Read ``[tls]``, ``[wssecurity]``, ``[hub]`` and ``[replay]``; ``endpoint`` overrides [hub]."""
    path = Path(path)
    data = read_toml(path)
    party = read_party(data, path)
    tls = resolve_tls(build(TlsSettings, data.get("tls", {}), f"{path}: [tls]"), path.resolve().parent)
    wss = build(WsSecuritySettings, data.get("wssecurity", {}), f"{path}: [wssecurity]")
    hub_table = dict(data.get("hub", {})) if isinstance(data.get("hub", {}), dict) else None
    if hub_table is None:
        raise ConfigError(f"{path}: [hub]: expected a table")
    if endpoint:
        hub_table["endpoint"] = endpoint
    if party.adres:
        if hub_table.get("afzender", party.adres) != party.adres:
            raise ConfigError(f"{path}: [hub] afzender: differs from [gateway] adres (leave it out)")
        hub_table["afzender"] = party.adres
    for nested in ("tls", "wssecurity"):
        if nested in hub_table:
            raise ConfigError(f"{path}: [hub] {nested}: put these keys in their own [{nested}] section")
    where = f"{path}: [hub]"
    if "afzender" not in hub_table:
        raise ConfigError(f"{where}: missing required key(s): afzender (our party; or [gateway] adres)")
    hub = build(HubClientSettings, {**hub_table, "tls": {"certificate": "-", "ca_bundle": "-"}}, where)
    hub = dataclasses.replace(hub, tls=tls, wssecurity=wss)
    return ToolConfig(hub=hub, replay=_replay(data, path, party), rol=party.rol)


def load_replay_settings(path: Path) -> tuple[ReplaySettings, Rol | None]:
    """Only ``[replay]`` and our role (for ``skgw replay --gateway``, which needs no TLS keys); a
    missing file gives the defaults and no role."""
    path = Path(path)
    if not path.is_file():
        return ReplaySettings(), None
    data = read_toml(path)
    party = read_party(data, path)
    return _replay(data, path, party), party.rol


def _replay(data: dict[str, Any], path: Path, party: Party) -> ReplaySettings:
    """[replay]; its ontvanger defaults to the only counterpart of [[tegenpartij]]."""
    replay = build(ReplaySettings, data.get("replay", {}), f"{path}: [replay]")
    if replay.concurrency < 1 or replay.rate < 0 or replay.retries < 0:
        raise ConfigError(f"{path}: [replay]: concurrency must be >= 1, rate and retries >= 0")
    if replay.ontvanger is None and party.ontvanger:
        replay = dataclasses.replace(replay, ontvanger=party.ontvanger)
    return replay


def read_party(data: dict[str, Any], path: Path) -> Party:
    """Our party and counterparts from a gateway's ``[gateway]`` and ``[[tegenpartij]]``, if present."""
    if "gateway" not in data:
        return Party()
    gateway = section_from_table(GatewaySettings, data["gateway"], f"{path}: [gateway]")
    tables = data.get("tegenpartij", [])
    if not isinstance(tables, list):
        raise ConfigError(f"{path}: [[tegenpartij]]: expected a list of tables")
    tegenpartijen = [
        section_from_table(Tegenpartij, table, f"{path}: [[tegenpartij]] {i + 1}")
        for i, table in enumerate(tables)
    ]
    ontvanger = tegenpartijen[0].id if len(tegenpartijen) == 1 else None
    return Party(adres=gateway.adres or None, rol=gateway.rol, ontvanger=ontvanger)
