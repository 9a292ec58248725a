"""The lexical forms of amounts and percentages are what they were before their fast paths."""

from __future__ import annotations

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
