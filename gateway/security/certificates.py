"""Loading certificates and keys (PEM or PKCS#12), reading the OIN, and expiry for health checks.

Keys are loaded once into a :class:`Credentials` object and reused for every TLS connection and
every signature: parsing a PEM key with its consistency checks costs tens of milliseconds.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import load_pem_private_key, pkcs12
from cryptography.x509.oid import NameOID

from gateway.security.errors import SecurityError
from gateway.security.settings import TlsSettings

PKCS12_SUFFIXES = (".p12", ".pfx")


@dataclass(frozen=True, slots=True)
class Credentials:
    """Our own identity: leaf certificate, the intermediates sent with it, and the private key."""

    certificate: x509.Certificate
    private_key: rsa.RSAPrivateKey
    chain: tuple[x509.Certificate, ...] = ()

    @property
    def oin(self) -> str | None:
        return oin_of(self.certificate)


def passphrase_from_env(name: str | None) -> bytes | None:
    """The passphrase held by environment variable ``name`` (None when no name is configured)."""
    if not name:
        return None
    value = os.environ.get(name)
    if value is None:
        raise SecurityError(
            "passphrase-missing",
            f"the key is encrypted but environment variable {name} (passphrase_env) is not set",
        )
    return value.encode("utf-8")


def is_pkcs12(path: Path) -> bool:
    return path.suffix.lower() in PKCS12_SUFFIXES


def load_credentials(settings: TlsSettings) -> Credentials:
    """Load certificate, chain and RSA key once, from PEM files or a PKCS#12 file."""
    password = passphrase_from_env(settings.passphrase_env)
    data = read_file(settings.certificate, "certificate")
    if is_pkcs12(settings.certificate):
        try:
            key, cert, extra = pkcs12.load_key_and_certificates(data, password)
        except ValueError as exc:
            raise SecurityError(
                "key-unreadable",
                f"{settings.certificate}: cannot open the PKCS#12 file ({exc}); check passphrase_env",
            ) from None
        if cert is None or key is None:
            raise SecurityError(
                "key-unreadable", f"{settings.certificate}: the PKCS#12 file lacks a certificate or key"
            )
        return _credentials(cert, key, tuple(extra or ()), settings.certificate, settings.certificate)
    certs = load_pem_certificates(data, settings.certificate)
    key_data = read_file(settings.private_key, "private key") if settings.private_key else data
    try:
        key = load_pem_private_key(key_data, password)
    except TypeError:
        raise SecurityError(
            "passphrase-missing",
            f"{settings.private_key or settings.certificate}: the key is encrypted; "
            "set passphrase_env to the name of the variable holding its passphrase",
        ) from None
    except ValueError as exc:
        raise SecurityError(
            "key-unreadable",
            f"{settings.private_key or settings.certificate}: cannot read the private key ({exc})",
        ) from None
    return _credentials(
        certs[0], key, tuple(certs[1:]), settings.private_key or settings.certificate, settings.certificate
    )


def _credentials(
    cert: x509.Certificate, key: object, chain: tuple, key_file: Path, cert_file: Path
) -> Credentials:
    """The key must be RSA and belong to the certificate; a refusal names the key's file (the one to
    change) and, when that is another file, the certificate's."""
    if not isinstance(key, rsa.RSAPrivateKey):
        raise SecurityError("key-unsupported", f"{key_file}: only RSA keys are supported (Digikoppeling)")
    if key.public_key().public_numbers() != cert.public_key().public_numbers():  # type: ignore[union-attr]
        of = "the certificate" if key_file == cert_file else f"the certificate {cert_file}"
        raise SecurityError(
            "key-mismatch",
            f"{key_file}: the private key does not belong to {of}; give the key made with it",
        )
    return Credentials(certificate=cert, private_key=key, chain=chain)


def read_file(path: Path | None, what: str) -> bytes:
    """The bytes of a key, certificate or trust file; ``file-unreadable`` naming it otherwise."""
    assert path is not None
    try:
        return Path(path).read_bytes()
    except OSError as exc:
        raise SecurityError(
            "file-unreadable", f"cannot read the {what} file {path}: {exc.strerror}"
        ) from None


def load_pem_certificates(data: bytes, where: Path | str = "<bytes>") -> list[x509.Certificate]:
    try:
        certs = x509.load_pem_x509_certificates(data)
    except ValueError:
        certs = []
    if not certs:
        raise SecurityError("certificate-unreadable", f"{where}: no PEM certificate found")
    return certs


def oin_of(cert: x509.Certificate) -> str | None:
    """The OIN (Organisatie-identificatienummer) in the subject serialNumber, as PKIoverheid puts it."""
    return _oin_of(cert)


@lru_cache(maxsize=256)
def load_der_certificate(der: bytes) -> x509.Certificate:
    """A DER certificate, parsed once: partners sign and connect with the same certificate every time,
    and the same object then hits the caches keyed on it (OIN, trust path). ``ValueError`` when
    unreadable (not cached)."""
    return x509.load_der_x509_certificate(der)


@lru_cache(maxsize=256)  # certificates hash and compare by their DER encoding
def _oin_of(cert: x509.Certificate) -> str | None:
    values = cert.subject.get_attributes_for_oid(NameOID.SERIAL_NUMBER)
    if not values:
        return None
    value = values[0].value
    return value if isinstance(value, str) else value.decode("ascii", "replace")


def subject_text(cert: x509.Certificate) -> str:
    return cert.subject.rfc4514_string()


def days_left(cert: x509.Certificate, now: datetime | None = None) -> int:
    """Whole days until the certificate expires (negative once expired), for health checks."""
    now = now or datetime.now(UTC)
    return (cert.not_valid_after_utc - now).days


def certificate_file_days_left(path: Path, now: datetime | None = None) -> int:
    """Days left of the leaf certificate in a PEM file (health check helper)."""
    return days_left(load_pem_certificates(read_file(path, "certificate"), path)[0], now)
