from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from gateway.model.bsn import bsn_is_valid


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


def test_a_comment_inside_a_value_does_not_hide_it_from_the_content_checks() -> None:
    from gateway.xml.validate import validate_document
    from tests.conftest import FIXTURES

    data = (FIXTURES / "valid/2.0/KennisgevingPubliek.xml").read_bytes()
    split_bsn = data.replace(b"<BSN>111222333</BSN>", b"<BSN>1112<!-- x -->22334</BSN>", 1)
    report = validate_document(split_bsn)
    assert [p.code for p in report.problems] == ["bsn-elfproef"]
    split_type = data.replace(
        b"<Berichttype>KennisgevingPubliek<", b"<Berichttype>Kennisgeving<!-- x -->Publiek<", 1
    )
    assert validate_document(split_type).ok
