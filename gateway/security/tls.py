"""TLS client and server contexts for Digikoppeling two-way TLS.

TLS 1.2 is the floor (1.3 preferred and negotiated when both sides have it), the peer must present
a certificate chaining to ``ca_bundle`` (OpenSSL at security level 2: RSA keys of 2048 bits and
more, SHA-2 signatures; the purpose's KeyUsage/ExtendedKeyUsage when present; pathLenConstraint),
and CRL files — when configured — are checked for the peer's leaf (``VERIFY_CRL_CHECK_LEAF``: a
stale CRL or one signed by another key fails the handshake). The CRLs are those of a
:class:`~gateway.security.revocation.RevocationLists`, checked before use and reloaded into the
context when their files change (as server: looked at when a handshake begins; as client: by the
hub client before each call). The stdlib never downloads CRLs itself, so keeping the files fresh
is an operational task. What OpenSSL accepts but our certificate policy does not (a CA certificate
as a TLS client, no KeyUsage) is refused after the handshake by the WS-Security verifier, which
validates the TLS peer's certificate as it does the signer's. PKCS#12 input is converted once, in
memory, and handed to OpenSSL through a short-lived private temporary file encrypted with a
one-time passphrase, because ``ssl`` only loads key material from files.
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

from gateway.security.certificates import (
    Credentials,
    is_pkcs12,
    load_credentials,
    load_pem_certificates,
    passphrase_from_env,
    read_file,
)
from gateway.security.errors import SecurityError
from gateway.security.revocation import RevocationLists
from gateway.security.settings import TlsSettings

_VERSIONS = {"TLSv1.2": ssl.TLSVersion.TLSv1_2, "TLSv1.3": ssl.TLSVersion.TLSv1_3}


def client_context(
    settings: TlsSettings,
    credentials: Credentials | None = None,
    revocation: RevocationLists | None = None,
) -> ssl.SSLContext:
    """Context for calling the hub: verifies the server against ca_bundle and its host name.
    ``revocation``: the CRLs to check (by default those of ``settings.crl_files``); the caller
    refreshes them (:meth:`RevocationLists.refresh`) before it connects."""
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = True
    _common(ctx, settings, credentials, revocation)
    return ctx


def server_context(
    settings: TlsSettings,
    credentials: Credentials | None = None,
    revocation: RevocationLists | None = None,
) -> ssl.SSLContext:
    """Context for serving (the simulator): a client certificate is required. The CRLs
    (``revocation``, by default those of ``settings.crl_files``) are refreshed as a handshake begins."""
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    crls = _common(ctx, settings, credentials, revocation)
    if crls is not None:
        ctx.sni_callback = lambda _ssl_object, _server_name, _context: crls.refresh()
    return ctx


def _common(
    ctx: ssl.SSLContext,
    settings: TlsSettings,
    credentials: Credentials | None,
    revocation: RevocationLists | None,
) -> RevocationLists | None:
    """Set up ``ctx``; the CRLs it checks, or None."""
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
    except (OSError, ssl.SSLError) as exc:
        raise SecurityError("trust-unreadable", f"cannot load ca_bundle: {exc}") from None
    if revocation is None and settings.crl_files:
        cas = load_pem_certificates(read_file(settings.ca_bundle, "ca_bundle"), settings.ca_bundle)
        revocation = RevocationLists.from_files(settings.crl_files, cas)
    if revocation is not None and revocation.configured:
        revocation.attach(ctx)
    else:
        revocation = None
    _load_own_chain(ctx, settings, credentials)
    return revocation


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
