"""The lexical forms of amounts and percentages are what they were before their fast paths."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal, InvalidOperation

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gateway.codec import values as v

_CENT = Decimal("0.01")


def _reference_bedrag(value: Decimal) -> str:
    return format(value.quantize(_CENT).copy_abs(), "f")


def _reference_percentage(value: Decimal) -> str:
    text = format(value.copy_abs(), "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text or "0"


def _outcome(function, value: Decimal) -> str | type[Exception]:
    try:
        return function(value)
    except (InvalidOperation, ValueError) as exc:
        return type(exc)


EDGES = [
    "0", "0.0", "0.00", "0.000", "-0", "-0.00", "0E-10", "0E+5", "1", "1.0", "1.00", "1.005", "1.10",
    "1E+2", "1E+10", "1E-2", "12.345E1", "9999999999.99", "10000000000", "100", "100.00", "22.34", "22.5",
    "22.50", "-0.01", "-1", "-22.30", "1" * 40, "1" * 40 + ".00", "1" * 26 + ".00", "1" * 27 + ".00",
    "9999999999999999.99", "10000000000000000.00", "1E+30", "123456789012345678901234567890.12",
    "NaN", "Infinity", "-Infinity",
]  # fmt: skip


@pytest.mark.parametrize("text", EDGES)
def test_edges_as_before(text: str) -> None:
    value = Decimal(text)
    assert _outcome(v.bedrag, value) == _outcome(_reference_bedrag, value)
    assert _outcome(v.percentage, value) == _outcome(_reference_percentage, value)


@given(
    st.decimals(allow_nan=False, allow_infinity=True)
    | st.builds(lambda n, e: Decimal(n).scaleb(e), st.integers(-(10**14), 10**14), st.integers(-6, 3))
)
def test_any_decimal_as_before(value: Decimal) -> None:
    assert _outcome(v.bedrag, value) == _outcome(_reference_bedrag, value)
    assert _outcome(v.percentage, value) == _outcome(_reference_percentage, value)


def _reference_datum_tijd(value: datetime) -> str:
    value = value.astimezone(UTC)
    text = value.strftime("%Y-%m-%dT%H:%M:%S")
    if value.microsecond:
        text += f".{value.microsecond:06d}".rstrip("0")
    return text + "Z"


@given(st.datetimes(timezones=st.timezones() | st.just(UTC)))
def test_datum_tijd_as_before(value: datetime) -> None:
    try:
        expected = _reference_datum_tijd(value)
    except OverflowError:  # a year-1 or year-9999 time that UTC moves out of range
        return
    assert v.datum_tijd(value) == expected


@pytest.mark.parametrize(
    "value",
    [
        datetime(2025, 11, 3, 9, 0, tzinfo=UTC),
        datetime(2025, 11, 3, 9, 0, 0, 120000, tzinfo=UTC),
        datetime(2025, 11, 3, 10, 0, tzinfo=timezone(timedelta(hours=1))),
        datetime(999, 1, 2, 3, 4, 5, tzinfo=UTC),
        datetime(1000, 1, 2, 3, 4, 5, tzinfo=UTC),
        datetime(9999, 12, 31, 23, 59, 59, 999999, tzinfo=UTC),
        datetime(5, 1, 2, 3, 4, 5, 1, tzinfo=UTC),
    ],
)
def test_datum_tijd_examples_as_before(value: datetime) -> None:
    assert v.datum_tijd(value) == _reference_datum_tijd(value)
