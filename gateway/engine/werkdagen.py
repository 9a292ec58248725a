"""Dutch working days: weekends and the public holidays of the ``holidays`` package's Netherlands
calendar are excluded. Dates only; turn a UTC moment into a Dutch date with :func:`dutch_date`.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays

NL_TZ = ZoneInfo("Europe/Amsterdam")


@lru_cache(maxsize=64)
def _feestdagen(year: int) -> frozenset[date]:
    return frozenset(holidays.Netherlands(years=year).keys())


def is_feestdag(d: date) -> bool:
    return d in _feestdagen(d.year)


def is_werkdag(d: date) -> bool:
    return d.weekday() < 5 and not is_feestdag(d)


def dutch_date(moment: datetime) -> date:
    """The calendar date in the Netherlands at this (aware) moment."""
    if moment.tzinfo is None:
        raise ValueError("dutch_date needs an aware datetime (UTC inside the gateway)")
    return moment.astimezone(NL_TZ).date()


def add_werkdagen(start: date, n: int) -> date:
    """The date ``n`` working days after ``start`` (``start`` itself is not counted).

    ``n = 0`` gives ``start``; a negative ``n`` counts backwards.
    """
    step = 1 if n >= 0 else -1
    remaining = abs(n)
    d = start
    while remaining:
        d += timedelta(days=step)
        if is_werkdag(d):
            remaining -= 1
    return d


def werkdagen_between(start: date, end: date) -> int:
    """Working days after ``start`` up to and including ``end``; negative when ``end`` < ``start``."""
    if end < start:
        return -werkdagen_between(end, start)
    count = 0
    d = start
    while d < end:
        d += timedelta(days=1)
        if is_werkdag(d):
            count += 1
    return count


def antwoord_uiterlijk(verstuurd_op: datetime, termijn_werkdagen: int) -> date:
    """The last Dutch date an answer is on time for a question sent at ``verstuurd_op``."""
    return add_werkdagen(dutch_date(verstuurd_op), termijn_werkdagen)
