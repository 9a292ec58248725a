"""A failure that repeats is logged once, then summarised, then its end is logged.

The engine's loops retry what fails (claim, send, poll, deliver) every fraction of a second; while
the disk is full or the database is down, a traceback per retry buries everything else in the log.
:class:`FailureLog` logs the first failure of an episode (a store that cannot do it now as one
warning with its reason; anything else with its traceback, once), then one summary line per
``summary_seconds`` while it goes on, and one line when it works again.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from gateway.store.base import StoreUnavailable

SUMMARY_SECONDS = 60.0


class FailureLog:
    def __init__(
        self,
        logger: logging.Logger,
        what: str,
        *,
        summary_seconds: float = SUMMARY_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.log = logger
        self.what = what
        self.summary_seconds = summary_seconds
        self._clock = clock
        self.failures = 0  # in the current episode; 0: working
        self._since = 0.0
        self._summarised_at = 0.0
        self._since_summary = 0
        self._last = ""

    @property
    def failing(self) -> bool:
        return self.failures > 0

    def failed(self, exc: BaseException, then: str = "retrying") -> None:
        """Record a failure of ``what``; ``then`` says what happens next (for the first line)."""
        now = self._clock()
        self._last = _describe(exc)
        self.failures += 1
        if self.failures == 1:
            self._since = self._summarised_at = now
            self._since_summary = 0
            if isinstance(exc, StoreUnavailable):
                self.log.warning(
                    "%s failed: the store cannot do it now (%s); %s, repeats are summarised",
                    self.what,
                    exc.reason,
                    then,
                )
            else:
                self.log.error("%s failed; %s, repeats are summarised", self.what, then, exc_info=exc)
            return
        self._since_summary += 1
        if now - self._summarised_at >= self.summary_seconds:
            self.log.warning(
                "%s still failing: %d more time(s) in the last %.0fs, %d since %.0fs ago (last: %s)",
                self.what,
                self._since_summary,
                now - self._summarised_at,
                self.failures,
                now - self._since,
                self._last,
            )
            self._summarised_at = now
            self._since_summary = 0

    def ok(self) -> None:
        """``what`` worked: ends an episode (logged), costs nothing otherwise."""
        if self.failures:
            self.log.info(
                "%s works again after %d failure(s) over %.0fs (last: %s)",
                self.what,
                self.failures,
                self._clock() - self._since,
                self._last,
            )
            self.failures = 0


def _describe(exc: BaseException) -> str:
    if isinstance(exc, StoreUnavailable):
        return f"store unavailable: {exc.reason}"
    return f"{type(exc).__name__}: {exc}"
