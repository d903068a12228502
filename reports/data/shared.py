"""What every country report of a batch reads alike, read once per batch.

A batch of country reports (:func:`reports.services.reports_generate`) builds the same
country-independent things for each report: every economy's official values and peer groups
(the peer charts), the intervention catalogue, the size of the cohort run. Inside
:func:`batch_shared` each of them is computed the first time a report asks for it and handed
to the following reports as is. The batch enters it before it starts its worker processes and
builds one report there, so the forked workers inherit what it read.

Outside a batch (a single report, the dashboards) :func:`shared` simply computes.

The values are read-only for their users (dicts and model instances that the report sections
only read); keys name everything a value depends on. A batch runs in one thread of its process
(the task worker's, or the command's); workers are separate processes.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

__all__ = ["batch_shared", "shared"]

_Value = TypeVar("_Value")

#: The memo of the batch in progress in this process, None outside a batch.
_memo: dict[Hashable, Any] | None = None


@contextmanager
def batch_shared() -> Iterator[None]:
    """Within the block, :func:`shared` values are computed once and then reused."""
    global _memo  # noqa: PLW0603 (one batch memo per process, inherited by forked workers)
    previous, _memo = _memo, {}
    try:
        yield
    finally:
        _memo = previous


def shared(key: Hashable, compute: Callable[[], _Value]) -> _Value:
    """``compute()``, once per batch for ``key`` (every call outside a batch)."""
    if _memo is None:
        return compute()
    try:
        return _memo[key]
    except KeyError:
        value = _memo[key] = compute()
        return value
