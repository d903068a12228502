"""An interior-point method for linear programmes with many one-per-column "block" rows.

Private helper of :mod:`scoring.engine.matching`. It solves

    minimise c @ x  subject to  A_block @ x = b_block,  A_link @ x = b_link,  x >= 0

where every column has at most one nonzero, equal to 1, in the block rows (in matching: each
(cell, offer) pair and each unmet variable belongs to one demand cell) and the link rows are
few (offers' seats, budgets). ``A_block D A_block^T`` is then diagonal for any diagonal ``D``,
so the normal equations of each Newton step reduce, by a Schur complement on the block rows,
to a dense system of the size of the link rows: a few hundred, whatever the number of cells.

The answer is approximate (to the gap asked: matching asks ``1e-8``); matching uses its reduced
costs ``z`` only to decide most cells' options, then solves the rest with HiGHS and proves
every decision with HiGHS's duals (``matching._two_stage_guided``).

Algorithm: Mehrotra's predictor-corrector and starting point (Wright 1997, *Primal-Dual
Interior-Point Methods*, SIAM, ch. 10: algorithm MPC, eq. 10.1-10.11, starting point
sec. 10.2; Nocedal & Wright 2006, *Numerical Optimization*, 2nd ed., sec. 14.2). Gondzio's
multiple centrality correctors (Gondzio 1996, Comput. Optim. Appl. 6, 137-156) were tried
and left out: on matching's benchmark two of them save 6 of 74 iterations but cost more
than the 6 factorisations they save. Convergence is judged on the complementarity gap
``x @ z`` (Wright 1997, ch. 11), not on ``c @ x - b @ y``, which also holds
``y @ (b - A x)``: where the optimal duals are unbounded (a programme without a strictly
feasible point) ``y`` grows without end and that difference stalls while ``x @ z`` falls.

Cost of one Newton step: the Schur complement ``S = A_link D A_link^T - W^T B^-1 W`` with
``B = A_block D A_block^T`` (diagonal) and ``W = A_block D A_link^T`` (one entry per block and
link row that one of its columns touches) is assembled on index arrays fixed once: each block
adds the rank-one term ``w_b w_b^T / B_b``. Blocks whose columns touch the same set of
"pattern" rows (in matching: cells wanting the same topic, language and mode have the same
offers) are summed together, so the dense part costs one small outer product per block;
the other entries are scattered with ``numpy.bincount``. LAPACK ``dpotrf`` factors ``S``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import linalg, sparse

__all__ = ["InteriorPoint", "block_interior_point"]

_STEP_TO_BOUNDARY = 0.995


@dataclass(frozen=True)
class InteriorPoint:
    """An approximate primal-dual optimum: ``x`` primal, ``z`` reduced costs (both >= 0)."""

    x: np.ndarray
    z: np.ndarray
    iterations: int
    converged: bool


def _pairs_within(
    group_start: np.ndarray, group_size: np.ndarray, diagonal: bool
) -> tuple[np.ndarray, np.ndarray]:
    """Index pairs ``(a, b)``, ``a < b`` (``a <= b`` with ``diagonal``), within each group.

    Groups are runs ``group_start[g] .. group_start[g] + group_size[g]`` of one array.
    """
    firsts, seconds = [np.zeros(0, dtype=np.intp)], [np.zeros(0, dtype=np.intp)]
    for size in np.unique(group_size):
        a, b = np.triu_indices(int(size), 0 if diagonal else 1)
        if a.size:
            start = group_start[group_size == size][:, np.newaxis]
            firsts.append((start + a).ravel())
            seconds.append((start + b).ravel())
    return np.concatenate(firsts), np.concatenate(seconds)


def _index(index: np.ndarray) -> np.ndarray | slice:
    """``index`` itself, or the same as a slice when it is a run (a view instead of a copy)."""
    if index.size and index[-1] - index[0] == index.size - 1 and np.all(np.diff(index) == 1):
        return slice(int(index[0]), int(index[-1]) + 1)
    return index


def _lower(row: np.ndarray, column: np.ndarray, size: int) -> np.ndarray:
    """Flat index of entry ``(row, column)`` folded into the lower triangle (C order)."""
    return np.maximum(row, column) * size + np.minimum(row, column)


class _Normal:
    """Solves ``A D A^T dy = r`` through the Schur complement on the link rows."""

    def __init__(
        self,
        block_of: np.ndarray,
        n_block: int,
        link: sparse.csr_matrix,
        pattern_rows: np.ndarray | None,
    ) -> None:
        n_columns, m = block_of.size, link.shape[0]
        self.n_block, self.m = n_block, m
        in_block = np.flatnonzero(block_of >= 0)
        self.in_block, self.block_of_in = _index(in_block), block_of[in_block]
        by_column = sparse.csc_matrix(link)
        by_column.sum_duplicates()
        self.per_column = np.diff(by_column.indptr)
        nz_column = np.repeat(np.arange(n_columns), self.per_column)
        nz_row, nz_value = by_column.indices.astype(np.intp), by_column.data
        self.nz_row, self.nz_square = nz_row, nz_value**2
        # A_link D A_link^T off its diagonal: pairs of nonzeros of one column.
        first, second = _pairs_within(by_column.indptr[:-1], self.per_column, diagonal=False)
        self.own_column = _index(nz_column[first])
        self.own_product = nz_value[first] * nz_value[second]
        own_flat = _lower(nz_row[first], nz_row[second], m)
        # W: one entry per (block, link row) that a column of the block touches.
        linked = np.flatnonzero(block_of[nz_column] >= 0)
        self.linked = _index(linked)
        self.linked_value = nz_value[linked]
        key = block_of[nz_column[linked]].astype(np.int64) * m + nz_row[linked]
        w_key, self.w_of_linked = np.unique(key, return_inverse=True)
        w_block, w_row = (part.astype(np.intp) for part in np.divmod(w_key, m))
        self.w_block, self.n_w = w_block, w_key.size
        indptr = np.searchsorted(w_block, np.arange(n_block + 1))
        self.cross = sparse.csr_matrix((np.zeros(w_key.size), w_row, indptr), shape=(n_block, m))
        # W^T B^-1 W on the pattern rows: the blocks of one set of pattern rows summed as
        # a batch of outer products (upper triangles), per number of rows.
        pattern = np.ones(m, dtype=bool) if pattern_rows is None else pattern_rows
        in_pattern = pattern[w_row]
        p_entries = np.flatnonzero(in_pattern)  # sorted by block, then row
        p_count = np.bincount(w_block[p_entries], minlength=n_block)
        p_start = np.concatenate([[0], np.cumsum(p_count)[:-1]])
        self.batches = []
        flats = [own_flat]
        for size in np.unique(p_count[p_count > 0]):
            blocks = np.flatnonzero(p_count == size)
            entries = p_entries[p_start[blocks][:, np.newaxis] + np.arange(size)]
            patterns, which = np.unique(w_row[entries], axis=0, return_inverse=True)
            which = which.ravel()
            order = np.argsort(which, kind="stable")
            starts = np.searchsorted(which[order], np.arange(patterns.shape[0]))
            a, b = np.triu_indices(int(size))
            self.batches.append((blocks[order], entries[order], starts, a, b))
            flats.append(_lower(patterns[:, a], patterns[:, b], m).ravel())
        # The rest of W^T B^-1 W: pairs of a block's entries not both on pattern rows.
        first, second = _pairs_within(indptr[:-1], np.diff(indptr), diagonal=True)
        keep = ~(in_pattern[first] & in_pattern[second])
        self.w_first, self.w_second = first[keep], second[keep]
        flats.insert(1, _lower(w_row[self.w_first], w_row[self.w_second], m))
        self.flat = np.concatenate(flats)
        self.diagonal = np.arange(m) * (m + 1)

    def factor(self, d: np.ndarray) -> None:
        self.block_diagonal = np.bincount(
            self.block_of_in, weights=d[self.in_block], minlength=self.n_block
        )
        inverse = 1.0 / self.block_diagonal
        per_nonzero = np.repeat(d, self.per_column)
        data = np.bincount(
            self.w_of_linked,
            weights=per_nonzero[self.linked] * self.linked_value,
            minlength=self.n_w,
        )
        self.cross.data[:] = data
        self.cross_t = self.cross.T  # a view: no copy of the data
        scaled = data * inverse[self.w_block]
        weights = [
            d[self.own_column] * self.own_product,
            -data[self.w_first] * scaled[self.w_second],
        ]
        root = np.sqrt(inverse)
        for blocks, entries, starts, a, b in self.batches:
            g = data[entries] * root[blocks][:, np.newaxis]
            weights.append(-np.add.reduceat(g[:, a] * g[:, b], starts, axis=0).ravel())
        m = self.m
        schur = np.bincount(self.flat, weights=np.concatenate(weights), minlength=m * m)
        schur[self.diagonal] += np.bincount(
            self.nz_row, weights=per_nonzero * self.nz_square, minlength=m
        )
        # A tiny ridge keeps the factorisation alive when the link rows become dependent on
        # the active set near the optimum (Wright 1997, ch. 11, "regularisation").
        largest = max(1.0, float(np.abs(schur[self.diagonal]).max(initial=1.0)))
        schur[self.diagonal] += 1e-12 * largest
        # Only the lower triangle (C order) is filled: the upper one of the transpose that
        # LAPACK sees in Fortran order, factored in place.
        factor, info = linalg.lapack.dpotrf(schur.reshape(m, m).T, lower=0, overwrite_a=1, clean=0)
        if info != 0:
            raise linalg.LinAlgError("the normal equations are not positive definite")
        self.cholesky = (factor, False)

    def solve(self, rhs: np.ndarray) -> np.ndarray:
        r_block, r_link = rhs[: self.n_block], rhs[self.n_block :]
        scaled = r_block / self.block_diagonal
        reduced = r_link - self.cross_t @ scaled
        dy_link = linalg.cho_solve(self.cholesky, reduced, check_finite=False)
        dy_block = scaled - (self.cross @ dy_link) / self.block_diagonal
        return np.concatenate([dy_block, dy_link])


class _Matrix:
    """``A = [A_block; A_link]`` as products with vectors, the block rows by index."""

    def __init__(self, block_of: np.ndarray, n_block: int, link: sparse.csr_matrix) -> None:
        self.n_block = n_block
        in_block = np.flatnonzero(block_of >= 0)
        self.in_block, self.block_of_in = _index(in_block), block_of[in_block]
        self.link = sparse.csr_matrix(link)
        self.link_t = self.link.T.tocsr()

    def times(self, x: np.ndarray) -> np.ndarray:
        """``A @ x``."""
        by_block = np.bincount(self.block_of_in, weights=x[self.in_block], minlength=self.n_block)
        return np.concatenate([by_block, self.link @ x])

    def transposed_times(self, y: np.ndarray) -> np.ndarray:
        """``A.T @ y``."""
        result = self.link_t @ y[self.n_block :]
        result[self.in_block] += y[self.block_of_in]
        return result


def block_interior_point(
    *,
    cost: np.ndarray,
    block_of: np.ndarray,
    block_rhs: np.ndarray,
    link: sparse.csr_matrix,
    link_rhs: np.ndarray,
    pattern_rows: np.ndarray | None = None,
    tolerance: float = 1e-9,
    residual_tolerance: float | None = None,
    max_iterations: int = 80,
) -> InteriorPoint:
    """Approximate optimum of the programme in the module docstring.

    Parameters
    ----------
    cost : numpy.ndarray
        ``c``, one entry per column.
    block_of : numpy.ndarray
        Per column, its block row (its coefficient there is 1), or -1 for none.
    block_rhs : numpy.ndarray
        ``b_block``; every block row must hold at least one column.
    link, link_rhs : sparse matrix and numpy.ndarray
        ``A_link`` and ``b_link``; every link row must hold at least one column.
    pattern_rows : numpy.ndarray, optional
        Boolean per link row: rows that many blocks touch in the same combination (in
        matching, the offers' seats). Only speed depends on it; by default all rows.
    tolerance : float
        Converged when the complementarity gap ``x @ z / (1 + |c @ x|)`` is below it ...
    residual_tolerance : float, optional
        ... and the primal and dual residuals, relative to the largest right-hand side and
        cost, below ten times this (by default ``tolerance``).
    """
    if residual_tolerance is None:
        residual_tolerance = tolerance
    n_block = block_rhs.size
    matrix = _Matrix(block_of, n_block, link)
    normal = _Normal(block_of, n_block, link, pattern_rows)
    rhs = np.concatenate([block_rhs, link_rhs])
    n = cost.size

    # Mehrotra's starting point: least-norm x, least-squares (y, z), shifted inside.
    normal.factor(np.ones(n))
    x = matrix.transposed_times(normal.solve(rhs))
    y = normal.solve(matrix.times(cost))
    z = cost - matrix.transposed_times(y)
    x += max(-1.5 * float(x.min()), 0.0)
    z += max(-1.5 * float(z.min()), 0.0)
    x = np.maximum(x, 1e-8)
    z = np.maximum(z, 1e-8)
    shift = 0.5 * float(x @ z)
    x += shift / float(z.sum())
    z += shift / float(x.sum())

    scale_b = 1.0 + float(np.abs(rhs).max(initial=0.0))
    scale_c = 1.0 + float(np.abs(cost).max(initial=0.0))
    converged = False
    iteration = 0
    for iteration in range(1, max_iterations + 1):  # noqa: B007 (reported after the loop)
        r_primal = rhs - matrix.times(x)
        r_dual = cost - matrix.transposed_times(y) - z
        mu = float(x @ z) / n
        gap = float(x @ z) / (1.0 + abs(float(cost @ x)))
        if gap < tolerance:
            # Further steps would only chase rounding errors: once x @ z is that small, the
            # residuals stall (at about 1e-8 relative on matching's programmes) and the
            # iterates then drift away.
            converged = (
                np.abs(r_primal).max(initial=0.0) / scale_b < 10 * residual_tolerance
                and np.abs(r_dual).max(initial=0.0) / scale_c < 10 * residual_tolerance
            )
            break
        try:
            normal.factor(x / z)
        except linalg.LinAlgError:
            break
        residuals = (r_primal, r_dual)
        dx, dy, dz = _direction(normal, matrix, x, z, residuals, -x * z)
        alpha_p, alpha_d = _step(x, dx), _step(z, dz)
        mu_affine = float((x + alpha_p * dx) @ (z + alpha_d * dz)) / n
        sigma = (mu_affine / mu) ** 3
        dx, dy, dz = _direction(normal, matrix, x, z, residuals, sigma * mu - x * z - dx * dz)
        alpha_p, alpha_d = _step(x, dx), _step(z, dz)
        alpha_p = min(1.0, _STEP_TO_BOUNDARY * alpha_p)
        alpha_d = min(1.0, _STEP_TO_BOUNDARY * alpha_d)
        x = x + alpha_p * dx
        y = y + alpha_d * dy
        z = z + alpha_d * dz
    return InteriorPoint(x=x, z=z, iterations=iteration, converged=converged)


def _direction(
    normal: _Normal,
    matrix: _Matrix,
    x: np.ndarray,
    z: np.ndarray,
    residuals: tuple[np.ndarray, np.ndarray],
    r_xz: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Newton step of (A x = b, A^T y + z = c, XZe = target): Wright (1997), eq. 10.4."""
    r_primal, r_dual = residuals
    dy = normal.solve(r_primal - matrix.times((r_xz - x * r_dual) / z))
    dz = r_dual - matrix.transposed_times(dy)
    dx = (r_xz - x * dz) / z
    return dx, dy, dz


def _step(value: np.ndarray, change: np.ndarray) -> float:
    """The longest step in [0, 1] that keeps ``value + step * change >= 0``."""
    fastest_fall = -float(np.min(change / value, initial=0.0))  # value > 0
    return 1.0 if fastest_fall <= 1.0 else 1.0 / fastest_fall
