"""Cell values at the CSV edge: dd-mm-jjjj dates, decimal-comma amounts, Ja/leeg flags, codes.

Each ``parse_*`` returns the value or raises :class:`CellError` with a reason that shows no
personal data (amounts may be shown).
"""

from __future__ import annotations

import enum
import re
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import TypeVar

from gateway.model import VorderingsType

_DATUM = re.compile(r"([0-9]{2})-([0-9]{2})-([0-9]{4})")
_BEDRAG = re.compile(r"[0-9]{1,10}(,[0-9]{1,2})?")
_GEHEEL = re.compile(r"[0-9]{1,5}")
E = TypeVar("E", bound=enum.Enum)


class CellError(ValueError):
    pass


def datum(value: date) -> str:
    return value.strftime("%d-%m-%Y")


def bedrag(value: Decimal) -> str:
    return f"{value:.2f}".replace(".", ",")


def percentage(value: Decimal) -> str:
    text = f"{value.normalize():f}" if value == value.to_integral() else f"{value:.2f}"
    return text.replace(".", ",")


def parse_datum(text: str) -> date:
    match = _DATUM.fullmatch(text)
    if not match:
        raise CellError("expected a date as dd-mm-jjjj, e.g. 31-03-2024")
    day, month, year = (int(g) for g in match.groups())
    try:
        return date(year, month, day)
    except ValueError:
        raise CellError("not an existing date (dd-mm-jjjj)") from None


def parse_bedrag(text: str) -> Decimal:
    if not _BEDRAG.fullmatch(text):
        if re.fullmatch(r"-?[0-9.,]+", text) and "." in text:
            raise CellError(f"{text!r}: use a decimal comma and no thousands separator, e.g. 1097,96")
        raise CellError(f"{text!r} is not an amount: expected e.g. 1097,96 (0 or more, at most 2 decimals)")
    try:
        return Decimal(text.replace(",", "."))
    except InvalidOperation:  # pragma: no cover - the pattern admits only numbers
        raise CellError(f"{text!r} is not an amount") from None


def parse_percentage(text: str) -> Decimal:
    value = parse_bedrag(text)
    if value > 100:
        raise CellError(f"{text!r}: a percentage is 0 to 100")
    return value


def parse_geheel(text: str) -> int:
    if not _GEHEEL.fullmatch(text):
        raise CellError("expected a whole number")
    return int(text)


def parse_ja(text: str) -> bool:
    """The portal's flags: "Ja" or empty."""
    if not text:
        return False
    if text.casefold() == "ja":
        return True
    raise CellError("expected Ja or an empty cell")


def parse_code(text: str, kind: type[E], labels: dict[str, E] | None = None) -> E:
    """An enumeration by its code (case-insensitive) or one of ``labels``."""
    wanted = text.casefold()
    options = dict(labels or {}) | {str(m.value): m for m in kind}
    for label, member in options.items():
        if label.casefold() == wanted:
            return member
    raise CellError(f"expected one of: {', '.join(options)}")


SCHULDTYPE_LABELS = ("openstaande schuld", "overgedragen schuld", "onbekende schuld bij SE")


def parse_schuldtype(text: str) -> str:
    for label in SCHULDTYPE_LABELS:
        if text.casefold() == label.casefold():
            return label
    raise CellError(f"unknown Schuldtype: expected one of: {', '.join(SCHULDTYPE_LABELS)}")


def parse_vorderingstype(text: str) -> VorderingsType:
    return parse_code(text, VorderingsType)
