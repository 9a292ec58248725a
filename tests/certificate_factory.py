"""Certificates made to order for the certificate-policy tests: good ones and every kind of bad one.

The development PKI (``gateway.security.devpki``) only makes good certificates; these tests need a
leaf with an RSA-1024 key, without digitalSignature, with a CA flag, an intermediate with a path
length of 0 and one below it, stale CRLs and CRLs signed by the wrong key. Keys are made once per
size (RSA key generation is slow); a certificate may share its key with others.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cache
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from gateway.security.certificates import Credentials
from gateway.security.settings import TlsSettings

DEFAULT = object()
TLS_PURPOSES = [ExtendedKeyUsageOID.SERVER_AUTH, ExtendedKeyUsageOID.CLIENT_AUTH]


@cache
def rsa_key(bits: int = 2048, n: int = 0) -> rsa.RSAPrivateKey:
    """The ``n``-th test key of ``bits`` bits (made once per process)."""
    return rsa.generate_private_key(public_exponent=65537, key_size=bits)


def key_usage(*, digital_signature: bool = True, ca: bool = False) -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=digital_signature,
        content_commitment=False,
        key_encipherment=not ca,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=ca,
        crl_sign=ca,
        encipher_only=False,
        decipher_only=False,
    )


@dataclass(frozen=True)
class Made:
    certificate: x509.Certificate
    key: rsa.RSAPrivateKey

    @property
    def credentials(self) -> Credentials:
        return Credentials(self.certificate, self.key)

    def write(self, directory: Path, name: str, chain: tuple[Made, ...] = ()) -> tuple[Path, Path]:
        cert, key = directory / f"{name}.pem", directory / f"{name}.key.pem"
        cert.write_bytes(b"".join(m.certificate.public_bytes(Encoding.PEM) for m in (self, *chain)))
        key.write_bytes(self.key.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption()))
        return cert, key


def ca(name: str, issuer: Made | None = None, *, path_length: int | None = None, n: int = 0) -> Made:
    """A CA: self-signed without ``issuer``, else an intermediate under it."""
    key = rsa_key(2048, 100 + n)
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    builder = _base(subject, key, issuer).add_extension(
        x509.BasicConstraints(ca=True, path_length=path_length), critical=True
    )
    builder = builder.add_extension(key_usage(ca=True), critical=True)
    return Made(_sign(builder, key, issuer), key)


def leaf(
    issuer: Made,
    name: str = "Gemeente Beleid",
    oin: str | None = "00000001001234567000",
    *,
    bits: int = 2048,
    usage: x509.KeyUsage | None | object = DEFAULT,
    is_ca: bool = False,
    eku: list[x509.ObjectIdentifier] | None = TLS_PURPOSES,
    hosts: tuple[str, ...] = ("localhost",),
    days: int = 30,
) -> Made:
    """An organisation's certificate; every argument can make it break one rule."""
    key = rsa_key(bits, 1)
    attrs = [x509.NameAttribute(NameOID.COMMON_NAME, name)]
    if oin:
        attrs.append(x509.NameAttribute(NameOID.SERIAL_NUMBER, oin))
    builder = _base(x509.Name(attrs), key, issuer, days).add_extension(
        x509.BasicConstraints(ca=is_ca, path_length=None), critical=True
    )
    usage = key_usage() if usage is DEFAULT else usage
    if usage is not None:
        builder = builder.add_extension(usage, critical=True)
    if eku is not None:
        builder = builder.add_extension(x509.ExtendedKeyUsage(eku), critical=False)
    if hosts:
        names = [x509.DNSName(h) for h in hosts]
        builder = builder.add_extension(x509.SubjectAlternativeName(names), critical=False)
    return Made(_sign(builder, issuer.key, issuer), key)


def self_signed_leaf(name: str = "Gemeente Zelf", oin: str = "00000001001234567000") -> Made:
    """An organisation's certificate signed by its own key (not a CA), as one might pin it."""
    key = rsa_key(2048, 2)
    subject = x509.Name(
        [x509.NameAttribute(NameOID.COMMON_NAME, name), x509.NameAttribute(NameOID.SERIAL_NUMBER, oin)]
    )
    builder = (
        _base(subject, key, None)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(key_usage(), critical=True)
    )
    return Made(_sign(builder, key, None), key)


def crl(
    issuer: Made,
    revoked: tuple[Made, ...] = (),
    *,
    next_update_in: timedelta = timedelta(days=7),
    age: timedelta = timedelta(hours=1),
    signed_by: rsa.RSAPrivateKey | None = None,
) -> x509.CertificateRevocationList:
    """A CRL of ``issuer``, made ``age`` ago, due ``next_update_in`` from now (negative: stale);
    ``signed_by`` another key than the issuer's to forge one."""
    now = datetime.now(UTC)
    builder = (
        x509.CertificateRevocationListBuilder()
        .issuer_name(issuer.certificate.subject)
        .last_update(now - age)
        .next_update(now + next_update_in)
    )
    for made in revoked:
        builder = builder.add_revoked_certificate(
            x509.RevokedCertificateBuilder()
            .serial_number(made.certificate.serial_number)
            .revocation_date(now - age)
            .build()
        )
    return builder.sign(signed_by or issuer.key, hashes.SHA256())


def write_crl(path: Path, revocation_list: x509.CertificateRevocationList) -> Path:
    path.write_bytes(revocation_list.public_bytes(Encoding.PEM))
    return path


def tls_settings(directory: Path, name: str, made: Made, anchors: Path, **kw: object) -> TlsSettings:
    cert, key = made.write(directory, name)
    return TlsSettings(certificate=cert, private_key=key, ca_bundle=anchors, **kw)  # type: ignore[arg-type]


def bundle(directory: Path, *cas: Made, name: str = "bundle.pem") -> Path:
    path = directory / name
    path.write_bytes(b"".join(m.certificate.public_bytes(Encoding.PEM) for m in cas))
    return path


def _base(
    subject: x509.Name, key: rsa.RSAPrivateKey, issuer: Made | None, days: int = 365
) -> x509.CertificateBuilder:
    now = datetime.now(UTC)
    issuer_key = issuer.key if issuer else key
    return (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer.certificate.subject if issuer else subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(hours=2))
        .not_valid_after(now + timedelta(days=days))
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_key.public_key()), critical=False
        )
    )


def _sign(builder: x509.CertificateBuilder, key: rsa.RSAPrivateKey, issuer: Made | None) -> x509.Certificate:
    return builder.sign(issuer.key if issuer else key, hashes.SHA256())
