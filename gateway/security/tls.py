"""TLS client and server contexts for Digikoppeling two-way TLS.

TLS 1.2 is the floor (1.3 preferred and negotiated when both sides have it), the peer must present
a certificate chaining to ``ca_bundle``, and CRL files — when configured — are checked for the
peer's leaf (``VERIFY_CRL_CHECK_LEAF``; the stdlib never downloads CRLs itself, so keeping the
files fresh is an operational task). PKCS#12 input is converted once, in memory, and handed to
OpenSSL through a short-lived private temporary file encrypted with a one-time passphrase, because
``ssl`` only loads key material from files.
"""

from __future__ import annotations

import os
import secrets
import ssl
import tempfile
from pathlib import Path

from cryptography.hazmat.primitives.serialization import (
    BestAvailableEncryption,
    Encoding,
    PrivateFormat,
)

from gateway.security.certificates import Credentials, is_pkcs12, load_credentials, passphrase_from_env
from gateway.security.errors import SecurityError
from gateway.security.settings import TlsSettings

_VERSIONS = {"TLSv1.2": ssl.TLSVersion.TLSv1_2, "TLSv1.3": ssl.TLSVersion.TLSv1_3}


def client_context(settings: TlsSettings, credentials: Credentials | None = None) -> ssl.SSLContext:
    """Context for calling the hub: verifies the server against ca_bundle and its host name."""
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = True
    _common(ctx, settings, credentials)
    return ctx


def server_context(settings: TlsSettings, credentials: Credentials | None = None) -> ssl.SSLContext:
    """Context for serving (the simulator): a client certificate is required."""
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    _common(ctx, settings, credentials)
    return ctx


def _common(ctx: ssl.SSLContext, settings: TlsSettings, credentials: Credentials | None) -> None:
    version = _VERSIONS.get(settings.minimum_version)
    if version is None:
        raise SecurityError(
            "tls-version",
            f"minimum_version must be one of {', '.join(_VERSIONS)}, not {settings.minimum_version!r}",
        )
    ctx.minimum_version = version
    ctx.verify_mode = ssl.CERT_REQUIRED
    ctx.options |= ssl.OP_NO_COMPRESSION
    try:
        ctx.load_verify_locations(cafile=str(settings.ca_bundle))
        for crl in settings.crl_files:
            ctx.load_verify_locations(cafile=str(crl))
    except (OSError, ssl.SSLError) as exc:
        raise SecurityError("trust-unreadable", f"cannot load ca_bundle/crl_files: {exc}") from None
    if settings.crl_files:
        ctx.verify_flags |= ssl.VERIFY_CRL_CHECK_LEAF
    _load_own_chain(ctx, settings, credentials)


def _load_own_chain(ctx: ssl.SSLContext, settings: TlsSettings, credentials: Credentials | None) -> None:
    if not is_pkcs12(settings.certificate):
        key = settings.private_key or settings.certificate
        try:
            ctx.load_cert_chain(
                str(settings.certificate), str(key), password=passphrase_from_env(settings.passphrase_env)
            )
        except (OSError, ssl.SSLError) as exc:
            raise SecurityError(
                "key-unreadable", f"cannot load certificate {settings.certificate} with key {key}: {exc}"
            ) from None
        return
    creds = credentials or load_credentials(settings)
    one_time = secrets.token_bytes(32)
    pem = creds.private_key.private_bytes(
        Encoding.PEM, PrivateFormat.PKCS8, BestAvailableEncryption(one_time)
    )
    for cert in (creds.certificate, *creds.chain):
        pem += cert.public_bytes(Encoding.PEM)
    with tempfile.TemporaryDirectory(prefix="skgw-tls-") as tmp:
        path = Path(tmp) / "chain.pem"
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as fh:
            fh.write(pem)
        ctx.load_cert_chain(str(path), password=one_time)
