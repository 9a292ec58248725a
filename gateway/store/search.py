"""The read side of the :class:`~gateway.store.base.Store` port: the message search the API, the
metrics and the console use (outbox and inbox as one list). The SQL is in :mod:`gateway.store.sql_search`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True, slots=True)
class BerichtFilter:
    berichttype: str | None = None
    richting: str | None = None  # "uit" | "in"
    state: str | None = None
    tegenpartij: str | None = None
    conversatie: str | None = None
    vanaf: datetime | None = None  # inclusive
    tot: datetime | None = None  # exclusive
    limit: int = 50
    cursor: str | None = None  # from the previous page
    referentienummer: str | None = None
    klantnummer_shv: str | None = None
    oplopend: bool = False  # oldest first (default: newest first)


@dataclass(frozen=True, slots=True)
class BerichtSamenvatting:
    richting: str
    referentienummer: str
    berichttype: str
    tegenpartij: str
    conversatie: str | None
    state: str
    moment: datetime
    attempts: int
    last_error: str | None
    updated_at: datetime
    klantnummer_shv: str | None = None


@dataclass(frozen=True, slots=True)
class BerichtenPagina:
    items: list[BerichtSamenvatting]
    volgende: str | None  # cursor of the next page; None on the last page
