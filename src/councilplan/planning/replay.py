"""Replay a published balanced plan: recompute it from its inputs and compare bit for bit."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow.parquet as pq

from ..economy.formats import read_economy
from ..errors import InvalidInput, Location
from .balance import balanced_plan


@dataclass(frozen=True)
class Replay:
    """What a replay found: ``matches`` only if inputs, published numbers and digest agree."""

    matches: bool
    input_hash: str
    output_digest: str
    problems: tuple[str, ...]


def replay_balanced_plan(plan_dir: Path | str, economy_dir: Path | str | None = None) -> Replay:
    """Recompute the plan in ``plan_dir`` from its economy with the recorded parameters."""
    plan_dir = Path(plan_dir)
    path = plan_dir / "plan.json"
    if not path.is_file():
        raise InvalidInput("not a plan directory (no plan.json)", Location(file=str(path)))
    summary = json.loads(path.read_text())
    prov = summary.get("provenance", {})
    if prov.get("method") != "balance":
        raise InvalidInput("only balanced plans can be replayed so far", Location(file=str(path)))
    source = economy_dir or summary.get("economy")
    if source is None:
        raise InvalidInput("plan.json names no economy; pass --economy", Location(file=str(path)))
    economy = read_economy(source)
    params = prov.get("params", {})
    plan = balanced_plan(economy, method=params.get("method", "auto"),
                         rtol=params.get("rtol", 1e-12), atol=params.get("atol", 0.0),
                         maxiter=params.get("maxiter"))
    problems = []
    if plan.provenance.input_hash != prov.get("input_hash"):
        problems.append("the economy differs from the one the plan was computed from")
    for name, column, ours in (("gross_output", "gross_output", plan.gross_output),
                               ("labour_values", "labour_value", plan.labour_values)):
        published = pq.read_table(plan_dir / f"{name}.parquet").column(column).to_numpy()
        if published.shape != ours.shape or not np.array_equal(published, ours):
            problems.append(f"{name} differs from the recomputed plan")
    if plan.output_digest != summary.get("output_digest"):
        problems.append("the output digest in plan.json differs from the recomputed one")
    return Replay(not problems, plan.provenance.input_hash, plan.output_digest, tuple(problems))
