"""The plain kinds of value: text, numbers, true/false, paths, dates, date-times, bytes, enums and
literals. Each says, in one place, its rule, its JSON form, its JSON Schema and its TOML form."""

from __future__ import annotations

import binascii
import dataclasses
import enum
import re
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from gateway.model import values as v
from gateway.model.fieldtype import INVALID, FieldType, ModelError, Reader, anchored

# -- plain values -----------------------------------------------------------------------------------------


class _Scalar(FieldType):
    """A value JSON and TOML carry as themselves (text, a whole number, true/false): one type test
    says whether a value is of the kind; it is written as is."""

    __slots__ = ()
    json_as_is = True
    kind: type  # the Python type of its values (True and False are not integers here)
    json_type: str  # its JSON Schema type
    reason: str  # the model's reason when a value is of another kind

    def accepts(self, value: Any) -> bool:
        return isinstance(value, self.kind) and (self.kind is bool or not isinstance(value, bool))

    def check(self, value: Any, name: str) -> Any:
        if not self.accepts(value):
            raise ModelError(name, self.reason)
        return value

    def from_json(self, data: Any, path: str, reader: Reader) -> Any:
        return self.checked(data, path, reader)

    def to_json(self, value: Any) -> Any:
        return value

    def json_schema(self, defs: dict[str, Any]) -> dict[str, Any]:
        return {"type": self.json_type}

    def from_toml(self, data: Any, where: str, reader: Reader) -> Any:
        if not self.accepts(data):
            return self.found(data, where, reader)
        return self.checked(data, where, reader)


class String(_Scalar):
    __slots__ = ()
    expected = "a string"
    kind = str
    json_type = "string"
    reason = "must be text"

    def from_json(self, data: Any, path: str, reader: Reader) -> Any:
        if not isinstance(data, str):
            return reader.problem(path, "must be a string")
        return self.checked(data, path, reader)


class Integer(_Scalar):
    __slots__ = ()
    expected = "an integer"
    kind = int
    json_type = "integer"
    reason = "must be a whole number"


class Number(FieldType):
    """A float (configuration: seconds, rates); an integer is taken as the same number."""

    __slots__ = ()
    expected = "a number"

    def check(self, value: Any, name: str) -> Any:
        if not isinstance(value, int | float) or isinstance(value, bool):
            raise ModelError(name, "must be a number")
        return float(value)

    def from_toml(self, data: Any, where: str, reader: Reader) -> Any:
        if not isinstance(data, int | float) or isinstance(data, bool):
            return self.found(data, where, reader)
        return float(data)


class Boolean(_Scalar):
    __slots__ = ()
    expected = "true or false"
    kind = bool
    json_type = "boolean"
    reason = "must be true or false"


class FilePath(FieldType):
    """A path in the configuration, relative to the configuration file's directory."""

    __slots__ = ()
    expected = "a path"

    def check(self, value: Any, name: str) -> Any:
        if not isinstance(value, Path):
            raise ModelError(name, "must be a path")
        return value

    def from_toml(self, data: Any, where: str, reader: Reader) -> Any:
        if not isinstance(data, str):
            return self.found(data, where, reader)
        path = Path(data).expanduser()
        return path if path.is_absolute() or reader.base is None else reader.base / path


class AnyValue(FieldType):
    __slots__ = ()

    def from_toml(self, data: Any, where: str, reader: Reader) -> Any:
        return data


@dataclasses.dataclass(frozen=True, slots=True)
class Instance(FieldType):
    """Any other class: an instance of it (no JSON form; in a configuration file, a value of that type)."""

    kind: type

    @property
    def expected(self) -> str:  # type: ignore[override]
        return self.kind.__name__

    def check(self, value: Any, name: str) -> Any:
        if not isinstance(value, self.kind):
            raise ModelError(name, f"must be a {self.kind.__name__}")
        return value

    def from_toml(self, data: Any, where: str, reader: Reader) -> Any:
        return data if isinstance(data, self.kind) else self.found(data, where, reader)


DATUM_PATTERN = r"[0-9]{4}-[0-9]{2}-[0-9]{2}"
DATUMTIJD_PATTERN = r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]{1,6})?Z"
BASE64_PATTERN = r"[A-Za-z0-9+/]*={0,2}"
_DATUM = re.compile(DATUM_PATTERN)
_DATUMTIJD = re.compile(DATUMTIJD_PATTERN)


class Date(FieldType):
    """A date (no time): ISO ``2025-11-03`` in the JSON form."""

    __slots__ = ()
    expected = "a date"

    def check(self, value: Any, name: str) -> Any:
        if not isinstance(value, date) or isinstance(value, datetime):
            raise ModelError(name, "must be a date")
        return value

    def from_json(self, data: Any, path: str, reader: Reader) -> Any:
        if not isinstance(data, str) or not _DATUM.fullmatch(data):
            return reader.problem(path, "must be a date YYYY-MM-DD")
        try:
            return date.fromisoformat(data)
        except ValueError:
            return reader.problem(path, "is not an existing date")

    def to_json(self, value: Any) -> Any:
        return v.datum(value)

    def json_schema(self, defs: dict[str, Any]) -> dict[str, Any]:
        return {"type": "string", "format": "date", "pattern": anchored(DATUM_PATTERN)}

    def from_toml(self, data: Any, where: str, reader: Reader) -> Any:
        if not isinstance(data, date) or isinstance(data, datetime):
            return self.found(data, where, reader)
        return data


class DateTime(FieldType):
    """An aware datetime, normalised to UTC; ``2025-11-03T09:00:00Z`` in the JSON form."""

    __slots__ = ()
    expected = "a date-time with its offset"

    def check(self, value: Any, name: str) -> Any:
        if not isinstance(value, datetime):
            raise ModelError(name, "must be a datetime")
        if value.tzinfo is None or value.utcoffset() is None:
            raise ModelError(name, "must be time-zone aware (UTC); a naive datetime is refused")
        return value if value.tzinfo is UTC else value.astimezone(UTC)

    def from_json(self, data: Any, path: str, reader: Reader) -> Any:
        if not isinstance(data, str) or not _DATUMTIJD.fullmatch(data):
            return reader.problem(path, "must be a UTC date-time like 2025-11-03T09:00:00Z")
        try:
            return v.parse_datum_tijd(data)
        except ValueError:
            return reader.problem(path, "is not an existing date-time")

    def to_json(self, value: Any) -> Any:
        return v.datum_tijd(value)

    def json_schema(self, defs: dict[str, Any]) -> dict[str, Any]:
        return {"type": "string", "pattern": anchored(DATUMTIJD_PATTERN)}

    def from_toml(self, data: Any, where: str, reader: Reader) -> Any:
        if not isinstance(data, datetime):
            return self.found(data, where, reader)
        return self.checked(data, where, reader)


class Bytes(FieldType):
    """Binary content (a PDF): base64 text in the JSON form."""

    __slots__ = ()

    def check(self, value: Any, name: str) -> Any:
        if not isinstance(value, bytes):
            raise ModelError(name, "must be a bytes")
        return value

    def from_json(self, data: Any, path: str, reader: Reader) -> Any:
        if not isinstance(data, str):
            return reader.problem(path, "must be base64 text")
        try:
            return v.parse_base64(data)
        except (binascii.Error, ValueError):
            return reader.problem(path, "is not valid base64")

    def to_json(self, value: Any) -> Any:
        return v.base64_text(value)

    def json_schema(self, defs: dict[str, Any]) -> dict[str, Any]:
        return {"type": "string", "contentEncoding": "base64", "pattern": anchored(BASE64_PATTERN)}


@dataclasses.dataclass(frozen=True, slots=True)
class Choice(FieldType):
    """One of a fixed set: an enum (its members' values are the codes) or a ``Literal``."""

    name: str
    codes: tuple[Any, ...]
    members: dict[Any, Any] = dataclasses.field(compare=False, hash=False)
    kind: type | None = None  # the enum; None for a Literal (the codes are the values)

    @classmethod
    def of_enum(cls, kind: type[enum.Enum]) -> Choice:
        return cls(kind.__name__, tuple(m.value for m in kind), {m.value: m for m in kind}, kind)

    @classmethod
    def of_literal(cls, codes: tuple[Any, ...]) -> Choice:
        return cls("one of " + ", ".join(map(str, codes)), codes, {c: c for c in codes})

    @property
    def expected(self) -> str:  # type: ignore[override]
        return "one of " + ", ".join(map(str, self.codes))

    def _member(self, data: Any) -> Any:
        try:
            return self.members.get(data, INVALID)
        except TypeError:  # unhashable: not a code
            return INVALID

    def check(self, value: Any, name: str) -> Any:
        if self.kind is not None and not isinstance(value, self.kind):
            raise ModelError(name, f"must be a {self.name}")
        if self.kind is None and self._member(value) is INVALID:
            raise ModelError(name, f"must be {self.expected}")
        return value

    def from_json(self, data: Any, path: str, reader: Reader) -> Any:
        member = self._member(data)
        return reader.problem(path, f"must be {self.expected}") if member is INVALID else member

    def to_json(self, value: Any) -> Any:
        return value.value if self.kind is not None else value

    def json_schema(self, defs: dict[str, Any]) -> dict[str, Any]:
        return {"type": "string", "enum": list(self.codes)}

    def from_toml(self, data: Any, where: str, reader: Reader) -> Any:
        member = self._member(data)
        return self.found(data, where, reader) if member is INVALID else member


