"""The value types of the standard (common.xsd) as ``Annotated`` aliases, and the ``@model`` decorator.

Every model field carries its type's rules in its annotation (``Bedrag``, ``Kenmerk``, ``Uuid`` …).
``@model`` turns a class into a frozen, slotted, keyword-only dataclass and compiles, once per
class, the list of checks its ``__post_init__`` runs; cross-field invariants go in an optional
``_invariants`` method. The JSON form and the JSON Schema generator read the same annotations,
so the XSD, the model and the JSON Schema state one rule in one place each.

Errors name the field, never the value: values can be personal data (BSN, names, addresses).
"""

from __future__ import annotations

import dataclasses
import decimal
import re
import types
import typing
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Annotated, Any, TypeVar

from gateway.model.bsn import bsn_is_valid


class ModelError(ValueError):
    """A model object would break an invariant of the standard. ``field`` is a path like ``klant.bsn``."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.reason = message


# ---------------------------------------------------------------------------------------------
# Type markers (read by the checks below, by the JSON form and by the JSON Schema generator)


@dataclass(frozen=True, slots=True)
class Tekst:
    """Text with length limits; ``trimmed``: no white space at the ends, no line breaks."""

    max_length: int
    trimmed: bool = False
    pattern: str | None = None  # a further pattern (Python syntax, equivalent to the XSD pattern)


@dataclass(frozen=True, slots=True)
class Geheel:
    """An integer within bounds."""

    minimum: int
    maximum: int | None = None


@dataclass(frozen=True, slots=True)
class Geld:
    """A Decimal: ``percentage`` limits it to 0..100; otherwise a Bedrag (below 10^10). At most 2 decimals."""

    percentage: bool = False


@dataclass(frozen=True, slots=True)
class Lijst:
    """A repeated element: ``Annotated[tuple[X, ...], Lijst(1, 5000)]`` (XSD minOccurs / maxOccurs)."""

    minimum: int
    maximum: int


@dataclass(frozen=True, slots=True)
class Patroon:
    """A string matching a fixed pattern: UUID, BSN (plus elfproef), Postcode …"""

    name: str
    pattern: str


UUID_PATTERN = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
BSN_PATTERN = r"[0-9]{9}"
POSTCODE_PATTERN = r"[1-9][0-9]{3} ?[A-Z]{2}"
TELEFOON_PATTERN = r"\+?[0-9][0-9 \-]{5,18}[0-9]"
EMAIL_PATTERN = r"[^@ \t\n\r]+@[^@ \t\n\r]+\.[^@ \t\n\r]+"
HUISLETTER_PATTERN = r"[a-zA-Z]"

Bedrag = Annotated[Decimal, Geld()]
Percentage = Annotated[Decimal, Geld(percentage=True)]
Uuid = Annotated[str, Patroon("UUID", UUID_PATTERN)]
Bsn = Annotated[str, Patroon("BSN", BSN_PATTERN)]
Postcode = Annotated[str, Patroon("Postcode", POSTCODE_PATTERN)]
Huisletter = Annotated[str, Patroon("Huisletter", HUISLETTER_PATTERN)]
Kenmerk = Annotated[str, Tekst(50, trimmed=True)]
Naam = Annotated[str, Tekst(200, trimmed=True)]
Tekst80 = Annotated[str, Tekst(80)]
Tekst1000 = Annotated[str, Tekst(1000)]
Tekst4000 = Annotated[str, Tekst(4000)]
Telefoonnummer = Annotated[str, Tekst(21, pattern=TELEFOON_PATTERN)]
Emailadres = Annotated[str, Tekst(254, pattern=EMAIL_PATTERN)]
Huisnummer = Annotated[int, Geheel(1, 99999)]
Aantal = Annotated[int, Geheel(0, 9999)]
LooptijdMaanden = Annotated[int, Geheel(0, 60)]
Regelnummer = Annotated[int, Geheel(1)]
Datum = date
DatumTijd = datetime  # aware, normalised to UTC

# ---------------------------------------------------------------------------------------------
# Checks

_CENT = Decimal("0.01")
_ZERO = Decimal("0")
# remainders without underflow: a remainder that is not zero never rounds to zero, whatever the exponent
_EXACT = decimal.Context(
    prec=28, Emin=decimal.MIN_EMIN, Emax=decimal.MAX_EMAX, traps=[decimal.InvalidOperation]
)
_HUNDRED = Decimal("100")
_MAX_BEDRAG = Decimal("10000000000")
# Characters XML 1.0 cannot carry, plus CR (a parser turns it into LF, so it would not survive).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0d\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_WHITE = " \t\n\r"

Check = Callable[[Any, str], Any]  # (value, field) -> normalised value (or raises ModelError)


def _check_geld(marker: Geld) -> Check:
    percentage = marker.percentage

    def check(value: Any, name: str) -> Decimal:
        if not isinstance(value, Decimal):  # a bool is not a Decimal either
            raise ModelError(name, "must be a Decimal (never a float)")
        if not value.is_finite():
            raise ModelError(name, "must be a finite number")
        if value < _ZERO:
            raise ModelError(name, "must be 0 or more")
        if percentage:
            if value > _HUNDRED:
                raise ModelError(name, "a percentage must be between 0 and 100")
        elif value >= _MAX_BEDRAG:
            raise ModelError(name, "is too large (at most 9999999999.99)")
        if _EXACT.remainder(value, _CENT):  # a fraction of a cent is left
            raise ModelError(name, "has more than 2 decimals")
        return value

    return check


def _is_trimmed(value: str) -> bool:
    """A non-empty text without white space at its ends and without line breaks."""
    return value[0] not in _WHITE and value[-1] not in _WHITE and "\n" not in value and "\r" not in value


def _check_tekst(marker: Tekst) -> Check:
    extra = re.compile(marker.pattern) if marker.pattern else None
    max_length, trimmed = marker.max_length, marker.trimmed

    def check(value: Any, name: str) -> str:
        if not isinstance(value, str):
            raise ModelError(name, "must be text")
        if not 1 <= len(value) <= max_length:
            raise ModelError(name, f"must be 1 to {max_length} characters long")
        if _NOT_XML.search(value) is not None:
            raise ModelError(name, "contains a control character (or CR) that XML cannot carry")
        if trimmed and not _is_trimmed(value):
            raise ModelError(name, "must not start or end with white space or contain line breaks")
        if extra is not None and not extra.fullmatch(value):
            raise ModelError(name, "does not have the expected form")
        return value

    return check


def _check_patroon(marker: Patroon) -> Check:
    compiled = re.compile(marker.pattern)

    def check(value: Any, name: str) -> str:
        if not isinstance(value, str) or not compiled.fullmatch(value):
            raise ModelError(name, f"is not a valid {marker.name}")
        if marker.name == "BSN" and not bsn_is_valid(value):
            raise ModelError(name, "the BSN does not pass the elfproef")
        return value

    return check


def _check_geheel(marker: Geheel) -> Check:
    def check(value: Any, name: str) -> int:
        if not isinstance(value, int) or isinstance(value, bool):
            raise ModelError(name, "must be a whole number")
        if value < marker.minimum or (marker.maximum is not None and value > marker.maximum):
            upper = "" if marker.maximum is None else f" and at most {marker.maximum}"
            raise ModelError(name, f"must be at least {marker.minimum}{upper}")
        return value

    return check


def _check_date(value: Any, name: str) -> date:
    if not isinstance(value, date) or isinstance(value, datetime):
        raise ModelError(name, "must be a date")
    return value


def _check_datetime(value: Any, name: str) -> datetime:
    if not isinstance(value, datetime):
        raise ModelError(name, "must be a datetime")
    if value.tzinfo is None or value.utcoffset() is None:
        raise ModelError(name, "must be time-zone aware (UTC); a naive datetime is refused")
    return value if value.tzinfo is UTC else value.astimezone(UTC)


def _check_instance(kind: type) -> Check:
    def check(value: Any, name: str) -> Any:
        if not isinstance(value, kind):
            raise ModelError(name, f"must be a {kind.__name__}")
        return value

    return check


def _check_tuple(inner: Check) -> Check:
    def check(value: Any, name: str) -> tuple:
        if not isinstance(value, tuple):
            raise ModelError(name, "must be a tuple")
        return tuple(inner(item, f"{name}[{index}]") for index, item in enumerate(value))

    return check


def _check_lijst(items: Check, marker: Lijst) -> Check:
    def check(value: Any, name: str) -> tuple:
        value = items(value, name)
        count_between(name, value, marker.minimum, marker.maximum)
        return value

    return check


def _optional(inner: Check) -> Check:
    def check(value: Any, name: str) -> Any:
        return None if value is None else inner(value, name)

    return check


def unwrap_optional(hint: Any) -> tuple[Any, bool]:
    """``X | None`` -> (X, True); anything else -> (hint, False)."""
    if typing.get_origin(hint) in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(hint) if a is not type(None)]
        if len(args) == 1 and len(typing.get_args(hint)) == 2:
            return args[0], True
    return hint, False


def marker_of(hint: Any) -> Any:
    """The type marker in an ``Annotated`` hint, or None."""
    if typing.get_origin(hint) is Annotated:
        return next(
            (m for m in hint.__metadata__ if isinstance(m, Tekst | Geheel | Geld | Patroon | Lijst)), None
        )
    return None


def base_of(hint: Any) -> Any:
    """The type inside an ``Annotated`` hint (the hint itself otherwise)."""
    return typing.get_args(hint)[0] if typing.get_origin(hint) is Annotated else hint


def check_for(hint: Any) -> Check:
    """The check for one annotated field type."""
    inner, optional = unwrap_optional(hint)
    if optional:
        return _optional(check_for(inner))
    marker = marker_of(inner)
    base = base_of(inner)
    if typing.get_origin(base) is tuple:
        items = _check_tuple(check_for(typing.get_args(base)[0]))
        return _check_lijst(items, marker) if isinstance(marker, Lijst) else items
    if isinstance(marker, Geld):
        return _check_geld(marker)
    if isinstance(marker, Tekst):
        return _check_tekst(marker)
    if isinstance(marker, Patroon):
        return _check_patroon(marker)
    if isinstance(marker, Geheel):
        return _check_geheel(marker)
    if base is datetime:
        return _check_datetime
    if base is date:
        return _check_date
    return _check_instance(base)


T = TypeVar("T")


_Compiled = tuple[tuple[tuple[str, Check], ...], Callable[[Any], None] | None]
_CHECKS: dict[type, _Compiled] = {}


def _compiled_checks(cls: type) -> _Compiled:
    compiled = _CHECKS.get(cls)
    if compiled is None:
        hints = typing.get_type_hints(cls, include_extras=True)
        checks = tuple((f.name, check_for(hints[f.name])) for f in dataclasses.fields(cls))
        compiled = (checks, getattr(cls, "_invariants", None))
        _CHECKS[cls] = compiled
    return compiled


_SCHEMA_CHECKED: ContextVar[bool] = ContextVar("schema_checked", default=False)


@contextmanager
def schema_checked_values() -> Iterator[None]:
    """Within this block, field checks are skipped: only the cross-field invariants run.

    For the decoder only, on a tree that passed its XSD and content checks: the XSD states the same value
    rules as the field checks (patterns, lengths, decimals, bounds, BSN elfproef in the content checks)
    and the decoder builds the Python types itself, so checking each value twice would only cost time.
    """
    token = _SCHEMA_CHECKED.set(True)
    try:
        yield
    finally:
        _SCHEMA_CHECKED.reset(token)


def _post_init(self: Any) -> None:
    checks, invariants = _CHECKS.get(type(self)) or _compiled_checks(type(self))
    if not _SCHEMA_CHECKED.get():
        for name, check in checks:
            value = getattr(self, name)
            normalised = check(value, name)
            if normalised is not value:
                object.__setattr__(self, name, normalised)
    if invariants is not None:
        invariants(self)


def model(cls: type[T]) -> type[T]:
    """Make ``cls`` a frozen, slotted, keyword-only dataclass whose construction checks every field."""
    cls.__post_init__ = _post_init  # type: ignore[attr-defined]
    return dataclass(frozen=True, slots=True, kw_only=True)(cls)


def exactly_one(owner: str, **choices: object) -> None:
    """Raise unless exactly one of the named choice fields is set (an xs:choice)."""
    given = [name for name, value in choices.items() if value is not None]
    if len(given) != 1:
        raise ModelError(owner, f"exactly one of {', '.join(choices)} must be given (found {len(given)})")


def count_between(name: str, items: tuple, minimum: int, maximum: int) -> None:
    """Raise unless the list has ``minimum`` to ``maximum`` items (XSD minOccurs/maxOccurs)."""
    if not minimum <= len(items) <= maximum:
        raise ModelError(name, f"must have {minimum} to {maximum} items (found {len(items)})")
