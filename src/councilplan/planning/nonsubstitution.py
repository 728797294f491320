"""Least-labour choice of techniques when nothing but labour is scarce.

With labour the only primary input, no joint production and no capacity or resource limits,
the non-substitution theorem (Samuelson) says one choice of techniques is cost-minimal for every
final demand. It is the fixed point of v_i = min over techniques t of product i of
(l_t + a_t . v), found here by policy iteration: compute labour values for the current choice,
switch every product to its cheapest technique at those values, repeat until nothing changes.
Each step is one sparse Leontief solve, so it scales like the balanced plan.

The result is certified: v is dual feasible (l_t + a_t . v - v_product(t) >= 0 for every
technique) and total labour equals v . y, so the duality gap is zero up to rounding.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, NamedTuple

import numpy as np
import scipy.sparse as sp

from ..economy.model import Economy
from ..errors import InvalidInput, NotConverged
from ..validation import FloatArray, IndexArray
from .leontief import ensure_converged, solve_leontief
from .productivity import check_productive


class CheapestChoice(NamedTuple):
    """The cheapest technique of each product and what proves it."""

    chosen: IndexArray  # (n_products,) technique positions
    values: FloatArray  # (n_products,): what each costs, inputs included
    unit_cost: FloatArray  # (n_techniques,): direct cost + inputs at those values
    inputs: sp.csr_array  # inputs of the chosen techniques (n_products, n_products)
    rounds: int


@dataclass(frozen=True, eq=False)
class TechniqueChoice:
    """The chosen technique of each product, activities, labour values and the certificate."""

    chosen: IndexArray  # (n_products,) technique positions
    activity: FloatArray  # (n_techniques,)
    labour_values: FloatArray  # (n_products,)
    total_labour: float
    min_reduced_cost: float  # >= -tolerance certifies optimality
    duality_gap: float
    iterations: int


def applies(economy: Economy) -> bool:
    """True when no capacity and no resource limit is finite (only labour is counted)."""
    return bool(np.isinf(economy.capacity).all() and np.isinf(economy.resource_limits).all())


def least_labour_techniques(economy: Economy, final_demand: Any, *, rtol: float = 1e-12,
                            max_rounds: int = 100) -> TechniqueChoice:
    """Policy iteration for the least-labour technique choice; ``final_demand`` (n_products,)."""
    e = economy
    if not applies(e):
        raise InvalidInput("the non-substitution method needs unlimited capacities and resources")
    y = np.asarray(final_demand, dtype=np.float64)
    labour = np.asarray(e.resource_coefficients[:, e.labour].sum(axis=1)).ravel()
    chosen, v, cost, M, rounds = cheapest_techniques(
        e.input_coefficients, labour, e.technique_product, e.products, rtol=rtol,
        max_rounds=max_rounds)
    out = e.technique_product
    x = ensure_converged(solve_leontief(M.T, y, rtol=rtol), "gross output").z
    activity = np.zeros(e.n_techniques)
    activity[chosen] = x
    total = float(labour @ activity)
    reduced = cost - v[out]
    gap = abs(total - float(v @ y)) / max(1.0, abs(total))
    return TechniqueChoice(chosen, activity, v, total, float(reduced.min()), gap, rounds)


def cheapest_techniques(inputs: Any, cost: FloatArray, technique_product: IndexArray,
                        products: Any, *, rtol: float = 1e-12, max_rounds: int = 100,
                        start: IndexArray | None = None) -> CheapestChoice:
    """Policy iteration on one direct ``cost`` per technique (labour, say): every product's
    cheapest technique at the values its choice implies. ``inputs`` is (techniques,
    products); ``products`` labels the products in errors; ``start``, a technique per product,
    is where the iteration starts (by default each product's technique of least direct cost)."""
    chosen = _cheapest(technique_product, cost, len(products)) if start is None else start
    rounds = 0
    while True:
        rounds += 1
        if rounds > max_rounds:
            raise NotConverged(f"technique choice still changing after {max_rounds} rounds")
        M = sp.csr_array(inputs[chosen])
        check_productive(M, products)
        v = ensure_converged(solve_leontief(M, cost[chosen], rtol=rtol), "values").z
        unit = cost + inputs @ v
        best = _cheapest(technique_product, unit, len(products))
        better = unit[best] < unit[chosen] * (1 - 1e-12)
        if not better.any():
            return CheapestChoice(chosen, v, unit, M, rounds)
        chosen = np.where(better, best, chosen)


def _cheapest(product: IndexArray, cost: FloatArray, n_products: int) -> IndexArray:
    """For every product, the position of its technique with the least cost (the first such
    technique where several tie)."""
    least = np.full(n_products, np.inf)
    np.minimum.at(least, product, cost)
    at_least = np.flatnonzero(cost == least[product])
    picked = np.full(n_products, -1, dtype=np.int64)
    picked[product[at_least][::-1]] = at_least[::-1]  # the last write, the first position, wins
    if (picked < 0).any():
        raise InvalidInput("every product needs a technique")
    return picked
