"""Tiny timing helpers shared by the benchmark scripts.

Usage::

    from _timing import time_callable, time_interleaved

    timing = time_callable(lambda: work(data), repeat=50)
    print(timing.describe("vectorised"))
    timings = time_interleaved({"engine": (fast, 20), "loop": (slow, 1)}, rounds=10)

Benchmarks are plain scripts (``.venv/bin/python benchmarks/bench_x.py``), not timed tests:
a shared two-core machine makes wall-clock assertions flaky, so scripts print figures and
ratios measured in the same process instead. Two clocks are read for every call: wall time
and the CPU time of the whole process (every thread, BLAS workers included), which other
processes competing for the cores disturb much less. :func:`time_interleaved` alternates
the callables round by round, so that a change in the machine's load during the run
weighs on each of them alike and their ratio stays fair.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np

__all__ = ["Timing", "blas_description", "time_callable", "time_interleaved"]


@dataclass(frozen=True)
class Timing:
    """Wall-clock and CPU statistics of repeated calls, in seconds."""

    median: float
    p95: float
    minimum: float
    repeat: int
    #: Median CPU time of the process (all threads) per call.
    cpu_median: float = float("nan")

    @property
    def median_ms(self) -> float:
        return self.median * 1000.0

    @property
    def p95_ms(self) -> float:
        return self.p95 * 1000.0

    def describe(self, label: str) -> str:
        """One printable line, e.g. ``vectorised: median 3.10 ms, p95 3.40 ms, ...``."""
        return (
            f"{label}: median {self.median_ms:.3f} ms, p95 {self.p95_ms:.3f} ms, "
            f"min {self.minimum * 1000.0:.3f} ms, CPU median {self.cpu_median * 1000.0:.3f} ms "
            f"(n={self.repeat})"
        )

    @classmethod
    def from_samples(cls, wall: np.ndarray, cpu: np.ndarray) -> Timing:
        return cls(
            median=float(np.median(wall)),
            p95=float(np.percentile(wall, 95)),
            minimum=float(wall.min()),
            repeat=int(wall.size),
            cpu_median=float(np.median(cpu)),
        )


def _timed(function: Callable[[], object]) -> tuple[float, float]:
    cpu_start = time.process_time()
    start = time.perf_counter()
    function()
    return time.perf_counter() - start, time.process_time() - cpu_start


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
    samples = np.array([_timed(function) for _ in range(repeat)])
    return Timing.from_samples(samples[:, 0], samples[:, 1])


def time_interleaved(
    functions: Mapping[str, tuple[Callable[[], object], int]],
    *,
    rounds: int,
    warmup: int = 1,
    pause: float = 0.0,
) -> dict[str, Timing]:
    """Time several callables in alternation: each round calls each one ``calls`` times.

    ``functions`` maps a label to ``(function, calls per round)``. Returns per label the
    statistics of all its timed calls (``rounds x calls`` of them). ``pause`` seconds pass,
    untimed, before each callable's turn: OpenBLAS worker threads keep spinning for a while
    after a threaded product, and that CPU time would otherwise be charged to the next one.
    """
    if rounds < 1:
        raise ValueError(f"rounds must be at least 1, got {rounds}")
    for function, calls in functions.values():
        if calls < 1:
            raise ValueError(f"calls per round must be at least 1, got {calls}")
        for _ in range(warmup):
            function()
    samples: dict[str, list[tuple[float, float]]] = {label: [] for label in functions}
    for _ in range(rounds):
        for label, (function, calls) in functions.items():
            time.sleep(pause)
            samples[label].extend(_timed(function) for _ in range(calls))
    return {
        label: Timing.from_samples(np.array(values)[:, 0], np.array(values)[:, 1])
        for label, values in samples.items()
    }


def blas_description() -> str:
    """Which BLAS library and kernel numpy runs, with its threads and the OpenBLAS overrides.

    Uses threadpoolctl when it is installed; otherwise says so.
    """
    overrides = ", ".join(
        f"{name}={os.environ[name]}"
        for name in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE", "OPENBLAS_NUM_THREADS")
        if name in os.environ
    )
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        pools = "threadpoolctl not installed: kernel unknown"
    else:
        pools = "; ".join(
            f"{pool.get('internal_api')} {pool.get('version')} kernel "
            f"{pool.get('architecture')} threads {pool.get('num_threads')}"
            for pool in threadpool_info()
            if pool.get("user_api") == "blas"
        )
    return f"BLAS: {pools or 'none found'}; environment: {overrides or 'no OpenBLAS overrides'}"
