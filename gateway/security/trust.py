"""Certificate path validation for signer certificates (the TLS layer does its own via OpenSSL).

A WS-Security signer certificate arrives in a BinarySecurityToken; before its key is used the
certificate must chain to a configured trust anchor, every certificate on the path must be
within its validity period, every issuer must be a CA, and the leaf must not be on a loaded CRL.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from cryptography import x509
from cryptography.exceptions import InvalidSignature

from gateway.security.certificates import load_pem_certificates, subject_text
from gateway.security.errors import SecurityError

MAX_PATH_LENGTH = 6
MAX_CACHED_PATHS = 1024


@dataclass(frozen=True, slots=True)
class _Verdict:
    """A leaf whose path was built and whose revocation was checked: the path, and the time window
    in which every certificate on it is valid (the latest notBefore, the earliest notAfter)."""

    path: tuple[x509.Certificate, ...]
    not_before: datetime
    not_after: datetime

    @classmethod
    def of(cls, path: list[x509.Certificate]) -> _Verdict:
        return cls(
            tuple(path),
            max(c.not_valid_before_utc for c in path),
            min(c.not_valid_after_utc for c in path),
        )


class TrustStore:
    """Trust anchors (self-signed CAs), intermediates and CRLs, loaded once."""

    def __init__(
        self,
        certificates: Iterable[x509.Certificate],
        crls: Iterable[x509.CertificateRevocationList] = (),
    ) -> None:
        self._by_subject: dict[bytes, list[x509.Certificate]] = {}
        for cert in certificates:
            self._by_subject.setdefault(cert.subject.public_bytes(), []).append(cert)
        self._verdicts: dict[x509.Certificate, _Verdict] = {}  # leaf -> its validated path
        self._last: tuple[x509.Certificate, _Verdict] | None = None  # the last leaf, by identity
        self._crls: dict[bytes, list[x509.CertificateRevocationList]] = {}
        for crl in crls:
            self._crls.setdefault(crl.issuer.public_bytes(), []).append(crl)

    @classmethod
    def from_files(cls, ca_bundle: Path, crl_files: Sequence[Path] = ()) -> TrustStore:
        try:
            certs = load_pem_certificates(Path(ca_bundle).read_bytes(), ca_bundle)
            crls = [x509.load_pem_x509_crl(Path(p).read_bytes()) for p in crl_files]
        except OSError as exc:
            raise SecurityError("file-unreadable", f"cannot read trust material: {exc}") from None
        except ValueError as exc:
            raise SecurityError("crl-unreadable", f"a CRL file is not a PEM CRL: {exc}") from None
        return cls(certs, crls)

    def validate(self, leaf: x509.Certificate, at: datetime) -> list[x509.Certificate]:
        """The path leaf → anchor, or :class:`SecurityError` saying what is wrong with it.

        The path (its signatures) and the revocation verdict are cached per leaf — partners sign
        with the same certificate every time, and the CRLs are fixed for the store's lifetime;
        the validity periods of every certificate on the path are checked again on every call.
        """
        last = self._last  # one read: safe when threads share the store
        if last is not None and last[0] is leaf:  # same object: no DER hashing at all
            verdict = last[1]
        else:
            verdict = self._verdicts.get(leaf)  # certificates hash and compare by their DER encoding
            if verdict is None:
                verdict = _Verdict.of(self._build(leaf, at))
                if len(self._verdicts) >= MAX_CACHED_PATHS:
                    self._verdicts.clear()
                self._verdicts[leaf] = verdict
            self._last = (leaf, verdict)
        if not verdict.not_before <= at <= verdict.not_after:
            for cert in verdict.path:  # raises, naming the certificate that is out of its period
                _check_period(cert, at)
        return list(verdict.path)

    def _build(self, leaf: x509.Certificate, at: datetime) -> list[x509.Certificate]:
        path = [leaf]
        current = leaf
        for _ in range(MAX_PATH_LENGTH):
            _check_period(current, at)
            if current is not leaf:
                _check_is_ca(current)
            issuer = self._issuer_of(current)
            if issuer is None:
                raise SecurityError(
                    "certificate-untrusted",
                    f"the certificate of {subject_text(leaf)} does not chain to a configured trust "
                    f"anchor (no issuer found for {subject_text(current)}); check ca_bundle",
                )
            if issuer == current:  # reached a self-signed anchor
                self._check_revocation(leaf, at)
                return path
            path.append(issuer)
            current = issuer
        raise SecurityError("certificate-untrusted", "the certificate path is too long")

    def _issuer_of(self, cert: x509.Certificate) -> x509.Certificate | None:
        for candidate in self._by_subject.get(cert.issuer.public_bytes(), []):
            try:
                cert.verify_directly_issued_by(candidate)
            except (ValueError, TypeError, InvalidSignature):
                continue
            return candidate
        return None

    def _check_revocation(self, leaf: x509.Certificate, at: datetime) -> None:
        for crl in self._crls.get(leaf.issuer.public_bytes(), []):
            if crl.get_revoked_certificate_by_serial_number(leaf.serial_number) is not None:
                raise SecurityError(
                    "certificate-revoked", f"the certificate of {subject_text(leaf)} is revoked"
                )


def _check_period(cert: x509.Certificate, at: datetime) -> None:
    if at < cert.not_valid_before_utc:
        raise SecurityError(
            "certificate-not-yet-valid", f"the certificate of {subject_text(cert)} is not yet valid"
        )
    if at > cert.not_valid_after_utc:
        raise SecurityError(
            "certificate-expired",
            f"the certificate of {subject_text(cert)} expired on {cert.not_valid_after_utc:%Y-%m-%d}",
        )


def _check_is_ca(cert: x509.Certificate) -> None:
    try:
        bc = cert.extensions.get_extension_for_class(x509.BasicConstraints).value
    except x509.ExtensionNotFound:
        bc = None
    if bc is None or not bc.ca:
        raise SecurityError(
            "certificate-untrusted", f"{subject_text(cert)} is not a CA but issued a certificate"
        )
