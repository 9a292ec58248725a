"""The field description: one object per annotated type, read by every consumer.

A dataclass field's annotation (``Kenmerk``, ``Bedrag | None``, ``Annotated[tuple[Kenmerk, ...],
Lijst(1, 1000)]``, a nested dataclass, ``Path`` …) is resolved once, by :func:`field_type`, into a
:class:`FieldType`. That object is the only place that knows the type, for all four consumers:

- ``check(value, name)``: the rule, run by the model's ``__post_init__`` (:func:`gateway.model.types.model`);
- ``from_json`` / ``to_json``: the JSON form (:mod:`gateway.codec.json_form`);
- ``json_schema``: its JSON Schema (:mod:`gateway.codec.json_schema`);
- ``from_toml``: how a TOML value becomes one (:mod:`gateway.config`).

A new kind of value is one new class (the standard's value types are in :mod:`gateway.model.types`);
no consumer looks at annotations itself. A kind that has no JSON or TOML form says so with a
``TypeError`` naming it. Readers record every problem they find in a :class:`Reader` (location,
reason) and go on, so a form or a configuration file is reported whole; a JSON problem never
repeats the value (it can be personal data), a configuration problem names what it found.
"""

from __future__ import annotations

import collections.abc
import dataclasses
import enum
import re
import types
import typing
from datetime import date, datetime
from pathlib import Path
from typing import Annotated, Any, Literal

from gateway.model.fieldtype import CHECKED, INVALID, FieldType, ModelError, Reader
from gateway.model.kinds import (
    AnyValue,
    Boolean,
    Bytes,
    Choice,
    Date,
    DateTime,
    FilePath,
    Instance,
    Integer,
    Number,
    String,
)
from gateway.model.structure import Lijst, Mapping, Optional, Sequence, Union

# -- the one reader of annotations ------------------------------------------------------------------------

_PLAIN: dict[Any, FieldType] = {
    str: String(),
    int: Integer(),
    float: Number(),
    bool: Boolean(),
    Path: FilePath(),
    date: Date(),
    datetime: DateTime(),
    bytes: Bytes(),
    Any: AnyValue(),
}
_RESOLVED: dict[Any, FieldType] = {}


def field_type(hint: Any) -> FieldType:
    """The field type of one annotation (resolved once; annotations of dataclasses are read lazily)."""
    try:
        return _RESOLVED[hint]
    except KeyError:
        resolved = _RESOLVED[hint] = _resolve(hint)
        return resolved
    except TypeError:  # an annotation that cannot be a dict key (unhashable metadata)
        return _resolve(hint)


def _resolve(hint: Any) -> FieldType:
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin is Annotated:
        kinds = [m for m in hint.__metadata__ if isinstance(m, FieldType)]
        bounds = [m for m in hint.__metadata__ if isinstance(m, Lijst)]
        if kinds:
            return kinds[0]
        base = field_type(args[0])
        if bounds and isinstance(base, Sequence):
            return Sequence(base.item, bounds[0])
        return base
    if origin in (typing.Union, types.UnionType):
        options = tuple(field_type(a) for a in args if a is not type(None))
        inner = options[0] if len(options) == 1 else Union(options)
        return Optional(inner) if type(None) in args else inner
    if origin is Literal:
        return Choice.of_literal(args)
    if origin in (tuple, list):
        return Sequence(field_type(args[0] if args else Any))
    if origin in (dict, collections.abc.Mapping):
        key, value = args or (Any, Any)
        return Mapping(field_type(key), field_type(value))
    if hint in _PLAIN:
        return _PLAIN[hint]
    if isinstance(hint, type) and dataclasses.is_dataclass(hint):
        return object_type(hint)
    if isinstance(hint, type) and issubclass(hint, enum.Enum):
        return Choice.of_enum(hint)
    if isinstance(hint, type):
        return Instance(hint)
    raise TypeError(f"no field type for {hint!r}")


# -- objects: a dataclass and its fields ------------------------------------------------------------------


@dataclasses.dataclass(frozen=True, slots=True)
class Field:
    """One field of a dataclass: its name, its type, and whether it must be given."""

    name: str
    type: FieldType
    required: bool  # no default
    init: bool = True


def object_type(cls: type) -> Object:
    """The field type of a dataclass (a model object or a configuration section)."""
    found = _OBJECTS.get(cls)
    if found is None:
        found = _OBJECTS[cls] = Object(cls)
    return found


class Object(FieldType):
    """A dataclass: a JSON object (``{"field": …}``, unknown keys refused, null as absent), a TOML table
    (unknown keys refused, missing required keys named). Its fields' annotations are read when first
    needed, so classes may refer to classes defined after them."""

    __slots__ = ("cls", "_fields", "_names", "_readers", "_dumpers")

    def __init__(self, cls: type) -> None:
        self.cls = cls
        self._fields: tuple[Field, ...] | None = None

    def __repr__(self) -> str:
        return f"Object({self.cls.__name__})"

    @property
    def expected(self) -> str:  # type: ignore[override]
        return "a table"

    @property
    def fields(self) -> tuple[Field, ...]:
        if self._fields is None:
            hints = typing.get_type_hints(self.cls, include_extras=True)
            self._fields = tuple(
                Field(
                    f.name,
                    field_type(hints[f.name]),
                    f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING,
                    f.init,
                )
                for f in dataclasses.fields(self.cls)
            )
            self._names = frozenset(f.name for f in self._fields)
            # a field's value is None exactly when it is absent: read and write what an Optional holds
            present = [(f, f.type.inner if isinstance(f.type, Optional) else f.type) for f in self._fields]
            self._readers = tuple((f.name, "/" + f.name, f.required, t.from_json) for f, t in present)
            self._dumpers = tuple((f.name, None if t.json_as_is else t.to_json) for f, t in present)
        return self._fields

    def check(self, value: Any, name: str) -> Any:
        if not isinstance(value, self.cls):
            raise ModelError(name, f"must be a {self.cls.__name__}")
        return value

    # -- the JSON form

    def from_json(self, data: Any, path: str, reader: Reader) -> Any:
        """Every problem recorded: unknown keys first, then each field in order; the object is built (its
        invariants checked) only when its fields are right, without checking them a second time."""
        if not isinstance(data, dict):
            return reader.problem(path, "must be a JSON object")
        self.fields  # noqa: B018 - resolves the readers
        before = len(reader.problems)
        if not self._names.issuperset(data):
            for name in sorted(set(data) - self._names):
                reader.problem(f"{path}/{name}", "is not a field of this object")
        kwargs: dict[str, Any] = {}
        for name, suffix, required, read in self._readers:
            value = data.get(name)
            if value is None:  # absent or null
                if required:
                    reader.problem(path + suffix, "is required")
                continue
            kwargs[name] = read(value, path + suffix, reader)
        if len(reader.problems) > before:
            return INVALID
        token = CHECKED.set(True)  # every field was checked by its from_json
        try:
            return self.cls(**kwargs)
        except ModelError as exc:  # an invariant
            return reader.problem(_pointer(path, exc.field), exc.reason)
        finally:
            CHECKED.reset(token)

    def to_json(self, value: Any) -> Any:
        self.fields  # noqa: B018 - resolves the dumpers
        result = {}
        for name, dump in self._dumpers:
            item = getattr(value, name)
            if item is not None:
                result[name] = item if dump is None else dump(item)
        return result

    def json_schema(self, defs: dict[str, Any]) -> dict[str, Any]:
        name = self.cls.__name__
        if name not in defs:
            defs[name] = {}  # placeholder against recursion
            defs[name] = self.json_schema_object(defs)
        return {"$ref": f"#/$defs/{name}"}

    def json_schema_object(self, defs: dict[str, Any]) -> dict[str, Any]:
        return {
            "type": "object",
            "properties": {f.name: f.type.json_schema(defs) for f in self.fields},
            "required": [f.name for f in self.fields if f.required],
            "additionalProperties": False,
        }

    # -- the configuration

    def from_toml(self, data: Any, where: str, reader: Reader) -> Any:
        """Every problem recorded: unknown keys and wrong values in the table's order, then the missing
        required keys; the section is built only when all its keys are right."""
        if not isinstance(data, dict):
            return reader.problem(where, "expected a table")
        fields = {f.name: f for f in self.fields if f.init}
        before = len(reader.problems)
        values = {}
        for key, value in data.items():
            if key not in fields:
                reader.problem(f"{where} {key}", f"unknown key (known: {', '.join(sorted(fields))})")
            else:
                values[key] = fields[key].type.from_toml(value, f"{where} {key}", reader)
        missing = [name for name, f in fields.items() if f.required and name not in data]
        if missing:
            reader.problem(where, f"missing required key {', '.join(missing)}")
        if len(reader.problems) > before:
            return INVALID
        try:
            return self.cls(**values)
        except (ValueError, TypeError) as exc:  # the section's own rules (__post_init__)
            return reader.problem(where, str(exc))


def _pointer(path: str, field: str) -> str:
    """A model error's field (``vorderingen[0].afkooppercentage``) as a JSON pointer below ``path``."""
    return path + "/" + re.sub(r"\[(\d+)\]", r"/\1", field).replace(".", "/")


_OBJECTS: dict[type, Object] = {}


__all__ = [
    "Field",
    "Lijst",
    "Mapping",
    "Object",
    "Optional",
    "Sequence",
    "Union",
    "field_type",
    "object_type",
]
