"""What happened on a hub call, as a code: exceptions and HTTP statuses.

This module only *names* what happened (``timeout``, ``connection``, ``tls``, ``http-503`` …); whether
that is retried or dead-lettered is decided by the one table, :data:`gateway.engine.retry.TABLE`,
through :func:`failed`. The client names the rest itself: ``garbage-response``, ``response-too-large``,
``unsigned-response``, ``signature-invalid``, ``response-mismatch``, ``bad-response`` and the hub's
SOAP fault codes.

Sending again is always safe: VerstuurBericht and BevestigBericht are idempotent at the hub.
"""

from __future__ import annotations

import asyncio
import errno
import ssl

import aiohttp

from gateway.engine.ports import HubResult
from gateway.engine.retry import classified, error_class

BODY_STATUS = frozenset({200, 500})  # a receipt, or a SOAP fault: the body says what happened


class CallFailed(Exception):
    """Internal: a call ended without a verified answer; carries the classified result."""

    def __init__(self, result: HubResult) -> None:
        super().__init__(result.reason)
        self.result = result


def failed(
    code: str, reason: str, receipt: bytes | None = None, *, by: tuple[str, ...] | None = None
) -> CallFailed:
    """The call ended with ``code``; the table decides retry or dead letter (``by``: see
    :func:`gateway.engine.retry.error_class`)."""
    return CallFailed(classified(code, reason, receipt, by=by))


def from_exception(exc: BaseException, endpoint: str) -> CallFailed:
    """Classify an exception raised while connecting, sending or reading."""
    if isinstance(exc, asyncio.TimeoutError | aiohttp.ServerTimeoutError):
        return failed("timeout", f"no answer from the hub at {endpoint} within the timeout")
    if isinstance(exc, aiohttp.ClientConnectorCertificateError):
        return failed(
            "tls",
            f"TLS: the hub's certificate at {endpoint} was not accepted ({exc.certificate_error}); "
            "check ca_bundle and the endpoint host name",
        )
    if isinstance(exc, aiohttp.ClientSSLError | ssl.SSLError) or isinstance(
        getattr(exc, "__cause__", None), ssl.SSLError
    ):
        return failed(
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
        return failed("connection", reason)
    raise exc


def from_status(status: int) -> CallFailed | None:
    """A call ended by its HTTP status alone, or None when the body must be read (200, 500)."""
    if status in BODY_STATUS:
        return None
    code = f"http-{status}"
    return failed(code, f"the hub answered HTTP {status}: {error_class(code).explanation}")
