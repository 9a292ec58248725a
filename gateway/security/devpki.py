"""A private development PKI: one CA plus hub and party certificates with an OIN in serialNumber.

Shaped like PKIoverheid server/client certificates (subject serialNumber = OIN, critical basic
constraints and key usage, serverAuth + clientAuth, key identifiers, RSA-2048 at least) so that the
same code paths — TLS with ``VERIFY_X509_STRICT``-friendly certificates, OIN checks, chain
validation under :mod:`gateway.security.certificate_policy`, CRLs — run in development and tests as
in production. Never use these certificates outside a test setup.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

OIN_PATTERN = re.compile(r"^[0-9]{20}$")
HUB_OIN = "00000001800866472000"


@dataclass(frozen=True, slots=True)
class Issued:
    name: str
    oin: str | None
    certificate: x509.Certificate
    key: rsa.RSAPrivateKey

    def cert_pem(self) -> bytes:
        return self.certificate.public_bytes(Encoding.PEM)

    def key_pem(self) -> bytes:
        return self.key.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption())


def slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-") or "party"


class DevCa:
    """A self-signed CA that issues leaf certificates and CRLs."""

    def __init__(
        self, name: str = "skp-gateway development CA", key_size: int = 2048, days: int = 3650
    ) -> None:
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=key_size)
        self.key_size = key_size
        subject = x509.Name(
            [
                x509.NameAttribute(NameOID.COUNTRY_NAME, "NL"),
                x509.NameAttribute(NameOID.ORGANIZATION_NAME, "skp-gateway development"),
                x509.NameAttribute(NameOID.COMMON_NAME, name),
            ]
        )
        now = datetime.now(UTC)
        ski = x509.SubjectKeyIdentifier.from_public_key(self.key.public_key())
        self.certificate = (
            x509.CertificateBuilder()
            .subject_name(subject)
            .issuer_name(subject)
            .public_key(self.key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - timedelta(hours=1))
            .not_valid_after(now + timedelta(days=days))
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .add_extension(_key_usage(ca=True), critical=True)
            .add_extension(ski, critical=False)
            .add_extension(
                x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(ski), critical=False
            )
            .sign(self.key, hashes.SHA256())
        )

    def cert_pem(self) -> bytes:
        return self.certificate.public_bytes(Encoding.PEM)

    def issue(
        self,
        name: str,
        oin: str | None,
        *,
        days: int = 365,
        not_before: datetime | None = None,
        hosts: tuple[str, ...] = ("localhost", "127.0.0.1"),
        key: rsa.RSAPrivateKey | None = None,
    ) -> Issued:
        if oin is not None and not OIN_PATTERN.match(oin):
            raise ValueError(f"an OIN has 20 digits, not {oin!r}")
        key = key or rsa.generate_private_key(public_exponent=65537, key_size=self.key_size)
        attrs = [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "NL"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, name),
            x509.NameAttribute(NameOID.COMMON_NAME, name),
        ]
        if oin is not None:
            attrs.append(x509.NameAttribute(NameOID.SERIAL_NUMBER, oin))
        start = not_before or datetime.now(UTC) - timedelta(hours=1)
        builder = (
            x509.CertificateBuilder()
            .subject_name(x509.Name(attrs))
            .issuer_name(self.certificate.subject)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(start)
            .not_valid_after(start + timedelta(days=days))
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(_key_usage(ca=False), critical=True)
            .add_extension(
                x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH, ExtendedKeyUsageOID.CLIENT_AUTH]),
                critical=False,
            )
            .add_extension(x509.SubjectAlternativeName([_general_name(h) for h in hosts]), critical=False)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
            .add_extension(
                x509.AuthorityKeyIdentifier.from_issuer_public_key(self.key.public_key()), critical=False
            )
        )
        return Issued(name, oin, builder.sign(self.key, hashes.SHA256()), key)

    def crl(
        self, revoked: tuple[x509.Certificate, ...] = (), days: int = 30
    ) -> x509.CertificateRevocationList:
        now = datetime.now(UTC)
        builder = (
            x509.CertificateRevocationListBuilder()
            .issuer_name(self.certificate.subject)
            .last_update(now - timedelta(minutes=5))
            .next_update(now + timedelta(days=days))
            .add_extension(x509.CRLNumber(1), critical=False)
            .add_extension(
                x509.AuthorityKeyIdentifier.from_issuer_public_key(self.key.public_key()), critical=False
            )
        )
        for cert in revoked:
            builder = builder.add_revoked_certificate(
                x509.RevokedCertificateBuilder()
                .serial_number(cert.serial_number)
                .revocation_date(now - timedelta(minutes=1))
                .build()
            )
        return builder.sign(self.key, hashes.SHA256())


def _key_usage(*, ca: bool) -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=not ca,
        content_commitment=False,
        key_encipherment=not ca,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=ca,
        crl_sign=ca,
        encipher_only=False,
        decipher_only=False,
    )


def _general_name(host: str) -> x509.GeneralName:
    try:
        return x509.IPAddress(ipaddress.ip_address(host))
    except ValueError:
        return x509.DNSName(host)


@dataclass(frozen=True, slots=True)
class PartySpec:
    name: str
    oin: str


def write_dev_pki(
    outdir: Path, parties: list[PartySpec], hub_oin: str = HUB_OIN, key_size: int = 2048, days: int = 365
) -> list[Path]:
    """Create CA, hub and party certificates in ``outdir``; returns the files written."""
    outdir.mkdir(parents=True, exist_ok=True)
    ca = DevCa(key_size=key_size)
    written: list[Path] = []

    def write(name: str, data: bytes, private: bool = False) -> None:
        path = outdir / name
        path.write_bytes(data)
        if private:
            path.chmod(0o600)
        written.append(path)

    write("ca.pem", ca.cert_pem())
    write("ca.key.pem", ca.key.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption()), True)
    # the CRL lasts as long as the certificates: a stale CRL refuses every certificate of its CA
    write("ca.crl.pem", ca.crl(days=days).public_bytes(Encoding.PEM))
    for spec, base in [(PartySpec("Schuldenknooppunt simulator", hub_oin), "hub")] + [
        (p, slug(p.name)) for p in parties
    ]:
        issued = ca.issue(spec.name, spec.oin, days=days)
        write(f"{base}.pem", issued.cert_pem())
        write(f"{base}.key.pem", issued.key_pem(), True)
    return written
