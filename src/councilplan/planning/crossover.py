"""Exact optimum of a plan LP from an approximate one, by Leontief substitution.

Two plan LPs share one shape: ``min c . z - g lambda  s.t.  N z >= lambda y,
0 <= z <= capacity, R z <= limits, lambda in [lo, hi]`` (Kantorovich: c = 0, g = 1;
least labour: c = labour, lambda = 1). At their optimum the material balances are tight but
for a few surpluses, which this method needs (weighted output, where every valued product has
a surplus, is not crossed over).
A first-order solver (PDLP) gets close to the optimum but leaves every activity slightly off
its bound. A vertex
of this LP has a simple shape: each product has one *owner* technique whose activity is free,
every other technique sits at zero or at capacity, and a handful of techniques and product
surpluses are free as well. With the owners fixed, the material balances give the owners'
activities as ``x_owner = (I - A_owner)^-1 (lambda y - N_fixed z_fixed - N_free z_free)``, a
Leontief solve that never forms a dense inverse. The LP then shrinks to the few free variables
(lambda, free techniques, disposals) with the resource limits and those owners' bounds that
can bind as dense rows (the rest join only if the solution crosses them), which HiGHS solves
exactly. Its duals give all prices by one transposed Leontief solve;
techniques whose profit at those prices says they sit at the wrong bound join the free set,
owners that reach a bound hand over to a free technique of their product, and the round repeats
(column generation) until every fixed technique is priced out.

The result is certified, not trusted: the duality gap is recomputed from the prices over the
whole LP (any non-negative prices give a bound by weak duality), and the plan is checked
against every balance, capacity and limit. Rounds end when no technique is mispriced, or when
the best vertex certified to a relative gap of 1e-8 has not been bettered for a few rounds
(below that, techniques can swap in and out on rounding alone).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any, NamedTuple

import numpy as np
import scipy.sparse as sp

from ..validation import FloatArray, IndexArray
from ._highs import LinearProgram, LPStatus, solve_lp

ROUNDS = 100
BATCH = 100  # techniques priced in per round
TIGHT = 1e-10  # HiGHS feasibility tolerances for the reduced LPs (rows are scaled to ~1)
ROW_SLACK = 1e-12  # how far an owner row left out may be crossed before it joins
GAP = 1e-8  # relative duality gap that certifies a vertex before every price is settled
STALL = 3  # rounds without a better certified vertex before the best one is taken
NEAR = 1e-3  # owners this near a bound (share of capacity) start in the reduced LP
DENSE_LIMIT = 2**27  # entries (1 GiB) of the dense block of owner responses a round may form


class CrossoverFailed(Exception):
    """The reduced LPs did not reach a certified vertex; the caller keeps the first-order plan."""


@dataclass(frozen=True, eq=False)
class PlanLP:
    """The pieces of a plan LP the crossover needs (``N = S - inputs'``)."""

    inputs: sp.csr_array  # (techniques, products): inputs per unit of each technique
    N: sp.csc_array  # (products, techniques)
    product_of: IndexArray
    R: sp.csr_array  # (limited resources, techniques)
    limits: FloatArray
    capacity: FloatArray
    quantity: FloatArray  # targets y
    cost: FloatArray  # c, per technique
    scale_value: float = 1.0  # g, what one unit of lambda is worth
    scale_bounds: tuple[float, float] = (0.0, np.inf)  # bounds of lambda

    @property
    def homogeneous(self) -> bool:
        """``max lambda`` with no costs (Kantorovich): plan and lambda scale together."""
        return not self.cost.any() and self.scale_value > 0

    @classmethod
    def kantorovich(cls, inputs: Any, N: Any, product_of: IndexArray, R: Any,
                    limits: FloatArray, capacity: FloatArray, quantity: FloatArray) -> PlanLP:
        """``max lambda``: the least-fulfilled target as high as it goes."""
        return cls(inputs, N, product_of, R, limits, capacity, quantity,
                   np.zeros(capacity.size))

    @classmethod
    def least_labour(cls, inputs: Any, N: Any, product_of: IndexArray, R: Any,
                     limits: FloatArray, capacity: FloatArray, quantity: FloatArray,
                     labour: FloatArray) -> PlanLP:
        """``min labour`` with every target met in full (lambda fixed at 1)."""
        return cls(inputs, N, product_of, R, limits, capacity, quantity, labour, 0.0,
                   (1.0, 1.0))


@dataclass(frozen=True, eq=False)
class Vertex:
    """A certified optimal vertex: activities, lambda, prices, and the bound that proves it."""

    activity: FloatArray
    scale: float  # lambda (the least fulfilment for Kantorovich)
    objective: float  # c . z - g lambda
    bound: float  # a lower bound on the objective from the prices (weak duality)
    product_prices: FloatArray  # for Kantorovich normalised so that y . p = 1
    resource_prices: FloatArray  # per limited resource
    profit: FloatArray  # per technique: p . N_t - nu . R_t - c_t (capacity price where > 0)
    infeasibility: float  # largest relative violation of a balance, capacity or limit
    rounds: int
    seconds: float

    @property
    def gap(self) -> float:
        """Relative duality gap, on the scale of :attr:`LPSolution.relative_gap`."""
        return (self.objective - self.bound) / max(1.0, abs(self.objective), abs(self.bound))


@dataclass
class _State:
    owner: IndexArray  # technique owning each product's balance row
    free: IndexArray  # other techniques free in the reduced LP
    disposal: IndexArray  # products whose surplus is free in the reduced LP
    fixed_at: FloatArray  # value of every technique that is not free (0 or capacity)
    activity: FloatArray  # the last round's plan (the start's at first)
    scale: float  # and its lambda

    def fixed(self) -> Any:
        """Mask of the techniques held at ``fixed_at`` (neither owners nor free)."""
        mask = np.ones(self.fixed_at.size, dtype=bool)
        mask[self.owner] = False
        mask[self.free] = False
        return mask


def crossover(lp: PlanLP, activity: FloatArray, prices: FloatArray,
              resource_prices: FloatArray, *, rounds: int = ROUNDS, batch: int = BATCH,
              time_limit: float | None = None, dense_limit: int = DENSE_LIMIT) -> Vertex:
    """From approximate primal and dual values, find and certify an exact optimal vertex.

    With ``time_limit`` (seconds), no round starts after it has passed; the best vertex
    certified to :data:`GAP` by then is returned, or the crossover fails.
    """
    t0 = time.perf_counter()
    state = _start(lp, activity, _profit(lp, prices, resource_prices))
    best: Vertex | None = None
    since_best = 0
    for k in range(1, rounds + 1):
        if time_limit is not None and time.perf_counter() - t0 > time_limit:
            if best is not None:
                return best
            raise CrossoverFailed(f"time limit of {time_limit:.3g} s reached after {k - 1} "
                                  "rounds")
        _check_size(lp, state, dense_limit)
        x, lam, p, nu, used_disposal, feasible = _reduced_round(lp, state)
        found = _certified(lp, x, lam, p, nu, k, t0) if feasible else None
        since_best += 1
        if found is not None and (best is None or found.gap < best.gap):
            best, since_best = found, 0
        if best is not None and since_best >= STALL:
            return best  # the last few rounds only traded rounding
        state.activity, state.scale = x, lam
        gain = _gain(lp, state, _profit(lp, p, nu))
        wrong = _mispriced(state, gain, float(lp.cost @ x) - lp.scale_value * lam)
        short = np.flatnonzero(p < -1e-11 * np.abs(p).max(initial=0.0))
        short = short[~np.isin(short, state.disposal)]
        if not wrong.size and not short.size:
            if not feasible:
                raise CrossoverFailed("the reduced LP stays infeasible with nothing to price in")
            return found or _certify(lp, x, lam, p, nu, k, time.perf_counter() - t0)
        _next_state(lp, state, x, wrong[np.argsort(-gain[wrong])][:batch],
                    np.union1d(state.disposal[used_disposal], short[:batch]))
    if best is not None:
        return best
    raise CrossoverFailed(f"no certified vertex after {rounds} rounds")


def _certified(lp: PlanLP, x: FloatArray, lam: float, p: FloatArray, nu: FloatArray,
               rounds: int, t0: float) -> Vertex | None:
    """The vertex, if its prices already prove it optimal to :data:`GAP`: techniques priced
    in by less than the reduced LPs' rounding can swap in and out for ever, so the best such
    vertex ends the crossover once :data:`STALL` rounds have not improved on it."""
    try:
        v = _certify(lp, x, lam, p, nu, rounds, time.perf_counter() - t0)
    except CrossoverFailed:
        return None
    return v if v.gap <= GAP else None


def _profit(lp: PlanLP, p: FloatArray, nu: FloatArray) -> FloatArray:
    return np.asarray(lp.N.T @ p - lp.R.T @ nu - lp.cost, dtype=np.float64)


def _span(capacity: FloatArray) -> FloatArray:
    """What an activity is measured against: its capacity, or 1 where there is none."""
    return np.where(np.isfinite(capacity) & (capacity > 0), capacity, 1.0)


def _start(lp: PlanLP, x0: FloatArray, profit: FloatArray) -> _State:
    """Owners: each product's most interior technique, else its least mispriced one."""
    cap = lp.capacity
    bounded = np.isfinite(cap)
    rel = np.where(bounded, np.clip(x0 / _span(cap), 0.0, 1.0), np.where(x0 > 1e-9, 0.5, 0.0))
    interior = (rel > 1e-5) & (rel < 1 - 1e-5)
    eps = 1e-6 * np.abs(profit).max(initial=0.0)
    near = np.abs(profit) <= eps
    key = np.where(interior, -np.minimum(rel, 1 - rel), np.abs(profit) / max(eps, 1e-300))
    order = np.lexsort((key, lp.product_of))
    first = np.r_[True, lp.product_of[order][1:] != lp.product_of[order][:-1]]
    owner = order[first]
    owner = owner[np.argsort(lp.product_of[owner])]
    if owner.size != lp.N.shape[0]:
        raise CrossoverFailed("a product has no technique")
    is_owner = np.zeros(cap.size, dtype=bool)
    is_owner[owner] = True
    free = np.flatnonzero((interior | near) & ~is_owner)
    y = lp.quantity
    with np.errstate(divide="ignore", invalid="ignore"):
        reach = float(np.where(y > 0, (lp.N @ x0) / y, np.inf).min(initial=np.inf))
    lo, hi = lp.scale_bounds
    scale = float(np.clip(reach, lo, hi)) if np.isfinite(reach) else lo
    return _State(owner, free, np.array([], dtype=np.int64),
                  np.where(bounded & (rel > 0.5), cap, 0.0), np.clip(x0, 0.0, cap), scale)


def _check_size(lp: PlanLP, s: _State, dense_limit: int) -> None:
    """A start far from any vertex leaves many techniques free, and the round's dense block
    (products by free variables) would exhaust memory: fail instead, keeping the start."""
    free = s.free.size + s.disposal.size + 2
    if lp.N.shape[0] * free > dense_limit:
        raise CrossoverFailed(f"too far from a vertex: {free - 2:,} free variables would need "
                              f"a dense block of {lp.N.shape[0] * free:,} entries")


def _reduced_round(lp: PlanLP, s: _State
                   ) -> tuple[FloatArray, float, FloatArray, FloatArray, Any, bool]:
    """Solve the LP over the free variables with the owners substituted out."""
    n = lp.N.shape[0]
    A_owner = sp.csr_array(lp.inputs[s.owner].T)
    x_fixed = np.where(s.fixed(), s.fixed_at, 0.0)
    rhs = [lp.quantity[:, None], -lp.N[:, s.free].toarray(),
           _unit_columns(n, s.disposal), -(lp.N @ x_fixed)[:, None]]
    solved = solve_block(A_owner, np.hstack(rhs))
    D, base = solved[:, :-1], solved[:, -1]
    z, row_dual, feasible = _reduced_lp(lp, s, D, base, x_fixed)
    x = x_fixed.copy()
    x[s.free] = z[1:1 + s.free.size]
    x[s.owner] = base + D @ z
    beta, nu = row_dual[:n], -row_dual[n:]
    # Owners have zero reduced cost: p_i - a_owner . p - nu . R_owner - c_owner + beta_i = 0.
    rhs_p = lp.R[:, s.owner].T @ nu + lp.cost[s.owner] - beta
    p = solve_block(sp.csr_array(A_owner.T), rhs_p[:, None])[:, 0]
    return x, float(z[0]), p, nu, z[1 + s.free.size:] > 0, feasible


def _unit_columns(n: int, rows: IndexArray) -> FloatArray:
    E = np.zeros((n, rows.size))
    E[rows, np.arange(rows.size)] = 1.0
    return E


def _reduced_lp(lp: PlanLP, s: _State, D: FloatArray, base: FloatArray,
                x_fixed: FloatArray) -> tuple[FloatArray, FloatArray, bool]:
    """Variables (lambda, free techniques, disposals), owners' bounds and every limit as rows
    scaled to about 1. Phase one minimises violations; phase two the plan's objective.

    Most owners stay well inside their bounds, so owner rows join lazily: those near a bound
    at the last round's plan first, then any the solution violates (row generation).
    """
    n = D.shape[0]
    n_res = lp.limits.size
    cap_owner = _span(lp.capacity[s.owner])
    col_scale = np.concatenate([[1.0], _span(lp.capacity[s.free]), cap_owner[s.disposal]])
    res_rows = lp.R[:, s.owner] @ D
    res_rows[:, 1:1 + s.free.size] += lp.R[:, s.free].toarray()
    limits = np.maximum(np.abs(lp.limits), 1e-300)
    owner_rows = D * (col_scale / cap_owner[:, None])
    lower = -base / cap_owner
    upper = (lp.capacity[s.owner] - base) / cap_owner
    box = _ReducedBox(lp.scale_bounds, lp.capacity[s.free] / col_scale[1:1 + s.free.size],
                      s.disposal.size)
    guess = np.r_[s.scale, s.activity[s.free], np.zeros(s.disposal.size)] / col_scale
    cost = D.T @ lp.cost[s.owner]
    cost[0] -= lp.scale_value
    cost[1:1 + s.free.size] += lp.cost[s.free]
    resources = (res_rows / limits[:, None] * col_scale,
                 (lp.limits - lp.R[:, s.owner] @ base - lp.R @ x_fixed) / limits)
    value = owner_rows @ guess
    rows = np.flatnonzero((value - lower < NEAR) | (upper - value < NEAR))
    while True:
        z, dual, feasible = _reduced_solve(owner_rows[rows], lower[rows], upper[rows],
                                           resources, box, cost * col_scale)
        value = owner_rows @ z
        broken = (value < lower - ROW_SLACK) | (value > upper + ROW_SLACK)
        broken[rows] = False
        if not broken.any():
            row_dual = np.zeros(n + n_res)
            row_dual[rows] = dual[:rows.size] / cap_owner[rows]
            row_dual[n:] = dual[rows.size:] / limits
            return z * col_scale, row_dual, feasible
        rows = np.union1d(rows, np.flatnonzero(broken))


@dataclass(frozen=True)
class _ReducedBox:
    """Bounds of the reduced LP's (scaled) variables: lambda, free techniques, disposals."""

    scale_bounds: tuple[float, float]
    free_upper: FloatArray
    n_disposal: int

    def bounds(self) -> tuple[FloatArray, FloatArray]:
        lo, hi = self.scale_bounds
        upper = np.concatenate([[hi], self.free_upper, np.full(self.n_disposal, np.inf)])
        return np.r_[lo, np.zeros(upper.size - 1)], upper


def _reduced_solve(owner_rows: FloatArray, lower: FloatArray, upper: FloatArray,
                   resources: tuple[FloatArray, FloatArray], box: _ReducedBox,
                   cost: FloatArray) -> tuple[FloatArray, FloatArray, bool]:
    """Phase one (elastic rows, least violation), then phase two on the chosen owner rows."""
    k, m = owner_rows.shape
    n_res = resources[0].shape[0]
    eye = sp.eye_array(k + n_res, format="csc")
    A = sp.csc_array(sp.hstack([sp.csc_array(np.vstack([owner_rows, resources[0]])),
                                eye[:, :k], -eye[:, :k], -eye[:, k:]]))
    row_lower = np.concatenate([lower, np.full(n_res, -np.inf)])
    row_upper = np.concatenate([upper, resources[1]])
    col_lower, col_upper = box.bounds()
    col_lower = np.r_[col_lower, np.zeros(2 * k + n_res)]
    col_upper = np.r_[col_upper, np.full(2 * k + n_res, np.inf)]
    phase1 = solve_lp(LinearProgram(np.r_[np.zeros(m), np.ones(2 * k + n_res)], A, row_lower,
                                    row_upper, col_lower, col_upper), method="simplex",
                      feasibility_tolerance=TIGHT)
    if phase1.status != LPStatus.OPTIMAL:
        raise CrossoverFailed(f"reduced LP (phase one): {phase1.message}")
    if phase1.objective > 1e-9:  # still infeasible: price by the violations
        return phase1.x[:m], phase1.row_dual, False
    col_upper[m:] = 0.0
    phase2 = solve_lp(LinearProgram(np.r_[cost, np.zeros(2 * k + n_res)], A, row_lower,
                                    row_upper, col_lower, col_upper),
                      method="simplex", feasibility_tolerance=TIGHT)
    if phase2.status != LPStatus.OPTIMAL:
        raise CrossoverFailed(f"reduced LP: {phase2.message}")
    return phase2.x[:m], phase2.row_dual, True


def _mispriced(s: _State, gain: FloatArray, objective: float) -> IndexArray:
    """Fixed techniques whose move to the other bound would improve the objective (by more
    than rounding), judged by what each adds to the duality gap."""
    return np.flatnonzero(s.fixed() & (gain > 1e-13 * max(abs(objective), 1e-3)))


def _gain(lp: PlanLP, s: _State, profit: FloatArray) -> FloatArray:
    """What moving each technique from where it is held to its other bound adds to the gap."""
    room = np.where(np.isfinite(lp.capacity), lp.capacity - s.fixed_at, 1.0)
    return np.where(profit > 0, profit * room, -profit * s.fixed_at)


def _next_state(lp: PlanLP, s: _State, x: FloatArray, entering: IndexArray,
                disposal: IndexArray) -> None:
    """Hand ownership to interior free techniques, fix the rest at their bound, add entrants."""
    cap = lp.capacity
    inside = (x > 1e-12 * _span(cap)) & (x < cap * (1 - 1e-12))
    is_owner = np.zeros(cap.size, dtype=bool)
    is_owner[s.owner] = True
    leaving = []
    for t in s.free[inside[s.free]]:
        i = lp.product_of[t]
        if not inside[s.owner[i]]:
            leaving.append(s.owner[i])
            is_owner[s.owner[i]], is_owner[t] = False, True
            s.owner[i] = t
    moved = np.r_[s.free, np.asarray(leaving, dtype=np.int64)]
    s.fixed_at[moved] = np.where(np.isfinite(cap[moved]) & (x[moved] > 0.5 * cap[moved]),
                                 cap[moved], 0.0)
    keep = moved[inside[moved] & ~is_owner[moved]]
    s.free = np.setdiff1d(np.union1d(keep, entering), s.owner)
    s.disposal = np.asarray(disposal, dtype=np.int64)


def _certify(lp: PlanLP, x: FloatArray, lam: float, p: FloatArray, nu: FloatArray,
             rounds: int, seconds: float) -> Vertex:
    """Weak duality with clipped prices bounds the objective; check primal feasibility."""
    priced = _bounding_prices(lp, p, nu)
    if priced is None:
        raise CrossoverFailed("the prices give the targets no value")
    bound = _dual_bound(lp, priced)
    if not np.isfinite(bound):
        raise CrossoverFailed("the prices give no finite bound")
    violation = _violation(lp, x, lam)
    if violation > 1e-8:
        raise CrossoverFailed(f"the vertex violates a limit by {violation:.2g} (relative)")
    objective = float(lp.cost @ x) - lp.scale_value * lam
    return Vertex(np.clip(x, 0.0, lp.capacity), lam, objective, bound, priced.p, priced.nu,
                  priced.profit, violation, rounds, seconds)


def objective_bound(lp: PlanLP, prices: FloatArray, resource_prices: FloatArray) -> float:
    """A lower bound on the optimal ``c . z - g lambda`` from any prices, clipped to be
    non-negative, by weak duality: a check on a first-order answer that does not trust the
    solver's own accuracy measures (Kantorovich: minus an upper bound on the least
    fulfilment; least labour: a lower bound on the labour needed)."""
    priced = _bounding_prices(lp, prices, resource_prices)
    return -float("inf") if priced is None else _dual_bound(lp, priced)


class _Priced(NamedTuple):
    """Prices fit for a weak-duality bound, and each technique's profit at them."""

    p: FloatArray
    nu: FloatArray
    profit: FloatArray  # p . N_t - nu . R_t - c_t
    normalised: bool  # scaled so that y . p = g (lambda's term vanishes)


def _bounding_prices(lp: PlanLP, p: FloatArray, nu: FloatArray) -> _Priced | None:
    """Prices clipped to be non-negative; for the homogeneous (Kantorovich) LP also scaled so
    that y . p = g, which zeroes lambda's term (None if they give the targets no value).

    Otherwise they are scaled down just enough that no technique without a capacity shows a
    profit: an exact vertex's owners break even only up to rounding, and a profit of 1e-17
    on an unbounded technique would make the bound -inf. Any non-negative prices give a bound,
    so the scaled ones still do; at an exact vertex the factor differs from 1 by rounding only.
    """
    p, nu = np.maximum(p, 0.0), np.maximum(nu, 0.0)
    gross = np.asarray(lp.N.T @ p - lp.R.T @ nu, dtype=np.float64)  # profit before costs
    normalised = lp.homogeneous
    if normalised:
        value = float(lp.quantity @ p)
        if value <= 0:
            return None
        factor = lp.scale_value / value
    else:
        unbounded = ~np.isfinite(lp.capacity) & (gross > lp.cost) & (lp.cost > 0)
        factor = float(np.min(lp.cost[unbounded] / gross[unbounded], initial=1.0))
    return _Priced(p * factor, nu * factor, gross * factor - lp.cost, normalised)


def fulfilment_bound(lp: PlanLP, prices: FloatArray, resource_prices: FloatArray) -> float:
    """An upper bound on the optimal least fulfilment of a Kantorovich plan LP."""
    return -objective_bound(lp, prices, resource_prices)


def _dual_bound(lp: PlanLP, priced: _Priced) -> float:
    """min over the box of the Lagrangian: every technique at the bound its profit picks."""
    lo, hi = lp.scale_bounds
    slope = 0.0 if priced.normalised else float(priced.p @ lp.quantity) - lp.scale_value
    scale_part = 0.0 if slope == 0 else slope * (lo if slope > 0 else hi)
    profit = priced.profit
    rent = np.multiply(lp.capacity, profit, out=np.zeros_like(profit), where=profit > 0)
    return float(-rent.sum() - priced.nu @ lp.limits + scale_part)


def _violation(lp: PlanLP, x: FloatArray, lam: float) -> float:
    """Largest relative violation of a balance, capacity, non-negativity or limit."""
    net = lp.N @ x
    need = lam * lp.quantity
    biggest = max(float(np.abs(need).max(initial=0.0)), float(np.abs(net).max(initial=0.0)),
                  1e-300)
    cap = _span(lp.capacity)
    return max(float((need - net).max(initial=0.0)) / biggest,
               float(np.max((x - lp.capacity) / cap, initial=0.0)),
               float(np.max(-x / cap, initial=0.0)),
               float(np.max((lp.R @ x - lp.limits) / np.maximum(np.abs(lp.limits), 1e-300),
                            initial=0.0)))


def solve_block(A: Any, B: FloatArray, *, rtol: float = 1e-14, maxiter: int = 5000,
                check_every: int = 4) -> FloatArray:
    """``Z = A Z + B`` for a dense block of right-hand sides, by Jacobi-scaled Neumann sweeps
    (sparse times dense products, so many columns cost little more than one). Convergence is
    checked every few sweeps: the check costs about as much as a sweep's arithmetic."""
    d = np.asarray(A.diagonal(), dtype=np.float64)
    if (d >= 1).any():
        raise CrossoverFailed("an owner technique uses at least one unit of its own product")
    off = sp.csr_array(A).copy()
    off.setdiag(0.0)
    off.eliminate_zeros()
    scale = 1.0 / (1.0 - d)
    off = sp.csr_array(sp.diags_array(scale) @ off)
    B = B * scale[:, None]
    Z = B  # never written in place: each sweep makes a new array
    size = np.abs(B).max(axis=0) + 1e-300
    for sweep in range(1, maxiter + 1):
        Z_new = off @ Z
        Z_new += B
        if sweep % check_every == 0 and (
                np.abs(Z_new - Z).max(axis=0) / size).max(initial=0.0) <= rtol:
            return np.asarray(Z_new, dtype=np.float64)
        Z = Z_new
    raise CrossoverFailed("the owners' Leontief system does not converge (not productive)")
