import gzip

import numpy as np
import pytest

from conftest import DATA, require
from councilplan.errors import InvalidInput
from councilplan.planning.participatory import (
    ProportionalRule,
    consumer_demand,
    load_experiment,
    propose_workers,
    run_experiment,
    run_year,
)
from councilplan.planning.participatory.generator import generate_councils
from councilplan.planning.participatory.roundsfile import read_rounds_csv, write_rounds_csv


@pytest.fixture(scope="module")
def small():
    return generate_councils(n_wc=300, n_cc=300, goods_per_class=10, seed=4)


def test_worker_proposals_satisfy_first_order_conditions(small):
    rng = np.random.default_rng(0)
    p = rng.uniform(300, 900, small.n_goods)
    w = propose_workers(small, p)
    owner = small.input_owner
    lam = p[small.wc_output]
    # lambda * b_i * q / x_i = p_i, and lambda * c * q / e = s * k * e^(k-1)
    np.testing.assert_allclose(lam[owner] * small.input_exponent * w.output[owner] / w.orders,
                               p[small.input_good], rtol=1e-12)
    np.testing.assert_allclose(lam * small.c * w.output / w.effort,
                               small.s * small.k * w.effort ** (small.k - 1), rtol=1e-10)
    produced = small.a * w.effort ** small.c * np.exp(np.bincount(
        owner, weights=small.input_exponent * np.log(w.orders), minlength=small.n_wc))
    np.testing.assert_allclose(produced, w.output, rtol=1e-10)


def test_consumers_spend_their_whole_income(small):
    p = np.random.default_rng(1).uniform(300, 900, small.n_goods)
    y, z = consumer_demand(small, p)
    n = small.goods_per_class
    spent = y @ p[:n] + z @ (p[4 * n:] / small.n_cc)
    np.testing.assert_allclose(spent, small.income, rtol=1e-12)


def test_price_rule_is_pluggable(small):
    default = run_year(small)
    other = run_year(small, rule=ProportionalRule(step=0.1), max_rounds=500)
    assert default.converged and other.converged
    assert len(other.rounds) != len(default.rounds)
    assert np.all(other.rounds[-1].tally.threshold <= 3)


def test_round_cap_stops_an_unconverged_year(small):
    year = run_year(small, max_rounds=3)
    assert len(year.rounds) == 3 and not year.converged


def test_rounds_csv_round_trip(small, tmp_path):
    run = run_experiment(small, rng=np.random.default_rng(0))
    write_rounds_csv(run, tmp_path / "rounds.csv")
    years = read_rounds_csv(tmp_path / "rounds.csv")
    assert [len(y.iterations) for y in years] == [len(y.rounds) for y in run.years]
    np.testing.assert_array_equal(years[1].block("prices")[-1], run.years[1].final_prices)
    np.testing.assert_array_equal(years[0].wc_output[0], run.years[0].rounds[0].wc_output)


@pytest.mark.parametrize(("name", "n_wc"), [("ppex001", 30), ("ppex002", 300), ("ppex003", 300)])
def test_pequod_plus_files_load(name, n_wc):
    folder = require(DATA / "participatory")
    c = load_experiment(folder / f"{name}.cljs.gz")
    assert (c.n_wc, c.n_cc, c.goods_per_class) == (n_wc, n_wc, 10)
    assert any("pollutants" in note for note in c.notes)
    year = run_year(c, max_rounds=60)
    last = year.rounds[-1].tally
    assert np.isfinite(last.supply).all() and np.isfinite(last.demand).all()
    # consumers in these files value public good 1 only, so G2..G10 stay in excess supply
    assert (c.public_exponents[:, 1:] == 0).all()
    assert (last.demand[41:] == 0).all() and (last.threshold[41:] == 200).all()


def test_malformed_edn_is_reported(tmp_path):
    bad = tmp_path / "bad.clj"
    bad.write_text("(def wcs [{:a 1 :c}]) (def ccs [")
    with pytest.raises(InvalidInput, match=r"bad\.clj.*malformed EDN"):
        load_experiment(bad)


@pytest.mark.parametrize(("text", "message"), [
    ('(ns x)\n(def ccs [{:income 5000\n  :utility-exponents [0.1 0.2}])\n',
     r"x\.clj:3: malformed EDN: unexpected '\}' at column 30"),
    ("(def wcs [{:a 1", r"x\.clj: malformed EDN: unexpected end of file \(truncated\?\)"),
    ("(def ccs [{:income 5000 :u [0.1 #bad 0.2]}])", r"x\.clj: malformed EDN: a #tag"),
])
def test_parse_errors_name_the_place(tmp_path, text, message):
    (tmp_path / "x.clj").write_text(text)
    with pytest.raises(InvalidInput, match=message):
        load_experiment(tmp_path / "x.clj")


def test_missing_key_names_the_council(tmp_path):
    folder = require(DATA / "participatory")
    with gzip.open(folder / "dep1ex01.clj.gz", "rt") as f:
        text = f.read()
    start = text.index("(def wcs")
    first_a = text.index(":a ", start)
    (tmp_path / "x.clj").write_text(text[:first_a] + ":aa " + text[first_a + 3:])
    with pytest.raises(InvalidInput, match="worker council 1 has no :a"):
        load_experiment(tmp_path / "x.clj")


def test_missing_definition_is_reported(tmp_path):
    (tmp_path / "y.clj").write_text("(ns x) (def ccs [])")
    with pytest.raises(InvalidInput, match=r"no \(def wcs"):
        load_experiment(tmp_path / "y.clj")
