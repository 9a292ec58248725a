"""Certificate revocation lists: checked before they are used, reloaded when their file changes.

``cryptography.x509.verification`` builds and checks certificate paths but does not look at CRLs,
and OpenSSL (the TLS layer) checked the files as loaded once at start. Here, for the WS-Security
signer and — through the same object handed to the TLS contexts — the TLS peer:

- **A CRL is used only when it can be trusted**: signed with SHA-2 by a CA in ``ca_bundle`` whose
  key verifies it and that may sign CRLs (cRLSign, when it has a KeyUsage), with a nextUpdate. At
  start a CRL file that fails this is an error naming the file (``crl-unreadable``, ``crl-invalid``).
- **With CRL files configured, a leaf certificate is accepted only when** the CRL of its issuer is
  loaded (``crl-missing``), current — thisUpdate ≤ now < nextUpdate (``crl-not-yet-valid``,
  ``crl-expired``: a stale CRL is refused, not trusted) — and does not list it
  (``certificate-revoked``), as OpenSSL's ``VERIFY_CRL_CHECK_LEAF`` does for a TLS peer. Without
  CRL files there is no revocation check, for TLS either. Intermediates are not checked.
- **Reloading, when a file changes**: at most every ``recheck_seconds`` (60 by default) the next
  certificate check, TLS handshake (as server) or hub call looks at each file's modification time,
  size and inode. A changed file is read and checked again; when usable it replaces its CRL here
  and in every TLS context it was given to (OpenSSL uses the newest CRL of an issuer). A changed
  file that is not usable (half written, signed by another key, garbage) is logged once and the
  CRL loaded before stays in use until its own nextUpdate passes — then that issuer's certificates
  are refused until a good file appears.
"""

from __future__ import annotations

import logging
import os
import ssl
import tempfile
import threading
import time
import weakref
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from cryptography import x509
from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.serialization import Encoding

from gateway.security.certificates import subject_text
from gateway.security.errors import SecurityError

log = logging.getLogger("skgw.security")
RECHECK_SECONDS = 60.0
_SHA2 = (hashes.SHA256, hashes.SHA384, hashes.SHA512)


def issuer_key(issuer: x509.Certificate) -> bytes:
    """How a CRL is found for a leaf: by the exact certificate of its issuer (a CA renewed under the
    same name with a new key has other CRLs)."""
    return issuer.fingerprint(hashes.SHA256())


@dataclass(frozen=True, slots=True)
class UsableCrl:
    """A CRL whose signature, issuer and fields were checked, ready for lookups."""

    source: str
    issuer: x509.Certificate
    this_update: datetime
    next_update: datetime
    revoked: frozenset[int]
    pem: bytes


def usable_crl(
    crl: x509.CertificateRevocationList, cas: Iterable[x509.Certificate], source: str
) -> UsableCrl:
    """``crl`` checked against the CAs of the trust bundle, or ``crl-invalid`` saying why not."""

    def invalid(reason: str) -> SecurityError:
        return SecurityError("crl-invalid", f"{source}: the CRL {reason}")

    try:
        algorithm = crl.signature_hash_algorithm
    except UnsupportedAlgorithm:
        algorithm = None
    if not isinstance(algorithm, _SHA2):
        raise invalid("is not signed with SHA-2")
    issuer = next((ca for ca in cas if ca.subject == crl.issuer and _signed_by(crl, ca)), None)
    if issuer is None:
        raise invalid(f"of {crl.issuer.rfc4514_string()} is not signed by a CA in ca_bundle")
    if not _may_sign_crls(issuer):
        raise invalid(f"is signed by {subject_text(issuer)}, which may not sign CRLs (no cRLSign)")
    next_update = crl.next_update_utc
    if next_update is None:
        raise invalid("has no nextUpdate: nobody can tell when it is stale")
    return UsableCrl(
        source,
        issuer,
        crl.last_update_utc,
        next_update,
        frozenset(entry.serial_number for entry in crl),
        crl.public_bytes(Encoding.PEM),
    )


def _signed_by(crl: x509.CertificateRevocationList, ca: x509.Certificate) -> bool:
    try:
        return crl.is_signature_valid(ca.public_key())  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return False


def _may_sign_crls(ca: x509.Certificate) -> bool:
    try:
        usage = ca.extensions.get_extension_for_class(x509.KeyUsage).value
    except x509.ExtensionNotFound:
        return True
    return usage.crl_sign


def load_crl_file(path: Path, cas: Sequence[x509.Certificate]) -> UsableCrl:
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise SecurityError("crl-unreadable", f"cannot read the CRL file {path}: {exc.strerror}") from None
    try:
        crl = x509.load_pem_x509_crl(data)
    except ValueError:
        raise SecurityError("crl-unreadable", f"{path}: not a PEM CRL") from None
    return usable_crl(crl, cas, str(path))


@dataclass(slots=True)
class _File:
    stamp: tuple[int, int, int] | None
    crl: UsableCrl


def _stamp(path: Path) -> tuple[int, int, int] | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return st.st_mtime_ns, st.st_size, st.st_ino


class RevocationLists:
    """The CRLs of one trust bundle, by issuer; reloaded from their files when those change."""

    def __init__(
        self,
        crls: Iterable[x509.CertificateRevocationList] = (),
        cas: Sequence[x509.Certificate] = (),
        *,
        recheck_seconds: float = RECHECK_SECONDS,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._cas = list(cas)
        self._fixed = [usable_crl(crl, self._cas, "CRL") for crl in crls]
        self._files: dict[Path, _File] = {}
        self._recheck = recheck_seconds
        self._monotonic = monotonic
        self._next_check = monotonic() + recheck_seconds
        self._lock = threading.Lock()
        self._contexts: weakref.WeakSet[ssl.SSLContext] = weakref.WeakSet()
        self._index = self._build_index()

    @classmethod
    def from_files(
        cls, files: Sequence[Path], cas: Sequence[x509.Certificate], **kw: object
    ) -> RevocationLists:
        lists = cls((), cas, **kw)  # type: ignore[arg-type]
        for path in files:
            path = Path(path)
            stamp = _stamp(path)
            lists._files[path] = _File(stamp, load_crl_file(path, lists._cas))
        lists._index = lists._build_index()
        for crl in lists._index.values():
            if crl.next_update <= datetime.now(UTC):
                log.error(
                    "the CRL %s is stale (nextUpdate %s passed): replace it", crl.source, crl.next_update
                )
        return lists

    @property
    def configured(self) -> bool:
        return bool(self._fixed or self._files)

    def _build_index(self) -> dict[bytes, UsableCrl]:
        index: dict[bytes, UsableCrl] = {}
        for crl in [*self._fixed, *(f.crl for f in self._files.values())]:
            key = issuer_key(crl.issuer)
            if key not in index or crl.this_update > index[key].this_update:
                index[key] = crl
        return index

    def check(self, leaf: x509.Certificate, issuer: x509.Certificate, key: bytes, at: datetime) -> None:
        """Raise unless ``leaf`` (issued by ``issuer``, whose :func:`issuer_key` is ``key``) is
        not revoked according to a current CRL; nothing when no CRLs are configured."""
        self.refresh()
        if not self.configured:
            return
        crl = self._index.get(key)
        if crl is None:
            raise SecurityError(
                "crl-missing",
                f"no CRL of {subject_text(issuer)} is loaded (crl_files): "
                f"the revocation of {subject_text(leaf)} cannot be checked",
            )
        if at < crl.this_update:
            raise SecurityError("crl-not-yet-valid", f"the CRL {crl.source} is not yet valid (thisUpdate)")
        if at >= crl.next_update:
            raise SecurityError(
                "crl-expired",
                f"the CRL {crl.source} of {subject_text(issuer)} is stale (nextUpdate "
                f"{crl.next_update:%Y-%m-%d %H:%M} UTC passed): replace it with a current one",
            )
        if leaf.serial_number in crl.revoked:
            raise SecurityError("certificate-revoked", f"the certificate of {subject_text(leaf)} is revoked")

    def attach(self, context: ssl.SSLContext) -> None:
        """Give ``context`` every CRL now loaded, and every usable one reloaded later; switch on
        OpenSSL's check of the peer's leaf against them."""
        for crl in [*self._fixed, *(f.crl for f in self._files.values())]:
            _load_into(context, crl)
        context.verify_flags |= ssl.VERIFY_CRL_CHECK_LEAF
        self._contexts.add(context)

    def refresh(self) -> None:
        """Reload changed CRL files, at most every ``recheck_seconds`` (a clock read otherwise)."""
        if not self._files or self._monotonic() < self._next_check:
            return
        with self._lock:
            if self._monotonic() < self._next_check:
                return
            self._next_check = self._monotonic() + self._recheck
            changed = [crl for path, state in self._files.items() if (crl := self._reload(path, state))]
            if changed:
                self._index = self._build_index()
                for context in list(self._contexts):
                    for crl in changed:
                        _load_into(context, crl)

    def _reload(self, path: Path, state: _File) -> UsableCrl | None:
        stamp = _stamp(path)
        if stamp == state.stamp:
            return None
        state.stamp = stamp  # a file that fails is logged once, not every minute
        try:
            crl = load_crl_file(path, self._cas)
        except SecurityError as exc:
            log.error(
                "the CRL file %s changed but cannot be used (%s); the CRL loaded before stays in use "
                "until its nextUpdate %s",
                path,
                exc.message,
                state.crl.next_update,
            )
            return None
        state.crl = crl
        log.info(
            "CRL %s reloaded: %s, %d revoked, next update %s",
            path,
            subject_text(crl.issuer),
            len(crl.revoked),
            crl.next_update,
        )
        return crl


def _load_into(context: ssl.SSLContext, crl: UsableCrl) -> None:
    """The checked CRL's own bytes into OpenSSL (``ssl`` reads CRLs only from files)."""
    with tempfile.TemporaryDirectory(prefix="skgw-crl-") as tmp:
        path = Path(tmp) / "crl.pem"
        path.write_bytes(crl.pem)
        context.load_verify_locations(cafile=str(path))
