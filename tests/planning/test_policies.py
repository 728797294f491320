"""Plans without capacities by column generation over technique policies."""

from dataclasses import replace

import numpy as np
import pyarrow as pa
import pytest
import scipy.sparse as sp

from councilplan.economy.generator import generate_economy, with_alternative_techniques
from councilplan.economy.model import ids
from councilplan.errors import Infeasible, InvalidInput, PlanningError, Unbounded
from councilplan.planning import policies
from councilplan.planning._highs import solve_lp
from councilplan.planning.optimal import (
    HARMONY_BREAKPOINTS,
    Targets,
    _harmony_envelope,
    _harmony_lp,
    _harmony_slope,
    _structure,
    harmony,
    optimal_plan,
)
from councilplan.testing import two_technique_economy


def uncapacitated(e):
    return replace(e, capacity=np.full(e.n_techniques, np.inf))


def weighted(e, weights):
    return optimal_plan(e, Targets(np.zeros(e.n_products), np.asarray(weights, float)),
                        objective="weighted-output")


def test_hand_checked_economy():
    # Per hour of labour, coal power costs 1 + 0.5 food, food 2 + 0.2 power: values 20/9 and
    # 22/9 hours (wind power, 3 + 0.1 food, is dearer). At equal weights power earns more per
    # hour (9/20 > 9/22): all 1000 hours make 450 power net, from 500 power and 250 food gross.
    e = uncapacitated(two_technique_economy())
    plan = weighted(e, [1.0, 1.0])
    assert plan.solver == "policies"
    np.testing.assert_allclose(plan.activity, [500.0, 0.0, 250.0], rtol=1e-12)
    np.testing.assert_allclose(-plan.objective_value, 450.0, rtol=1e-12)
    np.testing.assert_allclose(plan.resource_prices, [0.45], rtol=1e-12)
    # food's balance has a surplus price: at 0.45 per hour it costs 1.1 but is worth only 1
    np.testing.assert_allclose(plan.product_prices, [0.0, 0.1], atol=1e-12)
    assert plan.duality_gap < 1e-12
    # food worth 1.2 earns 1.2 * 9/22 > 9/20 per hour: 1000 * 9/22 food net
    plan = weighted(e, [1.0, 1.2])
    np.testing.assert_allclose(plan.net_output, [0.0, 9000 / 22], atol=1e-9)


def test_tiny_resource_use_is_not_mistaken_for_none():
    # HiGHS drops matrix entries below 1e-9; the master's scaling keeps these columns
    e = uncapacitated(two_technique_economy())
    e = replace(e, resource_coefficients=e.resource_coefficients * 1e-12,
                resource_limits=e.resource_limits * 1e-12)
    plan = weighted(e, [1.0, 1.0])
    assert plan.solver == "policies"
    np.testing.assert_allclose(plan.activity, [500.0, 0.0, 250.0], rtol=1e-9)
    np.testing.assert_allclose(plan.resource_prices, [0.45e12], rtol=1e-9)


@pytest.mark.parametrize(("n", "k", "seed"), [(300, 2, 3), (400, 3, 4), (250, 2, 5)])
def test_same_optimum_and_prices_as_simplex(n, k, seed):
    e = uncapacitated(with_alternative_techniques(generate_economy(n, 5, seed=seed), k,
                                                  seed=seed))
    w = np.random.default_rng(seed).uniform(0.5, 2.0, n)
    ours = weighted(e, w)
    exact = optimal_plan(e, Targets(np.zeros(n), w), objective="weighted-output",
                         solver="simplex")
    assert ours.solver == "policies" and exact.solver == "simplex"
    np.testing.assert_allclose(ours.objective_value, exact.objective_value, rtol=1e-9)
    np.testing.assert_allclose(ours.resource_prices, exact.resource_prices, rtol=1e-7,
                               atol=1e-9 * exact.resource_prices.max())
    assert ours.duality_gap <= 1e-9
    assert ours.infeasibility <= 1e-9 and ours.dual_infeasibility <= 1e-9
    assert (ours.net_output >= -1e-9 * ours.net_output.max()).all()


def test_prices_prove_the_bound():
    e = uncapacitated(with_alternative_techniques(generate_economy(300, 5, seed=9), 2, seed=9))
    st = _structure(e)
    w = np.random.default_rng(9).uniform(0.5, 2.0, e.n_products)
    r = policies.weighted_output(e.input_coefficients, e.technique_product, st.R_rows,
                                 st.limits, w)
    p, nu = r.product_prices, r.resource_prices
    # dual feasible: every product is worth at least its weight and no technique profits
    assert (p >= w * (1 - 1e-12)).all()
    unit_cost = e.input_coefficients @ p + st.R_rows.T @ nu
    assert (p[e.technique_product] <= unit_cost * (1 + 1e-9)).all()
    assert r.value <= r.bound <= r.value * (1 + 1e-9)
    np.testing.assert_allclose(r.bound, st.limits @ nu, rtol=1e-12)
    np.testing.assert_allclose(r.value, w @ r.net_output, rtol=1e-12)
    assert (st.R_rows @ r.activity <= st.limits * (1 + 1e-9)).all()


def test_too_few_rounds_fail_rather_than_guess():
    e = uncapacitated(with_alternative_techniques(generate_economy(200, 5, seed=1), 2, seed=1))
    st = _structure(e)
    w = np.ones(e.n_products)
    with pytest.raises(policies.PoliciesFailed, match="not certified after 1 rounds"):
        policies.weighted_output(e.input_coefficients, e.technique_product, st.R_rows,
                                 st.limits, w, rounds=1)


def coal_limited_economy(coal):
    """The two-technique economy without capacities; coal power burns a unit of coal."""
    e = uncapacitated(two_technique_economy())
    return replace(e, resources=ids(["labour", "coal"], "resource"),
                   resource_kinds=("labour", "natural"), resource_units=("hours", "t"),
                   resource_limits=np.array([1000.0, coal]),
                   resource_coefficients=sp.csr_array(np.array([[1.0, 1.0], [3.0, 0.0],
                                                                [2.0, 0.0]])))


def test_least_labour_hand_checked_mix_of_two_policies():
    # y = (100 power, 50 food). All coal: 1100/9 power and 1000/9 food gross, 3100/9 hours,
    # 1100/9 t of coal. All wind: 5500/49 power and 3000/49 food, 22500/49 hours, no coal.
    # With half that coal the optimum is half of each; a tonne of coal saves the difference
    # in hours over 1100/9 tonnes.
    coal, wind = 3100 / 9, 22500 / 49
    e = coal_limited_economy(550 / 9)
    y = np.array([100.0, 50.0])
    plan = optimal_plan(e, Targets(y, np.ones(2)), objective="min-labour")
    assert plan.solver == "policies"
    np.testing.assert_allclose(plan.total_labour, (coal + wind) / 2, rtol=1e-12)
    np.testing.assert_allclose(plan.activity, [550 / 9, 2750 / 49, (1000 / 9 + 3000 / 49) / 2],
                               rtol=1e-12)
    np.testing.assert_allclose(plan.resource_prices, [0.0, (wind - coal) / (1100 / 9)],
                               rtol=1e-12)
    np.testing.assert_allclose(plan.net_output, y, rtol=1e-12)
    assert plan.duality_gap < 1e-12
    # coal enough for the all-coal policy: labour values (20/9, 22/9) and no price for coal
    plan = optimal_plan(replace(e, resource_limits=np.array([1e3, 200.0])),
                        Targets(y, np.ones(2)), objective="min-labour")
    np.testing.assert_allclose(plan.total_labour, coal, rtol=1e-12)
    np.testing.assert_allclose(plan.product_prices, [20 / 9, 22 / 9], rtol=1e-12)
    np.testing.assert_allclose(plan.resource_prices, [0.0, 0.0], atol=1e-15)


@pytest.mark.parametrize(("n", "k", "share", "seed"),
                         [(300, 2, 1.0, 3), (300, 3, 1.04, 4), (400, 2, 1.06, 5)])
def test_least_labour_same_optimum_and_prices_as_simplex(n, k, share, seed):
    e = uncapacitated(with_alternative_techniques(generate_economy(n, 5, seed=seed), k,
                                                  seed=seed))
    y = np.clip(e.final_demand.sum(axis=1), 0, None) * share
    ours = optimal_plan(e, Targets(y, np.ones(n)), objective="min-labour")
    exact = optimal_plan(e, Targets(y, np.ones(n)), objective="min-labour", solver="simplex")
    assert ours.solver == "policies"
    np.testing.assert_allclose(ours.total_labour, exact.total_labour, rtol=1e-9)
    np.testing.assert_allclose(ours.resource_prices, exact.resource_prices, rtol=1e-7,
                               atol=1e-9 * max(exact.resource_prices.max(), 1.0))
    assert ours.duality_gap <= 1e-9
    assert ours.infeasibility <= 1e-9 and ours.dual_infeasibility <= 1e-9


def test_least_labour_beyond_the_limits_is_explained_by_the_lp():
    e = coal_limited_economy(550 / 9)
    e = replace(e, resource_limits=np.array([380.0, 550 / 9]))  # half coal needs 401.8 hours
    with pytest.raises(Infeasible, match="labour"):
        optimal_plan(e, Targets(np.array([100.0, 50.0]), np.ones(2)), objective="min-labour")


def test_solver_policies_where_it_cannot_apply_says_why():
    y = Targets(np.array([100.0, 50.0]), np.ones(2))
    with pytest.raises(InvalidInput, match="policies' does not apply: a technique has a cap"):
        optimal_plan(two_technique_economy(), y, objective="min-labour", solver="policies")
    e = replace(uncapacitated(two_technique_economy()), resource_limits=np.array([np.inf]))
    with pytest.raises(InvalidInput, match="no resource is limited"):
        optimal_plan(e, y, objective="weighted-output", solver="policies")


def test_kantorovich_hand_checked_mix_of_two_policies():
    # A basket of y = (100 power, 50 food) takes 3100/9 hours and 1100/9 t of coal all coal,
    # 22500/49 hours all wind. Coal for half a basket (550/9 t) goes to coal; the hours left
    # make (1000 - 3100/18) / (22500/49) wind baskets. Wind sets the price of an hour (one
    # basket is worth 1), coal's price is what a coal basket saves in hours.
    coal_hours, wind_hours = 3100 / 9, 22500 / 49
    wind = (1000 - coal_hours / 2) / wind_hours
    y = np.array([100.0, 50.0])
    plan = optimal_plan(coal_limited_economy(550 / 9), Targets(y, np.ones(2)),
                        harmony_stage=False)
    assert plan.solver == "policies"
    np.testing.assert_allclose(plan.min_fulfilment, 0.5 + wind, rtol=1e-12)
    np.testing.assert_allclose(plan.net_output, (0.5 + wind) * y, rtol=1e-12)
    np.testing.assert_allclose(
        plan.activity, [550 / 9, wind * 5500 / 49, 1000 / 18 + wind * 3000 / 49], rtol=1e-12)
    hour = 1 / wind_hours
    np.testing.assert_allclose(plan.resource_prices,
                               [hour, (1 - hour * coal_hours) / (1100 / 9)], rtol=1e-12)
    np.testing.assert_allclose(plan.product_prices @ y, 1.0, rtol=1e-12)
    assert plan.duality_gap < 1e-12 and plan.dual_infeasibility < 1e-12
    np.testing.assert_allclose(-plan.objective_bound, plan.min_fulfilment, rtol=1e-12)


@pytest.mark.parametrize(("n", "k", "seed"), [(300, 2, 3), (400, 3, 4), (250, 2, 5)])
def test_kantorovich_same_optimum_and_prices_as_interior_point(n, k, seed):
    e = uncapacitated(with_alternative_techniques(generate_economy(n, 5, seed=seed), k,
                                                  seed=seed))
    ours = optimal_plan(e, harmony_stage=False)
    exact = optimal_plan(e, harmony_stage=False, solver="ipm")
    assert ours.solver == "policies"
    np.testing.assert_allclose(ours.min_fulfilment, exact.min_fulfilment, rtol=1e-9)
    np.testing.assert_allclose(ours.resource_prices, exact.resource_prices, rtol=1e-6,
                               atol=1e-9 * exact.resource_prices.max())
    assert ours.duality_gap <= 1e-9
    assert ours.infeasibility <= 1e-12 and ours.dual_infeasibility <= 1e-12
    # the harmony stage holds the least fulfilment policies found
    both = optimal_plan(e)
    assert both.provenance.params["first_stage"] == "policies"
    assert both.min_fulfilment >= ours.min_fulfilment * (1 - 1e-8)


def test_simplex_reaches_the_same_kantorovich_optimum():
    # At HiGHS's default 1e-7 tolerances simplex stopped 4.4e-6 short of this optimum with
    # small wrong-sign prices; every exact solve now runs at 1e-10.
    e = uncapacitated(with_alternative_techniques(generate_economy(2000, 5, seed=1), 2, seed=1))
    ours = optimal_plan(e, harmony_stage=False)
    simplex = optimal_plan(e, harmony_stage=False, solver="simplex")
    assert ours.solver == "policies" and simplex.solver == "simplex"
    np.testing.assert_allclose(simplex.min_fulfilment, ours.min_fulfilment, rtol=1e-9)
    assert simplex.dual_infeasibility < 1e-10


def test_kantorovich_prices_prove_the_bound():
    e = uncapacitated(with_alternative_techniques(generate_economy(300, 5, seed=9), 3, seed=9))
    st = _structure(e)
    y = np.clip(e.final_demand.sum(axis=1), 0, None)
    r = policies.kantorovich(e.input_coefficients, e.technique_product, st.R_rows, st.limits,
                             y)
    p, nu = r.product_prices, r.resource_prices
    # dual feasible: non-negative, the target worth 1, no technique makes a profit
    assert (p >= 0).all() and (nu >= 0).all()
    np.testing.assert_allclose(p @ y, 1.0, rtol=1e-12)
    unit_cost = e.input_coefficients @ p + st.R_rows.T @ nu
    assert (p[e.technique_product] <= unit_cost * (1 + 1e-9)).all()
    np.testing.assert_allclose(r.bound, st.limits @ nu, rtol=1e-12)
    assert r.value <= r.bound <= r.value * (1 + 1e-9)
    np.testing.assert_allclose(r.net_output, r.value * y, rtol=1e-9, atol=1e-9 * y.max())
    assert (st.R_rows @ r.activity <= st.limits * (1 + 1e-9)).all()


def test_kantorovich_target_made_without_limited_resources_is_unbounded():
    e = uncapacitated(two_technique_economy())
    R = sp.csr_array(np.array([[0.0], [3.0], [0.0]]))  # coal power and food take no labour
    with pytest.raises(Unbounded, match="unbounded") as info:
        optimal_plan(replace(e, resource_coefficients=R), harmony_stage=False)
    assert set(info.value.direction) == {"t-coal", "t-food"}


def test_solver_policies_reports_failure_instead_of_falling_back():
    e = replace(coal_limited_economy(550 / 9), resource_limits=np.array([380.0, 550 / 9]))
    t = Targets(np.array([100.0, 50.0]), np.ones(2))
    with pytest.raises(PlanningError, match="column generation over policies: no mix"):
        optimal_plan(e, t, objective="min-labour", solver="policies")
    plan = optimal_plan(coal_limited_economy(550 / 9), t, objective="min-labour",
                        solver="policies")
    assert plan.solver == "policies"


def test_capacities_go_to_the_lp():
    plan = weighted(two_technique_economy(), [1.0, 1.0])
    assert plan.solver == "simplex"
    np.testing.assert_allclose(plan.activity[0], 30.0)  # the cheap power source runs full
    np.testing.assert_allclose(plan.resource_use, [1000.0])


def test_product_made_without_limited_resources_is_unbounded():
    e = uncapacitated(two_technique_economy())
    R = sp.csr_array(np.array([[0.0], [3.0], [0.0]]))  # coal power and food take no labour
    e = replace(e, resource_coefficients=R)
    with pytest.raises(Unbounded, match="unbounded") as info:
        weighted(e, [1.0, 0.0])
    assert set(info.value.direction) == {"t-coal", "t-food"}
    assert info.value.exit_code == 2


def test_time_limit_is_kept():
    e = uncapacitated(with_alternative_techniques(generate_economy(200, 5, seed=1), 2, seed=1))
    st = _structure(e)
    with pytest.raises(policies.PoliciesFailed, match="time limit of 0 s reached after 0"):
        policies.weighted_output(e.input_coefficients, e.technique_product, st.R_rows,
                                 st.limits, np.ones(e.n_products), time_limit=0.0)


def test_cli_weighted_output_by_policies(tmp_path):
    import json

    from typer.testing import CliRunner

    from councilplan.cli import app
    from councilplan.economy import write_economy

    write_economy(uncapacitated(two_technique_economy()), tmp_path / "e")
    (tmp_path / "w.csv").write_text("product,target,weight\npower,0,1\nfood,0,1\n")
    r = CliRunner().invoke(app, ["optimise", str(tmp_path / "e"), "-o", str(tmp_path / "p"),
                                 "--objective", "weighted-output", "--targets",
                                 str(tmp_path / "w.csv"), "--solver", "policies", "--json"])
    assert r.exit_code == 0, r.output
    s = json.loads(r.stdout)
    assert s["solver"]["method"] == "policies" and s["solver"]["duality_gap"] < 1e-12
    write_economy(two_technique_economy(), tmp_path / "c")  # with capacities
    r = CliRunner().invoke(app, ["optimise", str(tmp_path / "c"), "-o", str(tmp_path / "q"),
                                 "--objective", "weighted-output", "--solver", "policies"])
    assert r.exit_code == 2 and "a technique has a capacity" in r.output
    assert not (tmp_path / "q").exists()


def test_cli_kantorovich_by_policies(tmp_path):
    import json

    from typer.testing import CliRunner

    from councilplan.cli import app
    from councilplan.economy import write_economy

    write_economy(coal_limited_economy(550 / 9), tmp_path / "e")
    r = CliRunner().invoke(app, ["optimise", str(tmp_path / "e"), "-o", str(tmp_path / "p"),
                                 "--solver", "policies", "--no-harmony", "--json"])
    assert r.exit_code == 0, r.output
    s = json.loads(r.stdout)
    assert s["solver"]["method"] == "policies" and s["solver"]["duality_gap"] < 1e-12


def art_economy():
    """The coal-limited economy and a third product, art, made in 30 studio hours alone."""
    e = coal_limited_economy(550 / 9)
    T = sp.csr_array(np.array([[0.0, 0.5, 0.0], [0.0, 0.1, 0.0], [0.2, 0.0, 0.0],
                               [0.0, 0.0, 0.0]]))
    R = sp.csr_array(np.array([[1.0, 1.0, 0.0], [3.0, 0.0, 0.0], [2.0, 0.0, 0.0],
                               [0.0, 0.0, 1.0]]))
    return replace(
        e, products=ids(["power", "food", "art"], "product"),
        product_names=pa.array(["power", "food", "art"]),
        product_units=pa.array(["MWh", "t", "piece"]),
        techniques=ids(["t-coal", "t-wind", "t-food", "t-art"], "technique"),
        technique_product=np.array([0, 0, 1, 2]), technique_plant=np.array([0, 1, 2, 2]),
        capacity=np.full(4, np.inf), input_coefficients=T,
        resources=ids(["labour", "coal", "studio"], "resource"),
        resource_kinds=("labour", "natural", "labour"), resource_units=("hours", "t", "hours"),
        resource_limits=np.array([1000.0, 550 / 9, 30.0]), resource_coefficients=R,
        final_demand=np.array([[100.0], [50.0], [10.0]]))


def tangent_envelope(s):
    bp = HARMONY_BREAKPOINTS
    return np.min(harmony(bp) + _harmony_slope(bp) * (np.asarray(s)[..., None] - bp), axis=-1)


def test_harmony_stage_hand_checked():
    # Power and food fulfil 0.5 + wind (test_kantorovich_hand_checked_mix_of_two_policies),
    # art could make 3 times its target: lambda is power's and food's, whose labour and coal
    # the Kantorovich prices value, so the harmony stage cannot raise them; it spends the
    # studio on art, 30 pieces (a surplus of 2). A studio hour is then worth what a piece of
    # art adds to the harmony: weight 2 times the tangent's slope 1/3 at s = 2, per 10 pieces.
    lam = 0.5 + (1000 - 3100 / 18) / (22500 / 49)
    y = np.array([100.0, 50.0, 10.0])
    w = np.array([1.0, 1.0, 2.0])
    plan = optimal_plan(art_economy(), Targets(y, w))
    assert plan.solver == "policies" and plan.provenance.params["first_stage"] == "policies"
    np.testing.assert_allclose(plan.min_fulfilment, lam, rtol=1e-9)
    np.testing.assert_allclose(plan.net_output, [100 * lam, 50 * lam, 30.0], rtol=1e-8)
    expected = tangent_envelope(lam - 1) * 2 + 2 * np.log(3)
    np.testing.assert_allclose(plan.harmony, expected, rtol=1e-8)
    np.testing.assert_allclose(plan.resource_prices[2], 2 / 3 / 10, rtol=1e-9)
    assert plan.duality_gap < 1e-9 and plan.infeasibility < 1e-12
    assert plan.dual_infeasibility < 1e-12


@pytest.mark.parametrize(("n", "k", "seed"), [(300, 2, 3), (400, 3, 4)])
def test_harmony_stage_same_optimum_as_simplex_on_the_same_lp(n, k, seed):
    e = uncapacitated(with_alternative_techniques(generate_economy(n, 5, seed=seed), k,
                                                  seed=seed))
    rng = np.random.default_rng(seed)
    y = np.clip(e.final_demand.sum(axis=1), 0, None)
    t = Targets(y, np.where(y > 0, rng.uniform(0.5, 2.0, n), 0.0))
    ours = optimal_plan(e, t)
    assert ours.solver == "policies"
    # the LP solvers' second stage from the same first (its least fulfilment less a hair
    # bounds every surplus from below, and a hair's difference moves the optimum)
    lam = -optimal_plan(e, t, harmony_stage=False).objective_value
    exact = solve_lp(_harmony_lp(_structure(e), t, _harmony_envelope(lam)), method="simplex",
                     feasibility_tolerance=1e-10)
    np.testing.assert_allclose(ours.harmony, -exact.objective, rtol=1e-9)
    assert ours.duality_gap <= 1e-9
    assert ours.infeasibility <= 1e-12 and ours.dual_infeasibility <= 1e-9
    assert ours.min_fulfilment >= lam * (1 - 1e-9 - 1e-12)  # the floor, up to rounding


def test_envelope_candidates_and_best_surplus():
    # lines s + 0 and s / 2 + 1 cross at s = 2, and 0 + 2 at s = 2 too: on [0, 5] the
    # envelope is s up to 2, then flat at 2
    env = policies.Envelope(np.array([1.0, 0.5, 0.0]), np.array([0.0, 1.0, 2.0]), 0.0, 5.0)
    np.testing.assert_allclose(env.candidates, [0.0, 2.0, 5.0])
    np.testing.assert_allclose(env(np.array([1.0, 2.0, 4.0])), [1.0, 2.0, 2.0])
    pick, pay = env.best(np.array([1.0, 1.0, 0.0]), np.array([0.5, 2.0, 1.0]))
    # price 0.5 < slope 1: up to the kink; price 2: stay at 0; no weight: stay at 0
    np.testing.assert_array_equal(pick, [1, 0, 0])
    np.testing.assert_allclose(pay, [1.0, 0.0, 0.0])
