"""Console sessions, CSRF tokens and the login limit.

A session is made at login with an API token of the config: it holds the caller (name and roles)
and its own CSRF token, and ends when unused for ``session_idle_minutes``, ``session_max_hours``
after its login, or at logout. Sessions live in the process (a restart, which is also how a token
or its roles change, logs everyone out). The cookie holds a random session id; only its SHA-256 is
kept, so the table of sessions cannot be used to take one over.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from collections import OrderedDict, deque
from collections.abc import Callable
from dataclasses import dataclass, field

from gateway.api.auth import Caller

MAX_SESSIONS = 1000  # the oldest session ends when more are made (a flood of logins cannot fill memory)
MAX_SEARCHES = 20  # remembered searches per session (opaque handles in the URL, values kept here)
MAX_ADDRESSES = 10_000


def _digest(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def same(given: str | None, expected: str) -> bool:
    """Constant-time comparison of a token from a request with the expected one."""
    return given is not None and hmac.compare_digest(given.encode(), expected.encode())


@dataclass
class Session:
    caller: Caller
    csrf: str
    started: float
    last_seen: float
    searches: OrderedDict[str, dict[str, str]] = field(default_factory=OrderedDict)

    def remember_search(self, values: dict[str, str]) -> str:
        """An opaque handle for search values that must not appear in a URL (KlantnummerSHV)."""
        for handle, known in self.searches.items():
            if known == values:
                self.searches.move_to_end(handle)
                return handle
        handle = secrets.token_urlsafe(9)
        self.searches[handle] = dict(values)
        while len(self.searches) > MAX_SEARCHES:
            self.searches.popitem(last=False)
        return handle

    def search(self, handle: str) -> dict[str, str] | None:
        return self.searches.get(handle)


class Sessions:
    def __init__(
        self, *, idle_seconds: float, max_seconds: float, now: Callable[[], float] = time.monotonic
    ) -> None:
        self.idle_seconds = idle_seconds
        self.max_seconds = max_seconds
        self._now = now
        self._by_digest: OrderedDict[str, Session] = OrderedDict()

    def __len__(self) -> int:
        return len(self._by_digest)

    def start(self, caller: Caller) -> tuple[str, Session]:
        """A new session for ``caller``: the cookie value (shown once) and the session."""
        self._expire()
        cookie = secrets.token_urlsafe(32)
        now = self._now()
        session = Session(caller, secrets.token_urlsafe(32), now, now)
        self._by_digest[_digest(cookie)] = session
        while len(self._by_digest) > MAX_SESSIONS:
            self._by_digest.popitem(last=False)
        return cookie, session

    def get(self, cookie: str | None, *, touch: bool = True) -> tuple[Session | None, str]:
        """The live session of this cookie and ``""``, or None and why not (``missing``, ``unknown``,
        ``idle``, ``expired``). A live session counts as used now, unless ``touch`` is False (a page
        refreshing itself is not a person using it)."""
        if not cookie:
            return None, "missing"
        key = _digest(cookie)
        session = self._by_digest.get(key)
        if session is None:
            return None, "unknown"
        now = self._now()
        if now - session.started > self.max_seconds:
            del self._by_digest[key]
            return None, "expired"
        if now - session.last_seen > self.idle_seconds:
            del self._by_digest[key]
            return None, "idle"
        if touch:
            session.last_seen = now
        return session, ""

    def end(self, cookie: str | None) -> bool:
        return bool(cookie) and self._by_digest.pop(_digest(cookie or ""), None) is not None

    def _expire(self) -> None:
        now = self._now()
        for key in [
            k
            for k, s in self._by_digest.items()
            if now - s.started > self.max_seconds or now - s.last_seen > self.idle_seconds
        ]:
            del self._by_digest[key]


class LoginLimiter:
    """At most ``attempts`` login attempts per address within ``window_seconds`` (sliding window)."""

    def __init__(
        self, *, attempts: int, window_seconds: float, now: Callable[[], float] = time.monotonic
    ) -> None:
        self.attempts = attempts
        self.window_seconds = window_seconds
        self._now = now
        self._seen: OrderedDict[str, deque[float]] = OrderedDict()

    def allow(self, address: str) -> tuple[bool, int]:
        """Count an attempt from ``address``; False (and the seconds to wait) when over the limit."""
        now = self._now()
        times = self._seen.pop(address, None) or deque()
        while times and now - times[0] >= self.window_seconds:
            times.popleft()
        self._seen[address] = times  # most recently used last
        while len(self._seen) > MAX_ADDRESSES:
            self._seen.popitem(last=False)
        if len(times) >= self.attempts:
            return False, max(1, int(self.window_seconds - (now - times[0])) + 1)
        times.append(now)
        return True, 0
