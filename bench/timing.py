"""Interleaved timing: rounds of the figure and of its floor alternate, so machine noise hits both."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Timing:
    median_s: float  # per operation
    spread: float  # (max - min) / median over the rounds
    best_s: float = 0.0  # the fastest round (per operation): the least disturbed by other load

    @property
    def per_second(self) -> float:
        return 1.0 / self.median_s if self.median_s else float("inf")


def _calibrate(func: Callable[[], object], round_seconds: float) -> int:
    number = 1
    while True:
        start = time.perf_counter()
        for _ in range(number):
            func()
        elapsed = time.perf_counter() - start
        if elapsed >= round_seconds / 4 or number >= 1 << 20:
            return max(1, int(number * round_seconds / max(elapsed, 1e-9)))
        number *= 2


def interleaved(
    funcs: dict[str, Callable[[], object]], rounds: int = 7, round_seconds: float = 0.2
) -> dict[str, Timing]:
    counts = {name: _calibrate(func, round_seconds) for name, func in funcs.items()}
    samples: dict[str, list[float]] = {name: [] for name in funcs}
    for _ in range(rounds):
        for name, func in funcs.items():
            number = counts[name]
            start = time.perf_counter()
            for _ in range(number):
                func()
            samples[name].append((time.perf_counter() - start) / number)
    result = {}
    for name, values in samples.items():
        median = statistics.median(values)
        result[name] = Timing(median, (max(values) - min(values)) / median if median else 0.0, min(values))
    return result
