"""Lexical forms of the standard's value types: one canonical spelling per value, so output is deterministic.

Bedrag: always two decimals ("1097.96", "0.00"). Percentage: no trailing zeros ("22.34", "22.5", "0").
DatumTijd: UTC with "Z", microseconds only when not zero. Never exponent notation.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from enum import Enum
from typing import TypeVar

E = TypeVar("E", bound=Enum)

_CENT = Decimal("0.01")


def bedrag(value: Decimal) -> str:
    return format(value.quantize(_CENT).copy_abs(), "f")  # copy_abs: "-0.00" (valid XSD) becomes "0.00"


def percentage(value: Decimal) -> str:
    text = format(value.copy_abs(), "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text or "0"


def datum(value: date) -> str:
    return value.isoformat()


def datum_tijd(value: datetime) -> str:
    value = value.astimezone(UTC)
    text = value.isoformat()[:19]  # YYYY-MM-DDTHH:MM:SS, the year always 4 digits as XSD wants it
    if value.microsecond:
        text += f".{value.microsecond:06d}".rstrip("0")
    return text + "Z"


def base64_text(value: bytes) -> str:
    return base64.b64encode(value).decode("ascii")


def parse_decimal(text: str) -> Decimal:
    return Decimal(text.strip())


def parse_datum(text: str) -> date:
    return date.fromisoformat(text.strip())


def parse_datum_tijd(text: str) -> datetime:
    """An xs:dateTime. ``24:00:00`` (valid in XSD 1.0, "the end of the day") is the next day's 00:00,
    for the XML and the JSON form alike; it is never written (:func:`datum_tijd` writes 00:00)."""
    text = text.strip()
    end_of_day = _END_OF_DAY.fullmatch(text)
    if end_of_day:
        midnight = datetime.fromisoformat(f"{end_of_day['day']}T00:00:00{end_of_day['zone'] or ''}")
        return (midnight + timedelta(days=1)).astimezone(UTC)
    return datetime.fromisoformat(text).astimezone(UTC)


_END_OF_DAY = re.compile(r"(?P<day>-?\d{4,}-\d{2}-\d{2})T24:00:00(?:\.0+)?(?P<zone>Z|[+-]\d{2}:\d{2})?")


def parse_base64(text: str) -> bytes:
    return base64.b64decode("".join(text.split()), validate=True)


def enum_parser(kind: type[E]) -> Callable[[str], E]:
    """A fast code -> member lookup (``Enum(value)`` is several times slower); KeyError when unknown."""
    return {member.value: member for member in kind}.__getitem__
