"""Balanced plans: gross output that meets final demand, labour values, and the bottlenecks.

With the technique mix fixed (shares ``s_t`` of each product's output from each of its
techniques) the economy is square: ``M`` has one row per product holding its inputs per unit
of output, so gross output solves x = M^T x + y and labour values solve v = M v + l.
"""

from __future__ import annotations

import hashlib
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import partial
from typing import Any

import numpy as np
import scipy.sparse as sp

from ..economy.model import Economy, IdIndex
from ..errors import InvalidInput
from ..validation import FloatArray, check_vector
from .leontief import IterationCallback, LeontiefSolution, Method, ensure_converged, solve_leontief
from .productivity import SpectralBounds, check_productive
from .provenance import Provenance, make_provenance

PARALLEL_NNZ = 200_000  # below this, a second thread costs more than it saves


@dataclass(frozen=True)
class Bottleneck:
    """Something the plan needs more of than there is."""

    kind: str  # "product", "plant" or "resource"
    id: str
    required: float
    limit: float

    @property
    def excess(self) -> float:
        return self.required - self.limit

    @property
    def ratio(self) -> float:
        return self.required / self.limit if self.limit > 0 else float("inf")


@dataclass(frozen=True, eq=False)
class BalancedPlan:
    """A balanced plan and everything needed to check it.

    Arrays are indexed like ``economy.products`` (n_products), ``economy.techniques``,
    ``economy.plants``, ``economy.resources`` and ``economy.categories``.
    """

    products: IdIndex
    categories: IdIndex
    gross_output: FloatArray
    activity: FloatArray
    intermediate_use: FloatArray
    final_use: FloatArray
    balance: FloatArray
    labour_values: FloatArray
    resource_use: FloatArray
    technique_utilisation: FloatArray
    plant_utilisation: FloatArray
    bottlenecks: tuple[Bottleneck, ...]
    bottleneck_count: int
    spectral_bounds: SpectralBounds
    output_solution: LeontiefSolution
    value_solution: LeontiefSolution
    provenance: Provenance

    @property
    def total_labour(self) -> float:
        return float(self.labour_values @ self.final_use.sum(axis=1))

    @property
    def output_digest(self) -> str:
        """SHA-256 of the exact bytes of gross output, labour values and activity levels:
        a replay matches bit for bit exactly when this matches."""
        h = hashlib.sha256()
        for arr in (self.gross_output, self.labour_values, self.activity):
            h.update(np.ascontiguousarray(arr, dtype=np.float64).tobytes())
        return h.hexdigest()


@dataclass(frozen=True, eq=False)
class MaterialBalance:
    """Supply and use of every product, and use of every resource, for given activity levels.

    ``difference`` is supply minus intermediate use minus all final use: zero in a balanced
    plan, the remaining shortfall (negative) or surplus (positive) in any other.
    """

    supply: FloatArray
    intermediate_use: FloatArray
    final_use: FloatArray
    resource_use: FloatArray

    @property
    def difference(self) -> FloatArray:
        diff: FloatArray = self.supply - self.intermediate_use - self.final_use.sum(axis=1)
        return diff

    @property
    def relative_difference(self) -> FloatArray:
        """|difference| over the mean of supply and use (the participatory board's measure)."""
        use = self.intermediate_use + self.final_use.sum(axis=1)
        mean = (self.supply + use) / 2
        rel: FloatArray = np.divide(np.abs(self.difference), mean, out=np.zeros_like(mean),
                                    where=mean > 0)
        return rel


def material_balance(economy: Economy, activity: Any, final_demand: Any = None
                     ) -> MaterialBalance:
    """The material balance of ``economy`` when each technique runs at ``activity``."""
    e = economy
    z = check_vector(activity, name="activity", size=e.n_techniques, ensure_non_negative=True,
                     labels=e.techniques)
    Y = e.final_demand if final_demand is None else _check_final_demand(e, final_demand)
    supply = np.bincount(e.technique_product, weights=z, minlength=e.n_products)
    return MaterialBalance(supply.astype(np.float64), e.input_coefficients.T @ z, Y,
                           e.resource_coefficients.T @ z)


def technique_shares(economy: Economy) -> FloatArray:
    """Share of each product's output made by each technique: by capacity, else equal."""
    e = economy
    if e.one_technique_each:
        return np.ones(e.n_techniques)
    out = e.technique_product
    finite = np.isfinite(e.capacity)
    all_finite = np.bincount(out, weights=~finite, minlength=e.n_products) == 0
    weight = np.where(all_finite[out], e.capacity, np.where(finite, 0.0, 1.0))
    total = np.bincount(out, weights=weight, minlength=e.n_products)
    count = np.bincount(out, minlength=e.n_products)
    return np.where(total[out] > 0, weight / np.where(total[out] > 0, total[out], 1.0),
                    1.0 / count[out])


def product_matrix(economy: Economy, shares: FloatArray) -> tuple[sp.csr_array, FloatArray]:
    """Inputs and direct labour per unit of each product under the technique mix ``shares``."""
    e = economy
    direct_labour = np.asarray(e.resource_coefficients[:, e.labour].sum(axis=1)).ravel()
    if e.one_technique_each:
        return e.input_coefficients, direct_labour
    S = sp.csr_array((shares, (e.technique_product, np.arange(e.n_techniques))),
                     shape=(e.n_products, e.n_techniques))
    return sp.csr_array(S @ e.input_coefficients), S @ direct_labour


def balanced_plan(
    economy: Economy,
    final_demand: Any = None,
    *,
    method: Method = "auto",
    rtol: float = 1e-12,
    atol: float = 0.0,
    maxiter: int | None = None,
    callback: IterationCallback | None = None,
) -> BalancedPlan:
    """Compute the balanced plan of ``economy`` for its final demand (or the one given).

    ``final_demand`` has shape (n_products, n_categories) or (n_products,); by default the
    economy's own. ``callback(iteration, residual)`` reports solver progress.
    """
    e = economy
    Y = e.final_demand if final_demand is None else _check_final_demand(e, final_demand)
    shares = technique_shares(e)
    M, direct_labour = product_matrix(e, shares)
    bounds = check_productive(M, e.products)
    y = Y.sum(axis=1)
    params = {"method": method, "rtol": rtol, "atol": atol, "maxiter": maxiter}
    solve = partial(solve_leontief, method=method, rtol=rtol, atol=atol, maxiter=maxiter,
                    callback=callback)
    # The two solves are independent and scipy's sparse kernels release the GIL, so they
    # overlap on two cores; each stays sequential, so results do not depend on timing.
    with ThreadPoolExecutor(max_workers=2 if M.nnz > PARALLEL_NNZ else 1) as pool:
        output_job = pool.submit(solve, M.T, y)
        value_job = pool.submit(solve, M, direct_labour)
        xs = ensure_converged(output_job.result(), "gross output")
        vs = ensure_converged(value_job.result(), "labour values")
    x = xs.z
    activity = shares * x[e.technique_product]
    intermediate = M.T @ x
    resource_use = e.resource_coefficients.T @ activity
    tech_util = np.divide(activity, e.capacity, out=np.zeros_like(activity),
                          where=np.isfinite(e.capacity) & (e.capacity > 0))
    tech_util[(e.capacity == 0) & (activity > 0)] = np.inf
    plant_util = np.zeros(e.n_plants)
    worst, count = find_bottlenecks(e, x, activity, resource_use)
    np.maximum.at(plant_util, e.technique_plant, tech_util)
    return BalancedPlan(
        products=e.products,
        categories=e.categories,
        gross_output=x,
        activity=activity,
        intermediate_use=intermediate,
        final_use=Y,
        balance=x - intermediate - y,
        labour_values=vs.z,
        resource_use=resource_use,
        technique_utilisation=tech_util,
        plant_utilisation=plant_util,
        bottlenecks=worst,
        bottleneck_count=count,
        spectral_bounds=bounds,
        output_solution=xs,
        value_solution=vs,
        provenance=make_provenance(e, Y if final_demand is not None else None, "balance", params),
    )


def _check_final_demand(e: Economy, final_demand: Any) -> FloatArray:
    Y = np.asarray(final_demand, dtype=np.float64)
    if Y.ndim == 1 and len(e.categories) == 1:
        return check_vector(Y, name="final demand", size=e.n_products,
                            labels=e.products).reshape(-1, 1)
    if Y.shape != (e.n_products, len(e.categories)):
        raise InvalidInput(f"final demand has shape {Y.shape}, expected "
                           f"{(e.n_products, len(e.categories))}")
    if not np.isfinite(Y).all():
        i = int(np.flatnonzero(~np.isfinite(Y).all(axis=1))[0])
        raise InvalidInput(f"final demand for product {e.products[i]!r} is not finite")
    return Y


def find_bottlenecks(
    e: Economy, x: FloatArray, activity: FloatArray, resource_use: FloatArray, top: int = 1000,
) -> tuple[tuple[Bottleneck, ...], int]:
    """The ``top`` worst of the products, plants and resources over their limits, and how
    many there are in all."""
    found: list[Bottleneck] = []
    product_capacity = np.bincount(e.technique_product, weights=e.capacity,
                                   minlength=e.n_products).astype(np.float64)
    for i in _over(x, product_capacity):
        found.append(Bottleneck("product", e.products[i], float(x[i]), float(product_capacity[i])))
    finite = np.isfinite(e.capacity)
    plant_need = np.bincount(e.technique_plant[finite], weights=activity[finite],
                             minlength=e.n_plants)
    plant_cap = np.bincount(e.technique_plant[finite], weights=e.capacity[finite],
                            minlength=e.n_plants)
    over_tech = finite & (activity > e.capacity * (1 + 1e-9))
    plants = np.unique(e.technique_plant[over_tech])
    for p in plants:
        found.append(Bottleneck("plant", e.plants[p], float(plant_need[p]), float(plant_cap[p])))
    for r in _over(resource_use, e.resource_limits):
        found.append(Bottleneck("resource", e.resources[r], float(resource_use[r]),
                                float(e.resource_limits[r])))
    found.sort(key=lambda b: (-b.ratio, -b.excess))
    return tuple(found[:top]), len(found)


def _over(need: FloatArray, limit: FloatArray) -> Any:
    return np.flatnonzero(np.isfinite(limit) & (need > limit * (1 + 1e-9) + 1e-12))


__all__ = ["BalancedPlan", "Bottleneck", "balanced_plan", "product_matrix", "technique_shares"]
