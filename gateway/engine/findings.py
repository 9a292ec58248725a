"""Findings attached to a received message: its ``bevindingen``.

The receiver cannot correct the sender's message, so what the rules (or any other check) find in a
valid message does not stop it: the finding is stored with the message and travels with it to the
organisation's system. One finding has the shape of :class:`gateway.rules.findings.Finding`:
``{"code", "severity", "field", "message"}`` (a stable kebab-case code, ``error`` or ``warning``, a JSON
pointer into the message's JSON form, an English sentence without personal data) and, where the check
computes one, ``"expected"``: the value the field should have (an amount, never personal data).

Where findings come from, and how they get attached:

- during inspection (:meth:`gateway.engine.processing.Inspection.with_bevindingen`): the Gedragscode and
  consistency rules, the encoding that contradicts itself;
- after the message is stored and before it is accepted (``Store.add_inbound_bevindingen``), for checks
  that need the store (e.g. the conversation it answers).

The stored row keeps them in its own column (they outlive the payload's retention); the sink payload
and the API's JSON form of the message carry them as a top-level ``bevindingen`` list
(:func:`json_with_bevindingen`), always present, empty when nothing was found.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

SEVERITIES = ("error", "warning")
KEYS = ("code", "severity", "field", "message")
OPTIONAL = ("expected",)


def finding(
    code: str, severity: str, field: str, message: str, expected: str | None = None
) -> dict[str, str]:
    """One finding, checked: a finding that does not have the shape is a programming error."""
    found = {"code": code, "severity": severity, "field": field, "message": message}
    return checked(found if expected is None else {**found, "expected": expected})


def checked(finding: Mapping[str, Any]) -> dict[str, str]:
    """``finding`` as a plain dict of its string keys; ValueError when it has not the shape."""
    keys = set(finding)
    if not set(KEYS) <= keys <= set(KEYS + OPTIONAL) or not all(isinstance(finding[k], str) for k in keys):
        raise ValueError(f"a finding has the string keys {', '.join(KEYS)} (and optionally expected)")
    if finding["severity"] not in SEVERITIES:
        raise ValueError(f"a finding's severity is one of {', '.join(SEVERITIES)}")
    if not finding["code"]:
        raise ValueError("a finding has a code")
    return {k: finding[k] for k in KEYS + OPTIONAL if k in finding}


def merged(*groups: Iterable[Mapping[str, Any]]) -> tuple[dict[str, str], ...]:
    """The findings of every group, in order, each once (the same finding from two checks: once)."""
    seen: set[tuple[str, ...]] = set()
    result = []
    for group in groups:
        for finding in group:
            clean = checked(finding)
            key = tuple(clean.get(k, "") for k in KEYS + OPTIONAL)
            if key not in seen:
                seen.add(key)
                result.append(clean)
    return tuple(result)


def json_with_bevindingen(json_body: bytes, bevindingen: Sequence[Mapping[str, str]]) -> bytes:
    """The message's JSON form (as stored) with its ``bevindingen``: what a sink receives."""
    form = json.loads(json_body)
    form["bevindingen"] = [dict(b) for b in bevindingen]
    return json.dumps(form, ensure_ascii=False, separators=(",", ":")).encode()
