import json
from dataclasses import replace

import numpy as np
import pytest
from scipy.optimize import linprog
from typer.testing import CliRunner

from councilplan.cli import app
from councilplan.economy import write_economy
from councilplan.economy.generator import generate_economy, with_alternative_techniques
from councilplan.errors import Infeasible, InvalidInput, Unbounded
from councilplan.planning.optimal import Targets, harmony, optimal_plan, read_targets
from councilplan.testing import two_sector_economy, two_technique_economy


def test_min_labour_matches_hand_calculation():
    # Coal (1 h, 0.5 food) is cheaper than wind (3 h, 0.1 food) until its capacity of 30.
    plan = optimal_plan(two_technique_economy(), objective="min-labour")
    wind = 83 / 0.98
    food = 65 + 0.1 * wind
    np.testing.assert_allclose(plan.activity, [30, wind, food], rtol=1e-9)
    np.testing.assert_allclose(plan.total_labour, 30 + 3 * wind + 2 * food, rtol=1e-9)
    v_power = 3.2 / 0.98
    v_food = 2 + 0.2 * v_power
    np.testing.assert_allclose(plan.product_prices, [v_power, v_food], rtol=1e-9)
    coal = plan.binding[0]
    assert (coal.kind, coal.id) == ("capacity", "t-coal")
    np.testing.assert_allclose(coal.shadow_price, v_power - (1 + 0.5 * v_food), rtol=1e-9)
    assert plan.duality_gap < 1e-9


def test_kantorovich_raises_the_least_fulfilled_target():
    plan = optimal_plan(two_technique_economy(), harmony_stage=False)
    # both power techniques at capacity: 120 = 100 lam + 0.2 (50 lam + 0.5*30 + 0.1*90)
    np.testing.assert_allclose(plan.min_fulfilment, 115.2 / 110, rtol=1e-9)
    np.testing.assert_allclose(plan.activity[:2], [30, 90], rtol=1e-9)
    assert plan.duality_gap < 1e-9


def test_harmony_stage_keeps_the_minimum_and_spends_the_surplus_by_weight():
    e = with_alternative_techniques(generate_economy(200, 5, seed=3), 2, seed=3)
    base = optimal_plan(e, harmony_stage=False)
    second = optimal_plan(e)
    assert second.min_fulfilment >= base.min_fulfilment * (1 - 1e-7)
    tg = second.targets.targeted
    s = second.fulfilment[tg] - 1
    # the LP's harmony is the tangent envelope, an upper bound that is exact at breakpoints
    assert harmony(s).sum() <= second.harmony + 1e-6
    assert harmony(s).sum() >= harmony(base.fulfilment[tg] - 1).sum() - 1e-6


@pytest.mark.parametrize("capacities", [True, False])
def test_a_harmony_stage_out_of_time_leaves_the_first_stage_plan(capacities):
    # With capacities both stages are LPs (simplex at this size); without, column generation
    # over policies, which gives up at once and hands the LP a time limit of nothing too.
    e = with_alternative_techniques(generate_economy(200, 5, seed=3), 2, seed=3)
    if not capacities:
        e = replace(e, capacity=np.full(e.n_techniques, np.inf))
    cut = optimal_plan(e, harmony_time_limit=0.0)
    first = optimal_plan(e, harmony_stage=False)
    full = optimal_plan(e)
    assert not cut.harmony_maximised and full.harmony_maximised
    assert "harmony stage not finished" in cut.solver_message
    np.testing.assert_array_equal(cut.activity, first.activity)
    assert cut.min_fulfilment == first.min_fulfilment
    assert cut.objective_bound == first.objective_bound and cut.duality_gap < 1e-9
    tg = cut.targets.targeted
    own = float(cut.targets.weight[tg] @ harmony(cut.fulfilment[tg] - 1))
    # the envelope lies above h, and the stage that finished finds more
    assert own <= cut.harmony + 1e-9
    assert cut.harmony < full.harmony - 1e-9


def test_harmony_function():
    np.testing.assert_allclose(harmony([-0.5, 0.0, 1.0]), [-0.625, 0.0, np.log(2)])


def test_infeasible_targets_say_which_give_and_by_how_much():
    with pytest.raises(Infeasible) as info:
        optimal_plan(two_technique_economy(), Targets(np.array([200.0, 50.0]), np.ones(2)),
                     objective="min-labour")
    (product, target, share), = info.value.shortfalls
    assert product == "power" and target == 200
    # most net power: 120 - 0.2 * (50 + 0.5*30 + 0.1*90) = 105.2
    np.testing.assert_allclose(share * target, 200 - 105.2, rtol=1e-9)
    assert {b.id for b in info.value.conflicts} == {"t-coal", "t-wind"}
    assert "must give 94.8" in str(info.value) and "t-wind" in str(info.value)


def test_unbounded_names_the_direction():
    with pytest.raises(Unbounded) as info:
        optimal_plan(two_sector_economy())
    assert set(info.value.direction) == {"grain", "iron"}
    assert info.value.exit_code == 2


def test_agrees_with_scipy_highs_on_a_generated_economy():
    e = with_alternative_techniques(generate_economy(300, 6, seed=8), 3, seed=8)
    plan = optimal_plan(e, objective="min-labour")
    N = np.zeros((e.n_products, e.n_techniques))
    N[e.technique_product, np.arange(e.n_techniques)] = 1
    N -= e.input_coefficients.T.toarray()
    labour = np.asarray(e.resource_coefficients[:, e.labour].sum(axis=1)).ravel()
    y = np.clip(e.final_demand.sum(axis=1), 0, None)
    R = e.resource_coefficients.T.toarray()
    ref = linprog(labour, A_ub=np.vstack([-N, R]), b_ub=np.concatenate([-y, e.resource_limits]),
                  bounds=list(zip(np.zeros(e.n_techniques), e.capacity, strict=True)),
                  method="highs")
    assert ref.status == 0
    np.testing.assert_allclose(plan.total_labour, ref.fun, rtol=1e-6)
    assert plan.duality_gap < 1e-8


@pytest.mark.parametrize("solver", ["simplex", "ipm", "pdlp"])
def test_every_solver_reaches_the_same_optimum(solver):
    e = with_alternative_techniques(generate_economy(150, 5, seed=2), 2, seed=2)
    y = np.clip(e.final_demand.sum(axis=1), 0, None)
    t = Targets(0.7 * y, np.ones_like(y))
    exact = optimal_plan(e, t, objective="min-labour", solver="simplex")
    plan = optimal_plan(e, t, objective="min-labour", solver=solver, tolerance=1e-8)
    np.testing.assert_allclose(plan.total_labour, exact.total_labour, rtol=1e-4)
    assert plan.duality_gap < 1e-4


def test_targets_file(tmp_path):
    e = two_technique_economy()
    path = tmp_path / "t.csv"
    path.write_text("product,target,weight\npower,90,2\nfood,40,1\n")
    t = read_targets(path, e)
    np.testing.assert_array_equal(t.quantity, [90, 40])
    np.testing.assert_array_equal(t.weight, [2, 1])
    path.write_text("product,target\npower,90\nsteel,4\n")
    with pytest.raises(InvalidInput, match=r"t.csv:3, field 'product'.*unknown product id"):
        read_targets(path, e)
    path.write_text("product,target\npower,-1\n")
    with pytest.raises(InvalidInput, match=r"t.csv:2, field 'target'"):
        read_targets(path, e)


def test_cli_optimise_and_errors(tmp_path):
    runner = CliRunner()
    write_economy(two_technique_economy(), tmp_path / "e")
    r = runner.invoke(app, ["optimise", str(tmp_path / "e"), "-o", str(tmp_path / "p"),
                            "--objective", "min-labour", "--json"])
    assert r.exit_code == 0, r.output
    s = json.loads(r.stdout)
    assert s["binding"][0]["id"] == "t-coal" and s["solver"]["duality_gap"] < 1e-9
    assert (tmp_path / "p" / "products.csv").read_text().startswith('"product","target"')
    (tmp_path / "t.csv").write_text("product,target\npower,200\nfood,50\n")
    r = runner.invoke(app, ["optimise", str(tmp_path / "e"), "-o", str(tmp_path / "q"),
                            "--objective", "min-labour", "--targets", str(tmp_path / "t.csv")])
    assert r.exit_code == 2 and "must give" in r.output
    assert not (tmp_path / "q").exists()
    for option in ("--time-limit", "--harmony-time-limit"):
        r = runner.invoke(app, ["optimise", str(tmp_path / "e"), "-o", str(tmp_path / "q"),
                                option, "-1"])
        assert r.exit_code == 2 and option[2:].replace("-", "_") in r.output, r.output
        assert not (tmp_path / "q").exists()
    e = with_alternative_techniques(generate_economy(200, 5, seed=3), 2, seed=3)
    write_economy(e, tmp_path / "h")
    cut = ["optimise", str(tmp_path / "h"), "--harmony-time-limit", "0"]
    r = runner.invoke(app, [*cut, "-o", str(tmp_path / "hj"), "--json"])
    assert r.exit_code == 0, r.output
    s = json.loads(r.stdout)
    assert s["harmony_maximised"] is False and "not finished" in s["solver"]["message"]
    r = runner.invoke(app, [*cut, "-o", str(tmp_path / "ht")])
    assert r.exit_code == 0 and "harmony stage not finished" in r.output
    write_economy(two_sector_economy(), tmp_path / "u")
    r = runner.invoke(app, ["optimise", str(tmp_path / "u"), "-o", str(tmp_path / "v")])
    assert r.exit_code == 2 and "unbounded" in r.output


def test_weighted_output_matches_demplan_reference():
    from demplan.objectives import MaximizeWeightedConsumption, MinimizeLabor
    from demplan.reference import reference_solution

    from councilplan.planning.peers import to_demplan

    e = with_alternative_techniques(generate_economy(250, 5, seed=6), 2, seed=6)
    e = replace(e, capacity=np.full(e.n_techniques, np.inf))
    d = to_demplan(e)
    extra = np.zeros(e.n_resources)
    weights = np.random.default_rng(0).uniform(0.5, 2, e.n_products)
    ours = optimal_plan(e, Targets(np.zeros(e.n_products), weights), objective="weighted-output")
    ref = reference_solution(d, MaximizeWeightedConsumption(np.concatenate([weights, extra])))
    np.testing.assert_allclose(-ours.objective_value, ref.objective_value, rtol=1e-6)
    y = np.clip(e.final_demand.sum(axis=1), 0, None) * 0.8
    ours = optimal_plan(e, Targets(y, np.ones_like(y)), objective="min-labour")
    ref = reference_solution(d, MinimizeLabor(np.concatenate([y, extra]),
                                              e.n_products + e.labour))
    np.testing.assert_allclose(ours.total_labour, ref.objective_value, rtol=1e-6)


def test_non_substitution_matches_highs_and_certifies_itself():
    from councilplan.planning.nonsubstitution import least_labour_techniques

    e = with_alternative_techniques(generate_economy(400, 8, seed=21), 3, seed=21)
    e = replace(e, capacity=np.full(e.n_techniques, np.inf),
                resource_limits=np.full(e.n_resources, np.inf))
    y = np.clip(e.final_demand.sum(axis=1), 0, None)
    fast = optimal_plan(e, Targets(y, np.ones_like(y)), objective="min-labour")
    assert fast.solver == "non-substitution"
    exact = optimal_plan(e, Targets(y, np.ones_like(y)), objective="min-labour",
                         solver="simplex")
    np.testing.assert_allclose(fast.total_labour, exact.total_labour, rtol=1e-9)
    # prices of products nobody asks for are degenerate in the LP (any value in [0, v] is dual
    # optimal), so compare where there is a target
    tg = y > 0
    np.testing.assert_allclose(fast.product_prices[tg], exact.product_prices[tg], rtol=1e-7)
    assert fast.duality_gap < 1e-9 and fast.min_fulfilment == pytest.approx(1.0)
    # the same technique choice is optimal for any other final demand (non-substitution)
    other = least_labour_techniques(e, y[::-1].copy())
    np.testing.assert_array_equal(other.chosen, least_labour_techniques(e, y).chosen)
    assert other.min_reduced_cost >= -1e-9
