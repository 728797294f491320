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
    }


def _finite(v: float) -> float | None:
    return float(v) if np.isfinite(v) else None


def write_balanced_plan(plan: BalancedPlan, economy: Economy, directory: Path | str) -> Path:
    """Write gross output, labour values, the balance report, plants, resources, bottlenecks."""
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
    with atomic_directory(Path(directory)) as tmp:
        for name, table in tables.items():
            pq.write_table(table, tmp / f"{name}.parquet", compression="zstd")
            pacsv.write_csv(table, tmp / f"{name}.csv")
        summary = plan_summary(plan, e)
        (tmp / "plan.json").write_text(json.dumps(summary, indent=2) + "\n")
    return Path(directory)
