import json

import numpy as np
import pandas as pd
import pymrio
import pytest

from councilplan.economy import load_pymrio, load_supply_use, load_symmetric
from councilplan.errors import InvalidInput
from councilplan.planning import balanced_plan

OECD = ["USA", "DEU", "JPN", "FRA", "KOR"]


def pymrio_results(e):
    """pymrio's calc_all on the same flows: gross output and labour multipliers."""
    A = e.input_coefficients.T.toarray()
    y = e.final_demand.sum(axis=1)
    x0 = np.linalg.solve(np.eye(e.n_products) - A, y)
    labels = e.products.to_list()
    idx = pd.MultiIndex.from_product([["r"], labels], names=["region", "sector"])
    Z = pd.DataFrame(A * x0, index=idx, columns=idx)
    Y = pd.DataFrame(e.final_demand, index=idx,
                     columns=pd.MultiIndex.from_product([["r"], e.categories.to_list()],
                                                        names=["region", "category"]))
    F = pd.DataFrame((e.resource_coefficients[:, 0].toarray().ravel() * x0)[None, :],
                     index=["labour"], columns=idx)
    io = pymrio.IOSystem(Z=Z, Y=Y)
    io.labour = pymrio.Extension(name="labour", F=F)
    io.calc_all()
    return io.x.to_numpy().ravel(), io.labour.M.to_numpy().ravel()


def check_against_pymrio(e):
    plan = balanced_plan(e)
    x, m = pymrio_results(e)
    np.testing.assert_allclose(plan.gross_output, x, rtol=1e-9)
    np.testing.assert_allclose(plan.labour_values, m, rtol=1e-9, atol=1e-15)
    assert np.abs(plan.balance).max() <= 1e-9 * np.abs(plan.gross_output).max()
    return plan


@pytest.mark.parametrize("country", OECD)
def test_oecd_tables_load_and_match_pymrio(io_tables, country):
    e = load_symmetric(io_tables / "oecd-2015" / f"{country}2015dom.csv")
    assert e.n_products == (35 if country == "JPN" else 36)
    assert "HFCE" in e.categories.to_list() and "TOTAL" not in e.categories.to_list()
    notes = json.loads(e.metadata["notes"])
    assert any("value added used as labour" in n for n in notes)
    if country == "JPN":
        assert any("D97T98" in n for n in notes)
    plan = check_against_pymrio(e)
    published = pd.read_csv(io_tables / "oecd-2015" / f"{country}2015dom.csv", index_col=0)
    output = published.loc["OUTPUT", e.products.to_list()].to_numpy()
    np.testing.assert_allclose(plan.gross_output, output, atol=0.6)


def test_uk_table_drops_subtotals_and_matches_pymrio(io_tables):
    e = load_symmetric(io_tables / "uk-ons-2015" / "domesticiot.csv")
    cats = e.categories.to_list()
    assert e.n_products == 129
    assert "PublicSector" not in cats and "Total Exports" not in cats
    assert "Central Government" in cats and "Exports of Goods - EU" in cats
    notes = json.loads(e.metadata["notes"])
    assert any("PublicSector" in n and "subtotal" in n for n in notes)
    housing = [i for i, p in enumerate(e.products) if p.startswith("Owner-Occupiers")]
    exports = [j for j, c in enumerate(cats) if c.startswith("Exports")]
    assert e.final_demand[housing[0], exports].sum() == pytest.approx(453)
    check_against_pymrio(e)


def test_bea_supply_use_under_industry_technology(io_tables):
    e = load_supply_use(io_tables / "us-bea-2017")
    notes = json.loads(e.metadata["notes"])
    assert e.metadata["technology_assumption"] == "industry"
    assert any("S00300" in n and "S00402" in n for n in notes)
    assert e.n_products == 400 and len(e.categories) == 20
    plan = check_against_pymrio(e)
    make = pd.read_csv(io_tables / "us-bea-2017" / "detail_make_2017_before_redef.csv",
                       index_col=0).drop(columns="name")
    q = make.loc["T007", e.products.to_list()].to_numpy(dtype=float)
    # gross output reproduces commodity output, up to the table's rounding and dropped scrap
    assert np.abs(plan.gross_output - q).max() < 300
    assert plan.gross_output.sum() == pytest.approx(q.sum(), rel=1e-4)


def test_pymrio_test_system_loads_through_pymrio():
    e = load_pymrio("test")
    assert e.n_products == 48 and e.products[0] == "reg1/food"
    check_against_pymrio(e)


def test_malformed_csv_names_file_and_line(tmp_path, io_tables):
    text = (io_tables / "oecd-2015" / "DEU2015dom.csv").read_text().splitlines()
    text[5] = text[5] + ",1,2,3"
    bad = tmp_path / "bad.csv"
    bad.write_text("\n".join(text))
    with pytest.raises(InvalidInput, match=r"bad.csv:6"):
        load_symmetric(bad)


def test_truncated_csv_names_the_missing_value(tmp_path, io_tables):
    text = (io_tables / "oecd-2015" / "DEU2015dom.csv").read_text()
    bad = tmp_path / "truncated.csv"
    bad.write_text(text[: len(text) // 2])
    with pytest.raises(InvalidInput, match=r"truncated\.csv"):
        load_symmetric(bad)


def test_non_number_names_line_and_field(tmp_path, io_tables):
    lines = (io_tables / "oecd-2015" / "DEU2015dom.csv").read_text().splitlines()
    fields = lines[3].split(",")
    fields[2] = "abc"
    lines[3] = ",".join(fields)
    bad = tmp_path / "nan.csv"
    bad.write_text("\n".join(lines) + "\n")
    with pytest.raises(InvalidInput, match=r"nan.csv:4, field 'D05T06'.*not a number"):
        load_symmetric(bad)


def test_duplicate_row_label_is_rejected(tmp_path, io_tables):
    lines = (io_tables / "oecd-2015" / "DEU2015dom.csv").read_text().splitlines()
    lines.insert(3, lines[2])
    bad = tmp_path / "dup.csv"
    bad.write_text("\n".join(lines) + "\n")
    with pytest.raises(InvalidInput, match="duplicate"):
        load_symmetric(bad)
