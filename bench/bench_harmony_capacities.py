"""The Kantorovich plan's harmony stage with capacities: what a user gets within a time limit.

With capacities, the first stage is exact (PDLP and our crossover) but the harmony stage is
still one LP for HiGHS. Rows: `optimal_plan` with its defaults at 2,000 x 3, where the stage
finishes; at 10^4 x 3 with `harmony_time_limit` 120 s, where it does not and the first stage's
plan stands; and HiGHS's PDLP alone on that same harmony LP (from the same least fulfilment)
with a 300 s limit. One run each, on the bench's generated economies.

    python bench/bench_harmony_capacities.py
    # writes bench/results/optimal_harmony_capacities.md
"""

from __future__ import annotations

import sys
import time
from importlib.metadata import version

from _common import machine, markdown_table, write_results
from councilplan.economy import Economy
from councilplan.economy.generator import generate_economy, with_alternative_techniques
from councilplan.errors import PlanningError
from councilplan.planning import optimal as opt
from councilplan.planning.optimal import OptimalPlan, optimal_plan

CASES = [(2_000, None), (10_000, 120.0)]  # products (3 techniques each), harmony time limit
PDLP_LIMIT = 300.0


def economy(n: int) -> Economy:
    return with_alternative_techniques(generate_economy(n, max(1, n // 400), seed=1), 3, seed=1)


def ours(e: Economy, harmony_limit: float | None
         ) -> tuple[dict[str, object], OptimalPlan]:
    t0 = time.perf_counter()
    plan = optimal_plan(e, harmony_time_limit=harmony_limit)
    row = {"case": f"{e.n_products:,} products x 3 techniques", "run": "optimal_plan",
           "harmony_limit_s": "" if harmony_limit is None else harmony_limit,
           "seconds": time.perf_counter() - t0,
           "first_stage": plan.provenance.params["first_stage"],
           "lambda": f"{plan.min_fulfilment:.10g}", "harmony": f"{plan.harmony:.10g}",
           "harmony_maximised": plan.harmony_maximised,
           "message": plan.solver_message if not plan.harmony_maximised else ""}
    return row, plan


def pdlp_alone(e: Economy, lam: float) -> dict[str, object]:
    """HiGHS's PDLP on the harmony LP that the plan's stage had, from the same lambda."""
    lp = opt._harmony_lp(opt._structure(e), opt.targets_from_economy(e),
                         opt._harmony_envelope(lam))
    t0 = time.perf_counter()
    try:
        sol = opt._solve(lp, {"method": "pdlp", "time_limit": PDLP_LIMIT, "tolerance": None})
        result, value = sol.message, f"{-sol.objective:.10g}"
    except PlanningError as exc:
        result, value = f"not solved: {exc}", ""
    return {"case": f"{e.n_products:,} products x 3 techniques, the same harmony LP",
            "run": "pdlp", "harmony_limit_s": PDLP_LIMIT, "seconds": time.perf_counter() - t0,
            "first_stage": "", "lambda": f"{lam:.10g}", "harmony": value,
            "harmony_maximised": "", "message": result}


def main() -> None:
    rows = []
    for n, limit in CASES:
        e = economy(n)
        row, plan = ours(e, limit)
        rows.append(row)
        print(rows[-1], file=sys.stderr, flush=True)
    # the last case's stage was cut off, so its plan is the first stage's: minus its
    # objective is the lambda the harmony LP starts from
    assert not plan.harmony_maximised
    rows.append(pdlp_alone(e, -plan.objective_value))
    write_results("optimal_harmony_capacities", (
        "# Optimal plans: the harmony stage with capacities\n\n"
        f"Machine: {machine()}; highspy {version('highspy')}\n\n"
        "Command: `python bench/bench_harmony_capacities.py`\n\n"
        "One run each. `optimal_plan` rows: both stages with the defaults (the first stage "
        "PDLP and our crossover, or simplex where it is small; the harmony stage HiGHS's "
        "interior point or PDLP by size); seconds cover both stages and building the LPs, "
        "not generating the economy. Where the harmony stage runs out of its time limit the "
        "first stage's plan stands (`harmony_maximised` False) and `harmony` is that plan's. "
        "The `pdlp` row gives HiGHS's PDLP (default tolerance) the same harmony LP alone.\n\n"
        + markdown_table(rows) + "\n"))


if __name__ == "__main__":
    main()
