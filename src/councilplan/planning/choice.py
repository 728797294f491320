"""Exact five-year plans by technique choice: one *owner* technique per product and year.

At the optimum of a five-year LP nearly every product is made by a single technique each year:
techniques have no capacities of their own, only the capital stocks and resource limits (a few
hundred rows) bind, and each binding row lets at most one more technique in. Fixing the owners,
the material balances give the owners' activities by a Leontief solve, ``z_O = (I - A_O)^-1
(lambda c_t + E I_t - N_F z_F)``, and the LP shrinks to the variables that link the years
(lambda, investment, stocks) and a few *free* techniques, over the capital, resource, stock and
terminal rows. Only their coefficients are needed, ``W' [c_t, E, -N_F]`` with ``W = (I -
A_O')^-1 [C_O, R_O]``: one transposed solve per year whatever the number of free techniques.
Owner rows ``z_O >= 0`` join the reduced LP only when a solution crosses them.

The reduced LP's duals give all prices (``y_t = -W (capital and resource prices) - beta``), and
every technique that makes a profit at them could raise lambda. As in Howard's policy
iteration, each product switches to its most profitable technique; when a round of switches does
not raise lambda, the round is undone and a quarter as many switches tried, and once they are
few, the old owners stay in the reduced LP as free techniques, so lambda cannot fall.

The result is certified, not trusted: the duality gap is recomputed over the whole LP from the
assembled prices (weak duality; rounding-level negative reduced costs are charged at bounds on
each variable implied by the resource limits and capital stocks), and the plan is checked
against every row.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, replace
from typing import Any, Protocol

import numpy as np
import scipy.sparse as sp

from ..errors import InvalidInput, PlanningError
from ..validation import FloatArray, IndexArray
from ._highs import (
    GrowingLP,
    LinearProgram,
    LPSolution,
    LPStatus,
    dual_infeasibility,
    dual_objective,
    primal_infeasibility,
)
from .crossover import CrossoverFailed, solve_block
from .nonsubstitution import cheapest_techniques

ROUNDS = 200  # a time limit usually ends a failing run first
GAP = 1e-8  # relative duality gap that certifies the plan (as the crossover's)
FEW = 200  # switches per year below which the old owners stay in the reduced LP
STALL = 20  # rounds without a higher lambda before the method gives up
TIGHT = 1e-10  # HiGHS feasibility tolerances of the reduced LPs
FINE = 1e-13  # and once lambda stalls: what HiGHS leaves of a profit, times a large bound


class ChoiceFailed(Exception):
    """No certified plan by technique choice; the caller falls back to a general LP solver."""


class Layout(Protocol):
    """Where each year's variables and rows sit in the full LP."""

    @property
    def T(self) -> int: ...  # noqa: N802 (the layout's name for the number of years)

    def z(self, t: int) -> slice: ...

    def inv(self, t: int) -> slice: ...

    def stock(self, t: int) -> slice: ...

    @property
    def lam(self) -> int: ...

    def row_start(self, t: int) -> int: ...

    @property
    def terminal_row(self) -> int: ...


@dataclass(frozen=True, eq=False)
class ChoiceProblem:
    """A five-year LP (``lp``, laid out by ``layout``) and the parts the method works with."""

    lp: LinearProgram
    layout: Layout
    inputs: sp.csr_array  # (techniques, products)
    N: sp.csc_array  # (products, techniques): output minus inputs
    product_of: IndexArray
    requirement: sp.csr_array  # (techniques, capital goods)
    R: sp.csr_array  # (limited resources, techniques)
    limits: FloatArray
    goods: IndexArray  # product of each capital good
    keep: FloatArray  # 1 - depreciation
    lag: int
    initial: FloatArray
    terminal: float
    targets: FloatArray  # (T, products): consumption targets of each year at lambda = 1
    labour: FloatArray  # per technique: where the owners start (least labour)


@dataclass
class _Choice:
    owners: list[IndexArray]  # per year, the owner technique of each product
    free: list[IndexArray]  # per year, other techniques free in the reduced LP

    def copy(self) -> _Choice:
        return _Choice([o.copy() for o in self.owners], [f.copy() for f in self.free])


@dataclass(frozen=True)
class _Round:
    choice: _Choice
    x: FloatArray  # the full LP's columns
    row_dual: FloatArray  # the full LP's rows: the prices that prove ``bound``
    scale: float  # lambda
    bound: float  # upper bound on lambda from the prices
    reduced: FloatArray  # c - A' y over the full LP


def solve_by_choice(p: ChoiceProblem, *, time_limit: float | None = None,
                    rounds: int = ROUNDS) -> LPSolution:
    """The five-year LP's optimum, certified to :data:`GAP`, or :class:`ChoiceFailed`."""
    t0 = time.perf_counter()
    upper = _implied_upper(p)
    if not np.isfinite(upper).all():
        raise ChoiceFailed("some technique uses no limited resource, so no variable bound "
                           "makes the certificate finite")
    owners = _least_labour_owners(p)
    choice = _Choice([owners] * p.layout.T,
                     [np.array([], dtype=np.int64)] * p.layout.T)
    best: _Round | None = None
    share, kept_old, stalled = 1.0, False, 0
    for _ in range(rounds):
        if time_limit is not None and time.perf_counter() - t0 > time_limit:
            raise ChoiceFailed(f"time limit of {time_limit:.3g} s reached{_so_far(best)}")
        try:
            now: _Round | None = _round(p, choice, upper, FINE if stalled >= 3 else TIGHT)
        except (ChoiceFailed, CrossoverFailed):
            if best is None:
                raise
            now = None
        # with the old owners kept, a round at the same lambda still moves the prices on
        floor = 1 - 1e-12 if kept_old else 1 + 1e-13
        if now is not None and (best is None or now.scale >= best.scale * floor):
            rose = best is None or now.scale > best.scale * (1 + 1e-13)
            best, stalled = now, 0 if rose else stalled + 1
            share = min(1.0, 2 * share) if rose else share
        else:
            share, stalled = share / 4, stalled + 1
        assert best is not None  # the first round either succeeds or raises
        if _certified(p, best):
            return _solution(p, best, time.perf_counter() - t0)
        following = _switch(p, best, share)
        if following is None or stalled >= STALL:
            raise ChoiceFailed(f"lambda stopped rising{_so_far(best)}")
        choice, kept_old = following
    raise ChoiceFailed(f"no certified plan after {rounds} rounds{_so_far(best)}")


def _so_far(best: _Round | None) -> str:
    """Where a failed run got to: its best lambda and what its prices proved."""
    if best is None:
        return ""
    return f" (best lambda {best.scale:.10g}, its prices bound lambda by {best.bound:.10g})"


def _least_labour_owners(p: ChoiceProblem) -> IndexArray:
    """Each product's least-labour technique (the non-substitution choice)."""
    try:
        return cheapest_techniques(p.inputs, p.labour, p.product_of,
                                   np.arange(p.N.shape[0])).chosen
    except (InvalidInput, PlanningError) as exc:
        raise ChoiceFailed(f"no least-labour start: {exc}") from None


def _first_per_product(p: ChoiceProblem, techniques: IndexArray, key: FloatArray
                       ) -> IndexArray:
    """Of ``techniques``, the one with the smallest ``key`` for each product they make."""
    order = techniques[np.lexsort((key[techniques], p.product_of[techniques]))]
    made = p.product_of[order]
    return order[np.r_[True, made[1:] != made[:-1]]] if order.size else order


def _gap(r: _Round) -> float:
    return (r.bound - r.scale) / max(1.0, abs(r.scale))


def _certified(p: ChoiceProblem, r: _Round) -> bool:
    return _gap(r) <= GAP and primal_infeasibility(p.lp, r.x) <= GAP


def _switch(p: ChoiceProblem, r: _Round, share: float) -> tuple[_Choice, bool] | None:
    """Owners for the next round: free techniques that replaced their owner take over, and a
    ``share`` of the products with a profitable technique switch to their most profitable one
    (biggest gain first); when few switch, the old owners stay free so lambda cannot fall
    (said by the flag returned with the choice)."""
    L, n_t = p.layout, p.product_of.size
    nxt = r.choice.copy()
    plans = []
    for t in range(L.T):
        owners, free, z = nxt.owners[t], nxt.free[t], r.x[L.z(t)]
        d = r.reduced[L.z(t)]
        tiny = 1e-12 * max(1.0, float(z.max(initial=0.0)))
        displaced = []
        for j in free[z[free] > tiny]:
            if z[owners[p.product_of[j]]] <= tiny:
                displaced.append(owners[p.product_of[j]])
                owners[p.product_of[j]] = j
        is_owner = np.zeros(n_t, dtype=bool)
        is_owner[owners] = True
        # free techniques stay while used or not priced out (a degenerate vertex can need
        # them at zero), and so do displaced owners: dropping them lets the rounds cycle
        kept = np.union1d(free[((z[free] > tiny) | (d[free] <= 1e-12)) & ~is_owner[free]],
                          np.asarray(displaced, dtype=np.int64))
        profitable = np.flatnonzero((d < -1e-12) & ~is_owner)
        profitable = profitable[~np.isin(profitable, free)]
        best = _first_per_product(p, profitable, d)
        gain = -d[best] * z[owners[p.product_of[best]]]
        plans.append((kept, best[np.argsort(-gain)]))
    switching = sum(b.size for _, b in plans)
    if switching == 0:
        return None
    keep_old = share * switching <= FEW * L.T
    for t, (kept, best) in enumerate(plans):
        best = best[:int(np.ceil(share * best.size))]
        old = nxt.owners[t][p.product_of[best]].copy()
        nxt.owners[t][p.product_of[best]] = best
        free = np.union1d(kept, old) if keep_old else kept
        nxt.free[t] = np.setdiff1d(free, nxt.owners[t])
    return nxt, keep_old


def _implied_upper(p: ChoiceProblem, passes: int = 3) -> FloatArray:
    """Bounds every feasible plan keeps to, which make rounding-level negative reduced costs
    cost a rounding-level share of the bound: activities by the resource limits and by the
    capital they need, investment by the most its good can be made, stocks by what can
    arrive, lambda by the targets. Capital and activity bounds tighten each other, so a few
    passes alternate between them."""
    L, lp, T = p.layout, p.lp, p.layout.T
    R = p.R.toarray()
    with np.errstate(divide="ignore"):
        per_limit = np.where(R > 0, p.limits[:, None] / np.where(R > 0, R, 1.0), np.inf)
    by_resources = per_limit.min(axis=0, initial=np.inf)
    activity = [by_resources] * T
    C = sp.csr_array(p.requirement)
    has_capital = np.diff(C.indptr) > 0
    for _ in range(passes):
        made = [_most_made(p, a) for a in activity]
        stock = [p.initial]
        for t in range(1, T):
            arriving = made[t - p.lag][p.goods] if t - p.lag >= 0 else 0.0
            stock.append(p.keep * stock[-1] + arriving)
        activity = [np.minimum(by_resources, _by_capital(C, has_capital, k)) for k in stock]
    upper = np.asarray(lp.col_upper, dtype=np.float64).copy()
    made = [_most_made(p, a) for a in activity]
    for t in range(T):
        upper[L.z(t)] = np.minimum(upper[L.z(t)], activity[t])
        upper[L.inv(t)] = np.minimum(upper[L.inv(t)], made[t][p.goods])
        if t > 0:
            upper[L.stock(t)] = np.minimum(upper[L.stock(t)], stock[t])
    wanted = p.targets[0] > 0
    with np.errstate(divide="ignore", invalid="ignore"):
        upper[L.lam] = float(np.min(made[0][wanted] / p.targets[0][wanted], initial=np.inf))
    return upper


def _most_made(p: ChoiceProblem, activity: FloatArray) -> FloatArray:
    """Gross output of each product with every technique at its bound (inf if unbounded)."""
    n = p.N.shape[0]
    made = np.bincount(p.product_of, weights=np.where(np.isfinite(activity), activity, 0.0),
                       minlength=n)
    made[np.bincount(p.product_of, weights=~np.isfinite(activity), minlength=n) > 0] = np.inf
    return np.asarray(made, dtype=np.float64)


def _by_capital(C: sp.csr_array, has_capital: Any, stock: FloatArray) -> FloatArray:
    """Each technique's activity as far as the stock of every capital good it needs allows."""
    out = np.full(C.shape[0], np.inf)
    ratio = stock[C.indices] / C.data
    out[has_capital] = np.minimum.reduceat(ratio, C.indptr[:-1][has_capital])
    return out


@dataclass(frozen=True)
class _Year:
    """One year's owners substituted out: the reduced columns they depend on and W."""

    owners: IndexArray
    free: IndexArray
    cols: IndexArray  # reduced-LP columns of lambda, this year's investment, free techniques
    forward: sp.csr_array  # A_O, for the owners' activities
    backward: sp.csr_array  # A_O', for rows of the inverse
    NF: sp.csc_array
    W: FloatArray  # (I - A_O')^-1 [C_O, R_O']

    def coefficients(self, p: ChoiceProblem, t: int, M: FloatArray) -> FloatArray:
        """``M' [c_t, E, -N_F]``: how the reduced columns move ``M' z_O``."""
        return np.hstack([(M.T @ p.targets[t])[:, None], M[p.goods].T,
                          -np.asarray((self.NF.T @ M).T)])


class _Reduced:
    """The reduced LP over lambda, investment, stocks and free techniques (in that order)."""

    def __init__(self, p: ChoiceProblem, choice: _Choice, upper: FloatArray) -> None:
        T, k = p.layout.T, p.goods.size
        self.p, self.k = p, k
        sizes = [f.size for f in choice.free]
        self.free_start = np.cumsum([1 + 2 * k * T, *sizes])
        self.size = int(self.free_start[-1])
        self.years = [self._year(choice, t) for t in range(T)]
        self.rows, self.lower, self.upper = self._side_rows()
        self.col_lower = np.zeros(self.size)
        self.col_upper = np.full(self.size, np.inf)
        self.col_upper[0] = upper[p.layout.lam]
        s0 = self.stock(0)
        self.col_lower[s0] = self.col_upper[s0] = p.initial

    def inv(self, t: int) -> slice:
        return slice(1 + t * self.k, 1 + (t + 1) * self.k)

    def stock(self, t: int) -> slice:
        base = 1 + self.k * self.p.layout.T
        return slice(base + t * self.k, base + (t + 1) * self.k)

    def free(self, t: int) -> slice:
        return slice(int(self.free_start[t]), int(self.free_start[t + 1]))

    def _year(self, choice: _Choice, t: int) -> _Year:
        p, owners, free = self.p, choice.owners[t], choice.free[t]
        backward = sp.csr_array(p.inputs[owners])
        W = solve_block(backward, np.hstack([p.requirement[owners].toarray(),
                                             p.R[:, owners].T.toarray()]))
        cols = np.r_[0, np.arange(self.size)[self.inv(t)], np.arange(self.size)[self.free(t)]]
        return _Year(owners, free, cols, sp.csr_array(backward.T), backward,
                     sp.csc_array(p.N[:, free]), W)

    def _side_rows(self) -> tuple[sp.csr_array, FloatArray, FloatArray]:
        """Capital and resource rows of every year, stock rows, terminal rows."""
        p, k, T = self.p, self.k, self.p.layout.T
        r = p.limits.size
        blocks, lower, upper = [], [], []
        for t, year in enumerate(self.years):
            side = np.zeros((k + r, self.size))
            side[:, year.cols] = year.coefficients(p, t, year.W)
            fs = self.free(t)
            side[:k, fs] += p.requirement[year.free].T.toarray()
            side[k:, fs] += p.R[:, year.free].toarray()
            side[np.arange(k), np.arange(self.size)[self.stock(t)]] -= 1.0
            blocks.append(side)
            lower.append(np.full(k + r, -np.inf))
            upper.append(np.r_[np.zeros(k), p.limits])
            if t > 0:
                blocks.append(self._stock_rows(t))
                lower.append(np.zeros(k))
                upper.append(np.zeros(k))
        final = np.zeros((k, self.size))
        final[:, self.stock(T - 1)] = np.diag(p.keep)
        for t in range(max(0, T - p.lag), T):
            final[:, self.inv(t)] += np.eye(k)
        blocks.append(final)
        lower.append(p.terminal * p.initial)
        upper.append(np.full(k, np.inf))
        return sp.csr_array(np.vstack(blocks)), np.concatenate(lower), np.concatenate(upper)

    def _stock_rows(self, t: int) -> FloatArray:
        p, k = self.p, self.k
        rows = np.zeros((k, self.size))
        rows[:, self.stock(t)] = np.eye(k)
        rows[:, self.stock(t - 1)] -= np.diag(p.keep)
        if t - p.lag >= 0:
            rows[:, self.inv(t - p.lag)] -= np.eye(k)
        return rows


def _round(p: ChoiceProblem, choice: _Choice, upper: FloatArray, tolerance: float) -> _Round:
    """Solve the reduced LP (owner rows joining as they are crossed), then assemble the full
    plan and prices and bound lambda over the whole LP."""
    red = _Reduced(p, choice, upper)
    T = p.layout.T
    inverse_rows: list[tuple[int, FloatArray]] = []  # in the order their rows joined
    watched: list[IndexArray] = [np.array([], dtype=np.int64) for _ in range(T)]
    cost = np.zeros(red.size)
    cost[0] = -1.0
    reduced = GrowingLP(LinearProgram(cost, sp.csc_array(red.rows), red.lower, red.upper,
                                      red.col_lower, red.col_upper),
                        feasibility_tolerance=tolerance)
    while True:
        sol = reduced.solve()
        if sol.status != LPStatus.OPTIMAL:
            raise ChoiceFailed(f"reduced LP: {sol.message}")
        v, crossed, owned = sol.x, 0, []
        for t, year in enumerate(red.years):
            rhs = (v[0] * p.targets[t] + _unit(p, v[red.inv(t)]) - year.NF @ v[red.free(t)])
            z = solve_block(year.forward, rhs[:, None])[:, 0]
            owned.append(z)
            below = np.flatnonzero(z < -1e-12 * max(1.0, float(np.abs(z).max(initial=0.0))))
            below = below[~np.isin(below, watched[t])]
            if below.size:
                unit = np.zeros((z.size, below.size))
                unit[below, np.arange(below.size)] = 1.0
                G = solve_block(year.backward, unit)  # rows of (I - A_O)^-1
                rows = np.zeros((below.size, red.size))
                rows[:, year.cols] = year.coefficients(p, t, G)
                reduced.add_rows(rows, np.zeros(below.size), np.full(below.size, np.inf))
                inverse_rows.append((t, G))
                watched[t] = np.r_[watched[t], below]
                crossed += below.size
        if not crossed:
            break
    return _assemble(p, red, choice, sol, owned, inverse_rows, upper)


def _unit(p: ChoiceProblem, investment: FloatArray) -> FloatArray:
    out = np.zeros(p.N.shape[0])
    np.add.at(out, p.goods, investment)
    return out


def _assemble(p: ChoiceProblem, red: _Reduced, choice: _Choice, sol: LPSolution,
              owned: list[FloatArray], inverse_rows: list[tuple[int, FloatArray]],
              upper: FloatArray) -> _Round:
    L, lp = p.layout, p.lp
    n, k, r = p.N.shape[0], p.goods.size, p.limits.size
    v, dual = sol.x, sol.row_dual
    x = np.zeros(lp.A.shape[1])
    x[L.lam] = v[0]
    y = np.zeros(lp.A.shape[0])
    pos = 0
    beta = np.zeros((len(red.years), n))  # owner-row prices, by year
    used = red.rows.shape[0]
    for t, G in inverse_rows:
        beta[t] += G @ dual[used:used + G.shape[1]]
        used += G.shape[1]
    for t, year in enumerate(red.years):
        z = np.zeros(p.product_of.size)
        z[year.owners] = owned[t]
        z[year.free] = v[red.free(t)]
        x[L.z(t)], x[L.inv(t)], x[L.stock(t)] = z, v[red.inv(t)], v[red.stock(t)]
        side = dual[pos:pos + k + r]
        o = L.row_start(t)
        y[o + n:o + n + k + r] = side
        pos += k + r
        if t > 0:
            y[o + n + k + r:o + n + 2 * k + r] = dual[pos:pos + k]
            pos += k
        y[o:o + n] = -(year.W @ side) - beta[t]
    y[L.terminal_row:] = dual[pos:pos + k]
    bound, prices, reduced = _lagrangian_bound(lp, y, upper)
    return _Round(choice, x, prices, float(v[0]), bound, reduced)


def _lagrangian_bound(lp: LinearProgram, y: FloatArray, upper: FloatArray
                      ) -> tuple[float, FloatArray, FloatArray]:
    """Upper bound on lambda from any prices (weak duality), with the prices that give it and
    their reduced costs: row prices clipped to the sign their bounds allow and scaled so that
    lambda, the one column with a cost, has a reduced cost of zero (the others cost nothing,
    so scaling keeps their signs); each column then sits at the (implied) bound its reduced
    cost picks."""
    y = y.copy()
    only_lower = np.isfinite(lp.row_lower) & ~np.isfinite(lp.row_upper)
    only_upper = ~np.isfinite(lp.row_lower) & np.isfinite(lp.row_upper)
    y[only_lower] = np.maximum(y[only_lower], 0.0)
    y[only_upper] = np.minimum(y[only_upper], 0.0)
    priced = np.flatnonzero(lp.c)
    if priced.size == 1:
        worth = float((lp.A[:, [int(priced[0])]].T @ y)[0])
        if worth * lp.c[priced[0]] > 0:
            y *= lp.c[priced[0]] / worth
    reduced = np.asarray(lp.c - lp.A.T @ y, dtype=np.float64)
    return -dual_objective(replace(lp, col_upper=upper), y, reduced), y, reduced


def _solution(p: ChoiceProblem, r: _Round, seconds: float) -> LPSolution:
    lp = p.lp
    objective = float(lp.c @ r.x)
    return LPSolution(LPStatus.OPTIMAL, f"optimal by technique choice, gap {_gap(r):.2g}",
                      r.x, r.row_dual, r.reduced, objective, -r.bound, 0, seconds, "choice",
                      None, primal_infeasibility(lp, r.x), dual_infeasibility(lp, r.row_dual))
