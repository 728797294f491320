#!/usr/bin/env bash
# The whole command-line path at national scale: generate 2e7 products and 5e4 plants, then
# balance them (read and verify the Parquet files, solve, write CSV and Parquet per product).
# Writes bench/results/cli-20m.md. Needs about 8 GB of free disk.
#   bash bench/bench_cli_20m.sh [WORKDIR]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
work=${1:-$(mktemp -d)}
cp=$here/../.venv/bin/councilplan
cd "$work"
/usr/bin/time -v "$cp" generate --products 20000000 --plants 50000 --seed 1 -o econ20m --json \
  > gen.json 2> gen.err
/usr/bin/time -v "$cp" balance econ20m -o plan20m --json > bal.json 2> bal.err
python3 - "$work" "$here/results/cli-20m.md" <<'PY'
import json, re, sys
from pathlib import Path
work, out = Path(sys.argv[1]), Path(sys.argv[2])
def stats(name):
    text = (work / f"{name}.err").read_text()
    wall = re.search(r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (\S+)", text).group(1)
    parts = [float(p) for p in wall.split(":")]
    seconds = sum(p * 60 ** i for i, p in enumerate(reversed(parts)))
    rss = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", text).group(1))
    return seconds, rss / 2**20
plan = json.loads((work / "bal.json").read_text())
rows = [("councilplan generate --products 20000000 --plants 50000 --seed 1 -o econ20m", *stats("gen")),
        ("councilplan balance econ20m -o plan20m", *stats("bal"))]
lines = ["# The command line at 2e7 products", "",
         "Command: `bash bench/bench_cli_20m.sh`; one run each (wall time and peak resident "
         "memory from GNU time).", "",
         "| command | wall_s | peak_gib |", "|---|---|---|"]
lines += [f"| `{c}` | {s:.0f} | {m:.1f} |" for c, s, m in rows]
solver = plan["solver"]
lines += ["", f"Balance: {plan['products']:,} products, {plan['plants']:,} plants; gross output "
          f"{solver['gross_output']['iterations']} sweeps to residual "
          f"{solver['gross_output']['residual']:.3g}, labour values "
          f"{solver['labour_values']['iterations']} sweeps to {solver['labour_values']['residual']:.3g}; "
          f"largest material-balance error {plan['max_balance_error']:.3g}; "
          f"{plan['bottlenecks']:,} bottlenecks (products, plants or resources over their limits).", ""]
out.write_text("\n".join(lines))
print("\n".join(lines))
PY
