"""Configuration: one TOML file mapped onto typed, frozen settings sections.

Every section is a frozen dataclass with defaults (the sections of the security, hub and engine
layers live beside their code), read through the field types of its annotations
(:mod:`gateway.model.fields`, the same description the model and the JSON form use). A key the
section does not know, a value of the wrong type or a missing required key is an error naming the
file, the section and the key; every such problem in the file is reported at once. Relative paths are
taken relative to the configuration file. Secrets never stand in the file: keys ending in
``_env`` name the environment variable that holds them.
"""

from __future__ import annotations

import os
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from gateway.adresboek import Adresboek, Tegenpartij
from gateway.api.auth import ALL_ROLES, Role
from gateway.console.settings import ConsoleSettings
from gateway.engine.settings import EngineSettings
from gateway.model.berichttype import Rol
from gateway.model.fields import object_type
from gateway.model.fieldtype import Reader
from gateway.security.settings import TlsSettings, WsSecuritySettings
from gateway.xml.parsing import ParseLimits

_UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


class ConfigError(Exception):
    """A configuration problem a person can fix: names the file and key."""


@dataclass(frozen=True, slots=True)
class XmlSettings:
    """[xml]: limits for every document read from outside."""

    max_bytes: int = 10 * 1024 * 1024
    max_depth: int = 64
    max_elements: int = 500_000

    @property
    def limits(self) -> ParseLimits:
        return ParseLimits(self.max_bytes, self.max_depth, self.max_elements)


@dataclass(frozen=True, slots=True)
class GatewaySettings:
    """[gateway]: who this gateway is."""

    rol: Rol = Rol.SHV
    adres: str = ""  # our address-book UUID at the hub (required to serve)
    naam: str = "skp-gateway"


@dataclass(frozen=True, slots=True)
class StoreSettings:
    """[store]: ``sqlite:///path`` (one node, zero set-up) or ``postgresql://…`` (several processes)."""

    url: str = "sqlite:///skgw.db"
    url_env: str | None = None  # environment variable holding the URL (a DSN with a password)
    lock_timeout_seconds: float = 10.0  # a transaction waiting longer for a lock fails: API 503

    def resolved_url(self, base: Path | None) -> str:
        url = os.environ.get(self.url_env, "") if self.url_env else self.url
        if self.url_env and not url:
            raise ConfigError(f"[store] url_env: the environment variable {self.url_env} is not set")
        if url.startswith("sqlite:///") and base is not None and not Path(url[10:]).is_absolute():
            return "sqlite:///" + str(base / url[10:])
        return url


@dataclass(frozen=True, slots=True)
class HubSection:
    """[hub]: where the hub is and how long to wait for it (adapters.hub.settings)."""

    endpoint: str = ""
    afzender: str | None = None  # the testers' tools' party; for the gateway it must equal [gateway] adres
    hub_oin: str | None = None
    connect_timeout_seconds: float = 10.0
    request_timeout_seconds: float = 30.0
    max_connections: int = 8
    keepalive_seconds: float = 60.0
    max_response_bytes: int = 64 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class ApiToken:
    """[[api.tokens]]: one named bearer token; its secret is in the environment variable ``env``."""

    name: str
    env: str
    roles: tuple[Role, ...] = (Role.READ, Role.SUBMIT)

    def __post_init__(self) -> None:
        if not self.name.strip():
            raise ValueError("name: a token needs a name (it is shown in logs and the console)")
        if not self.roles:
            raise ValueError(f"token {self.name!r}: roles is empty (known: {', '.join(ALL_ROLES)})")


@dataclass(frozen=True, slots=True)
class ApiClient:
    """[[api.clients]]: a client certificate (under ``client_ca``) allowed in, by OIN or subject."""

    name: str
    roles: tuple[Role, ...]
    oin: str | None = None
    subject: str | None = None  # exact RFC 4514 text, e.g. "CN=zaaksysteem,O=Gemeente Voorbeeld"

    def __post_init__(self) -> None:
        if self.oin is None and self.subject is None:
            raise ValueError(f"client {self.name!r}: give its oin or its subject")
        if self.oin is not None and not re.fullmatch(r"[0-9]{20}", self.oin):
            raise ValueError(f"client {self.name!r}: oin must be 20 digits, found {self.oin!r}")
        if not self.roles:
            raise ValueError(f"client {self.name!r}: roles is empty (known: {', '.join(ALL_ROLES)})")


DEFAULT_TOKEN = ApiToken(name="api", env="SKGW_API_TOKEN", roles=ALL_ROLES)


@dataclass(frozen=True, slots=True)
class ApiSettings:
    """[api]: the JSON API for the organisation's systems. Loopback and authenticated by default."""

    host: str = "127.0.0.1"
    port: int = 8480
    tokens: tuple[ApiToken, ...] = ()  # none and no clients: DEFAULT_TOKEN (SKGW_API_TOKEN, every role)
    clients: tuple[ApiClient, ...] = ()  # mTLS callers; needs client_ca
    client_ca: Path | None = None  # with certificate/private_key: mTLS for the callers in clients
    certificate: Path | None = None
    private_key: Path | None = None
    max_body_bytes: int = 10 * 1024 * 1024

    def __post_init__(self) -> None:
        names = [t.name for t in self.tokens] + [c.name for c in self.clients]
        twice = sorted({n for n in names if names.count(n) > 1})
        if twice:
            raise ValueError(f"caller name(s) {', '.join(twice)} appear more than once")

    def effective_tokens(self) -> tuple[ApiToken, ...]:
        """The configured tokens; the default token when neither tokens nor clients are configured."""
        if self.tokens or self.clients:
            return self.tokens
        return (DEFAULT_TOKEN,)


@dataclass(frozen=True, slots=True)
class WebhookSection:
    url: str
    secret_env: str  # environment variable with the HMAC secret
    timeout_seconds: float = 10.0


@dataclass(frozen=True, slots=True)
class FolderSection:
    path: Path
    format: Literal["json", "xml"] = "json"


@dataclass(frozen=True, slots=True)
class SinksSettings:
    """[sinks.webhook] and/or [sinks.folder]; without either, inbound messages are polled via the API."""

    webhook: WebhookSection | None = None
    folder: FolderSection | None = None


@dataclass(frozen=True, slots=True)
class LoggingSettings:
    level: str = "info"
    json: bool = False


@dataclass(frozen=True, slots=True)
class HealthSettings:
    """[health]: what /ready checks."""

    certificate_warning_days: int = 30  # not ready when our certificate expires sooner
    hub_unreachable_seconds: float = 900.0  # not ready when the hub has not answered for longer


@dataclass(frozen=True, slots=True)
class Config:
    gateway: GatewaySettings = field(default_factory=GatewaySettings)
    xml: XmlSettings = field(default_factory=XmlSettings)
    store: StoreSettings = field(default_factory=StoreSettings)
    tls: TlsSettings | None = None
    wssecurity: WsSecuritySettings = field(default_factory=WsSecuritySettings)
    hub: HubSection = field(default_factory=HubSection)
    engine: EngineSettings = field(default_factory=EngineSettings)
    api: ApiSettings = field(default_factory=ApiSettings)
    sinks: SinksSettings = field(default_factory=SinksSettings)
    logging: LoggingSettings = field(default_factory=LoggingSettings)
    health: HealthSettings = field(default_factory=HealthSettings)
    console: ConsoleSettings = field(default_factory=ConsoleSettings)
    tegenpartij: tuple[Tegenpartij, ...] = ()
    replay: dict[str, Any] = field(default_factory=dict)  # [replay]: read by skgw replay (adapters.testkit)
    source: Path | None = None

    @property
    def base(self) -> Path | None:
        return self.source.parent if self.source else None

    def adresboek(self) -> Adresboek:
        return Adresboek(self.tegenpartij)

    def check_for_serve(self) -> None:
        """The keys `skgw serve` cannot do without, each named when missing."""
        where = str(self.source) if self.source else "configuration"
        if not _UUID.match(self.gateway.adres):
            raise ConfigError(f"{where}: [gateway] adres: our address-book UUID (lowercase) is required")
        if self.tls is None:
            raise ConfigError(f"{where}: [tls]: certificate and ca_bundle are required to talk to the hub")
        if self.hub.afzender and self.hub.afzender != self.gateway.adres:
            raise ConfigError(f"{where}: [hub] afzender: differs from [gateway] adres (leave it out)")
        if not self.hub.endpoint:
            raise ConfigError(f"{where}: [hub] endpoint: the hub's URL is required")
        if not self.tegenpartij:
            raise ConfigError(f"{where}: [[tegenpartij]]: the address book is empty")


def load_config(path: Path | str | None) -> Config:
    """Read a config file; ``None`` gives the defaults. Every problem in the file is reported at once."""
    if path is None:
        return Config()
    path = Path(path).resolve()
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"{path}: no such configuration file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read: {exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from None
    sections = {f.name: f.type for f in object_type(Config).fields if f.name != "source"}
    reader = Reader(path.parent)
    values: dict[str, Any] = {"source": path}
    for name, table in data.items():
        if name not in sections:
            reader.problem(f"{path}", f"unknown section [{name}] (known: {', '.join(sorted(sections))})")
        else:
            values[name] = sections[name].from_toml(table, f"{path}: [{name}]", reader)
    _raise_problems(reader)
    config = Config(**values)
    try:
        config.adresboek()
    except ValueError as exc:
        raise ConfigError(f"{path}: [[tegenpartij]]: {exc}") from None
    return config


def section_from_table(cls: type, table: Any, where: str, base: Path | None = None) -> Any:
    """Build settings dataclass ``cls`` from a TOML table: every unknown key, value of the wrong type and
    missing required key named (``where`` is the file and section, e.g. ``skgw.toml: [hub]``)."""
    reader = Reader(base)
    section = object_type(cls).from_toml(table, where, reader)
    _raise_problems(reader)
    return section


def _raise_problems(reader: Reader) -> None:
    if reader.problems:
        raise ConfigError("\n".join(f"{where}: {reason}" for where, reason in reader.problems))
