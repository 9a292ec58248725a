"""[console]: the operator console at /ui (sessions and the login limit)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class ConsoleSettings:
    enabled: bool = True
    session_idle_minutes: float = 30.0  # a session unused this long ends
    session_max_hours: float = 8.0  # and every session ends this long after its login
    login_attempts: int = 10  # login attempts per address within login_window_minutes
    login_window_minutes: float = 15.0
    refresh_seconds: int = 10  # how often the Overzicht refreshes its figures (with JavaScript)

    def __post_init__(self) -> None:
        if self.session_idle_minutes <= 0 or self.session_max_hours <= 0:
            raise ValueError("session_idle_minutes and session_max_hours must be above 0")
        if self.login_attempts < 1 or self.login_window_minutes <= 0:
            raise ValueError("login_attempts must be at least 1 and login_window_minutes above 0")
        if self.refresh_seconds < 2:
            raise ValueError("refresh_seconds must be at least 2")
