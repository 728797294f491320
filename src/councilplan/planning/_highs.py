"""The one module that talks to HiGHS: a linear program in, a small stable result out.

Problems are ``min c'x  s.t.  row_lower <= A x <= row_upper,  col_lower <= x <= col_upper``.
HiGHS's many model statuses map to :class:`LPStatus`; the duality gap is recomputed here from
the returned primal and dual values, so a first-order solution states its accuracy.
"""

from __future__ import annotations

import os
import sys
import time
from dataclasses import dataclass
from enum import IntEnum
from typing import Any, Literal, get_args

import highspy
import numpy as np
import scipy.sparse as sp

from ..validation import FloatArray

INF = highspy.kHighsInf
LPMethod = Literal["simplex", "ipm", "pdlp"]
PDLPSolver = Literal["pdlp", "hipdlp"]  # HiGHS's cuPDLP-C, or its own newer HiPDLP
PDLP_SOLVERS: tuple[str, ...] = get_args(PDLPSolver)


class LPStatus(IntEnum):
    OPTIMAL = 0
    INFEASIBLE = 1
    UNBOUNDED = 2
    TIME_LIMIT = 3
    FAILED = 4


@dataclass(frozen=True, eq=False)
class LinearProgram:
    c: FloatArray
    A: sp.csc_array
    row_lower: FloatArray
    row_upper: FloatArray
    col_lower: FloatArray
    col_upper: FloatArray


@dataclass(frozen=True, eq=False)
class LPSolution:
    status: LPStatus
    message: str
    x: FloatArray
    row_dual: FloatArray
    col_dual: FloatArray
    objective: float
    dual_objective: float
    iterations: int
    seconds: float
    method: str
    ray: FloatArray | None = None
    primal_infeasibility: float = 0.0  # see primal_infeasibility()
    dual_infeasibility: float = 0.0  # see dual_infeasibility()

    @property
    def relative_gap(self) -> float:
        """Relative gap between the primal and dual objectives; a proof of optimality only
        as far as both infeasibilities are small."""
        scale = max(1.0, abs(self.objective), abs(self.dual_objective))
        return abs(self.objective - self.dual_objective) / scale


def solve_lp(lp: LinearProgram, *, method: LPMethod = "simplex", time_limit: float | None = None,
             tolerance: float | None = None, feasibility_tolerance: float | None = None,
             pdlp_solver: PDLPSolver = "pdlp") -> LPSolution:
    """Solve ``lp`` with HiGHS' simplex, interior-point or PDLP solver.

    ``tolerance`` is PDLP's target accuracy (relative residuals and gap); PDLP then runs on
    the presolved LP, see :func:`_pdlp_to_tolerance`. ``pdlp_solver`` picks HiGHS's PDLP:
    cuPDLP-C (``"pdlp"``) or HiPDLP (``"hipdlp"``), which reaches 1e-5 to 1e-6 sooner on our
    largest plans but, cut off by the time limit, returns no iterate.
    """
    h = configured_highs(method, feasibility_tolerance)
    if method == "pdlp":
        set_option(h, "solver", pdlp_solver)
    if time_limit is not None:
        set_option(h, "time_limit", float(time_limit))
    h.passModel(highs_model(lp))
    t0 = time.perf_counter()
    if method == "pdlp" and tolerance is not None:
        status, iterations = _pdlp_to_tolerance(h, float(tolerance), time_limit, pdlp_solver)
        return _result(h, lp, method, time.perf_counter() - t0, status, iterations, tolerance)
    h.run()
    return _result(h, lp, method, time.perf_counter() - t0)


def configured_highs(method: LPMethod, feasibility_tolerance: float | None) -> Any:
    """A quiet, single-threaded, seeded HiGHS for ``method``, at the given primal and dual
    feasibility (and interior-point optimality) tolerance."""
    h = _quiet_highs()
    if feasibility_tolerance is not None:
        for name in ("primal_feasibility_tolerance", "dual_feasibility_tolerance",
                     "ipm_optimality_tolerance"):
            set_option(h, name, feasibility_tolerance)
    set_option(h, "solver", method)
    set_option(h, "threads", 1)
    set_option(h, "random_seed", 0)
    return h


def set_option(h: Any, name: str, value: Any) -> None:
    """Set a HiGHS option, or say why not: HiGHS leaves a value it rejects (a tolerance
    below 1e-10, say) as it was and only reports the error."""
    if h.setOptionValue(name, value) != highspy.HighsStatus.kOk:
        raise ValueError(f"HiGHS rejects {name} = {value!r}")


def highs_model(lp: LinearProgram) -> Any:
    model = highspy.HighsLp()
    A = sp.csc_array(lp.A)
    model.num_col_, model.num_row_ = A.shape[1], A.shape[0]
    model.col_cost_ = np.asarray(lp.c, dtype=np.float64)
    model.col_lower_ = _inf(lp.col_lower)
    model.col_upper_ = _inf(lp.col_upper)
    model.row_lower_ = _inf(lp.row_lower)
    model.row_upper_ = _inf(lp.row_upper)
    model.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    model.a_matrix_.start_ = A.indptr.astype(np.int32)
    model.a_matrix_.index_ = A.indices.astype(np.int32)
    model.a_matrix_.value_ = A.data
    return model


def _pdlp_to_tolerance(h: Any, tolerance: float, time_limit: float | None,
                       solver: PDLPSolver = "pdlp") -> tuple[Any, int]:
    """PDLP stopped at ``tolerance``.

    HiGHS's PDLP stops on the feasibility tolerances, which its presolve shares: loosened for
    both, presolve can declare a wrong plan optimal. So presolve runs at its own (tight)
    tolerances, PDLP alone at ``tolerance`` on the presolved LP, and postsolve maps the answer
    back. Returns PDLP's model status and iteration count.
    """
    t0 = time.perf_counter()
    h.presolve()
    presolved = h.getModelPresolveStatus()
    if presolved not in (highspy.HighsPresolveStatus.kReduced,
                         highspy.HighsPresolveStatus.kNotReduced):
        h.run()  # decided by presolve (infeasible, unbounded, empty)
        return h.getModelStatus(), int(h.getInfo().pdlp_iteration_count)
    if presolved == highspy.HighsPresolveStatus.kNotReduced:  # PDLP on the LP as it is
        _loose_pdlp(h, tolerance, time_limit, solver)
        h.run()
        return h.getModelStatus(), int(h.getInfo().pdlp_iteration_count)
    g = _quiet_highs()
    set_option(g, "threads", 1)
    _loose_pdlp(g, tolerance, None if time_limit is None else time_limit - (
        time.perf_counter() - t0), solver)
    g.passModel(h.getPresolvedLp())
    g.run()
    h.postsolve(g.getSolution())
    return g.getModelStatus(), int(g.getInfo().pdlp_iteration_count)


def _loose_pdlp(h: Any, tolerance: float, time_limit: float | None,
                solver: PDLPSolver = "pdlp") -> None:
    """PDLP without presolve, stopping at ``tolerance``."""
    for name, value in (("solver", solver), ("presolve", "off"),
                        ("primal_feasibility_tolerance", tolerance),
                        ("dual_feasibility_tolerance", tolerance),
                        ("pdlp_optimality_tolerance", tolerance)):
        set_option(h, name, value)
    if time_limit is not None:
        set_option(h, "time_limit", max(float(time_limit), 1.0))


def _quiet_highs() -> Any:
    """A Highs instance; its constructor prints a banner on file descriptor 1, which would
    corrupt machine-readable output, so that descriptor points at /dev/null meanwhile."""
    sys.stdout.flush()
    saved = os.dup(1)
    try:
        with open(os.devnull, "w") as null:
            os.dup2(null.fileno(), 1)
            h = highspy.Highs()  # type: ignore[no-untyped-call]
    finally:
        os.dup2(saved, 1)
        os.close(saved)
    set_option(h, "output_flag", False)
    return h


def _inf(v: Any) -> FloatArray:
    a = np.asarray(v, dtype=np.float64).copy()
    a[np.isposinf(a)] = INF
    a[np.isneginf(a)] = -INF
    return a


_STATUS = {
    highspy.HighsModelStatus.kOptimal: LPStatus.OPTIMAL,
    highspy.HighsModelStatus.kInfeasible: LPStatus.INFEASIBLE,
    highspy.HighsModelStatus.kUnbounded: LPStatus.UNBOUNDED,
    highspy.HighsModelStatus.kUnboundedOrInfeasible: LPStatus.INFEASIBLE,
    highspy.HighsModelStatus.kTimeLimit: LPStatus.TIME_LIMIT,
    highspy.HighsModelStatus.kIterationLimit: LPStatus.TIME_LIMIT,
}


def _result(h: Any, lp: LinearProgram, method: str, seconds: float,
            model_status: Any = None, iterations: int | None = None,
            tolerance: float | None = None) -> LPSolution:
    model_status = h.getModelStatus() if model_status is None else model_status
    status = _STATUS.get(model_status, LPStatus.FAILED)
    message = h.modelStatusToString(model_status)
    if tolerance is not None and model_status == highspy.HighsModelStatus.kUnknown:
        # PDLP met its own (2-norm) criteria; HiGHS's final check is by the max norm.
        status = LPStatus.OPTIMAL
        message = f"PDLP stopped at tolerance {tolerance:g} (HiGHS's own check: {message})"
    sol, info = h.getSolution(), h.getInfo()
    n, m = lp.A.shape[1], lp.A.shape[0]
    x = np.array(sol.col_value, dtype=np.float64) if sol.value_valid else np.zeros(n)
    row_dual = np.array(sol.row_dual, dtype=np.float64) if sol.dual_valid else np.zeros(m)
    col_dual = np.array(sol.col_dual, dtype=np.float64) if sol.dual_valid else np.zeros(n)
    ray = None
    if status == LPStatus.UNBOUNDED:
        ray = _primal_ray(h)
    if iterations is None:
        iterations = int(info.simplex_iteration_count + info.ipm_iteration_count
                         + info.pdlp_iteration_count)
    objective = float(lp.c @ x)
    return LPSolution(status, message, x, row_dual, col_dual, objective,
                      dual_objective(lp, row_dual, col_dual), iterations, seconds, method, ray,
                      primal_infeasibility(lp, x), dual_infeasibility(lp, row_dual))


def primal_infeasibility(lp: LinearProgram, x: FloatArray) -> float:
    """Largest violation of a row or column bound, relative to 1 + the largest finite bound
    (HiGHS's relative measure), so a first-order answer states how far off it is."""
    activity = lp.A @ x
    worst = 0.0
    for value, lower, upper in ((activity, lp.row_lower, lp.row_upper),
                                (x, lp.col_lower, lp.col_upper)):
        with np.errstate(invalid="ignore"):
            below = np.where(np.isfinite(lower), lower - value, 0.0)
            above = np.where(np.isfinite(upper), value - upper, 0.0)
        worst = max(worst, float(below.max(initial=0.0)), float(above.max(initial=0.0)))
    bounds = np.concatenate([lp.row_lower, lp.row_upper, lp.col_lower, lp.col_upper])
    norm = float(np.abs(bounds[np.isfinite(bounds)]).max(initial=0.0))
    return worst / (1.0 + norm)


def dual_infeasibility(lp: LinearProgram, row_dual: FloatArray) -> float:
    """Largest dual of the wrong sign, relative to 1 + the largest cost (HiGHS's measure).

    A row dual must push only against a finite row bound, and each reduced cost
    ``c - A' y`` (recomputed, not taken from the solver) only against a finite column bound;
    where one does not, :func:`dual_objective` is no bound on the optimum, and a small
    infeasibility times a large activity can move the objective well past the gap.
    """
    reduced = lp.c - lp.A.T @ row_dual
    worst = 0.0
    for dual, lower, upper in ((row_dual, lp.row_lower, lp.row_upper),
                               (reduced, lp.col_lower, lp.col_upper)):
        wrong = np.where(dual > 0, np.where(np.isfinite(lower), 0.0, dual),
                         np.where(np.isfinite(upper), 0.0, -dual))
        worst = max(worst, float(wrong.max(initial=0.0)))
    return worst / (1.0 + float(np.abs(lp.c).max(initial=0.0)))


def _primal_ray(h: Any) -> FloatArray | None:
    """A direction of unboundedness; presolve can prove unboundedness without one, so the
    problem is re-solved by the primal simplex without presolve when needed."""
    _, exists, values = h.getPrimalRay()
    if not exists:
        set_option(h, "presolve", "off")
        set_option(h, "solver", "simplex")
        set_option(h, "simplex_strategy", 4)
        h.run()
        _, exists, values = h.getPrimalRay()
    return np.array(values, dtype=np.float64) if exists else None


def dual_objective(lp: LinearProgram, row_dual: FloatArray, col_dual: FloatArray) -> float:
    """The dual bound of the LP from HiGHS' sign convention (duals are d obj / d bound)."""
    total = 0.0
    for dual, lower, upper in ((row_dual, lp.row_lower, lp.row_upper),
                               (col_dual, lp.col_lower, lp.col_upper)):
        bound = np.where(dual > 0, lower, np.where(dual < 0, upper, 0.0))
        finite = np.isfinite(bound)
        total += float(dual[finite] @ bound[finite])
    return total
