"""Durations as people write them in scenarios: "250ms", "10s", "2m", "1h", "14d"."""

from __future__ import annotations

import re

_UNITS = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0, "d": 86400.0}
_PATTERN = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)\s*$")


def parse_duration(value: object) -> float:
    """Seconds; raises ValueError with the accepted forms."""
    if isinstance(value, int | float) and not isinstance(value, bool) and value >= 0:
        return float(value)
    match = _PATTERN.match(str(value)) if isinstance(value, str) else None
    if match is None:
        raise ValueError(f"expected a duration like 250ms, 10s, 2m, 1h or 14d, not {value!r}")
    return float(match.group(1)) * _UNITS[match.group(2)]
