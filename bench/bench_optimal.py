"""Optimal and five-year plans: peers side by side, then the scale targets.

Peers: on the same Leontief economies (no capacities, which demplan does not model; resource
limits as endowments), councilplan's `optimal_plan`, scipy's `linprog(method="highs")` built
directly from the arrays, and demplan's `reference_solution`, for minimum labour and for
weighted output (demplan's MaximizeWeightedConsumption). Times include building each LP.

Scale: Kantorovich optima with capacities and resource limits as the size grows, each with a
time limit; one run each. HiGHS simplex and interior point stand beside PDLP followed by our
crossover to an exact vertex (`pdlp+crossover`) on the same economies.

Without capacities: weighted output, least labour (resource limits binding) and the
Kantorovich first stage by column generation over technique policies (`policies`) beside HiGHS
(interior point, or PDLP and our crossover, as `auto` chose before) on the same economies, one
run each.

Harmony: the Kantorovich plan with its harmony stage, without capacities, by policies; HiGHS
solves the same harmony LP (from the same first stage) beside it, one run each.

Five-year plans: technique choice (`choice`) beside HiGHS interior point, one run each.

First order: PDLP alone, stopped at a relative tolerance of 1e-4, on the largest economy; its
accuracy is reported three ways (HiGHS-style duality gap, primal infeasibility, and the gap to
an upper bound that weak duality gives from its clipped prices).

    python bench/bench_optimal.py [--skip-peers] [--skip-scale] [--skip-policies]
                                  [--skip-harmony] [--skip-fiveyear] [--skip-first-order]
    # writes bench/results/optimal.md (peers), optimal_scale.md, optimal_policies.md,
    # optimal_harmony.md, optimal_fiveyear.md and optimal_first_order.md;
    # a skipped section leaves its file as it was
"""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import replace
from functools import partial
from importlib.metadata import version
from pathlib import Path

import numpy as np
import scipy.sparse as sp
from demplan.objectives import MaximizeWeightedConsumption, MinimizeLabor
from demplan.reference import reference_solution
from scipy.optimize import linprog

from _common import machine, markdown_table, median_time, write_results
from councilplan.economy import load_symmetric
from councilplan.economy.generator import generate_economy, with_alternative_techniques
from councilplan.errors import PlanningError
from councilplan.planning import balanced_plan
from councilplan.planning import optimal as opt
from councilplan.planning.fiveyear import five_year_plan, generate_capital
from councilplan.planning.optimal import Targets, optimal_plan
from councilplan.planning.peers import to_demplan

UK = Path(__file__).resolve().parents[2] / "shared" / "data" / "io-tables" / "uk-ons-2015" \
    / "domesticiot.csv"


def peer_cases():
    uk = load_symmetric(UK)
    labour = balanced_plan(uk).resource_use
    yield "UK ONS 2015 (real)", replace(uk, resource_limits=labour * 1.0)
    for n in (1000, 5000):
        e = with_alternative_techniques(generate_economy(n, max(1, n // 400), seed=1), 2, seed=1)
        yield f"generated {n} x 2", replace(e, capacity=np.full(e.n_techniques, np.inf))


def scipy_lp(e, objective, y, w):
    S = sp.csr_array((np.ones(e.n_techniques), (e.technique_product, np.arange(e.n_techniques))),
                     shape=(e.n_products, e.n_techniques))
    N = S - e.input_coefficients.T
    limited = np.isfinite(e.resource_limits)
    R = sp.csr_array(e.resource_coefficients.T)[limited]
    A = sp.vstack([-N, R], format="csr")
    if objective == "min-labour":
        c = np.asarray(e.resource_coefficients[:, e.labour].sum(axis=1)).ravel()
        b = np.concatenate([-y, e.resource_limits[limited]])
        return linprog(c, A_ub=A, b_ub=b, method="highs").fun
    b = np.concatenate([np.zeros(e.n_products), e.resource_limits[limited]])
    return -linprog(-(N.T @ w), A_ub=A, b_ub=b, method="highs").fun


def demplan_lp(e, objective, y, w):
    d = to_demplan(e)
    extra = np.zeros(e.n_resources)
    if objective == "min-labour":
        obj = MinimizeLabor(np.concatenate([y, extra]), e.n_products + e.labour)
    else:
        obj = MaximizeWeightedConsumption(np.concatenate([w, extra]))
    return reference_solution(d, obj).objective_value


def ours(e, objective, y, w):
    if objective == "min-labour":
        return optimal_plan(e, Targets(y, np.ones_like(y)), objective="min-labour").total_labour
    plan = optimal_plan(e, Targets(np.zeros_like(w), w), objective="weighted-output")
    return -plan.objective_value


def peers() -> list[dict[str, object]]:
    rows = []
    for name, e in peer_cases():
        y = np.clip(e.final_demand.sum(axis=1), 0, None) * 0.9
        w = np.random.default_rng(0).uniform(0.5, 2.0, e.n_products)
        for objective in ("min-labour", "weighted-output"):
            reps = 3 if e.n_techniques > 10_000 else 5
            args = (e, objective, y, w)
            t_ours, v_ours = median_time(partial(ours, *args), reps)
            t_sp, v_sp = median_time(partial(scipy_lp, *args), reps)
            t_dp, v_dp = median_time(partial(demplan_lp, *args), reps)
            rows.append({
                "economy": name, "techniques": e.n_techniques, "objective": objective,
                "councilplan_s": t_ours, "scipy_highs_s": t_sp, "demplan_s": t_dp,
                "ratio_scipy": t_sp / t_ours, "ratio_demplan": t_dp / t_ours,
                "max_rel_diff": max(abs(v_ours - v_sp), abs(v_ours - v_dp)) / abs(v_sp)})
            print(rows[-1], file=sys.stderr, flush=True)
    return rows


SCALE_CASES = [  # (products, techniques per product, solver, time limit in seconds)
    (2_000, 3, "simplex", 300), (2_000, 3, "ipm", 300), (2_000, 3, "pdlp", 300),
    (5_000, 3, "ipm", 300), (5_000, 3, "pdlp", 300), (10_000, 3, "ipm", 120),
    (10_000, 3, "pdlp", 300), (30_000, 3, "pdlp", 900), (100_000, 3, "pdlp", 300),
]
FIVEYEAR_CASES = [  # (products, techniques per product, solver, time limit in seconds)
    (1_000, 2, "ipm", 300), (1_000, 2, "choice", 120), (2_000, 2, "ipm", 300),
    (2_000, 2, "choice", 120), (5_000, 2, "choice", 120), (10_000, 2, "ipm", 120),
    (10_000, 2, "choice", 120),
]


def scale() -> list[dict[str, object]]:
    """Kantorovich optima (capacities, resource limits) as size grows; a case that hits its
    time limit is reported as such."""
    rows = []
    for n, k, solver, limit in SCALE_CASES:
        e = with_alternative_techniques(generate_economy(n, max(1, n // 400), seed=1), k, seed=1)
        t0 = time.perf_counter()
        try:
            plan = optimal_plan(e, harmony_stage=False, solver=solver, time_limit=limit)
            result, used = f"least fulfilment {plan.min_fulfilment:.10g}", plan.solver
            accuracy = (plan.duality_gap, plan.infeasibility, plan.dual_infeasibility)
        except PlanningError as exc:
            result, accuracy, used = f"not solved: {exc}", (float("nan"),) * 3, solver
        rows.append({"case": f"Kantorovich, {n:,} products x {k} techniques",
                     "columns": e.n_techniques, "solver": used,
                     "seconds": time.perf_counter() - t0, **_accuracy(*accuracy),
                     "result": result})
        print(rows[-1], file=sys.stderr, flush=True)
    return rows


POLICY_CASES = [  # (objective, products, target share of final demand, solver, time limit)
    ("weighted-output", 10_000, 0.0, "auto", 300),
    ("weighted-output", 10_000, 0.0, "ipm", 300),
    ("weighted-output", 100_000, 0.0, "auto", 300),
    ("weighted-output", 1_000_000, 0.0, "auto", 900),
    ("min-labour", 10_000, 1.1, "auto", 300), ("min-labour", 10_000, 1.1, "pdlp", 300),
    ("min-labour", 100_000, 1.16, "auto", 300),
    ("kantorovich", 10_000, 1.0, "auto", 300), ("kantorovich", 10_000, 1.0, "ipm", 300),
    ("kantorovich", 100_000, 1.0, "auto", 300), ("kantorovich", 1_000_000, 1.0, "auto", 900),
]


def without_capacities() -> list[dict[str, object]]:
    """Weighted output, least labour and the Kantorovich first stage on economies without
    capacities, 2 techniques each; the least-labour targets are raised until the resource
    limits bind."""
    rows = []
    for objective, n, share, solver, limit in POLICY_CASES:
        e = with_alternative_techniques(generate_economy(n, max(1, n // 400), seed=1), 2, seed=1)
        e = replace(e, capacity=np.full(e.n_techniques, np.inf))
        y = np.clip(e.final_demand.sum(axis=1), 0, None) * share
        w = np.random.default_rng(0).uniform(0.5, 2.0, n)
        t0 = time.perf_counter()
        try:
            plan = optimal_plan(e, Targets(y, w), objective=objective, solver=solver,
                                time_limit=limit, harmony_stage=False)
            result, used = f"objective {abs(plan.objective_value):.12g}", plan.solver
            accuracy = (plan.duality_gap, plan.infeasibility, plan.dual_infeasibility)
            binding = sum(b.kind == "resource" for b in plan.binding)
        except PlanningError as exc:
            result, used, accuracy, binding = f"not solved: {exc}", solver, (float("nan"),) * 3, 0
        rows.append({"case": f"{objective}, {n:,} products x 2 techniques"
                     + (f", targets {share:g} x final demand" if share else ""),
                     "solver": used, "limit_s": limit, "seconds": time.perf_counter() - t0,
                     **_accuracy(*accuracy), "binding_limits": binding, "result": result})
        print(rows[-1], file=sys.stderr, flush=True)
    return rows


HARMONY_CASES = [(2_000, "simplex", 300), (10_000, "ipm", 300), (100_000, None, 300)]


def harmony_stage() -> list[dict[str, object]]:
    """The Kantorovich plan with its harmony stage (2 techniques each, no capacities, weights
    0.5-2 on the final-demand targets) by policies; where a solver is named, HiGHS solves the
    harmony LP from the same first stage (its lambda) within the limit."""
    rows = []
    for n, solver, limit in HARMONY_CASES:
        e = with_alternative_techniques(generate_economy(n, max(1, n // 400), seed=1), 2, seed=1)
        e = replace(e, capacity=np.full(e.n_techniques, np.inf))
        y = np.clip(e.final_demand.sum(axis=1), 0, None)
        t = Targets(y, np.where(y > 0, np.random.default_rng(0).uniform(0.5, 2.0, n), 0.0))
        case = f"{n:,} products x 2 techniques"
        t0 = time.perf_counter()
        plan = optimal_plan(e, t, time_limit=limit)  # raises if it fails: no table is written
        ours = {"case": case, "second_stage": plan.solver, "limit_s": limit,
                "seconds": time.perf_counter() - t0,
                **_accuracy(plan.duality_gap, plan.infeasibility, plan.dual_infeasibility),
                "lambda": f"{plan.min_fulfilment:.10g}", "harmony": f"{plan.harmony:.12g}"}
        rows.append(ours)
        print(rows[-1], file=sys.stderr, flush=True)
        if solver is None:
            continue
        lam = -optimal_plan(e, t, harmony_stage=False).objective_value
        lp = opt._harmony_lp(opt._structure(e), t, opt._harmony_envelope(lam))
        t0 = time.perf_counter()
        try:
            sol = opt._solve(lp, {"method": solver, "time_limit": limit, "tolerance": None})
            accuracy = _accuracy(sol.relative_gap, sol.primal_infeasibility,
                                 sol.dual_infeasibility)
            diff = abs(-sol.objective - plan.harmony) / abs(plan.harmony)
            value = f"{-sol.objective:.12g} (relative difference {diff:.1e})"
        except PlanningError as exc:
            accuracy, value = _accuracy(*(float("nan"),) * 3), f"not solved: {exc}"
        rows.append({"case": case + ", the same harmony LP", "second_stage": solver,
                     "limit_s": limit, "seconds": time.perf_counter() - t0, **accuracy,
                     "lambda": "", "harmony": value})
        print(rows[-1], file=sys.stderr, flush=True)
    return rows


def fiveyear() -> list[dict[str, object]]:
    """Five-year plans (5 years, 2 % growth) by technique choice and by interior point."""
    rows = []
    for n, k, solver, limit in FIVEYEAR_CASES:
        e = with_alternative_techniques(generate_economy(n, max(1, n // 400), seed=2), k, seed=2)
        cap = generate_capital(e, max(5, n // 100), seed=2)
        t0 = time.perf_counter()
        try:
            fy = five_year_plan(e, cap, periods=5, growth=0.02, solver=solver,  # type: ignore[arg-type]
                                time_limit=limit)
            result = f"consumption fulfilment {fy.fulfilment:.10g}"
            accuracy = (fy.duality_gap, fy.infeasibility, fy.dual_infeasibility)
        except PlanningError as exc:
            result, accuracy = f"not solved: {exc}", (float("nan"),) * 3
        rows.append({"case": f"five years, {n:,} products x {k} techniques",
                     "columns": 5 * (e.n_techniques + 2 * len(cap.goods)), "solver": solver,
                     "limit_s": limit, "seconds": time.perf_counter() - t0,
                     **_accuracy(*accuracy), "result": result})
        print(rows[-1], file=sys.stderr, flush=True)
    return rows


def _accuracy(gap: float, infeasibility: float, dual_infeasibility: float
              ) -> dict[str, float]:
    return {"gap": gap, "infeasibility": infeasibility,
            "dual_infeasibility": dual_infeasibility}


FIRST_ORDER_CASES = [  # products, techniques each, tolerance, limit, HiGHS's PDLP
    (100_000, 3, 1e-4, 300, "pdlp"), (100_000, 3, 1e-5, 300, "hipdlp"),
    (100_000, 3, 1e-6, 300, "hipdlp"), (1_000_000, 2, 1e-4, 900, "pdlp")]


def first_order() -> list[dict[str, object]]:
    """PDLP alone to a loose tolerance at the largest sizes, its answer repaired into a
    feasible plan and its gap certified."""
    rows = []
    for n, k, tolerance, limit, implementation in FIRST_ORDER_CASES:
        e = with_alternative_techniques(generate_economy(n, max(1, n // 400), seed=1), k, seed=1)
        t0 = time.perf_counter()
        plan = optimal_plan(e, harmony_stage=False, solver="pdlp", crossover=False,
                            tolerance=tolerance, time_limit=limit, pdlp_solver=implementation)
        seconds = time.perf_counter() - t0
        lam, bound = -plan.objective_value, -plan.objective_bound
        rows.append({"case": f"Kantorovich, {n:,} products x {k} techniques",
                     "columns": e.n_techniques,
                     "nonzeros": int(opt._structure(e).N.nnz),
                     "pdlp": implementation, "tolerance": tolerance, "seconds": seconds,
                     "iterations": plan.iterations,
                     "lambda": f"{lam:.8g}", "gap": plan.duality_gap,
                     "infeasibility": plan.infeasibility, "upper_bound": f"{bound:.8g}",
                     "gap_to_bound": (bound - lam) / bound, "message": plan.solver_message})
        print(rows[-1], file=sys.stderr, flush=True)
    return rows


SECTIONS = {  # section: (results file, title, command, what the columns mean)
    "peers": ("optimal", "peers", "` (scale, without capacities, the harmony stage, "
              "five-year plans and first order: optimal_scale.md, optimal_policies.md, "
              "optimal_harmony.md, optimal_fiveyear.md, optimal_first_order.md)",
              "Seconds are medians and include building the LP; `ratio_*` is the peer's time "
              "over ours; `max_rel_diff` compares the optimal objective values of all three."),
    "scale": ("optimal_scale", "scale", " --skip-peers --skip-policies --skip-harmony "
              "--skip-fiveyear --skip-first-order`",
              "One run each, Kantorovich first stage only (no harmony stage); `gap` is the "
              "relative duality gap recomputed from the returned primal and dual values (for "
              "`pdlp+crossover`, over the whole LP from the vertex's prices), `infeasibility` "
              "the largest bound violation relative to 1 + the largest bound, "
              "`dual_infeasibility` the largest price of the wrong sign relative to 1 + the "
              "largest cost (where it is not small, the gap proves little). HiGHS's own "
              "simplex and interior point run on the same economies. The time limit covers "
              "the LP solver and the crossover."),
    "policies": ("optimal_policies", "without capacities",
                 " --skip-peers --skip-scale --skip-harmony --skip-fiveyear "
                 "--skip-first-order`",
                 "One run each; seconds include building the LP, not generating the economy. "
                 "`policies` is column generation over technique policies (planning/"
                 "policies.py, certified at a gap of 1e-9), `ipm` HiGHS's interior point and "
                 "`pdlp` PDLP (`pdlp+crossover` where our crossover finishes it), on the "
                 "same economies. "
                 "`gap`, `infeasibility` and `dual_infeasibility` as in optimal_scale.md; "
                 "`binding_limits` counts the resource limits that bind; `result` is the "
                 "objective (weighted output, hours of labour, or for Kantorovich the least "
                 "fulfilment lambda of the first stage, without the harmony stage)."),
    "harmony": ("optimal_harmony", "the harmony stage without capacities",
                " --skip-peers --skip-scale --skip-policies --skip-fiveyear "
                "--skip-first-order`",
                "One run each. The first rows of each size are `optimal_plan` with its "
                "defaults: the Kantorovich first stage and the harmony stage, both by column "
                "generation over policies (planning/policies.py, certified at a gap of 1e-9); "
                "seconds cover both stages and building the LPs, not generating the economy, "
                "and `gap`, `infeasibility` and `dual_infeasibility` (as in optimal_scale.md) "
                "are the harmony LP's. The rows below them give HiGHS the same harmony LP, "
                "with the same least fulfilment from the first stage, and its optimum's "
                "relative difference from ours."),
    "fiveyear": ("optimal_fiveyear", "five-year plans",
                 " --skip-peers --skip-scale --skip-policies --skip-harmony "
                 "--skip-first-order`",
                 "One run each. `choice` is technique choice (planning/choice.py: column "
                 "generation over technique policies, certified at a gap of 1e-8), interior "
                 "point is HiGHS's at 1e-10 tolerances, on the same economies. `gap` is the "
                 "relative duality gap over the whole LP (for `choice`, from the cheapest "
                 "policies' values at the master's prices, with rounding-level negative "
                 "reduced costs charged at bounds implied by the resource limits), "
                 "`infeasibility` and `dual_infeasibility` as in optimal_scale.md. The time "
                 "limit reaches into each LP solve."),
    "first_order": ("optimal_first_order", "first order at the largest size",
                    " --skip-peers --skip-scale --skip-policies --skip-harmony "
                    "--skip-fiveyear`",
                    "One run each, Kantorovich first stage with capacities; seconds include "
                    "building the LP, HiGHS presolve, PDLP, postsolve and the repair (not "
                    "generating the economy). PDLP (`pdlp`: HiGHS's cuPDLP-C, or its "
                    "HiPDLP) stops at `tolerance`; the repair "
                    "(planning/repair.py) turns its answer into a plan that meets every "
                    "balance, capacity and limit. `lambda` is that plan's least fulfilment, "
                    "`infeasibility` its largest bound violation relative to 1 + the largest "
                    "bound, `upper_bound` what weak duality proves from the better of PDLP's "
                    "prices and the owners' break-even prices (clipped to be non-negative), "
                    "and `gap_to_bound` = (upper_bound - lambda) / upper_bound, the certified "
                    "relative gap: the optimum lies between the two."),
}


def main() -> None:
    ap = argparse.ArgumentParser()
    for section in SECTIONS:
        ap.add_argument(f"--skip-{section.replace('_', '-')}", action="store_true")
    args = ap.parse_args()
    head = f"Machine: {machine()}; highspy {version('highspy')}, demplan {version('demplan')}"
    runs = {"peers": peers, "scale": scale, "policies": without_capacities,
            "harmony": harmony_stage, "fiveyear": fiveyear, "first_order": first_order}
    for section, (name, title, command, columns) in SECTIONS.items():
        if not getattr(args, f"skip_{section}"):
            write_results(name, (
                f"# Optimal plans: {title}\n\n{head}\n\nCommand: `python "
                f"bench/bench_optimal.py{command}\n\n{columns}\n\n"
                + markdown_table(runs[section]()) + "\n"))


if __name__ == "__main__":
    main()
