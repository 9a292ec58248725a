"""The Bedrag / Percentage check against a reference written from the rule: the fraction digits of the
value (trailing zeros do not count, as for xs:decimal's fractionDigits), counted from its digits alone."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gateway.model.types import Geld, ModelError


def _reference_fraction_digits(value: Decimal) -> int:
    _, digits, exponent = value.as_tuple()
    assert isinstance(exponent, int)
    if exponent >= 0 or not any(digits):
        return 0
    trailing_zeros = len(digits) - len("".join(map(str, digits)).rstrip("0"))
    return -exponent - min(trailing_zeros, -exponent)


def _reference(percentage: bool, value: Any) -> str | None:
    """The rule (the message it raises, or None)."""
    if not isinstance(value, Decimal) or isinstance(value, bool):
        return "must be a Decimal (never a float)"
    if not value.is_finite():
        return "must be a finite number"
    if value < 0:
        return "must be 0 or more"
    if percentage and value > 100:
        return "a percentage must be between 0 and 100"
    if not percentage and value >= Decimal("10000000000"):
        return "is too large (at most 9999999999.99)"
    if _reference_fraction_digits(value) > 2:
        return "has more than 2 decimals"
    return None


def _outcome(percentage: bool, value: Any) -> str | None:
    try:
        result = Geld(percentage=percentage).check(value, "bedrag")
    except ModelError as exc:
        assert exc.field == "bedrag"
        return exc.reason
    assert result is value
    return None


EDGES = [
    "0", "0.0", "0.00", "0.000", "-0", "-0.00", "-0.000", "0E-10", "0E+5", "1", "1.0", "1.00", "1.000",
    "1.005", "1.10", "1.100", "1.1000", "1.001", "1E+2", "1E+10", "1E+30", "1E-2", "1E-3", "1.5E-1",
    "12.345E1", "9999999999.99", "9999999999.990", "10000000000", "10000000000.00", "100", "100.00",
    "100.000", "100.01", "100.001", "99.999", "22.34", "22.5", "-0.01", "-1", "-1.005",
    "1.0000000000000000000000000000001", "1.00000000000000000000000000000000000000",
    "123456789012345678901234567890.123", "1E+999999", "1E-999999", "9E+999999999", "1E-999999999",
    "NaN", "-NaN", "sNaN", "Infinity", "-Infinity",
]  # fmt: skip


@pytest.mark.parametrize("percentage", [False, True])
@pytest.mark.parametrize("text", EDGES)
def test_edges_as_the_rule(percentage: bool, text: str) -> None:
    value = Decimal(text)
    assert _outcome(percentage, value) == _reference(percentage, value)


@pytest.mark.parametrize("value", [1.5, 1, True, False, "1.00", None])
def test_anything_but_a_decimal_is_refused(value: Any) -> None:
    for percentage in (False, True):
        assert _outcome(percentage, value) == "must be a Decimal (never a float)"


@given(
    st.decimals(allow_nan=True, allow_infinity=True)
    | st.builds(lambda n, e: Decimal(n).scaleb(e), st.integers(-(10**14), 10**14), st.integers(-6, 3))
    | st.from_regex(r"-?[0-9]{1,12}(\.[0-9]{0,5})?(E[+-]?[0-9]{1,3})?", fullmatch=True).map(Decimal),
    st.booleans(),
)
def test_any_decimal_as_the_rule(value: Decimal, percentage: bool) -> None:
    assert _outcome(percentage, value) == _reference(percentage, value)
