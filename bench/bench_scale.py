"""Balanced-plan time and peak memory from 10^3 to 2*10^7 products.

Each size runs in a fresh process. Generation is timed on its own; then the peak-memory mark is
reset and the balanced plan (gross output, labour values, balances, capacity use, bottlenecks)
is timed. Small sizes report the median of several runs.

    python bench/bench_scale.py                      # all sizes, writes bench/results/scale.md
    python bench/bench_scale.py --sizes 1000 100000  # some sizes
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time

from _common import (
    machine,
    markdown_table,
    median_time,
    peak_rss_gib,
    reset_peak_rss,
    write_results,
)

SIZES = [1_000, 10_000, 100_000, 1_000_000, 5_000_000, 20_000_000]


def plants_for(n: int) -> int:
    return max(1, min(50_000, n // 400))


def one_size(n: int) -> dict[str, object]:
    from councilplan.economy.generator import generate_economy
    from councilplan.planning import balanced_plan

    repeats = 5 if n <= 100_000 else (3 if n <= 1_000_000 else 1)
    t0 = time.perf_counter()
    e = generate_economy(n, plants_for(n), seed=1)
    generate_s = time.perf_counter() - t0
    generate_gib = peak_rss_gib()
    reset_peak_rss()
    plan_s, plan = median_time(lambda: balanced_plan(e), repeats)
    return {
        "products": n, "plants": plants_for(n), "inputs": int(e.input_coefficients.nnz),
        "generate_s": generate_s, "generate_peak_gib": generate_gib,
        "plan_s": plan_s, "runs": repeats, "plan_peak_gib": peak_rss_gib(),
        "iterations": plan.output_solution.iterations + plan.value_solution.iterations,
        "residual": max(plan.output_solution.residual, plan.value_solution.residual),
        "bottlenecks": len(plan.bottlenecks),
    }


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", type=int, nargs="*", default=SIZES)
    ap.add_argument("--child", type=int)
    args = ap.parse_args()
    if args.child:
        print(json.dumps(one_size(args.child)))
        return
    rows = []
    for n in args.sizes:
        out = subprocess.run([sys.executable, __file__, "--child", str(n)], check=True,
                             capture_output=True, text=True).stdout
        rows.append(json.loads(out.strip().splitlines()[-1]))
        print(rows[-1], flush=True)
    text = (f"# Balanced plan at scale\n\nMachine: {machine()}\n\n"
            f"Command: `python bench/bench_scale.py --sizes {' '.join(map(str, args.sizes))}`\n\n"
            "Times in seconds (median of `runs`), memory is the peak resident set of the "
            "process during that phase, in GiB. `plan_s` covers gross output, labour values, "
            "the material-balance report, capacity use and bottlenecks; the economy is already "
            "in memory. `iterations` counts both solves, `residual` is the larger final "
            "||b - (I - A) z||_inf.\n\n" + markdown_table(rows) + "\n")
    write_results("scale", text)


if __name__ == "__main__":
    main()
