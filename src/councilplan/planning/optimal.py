"""Optimal plans: choose every technique's activity under capacities and resource limits.

With activity z (one entry per technique), net output is N z where N = S - T' (S puts each
technique's unit of output on its product, T' takes its inputs). Targets y (what consumer
councils and voted priorities ask for) carry weights w. Two objectives:

* ``"kantorovich"``: maximise the smallest fulfilment ratio lambda with N z >= lambda y, then,
  holding lambda, maximise the weighted harmony sum_j w_j h(s_j) of the relative surpluses
  s_j = (net_j - y_j) / y_j, with Cockshott's h(s) = s - s^2/2 (s < 0), ln(1 + s) (s >= 0),
  taken as the tangent envelope at fixed breakpoints (exact at them, an LP);
* ``"min-labour"``: meet N z >= y exactly at least labour;
* ``"weighted-output"``: maximise the weighted net output sum_j w_j (N z)_j, N z >= 0 (the
  weights say what one more unit of each product is worth to the councils).

Both respect z <= capacity and R' z <= resource limits. Shadow prices are the LP duals.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import scipy.sparse as sp

from ..economy.model import Economy
from ..errors import Infeasible, InvalidInput, Location, PlanningError, Unbounded
from ..validation import FloatArray, check_vector
from . import nonsubstitution, policies
from ._highs import (
    PDLP_SOLVERS,
    LinearProgram,
    LPMethod,
    LPSolution,
    LPStatus,
    PDLPSolver,
    dual_infeasibility,
    primal_infeasibility,
    solve_lp,
)
from .crossover import CrossoverFailed, PlanLP, objective_bound
from .crossover import crossover as cross_over
from .provenance import Provenance, make_provenance
from .repair import RepairFailed, feasible_plan

Objective = Literal["kantorovich", "min-labour", "weighted-output"]
OBJECTIVES: tuple[str, ...] = ("kantorovich", "min-labour", "weighted-output")
LPChoice = Literal["auto", "simplex", "ipm", "pdlp"]
Solver = Literal["auto", "simplex", "ipm", "pdlp", "policies"]
# At HiGHS's default 1e-7 tolerances simplex and interior point stop with small wrong-sign
# prices that, times large activities, leave the plan short of the optimum: a five-year plan
# at 2,000 products x 2 techniques rose 2.7e-5 at 1e-10 (bench/results/optimal_scale.md,
# against the session-4 table), and a Kantorovich plan without capacities at 2,000 x 2 rose
# 4.4e-6 with simplex (test_policies.py). Every exact solve runs at 1e-10.
EXACT_TOLERANCE = 1e-10
CROSSOVER_START = 1e-5  # PDLP accuracy the crossover starts from (bench/results/optimal_scale.md)
HARMONY_BREAKPOINTS = np.array([-0.9, -0.6, -0.4, -0.25, -0.15, -0.08, -0.04, 0.0, 0.04, 0.08,
                                0.15, 0.25, 0.4, 0.6, 1.0, 2.0, 4.0])


def harmony(s: Any) -> Any:
    """Cockshott's harmony function."""
    s = np.asarray(s, dtype=np.float64)
    return np.where(s < 0, s - s**2 / 2, np.log1p(np.maximum(s, 0)))


def _harmony_slope(s: Any) -> Any:
    return np.where(s < 0, 1 - s, 1 / (1 + s))


@dataclass(frozen=True, eq=False)
class Targets:
    """Target final use per product (0 = no target) and each target's weight."""

    quantity: FloatArray
    weight: FloatArray

    @property
    def targeted(self) -> Any:
        return np.flatnonzero(self.quantity > 0)


def targets_from_economy(economy: Economy) -> Targets:
    """The economy's own final demand, all weights 1; negative net demand is no target."""
    y = np.clip(economy.final_demand.sum(axis=1), 0, None)
    return Targets(y, np.ones_like(y))


def read_targets(path: Path | str, economy: Economy) -> Targets:
    """Targets from CSV or Parquet with columns ``product``, ``target`` and optional ``weight``.

    The priority ballots of the councils write this file. Products not listed get no target.
    """
    import pyarrow.csv as pacsv
    import pyarrow.parquet as pq

    path = Path(path)
    if not path.is_file():
        raise InvalidInput("targets file not found", Location(file=str(path)))
    try:
        table = pq.read_table(path) if path.suffix == ".parquet" else pacsv.read_csv(path)
    except (pa.ArrowException, OSError) as exc:
        raise InvalidInput(f"unreadable targets file: {exc}", Location(file=str(path))) from exc
    for col in ("product", "target"):
        if col not in table.column_names:
            raise InvalidInput(f"missing column {col!r}", Location(str(path), 1, col))
    try:
        pos = economy.products.positions(table.column("product").cast(pa.string()))
    except InvalidInput as exc:
        line = _line_of(table, "product", exc.location.item)
        raise InvalidInput(exc.reason, Location(str(path), line, "product")) from None
    quantity = np.zeros(economy.n_products)
    weight = np.ones(economy.n_products)
    for col, out in (("target", quantity), ("weight", weight)):
        if col not in table.column_names:
            continue
        values = table.column(col).cast(pa.float64(), safe=False).to_numpy(zero_copy_only=False)
        bad = ~np.isfinite(values) | (values < 0)
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            raise InvalidInput(f"{col} {values[i]!r} must be a non-negative number",
                               Location(str(path), i + 2, col))
        if len(np.unique(pos)) != len(pos):
            i = int(np.flatnonzero(np.bincount(pos)[pos] > 1)[1])
            raise InvalidInput("product listed twice", Location(str(path), i + 2, "product"))
        out[pos] = values
    return Targets(quantity, weight)


def _line_of(table: pa.Table, column: str, value: str | None) -> int | None:
    if value is None:
        return None
    hits = pc.index(table.column(column).cast(pa.string()), value).as_py()
    return None if hits < 0 else int(hits) + 2


@dataclass(frozen=True)
class Binding:
    """A limit the optimal plan runs up against, and what one more unit of it is worth."""

    kind: str  # "resource", "capacity" or "target"
    id: str
    limit: float
    used: float
    shadow_price: float


@dataclass(frozen=True, eq=False)
class OptimalPlan:
    """An optimal plan, its prices, its binding limits, and how well the LP was solved."""

    objective: str
    activity: FloatArray
    net_output: FloatArray
    targets: Targets
    fulfilment: FloatArray
    min_fulfilment: float
    harmony: float | None
    total_labour: float
    resource_use: FloatArray
    product_prices: FloatArray
    resource_prices: FloatArray
    capacity_prices: FloatArray
    binding: tuple[Binding, ...]
    objective_value: float
    duality_gap: float
    solver: str
    iterations: int
    seconds: float
    provenance: Provenance
    solver_message: str = ""
    infeasibility: float = 0.0  # largest bound violation, relative (0 for an exact vertex)
    dual_infeasibility: float = 0.0  # largest wrong-sign price, relative (0 for a vertex)
    # what weak duality proves from the plan's own prices: objective_value >= this at the
    # optimum (min-labour, and Kantorovich without the harmony stage; NaN otherwise)
    objective_bound: float = float("nan")
    # False where the harmony stage ran out of time or failed: the plan is then the first
    # stage's, its least fulfilment optimal, its harmony (reported) not maximised
    harmony_maximised: bool = True


@dataclass(frozen=True, eq=False)
class _Structure:
    """The pieces every formulation shares."""

    N: sp.csr_array
    R_rows: sp.csr_array  # finite-limit resources by technique
    limits: FloatArray
    limited: Any
    capacity: FloatArray
    labour: FloatArray


def _structure(e: Economy) -> _Structure:
    S = sp.csr_array((np.ones(e.n_techniques), (e.technique_product, np.arange(e.n_techniques))),
                     shape=(e.n_products, e.n_techniques))
    N = sp.csr_array(S - e.input_coefficients.T)
    limited = np.flatnonzero(np.isfinite(e.resource_limits))
    R_rows = sp.csr_array(e.resource_coefficients.T)[limited]
    labour = np.asarray(e.resource_coefficients[:, e.labour].sum(axis=1)).ravel()
    return _Structure(N, sp.csr_array(R_rows), e.resource_limits[limited], limited, e.capacity,
                      labour)


def choose_solver(n_columns: int, solver: LPChoice, *, crossover: bool = False,
                  ipm_up_to: int = 15_000) -> LPMethod:
    """Simplex for small problems, interior point for medium ones (up to ``ipm_up_to``
    columns), PDLP (first order, its accuracy reported as the duality gap) beyond. Where a
    crossover turns PDLP's answer into an exact vertex, PDLP takes over from simplex
    directly. Thresholds from bench/results/optimal_scale.md."""
    if solver != "auto":
        return solver
    if n_columns <= 2_000:
        return "simplex"
    if crossover:
        return "pdlp"
    return "ipm" if n_columns <= ipm_up_to else "pdlp"


def optimal_plan(
    economy: Economy,
    targets: Targets | None = None,
    *,
    objective: Objective = "kantorovich",
    harmony_stage: bool = True,
    solver: Solver = "auto",
    time_limit: float | None = None,
    tolerance: float | None = None,
    crossover: bool = True,
    pdlp_solver: PDLPSolver = "pdlp",
    harmony_time_limit: float | None = None,
) -> OptimalPlan:
    """Choose activity levels for every technique; see the module docstring for the LPs.

    With PDLP, the Kantorovich (first stage) and min-labour LPs are finished by
    :mod:`.crossover`, an exact and certified vertex, unless ``crossover=False``; should the
    crossover fail (or without it, or when PDLP is cut off by ``time_limit``), a Kantorovich
    plan is repaired into a feasible one with a certified gap (:mod:`.repair`); otherwise the
    first-order solution stands and its message says why. ``tolerance`` is
    PDLP's target accuracy (default 1e-7, or :data:`CROSSOVER_START` before a crossover); the
    plan reports the gap and infeasibility reached. ``time_limit`` covers the LP solver and
    then the crossover (a repair runs after it), and both Kantorovich stages;
    ``harmony_time_limit`` the harmony stage alone. A harmony stage that runs out of time (or
    whose LP solver fails) leaves the first stage's plan standing, with
    ``harmony_maximised=False`` and a message that says why. ``pdlp_solver`` picks HiGHS's
    PDLP implementation (see :func:`~._highs.solve_lp`).
    """
    e = economy
    t = targets or targets_from_economy(e)
    _check_request(e, t, objective, tolerance, pdlp_solver,
                   {"time_limit": time_limit, "harmony_time_limit": harmony_time_limit})
    if objective == "min-labour" and solver == "auto" and nonsubstitution.applies(e):
        return _least_labour(e, t)
    deadline = None if time_limit is None else time.perf_counter() + time_limit
    st = _structure(e)
    by_policies = _policies_apply(solver, st)
    # Balances are tight at the optimum of these two, which the crossover relies on.
    crossover = crossover and objective in ("kantorovich", "min-labour")
    lp_choice: LPChoice = "auto" if solver == "policies" else solver
    method = choose_solver(e.n_techniques, lp_choice, crossover=crossover)
    options: dict[str, Any] = {"method": method, "time_limit": time_limit,
                               "tolerance": tolerance, "pdlp_solver": pdlp_solver}
    # A crossover needs PDLP only near the optimum; the harmony stage keeps `tolerance`.
    start = options | {"tolerance": CROSSOVER_START} if (
        tolerance is None and crossover and method == "pdlp") else options
    plan_lp = _plan_lp(e, st, t, objective) if objective != "weighted-output" else None
    exact = _finisher(plan_lp, st, crossover, deadline)
    strict = solver == "policies"

    def policies_or_lp(lp: LinearProgram, lp_options: dict[str, Any],
                       finish: Callable[[LPSolution], LPSolution] | None = None) -> LPSolution:
        """Column generation over policies where it applies and certifies; the LP otherwise,
        in the time left."""
        return ((by_policies and _by_policies(e, st, t, objective, lp, deadline, strict))
                or _solve(lp, _time_left(lp_options, deadline), finish))

    if objective == "min-labour":
        sol = policies_or_lp(_min_labour_lp(st, t), start, exact)
        if sol.status == LPStatus.INFEASIBLE:
            raise explain_infeasible(e, st, t, options)
        z = sol.x
        hv = None
    elif objective == "weighted-output":
        sol = policies_or_lp(_weighted_output_lp(st, t), options)
        if sol.status == LPStatus.UNBOUNDED:
            raise explain_unbounded(e, sol.ray)
        z, hv = sol.x, None
    else:
        first = policies_or_lp(_kantorovich_lp(st, t), start, exact)
        if first.status == LPStatus.UNBOUNDED:
            raise explain_unbounded(e, first.ray)
        sol, hv, maximised = first, None, True
        if harmony_stage:
            second = choose_solver(e.n_techniques, lp_choice)  # no crossover for this LP
            sol, hv, maximised = _harmony_stage(
                e, st, t, first, options | {"method": second},
                _stage_deadline(deadline, harmony_time_limit), strict)
        z = sol.x[: e.n_techniques]
        bound = float("nan") if harmony_stage and maximised else _bound(plan_lp, st, sol)
        return _plan(e, st, t, objective, sol, z, hv,
                     options | {"first_stage": first.method,
                                "harmony_time_limit": harmony_time_limit}, bound, maximised)
    return _plan(e, st, t, objective, sol, z, hv, options, _bound(plan_lp, st, sol))


def _check_request(e: Economy, t: Targets, objective: str, tolerance: float | None,
                   pdlp_solver: str, time_limits: dict[str, float | None]) -> None:
    """Refuse what :func:`optimal_plan` cannot be asked, naming what is wrong."""
    if objective not in OBJECTIVES:
        raise InvalidInput(f"unknown objective {objective!r}; use one of {', '.join(OBJECTIVES)}")
    check_vector(t.quantity, name="target", size=e.n_products, ensure_non_negative=True,
                 labels=e.products)
    check_vector(t.weight, name="weight", size=e.n_products, ensure_non_negative=True,
                 labels=e.products)
    if not t.targeted.size and objective != "weighted-output":
        raise InvalidInput("no product has a positive target")
    if pdlp_solver not in PDLP_SOLVERS:
        raise InvalidInput(f"unknown PDLP solver {pdlp_solver!r}; use one of "
                           f"{', '.join(PDLP_SOLVERS)}")
    if tolerance is not None and not 1e-10 <= tolerance < 1:
        raise InvalidInput(f"tolerance must lie in [1e-10, 1), got {tolerance!r}")
    for name, limit in time_limits.items():
        if limit is not None and not limit >= 0:
            raise InvalidInput(f"{name} must be a number of seconds >= 0, got {limit!r}")


def _bound(plan_lp: PlanLP | None, st: _Structure, sol: LPSolution) -> float:
    """What the solution's own prices prove about the optimum (see :func:`objective_bound`)."""
    if plan_lp is None:
        return float("nan")
    n_p, n_res = st.N.shape[0], st.limits.size
    return objective_bound(plan_lp, sol.row_dual[:n_p], -sol.row_dual[n_p:n_p + n_res])


def _plan_lp(e: Economy, st: _Structure, t: Targets, objective: str) -> PlanLP:
    parts = (sp.csr_array(e.input_coefficients), sp.csc_array(st.N), e.technique_product,
             st.R_rows, st.limits, st.capacity, t.quantity)
    if objective == "kantorovich":
        return PlanLP.kantorovich(*parts)
    return PlanLP.least_labour(*parts, st.labour)


def _finisher(plan_lp: PlanLP | None, st: _Structure, crossover: bool,
              deadline: float | None) -> Callable[[LPSolution], LPSolution] | None:
    """What finishes a PDLP answer: the crossover to an exact vertex, else (Kantorovich)
    the repair to a feasible plan with a certified gap."""
    if plan_lp is None:
        return None
    if crossover:
        return lambda sol: _exact(plan_lp, st, sol, deadline)
    if plan_lp.homogeneous:
        return lambda sol: _repaired(plan_lp, st, sol)
    return None


def _exact(plan_lp: PlanLP, st: _Structure, sol: LPSolution, deadline: float | None
           ) -> LPSolution:
    """Replace PDLP's near-optimum by the exact vertex near it (see :mod:`.crossover`),
    within what is left of the time limit. PDLP cut off by the time limit leaves none: a
    round from an iterate that far from a vertex could take minutes, so none starts."""
    n_p, n = st.N.shape
    n_res = st.limits.size
    try:
        if sol.status == LPStatus.TIME_LIMIT:
            raise CrossoverFailed("no time left for it")
        v = cross_over(plan_lp, sol.x[:n], sol.row_dual[:n_p], -sol.row_dual[n_p:n_p + n_res],
                       time_limit=_remaining(deadline))
    except CrossoverFailed as exc:
        failed = replace(sol, message=f"{sol.message}; crossover failed ({exc})")
        return _repaired(plan_lp, st, failed) if plan_lp.homogeneous else failed
    return LPSolution(
        LPStatus.OPTIMAL, "optimal (certified vertex)",
        *_padded(sol, st, v.activity, v.scale, v.product_prices, v.resource_prices, v.profit),
        v.objective, v.bound, sol.iterations + v.rounds, sol.seconds + v.seconds,
        "pdlp+crossover", primal_infeasibility=v.infeasibility)


def _repaired(plan_lp: PlanLP, st: _Structure, sol: LPSolution) -> LPSolution:
    """PDLP's Kantorovich answer made feasible, its gap certified by weak duality (see
    :mod:`.repair`); PDLP's own answer where that fails, its message saying why."""
    n_p, n = st.N.shape
    n_res = st.limits.size
    try:
        r = feasible_plan(plan_lp, sol.x[:n], -sol.objective, sol.row_dual[:n_p],
                          -sol.row_dual[n_p:n_p + n_res])
    except RepairFailed as exc:
        return replace(sol, message=f"{sol.message}; not made feasible ({exc})")
    priced = r.prices
    return LPSolution(
        LPStatus.OPTIMAL, f"{sol.message}; made feasible, least fulfilment within {r.gap:.2g} "
        "of the optimum (certified)",
        *_padded(sol, st, r.activity, r.scale, priced.p, priced.nu, priced.profit),
        -r.scale, -r.bound, sol.iterations, sol.seconds + r.seconds, f"{sol.method}+repair",
        primal_infeasibility=r.infeasibility)


def _padded(sol: LPSolution, st: _Structure, activity: FloatArray, scale: float,
            prices: FloatArray, resource_prices: FloatArray, profit: FloatArray
            ) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Primal values, row duals and column duals of the LP ``sol`` solved, from a plan and
    its prices: every fulfilment column at lambda, the chain rows priced at zero."""
    n_p, n = st.N.shape
    extra_cols, extra_rows = sol.x.size - n, sol.row_dual.size - n_p - st.limits.size
    return (np.concatenate([activity, np.full(extra_cols, scale)]),
            np.concatenate([prices, -resource_prices, np.zeros(extra_rows)]),
            np.concatenate([-profit, np.zeros(extra_cols)]))


def _policies_apply(solver: Solver, st: _Structure) -> bool:
    """Whether column generation over policies runs; ``solver="policies"`` where it cannot
    is an input error that says why."""
    if solver not in ("auto", "policies"):
        return False
    why = ("a technique has a capacity" if np.isfinite(st.capacity).any()
           else "no resource is limited" if not st.limits.size else None)
    if why and solver == "policies":
        raise InvalidInput(f"solver 'policies' does not apply: {why}")
    return why is None


def _remaining(deadline: float | None) -> float | None:
    """Seconds left until ``deadline`` (a ``time.perf_counter`` reading), if there is one."""
    return None if deadline is None else max(deadline - time.perf_counter(), 0.0)


def _time_left(options: dict[str, Any], deadline: float | None) -> dict[str, Any]:
    """The LP solver's options with its time limit cut to what is left before ``deadline``."""
    return options if deadline is None else options | {"time_limit": _remaining(deadline)}


def _by_policies(e: Economy, st: _Structure, t: Targets, objective: str, lp: LinearProgram,
                 deadline: float | None, strict: bool) -> LPSolution | None:
    """A plan LP without capacities by column generation over policies (see
    :mod:`.policies`), as the LP's certified solution; None where it gives no certificate
    (the LP solvers then solve, or explain, the LP), unless ``strict``."""
    args = (e.input_coefficients, e.technique_product, st.R_rows, st.limits)
    time_limit = _remaining(deadline)
    try:
        if objective == "weighted-output":
            r = policies.weighted_output(*args, t.weight, time_limit=time_limit)
        elif objective == "kantorovich":
            r = policies.kantorovich(*args, t.quantity, time_limit=time_limit)
        else:
            r = policies.least_cost(*args, st.labour, t.quantity, time_limit=time_limit)
    except policies.NoLimit as exc:
        raise explain_unbounded(e, exc.direction) from None
    except policies.PoliciesFailed as exc:
        if strict:
            raise PlanningError(f"column generation over policies: {exc}") from None
        return None
    x, row_dual = _policy_solution(objective, t, r)
    sign = 1.0 if objective == "min-labour" else -1.0
    return LPSolution(
        LPStatus.OPTIMAL, f"optimal (certified over {r.rounds} rounds)", x, row_dual,
        lp.c - lp.A.T @ row_dual, sign * r.value, sign * r.bound, r.rounds, r.seconds,
        "policies", primal_infeasibility=primal_infeasibility(lp, x),
        dual_infeasibility=dual_infeasibility(lp, row_dual))


def _stage_deadline(deadline: float | None, seconds: float | None) -> float | None:
    """The earlier of ``deadline`` and ``seconds`` from now (either may be None)."""
    if seconds is None:
        return deadline
    own = time.perf_counter() + seconds
    return own if deadline is None else min(deadline, own)


def _harmony_stage(e: Economy, st: _Structure, t: Targets, first: LPSolution,
                   options: dict[str, Any], deadline: float | None, strict: bool
                   ) -> tuple[LPSolution, float, bool]:
    """The most weighted harmony that holds the first stage's least fulfilment, its value,
    and whether it was reached. A stage cut off by ``deadline`` (or whose LP solver fails, or
    finds the LP infeasible, which only rounding could make it) leaves the first stage's
    plan, with that plan's harmony: it is still the Kantorovich optimum, which a plan
    half-way to the harmony optimum need not be."""
    envelope = _harmony_envelope(-first.objective)
    lp = _harmony_lp(st, t, envelope)
    sol = (_harmony_by_policies(e, st, t, lp, envelope, first, deadline, strict)
           if first.method == "policies" else None)
    try:
        sol = sol or _solve(lp, _time_left(options, deadline))
        if sol.status != LPStatus.OPTIMAL:  # infeasible by rounding alone: the first holds
            raise PlanningError(f"the LP solver ended with: {sol.message} ({sol.method})")
    except PlanningError as exc:
        kept = replace(first, message=f"{first.message}; harmony stage not finished ({exc}): "
                                      "the plan is the first stage's, its least fulfilment "
                                      "optimal, its harmony not maximised")
        own = _surpluses(envelope, t, st.N @ first.x[:st.N.shape[1]])
        return kept, float(t.weight[t.targeted] @ envelope(own)), False
    return sol, -sol.objective, True


def _surpluses(envelope: policies.Envelope, t: Targets, net_output: FloatArray) -> FloatArray:
    """Each target's surplus over its target, as the harmony LP holds it: within the
    envelope's box."""
    tg = t.targeted
    return np.asarray(np.clip(net_output[tg] / t.quantity[tg] - 1.0, envelope.lower,
                              envelope.upper), dtype=np.float64)


def _harmony_by_policies(e: Economy, st: _Structure, t: Targets, lp: LinearProgram,
                         envelope: policies.Envelope, first: LPSolution,
                         deadline: float | None, strict: bool) -> LPSolution | None:
    """The harmony stage without capacities by column generation over policies, from the
    Kantorovich plan and its prices (see :func:`policies.harmony`), as the harmony LP's
    solution; None where it gives no certificate (the LP solvers then solve the LP), unless
    ``strict``."""
    n_p, n = st.N.shape
    n_res = st.limits.size
    try:
        r = policies.harmony(e.input_coefficients, e.technique_product, st.R_rows, st.limits,
                             t.quantity, t.weight, envelope, first.x[:n],
                             -first.row_dual[n_p:n_p + n_res], time_limit=_remaining(deadline))
    except policies.PoliciesFailed as exc:
        if strict:
            raise PlanningError(f"column generation over policies: {exc}") from None
        return None
    s = _surpluses(envelope, t, r.net_output)
    x = np.concatenate([r.activity, s, envelope(s)])
    row_dual = np.concatenate([r.product_prices, -r.resource_prices,
                               -_envelope_duals(envelope, t, r.product_prices).ravel()])
    return LPSolution(
        LPStatus.OPTIMAL, f"optimal (certified over {r.rounds} rounds)", x, row_dual,
        lp.c - lp.A.T @ row_dual, -r.value, -r.bound, r.rounds, r.seconds, "policies",
        primal_infeasibility=primal_infeasibility(lp, x),
        dual_infeasibility=dual_infeasibility(lp, row_dual))


def _harmony_envelope(lam: float) -> policies.Envelope:
    """The harmony LP's tangents at :data:`HARMONY_BREAKPOINTS` and the box of its surpluses:
    every fulfilment at least lambda (less a hair, so rounding in the first stage cannot make
    the second infeasible), none counted past the last breakpoint."""
    bp = HARMONY_BREAKPOINTS
    slope = _harmony_slope(bp)
    return policies.Envelope(slope, harmony(bp) - slope * bp, max(lam, 0.0) * (1 - 1e-9) - 1,
                             float(bp[-1]))


def _envelope_duals(envelope: policies.Envelope, t: Targets, prices: FloatArray) -> FloatArray:
    """Per target and tangent, the price of the tangent's row at product prices p: each
    target's weight split over the two tangents whose slopes bracket ``y_j p_j / w_j``, the
    split that leaves its surplus no reduced cost. Outside the slopes of the tangents that
    hold at the box's ends, the surplus sits at that end, on that tangent alone."""
    tg = t.targeted
    w = t.weight[tg]
    slope = envelope.slope
    ends = np.array([envelope.lower, envelope.upper])
    at_ends = np.argmin(envelope.intercept + slope * ends[:, None], axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(w > 0, t.quantity[tg] * prices[tg] / w, np.inf)
    ratio = np.clip(ratio, slope[at_ends[1]], slope[at_ends[0]])
    upper = np.clip(np.searchsorted(-slope, -ratio, side="left"), 1, slope.size - 1)
    lower = upper - 1  # slope[lower] >= ratio >= slope[upper] where it lies between them
    theta = np.clip((ratio - slope[upper]) / (slope[lower] - slope[upper]), 0.0, 1.0)
    duals = np.zeros((tg.size, slope.size))
    rows = np.arange(tg.size)
    duals[rows, lower] = theta * w
    duals[rows, upper] += (1.0 - theta) * w
    return duals


def _policy_solution(objective: str, t: Targets, r: policies.PolicyPlan
                     ) -> tuple[FloatArray, FloatArray]:
    """The LP's primal and dual values from a policies optimum. In the Kantorovich LP every
    target's fulfilment column is lambda, and the duals of the rows chaining them follow
    from those columns' zero reduced costs: the running sum of y_j p_j, less 1."""
    balance_dual = r.product_prices - t.weight if objective == "weighted-output" else (
        r.product_prices)
    row_dual = np.concatenate([balance_dual, -r.resource_prices])
    if objective != "kantorovich":
        return r.activity, row_dual
    tg = t.targeted
    chain = np.cumsum(t.quantity[tg] * r.product_prices[tg])[:-1] - 1.0
    return (np.concatenate([r.activity, np.full(tg.size, r.value)]),
            np.concatenate([row_dual, chain]))


def _least_labour(e: Economy, t: Targets) -> OptimalPlan:
    """Min-labour without capacity or resource limits: exact by the non-substitution theorem."""
    t0 = time.perf_counter()
    choice = nonsubstitution.least_labour_techniques(e, t.quantity)
    z = choice.activity
    net = _structure(e).N @ z
    with np.errstate(divide="ignore", invalid="ignore"):
        fulfilment = np.where(t.quantity > 0, net / t.quantity, np.nan)
    return OptimalPlan(
        objective="min-labour", activity=z, net_output=net, targets=t, fulfilment=fulfilment,
        min_fulfilment=float(np.nanmin(fulfilment)), harmony=None,
        total_labour=choice.total_labour, resource_use=e.resource_coefficients.T @ z,
        product_prices=choice.labour_values, resource_prices=np.zeros(e.n_resources),
        capacity_prices=np.zeros(e.n_techniques), binding=(),
        objective_value=choice.total_labour, duality_gap=choice.duality_gap,
        solver="non-substitution", iterations=choice.iterations,
        seconds=time.perf_counter() - t0,
        provenance=make_provenance(e, None, "optimal/min-labour",
                                   {"method": "non-substitution"}),
    )


# PDLP answers worth finishing: near the optimum (HiGHS unsure), or its last iterate at the
# time limit, which the Kantorovich repair still turns into a plan with a certified gap.
_FINISHED = (LPStatus.OPTIMAL, LPStatus.FAILED, LPStatus.TIME_LIMIT)


def _solve(lp: LinearProgram, options: dict[str, Any],
           finish: Callable[[LPSolution], LPSolution] | None = None) -> LPSolution:
    """Solve; ``finish`` turns a PDLP answer (optimal, near it with HiGHS unsure, or cut off
    by the time limit) exact, or for Kantorovich at least feasible with a certified gap.
    Simplex and interior point run at :data:`EXACT_TOLERANCE` unless the options say
    otherwise."""
    exact = {} if options["method"] == "pdlp" else {"feasibility_tolerance": EXACT_TOLERANCE}
    sol = solve_lp(lp, **(exact | options))
    if finish is not None and sol.method == "pdlp" and sol.status in _FINISHED:
        sol = finish(sol)
    if sol.status in (LPStatus.FAILED, LPStatus.TIME_LIMIT):
        raise PlanningError(f"the LP solver stopped without a plan: {sol.message} after "
                            f"{sol.seconds:.1f} s ({sol.method})")
    return sol


def _rows(st: _Structure, balance: sp.csr_array, balance_lower: FloatArray, extra_cols: int
          ) -> tuple[sp.csc_array, FloatArray, FloatArray]:
    """Stack material-balance rows (>= lower) over resource rows (<= limit)."""
    resources = sp.hstack([st.R_rows, sp.csr_array((st.R_rows.shape[0], extra_cols))])
    A = sp.csc_array(sp.vstack([balance, resources]))
    lower = np.concatenate([balance_lower, np.full(st.R_rows.shape[0], -np.inf)])
    upper = np.concatenate([np.full(balance.shape[0], np.inf), st.limits])
    return A, lower, upper


def _min_labour_lp(st: _Structure, t: Targets) -> LinearProgram:
    A, lo, up = _rows(st, st.N, t.quantity, 0)
    n = st.N.shape[1]
    return LinearProgram(st.labour, A, lo, up, np.zeros(n), st.capacity)


def _weighted_output_lp(st: _Structure, t: Targets) -> LinearProgram:
    A, lo, up = _rows(st, st.N, np.zeros(st.N.shape[0]), 0)
    n = st.N.shape[1]
    return LinearProgram(-(st.N.T @ t.weight), A, lo, up, np.zeros(n), st.capacity)


def _kantorovich_lp(st: _Structure, t: Targets) -> LinearProgram:
    """Variables z and one fulfilment f_j per target, chained f_j = f_{j+1}; maximise f_0.

    A single lambda column would touch every balance row and make interior-point normal
    equations dense; the chain keeps every column sparse.
    """
    n_p, n = st.N.shape
    tg = t.targeted
    k = tg.size
    pick = sp.csr_array((-t.quantity[tg], (tg, np.arange(k))), shape=(n_p, k))
    balance = sp.hstack([st.N, pick], format="csr")
    A, lo, up = _rows(st, balance, np.zeros(n_p), k)
    chain = sp.csr_array((np.concatenate([np.ones(k - 1), -np.ones(k - 1)]),
                          (np.tile(np.arange(k - 1), 2),
                           n + np.concatenate([np.arange(k - 1), np.arange(1, k)]))),
                         shape=(k - 1, n + k))
    A = sp.csc_array(sp.vstack([A, chain]))
    lo = np.concatenate([lo, np.zeros(k - 1)])
    up = np.concatenate([up, np.zeros(k - 1)])
    c = np.zeros(n + k)
    c[n] = -1.0
    return LinearProgram(c, A, lo, up, np.zeros(n + k), np.append(st.capacity, np.full(k, np.inf)))


def _harmony_lp(st: _Structure, t: Targets, envelope: policies.Envelope) -> LinearProgram:
    """Variables z, s (per target), h (per target): h under the envelope's tangents, s in
    its box (every fulfilment at least the first stage's lambda, see
    :func:`_harmony_envelope`)."""
    n_p, n = st.N.shape
    tg = t.targeted
    k = tg.size
    y = t.quantity[tg]
    pick = sp.csr_array((-y, (tg, np.arange(k))), shape=(n_p, k))
    balance = sp.hstack([st.N, pick, sp.csr_array((n_p, k))], format="csr")
    lower = t.quantity.copy()
    slopes, n_bp = envelope.slope, envelope.slope.size
    # h_j - slope * s_j <= h(b) - slope * b for every breakpoint b
    rows = np.arange(k * n_bp)
    j = np.repeat(np.arange(k), n_bp)
    env = sp.csr_array((np.concatenate([-np.tile(slopes, k), np.ones(k * n_bp)]),
                        (np.concatenate([rows, rows]), np.concatenate([n + j, n + k + j]))),
                       shape=(k * n_bp, n + 2 * k))
    A, lo, up = _rows(st, balance, lower, 2 * k)
    A = sp.csc_array(sp.vstack([A, env]))
    lo = np.concatenate([lo, np.full(k * n_bp, -np.inf)])
    up = np.concatenate([up, np.tile(envelope.intercept, k)])
    c = np.concatenate([np.zeros(n + k), -t.weight[tg]])
    col_lo = np.concatenate([np.zeros(n), np.full(k, envelope.lower), np.full(k, -np.inf)])
    col_up = np.concatenate([st.capacity, np.full(k, envelope.upper), np.full(k, np.inf)])
    return LinearProgram(c, A, lo, up, col_lo, col_up)


def _plan(e: Economy, st: _Structure, t: Targets, objective: str, sol: LPSolution,
          z: FloatArray, hv: float | None, options: dict[str, Any],
          bound: float = float("nan"), harmony_maximised: bool = True) -> OptimalPlan:
    n_p = e.n_products
    net = st.N @ z
    with np.errstate(divide="ignore", invalid="ignore"):
        fulfilment = np.where(t.quantity > 0, net / t.quantity, np.nan)
    resource_use = e.resource_coefficients.T @ z
    resource_prices = np.zeros(e.n_resources)
    resource_prices[st.limited] = -sol.row_dual[n_p:n_p + st.limited.size]
    capacity_prices = -sol.col_dual[: e.n_techniques]
    return OptimalPlan(
        objective=objective, activity=z, net_output=net, targets=t, fulfilment=fulfilment,
        min_fulfilment=float(np.nanmin(fulfilment)) if t.targeted.size else float("nan"),
        harmony=hv,
        total_labour=float(st.labour @ z), resource_use=resource_use,
        product_prices=sol.row_dual[:n_p].copy(), resource_prices=resource_prices,
        capacity_prices=capacity_prices,
        binding=_binding(e, st, z, resource_use, resource_prices, capacity_prices),
        objective_value=sol.objective, duality_gap=sol.relative_gap, solver=sol.method,
        iterations=sol.iterations, seconds=sol.seconds,
        provenance=make_provenance(e, None, f"optimal/{objective}",
                                   {**options, "harmony_stage": hv is not None}),
        solver_message=sol.message, infeasibility=sol.primal_infeasibility,
        dual_infeasibility=sol.dual_infeasibility,
        objective_bound=bound, harmony_maximised=harmony_maximised,
    )


def _binding(e: Economy, st: _Structure, z: FloatArray, use: FloatArray,
             resource_prices: FloatArray, capacity_prices: FloatArray) -> tuple[Binding, ...]:
    found = []
    for r in st.limited:
        if use[r] >= e.resource_limits[r] * (1 - 1e-7) or resource_prices[r] > 1e-9:
            found.append(Binding("resource", e.resources[r], float(e.resource_limits[r]),
                                 float(use[r]), float(resource_prices[r])))
    cap = np.isfinite(e.capacity)
    at_cap = np.flatnonzero(cap & ((z >= e.capacity * (1 - 1e-7)) | (capacity_prices > 1e-9))
                            & (e.capacity > 0))
    for i in at_cap[np.argsort(-capacity_prices[at_cap])][:1000]:
        found.append(Binding("capacity", e.techniques[i], float(e.capacity[i]), float(z[i]),
                             float(capacity_prices[i])))
    return tuple(sorted(found, key=lambda b: -b.shadow_price))


def explain_infeasible(e: Economy, st: _Structure, t: Targets, options: dict[str, Any]
                       ) -> Infeasible:
    """Elastic form: let each target fall short by a share u_j, minimise sum w_j u_j, and name
    the targets that must give and the limits they run into."""
    n_p, n = st.N.shape
    tg = t.targeted
    give = sp.csr_array((t.quantity[tg], (tg, np.arange(tg.size))), shape=(n_p, tg.size))
    A, lo, up = _rows(st, sp.hstack([st.N, give], format="csr"), t.quantity, tg.size)
    c = np.concatenate([np.zeros(n), np.maximum(t.weight[tg], 1e-6)])
    sol = _solve(LinearProgram(c, A, lo, up, np.zeros(n + tg.size),
                               np.concatenate([st.capacity, np.ones(tg.size)])), options)
    u = sol.x[n:]
    z = sol.x[:n]
    short = [(e.products[int(tg[i])], float(t.quantity[tg[i]]), float(u[i]))
             for i in np.argsort(-u) if u[i] > 1e-9]
    resource_prices = np.zeros(e.n_resources)
    resource_prices[st.limited] = -sol.row_dual[n_p:n_p + st.limited.size]
    limits = _binding(e, st, z, e.resource_coefficients.T @ z, resource_prices,
                      -sol.col_dual[:n])
    parts = [f"target for {p!r} ({q:.6g}) must give {q * s:.6g} ({100 * s:.3g}%)"
             for p, q, s in short[:10]]
    more = f" and {len(short) - 10} more" if len(short) > 10 else ""
    conflicts = ", ".join(f"{b.kind} {b.id!r} (limit {b.limit:.6g})" for b in limits[:10])
    return Infeasible(
        "the targets cannot all be met: " + "; ".join(parts) + more
        + (f". They conflict with: {conflicts}" if conflicts else ""),
        shortfalls=tuple(short), conflicts=limits)


def explain_unbounded(e: Economy, ray: FloatArray | None) -> Unbounded:
    """Name the techniques along which fulfilment can grow without any limit."""
    ray = ray[: e.n_techniques] if ray is not None else np.zeros(e.n_techniques)
    moving = np.flatnonzero(ray > 1e-12)
    names = ", ".join(repr(e.techniques[int(i)]) for i in moving[:10])
    return Unbounded(
        "the plan is unbounded: no capacity, labour or resource limit stops fulfilment from "
        f"growing; direction: techniques {names or '(all)'}"
        + (f" and {moving.size - 10} more" if moving.size > 10 else ""),
        direction=tuple(e.techniques[int(i)] for i in moving))
