"""The read side of the :class:`~gateway.store.base.Store` port: the message search the API, the
metrics and the console use (outbox and inbox as one list). The SQL is in :mod:`gateway.store.sql_search`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True, slots=True)
class BerichtFilter:
    berichttype: str | None = None
    direction: str | None = None  # "out" | "in"
    state: str | None = None
    tegenpartij: str | None = None
    conversatie: str | None = None
    since: datetime | None = None  # inclusive
    until: datetime | None = None  # exclusive
    limit: int = 50
    cursor: str | None = None  # from the previous page
    referentienummer: str | None = None
    klantnummer_shv: str | None = None
    oldest_first: bool = False  # default: newest first


@dataclass(frozen=True, slots=True)
class BerichtSummary:
    direction: str  # "out" (we send it) | "in" (we received it)
    referentienummer: str
    berichttype: str
    tegenpartij: str
    conversatie: str | None
    state: str
    at: datetime  # when it came into being here: queued (out), received (in)
    attempts: int
    last_error: str | None
    updated_at: datetime
    klantnummer_shv: str | None = None


@dataclass(frozen=True, slots=True)
class BerichtenPage:
    items: list[BerichtSummary]
    next_cursor: str | None  # cursor of the next page; None on the last page
