"""The base of every field type (:mod:`gateway.model.fields`): what one kind of value is, for the
model's checks, the JSON form, the JSON Schema and the configuration; the reader that collects problems.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path
from typing import Any


class ModelError(ValueError):
    """A model object would break an invariant of the standard. ``field`` is a path like ``klant.bsn``."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.reason = message


class _Invalid:
    __slots__ = ()

    def __repr__(self) -> str:
        return "INVALID"


INVALID: Any = _Invalid()  # what a reader returns for a value it recorded a problem about


class Reader:
    """One read of a JSON form or a configuration file: the problems found so far (location, reason) in
    document order, and the directory relative paths are taken from (configuration only)."""

    __slots__ = ("base", "problems")

    def __init__(self, base: Path | None = None) -> None:
        self.base = base
        self.problems: list[tuple[str, str]] = []

    def problem(self, where: str, reason: str) -> Any:
        self.problems.append((where, reason))
        return INVALID


# set while the values of the model objects being built were checked already (see fields_checked)
CHECKED: ContextVar[bool] = ContextVar("fields_checked", default=False)


@contextmanager
def fields_checked() -> Iterator[None]:
    """Within this block, building a model object skips its field checks: only its invariants run.

    For readers that checked every value on the way in: the XML decoder (the XSD and the content
    checks state the same rules, and the decoder builds the Python types itself) and the JSON form
    (each field type's ``from_json`` runs its ``check``), so no value is checked twice.
    """
    token = CHECKED.set(True)
    try:
        yield
    finally:
        CHECKED.reset(token)


class FieldType:
    """What one annotated type is. Subclasses override what their kind of value supports."""

    __slots__ = ()
    expected = "a value"  # for configuration problems: "expected an integer, found 'x'"
    json_as_is = False  # True: to_json returns the value itself (text, integers, true/false)

    def check(self, value: Any, name: str) -> Any:
        """The value, normalised (a datetime to UTC), or ModelError(name, reason)."""
        return value

    def from_json(self, data: Any, path: str, reader: Reader) -> Any:
        raise TypeError(f"{self!r} has no JSON form")

    def to_json(self, value: Any) -> Any:
        raise TypeError(f"{self!r} has no JSON form")

    def json_schema(self, defs: dict[str, Any]) -> dict[str, Any]:
        raise TypeError(f"no JSON Schema for {self!r}")

    def from_toml(self, data: Any, where: str, reader: Reader) -> Any:
        raise TypeError(f"{self!r} cannot be read from a configuration file")

    def checked(self, value: Any, where: str, reader: Reader) -> Any:
        """``check``, its problem recorded at ``where`` instead of raised."""
        try:
            return self.check(value, where)
        except ModelError as exc:
            return reader.problem(where, exc.reason)

    def found(self, data: Any, where: str, reader: Reader) -> Any:
        """A configuration value of the wrong kind."""
        return reader.problem(where, f"expected {self.expected}, found {data!r}")


def anchored(pattern: str) -> str:
    """A Python ``fullmatch`` pattern as a JSON Schema pattern (which matches anywhere)."""
    return f"^(?:{pattern})$"


