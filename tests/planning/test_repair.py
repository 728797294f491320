"""A first-order Kantorovich answer repaired into a feasible plan, with a certified gap."""

import numpy as np
import pytest
import scipy.sparse as sp

from councilplan.economy.generator import generate_economy, with_alternative_techniques
from councilplan.planning import optimal as o
from councilplan.planning._highs import solve_lp
from councilplan.planning.crossover import PlanLP
from councilplan.planning.optimal import optimal_plan
from councilplan.planning.repair import RepairFailed, feasible_plan


def one_product(capacity, limit=3.0):
    """One product made by two techniques from nothing but an hour of labour a unit; a
    target of one unit, ``limit`` hours."""
    inputs = sp.csr_array((2, 1))
    N = sp.csc_array(np.ones((1, 2)))
    return PlanLP.kantorovich(inputs, N, np.array([0, 0]), sp.csr_array(np.ones((1, 2))),
                              np.array([limit]), np.asarray(capacity, dtype=float),
                              np.array([1.0]))


def test_an_owner_over_capacity_hands_its_product_over():
    """A (capacity 2) owns the product; at lambda 3 it would have to make 2.5 units beside
    B's 0.5, so A is held at capacity and B, with room to spare, becomes the owner. Prices
    p = 1 a unit and 1 an hour prove that 3 hours make at most lambda 3: the gap is zero."""
    lp = one_product([2.0, 10.0])
    r = feasible_plan(lp, np.array([1.8, 0.5]), 3.0, np.array([1.0]), np.array([1.0]))
    assert r.moves == 1
    assert r.scale == pytest.approx(3.0, rel=1e-14)
    assert r.activity.sum() == pytest.approx(3.0, rel=1e-14)  # every hour used
    assert (r.activity >= 0).all() and (r.activity <= lp.capacity).all()
    assert r.bound == pytest.approx(3.0, rel=1e-14) and r.gap == pytest.approx(0.0, abs=1e-14)
    assert r.infeasibility < 1e-14


def test_without_room_lambda_comes_down_to_what_fits():
    """Capacities 2 and 0.5 make at most 2.5 units. From lambda 3, A would need 2.5 with B
    full and no sibling has room, so lambda comes down to 2.5, where A makes exactly 2. The
    rough prices (1 a unit, 0.5 an hour) bound lambda only by 10 x 0.5 hours plus capacity
    rents 2.5 x 0.5, that is 6.25: the certified gap is wide though the plan is optimal."""
    lp = one_product([2.0, 0.5], limit=10.0)
    r = feasible_plan(lp, np.array([1.9, 0.5]), 3.0, np.array([1.0]), np.array([0.5]))
    assert r.scale == pytest.approx(2.5, rel=1e-14)
    np.testing.assert_allclose(r.activity, [2.0, 0.5], rtol=1e-14)
    assert r.bound == pytest.approx(6.25, rel=1e-14)
    assert r.gap == pytest.approx((6.25 - 2.5) / 6.25, rel=1e-12)


def test_an_owner_pushed_below_zero_hands_over_to_its_busy_sibling():
    """Two products: technique c makes product 1 from 0.5 of product 0 a unit. Product 0's
    techniques: a at 0.9 of 1.8 (most interior, the owner) and b at 2 of 2.1. With b held
    at 2, a would have to make 1.5 - 2 < 0 at lambda 1: a is held at zero and b, the busy
    one, takes product 0 over. Then b alone limits lambda: 1.5 lambda <= 2.1, lambda 1.4."""
    inputs = sp.csr_array(np.array([[0.0, 0.0], [0.0, 0.0], [0.5, 0.0]]))
    S = np.array([[1.0, 1.0, 0.0], [0.0, 0.0, 1.0]])
    N = sp.csc_array(S - inputs.toarray().T)
    lp = PlanLP.kantorovich(inputs, N, np.array([0, 0, 1]), sp.csr_array(np.ones((1, 3))),
                            np.array([100.0]), np.array([1.8, 2.1, 5.0]), np.ones(2))
    r = feasible_plan(lp, np.array([0.9, 2.0, 1.0]), 1.0, np.ones(2), np.zeros(1))
    assert r.moves == 1
    assert r.scale == pytest.approx(1.4, rel=1e-14)
    np.testing.assert_allclose(r.activity, [0.0, 2.1, 1.4], rtol=1e-14)


def test_a_full_product_is_relieved_by_a_frugal_sibling_of_its_user():
    """Product 0 (one technique, capacity 1) feeds product 1, whose technique u needs 0.5 of
    it a unit and v only 0.25. From a plan that makes 3 units of product 1 by u, product 0
    would have to make 1.5: output moves from u to v until 1 unit is enough, so lambda 3
    holds: u makes 1 and v 2 (0.5 + 0.5 = 1)."""
    inputs = sp.csr_array(np.array([[0.0, 0.0], [0.5, 0.0], [0.25, 0.0]]))
    S = np.array([[1.0, 0.0, 0.0], [0.0, 1.0, 1.0]])
    N = sp.csc_array(S - inputs.toarray().T)
    lp = PlanLP.kantorovich(inputs, N, np.array([0, 1, 1]), sp.csr_array(np.ones((1, 3))),
                            np.array([100.0]), np.array([1.0, 3.0, 2.5]), np.array([0.0, 1.0]))
    r = feasible_plan(lp, np.array([1.0, 3.0, 0.0]), 3.0, np.array([0.0, 1.0]), np.zeros(1))
    assert r.scale == pytest.approx(3.0, rel=1e-14)
    np.testing.assert_allclose(r.activity, [1.0, 1.0, 2.0], rtol=1e-14)
    assert r.infeasibility < 1e-14


def test_only_the_kantorovich_plan_is_repaired():
    lp = one_product([2.0, 10.0])
    least_labour = PlanLP.least_labour(lp.inputs, lp.N, lp.product_of, lp.R, lp.limits,
                                       lp.capacity, lp.quantity, np.ones(2))
    with pytest.raises(RepairFailed, match="only the Kantorovich plan"):
        feasible_plan(least_labour, np.ones(2), 1.0, np.ones(1), np.ones(1))


def test_an_empty_answer_is_refused_with_a_reason():
    """HiPDLP, cut off by its time limit, hands back zeros: nothing to repair."""
    with pytest.raises(RepairFailed, match="empty"):
        feasible_plan(one_product([2.0, 10.0]), np.zeros(2), 0.0, np.zeros(1), np.zeros(1))


@pytest.mark.parametrize("tolerance", [1e-2, 1e-3, 1e-4])
def test_a_rough_pdlp_answer_becomes_feasible_and_brackets_the_optimum(tolerance):
    """On a generated economy with capacities and limits, every repaired plan meets each
    balance, capacity and limit, and the simplex optimum lies between its lambda and bound."""
    e = with_alternative_techniques(generate_economy(600, 6, seed=3), 3, seed=3)
    st, t = o._structure(e), o.targets_from_economy(e)
    lp = o._plan_lp(e, st, t, "kantorovich")
    exact = -solve_lp(o._kantorovich_lp(st, t), method="simplex",
                      feasibility_tolerance=1e-10).objective
    sol = solve_lp(o._kantorovich_lp(st, t), method="pdlp", tolerance=tolerance)
    n_p, n = st.N.shape
    r = feasible_plan(lp, sol.x[:n], -sol.objective, sol.row_dual[:n_p],
                      -sol.row_dual[n_p:n_p + st.limits.size])
    z, lam = r.activity, r.scale
    assert (st.N @ z >= lam * t.quantity - 1e-10 * np.abs(st.N @ z).max()).all()
    assert (z >= 0).all() and (z <= e.capacity).all()
    assert (st.R_rows @ z <= st.limits * (1 + 1e-12)).all()
    assert lam <= exact * (1 + 1e-12) <= r.bound * (1 + 2e-12)
    assert r.gap < 0.05


@pytest.mark.parametrize("crossover", [False, True])
def test_a_pdlp_answer_cut_off_by_the_time_limit_is_still_a_feasible_plan(crossover):
    """PDLP asked for 1e-9 gets one second; its last iterate (and, with the crossover, no
    time left for it) is repaired into a plan that meets every constraint, the gap stated."""
    e = with_alternative_techniques(generate_economy(8000, 20, seed=4), 3, seed=4)
    plan = optimal_plan(e, harmony_stage=False, solver="pdlp", crossover=crossover,
                        tolerance=1e-9, time_limit=1.0)
    assert plan.solver == "pdlp+repair"
    assert plan.solver_message.startswith("Time limit reached")
    # no crossover round starts in what little is left: one from this far off took minutes
    assert ("crossover failed (no time left for it)" in plan.solver_message) == crossover
    assert "made feasible" in plan.solver_message
    assert plan.infeasibility < 1e-9
    lam, bound = -plan.objective_value, -plan.objective_bound
    assert plan.min_fulfilment == pytest.approx(lam, rel=1e-10)  # balances hold to rounding
    assert 0 < lam < bound and plan.duality_gap == pytest.approx((bound - lam) / bound)
