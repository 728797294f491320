"""Write a balanced plan as CSV and Parquet, per product id, plus a JSON summary."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from ..economy.formats import atomic_directory
from ..economy.model import Economy
from .balance import BalancedPlan
from .fiveyear import FiveYearPlan
from .optimal import OptimalPlan


def plan_summary(plan: BalancedPlan, economy: Economy) -> dict[str, Any]:
    """The plan's headline numbers, its solver report and its provenance, as plain data."""
    e = economy
    return {
        "products": e.n_products,
        "techniques": e.n_techniques,
        "plants": e.n_plants,
        "total_gross_output": float(plan.gross_output.sum()),
        "total_final_use": float(plan.final_use.sum()),
        "total_labour": float(plan.resource_use[e.labour].sum()),
        "labour_by_kind": {e.resources[int(r)]: float(plan.resource_use[r]) for r in e.labour},
        "resources": [
            {"id": e.resources[r], "kind": e.resource_kinds[r], "use": float(plan.resource_use[r]),
             "limit": _finite(e.resource_limits[r])} for r in range(e.n_resources)],
        "max_balance_error": float(np.abs(plan.balance).max(initial=0.0)),
        "spectral_radius_bounds": [plan.spectral_bounds.lower, plan.spectral_bounds.upper],
        "solver": {
            name: {"method": s.method, "iterations": s.iterations, "residual": s.residual,
                   "rtol": s.rtol}
            for name, s in (("gross_output", plan.output_solution),
                            ("labour_values", plan.value_solution))},
        "bottlenecks": plan.bottleneck_count,
        "worst_bottlenecks": [
            {"kind": b.kind, "id": b.id, "required": b.required, "limit": b.limit,
             "excess": b.excess} for b in plan.bottlenecks[:10]],
        "provenance": plan.provenance.as_dict(),
        "output_digest": plan.output_digest,
    }


def _finite(v: float) -> float | None:
    return float(v) if np.isfinite(v) else None


def limits_summary(economy: Economy) -> dict[str, Any]:
    """Each resource's limit (None where there is none) and how many techniques have a
    capacity."""
    e = economy
    return {"limits": {rid: _finite(v) for rid, v in zip(e.resources.to_list(),
                                                         e.resource_limits, strict=True)},
            "capacities": int(np.isfinite(e.capacity).sum())}


def write_balanced_plan(plan: BalancedPlan, economy: Economy, directory: Path | str, *,
                        economy_source: str | None = None) -> Path:
    """Write gross output, labour values, the balance report, plants, resources, bottlenecks;
    ``economy_source`` (the economy directory) goes into plan.json for ``replay``."""
    e = economy
    ids = e.products.ids
    balance = {"product": ids, "supply": plan.gross_output,
               "intermediate_use": plan.intermediate_use}
    for j, c in enumerate(e.categories):
        balance[f"final_{c}"] = plan.final_use[:, j]
    balance["difference"] = plan.balance
    tables = {
        "gross_output": pa.table({"product": ids, "gross_output": plan.gross_output}),
        "labour_values": pa.table({"product": ids, "labour_value": plan.labour_values}),
        "balance": pa.table(balance),
        "plants": pa.table({"plant": e.plants.ids, "utilisation": plan.plant_utilisation}),
        "resources": pa.table({
            "resource": e.resources.ids, "kind": list(e.resource_kinds),
            "use": plan.resource_use, "limit": e.resource_limits}),
        "bottlenecks": pa.table({
            "kind": [b.kind for b in plan.bottlenecks], "id": [b.id for b in plan.bottlenecks],
            "required": pa.array([b.required for b in plan.bottlenecks], pa.float64()),
            "limit": pa.array([b.limit for b in plan.bottlenecks], pa.float64()),
            "excess": pa.array([b.excess for b in plan.bottlenecks], pa.float64())}),
    }
    summary = plan_summary(plan, e) | {"economy": economy_source}
    return _write_tables(tables, summary, directory)


def optimal_summary(plan: OptimalPlan, economy: Economy) -> dict[str, Any]:
    e = economy
    return {
        "objective": plan.objective, "objective_value": plan.objective_value,
        "min_fulfilment": plan.min_fulfilment, "harmony": plan.harmony,
        "harmony_maximised": plan.harmony_maximised,
        "total_labour": plan.total_labour, "targets": int(plan.targets.targeted.size),
        "solver": {"method": plan.solver, "iterations": plan.iterations,
                   "seconds": plan.seconds, "duality_gap": plan.duality_gap,
                   "infeasibility": plan.infeasibility,
                   "dual_infeasibility": plan.dual_infeasibility,
                   "objective_bound": _finite(plan.objective_bound),
                   "message": plan.solver_message},
        "binding": [{"kind": b.kind, "id": b.id, "limit": b.limit, "used": b.used,
                     "shadow_price": b.shadow_price} for b in plan.binding[:20]],
        "binding_count": len(plan.binding),
        "resources": [{"id": e.resources[r], "use": float(plan.resource_use[r]),
                       "limit": _finite(e.resource_limits[r]),
                       "shadow_price": float(plan.resource_prices[r])}
                      for r in range(e.n_resources)],
        "provenance": plan.provenance.as_dict(),
    }


def write_optimal_plan(plan: OptimalPlan, economy: Economy, directory: Path | str) -> Path:
    """Write activities, per-product fulfilment and prices, resources, binding limits."""
    e = economy
    tables = {
        "activity": pa.table({
            "technique": e.techniques.ids, "product": e.products.ids.take(e.technique_product),
            "plant": e.plants.ids.take(e.technique_plant), "activity": plan.activity,
            "capacity": e.capacity, "capacity_price": plan.capacity_prices}),
        "products": pa.table({
            "product": e.products.ids, "target": plan.targets.quantity,
            "weight": plan.targets.weight, "net_output": plan.net_output,
            "fulfilment": plan.fulfilment, "shadow_price": plan.product_prices}),
        "resources": pa.table({
            "resource": e.resources.ids, "use": plan.resource_use, "limit": e.resource_limits,
            "shadow_price": plan.resource_prices}),
        "binding": pa.table({
            "kind": pa.array([b.kind for b in plan.binding], pa.string()),
            "id": pa.array([b.id for b in plan.binding], pa.string()),
            "limit": pa.array([b.limit for b in plan.binding], pa.float64()),
            "used": pa.array([b.used for b in plan.binding], pa.float64()),
            "shadow_price": pa.array([b.shadow_price for b in plan.binding], pa.float64())}),
    }
    return _write_tables(tables, optimal_summary(plan, e), directory)


def fiveyear_summary(plan: FiveYearPlan, economy: Economy) -> dict[str, Any]:
    return {"periods": plan.periods, "fulfilment": plan.fulfilment,
            "years": plan.year_by_year(economy),
            "solver": {"method": plan.solver, "seconds": plan.seconds,
                       "duality_gap": plan.duality_gap, "infeasibility": plan.infeasibility,
                       "dual_infeasibility": plan.dual_infeasibility},
            "provenance": plan.provenance.as_dict()}


def write_fiveyear_plan(plan: FiveYearPlan, economy: Economy, directory: Path | str) -> Path:
    """Write the year-by-year table and, per period, output, investment and stocks."""
    e = economy
    years = plan.year_by_year(e)
    goods = e.products.ids.take(plan.capital_goods)
    T = plan.periods
    tables = {
        "years": pa.table({k: [y[k] if k != "bottlenecks" else "; ".join(y[k]) for y in years]
                           for k in years[0]}),
        "output": pa.table({"period": np.repeat(np.arange(1, T + 1), e.n_products),
                            "product": pa.concat_arrays([e.products.ids] * T),
                            "gross_output": plan.gross_output.ravel(),
                            "consumption": plan.consumption.ravel()}),
        "capital": pa.table({"period": np.repeat(np.arange(1, T + 1), len(goods)),
                             "capital_good": pa.concat_arrays([goods] * T),
                             "investment": plan.investment.ravel(),
                             "stock": plan.stocks.ravel(),
                             "shadow_price": plan.capital_prices.ravel()}),
    }
    return _write_tables(tables, fiveyear_summary(plan, e), directory)


def _write_tables(tables: dict[str, pa.Table], summary: dict[str, Any], directory: Path | str
                  ) -> Path:
    with atomic_directory(Path(directory)) as tmp:
        for name, table in tables.items():
            pq.write_table(table, tmp / f"{name}.parquet", compression="zstd")
            pacsv.write_csv(table, tmp / f"{name}.csv")
        (tmp / "plan.json").write_text(json.dumps(summary, indent=2) + "\n")
    return Path(directory)
