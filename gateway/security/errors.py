"""The one error type of the security layer: a stable ``code`` and a message a person can act on."""

from __future__ import annotations


class SecurityError(Exception):
    """A credential could not be loaded, or an envelope failed verification.

    ``code`` is stable (tests, metrics and SOAP fault mapping match on it), e.g. ``unsigned``,
    ``digest-mismatch``, ``sha1-refused``, ``timestamp-expired``, ``replay``, ``oin-mismatch``.
    Messages never contain message content, only structure (element names, ids) and certificate
    subjects, which name organisations, not people.
    """

    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"{message} [{code}]")
        self.code = code
        self.message = message
