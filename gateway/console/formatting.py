"""How the console shows values: Dutch words, Europe/Amsterdam times, euros, werkdagen."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from gateway.engine.werkdagen import NL_TZ, werkdagen_between

RICHTING = {"uit": "verzonden", "in": "ontvangen"}  # the list's ?richting= (Dutch URL) and its label
#: the store's direction of each ?richting= value
DIRECTION = {"uit": "out", "in": "in"}

STATE_OUT = {
    "queued": "in wachtrij",
    "sending": "wordt verzonden",
    "delivered": "afgeleverd",  # at the hub, its receipt verified
    "dead": "onbestelbaar",
}
STATE_IN = {
    "received": "ontvangen, onverwerkt",
    "decoded": "nog over te dragen",  # valid; the own system does not have it yet
    "delivered": "overgedragen",  # to every sink (the own system)
    "quarantined": "in quarantaine",
}
# the state filter of the message list: (value, label)
STATE_FILTER = (
    ("queued", "in wachtrij"),
    ("sending", "wordt verzonden"),
    ("dead", "onbestelbaar (dead letter)"),
    ("delivered", "afgeleverd / overgedragen"),
    ("received", "ontvangen, nog niet verwerkt"),
    ("decoded", "verwerkt, nog niet overgedragen"),
    ("quarantined", "in quarantaine"),
)
SINK_STATE = {
    "pending": "wacht",
    "delivering": "wordt overgedragen",
    "delivered": "overgedragen",
    "dead": "mislukt (opgegeven)",
}
#: a sink (config [sinks.folder] / [sinks.webhook]) as the beheerder knows it: the own system, via …
SINK_NAAM = {"folder": "het eigen systeem (map)", "webhook": "het eigen systeem (webhook)"}


def sink_naam(sink: str) -> str:
    return SINK_NAAM.get(sink, sink)


UITKOMST = {
    "delivered": "afgeleverd",
    "duplicate-accepted": "afgeleverd (had de hub al)",
    "retryable": "mislukt, wordt opnieuw geprobeerd",
    "permanent": "blijvend geweigerd",
}
ACTIE = {
    "resend": "opnieuw versturen",
    "retry-now": "nu versturen",
    "retry-all-now": "wachtrij nu versturen",
    "redeliver": "opnieuw overdragen",
    "fetch-now": "nu ophalen bij de hub",
    "show-bsn": "BSN getoond",
    "download-xml": "XML gedownload",
    "download-json": "JSON gedownload",
}
RESULTAAT = {"ok": "gelukt", "refused": "geweigerd", "failed": "mislukt"}
BREAKER = {
    "closed": "gesloten (normaal)",
    "open": "open: verzenden gepauzeerd",
    "half-open": "half open: proef",
}


def state_label(state: str, direction: str) -> str:
    """The Dutch label of a message's state; ``direction`` is the store's: "out" or "in"."""
    return (STATE_OUT if direction == "out" else STATE_IN).get(state, state)


def tijd(value: datetime | None) -> str:
    """dd-mm-jjjj HH:MM:SS in Europe/Amsterdam."""
    if value is None:
        return "–"
    return value.astimezone(NL_TZ).strftime("%d-%m-%Y %H:%M:%S")


def datum(value: date | None) -> str:
    return "–" if value is None else value.strftime("%d-%m-%Y")


def euro(value: object) -> str:
    """€ 1.097,96 (Dutch: a dot between thousands, a decimal comma)."""
    try:
        amount = value if isinstance(value, Decimal) else Decimal(str(value))
    except InvalidOperation:
        return str(value)
    text = f"{abs(amount):,.2f}".replace(",", "_").replace(".", ",").replace("_", ".")
    return f"€ {'-' if amount < 0 else ''}{text}"


def duur(seconds: float | None) -> str:
    """A Dutch duration: 45 s, 12 min, 3 u 20 min, 2 d 4 u."""
    if seconds is None:
        return "–"
    s = int(seconds)
    if s < 90:
        return f"{s} s"
    if s < 3600:
        return f"{s // 60} min"
    if s < 86400:
        return f"{s // 3600} u {s % 3600 // 60} min"
    return f"{s // 86400} d {s % 86400 // 3600} u"


def termijn(uiterlijk: date | None, today: date) -> tuple[str, bool]:
    """How the answer date stands in werkdagen, and whether it is past."""
    if uiterlijk is None:
        return "geen termijn", False
    if uiterlijk < today:
        late = werkdagen_between(uiterlijk, today)
        return f"{late} werkdag{'en' if late != 1 else ''} te laat", True
    left = werkdagen_between(today, uiterlijk)
    if left == 0:
        return "vandaag", False
    return f"nog {left} werkdag{'en' if left != 1 else ''}", False


def kort(ref: str | None) -> str:
    """The first 8 characters of a UUID, for tables (the whole one is in the link and its title)."""
    return "–" if not ref else (ref[:8] + "…" if len(ref) > 12 else ref)
