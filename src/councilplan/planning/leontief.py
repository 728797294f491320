"""Solve (I - A) z = b for a sparse non-negative A without ever inverting I - A.

Every method stops when ``||b - (I - A) z||_inf <= max(atol, rtol * ||b||_inf)``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import IntEnum
from typing import Any, Literal

import numpy as np
import scipy.sparse as sp
import scipy.sparse.linalg as spla

from ..errors import InvalidInput, NotConverged
from ..validation import FloatArray

Method = Literal["auto", "neumann", "bicgstab", "direct"]
METHODS: tuple[str, ...] = ("auto", "neumann", "bicgstab", "direct")
IterationCallback = Callable[[int, float], None]


class SolveStatus(IntEnum):
    CONVERGED = 0
    MAXITER = 1


@dataclass(frozen=True)
class LeontiefSolution:
    """The solution ``z`` with the method that produced it and the residual it reached."""

    z: FloatArray
    method: str
    iterations: int
    residual: float
    rtol: float
    status: SolveStatus


def residual_norm(A: Any, b: FloatArray, z: FloatArray) -> float:
    """``||b - (I - A) z||_inf``."""
    return float(np.abs(b - z + A @ z).max(initial=0.0))


def solve_leontief(
    A: Any,
    b: FloatArray,
    *,
    method: Method = "auto",
    rtol: float = 1e-12,
    atol: float = 0.0,
    maxiter: int | None = None,
    callback: IterationCallback | None = None,
) -> LeontiefSolution:
    """Solve ``z = A z + b``.

    Parameters
    ----------
    A : sparse array of shape (n, n), non-negative, spectral radius < 1
    b : ndarray of shape (n,)
    method : "neumann" runs Jacobi-scaled Neumann sweeps; "bicgstab" is a Krylov method with a
        Jacobi preconditioner; "direct" is a sparse LU (small systems only);
        "auto" starts with Neumann sweeps and switches to BiCGSTAB if they contract slowly.
    callback : called as ``callback(iteration, residual)`` after each iteration.
    """
    if method not in METHODS:
        raise InvalidInput(f"unknown method {method!r}; expected one of {', '.join(METHODS)}")
    if rtol < 0 or atol < 0:
        raise InvalidInput("rtol and atol must be non-negative")
    tol = max(atol, rtol * float(np.abs(b).max(initial=0.0)))
    n = b.shape[0]
    maxiter = maxiter if maxiter is not None else max(1000, 10 * int(np.sqrt(n)))
    if method == "direct":
        z = spla.spsolve(sp.eye(n, format="csc") - sp.csc_array(A), b)
        res = residual_norm(A, b, z)
        return LeontiefSolution(z, "direct", 1, res, rtol, _status(res, tol))
    if method == "bicgstab":
        return _krylov(A, b, np.zeros(n), tol, rtol, maxiter, callback, 0)
    return _neumann(A, b, tol, rtol, maxiter, callback, switch=(method == "auto"))


def _status(res: float, tol: float) -> SolveStatus:
    return SolveStatus.CONVERGED if res <= tol else SolveStatus.MAXITER


def _jacobi_split(A: Any) -> tuple[Any, FloatArray]:
    """Off-diagonal part of A and 1 / (1 - diag A); no copy when the diagonal is empty."""
    d = np.asarray(A.diagonal(), dtype=np.float64)
    if not d.any():
        return A, np.ones_like(d)
    off = A.copy()
    off.setdiag(0.0)
    off.eliminate_zeros()
    return off, 1.0 / (1.0 - d)


def _neumann(
    A: Any, b: FloatArray, tol: float, rtol: float, maxiter: int,
    callback: IterationCallback | None, *, switch: bool,
) -> LeontiefSolution:
    off, scale = _jacobi_split(A)
    z = b * scale
    res = float("inf")
    history: list[float] = []
    for k in range(1, maxiter + 1):
        z_new = (b + off @ z) * scale
        # For Jacobi sweeps the residual is (1 - d) * (z_new - z).
        res = float(np.abs((z_new - z) / scale).max(initial=0.0))
        z = z_new
        history.append(res)
        if callback is not None:
            callback(k, res)
        if res <= tol:
            break
        if switch and _contracting_slowly(history):
            return _krylov(A, b, z, tol, rtol, maxiter - k, callback, k)
    res = residual_norm(A, b, z)
    return LeontiefSolution(z, "neumann", k, res, rtol, _status(res, tol))


def _contracting_slowly(history: list[float], window: int = 8) -> bool:
    if len(history) < 2 * window:
        return False
    recent = np.asarray(history[-window:])
    if recent[0] <= 0:
        return False
    rate = (recent[-1] / recent[0]) ** (1.0 / (window - 1))
    return bool(rate > 0.9)


def _krylov(
    A: Any, b: FloatArray, z0: FloatArray, tol: float, rtol: float, maxiter: int,
    callback: IterationCallback | None, start: int,
) -> LeontiefSolution:
    n = b.shape[0]
    d = np.asarray(A.diagonal(), dtype=np.float64)
    op = spla.LinearOperator((n, n), matvec=lambda v: v - A @ v, dtype=np.float64)
    precond = spla.LinearOperator((n, n), matvec=lambda v: v / (1.0 - d), dtype=np.float64)
    count = [start]

    def step(xk: Any) -> None:
        count[0] += 1
        if callback is not None:
            callback(count[0], float("nan"))

    r0 = b - op.matvec(z0)
    # Solve for the correction; the stop test of scipy is in the 2-norm, so aim a little lower.
    target = tol / max(1.0, np.sqrt(n))
    bnorm = float(np.linalg.norm(r0))
    dz, _ = spla.bicgstab(op, r0, rtol=0.0 if bnorm == 0 else target / bnorm, atol=target,
                   maxiter=max(1, maxiter), M=precond, callback=step)
    z = z0 + dz
    res = residual_norm(A, b, z)
    name = "bicgstab" if start == 0 else "neumann+bicgstab"
    return LeontiefSolution(z, name, count[0], res, rtol, _status(res, tol))


def ensure_converged(sol: LeontiefSolution, what: str) -> LeontiefSolution:
    if sol.status != SolveStatus.CONVERGED:
        raise NotConverged(
            f"{what}: {sol.method} stopped after {sol.iterations} iterations at residual "
            f"{sol.residual:.3g}, above the tolerance (rtol={sol.rtol:g})")
    return sol
