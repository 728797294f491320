"""PDLP stopped at a requested accuracy, and the accuracy it reports."""

import json
from dataclasses import replace

import numpy as np
import pytest
import scipy.sparse as sp
from typer.testing import CliRunner

from councilplan.cli import app
from councilplan.economy import write_economy
from councilplan.economy.generator import generate_economy, with_alternative_techniques
from councilplan.errors import InvalidInput
from councilplan.planning._highs import LinearProgram, dual_infeasibility, primal_infeasibility
from councilplan.planning.optimal import optimal_plan, targets_from_economy


@pytest.fixture(scope="module")
def economy():
    return with_alternative_techniques(generate_economy(400, 6, seed=5), 2, seed=5)


def test_a_looser_tolerance_stops_sooner_with_a_feasible_plan_and_a_wider_gap(economy):
    """PDLP's answer is repaired into a plan meeting every constraint; the optimum lies
    between its least fulfilment and the bound its prices prove, and both close in as the
    tolerance tightens."""
    exact = optimal_plan(economy, harmony_stage=False, solver="simplex")
    loose = optimal_plan(economy, harmony_stage=False, solver="pdlp", crossover=False,
                         tolerance=1e-3)
    tight = optimal_plan(economy, harmony_stage=False, solver="pdlp", crossover=False,
                         tolerance=1e-8)
    assert loose.solver == tight.solver == "pdlp+repair"
    assert loose.iterations < tight.iterations
    for plan in (loose, tight):
        lam, bound = -plan.objective_value, -plan.objective_bound
        assert plan.infeasibility < 1e-9
        assert plan.min_fulfilment == pytest.approx(lam, rel=1e-12)
        assert (plan.activity <= economy.capacity * (1 + 1e-12)).all()
        assert (plan.resource_use <= economy.resource_limits * (1 + 1e-12)).all()
        assert lam <= exact.min_fulfilment * (1 + 1e-12) <= bound * (1 + 2e-12)
        assert plan.duality_gap == pytest.approx((bound - lam) / max(1.0, bound), rel=1e-9)
        assert "made feasible" in plan.solver_message
    assert loose.duality_gap > tight.duality_gap
    rough = exact.min_fulfilment - -loose.objective_value
    fine = exact.min_fulfilment - -tight.objective_value
    assert fine < rough < 0.1
    assert abs(fine) < 1e-6


def test_primal_infeasibility_by_hand():
    # 1 <= x0 + x1 <= 3 and 0 <= x <= 2, at x = (2.5, 1): the row is 0.5 over, x0 is 0.5 over;
    # the largest finite bound is 3, so the relative violation is 0.5 / (1 + 3)
    lp = LinearProgram(np.zeros(2), sp.csc_array(np.ones((1, 2))), np.array([1.0]),
                       np.array([3.0]), np.zeros(2), np.full(2, 2.0))
    assert primal_infeasibility(lp, np.array([2.5, 1.0])) == pytest.approx(0.125)
    assert primal_infeasibility(lp, np.array([1.0, 1.0])) == 0.0
    unbounded = LinearProgram(np.zeros(2), sp.csc_array(np.ones((1, 2))), np.array([1.0]),
                              np.array([np.inf]), np.zeros(2), np.full(2, np.inf))
    assert primal_infeasibility(unbounded, np.array([0.25, 0.25])) == pytest.approx(0.25)


def test_hipdlp_is_the_other_pdlp_and_its_answer_is_repaired_too(economy):
    cu = optimal_plan(economy, harmony_stage=False, solver="pdlp", crossover=False,
                      tolerance=1e-5)
    hi = optimal_plan(economy, harmony_stage=False, solver="pdlp", crossover=False,
                      tolerance=1e-5, pdlp_solver="hipdlp")
    assert hi.solver == "pdlp+repair" and hi.iterations != cu.iterations
    assert hi.provenance.params["pdlp_solver"] == "hipdlp"
    exact = optimal_plan(economy, harmony_stage=False, solver="simplex").min_fulfilment
    lam, bound = -hi.objective_value, -hi.objective_bound
    assert hi.infeasibility < 1e-9 and lam <= exact * (1 + 1e-12) <= bound * (1 + 1e-12)
    assert hi.duality_gap < 1e-3
    with pytest.raises(InvalidInput, match="unknown PDLP solver 'cupdlp'"):
        optimal_plan(economy, solver="pdlp", pdlp_solver="cupdlp")


@pytest.mark.parametrize("tolerance", [0.0, -1e-4, 1.0, float("nan")])
def test_a_tolerance_out_of_range_is_refused(economy, tolerance):
    with pytest.raises(InvalidInput, match="tolerance must lie in"):
        optimal_plan(economy, solver="pdlp", tolerance=tolerance)


def test_cli_tolerance(tmp_path, economy):
    write_economy(economy, tmp_path / "e")
    runner = CliRunner()
    r = runner.invoke(app, ["optimise", str(tmp_path / "e"), "-o", str(tmp_path / "p"),
                            "--solver", "pdlp", "--no-crossover", "--no-harmony",
                            "--tolerance", "1e-3", "--json"])
    assert r.exit_code == 0, r.output
    report = json.loads(r.stdout)["solver"]
    assert report["method"] == "pdlp+repair" and report["infeasibility"] < 1e-9
    assert 0 <= report["dual_infeasibility"] < 1e-2
    assert isinstance(report["objective_bound"], float)
    r = runner.invoke(app, ["optimise", str(tmp_path / "e"), "-o", str(tmp_path / "q"),
                            "--tolerance", "0"])
    assert r.exit_code == 2 and "tolerance must lie in [1e-10, 1), got 0.0" in r.output
    assert not (tmp_path / "q").exists()


def test_cli_hipdlp(tmp_path, economy):
    write_economy(economy, tmp_path / "e")
    runner = CliRunner()
    r = runner.invoke(app, ["optimise", str(tmp_path / "e"), "-o", str(tmp_path / "p"),
                            "--solver", "pdlp", "--no-crossover", "--no-harmony",
                            "--pdlp", "hipdlp", "--tolerance", "1e-5", "--json"])
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout)["solver"]["method"] == "pdlp+repair"
    plan = json.loads((tmp_path / "p" / "plan.json").read_text())
    assert plan["provenance"]["params"]["pdlp_solver"] == "hipdlp"
    r = runner.invoke(app, ["optimise", str(tmp_path / "e"), "-o", str(tmp_path / "q"),
                            "--pdlp", "cupdlp"])
    assert r.exit_code == 2 and "--pdlp" in r.output and "cupdlp" in r.output
    assert not (tmp_path / "q").exists()


def test_the_bound_from_rough_prices_holds_and_tightens(economy):
    from councilplan.planning import optimal as o
    from councilplan.planning._highs import solve_lp
    from councilplan.planning.crossover import fulfilment_bound

    exact = optimal_plan(economy, harmony_stage=False, solver="simplex").min_fulfilment
    st, t = o._structure(economy), o.targets_from_economy(economy)
    n_p, n_res = economy.n_products, st.limits.size
    bounds = []
    for tolerance in (1e-3, 1e-6):
        sol = solve_lp(o._kantorovich_lp(st, t), method="pdlp", tolerance=tolerance)
        bounds.append(fulfilment_bound(o._plan_lp(economy, st, t, "kantorovich"),
                                       sol.row_dual[:n_p], -sol.row_dual[n_p:n_p + n_res]))
    assert exact <= bounds[1] <= bounds[0]
    assert bounds[1] - exact < 1e-5 * exact < bounds[0] - exact


@pytest.mark.parametrize("objective", ["kantorovich", "min-labour"])
def test_every_plan_carries_the_bound_its_prices_prove(economy, objective):
    t = targets_from_economy(economy)  # four fifths of it can be met in full
    kw = {"objective": objective, "harmony_stage": False,
          "targets": replace(t, quantity=0.8 * t.quantity)}
    exact = optimal_plan(economy, solver="simplex", **kw)
    # the simplex optimum meets its own bound; a rough PDLP answer's bound is still below it
    assert exact.objective_bound <= exact.objective_value + 1e-9 * abs(exact.objective_value)
    assert exact.objective_value - exact.objective_bound < 1e-6 * abs(exact.objective_value)
    rough = optimal_plan(economy, solver="pdlp", crossover=False, tolerance=1e-3, **kw)
    assert rough.objective_bound <= exact.objective_value
    assert exact.objective_value - rough.objective_bound > 1e-6 * abs(exact.objective_value)
    with_harmony = optimal_plan(economy, kw["targets"], solver="simplex")
    assert np.isnan(with_harmony.objective_bound)


def test_dual_infeasibility_flags_prices_of_the_wrong_sign():
    """min x1 + x2 s.t. x1 + x2 >= 1, x >= 0: price 1 is feasible; price 3 leaves reduced
    costs of -2 on columns with no upper bound, which the gap alone would not show."""
    lp = LinearProgram(np.array([1.0, 1.0]), sp.csc_array(np.array([[1.0, 1.0]])),
                       np.array([1.0]), np.array([np.inf]), np.zeros(2), np.full(2, np.inf))
    assert dual_infeasibility(lp, np.array([1.0])) == 0.0
    assert dual_infeasibility(lp, np.array([3.0])) == pytest.approx(2.0 / 2.0)
    assert dual_infeasibility(lp, np.array([-0.5])) == pytest.approx(0.5 / 2.0)
    bounded = LinearProgram(lp.c, lp.A, lp.row_lower, lp.row_upper, lp.col_lower, np.ones(2))
    assert dual_infeasibility(bounded, np.array([3.0])) == 0.0
