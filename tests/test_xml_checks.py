from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from gateway.xml.checks import bsn_is_valid


def test_known_bsns() -> None:
    assert bsn_is_valid("111222333")
    assert bsn_is_valid("123456782")
    assert not bsn_is_valid("123456789")
    assert not bsn_is_valid("000000000")
    assert not bsn_is_valid("12345678")
    assert not bsn_is_valid("12345678a")


@given(st.text(alphabet="0123456789", min_size=8, max_size=8))
def test_exactly_one_check_digit_completes_most_prefixes(prefix: str) -> None:
    """The elfproef fixes the last digit: at most one of the ten endings passes."""
    passing = [d for d in "0123456789" if bsn_is_valid(prefix + d)]
    assert len(passing) <= 1
