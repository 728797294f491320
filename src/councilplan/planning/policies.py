"""Plans without capacities, exactly, by column generation over technique policies.

Three plan LPs without capacities have a structure the general LP solvers cannot see:

* weighted output, ``max w . N z  s.t.  N z >= 0, R z <= limits``;
* least cost, ``min c . z  s.t.  N z >= y, R z <= limits`` (c is labour);
* Kantorovich, ``max lambda  s.t.  N z >= lambda y, R z <= limits``;
* harmony, ``max sum_j w_j H(s_j)  s.t.  N z >= y (1 + s), R z <= limits``, with H concave and
  piecewise linear and every s_j in a box (the Kantorovich plan's second stage).

A *policy* picks one technique per product. At resource prices nu, one policy is cheapest for
every net output at once (the non-substitution theorem), and Howard's policy iteration finds
it with its values v(nu) at direct cost ``c + R' nu``. Every plan is a mix of policies, so
each LP is a master over columns "policy P makes net output d" with only the resource rows
(Dantzig-Wolfe). A column uses ``U_P d`` of the resources, where ``U_P`` are the policy's
resource values. For weighted output, d is one unit of a product i and earns ``w_i``; for
least cost, d is the whole target y, costs ``v_P(c) . y``, and the columns' shares sum to 1;
for Kantorovich, d is the whole target y too, and each unit of the columns adds 1 to lambda;
for harmony, d is ``y (1 + s)`` for the surpluses s that pay best at the policy's values, the
columns' shares sum to 1, and the master starts from a plan that meets every row.

Each round, the master (HiGHS primal simplex, warm) gives the resource prices. Howard finds
the cheapest policy at them, and its columns with a better reduced cost join. Any prices
prove a bound by weak duality:

* weighted output: scaled by ``t = max(1, max_i w_i / v_i)``, the prices ``t v`` and
  ``t nu`` are dual feasible, and ``t limits . nu`` bounds the optimum from above;
* least cost: ``v . y - limits . nu`` bounds it from below (the Lagrangian);
* Kantorovich: scaled by ``1 / (v . y)``, the prices ``v`` and ``nu`` are dual feasible and
  value the target at 1, so ``limits . nu / (v . y)`` bounds lambda from above;
* harmony: ``limits . nu + sum_j max_s (w_j H(s) - v_j y_j (1 + s))`` bounds it from above
  (the Lagrangian).

The method stops when the bound is within :data:`GAP` of the master's value. The plan (each
used policy's gross output, one Leontief solve per policy) is checked against every row by
the caller.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import cache, cached_property
from typing import Any

import highspy
import numpy as np
import scipy.sparse as sp

from ..errors import CouncilplanError
from ..validation import FloatArray, IndexArray
from . import nonsubstitution
from ._highs import configured_highs, set_option
from .crossover import CrossoverFailed, solve_block

GAP = 1e-9  # relative gap between the master's value and the bound that ends the method
ROUNDS = 200
PENALTY = 1e6  # cost of a unit of the master's artificial column, per unit of the first column's
PHASE_ONE = 20  # rounds the artificial column may stay in use before the limits look unmet
SEED = -2  # the policy index of a seed plan's column
ARTIFICIAL = -1  # and of the convex master's artificial column
STABILISER = -3  # and of the columns that keep a stabilised master's prices in a box
BOX = 0.01  # a stabilised master's first box: prices within 1 % of the best so far
WIDEST = 10.0  # and its widest
SHRINK = 0.5  # what the box shrinks by when its prices prove no better bound (it grows by
# 1 / SHRINK when they do)
FLOOR = 1e-3  # a price of nothing gets the box of this share of the dearest limit's price


class PoliciesFailed(Exception):
    """No certified optimum; the caller solves the LP instead."""


class NoLimit(Exception):
    """A valued product is made without any limited resource: the weighted output is unbounded
    along ``direction`` (activity per technique for one unit of it net)."""

    def __init__(self, direction: FloatArray) -> None:
        super().__init__("unbounded")
        self.direction = direction


@dataclass(frozen=True, eq=False)
class PolicyPlan:
    """A certified optimum: activities, net output, prices and the bound that proves it."""

    activity: FloatArray  # per technique
    net_output: FloatArray  # per product (N z)
    value: float  # the objective: w . N z, or c . z
    bound: float  # what weak duality proves from the prices below
    product_prices: FloatArray  # what one more unit of each product costs, at least w
    resource_prices: FloatArray
    rounds: int
    seconds: float

    @property
    def gap(self) -> float:
        return abs(self.bound - self.value) / max(1.0, abs(self.value), abs(self.bound))


@dataclass(frozen=True, eq=False)
class _Economy:
    inputs: sp.csr_array  # (techniques, products)
    technique_product: IndexArray
    R: sp.csr_array  # (limited resources, techniques)
    limits: FloatArray
    cost: FloatArray  # direct cost per technique besides the resources (c)

    @property
    def n_products(self) -> int:
        return int(self.technique_product.max(initial=-1)) + 1


def weighted_output(inputs: Any, technique_product: IndexArray, R: Any, limits: FloatArray,
                    weight: FloatArray, *, time_limit: float | None = None,
                    rounds: int = ROUNDS) -> PolicyPlan:
    """``max weight . N z`` with ``N z >= 0`` and ``R z <= limits`` (finite), no capacities.

    ``inputs`` is (techniques, products), ``R`` (limited resources, techniques). Raises
    :class:`NoLimit` where a valued product needs no limited resource, and
    :class:`PoliciesFailed` where no certified optimum is reached in ``rounds`` rounds or
    ``time_limit`` seconds.
    """
    e = _economy(inputs, technique_product, R, limits, np.zeros(len(technique_product)))
    valued = np.flatnonzero(weight > 0)
    direct = sp.csr_array(e.R.T)  # (techniques, resources)

    def columns(v: FloatArray, M: sp.csr_array, chosen: IndexArray, _: Any
                ) -> tuple[IndexArray, FloatArray, FloatArray]:
        profitable = valued[weight[valued] > v[valued] * (1 + 1e-12)]
        use = _values(M, chosen, direct)[profitable]
        free = profitable[~(use > 0).any(axis=1)]
        if free.size:
            unit = np.zeros(e.n_products)
            unit[free[0]] = 1.0
            raise NoLimit(_gross(M, chosen, unit, e.cost.size))
        return profitable, -weight[profitable], use.T

    def bound(cheapest: Cheapest, nu: FloatArray, _: Any
              ) -> tuple[float, FloatArray, FloatArray]:
        v = cheapest.values
        with np.errstate(divide="ignore", invalid="ignore"):
            ratio = np.where(v[valued] > 0, weight[valued] / v[valued], np.inf)
        t = max(1.0, float(ratio.max(initial=0.0)))
        return -t * float(limits @ nu), t * v, t * nu

    def net_output(products: IndexArray, shares: FloatArray) -> FloatArray:
        return np.asarray(np.bincount(products, weights=shares, minlength=e.n_products),
                          dtype=np.float64)

    plan = _generate(e, _Master(limits, convex=False), columns, bound, time_limit, rounds,
                     net_output)
    return replace(plan, value=float(weight @ plan.net_output), bound=-plan.bound)


def least_cost(inputs: Any, technique_product: IndexArray, R: Any, limits: FloatArray,
               cost: FloatArray, quantity: FloatArray, *, time_limit: float | None = None,
               rounds: int = ROUNDS) -> PolicyPlan:
    """``min cost . z`` with ``N z >= quantity`` and ``R z <= limits`` (finite), no capacities.

    Raises :class:`PoliciesFailed` where no certified optimum is reached (limits that no mix
    of policies meets included: the LP solvers explain those).
    """
    e = _economy(inputs, technique_product, R, limits, cost)

    def columns(v: FloatArray, M: sp.csr_array, chosen: IndexArray, sigma: float
                ) -> tuple[IndexArray, FloatArray, FloatArray]:
        if v @ quantity >= sigma * (1 - 1e-12):
            return np.zeros(0, dtype=np.int64), np.zeros(0), np.zeros((limits.size + 1, 0))
        gross = _gross(M, chosen, quantity, cost.size)  # one solve, not one per resource
        return (np.zeros(1, dtype=np.int64), np.array([cost @ gross]),
                np.append(e.R @ gross, 1.0)[:, None])

    def bound(cheapest: Cheapest, nu: FloatArray, _: Any
              ) -> tuple[float, FloatArray, FloatArray]:
        v = cheapest.values
        return float(v @ quantity - limits @ nu), v, nu

    plan = _generate(e, _Master(limits, convex=True), columns, bound, time_limit, rounds,
                     _baskets(quantity))
    return replace(plan, value=float(cost @ plan.activity))


def kantorovich(inputs: Any, technique_product: IndexArray, R: Any, limits: FloatArray,
                quantity: FloatArray, *, time_limit: float | None = None,
                rounds: int = ROUNDS) -> PolicyPlan:
    """``max lambda`` with ``N z >= lambda quantity`` and ``R z <= limits`` (finite), no
    capacities: the value is lambda, the least fulfilment of the targets.

    Raises :class:`NoLimit` where the target is made without any limited resource, and
    :class:`PoliciesFailed` where no certified optimum is reached.
    """
    e = _economy(inputs, technique_product, R, limits, np.zeros(len(technique_product)))

    def columns(v: FloatArray, M: sp.csr_array, chosen: IndexArray, _: Any
                ) -> tuple[IndexArray, FloatArray, FloatArray]:
        gross = _gross(M, chosen, quantity, e.cost.size)  # one solve, not one per resource
        use = e.R @ gross  # limited resources per target made
        if not (use > 0).any():
            raise NoLimit(gross)
        # Its reduced cost is v . y - 1 at the master's prices (nu . use = v . y): once no
        # policy makes it negative, the bound below meets the master's lambda and ends the loop.
        return np.zeros(1, dtype=np.int64), np.array([-1.0]), use[:, None]

    def bound(cheapest: Cheapest, nu: FloatArray, _: Any
              ) -> tuple[float, FloatArray, FloatArray]:
        v = cheapest.values
        worth = float(v @ quantity)
        if worth <= 0:
            return -np.inf, v, nu
        return -float(limits @ nu) / worth, v / worth, nu / worth

    plan = _generate(e, _Master(limits, convex=False), columns, bound, time_limit, rounds,
                     _baskets(quantity))
    return replace(plan, value=-plan.value, bound=-plan.bound)


@dataclass(frozen=True, eq=False)
class Envelope:
    """A concave piecewise-linear score: the least of the lines ``slope * s + intercept``,
    for s in ``[lower, upper]`` (the harmony LP's tangents and the box of its surpluses)."""

    slope: FloatArray  # decreasing
    intercept: FloatArray
    lower: float
    upper: float

    def __call__(self, s: FloatArray) -> FloatArray:
        return np.asarray(np.min(self.intercept + self.slope * s[..., None], axis=-1))

    @cached_property
    def candidates(self) -> FloatArray:
        """Where a linear function of s is largest on the score: the box's ends and the
        kinks between them (where consecutive lines cross)."""
        kinks = np.diff(self.intercept) / -np.diff(self.slope)
        inside = kinks[(kinks > self.lower) & (kinks < self.upper)]
        return np.unique(np.concatenate([[self.lower], inside, [self.upper]]))

    def best(self, weight: FloatArray, price: FloatArray) -> tuple[IndexArray, FloatArray]:
        """Per target, the candidate surplus that maximises ``weight H(s) - price s``, and
        that maximum."""
        s = self.candidates
        pay = weight[:, None] * self(s) - price[:, None] * s
        pick = np.argmax(pay, axis=1)
        return pick, pay[np.arange(pick.size), pick]


def harmony(inputs: Any, technique_product: IndexArray, R: Any, limits: FloatArray,
            quantity: FloatArray, weight: FloatArray, envelope: Envelope,
            start: FloatArray, start_prices: FloatArray, *, time_limit: float | None = None,
            rounds: int = ROUNDS) -> PolicyPlan:
    """``max sum_j weight_j H(s_j)`` over the targets j (``quantity > 0``) with
    ``N z >= quantity (1 + s)``, s in the envelope's box and ``R z <= limits``, no capacities.

    ``start`` (activity per technique) must meet every row with s at or above the box's lower
    end, as the Kantorovich optimum does when the box starts at its least fulfilment: the
    surpluses can leave too little room for the master to find a first mix on its own. The
    value is the harmony sum at the surpluses the plan makes, capped at the box's top.

    ``start_prices`` (per limited resource; the Kantorovich optimum's) give the direction of
    the first prices. Above that least fulfilment, every product they value is already at
    the box's lower end, so the start is often optimal: the best multiple of them certifies
    it in one round, where the master's own first prices would take many to find it.
    """
    e = _economy(inputs, technique_product, R, limits, np.zeros(len(technique_product)))
    tg = np.flatnonzero(quantity > 0)
    y, w = quantity[tg], weight[tg]
    surplus = envelope.candidates
    picks: list[IndexArray] = []

    def net_of(s: FloatArray) -> FloatArray:
        net = np.zeros(e.n_products)
        net[tg] = y * (1.0 + s)
        return net

    def columns(v: FloatArray, M: sp.csr_array, chosen: IndexArray, _: Any) -> Column:
        pick = envelope.best(w, v[tg] * y)[0]
        s = surplus[pick]
        gross = _gross(M, chosen, net_of(s), e.cost.size)
        picks.append(pick.astype(np.int8 if surplus.size < 128 else np.int64))
        return (np.array([len(picks) - 1]), np.array([-float(w @ envelope(s))]),
                np.append(e.R @ gross, 1.0)[:, None])

    def bound(cheapest: Cheapest, nu: FloatArray, column: Callable[[], Column]
              ) -> tuple[float, FloatArray, FloatArray]:
        # The Lagrangian at the round's column (which maximises it): from its own resource
        # use, not from v . y, whose rounding the large prices would blow up.
        _, objective, use = column()
        return float(objective[0]) + float(nu @ (use[:-1, 0] - limits)), cheapest.values, nu

    def net_output(codes: IndexArray, shares: FloatArray) -> FloatArray:
        net = np.zeros(e.n_products)
        for code, share in zip(codes, shares, strict=True):
            net[tg] += share * y * (1.0 + surplus[picks[code]])
        return net

    s0 = np.clip(_net(e, start)[tg] / y - 1.0, envelope.lower, envelope.upper)
    seed = (-float(w @ envelope(s0)), np.append(e.R @ start, 1.0), start)
    nu = _best_multiple(e, envelope, w, y, tg, start_prices)
    plan = _generate(e, _Master(limits, convex=True, exact=True), columns, bound, time_limit,
                     rounds, net_output, seed, nu, stabilise=True)
    s = np.minimum(plan.net_output[tg] / y - 1.0, envelope.upper)
    over = float(np.max((e.R @ plan.activity - limits) / np.maximum(limits, 1e-300),
                        initial=0.0))
    if over > 1e-9 or (s < envelope.lower - 1e-9 * max(1.0, abs(envelope.lower))).any():
        raise PoliciesFailed(f"the master's plan breaks a limit ({over:.2g}) or a least "
                             "fulfilment")
    return replace(plan, value=float(w @ envelope(s)), bound=-plan.bound)


def _best_multiple(e: _Economy, envelope: Envelope, w: FloatArray, y: FloatArray,
                   tg: IndexArray, nu: FloatArray) -> FloatArray:
    """The multiple ``t nu`` of resource prices whose Lagrangian bound on the harmony is least.

    At ``t nu`` the cheapest policy is the one at nu and its values are ``t v``, so the bound
    ``t (limits . nu - v . y) + sum_j max_s (w_j H(s) - t v_j y_j s)`` is convex and piecewise
    linear in t, with its kinks where a target's best surplus changes: the least is at one of
    them, found by bisection."""
    if not (nu > 0).any():
        return nu
    v = _cheapest_policy(e, nu).values
    c = v[tg] * y
    surplus = envelope.candidates
    slopes = np.diff(envelope(surplus)) / np.diff(surplus)
    priced = c > 0
    kinks = np.unique((w[priced, None] * slopes[None, :] / c[priced, None]).ravel())
    kinks = kinks[kinks > 0]
    if not kinks.size:
        return nu
    fixed = float(e.limits @ nu - c.sum())

    def bound(t: float) -> float:
        return t * fixed + float(envelope.best(w, t * c)[1].sum())

    lo, hi = 0, kinks.size - 1  # the least of a convex function over the sorted kinks
    while lo < hi:
        mid = (lo + hi) // 2
        if bound(float(kinks[mid + 1])) < bound(float(kinks[mid])):
            lo = mid + 1
        else:
            hi = mid
    return np.asarray(kinks[lo] * nu, dtype=np.float64)


def _economy(inputs: Any, technique_product: IndexArray, R: Any, limits: FloatArray,
             cost: FloatArray) -> _Economy:
    return _Economy(sp.csr_array(inputs), np.asarray(technique_product), sp.csr_array(R),
                    np.asarray(limits, dtype=np.float64), cost)


Column = tuple[IndexArray, FloatArray, FloatArray]  # codes, objective, use of each row
Columns = Callable[[FloatArray, sp.csr_array, IndexArray, float], Column]
Cheapest = nonsubstitution.CheapestChoice
Bound = Callable[[Cheapest, FloatArray, Callable[[], Column]],
                 tuple[float, FloatArray, FloatArray]]
NetOutput = Callable[[IndexArray, FloatArray], FloatArray]
Seed = tuple[float, FloatArray, FloatArray]  # a plan's objective, use of each row, activity


def _baskets(quantity: FloatArray) -> NetOutput:
    """Net output of columns that each make the whole target, by their shares."""
    return lambda _, shares: float(shares.sum()) * quantity


def _round_column(columns: Columns, cheapest: Cheapest, sigma: float) -> Callable[[], Column]:
    """The round's columns, computed on first use and only once (by the bound, or for the
    master)."""
    return cache(lambda: columns(cheapest.values, sp.csr_array(cheapest.inputs),
                                 cheapest.chosen, sigma))


def _generate(e: _Economy, master: _Master, columns: Columns, bound: Bound,
              time_limit: float | None, rounds: int, net_output: NetOutput,
              seed: Seed | None = None, nu: FloatArray | None = None,
              stabilise: bool = False) -> PolicyPlan:
    """The rounds shared by every objective, on the master's (minimising) sign.

    ``columns(v, M, chosen, sigma)`` gives the new columns of the cheapest policy (its values
    v, inputs M and techniques) at the convexity price sigma: their codes (a product, or what
    ``net_output`` needs), objective and use of each master row; ``bound(cheapest, nu,
    column)`` the lower bound those prices prove, with the product and resource prices that
    prove it (``column()`` gives the round's columns, computed once, for a bound that needs
    them);
    ``net_output(codes, shares)`` the net output of one policy's columns at those shares.
    A ``seed`` plan that meets every row is the master's first plan, and ``nu`` the first
    resource prices (by default each resource by the share of its limit). ``stabilise`` keeps
    each round's prices in a box around the best so far (see :meth:`_Master.box`), for masters
    whose first prices swing far off: the box halves when its prices prove no better bound and
    doubles (up to :data:`WIDEST`) when they do."""
    t0 = time.perf_counter()
    if nu is None:
        nu = 1.0 / np.maximum(e.limits, 1e-300)
    sigma = np.inf  # the price of the convexity row, where there is one
    policies: list[IndexArray] = []  # chosen technique per product
    start: IndexArray | None = None
    best: tuple[float, FloatArray, FloatArray] | None = None
    if seed is not None:
        master.seed(seed[0], seed[1])
    centre, radius = nu, BOX
    for k in range(1, rounds + 1):
        left = None if time_limit is None else time_limit - (time.perf_counter() - t0)
        if left is not None and left <= 0:
            raise PoliciesFailed(f"time limit of {time_limit:.3g} s reached after {k - 1} "
                                 "rounds")
        if master.artificial > 1e-12 and k > PHASE_ONE:
            raise PoliciesFailed(f"no mix of policies met the limits in {PHASE_ONE} rounds")
        cheapest = _cheapest_policy(e, nu, start)
        start = cheapest.chosen
        column = _round_column(columns, cheapest, sigma)
        if master.columns:
            found = bound(cheapest, nu, column)
            if best is None or found[0] > best[0]:
                best, centre, radius = found, nu, min(radius / SHRINK, WIDEST)
            else:
                radius *= SHRINK
            if master.certified_by(best[0]):
                break
        made, objective, use = column()
        if not made.size:
            raise PoliciesFailed("no mix of policies meets the limits" if master.artificial > 0
                                 else "no column prices out, yet the bound is not reached")
        policies.append(cheapest.chosen)
        master.add(len(policies) - 1, made, objective, use)
        if stabilise:
            master.box(centre, radius)
        nu, sigma = master.solve(left)
    else:
        raise PoliciesFailed(f"not certified after {rounds} rounds")
    assert best is not None
    activity = _activity(e, master, policies, net_output, seed)
    return PolicyPlan(activity, _net(e, activity), master.value,
                      best[0], best[1], best[2], k, time.perf_counter() - t0)


def _net(e: _Economy, activity: FloatArray) -> FloatArray:
    """Net output per product of an activity per technique (``N z``)."""
    made = np.bincount(e.technique_product, weights=activity, minlength=e.n_products)
    return np.asarray(made - e.inputs.T @ activity, dtype=np.float64)


def _cheapest_policy(e: _Economy, nu: FloatArray, start: IndexArray | None = None
                     ) -> Cheapest:
    """Howard's cheapest policy at resource prices nu (from ``start``, a policy)."""
    try:
        return nonsubstitution.cheapest_techniques(
            e.inputs, e.cost + e.R.T @ nu, e.technique_product, np.arange(e.n_products),
            start=start)
    except CouncilplanError as exc:  # not productive, or Howard not converging
        raise PoliciesFailed(f"policy iteration failed: {exc}") from exc


def _activity(e: _Economy, master: _Master, policies: list[IndexArray], net_output: NetOutput,
              seed: Seed | None) -> FloatArray:
    """The master's plan: each used policy's gross output for its columns' net output (one
    Leontief solve per policy), plus the seed plan at its share."""
    activity = np.zeros(e.cost.size)
    for index, codes, shares in master.used():
        if index == SEED:
            assert seed is not None
            activity += float(shares.sum()) * seed[2]
            continue
        chosen = policies[index]
        activity += _gross(sp.csr_array(e.inputs[chosen]), chosen, net_output(codes, shares),
                           activity.size)
    return activity


def _values(M: sp.csr_array, chosen: IndexArray, direct: sp.csr_array) -> FloatArray:
    """Per unit net output of each product under the policy (``M`` its inputs, products by
    products), each direct cost column of ``direct`` (techniques by costs) in full:
    ``Z = M Z + direct_P``."""
    return _leontief(M, direct[chosen].toarray())


def _gross(M: sp.csr_array, chosen: IndexArray, net: FloatArray, n_techniques: int
           ) -> FloatArray:
    """Activity per technique that makes ``net`` under the policy: ``x = M' x + net``."""
    activity = np.zeros(n_techniques)
    activity[chosen] = _leontief(sp.csr_array(M.T), net[:, None])[:, 0]
    return activity


def _leontief(matrix: sp.csr_array, rhs: FloatArray) -> FloatArray:
    """``Z = matrix Z + rhs``; a policy that does not converge ends the method."""
    try:
        return solve_block(matrix, rhs)
    except CrossoverFailed as exc:
        raise PoliciesFailed(str(exc)) from exc


class _Master:
    """``min obj . x  s.t.  sum U x <= limits`` (and ``sum x >= 1`` where ``convex``, ``= 1``
    where also ``exact``) over the (policy, code) columns so far; an artificial column keeps
    the convex master feasible at a cost of :data:`PENALTY` times the first column's size.

    Rows are scaled to limits of 1 and each column to a largest entry of 1: HiGHS drops
    entries below 1e-9, and a product made with very little of every resource would
    otherwise look free and the master unbounded."""

    def __init__(self, limits: FloatArray, *, convex: bool, exact: bool = False) -> None:
        self.h = configured_highs("simplex", 1e-10)
        set_option(self.h, "simplex_strategy", 4)  # primal: new columns join a primal basis
        self.convex = convex
        self.exact = exact
        m = limits.size
        self.row_scale = np.where(limits > 0, 1.0 / np.where(limits > 0, limits, 1.0), 1.0)
        if convex:
            self.row_scale = np.append(self.row_scale, 1.0)
        lower = np.append(np.full(m, -highspy.kHighsInf), 1.0) if convex else np.full(
            m, -highspy.kHighsInf)
        upper = np.append(limits * self.row_scale[:m], 1.0 if exact else highspy.kHighsInf
                          ) if convex else limits * self.row_scale
        self.col_scale = np.zeros(0)
        self.objective = np.zeros(0)  # per column: what a unit of it adds to the plan's value
        self.h.addRows(lower.size, lower, upper.astype(np.float64), 0,
                       np.zeros(0, dtype=np.int32), np.zeros(0, dtype=np.int32), np.zeros(0))
        self.policy: list[IndexArray] = []
        self.code: list[IndexArray] = []  # per column: a product, or what net_output reads
        self.columns = 0
        self.value = 0.0
        self.x = np.zeros(0)
        self.artificial = 0.0
        self.stabilisers = np.zeros(0, dtype=np.int64)  # their master columns, two per limit

    def add(self, policy: int, codes: IndexArray, objective: FloatArray, use: FloatArray
            ) -> None:
        """Columns (policy, code) with their objective and use of each row."""
        if self.convex and not self.columns:
            self._add(np.array([PENALTY * max(abs(float(objective[0])), 1.0)]),
                      np.eye(use.shape[0])[:, -1:])
            self.objective[-1] = 0.0  # no plan's
            self.policy.append(np.array([ARTIFICIAL]))
            self.code.append(np.zeros(1, dtype=np.int64))
        self._add(objective, use)
        self.policy.append(np.full(codes.size, policy))
        self.code.append(codes)
        self.columns += codes.size

    def seed(self, objective: float, use: FloatArray) -> None:
        """A first column that meets every row on its own: the master's plan until solved."""
        self.add(SEED, np.zeros(1, dtype=np.int64), np.array([objective]), use[:, None])
        self.x = np.r_[np.zeros(self.col_scale.size - 1), 1.0]
        self.value = objective

    def _add(self, objective: FloatArray, use: FloatArray) -> None:
        use = use * self.row_scale[:, None]
        largest = use.max(axis=0, initial=0.0)
        scale = np.where(largest > 0, 1.0 / np.where(largest > 0, largest, 1.0), 1.0)
        self.col_scale = np.append(self.col_scale, scale)
        self.objective = np.append(self.objective, objective)
        columns = sp.csc_array(use * scale)
        k = objective.size
        self.h.addCols(k, (objective * scale).astype(np.float64), np.zeros(k),
                       np.full(k, highspy.kHighsInf), columns.nnz,
                       columns.indptr.astype(np.int32), columns.indices.astype(np.int32),
                       np.asarray(columns.data, np.float64))

    def solve(self, time_limit: float | None) -> tuple[FloatArray, float]:
        """Solve warm; the resource prices (non-negative) and the convexity row's price."""
        set_option(self.h, "time_limit", np.inf if time_limit is None else float(time_limit))
        self.h.run()
        status = self.h.getModelStatus()
        if status != highspy.HighsModelStatus.kOptimal:
            raise PoliciesFailed(f"master LP: {self.h.modelStatusToString(status)}")
        solution = self.h.getSolution()
        self.x = np.asarray(solution.col_value, dtype=np.float64) * self.col_scale
        # The plan's value, without the artificial and the stabilisers: at HiGHS's tolerance
        # a stabiliser sits at -1e-10 or so, and its cost, a whole limit's price, would make
        # that a large error.
        self.value = float(self.x @ self.objective)
        self.artificial = float(self.x[0]) if self.convex else 0.0
        duals = np.asarray(solution.row_dual, dtype=np.float64) * self.row_scale
        if self.convex:
            return np.maximum(-duals[:-1], 0.0), float(duals[-1]) if self.exact else max(
                float(duals[-1]), 0.0)
        return np.maximum(-duals, 0.0), np.inf

    def certified_by(self, bound: float) -> bool:
        """Whether the master's plan is one (no artificial share, no limit broken in a box)
        and ``bound`` proves it optimal to :data:`GAP`."""
        return self.artificial <= 1e-12 and not self.stabilised and (
            self.value - bound <= GAP * max(1.0, abs(self.value), abs(bound)))

    @property
    def stabilised(self) -> bool:
        """Whether a box holds the prices: the master's plan then breaks a limit, or (a
        stabiliser basic a hair below zero, within HiGHS's tolerance) breaks it by a hair,
        which the harmony stage's large prices turn into a visible gain; either way its value
        is no plan's."""
        return bool((np.abs(self.x[self.stabilisers]) > 1e-12).any())

    def box(self, centre: FloatArray, radius: float) -> None:
        """Keep the resource prices within ``radius`` (a share) of ``centre``: a column that
        may break limit i at price ``high_i`` per unit, and one that may leave it unused at
        ``low_i`` (box-step stabilisation). Each side also reaches ``radius`` times
        :data:`FLOOR` of the dearest limit's price, so a limit priced at nothing can rise."""
        m = centre.size
        scaled = centre / self.row_scale[:m]  # the price of each whole limit
        reach = radius * (scaled + FLOOR * scaled.max(initial=0.0))
        high, low = scaled + reach, np.maximum(scaled - reach, 0.0)
        if not self.stabilisers.size:
            self.stabilisers = np.arange(self.col_scale.size, self.col_scale.size + 2 * m)
            unit = sp.csc_array(sp.vstack([sp.hstack([-sp.eye_array(m), sp.eye_array(m)]),
                                           sp.csr_array((self.row_scale.size - m, 2 * m))]))
            self.h.addCols(2 * m, np.zeros(2 * m), np.zeros(2 * m),
                           np.full(2 * m, highspy.kHighsInf), unit.nnz,
                           unit.indptr.astype(np.int32), unit.indices.astype(np.int32),
                           np.asarray(unit.data, np.float64))
            self.col_scale = np.append(self.col_scale, np.ones(2 * m))
            self.objective = np.append(self.objective, np.zeros(2 * m))
            self.policy.append(np.full(2 * m, STABILISER))
            self.code.append(np.zeros(2 * m, dtype=np.int64))
        for col, cost in zip(self.stabilisers, np.concatenate([high, -low]), strict=True):
            self.h.changeColCost(int(col), float(cost))

    def used(self) -> list[tuple[int, IndexArray, FloatArray]]:
        """Per policy in use (or the seed), its used columns' codes and shares."""
        policy, code = np.concatenate(self.policy), np.concatenate(self.code)
        used = (self.x > 0) & (policy != ARTIFICIAL) & (policy != STABILISER)
        return [(int(index), code[used & (policy == index)], self.x[used & (policy == index)])
                for index in np.unique(policy[used])]
