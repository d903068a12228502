"""Array kernels of the Monte Carlo uncertainty analysis (private to :mod:`.uncertainty`).

Two parts, both exact (no approximation, float64 throughout):

* **Evaluation in sorted blocks.** Samples are ordered by everything except their weights:
  the data variant and the aggregation method chosen at every step. Samples sharing that
  key form a *run*; within a run only the weights differ, so the first aggregation step
  (the wide one, units x items) is one batched matrix product, ``(parents, [scores;
  presence], children) @ (parents, children, samples)``; when at most half the (parent,
  unit) rows miss children, the presence rows are dropped, the weights normalised per
  parent and only the rows missing children divided again (:func:`_first_step_normalised`).
  An upper step sums each parent's consecutive children (an intermediate first level is
  kept grouped by parent for this) in one ``einsum`` pass with per-sample weights, or one
  sparse membership product with nominal ones. Level arrays are laid out
  ``(nodes, units, samples)``, so a node is one contiguous slab and every per-sample weight
  broadcasts along the last axis. Whatever is known per data variant (which nodes are
  missing, which are 0 because a geometric-type node has a zero child) is found once, as
  small (nodes, units) tables and index arrays, when every weight is positive, instead of
  being searched for in the blocks; zero scores never reach ``log`` or ``exp`` (numpy's
  ``log 0`` and ``exp(-inf)`` are several times slower than finite values), and a geometric
  level over a geometric level stays in logarithms.
* **Summaries without per-row Python loops.** Quantiles of every score are taken with one
  ``np.partition`` over the (rows, samples) array with the interpolation of
  ``np.nanquantile(method="linear")`` reproduced exactly; quantiles of ranks (integers
  1..units) come from per-unit rank counts; P(i above j) is accumulated in uint8 blocks.

The order of samples never changes a summary (quantiles, rank counts and pairwise counts
are all symmetric in the samples), so summaries are computed on the sorted layout directly.

Threads: runs, and the summaries cut into chunks, are spread over at most two worker threads
(numpy releases the GIL in its loops and in BLAS), while BLAS itself is held to one thread
during the evaluation when threadpoolctl is installed. Hundreds of small products each
waking a BLAS worker thread are what a busy machine handles worst: a worker that cannot be
scheduled leaves the caller spinning, which multiplied the evaluation time by up to ten on
the shared two-core machine. Without threadpoolctl the products run as BLAS decides.
"""

from __future__ import annotations

import contextlib
import functools
import itertools
import os
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Executor, Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, TypeVar

import numpy as np
from scipy import sparse

from scoring.engine.hierarchy import LevelStructure

#: Largest intermediate level array evaluated at once (nodes x 2 units x samples x 8 bytes);
#: 8 MiB kept both benchmark cases fastest (a block stays in the shared L3 cache).
BLOCK_BYTES = 8 * 2**20
#: Largest share of (parent, unit) rows of the first level missing some of their children for
#: which the first step multiplies by normalised weights and corrects those rows afterwards,
#: rather than multiplying the presence too (about where the two cost the same).
NORMALISED_MAX_PARTIAL = 0.5
#: Worker threads for runs and summaries: the cores there are, but no more than two.
WORKERS = max(1, min(2, os.cpu_count() or 1))

_Item = TypeVar("_Item")
_Result = TypeVar("_Result")


def distinct_exponents(exponents: np.ndarray) -> np.ndarray:
    """``np.unique(exponents)``, at the cost of one comparison when all are equal (usual)."""
    if exponents.size and bool((exponents == exponents[0]).all()):
        return exponents[:1]
    return np.unique(exponents)


def parallel_map(
    function: Callable[[_Item], _Result], items: Sequence[_Item], *, workers: int = WORKERS
) -> list[_Result]:
    """``[function(item) for item in items]``, on up to ``workers`` threads."""
    if workers < 2 or len(items) < 2:
        return [function(item) for item in items]
    with ThreadPoolExecutor(max_workers=min(workers, len(items))) as pool:
        return list(pool.map(function, items))


class _InlineExecutor(Executor):
    """Runs every submitted call at once, in the caller's thread (a one-worker pool)."""

    def submit(self, fn: Callable[..., _Result], /, *args: Any, **kwargs: Any) -> Future[_Result]:
        future: Future[_Result] = Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except BaseException as error:  # noqa: BLE001 - handed to the caller via the future
            future.set_exception(error)
        return future


@contextlib.contextmanager
def worker_pool(workers: int = WORKERS) -> Iterator[Executor]:
    """An executor of ``workers`` threads, or one running calls inline when there is one."""
    if workers < 2:
        yield _InlineExecutor()
        return
    with ThreadPoolExecutor(max_workers=workers) as pool:
        yield pool


@functools.cache
def _thread_pools() -> Any:
    """threadpoolctl's controller of the loaded native thread pools, or None without it.

    Built once: finding the libraries reads the file system, tens of milliseconds a time.
    """
    try:
        from threadpoolctl import ThreadpoolController
    except ImportError:
        return None
    return ThreadpoolController()


@contextlib.contextmanager
def single_threaded_blas() -> Iterator[None]:
    """Hold BLAS to one thread inside the block (a no-op without threadpoolctl)."""
    controller = _thread_pools()
    if controller is None:
        yield
        return
    with controller.limit(limits=1, user_api="blas"):
        yield


@dataclass(frozen=True, eq=False)
class StepPlan:
    """One upper aggregation step: which parent every child adds into.

    Sums over children are one product of the sparse (parents, children) membership matrix
    with the children's (units x samples) rows: scipy's kernel adds each child's row into
    its parent's in one pass, in child order (as a loop would), about three times faster
    than a Python loop of ``out[parent] += child * weight`` over (units, samples) slabs.
    Nominal weights are folded into the matrix; per-sample weights are multiplied in first,
    unless each parent's children are consecutive (``child_ranges``): then one ``einsum``
    per parent multiplies and adds in a single pass.
    """

    structure: LevelStructure
    parents: tuple[int, ...]  # parent of every child
    positive_weight: np.ndarray  # (children,) nominal weight > 0
    membership: sparse.csr_array  # (parents, children) 1 where the child belongs
    nominal_membership: sparse.csr_array  # (parents, children) the nominal child weights
    #: Per parent, the (start, stop) of its children when every parent's children are
    #: consecutive (then per-sample weighted sums are one einsum per parent), else None.
    child_ranges: tuple[tuple[int, int], ...] | None = None

    @classmethod
    def from_structure(cls, structure: LevelStructure) -> StepPlan:
        children = np.arange(structure.parent_index.size)
        shape = (structure.n_parents, children.size)

        def matrix(values: np.ndarray) -> sparse.csr_array:
            return sparse.csr_array((values, (structure.parent_index, children)), shape=shape)

        parent_index = structure.parent_index
        ranges = None
        if parent_index.size == 0 or bool((np.diff(parent_index) >= 0).all()):
            bounds = np.searchsorted(parent_index, np.arange(structure.n_parents + 1))
            ranges = tuple((int(a), int(b)) for a, b in itertools.pairwise(bounds))
        return cls(
            structure=structure,
            child_ranges=ranges,
            parents=tuple(int(parent) for parent in structure.parent_index),
            positive_weight=structure.child_weights > 0,
            membership=matrix(np.ones(children.size)),
            nominal_membership=matrix(structure.child_weights.astype(np.float64)),
        )

    def weighted_sum(self, array: np.ndarray, weight: np.ndarray) -> np.ndarray:
        """Σ over each parent's children of ``array[c] * weight[c]``: (parents, ...)."""
        shape = np.broadcast_shapes(array.shape[1:], weight.shape[1:])
        children = array.shape[0]
        if (
            self.child_ranges is not None
            and array.ndim == 3
            and weight.ndim == 3
            and weight.shape[1] == 1
            and weight.shape[2] > 1
            and array.shape[2] in (1, weight.shape[2])
        ):
            return self._per_sample_weighted_sum(array, weight[:, 0, :])
        if array.shape[1:] == shape and weight.size == children:
            values = weight.reshape(children)
            if np.array_equal(values, self.structure.child_weights):
                matrix = self.nominal_membership
            else:
                matrix = self.membership @ sparse.diags_array(values)
            terms = array
        else:
            matrix = self.membership
            terms = np.multiply(array, weight)
        flat = matrix @ terms.reshape(children, -1)
        return np.asarray(flat).reshape(self.structure.n_parents, *shape)

    def _per_sample_weighted_sum(self, array: np.ndarray, weight: np.ndarray) -> np.ndarray:
        """(children, units, k or 1) terms, (children, k) weights: one pass per parent.

        ``einsum`` multiplies and adds in a single loop, about twice as fast as a product
        written out and then summed. Terms shared by every sample (a presence mask of shape
        (children, units, 1)) make a small (units, children) x (children, k) product instead.
        """
        assert self.child_ranges is not None  # noqa: S101 - checked by the caller  # nosec B101
        units, k = array.shape[1], weight.shape[1]
        result = np.empty((self.structure.n_parents, units, k))
        for parent, (start, stop) in enumerate(self.child_ranges):
            if array.shape[2] == 1:
                np.matmul(array[start:stop, :, 0].T, weight[start:stop], out=result[parent])
            else:
                np.einsum("cus,cs->us", array[start:stop], weight[start:stop], out=result[parent])
        return result

    def all_positive(self, weight: np.ndarray) -> bool:
        """Whether every child's nominal and per-sample ``weight`` (children, ...) is > 0."""
        return bool(self.positive_weight.all()) and bool(weight.min() > 0)

    def any_children(self, mask: np.ndarray) -> np.ndarray:
        """Logical or of a boolean ``mask`` (children, ...) over each parent's children."""
        result = np.zeros((self.structure.n_parents, *mask.shape[1:]), dtype=bool)
        for child, parent in enumerate(self.parents):
            result[parent] |= mask[child]
        return result


@dataclass(frozen=True, eq=False)
class FirstStepTables:
    """Per data variant, what the first step needs, padded to (parents, 2 units, width).

    ``stacked[exponent]`` holds the transformed scores (rows ``:units``) and the presence
    (rows ``units:``) of the children of every parent, zero in the padding, so one product
    with the padded weights gives numerators and denominators together.

    With ``positive_weights`` (every item weight, nominal and perturbed, is positive and no
    score is negative) a parent without a present child comes out as 0 / 0 = NaN with no
    test, and a geometric-type parent with a zero child is 0 in every sample, which the next
    step uses. (Zero scores are not stored as ``log 0 = -inf``: ``exp(-inf)`` takes numpy's
    slow path, five times slower than ``exp`` and a mask.)
    """

    stacked: dict[float, np.ndarray]
    #: (parents, units) a present child scores 0 with positive weight: geometric-type means are 0.
    zero_child: np.ndarray
    #: (parents, units) no child is present: the parent is NaN.
    empty: np.ndarray
    positive_weights: bool = False
    #: ``np.nonzero(zero_child)``, found once.
    zero_rows: tuple[np.ndarray, ...] = ()
    #: When at most :data:`NORMALISED_MAX_PARTIAL` of the (parent, unit) rows miss some but
    #: not all children: those rows (``np.nonzero``), and the empty rows. The first step then
    #: multiplies by weights normalised per parent and only divides these rows again (see
    #: :func:`first_step`). None otherwise.
    partial_rows: tuple[np.ndarray, ...] | None = None
    empty_rows: tuple[np.ndarray, ...] = ()
    #: The distinct (parent, presence of its children) patterns of the partial rows, as the
    #: parent and the (patterns, width) presence, and the pattern of every partial row: the
    #: present share of the weights is found per pattern, not per row.
    pattern_parents: np.ndarray | None = None
    pattern_presence: np.ndarray | None = None
    row_pattern: np.ndarray | None = None


def first_step_tables(
    scores: np.ndarray,
    padded_items: np.ndarray,
    padded_valid: np.ndarray,
    positive_weight: np.ndarray,
    exponents: Sequence[float],
    *,
    positive_weights: bool = False,
) -> FirstStepTables:
    """Tables of one data variant's item scores (units, items) for the given exponents.

    ``positive_weights`` says that every weight the tables will meet is positive.
    """
    present = ~np.isnan(scores)
    positive = present & (scores > 0)
    positive_weights = positive_weights and not bool((present & (scores < 0)).any())
    valid = padded_valid[:, None, :]
    presence = np.where(valid, present[:, padded_items].transpose(1, 0, 2), 0.0)
    stacked: dict[float, np.ndarray] = {}
    for exponent in sorted(set(exponents)):
        if exponent == 1.0:
            transformed = np.where(present, scores, 0.0)
        elif exponent == 0.0:
            transformed = np.log(np.where(positive, scores, 1.0))
        else:
            transformed = np.where(positive, np.where(positive, scores, 1.0) ** exponent, 0.0)
        values = np.where(valid, transformed[:, padded_items].transpose(1, 0, 2), 0.0)
        stacked[exponent] = np.ascontiguousarray(np.concatenate([values, presence], axis=1))
    zero_child = present & ~positive & positive_weight
    zero = (zero_child[:, padded_items] & padded_valid).any(axis=-1).T
    present_children = presence.sum(axis=-1)  # (parents, units)
    empty = present_children == 0
    partial = ~empty & (present_children < padded_valid.sum(axis=-1)[:, None])
    partial_rows = pattern_parents = pattern_presence = row_pattern = None
    if partial.size and partial.mean() <= NORMALISED_MAX_PARTIAL:
        partial_rows = np.nonzero(partial)
        keys = np.column_stack([partial_rows[0], presence[partial_rows]])
        patterns, row_pattern = np.unique(keys, axis=0, return_inverse=True)
        pattern_parents = patterns[:, 0].astype(np.intp)
        pattern_presence = np.ascontiguousarray(patterns[:, 1:])
        row_pattern = row_pattern.ravel()
    return FirstStepTables(
        stacked=stacked,
        zero_child=np.ascontiguousarray(zero),
        zero_rows=np.nonzero(zero),
        empty=np.ascontiguousarray(empty),
        positive_weights=positive_weights,
        partial_rows=partial_rows,
        empty_rows=np.nonzero(empty),
        pattern_parents=pattern_parents,
        pattern_presence=pattern_presence,
        row_pattern=row_pattern,
    )


def padded_weights(
    weights: np.ndarray, padded_items: np.ndarray, padded_valid: np.ndarray
) -> np.ndarray:
    """(samples, items) weights as (parents, width, samples), zero in the padding."""
    gathered = weights[:, padded_items]  # (samples, parents, width)
    return np.ascontiguousarray(np.where(padded_valid, gathered, 0.0).transpose(1, 2, 0))


def _children_product(table: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """(parents, rows, width) x (parents, width, samples) -> (parents, rows, samples).

    One BLAS product per parent, even for 3-wide parents: single-threaded, that beats
    element-wise multiply-adds by about five times.
    """
    return np.matmul(table, weights)


def first_step(
    tables: FirstStepTables,
    weights: np.ndarray,
    exponents: np.ndarray,
    units: int,
    *,
    log_space: bool = False,
) -> tuple[np.ndarray, np.ndarray | None]:
    """Items -> first level for one run: ``(level, zero)``, level (parents, units, samples).

    ``weights`` is (parents, width, samples) from :func:`padded_weights`; ``exponents`` is
    the (parents,) generalised-mean exponent every sample of the run uses. ``zero``
    (parents, units), when not None, marks nodes that are exactly 0 in every sample (a
    geometric-type node with a zero child, under positive weights); :func:`upper_step`
    uses it to take logarithms without meeting a zero. ``log_space`` (geometric parents
    under positive weights only) returns the logarithms of the means, with 0 in the rows
    that ``zero`` marks, for a geometric next step: no ``exp`` here and no ``log`` there.
    """
    if tables.positive_weights and tables.partial_rows is not None:
        return _first_step_normalised(tables, weights, exponents, units, log_space=log_space)
    parents, samples = exponents.size, weights.shape[-1]
    distinct = distinct_exponents(exponents)
    result = np.empty((parents, units, samples)) if distinct.size > 1 else None
    zero = np.zeros((parents, units), dtype=bool) if tables.positive_weights else None
    for exponent in distinct:
        selected: slice | np.ndarray = (
            slice(None) if distinct.size == 1 else np.flatnonzero(exponents == exponent)
        )
        product = _children_product(tables.stacked[float(exponent)][selected], weights[selected])
        denominator = product[:, units:]
        # Divided into a new array: one pass either way, and the level comes out contiguous.
        mean = np.empty(denominator.shape)
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            np.divide(product[:, :units], denominator, out=mean)
            if exponent == 0.0 and not log_space:
                np.exp(mean, out=mean)
            elif exponent not in (0.0, 1.0):
                np.power(mean, 1.0 / exponent, out=mean)
        if exponent <= 0.0:
            zero_child = tables.zero_child[selected]
            rows = tables.zero_rows if distinct.size == 1 else np.nonzero(zero_child)
            if rows[0].size:
                # Whole (parent, unit) rows: a fancy assignment writes only those. (In log
                # space: log 1, a placeholder the next step replaces by 0 for the parent.)
                mean[rows] = 0.0
                if zero is not None:
                    zero[selected] = zero_child
        # With positive weights an empty parent is 0 / 0 = NaN already; otherwise one
        # reduction (presence times weights is never NaN) finds any.
        if not tables.positive_weights and denominator.size and denominator.min() <= 0:
            np.copyto(mean, np.nan, where=denominator <= 0)
        if result is None:
            return mean, zero
        result[selected] = mean
    assert result is not None  # noqa: S101 - at least one exponent per parent  # nosec B101
    return result, zero


def _first_step_normalised(
    tables: FirstStepTables,
    weights: np.ndarray,
    exponents: np.ndarray,
    units: int,
    *,
    log_space: bool,
) -> tuple[np.ndarray, np.ndarray]:
    """:func:`first_step` when few rows miss children and every weight is positive.

    With the weights divided by their total per parent and sample, a parent whose children
    are all present needs no division: the product is its mean (for a geometric-type mean,
    the mean of the transformed scores, before ``exp`` or the power). Only the partial rows
    are divided again, by the normalised weight of their present children, and empty rows
    set to NaN. Half the product of :func:`first_step` (no presence rows), and no full pass
    of division.
    """
    parents, samples = exponents.size, weights.shape[-1]
    assert (  # noqa: S101  # nosec B101: type narrowing, the caller chose this path for them
        tables.partial_rows is not None
        and tables.row_pattern is not None
        and tables.pattern_presence is not None
    )
    normalised = weights / weights.sum(axis=1, keepdims=True)
    partial_parents, partial_units = tables.partial_rows
    # (partial rows, samples): the share of each partial row's weight that is present, found
    # per presence pattern (far fewer than rows when parents are narrow).
    pattern_share = np.einsum(
        "cj,cjs->cs", tables.pattern_presence, normalised[tables.pattern_parents], optimize=False
    )
    present_share = pattern_share[tables.row_pattern]
    distinct = distinct_exponents(exponents)
    result = np.empty((parents, units, samples)) if distinct.size > 1 else None
    zero = np.zeros((parents, units), dtype=bool)
    for exponent in distinct:
        if distinct.size == 1:
            selected: slice | np.ndarray = slice(None)
            partial, share = tables.partial_rows, present_share
            empty_rows, zero_rows = tables.empty_rows, tables.zero_rows
        else:
            selected = np.flatnonzero(exponents == exponent)
            position = np.full(parents, -1)
            position[selected] = np.arange(selected.size)
            keep = position[partial_parents] >= 0
            partial = (position[partial_parents[keep]], partial_units[keep])
            share = present_share[keep]
            empty_rows = np.nonzero(tables.empty[selected])
            zero_rows = np.nonzero(tables.zero_child[selected])
        mean = _children_product(
            tables.stacked[float(exponent)][selected, :units], normalised[selected]
        )
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            if partial[0].size:
                mean[partial] /= share
            if exponent == 0.0 and not log_space:
                np.exp(mean, out=mean)
            elif exponent not in (0.0, 1.0):
                np.power(mean, 1.0 / exponent, out=mean)
        if empty_rows[0].size:
            mean[empty_rows] = np.nan
        if exponent <= 0.0 and zero_rows[0].size:
            # As in first_step: whole rows, 0 (in log space: log 1, a placeholder).
            mean[zero_rows] = 0.0
            zero[selected] = tables.zero_child[selected]
        if result is None:
            return mean, zero
        result[selected] = mean
    assert result is not None  # noqa: S101 - at least one exponent per parent  # nosec B101
    return result, zero


@dataclass(frozen=True, eq=False)
class KnownChildren:
    """What a data variant fixes about the first level, for the step above it.

    Known once per variant (and first-level methods) when every weight is positive, instead
    of being searched for in every block: the children exactly 0 in every sample (a
    geometric-type node with a zero child) and their parents, and the children missing
    (NaN) in every sample, all others being present and non-negative. ``filled`` says that
    the caller wrote the step's neutral value into the missing rows (0 for an arithmetic
    mean or a mean of logarithms, 1 before a logarithm), so that they need no mask.
    """

    zero_rows: tuple[np.ndarray, ...]
    zero_parents: tuple[np.ndarray, ...]
    missing_rows: tuple[np.ndarray, ...]
    #: (children, units, 1) 1.0 where present, or None when no child is missing.
    present: np.ndarray | None
    missing: np.ndarray
    filled: bool = False

    @classmethod
    def build(
        cls, plan: StepPlan, zero: np.ndarray, missing: np.ndarray, *, filled: bool = False
    ) -> KnownChildren:
        """From (children, units) masks of the children always 0 and always missing."""
        return cls(
            zero_rows=np.nonzero(zero),
            zero_parents=np.nonzero(plan.any_children(zero)) if zero.any() else np.nonzero(zero),
            missing_rows=np.nonzero(missing),
            present=(~missing)[:, :, None].astype(np.float64) if missing.any() else None,
            missing=missing,
            filled=filled,
        )


def upper_step(
    plan: StepPlan,
    children: np.ndarray,
    weights: np.ndarray,
    exponents: np.ndarray,
    *,
    known: KnownChildren | None = None,
    children_logs: bool = False,
) -> np.ndarray:
    """One upper aggregation step for a run: (children, units, k) -> (parents, units, k).

    ``weights`` is (children, k) per sample or (children,) nominal; ``exponents`` (parents,)
    is shared by the run. Same rules as :func:`scoring.engine.aggregation.aggregate_present`:
    weights renormalise over present children, a present zero with positive weight makes a
    geometric-type mean 0, and a parent with no present weight is NaN. Masks that are empty
    (nothing missing, no zero score) cost one test instead of a pass over the block.
    ``known`` (first level, positive weights) says which children are 0 or missing in every
    sample (see :class:`KnownChildren`): the zeros' logarithms are skipped (numpy's ``log 0``
    and ``exp(-inf)`` are several times slower than finite values) and their parents set
    to 0, and the block is searched for neither.
    ``children_logs``: ``children`` holds the logarithms of the children's scores, from
    :func:`first_step` with ``log_space`` (every parent geometric, every weight positive).
    """
    values = children
    weight = weights[:, None, :] if weights.ndim == 2 else weights[:, None, None]
    absent: np.ndarray | None = None
    denominator: np.ndarray | None = None
    if known is not None:
        smallest = 0.0
        if known.present is not None:
            denominator = plan.weighted_sum(known.present, weight)
            if not known.filled:
                # A view instead of a mask.
                absent = np.broadcast_to(known.missing[:, :, None], values.shape)
    else:
        # One reduction, no temporary: NaN propagates through min, so it tells both whether a
        # child is missing and, if none is, whether every child is positive.
        with np.errstate(invalid="ignore"):
            smallest = float(values.min()) if values.size else 1.0
        if np.isnan(smallest):
            absent = np.isnan(values)
            denominator = plan.weighted_sum(~absent, weight)
            # The smallest present value: a missing child is left out of every mean.
            smallest = float(np.fmin.reduce(values, axis=None))
    if denominator is None:
        # Nothing missing at this level: the denominators are the weight totals per parent,
        # a (parents, children) x (children, k) product.
        totals = plan.structure.onehot.T @ weight.reshape(weight.shape[0], -1)
        denominator = totals.reshape(totals.shape[0], 1, -1)
    empty = denominator <= 0
    any_empty = bool(empty.any())
    distinct = distinct_exponents(exponents)
    result = None
    for exponent in distinct:
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            if exponent == 1.0:
                transformed = values if absent is None else np.where(absent, 0.0, values)
                mean = plan.weighted_sum(transformed, weight)
                mean /= denominator
            elif children_logs or (exponent == 0.0 and smallest >= 0 and plan.all_positive(weight)):
                # log 0 = -inf: with every weight positive, a present zero makes the weighted
                # sum -inf and its exp exactly 0, the geometric rule, without any mask.
                # Children known to be 0 take log 1 instead and their parents are set to 0.
                zero_rows = None if known is None or not known.zero_rows[0].size else known
                if children_logs:
                    logs = values  # a temporary of the caller's, zero rows already log 1
                elif zero_rows is not None:
                    logs = values.copy()
                    logs[zero_rows.zero_rows] = 1.0
                    np.log(logs, out=logs)
                else:
                    logs = np.log(values)
                if absent is not None:
                    np.copyto(logs, 0.0, where=absent)
                mean = plan.weighted_sum(logs, weight)
                mean /= denominator
                np.exp(mean, out=mean)
                if zero_rows is not None:
                    mean[zero_rows.zero_parents] = 0.0
            else:
                positive = values > 0
                all_positive = bool(positive.all())
                safe = values if all_positive else np.where(positive, values, 1.0)
                if exponent == 0.0:
                    mean = plan.weighted_sum(np.log(safe), weight)
                    mean /= denominator
                    np.exp(mean, out=mean)
                else:
                    powered = safe**exponent
                    if not all_positive:
                        powered[~positive] = 0.0
                    mean = plan.weighted_sum(powered, weight)
                    mean /= denominator
                    np.power(mean, 1.0 / exponent, out=mean)
                if not all_positive:
                    zero = (values == 0) & plan.positive_weight[:, None, None]
                    if zero.any():
                        mean = np.where(plan.any_children(zero), 0.0, mean)
        if any_empty:
            mean = np.where(empty, np.nan, mean)
        if distinct.size == 1:
            return mean
        if result is None:
            result = np.empty(mean.shape)
        columns = exponents == exponent
        result[columns] = mean[columns]
    assert result is not None  # noqa: S101 - at least one exponent per parent  # nosec B101
    return result


# --- Summaries ---------------------------------------------------------------------------


def _lerp(below: np.ndarray, above: np.ndarray, gamma: np.ndarray) -> np.ndarray:
    """``numpy``'s own linear interpolation between order statistics, for identical results."""
    difference = above - below
    result = below + difference * gamma
    np.subtract(above, difference * (1 - gamma), out=result, where=gamma >= 0.5)
    return result


def _positions(counts: np.ndarray, quantiles: np.ndarray) -> tuple[np.ndarray, ...]:
    """Order-statistic positions and weights of ``np.quantile(method="linear")``.

    ``counts`` (rows,) values per row; returns (quantiles, rows) arrays ``below``, ``above``
    (clipped to the row's values) and ``gamma``.
    """
    virtual = (counts[None, :] - 1) * quantiles[:, None]
    below = np.floor(virtual)
    gamma = virtual - below
    last = np.maximum(counts - 1, 0)[None, :]
    below_index = np.clip(below, 0, last).astype(np.intp)
    above_index = np.clip(below + 1, 0, last).astype(np.intp)
    return below_index, above_index, gamma


def row_quantiles(
    values: np.ndarray, quantiles: Sequence[float], *, overwrite: bool = False
) -> np.ndarray:
    """``np.nanquantile(values, quantiles, axis=-1)`` for a (rows, samples) array, exactly.

    NaN values are left out per row; a row of NaN gives NaN. One ``np.partition`` puts the
    few order statistics the quantiles need in place; rows with a NaN are then sorted to
    find their own positions. Non-negative float64 values are in the same order as their
    bit patterns read as int64 (IEEE 754), which numpy partitions about a third faster:
    scores (0-100) are partitioned that way, any negative value keeps the float order.
    ``overwrite=True`` partitions ``values`` itself (its rows are reordered) instead of a
    copy.
    """
    q = np.asarray(quantiles, dtype=np.float64)
    rows, samples = values.shape
    if rows == 0:
        return np.empty((q.size, 0))
    below, above, gamma = _positions(np.full(rows, samples), q)
    kth = np.unique(np.concatenate([below[:, 0], above[:, 0]]))
    with_nan = np.flatnonzero(np.isnan(values).any(axis=1))
    partitioned = values if overwrite else values.copy()
    # fmin skips NaN; -0.0 >= 0 (its int64 pattern is the smallest, as it should sort).
    if samples and float(np.fmin.reduce(partitioned, axis=None)) >= 0.0:
        partitioned.view(np.int64).partition(kth, axis=-1)
    else:
        partitioned.partition(kth, axis=-1)
    result = _lerp(partitioned[:, below[:, 0]].T, partitioned[:, above[:, 0]].T, gamma)
    if with_nan.size:
        ordered = np.sort(partitioned[with_nan], axis=-1)
        counts = np.count_nonzero(~np.isnan(ordered), axis=1)
        below, above, gamma = _positions(counts, q)
        lower = np.take_along_axis(ordered, below.T, axis=1).T
        upper = np.take_along_axis(ordered, above.T, axis=1).T
        result[:, with_nan] = np.where(counts > 0, _lerp(lower, upper, gamma), np.nan)
    return result


def rank_quantiles(ranks: np.ndarray, quantiles: Sequence[float]) -> np.ndarray:
    """``np.nanquantile(ranks, quantiles, axis=0)`` for (samples, units) ranks 1..units.

    Ranks are small integers, so each unit's sorted ranks are known from its rank counts:
    the value at sorted position k is the smallest rank whose cumulative count exceeds k.
    """
    q = np.asarray(quantiles, dtype=np.float64)
    samples, units = ranks.shape
    codes = np.where(np.isnan(ranks), 0, ranks).astype(np.intp)
    flat = codes + (units + 1) * np.arange(units)[None, :]
    counts = np.bincount(flat.ravel(), minlength=units * (units + 1)).reshape(units, units + 1)
    cumulative = np.cumsum(counts[:, 1:], axis=1)  # (units, ranks)
    ranked = cumulative[:, -1]
    below, above, gamma = _positions(ranked, q)

    def rank_at(position: np.ndarray) -> np.ndarray:
        # (quantiles, units) -> rank value at that sorted position.
        return (cumulative[None, :, :] <= position[:, :, None]).sum(axis=-1) + 1.0

    result = _lerp(rank_at(below), rank_at(above), gamma)
    return np.where(ranked[None, :] > 0, result, np.nan)


def pairwise_above_counts(ranks: np.ndarray) -> np.ndarray:
    """How many samples rank unit i strictly better than unit j: (units, units) integers.

    ``ranks`` is (samples, units); unranked units (NaN) sort below everyone and are never
    above anyone. Divided by the number of samples this is P(i above j).
    """
    samples, units = ranks.shape
    dtype = np.uint8 if units + 1 <= np.iinfo(np.uint8).max else np.uint16
    codes = np.where(np.isnan(ranks), units + 1, ranks).astype(dtype)
    counts = np.zeros((units, units), dtype=np.int64)
    # uint8 sums over at most 255 samples cannot overflow and keep the reduction vectorised;
    # comparisons go through a reused buffer of 64 samples, small enough to stay in cache.
    block_size, tally_size = 64, 255 - 255 % 64
    tally = np.zeros((units, units), dtype=np.uint8)
    above = np.empty((block_size, units, units), dtype=bool)
    for start in range(0, samples, block_size):
        block = codes[start : start + block_size]
        comparison = above[: block.shape[0]]
        np.less(block[:, :, None], block[:, None, :], out=comparison)
        tally += comparison.view(np.uint8).sum(axis=0, dtype=np.uint8)
        if (start + block_size) % tally_size == 0:
            counts += tally
            tally[:] = 0
    counts += tally
    return counts
