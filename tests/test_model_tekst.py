"""The text checks decide exactly as the regular expressions that state the rules (the oracles here)."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gateway.model.types import ModelError, Tekst, _is_trimmed

_TRIMMED = re.compile(r"[^ \t\n\r]([^\n\r]*[^ \t\n\r])?")  # XSD: no white space at the ends, no line breaks

# every character class the rules distinguish: white space, line breaks, C0 controls, DEL, surrogates,
# the two non-characters, non-ASCII letters and spaces, astral characters
ALPHABET = list(
    " \t\n\r\x00\x01\x08\x0b\x0c\x0e\x1f\x7f\x85\xa0 aZ9-é€\u2028\ud800\udfff\ufffe\uffff\U0001f600"
)
TEXTS = st.text(alphabet=st.sampled_from(ALPHABET), max_size=12) | st.text(max_size=12)


@settings(max_examples=1000)
@given(TEXTS.filter(bool))
def test_trimmed_as_the_regex(value: str) -> None:
    assert _is_trimmed(value) == (_TRIMMED.fullmatch(value) is not None)


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("", "1 to 50 characters"),
        ("x" * 51, "1 to 50 characters"),
        ("a\x7fb", None),
        ("tab\tinside", None),
        ("a\x01b", "control character"),
        ("a\rb", "control character"),
        ("a\ud800b", "control character"),
        ("a\ufffe", "control character"),
        (" lead", "white space"),
        ("trail\t", "white space"),
        ("line\nbreak", "white space"),
        ("a", None),
        ("é", None),
        ("\xa0nbsp\xa0", None),
    ],
)
def test_kenmerk_examples(value: str, reason: str | None) -> None:
    check = Tekst(50, trimmed=True).check
    if reason is None:
        assert check(value, "kenmerk") is value
    else:
        with pytest.raises(ModelError, match=reason):
            check(value, "kenmerk")
