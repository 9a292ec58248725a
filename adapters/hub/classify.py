"""How every way a hub call can end maps onto retryable or permanent.

The table, in one place:

| what happened                                        | outcome   | code                   |
|------------------------------------------------------|-----------|------------------------|
| timeout (connect or total)                           | retryable | timeout                |
| connection refused/reset/dropped, server disconnect  | retryable | connection             |
| TLS handshake or certificate problem (config fix)    | retryable | tls                    |
| HTTP 408, 429, 502, 503, 504                         | retryable | http-<status>          |
| HTTP 500/200 whose body is not a SOAP envelope       | retryable | garbage-response       |
| response not signed (never "delivered")              | retryable | unsigned-response      |
| response signature/confirmation does not verify      | retryable | signature-invalid      |
| signed fault TijdelijkNietBeschikbaar (soap:Server)  | retryable | the fault code         |
| signed fault OngeldigBericht, OnbekendeOntvanger,    | permanent | the fault code         |
| NietGeautoriseerd (soap:Client)                      |           |                        |
| HTTP 501, 505 and other 4xx                          | permanent | http-<status>          |
| response too large                                   | retryable | response-too-large     |

Sending again is always safe: VerstuurBericht and BevestigBericht are idempotent at the hub.
"""

from __future__ import annotations

import asyncio
import errno
import ssl

import aiohttp

from gateway.engine.ports import HubResult, Outcome

RETRYABLE_STATUS = frozenset({408, 429, 502, 503, 504})
PERMANENT_5XX = frozenset({501, 505})


class CallFailed(Exception):
    """Internal: a call ended without a verified answer; carries the classified result."""

    def __init__(self, result: HubResult) -> None:
        super().__init__(result.reason)
        self.result = result


def retryable(code: str, reason: str, receipt: bytes | None = None) -> CallFailed:
    return CallFailed(HubResult(Outcome.RETRYABLE, reason, code, receipt))


def permanent(code: str, reason: str, receipt: bytes | None = None) -> CallFailed:
    return CallFailed(HubResult(Outcome.PERMANENT, reason, code, receipt))


def from_exception(exc: BaseException, endpoint: str) -> CallFailed:
    """Classify an exception raised while connecting, sending or reading."""
    if isinstance(exc, asyncio.TimeoutError | aiohttp.ServerTimeoutError):
        return retryable("timeout", f"no answer from the hub at {endpoint} within the timeout")
    if isinstance(exc, aiohttp.ClientConnectorCertificateError):
        return retryable(
            "tls",
            f"TLS: the hub's certificate at {endpoint} was not accepted ({exc.certificate_error}); "
            "check ca_bundle and the endpoint host name",
        )
    if isinstance(exc, aiohttp.ClientSSLError | ssl.SSLError) or isinstance(
        getattr(exc, "__cause__", None), ssl.SSLError
    ):
        return retryable(
            "tls", f"TLS handshake with {endpoint} failed ({exc}); check our certificate and ca_bundle"
        )
    if isinstance(exc, aiohttp.ClientConnectionError | aiohttp.ClientPayloadError | ConnectionError):
        reason = f"the connection to {endpoint} failed or was dropped ({type(exc).__name__})"
        if (
            isinstance(exc, ConnectionResetError)
            or isinstance(exc.__cause__, ConnectionResetError)
            or (getattr(exc, "errno", None) == errno.ECONNRESET)
        ):
            # With TLS 1.3 a server that refuses our client certificate just resets the connection
            # after the handshake: indistinguishable from a network blip, so say what to check.
            reason += (
                "; the hub reset the connection: if this persists, it may refuse our client certificate "
                "(check [tls] certificate and that the hub trusts its CA)"
            )
        return retryable("connection", reason)
    raise exc


def from_status(status: int) -> CallFailed | None:
    """A failure decided by the HTTP status alone, or None when the body must be read."""
    if status in RETRYABLE_STATUS:
        return retryable(f"http-{status}", f"the hub answered HTTP {status}; it is busy or unavailable")
    if status in PERMANENT_5XX or (400 <= status < 500):
        return permanent(
            f"http-{status}", f"the hub answered HTTP {status}; the request will not succeed as is"
        )
    if status not in (200, 500):
        return retryable(f"http-{status}", f"unexpected HTTP status {status} from the hub")
    return None
