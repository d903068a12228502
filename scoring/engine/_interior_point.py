"""An interior-point method for linear programmes with many one-per-column "block" rows.

Private helper of :mod:`scoring.engine.matching`. It solves

    minimise c @ x  subject to  A_block @ x = b_block,  A_link @ x = b_link,  x >= 0

where every column has at most one nonzero, equal to 1, in the block rows (in matching: each
(cell, offer) pair and each unmet variable belongs to one demand cell) and the link rows are
few (offers' seats, budgets). ``A_block D A_block^T`` is then diagonal for any diagonal ``D``,
so the normal equations of each Newton step reduce, by a Schur complement on the block rows,
to a dense system of the size of the link rows: a few hundred, whatever the number of cells.

The answer is approximate (relative duality gap about ``1e-8``); matching uses it only to guess
which columns carry the optimum, then proves the optimum exactly with HiGHS on those columns
(column generation). Mehrotra's predictor-corrector and starting point, from Wright (1997),
*Primal-Dual Interior-Point Methods*, SIAM, ch. 10 (algorithm MPC, eq. 10.1-10.11, starting
point sec. 10.2); Nocedal & Wright (2006), *Numerical Optimization*, 2nd ed., sec. 14.2.
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


class _Normal:
    """Solves ``A D A^T dy = r`` through the Schur complement on the link rows."""

    def __init__(self, block_of: np.ndarray, n_block: int, link: sparse.csr_matrix) -> None:
        n_columns = block_of.size
        self.n_block = n_block
        in_block = np.flatnonzero(block_of >= 0)
        self.block_matrix = sparse.csr_matrix(
            (np.ones(in_block.size), (block_of[in_block], in_block)),
            shape=(n_block, n_columns),
        )
        self.link = link
        self.link_t = link.T.tocsr()

    def factor(self, d: np.ndarray) -> None:
        self.block_diagonal = self.block_matrix @ d
        scaled_link = self.link.multiply(d[np.newaxis, :]).tocsr()
        # W = A_block D A_link^T (cells x link rows, sparse); S = A_link D A_link^T - W^T B^-1 W.
        self.cross = (self.block_matrix @ scaled_link.T).tocsr()
        schur = (scaled_link @ self.link_t).toarray()
        weighted = sparse.diags(1.0 / self.block_diagonal) @ self.cross
        schur -= (self.cross.T @ weighted).toarray()
        # A tiny ridge keeps the factorisation alive when the link rows become dependent on
        # the active set near the optimum (Wright 1997, ch. 11, "regularisation").
        largest = max(1.0, float(np.abs(np.diag(schur)).max(initial=1.0)))
        schur[np.diag_indices_from(schur)] += 1e-12 * largest
        self.cholesky = linalg.cho_factor(schur, overwrite_a=True, check_finite=False)

    def solve(self, rhs: np.ndarray) -> np.ndarray:
        r_block, r_link = rhs[: self.n_block], rhs[self.n_block :]
        scaled = r_block / self.block_diagonal
        reduced = r_link - self.cross.T @ scaled
        dy_link = linalg.cho_solve(self.cholesky, reduced, check_finite=False)
        dy_block = scaled - (self.cross @ dy_link) / self.block_diagonal
        return np.concatenate([dy_block, dy_link])


def block_interior_point(
    *,
    cost: np.ndarray,
    block_of: np.ndarray,
    block_rhs: np.ndarray,
    link: sparse.csr_matrix,
    link_rhs: np.ndarray,
    tolerance: float = 1e-9,
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
    """
    n_block = block_rhs.size
    normal = _Normal(block_of, n_block, link)
    full = sparse.vstack([normal.block_matrix, link], format="csr")
    full_t = full.T.tocsr()
    rhs = np.concatenate([block_rhs, link_rhs])
    n = cost.size

    # Mehrotra's starting point: least-norm x, least-squares (y, z), shifted inside.
    normal.factor(np.ones(n))
    x = full_t @ normal.solve(rhs)
    y = normal.solve(full @ cost)
    z = cost - full_t @ y
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
        r_primal = rhs - full @ x
        r_dual = cost - full_t @ y - z
        mu = float(x @ z) / n
        primal_value, dual_value = float(cost @ x), float(rhs @ y)
        gap = abs(primal_value - dual_value) / (1.0 + abs(primal_value))
        if (
            np.abs(r_primal).max(initial=0.0) / scale_b < 10 * tolerance
            and np.abs(r_dual).max(initial=0.0) / scale_c < 10 * tolerance
            and gap < tolerance
        ):
            converged = True
            break
        d = x / z
        try:
            normal.factor(d)
        except linalg.LinAlgError:
            break

        residuals = (r_primal, r_dual)
        dx, dy, dz = _direction(normal, full, full_t, x, z, residuals, -x * z)
        alpha_p, alpha_d = _step(x, dx), _step(z, dz)
        mu_affine = float((x + alpha_p * dx) @ (z + alpha_d * dz)) / n
        sigma = (mu_affine / mu) ** 3
        dx, dy, dz = _direction(normal, full, full_t, x, z, residuals, sigma * mu - x * z - dx * dz)
        alpha_p = min(1.0, _STEP_TO_BOUNDARY * _step(x, dx))
        alpha_d = min(1.0, _STEP_TO_BOUNDARY * _step(z, dz))
        x = x + alpha_p * dx
        y = y + alpha_d * dy
        z = z + alpha_d * dz
    return InteriorPoint(x=x, z=z, iterations=iteration, converged=converged)


def _direction(
    normal: _Normal,
    full: sparse.csr_matrix,
    full_t: sparse.csr_matrix,
    x: np.ndarray,
    z: np.ndarray,
    residuals: tuple[np.ndarray, np.ndarray],
    r_xz: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Newton step of (A x = b, A^T y + z = c, XZe = target): Wright (1997), eq. 10.4."""
    r_primal, r_dual = residuals
    d = x / z
    dy = normal.solve(r_primal - full @ (r_xz / z) + full @ (d * r_dual))
    dz = r_dual - full_t @ dy
    dx = (r_xz - x * dz) / z
    return dx, dy, dz


def _step(value: np.ndarray, change: np.ndarray) -> float:
    """The longest step in [0, 1] that keeps ``value + step * change >= 0``."""
    falling = change < 0
    if not falling.any():
        return 1.0
    return float(min(1.0, np.min(-value[falling] / change[falling])))
