"""The structure around values: optional (``X | None``), lists (``tuple[X, ...]`` with ``Lijst``
bounds), tables (``dict[K, V]``) and unions (``A | B``), each a field type over the field types of
its parts (:mod:`gateway.model.fields`)."""

from __future__ import annotations

import collections.abc
import dataclasses
from typing import Any

from gateway.model.fieldtype import INVALID, FieldType, ModelError, Reader


@dataclasses.dataclass(frozen=True, slots=True)
class Optional(FieldType):
    """``X | None``: absent (None) or an X. Whether a field may be left out is the field's default."""

    inner: FieldType

    @property
    def expected(self) -> str:  # type: ignore[override]
        return self.inner.expected

    def check(self, value: Any, name: str) -> Any:
        return None if value is None else self.inner.check(value, name)

    def from_json(self, data: Any, path: str, reader: Reader) -> Any:
        return None if data is None else self.inner.from_json(data, path, reader)

    def to_json(self, value: Any) -> Any:
        return None if value is None else self.inner.to_json(value)

    def json_schema(self, defs: dict[str, Any]) -> dict[str, Any]:
        return self.inner.json_schema(defs)

    def from_toml(self, data: Any, where: str, reader: Reader) -> Any:
        return self.inner.from_toml(data, where, reader)


@dataclasses.dataclass(frozen=True, slots=True)
class Lijst:
    """The number of items of a repeated element: ``Annotated[tuple[X, ...], Lijst(1, 5000)]`` (XSD
    minOccurs / maxOccurs)."""

    minimum: int
    maximum: int


def count_between(name: str, items: tuple, minimum: int, maximum: int) -> None:
    """Raise unless the list has ``minimum`` to ``maximum`` items (XSD minOccurs/maxOccurs)."""
    if not minimum <= len(items) <= maximum:
        raise ModelError(name, f"must have {minimum} to {maximum} items (found {len(items)})")


@dataclasses.dataclass(frozen=True, slots=True)
class Sequence(FieldType):
    """``tuple[X, ...]`` (a JSON array, a TOML list), with ``Lijst`` bounds when annotated with them."""

    item: FieldType
    bounds: Lijst | None = None
    expected = "a list"

    def _count(self, items: tuple, name: str) -> None:
        if self.bounds is not None:
            count_between(name, items, self.bounds.minimum, self.bounds.maximum)

    def check(self, value: Any, name: str) -> Any:
        if not isinstance(value, tuple):
            raise ModelError(name, "must be a tuple")
        check = self.item.check
        items = [check(item, f"{name}[{index}]") for index, item in enumerate(value)]
        self._count(value, name)
        return value if all(a is b for a, b in zip(items, value, strict=True)) else tuple(items)

    def from_json(self, data: Any, path: str, reader: Reader) -> Any:
        if not isinstance(data, list):
            return reader.problem(path, "must be a JSON array")
        before = len(reader.problems)
        read = self.item.from_json
        items = tuple([read(item, f"{path}/{index}", reader) for index, item in enumerate(data)])
        if len(reader.problems) > before:
            return INVALID
        return self.checked_count(items, path, reader)

    def checked_count(self, items: tuple, where: str, reader: Reader) -> Any:
        try:
            self._count(items, where)
        except ModelError as exc:
            return reader.problem(where, exc.reason)
        return items

    def to_json(self, value: Any) -> Any:
        dump = self.item.to_json
        return [dump(item) for item in value]

    def json_schema(self, defs: dict[str, Any]) -> dict[str, Any]:
        result: dict[str, Any] = {"type": "array", "items": self.item.json_schema(defs)}
        if self.bounds is not None:
            result.update(minItems=self.bounds.minimum, maxItems=self.bounds.maximum)
        return result

    def from_toml(self, data: Any, where: str, reader: Reader) -> Any:
        if not isinstance(data, list):
            return self.found(data, where, reader)
        before = len(reader.problems)
        items = tuple(self.item.from_toml(item, f"{where}[{i}]", reader) for i, item in enumerate(data))
        return INVALID if len(reader.problems) > before else self.checked_count(items, where, reader)


@dataclasses.dataclass(frozen=True, slots=True)
class Mapping(FieldType):
    """``dict[K, V]`` in a configuration file: a table."""

    key: FieldType
    value: FieldType
    expected = "a table"

    def check(self, value: Any, name: str) -> Any:
        if not isinstance(value, collections.abc.Mapping):
            raise ModelError(name, "must be a mapping")
        return value

    def from_toml(self, data: Any, where: str, reader: Reader) -> Any:
        if not isinstance(data, dict):
            return self.found(data, where, reader)
        before = len(reader.problems)
        result = {
            self.key.from_toml(k, f"{where}.{k}", reader): self.value.from_toml(item, f"{where}.{k}", reader)
            for k, item in data.items()
        }
        return INVALID if len(reader.problems) > before else result


@dataclasses.dataclass(frozen=True, slots=True)
class Union(FieldType):
    """``A | B``: the first of the options the value is."""

    options: tuple[FieldType, ...]

    @property
    def expected(self) -> str:  # type: ignore[override]
        return " or ".join(option.expected for option in self.options)

    def check(self, value: Any, name: str) -> Any:
        for option in self.options:
            try:
                return option.check(value, name)
            except ModelError:
                continue
        raise ModelError(name, f"must be {self.expected}")

    def from_toml(self, data: Any, where: str, reader: Reader) -> Any:
        for option in self.options:
            attempt = Reader(reader.base)
            result = option.from_toml(data, where, attempt)
            if not attempt.problems:
                return result
        return self.found(data, where, reader)
