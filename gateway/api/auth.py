"""Who may call the API, and for what: named tokens and client certificates, each with roles.

Every caller is a :class:`Caller` with a name (shown in logs and in the console's record of who did
what) and roles:

- ``read``: look at messages, conversations, the address book;
- ``submit``: hand messages to the gateway (the organisation's case system);
- ``operate``: act on the gateway (resend a dead letter, retry now, fetch now).

A caller proves who it is with a bearer token (``[[api.tokens]]``: each token's secret lives in an
environment variable, never in the config file) or with a client certificate listed in
``[[api.clients]]`` (by OIN or by subject) under ``[api] client_ca``. A certificate that the CA
signed but that is not listed opens nothing. The secrets are checked for strength at start-up, so
a one-character token never guards a gateway.
"""

from __future__ import annotations

import enum
import hmac
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from cryptography import x509

from gateway.security.certificates import oin_of, subject_text

MIN_TOKEN_LENGTH = 32
MIN_DISTINCT_CHARACTERS = 8


class Role(enum.StrEnum):
    READ = "read"
    SUBMIT = "submit"
    OPERATE = "operate"


ALL_ROLES: tuple[Role, ...] = tuple(Role)


@dataclass(frozen=True, slots=True)
class Caller:
    name: str
    roles: frozenset[Role]
    via: str  # "token" or "certificate"

    def may(self, role: Role) -> bool:
        return role in self.roles


class WeakToken(ValueError):
    """A token too weak to guard the API; the message says why (never the token itself)."""


def check_strength(secret: str) -> None:
    """Refuse a token a person could guess or type by accident; :class:`WeakToken` says why, and how to
    make a good one."""
    why = _weakness(secret)
    if why:
        raise WeakToken(f"{why}; make one with e.g. openssl rand -hex 24")


def _weakness(secret: str) -> str:
    if len(secret) < MIN_TOKEN_LENGTH:
        return f"it has {len(secret)} characters; at least {MIN_TOKEN_LENGTH} are needed"
    if secret != secret.strip() or any(c.isspace() or not c.isprintable() for c in secret):
        return "it contains white space or unprintable characters"
    if len(set(secret)) < MIN_DISTINCT_CHARACTERS:
        return f"it has fewer than {MIN_DISTINCT_CHARACTERS} different characters"
    most = Counter(secret).most_common(1)[0][1]
    if most * 2 > len(secret):
        return "one character makes up more than half of it"
    return ""


class TokenBook:
    """The configured tokens; :meth:`identify` compares in constant time against every one."""

    def __init__(self, tokens: Iterable[tuple[str, str, Iterable[Role]]]) -> None:
        self._tokens: list[tuple[bytes, Caller]] = []
        for name, secret, roles in tokens:
            self._tokens.append((secret.encode(), Caller(name, frozenset(roles), "token")))

    def __len__(self) -> int:
        return len(self._tokens)

    def identify(self, secret: str) -> Caller | None:
        given = secret.encode()
        found = None
        for known, caller in self._tokens:  # no early exit: the time does not tell which one matched
            if hmac.compare_digest(given, known):
                found = caller
        return found


@dataclass(frozen=True, slots=True)
class ClientRule:
    """One ``[[api.clients]]`` entry: a certificate by OIN or by exact subject, with its roles."""

    name: str
    roles: frozenset[Role]
    oin: str | None = None
    subject: str | None = None

    def matches(self, oin: str | None, subject: str) -> bool:
        if self.oin is not None and oin != self.oin:
            return False
        if self.subject is not None and subject != self.subject:
            return False
        return self.oin is not None or self.subject is not None


class ClientBook:
    def __init__(self, rules: Iterable[ClientRule]) -> None:
        self._rules = tuple(rules)

    def __len__(self) -> int:
        return len(self._rules)

    def identify(self, certificate: x509.Certificate) -> Caller | None:
        oin, subject = oin_of(certificate), subject_text(certificate)
        for rule in self._rules:
            if rule.matches(oin, subject):
                return Caller(rule.name, rule.roles, "certificate")
        return None


def describe_certificate(certificate: x509.Certificate) -> str:
    """Subject and OIN of a client certificate, for a refusal (an organisation, not a person)."""
    oin = oin_of(certificate)
    return f"{subject_text(certificate)}" + (f" (OIN {oin})" if oin else "")


# -- which role each route needs -----------------------------------------------------------------
OPEN_PATHS = frozenset({"/health", "/ready", "/metrics", "/api/openapi.json"})

ROUTE_ROLES: Mapping[tuple[str, str], Role] = {
    ("POST", "/api/berichten"): Role.SUBMIT,
}
"""Exceptions to the default: GET/HEAD need ``read``, every other method ``operate``."""


def required_role(method: str, route: str) -> Role:
    """The role a request needs, by method and route pattern (e.g. ``/api/berichten/{referentienummer}``)."""
    role = ROUTE_ROLES.get((method, route))
    if role is not None:
        return role
    return Role.READ if method in ("GET", "HEAD") else Role.OPERATE
