"""Most valued net output without capacities, exactly, by column generation over policies.

``max w . N z  s.t.  N z >= 0, R z <= limits, z >= 0`` (weighted output, no capacities) has a
structure the general LP solvers cannot see. A *policy* picks one technique per product; at
given resource prices nu one policy is cheapest for every net output at once (the
non-substitution theorem), and Howard's policy iteration finds it with its values v(nu).
Every plan is a mix of "policy P makes one unit of product i net", so the LP is a master over
such columns with only the resource rows (Dantzig-Wolfe): a column costs its resources per
unit, ``U_P[:, i]`` (a row of the policy's resource values), and earns ``w_i``.

Each round the master (HiGHS primal simplex, warm) gives resource prices nu; Howard finds the
cheapest policy at nu; the products where ``w_i > v_i(nu)`` join as columns. Any nu proves a
bound: scaled by ``t = max(1, max_i w_i / v_i)``, the prices ``p = t v`` and ``t nu`` are
dual feasible, so ``t limits . nu`` bounds the optimum (weak duality). The method stops when
that bound is within :data:`GAP` of the master's value, and the plan (each used policy's
gross output, one Leontief solve per policy) is checked against every row by the caller.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
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


class PoliciesFailed(Exception):
    """No certified optimum; the caller solves the LP instead."""


class NoLimit(Exception):
    """A valued product is made without any limited resource: the weighted output is unbounded
    along ``direction`` (activity per technique for one unit of it net)."""

    def __init__(self, direction: FloatArray) -> None:
        super().__init__("unbounded")
        self.direction = direction


@dataclass(frozen=True, eq=False)
class WeightedOutput:
    """A certified optimum: activities, net output, prices and the bound that proves it."""

    activity: FloatArray  # per technique
    net_output: FloatArray  # per product (N z)
    value: float  # w . N z
    bound: float  # what weak duality proves from the prices below
    product_prices: FloatArray  # p = t v(nu) >= w: what one more unit of each costs
    resource_prices: FloatArray  # t nu
    rounds: int
    seconds: float

    @property
    def gap(self) -> float:
        return (self.bound - self.value) / max(1.0, abs(self.value), abs(self.bound))


def weighted_output(inputs: Any, technique_product: IndexArray, R: Any, limits: FloatArray,
                    weight: FloatArray, *, time_limit: float | None = None,
                    rounds: int = ROUNDS) -> WeightedOutput:
    """``max weight . N z`` with ``N z >= 0`` and ``R z <= limits`` (finite), no capacities.

    ``inputs`` is (techniques, products), ``R`` (limited resources, techniques). Raises
    :class:`NoLimit` naming a valued product that needs no limited resource, and
    :class:`PoliciesFailed` where no certified optimum is reached in ``rounds`` rounds or
    ``time_limit`` seconds.
    """
    t0 = time.perf_counter()
    inputs, R = sp.csr_array(inputs), sp.csr_array(R)
    n = int(technique_product.max(initial=-1)) + 1
    products = np.arange(n)
    valued = np.flatnonzero(weight > 0)
    nu = 1.0 / np.maximum(limits, 1e-300)  # each resource by the share of its limit
    master = _Master(limits)
    policies: list[IndexArray] = []  # chosen technique per product
    start: IndexArray | None = None
    best: tuple[float, FloatArray, FloatArray] | None = None
    for k in range(1, rounds + 1):
        left = None if time_limit is None else time_limit - (time.perf_counter() - t0)
        if left is not None and left <= 0:
            raise PoliciesFailed(f"time limit of {time_limit:.3g} s reached after {k - 1} "
                                 "rounds")
        try:
            cheapest = nonsubstitution.cheapest_techniques(
                inputs, np.asarray(R.T @ nu), technique_product, products, start=start)
        except CouncilplanError as exc:  # not productive, or Howard not converging
            raise PoliciesFailed(f"policy iteration failed: {exc}") from exc
        start = cheapest.chosen
        v = cheapest.values
        if master.columns:
            bound, scale = _bound(limits, nu, v, weight, valued)
            if np.isfinite(bound) and (best is None or bound < best[0]):
                best = (bound, scale * v, scale * nu)
            if best is not None and (best[0] - master.value) <= GAP * max(
                    1.0, abs(master.value), abs(best[0])):
                return _result(master, policies, best, n, technique_product, inputs, weight,
                               k, time.perf_counter() - t0)
        profitable = valued[weight[valued] > v[valued] * (1 + 1e-12)]
        if not profitable.size:
            raise PoliciesFailed("no column prices out, yet the bound is not reached")
        M = sp.csr_array(cheapest.inputs)
        use = _resource_values(M, cheapest.chosen, R)
        free = profitable[~(use[profitable] > 0).any(axis=1)]
        if free.size:
            unit = np.zeros(n)
            unit[free[0]] = 1.0
            raise NoLimit(_gross(M, cheapest.chosen, unit, technique_product.size))
        policies.append(cheapest.chosen)
        master.add(len(policies) - 1, profitable, use[profitable].T, weight[profitable])
        nu = master.solve(left)
    raise PoliciesFailed(f"not certified after {rounds} rounds")


def _resource_values(M: sp.csr_array, chosen: IndexArray, R: sp.csr_array) -> FloatArray:
    """Each limited resource used, directly and indirectly, per unit net output of each
    product under the policy (``M`` its inputs, products by products): ``Z = M Z + R_P'``."""
    try:
        return solve_block(M, R[:, chosen].T.toarray())
    except CrossoverFailed as exc:
        raise PoliciesFailed(str(exc)) from exc


def _gross(M: sp.csr_array, chosen: IndexArray, net: FloatArray, n_techniques: int
           ) -> FloatArray:
    """Activity per technique that makes ``net`` under the policy: ``x = M' x + net``."""
    activity = np.zeros(n_techniques)
    activity[chosen] = solve_block(sp.csr_array(M.T), net[:, None])[:, 0]
    return activity


def _bound(limits: FloatArray, nu: FloatArray, v: FloatArray, weight: FloatArray,
           valued: IndexArray) -> tuple[float, float]:
    """Weak duality: ``t v`` and ``t nu`` with ``t v >= w`` are dual feasible."""
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(v[valued] > 0, weight[valued] / v[valued], np.inf)
    scale = max(1.0, float(ratio.max(initial=0.0)))
    return scale * float(limits @ nu), scale


def _result(master: _Master, policies: list[IndexArray], best: tuple[float, FloatArray,
            FloatArray], n: int, technique_product: IndexArray, inputs: sp.csr_array,
            weight: FloatArray, rounds: int, seconds: float) -> WeightedOutput:
    """Each used policy's gross output for its net output mix, summed over policies."""
    activity = np.zeros(technique_product.size)
    for index, net in master.net_outputs(n):
        chosen = policies[index]
        activity += _gross(sp.csr_array(inputs[chosen]), chosen, net, activity.size)
    net_output = np.bincount(technique_product, weights=activity, minlength=n) - (
        inputs.T @ activity)
    bound, prices, resource_prices = best
    return WeightedOutput(activity, net_output, float(weight @ net_output), bound, prices,
                          resource_prices, rounds, seconds)


class _Master:
    """``max w . x  s.t.  sum U x <= limits`` over the (policy, product) columns so far."""

    def __init__(self, limits: FloatArray) -> None:
        self.h = configured_highs("simplex", 1e-10)
        set_option(self.h, "simplex_strategy", 4)  # primal: new columns join a primal basis
        m = limits.size
        self.h.addRows(m, np.full(m, -highspy.kHighsInf), limits.astype(np.float64), 0,
                       np.zeros(0, dtype=np.int32), np.zeros(0, dtype=np.int32),
                       np.zeros(0))
        self.policy: list[IndexArray] = []
        self.product: list[IndexArray] = []
        self.columns = 0
        self.value = 0.0
        self.x = np.zeros(0)

    def add(self, policy: int, products: IndexArray, use: FloatArray, weight: FloatArray
            ) -> None:
        """Columns (policy, product i) earning ``weight_i`` and using ``use[:, i]``."""
        columns = sp.csc_array(use)
        k = products.size
        self.h.addCols(k, -weight.astype(np.float64), np.zeros(k), np.full(k, highspy.kHighsInf),
                       columns.nnz, columns.indptr.astype(np.int32),
                       columns.indices.astype(np.int32), np.asarray(columns.data, np.float64))
        self.policy.append(np.full(k, policy))
        self.product.append(products)
        self.columns += k

    def solve(self, time_limit: float | None) -> FloatArray:
        """Solve warm; the resource prices (non-negative)."""
        set_option(self.h, "time_limit", np.inf if time_limit is None else float(time_limit))
        self.h.run()
        status = self.h.getModelStatus()
        if status != highspy.HighsModelStatus.kOptimal:
            raise PoliciesFailed(f"master LP: {self.h.modelStatusToString(status)}")
        solution = self.h.getSolution()
        self.x = np.asarray(solution.col_value, dtype=np.float64)
        self.value = -float(self.h.getInfo().objective_function_value)
        return np.maximum(-np.asarray(solution.row_dual, dtype=np.float64), 0.0)

    def net_outputs(self, n: int) -> list[tuple[int, FloatArray]]:
        """Per used policy, the net output its columns make."""
        policy, product = np.concatenate(self.policy), np.concatenate(self.product)
        used = self.x > 0
        out = []
        for index in np.unique(policy[used]):
            mine = used & (policy == index)
            net = np.bincount(product[mine], weights=self.x[mine], minlength=n)
            out.append((int(index), np.asarray(net, dtype=np.float64)))
        return out


def applies(capacity: FloatArray, limits: FloatArray) -> bool:
    """No technique has a capacity, and some resource is limited (else nothing bounds the plan
    but the LP's own unboundedness, which the LP solvers report with a direction)."""
    return bool(np.isinf(capacity).all() and limits.size)
