"""Logging for the daemon: plain or JSON lines, with message context, never personal data.

Log calls pass context as ``extra={"referentienummer": ..., "conversatie": ..., "berichttype": ...}``;
the formatters put those fields in every line. Personal data must not be logged in the first
place; as a safety net, :class:`PersonalDataFilter` masks any 9-digit number that passes the BSN
elfproef, in the message and in its arguments, before any handler sees the record.
"""

from __future__ import annotations

import json
import logging
import re
import sys
from datetime import UTC, datetime

from gateway.model.bsn import bsn_is_valid

CONTEXT_FIELDS = ("referentienummer", "conversatie", "berichttype", "tegenpartij", "event")
_NINE_DIGITS = re.compile(r"(?<!\d)\d{9}(?!\d)")


def context(
    referentienummer: str | None = None,
    conversatie: str | None = None,
    berichttype: str | None = None,
    tegenpartij: str | None = None,
    event: str | None = None,
) -> dict[str, str]:
    """``extra=`` for a log call about one message: the fields every JSON line carries."""
    fields = {
        "referentienummer": referentienummer,
        "conversatie": conversatie,
        "berichttype": berichttype,
        "tegenpartij": tegenpartij,
        "event": event,
    }
    return {k: v for k, v in fields.items() if v}


def mask_bsn(text: str) -> str:
    return _NINE_DIGITS.sub(lambda m: "*********" if bsn_is_valid(m.group()) else m.group(), text)


class PersonalDataFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = mask_bsn(message)
        if masked != message:
            record.msg, record.args = masked, None
        return True


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "msg": record.getMessage(),
        }
        for name in CONTEXT_FIELDS:
            value = getattr(record, name, None)
            if value is not None:
                entry[name] = value
        if record.exc_info:
            entry["exc"] = mask_bsn(self.formatException(record.exc_info))
        if record.stack_info:
            entry["stack"] = mask_bsn(self.formatStack(record.stack_info))
        return json.dumps(entry, ensure_ascii=False)


class TextFormatter(logging.Formatter):
    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)-7s %(name)s: %(message)s")
        self.converter = lambda created: datetime.fromtimestamp(created, UTC).timetuple()  # UTC inside

    def format(self, record: logging.LogRecord) -> str:
        line = super().format(record)  # with the traceback, whose exception text may carry a BSN
        context = " ".join(
            f"{name}={getattr(record, name)}" for name in CONTEXT_FIELDS if getattr(record, name, None)
        )
        return mask_bsn(f"{line} [{context}]" if context else line)


def configure(level: str = "info", json_lines: bool = False, stream=None) -> None:
    """Set up the root logger once for a process (idempotent)."""
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(JsonFormatter() if json_lines else TextFormatter())
    handler.addFilter(PersonalDataFilter())
    root = logging.getLogger()
    for old in list(root.handlers):
        if getattr(old, "_skpgw", False):
            root.removeHandler(old)
    handler._skpgw = True  # type: ignore[attr-defined]
    root.addHandler(handler)
    root.setLevel(level.upper())
    logging.getLogger("aiohttp.access").setLevel(logging.WARNING)
    # aiosqlite logs every statement with its parameters at DEBUG (whole documents: names, addresses)
    logging.getLogger("aiosqlite").setLevel(logging.INFO)
