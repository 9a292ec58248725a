"""The second :class:`~adapters.testkit.sending.Sender`: posts each message's JSON form to a running
gateway's ``POST /api/berichten`` (bearer token), as the organisation's own system would.

The document is decoded and turned into its JSON form; the header is reduced to what the
organisation gives: the Ontvanger, the Referentienummer (so a retry or a ``--keep-ids`` resend is
idempotent at the gateway) and, for a message that continues a conversation (an answer, a
SchuldregelingAkkoord …) or a Foutbericht, the conversation. The gateway fills in the Afzender and
DatumTijd. A refusal is decided by its HTTP status in the hub column of
:data:`gateway.engine.retry.TABLE` (a gateway speaks for the standard as the hub does); the code says more:

- 202 → delivered (``new``) or duplicate-accepted (the same message was submitted before);
- 409 ``conflict`` (the Referentienummer was used for other content), 422 with the first finding's
  code (``wrong-role``, ``unknown-counterpart`` …), 401/403 ``unauthorized``, others ``http-NNN``;
- timeouts and refused connections: ``timeout``, ``connection``.
"""

from __future__ import annotations

import json
from typing import Any

import aiohttp

from adapters.testkit.sending import Outgoing
from gateway.codec import DecodeError, decode
from gateway.codec.json_form import to_json
from gateway.conversatie.tabel import kan_openen
from gateway.engine.ports import HubResult, Outcome
from gateway.engine.retry import classified
from gateway.model.berichttype import Berichttype

# the types that continue a conversation: their submission names it
_CONTINUES = frozenset(b for b in Berichttype if not kan_openen(b)) | {Berichttype.FOUTBERICHT}


def submission(document: bytes, ontvanger: str) -> dict[str, Any]:
    """The JSON form as the organisation submits it (raises DecodeError for an invalid document)."""
    bericht = decode(document)
    body = to_json(bericht)
    header: dict[str, str] = {
        "ontvanger": ontvanger,
        "referentienummer": bericht.berichtheader.referentienummer,
    }
    if bericht.berichttype in _CONTINUES:
        header["conversatie_referentienummer"] = bericht.berichtheader.conversatie_referentienummer
    body["berichtheader"] = header
    return body


def classify(status: int, body: Any) -> HubResult:
    if status == 202 and isinstance(body, dict):
        outcome = Outcome.DELIVERED if body.get("new", True) else Outcome.DUPLICATE_ACCEPTED
        return HubResult(outcome, f"accepted as {body.get('referentienummer')}")
    error = body.get("error", "") if isinstance(body, dict) else str(body)[:200]
    by = (f"http-{status}",)
    if status == 422 and isinstance(body, dict) and body.get("findings"):
        findings = body["findings"]
        reason = "; ".join(f"{f.get('field')}: {f.get('message')}" for f in findings[:3])
        return classified(str(findings[0].get("code") or "refused"), reason, by=by)
    code = {409: "conflict", 401: "unauthorized", 403: "unauthorized"}.get(status, f"http-{status}")
    return classified(code, error or f"HTTP {status}", by=by)


class GatewaySender:
    def __init__(self, base_url: str, token: str, timeout_seconds: float = 10.0) -> None:
        self._url = base_url.rstrip("/") + "/api/berichten"
        self._headers = {"Authorization": f"Bearer {token}"}
        self._timeout = aiohttp.ClientTimeout(total=timeout_seconds)
        self._session: aiohttp.ClientSession | None = None

    async def send(self, message: Outgoing) -> HubResult:
        try:
            body = submission(message.document, message.ontvanger)
        except DecodeError as exc:
            return classified("not-decodable", str(exc)[:300])
        if self._session is None:
            self._session = aiohttp.ClientSession(timeout=self._timeout, headers=self._headers)
        try:
            async with self._session.post(self._url, json=body) as response:
                text = await response.text()
                try:
                    answer: Any = json.loads(text)
                except json.JSONDecodeError:
                    answer = text
                return classify(response.status, answer)
        except TimeoutError:
            return classified("timeout", "the gateway did not answer in time")
        except aiohttp.ClientError as exc:
            return classified("connection", f"cannot reach the gateway: {exc}")

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None
