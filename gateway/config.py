"""Configuration: one TOML file mapped onto typed, frozen settings sections.

Every section is a frozen dataclass with defaults (the sections of the security, hub and engine
layers live beside their code). A key the section does not know, a value of the wrong type or a
missing required key is an error naming the file, the section and the key. Relative paths are
taken relative to the configuration file. Secrets never stand in the file: keys ending in
``_env`` name the environment variable that holds them.
"""

from __future__ import annotations

import collections.abc
import dataclasses
import enum
import os
import re
import tomllib
import types
import typing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from gateway.adresboek import Adresboek, Tegenpartij
from gateway.api.auth import ALL_ROLES, Role
from gateway.console.settings import ConsoleSettings
from gateway.engine.settings import EngineSettings
from gateway.model.berichttype import Rol
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
    """Read a config file; ``None`` gives the defaults."""
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
    hints = typing.get_type_hints(Config)
    sections = {f.name for f in dataclasses.fields(Config) if f.name != "source"}
    values: dict[str, Any] = {"source": path}
    for name, table in data.items():
        if name not in sections:
            raise ConfigError(f"{path}: unknown section [{name}] (known: {', '.join(sorted(sections))})")
        values[name] = _coerce(hints[name], table, f"{path}: [{name}]", path.parent)
    config = Config(**values)
    try:
        config.adresboek()
    except ValueError as exc:
        raise ConfigError(f"{path}: [[tegenpartij]]: {exc}") from None
    return config


def section_from_table(cls: type, table: Any, where: str, base: Path | None = None) -> Any:
    """Build settings dataclass ``cls`` from a TOML table, checking every key and type."""
    if not isinstance(table, dict):
        raise ConfigError(f"{where}: expected a table")
    hints = typing.get_type_hints(cls)
    fields = {f.name: f for f in dataclasses.fields(cls) if f.init}
    values = {}
    for key, value in table.items():
        if key not in fields:
            raise ConfigError(f"{where} {key}: unknown key (known: {', '.join(sorted(fields))})")
        values[key] = _coerce(hints[key], value, f"{where} {key}", base)
    missing = [
        name
        for name, f in fields.items()
        if name not in values
        and f.default is dataclasses.MISSING
        and f.default_factory is dataclasses.MISSING  # type: ignore[misc]
    ]
    if missing:
        raise ConfigError(f"{where}: missing required key {', '.join(missing)}")
    try:
        return cls(**values)
    except (ValueError, TypeError) as exc:
        raise ConfigError(f"{where}: {exc}") from None


def _coerce(hint: Any, value: Any, where: str, base: Path | None = None) -> Any:
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        options = [a for a in typing.get_args(hint) if a is not type(None)]
        if len(options) == 1:
            return _coerce(options[0], value, where, base)
        for option in options:
            try:
                return _coerce(option, value, where, base)
            except ConfigError:
                continue
        raise ConfigError(f"{where}: expected {' or '.join(_name(o) for o in options)}, found {value!r}")
    if origin is Literal:
        allowed = typing.get_args(hint)
        if value not in allowed:
            raise ConfigError(f"{where}: expected one of {', '.join(map(str, allowed))}, found {value!r}")
        return value
    if origin in (dict, collections.abc.Mapping):
        if not isinstance(value, dict):
            raise ConfigError(f"{where}: expected a table, found {value!r}")
        key_type, value_type = typing.get_args(hint) or (Any, Any)
        return {
            _coerce(key_type, k, f"{where}.{k}", base): _coerce(value_type, v, f"{where}.{k}", base)
            for k, v in value.items()
        }
    if origin in (tuple, list):
        if not isinstance(value, list):
            raise ConfigError(f"{where}: expected a list, found {value!r}")
        item = (typing.get_args(hint) or (Any,))[0]
        return tuple(_coerce(item, v, f"{where}[{i}]", base) for i, v in enumerate(value))
    if hint is Any:
        return value
    if dataclasses.is_dataclass(hint):
        return section_from_table(hint, value, where, base)
    return _scalar(hint, value, where, base)


def _scalar(hint: Any, value: Any, where: str, base: Path | None) -> Any:
    if hint is float and isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    if hint is Path and isinstance(value, str):
        path = Path(value).expanduser()
        return path if path.is_absolute() or base is None else base / path
    if isinstance(hint, type) and issubclass(hint, enum.Enum):
        try:
            return hint(value)
        except ValueError:
            allowed = ", ".join(str(m.value) for m in hint)
            raise ConfigError(f"{where}: expected one of {allowed}, found {value!r}") from None
    if isinstance(hint, type) and isinstance(value, hint) and not (hint is int and isinstance(value, bool)):
        return value
    raise ConfigError(f"{where}: expected {_name(hint)}, found {value!r}")


def _name(hint: Any) -> str:
    return {int: "an integer", float: "a number", str: "a string", bool: "true or false", Path: "a path"}.get(
        hint, getattr(hint, "__name__", str(hint))
    )
