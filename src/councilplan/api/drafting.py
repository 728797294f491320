"""Compute the three kinds of plan the web app drafts, each with a digest of its output."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import numpy as np

from ..economy import Economy
from ..planning.balance import balanced_plan
from ..planning.fiveyear import five_year_plan, generate_capital
from ..planning.optimal import Targets, optimal_plan, targets_from_economy
from ..planning.output import write_balanced_plan, write_fiveyear_plan, write_optimal_plan

Writer = Callable[[Path], Path]


def digest_of(kind: str, *arrays: Any) -> str:
    """SHA-256 over the plan's kind and its output arrays, as float64 bytes."""
    h = hashlib.sha256(kind.encode())
    for a in arrays:
        h.update(np.ascontiguousarray(a, dtype=np.float64).tobytes())
    return h.hexdigest()


def priority_targets(e: Economy, growth: float, tally: Mapping[str, int] | None) -> Targets:
    """The economy's final demand, grown; products that got points in a priority ballot
    weigh more: weight 1 + (number of targets) × (share of the points)."""
    base = targets_from_economy(e)
    weight = base.weight.copy()
    if tally:
        total = sum(tally.values()) or 1
        n = max(1, int(base.targeted.size))
        position = {p: i for i, p in enumerate(e.products.ids.to_pylist())}
        for product, points in tally.items():
            if product in position:
                weight[position[product]] = 1.0 + n * points / total
    return Targets(base.quantity * (1.0 + growth), weight)


def compute_plan(e: Economy, kind: str, growth: float, tally: Mapping[str, int] | None
                 ) -> tuple[str, dict[str, Any], Writer]:
    """The plan's output digest, its provenance, and a function that writes it."""
    if kind == "balanced":
        plan = balanced_plan(e, e.final_demand * (1.0 + growth))
        return (plan.output_digest, plan.provenance.as_dict(),
                lambda d: write_balanced_plan(plan, e, d))
    if kind == "optimal":
        opt = optimal_plan(e, priority_targets(e, growth, tally), objective="kantorovich")
        return (digest_of(kind, opt.activity, opt.targets.weight), opt.provenance.as_dict(),
                lambda d: write_optimal_plan(opt, e, d))
    capital = generate_capital(e, min(8, e.n_products), seed=0)
    five = five_year_plan(e, capital, periods=5, growth=growth)
    return (digest_of(kind, five.activity, five.investment), five.provenance.as_dict(),
            lambda d: write_fiveyear_plan(five, e, d))
