from datetime import UTC, date, datetime

import pytest

from gateway.engine.werkdagen import (
    add_werkdagen,
    antwoord_uiterlijk,
    dutch_date,
    is_werkdag,
    werkdagen_between,
)


@pytest.mark.parametrize(
    ("day", "werkdag"),
    [
        (date(2026, 4, 6), False),  # Easter Monday (Tweede Paasdag)
        (date(2026, 4, 27), False),  # King's Day (Monday)
        (date(2025, 4, 26), False),  # King's Day 2025 moved to Saturday 26 April
        (date(2026, 12, 25), False),  # Christmas (Friday)
        (date(2026, 12, 28), True),  # the Monday after
        (date(2026, 3, 7), False),  # a Saturday
        (date(2026, 3, 9), True),
    ],
)
def test_is_werkdag(day, werkdag):
    assert is_werkdag(day) is werkdag


def test_add_across_easter_and_kings_day():
    # Thu 2 April 2026 + 10 werkdagen: Good Friday 3/4 and Easter Monday 6/4 are excluded
    assert add_werkdagen(date(2026, 4, 2), 10) == date(2026, 4, 20)
    assert add_werkdagen(date(2026, 4, 22), 5) == date(2026, 4, 30)  # skips Mon 27 April


def test_add_across_christmas_and_new_year():
    # Wed 23 Dec 2026 + 5: 24, 28, 29, 30, 31 (25/26 Christmas, weekend) → Thu 31 Dec
    assert add_werkdagen(date(2026, 12, 23), 5) == date(2026, 12, 31)
    assert add_werkdagen(date(2026, 12, 23), 6) == date(2027, 1, 4)  # 1 January is a holiday


def test_zero_and_backwards():
    assert add_werkdagen(date(2026, 3, 7), 0) == date(2026, 3, 7)
    assert add_werkdagen(date(2026, 3, 9), -1) == date(2026, 3, 6)


def test_count_between_is_the_inverse_of_add():
    start = date(2026, 3, 30)
    for n in range(0, 40):
        end = add_werkdagen(start, n)
        assert werkdagen_between(start, end) == n
    assert werkdagen_between(date(2026, 4, 20), date(2026, 4, 2)) == -10


def test_answer_date_uses_the_dutch_calendar_date():
    # 23:30 UTC on Friday 3 April 2026 is already Saturday in Amsterdam (CEST, +2)
    late = datetime(2026, 4, 3, 23, 30, tzinfo=UTC)
    assert dutch_date(late) == date(2026, 4, 4)
    assert antwoord_uiterlijk(late, 1) == date(2026, 4, 7)  # Mon 6 April is Easter Monday
    with pytest.raises(ValueError):
        dutch_date(datetime(2026, 4, 3))
