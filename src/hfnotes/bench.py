"""Timing helpers for the cells and benchmarks that measure a speed-up.

Timings on a shared machine wobble, so :func:`compare` runs the two
variants alternately (A, B, A, B, …) and reports medians: a burst of
background load hits both variants rather than one.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass

from .errors import InputError

__all__ = ["Comparison", "compare", "throughput"]


@dataclass(frozen=True)
class Comparison:
    """Median seconds of a slow (baseline) and a fast variant, and their ratio."""

    baseline: str
    candidate: str
    baseline_seconds: float
    candidate_seconds: float
    repeats: int

    @property
    def ratio(self) -> float:
        """How many times faster the candidate is (baseline ÷ candidate)."""
        return self.baseline_seconds / self.candidate_seconds

    def __str__(self) -> str:
        verdict = f"{self.ratio:.1f}× faster" if self.ratio >= 1 else f"{1 / self.ratio:.1f}× slower"
        return (
            f"{self.baseline}: {self.baseline_seconds:.3f} s · {self.candidate}: {self.candidate_seconds:.3f} s "
            f"→ {self.candidate} is {verdict} (median of {self.repeats})"
        )


def compare(
    baseline: Callable[[], object],
    candidate: Callable[[], object],
    repeats: int = 3,
    names: tuple[str, str] = ("baseline", "candidate"),
    warmup: bool = True,
) -> Comparison:
    """Time two callables alternately and return their medians and ratio.

    Example:
        >>> result = compare(lambda: sum(range(20_000)), lambda: sum(range(2_000)), repeats=3)
        >>> result.ratio > 1
        True
    """
    if repeats < 1:
        raise InputError(f"repeats must be at least 1, got {repeats!r}.")
    if not (callable(baseline) and callable(candidate)):
        raise InputError("baseline and candidate must both be callables taking no arguments.")
    if warmup:
        baseline()
        candidate()
    times: tuple[list[float], list[float]] = ([], [])
    for _ in range(repeats):
        for fn, bucket in ((baseline, times[0]), (candidate, times[1])):
            start = time.perf_counter()
            fn()
            bucket.append(time.perf_counter() - start)
    return Comparison(names[0], names[1], statistics.median(times[0]), statistics.median(times[1]), repeats)


def throughput(items: int, seconds: float) -> float:
    """Items per second, refusing a zero or negative duration.

    Example:
        >>> throughput(100, 4.0)
        25.0
    """
    if seconds <= 0:
        raise InputError(f"seconds must be positive, got {seconds!r}.")
    return items / seconds
