"""The BSN elfproef (11-test): a rule of the domain, used by the model, the XML content checks and the
log filter that masks BSNs."""

from __future__ import annotations

_BSN_WEIGHTS = (9, 8, 7, 6, 5, 4, 3, 2, -1)


def bsn_is_valid(value: str) -> bool:
    """The elfproef for a BSN: 9 digits, weighted sum divisible by 11, not all zeros."""
    if len(value) != 9 or not value.isdigit() or value == "000000000":
        return False
    return sum(int(d) * w for d, w in zip(value, _BSN_WEIGHTS, strict=True)) % 11 == 0
