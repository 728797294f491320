"""Exact five-year plans by technique choice: column generation over technique *policies*.

A policy picks one technique for every product. At given prices of the capital stocks and
limited resources one policy is cheapest for every net output at once (the non-substitution
theorem), and Howard's policy iteration finds it (:func:`.nonsubstitution.cheapest_techniques`).
Every year of a feasible plan is a mix of policies: the extreme rays of ``{z >= 0: N z >=
lambda c_t + E I_t}`` are whole policies making either the consumption basket or one capital
good. So the five-year LP is solved by Dantzig-Wolfe decomposition: a small *master* LP over
lambda, investment, stocks and a growing set of policy columns (each with the capital and
resources it uses per unit, ``W' [c_t, E]``: one Leontief solve per policy), and a pricing step
that runs Howard at the master's prices and adds the columns that would raise lambda. The
prices new policies are sought at are smoothed towards those that gave the best bound so far
(Wentges' smoothing), which damps the swings of the master's prices. The master's objective
is scaled up as the gap closes, so HiGHS resolves the small reduced costs of the last rounds
without paying for that precision (in degenerate pivots) in the first.

The result is certified, not trusted. Each year's product prices are the cheapest policy's
values at the master's capital and resource prices, lowered by a tiny multiple of a vector that
makes every technique's reduced cost non-negative in floating point. With them the duality gap
is recomputed over the whole LP (weak duality; rounding-level negative reduced costs of
investment and stocks are charged at bounds implied by the resource limits and capital stocks),
and the plan is checked against every row.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, replace
from typing import Any, Protocol

import highspy
import numpy as np
import scipy.sparse as sp

from ..errors import InvalidInput, NotConverged, PlanningError
from ..validation import FloatArray, IndexArray
from ._highs import (
    INF,
    LinearProgram,
    LPSolution,
    LPStatus,
    configured_highs,
    dual_infeasibility,
    dual_objective,
    highs_model,
    primal_infeasibility,
    set_option,
)
from .crossover import CrossoverFailed, solve_block
from .nonsubstitution import cheapest_techniques

ROUNDS = 2000  # a time limit usually ends a failing run first
GAP = 1e-8  # relative duality gap that certifies the plan (as the crossover's)
SMOOTHING = 0.5  # weight of the best-bound prices in the prices new policies are sought at
SCALE = 1e6  # largest master objective scale: HiGHS's least dual tolerance (1e-10) is then
#              1e-16 of lambda's price, the least reduced cost of a column still worth adding
COARSE = 1e-2  # the master's scale is COARSE / gap (at least 1, at most SCALE): early rounds
#                need no fine prices, and fine ones cost the simplex degenerate pivots
STUCK = 3  # rounds lambda may stay put before the master's scale grows tenfold
UNUSED = 8  # rounds a column may stay out of the master's basis, priced out, before it goes
TOLERANCE = 1e-10  # HiGHS feasibility tolerances of the master


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
    labour: FloatArray  # per technique: the first policy is the least-labour one

    @property
    def n_products(self) -> int:
        return int(self.targets.shape[1])

    def unit_cost(self, side: FloatArray) -> FloatArray:
        """Each technique's direct cost at prices ``side`` of the capital goods, then the
        limited resources."""
        k = self.goods.size
        return np.asarray(self.requirement @ side[:k] + self.R.T @ side[k:], dtype=np.float64)


@dataclass(frozen=True)
class _Priced:
    """The cheapest policy of each year at some master prices, and the bound they prove."""

    policies: list[IndexArray]
    values: list[FloatArray]  # of each policy at the prices it was found at
    bound: float
    prices: FloatArray  # the full LP's row prices that prove ``bound``
    reduced: FloatArray  # c - A' prices over the full LP


def solve_by_choice(p: ChoiceProblem, *, time_limit: float | None = None,
                    rounds: int = ROUNDS) -> LPSolution:
    """The five-year LP's optimum, certified to :data:`GAP`, or :class:`ChoiceFailed`."""
    t0 = time.perf_counter()
    upper = _implied_upper(p)
    if not np.isfinite(upper).all():
        raise ChoiceFailed("some technique uses no limited resource, so no variable bound "
                           "makes the certificate finite")
    shift = _dominant_values(p)
    master = _Master(p, upper)
    first = _least_labour_owners(p)
    for t in range(p.layout.T):
        master.add_policy(first, t, None)
    best: _Priced | None = None
    centre: FloatArray | None = None
    lam, still = 0.0, 0  # still: rounds in a row that lambda has not risen
    for done in range(1, rounds + 1):
        left = None if time_limit is None else time_limit - (time.perf_counter() - t0)
        if left is not None and left <= 0:
            raise ChoiceFailed(f"time limit of {time_limit:.3g} s reached{_so_far(lam, best)}")
        before, (lam, duals) = lam, master.solve(left)
        still = still + 1 if lam <= before * (1 + 1e-15) else 0
        added = 0
        for weight in (0.0,) if centre is None else (SMOOTHING, 0.0):
            at = duals if centre is None or weight == 0 else weight * centre + (1 - weight) * duals
            priced = _price(p, master, at, shift, upper, None if best is None else best.policies)
            if best is None or priced.bound < best.bound:
                best, centre = priced, at
            if _gap(best.bound, lam) <= GAP:
                x = master.plan()
                if primal_infeasibility(p.lp, x) <= GAP:
                    return _solution(p, x, best, done, time.perf_counter() - t0)
            known = priced.values if at is duals else [None] * len(priced.values)
            added = sum(master.add_policy(policy, t, duals, values)
                        for t, (policy, values) in enumerate(zip(priced.policies, known,
                                                                 strict=True)))
            if added:
                break
        if not added and master.scale >= SCALE:
            raise ChoiceFailed(f"no policy raises lambda any more{_so_far(lam, best)}")
        master.forget_unused()
        assert best is not None  # priced at least once this round
        master.rescale(_next_scale(master.scale, added > 0, still >= STUCK,
                                   _gap(best.bound, lam)))
    raise ChoiceFailed(f"no certified plan after {rounds} rounds{_so_far(lam, best)}")


def _next_scale(scale: float, added: bool, stuck: bool, gap: float) -> float:
    """The master's next objective scale: COARSE / gap, but the finest where nothing new
    priced out at this one, and tenfold where lambda is stuck."""
    if not added:
        return SCALE
    if stuck:
        return scale * 10
    return COARSE / max(gap, 1e-300)


def _gap(bound: float, lam: float) -> float:
    return (bound - lam) / max(1.0, abs(lam))


def _so_far(lam: float, best: _Priced | None) -> str:
    """Where a failed run got to: its best lambda and what its prices proved."""
    if best is None:
        return ""
    return f" (best lambda {lam:.10g}, its prices bound lambda by {best.bound:.10g})"


def _least_labour_owners(p: ChoiceProblem) -> IndexArray:
    """Each product's least-labour technique (the non-substitution choice)."""
    try:
        return cheapest_techniques(p.inputs, p.labour, p.product_of,
                                   np.arange(p.n_products)).chosen
    except (InvalidInput, PlanningError) as exc:
        raise ChoiceFailed(f"no least-labour start: {exc}") from None


def _dominant_values(p: ChoiceProblem) -> FloatArray | None:
    """``w`` with ``w_i >= 1 + a_j . w`` for every technique j of every product i: the values
    of a product made from the largest input coefficients of its techniques. Prices lowered by
    ``eps w`` lower each technique's profit by at least ``eps``. None if that system is not
    productive (the prices are then left as they are)."""
    n = p.n_products
    inputs = sp.coo_array(p.inputs)
    made = p.product_of[inputs.row].astype(np.int64)
    key = made * n + inputs.col
    order = np.lexsort((-inputs.data, key))
    first = order[np.r_[True, key[order][1:] != key[order][:-1]]]
    largest = sp.csr_array((inputs.data[first], (made[first], inputs.col[first])), shape=(n, n))
    try:
        return solve_block(largest, np.ones((n, 1)))[:, 0]
    except CrossoverFailed:
        return None


def _price(p: ChoiceProblem, master: _Master, duals: FloatArray, shift: FloatArray | None,
           upper: FloatArray, previous: list[IndexArray] | None) -> _Priced:
    """Each year's cheapest policy at the master prices ``duals``, and the bound on lambda
    that those prices, with the policy's values as product prices, prove over the full LP.
    Howard starts from the ``previous`` policies where given: the prices move little."""
    L, lp = p.layout, p.lp
    n, k = p.n_products, p.goods.size
    y = np.zeros(lp.A.shape[0])
    policies, raw = [], []
    for t in range(L.T):
        side = master.side_prices(t, duals)
        cost = p.unit_cost(side)
        try:
            cheapest = cheapest_techniques(p.inputs, cost, p.product_of, np.arange(n),
                                           start=None if previous is None else previous[t])
        except (InvalidInput, NotConverged) as exc:
            raise ChoiceFailed(f"no cheapest policy at the master's prices: {exc}") from None
        values = cheapest.values
        raw.append(values)
        profit = float(np.max(values[p.product_of] - cheapest.unit_cost, initial=0.0))
        if shift is not None and profit > 0:
            values = np.maximum(values - profit * (1 + 1e-6) * shift, 0.0)
        o = L.row_start(t)
        y[o:o + n] = values
        y[o + n:o + n + side.size] = -side
        if t > 0:
            y[o + n + side.size:o + n + side.size + k] = duals[master.stock_rows(t)]
        policies.append(cheapest.chosen)
    y[L.terminal_row:] = duals[master.terminal_rows]
    bound, prices, reduced = _lagrangian_bound(lp, y, upper)
    return _Priced(policies, raw, bound, prices, reduced)


class _Master:
    """The master LP, in HiGHS: lambda and the stocks, and policy columns that make the
    consumption basket or a capital good in one year. Rows: each year's capital and resources;
    what the policies make against lambda (a row a year); the stock rows, where the capital
    goods made arrive (investment is what the policies make of them); the terminal rows."""

    def __init__(self, p: ChoiceProblem, upper: FloatArray) -> None:
        T, k, r = p.layout.T, p.goods.size, p.limits.size
        self.p, self.T, self.k, self.r = p, T, k, r
        self._link = T * (k + r)
        self._stock = self._link + T
        self.terminal_rows = np.arange(self._stock + (T - 1) * k, self._stock + T * k)
        self.n_fixed = 1 + T * k
        self.scale = 1.0
        self.policies: list[IndexArray] = []
        self._made_by: dict[bytes, int] = {}
        self.column_policy = np.zeros(0, dtype=np.int64)
        self.column_year = np.zeros(0, dtype=np.int64)
        self.column_good = np.zeros(0, dtype=np.int64)  # -1: the consumption basket
        self._idle = np.zeros(0, dtype=np.int64)
        self._present: set[tuple[int, int, int]] = set()  # (policy, year, what it makes)
        self._solution: Any = None  # HiGHS's answer to the latest solve, before new columns
        self.h = configured_highs("simplex", TOLERANCE)
        set_option(self.h, "simplex_strategy", 4)  # primal: columns join a primal basis
        self.h.passModel(highs_model(self._fixed(upper)))

    def side(self, t: int) -> IndexArray:
        return np.arange(t * (self.k + self.r), (t + 1) * (self.k + self.r))

    def side_prices(self, t: int, duals: FloatArray) -> FloatArray:
        """Year t's capital and resource prices (non-negative) from the master's row duals."""
        return np.maximum(-duals[self.side(t)], 0.0)

    def stock_rows(self, t: int) -> IndexArray:
        return self._stock + (t - 1) * self.k + np.arange(self.k)

    def _stocks(self, t: int) -> IndexArray:
        return 1 + t * self.k + np.arange(self.k)

    def _arrival(self, t: int) -> tuple[IndexArray, float] | None:
        """The rows where capital goods made in year t arrive, and their coefficient there:
        the stock rows ``lag`` years on (written stock - keep stock - arriving = 0, hence -1)
        or the terminal rows (+1); None where they arrive nowhere (year 0 with no lag)."""
        t = t + self.p.lag
        if t >= self.T:
            return self.terminal_rows, 1.0
        return (self.stock_rows(t), -1.0) if t > 0 else None

    def _fixed(self, upper: FloatArray) -> LinearProgram:
        """The master before any policy: lambda and the stocks with their rows."""
        p, T, k = self.p, self.T, self.k
        entries: list[tuple[Any, Any, Any]] = []  # (rows, columns, values), broadcast
        lower = np.full(self.terminal_rows[-1] + 1, -np.inf)
        upper_rows = np.full(lower.size, np.inf)
        for t in range(T):
            side = self.side(t)
            entries.append((side[:k], self._stocks(t), -1.0))
            upper_rows[side] = np.r_[np.zeros(k), p.limits]
            entries.append((self._link + t, 0, -1.0))
            if t > 0:
                rows = self.stock_rows(t)
                entries += [(rows, self._stocks(t), 1.0), (rows, self._stocks(t - 1), -p.keep)]
                lower[rows] = upper_rows[rows] = 0.0
        entries.append((self.terminal_rows, self._stocks(T - 1), p.keep))
        lower[self._link:self._stock] = 0.0
        lower[self.terminal_rows] = p.terminal * p.initial
        rows, cols, values = (np.concatenate(part) for part in zip(
            *(np.broadcast_arrays(np.atleast_1d(r), c, v) for r, c, v in entries), strict=True))
        A = sp.csc_array((values, (rows, cols)), shape=(lower.size, self.n_fixed))
        cost = np.zeros(self.n_fixed)
        cost[0] = -self.scale
        col_lower, col_upper = np.zeros(self.n_fixed), np.full(self.n_fixed, np.inf)
        col_upper[0] = upper[p.layout.lam]
        col_lower[self._stocks(0)] = col_upper[self._stocks(0)] = p.initial
        return LinearProgram(cost, A, lower, upper_rows, col_lower, col_upper)

    def solve(self, time_limit: float | None) -> tuple[float, FloatArray]:
        """Lambda and the row prices (in units of lambda) of the master's optimum."""
        # HiGHS counts its time limit from the instance's first run, not this one
        set_option(self.h, "time_limit", INF if time_limit is None
                   else self.h.getRunTime() + float(time_limit))
        self.h.run()
        status = self.h.getModelStatus()
        if status != highspy.HighsModelStatus.kOptimal:
            raise ChoiceFailed(f"master LP: {self.h.modelStatusToString(status)}")
        self._solution = self.h.getSolution()
        return (float(self._solution.col_value[0]),
                np.asarray(self._solution.row_dual) / self.scale)

    def rescale(self, scale: float) -> None:
        """Raise the objective's scale towards ``scale`` (never lower it, never past SCALE)."""
        scale = min(SCALE, max(self.scale, scale))
        if scale > self.scale:
            self.scale = scale
            self.h.changeColCost(0, -scale)

    def _number(self, policy: IndexArray) -> int:
        key = policy.tobytes()
        if key not in self._made_by:
            self._made_by[key] = len(self.policies)
            self.policies.append(policy)
        return self._made_by[key]

    def _leontief(self, matrix: sp.csr_array, net: FloatArray) -> FloatArray:
        """``(I - matrix)^-1 net``: gross outputs (matrix A_policy) or values (its transpose)."""
        try:
            return solve_block(matrix, net)
        except CrossoverFailed as exc:
            raise ChoiceFailed(str(exc)) from None

    def add_policy(self, policy: IndexArray, t: int, duals: FloatArray | None,
                   values: FloatArray | None = None) -> int:
        """Add the policy's columns of year t that would raise lambda at ``duals`` (all of
        them if None); the number added. Which ones takes the policy's values at the master's
        prices (one solve, unless given); what they use, one Leontief solve per column."""
        p, k = self.p, self.k
        made = np.r_[-1, np.arange(k)]  # what each column makes: -1 the basket, else a good
        arrival = self._arrival(t)
        if duals is not None:
            if values is None:
                cost = p.unit_cost(self.side_prices(t, duals))[policy]
                values = self._leontief(sp.csr_array(p.inputs[policy]), cost[:, None])[:, 0]
            invested = np.zeros(k) if arrival is None else arrival[1] * duals[arrival[0]]
            worth = np.r_[duals[self._link + t], invested]
            made = made[np.r_[p.targets[t] @ values, values[p.goods]] - worth
                        < -TOLERANCE / self.scale]
        elif arrival is None:
            made = made[:1]
        number = self._number(policy)
        made = made[[(number, t, int(m)) not in self._present for m in made]]
        if not made.size:
            return 0
        basket = made < 0
        net = np.zeros((p.n_products, made.size))
        net[:, basket] = p.targets[t][:, None]
        net[p.goods[made[~basket]], np.flatnonzero(~basket)] = 1.0
        gross = self._leontief(sp.csr_array(p.inputs[policy].T), net)
        uses = np.vstack([np.asarray(p.requirement[policy].T @ gross),
                          np.asarray(p.R[:, policy] @ gross)])
        link, sign = np.full(made.size, self._link + t), np.ones(made.size)
        if arrival is not None:
            link[~basket] = arrival[0][made[~basket]]
            sign[~basket] = arrival[1]
        size = self.k + self.r
        rows = np.column_stack([np.broadcast_to(self.side(t), (made.size, size)), link])
        values = np.column_stack([uses.T, sign])
        starts = np.arange(made.size + 1) * (size + 1)
        self.h.addCols(made.size, np.zeros(made.size), np.zeros(made.size),
                       np.full(made.size, INF), rows.size, starts[:-1].astype(np.int32),
                       rows.ravel().astype(np.int32), values.ravel())
        self.column_policy = np.r_[self.column_policy, np.full(made.size, number)]
        self.column_year = np.r_[self.column_year, np.full(made.size, t)]
        self.column_good = np.r_[self.column_good, made]
        self._present.update((number, t, int(m)) for m in made)
        self._idle = np.r_[self._idle, np.zeros(made.size, dtype=np.int64)]
        return int(made.size)

    def forget_unused(self) -> None:
        """Drop columns that have stayed out of the basis, priced out, for :data:`UNUSED`
        rounds: pricing every column is most of a master solve."""
        status = self.h.getBasis().col_status[self.n_fixed:]
        basic = np.array([s == highspy.HighsBasisStatus.kBasic for s in status], dtype=bool)
        reduced = np.asarray(self.h.getSolution().col_dual)[self.n_fixed:]  # new columns too
        self._idle = np.where(basic | (reduced <= TOLERANCE), 0, self._idle + 1)
        gone = np.flatnonzero(self._idle >= UNUSED)
        if gone.size:
            self.h.deleteCols(int(gone.size), (self.n_fixed + gone).astype(np.int32))
            keep = np.ones(self._idle.size, dtype=bool)
            keep[gone] = False
            self._present.difference_update(zip(self.column_policy[gone].tolist(),
                                                self.column_year[gone].tolist(),
                                                self.column_good[gone].tolist(), strict=True))
            self.column_policy, self.column_year = self.column_policy[keep], self.column_year[keep]
            self.column_good, self._idle = self.column_good[keep], self._idle[keep]

    def plan(self) -> FloatArray:
        """The master's optimum as a plan of the full LP: each policy's activities are its
        gross outputs for what its columns make."""
        p, L, T = self.p, self.p.layout, self.T
        v = np.asarray(self._solution.col_value)
        x = np.zeros(p.lp.A.shape[1])
        x[L.lam] = v[0]
        weight = v[self.n_fixed:]
        for t in range(T):
            x[L.stock(t)] = v[self._stocks(t)]
            invested = (self.column_year == t) & (self.column_good >= 0)
            x[L.inv(t)] = np.bincount(self.column_good[invested], weights=weight[invested],
                                      minlength=self.k)
        used = weight > 0
        for number in np.unique(self.column_policy[used]):
            mine = used & (self.column_policy == number)
            net = np.zeros((p.n_products, T))
            for year, good, w in zip(self.column_year[mine], self.column_good[mine],
                                     weight[mine], strict=True):
                if good < 0:
                    net[:, year] += w * p.targets[year]
                else:
                    net[p.goods[good], year] += w
            years = np.flatnonzero(np.abs(net).sum(axis=0) > 0)
            policy = self.policies[number]
            gross = self._leontief(sp.csr_array(p.inputs[policy].T), net[:, years])
            for column, year in enumerate(years):
                x[L.z(int(year)).start + policy] += gross[:, column]
        return x


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
    n = p.n_products
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


def _solution(p: ChoiceProblem, x: FloatArray, best: _Priced, rounds: int, seconds: float
              ) -> LPSolution:
    lp = p.lp
    objective = float(lp.c @ x)
    gap = _gap(best.bound, -objective)
    return LPSolution(LPStatus.OPTIMAL, f"optimal by technique choice, gap {gap:.2g}", x,
                      best.prices, best.reduced, objective, -best.bound, rounds, seconds,
                      "choice", None, primal_infeasibility(lp, x),
                      dual_infeasibility(lp, best.prices))
