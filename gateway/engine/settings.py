"""Engine settings: frozen dataclasses with the defaults the daemon uses when the TOML is silent.

The keys mirror the ``[engine.*]`` sections of ``config.example.toml``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class DispatchSettings:
    batch_size: int = 50  # rows a process holds claimed, at least 2 x max_concurrent (run_once: per round)
    max_concurrent: int = 8  # sends in flight per process
    lease_seconds: float = 120.0  # must exceed one attempt including its in-attempt retries
    backoff_base_seconds: float = 30.0  # first retry waits up to this (full jitter)
    backoff_cap_seconds: float = 3600.0  # no retry waits longer than this
    total_deadline_seconds: float = 5 * 86400.0  # after this a message is dead-lettered with its reason
    in_attempt_retries: int = 2  # quick retries of connection-level blips within one attempt
    in_attempt_wait_seconds: float = 0.5  # first wait between those (doubles each time)
    max_claims: int = 5  # claims without a recorded result before a row counts as poison
    breaker_failure_threshold: int = 5  # consecutive retryable failures that open the circuit
    breaker_reset_seconds: float = 60.0  # open → half-open (one probe) after this
    idle_wait_seconds: float = 5.0  # longest the dispatcher sleeps when nothing is due


@dataclass(frozen=True, slots=True)
class PollSettings:
    interval_seconds: float = 300.0  # fetch every 5 minutes (and on demand)
    max_interval_seconds: float = 86400.0  # never less often than daily (5-werkdag hub retention)
    fetch_batch: int = 100  # max_messages per HaalBerichtenOp
    max_pages: int = 50  # pages fetched per cycle while the hub says there is more
    foutbericht_deadline_seconds: float = 5 * 86400.0


@dataclass(frozen=True, slots=True)
class SinkSettings:
    batch_size: int = 50
    lease_seconds: float = 120.0
    backoff_base_seconds: float = 10.0
    backoff_cap_seconds: float = 1800.0
    deadline_seconds: float = 7 * 86400.0  # then the delivery is dead (kept, resendable)


@dataclass(frozen=True, slots=True)
class RetentionSettings:
    #: days to keep raw payloads of delivered messages, per Berichttype; absent → ``default_days``
    days: Mapping[str, int] = field(default_factory=dict)
    default_days: int | None = None  # None: keep raw payloads forever


@dataclass(frozen=True, slots=True)
class FetchGuardSettings:
    max_age_seconds: float = 36 * 3600.0  # alert when the last successful fetch is older


@dataclass(frozen=True, slots=True)
class ConversationSettings:
    #: migration: an answer to a conversation this gateway does not know (its previous system asked)
    #: is delivered with a finding and the conversation taken on, instead of quarantined
    deliver_unknown_answers: bool = False


@dataclass(frozen=True, slots=True)
class EngineSettings:
    #: this process's name among the processes on one store (lease owners are "<node>:<pid>:<random>");
    #: None: the host name. Stable across restarts, so a restarted node takes over what it had claimed.
    node: str | None = None
    dispatch: DispatchSettings = field(default_factory=DispatchSettings)
    poll: PollSettings = field(default_factory=PollSettings)
    sink: SinkSettings = field(default_factory=SinkSettings)
    retention: RetentionSettings = field(default_factory=RetentionSettings)
    fetch_guard: FetchGuardSettings = field(default_factory=FetchGuardSettings)
    conversations: ConversationSettings = field(default_factory=ConversationSettings)

    def __post_init__(self) -> None:
        if self.node is not None and (not self.node or ":" in self.node or len(self.node) > 100):
            raise ValueError(f"node: a name of 1 to 100 characters without ':', found {self.node!r}")
