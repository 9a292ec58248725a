"""The lexical forms of amounts, percentages and times: one canonical spelling per value that the XSD
accepts and that reads back as the same value."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gateway.model import values as v

BEDRAG = re.compile(r"(0|[1-9][0-9]*)\.[0-9]{2}")  # two decimals, no sign, no exponent
PERCENTAGE = re.compile(r"(0|[1-9][0-9]*)(\.[0-9]*[1-9])?")  # no trailing zeros
DATUM_TIJD = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]*[1-9])?Z")

# the values the model allows: 0 <= x < 10^10 with at most 2 decimals (a percentage at most 100)
AMOUNTS = st.builds(lambda cents, e: Decimal(cents).scaleb(-2).quantize(Decimal(1).scaleb(e)) if e < 0 else
                    Decimal(cents).scaleb(-2), st.integers(0, 10**12 - 1), st.integers(-4, 0))  # fmt: skip


@pytest.mark.parametrize(
    ("text", "bedrag", "percentage"),
    [
        ("0", "0.00", "0"), ("0.0", "0.00", "0"), ("0.000", "0.00", "0"), ("-0", "0.00", "0"),
        ("-0.00", "0.00", "0"), ("0E-10", "0.00", "0"), ("0E+5", "0.00", "0"), ("1", "1.00", "1"),
        ("1.10", "1.10", "1.1"), ("1E+2", "100.00", "100"), ("1E-2", "0.01", "0.01"),
        ("12.345E1", "123.45", "123.45"), ("9999999999.99", "9999999999.99", "9999999999.99"),
        ("22.50", "22.50", "22.5"), ("100.000", "100.00", "100"),
    ],
)  # fmt: skip
def test_examples(text: str, bedrag: str, percentage: str) -> None:
    assert (v.bedrag(Decimal(text)), v.percentage(Decimal(text))) == (bedrag, percentage)


@given(AMOUNTS)
def test_every_amount_is_one_spelling_that_reads_back(value: Decimal) -> None:
    for write, form in ((v.bedrag, BEDRAG), (v.percentage, PERCENTAGE)):
        text = write(value)
        assert form.fullmatch(text), text
        assert Decimal(text) == value
        assert write(Decimal(text)) == text


@given(st.datetimes(timezones=st.timezones() | st.just(UTC)))
def test_every_time_is_utc_with_a_four_digit_year_and_reads_back(value: datetime) -> None:
    try:
        utc = value.astimezone(UTC)
    except OverflowError:  # a year-1 or year-9999 time that UTC moves out of range
        return
    text = v.datum_tijd(value)
    assert DATUM_TIJD.fullmatch(text), text
    assert v.parse_datum_tijd(text) == utc


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (datetime(2025, 11, 3, 9, 0, tzinfo=UTC), "2025-11-03T09:00:00Z"),
        (datetime(2025, 11, 3, 9, 0, 0, 120000, tzinfo=UTC), "2025-11-03T09:00:00.12Z"),
        (datetime(2025, 11, 3, 10, 0, tzinfo=timezone(timedelta(hours=1))), "2025-11-03T09:00:00Z"),
        (datetime(999, 1, 2, 3, 4, 5, tzinfo=UTC), "0999-01-02T03:04:05Z"),  # XSD: at least 4 digits
        (datetime(1000, 1, 2, 3, 4, 5, tzinfo=UTC), "1000-01-02T03:04:05Z"),
        (datetime(9999, 12, 31, 23, 59, 59, 999999, tzinfo=UTC), "9999-12-31T23:59:59.999999Z"),
        (datetime(5, 1, 2, 3, 4, 5, 1, tzinfo=UTC), "0005-01-02T03:04:05.000001Z"),
    ],
)
def test_datum_tijd_examples(value: datetime, expected: str) -> None:
    assert v.datum_tijd(value) == expected
