"""Cell values at the CSV edge: dates, decimal-comma amounts, Ja/leeg flags, codes.

Read liberally where it is unambiguous: dates as ``d-m-jjjj`` or ``dd-mm-jjjj`` (Dutch Excel
writes ``4-12-2026``), or with a 2-digit year as a Dutch LibreOffice writes a date typed into a
cell (``04-12-26``), read as the year within 80 years before and 19 after today's (as a spreadsheet
reads a 2-digit year it is given); amounts with a decimal comma (``1097,96``), or with a decimal
point when it cannot be a thousands separator (``1097.96``, one or two decimals). Each ``parse_*``
returns the value or raises :class:`CellError` with a reason; the value found is shown beside it by
the caller (:meth:`adapters.csv.groups.Cells.fail`), which masks personal data.
"""

from __future__ import annotations

import enum
import re
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import TypeVar

from gateway.model import VorderingsType

_DATUM = re.compile(r"([0-9]{1,2})-([0-9]{1,2})-([0-9]{4}|[0-9]{2})")
_BEDRAG = re.compile(r"[0-9]{1,10}([,.][0-9]{1,2})?")
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


def full_year(two_digits: int, today: date | None = None) -> int:
    """A 2-digit year as the year ending in those digits within (today - 80 years, today + 19 years]."""
    this_year = (today or date.today()).year
    year = this_year - this_year % 100 + two_digits
    if year > this_year + 19:
        year -= 100
    elif year <= this_year - 81:
        year += 100
    return year


def parse_datum(text: str, today: date | None = None) -> date:
    match = _DATUM.fullmatch(text)
    if not match:
        raise CellError("expected a date as d-m-jjjj or dd-mm-jjjj, e.g. 31-3-2024")
    day, month, year = (int(g) for g in match.groups())
    if len(match.group(3)) == 2:
        year = full_year(year, today)
    try:
        return date(year, month, day)
    except ValueError:
        raise CellError("not an existing date (d-m-jjjj)") from None


def parse_bedrag(text: str) -> Decimal:
    if not _BEDRAG.fullmatch(text):
        if re.fullmatch(r"[0-9.,]+", text) and text.count(".") + text.count(",") > 1:
            raise CellError("use a decimal comma and no thousands separator, e.g. 1097,96")
        if re.fullmatch(r"[0-9]{1,10}\.[0-9]{3}", text):
            raise CellError(
                "a point before 3 digits reads as a thousands separator: write e.g. 1097 or 1097,96"
            )
        raise CellError("not an amount: expected e.g. 1097,96 (0 or more, at most 2 decimals)")
    try:
        return Decimal(text.replace(",", "."))
    except InvalidOperation:  # pragma: no cover - the pattern admits only numbers
        raise CellError("not an amount") from None


def parse_percentage(text: str) -> Decimal:
    value = parse_bedrag(text)
    if value > 100:
        raise CellError("a percentage is 0 to 100")
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
