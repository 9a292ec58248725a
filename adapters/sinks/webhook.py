"""Webhook sink: POST the JSON form of each inbound message to the organisation's system.

Each request carries an HMAC-SHA256 signature over ``<timestamp>.<body>`` so the receiver can
check it came from this gateway and was not replayed (compare the timestamp with its clock):

    X-SKPGW-Timestamp: 1763812345
    X-SKPGW-Signature: sha256=<hex>

A 2xx response marks the message delivered. The engine retries everything else durably, except
answers that say the content itself is refused (400, 413, 415, 422) or that the request will never
succeed as is (501, 505): those are dead-lettered with the receiver's status so an operator can look,
fix and redeliver. The decision is the sink column of :data:`gateway.engine.retry.TABLE`.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import time
from collections.abc import Callable
from dataclasses import dataclass

import aiohttp

from gateway.engine.ports import DeliveryRequest, HubResult
from gateway.engine.retry import Peer, classified


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

    async def deliver(self, request: DeliveryRequest) -> HubResult:
        timestamp = str(int(self._clock()))
        headers = {
            "Content-Type": "application/json",
            "X-SKPGW-Referentienummer": request.referentienummer,
            "X-SKPGW-Berichttype": request.berichttype,
            "X-SKPGW-Conversatie": request.conversatie,
            "X-SKPGW-Timestamp": timestamp,
            "X-SKPGW-Signature": signature(self._settings.secret, timestamp, request.json_body),
            **request.headers,
        }
        try:
            session = await self._client()
            async with session.post(self._settings.url, data=request.json_body, headers=headers) as response:
                await response.read()
                status = response.status
                return classified(f"http-{status}", f"the receiver answered HTTP {status}", peer=Peer.SINK)
        except TimeoutError:
            return classified("timeout", "the webhook did not answer in time", peer=Peer.SINK)
        except aiohttp.ClientError as exc:
            return classified("connection", f"webhook unreachable: {type(exc).__name__}", peer=Peer.SINK)
        except asyncio.CancelledError:
            raise

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
