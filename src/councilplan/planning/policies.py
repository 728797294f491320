"""Plans without capacities, exactly, by column generation over technique policies.

Three plan LPs without capacities have a structure the general LP solvers cannot see:

* weighted output, ``max w . N z  s.t.  N z >= 0, R z <= limits``;
* least cost, ``min c . z  s.t.  N z >= y, R z <= limits`` (c is labour);
* Kantorovich, ``max lambda  s.t.  N z >= lambda y, R z <= limits``.

A *policy* picks one technique per product. At resource prices nu, one policy is cheapest for
every net output at once (the non-substitution theorem), and Howard's policy iteration finds
it with its values v(nu) at direct cost ``c + R' nu``. Every plan is a mix of policies, so
each LP is a master over columns "policy P makes net output d" with only the resource rows
(Dantzig-Wolfe). A column uses ``U_P d`` of the resources, where ``U_P`` are the policy's
resource values. For weighted output, d is one unit of a product i and earns ``w_i``; for
least cost, d is the whole target y, costs ``v_P(c) . y``, and the columns' shares sum to 1;
for Kantorovich, d is the whole target y too, and each unit of the columns adds 1 to lambda.

Each round, the master (HiGHS primal simplex, warm) gives the resource prices. Howard finds
the cheapest policy at them, and its columns with a better reduced cost join. Any prices
prove a bound by weak duality:

* weighted output: scaled by ``t = max(1, max_i w_i / v_i)``, the prices ``t v`` and
  ``t nu`` are dual feasible, and ``t limits . nu`` bounds the optimum from above;
* least cost: ``v . y - limits . nu`` bounds it from below (the Lagrangian);
* Kantorovich: scaled by ``1 / (v . y)``, the prices ``v`` and ``nu`` are dual feasible and
  value the target at 1, so ``limits . nu / (v . y)`` bounds lambda from above.

The method stops when the bound is within :data:`GAP` of the master's value. The plan (each
used policy's gross output, one Leontief solve per policy) is checked against every row by
the caller.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, replace
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
BASKET = -1  # the product of a column that makes the whole target y


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

    def bound(v: FloatArray, nu: FloatArray) -> tuple[float, FloatArray, FloatArray]:
        with np.errstate(divide="ignore", invalid="ignore"):
            ratio = np.where(v[valued] > 0, weight[valued] / v[valued], np.inf)
        t = max(1.0, float(ratio.max(initial=0.0)))
        return -t * float(limits @ nu), t * v, t * nu

    plan = _generate(e, _Master(limits, convex=False), columns, bound, time_limit, rounds)
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
        return np.array([BASKET]), np.array([cost @ gross]), np.append(e.R @ gross, 1.0)[:, None]

    def bound(v: FloatArray, nu: FloatArray) -> tuple[float, FloatArray, FloatArray]:
        return float(v @ quantity - limits @ nu), v, nu

    plan = _generate(e, _Master(limits, convex=True), columns, bound, time_limit, rounds,
                     basket=quantity)
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
        return np.array([BASKET]), np.array([-1.0]), use[:, None]

    def bound(v: FloatArray, nu: FloatArray) -> tuple[float, FloatArray, FloatArray]:
        worth = float(v @ quantity)
        if worth <= 0:
            return -np.inf, v, nu
        return -float(limits @ nu) / worth, v / worth, nu / worth

    plan = _generate(e, _Master(limits, convex=False), columns, bound, time_limit, rounds,
                     basket=quantity)
    return replace(plan, value=-plan.value, bound=-plan.bound)


def _economy(inputs: Any, technique_product: IndexArray, R: Any, limits: FloatArray,
             cost: FloatArray) -> _Economy:
    return _Economy(sp.csr_array(inputs), np.asarray(technique_product), sp.csr_array(R),
                    np.asarray(limits, dtype=np.float64), cost)


Columns = Callable[[FloatArray, sp.csr_array, IndexArray, float],
                   tuple[IndexArray, FloatArray, FloatArray]]
Bound = Callable[[FloatArray, FloatArray], tuple[float, FloatArray, FloatArray]]


def _generate(e: _Economy, master: _Master, columns: Columns, bound: Bound,
              time_limit: float | None, rounds: int, basket: FloatArray | None = None
              ) -> PolicyPlan:
    """The rounds shared by both objectives, on the master's (minimising) sign.

    ``columns(v, M, chosen, sigma)`` gives the new columns of the cheapest policy (its values
    v, inputs M and techniques) at the convexity price sigma: their products, objective and
    use of each master row; ``bound(v, nu)`` the lower bound those prices prove, with the
    product and resource prices that prove it."""
    t0 = time.perf_counter()
    products = np.arange(e.n_products)
    nu = 1.0 / np.maximum(e.limits, 1e-300)  # each resource by the share of its limit
    sigma = np.inf  # the price of the convexity row, where there is one
    policies: list[IndexArray] = []  # chosen technique per product
    start: IndexArray | None = None
    best: tuple[float, FloatArray, FloatArray] | None = None
    for k in range(1, rounds + 1):
        left = None if time_limit is None else time_limit - (time.perf_counter() - t0)
        if left is not None and left <= 0:
            raise PoliciesFailed(f"time limit of {time_limit:.3g} s reached after {k - 1} "
                                 "rounds")
        if master.artificial > 0 and k > PHASE_ONE:
            raise PoliciesFailed(f"no mix of policies met the limits in {PHASE_ONE} rounds")
        try:
            cheapest = nonsubstitution.cheapest_techniques(
                e.inputs, e.cost + e.R.T @ nu, e.technique_product, products, start=start)
        except CouncilplanError as exc:  # not productive, or Howard not converging
            raise PoliciesFailed(f"policy iteration failed: {exc}") from exc
        start = cheapest.chosen
        if master.columns:
            found = bound(cheapest.values, nu)
            if best is None or found[0] > best[0]:
                best = found
            if master.artificial <= 0 and master.value - best[0] <= GAP * max(
                    1.0, abs(master.value), abs(best[0])):
                break
        M = sp.csr_array(cheapest.inputs)
        made, objective, use = columns(cheapest.values, M, cheapest.chosen, sigma)
        if not made.size:
            raise PoliciesFailed("no mix of policies meets the limits" if master.artificial > 0
                                 else "no column prices out, yet the bound is not reached")
        policies.append(cheapest.chosen)
        master.add(len(policies) - 1, made, objective, use)
        nu, sigma = master.solve(left)
    else:
        raise PoliciesFailed(f"not certified after {rounds} rounds")
    assert best is not None
    activity = np.zeros(e.cost.size)
    for index, net in master.net_outputs(e.n_products, basket):
        chosen = policies[index]
        activity += _gross(sp.csr_array(e.inputs[chosen]), chosen, net, activity.size)
    net_output = np.bincount(e.technique_product, weights=activity,
                             minlength=e.n_products) - e.inputs.T @ activity
    return PolicyPlan(activity, np.asarray(net_output, dtype=np.float64), master.value,
                      best[0], best[1], best[2], k, time.perf_counter() - t0)


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
    """``min obj . x  s.t.  sum U x <= limits`` (and ``sum x >= 1`` where ``convex``) over
    the (policy, product) columns so far; an artificial column keeps the convex master
    feasible at a cost of :data:`PENALTY` times the first column's.

    Rows are scaled to limits of 1 and each column to a largest entry of 1: HiGHS drops
    entries below 1e-9, and a product made with very little of every resource would
    otherwise look free and the master unbounded."""

    def __init__(self, limits: FloatArray, *, convex: bool) -> None:
        self.h = configured_highs("simplex", 1e-10)
        set_option(self.h, "simplex_strategy", 4)  # primal: new columns join a primal basis
        self.convex = convex
        m = limits.size
        self.row_scale = np.where(limits > 0, 1.0 / np.where(limits > 0, limits, 1.0), 1.0)
        if convex:
            self.row_scale = np.append(self.row_scale, 1.0)
        lower = np.append(np.full(m, -highspy.kHighsInf), 1.0) if convex else np.full(
            m, -highspy.kHighsInf)
        upper = np.append(limits * self.row_scale[:m], highspy.kHighsInf) if convex else (
            limits * self.row_scale)
        self.col_scale = np.zeros(0)
        self.h.addRows(lower.size, lower, upper.astype(np.float64), 0,
                       np.zeros(0, dtype=np.int32), np.zeros(0, dtype=np.int32), np.zeros(0))
        self.policy: list[IndexArray] = []
        self.product: list[IndexArray] = []
        self.columns = 0
        self.value = 0.0
        self.x = np.zeros(0)
        self.artificial = 0.0

    def add(self, policy: int, products: IndexArray, objective: FloatArray, use: FloatArray
            ) -> None:
        """Columns (policy, product) with their objective and use of each row."""
        if self.convex and not self.columns:
            self._add(np.array([PENALTY * max(float(objective[0]), 1.0)]),
                      np.eye(use.shape[0])[:, -1:])
            self.policy.append(np.array([-1]))
            self.product.append(np.array([BASKET]))
        self._add(objective, use)
        self.policy.append(np.full(products.size, policy))
        self.product.append(products)
        self.columns += products.size

    def _add(self, objective: FloatArray, use: FloatArray) -> None:
        use = use * self.row_scale[:, None]
        largest = use.max(axis=0, initial=0.0)
        scale = np.where(largest > 0, 1.0 / np.where(largest > 0, largest, 1.0), 1.0)
        self.col_scale = np.append(self.col_scale, scale)
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
        self.value = float(self.h.getInfo().objective_function_value)
        self.artificial = float(self.x[0]) if self.convex else 0.0
        duals = np.asarray(solution.row_dual, dtype=np.float64) * self.row_scale
        if self.convex:
            return np.maximum(-duals[:-1], 0.0), max(float(duals[-1]), 0.0)
        return np.maximum(-duals, 0.0), np.inf

    def net_outputs(self, n: int, basket: FloatArray | None) -> list[tuple[int, FloatArray]]:
        """Per used policy, the net output its columns make."""
        policy, product = np.concatenate(self.policy), np.concatenate(self.product)
        used = (self.x > 0) & (policy >= 0)
        out = []
        for index in np.unique(policy[used]):
            mine = used & (policy == index)
            single = mine & (product >= 0)
            net = np.bincount(product[single], weights=self.x[single], minlength=n)
            if basket is not None:
                net = net + self.x[mine & (product == BASKET)].sum() * basket
            out.append((int(index), np.asarray(net, dtype=np.float64)))
        return out
