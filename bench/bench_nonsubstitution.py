"""Least-labour technique choice without capacity or resource limits (non-substitution).

Policy iteration on generated economies with two techniques per product; the duality gap and
the smallest reduced cost certify each optimum. One run each.

    python bench/bench_nonsubstitution.py   # writes bench/results/nonsubstitution.md
"""

from __future__ import annotations

import time
from dataclasses import replace

import numpy as np

from _common import machine, markdown_table, write_results
from councilplan.economy.generator import generate_economy, with_alternative_techniques
from councilplan.planning.nonsubstitution import least_labour_techniques

SIZES = (100_000, 1_000_000, 5_000_000)


def main() -> None:
    rows = []
    for n in SIZES:
        e = with_alternative_techniques(generate_economy(n, max(1, n // 400), seed=3), 2, seed=3)
        e = replace(e, capacity=np.full(e.n_techniques, np.inf),
                    resource_limits=np.full(e.n_resources, np.inf))
        y = np.clip(e.final_demand.sum(axis=1), 0, None)
        t0 = time.perf_counter()
        choice = least_labour_techniques(e, y)
        rows.append({"products": n, "techniques": e.n_techniques,
                     "seconds": time.perf_counter() - t0, "rounds": choice.iterations,
                     "duality_gap": choice.duality_gap,
                     "min_reduced_cost": choice.min_reduced_cost})
        print(rows[-1], flush=True)
        del e
    write_results("nonsubstitution", (
        f"# Least-labour technique choice (non-substitution)\n\nMachine: {machine()}\n\n"
        "Command: `python bench/bench_nonsubstitution.py`; one run each, economy in memory. "
        "No capacity or resource limits: exact by policy iteration, certified by a zero "
        "duality gap and non-negative reduced costs.\n\n" + markdown_table(rows) + "\n"))


if __name__ == "__main__":
    main()
