"""Settings of the security layer: TLS material and WS-Security verification policy."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True, slots=True)
class TlsSettings:
    """Key material and trust for one side of a mutually authenticated TLS connection.

    ``certificate`` is a PEM file (leaf first, optionally followed by intermediates, optionally
    with the key in the same file) or a PKCS#12 file (``.p12``/``.pfx``, key included).
    ``passphrase_env`` names the environment variable holding the passphrase of an encrypted key
    or PKCS#12 file; the passphrase itself never appears in configuration files.
    ``ca_bundle`` holds the trust anchors (PKIoverheid Private Root chain in production, the
    development CA from ``skgw dev-pki`` otherwise) and any intermediates needed to build chains.
    ``crl_files`` are PEM CRLs; when given, the TLS peer's and the WS-Security signer's leaf
    certificate must be on a current CRL of its issuer and not listed (see
    :mod:`gateway.security.revocation`, which also reloads changed files).
    """

    certificate: Path
    ca_bundle: Path
    private_key: Path | None = None
    passphrase_env: str | None = None
    crl_files: tuple[Path, ...] = ()
    minimum_version: str = "TLSv1.2"  # "TLSv1.2" or "TLSv1.3"


@dataclass(frozen=True, slots=True)
class WsSecuritySettings:
    """WS-Security policy: how we sign, and how strictly we check what we receive."""

    algorithm: str = "sha256"  # sha256 | sha384 | sha512 (SHA-1 is refused, never configurable)
    clock_skew_seconds: int = 300  # tolerated difference between our clock and the signer's
    timestamp_ttl_seconds: int = 300  # Expires = Created + ttl on what we sign; max age we accept
    replay_cache_size: int = 100_000  # MessageIDs remembered (each only until its timestamp expires)
