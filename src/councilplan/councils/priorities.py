"""Priority ballots steer the plan: their tallies become the weights of the plan's targets."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pacsv

from ..errors import InvalidInput


def write_priority_targets(tally: Mapping[str, int], targets: Mapping[str, float],
                           path: Path | str, *, floor: float = 0.0) -> Path:
    """Write ``product,target,weight`` for ``councilplan optimise --targets``.

    Each product's weight is its share of all points cast (at least ``floor``, so a product
    nobody voted for still counts a little); targets are the quantities consumer councils asked
    for. Every voted-for product needs a target.
    """
    missing = sorted(set(tally) - set(targets))
    if missing:
        raise InvalidInput(f"points were cast for {missing[0]!r}, which has no target")
    total = sum(tally.values())
    if total <= 0:
        raise InvalidInput("no points were cast")
    products = sorted(targets)
    weights = [max(floor, tally.get(p, 0) / total) for p in products]
    table = pa.table({"product": products, "target": [float(targets[p]) for p in products],
                      "weight": weights})
    pacsv.write_csv(table, Path(path))
    return Path(path)
