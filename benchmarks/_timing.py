"""Tiny timing helper shared by the benchmark scripts.

Usage::

    from _timing import time_callable

    timing = time_callable(lambda: work(data), repeat=50)
    print(timing.describe("vectorised"))

Benchmarks are plain scripts (``.venv/bin/python benchmarks/bench_x.py``), not timed tests:
a shared two-core machine makes wall-clock assertions flaky, so scripts print figures and
ratios measured in the same process instead.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

__all__ = ["Timing", "time_callable"]


@dataclass(frozen=True)
class Timing:
    """Wall-clock statistics of repeated calls, in seconds."""

    median: float
    p95: float
    minimum: float
    repeat: int
    #: Median CPU time of the calling thread: less sensitive than wall time to other processes
    #: competing for the cores (it still includes single-threaded work only).
    cpu_median: float = float("nan")

    @property
    def median_ms(self) -> float:
        return self.median * 1000.0

    @property
    def p95_ms(self) -> float:
        return self.p95 * 1000.0

    def describe(self, label: str) -> str:
        """One printable line, e.g. ``vectorised: median 3.10 ms, p95 3.40 ms (n=50)``."""
        return (
            f"{label}: median {self.median_ms:.3f} ms, p95 {self.p95_ms:.3f} ms, "
            f"min {self.minimum * 1000.0:.3f} ms, CPU median {self.cpu_median * 1000.0:.3f} ms "
            f"(n={self.repeat})"
        )


def time_callable(function: Callable[[], object], *, repeat: int = 30, warmup: int = 2) -> Timing:
    """Call ``function`` ``warmup + repeat`` times and return statistics of the last ``repeat``.

    Warm-up calls are discarded so that first-call costs (imports, caches, allocator growth)
    do not inflate the median.
    """
    if repeat < 1:
        raise ValueError(f"repeat must be at least 1, got {repeat}")
    if warmup < 0:
        raise ValueError(f"warmup must be non-negative, got {warmup}")
    for _ in range(warmup):
        function()
    durations = np.empty(repeat)
    cpu_durations = np.empty(repeat)
    for index in range(repeat):
        cpu_start = time.thread_time()
        start = time.perf_counter()
        function()
        durations[index] = time.perf_counter() - start
        cpu_durations[index] = time.thread_time() - cpu_start
    return Timing(
        median=float(np.median(durations)),
        p95=float(np.percentile(durations, 95)),
        minimum=float(durations.min()),
        repeat=repeat,
        cpu_median=float(np.median(cpu_durations)),
    )
