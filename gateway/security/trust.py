"""Certificate validation for WS-Security signers and TLS peers: path, policy, revocation.

A signer certificate arrives in a BinarySecurityToken; before its key is used:

1. its own key is strong enough (:func:`~gateway.security.certificate_policy.check_key`);
2. ``cryptography.x509.verification`` builds the path to a self-signed trust anchor of ``ca_bundle``
   (its other certificates are the intermediates) and checks it: every signature, validity
   periods, basicConstraints, KeyUsage and pathLenConstraint of the CAs, name constraints, and the
   leaf's extensions under :class:`~gateway.security.certificate_policy.LeafPolicy`;
3. the leaf is not revoked according to a current, verified CRL of its issuer
   (:mod:`gateway.security.revocation`, reloaded when its file changes).

The same checks apply to a TLS peer's certificate once the handshake is done (see
:meth:`gateway.security.verifier.WsVerifier.verify`); OpenSSL checked it during the handshake.

Steps 1-2 are cached per leaf (partners sign with the same certificate every time): the path and
the window in which every certificate on it is valid; the window is checked again on every call,
and so is revocation (a dictionary lookup), so a reloaded CRL counts at once.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.x509.verification import ExtensionPolicy, PolicyBuilder, Store, VerificationError

from gateway.security.certificate_policy import LeafPolicy, check_key
from gateway.security.certificates import load_pem_certificates, subject_text
from gateway.security.errors import SecurityError
from gateway.security.revocation import RECHECK_SECONDS, RevocationLists, issuer_key

MAX_INTERMEDIATES = 4  # PKIoverheid: root → domain CA → issuing CA → leaf uses two
MAX_CACHED_PATHS = 1024
_NOISE = re.compile(r"^validation failed: (candidates exhausted: )?|\s*\(encountered processing <.*$")


@dataclass(frozen=True, slots=True)
class _Verdict:
    """A leaf whose path was built and checked: the path, the time window in which every
    certificate on it is valid (the latest notBefore, the earliest notAfter), and its issuer with
    that issuer's key for the revocation lookup (a leaf trusted itself, as a self-signed certificate
    in ca_bundle, is its own issuer)."""

    path: tuple[x509.Certificate, ...]
    not_before: datetime
    not_after: datetime
    issuer: x509.Certificate
    issuer_key: bytes

    @classmethod
    def of(cls, path: list[x509.Certificate]) -> _Verdict:
        issuer = path[1] if len(path) > 1 else path[0]
        return cls(
            tuple(path),
            max(c.not_valid_before_utc for c in path),
            min(c.not_valid_after_utc for c in path),
            issuer,
            issuer_key(issuer),
        )


class TrustStore:
    """Trust anchors (the self-signed CAs of the bundle), intermediates (the others) and CRLs."""

    def __init__(
        self,
        certificates: Iterable[x509.Certificate],
        crls: Iterable[x509.CertificateRevocationList] = (),
        *,
        revocation: RevocationLists | None = None,
    ) -> None:
        certs = list(certificates)
        self._anchors = [c for c in certs if _self_signed(c)]
        self._intermediates = [c for c in certs if not _self_signed(c)]
        self._store = Store(self._anchors) if self._anchors else None
        self.revocation = revocation if revocation is not None else RevocationLists(crls, certs)
        self._verdicts: dict[x509.Certificate, _Verdict] = {}  # leaf -> its validated path
        self._last: tuple[x509.Certificate, _Verdict] | None = None  # the last leaf, by identity

    @classmethod
    def from_files(
        cls, ca_bundle: Path, crl_files: Sequence[Path] = (), *, recheck_seconds: float = RECHECK_SECONDS
    ) -> TrustStore:
        try:
            certs = load_pem_certificates(Path(ca_bundle).read_bytes(), ca_bundle)
        except OSError as exc:
            raise SecurityError("file-unreadable", f"cannot read trust material: {exc}") from None
        revocation = RevocationLists.from_files(crl_files, certs, recheck_seconds=recheck_seconds)
        return cls(certs, revocation=revocation)

    def validate(self, leaf: x509.Certificate, at: datetime) -> list[x509.Certificate]:
        """The path leaf → anchor, or :class:`SecurityError` saying what is wrong with it."""
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
        self.revocation.check(leaf, verdict.issuer, verdict.issuer_key, at)
        return list(verdict.path)

    def _build(self, leaf: x509.Certificate, at: datetime) -> list[x509.Certificate]:
        check_key(leaf)
        if self._store is None:
            raise SecurityError("certificate-untrusted", "ca_bundle holds no self-signed trust anchor")
        leaf_policy = LeafPolicy()
        verifier = (
            PolicyBuilder()
            .store(self._store)
            .time(at)
            .max_chain_depth(MAX_INTERMEDIATES)
            .extension_policies(
                ca_policy=ExtensionPolicy.webpki_defaults_ca(), ee_policy=leaf_policy.extension_policy()
            )
            .build_client_verifier()
        )
        try:
            return list(verifier.verify(leaf, self._intermediates).chain)
        except VerificationError as exc:
            if leaf_policy.refusals:
                raise leaf_policy.refusals[0] from None
            raise self._explain(leaf, at, _NOISE.sub("", str(exc))) from None

    def _explain(self, leaf: x509.Certificate, at: datetime, reason: str) -> SecurityError:
        """The path builder's refusal as a code: a certificate on the way up outside its validity
        period is named as such; anything else does not chain under the policy."""
        current: x509.Certificate | None = leaf
        for _ in range(MAX_INTERMEDIATES + 2):
            if current is None:
                break
            try:
                _check_period(current, at)
            except SecurityError as expired:
                return expired
            issuer = self._issuer_of(current)
            current = None if issuer is None or issuer is current else issuer
        return SecurityError(
            "certificate-untrusted",
            f"the certificate of {subject_text(leaf)} does not chain to a configured trust anchor "
            f"under the certificate policy ({reason}); check ca_bundle",
        )

    def _issuer_of(self, cert: x509.Certificate) -> x509.Certificate | None:
        for candidate in [*self._intermediates, *self._anchors]:
            if candidate.subject == cert.issuer and _issued_by(cert, candidate):
                return candidate
        return None


def _self_signed(cert: x509.Certificate) -> bool:
    return cert.subject == cert.issuer and _issued_by(cert, cert)


def _issued_by(cert: x509.Certificate, issuer: x509.Certificate) -> bool:
    try:
        cert.verify_directly_issued_by(issuer)
    except (ValueError, TypeError, InvalidSignature):
        return False
    return True


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
