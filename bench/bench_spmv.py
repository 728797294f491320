"""Time per solver iteration against the memory-bandwidth bound of one sparse matvec.

One Neumann sweep is one sparse matrix-vector product plus a few vector operations. The
matvec must at least stream the matrix (8-byte values, 4-byte indices), the row pointers, the
input vector and the output vector, so bytes / bandwidth is a lower bound on its time. Bandwidth
is measured here with numpy's np.add (read two arrays, write one).

    python bench/bench_spmv.py --products 5000000   # writes bench/results/spmv.md
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np

from _common import machine, markdown_table, write_results
from councilplan.economy.generator import generate_economy
from councilplan.planning.leontief import solve_leontief


def bandwidth_gbs(n: int = 50_000_000, repeats: int = 7) -> float:
    a, b, c = np.ones(n), np.ones(n), np.empty(n)
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        np.add(a, b, out=c)
        times.append(time.perf_counter() - t0)
    return 3 * 8 * n / statistics.median(times) / 1e9


def median_seconds(fn, repeats: int = 9) -> float:
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--products", type=int, default=5_000_000)
    args = ap.parse_args()
    e = generate_economy(args.products, max(1, args.products // 400), seed=1)
    M = e.input_coefficients
    n, nnz = M.shape[0], M.nnz
    x = np.ones(n)
    bw = bandwidth_gbs()
    matrix_bytes = nnz * (8 + M.indices.itemsize) + (n + 1) * M.indptr.itemsize
    bound_s = (matrix_bytes + 2 * 8 * n) / (bw * 1e9)
    rows = []
    for name, op in (("A x (gross output, CSC view)", M.T), ("A' v (labour values, CSR)", M)):
        spmv = median_seconds(lambda op=op: op @ x)
        t0 = time.perf_counter()
        sol = solve_leontief(op, e.final_demand.sum(axis=1) if op is M.T else x)
        sweep = (time.perf_counter() - t0) / sol.iterations
        rows.append({"product": name, "matvec_s": spmv, "sweep_s": sweep, "bound_s": bound_s,
                     "matvec_over_bound": spmv / bound_s, "sweep_over_bound": sweep / bound_s})
    text = (f"# Solver iterations against the bandwidth bound\n\nMachine: {machine()}\n\n"
            f"Command: `python bench/bench_spmv.py --products {args.products}`\n\n"
            f"{n:,} products, {nnz:,} input coefficients; measured bandwidth (np.add, 3 streams) "
            f"{bw:.1f} GB/s; bytes one matvec must move: {matrix_bytes + 16 * n:,}. Seconds are "
            "medians; `sweep_s` is a whole Neumann sweep (matvec plus vector updates and the "
            "residual).\n\n" + markdown_table(rows) + "\n")
    write_results("spmv", text)


if __name__ == "__main__":
    main()
