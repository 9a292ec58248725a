"""The JSON form of every model object: stable, exact, version-free.

- keys are the model's snake_case field names (Dutch domain terms); a message has a ``berichttype``
  discriminator first;
- amounts and percentages are strings ("1097.96", "22.34") so Decimal stays exact; dates are ISO
  (``2025-11-03``), datetimes UTC with ``Z``; bytes base64; enums their code;
- absent optional values are left out; lists are always present.

``from_json`` refuses unknown keys, wrong types, values out of bounds and broken invariants with a
:class:`JsonFormError` that lists every problem it found (not only the first), each with the JSON path
(``/voorstel/vorderingen/0/afkooppercentage``), never the value. A received message's ``bevindingen``
(the findings the gateway attached to it) are not part of the message: they are ignored.
"""

from __future__ import annotations

import binascii
import dataclasses
import enum
import re
import typing
from collections.abc import Callable, Sequence
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from functools import cache
from typing import Any

from gateway.codec import values as v
from gateway.model import BERICHT_KLASSEN, Berichttype
from gateway.model.bericht import Bericht
from gateway.model.types import (
    Check,
    Geld,
    ModelError,
    base_of,
    check_for,
    marker_of,
    unwrap_optional,
)

DECIMAL_PATTERN = r"[0-9]{1,10}(\.[0-9]{1,2})?"
DATUM_PATTERN = r"[0-9]{4}-[0-9]{2}-[0-9]{2}"
DATUMTIJD_PATTERN = r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]{1,6})?Z"
_DECIMAL = re.compile(DECIMAL_PATTERN)
_DATUM = re.compile(DATUM_PATTERN)
_DATUMTIJD = re.compile(DATUMTIJD_PATTERN)


class JsonFormError(ValueError):
    """The JSON is not a valid model object. ``errors``: every (JSON pointer, reason) found, in document
    order; ``path`` and ``reason`` are the first of them."""

    def __init__(self, path: str, message: str, *, more: Sequence[tuple[str, str]] = ()) -> None:
        self.errors: tuple[tuple[str, str], ...] = ((path or "/", message), *more)
        super().__init__("; ".join(f"{p}: {m}" for p, m in self.errors))
        self.path = path or "/"
        self.reason = message

    @classmethod
    def of(cls, errors: Sequence[tuple[str, str]]) -> JsonFormError:
        (path, message), *more = errors
        return cls(path, message, more=more)


# -- model -> JSON -----------------------------------------------------------------------------------


def to_json(obj: Any) -> dict[str, Any]:
    """The JSON form (a dict ready for ``json.dumps``) of a message or any model part."""
    result: dict[str, Any] = {}
    if isinstance(obj, Bericht):
        result["berichttype"] = obj.berichttype.value
    for name, dump in _dumpers(type(obj)):
        value = getattr(obj, name)
        if value is not None:
            result[name] = dump(value)
    return result


@cache
def _dumpers(cls: type) -> tuple[tuple[str, Callable[[Any], Any]], ...]:
    hints = typing.get_type_hints(cls, include_extras=True)
    return tuple((f.name, _dumper(hints[f.name])) for f in dataclasses.fields(cls))


def _dumper(hint: Any) -> Callable[[Any], Any]:
    inner, _ = unwrap_optional(hint)
    marker = marker_of(inner)
    base = base_of(inner)
    if typing.get_origin(base) is tuple:
        item = _dumper(typing.get_args(base)[0])
        return lambda value: [item(x) for x in value]
    if isinstance(marker, Geld):
        return v.percentage if marker.percentage else v.bedrag
    if base is datetime:
        return v.datum_tijd
    if base is date:
        return v.datum
    if base is bytes:
        return v.base64_text
    if isinstance(base, type) and issubclass(base, enum.Enum):
        return lambda value: value.value
    if dataclasses.is_dataclass(base):
        return to_json
    return lambda value: value


# -- JSON -> model -----------------------------------------------------------------------------------


def from_json(data: Any) -> Bericht:
    """The message a JSON form describes (its ``berichttype`` picks the class)."""
    if not isinstance(data, dict):
        raise JsonFormError("", "a message must be a JSON object")
    code = data.get("berichttype")
    try:
        cls = BERICHT_KLASSEN[Berichttype(code)]
    except ValueError:
        raise JsonFormError(
            "/berichttype", f"must be one of {', '.join(b.value for b in Berichttype)}"
        ) from None
    body = {k: val for k, val in data.items() if k not in ("berichttype", "bevindingen")}
    return typing.cast(Bericht, load(cls, body, ""))


def load(cls: type, data: Any, path: str) -> Any:
    """A model object of ``cls`` from its JSON form (no discriminator); every problem in one error."""
    if not isinstance(data, dict):
        raise JsonFormError(path, "must be a JSON object")
    names, loaders = _loaders(cls)
    errors: list[tuple[str, str]] = []
    if not names.issuperset(data):
        errors += [(f"{path}/{name}", "is not a field of this object") for name in sorted(set(data) - names)]
    kwargs: dict[str, Any] = {}
    for name, suffix, required, loader, _ in loaders:
        value = data.get(name)
        if value is None:  # absent or null
            if required:
                errors.append((path + suffix, "is required"))
            continue
        try:
            kwargs[name] = loader(value, path + suffix)
        except JsonFormError as exc:
            errors += exc.errors
    if not errors:
        try:
            return cls(**kwargs)  # checks every field, then the invariants
        except ModelError as exc:
            errors.append((_pointer(path, exc.field), exc.reason))
    # the construction stops at the first problem: the model's own checks of every loaded field list the rest
    for name, _, _, _, check in loaders:
        if name in kwargs:
            try:
                check(kwargs[name], name)
            except ModelError as exc:
                found = (_pointer(path, exc.field), exc.reason)
                if found not in errors:
                    errors.append(found)
    raise JsonFormError.of(sorted(errors, key=_document_order(loaders, path)))


def _document_order(loaders: tuple, path: str) -> Callable[[tuple[str, str]], int]:
    """Sort key: errors in field order (unknown keys first), so the list reads like the form."""
    order = {loader[0]: index for index, loader in enumerate(loaders)}
    return lambda error: order.get(error[0][len(path) :].split("/")[1], -1)


def _pointer(path: str, field: str) -> str:
    """A model error's field (``vorderingen[0].afkooppercentage``) as a JSON pointer below ``path``."""
    return path + "/" + re.sub(r"\[(\d+)\]", r"/\1", field).replace(".", "/")


Loader = Callable[[Any, str], Any]


@cache
def _loaders(cls: type) -> tuple[frozenset[str], tuple[tuple[str, str, bool, Loader, Check], ...]]:
    """The field names of ``cls`` and, per field, (name, "/name", required, loader, the model's check)."""
    hints = typing.get_type_hints(cls, include_extras=True)
    result = []
    for f in dataclasses.fields(cls):
        required = f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING
        result.append((f.name, "/" + f.name, required, _loader(hints[f.name]), check_for(hints[f.name])))
    return frozenset(name for name, *_ in result), tuple(result)


def _loader(hint: Any) -> Loader:
    inner, _ = unwrap_optional(hint)
    marker = marker_of(inner)
    base = base_of(inner)
    if typing.get_origin(base) is tuple:
        item = _loader(typing.get_args(base)[0])

        def load_list(value: Any, path: str) -> tuple:
            if not isinstance(value, list):
                raise JsonFormError(path, "must be a JSON array")
            items, errors = [], []
            for i, x in enumerate(value):
                try:
                    items.append(item(x, f"{path}/{i}"))
                except JsonFormError as exc:
                    errors += exc.errors
            if errors:
                raise JsonFormError.of(errors)
            return tuple(items)

        return load_list
    if isinstance(marker, Geld):
        return _load_decimal
    if base is datetime:
        return _load_datetime
    if base is date:
        return _load_date
    if base is bytes:
        return _load_bytes
    if isinstance(base, type) and issubclass(base, enum.Enum):
        return _enum_loader(base)
    if dataclasses.is_dataclass(base):
        return lambda value, path: load(base, value, path)
    if base is int:
        return _load_int
    return _load_str


def _load_decimal(value: Any, path: str) -> Decimal:
    if not isinstance(value, str) or not _DECIMAL.fullmatch(value):
        raise JsonFormError(path, 'must be a string amount like "1097.96" (at most 2 decimals)')
    try:
        return Decimal(value)
    except InvalidOperation:  # pragma: no cover - the pattern admits only valid decimals
        raise JsonFormError(path, "is not a number") from None


def _load_date(value: Any, path: str) -> date:
    if not isinstance(value, str) or not _DATUM.fullmatch(value):
        raise JsonFormError(path, "must be a date YYYY-MM-DD")
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise JsonFormError(path, "is not an existing date") from None


def _load_datetime(value: Any, path: str) -> datetime:
    if not isinstance(value, str) or not _DATUMTIJD.fullmatch(value):
        raise JsonFormError(path, "must be a UTC date-time like 2025-11-03T09:00:00Z")
    try:
        return v.parse_datum_tijd(value)
    except ValueError:
        raise JsonFormError(path, "is not an existing date-time") from None


def _load_bytes(value: Any, path: str) -> bytes:
    if not isinstance(value, str):
        raise JsonFormError(path, "must be base64 text")
    try:
        return v.parse_base64(value)
    except (binascii.Error, ValueError):
        raise JsonFormError(path, "is not valid base64") from None


def _enum_loader(kind: type[enum.Enum]) -> Loader:
    members = {member.value: member for member in kind}  # what kind(value) finds first, without its cost

    def load_enum(value: Any, path: str) -> enum.Enum:
        try:
            return members[value]
        except (KeyError, TypeError):  # not a code (TypeError: unhashable): kind(value) decides, as ever
            pass
        try:
            return kind(value)
        except ValueError:
            raise JsonFormError(path, f"must be one of {', '.join(str(m.value) for m in kind)}") from None

    return load_enum


def _load_int(value: Any, path: str) -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        raise JsonFormError(path, "must be a whole number")
    return value


def _load_str(value: Any, path: str) -> str:
    if not isinstance(value, str):
        raise JsonFormError(path, "must be a string")
    return value


__all__ = ["JsonFormError", "from_json", "load", "to_json"]
