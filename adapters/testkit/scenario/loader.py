"""Load a scenario TOML file into :class:`~adapters.testkit.scenario.model.Scenario`.

Every mistake starts with file:line and says what was expected. A file is read to its end: the
:class:`ScenarioError` raised lists every mistake found (one per step at most, since a step with a
mistake cannot be read further; its name still counts, so later steps that refer to it are judged on
their own).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from adapters.testkit.scenario.durations import parse_duration
from adapters.testkit.scenario.model import (
    ACCEPTED,
    ExpectExpiredStep,
    ExpectFaultStep,
    ExpectFindingStep,
    ExpectFoutberichtStep,
    ExpectStep,
    HubStep,
    Message,
    PartyDef,
    Retry,
    Scenario,
    SendStep,
    Step,
    WaitStep,
)
from adapters.testkit.scenario.parties import ScenarioError, load_parties, parse_parties
from adapters.testkit.scenario.sources import SourceMap
from adapters.testkit.scenario.template import TemplateError, check_path, placeholders
from adapters.testkit.settings import read_toml
from gateway.config import ConfigError
from gateway.engine.ports import Outcome
from gateway.soap.faults import FaultCode

_TOP_KEYS = {"name", "description", "parties", "party", "hub", "step"}
_MESSAGE_KEYS = {"send", "template", "conversatie", "set", "as", "to"}
_KEYS: dict[str, set[str]] = {
    "send": _MESSAGE_KEYS | {"name", "outcome", "retry", "resend"},
    "expect_fault": _MESSAGE_KEYS | {"name", "expect_fault", "outcome"},
    "expect": {"name", "expect", "by", "from", "within", "conversatie", "check", "confirm"},
    "hub": {"name", "hub"},
    "expect_expired": {"name", "expect_expired", "by"},
    "wait": {"name", "wait"},
    "expect_finding": (_MESSAGE_KEYS - {"as"}) | {"name", "expect_finding", "via", "severity"},
    "expect_foutbericht": _MESSAGE_KEYS | {"name", "expect_foutbericht", "within"},
}
_KIND_KEYS = (
    "expect_finding",
    "expect_foutbericht",
    "expect_fault",
    "expect_expired",
    "expect",
    "hub",
    "wait",
)
_SEND_OUTCOMES = (ACCEPTED, Outcome.DELIVERED.value, Outcome.DUPLICATE_ACCEPTED.value)


def load_scenario(path: Path, parties: dict[str, PartyDef] | None = None) -> Scenario:
    """Read one scenario. ``parties``: the shared party definitions (default: the file named by
    the scenario's ``parties`` key, or ``parties.toml`` next to it)."""
    path = Path(path)
    try:
        data = read_toml(path)
        text = path.read_text(encoding="utf-8")
    except ConfigError as exc:
        raise ScenarioError(str(exc)) from None
    source = SourceMap(path, text)
    mistakes: list[ScenarioError] = [
        ScenarioError(
            f"{source.key(key)}: unknown key {key!r} (known: {', '.join(sorted(_TOP_KEYS))}); "
            "steps are [[step]] tables"
        )
        for key in sorted(set(data) - _TOP_KEYS)
    ]
    name = data.get("name")
    if not isinstance(name, str) or not name.strip():
        mistakes.append(ScenarioError(f'{source.at(1)}: the scenario needs a name = "…" at the top'))
    try:
        known = dict(parties) if parties is not None else _shared_parties(path, data, source)
        known.update(parse_parties(data, source))
    except ScenarioError as exc:
        raise ScenarioError.of([*mistakes, exc]) from None
    steps = data.get("step")
    if not isinstance(steps, list) or not steps:
        mistakes.append(ScenarioError(f"{source.at(None)}: a scenario needs at least one [[step]] table"))
        steps = []
    reader = _StepReader(source, known)
    parsed = []
    for index, raw in enumerate(steps):
        try:
            parsed.append(reader.read(index, raw))
        except ScenarioError as exc:
            mistakes.append(exc)
    if mistakes:
        raise ScenarioError.of(mistakes)
    used = {n: known[n] for n in sorted(reader.used)}
    assert isinstance(name, str)
    return Scenario(name.strip(), path, str(data.get("description", "")).strip(), tuple(parsed), used)


def _shared_parties(path: Path, data: dict[str, Any], source: SourceMap) -> dict[str, PartyDef]:
    named = data.get("parties")
    if named is not None and not isinstance(named, str):
        raise ScenarioError(f'{source.key("parties")}: parties must name a party file, e.g. "parties.toml"')
    shared = path.parent / (named or "parties.toml")
    if named and not shared.is_file():
        raise ScenarioError(f"{source.key('parties')}: party file {shared} not found")
    return load_parties(shared) if shared.is_file() else {}


class _StepReader:
    def __init__(self, source: SourceMap, parties: dict[str, PartyDef]) -> None:
        self.source = source
        self.parties = parties
        self.used: set[str] = set()
        self.names: dict[str, str] = {}  # step name -> kind
        self.index = 0

    def fail(self, message: str, key: str | None = None) -> ScenarioError:
        return ScenarioError(f"{self.source.step(self.index, key)}: step {self.index + 1}: {message}")

    def read(self, index: int, raw: Any) -> Step:
        self.index = index
        if not isinstance(raw, dict):
            raise self.fail("expected a [[step]] table")
        kinds = [k for k in _KIND_KEYS if k in raw]
        if not kinds and ({"send", "template", "resend"} & set(raw)):
            kinds = ["send"]
        if len(kinds) != 1:
            found = ", ".join(kinds) or "none"
            raise self.fail(
                "say what the step does with exactly one of send/template/resend, expect, expect_fault, "
                f"expect_finding, expect_foutbericht, hub, expect_expired, wait (found: {found})"
            )
        kind = kinds[0]
        name = raw.get("name", f"step-{index + 1}")
        if not isinstance(name, str) or not name or name in self.names:
            raise self.fail(f"name must be a unique non-empty string ({name!r})", "name")
        try:
            unknown = sorted(set(raw) - _KEYS[kind])
            if unknown:
                known = ", ".join(sorted(_KEYS[kind]))
                raise ScenarioError.of(
                    [self.fail(f"unknown key {k!r} for a {kind} step (known: {known})", k) for k in unknown]
                )
            base = {"name": name, "source": self.source.step(index), "number": index + 1}
            return getattr(self, f"_{kind}")(raw, base)
        finally:
            self.names[name] = kind  # also when the step has a mistake: no follow-on "names no step"

    def party(self, raw: dict[str, Any], key: str, required: bool = True) -> str | None:
        value = raw.get(key)
        if value is None and not required:
            return None
        if not isinstance(value, str) or value not in self.parties:
            known = ", ".join(sorted(self.parties)) or "none defined: add a parties file or [party.NAME]"
            raise self.fail(f"{key} must name a party (known: {known}), found {value!r}", key)
        self.used.add(value)
        return value

    def text(self, value: Any, key: str) -> str:
        if not isinstance(value, str):
            raise self.fail(f"{key} must be a string, found {value!r}", key)
        try:
            for kind, arg in placeholders(value):
                if kind == "ref" and arg not in self.names:
                    raise TemplateError(f"{{{{ref:{arg}}}}} names no earlier step")
                if kind == "party" and arg not in self.parties:
                    raise TemplateError(f"{{{{party:{arg}}}}} names no party")
                if kind == "party":
                    self.used.add(arg)  # type: ignore[arg-type]
        except TemplateError as exc:
            raise self.fail(str(exc), key) from None
        return value

    def paths(self, raw: dict[str, Any], key: str) -> dict[str, str]:
        table = raw.get(key, {})
        if not isinstance(table, dict):
            raise self.fail(f'{key} must be a table of path = "value"', key)
        out = {}
        for path, value in table.items():
            try:
                check_path(path)
            except TemplateError as exc:
                raise self.fail(str(exc), key) from None
            if isinstance(value, int | float) and not isinstance(value, bool):
                value = str(value)
            out[path] = self.text(value, key)
        return out

    def duration(self, raw: dict[str, Any], key: str, default: float) -> float:
        try:
            return parse_duration(raw[key]) if key in raw else default
        except ValueError as exc:
            raise self.fail(str(exc), key) from None

    def message(self, raw: dict[str, Any]) -> Message:
        if ("send" in raw) == ("template" in raw):
            raise self.fail("give either send = \"FIXTURE.xml\" or template = '''<xml…>'''", "send")
        fixture = None
        if "send" in raw:
            relative = self.text(raw["send"], "send")
            fixture = (self.source.path.parent / relative).resolve()
            if not fixture.is_file():
                raise self.fail(f"fixture {relative} not found (looked at {fixture})", "send")
        template = self.text(raw["template"], "template") if "template" in raw else None
        conversatie = raw.get("conversatie", "main")
        if not isinstance(conversatie, str) or not conversatie:
            raise self.fail('conversatie must name a conversation, e.g. "main"', "conversatie")
        return Message(fixture, template, conversatie, self.paths(raw, "set"))

    def _send(self, raw: dict[str, Any], base: dict[str, Any]) -> SendStep:
        resend = raw.get("resend")
        if resend is not None:
            if self.names.get(resend) != "send":
                raise self.fail(f"resend must name an earlier send step, found {resend!r}", "resend")
            if {"send", "template", "set", "conversatie"} & set(raw):
                raise self.fail(
                    "a resend sends the earlier bytes unchanged: drop send/template/set", "resend"
                )
        outcome = raw.get("outcome", ACCEPTED)
        if outcome not in _SEND_OUTCOMES:
            raise self.fail(f"outcome must be one of {', '.join(_SEND_OUTCOMES)}", "outcome")
        return SendStep(
            **base,
            afzender=self.party(raw, "as"),  # type: ignore[arg-type]
            ontvanger=self.party(raw, "to"),  # type: ignore[arg-type]
            message=None if resend else self.message(raw),
            resend=resend,
            outcome=outcome,
            retry=self.retry(raw),
        )

    def retry(self, raw: dict[str, Any]) -> Retry:
        table = raw.get("retry", {})
        if not isinstance(table, dict) or set(table) - {"attempts", "delay"}:
            raise self.fail('retry = { attempts = 5, delay = "100ms" }', "retry")
        attempts = table.get("attempts", 1)
        if not isinstance(attempts, int) or not 1 <= attempts <= 20:
            raise self.fail("retry.attempts must be a whole number from 1 to 20", "retry")
        try:
            delay = parse_duration(table.get("delay", "100ms"))
        except ValueError as exc:
            raise self.fail(f"retry.delay: {exc}", "retry") from None
        return Retry(attempts, delay)

    def _expect_fault(self, raw: dict[str, Any], base: dict[str, Any]) -> ExpectFaultStep:
        code = raw["expect_fault"]
        codes = {c.value for c in FaultCode}
        if not isinstance(code, str) or not code:
            raise self.fail(f"expect_fault must be a fault code such as {', '.join(sorted(codes))}")
        outcome = raw.get("outcome")
        if outcome not in (None, Outcome.PERMANENT.value, Outcome.RETRYABLE.value):
            raise self.fail("outcome must be permanent or retryable", "outcome")
        return ExpectFaultStep(
            **base,
            afzender=self.party(raw, "as"),  # type: ignore[arg-type]
            ontvanger=self.party(raw, "to"),  # type: ignore[arg-type]
            message=self.message(raw),
            code=code,
            outcome=outcome,
        )

    def _expect(self, raw: dict[str, Any], base: dict[str, Any]) -> ExpectStep:
        berichttype = raw["expect"]
        if not isinstance(berichttype, str) or not berichttype:
            raise self.fail('expect must name a Berichttype, e.g. "SaldoverzoekAntwoord"', "expect")
        conversatie = raw.get("conversatie", "main")
        if not isinstance(conversatie, str):
            raise self.fail('conversatie must name a conversation, or "*" for any', "conversatie")
        confirm = raw.get("confirm", True)
        if not isinstance(confirm, bool):
            raise self.fail("confirm must be true or false", "confirm")
        door = self.party(raw, "by")
        if self.parties[door or ""].served_by_gateway:
            raise self.fail(f"{door} is served by a gateway, which fetches its messages: expect cannot", "by")
        return ExpectStep(
            **base,
            berichttype=berichttype,
            door=door,  # type: ignore[arg-type]
            van=self.party(raw, "from", required=False),
            within_seconds=self.duration(raw, "within", 10.0),
            conversatie=None if conversatie == "*" else conversatie,
            check=self.paths(raw, "check"),
            confirm=confirm,
        )

    def _hub(self, raw: dict[str, Any], base: dict[str, Any]) -> HubStep:
        table = raw["hub"]
        allowed = {"faults", "clear_faults", "advance_clock"}
        if not isinstance(table, dict) or not table or set(table) - allowed:
            raise self.fail(
                'hub = { faults = { http_503 = 3 } }, { clear_faults = true } or { advance_clock = "8d" }',
                "hub",
            )
        faults = table.get("faults")
        if faults is not None and not isinstance(faults, dict):
            raise self.fail("hub.faults must be a table, e.g. { http_503 = 3 }", "hub")
        try:
            advance = parse_duration(table.get("advance_clock", 0))
        except ValueError as exc:
            raise self.fail(f"hub.advance_clock: {exc}", "hub") from None
        return HubStep(
            **base, faults=faults, clear_faults=bool(table.get("clear_faults")), advance_seconds=advance
        )

    def _expect_expired(self, raw: dict[str, Any], base: dict[str, Any]) -> ExpectExpiredStep:
        sent = raw["expect_expired"]
        if self.names.get(sent) != "send":
            raise self.fail(
                f"expect_expired must name an earlier send step, found {sent!r}", "expect_expired"
            )
        return ExpectExpiredStep(**base, sent=sent, door=self.party(raw, "by", required=False))

    def gateway_party(self, raw: dict[str, Any], key: str) -> str:
        name = self.party(raw, key)
        assert name is not None
        if not self.parties[name].served_by_gateway:
            raise self.fail(
                f'{key} must name a party served by a gateway (gateway = "local" or a URL in [party.{name}])',
                key,
            )
        return name

    def _expect_finding(self, raw: dict[str, Any], base: dict[str, Any]) -> ExpectFindingStep:
        code = raw["expect_finding"]
        if not isinstance(code, str) or not code:
            raise self.fail('expect_finding must be a rule code, e.g. "nul-aanbod-met-afloscapaciteit"')
        severity = raw.get("severity", "error")
        if severity not in ("error", "warning"):
            raise self.fail("severity must be error (a 422) or warning (a 202 with the warning)", "severity")
        return ExpectFindingStep(
            **base,
            via=self.gateway_party(raw, "via"),
            ontvanger=self.party(raw, "to"),  # type: ignore[arg-type]
            message=self.message(raw),
            code=code,
            severity=severity,
        )

    def _expect_foutbericht(self, raw: dict[str, Any], base: dict[str, Any]) -> ExpectFoutberichtStep:
        code = raw["expect_foutbericht"]
        if not isinstance(code, str) or not code:
            raise self.fail('expect_foutbericht must be the Fout code expected, e.g. "wrong-recipient"')
        afzender = self.party(raw, "as")
        if self.parties[afzender or ""].served_by_gateway:
            raise self.fail("as must be a party the runner plays (not one served by a gateway)", "as")
        return ExpectFoutberichtStep(
            **base,
            afzender=afzender,  # type: ignore[arg-type]
            ontvanger=self.gateway_party(raw, "to"),
            message=self.message(raw),
            code=code,
            within_seconds=self.duration(raw, "within", 10.0),
        )

    def _wait(self, raw: dict[str, Any], base: dict[str, Any]) -> WaitStep:
        return WaitStep(**base, seconds=self.duration(raw, "wait", 0.0))
