"""Solvers tried for the Kantorovich LP with capacities at 10^4 products x 3 techniques,
against the 120 s target for an exact optimum: HiGHS simplex and interior point, HiGHS PDLP
(what `optimal_plan` picks at this size) and OR-Tools PDLP (`pip install ortools`), each
with the same time limit. One run each; prints one line per solver.

    python bench/explore_optimal_solvers.py [--products 10000] [--limit 120]
"""

from __future__ import annotations

import argparse
import time

import scipy.sparse as sp

from councilplan.economy.generator import generate_economy, with_alternative_techniques
from councilplan.errors import PlanningError
from councilplan.planning.optimal import (
    _kantorovich_lp,
    _structure,
    optimal_plan,
    targets_from_economy,
)


def ortools_pdlp(e: object, limit: float, eps: float) -> str:
    from ortools.pdlp import solve_log_pb2, solvers_pb2
    from ortools.pdlp.python import pdlp

    lp = _kantorovich_lp(_structure(e), targets_from_economy(e))  # type: ignore[arg-type]
    q = pdlp.QuadraticProgram()
    q.objective_vector = lp.c
    q.constraint_matrix = sp.csc_matrix(lp.A)
    q.constraint_lower_bounds, q.constraint_upper_bounds = lp.row_lower, lp.row_upper
    q.variable_lower_bounds, q.variable_upper_bounds = lp.col_lower, lp.col_upper
    params = solvers_pb2.PrimalDualHybridGradientParams()
    criteria = params.termination_criteria.simple_optimality_criteria
    criteria.eps_optimal_relative = criteria.eps_optimal_absolute = eps
    params.termination_criteria.time_sec_limit = limit
    params.num_threads = 2
    log = pdlp.primal_dual_hybrid_gradient(q, params).solve_log
    info = next(c for c in log.solution_stats.convergence_information
                if c.candidate_type == log.solution_type)
    gap = abs(info.primal_objective - info.dual_objective) / max(1.0, abs(info.primal_objective))
    return (f"{solve_log_pb2.TerminationReason.Name(log.termination_reason)}, "
            f"{log.iteration_count} iterations, relative gap {gap:.3g}")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--products", type=int, default=10_000)
    ap.add_argument("--limit", type=float, default=120.0)
    args = ap.parse_args()
    n = args.products
    e = with_alternative_techniques(generate_economy(n, max(1, n // 400), seed=1), 3, seed=1)
    for solver in ("simplex", "ipm", "pdlp", "ortools-pdlp"):
        t0 = time.perf_counter()
        try:
            if solver == "ortools-pdlp":
                result = ortools_pdlp(e, args.limit, 1e-4)
            else:
                plan = optimal_plan(e, harmony_stage=False, solver=solver,  # type: ignore[arg-type]
                                    time_limit=args.limit)
                result = f"least fulfilment {plan.min_fulfilment:.6g}, gap {plan.duality_gap:.3g}"
        except (PlanningError, ImportError) as exc:
            result = f"not solved: {exc}"
        print(f"{n:,} x 3, {solver}: {time.perf_counter() - t0:.1f} s; {result}", flush=True)


if __name__ == "__main__":
    main()
