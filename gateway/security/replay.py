"""Replay detection: remembers (MessageID, signature) pairs until their timestamp window closes.

Why the signature value is part of the key: the MessageID of a VerstuurBericht is
``urn:uuid:<Referentienummer>`` (docs/decisions.md), stable across every retry, and the hub is
idempotent on it — so a *fresh* resend (new Timestamp, hence a new signature made with the
sender's key) is legitimate and is answered with the first receipt. A *replay* is a captured
envelope sent again: same MessageID, same signature. That is refused. An envelope older than the
window is refused by the timestamp check, so entries are kept only until then, which also bounds
memory.

An entry is a 16-byte BLAKE2b digest of the pair, not the pair itself: a SignatureValue is ~350
characters, and at a sustained rate the cache holds rate x window entries (200 msg/s x 600 s =
120,000), so the strings made the cache the largest user of memory in a long run (``python -m bench``
soak). 128 bits keep an accidental collision out of reach.
"""

from __future__ import annotations

import hashlib
import heapq
import threading
from datetime import datetime

from gateway.security.errors import SecurityError


class ReplayCache:
    def __init__(self, max_entries: int = 100_000) -> None:
        self._max = max_entries
        self._seen: dict[bytes, datetime] = {}
        self._expiry: list[tuple[datetime, bytes]] = []
        self._lock = threading.Lock()

    def check_and_remember(
        self, message_id: str, signature_value: str, until: datetime, now: datetime
    ) -> None:
        key = hashlib.blake2b(
            f"{message_id}\x00{signature_value}".encode("utf-8", "surrogatepass"), digest_size=16
        ).digest()
        with self._lock:
            self._purge(now)
            if key in self._seen:
                raise SecurityError(
                    "replay", f"MessageID {message_id} with this signature was already received (replay)"
                )
            if len(self._seen) >= self._max:
                raise SecurityError(
                    "replay-cache-full", "too many messages inside the freshness window; try again shortly"
                )
            self._seen[key] = until
            heapq.heappush(self._expiry, (until, key))

    def _purge(self, now: datetime) -> None:
        while self._expiry and self._expiry[0][0] < now:
            _, key = heapq.heappop(self._expiry)
            self._seen.pop(key, None)

    def __len__(self) -> int:
        return len(self._seen)
