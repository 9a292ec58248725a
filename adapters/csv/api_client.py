"""A running gateway's JSON API as the CSV tools use it: the received questions, and submitting
answers to its outbox. Bearer token; bounded timeouts; errors say what the gateway answered."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar
from urllib.parse import urlencode

import aiohttp

from adapters.csv.vragen import Vraag, VraagError, vraag_from_xml

T = TypeVar("T")
PAGE = 500
CONCURRENCY = 8  # requests in flight at once


async def bounded(calls: Sequence[Callable[[], Awaitable[T]]], limit: int = CONCURRENCY) -> list[T]:
    """Run the calls with at most ``limit`` in flight; results in the order of ``calls``."""
    gate = asyncio.Semaphore(limit)

    async def one(call: Callable[[], Awaitable[T]]) -> T:
        async with gate:
            return await call()

    return list(await asyncio.gather(*(one(c) for c in calls)))


class GatewayApiError(RuntimeError):
    pass


@dataclass(frozen=True, slots=True)
class Submitted:
    status: int  # 202 accepted, 409 conflict, 422 refused, other: the gateway failed
    body: Any


class GatewayApi:
    def __init__(self, base_url: str, token: str, timeout_seconds: float = 30.0) -> None:
        self.base = base_url.rstrip("/")
        self._headers = {"Authorization": f"Bearer {token}"}
        self._timeout = aiohttp.ClientTimeout(total=timeout_seconds)
        self._session: aiohttp.ClientSession | None = None

    async def __aenter__(self) -> GatewayApi:
        self._session = aiohttp.ClientSession(timeout=self._timeout, headers=self._headers)
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self._session is not None:
            await self._session.close()

    async def _call(self, method: str, path: str, **kw: Any) -> tuple[int, Any]:
        assert self._session is not None, "use GatewayApi as an async context manager"
        try:
            async with self._session.request(method, self.base + path, **kw) as response:
                text = await response.text()
                try:
                    return response.status, json.loads(text)
                except json.JSONDecodeError:
                    return response.status, text
        except (aiohttp.ClientError, TimeoutError) as exc:
            raise GatewayApiError(
                f"the gateway at {self.base} did not answer: {exc or type(exc).__name__}"
            ) from None

    async def _get(self, path: str) -> Any:
        status, body = await self._call("GET", path)
        if status != 200:
            error = body.get("error", body) if isinstance(body, dict) else body
            raise GatewayApiError(f"GET {path}: HTTP {status}: {error}")
        return body

    async def received(self, berichttype: str, conversatie: str | None = None) -> list[Vraag]:
        """Every valid received message of this type (oldest first), optionally of one conversation."""
        query = {"direction": "in", "berichttype": berichttype, "limit": str(PAGE)}
        if conversatie:
            query["conversatie"] = conversatie
        refs: list[str] = []
        cursor = None
        while True:
            page = await self._get(
                "/api/berichten?" + urlencode(query | ({"cursor": cursor} if cursor else {}))
            )
            refs.extend(item["referentienummer"] for item in page["items"])
            cursor = page.get("next")
            if not cursor:
                break
        details = await bounded([lambda ref=ref: self._get(f"/api/berichten/{ref}") for ref in refs])
        vragen = []
        for ref, detail in zip(refs, details, strict=True):
            if not detail.get("valid") or not detail.get("xml"):
                continue  # quarantined: the gateway answered it with a Foutbericht
            try:
                vragen.append(vraag_from_xml(ref, detail["xml"].encode("utf-8")))
            except VraagError:
                continue
        return sorted(vragen, key=lambda v: v.bericht.berichtheader.datum_tijd)

    async def sent(self, berichttype: str) -> list[tuple[str, datetime]]:
        """The messages of this type we sent or are sending (dead letters left out: they never
        reached the counterpart), as (conversation, moment)."""
        query = {"direction": "out", "berichttype": berichttype, "limit": str(PAGE)}
        found: list[tuple[str, datetime]] = []
        cursor = None
        while True:
            page = await self._get(
                "/api/berichten?" + urlencode(query | ({"cursor": cursor} if cursor else {}))
            )
            found.extend(
                (item["conversatie"], datetime.fromisoformat(item["at"]))
                for item in page["items"]
                if item.get("conversatie") and item.get("state") != "dead"
            )
            cursor = page.get("next")
            if not cursor:
                return found

    async def submit(self, body: dict[str, Any]) -> Submitted:
        status, answer = await self._call("POST", "/api/berichten", json=body)
        return Submitted(status, answer)
