"""Participatory rounds: councilplan beside demplan's HahnelBook2021, same input files.

For each size an experiment file in the dep1ex format is written once (the shipped dep1ex01
is used as is); both programs load that same file and run year one to the 3 % threshold.
Reported: rounds (must agree) and median time per round. The largest sizes are run by
councilplan alone, from the generator in memory, as noted in the table.

    python bench/bench_participatory.py   # writes bench/results/participatory.md
"""

from __future__ import annotations

import sys
import tempfile
import time
from importlib.metadata import version
from pathlib import Path

import numpy as np
from demplan.io import load_dep1ex
from demplan.prefabs import HahnelBook2021
from demplan.prefabs.hahnel import book_2021_rule

from _common import machine, markdown_table, write_results
from councilplan.planning.participatory import load_experiment, run_year, write_experiment
from councilplan.planning.participatory.generator import generate_councils

SHIPPED = Path(__file__).resolve().parents[2] / "shared" / "data" / "participatory"
# (total councils, goods): half worker councils, half consumer councils; goods = 5 classes
FILE_SIZES = [(3_000, 50), (30_000, 50), (30_000, 500), (300_000, 50), (300_000, 500)]
MEMORY_SIZES = [(1_000_000, 100), (3_000_000, 50), (3_000_000, 500)]


class CountingRule:
    """demplan's book rule, counting the rounds it is called for."""

    def __init__(self) -> None:
        self.calls = 0

    def initial_state(self, n: int) -> np.ndarray:
        return book_2021_rule.initial_state(n)

    def __call__(self, price, surplus, imbalance, state):
        self.calls += 1
        return book_2021_rule(price, surplus, imbalance, state)


def demplan_year(path: Path) -> tuple[int, float]:
    economy = load_dep1ex(path)
    rule = CountingRule()
    t0 = time.perf_counter()
    HahnelBook2021(threshold_pct=3.0, max_rounds=200, price_rule=rule).solve(economy, seed=0)
    return rule.calls, time.perf_counter() - t0


def ours_year(councils) -> tuple[int, float]:
    t0 = time.perf_counter()
    year = run_year(councils)
    return len(year.rounds), time.perf_counter() - t0


def per_round(fn, repeats: int) -> tuple[int, float]:
    runs = [fn() for _ in range(repeats)]
    rounds = runs[0][0]
    return rounds, float(np.median([t / r for r, t in runs]))


def file_case(label: str, path: Path, repeats: int) -> dict[str, object]:
    t0 = time.perf_counter()
    councils = load_experiment(path)
    load_s = time.perf_counter() - t0
    ours_rounds, ours_s = per_round(lambda: ours_year(councils), repeats)
    theirs_rounds, theirs_s = per_round(lambda: demplan_year(path), repeats)
    return {"input": label, "councils": councils.n_wc + councils.n_cc, "goods": councils.n_goods,
            "rounds": ours_rounds, "demplan_rounds": theirs_rounds,
            "councilplan_s_per_round": ours_s, "demplan_s_per_round": theirs_s,
            "speedup": theirs_s / ours_s, "councilplan_load_s": load_s}


def main() -> None:
    rows = []
    rows.append(file_case("dep1ex01 (shipped)", SHIPPED / "dep1ex01.clj.gz", 5))
    print(rows[-1], file=sys.stderr, flush=True)
    with tempfile.TemporaryDirectory() as tmp:
        for total, goods in FILE_SIZES:
            path = Path(tmp) / f"gen_{total}_{goods}.clj.gz"
            write_experiment(generate_councils(total // 2, total // 2, goods // 5, seed=1), path)
            rows.append(file_case("generated file, seed 1", path, 5 if total <= 30_000 else 3))
            print(rows[-1], file=sys.stderr, flush=True)
    for total, goods in MEMORY_SIZES:
        councils = generate_councils(total // 2, total // 2, goods // 5, seed=1)
        rounds, ours_s = per_round(lambda c=councils: ours_year(c), 1)
        rows.append({"input": "generated in memory (councilplan only)", "councils": total,
                     "goods": goods, "rounds": rounds, "demplan_rounds": "-",
                     "councilplan_s_per_round": ours_s, "demplan_s_per_round": "-",
                     "speedup": "-", "councilplan_load_s": "-"})
        print(rows[-1], file=sys.stderr, flush=True)
        del councils
    text = (f"# Participatory rounds beside demplan\n\nMachine: {machine()}; demplan "
            f"{version('demplan')}\n\nCommand: `python bench/bench_participatory.py`\n\n"
            "Year one to the 3 % threshold. `councils` counts worker plus consumer councils "
            "(half each), `goods` the five classes together. Seconds per round are medians "
            "over repeated years; `speedup` is demplan's time per round over ours. "
            "`councilplan_load_s` is our EDN parse of the file (demplan parses in Rust and is "
            "not timed here).\n\n" + markdown_table(rows) + "\n")
    write_results("participatory", text)


if __name__ == "__main__":
    main()
