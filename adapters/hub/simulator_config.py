"""The simulator's TOML configuration: listener, TLS, address book, state file and initial faults.

Relative paths are resolved against the directory of the configuration file. ``skgw dev-pki``
writes a ready-to-run ``hub.toml`` next to the certificates it creates. ``[hub] state`` names the
SQLite file the simulator keeps its messages in (default ``hub-state.sqlite`` next to the config);
``skgw hub --memory`` keeps them in memory only.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from adapters.hub.simulator_faults import FaultPlan
from gateway.security.settings import TlsSettings, WsSecuritySettings

DEFAULT_STATE_FILE = "hub-state.sqlite"


class ConfigError(ValueError):
    """The configuration file is unreadable or wrong; the message names the key."""


@dataclass(frozen=True, slots=True)
class Partij:
    id: str  # address-book UUID
    naam: str
    oin: str
    rol: str  # SHV | SE
    versies: tuple[str, ...] = ("2.0",)
    kent_sa: bool = True  # knows TypeSchuldregeling SA (nul-aanbod); else only the SK 0.00 workaround

    def public(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "naam": self.naam,
            "oin": self.oin,
            "rol": self.rol,
            "versies": list(self.versies),
            "kent_sa": self.kent_sa,
        }


@dataclass(frozen=True, slots=True)
class SimulatorConfig:
    tls: TlsSettings
    partijen: tuple[Partij, ...]
    host: str = "127.0.0.1"
    port: int = 8443  # 0: an ephemeral port
    admin_port: int | None = 8444  # plain HTTP on host; None: no admin endpoint
    path: str = "/skp"
    wssecurity: WsSecuritySettings = field(default_factory=WsSecuritySettings)
    expiry_werkdagen: int = 5
    max_request_bytes: int = 32 * 1024 * 1024
    validate_documents: bool = True
    check_roles: bool = True  # False: a hub that routes without looking at who may send what
    faults: FaultPlan = field(default_factory=FaultPlan)
    state_path: Path | None = None  # the SQLite state file; None: in memory only


def load_config(path: Path) -> SimulatorConfig:
    try:
        data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"cannot read {path}: {exc.strerror}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from None
    return config_from_dict(data, Path(path).resolve().parent)


def config_from_dict(data: dict[str, Any], base: Path) -> SimulatorConfig:
    hub = _table(data, "hub")
    tls_table = _table(data, "tls")

    def p(value: str) -> Path:
        candidate = Path(value)
        return candidate if candidate.is_absolute() else base / candidate

    try:
        tls = TlsSettings(
            certificate=p(tls_table["certificate"]),
            private_key=p(tls_table["private_key"]) if tls_table.get("private_key") else None,
            ca_bundle=p(tls_table["ca_bundle"]),
            passphrase_env=tls_table.get("passphrase_env") or None,
            crl_files=tuple(p(c) for c in tls_table.get("crl_files", [])),
            minimum_version=tls_table.get("minimum_version", "TLSv1.2"),
        )
    except KeyError as exc:
        raise ConfigError(f"[tls] needs the key {exc.args[0]}") from None
    try:
        wssecurity = WsSecuritySettings(**_table(data, "wssecurity"))
    except TypeError as exc:
        raise ConfigError(
            f"[wssecurity]: {exc}; known keys: algorithm, clock_skew_seconds, "
            "timestamp_ttl_seconds, replay_cache_size"
        ) from None
    partijen = tuple(_partij(i, entry) for i, entry in enumerate(data.get("partij", [])))
    if not partijen:
        raise ConfigError("the address book is empty: add [[partij]] entries (id, naam, oin, rol)")
    ids = [x.id for x in partijen]
    if len(set(ids)) != len(ids):
        raise ConfigError("[[partij]] ids must be unique")
    admin = hub.get("admin_port", 8444)
    return SimulatorConfig(
        tls=tls,
        partijen=partijen,
        host=str(hub.get("host", "127.0.0.1")),
        port=int(hub.get("port", 8443)),
        admin_port=None if admin in (None, False, -1) else int(admin),
        path=str(hub.get("path", "/skp")),
        wssecurity=wssecurity,
        expiry_werkdagen=int(hub.get("expiry_werkdagen", 5)),
        max_request_bytes=int(hub.get("max_request_bytes", 32 * 1024 * 1024)),
        validate_documents=bool(hub.get("validate_documents", True)),
        check_roles=bool(hub.get("check_roles", True)),
        faults=FaultPlan.from_dict(data.get("faults", {})),
        state_path=p(_state(hub)),
    )


def _state(hub: dict[str, Any]) -> str:
    value = hub.get("state", DEFAULT_STATE_FILE)
    if not isinstance(value, str) or not value.strip():
        raise ConfigError('[hub] state must name a file, e.g. "hub-state.sqlite" (or run with --memory)')
    return value


def _table(data: dict[str, Any], name: str) -> dict[str, Any]:
    value = data.get(name, {})
    if not isinstance(value, dict):
        raise ConfigError(f"[{name}] must be a table")
    return value


def _partij(index: int, entry: dict[str, Any]) -> Partij:
    try:
        rol = str(entry["rol"]).upper()
        if rol not in ("SHV", "SE"):
            raise ConfigError(f"[[partij]] #{index + 1}: rol must be SHV or SE, not {entry['rol']!r}")
        return Partij(
            id=str(entry["id"]).lower(),
            naam=str(entry["naam"]),
            oin=str(entry["oin"]),
            rol=rol,
            versies=tuple(str(v) for v in entry.get("versies", ["2.0"])),
            kent_sa=bool(entry.get("kent_sa", True)),
        )
    except KeyError as exc:
        raise ConfigError(f"[[partij]] #{index + 1} needs the key {exc.args[0]}") from None
