"""Configuration: a TOML file mapped onto typed, frozen settings sections.

Every section is a frozen dataclass with defaults; a key in the file that the section does not
know, or a value of the wrong type, is an error naming the file, the section and the key.
Secrets are never written in the file: a key ending in ``_env`` names an environment variable.
"""

from __future__ import annotations

import collections.abc
import dataclasses
import enum
import tomllib
import types
import typing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from gateway.xml.parsing import ParseLimits


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
class Config:
    xml: XmlSettings = field(default_factory=XmlSettings)
    source: Path | None = None


def load_config(path: Path | str | None) -> Config:
    """Read a config file; ``None`` gives the defaults."""
    if path is None:
        return Config()
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"{path}: no such configuration file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read: {exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from None
    sections = {f.name: f for f in dataclasses.fields(Config) if f.name != "source"}
    values: dict[str, Any] = {"source": path}
    for name, table in data.items():
        if name not in sections:
            raise ConfigError(f"{path}: unknown section [{name}] (known: {', '.join(sorted(sections))})")
        section_type = typing.get_type_hints(Config)[name]
        values[name] = section_from_table(section_type, table, f"{path}: [{name}]")
    return Config(**values)


def section_from_table(cls: type, table: Any, where: str) -> Any:
    """Build settings dataclass ``cls`` from a TOML table, checking every key and type."""
    if not isinstance(table, dict):
        raise ConfigError(f"{where}: expected a table")
    hints = typing.get_type_hints(cls)
    known = {f.name for f in dataclasses.fields(cls) if f.init}
    values = {}
    for key, value in table.items():
        if key not in known:
            raise ConfigError(f"{where} {key}: unknown key (known: {', '.join(sorted(known))})")
        values[key] = _coerce(hints[key], value, f"{where} {key}")
    return cls(**values)


def _coerce(hint: Any, value: Any, where: str) -> Any:
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        options = [a for a in typing.get_args(hint) if a is not type(None)]
        for option in options:
            try:
                return _coerce(option, value, where)
            except ConfigError:
                continue
        raise ConfigError(f"{where}: expected {' or '.join(_name(o) for o in options)}, found {value!r}")
    if origin in (dict, collections.abc.Mapping):
        if not isinstance(value, dict):
            raise ConfigError(f"{where}: expected a table, found {value!r}")
        key_type, value_type = typing.get_args(hint) or (Any, Any)
        return {
            _coerce(key_type, k, f"{where}.{k}"): _coerce(value_type, v, f"{where}.{k}")
            for k, v in value.items()
        }
    if origin in (tuple, list):
        if not isinstance(value, list):
            raise ConfigError(f"{where}: expected a list, found {value!r}")
        (item,) = typing.get_args(hint)[:1] or (Any,)
        return tuple(_coerce(item, v, f"{where}[{i}]") for i, v in enumerate(value))
    if hint is Any:
        return value
    if dataclasses.is_dataclass(hint):
        return section_from_table(hint, value, where)
    if hint is float and isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    if hint is Path and isinstance(value, str):
        return Path(value)
    if isinstance(hint, type) and isinstance(value, hint) and not (hint is int and isinstance(value, bool)):
        return value
    if isinstance(hint, type) and issubclass(hint, enum.Enum):
        try:
            return hint(value)
        except ValueError:
            allowed = ", ".join(str(m.value) for m in hint)
            raise ConfigError(f"{where}: expected one of {allowed}, found {value!r}") from None
    raise ConfigError(f"{where}: expected {_name(hint)}, found {value!r}")


def _name(hint: Any) -> str:
    return {int: "an integer", float: "a number", str: "a string", bool: "true or false", Path: "a path"}.get(
        hint, getattr(hint, "__name__", str(hint))
    )
