"""councilplan against pymrio, side by side, on the same tables.

For each table both compute gross output x and labour multipliers (labour values) from the same
flows Z, final demand Y and labour row. pymrio is timed twice: its `calc_all` (which also builds
footprint accounts), and its core `iomath` steps (calc_A, calc_L with a dense inverse,
calc_x_from_L, calc_S, calc_M), the tighter comparison. Times are medians.

    python bench/bench_pymrio.py        # writes bench/results/pymrio.md
"""

from __future__ import annotations

import sys
from dataclasses import replace
from functools import partial
from pathlib import Path

import numpy as np
import pandas as pd
import pymrio
from pymrio.tools import iomath

from _common import machine, markdown_table, median_time, write_results
from councilplan.economy import load_supply_use, load_symmetric
from councilplan.economy.generator import generate_economy
from councilplan.planning import balanced_plan

DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "io-tables"


def flows(e):
    """Z, Y and the labour row of an economy, as pymrio DataFrames."""
    idx = pd.MultiIndex.from_product([["r"], e.products.to_list()], names=["region", "sector"])
    y = e.final_demand.sum(axis=1)
    x = balanced_plan(e).gross_output
    A = e.input_coefficients.T.toarray()
    Z = pd.DataFrame(A * x, index=idx, columns=idx)
    Y = pd.DataFrame(y[:, None], index=idx, columns=pd.MultiIndex.from_tuples(
        [("r", "final demand")], names=["region", "category"]))
    lab = e.resource_coefficients[:, e.labour].sum(axis=1)
    F = pd.DataFrame(np.asarray(lab).ravel()[None, :] * x, index=["labour"], columns=idx)
    return Z, Y, F


def pymrio_calc_all(Z, Y, F):
    io = pymrio.IOSystem(Z=Z, Y=Y)
    io.labour = pymrio.Extension(name="labour", F=F)
    io.calc_all()
    return io.x.to_numpy().ravel(), io.labour.M.to_numpy().ravel()


def pymrio_core(Z, Y, F):
    x0 = iomath.calc_x(Z, Y)
    A = iomath.calc_A(Z, x0)
    L = iomath.calc_L(A)
    x = iomath.calc_x_from_L(L, Y.sum(axis=1))
    S = iomath.calc_S(F, x0)
    M = iomath.calc_M(S, L)
    return np.asarray(x).ravel(), np.asarray(M).ravel()


def relative_difference(ours, theirs):
    return float(np.max(np.abs(ours - theirs) / np.maximum(np.abs(theirs), 1e-300)))


def cases():
    yield "OECD DEU 2015", load_symmetric(DATA / "oecd-2015" / "DEU2015dom.csv")
    yield "UK ONS 2015", load_symmetric(DATA / "uk-ons-2015" / "domesticiot.csv")
    yield "US BEA 2017", load_supply_use(DATA / "us-bea-2017")
    for n in (1000, 2000, 5000, 8000):
        e = generate_economy(n, max(1, n // 400), seed=1)
        # pymrio divides by gross output, so every product gets some final demand here.
        yield f"generated {n}", replace(e, final_demand=e.final_demand + 1.0)


def main() -> None:
    rows = []
    for name, e in cases():
        Z, Y, F = flows(e)
        repeats = 7 if e.n_products <= 2000 else 3
        ours_s, plan = median_time(lambda e=e: balanced_plan(e), repeats)
        all_s, (x_all, m_all) = median_time(partial(pymrio_calc_all, Z, Y, F), repeats)
        core_s, (x_core, m_core) = median_time(partial(pymrio_core, Z, Y, F), repeats)
        rel = max(relative_difference(plan.gross_output, x_all),
                  relative_difference(plan.labour_values, m_all),
                  relative_difference(plan.labour_values, m_core),
                  relative_difference(plan.gross_output, x_core))
        rows.append({"table": name, "products": e.n_products, "councilplan_s": ours_s,
                     "pymrio_calc_all_s": all_s, "pymrio_core_s": core_s,
                     "ratio_calc_all": all_s / ours_s, "ratio_core": core_s / ours_s,
                     "max_rel_diff": float(rel)})
        print(rows[-1], flush=True, file=sys.stderr)
    text = (f"# councilplan and pymrio side by side\n\nMachine: {machine()}; pymrio "
            f"{pymrio.__version__}\n\nCommand: `python bench/bench_pymrio.py`\n\n"
            "Both compute gross output and labour multipliers (labour values) from the same "
            "flows. Seconds are medians; `ratio_*` is pymrio time over councilplan time; "
            "`max_rel_diff` is the largest relative difference in gross output or labour "
            "values between the two.\n\n" + markdown_table(rows) + "\n")
    write_results("pymrio", text)


if __name__ == "__main__":
    main()
