"""Webhook sink: POST the JSON form of each inbound message to the organisation's system.

Each request carries an HMAC-SHA256 signature over ``<timestamp>.<body>`` so the receiver can
check it came from this gateway and was not replayed (compare the timestamp with its clock):

    X-SKPGW-Timestamp: 1763812345
    X-SKPGW-Signature: sha256=<hex>

A 2xx response marks the message delivered. The engine retries everything else durably, except
answers that say the content itself is refused (400, 413, 415, 422): those are dead-lettered with
the receiver's status so an operator can look, fix and redeliver.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import time
from collections.abc import Callable
from dataclasses import dataclass

import aiohttp

from gateway.engine.ports import Afleververzoek, HubResult, Outcome

_PERMANENT_STATUS = frozenset({400, 413, 415, 422})


@dataclass(frozen=True, slots=True)
class WebhookSettings:
    url: str
    secret: bytes
    timeout_seconds: float = 10.0


def signature(secret: bytes, timestamp: str, body: bytes) -> str:
    digest = hmac.new(secret, timestamp.encode("ascii") + b"." + body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


def verify_signature(secret: bytes, timestamp: str, body: bytes, header: str) -> bool:
    """For receivers (and tests): constant-time check of the signature header."""
    return hmac.compare_digest(signature(secret, timestamp, body), header)


class WebhookSink:
    name = "webhook"

    def __init__(self, settings: WebhookSettings, clock: Callable[[], float] = time.time) -> None:
        self._settings = settings
        self._clock = clock
        self._session: aiohttp.ClientSession | None = None

    async def _client(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            timeout = aiohttp.ClientTimeout(total=self._settings.timeout_seconds)
            self._session = aiohttp.ClientSession(timeout=timeout)
        return self._session

    async def lever_af(self, verzoek: Afleververzoek) -> HubResult:
        timestamp = str(int(self._clock()))
        headers = {
            "Content-Type": "application/json",
            "X-SKPGW-Referentienummer": verzoek.referentienummer,
            "X-SKPGW-Berichttype": verzoek.berichttype,
            "X-SKPGW-Conversatie": verzoek.conversatie,
            "X-SKPGW-Timestamp": timestamp,
            "X-SKPGW-Signature": signature(self._settings.secret, timestamp, verzoek.json_body),
            **verzoek.headers,
        }
        try:
            session = await self._client()
            async with session.post(self._settings.url, data=verzoek.json_body, headers=headers) as response:
                await response.read()
                return _classify(response.status)
        except TimeoutError:
            return HubResult(Outcome.RETRYABLE, "the webhook did not answer in time", code="timeout")
        except aiohttp.ClientError as exc:
            return HubResult(
                Outcome.RETRYABLE, f"webhook unreachable: {type(exc).__name__}", code="transport"
            )
        except asyncio.CancelledError:
            raise

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()


def _classify(status: int) -> HubResult:
    code = f"http-{status}"
    if 200 <= status < 300:
        return HubResult(Outcome.DELIVERED, code=code)
    if status in _PERMANENT_STATUS:
        return HubResult(Outcome.PERMANENT, f"the receiver refused the message (HTTP {status})", code=code)
    return HubResult(Outcome.RETRYABLE, f"the receiver answered HTTP {status}", code=code)
