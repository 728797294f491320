import json

import numpy as np
import pytest
from typer.testing import CliRunner

from councilplan.cli import app
from councilplan.economy import write_economy
from councilplan.economy.generator import generate_economy, with_alternative_techniques
from councilplan.errors import InvalidInput
from councilplan.planning.fiveyear import five_year_plan, generate_capital


@pytest.fixture(scope="module")
def economy():
    return with_alternative_techniques(generate_economy(200, 8, seed=5), 2, seed=5)


@pytest.fixture(scope="module")
def capital(economy):
    return generate_capital(economy, 10, seed=5)


def test_plan_satisfies_every_constraint(economy, capital):
    plan = five_year_plan(economy, capital, periods=5, growth=0.03)
    e, cap, T = economy, capital, plan.periods
    assert plan.duality_gap < 1e-8
    tol = 1e-6 * max(1.0, plan.gross_output.max())
    for t in range(T):
        z = plan.activity[t]
        net = (np.bincount(e.technique_product, weights=z, minlength=e.n_products)
               - e.input_coefficients.T @ z)
        used = net.copy()
        np.add.at(used, cap.goods, -plan.investment[t])
        assert (used - plan.consumption[t] >= -tol).all()
        assert (cap.requirement.T @ z <= plan.stocks[t] + tol).all()
        limited = np.isfinite(e.resource_limits)
        assert (plan.labour[t][limited] <= e.resource_limits[limited] + tol).all()
        if t:
            expected = (1 - cap.depreciation) * plan.stocks[t - 1] + plan.investment[t - 1]
            np.testing.assert_allclose(plan.stocks[t], expected, atol=tol)
    np.testing.assert_allclose(plan.stocks[0], cap.initial)
    final = (1 - cap.depreciation) * plan.stocks[-1] + plan.investment[-1]
    assert (final >= cap.initial - tol).all()
    np.testing.assert_allclose(plan.consumption[4].sum() / plan.consumption[0].sum(), 1.03**4)


def test_faster_growth_costs_fulfilment(economy, capital):
    slow = five_year_plan(economy, capital, growth=0.0)
    fast = five_year_plan(economy, capital, growth=0.05)
    assert fast.fulfilment < slow.fulfilment


def test_more_initial_capital_never_hurts(economy, capital):
    from dataclasses import replace
    richer = replace(capital, initial=capital.initial * 1.2)
    base = five_year_plan(economy, capital, terminal=1.0)
    more = five_year_plan(economy, richer, terminal=1.0 / 1.2)
    assert more.fulfilment >= base.fulfilment - 1e-9


def test_year_by_year_report(economy, capital):
    rows = five_year_plan(economy, capital, periods=3).year_by_year(economy)
    assert [r["period"] for r in rows] == [1, 2, 3]
    assert all(r["gross_output"] > 0 and r["labour"] > 0 for r in rows)
    assert any(r["bottlenecks"] for r in rows)


def test_bad_settings(economy, capital):
    with pytest.raises(InvalidInput):
        five_year_plan(economy, capital, periods=0)
    with pytest.raises(InvalidInput):
        five_year_plan(economy, capital, growth=-1.5)


def test_cli_fiveyear(tmp_path, economy):
    write_economy(economy, tmp_path / "e")
    r = CliRunner().invoke(app, ["fiveyear", str(tmp_path / "e"), "-o", str(tmp_path / "f"),
                                 "--periods", "3", "--growth", "0.02", "--json"])
    assert r.exit_code == 0, r.output
    s = json.loads(r.stdout)
    assert len(s["years"]) == 3 and s["solver"]["duality_gap"] < 1e-8
    assert s["solver"]["infeasibility"] < 1e-9 and s["solver"]["dual_infeasibility"] < 1e-9
    assert (tmp_path / "f" / "years.csv").is_file()


def test_capital_from_files_round_trips_the_generated_structure(tmp_path, economy, capital):
    from councilplan.planning.fiveyear import read_capital

    e = economy
    goods = [e.products[int(g)] for g in capital.goods]
    lines = ["product,initial_stock,depreciation"] + [
        f"{g},{float(s)!r},{float(d)!r}" for g, s, d in zip(goods, capital.initial, capital.depreciation,
                                               strict=True)]
    (tmp_path / "capital_goods.csv").write_text("\n".join(lines) + "\n")
    B = capital.requirement.tocoo()
    lines = ["technique,product,stock_per_unit"] + [
        f"{e.techniques[int(t)]},{goods[int(k)]},{float(v)!r}" for t, k, v in zip(B.row, B.col, B.data,
                                                                           strict=True)]
    (tmp_path / "capital_requirements.csv").write_text("\n".join(lines) + "\n")
    back = read_capital(tmp_path, e)
    assert (back.requirement != capital.requirement).nnz == 0
    a = five_year_plan(e, back, periods=3)
    b = five_year_plan(e, capital, periods=3)
    assert a.fulfilment == pytest.approx(b.fulfilment, rel=1e-9)
    with open(tmp_path / "capital_requirements.csv", "a") as f:
        f.write(f"{e.techniques[0]},{e.products[0] if e.products[0] not in goods else 'x'},1\n")
    with pytest.raises(InvalidInput, match=r"capital_requirements.csv:\d+, field 'product'"):
        read_capital(tmp_path, e)


def test_simplex_and_interior_point_agree_on_the_optimum(economy, capital):
    """Both run at tight tolerances, so neither stops short on small wrong-sign prices."""
    ipm = five_year_plan(economy, capital, growth=0.02, solver="ipm")
    simplex = five_year_plan(economy, capital, growth=0.02, solver="simplex")
    assert abs(ipm.fulfilment - simplex.fulfilment) <= 1e-9 * simplex.fulfilment
    for plan in (ipm, simplex):
        assert plan.infeasibility < 1e-10
        assert plan.dual_infeasibility < 1e-9
