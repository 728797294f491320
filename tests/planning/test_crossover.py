"""The crossover from PDLP to an exact vertex of the Kantorovich LP, checked independently."""

import json
from dataclasses import replace

import numpy as np
import pytest
import scipy.sparse as sp
from scipy.optimize import linprog
from typer.testing import CliRunner

from councilplan.cli import app
from councilplan.economy import write_economy
from councilplan.economy.generator import generate_economy, with_alternative_techniques
from councilplan.planning.crossover import (
    CrossoverFailed,
    PlanLP,
    crossover,
    objective_bound,
    solve_block,
)
from councilplan.planning.optimal import Targets, optimal_plan, targets_from_economy


@pytest.fixture(scope="module")
def economy():
    return with_alternative_techniques(generate_economy(300, 6, seed=11), 3, seed=11)


def kantorovich_lp(e):
    S = sp.csr_array((np.ones(e.n_techniques), (e.technique_product, np.arange(e.n_techniques))),
                     shape=(e.n_products, e.n_techniques))
    N = sp.csc_array(S - e.input_coefficients.T)
    limited = np.flatnonzero(np.isfinite(e.resource_limits))
    R = sp.csr_array(e.resource_coefficients.T)[limited]
    return PlanLP.kantorovich(sp.csr_array(e.input_coefficients), N, e.technique_product, R,
                              e.resource_limits[limited], e.capacity,
                              targets_from_economy(e).quantity)


def scipy_optimum(lp):
    """max lambda by scipy's HiGHS on the plain formulation (one lambda column)."""
    n_p, n = lp.N.shape
    A = sp.vstack([sp.hstack([-lp.N, sp.csr_array(lp.quantity[:, None])]),
                   sp.hstack([lp.R, sp.csr_array((lp.R.shape[0], 1))])])
    b = np.concatenate([np.zeros(n_p), lp.limits])
    c = np.zeros(n + 1)
    c[-1] = -1
    res = linprog(c, A_ub=A, b_ub=b, bounds=[*zip(np.zeros(n), lp.capacity, strict=True),
                                              (0, None)], method="highs")
    assert res.status == 0
    return -res.fun


@pytest.mark.parametrize("tolerance", [None, 1e-4])
def test_pdlp_plus_crossover_is_a_certified_vertex(economy, tolerance):
    lp = kantorovich_lp(economy)
    plan = optimal_plan(economy, harmony_stage=False, solver="pdlp", tolerance=tolerance)
    assert plan.solver == "pdlp+crossover", plan.solver_message
    assert plan.solver_message == "optimal (certified vertex)"
    assert plan.duality_gap < 1e-11
    lam = plan.min_fulfilment
    np.testing.assert_allclose(lam, scipy_optimum(lp), rtol=1e-7)
    # primal feasibility, checked here from the economy's own arrays
    x = plan.activity
    assert (lp.N @ x - lam * lp.quantity).min() >= -1e-9 * lp.quantity.max()
    assert (x >= 0).all() and (x <= lp.capacity).all()
    assert (lp.R @ x <= lp.limits * (1 + 1e-9)).all()
    # weak duality from the reported prices: any p >= 0 with y.p = 1 bounds lambda
    p = plan.product_prices
    nu = plan.resource_prices[np.isfinite(economy.resource_limits)]
    assert p.min() >= 0 and nu.min() >= 0
    np.testing.assert_allclose(lp.quantity @ p, 1.0, rtol=1e-12)
    profit = lp.N.T @ p - lp.R.T @ nu
    bound = lp.capacity @ np.maximum(profit, 0) + nu @ lp.limits
    assert lam <= bound <= lam * (1 + 1e-11)
    # the certificate the plan reports is this same bound
    np.testing.assert_allclose(plan.duality_gap, (bound - lam) / max(1.0, bound), atol=1e-12)
    # a vertex: every technique but owners and a few is at a bound
    inside = (x > 1e-9 * lp.capacity) & (x < (1 - 1e-9) * lp.capacity)
    assert inside.sum() <= economy.n_products + lp.limits.size


def test_crossover_from_a_rough_start_still_finds_the_optimum(economy):
    """Start 5 % away from an interior-point solution in every activity and price, so that
    phase one, owner hand-overs and column generation all have work to do."""
    lp = kantorovich_lp(economy)
    near = optimal_plan(economy, harmony_stage=False, solver="ipm")
    rng = np.random.default_rng(1)
    x0, p0 = (v * (1 + 0.05 * rng.standard_normal(v.size))
              for v in (near.activity, near.product_prices))
    nu0 = near.resource_prices[np.isfinite(economy.resource_limits)] * 1.05
    v = crossover(lp, x0, p0, nu0)
    np.testing.assert_allclose(v.scale, scipy_optimum(lp), rtol=1e-7)
    assert v.objective - v.bound <= 1e-11 * v.scale
    assert v.infeasibility <= 1e-9
    assert v.rounds > 1


@pytest.mark.parametrize("unlimited", [False, True])
def test_least_labour_is_crossed_over_too(economy, unlimited):
    """With capacities, and without them but with resource limits (as the peers compare)."""
    e = replace(economy, capacity=np.full(economy.n_techniques, np.inf)) if unlimited else economy
    y = 0.8 * targets_from_economy(e).quantity
    t = Targets(y, np.ones_like(y))
    exact = optimal_plan(e, t, objective="min-labour", solver="simplex")
    plan = optimal_plan(e, t, objective="min-labour", solver="pdlp")
    assert plan.solver == "pdlp+crossover"
    assert plan.duality_gap < 1e-11
    np.testing.assert_allclose(plan.total_labour, exact.total_labour, rtol=1e-7)
    lp = kantorovich_lp(e)
    x = plan.activity
    assert (lp.N @ x - y).min() >= -1e-9 * y.max()
    assert (lp.R @ x <= lp.limits * (1 + 1e-9)).all() and (x <= e.capacity).all()
    # weak duality by hand: labour >= p . y - sum of capacity rents - nu . limits
    p = plan.product_prices
    nu = plan.resource_prices[np.isfinite(e.resource_limits)]
    profit = lp.N.T @ p - lp.R.T @ nu - np.asarray(e.resource_coefficients[:, e.labour]
                                                   .sum(axis=1)).ravel()
    rent = np.multiply(e.capacity, profit, out=np.zeros_like(profit), where=profit > 0).sum()
    bound = p @ y - rent - nu @ lp.limits
    assert bound <= plan.total_labour <= bound * (1 + 1e-11)


def test_rounding_profit_on_an_uncapped_technique_keeps_the_bound_finite():
    """Two products, each made by one uncapped technique from a little of the other, one hour
    of labour a unit; targets 1 and 2. The exact labour values p solve p = labour + A' p, so
    the owners break even; a price a hair above them would give an uncapped technique a
    profit, which must not turn the labour bound into -inf."""
    inputs = sp.csr_array(np.array([[0.0, 0.2], [0.1, 0.0]]))
    N = sp.csc_array(np.eye(2) - inputs.toarray().T)
    lp = PlanLP.least_labour(inputs, N, np.array([0, 1]), sp.csr_array((0, 2)), np.zeros(0),
                             np.full(2, np.inf), np.array([1.0, 2.0]), np.ones(2))
    values = np.linalg.solve(np.eye(2) - inputs.toarray(), np.ones(2))
    least = values @ lp.quantity  # the least labour, by the non-substitution theorem
    assert objective_bound(lp, values, np.zeros(0)) == pytest.approx(least, rel=1e-14)
    above = objective_bound(lp, values * (1 + 1e-15), np.zeros(0))
    assert np.isfinite(above) and above == pytest.approx(least, rel=1e-12)
    rough = objective_bound(lp, values * np.array([1.5, 1.0]), np.zeros(0))
    assert np.isfinite(rough) and rough <= least


def test_crossover_gives_up_with_a_reason(economy):
    lp = kantorovich_lp(economy)
    n_p, n = lp.N.shape
    with pytest.raises(CrossoverFailed, match="after 1 rounds"):
        crossover(lp, np.zeros(n), np.ones(n_p), np.zeros(lp.limits.size), rounds=1)


def test_crossover_refuses_a_start_too_far_from_a_vertex(economy):
    """Every technique strictly inside its bounds leaves all non-owners free: the dense
    block of owner responses would have products x free entries, so past the limit the
    crossover fails with the sizes instead of exhausting memory."""
    lp = kantorovich_lp(economy)
    n_p, n = lp.N.shape
    inside = np.where(np.isfinite(lp.capacity), lp.capacity / 2, 1.0)
    prices = (np.ones(n_p), np.zeros(lp.limits.size))
    free = n - n_p
    with pytest.raises(CrossoverFailed, match=f"too far from a vertex: {free:,} free"):
        crossover(lp, inside, *prices, dense_limit=n_p * (free + 2) - 1)
    with pytest.raises(CrossoverFailed) as info:  # one entry more and the round runs
        crossover(lp, inside, *prices, dense_limit=n_p * (free + 2), rounds=1)
    assert "too far" not in str(info.value)


def test_crossover_keeps_to_its_time_limit(economy):
    lp = kantorovich_lp(economy)
    n_p, n = lp.N.shape
    with pytest.raises(CrossoverFailed, match="time limit of 0 s reached after 0 rounds"):
        crossover(lp, np.zeros(n), np.ones(n_p), np.zeros(lp.limits.size), time_limit=0.0)


def test_block_solve_matches_a_direct_solve_and_refuses_unproductive_owners():
    rng = np.random.default_rng(0)
    A = sp.random_array((60, 60), density=0.1, rng=rng, format="csr") * 0.15
    B = rng.random((60, 4))
    Z = solve_block(A, B)
    np.testing.assert_allclose((np.eye(60) - A.toarray()) @ Z, B, atol=1e-12)
    with pytest.raises(CrossoverFailed, match="own product"):
        solve_block(sp.csr_array(np.array([[1.2, 0.0], [0.1, 0.0]])), np.ones((2, 1)))
    with pytest.raises(CrossoverFailed, match="not productive"):
        solve_block(sp.csr_array(np.array([[0.0, 2.0], [0.6, 0.0]])), np.ones((2, 1)),
                    maxiter=200)


@pytest.mark.parametrize(("flag", "method"), [("--crossover", "pdlp+crossover"),
                                              ("--no-crossover", "pdlp+repair")])
def test_cli_crossover_flag(tmp_path, economy, flag, method):
    write_economy(economy, tmp_path / "e")
    r = CliRunner().invoke(app, ["optimise", str(tmp_path / "e"), "-o", str(tmp_path / "p"),
                                 "--solver", "pdlp", "--no-harmony", flag, "--json"])
    assert r.exit_code == 0, r.output
    report = json.loads(r.stdout)["solver"]
    assert report["method"] == method
    assert report["message"].startswith("optimal (certified vertex)" if flag == "--crossover"
                                         else "Optimal; made feasible, least fulfilment")
    assert report["duality_gap"] < (1e-11 if method == "pdlp+crossover" else 1e-4)
