"""What a signer certificate (and a TLS peer's) must be, beyond chaining to a trust anchor.

The checks are ``cryptography.x509.verification`` extension policies, run by its path builder on
the leaf while it builds the chain; what it cannot express (the leaf's own key size: its RSA
minimum applies to the keys that sign certificates) is :func:`check_key`. The policy is at least as
strict as the TLS layer's (OpenSSL at security level 2), and stricter where OpenSSL is lenient:

- the key: RSA of at least 2048 bits, or EC on P-256/P-384/P-521 (``key-too-weak``,
  ``key-unsupported``);
- KeyUsage present with digitalSignature and without keyCertSign (``certificate-key-usage``;
  OpenSSL accepts a certificate without KeyUsage);
- not a CA certificate: basicConstraints cA=true on the leaf is refused (``certificate-is-ca``;
  OpenSSL accepts it as a TLS client);
- ExtendedKeyUsage is not required (RFC 5280: absent means unrestricted), but when present it must
  name TLS client or server authentication — the purposes of the PKIoverheid services certificates
  Digikoppeling uses for both TLS and signing (``certificate-eku``);
- a SubjectAlternativeName is not required (a signer is named by its OIN in the subject
  serialNumber, see :func:`gateway.security.certificates.oin_of`).

The CA certificates on the path are held to cryptography's web-PKI CA defaults: basicConstraints cA
(critical), keyCertSign, pathLenConstraint, name constraints; every signature on the path SHA-2
RSA (≥ 2048 bits) or ECDSA.
"""

from __future__ import annotations

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID
from cryptography.x509.verification import Criticality, ExtensionPolicy, Policy

from gateway.security.certificates import subject_text
from gateway.security.errors import SecurityError

MIN_RSA_BITS = 2048
EC_CURVES = (ec.SECP256R1, ec.SECP384R1, ec.SECP521R1)
LEAF_PURPOSES = frozenset({ExtendedKeyUsageOID.CLIENT_AUTH, ExtendedKeyUsageOID.SERVER_AUTH})


def check_key(cert: x509.Certificate) -> None:
    """The leaf's own public key: RSA ≥ 2048 bits or EC on an allowed curve."""
    key = cert.public_key()
    if isinstance(key, rsa.RSAPublicKey):
        if key.key_size < MIN_RSA_BITS:
            raise SecurityError(
                "key-too-weak",
                f"the certificate of {subject_text(cert)} holds an RSA-{key.key_size} key "
                f"(at least {MIN_RSA_BITS} bits required)",
            )
        return
    if isinstance(key, ec.EllipticCurvePublicKey) and isinstance(key.curve, EC_CURVES):
        return
    raise SecurityError(
        "key-unsupported", f"the certificate of {subject_text(cert)} holds a key type that is not allowed"
    )


class LeafPolicy:
    """The extension policy for one path building; a refusal is kept here with its code, because
    the path builder reports a failing check only as text."""

    def __init__(self) -> None:
        self.refusals: list[SecurityError] = []

    def extension_policy(self) -> ExtensionPolicy:
        return (
            ExtensionPolicy.webpki_defaults_ee()
            .may_be_present(x509.KeyUsage, Criticality.AGNOSTIC, self._key_usage)
            .may_be_present(x509.BasicConstraints, Criticality.AGNOSTIC, self._basic_constraints)
            .may_be_present(x509.ExtendedKeyUsage, Criticality.AGNOSTIC, self._extended_key_usage)
            .may_be_present(x509.SubjectAlternativeName, Criticality.AGNOSTIC, None)
        )

    def _refuse(self, code: str, message: str) -> None:
        error = SecurityError(code, message)
        self.refusals.append(error)
        raise error

    def _key_usage(self, _policy: Policy, cert: x509.Certificate, usage: x509.KeyUsage | None) -> None:
        if usage is None or not usage.digital_signature or usage.key_cert_sign:
            self._refuse(
                "certificate-key-usage",
                f"the certificate of {subject_text(cert)} is not for digital signatures "
                "(KeyUsage must be present, assert digitalSignature and not keyCertSign)",
            )

    def _basic_constraints(
        self, _policy: Policy, cert: x509.Certificate, constraints: x509.BasicConstraints | None
    ) -> None:
        if constraints is not None and constraints.ca:
            self._refuse(
                "certificate-is-ca",
                f"the certificate of {subject_text(cert)} is a CA certificate, not an organisation's",
            )

    def _extended_key_usage(
        self, _policy: Policy, cert: x509.Certificate, usages: x509.ExtendedKeyUsage | None
    ) -> None:
        if usages is not None and LEAF_PURPOSES.isdisjoint(usages):
            self._refuse(
                "certificate-eku",
                f"the certificate of {subject_text(cert)} is not for TLS client or server "
                "authentication (ExtendedKeyUsage)",
            )
