"""The two step kinds that need a gateway serving a party:

- ``expect_finding``: submit a message through the party's gateway API (as its organisation
  would) and expect the rule finding: a 422 naming the code, or a 202 carrying it as a warning;
- ``expect_foutbericht``: send a message the hub accepts (a wrong Ontvanger in the Berichtheader,
  …) to a party served by a gateway, and expect the Foutbericht back naming the problem.
"""

from __future__ import annotations

import asyncio
import json
import time
from typing import TYPE_CHECKING, Any

import aiohttp

from adapters.testkit.gateway_sender import submission
from adapters.testkit.scenario.model import ExpectFindingStep, ExpectFoutberichtStep
from adapters.testkit.scenario.results import StepFailed, StepResult
from adapters.testkit.scenario.template import select
from adapters.testkit.sending import HubSender
from gateway.codec import DecodeError
from gateway.engine.ports import FetchedMessage, HubError
from gateway.xml.validate import validate_document

if TYPE_CHECKING:
    from adapters.testkit.scenario.play import Play

POLL_SECONDS = 0.1


async def _post(url: str, token: str, body: dict[str, Any]) -> tuple[int, Any]:
    timeout = aiohttp.ClientTimeout(total=15)
    headers = {"Authorization": f"Bearer {token}"}
    async with aiohttp.ClientSession(timeout=timeout, headers=headers) as session:
        async with session.post(url + "/api/berichten", json=body) as response:
            text = await response.text()
            try:
                return response.status, json.loads(text)
            except json.JSONDecodeError:
                return response.status, text


def _codes(answer: Any, key: str) -> list[str]:
    items = answer.get(key) if isinstance(answer, dict) else None
    return [str(item.get("code")) for item in items or [] if isinstance(item, dict)]


async def expect_finding(play: Play, step: ExpectFindingStep, result: StepResult) -> str:
    assert step.message is not None
    outgoing = play.build(step.name, step.message, step.via, step.ontvanger)
    play.note(result, outgoing.berichttype, outgoing.referentienummer)
    try:
        body = submission(outgoing.document, outgoing.ontvanger)
    except DecodeError as exc:
        raise StepFailed(
            f"the {outgoing.berichttype} is not a valid message, so it cannot be submitted: {exc}"
        ) from None
    endpoint = play.gateway(step.via)
    try:
        status, answer = await _post(endpoint.url, endpoint.token, body)
    except (aiohttp.ClientError, TimeoutError) as exc:
        raise StepFailed(
            f"{step.via}'s gateway at {endpoint.url} did not answer: {exc or type(exc).__name__}"
        ) from None
    errors, warnings = _codes(answer, "findings"), _codes(answer, "warnings")
    if step.severity == "error":
        if status != 422:
            said = f" (warnings: {', '.join(warnings)})" if warnings else ""
            raise StepFailed(f"expected a 422 with finding {step.code}, got HTTP {status}{said}")
        if step.code not in errors:
            raise StepFailed(
                f"expected finding {step.code}, the gateway refused with: {', '.join(errors) or '-'}"
            )
        return f"refused as expected: 422 {step.code}"
    if status != 202:
        raise StepFailed(
            f"expected a 202 with warning {step.code}, got HTTP {status}: {', '.join(errors) or answer}"
        )
    if step.code not in warnings:
        raise StepFailed(
            f"accepted, but without warning {step.code} (warnings: {', '.join(warnings) or '-'})"
        )
    play.refs[step.name] = outgoing.referentienummer
    return f"accepted with warning {step.code}"


def _foutbericht_for(bericht: FetchedMessage, ref: str) -> list[str] | None:
    """The Fout codes of a valid Foutbericht about message ``ref``; None for any other message."""
    report = validate_document(bericht.document)
    if (
        not report.ok
        or report.tree is None
        or report.entry is None
        or report.entry.berichttype != "Foutbericht"
    ):
        return None
    root = report.tree.getroot()
    if [(e.text or "").strip() for e in select(root, "GerefereerdBericht")] != [ref]:
        return None
    return [(e.text or "").strip() for e in select(root, "Fouten/Fout/Code")]


async def expect_foutbericht(play: Play, step: ExpectFoutberichtStep, result: StepResult) -> str:
    assert step.message is not None
    outgoing = play.build(step.name, step.message, step.afzender, step.ontvanger)
    play.note(result, outgoing.berichttype, outgoing.referentienummer)
    sent = await HubSender(play.clients[step.afzender]).send(outgoing)
    if not sent.outcome.done:
        raise StepFailed(
            f"the hub refused the message ({sent.code}: {sent.reason}); a message the hub refuses is an "
            "expect_fault step"
        )
    play.refs[step.name] = outgoing.referentienummer
    started = time.monotonic()
    client = play.clients[step.afzender]
    box = play.inbox.setdefault(step.afzender, {})
    while True:
        for key, bericht in list(box.items()):
            codes = _foutbericht_for(bericht, outgoing.referentienummer)
            if codes is None:
                continue
            box.pop(key)
            play.note(result, "Foutbericht", bericht.referentienummer)
            confirmed = await client.confirm(bericht.referentienummer)
            if not confirmed.outcome.done:
                raise StepFailed(f"BevestigBericht failed: {confirmed.code}: {confirmed.reason}")
            if step.code not in codes:
                raise StepFailed(f"the Foutbericht names {', '.join(codes) or 'no Fout'}, not {step.code}")
            return f"Foutbericht {step.code} after {time.monotonic() - started:.2f}s"
        if time.monotonic() - started > step.within_seconds:
            raise StepFailed(
                f"no Foutbericht from {step.ontvanger} about the message within {step.within_seconds:g}s"
            )
        try:
            fetched = await client.fetch(100)
        except HubError as exc:
            if not exc.retryable:
                raise StepFailed(f"HaalBerichtenOp for {step.afzender} failed: {exc.reason}") from None
            fetched = None
        for bericht in fetched.messages if fetched else ():
            box.setdefault(bericht.referentienummer, bericht)
        await asyncio.sleep(POLL_SECONDS)
