"""Five-year plans by technique choice: the same optimum as simplex, certified, and a clean
fallback where the method cannot certify."""

from dataclasses import replace

import numpy as np
import pytest
from typer.testing import CliRunner

from councilplan.cli import app
from councilplan.economy import write_economy
from councilplan.economy.generator import generate_economy, with_alternative_techniques
from councilplan.errors import Infeasible, PlanningError
from councilplan.planning import choice
from councilplan.planning.fiveyear import (
    _consumption_targets,
    _lp,
    five_year_plan,
    generate_capital,
)
from councilplan.planning.optimal import _structure


def _economy(n, seed, techniques=2):
    e = with_alternative_techniques(generate_economy(n, max(2, n // 25), seed=seed), techniques,
                                    seed=seed)
    return e, generate_capital(e, max(5, n // 20), seed=seed)


@pytest.mark.parametrize(("n", "seed", "lag", "growth", "terminal"), [
    (200, 5, 1, 0.03, 1.0),
    (300, 7, 0, 0.0, 1.0),
    (300, 8, 2, 0.05, 0.9),
    (150, 9, 1, 0.02, 0.8),
])
def test_same_optimum_as_simplex_and_certified(n, seed, lag, growth, terminal):
    e, cap = _economy(n, seed)
    cap = replace(cap, lag=lag)
    ours = five_year_plan(e, cap, growth=growth, terminal=terminal, solver="choice")
    simplex = five_year_plan(e, cap, growth=growth, terminal=terminal, solver="simplex")
    assert ours.solver == "choice"
    assert abs(ours.fulfilment - simplex.fulfilment) <= 1e-9 * simplex.fulfilment
    assert ours.duality_gap <= 1e-8
    assert ours.infeasibility <= 1e-9
    assert ours.dual_infeasibility <= 1e-9


def test_three_techniques_and_three_years():
    e, cap = _economy(200, 11, techniques=3)
    ours = five_year_plan(e, cap, periods=3, growth=0.02, solver="choice")
    ipm = five_year_plan(e, cap, periods=3, growth=0.02, solver="ipm")
    assert abs(ours.fulfilment - ipm.fulfilment) <= 1e-9 * ipm.fulfilment


def test_auto_uses_technique_choice():
    e, cap = _economy(200, 5)
    assert five_year_plan(e, cap, growth=0.02).solver == "choice"


def _problem(e, cap, growth=0.02, periods=5):
    st = _structure(e)
    c = _consumption_targets(e)
    lp, layout = _lp(e, st, cap, periods, growth, 1.0, c)
    import scipy.sparse as sp
    return choice.ChoiceProblem(lp, layout, sp.csr_array(e.input_coefficients),
                           e.technique_product, cap.requirement, st.R_rows, st.limits,
                           cap.goods, 1 - cap.depreciation, cap.lag, cap.initial, 1.0,
                           np.stack([(1 + growth) ** t * c for t in range(periods)]),
                           st.labour)


def test_any_prices_bound_the_optimum_from_above():
    """Weak duality: the Lagrangian bound holds for perturbed prices too, not only at the
    optimum (where it meets the plan)."""
    e, cap = _economy(200, 5)
    p = _problem(e, cap)
    sol = choice.solve_by_choice(p)
    optimum = -sol.objective
    upper = choice._implied_upper(p)
    bound, _, _ = choice._lagrangian_bound(p.lp, sol.row_dual, upper)
    assert bound == pytest.approx(optimum, rel=1e-9)
    rng = np.random.default_rng(0)
    for scale in (1e-6, 1e-3, 0.1):
        noisy = sol.row_dual * (1 + scale * rng.standard_normal(sol.row_dual.size))
        bound, _, _ = choice._lagrangian_bound(p.lp, noisy, upper)
        assert bound >= optimum * (1 - 1e-12)
        assert bound > optimum * (1 + 1e-12)  # rough prices prove less


def test_implied_bounds_hold_at_the_optimum():
    e, cap = _economy(200, 5)
    p = _problem(e, cap)
    sol = choice.solve_by_choice(p)
    assert (sol.x <= choice._implied_upper(p) * (1 + 1e-9)).all()


def test_without_resource_limits_auto_falls_back_and_choice_says_why():
    e, cap = _economy(200, 5)
    unlimited = replace(e, resource_limits=np.full(e.n_resources, np.inf))
    plan = five_year_plan(unlimited, cap, growth=0.02)
    assert plan.solver in ("simplex", "ipm")
    with pytest.raises(PlanningError, match="technique choice found no certified plan: some "
                                            "technique uses no limited resource"):
        five_year_plan(unlimited, cap, growth=0.02, solver="choice")


def test_time_limit_is_kept():
    e, cap = _economy(200, 5)
    with pytest.raises(PlanningError, match="time limit"):
        five_year_plan(e, cap, solver="choice", time_limit=0.0)


def test_unreachable_terminal_stocks_still_reported_as_infeasible():
    e, cap = _economy(200, 5)
    with pytest.raises(Infeasible, match="terminal"):
        five_year_plan(e, cap, terminal=50.0)


def test_cli_choice(tmp_path):
    e, _ = _economy(200, 5)
    write_economy(e, tmp_path / "e")
    r = CliRunner().invoke(app, ["fiveyear", str(tmp_path / "e"), "-o", str(tmp_path / "f"),
                                 "--solver", "choice", "--capital-goods", "10", "--json"])
    assert r.exit_code == 0, r.output
    assert '"method": "choice"' in r.stdout
    r = CliRunner().invoke(app, ["fiveyear", str(tmp_path / "e"), "-o", str(tmp_path / "g"),
                                 "--solver", "nonsense"])
    assert r.exit_code == 2
    assert not (tmp_path / "g").exists()


def test_dominant_values_lower_every_profit_by_at_least_their_multiple():
    """w_i >= 1 + a_j . w for every technique j of product i, so prices lowered by eps w make
    no technique more profitable and every one at least eps less."""
    e, cap = _economy(200, 5, techniques=3)
    p = _problem(e, cap)
    w = choice._dominant_values(p)
    assert w is not None
    slack = w[p.product_of] - p.inputs @ w
    assert slack.min() >= 1 - 1e-12


def test_the_master_plan_meets_every_row_and_its_prices_prove_the_bound():
    e, cap = _economy(200, 5)
    p = _problem(e, cap)
    sol = choice.solve_by_choice(p)
    assert sol.primal_infeasibility <= choice.GAP
    assert sol.iterations >= 1
    upper = choice._implied_upper(p)
    bound, _, _ = choice._lagrangian_bound(p.lp, sol.row_dual, upper)
    assert bound == pytest.approx(-sol.dual_objective, rel=1e-12)
    assert -sol.objective <= bound


def test_a_tolerance_highs_rejects_is_an_error_not_ignored():
    """HiGHS keeps its old value when it rejects an option and only reports it; a tolerance
    below its least (1e-10) must not pass silently."""
    from councilplan.planning._highs import configured_highs

    with pytest.raises(ValueError, match="rejects primal_feasibility_tolerance = 1e-13"):
        configured_highs("simplex", 1e-13)
    h = configured_highs("simplex", 1e-10)
    for name in ("primal_feasibility_tolerance", "dual_feasibility_tolerance"):
        assert h.getOptionValue(name)[1] == 1e-10
