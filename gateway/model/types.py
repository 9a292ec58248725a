"""The value types of the standard (common.xsd) as ``Annotated`` aliases, and the ``@model`` decorator.

Every model field carries its type in its annotation (``Bedrag``, ``Kenmerk``, ``Uuid`` …): a field
type (:mod:`gateway.model.fields`) that states the rule once, for the model's check, the JSON form,
the JSON Schema and the configuration. ``@model`` turns a class into a frozen, slotted, keyword-only
dataclass whose construction checks every field (the checks of its field types, read once per
class); cross-field invariants go in an optional ``_invariants`` method.

Errors name the field, never the value: values can be personal data (BSN, names, addresses).
"""

from __future__ import annotations

import dataclasses
import decimal
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any, TypeVar

from gateway.model import values as v
from gateway.model.bsn import bsn_is_valid
from gateway.model.fields import object_type
from gateway.model.fieldtype import CHECKED, FieldType, ModelError, Reader, anchored
from gateway.model.kinds import Integer, String
from gateway.model.structure import Lijst

# -- the standard's value types ----------------------------------------------------------------------------

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
_TRIMMED = r"[^ \t\n\r]([^\n\r]*[^ \t\n\r])?"  # the rule of _is_trimmed, as the JSON Schema states it


def _is_trimmed(value: str) -> bool:
    """A non-empty text without white space at its ends and without line breaks."""
    return value[0] not in _WHITE and value[-1] not in _WHITE and "\n" not in value and "\r" not in value


@dataclass(frozen=True, slots=True)
class Tekst(String):
    """Text of 1 to ``max_length`` characters that XML can carry; ``trimmed``: no white space at the ends,
    no line breaks; ``pattern``: a further pattern (Python syntax, equivalent to the XSD pattern)."""

    max_length: int
    trimmed: bool = False
    pattern: str | None = None
    _extra: re.Pattern[str] | None = dataclasses.field(init=False, repr=False, compare=False, default=None)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_extra", re.compile(self.pattern) if self.pattern else None)

    def check(self, value: Any, name: str) -> str:
        if not isinstance(value, str):
            raise ModelError(name, "must be text")
        if not 1 <= len(value) <= self.max_length:
            raise ModelError(name, f"must be 1 to {self.max_length} characters long")
        if _NOT_XML.search(value) is not None:
            raise ModelError(name, "contains a control character (or CR) that XML cannot carry")
        if self.trimmed and not _is_trimmed(value):
            raise ModelError(name, "must not start or end with white space or contain line breaks")
        if self._extra is not None and not self._extra.fullmatch(value):
            raise ModelError(name, "does not have the expected form")
        return value

    def json_schema(self, defs: dict[str, Any]) -> dict[str, Any]:
        result: dict[str, Any] = {"type": "string", "minLength": 1, "maxLength": self.max_length}
        pattern = self.pattern or (_TRIMMED if self.trimmed else None)
        if pattern:
            result["pattern"] = anchored(pattern)
        return result


@dataclass(frozen=True, slots=True)
class Patroon(String):
    """A string matching a fixed pattern: UUID, BSN (plus the elfproef), Postcode …"""

    name: str
    pattern: str
    _compiled: re.Pattern[str] | None = dataclasses.field(init=False, repr=False, compare=False, default=None)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_compiled", re.compile(self.pattern))

    def check(self, value: Any, name: str) -> str:
        if not isinstance(value, str) or not self._compiled.fullmatch(value):  # type: ignore[union-attr]
            raise ModelError(name, f"is not a valid {self.name}")
        if self.name == "BSN" and not bsn_is_valid(value):
            raise ModelError(name, "the BSN does not pass the elfproef")
        return value

    def json_schema(self, defs: dict[str, Any]) -> dict[str, Any]:
        return {"type": "string", "pattern": anchored(self.pattern)}


@dataclass(frozen=True, slots=True)
class Geheel(Integer):
    """An integer within bounds."""

    minimum: int
    maximum: int | None = None

    def check(self, value: Any, name: str) -> int:
        if not isinstance(value, int) or isinstance(value, bool):
            raise ModelError(name, "must be a whole number")
        if value < self.minimum or (self.maximum is not None and value > self.maximum):
            upper = "" if self.maximum is None else f" and at most {self.maximum}"
            raise ModelError(name, f"must be at least {self.minimum}{upper}")
        return value

    def json_schema(self, defs: dict[str, Any]) -> dict[str, Any]:
        result: dict[str, Any] = {"type": "integer", "minimum": self.minimum}
        if self.maximum is not None:
            result["maximum"] = self.maximum
        return result


DECIMAL_PATTERN = r"[0-9]{1,10}(\.[0-9]{1,2})?"  # the JSON form of an amount: a string, never a float
_DECIMAL = re.compile(DECIMAL_PATTERN)
_PERCENTAGE = r"(100(\.0{1,2})?|[0-9]{1,2}(\.[0-9]{1,2})?)"


@dataclass(frozen=True, slots=True)
class Geld(FieldType):
    """A Decimal: ``percentage`` limits it to 0..100; otherwise a Bedrag (below 10^10). At most 2 decimals.
    In the JSON form a string ("1097.96", "22.34") so the value stays exact."""

    percentage: bool = False
    expected = 'a string amount like "1097.96"'

    def check(self, value: Any, name: str) -> Decimal:
        if not isinstance(value, Decimal):  # a bool is not a Decimal either
            raise ModelError(name, "must be a Decimal (never a float)")
        if not value.is_finite():
            raise ModelError(name, "must be a finite number")
        if value < _ZERO:
            raise ModelError(name, "must be 0 or more")
        if self.percentage:
            if value > _HUNDRED:
                raise ModelError(name, "a percentage must be between 0 and 100")
        elif value >= _MAX_BEDRAG:
            raise ModelError(name, "is too large (at most 9999999999.99)")
        if _EXACT.remainder(value, _CENT):  # a fraction of a cent is left
            raise ModelError(name, "has more than 2 decimals")
        return value

    def from_json(self, data: Any, path: str, reader: Reader) -> Any:
        if not isinstance(data, str) or not _DECIMAL.fullmatch(data):
            return reader.problem(path, 'must be a string amount like "1097.96" (at most 2 decimals)')
        try:
            return self.check(Decimal(data), path)  # the pattern admits only valid decimals
        except ModelError as exc:
            return reader.problem(path, exc.reason)

    def to_json(self, value: Any) -> Any:
        return v.percentage(value) if self.percentage else v.bedrag(value)

    def json_schema(self, defs: dict[str, Any]) -> dict[str, Any]:
        return {"type": "string", "pattern": anchored(_PERCENTAGE if self.percentage else DECIMAL_PATTERN)}

    def from_toml(self, data: Any, where: str, reader: Reader) -> Any:
        if not isinstance(data, str) or not _DECIMAL.fullmatch(data):
            return self.found(data, where, reader)
        return self.checked(Decimal(data), where, reader)


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

# -- @model ------------------------------------------------------------------------------------------------

T = TypeVar("T")

_Compiled = tuple[tuple[tuple[str, Callable[[Any, str], Any]], ...], Callable[[Any], None] | None]
_CHECKS: dict[type, _Compiled] = {}


def _compiled_checks(cls: type) -> _Compiled:
    compiled = _CHECKS.get(cls)
    if compiled is None:
        checks = tuple((f.name, f.type.check) for f in object_type(cls).fields)
        compiled = _CHECKS[cls] = (checks, getattr(cls, "_invariants", None))
    return compiled


def _post_init(self: Any) -> None:
    checks, invariants = _CHECKS.get(type(self)) or _compiled_checks(type(self))
    if not CHECKED.get():
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


__all__ = [
    "Aantal",
    "Bedrag",
    "Bsn",
    "Datum",
    "DatumTijd",
    "Emailadres",
    "Geheel",
    "Geld",
    "Huisletter",
    "Huisnummer",
    "Kenmerk",
    "Lijst",
    "LooptijdMaanden",
    "ModelError",
    "Naam",
    "Patroon",
    "Percentage",
    "Postcode",
    "Regelnummer",
    "Tekst",
    "Tekst80",
    "Tekst1000",
    "Tekst4000",
    "Telefoonnummer",
    "Uuid",
    "exactly_one",
    "model",
]
