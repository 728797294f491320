import numpy as np
import pytest
import scipy.sparse as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from councilplan.economy import build_economy
from councilplan.errors import InvalidInput, UnproductiveEconomy
from councilplan.planning import balanced_plan, solve_leontief, spectral_bounds
from councilplan.testing import two_sector_economy, two_technique_economy, unproductive_economy


def test_two_sector_plan_matches_hand_calculation():
    plan = balanced_plan(two_sector_economy())
    np.testing.assert_allclose(plan.gross_output, [100.0, 200.0 / 3.0], rtol=1e-12)
    np.testing.assert_allclose(plan.labour_values, [26 / 9, 28 / 9], rtol=1e-12)
    # total labour: direct labour times activity equals labour values times final demand
    np.testing.assert_allclose(plan.resource_use[0], 2 * 100 + 1 * 200 / 3, rtol=1e-12)
    np.testing.assert_allclose(plan.total_labour, plan.resource_use[0], rtol=1e-12)
    np.testing.assert_allclose(plan.intermediate_use, [20 + 20, 10 + 80 / 3], rtol=1e-12)
    assert np.abs(plan.balance).max() < 1e-10
    assert plan.bottlenecks == () and plan.bottleneck_count == 0


def test_technique_mix_follows_capacity_and_reports_utilisation():
    plan = balanced_plan(two_technique_economy())
    x_power, x_food = 110 / 0.96, 50 + 0.2 * 110 / 0.96
    np.testing.assert_allclose(plan.gross_output, [x_power, x_food], rtol=1e-12)
    np.testing.assert_allclose(plan.activity, [0.25 * x_power, 0.75 * x_power, x_food])
    np.testing.assert_allclose(plan.labour_values, [2.9 / 0.96, 2 + 0.2 * 2.9 / 0.96])
    np.testing.assert_allclose(plan.plant_utilisation[:2], [0.25 * x_power / 30,
                                                            0.75 * x_power / 90])
    assert plan.bottlenecks == ()


def test_bottlenecks_rank_products_plants_and_resources():
    e = two_technique_economy()
    plan = balanced_plan(e, final_demand=np.array([[200.0], [50.0]]))
    kinds = {(b.kind, b.id) for b in plan.bottlenecks}
    assert ("product", "power") in kinds
    assert ("plant", "pit") in kinds and ("plant", "farm-of-turbines") in kinds
    assert plan.bottleneck_count == len(plan.bottlenecks) == 3
    ratios = [b.ratio for b in plan.bottlenecks]
    assert ratios == sorted(ratios, reverse=True)
    power = next(b for b in plan.bottlenecks if b.id == "power")
    assert power.limit == 120.0 and power.excess == pytest.approx(plan.gross_output[0] - 120)


def test_unproductive_economy_names_the_cycle():
    with pytest.raises(UnproductiveEconomy) as info:
        balanced_plan(unproductive_economy())
    assert set(info.value.cycle) == {"coal", "steel"}
    assert info.value.gain == pytest.approx(1.08)
    assert "coal" in str(info.value) and "steel" in str(info.value)
    assert info.value.exit_code == 2


def test_self_use_of_one_or_more_is_named():
    e = build_economy(product_ids=["a", "b"], input_coefficients=[[1.0, 0], [0.1, 0.2]],
                      final_demand=[[1], [1]], category_ids=["h"], category_kinds=["consumption"])
    with pytest.raises(UnproductiveEconomy, match="'a'"):
        balanced_plan(e)


def test_final_demand_of_wrong_shape_is_rejected():
    with pytest.raises(InvalidInput, match="shape"):
        balanced_plan(two_sector_economy(), final_demand=np.ones((3, 1)))


@st.composite
def productive_systems(draw):
    n = draw(st.integers(2, 30))
    seed = draw(st.integers(0, 2**31))
    rng = np.random.default_rng(seed)
    A = sp.random_array((n, n), density=draw(st.floats(0.05, 0.6)), rng=rng).toarray()
    col = A.sum(axis=0)
    scale = draw(st.floats(0.05, 0.97))
    A = A * np.where(col > 0, scale / np.where(col > 0, col, 1), 0)
    y = rng.uniform(0, 10, n)
    return A, y


@settings(max_examples=60, deadline=None)
@given(productive_systems(), st.sampled_from(["auto", "neumann", "bicgstab", "direct"]))
def test_solution_is_non_negative_and_balanced(system, method):
    A, y = system
    sol = solve_leontief(sp.csr_array(A), y, method=method, rtol=1e-12)
    assert (sol.z >= -1e-12).all()
    np.testing.assert_allclose(sol.z - A @ sol.z, y, atol=1e-9 * max(1, y.max()))
    np.testing.assert_allclose(sol.z, np.linalg.solve(np.eye(len(y)) - A, y),
                               rtol=1e-8, atol=1e-10)


@settings(max_examples=40, deadline=None)
@given(productive_systems())
def test_spectral_bounds_bracket_the_true_radius(system):
    A, _ = system
    rho = max(abs(np.linalg.eigvals(A)))
    b = spectral_bounds(sp.csr_array(A.T))
    assert b.lower <= rho + 1e-9 and rho <= b.upper + 1e-9
    assert b.productive is True
