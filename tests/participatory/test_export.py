import json

import numpy as np
import pytest
from typer.testing import CliRunner

from conftest import DATA, require
from councilplan.cli import app
from councilplan.economy import read_economy
from councilplan.errors import InvalidInput
from councilplan.planning import balanced_plan
from councilplan.planning.participatory import load_experiment, run_year, write_experiment
from councilplan.planning.participatory.export import announced_prices, export_year
from councilplan.planning.participatory.generator import generate_councils


@pytest.fixture(scope="module")
def converged():
    return run_year(generate_councils(600, 600, 10, seed=1))


def test_export_balance_agrees_with_the_board(converged):
    plan = export_year(converged)
    last = converged.rounds[-1].tally
    n = converged.councils.goods_per_class
    produced = np.r_[0:2 * n, 4 * n:5 * n]
    np.testing.assert_allclose(plan.balance.supply, last.supply[produced], rtol=1e-12)
    use = plan.balance.intermediate_use + plan.balance.final_use.sum(axis=1)
    np.testing.assert_allclose(use, last.demand[produced], rtol=1e-12)
    np.testing.assert_allclose(plan.balance.relative_difference.max() * 100,
                               last.threshold[produced].max(), rtol=1e-12)
    np.testing.assert_allclose(plan.balance.resource_use, last.demand[2 * n:4 * n], rtol=1e-12)
    np.testing.assert_array_equal(plan.prices, announced_prices(converged))


def test_exported_plan_is_a_productive_economy(converged):
    plan = export_year(converged)
    balanced = balanced_plan(plan.economy)
    # the balanced plan for the councils' final demand needs no more than they proposed
    assert (balanced.gross_output <= plan.balance.supply * 1.05).all()
    assert np.abs(balanced.balance).max() < 1e-8


def test_generated_experiment_behaves_like_the_shipped_ones():
    counts = [len(run_year(generate_councils(3000, 3000, 10, seed=s)).rounds) for s in (0, 1)]
    assert all(17 <= c <= 23 for c in counts)  # shipped dep1 files: 18-22


def test_generator_is_reproducible_and_round_trips_through_edn(tmp_path):
    a, b = generate_councils(90, 40, 10, seed=9), generate_councils(90, 40, 10, seed=9)
    np.testing.assert_array_equal(a.input_exponent, b.input_exponent)
    write_experiment(a, tmp_path / "x.clj.gz")
    back = load_experiment(tmp_path / "x.clj.gz")
    for name in ("wc_output", "input_ptr", "input_good", "input_exponent", "a", "c", "k",
                 "income", "private_exponents", "public_exponents"):
        np.testing.assert_array_equal(getattr(back, name), getattr(a, name))


def test_generator_rejects_bad_sizes():
    with pytest.raises(InvalidInput):
        generate_councils(2, 10, 10)


def test_cli_rounds_writes_plan_and_rounds(tmp_path):
    path = require(DATA / "participatory" / "dep1ex05.clj.gz")
    r = CliRunner().invoke(app, ["rounds", str(path), "-o", str(tmp_path / "out"), "--json"])
    assert r.exit_code == 0, r.output
    s = json.loads(r.stdout)
    assert s["years"][0]["rounds"] == 18 and s["years"][0]["converged"]
    assert s["max_relative_difference"] <= 0.03
    assert read_economy(tmp_path / "out" / "economy").n_techniques == 3000
    header = (tmp_path / "out" / "rounds.csv").open().readline()
    assert header.startswith(":iteration,:color,:private-good-prices-1")


def test_cli_rounds_bad_file_exits_2(tmp_path):
    (tmp_path / "bad.clj").write_text("(def wcs [")
    r = CliRunner().invoke(app, ["rounds", str(tmp_path / "bad.clj"), "-o", str(tmp_path / "o")])
    assert r.exit_code == 2 and "malformed EDN" in r.output
    assert not (tmp_path / "o").exists()
